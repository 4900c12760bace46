/**
 * Bring your own model, end to end on real components (no mocks): the MNIST CNN fixture
 * (test/fixtures/byom/cnn.onnx) checked and trained on a subset of test/fixtures/byom/mnist.npz
 * through `prepareClientModelJob`, the trainer and the evidence code.
 *   (a) the deliverable: the client's own file with the trained initializers, byte for byte the
 *       original outside the initializer payloads, loadable by onnxruntime, and as accurate as the
 *       trainer said;
 *   (b) re-execution catches a worker that skipped a segment (claimed checkpoint k = checkpoint k−1),
 *       while the honest evidence of the same job passes;
 *   (c) bad input refused by `prepareClientModelJob` with a message that says what is wrong.
 * Subsets keep the file well under a minute.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { zipSync } from 'fflate'
import * as ort from 'onnxruntime-node'
import { EvidenceWriter, createPeerHelia, openPeerStore } from '../../../storage/index.js'
import { checkpointInput, profileRecord, trainWithEvidence, verifyEvidence, weightsHash } from '../../../peer/evidence/index.js'
import {
  checkpointStateTensors, evaluateModelFile, prepareClientModelJob, train, trainedModelFile, trainingSpecFromWire,
  type ClientModelRequest, type TrainingRun
} from '../../../peer/train/index.js'
import { datasetLimits, encodeNpy, parseNpz, type RawArray } from '../../../peer/train/data/index.js'
import { locateInitializers } from '../../../peer/train/model/index.js'
import { toHex } from '../../../protocols/index.js'

const BYOM = new URL('../../fixtures/byom/', import.meta.url)
const MODELS = new URL('../../fixtures/models/', import.meta.url)
const CNN = new URL('cnn.onnx', BYOM).pathname
const SAMPLE = 28 * 28
const T0 = 1_750_000_000_000
const clock = (segment: number): number => T0 + segment * 1000

const mnist = parseNpz(readFileSync(new URL('mnist.npz', BYOM)), 'mnist.npz', datasetLimits())
const mnistTest = { x: mnist.xTest!, y: mnist.yTest! }

/** The first `n` rows of a [N, ...] array, as the same dtype. */
function head (a: RawArray, n: number): { dtype: RawArray['dtype'], shape: number[], data: RawArray['data'] } {
  const per = a.shape.slice(1).reduce((x, y) => x * y, 1)
  return { dtype: a.dtype, shape: [n, ...a.shape.slice(1)], data: a.data.subarray(0, n * per) }
}

type Arr = { dtype: RawArray['dtype'], shape: number[], data: RawArray['data'] }

/** An .npz (stored members, as np.savez writes) of the given arrays. */
function npz (arrays: Record<string, Arr>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(arrays).map(([k, a]) => [`${k}.npy`, encodeNpy(a.dtype, a.shape, a.data)])), { level: 0 })
}

/** An MNIST subset: the first `train` training rows and the first `test` test rows. */
function mnistSubset (train: number, test: number): Record<string, Arr> {
  return { x_train: head(mnist.xTrain, train), y_train: head(mnist.yTrain, train), x_test: head(mnistTest.x, test), y_test: head(mnistTest.y, test) }
}

describe('BYOM training: the client\'s CNN on MNIST, its trained file, its evidence, and bad input', function () {
  this.timeout(120_000)
  let dir: string
  const recipe = { optimizer: 'adam', learningRateMicros: 5000, schedule: { kind: 'cosine', minLearningRateMicros: 0 }, batchSize: 32 } as const

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cyx-byom-train-'))
  })

  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  async function writeNpz (name: string, arrays: Record<string, Arr>): Promise<string> {
    const path = join(dir, name)
    await writeFile(path, npz(arrays))
    return path
  }

  it('(a) trains the CNN; the returned file is cnn.onnx with new initializer payloads, loads in onnxruntime, and is as accurate as the trainer said', async () => {
    const dataPath = await writeNpz('subset-a.npz', mnistSubset(2000, 500))
    const prepared = await prepareClientModelJob({ modelPath: CNN, dataPath, epochs: 2, ...recipe })
    assert.equal(prepared.dataset.train.count, 2000)
    assert.equal(prepared.dataset.test.count, 500)
    const run = await train(trainingSpecFromWire(prepared.spec), prepared.data)
    const trainerAccuracy = run.checkpoints.at(-1)!.metrics.testAccuracy

    const names = prepared.stepGraph.initializers.map((t) => t.name)
    const params = run.final.parameters as Float32Array[]
    const trained = trainedModelFile(prepared.data, names, params)

    // Byte for byte the client's file outside the initializer payloads.
    const original = new Uint8Array(await readFile(CNN))
    assert.equal(trained.byteLength, original.byteLength)
    const locations = locateInitializers(original)
    const inPayload = new Uint8Array(original.byteLength)
    for (const l of locations) if (l.payload !== null) inPayload.fill(1, l.payload.offset, l.payload.offset + l.payload.length)
    let outside = 0
    for (let i = 0; i < original.byteLength; i++) {
      if (inPayload[i] === 1) continue
      outside++
      if (trained[i] !== original[i]) assert.fail(`byte ${i} (outside every initializer payload) changed: ${original[i]} → ${trained[i]}`)
    }
    assert.ok(outside > 0)
    assert.deepEqual(locateInitializers(trained), locations, 'the same initializers at the same places')
    // Each trained initializer's payload holds exactly the trained values (and they moved from the original).
    const byName = new Map(locations.map((l) => [l.name, l]))
    names.forEach((name, i) => {
      const l = byName.get(name)!
      const stored = new Float32Array(trained.slice(l.payload!.offset, l.payload!.offset + l.payload!.length).buffer)
      assert.deepEqual(stored, params[i], name)
      const before = new Float32Array(original.slice(l.payload!.offset, l.payload!.offset + l.payload!.length).buffer)
      assert.notDeepEqual(stored, before, `${name} was trained`)
    })

    // It loads in onnxruntime as the original did, and evaluating it gives the trainer's test accuracy.
    const session = await ort.InferenceSession.create(trained)
    try {
      assert.deepEqual(session.inputNames, ['input'])
      assert.deepEqual(session.outputNames, ['output'])
    } finally {
      await session.release()
    }
    const evaluation = await evaluateModelFile(trained, prepared.dataset)
    assert.equal(evaluation.rows, 500)
    assert.equal(evaluation.loss, undefined)
    assert.equal(evaluation.accuracy, trainerAccuracy)
    assert.ok(trainerAccuracy > 0.8, `2 epochs on 2000 digits reach ${trainerAccuracy}`)
    // The untrained file is far worse: the accuracy is the training's, not the architecture's.
    const untrained = await evaluateModelFile(original, prepared.dataset)
    assert.ok(untrained.accuracy! < 0.5, `untrained accuracy ${untrained.accuracy}`)

    assert.throws(() => trainedModelFile(prepared.data, names.slice(1), params), /initializer names for .* parameter tensors/)
    assert.throws(() => trainedModelFile(prepared.data, ['nope', ...names.slice(1)], params), /no initializer named "nope"/)
  })

  it('(b) re-execution fails a worker that skipped a segment (claimed W_3 = W_2); the honest evidence passes', async () => {
    // 640 rows, batch 32: 20 steps, 4 segments of 5.
    const dataPath = await writeNpz('subset-b.npz', mnistSubset(640, 256))
    const prepared = await prepareClientModelJob({ modelPath: CNN, dataPath, epochs: 1, stepsPerSegment: 5, ...recipe })
    const honestDir = join(dir, 'honest')
    const result = await trainWithEvidence({ wireSpec: prepared.spec, dataset: prepared.data, dir: honestDir, clock })
    assert.equal(result.checkpoints, 4)

    // The same job trained again (deterministic: same final weights) gives the checkpoints to tamper with.
    const run: TrainingRun = await train(trainingSpecFromWire(prepared.spec), prepared.data)
    assert.equal(toHex(weightsHash(run.final)), result.finalWeightsHash)
    const [, second, third] = run.checkpoints
    assert.ok(second !== undefined && third !== undefined)
    assert.notDeepEqual(third.state.parameters, second.state.parameters)

    const cheatDir = join(dir, 'cheat')
    const store = await openPeerStore(cheatDir)
    let cheatCid: string
    try {
      const helia = await createPeerHelia(store)
      try {
        const writer = await EvidenceWriter.begin(helia, { spec: prepared.spec, profile: profileRecord(run.profile), initialState: checkpointStateTensors(run.initial) })
        for (const [i, c] of run.checkpoints.entries()) {
          // Segment 3 skipped: its checkpoint claims segment 3's step and metrics with W_2's state.
          const claimed = i === 2 ? { ...c, state: { ...c.state, parameters: second.state.parameters, velocities: second.state.velocities } } : c
          await writer.appendCheckpoint(checkpointInput(claimed, clock(i + 1)))
        }
        cheatCid = (await writer.seal()).toString()
      } finally {
        await helia.stop()
      }
    } finally {
      await store.close()
    }

    const honest = await verifyEvidence({ cid: result.evidenceCid, dir: honestDir, dataset: prepared.data, challengeSeed: 'byom', checks: 4, expectedWeightsHash: result.finalWeightsHash })
    assert.equal(honest.verdict, 'passed', honest.reasons.join('; '))
    assert.deepEqual(honest.segments.map((s) => s.passed), [true, true, true, true])

    const cheat = await verifyEvidence({ cid: cheatCid, dir: cheatDir, dataset: prepared.data, challengeSeed: 'byom', checks: 4 })
    assert.equal(cheat.verdict, 'failed')
    const bySegment = new Map(cheat.segments.map((s) => [s.segment, s]))
    assert.equal(bySegment.get(1)?.passed, true)
    assert.equal(bySegment.get(2)?.passed, true)
    const s3 = bySegment.get(3)!
    assert.equal(s3.passed, false)
    assert.ok(s3.reasons.includes('parameters differ') && s3.reasons.includes('optimizer state differs'), s3.reasons.join('; '))
    assert.match(cheat.reasons.join('\n'), /segment 3: .*parameters differ/)
  })

  describe('(c) bad input is refused before training, with a clear message', () => {
    const base = (over: Partial<ClientModelRequest> & { dataPath: string }): ClientModelRequest => ({ modelPath: CNN, epochs: 1, ...over })

    it('an unsupported op (LSTM)', async () => {
      const dataPath = await writeNpz('lstm.npz', mnistSubset(64, 16))
      await assert.rejects(prepareClientModelJob(base({ modelPath: new URL('lstm-op14.onnx', MODELS).pathname, dataPath })),
        /lstm-op14\.onnx cannot be trained by cyxwiz: .*unsupported op LSTM at node \/lstm\/LSTM/)
    })

    it('a model input that does not fit the samples (784 values vs [3])', async () => {
      const x = Float32Array.from({ length: 40 * 3 }, (_, i) => (i % 7) / 7)
      const y = BigInt64Array.from({ length: 40 }, (_, i) => BigInt(i % 10))
      const dataPath = await writeNpz('narrow.npz', { x_train: { dtype: 'float32', shape: [40, 3], data: x }, y_train: { dtype: 'int64', shape: [40], data: y } })
      await assert.rejects(prepareClientModelJob(base({ modelPath: new URL('mlp.onnx', BYOM).pathname, dataPath })),
        (err: Error) => err.name === 'DatasetError' && /the model takes samples of \[1, ?28, ?28\].*the dataset's samples are \[3\]/.test(err.message))
    })

    it('labels outside the model\'s classes, and labels that are not class indices', async () => {
      const arrays = mnistSubset(64, 16)
      const y = BigInt64Array.from(arrays.y_train!.data as BigInt64Array)
      y[5] = 12n
      await assert.rejects(prepareClientModelJob(base({ dataPath: await writeNpz('label12.npz', { ...arrays, y_train: { ...arrays.y_train!, data: y } }) })),
        /the model outputs 10 classes, the dataset has 13 \(labels 0\.\.12\)/)
      const negative = BigInt64Array.from(y)
      negative[5] = -1n
      await assert.rejects(prepareClientModelJob(base({ dataPath: await writeNpz('label-1.npz', { ...arrays, y_train: { ...arrays.y_train!, data: negative } }) })),
        /y_train row 5: label -1 is not a class index/)
    })

    it('NaN in the samples', async () => {
      const arrays = mnistSubset(64, 16)
      const x = Float32Array.from(arrays.x_train!.data as Uint8Array, (v) => v / 255)
      x[3 * SAMPLE + 100] = Number.NaN
      const dataPath = await writeNpz('nan.npz', { ...arrays, x_train: { dtype: 'float32', shape: arrays.x_train!.shape, data: x }, x_test: { dtype: 'float32', shape: arrays.x_test!.shape, data: Float32Array.from(arrays.x_test!.data as Uint8Array, (v) => v / 255) } })
      await assert.rejects(prepareClientModelJob(base({ dataPath })), /x_train .*row 3.*NaN and ±Inf are not allowed/)
    })

    it('a truncated .npz', async () => {
      const whole = npz(mnistSubset(64, 16))
      const dataPath = join(dir, 'truncated.npz')
      await writeFile(dataPath, whole.subarray(0, Math.floor(whole.byteLength / 2)))
      await assert.rejects(prepareClientModelJob(base({ dataPath })), /truncated\.npz: not a readable \.npz \(zip\) archive, truncated or corrupt/)
    })

    it('a dataset over the size limit', async () => {
      const dataPath = await writeNpz('big.npz', mnistSubset(200, 50))
      await assert.rejects(prepareClientModelJob(base({ dataPath, data: { limits: { maxBytes: 100_000 } } })),
        (err: Error) => err.name === 'DatasetError' && /over the dataset limit of 100000 bytes/.test(err.message))
    })
  })
})
