/**
 * How fast a worker stores evidence, against writing the same bytes to a plain file, in one run.
 *
 *   npx tsx scripts/bench/evidence.ts [--checkpoints 16] [--floats 500000] [--smoke]   (npm run bench:evidence)
 *
 * `--smoke`: 2 checkpoints of 10,000 floats.
 *
 * Each checkpoint is a state of two float32 tensors of `floats` elements (weights and velocities),
 * so 8 × floats bytes. Prints one JSON line:
 *   evidenceMBps     appendCheckpoint throughput (encode + hash + chunked level puts + draft record)
 *   plainMBps        encodeState + writeFile of the same bytes, one file per checkpoint
 *   overheadRatio    evidence time / plain time (1 = free)
 *   storeOnlyRatio   the same without the shared encodeState cost on both sides
 *   sealMs           writing the manifest and pinning the whole DAG
 *   loadMBps         loadCheckpointState of every checkpoint (re-hash, verify, decode)
 */
import { emit, smoke } from './common.js'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { encodeState, wire, type StateTensor } from '../../protocols/index.js'
import { createPeerHelia, EvidenceWriter, loadCheckpointState, loadEvidence, openPeerStore } from '../../storage/index.js'

const { values } = parseArgs({ options: { checkpoints: { type: 'string', default: '16' }, floats: { type: 'string', default: '500000' }, smoke: { type: 'boolean' } } })
const checkpoints = smoke ? 2 : Number(values.checkpoints)
const floats = smoke ? 10_000 : Number(values.floats)

function state (seed: number): StateTensor[] {
  const w = new Float32Array(floats)
  const v = new Float32Array(floats)
  for (let i = 0; i < floats; i++) {
    w[i] = Math.sin(seed * 31 + i)
    v[i] = Math.cos(seed * 17 + i) / 100
  }
  return [{ dtype: 'float32', data: w }, { dtype: 'float32', data: v }]
}

/** A stand-in job (evidence holds the wire spec); its fields do not matter to storage speed. */
const SPEC: wire.TrainingSpec = {
  layers: [784, 64, 10], mode: wire.NumericMode.FLOAT32, fracBits: 0, datasetId: 'bench', datasetHash: new Uint8Array(32),
  datasetBytes: 1n, epochs: checkpoints, batchSize: 64, learningRateMicros: 50_000, momentumMicros: 900_000, seed: 1n,
  tier: wire.VerificationTier.TIER_OPTIMISTIC, stepsPerSegment: 0, backend: wire.FloatBackend.BACKEND_NATIVE
}

const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6

const dir = await mkdtemp(join(tmpdir(), 'cyx-bench-evidence-'))
try {
  const states = Array.from({ length: checkpoints }, (_, i) => state(i + 1))
  const stateBytes = encodeState(states[0] as StateTensor[]).byteLength
  const totalMB = (stateBytes * checkpoints) / 1e6

  // Plain file: encode, write, one file per checkpoint (what a worker without evidence would do).
  let encodeMs = 0
  let t = process.hrtime.bigint()
  for (const [i, s] of states.entries()) {
    const e = process.hrtime.bigint()
    const bytes = encodeState(s)
    encodeMs += ms(e)
    await writeFile(join(dir, `plain-${i}.bin`), bytes)
  }
  const plainMs = ms(t)

  const store = await openPeerStore(join(dir, 'peer'))
  const helia = await createPeerHelia(store)
  try {
    const writer = await EvidenceWriter.begin(helia, { spec: SPEC, profile: { runtime: 'bench' } }, { drafts: store.evidenceDrafts })
    t = process.hrtime.bigint()
    for (const [i, s] of states.entries()) {
      await writer.appendCheckpoint({ metrics: { epoch: i + 1, steps: (i + 1) * 100, loss: 1 / (i + 1), accuracy: i / checkpoints }, timeMs: Date.now(), state: s })
    }
    const evidenceMs = ms(t)
    t = process.hrtime.bigint()
    const cid = await writer.seal()
    const sealMs = ms(t)

    t = process.hrtime.bigint()
    const evidence = await loadEvidence(helia, cid, { offline: true })
    for (let e = 1; e <= checkpoints; e++) await loadCheckpointState(helia, evidence, e, { offline: true })
    const loadMs = ms(t)

    emit({
      bench: 'evidence',
      checkpoints,
      stateBytes,
      totalMB: +totalMB.toFixed(1),
      evidenceMBps: +(totalMB / (evidenceMs / 1000)).toFixed(1),
      plainMBps: +(totalMB / (plainMs / 1000)).toFixed(1),
      overheadRatio: +(evidenceMs / plainMs).toFixed(2),
      storeOnlyRatio: +((evidenceMs - encodeMs) / (plainMs - encodeMs)).toFixed(2),
      encodeMBps: +(totalMB / (encodeMs / 1000)).toFixed(1),
      sealMs: Math.round(sealMs),
      loadMBps: +(totalMB / (loadMs / 1000)).toFixed(1),
      node: process.version
    })
  } finally {
    await helia.stop()
    await store.close()
  }
} finally {
  await rm(dir, { recursive: true, force: true })
}
