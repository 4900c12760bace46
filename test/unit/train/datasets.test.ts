import assert from 'node:assert/strict'
import {
  assertDatasetHash,
  datasetContentHash,
  DatasetHashMismatchError,
  generateSpirals,
  loadMnist,
  loadMnist4x4,
  loadVerifiedDataset,
  makeDataset,
  train,
  trainingSpec
} from '../../../peer/train/index.js'

// Pinned hashes: a change to the canonical encoding, the split or the generator shows up here.
const MNIST_HASH = 'c7571663e884d0453ff826fae36fcb1703465ce5a908945e3cb0febfea608bf8'
const SPIRALS_HASH = 'da29e6f9870be2adac77a0b64e402ec0bc8a875c5edcde2f76d0805c32026015'
const MNIST_4X4_HASH = '8401dd20c98ac7b470b703ad83fb23171984a718e37dcb2b164d0b058c0eb38f'

describe('train/datasets', () => {
  it('MNIST: 10,000 real digits split 7,996 / 2,004 by the documented rule, with a pinned content hash', () => {
    const d = loadMnist()
    assert.equal(d.featureCount, 784)
    assert.equal(d.classCount, 10)
    assert.equal(d.train.count, 7996)
    assert.equal(d.test.count, 2004)
    assert.equal(d.contentHash, MNIST_HASH)
    // Class-major order, every class present in both splits.
    assert.equal(d.train.labels[0], 0)
    assert.equal(d.train.labels[d.train.count - 1], 9)
    assert.equal(new Set(d.test.labels).size, 10)
    const max = d.train.features.reduce((m, v) => Math.max(m, v), 0)
    assert.ok(max > 0.9 && max <= 1)
  })

  it('mnist-4x4: digits 0–3 at 4×4, 64 training rows (two of each digit per batch of 8), Q16-exact in [-0.5, 0.5), pinned hash', () => {
    const d = loadMnist4x4()
    assert.equal(d.featureCount, 16)
    assert.equal(d.classCount, 4)
    assert.equal(d.train.count, 64)
    assert.equal(d.contentHash, MNIST_4X4_HASH)
    for (let b = 0; b < 8; b++) {
      const labels = [...d.train.labels.subarray(b * 8, b * 8 + 8)].sort()
      assert.deepEqual(labels, [0, 0, 1, 1, 2, 2, 3, 3], `batch ${b}`)
    }
    // Every test digit 0–3 of MNIST's test split.
    const mnist = loadMnist()
    assert.equal(d.test.count, [...mnist.test.labels].filter((l) => l < 4).length)
    for (const v of [...d.train.features, ...d.test.features]) {
      const q = v * 65536
      assert.ok(Number.isInteger(q) && q >= -32768 && q <= 32767, String(v))
    }
    // Real images: the digits' strokes reach the top of the range, the background the bottom.
    assert.ok(Math.max(...d.train.features) > 0.2)
    assert.equal(Math.min(...d.train.features), -0.5)
  })

  it('spirals: seeded, 16-D, 3 classes, 1,800 / 600 rows, pinned hash, regenerates identically', () => {
    const d = generateSpirals()
    assert.equal(d.featureCount, 16)
    assert.equal(d.classCount, 3)
    assert.equal(d.train.count, 1800)
    assert.equal(d.test.count, 600)
    assert.equal(d.contentHash, SPIRALS_HASH)
    assert.equal(generateSpirals().contentHash, SPIRALS_HASH)
    assert.notEqual(generateSpirals({ seed: 2, dimensions: 16, classes: 3, trainPerClass: 600, testPerClass: 200 }).contentHash, SPIRALS_HASH)
  })

  it('the hash covers every feature bit and every label', () => {
    const d = generateSpirals()
    const features = d.train.features.slice()
    features[123] = Math.fround(features[123]! + 1e-7)
    assert.notEqual(datasetContentHash({ ...d, train: { ...d.train, features } }), d.contentHash)
    const labels = d.test.labels.slice()
    labels[5] = (labels[5]! + 1) % 3
    assert.notEqual(datasetContentHash({ ...d, test: { ...d.test, labels } }), d.contentHash)
  })

  it('loading refuses a wrong dataset hash', () => {
    assert.throws(() => loadVerifiedDataset('spirals', '0'.repeat(64)), DatasetHashMismatchError)
    assert.equal(loadVerifiedDataset('spirals', SPIRALS_HASH).contentHash, SPIRALS_HASH)
    assert.throws(() => loadVerifiedDataset('cifar', SPIRALS_HASH), /unknown dataset/)
  })

  it('training refuses data whose bytes are not the ones the spec names', async () => {
    const d = generateSpirals()
    const spec = trainingSpec({ layers: [16, 8, 3], learningRate: 0.1, batchSize: 32, epochs: 1, seed: 1, dataset: { id: 'spirals', contentHash: d.contentHash } })
    const labels = d.train.labels.slice()
    labels[0] = 2
    const tampered = { ...d, train: { ...d.train, labels } } // still claims the original contentHash
    await assert.rejects(train(spec, tampered), DatasetHashMismatchError)
    const otherSpec = trainingSpec({ ...spec, layers: [16, 8, 3], learningRate: 0.1, dataset: { id: 'spirals', contentHash: 'ab'.repeat(32) } })
    await assert.rejects(train(otherSpec, d), DatasetHashMismatchError)
  })

  it('rejects malformed datasets', () => {
    assert.throws(() => makeDataset('bad', { featureCount: 2, classCount: 2, train: { count: 2, features: new Float32Array(3), labels: new Uint8Array(2) }, test: { count: 0, features: new Float32Array(0), labels: new Uint8Array(0) } }))
    assert.throws(() => makeDataset('bad', { featureCount: 1, classCount: 2, train: { count: 1, features: new Float32Array(1), labels: Uint8Array.of(2) }, test: { count: 0, features: new Float32Array(0), labels: new Uint8Array(0) } }))
    const ok = makeDataset('ok', { featureCount: 1, classCount: 2, train: { count: 1, features: new Float32Array(1), labels: Uint8Array.of(1) }, test: { count: 0, features: new Float32Array(0), labels: new Uint8Array(0) } })
    assert.doesNotThrow(() => assertDatasetHash(ok, ok.contentHash.toUpperCase()))
  })
})
