/**
 * peer/evidence: a training run with its Helia evidence, and a verifier's spot checks of it —
 * honest evidence passes; tampered, skipped, mis-profiled or corrupted evidence does not.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { CheckpointChain, genesisHash, stateHash, wire, fromHex, toHex } from '../../../protocols/index.js'
import {
  createPeerHelia, EvidenceWriter, evidenceTrainingSpec, exportCar, loadCheckpointState, loadEvidence, openPeerStore, SPEC_ENCODING,
  type ProfileRecord
} from '../../../storage/index.js'
import { checkpointInput, datasetBytes, profileRecord, trainWithEvidence, verifyEvidence, weightsHash } from '../../../peer/evidence/index.js'
import {
  checkpointStateTensors, generateSpirals, sameBits, train, trainingSpecFromWire, trainingStateFromTensors, type Checkpoint, type TensorValues, type TrainingRun
} from '../../../peer/train/index.js'

const spirals = generateSpirals()
const EPOCHS = 4
const T0 = 1_750_000_000_000
/** A reproducible t_E, so two runs of one spec seal the same evidence CID. */
const clock = (segment: number): number => T0 + segment * 1000

function wireSpec (over: Partial<wire.TrainingSpec> = {}): wire.TrainingSpec {
  return {
    layers: [16, 12, 3],
    mode: wire.NumericMode.FLOAT32,
    fracBits: 0,
    datasetId: spirals.id,
    datasetHash: fromHex(spirals.contentHash),
    datasetBytes: datasetBytes(spirals),
    epochs: EPOCHS,
    batchSize: 32,
    learningRateMicros: 50_000,
    momentumMicros: 900_000,
    seed: 5n,
    tier: wire.VerificationTier.TIER_OPTIMISTIC,
    stepsPerSegment: 0,
    backend: wire.FloatBackend.BACKEND_NATIVE,
    ...over
  }
}

const dirs: string[] = []
async function tempDir (label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `cyx-evidence-${label}-`))
  dirs.push(dir)
  return dir
}

/** Writes evidence for `run` as a (possibly dishonest) worker would: every checkpoint through `edit`. */
async function writeEvidence (
  dir: string, spec: wire.TrainingSpec, run: TrainingRun,
  edit: { checkpoint?: (c: Checkpoint, i: number) => Checkpoint, profile?: ProfileRecord, initial?: Checkpoint['state'] } = {}
): Promise<string> {
  const store = await openPeerStore(dir)
  const helia = await createPeerHelia(store)
  try {
    const writer = await EvidenceWriter.begin(helia, {
      spec,
      profile: edit.profile ?? profileRecord(run.profile),
      initialState: checkpointStateTensors(edit.initial ?? run.initial)
    })
    for (const [i, c] of run.checkpoints.entries()) await writer.appendCheckpoint(checkpointInput(edit.checkpoint?.(c, i) ?? c, clock(i + 1)))
    return (await writer.seal()).toString()
  } finally {
    await helia.stop()
    await store.close()
  }
}

function withParameters (c: Checkpoint, parameters: readonly TensorValues[], velocities = c.state.velocities): Checkpoint {
  return { ...c, state: { ...c.state, parameters, velocities } }
}

describe('peer/evidence: training with evidence, and verifying it', function () {
  const spec = wireSpec()
  let honest: TrainingRun
  let dir: string
  let result: Awaited<ReturnType<typeof trainWithEvidence>>

  before(async () => {
    honest = await train(trainingSpecFromWire(spec), spirals)
    dir = await tempDir('honest')
    result = await trainWithEvidence({ wireSpec: spec, dataset: spirals, dir, clock })
  })

  after(async () => {
    await Promise.all(dirs.map(async (d) => { await rm(d, { recursive: true, force: true }) }))
  })

  it('stores the wire spec, W_0 and every checkpoint; one spec hash from escrow to genesis', async () => {
    assert.equal(result.checkpoints, EPOCHS)
    assert.equal(result.resumedFrom, 0)
    assert.equal(result.specHash, toHex(wire.specHash(spec)))
    assert.equal(result.finalWeightsHash, toHex(weightsHash(honest.final)))
    assert.equal(result.finalWeightsHash, toHex(stateHash(checkpointStateTensors(honest.final).slice(0, 4))))
    assert.deepEqual(result.metrics, honest.checkpoints.at(-1)!.metrics)

    const store = await openPeerStore(dir)
    const helia = await createPeerHelia(store)
    try {
      const evidence = await loadEvidence(helia, CID.parse(result.evidenceCid), { offline: true })
      const m = evidence.manifest
      assert.equal(m.complete, true)
      assert.equal(m.spec.encoding, SPEC_ENCODING)
      assert.deepEqual(m.spec.bytes, wire.TrainingSpec.encode(spec))
      assert.deepEqual(m.spec.hash, wire.specHash(spec))
      assert.deepEqual(evidenceTrainingSpec(m.spec), spec)
      assert.equal(toHex(m.merkle!.root), result.merkleRoot)
      assert.equal(toHex(m.checkpoints.at(-1)!.chainHash), result.chainHead)
      assert.deepEqual(m.checkpoints.map((c) => c.timeMs), [1, 2, 3, 4].map(clock))
      assert.deepEqual(m.metricsLog.map((e) => e.values.testAccuracy), honest.checkpoints.map((c) => c.metrics.testAccuracy))
      // The chain starts from the wire spec hash (the escrow's), and recomputes to the head.
      const chain = new CheckpointChain(wire.specHash(spec))
      for (const c of m.checkpoints) chain.append(c.stateHash, { epoch: c.epoch, steps: c.steps, loss: c.loss, accuracy: c.accuracy }, c.timeMs)
      assert.equal(toHex(chain.head), result.chainHead)
      assert.deepEqual(chain.genesis, genesisHash(wire.specHash(spec)))
      // W_0 and W_E as trained, bit for bit.
      assert.deepEqual(stateHash(await loadCheckpointState(helia, evidence, 0)), stateHash(checkpointStateTensors(honest.initial)))
      assert.deepEqual(stateHash(await loadCheckpointState(helia, evidence, 3)), stateHash(checkpointStateTensors(honest.checkpoints[2]!.state)))
    } finally {
      await helia.stop()
      await store.close()
    }
    // The same inputs (clock included) written by hand give the same evidence CID.
    assert.equal(await writeEvidence(await tempDir('same'), spec, honest), result.evidenceCid)
  })

  it('passes honest evidence: every segment re-executes to the same bits and chain hash', async () => {
    const report = await verifyEvidence({ cid: result.evidenceCid, dir, challengeSeed: 'any seed', checks: EPOCHS, expectedWeightsHash: result.finalWeightsHash })
    assert.equal(report.verdict, 'passed', report.reasons.join('\n'))
    assert.deepEqual(report.selected, [1, 2, 3, 4])
    assert.deepEqual(report.segments.map((s) => [s.segment, s.passed]), [[1, true], [2, true], [3, true], [4, true]])
    assert.equal(report.integrity.blocks, 1 + 2 * (EPOCHS + 1))
    assert.equal(report.initialState.passed, true)
    assert.equal(report.profile.reproducible, true)
    assert.equal(report.finalWeights.hash, result.finalWeightsHash)
    assert.equal(report.merkleRoot, result.merkleRoot)
    // The challenge decides the segments, reproducibly.
    const a = await verifyEvidence({ cid: result.evidenceCid, dir, challengeSeed: 'challenge-a', checks: 2, full: false })
    const b = await verifyEvidence({ cid: result.evidenceCid, dir, challengeSeed: 'challenge-a', checks: 2, full: false })
    assert.equal(a.verdict, 'passed')
    assert.equal(a.selected.length, 2)
    assert.deepEqual(a.selected, b.selected)
    assert.equal(a.challengeSeed, Buffer.from('challenge-a').toString('hex'))
  })

  it('resumes a run that died after checkpoint 2: same final hash, same evidence CID', async () => {
    const crashDir = await tempDir('crash')
    await assert.rejects(trainWithEvidence({
      wireSpec: spec, dataset: spirals, dir: crashDir, clock,
      onProgress: (p) => { if (p.segment === 2) throw new Error('simulated crash') }
    }), /simulated crash/)
    const seen: number[] = []
    const resumed = await trainWithEvidence({ wireSpec: spec, dataset: spirals, dir: crashDir, clock, onProgress: (p) => seen.push(p.segment) })
    assert.equal(resumed.resumedFrom, 2)
    assert.deepEqual(seen, [3, 4])
    assert.equal(resumed.finalWeightsHash, result.finalWeightsHash)
    assert.equal(resumed.evidenceCid, result.evidenceCid)
    assert.equal(resumed.chainHead, result.chainHead)
  })

  it('refuses to resume a draft recorded under another determinism profile', async () => {
    const crashDir = await tempDir('profile')
    await assert.rejects(trainWithEvidence({ wireSpec: spec, dataset: spirals, dir: crashDir, clock, onProgress: () => { throw new Error('stop') } }), /stop/)
    // Rewrite the draft as if another machine had started it.
    const store = await openPeerStore(crashDir)
    const helia = await createPeerHelia(store)
    const runId = toHex(wire.specHash(spec))
    const draft = await EvidenceWriter.resume(helia, store.evidenceDrafts, runId)
    assert.equal(draft?.checkpoints.length, 1)
    await store.evidenceDrafts.deletePrefix(`${runId}/`)
    const other = await EvidenceWriter.begin(helia, { spec, profile: { ...profileRecord(honest.profile), runtimeVersion: '0.0.1' }, initialState: checkpointStateTensors(honest.initial) }, { drafts: store.evidenceDrafts, runId })
    await other.appendCheckpoint(checkpointInput(honest.checkpoints[0]!, clock(1)))
    await helia.stop()
    await store.close()
    await assert.rejects(trainWithEvidence({ wireSpec: spec, dataset: spirals, dir: crashDir, clock }), /cannot resume.*profile/)
  })

  it('fails a tampered checkpoint (one weight changed) at its spot check', async () => {
    const tamperedDir = await tempDir('tampered')
    const cid = await writeEvidence(tamperedDir, spec, honest, {
      checkpoint: (c, i) => {
        if (i !== 1) return c
        const w = Float32Array.from(c.state.parameters[0] as Float32Array)
        w[7] = (w[7] as number) + 0.001
        return withParameters(c, [w, ...c.state.parameters.slice(1)])
      }
    })
    const report = await verifyEvidence({ cid, dir: tamperedDir, challengeSeed: 'x', checks: EPOCHS })
    assert.equal(report.verdict, 'failed')
    // The chain, Merkle root and blocks are all consistent: only re-execution catches it.
    assert.equal(report.integrity.passed, true)
    assert.equal(report.chain.passed, true)
    const s2 = report.segments.find((s) => s.segment === 2)!
    assert.equal(s2.passed, false)
    assert.deepEqual(s2.reasons, ['parameters differ'])
    assert.equal(report.segments.find((s) => s.segment === 1)!.passed, true)
    assert.match(report.reasons.join('\n'), /segment 2: parameters differ/)
  })

  it('fails a skipped segment whose weights were interpolated', async () => {
    const skippedDir = await tempDir('skipped')
    const cps = honest.checkpoints
    const mid = (a: readonly TensorValues[], b: readonly TensorValues[]): Float32Array[] =>
      a.map((t, i) => Float32Array.from(t as Float32Array, (v, k) => (v + (b[i] as Float32Array)[k]!) / 2))
    const cid = await writeEvidence(skippedDir, spec, honest, {
      checkpoint: (c, i) => (i === 2 ? withParameters(c, mid(cps[1]!.state.parameters, cps[3]!.state.parameters), mid(cps[1]!.state.velocities, cps[3]!.state.velocities)) : c)
    })
    const report = await verifyEvidence({ cid, dir: skippedDir, challengeSeed: 'x', checks: EPOCHS })
    assert.equal(report.verdict, 'failed')
    const s3 = report.segments.find((s) => s.segment === 3)!
    assert.equal(s3.passed, false)
    assert.ok(s3.reasons.includes('parameters differ') && s3.reasons.includes('optimizer state differs'), s3.reasons.join('; '))
    assert.equal(report.segments.find((s) => s.segment === 2)!.passed, true)
  })

  it('fails evidence whose W_0 is not the seed\'s, and a final weights hash that is not the claimed one', async () => {
    const otherDir = await tempDir('w0')
    const shifted = { ...honest.initial, parameters: honest.initial.parameters.map((p) => Float32Array.from(p as Float32Array, (v) => v * 1.5)) }
    const cid = await writeEvidence(otherDir, spec, honest, { initial: shifted })
    const report = await verifyEvidence({ cid, dir: otherDir, challengeSeed: 'x', checks: 1, expectedWeightsHash: 'ab'.repeat(32) })
    assert.equal(report.verdict, 'failed')
    assert.deepEqual(report.initialState.reasons, ['the stored W_0 is not the seed\'s initial state'])
    assert.equal(report.finalWeights.passed, false)
    assert.equal(report.finalWeights.hash, result.finalWeightsHash)
  })

  it('refuses to judge evidence recorded under a profile this machine cannot reproduce, and says why', async () => {
    const otherDir = await tempDir('elsewhere')
    const recorded = { ...profileRecord(honest.profile), runtimeVersion: '1.0.0', cpuClass: honest.profile.cpuClass === 'x86-64-sse2' ? 'x86-64-avx' : 'x86-64-sse2' }
    const cid = await writeEvidence(otherDir, spec, honest, { profile: recorded })
    const report = await verifyEvidence({ cid, dir: otherDir, challengeSeed: 'x', checks: 2 })
    assert.equal(report.verdict, 'not-judged')
    assert.equal(report.profile.reproducible, false)
    assert.deepEqual(report.segments, [])
    assert.match(report.reasons.join('\n'), /cannot reproduce the recorded determinism profile/)
    assert.match(report.reasons.join('\n'), /runtimeVersion: recorded 1\.0\.0/)
    assert.match(report.reasons.join('\n'), /cpuClass/)
    // The evidence itself was still checked.
    assert.equal(report.integrity.passed, true)
    assert.equal(report.chain.passed, true)
  })

  it('fails a corrupted block on disk; verifies a CAR export, and fails a CAR with one byte changed', async () => {
    const copyDir = await tempDir('corrupt')
    const cid = await writeEvidence(copyDir, spec, honest)
    const car = join(copyDir, 'evidence.car')
    const badCar = join(copyDir, 'bad.car')
    const store = await openPeerStore(copyDir)
    const helia = await createPeerHelia(store)
    try {
      await exportCar(helia, CID.parse(cid), car, { offline: true })
      // Flip one byte of checkpoint 4's state, under its CID (what a bad disk or a cheat would do).
      const evidence = await loadEvidence(helia, CID.parse(cid))
      const { chunks } = dagCbor.decode(await collect(store.blockstore.get(evidence.manifest.checkpoints[3]!.stateCid))) as { chunks: CID[] }
      const bytes = await collect(store.blockstore.get(chunks[0]!))
      const carBytes = await readFile(car)
      const at = carBytes.indexOf(bytes)
      assert.ok(at > 0)
      carBytes[at + 100] = carBytes[at + 100]! ^ 1
      await writeFile(badCar, carBytes)
      bytes[100] = bytes[100]! ^ 1
      await store.blockstore.put(chunks[0]!, bytes) // the level blockstore stores whatever it is given
    } finally {
      await helia.stop()
      await store.close()
    }
    const onDisk = await verifyEvidence({ cid, dir: copyDir, challengeSeed: 'x', checks: 1 })
    assert.equal(onDisk.verdict, 'failed')
    assert.equal(onDisk.integrity.passed, false)
    assert.match(onDisk.integrity.reasons.join(), /HASH_MISMATCH/)

    const fromCar = await verifyEvidence({ carPath: car, challengeSeed: 'x', checks: 2 })
    assert.equal(fromCar.verdict, 'passed', fromCar.reasons.join('\n'))
    assert.equal(fromCar.evidenceCid, cid)
    const fromBadCar = await verifyEvidence({ carPath: badCar, challengeSeed: 'x', checks: 2 })
    assert.equal(fromBadCar.verdict, 'failed')
    assert.match(fromBadCar.reasons.join(), /HASH_MISMATCH/)
  })

  it('round-trips a fixed-point (Q16) job: int32 states stored, re-executed and passed', async () => {
    const fixed = wireSpec({ mode: wire.NumericMode.FIXED_POINT, fracBits: 16, epochs: 2 })
    const fixedDir = await tempDir('fixed')
    const r = await trainWithEvidence({ wireSpec: fixed, dataset: spirals, dir: fixedDir, clock })
    assert.equal(r.profile.numeric, 'fixed-q16')
    assert.ok(r.final.parameters.every((p) => p instanceof Int32Array))
    const report = await verifyEvidence({ cid: r.evidenceCid, dir: fixedDir, challengeSeed: 'q16', checks: 2, expectedWeightsHash: r.finalWeightsHash })
    assert.equal(report.verdict, 'passed', report.reasons.join('\n'))
    assert.deepEqual(report.selected, [1, 2])
  })

  it('reads back only states shaped like the spec\'s model (count, element type, length)', () => {
    const engineSpec = trainingSpecFromWire(spec)
    const good = checkpointStateTensors(honest.final)
    const state = trainingStateFromTensors(engineSpec, 99, good)
    assert.equal(state.step, 99)
    assert.ok(sameBits(state.parameters, honest.final.parameters) && sameBits(state.velocities, honest.final.velocities))
    assert.throws(() => trainingStateFromTensors(engineSpec, 1, good.slice(1)), /has 8 tensors, got 7/)
    assert.throws(() => trainingStateFromTensors(engineSpec, 1, [{ dtype: 'int32', data: new Int32Array(good[0]!.data.length) }, ...good.slice(1)]), /W1: expected float32, got int32/)
    assert.throws(() => trainingStateFromTensors(engineSpec, 1, [...good.slice(0, 5), { dtype: 'float32', data: new Float32Array(3) }, ...good.slice(6)]), /v_b1: expected 12 values, got 3/)
  })

  it('fails evidence whose metrics log misreports a segment\'s test accuracy', async () => {
    const liarDir = await tempDir('liar')
    const cid = await writeEvidence(liarDir, spec, honest, {
      checkpoint: (c, i) => (i === 0 ? { ...c, metrics: { ...c.metrics, testAccuracy: 0.99 } } : c)
    })
    const report = await verifyEvidence({ cid, dir: liarDir, challengeSeed: 'x', checks: EPOCHS })
    assert.equal(report.verdict, 'failed')
    assert.deepEqual(report.segments.find((s) => s.segment === 1)!.reasons, ['metric testAccuracy differs'])
  })
})

async function collect (parts: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const all: Uint8Array[] = []
  for await (const p of parts) all.push(p)
  return Uint8Array.from(Buffer.concat(all))
}
