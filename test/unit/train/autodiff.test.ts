// Autodiff of client models into step graphs: gradients against central finite differences of the
// step graph's own (pre-update) loss, computed with onnxruntime in float32 (loose tolerance; the
// per-op float64 checks live in autodiff-gradients.test.ts), MaxPool's first-maximum tie rule, the
// optimizer formulas, determinism of the bytes, and refusal of unsupported models.
import { strict as assert } from 'node:assert'
import type * as ort from 'onnxruntime-node'
import { decodeModel } from '../../../peer/train/onnx/decode.js'
import { GraphBuilder, attr } from '../../../peer/train/onnx/graph.js'
import { buildStepGraph, lrAt, StepFeeds, StepOutputs, STEP_GRAPH_OPS, UnsupportedModelError, type StepGraph, type StepGraphRecipe } from '../../../peer/train/autodiff/index.js'
import { decodeModelProto } from '../../../peer/train/onnx/proto.js'
import { cnnModel, f32, i64, layoutModel, mlpModel, poolTieModel, session, weights, type Feeds } from './byom-models.js'

const SGD1 = { [StepFeeds.lr]: 1, [StepFeeds.momentum]: 0, [StepFeeds.weightDecay]: 0 }

interface Case { name: string; bytes: Uint8Array; x: number[]; labels: number[] }

function stateFeeds (graph: StepGraph, bytes: Uint8Array): Feeds {
  const model = decodeModel(bytes)
  const feeds: Feeds = {}
  for (const s of graph.initializers) feeds[s.name] = f32((model.initializers.find((t) => t.name === s.name)?.values as Float32Array).slice(), [...s.dims])
  for (const s of graph.slots) feeds[s.name] = f32(new Float32Array(s.dims.reduce((a, b) => a * b, 1)), [...s.dims])
  return feeds
}

async function gradientsAndFd (c: Case): Promise<Array<{ name: string; grad: Float32Array; fd: Float64Array }>> {
  const graph = buildStepGraph(decodeModel(c.bytes), c.bytes, { loss: 'ce', optimizer: 'sgd', batchSize: c.labels.length })
  const s = await session(graph.bytes)
  const base = stateFeeds(graph, c.bytes)
  const rows = c.labels.length
  const xShape = graph.input.shape.map((d) => (d === 'N' ? rows : d as number))
  const common: Feeds = { [StepFeeds.x]: f32(weights(5, `${c.name}/x`, xShape.reduce((a, b) => a * b, 1), 1), xShape), [StepFeeds.y]: i64(c.labels, [rows]) }
  for (const [k, v] of Object.entries(SGD1)) common[k] = f32([v], [])
  const run = async (over: Feeds): Promise<ort.InferenceSession.ReturnType> => s.run({ ...base, ...common, ...over })
  const once = await run({})
  const out: Array<{ name: string; grad: Float32Array; fd: Float64Array }> = []
  for (const p of graph.initializers.filter((i) => i.trainable)) {
    const values = base[p.name]!.data as Float32Array
    const next = once[StepOutputs.next(p.name)]!.data as Float32Array
    const grad = values.map((v, i) => v - (next[i] as number)) // SGD, lr 1: p' = p − g
    const fd = new Float64Array(values.length)
    const h = 2e-3
    for (let i = 0; i < values.length; i++) {
      const at = async (delta: number): Promise<number> => {
        const moved = values.slice()
        moved[i] = (moved[i] as number) + delta
        return ((await run({ [p.name]: f32(moved, [...p.dims]) }))[StepOutputs.loss]!.data as Float32Array)[0] as number
      }
      fd[i] = ((await at(h)) - (await at(-h))) / (2 * h)
    }
    out.push({ name: p.name, grad, fd })
  }
  return out
}

const norm = (v: ArrayLike<number>): number => Math.sqrt(Array.from(v).reduce((a, x) => a + x * x, 0))

describe('autodiff: step graphs of client models', function () {
  this.timeout(120_000)

  const cases: Case[] = [
    { name: 'mlp (Gemm transB, Tanh, Mul, Sigmoid, MatMul, Add broadcast)', bytes: mlpModel(), x: [], labels: [0, 3, 1, 2, 1] },
    { name: 'cnn (Conv pads, Relu, 2×2 MaxPool, depthwise Conv, LeakyRelu, AveragePool, Flatten, Gemm)', bytes: cnnModel(), x: [], labels: [0, 2, 1, 1] },
    { name: 'layout (Pad, asymmetric Conv pads, BatchNorm training, overlapping MaxPool, Transpose, Div, Sub, Concat, GlobalAveragePool, LogSoftmax output)', bytes: layoutModel(), x: [], labels: [2, 0, 1, 1, 0] }
  ]
  for (const c of cases) {
    it(`${c.name}: one SGD step with lr 1 moves every weight by its gradient, which matches finite differences`, async () => {
      const results = await gradientsAndFd(c)
      assert.ok(results.filter((r) => norm(r.fd) > 1e-3).length >= results.length - 1, 'finite differences are ~0 for more than one tensor: the check would be empty')
      for (const { name, grad, fd } of results) {
        const err = norm(grad.map((g, i) => g - (fd[i] as number)))
        if (process.env.FD_TRACE === "1") console.log(name, err.toExponential(2), norm(fd).toExponential(2))
        // (a conv bias before a training-mode BatchNorm has exactly zero gradient: the mean removes it)
        assert.ok(err <= 2e-2 * norm(fd) + 1e-3, `${name}: |grad − fd| = ${err.toExponential(2)}, |fd| = ${norm(fd).toExponential(2)}`)
      }
    })
  }

  for (const pool of [{ kernel: 2, stride: 2, pads: 0 }, { kernel: 3, stride: 2, pads: 1 }, { kernel: 2, stride: 3, pads: 0 }]) {
    it(`MaxPool ${pool.kernel}×${pool.kernel}/${pool.stride} pad ${pool.pads}: under ties the whole gradient goes to the first maximum of each window`, async () => {
      const bytes = poolTieModel(pool)
      const graph = buildStepGraph(decodeModel(bytes), bytes, { loss: 'ce', optimizer: 'sgd', batchSize: 3 })
      const s = await session(graph.bytes)
      const feeds: Feeds = { ...stateFeeds(graph, bytes), [StepFeeds.x]: f32(new Float32Array(3 * 36), [3, 1, 6, 6]), [StepFeeds.y]: i64([0, 1, 1], [3]) }
      for (const [k, v] of Object.entries(SGD1)) feeds[k] = f32([v], [])
      const out = await s.run(feeds)
      const grad = (out[StepOutputs.next('bias')]!.data as Float32Array).map((v) => -v) // bias was 0
      const o = Math.floor((6 + 2 * pool.pads - pool.kernel) / pool.stride) + 1
      const first = new Set<number>()
      for (let r = 0; r < o; r++) {
        for (let c = 0; c < o; c++) {
          const r0 = Math.max(0, r * pool.stride - pool.pads)
          const c0 = Math.max(0, c * pool.stride - pool.pads)
          first.add(r0 * 6 + c0) // all inputs equal: the first in-bounds cell in row-major order
        }
      }
      grad.forEach((g, i) => {
        if (first.has(i)) assert.notEqual(g, 0, `cell ${i} is a window's first maximum but got no gradient`)
        else assert.ok(g === 0, `cell ${i} is no window's first maximum but got ${g}`)
      })
    })
  }

  it('uses only STEP_GRAPH_OPS, and the same model and recipe give the same bytes and hash', () => {
    for (const bytes of [mlpModel(), cnnModel(), layoutModel()]) {
      for (const optimizer of ['sgd', 'adam', 'adamw'] as const) {
        const recipe: StepGraphRecipe = { loss: 'ce', optimizer, batchSize: 8 }
        const a = buildStepGraph(decodeModel(bytes), bytes, recipe)
        const b = buildStepGraph(decodeModel(bytes), bytes, recipe)
        assert.equal(a.hash, b.hash)
        assert.deepEqual(a.bytes, b.bytes)
        assert.match(a.hash, /^[0-9a-f]{64}$/)
        for (const graphBytes of [a.bytes, a.evalBytes]) {
          for (const n of decodeModelProto(graphBytes).graph.node) assert.ok((STEP_GRAPH_OPS as readonly string[]).includes(n.op_type), n.op_type)
        }
      }
    }
  })

  it('lists state and slots: BatchNorm running stats are buffers, adam has m then v per trainable tensor', () => {
    const bytes = layoutModel()
    const g = buildStepGraph(decodeModel(bytes), bytes, { loss: 'ce', optimizer: 'adam', batchSize: 4 })
    assert.deepEqual(g.initializers.filter((s) => !s.trainable).map((s) => s.name), ['bn.mean', 'bn.var'])
    const trainable = g.initializers.filter((s) => s.trainable).map((s) => s.name)
    assert.deepEqual(g.slots.map((s) => s.name), [...trainable.map((n) => `m/${n}`), ...trainable.map((n) => `v/${n}`)])
  })

  it('adam and sgd-with-momentum-and-weight-decay updates follow the OptimizerSpec formulas', async () => {
    const bytes = mlpModel()
    const rows = 4
    const x = f32(weights(5, 'opt/x', rows * 6, 1), [rows, 6])
    const y = i64([0, 1, 2, 3], [rows])
    const sgd = buildStepGraph(decodeModel(bytes), bytes, { loss: 'ce', optimizer: 'sgd', batchSize: rows })
    const adam = buildStepGraph(decodeModel(bytes), bytes, { loss: 'ce', optimizer: 'adam', batchSize: rows })
    const grads = await (async () => {
      const feeds: Feeds = { ...stateFeeds(sgd, bytes), [StepFeeds.x]: x, [StepFeeds.y]: y }
      for (const [k, v] of Object.entries(SGD1)) feeds[k] = f32([v], [])
      const out = await (await session(sgd.bytes)).run(feeds)
      return Object.fromEntries(sgd.initializers.map((p) => [p.name, (feeds[p.name]!.data as Float32Array).map((v, i) => v - (out[StepOutputs.next(p.name)]!.data as Float32Array)[i]!)]))
    })()
    // sgd, momentum 0.9, wd 0.1, lr 0.5, momentum buffer 1: buf' = 0.9 + g + 0.1 p, p' = p − 0.5 buf'
    const feeds: Feeds = { ...stateFeeds(sgd, bytes), [StepFeeds.x]: x, [StepFeeds.y]: y }
    for (const sl of sgd.slots) feeds[sl.name] = f32(new Float32Array(sl.dims.reduce((a, b) => a * b, 1)).fill(1), [...sl.dims])
    Object.assign(feeds, { [StepFeeds.lr]: f32([0.5], []), [StepFeeds.momentum]: f32([0.9], []), [StepFeeds.weightDecay]: f32([0.1], []) })
    const out = await (await session(sgd.bytes)).run(feeds)
    for (const p of sgd.initializers) {
      const pv = feeds[p.name]!.data as Float32Array
      const next = out[StepOutputs.next(p.name)]!.data as Float32Array
      pv.forEach((v, i) => {
        const buf = 0.9 + grads[p.name]![i]! + 0.1 * v
        assert.ok(Math.abs(next[i]! - (v - 0.5 * buf)) < 1e-5, `${p.name}[${i}]`)
      })
    }
    // adam at step t = 1 from zero moments: p' = p − lr·g/(|g| + ε·…) ≈ p − lr·sign(g)
    const af: Feeds = { ...stateFeeds(adam, bytes), [StepFeeds.x]: x, [StepFeeds.y]: y }
    const scal = { [StepFeeds.lr]: 0.01, [StepFeeds.weightDecay]: 0, [StepFeeds.beta1]: 0.9, [StepFeeds.beta2]: 0.999, [StepFeeds.oneMinusBeta1]: 0.1, [StepFeeds.oneMinusBeta2]: 0.001, [StepFeeds.epsilon]: 1e-8, [StepFeeds.biasCorrection1]: 0.1, [StepFeeds.biasCorrection2]: 0.001 }
    for (const [k, v] of Object.entries(scal)) af[k] = f32([v], [])
    const ao = await (await session(adam.bytes)).run(af)
    for (const p of adam.initializers) {
      const pv = af[p.name]!.data as Float32Array
      const next = ao[StepOutputs.next(p.name)]!.data as Float32Array
      pv.forEach((v, i) => {
        const g = grads[p.name]![i]!
        const expected = v - 0.01 * g / (Math.abs(g) + 1e-8)
        assert.ok(Math.abs(next[i]! - expected) < 1e-6 + 1e-3 * Math.abs(0.01 * g / (Math.abs(g) + 1e-8)), `${p.name}[${i}]: ${next[i]} vs ${expected}`)
      })
    }
  })

  it('refuses unsupported ops and unshaped inputs with the reason', () => {
    const g = new GraphBuilder('bad')
    const x = g.input('x', ['N', 3])
    g.op('Erf', [g.op('MatMul', [x, g.floatConstant('w', [1, 2, 3, 4, 5, 6], [3, 2])])], {}, 'out')
    g.output('out', ['N', 2])
    const bytes = g.toModelBytes()
    assert.throws(() => buildStepGraph(decodeModel(bytes), bytes, { loss: 'ce', optimizer: 'sgd', batchSize: 2 }), (e: Error) => e instanceof UnsupportedModelError && /Erf/.test(e.message))
    void attr
  })

  it('lrAt: constant, step (per epoch) and cosine (per step) schedules', () => {
    const spec = { kind: 'sgd' as const, learningRate: 0.1, momentum: 0, weightDecay: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }
    assert.equal(lrAt(spec, { kind: 'constant' }, 57, 10, 100), 0.1)
    assert.equal(lrAt(spec, { kind: 'step', stepEpochs: 2, gamma: 0.5 }, 39, 10, 100), 0.05)
    assert.equal(lrAt(spec, { kind: 'step', stepEpochs: 2, gamma: 0.5 }, 40, 10, 100), 0.025)
    assert.equal(lrAt(spec, { kind: 'cosine', minLr: 0.01 }, 0, 10, 100), 0.1)
    assert.ok(Math.abs(lrAt(spec, { kind: 'cosine', minLr: 0.01 }, 50, 10, 100) - 0.055) < 1e-15)
  })
})
