// Self-tests of the float64 ONNX reference evaluator (test/fixtures/onnx-ref64.ts): every op of
// STEP_GRAPH_OPS against onnxruntime-node in float32 on seeded random inputs (ORT has float32 kernels
// for all of them; the evaluator computes in float64 on the same float32-rounded inputs, so they agree
// to float32 rounding), plus hand-computed cases for the rules where a wrong reading of the ONNX spec
// would still look plausible: MaxPool ties and Indices, ceil_mode, dilated and depthwise Conv,
// ConvTranspose output_padding, Pad reflect/edge, ScatterElements add, BatchNormalization training
// outputs, Dropout masks.
import assert from 'node:assert/strict'
import * as ort from 'onnxruntime-node'
import { decodeModel } from '../../../peer/train/onnx/decode.js'
import { DataType } from '../../../peer/train/onnx/ir.js'
import { STEP_GRAPH_OPS } from '../../../peer/train/autodiff/supported.js'
import {
  at, bool, evaluate64, f64, i64, onnxModelBytes, size,
  type AttrSpec, type ModelSpec, type Tensor64
} from '../../fixtures/onnx-ref64.js'

/** mulberry32: a tiny seeded PRNG for test inputs. */
function prng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const rand = prng(20261205)
/** Uniform in [lo, hi), rounded to float32 so ORT and the evaluator see the same numbers. */
const randF = (dims: number[], lo = -1, hi = 1): Tensor64 => f64(dims, Array.from({ length: size(dims) }, () => Math.fround(lo + (hi - lo) * rand())))
const randInt = (dims: number[], lo: number, hi: number): Tensor64 => i64(dims, Array.from({ length: size(dims) }, () => lo + Math.floor((hi - lo) * rand())))
/** Small integers as floats: many ties. */
const randTies = (dims: number[], k = 3): Tensor64 => f64(dims, Array.from({ length: size(dims) }, () => Math.floor(k * rand())))

const typeOf = (t: Tensor64): number => (t.data instanceof Float64Array ? DataType.FLOAT : t.data instanceof BigInt64Array ? DataType.INT64 : DataType.BOOL)

function ortTensor (t: Tensor64): ort.Tensor {
  if (t.data instanceof Float64Array) return new ort.Tensor('float32', Float32Array.from(t.data), [...t.dims])
  if (t.data instanceof BigInt64Array) return new ort.Tensor('int64', t.data, [...t.dims])
  return new ort.Tensor('bool', t.data, [...t.dims])
}

interface OneOp {
  op: string
  /** Inputs in order; '' for an omitted optional input. All are graph inputs. */
  inputs: Array<Tensor64 | ''>
  attrs?: Record<string, AttrSpec>
  /** Output types (DataType codes), default one FLOAT output. */
  outputs?: number[]
}

function oneOpModel (c: OneOp): { spec: ModelSpec; feeds: Map<string, Tensor64> } {
  const feeds = new Map<string, Tensor64>()
  const names = c.inputs.map((t, i) => {
    if (t === '') return ''
    feeds.set(`in${i}`, t)
    return `in${i}`
  })
  const outTypes = c.outputs ?? [DataType.FLOAT]
  const outs = outTypes.map((_, i) => `out${i}`)
  const spec: ModelSpec = {
    nodes: [{ op: c.op, inputs: names, outputs: outs, name: 'node', ...(c.attrs ? { attrs: c.attrs } : {}) }],
    inputs: [...feeds].map(([name, t]) => ({ name, type: typeOf(t), dims: [...t.dims] })),
    outputs: outs.map((name, i) => ({ name, type: outTypes[i]!, dims: null }))
  }
  return { spec, feeds }
}

function close (actual: ArrayLike<number | bigint>, expected: ArrayLike<number | bigint>, what: string, rel = 1e-5, abs = 1e-5): void {
  assert.equal(actual.length, expected.length, `${what}: length`)
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!; const e = expected[i]!
    if (typeof a === 'bigint' || typeof e === 'bigint') { assert.equal(BigInt(a), BigInt(e), `${what}[${i}]`); continue }
    const ok = (Number.isNaN(a) && Number.isNaN(e)) || a === e || Math.abs(a - e) <= abs + rel * Math.abs(e)
    assert.ok(ok, `${what}[${i}]: evaluator ${a}, expected ${e}`)
  }
}

/** Run one op in ORT (float32) and in the evaluator (float64); both must agree, outputs and shapes. */
async function againstOrt (c: OneOp, tol = { rel: 1e-5, abs: 1e-5 }): Promise<void> {
  const { spec, feeds } = oneOpModel(c)
  const bytes = onnxModelBytes(spec)
  const session = await ort.InferenceSession.create(bytes)
  const ortFeeds: Record<string, ort.Tensor> = {}
  for (const [n, t] of feeds) ortFeeds[n] = ortTensor(t)
  const expected = await session.run(ortFeeds)
  const actual = evaluate64(decodeModel(bytes), feeds)
  const desc = `${c.op} ${JSON.stringify(c.attrs ?? {}, (_, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))}`
  for (const out of spec.outputs) {
    const e = expected[out.name]!; const a = actual.get(out.name)!
    assert.deepEqual([...a.dims], [...e.dims], `${desc} ${out.name}: dims`)
    if (e.type === 'bool') assert.deepEqual(Array.from(a.data as Uint8Array), Array.from(e.data as Uint8Array, (v) => (v ? 1 : 0)), `${desc} ${out.name}`)
    else close(a.data as ArrayLike<number | bigint>, e.data as ArrayLike<number | bigint>, `${desc} ${out.name}`, tol.rel, tol.abs)
  }
  await session.release()
}

/** Evaluate one op with the evaluator only. */
function run1 (c: OneOp, opts: Parameters<typeof evaluate64>[2] = {}): Tensor64[] {
  const { spec, feeds } = oneOpModel(c)
  const out = evaluate64(decodeModel(onnxModelBytes(spec)), feeds, opts)
  return spec.outputs.map((o) => out.get(o.name)!)
}
const vals = (t: Tensor64): number[] => Array.from(t.data as ArrayLike<number | bigint>, Number)

const F = DataType.FLOAT; const I = DataType.INT64; const B = DataType.BOOL

/** Ops covered against ORT, to check at the end that no STEP_GRAPH_OPS op was forgotten. */
const covered = new Set<string>()
function ortCase (name: string, c: () => OneOp, tol?: { rel: number; abs: number }): void {
  it(name, async () => {
    const oc = c()
    covered.add(oc.op)
    await againstOrt(oc, tol)
  })
}

describe('test support: the float64 ONNX reference evaluator', () => {
  describe('agrees with onnxruntime (float32) on random inputs', () => {
    // matrix products and elementwise arithmetic
    ortCase('Gemm transB, vector C, alpha, beta', () => ({ op: 'Gemm', inputs: [randF([3, 4]), randF([5, 4]), randF([5])], attrs: { transB: at.i(1), alpha: at.f(0.7), beta: at.f(1.3) } }))
    ortCase('Gemm transA, column C', () => ({ op: 'Gemm', inputs: [randF([4, 3]), randF([4, 5]), randF([3, 1])], attrs: { transA: at.i(1) } }))
    ortCase('Gemm without C', () => ({ op: 'Gemm', inputs: [randF([2, 3]), randF([3, 4])] }))
    ortCase('MatMul batched with broadcast', () => ({ op: 'MatMul', inputs: [randF([2, 1, 3, 4]), randF([3, 4, 2])] }))
    ortCase('MatMul vector × batch', () => ({ op: 'MatMul', inputs: [randF([4]), randF([2, 4, 3])] }))
    ortCase('MatMul matrix × vector', () => ({ op: 'MatMul', inputs: [randF([3, 4]), randF([4])] }))
    ortCase('Add broadcast', () => ({ op: 'Add', inputs: [randF([2, 3, 4]), randF([3, 1])] }))
    ortCase('Add int64', () => ({ op: 'Add', inputs: [randInt([2, 3], -9, 9), randInt([3], -9, 9)], outputs: [I] }))
    ortCase('Sub broadcast', () => ({ op: 'Sub', inputs: [randF([4]), randF([2, 3, 4])] }))
    ortCase('Mul broadcast', () => ({ op: 'Mul', inputs: [randF([2, 1, 4]), randF([3, 1])] }))
    ortCase('Mul int64', () => ({ op: 'Mul', inputs: [randInt([4], -9, 9), randInt([4], -9, 9)], outputs: [I] }))
    ortCase('Div broadcast', () => ({ op: 'Div', inputs: [randF([2, 3]), randF([3], 0.5, 2)] }))
    ortCase('Div int64 truncates', () => ({ op: 'Div', inputs: [i64([4], [7, -7, 9, -9]), i64([4], [2, 2, -4, -4])], outputs: [I] }))
    ortCase('Pow float exponent', () => ({ op: 'Pow', inputs: [randF([2, 3], 0.1, 2), randF([3], -2, 2)] }))
    ortCase('Pow scalar exponent', () => ({ op: 'Pow', inputs: [randF([2, 3]), f64([], [2])] }))
    ortCase('Max of three, broadcast', () => ({ op: 'Max', inputs: [randF([2, 3]), randF([3]), randF([2, 1])] }))
    ortCase('Min of two', () => ({ op: 'Min', inputs: [randF([2, 3]), randF([2, 3])] }))
    ortCase('Min of one', () => ({ op: 'Min', inputs: [randF([3])] }))
    ortCase('Neg', () => ({ op: 'Neg', inputs: [randF([5])] }))
    ortCase('Abs', () => ({ op: 'Abs', inputs: [randF([5])] }))
    ortCase('Sign', () => ({ op: 'Sign', inputs: [f64([5], [-2, 0, 3, -0.5, 0.25])] }))
    ortCase('Exp', () => ({ op: 'Exp', inputs: [randF([5], -3, 3)] }))
    ortCase('Log', () => ({ op: 'Log', inputs: [randF([5], 0.01, 5)] }))
    ortCase('Sqrt', () => ({ op: 'Sqrt', inputs: [randF([5], 0, 5)] }))
    ortCase('Reciprocal', () => ({ op: 'Reciprocal', inputs: [randF([5], 0.5, 3)] }))
    ortCase('Relu', () => ({ op: 'Relu', inputs: [randF([2, 5])] }))
    ortCase('LeakyRelu default alpha', () => ({ op: 'LeakyRelu', inputs: [randF([2, 5])] }))
    ortCase('LeakyRelu alpha 0.2', () => ({ op: 'LeakyRelu', inputs: [randF([2, 5])], attrs: { alpha: at.f(0.2) } }))
    ortCase('Sigmoid', () => ({ op: 'Sigmoid', inputs: [randF([2, 5], -30, 30)] }))
    ortCase('Tanh', () => ({ op: 'Tanh', inputs: [randF([2, 5], -4, 4)] }))
    ortCase('Clip min and max', () => ({ op: 'Clip', inputs: [randF([2, 5]), f64([], [-0.3]), f64([], [0.4])] }))
    ortCase('Clip max only', () => ({ op: 'Clip', inputs: [randF([2, 5]), '', f64([], [0.1])] }))
    ortCase('Clip no bounds', () => ({ op: 'Clip', inputs: [randF([2, 5])] }))
    ortCase('Identity', () => ({ op: 'Identity', inputs: [randF([2, 3])] }))
    // probabilities
    ortCase('Softmax default axis', () => ({ op: 'Softmax', inputs: [randF([2, 3, 4], -5, 5)] }))
    ortCase('Softmax axis 1', () => ({ op: 'Softmax', inputs: [randF([2, 3, 4], -5, 5)], attrs: { axis: at.i(1) } }))
    ortCase('LogSoftmax axis 0', () => ({ op: 'LogSoftmax', inputs: [randF([3, 4], -5, 5)], attrs: { axis: at.i(0) } }))
    ortCase('LogSoftmax default axis', () => ({ op: 'LogSoftmax', inputs: [randF([3, 4], -50, 50)] }))
    // comparisons and logic
    ortCase('Equal float with ties', () => ({ op: 'Equal', inputs: [randTies([3, 4]), randTies([4])], outputs: [B] }))
    ortCase('Equal int64', () => ({ op: 'Equal', inputs: [randInt([3, 4], 0, 3), randInt([1, 4], 0, 3)], outputs: [B] }))
    ortCase('Greater', () => ({ op: 'Greater', inputs: [randTies([3, 4]), randTies([3, 1])], outputs: [B] }))
    ortCase('Less int64', () => ({ op: 'Less', inputs: [randInt([3, 4], 0, 3), randInt([4], 0, 3)], outputs: [B] }))
    ortCase('Not', () => ({ op: 'Not', inputs: [bool([4], [1, 0, 0, 1])], outputs: [B] }))
    ortCase('And broadcast', () => ({ op: 'And', inputs: [bool([2, 2], [1, 0, 1, 1]), bool([2], [1, 0])], outputs: [B] }))
    ortCase('Where broadcast', () => ({ op: 'Where', inputs: [bool([2, 1], [1, 0]), randF([3]), randF([2, 3])] }))
    ortCase('Cast float → int64 truncates', () => ({ op: 'Cast', inputs: [f64([5], [-2.7, -0.5, 0.5, 1.9, 3])], attrs: { to: at.i(I) }, outputs: [I] }))
    ortCase('Cast int64 → float', () => ({ op: 'Cast', inputs: [randInt([4], -9, 9)], attrs: { to: at.i(F) } }))
    ortCase('Cast float → bool', () => ({ op: 'Cast', inputs: [f64([4], [0, 1, -0.5, 0])], attrs: { to: at.i(B) }, outputs: [B] }))
    ortCase('Cast bool → float', () => ({ op: 'Cast', inputs: [bool([3], [1, 0, 1])], attrs: { to: at.i(F) } }))
    // reductions
    ortCase('ReduceSum axes input, keepdims', () => ({ op: 'ReduceSum', inputs: [randF([2, 3, 4]), i64([2], [0, -1])] }))
    ortCase('ReduceSum keepdims 0', () => ({ op: 'ReduceSum', inputs: [randF([2, 3, 4]), i64([1], [1])], attrs: { keepdims: at.i(0) } }))
    ortCase('ReduceSum no axes: all', () => ({ op: 'ReduceSum', inputs: [randF([2, 3])], attrs: { keepdims: at.i(0) } }))
    ortCase('ReduceSum empty axes, noop_with_empty_axes', () => ({ op: 'ReduceSum', inputs: [randF([2, 3]), i64([0], [])], attrs: { noop_with_empty_axes: at.i(1) } }))
    ortCase('ReduceMean axes attribute', () => ({ op: 'ReduceMean', inputs: [randF([2, 3, 4])], attrs: { axes: at.ints([1, 2]) } }))
    ortCase('ReduceMean all, keepdims 0', () => ({ op: 'ReduceMean', inputs: [randF([2, 3, 4])], attrs: { keepdims: at.i(0) } }))
    ortCase('ReduceMax axes attribute, keepdims 0', () => ({ op: 'ReduceMax', inputs: [randF([2, 3, 4])], attrs: { axes: at.ints([-2]), keepdims: at.i(0) } }))
    ortCase('ArgMax first of ties', () => ({ op: 'ArgMax', inputs: [randTies([3, 5])], attrs: { axis: at.i(1) }, outputs: [I] }))
    ortCase('ArgMax last of ties, keepdims 0', () => ({ op: 'ArgMax', inputs: [randTies([3, 5])], attrs: { axis: at.i(-1), keepdims: at.i(0), select_last_index: at.i(1) }, outputs: [I] }))
    ortCase('ArgMax axis 0', () => ({ op: 'ArgMax', inputs: [randF([3, 2, 4])], outputs: [I] }))
    // normalisation
    ortCase('BatchNormalization inference', () => ({ op: 'BatchNormalization', inputs: [randF([2, 3, 2, 2]), randF([3]), randF([3]), randF([3]), randF([3], 0.1, 2)], attrs: { epsilon: at.f(1e-3) } }))
    ortCase('BatchNormalization inference, 2-D input', () => ({ op: 'BatchNormalization', inputs: [randF([4, 3]), randF([3]), randF([3]), randF([3]), randF([3], 0.1, 2)] }))
    ortCase('BatchNormalization training_mode: Y and running stats', () => ({
      op: 'BatchNormalization',
      inputs: [randF([3, 2, 2, 3]), randF([2]), randF([2]), randF([2]), randF([2], 0.1, 2)],
      attrs: { training_mode: at.i(1), momentum: at.f(0.8) },
      outputs: [F, F, F]
    }))
    ortCase('Dropout, inference: identity and an all-true mask', () => ({ op: 'Dropout', inputs: [randF([2, 3]), f64([], [0.3])], outputs: [F, B] }))
    ortCase('Dropout, training with ratio 0: identity', () => ({ op: 'Dropout', inputs: [randF([2, 3]), f64([], [0]), bool([], [1])], outputs: [F, B] }))
    // convolution
    ortCase('Conv 2-D with bias, strides, pads', () => ({ op: 'Conv', inputs: [randF([2, 3, 6, 5]), randF([4, 3, 3, 2]), randF([4])], attrs: { strides: at.ints([2, 1]), pads: at.ints([1, 0, 2, 1]) } }))
    ortCase('Conv dilated', () => ({ op: 'Conv', inputs: [randF([1, 2, 7, 7]), randF([3, 2, 3, 3])], attrs: { dilations: at.ints([2, 3]), pads: at.ints([1, 1, 1, 1]) } }))
    ortCase('Conv grouped', () => ({ op: 'Conv', inputs: [randF([2, 4, 5, 5]), randF([6, 2, 2, 2]), randF([6])], attrs: { group: at.i(2) } }))
    ortCase('Conv depthwise', () => ({ op: 'Conv', inputs: [randF([1, 3, 5, 5]), randF([3, 1, 3, 3])], attrs: { group: at.i(3), pads: at.ints([1, 1, 1, 1]) } }))
    ortCase('Conv auto_pad SAME_UPPER, stride 2', () => ({ op: 'Conv', inputs: [randF([1, 2, 6, 5]), randF([2, 2, 2, 3])], attrs: { auto_pad: at.s('SAME_UPPER'), strides: at.ints([2, 2]) } }))
    ortCase('Conv auto_pad SAME_LOWER', () => ({ op: 'Conv', inputs: [randF([1, 2, 5, 5]), randF([2, 2, 2, 2])], attrs: { auto_pad: at.s('SAME_LOWER') } }))
    ortCase('Conv auto_pad VALID, stride 2', () => ({ op: 'Conv', inputs: [randF([1, 2, 6, 7]), randF([2, 2, 3, 3])], attrs: { auto_pad: at.s('VALID'), strides: at.ints([2, 2]) } }))
    ortCase('Conv 1-D', () => ({ op: 'Conv', inputs: [randF([2, 2, 9]), randF([3, 2, 3]), randF([3])], attrs: { strides: at.ints([2]), pads: at.ints([1, 2]) } }))
    ortCase('Conv 3-D', () => ({ op: 'Conv', inputs: [randF([1, 2, 4, 4, 3]), randF([2, 2, 2, 3, 2])], attrs: { pads: at.ints([1, 0, 1, 0, 1, 0]) } }))
    ortCase('ConvTranspose strides, pads, output_padding, bias', () => ({ op: 'ConvTranspose', inputs: [randF([2, 3, 3, 4]), randF([3, 2, 3, 3]), randF([2])], attrs: { strides: at.ints([2, 3]), pads: at.ints([1, 0, 0, 1]), output_padding: at.ints([1, 2]) } }))
    ortCase('ConvTranspose grouped, dilated', () => ({ op: 'ConvTranspose', inputs: [randF([1, 4, 3, 3]), randF([4, 3, 2, 2])], attrs: { group: at.i(2), dilations: at.ints([2, 2]) } }))
    ortCase('ConvTranspose output_shape', () => ({ op: 'ConvTranspose', inputs: [randF([1, 2, 3, 3]), randF([2, 2, 3, 3])], attrs: { strides: at.ints([2, 2]), output_shape: at.ints([8, 7]) } }))
    ortCase('ConvTranspose auto_pad SAME_UPPER', () => ({ op: 'ConvTranspose', inputs: [randF([1, 2, 3, 3]), randF([2, 1, 4, 4])], attrs: { strides: at.ints([2, 2]), auto_pad: at.s('SAME_UPPER') } }))
    ortCase('ConvTranspose 1-D', () => ({ op: 'ConvTranspose', inputs: [randF([1, 2, 4]), randF([2, 3, 3])], attrs: { strides: at.ints([3]) } }))
    // pooling
    ortCase('MaxPool with Indices, pads, strides', () => ({ op: 'MaxPool', inputs: [randF([2, 2, 5, 6])], attrs: { kernel_shape: at.ints([3, 2]), strides: at.ints([2, 2]), pads: at.ints([1, 0, 1, 1]) }, outputs: [F, I] }))
    ortCase('MaxPool ceil_mode', () => ({ op: 'MaxPool', inputs: [randF([1, 2, 6, 6])], attrs: { kernel_shape: at.ints([3, 3]), strides: at.ints([2, 2]), ceil_mode: at.i(1) }, outputs: [F, I] }))
    ortCase('MaxPool ceil_mode with pads (last window dropped)', () => ({ op: 'MaxPool', inputs: [randF([1, 1, 5, 5])], attrs: { kernel_shape: at.ints([2, 2]), strides: at.ints([2, 2]), pads: at.ints([1, 1, 1, 1]), ceil_mode: at.i(1) }, outputs: [F, I] }))
    ortCase('MaxPool dilated', () => ({ op: 'MaxPool', inputs: [randF([1, 2, 7, 7])], attrs: { kernel_shape: at.ints([2, 2]), dilations: at.ints([2, 3]) }, outputs: [F, I] }))
    ortCase('MaxPool ties: first maximum', () => ({ op: 'MaxPool', inputs: [randTies([2, 2, 6, 6], 2)], attrs: { kernel_shape: at.ints([3, 3]), strides: at.ints([1, 2]) }, outputs: [F, I] }))
    ortCase('MaxPool auto_pad SAME_UPPER', () => ({ op: 'MaxPool', inputs: [randF([1, 2, 5, 5])], attrs: { kernel_shape: at.ints([2, 2]), strides: at.ints([2, 2]), auto_pad: at.s('SAME_UPPER') }, outputs: [F, I] }))
    ortCase('MaxPool 1-D', () => ({ op: 'MaxPool', inputs: [randF([2, 2, 9])], attrs: { kernel_shape: at.ints([3]), strides: at.ints([2]), pads: at.ints([1, 1]) }, outputs: [F, I] }))
    ortCase('MaxPool storage_order 1', () => ({ op: 'MaxPool', inputs: [randF([1, 2, 4, 5])], attrs: { kernel_shape: at.ints([2, 2]), storage_order: at.i(1) }, outputs: [F, I] }))
    ortCase('AveragePool pads, count_include_pad 0', () => ({ op: 'AveragePool', inputs: [randF([2, 2, 5, 6])], attrs: { kernel_shape: at.ints([3, 3]), strides: at.ints([2, 2]), pads: at.ints([1, 1, 1, 1]) } }))
    ortCase('AveragePool pads, count_include_pad 1', () => ({ op: 'AveragePool', inputs: [randF([2, 2, 5, 6])], attrs: { kernel_shape: at.ints([3, 3]), strides: at.ints([2, 2]), pads: at.ints([1, 1, 1, 1]), count_include_pad: at.i(1) } }))
    ortCase('AveragePool ceil_mode', () => ({ op: 'AveragePool', inputs: [randF([1, 2, 6, 6])], attrs: { kernel_shape: at.ints([3, 3]), strides: at.ints([2, 2]), ceil_mode: at.i(1) } }))
    ortCase('AveragePool ceil_mode, pads, count_include_pad 1', () => ({ op: 'AveragePool', inputs: [randF([1, 1, 6, 6])], attrs: { kernel_shape: at.ints([3, 3]), strides: at.ints([2, 2]), pads: at.ints([1, 1, 1, 1]), ceil_mode: at.i(1), count_include_pad: at.i(1) } }))
    ortCase('GlobalAveragePool', () => ({ op: 'GlobalAveragePool', inputs: [randF([2, 3, 4, 5])] }))
    ortCase('MaxUnpool default shape', () => ({ op: 'MaxUnpool', inputs: [randF([1, 2, 2, 2]), i64([1, 2, 2, 2], [0, 3, 9, 15, 16, 22, 24, 31])], attrs: { kernel_shape: at.ints([2, 2]), strides: at.ints([2, 2]) } }))
    ortCase('MaxUnpool output_shape', () => ({ op: 'MaxUnpool', inputs: [randF([1, 1, 2, 2]), i64([1, 1, 2, 2], [0, 4, 11, 24]), i64([4], [1, 1, 5, 5])], attrs: { kernel_shape: at.ints([2, 2]), strides: at.ints([2, 2]) } }))
    // padding and layout
    ortCase('Pad constant with value', () => ({ op: 'Pad', inputs: [randF([2, 3]), i64([4], [1, 0, 2, 3]), f64([], [1.5])] }))
    ortCase('Pad constant, negative pads crop', () => ({ op: 'Pad', inputs: [randF([3, 4]), i64([4], [-1, 2, 0, -2])] }))
    ortCase('Pad reflect', () => ({ op: 'Pad', inputs: [randF([1, 1, 3, 4]), i64([8], [0, 0, 2, 1, 0, 0, 1, 3])], attrs: { mode: at.s('reflect') } }))
    ortCase('Pad edge', () => ({ op: 'Pad', inputs: [randF([1, 1, 3, 4]), i64([8], [0, 0, 2, 1, 0, 0, 1, 3])], attrs: { mode: at.s('edge') } }))
    ortCase('Flatten axis 2', () => ({ op: 'Flatten', inputs: [randF([2, 3, 4, 1])], attrs: { axis: at.i(2) } }))
    ortCase('Flatten axis 0', () => ({ op: 'Flatten', inputs: [randF([2, 3])], attrs: { axis: at.i(0) } }))
    ortCase('Flatten default axis', () => ({ op: 'Flatten', inputs: [randF([2, 3, 2])] }))
    ortCase('Reshape with 0 and −1', () => ({ op: 'Reshape', inputs: [randF([2, 3, 4]), i64([3], [0, -1, 2])] }))
    ortCase('Transpose perm', () => ({ op: 'Transpose', inputs: [randF([2, 3, 4])], attrs: { perm: at.ints([1, 2, 0]) } }))
    ortCase('Transpose default (reverse)', () => ({ op: 'Transpose', inputs: [randF([2, 3, 4])] }))
    ortCase('Concat axis 1 of three', () => ({ op: 'Concat', inputs: [randF([2, 1, 3]), randF([2, 2, 3]), randF([2, 3, 3])], attrs: { axis: at.i(1) } }))
    ortCase('Concat int64, axis −1', () => ({ op: 'Concat', inputs: [randInt([2], 0, 5), randInt([1], 0, 5)], attrs: { axis: at.i(-1) }, outputs: [I] }))
    ortCase('Shape', () => ({ op: 'Shape', inputs: [randF([2, 3, 4])], outputs: [I] }))
    ortCase('Shape start and end', () => ({ op: 'Shape', inputs: [randF([2, 3, 4, 5])], attrs: { start: at.i(1), end: at.i(-1) }, outputs: [I] }))
    ortCase('Gather axis 1, negative and 2-D indices', () => ({ op: 'Gather', inputs: [randF([2, 4, 3]), i64([2, 2], [0, -1, 2, 1])], attrs: { axis: at.i(1) } }))
    ortCase('Gather scalar index from a shape', () => ({ op: 'Gather', inputs: [i64([3], [5, 6, 7]), i64([], [0])], outputs: [I] }))
    ortCase('GatherElements axis 1', () => ({ op: 'GatherElements', inputs: [randF([3, 4]), randInt([3, 2], -4, 4)], attrs: { axis: at.i(1) } }))
    ortCase('GatherElements axis 0', () => ({ op: 'GatherElements', inputs: [randF([3, 4]), randInt([2, 4], 0, 3)] }))
    ortCase('ScatterElements none, axis 1', () => ({ op: 'ScatterElements', inputs: [randF([2, 4]), i64([2, 2], [3, 0, 1, -1]), randF([2, 2])], attrs: { axis: at.i(1) } }))
    ortCase('ScatterElements add, repeated indices', () => ({ op: 'ScatterElements', inputs: [randF([6]), i64([8], [0, 2, 2, 5, 0, 0, 1, 2]), randF([8])], attrs: { reduction: at.s('add') } }))
    ortCase('Slice with steps, negative and clamped bounds', () => ({ op: 'Slice', inputs: [randF([5, 6, 3]), i64([2], [-1, 1]), i64([2], [-100, 100]), i64([2], [0, 1]), i64([2], [-2, 2])] }))
    ortCase('Slice default axes and steps', () => ({ op: 'Slice', inputs: [randF([5, 6]), i64([2], [1, 0]), i64([2], [4, -1])] }))
    ortCase('Unsqueeze axes input', () => ({ op: 'Unsqueeze', inputs: [randF([2, 3]), i64([2], [0, -1])] }))
    ortCase('Squeeze axes input', () => ({ op: 'Squeeze', inputs: [randF([1, 2, 1, 3]), i64([1], [2])] }))
    ortCase('Squeeze all ones', () => ({ op: 'Squeeze', inputs: [randF([1, 2, 1, 3])] }))
    ortCase('Expand bidirectional', () => ({ op: 'Expand', inputs: [randF([3, 1]), i64([3], [2, 1, 4])] }))
    ortCase('Tile', () => ({ op: 'Tile', inputs: [randF([2, 3]), i64([2], [2, 3])] }))
    ortCase('ConstantOfShape default', () => ({ op: 'ConstantOfShape', inputs: [i64([2], [2, 3])] }))
    ortCase('ConstantOfShape int64 value', () => ({ op: 'ConstantOfShape', inputs: [i64([1], [4])], attrs: { value: at.t(i64([1], [7])) }, outputs: [I] }))
    ortCase('Range int64', () => ({ op: 'Range', inputs: [i64([], [2]), i64([], [11]), i64([], [3])], outputs: [I] }))
    ortCase('Range float, negative delta', () => ({ op: 'Range', inputs: [f64([], [1]), f64([], [-2]), f64([], [-0.75])] }))
    ortCase('OneHot default axis, negative index', () => ({ op: 'OneHot', inputs: [i64([2, 2], [0, 2, -1, 1]), i64([], [4]), f64([2], [-1, 3])] }))
    ortCase('OneHot axis 0', () => ({ op: 'OneHot', inputs: [i64([3], [1, 0, 2]), i64([], [3]), f64([2], [0, 1])], attrs: { axis: at.i(0) } }))
    ortCase('Constant value tensor', () => ({ op: 'Constant', inputs: [], attrs: { value: at.t(f64([2, 2], [1.5, -2, 0.25, 3])) } }))
    ortCase('Constant value_ints', () => ({ op: 'Constant', inputs: [], attrs: { value_ints: at.ints([3, -1, 4]) }, outputs: [I] }))
    ortCase('Constant value_float', () => ({ op: 'Constant', inputs: [], attrs: { value_float: at.f(0.125) } }))

    it('covers every op of STEP_GRAPH_OPS', () => {
      const missing = STEP_GRAPH_OPS.filter((op) => !covered.has(op))
      assert.deepEqual(missing, [], `ops without an ORT comparison: ${missing.join(', ')}`)
    })
  })

  describe('hand-computed cases', () => {
    it('computes in float64 whatever the declared type', () => {
      // 1 + 2⁻⁴⁰ is exact in float64 and rounds to 1 in float32.
      const [y] = run1({ op: 'Sub', inputs: [f64([1], [1 + 2 ** -40]), f64([1], [1])] })
      assert.equal(vals(y!)[0], 2 ** -40)
    })

    it('MaxPool ties: the first maximum in row-major window order, Indices over the whole tensor', () => {
      // 2 channels of 4×4, 2×2 windows with stride 2; every window is all ties in channel 0.
      const x = f64([1, 2, 4, 4], [
        5, 5, 1, 1,
        5, 5, 1, 1,
        0, 2, 3, 3,
        2, 0, 3, 0,
        //
        0, 1, 0, 0,
        1, 1, 0, 9,
        4, 0, 0, 0,
        0, 4, 0, 0
      ])
      const [y, idx] = run1({ op: 'MaxPool', inputs: [x], attrs: { kernel_shape: at.ints([2, 2]), strides: at.ints([2, 2]) }, outputs: [F, I] })
      assert.deepEqual(vals(y!), [5, 1, 2, 3, 1, 9, 4, 0])
      assert.deepEqual(vals(idx!), [0, 2, 9, 10, 16 + 1, 16 + 7, 16 + 8, 16 + 10])
    })

    it('MaxPool ceil_mode adds a partial window, drops one that starts in the end padding', () => {
      // 1-D, length 5, kernel 2, stride 2: floor → 2 windows, ceil → 3 (the last reads x[4] alone).
      const x = f64([1, 1, 5], [1, 7, 3, 2, 9])
      const [floor] = run1({ op: 'MaxPool', inputs: [x], attrs: { kernel_shape: at.ints([2]), strides: at.ints([2]) } })
      const [ceil] = run1({ op: 'MaxPool', inputs: [x], attrs: { kernel_shape: at.ints([2]), strides: at.ints([2]), ceil_mode: at.i(1) } })
      assert.deepEqual(vals(floor!), [7, 3])
      assert.deepEqual(vals(ceil!), [7, 3, 9])
      // length 4, pads 1/1, kernel 2, stride 2: (4+2−2)/2+1 = 3 in floor mode; ceil gives 3 too
      // (a 4th window would start at 6 ≥ 4+1, entirely in the end padding, and is dropped).
      const x4 = f64([1, 1, 4], [1, 7, 3, 2])
      const [c4] = run1({ op: 'MaxPool', inputs: [x4], attrs: { kernel_shape: at.ints([2]), strides: at.ints([2]), pads: at.ints([1, 1]), ceil_mode: at.i(1) } })
      assert.deepEqual(vals(c4!), [1, 7, 2])
    })

    it('AveragePool ceil_mode divides a partial window by the cells it covers', () => {
      const x = f64([1, 1, 5], [1, 7, 3, 2, 9])
      const [y] = run1({ op: 'AveragePool', inputs: [x], attrs: { kernel_shape: at.ints([2]), strides: at.ints([2]), ceil_mode: at.i(1) } })
      assert.deepEqual(vals(y!), [4, 2.5, 9])
      // pads 1/1 and count_include_pad: the pad cell counts, the cell past the pads does not.
      const [z] = run1({ op: 'AveragePool', inputs: [f64([1, 1, 4], [2, 4, 6, 8])], attrs: { kernel_shape: at.ints([3]), strides: at.ints([2]), pads: at.ints([1, 1]), ceil_mode: at.i(1), count_include_pad: at.i(1) } })
      assert.deepEqual(vals(z!), [6 / 3, 18 / 3, 8 / 2])
    })

    it('dilated Conv reads every d-th cell', () => {
      // 1-D, x = 0..6, w = [1, 10] dilated 3: y[i] = x[i] + 10·x[i+3]
      const [y] = run1({ op: 'Conv', inputs: [f64([1, 1, 7], [0, 1, 2, 3, 4, 5, 6]), f64([1, 1, 2], [1, 10])], attrs: { dilations: at.ints([3]) } })
      assert.deepEqual(vals(y!), [30, 41, 52, 63])
    })

    it('depthwise Conv keeps channels apart', () => {
      const x = f64([1, 2, 3], [1, 2, 3, 10, 20, 30])
      const [y] = run1({ op: 'Conv', inputs: [x, f64([2, 1, 2], [1, 1, 1, -1]), f64([2], [0, 0.5])], attrs: { group: at.i(2) } })
      assert.deepEqual(vals(y!), [3, 5, -9.5, -9.5])
    })

    it('ConvTranspose places kernels at stride, output_padding grows the end', () => {
      // 1-D, x = [1, 2], w = [1, 1, 1], stride 2: [1,1,1+2,2,2], output_padding 1 appends a zero; pads [1, 0] crop the first.
      const [y] = run1({ op: 'ConvTranspose', inputs: [f64([1, 1, 2], [1, 2]), f64([1, 1, 3], [1, 1, 1])], attrs: { strides: at.ints([2]), output_padding: at.ints([1]), pads: at.ints([1, 0]) } })
      assert.deepEqual(y!.dims, [1, 1, 5])
      assert.deepEqual(vals(y!), [1, 3, 2, 2, 0])
    })

    it('MaxUnpool puts values at their indices, zeros elsewhere', () => {
      const [y] = run1({ op: 'MaxUnpool', inputs: [f64([1, 1, 1, 2], [7, 8]), i64([1, 1, 1, 2], [2, 1])], attrs: { kernel_shape: at.ints([2, 2]), strides: at.ints([2, 2]) } })
      assert.deepEqual(y!.dims, [1, 1, 2, 4])
      assert.deepEqual(vals(y!), [0, 8, 7, 0, 0, 0, 0, 0])
    })

    it('Pad reflect and edge', () => {
      const x = f64([4], [1, 2, 3, 4])
      const [r] = run1({ op: 'Pad', inputs: [x, i64([2], [3, 2])], attrs: { mode: at.s('reflect') } })
      assert.deepEqual(vals(r!), [4, 3, 2, 1, 2, 3, 4, 3, 2])
      const [e] = run1({ op: 'Pad', inputs: [x, i64([2], [2, 1])], attrs: { mode: at.s('edge') } })
      assert.deepEqual(vals(e!), [1, 1, 1, 2, 3, 4, 4])
    })

    it('ScatterElements add sums repeated indices; none overwrites', () => {
      const [s] = run1({ op: 'ScatterElements', inputs: [f64([3], [1, 1, 1]), i64([4], [0, 2, 0, 0]), f64([4], [1, 2, 3, 4])], attrs: { reduction: at.s('add') } })
      assert.deepEqual(vals(s!), [9, 1, 3])
      const [n] = run1({ op: 'ScatterElements', inputs: [f64([2, 2], [0, 0, 0, 0]), i64([1, 2], [1, 0]), f64([1, 2], [5, 6])] })
      assert.deepEqual(vals(n!), [0, 6, 5, 0])
    })

    it('BatchNormalization training_mode: batch statistics and the ONNX running-stat update', () => {
      // one channel, x = [1, 3]: mean 2, population variance 1.
      const [y, rm, rv] = run1({
        op: 'BatchNormalization',
        inputs: [f64([2, 1], [1, 3]), f64([1], [2]), f64([1], [0.5]), f64([1], [10]), f64([1], [4])],
        attrs: { training_mode: at.i(1), epsilon: at.f(0), momentum: at.f(0.75) },
        outputs: [F, F, F]
      })
      assert.deepEqual(vals(y!), [-1.5, 2.5])
      assert.deepEqual(vals(rm!), [10 * 0.75 + 2 * 0.25])
      assert.deepEqual(vals(rv!), [4 * 0.75 + 1 * 0.25])
      // opts.training forces batch statistics on a node exported in inference mode
      const [t] = run1({ op: 'BatchNormalization', inputs: [f64([2, 1], [1, 3]), f64([1], [2]), f64([1], [0.5]), f64([1], [10]), f64([1], [4])], attrs: { epsilon: at.f(0) } }, { training: true })
      assert.deepEqual(vals(t!), [-1.5, 2.5])
    })

    it('Dropout in training applies the given mask and scales by 1/(1−ratio)', () => {
      const c: OneOp = { op: 'Dropout', inputs: [f64([4], [1, 2, 3, 4]), f64([], [0.75]), bool([], [1])], outputs: [F, B] }
      const [y, mask] = run1(c, { dropoutMasks: new Map([['node', f64([4], [1, 0, 0, 1])]]) })
      assert.deepEqual(vals(y!), [4, 0, 0, 16])
      assert.deepEqual(vals(mask!), [1, 0, 0, 1])
      assert.throws(() => run1(c), /dropoutMasks/)
    })

    it('refuses ops outside STEP_GRAPH_OPS and unfed inputs', () => {
      assert.throws(() => run1({ op: 'Cos', inputs: [f64([1], [0])] }), /STEP_GRAPH_OPS/)
      const bytes = onnxModelBytes({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }], inputs: [{ name: 'x', dims: [1] }], outputs: [{ name: 'y' }] })
      assert.throws(() => evaluate64(decodeModel(bytes), new Map()), /not fed/)
    })
  })
})
