import assert from 'node:assert/strict'
import { stateHash } from '../../../protocols/index.js'
import {
  checkpointStateTensors,
  evaluateInferenceModel,
  exportInferenceModel,
  generateSpirals,
  loadMnist,
  reexecuteSegment,
  sameBits,
  train,
  Trainer,
  trainingSpec,
  type Checkpoint,
  type TrainingRun,
  type TrainingSpec
} from '../../../peer/train/index.js'

const mnist = loadMnist()
const spirals = generateSpirals()

const mnistSpec: TrainingSpec = trainingSpec({
  layers: [784, 64, 10],
  learningRate: 0.05,
  momentum: 0.9,
  batchSize: 64,
  epochs: 20,
  seed: 7,
  dataset: { id: 'mnist', contentHash: mnist.contentHash }
})

const spiralsSpec = (extra: Partial<Parameters<typeof trainingSpec>[0]> = {}): TrainingSpec =>
  trainingSpec({ layers: [16, 32, 3], learningRate: 0.1, momentum: 0.9, batchSize: 32, epochs: 6, seed: 3, dataset: { id: 'spirals', contentHash: spirals.contentHash }, ...extra })

function flipLowBit(values: Float32Array | Int32Array, index: number): Float32Array | Int32Array {
  const copy = values.slice()
  const bits = new Uint32Array(copy.buffer)
  bits[index] = (bits[index] as number) ^ 1
  return copy
}

describe('train: the deterministic float32 loop (onnxruntime-node)', () => {
  let first: TrainingRun
  const streamed: Checkpoint[] = []

  before(async () => {
    first = await train(mnistSpec, mnist, { onCheckpoint: (c) => void streamed.push(c) })
  })

  it('MNIST 784-64-10, 20 epochs: test accuracy ≥ 93%, per-epoch metrics streamed in order', () => {
    assert.equal(first.checkpoints.length, 20)
    assert.deepEqual(streamed.map((c) => c.metrics.segment), Array.from({ length: 20 }, (_, i) => i + 1))
    const last = first.checkpoints.at(-1)!.metrics
    assert.equal(last.epoch, 20)
    assert.ok(last.testAccuracy >= 0.93, `test accuracy ${last.testAccuracy}`)
    assert.ok(last.trainLoss < first.checkpoints[0]!.metrics.trainLoss / 5)
    for (const c of first.checkpoints) {
      for (const v of Object.values(c.metrics)) assert.ok(Number.isFinite(v))
      assert.ok(c.metrics.trainAccuracy >= 0 && c.metrics.trainAccuracy <= 1)
    }
    assert.equal(first.profile.runtime, 'onnxruntime-node')
    assert.equal(first.profile.intraOpThreads, 1)
    assert.equal(first.final, first.checkpoints.at(-1)!.state)
  })

  it('two runs of one spec give bit-identical weights, optimizer state and metrics at every checkpoint', async () => {
    const second = await train(mnistSpec, mnist)
    assert.ok(sameBits(second.final.parameters, first.final.parameters))
    first.checkpoints.forEach((c, i) => {
      const other = second.checkpoints[i]!
      assert.ok(sameBits(other.state.parameters, c.state.parameters), `parameters of segment ${i + 1}`)
      assert.ok(sameBits(other.state.velocities, c.state.velocities), `velocities of segment ${i + 1}`)
      assert.deepEqual(other.metrics, c.metrics)
    })
    // The checkpoint chain's state digest (weights then optimizer state) agrees too.
    assert.deepEqual(stateHash(checkpointStateTensors(second.final)), stateHash(checkpointStateTensors(first.final)))
    assert.equal(checkpointStateTensors(first.final).length, 8)
    // Snapshots are distinct per epoch (training actually moved the weights each segment).
    assert.ok(!sameBits(first.checkpoints[18]!.state.parameters, first.checkpoints[19]!.state.parameters))
    // A different seed is a different run.
    const reseeded = await train({ ...mnistSpec, epochs: 1, seed: 8 }, mnist)
    assert.ok(!sameBits(reseeded.final.parameters, first.checkpoints[0]!.state.parameters))
  })

  it('re-executing one segment from its saved snapshot gives the identical next snapshot', async () => {
    const trainer = await Trainer.open(mnistSpec, mnist)
    try {
      const before = first.checkpoints[6]!
      const redone = await trainer.runSegment(trainer.segment(8), before.state)
      const claimed = first.checkpoints[7]!
      assert.ok(sameBits(redone.state.parameters, claimed.state.parameters))
      assert.ok(sameBits(redone.state.velocities, claimed.state.velocities))
      assert.deepEqual(redone.metrics, claimed.metrics)
      // The first segment starts from the seed's initial state.
      const fromInit = await trainer.runSegment(trainer.segment(1), trainer.initialState())
      assert.ok(sameBits(fromInit.state.parameters, first.checkpoints[0]!.state.parameters))
      await assert.rejects(trainer.runSegment(trainer.segment(9), before.state), /starts at step/)
    } finally {
      await trainer.close()
    }
  })

  it('a spot check passes an honest segment and fails a tampered weight, velocity or skipped segment', async () => {
    const trainer = await Trainer.open(mnistSpec, mnist)
    try {
      const cps = first.checkpoints
      const honest = await reexecuteSegment(trainer, first.profile, cps[11]!.state, cps[12]!)
      assert.deepEqual(honest, { segment: 13, judged: true, passed: true, reasons: [] })

      const params = [...cps[12]!.state.parameters]
      params[2] = flipLowBit(params[2]!, 17)
      const tampered = await reexecuteSegment(trainer, first.profile, cps[11]!.state, { ...cps[12]!, state: { ...cps[12]!.state, parameters: params } })
      assert.equal(tampered.passed, false)
      assert.deepEqual(tampered.reasons, ['parameters differ'])

      const vels = [...cps[12]!.state.velocities]
      vels[0] = flipLowBit(vels[0]!, 3)
      const badVelocity = await reexecuteSegment(trainer, first.profile, cps[11]!.state, { ...cps[12]!, state: { ...cps[12]!.state, velocities: vels } })
      assert.deepEqual(badVelocity.reasons, ['optimizer state differs'])

      // Segment 13 skipped: its weights interpolated between checkpoints 12 and 14.
      const mid = cps[11]!.state.parameters.map((p, i) => Float32Array.from(p as Float32Array, (v, k) => (v + (cps[13]!.state.parameters[i] as Float32Array)[k]!) / 2))
      const skipped = await reexecuteSegment(trainer, first.profile, cps[11]!.state, { ...cps[12]!, state: { ...cps[12]!.state, parameters: mid } })
      assert.equal(skipped.passed, false)

      const fakeMetrics = await reexecuteSegment(trainer, first.profile, cps[11]!.state, { ...cps[12]!, metrics: { ...cps[12]!.metrics, testAccuracy: 0.99 } })
      assert.deepEqual(fakeMetrics.reasons, ['metric testAccuracy differs'])
    } finally {
      await trainer.close()
    }
  })

  it('a verifier whose profile cannot reproduce the recorded one refuses to judge, and says why', async () => {
    const trainer = await Trainer.open(mnistSpec, mnist)
    try {
      const other = { ...first.profile, cpuClass: first.profile.cpuClass === 'x86-64-sse2' ? 'x86-64-avx' : 'x86-64-sse2' }
      const check = await reexecuteSegment(trainer, other, first.checkpoints[0]!.state, first.checkpoints[1]!)
      assert.equal(check.judged, false)
      assert.equal(check.passed, false)
      assert.match(check.reasons.join('\n'), /cpuClass/)
    } finally {
      await trainer.close()
    }
  })

  it('resuming from a checkpoint ends with the same final weights as an uninterrupted run', async () => {
    const resumed = await train(mnistSpec, mnist, { resumeFrom: first.checkpoints[16]!, keepCheckpoints: false })
    assert.equal(resumed.checkpoints.length, 1)
    assert.equal(resumed.checkpoints[0]!.segment.index, 20)
    assert.ok(sameBits(resumed.final.parameters, first.final.parameters))
  })

  it('the exported inference model, loaded by onnxruntime, has exactly the loop’s test accuracy', async () => {
    const trainer = await Trainer.open(mnistSpec, mnist)
    const model = exportInferenceModel(mnistSpec, trainer.floatParameters(first.final))
    await trainer.close()
    const exported = await evaluateInferenceModel(model, mnist.test, mnist.featureCount)
    assert.equal(exported.accuracy, first.checkpoints.at(-1)!.metrics.testAccuracy)
    assert.ok(exported.accuracy >= 0.93)
  })

  it('splitting the run into shorter segments does not change a bit of the result', async () => {
    const byEpoch = await train(spiralsSpec(), spirals)
    const by50 = await train(spiralsSpec({ segmentSteps: 50 }), spirals)
    assert.equal(by50.checkpoints.length, Math.ceil(byEpoch.schedule.totalSteps / 50))
    assert.ok(sameBits(by50.final.parameters, byEpoch.final.parameters))
    assert.ok(sameBits(by50.final.velocities, byEpoch.final.velocities))
    // A mid-epoch segment re-executes alone too.
    const trainer = await Trainer.open(by50.spec, spirals)
    const redone = await trainer.runSegment(trainer.segment(4), by50.checkpoints[2]!.state)
    await trainer.close()
    assert.ok(sameBits(redone.state.parameters, by50.checkpoints[3]!.state.parameters))
  })
})

describe('train: the portable backend (onnxruntime-web, wasm)', () => {
  it('trains spirals deterministically, with a CPU-independent profile', async () => {
    const spec = spiralsSpec({ backend: 'portable', epochs: 3 })
    const a = await train(spec, spirals)
    const b = await train(spec, spirals)
    assert.ok(sameBits(a.final.parameters, b.final.parameters))
    assert.ok(!sameBits(a.checkpoints[0]!.state.parameters, a.checkpoints[1]!.state.parameters))
    const trainer = await Trainer.open(spec, spirals)
    const redone = await trainer.runSegment(trainer.segment(2), a.checkpoints[0]!.state)
    await trainer.close()
    assert.ok(sameBits(redone.state.parameters, a.checkpoints[1]!.state.parameters))
    assert.equal(a.profile.runtime, 'onnxruntime-web')
    assert.equal(a.profile.backend, 'wasm')
    assert.equal(a.profile.cpuClass, 'any')
    assert.ok(a.checkpoints.at(-1)!.metrics.testAccuracy > 0.9)
  })
})
