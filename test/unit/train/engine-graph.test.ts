// GraphTrainingEngine on small client models: the loss falls on a tiny problem, two runs give the
// same bits, Dropout masks are the documented draw from the seed (and change the result when the seed
// changes), evaluation counts right (the CNN's step rate is measured by scripts/bench/byom.ts).
import { strict as assert } from 'node:assert'
import { GraphTrainingEngine, dropoutMask } from '../../../peer/train/engine-graph.js'
import type { LrSchedule, OptimizerSpec } from '../../../peer/train/autodiff/types.js'
import type { Batch, TensorValues } from '../../../peer/train/engine.js'
import { sameBits } from '../../../peer/train/trainer.js'
import { prngStream } from '../../../peer/train/prng.js'
import { GraphBuilder, attr } from '../../../peer/train/onnx/graph.js'
import { cnnModel, weights } from './byom-models.js'

const ADAM: OptimizerSpec = { kind: 'adam', learningRate: 0.01, momentum: 0, weightDecay: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }
const CONSTANT: LrSchedule = { kind: 'constant' }

/** 3 classes of 8×8 images: a bright bar at the top, middle or bottom, plus noise. */
function bars (rows: number, seed: number): Batch {
  const rng = prngStream(seed, 'bars')
  const features = new Float32Array(rows * 64)
  const labels = new Int32Array(rows)
  for (let r = 0; r < rows; r++) {
    const c = rng.nextBelow(3)
    labels[r] = c
    for (let i = 0; i < 64; i++) features[r * 64 + i] = rng.nextUnit() * 0.3 + (Math.floor(i / 8) >= c * 3 && Math.floor(i / 8) < c * 3 + 2 ? 1 : 0)
  }
  return { rows, features, labels, targets: new Float32Array(0) }
}

/** An MLP with a Dropout(0.5) between its layers (ratio as a Constant input, as torch exports it). */
function dropoutMlp (): Uint8Array {
  const g = new GraphBuilder('dropout-mlp')
  const x = g.input('x', ['N', 1, 8, 8])
  const f = g.op('Flatten', [x], { axis: attr.int(1) })
  const h = g.op('Relu', [g.op('Gemm', [f, g.floatConstant('w1', weights(4, 'w1', 64 * 16, 0.2), [64, 16]), g.floatConstant('b1', new Float32Array(16), [16])])])
  const ratio = g.op('Constant', [], { value: attr.tensor({ dataType: 1, dims: [], raw: new Uint8Array(Float32Array.of(0.5).buffer) }) }, 'ratio')
  const [d] = g.opOutputs('Dropout', [h, ratio], {}, ['dropped', 'dropmask'])
  g.op('Gemm', [d as string, g.floatConstant('w2', weights(4, 'w2', 16 * 3, 0.2), [16, 3])], {}, 'out')
  g.output('out', ['N', 3])
  return g.toModelBytes()
}

async function run (bytes: Uint8Array, seed: number, steps: number): Promise<{ losses: number[]; parameters: readonly TensorValues[]; velocities: readonly TensorValues[]; engine: GraphTrainingEngine }> {
  const engine = await GraphTrainingEngine.create(bytes, { loss: 'ce', optimizer: 'adam', batchSize: 16 }, ADAM, CONSTANT, seed, { stepsPerEpoch: steps, totalSteps: steps })
  let parameters: readonly TensorValues[] = engine.initialParameters()
  let velocities: readonly TensorValues[] = engine.zeroVelocities()
  const losses: number[] = []
  for (let s = 0; s < steps; s++) {
    const r = await engine.step(parameters, velocities, bars(16, 100 + s), { step: s })
    losses.push(r.loss)
    parameters = r.parameters
    velocities = r.velocities
  }
  return { losses, parameters, velocities, engine }
}

describe('GraphTrainingEngine', function () {
  this.timeout(120_000)

  it('trains a small CNN: the loss falls and held-out accuracy is high', async () => {
    const { losses, parameters, engine } = await run(cnnModel(), 1, 60)
    try {
      const head = losses.slice(0, 5).reduce((a, b) => a + b) / 5
      const tail = losses.slice(-5).reduce((a, b) => a + b) / 5
      assert.ok(tail < head * 0.3, `loss ${head.toFixed(3)} → ${tail.toFixed(3)}`)
      const test = bars(200, 999)
      const ev = await engine.evaluate(parameters, test)
      assert.ok(ev.correct / ev.rows > 0.9, `test accuracy ${ev.correct}/${ev.rows}`)
      assert.ok(Number.isFinite(ev.lossSum) && ev.lossSum > 0)
    } finally {
      await engine.close()
    }
  })

  it('is deterministic: two runs give identical bits; a Dropout model depends on the seed through its masks only', async () => {
    const a = await run(dropoutMlp(), 7, 8)
    const b = await run(dropoutMlp(), 7, 8)
    const c = await run(dropoutMlp(), 8, 8)
    try {
      assert.ok(sameBits(a.parameters, b.parameters) && sameBits(a.velocities, b.velocities))
      assert.deepEqual(a.losses, b.losses)
      assert.ok(!sameBits(a.parameters, c.parameters), 'another seed draws other masks')
    } finally {
      await Promise.all([a.engine.close(), b.engine.close(), c.engine.close()])
    }
  })

  it('dropout masks are prngStream(seed, "dropout/<node>", step) draws ≥ ratio, and feeding them by hand reproduces the run', async () => {
    const bytes = dropoutMlp()
    const auto = await run(bytes, 7, 3)
    const site = auto.engine.graph.dropouts[0]
    assert.ok(site !== undefined)
    assert.equal(site.ratio, 0.5)
    const m = dropoutMask(7, site, 2, 16)
    const rng = prngStream(7, `dropout/${site.node}`, 2)
    assert.equal(m.length, 16 * 16)
    m.forEach((v) => assert.equal(v, rng.nextUnit() >= 0.5 ? 1 : 0))
    const kept = m.reduce((a, v) => a + v, 0)
    assert.ok(kept > 80 && kept < 176, `kept ${kept} of 256`)
    const manual = await GraphTrainingEngine.create(bytes, { loss: 'ce', optimizer: 'adam', batchSize: 16 }, ADAM, CONSTANT, 12345, { stepsPerEpoch: 3, totalSteps: 3 },
      { masks: (s, step, rows) => dropoutMask(7, s, step, rows) })
    try {
      let p: readonly TensorValues[] = manual.initialParameters()
      let v: readonly TensorValues[] = manual.zeroVelocities()
      for (let s = 0; s < 3; s++) {
        const r = await manual.step(p, v, bars(16, 100 + s), { step: s })
        p = r.parameters
        v = r.velocities
      }
      assert.ok(sameBits(p, auto.parameters))
    } finally {
      await Promise.all([manual.close(), auto.engine.close()])
    }
  })

  it('refuses a step without its global step index', async () => {
    const engine = await GraphTrainingEngine.create(cnnModel(), { loss: 'ce', optimizer: 'adam', batchSize: 16 }, ADAM, CONSTANT, 1, { stepsPerEpoch: 1, totalSteps: 1 })
    try {
      await assert.rejects(engine.step(engine.initialParameters(), engine.zeroVelocities(), bars(4, 1)), /global step/)
    } finally {
      await engine.close()
    }
  })
})
