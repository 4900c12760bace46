// Training-loop benchmark. Prints ONE JSON line: steps/s of the protocol's loop (Trainer segments:
// batch gathering from the seeded order, the one-graph ONNX step, per-epoch test evaluation) against a
// bare onnxruntime loop (the same graph on one pre-built batch, nothing else) and a plain-TypeScript
// loop (referenceStep), all measured in this run on MNIST 784-64-10, batch 64; plus the portable
// (wasm) and fixed-point engines and the cost of SHA-256 over one epoch's snapshot; and the overhead
// of hashing and storing evidence: the same job trained with `train` alone and with
// `trainWithEvidence` (chain hashing, state blocks in a level blockstore, drafts, seal and pin).
// Run: npx tsx scripts/bench/train.ts [--quick | --smoke]   (npm run bench:train)
// `--quick`: half the sizes; `--smoke`: segments of 10 steps, a few steps of each loop, one evidence epoch.
import { emit, smoke } from './common.js'
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import {
  buildTrainingStepModel,
  initialParameters,
  loadMnist,
  parameterLayout,
  referenceStep,
  Trainer,
  trainingSpec,
  type TrainingSpec
} from '../../peer/train/index.js'
import { sessionOptions } from '../../peer/train/engine-ort.js'
import { datasetBytes, trainWithEvidence } from '../../peer/evidence/index.js'
import { wire, fromHex } from '../../protocols/index.js'
import { train, trainingSpecFromWire } from '../../peer/train/index.js'

const quick = process.argv.includes('--quick')
const LAYERS = [784, 64, 10]
const BATCH = 64
const mnist = loadMnist()
const spec = (extra: Partial<Parameters<typeof trainingSpec>[0]> = {}): TrainingSpec =>
  trainingSpec({ layers: LAYERS, learningRate: 0.05, momentum: 0.9, batchSize: BATCH, epochs: 100, seed: 1, dataset: { id: 'mnist', contentHash: mnist.contentHash }, ...(smoke ? { segmentSteps: 10 } : {}), ...extra })

/** Steps/s of the protocol loop: whole segments (epochs, 125 steps each, evaluation included). */
async function protocolLoop(s: TrainingSpec, segments: number): Promise<{ stepsPerSec: number; hashMsPerSegment: number; msPerSegment: number }> {
  const trainer = await Trainer.open(s, mnist)
  let state = trainer.initialState()
  state = (await trainer.runSegment(trainer.segment(1), state)).state // warm-up
  let steps = 0
  let hashMs = 0
  const t0 = performance.now()
  for (let i = 2; i < 2 + segments; i++) {
    const cp = await trainer.runSegment(trainer.segment(i), state)
    state = cp.state
    steps += cp.segment.stepCount
    const h0 = performance.now()
    const hash = createHash('sha256')
    for (const t of [...cp.state.parameters, ...cp.state.velocities]) hash.update(new Uint8Array(t.buffer, t.byteOffset, t.byteLength))
    hash.digest()
    hashMs += performance.now() - h0
  }
  const ms = performance.now() - t0 - hashMs
  await trainer.close()
  return { stepsPerSec: (steps / ms) * 1000, hashMsPerSegment: hashMs / segments, msPerSegment: ms / segments }
}

async function bareOrtLoop(steps: number): Promise<number> {
  const session = await ort.InferenceSession.create(buildTrainingStepModel(LAYERS), sessionOptions())
  const layout = parameterLayout(LAYERS)
  const params = initialParameters(LAYERS, 1)
  let feeds: Record<string, ort.Tensor> = {
    x: new ort.Tensor('float32', mnist.train.features.slice(0, BATCH * 784), [BATCH, 784]),
    y_onehot: new ort.Tensor('float32', Float32Array.from({ length: BATCH * 10 }, (_, i) => (i % 10 === mnist.train.labels[Math.floor(i / 10)] ? 1 : 0)), [BATCH, 10]),
    lr: new ort.Tensor('float32', Float32Array.of(0.05), []),
    momentum: new ort.Tensor('float32', Float32Array.of(0.9), [])
  }
  layout.forEach((p, i) => {
    feeds[p.name] = new ort.Tensor('float32', params[i] as Float32Array, p.dims as number[])
    feeds[`v_${p.name}`] = new ort.Tensor('float32', new Float32Array(p.size), p.dims as number[])
  })
  const run = async (n: number) => {
    for (let s = 0; s < n; s++) {
      const out = await session.run(feeds)
      const next: Record<string, ort.Tensor> = { x: feeds.x!, y_onehot: feeds.y_onehot!, lr: feeds.lr!, momentum: feeds.momentum! }
      for (const p of layout) {
        next[p.name] = out[`${p.name}_next`]!
        next[`v_${p.name}`] = out[`v_${p.name}_next`]!
      }
      feeds = next
    }
  }
  await run(20)
  const t0 = performance.now()
  await run(steps)
  const ms = performance.now() - t0
  await session.release()
  return (steps / ms) * 1000
}

function plainTypeScriptLoop(steps: number): number {
  let params: Float32Array[] = initialParameters(LAYERS, 1)
  let vels: Float32Array[] = params.map((p) => new Float32Array(p.length))
  const x = mnist.train.features.subarray(0, BATCH * 784)
  const labels = mnist.train.labels.subarray(0, BATCH)
  const run = (n: number) => {
    for (let s = 0; s < n; s++) {
      const r = referenceStep(LAYERS, params, vels, x, labels, 0.05, 0.9)
      params = r.parameters
      vels = r.velocities
    }
  }
  run(3)
  const t0 = performance.now()
  run(steps)
  return (steps / (performance.now() - t0)) * 1000
}

/**
 * Wall time of one job trained with `train` alone and with `trainWithEvidence` (fresh store each
 * time), alternating, best of `rounds`: the ratio is what hashing and storing evidence costs.
 */
async function evidenceOverhead(epochs: number, rounds: number): Promise<{ plainMs: number; evidenceMs: number; checkpoints: number }> {
  const w: wire.TrainingSpec = {
    layers: LAYERS, mode: wire.NumericMode.FLOAT32, fracBits: 0, datasetId: 'mnist', datasetHash: fromHex(mnist.contentHash),
    datasetBytes: datasetBytes(mnist), epochs, batchSize: BATCH, learningRateMicros: 50_000, momentumMicros: 900_000, seed: 1n,
    tier: wire.VerificationTier.TIER_OPTIMISTIC, stepsPerSegment: 0, backend: wire.FloatBackend.BACKEND_NATIVE
  }
  const engineSpec = trainingSpecFromWire(w)
  let plainMs = Infinity
  let evidenceMs = Infinity
  for (let r = 0; r < rounds; r++) {
    let t0 = performance.now()
    await train(engineSpec, mnist, { keepCheckpoints: false })
    plainMs = Math.min(plainMs, performance.now() - t0)
    const dir = await mkdtemp(join(os.tmpdir(), 'cyx-bench-train-evidence-'))
    try {
      t0 = performance.now()
      await trainWithEvidence({ wireSpec: w, dataset: mnist, dir })
      evidenceMs = Math.min(evidenceMs, performance.now() - t0)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
  return { plainMs, evidenceMs, checkpoints: epochs }
}

const size = (full: number, q: number, s: number): number => (smoke ? s : quick ? q : full)
const ours = await protocolLoop(spec(), size(4, 2, 1))
const bare = await bareOrtLoop(size(500, 250, 20))
const plain = plainTypeScriptLoop(size(60, 30, 2))
const portable = await protocolLoop(spec({ backend: 'portable' }), 1)
const fixed = await protocolLoop(spec({ numeric: 'fixed-q16' }), 1)
const evidence = await evidenceOverhead(size(6, 3, 1), size(3, 2, 1))
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d
emit(
  {
    bench: 'train',
    model: 'mlp 784-64-10',
    dataset: 'mnist',
    batch: BATCH,
    threads: 1,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    stepsPerSec: {
      protocolLoop: round(ours.stepsPerSec),
      bareOrt: round(bare),
      plainTypeScript: round(plain),
      protocolLoopPortableWasm: round(portable.stepsPerSec),
      protocolLoopFixedQ16: round(fixed.stepsPerSec)
    },
    ratios: {
      protocolLoopOverBareOrt: round(ours.stepsPerSec / bare, 3),
      protocolLoopOverPlainTypeScript: round(ours.stepsPerSec / plain, 2),
      bareOrtOverPlainTypeScript: round(bare / plain, 2),
      portableOverNative: round(portable.stepsPerSec / ours.stepsPerSec, 3),
      fixedQ16OverNative: round(fixed.stepsPerSec / ours.stepsPerSec, 3),
      snapshotHashOverSegment: round(ours.hashMsPerSegment / ours.msPerSegment, 4),
      // (time with evidence − time without) / time without, same job, same run: 0 = free.
      evidenceOverhead: round((evidence.evidenceMs - evidence.plainMs) / evidence.plainMs, 3)
    },
    evidence: {
      epochs: evidence.checkpoints,
      // encodeState of weights and velocities: u32 count ‖ (u8 dtype ‖ u32 n ‖ 4n bytes) per tensor.
      stateBytesPerCheckpoint: 4 + 2 * parameterLayout(LAYERS).reduce((n, p) => n + 5 + 4 * p.size, 0),
      trainMs: round(evidence.plainMs),
      trainWithEvidenceMs: round(evidence.evidenceMs)
    }
  }
)
