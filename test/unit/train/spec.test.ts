import assert from 'node:assert/strict'
import * as trainRoom from '../../../peer/train/index.js'
import { DataOrder, trainingSchedule, trainingSpec, type SpecInput } from '../../../peer/train/index.js'
import { wire, fromHex, toHex } from '../../../protocols/index.js'

const base: SpecInput = { layers: [16, 8, 3], learningRate: 0.1, batchSize: 32, epochs: 3, seed: 1, dataset: { id: 'spirals', contentHash: 'AB'.repeat(32) } }

describe('train/spec: TrainingSpec and its schedule', () => {
  it('fills the documented defaults and normalises the hash', () => {
    const s = trainingSpec(base)
    assert.equal(s.optimizer.momentum, 0.9)
    assert.equal(s.numeric, 'float32')
    assert.equal(s.backend, 'native')
    assert.equal(s.segmentSteps, 0)
    assert.equal(s.dataset.contentHash, 'ab'.repeat(32))
  })

  it('rejects invalid specs', () => {
    const bad: Partial<SpecInput>[] = [
      { layers: [16] },
      { layers: [16, 0, 3] },
      { layers: [16, 8, 1] },
      { learningRate: 0 },
      { learningRate: Number.NaN },
      { momentum: 1 },
      { momentum: -0.1 },
      { batchSize: 0 },
      { batchSize: 2.5 },
      { epochs: 0 },
      { seed: -1 },
      { dataset: { id: 'spirals', contentHash: 'xyz' } },
      { segmentSteps: -1 }
    ]
    for (const b of bad) assert.throws(() => trainingSpec({ ...base, ...b }), Error, JSON.stringify(b))
  })

  it('has no spec hash of its own: the one spec hash is the wire spec\'s, sensitive to every field', () => {
    // The engine's spec is a view; the job is hashed only as the wire TrainingSpec (protobuf).
    assert.equal('specHash' in trainRoom, false)
    assert.equal('canonicalJson' in trainRoom, false)
    const w: wire.TrainingSpec = {
      layers: [16, 8, 3], mode: wire.NumericMode.FLOAT32, fracBits: 0, datasetId: 'spirals', datasetHash: new Uint8Array(32).fill(0xab),
      datasetBytes: 1000n, epochs: 3, batchSize: 32, learningRateMicros: 100_000, momentumMicros: 900_000, seed: 1n,
      tier: wire.VerificationTier.TIER_OPTIMISTIC, stepsPerSegment: 0, backend: wire.FloatBackend.BACKEND_NATIVE
    }
    const h = toHex(wire.specHash(w))
    assert.equal(toHex(wire.specHash(wire.TrainingSpec.decode(wire.TrainingSpec.encode(w)))), h)
    const changed: Array<Partial<wire.TrainingSpec>> = [
      { layers: [16, 9, 3] }, { seed: 2n }, { learningRateMicros: 100_001 }, { momentumMicros: 0 }, { batchSize: 33 }, { epochs: 4 },
      { mode: wire.NumericMode.FIXED_POINT, fracBits: 16 }, { backend: wire.FloatBackend.BACKEND_PORTABLE }, { stepsPerSegment: 50 },
      { datasetHash: new Uint8Array(32).fill(0xac) }, { datasetId: 'mnist' }
    ]
    for (const c of changed) assert.notEqual(toHex(wire.specHash({ ...w, ...c })), h, JSON.stringify(Object.keys(c)))
  })

  it('segments cover every step once; the default segment is one epoch; the last batch may be short', () => {
    const oneEpoch = trainingSchedule(trainingSpec(base), 1800)
    assert.equal(oneEpoch.stepsPerEpoch, 57) // ⌈1800 / 32⌉
    assert.equal(oneEpoch.totalSteps, 171)
    assert.deepEqual(oneEpoch.segments.map((s) => [s.index, s.firstStep, s.stepCount]), [[1, 0, 57], [2, 57, 57], [3, 114, 57]])
    const short = trainingSchedule(trainingSpec({ ...base, segmentSteps: 50 }), 1800)
    assert.deepEqual(short.segments.map((s) => s.stepCount), [50, 50, 50, 21])
    assert.equal(short.segments.at(-1)?.firstStep, 150)
  })

  it('data order: shuffled by default (a seeded permutation per epoch); sequential (the zk tier) reads the stored rows in order', () => {
    assert.equal(trainingSpec(base).dataOrder, 'shuffled')
    const shuffled = new DataOrder(7, 64, 8, 8)
    const sequential = new DataOrder(7, 64, 8, 8, 'sequential')
    assert.deepEqual([...sequential.rowsOfStep(0)], [0, 1, 2, 3, 4, 5, 6, 7])
    assert.deepEqual([...sequential.rowsOfStep(10)], [16, 17, 18, 19, 20, 21, 22, 23]) // step 10 = batch 2 of epoch 1
    assert.notDeepEqual([...shuffled.rowsOfStep(0)], [0, 1, 2, 3, 4, 5, 6, 7])
    assert.deepEqual([...shuffled.rowsOfStep(0)].length, 8)
    assert.throws(() => trainingSpec({ ...base, dataOrder: 'random' as 'shuffled' }), /unknown data order/)
  })
})

describe('train: the wire spec is the source of truth', () => {
  it('converts a wire TrainingSpec exactly, and refuses what the engine cannot run', async () => {
    const { wire } = await import('../../../protocols/index.js')
    const { trainingSpecFromWire, generateSpirals } = await import('../../../peer/train/index.js')
    const ds = generateSpirals()
    const w: import('../../../protocols/index.js').wire.TrainingSpec = {
      layers: [16, 32, 3], mode: wire.NumericMode.FLOAT32, fracBits: 0, datasetId: ds.id,
      datasetHash: fromHex(ds.contentHash), datasetBytes: 1000n, epochs: 3, batchSize: 32,
      learningRateMicros: 50_000, momentumMicros: 900_000, seed: 7n, tier: wire.VerificationTier.TIER_OPTIMISTIC,
      stepsPerSegment: 0, backend: wire.FloatBackend.BACKEND_PORTABLE
    }
    const s = trainingSpecFromWire(w)
    assert.deepEqual([s.optimizer.learningRate, s.optimizer.momentum, s.seed, s.backend, s.numeric, s.dataset.contentHash], [0.05, 0.9, 7, 'portable', 'float32', ds.contentHash])
    assert.throws(() => trainingSpecFromWire({ ...w, mode: wire.NumericMode.FIXED_POINT, fracBits: 8, backend: wire.FloatBackend.BACKEND_NATIVE }), wire.WireError)
    assert.throws(() => trainingSpecFromWire({ ...w, seed: 1n << 60n }), wire.WireError)
    // The zk tier reads its batches in stored order: the step circuit finds a step's batch by index.
    assert.equal(s.dataOrder, 'shuffled')
    assert.equal(trainingSpecFromWire({ ...w, tier: wire.VerificationTier.TIER_ZK, mode: wire.NumericMode.FIXED_POINT, fracBits: 16, backend: wire.FloatBackend.BACKEND_NATIVE }).dataOrder, 'sequential')
  })
})
