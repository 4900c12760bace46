/**
 * Bring-your-own-model benchmark, one JSON line:
 *
 * - `steps`: training steps per second of the step graph autodiff derives from a client's ONNX file
 *   (the fixture CNN test/fixtures/byom/cnn.onnx: Conv 1→8, MaxPool, Conv 8→16, MaxPool, Gemm
 *   784→10), run by GraphTrainingEngine on one intra-op thread, one pre-built batch of real MNIST
 *   rows, against PyTorch on the same module class, the same initial weights, batch and one thread
 *   (scripts/bench/byom_torch.py, Debian's python3-torch), measured in this run. Per optimizer
 *   (`sgd` momentum 0.9, `adam`): `cyxStepsPerSec`, `torchStepsPerSec`, `ratio` (cyx ÷ torch, goal
 *   ≥ 1.0). PyTorch runs with glibc's mmap and trim thresholds at 1 GiB: with the small thresholds
 *   some guides suggest (128 KiB) Debian's torch 1.13 runs this CNN about 12× slower here, and with
 *   the defaults its speed flips between processes (docs/findings.md).
 * - `transfer`: a client dataset moved by CID as the job does it (putDataset on one Helia, fetchDataset
 *   on another over bitswap: every 1 MiB block hash-checked, then the whole SHA-256) in MB/s, against
 *   the same bytes on a bare libp2p stream (TCP + Noise + yamux, no framing) between the same two
 *   nodes in this run: `ratio` (bitswap ÷ bare).
 *
 *   npx tsx scripts/bench/byom.ts [steps] [datasetMiB] [--smoke]   (npm run bench:byom)
 *
 * Without `/usr/bin/python3` able to import torch and onnx, the torch keys are null and `torch`
 * says why (`apt-get install python3-torch python3-onnx` provides them; the full bench refuses to run
 * without them, `--smoke` reports and goes on). `--smoke`: 3 timed steps, a 2 MiB dataset.
 */
import { args, emitAndExit, smoke } from './common.js'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import type { Stream } from '@libp2p/interface'
import { tcp } from '@libp2p/tcp'
import { GraphTrainingEngine } from '../../peer/train/engine-graph.js'
import { loadDataset } from '../../peer/train/data/index.js'
import type { OptimizerSpec } from '../../peer/train/autodiff/types.js'
import type { Batch, TensorValues } from '../../peer/train/engine.js'
import { createPeerHelia, fetchDataset, openPeerStore, putDataset, type HeliaWithLibp2p, type TensorDataset } from '../../storage/index.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const fixture = (name: string): string => join(root, 'test', 'fixtures', 'byom', name)
const timedSteps = smoke ? 3 : Number(args[0] ?? 200)
const warmupSteps = smoke ? 1 : 10
const datasetMiB = smoke ? 2 : Number(args[1] ?? 64)
const BATCH = 64
const round1 = (x: number): number => Math.round(x * 10) / 10
const round3 = (x: number): number => Math.round(x * 1000) / 1000

/** The optimizers both sides run, with the same hyper-parameters as byom_torch.py. */
const OPTIMIZERS: Record<'sgd' | 'adam', OptimizerSpec> = {
  sgd: { kind: 'sgd', learningRate: 0.05, momentum: 0.9, weightDecay: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
  adam: { kind: 'adam', learningRate: 1e-3, momentum: 0, weightDecay: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }
}

/** The first BATCH training rows of the fixture MNIST archive, as the engine takes them. */
async function firstBatch (): Promise<Batch> {
  const ds = await loadDataset(fixture('mnist.npz'))
  const n = BATCH * 784
  const x = ds.train.x as Uint8Array
  return {
    rows: BATCH,
    features: Float32Array.from(x.subarray(0, n), (v) => v / 255),
    labels: Int32Array.from((ds.train.y as Int32Array).subarray(0, BATCH)),
    targets: new Float32Array(0)
  }
}

async function cyxStepsPerSec (kind: 'sgd' | 'adam', batch: Batch): Promise<{ stepsPerSec: number, firstLoss: number, lastLoss: number }> {
  const total = warmupSteps + timedSteps
  const engine = await GraphTrainingEngine.create(readFileSync(fixture('cnn.onnx')), { loss: 'ce', optimizer: kind, batchSize: BATCH }, OPTIMIZERS[kind], { kind: 'constant' }, 1, { stepsPerEpoch: total, totalSteps: total })
  try {
    let p: readonly TensorValues[] = engine.initialParameters()
    let v: readonly TensorValues[] = engine.zeroVelocities()
    let firstLoss = NaN
    let lastLoss = NaN
    for (let s = 0; s < warmupSteps; s++) {
      const r = await engine.step(p, v, batch, { step: s })
      if (s === 0) firstLoss = r.loss
      ;({ parameters: p, velocities: v } = r)
    }
    const t0 = performance.now()
    for (let s = warmupSteps; s < total; s++) {
      const r = await engine.step(p, v, batch, { step: s })
      ;({ parameters: p, velocities: v, loss: lastLoss } = r)
    }
    return { stepsPerSec: timedSteps / ((performance.now() - t0) / 1000), firstLoss, lastLoss }
  } finally {
    await engine.close()
  }
}

const TORCH_ENV = { MALLOC_MMAP_THRESHOLD_: String(1 << 30), MALLOC_TRIM_THRESHOLD_: String(1 << 30) }

/** PyTorch's rate, or why there is none. */
async function torchStepsPerSec (kind: 'sgd' | 'adam'): Promise<{ stepsPerSec: number, firstLoss: number, version: string } | { missing: string }> {
  const python = '/usr/bin/python3'
  try {
    await promisify(execFile)(python, ['-c', 'import torch, onnx'], { timeout: 120_000 })
  } catch (e) {
    return { missing: `${python} cannot import torch and onnx (apt-get install python3-torch python3-onnx): ${(e as Error).message.split('\n')[0] ?? ''}` }
  }
  const { stdout } = await promisify(execFile)(python, [join(root, 'scripts', 'bench', 'byom_torch.py'), kind, String(BATCH), String(warmupSteps), String(timedSteps)], {
    env: { ...process.env, ...TORCH_ENV }, timeout: 600_000, maxBuffer: 1 << 20
  })
  const out = JSON.parse(stdout.trim()) as { stepsPerSec: number, firstLoss: number, torch: string }
  return { stepsPerSec: out.stepsPerSec, firstLoss: out.firstLoss, version: out.torch }
}

// ------------------------------------------------------------------------------ transfer

const RAW_PROTOCOL = '/cyx/bench/raw/1.0.0'
const SLICE = 256 * 1024

function loopback (): Parameters<typeof createPeerHelia>[1] {
  return {
    libp2p: {
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify() }
    }
  }
}

/** A dataset of `mib` MiB of uint8 rows of 1 KiB (pseudo-random, so no two chunks are equal). */
function syntheticDataset (mib: number): TensorDataset {
  const rows = mib * 1024
  const testCount = Math.max(1, Math.floor(rows / 5))
  let s = 12345
  const next = (): number => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s }
  const split = (count: number): TensorDataset['train'] => ({
    count,
    x: Uint8Array.from({ length: count * 1024 }, () => next() >>> 24),
    y: Int32Array.from({ length: count }, () => (next() >>> 16) % 10)
  })
  return { sampleShape: [1024], dtype: 'uint8', normalize: 'unit', task: { kind: 'classification', classCount: 10 }, train: split(rows - testCount), test: split(testCount) }
}

async function transfer (): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'cyx-bench-byom-'))
  const stores = [await openPeerStore(join(dir, 'client')), await openPeerStore(join(dir, 'worker'))]
  const client = await createPeerHelia(stores[0]!, loopback()) as HeliaWithLibp2p<any>
  const worker = await createPeerHelia(stores[1]!, loopback()) as HeliaWithLibp2p<any>
  try {
    const ds = syntheticDataset(datasetMiB)
    const ref = await putDataset(client.blockstore, ds)
    await worker.libp2p.dial(client.libp2p.getMultiaddrs())

    // Bitswap: the worker fetches by CID, every block and the whole hash checked.
    const t0 = performance.now()
    await fetchDataset(worker.blockstore, ref.root, { expectedSha256: ref.sha256, signal: AbortSignal.timeout(600_000) })
    const bitswapMs = performance.now() - t0

    // Bare stream: the same number of bytes client → worker, acknowledged by one byte.
    const payload = new Uint8Array(ref.bytes)
    for (let i = 0; i < payload.length; i += 4096) payload[i] = i & 0xff
    await worker.libp2p.handle(RAW_PROTOCOL, (stream: Stream) => {
      void (async () => {
        let got = 0
        for await (const chunk of stream) {
          got += chunk.byteLength
          if (got >= payload.byteLength) break
        }
        stream.send(Uint8Array.of(1))
        await stream.close()
      })().catch((err) => { console.error('raw receiver:', err) })
    })
    const stream = await client.libp2p.dialProtocol(worker.libp2p.peerId, RAW_PROTOCOL)
    const t1 = performance.now()
    for (let at = 0; at < payload.byteLength; at += SLICE) {
      if (!stream.send(payload.subarray(at, at + SLICE))) await stream.onDrain()
    }
    for await (const _ of stream) break
    const bareMs = performance.now() - t1
    stream.abort(new Error('done'))
    const mbps = (ms: number): number => round1(ref.bytes / 1e6 / (ms / 1000))
    return { megabytes: round1(ref.bytes / 1e6), bitswapMBps: mbps(bitswapMs), bareStreamMBps: mbps(bareMs), ratio: round3(bareMs / bitswapMs) }
  } finally {
    await worker.stop()
    await client.stop()
    for (const s of stores) await s.close()
    await rm(dir, { recursive: true, force: true })
  }
}

// ------------------------------------------------------------------------------ main

const batch = await firstBatch()
const steps: Record<string, unknown> = {}
let torchNote: string | undefined
for (const kind of ['sgd', 'adam'] as const) {
  const torch = await torchStepsPerSec(kind)
  if ('missing' in torch) {
    if (!smoke) throw new Error(torch.missing)
    torchNote = torch.missing
  } else {
    torchNote = `torch ${torch.version}, 1 thread`
  }
  const cyx = await cyxStepsPerSec(kind, batch)
  const torchRate = 'missing' in torch ? null : torch.stepsPerSec
  steps[kind] = {
    cyxStepsPerSec: round1(cyx.stepsPerSec),
    torchStepsPerSec: torchRate === null ? null : round1(torchRate),
    ratio: torchRate === null ? null : round3(cyx.stepsPerSec / torchRate),
    // Both start from the file's weights on the same batch: the first losses agree to float32 noise.
    firstLoss: { cyx: round3(cyx.firstLoss), torch: 'missing' in torch ? null : round3(torch.firstLoss) }
  }
}

await emitAndExit({
  bench: 'byom',
  model: 'test/fixtures/byom/cnn.onnx',
  batch: BATCH,
  timedSteps,
  torch: torchNote,
  steps,
  transfer: await transfer()
})
