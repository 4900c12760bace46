import assert from 'node:assert/strict'
import * as ort from 'onnxruntime-node'
import {
  buildEvaluationModel,
  buildInferenceModel,
  buildTrainingStepModel,
  initialParameters,
  parameterLayout,
  prngStream,
  referenceStep,
  StepNames
} from '../../../peer/train/index.js'
import { decodeModelProto } from '../../../peer/train/onnx/proto.js'

const LAYERS = [6, 5, 4, 3]

function randomBatch(rows: number, width: number, classes: number, seed: number) {
  const rng = prngStream(seed, 'test-batch')
  const x = Float32Array.from({ length: rows * width }, () => 2 * rng.nextUnit() - 1)
  const labels = Uint8Array.from({ length: rows }, () => rng.nextBelow(classes))
  const y = new Float32Array(rows * classes)
  labels.forEach((c, r) => (y[r * classes + c] = 1))
  return { x, y, labels }
}

function closeTo(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, what)
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number
    const e = expected[i] as number
    assert.ok(Math.abs(a - e) <= 1e-5 + 1e-4 * Math.abs(e), `${what}[${i}]: graph ${a}, reference ${e}`)
  }
}

describe('train/graphs: the ONNX models', () => {
  it('writes a ModelProto with opset 17, the parameter, velocity and batch inputs, and every output', () => {
    const model = decodeModelProto(buildTrainingStepModel(LAYERS))
    assert.equal(model.ir_version, 8)
    assert.deepEqual(model.opset_import.map((o) => o.version), [17])
    const names = parameterLayout(LAYERS).map((p) => p.name)
    assert.deepEqual(
      model.graph.input.map((i) => i.name),
      [...names, ...names.map((n) => `v_${n}`), 'x', 'y_onehot', 'lr', 'momentum']
    )
    assert.deepEqual(
      model.graph.output.map((o) => o.name),
      [...names.map((n) => `${n}_next`), ...names.map((n) => `v_${n}_next`), 'loss', 'correct']
    )
  })

  it('one training step in ONNX Runtime equals the plain-TypeScript reference step (gradients and momentum update)', async () => {
    const session = await ort.InferenceSession.create(buildTrainingStepModel(LAYERS), { intraOpNumThreads: 1 })
    const params = initialParameters(LAYERS, 3)
    const layout = parameterLayout(LAYERS)
    // Non-zero velocities and biases, so the momentum term and bias paths are exercised.
    const rng = prngStream(9, 'test-velocity')
    const velocities = layout.map((p) => Float32Array.from({ length: p.size }, () => 0.1 * (2 * rng.nextUnit() - 1)))
    params.forEach((p, i) => layout[i]?.kind === 'bias' && p.forEach((_, k) => (p[k] = 0.05 * (2 * rng.nextUnit() - 1))))
    const { x, y, labels } = randomBatch(7, 6, 3, 1)
    const feeds: Record<string, ort.Tensor> = {
      x: new ort.Tensor('float32', x, [7, 6]),
      y_onehot: new ort.Tensor('float32', y, [7, 3]),
      lr: new ort.Tensor('float32', Float32Array.of(0.1), []),
      momentum: new ort.Tensor('float32', Float32Array.of(0.9), [])
    }
    layout.forEach((p, i) => {
      feeds[p.name] = new ort.Tensor('float32', params[i] as Float32Array, p.dims as number[])
      feeds[`v_${p.name}`] = new ort.Tensor('float32', velocities[i] as Float32Array, p.dims as number[])
    })
    const out = await session.run(feeds)
    const ref = referenceStep(LAYERS, params, velocities, x, labels, 0.1, 0.9)
    layout.forEach((p, i) => {
      closeTo(out[`${p.name}_next`]?.data as Float32Array, ref.parameters[i] as Float32Array, p.name)
      closeTo(out[`v_${p.name}_next`]?.data as Float32Array, ref.velocities[i] as Float32Array, `v_${p.name}`)
    })
    assert.ok(Math.abs((out.loss?.data as Float32Array)[0]! - ref.loss) < 1e-5)
    assert.equal((out.correct?.data as Float32Array)[0], ref.correct)
    // The update actually moved the weights (a no-op graph would pass the comparisons above only if the reference were also a no-op).
    assert.notDeepEqual(Array.from(out.W1_next?.data as Float32Array), Array.from(params[0] as Float32Array))
    await session.release()
  })

  it('the reference gradient agrees with finite differences of the loss', () => {
    const layers = [3, 4, 2]
    const params = initialParameters(layers, 5)
    const { x, labels } = randomBatch(5, 3, 2, 2)
    const zeros = params.map((p) => new Float32Array(p.length))
    // With lr = 1 and momentum 0, W − W' is exactly the gradient.
    const step = referenceStep(layers, params, zeros, x, labels, 1, 0)
    const lossAt = (ps: Float32Array[]) => referenceStep(layers, ps, zeros, x, labels, 1, 0).loss
    for (const [t, k] of [[0, 1], [0, 7], [1, 2], [2, 3], [3, 1]] as const) {
      const grad = (params[t]![k]! - step.parameters[t]![k]!)
      const eps = 1e-2
      const up = params.map((p) => p.slice())
      const down = params.map((p) => p.slice())
      up[t]![k]! += eps
      down[t]![k]! -= eps
      const numeric = (lossAt(up) - lossAt(down)) / (2 * eps)
      assert.ok(Math.abs(numeric - grad) < 2e-3, `tensor ${t}[${k}]: numeric ${numeric}, analytic ${grad}`)
    }
  })

  it('the evaluation model and the exported inference model agree on the logits argmax', async () => {
    const params = initialParameters(LAYERS, 4)
    const { x, y, labels } = randomBatch(50, 6, 3, 3)
    const evaluation = await ort.InferenceSession.create(buildEvaluationModel(LAYERS))
    const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor('float32', x, [50, 6]), y_onehot: new ort.Tensor('float32', y, [50, 3]) }
    parameterLayout(LAYERS).forEach((p, i) => (feeds[p.name] = new ort.Tensor('float32', params[i] as Float32Array, p.dims as number[])))
    const correct = ((await evaluation.run(feeds))[StepNames.correct]?.data as Float32Array)[0]

    const inference = await ort.InferenceSession.create(buildInferenceModel(LAYERS, params, { note: 'test' }))
    const out = await inference.run({ x: new ort.Tensor('float32', x, [50, 6]) })
    const probs = out.probabilities?.data as Float32Array
    const logits = out.logits?.data as Float32Array
    let hits = 0
    for (let r = 0; r < 50; r++) {
      const row = Array.from(logits.subarray(r * 3, r * 3 + 3))
      if (row.indexOf(Math.max(...row)) === labels[r]) hits++
      const total = probs[r * 3]! + probs[r * 3 + 1]! + probs[r * 3 + 2]!
      assert.ok(Math.abs(total - 1) < 1e-5)
    }
    assert.equal(hits, correct)
    await evaluation.release()
    await inference.release()
  })
})
