// Small client models for the autodiff and graph-engine tests, written with GraphBuilder as a client's
// exporter would write them (weights as initializers, one data input with a symbolic batch), and
// helpers to run the derived graphs with onnxruntime-node.
import * as ort from 'onnxruntime-node'
import { GraphBuilder, attr } from '../../../peer/train/onnx/graph.js'
import { prngStream } from '../../../peer/train/prng.js'

/** Deterministic small weights. */
export function weights (seed: number, purpose: string, n: number, scale: number): Float32Array {
  const rng = prngStream(seed, purpose)
  return Float32Array.from({ length: n }, () => (rng.nextUnit() * 2 - 1) * scale)
}

/** MLP 6 → 5 (Gemm, transB) → Tanh → 4 (MatMul + Add broadcast) → Sigmoid-free logits. */
export function mlpModel (seed = 1): Uint8Array {
  const g = new GraphBuilder('mlp')
  const x = g.input('x', ['batch', 6])
  const w1 = g.floatConstant('w1', weights(seed, 'w1', 30, 0.5), [5, 6])
  const b1 = g.floatConstant('b1', weights(seed, 'b1', 5, 0.1), [5])
  const w2 = g.floatConstant('w2', weights(seed, 'w2', 20, 0.5), [5, 4])
  const b2 = g.floatConstant('b2', weights(seed, 'b2', 4, 0.1), [4])
  const h = g.op('Tanh', [g.op('Gemm', [x, w1, b1], { transB: attr.int(1) })])
  const s = g.op('Sigmoid', [g.op('Mul', [h, g.floatConstant('k', [1.5], [])])])
  g.op('Add', [g.op('MatMul', [s, w2]), b2], {}, 'logits')
  g.output('logits', ['batch', 4])
  return g.toModelBytes()
}

/** A small CNN on 1×8×8 inputs: Conv(pad 1) → Relu → MaxPool 2×2 → depthwise Conv → AveragePool → Flatten → Gemm. */
export function cnnModel (seed = 2, classes = 3): Uint8Array {
  const g = new GraphBuilder('cnn')
  const x = g.input('image', ['N', 1, 8, 8])
  const c1 = g.op('Conv', [x, g.floatConstant('conv1.w', weights(seed, 'c1', 4 * 9, 0.4), [4, 1, 3, 3]), g.floatConstant('conv1.b', weights(seed, 'c1b', 4, 0.1), [4])],
    { pads: attr.ints([1, 1, 1, 1]), kernel_shape: attr.ints([3, 3]) })
  const p1 = g.op('MaxPool', [g.op('Relu', [c1])], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) })
  const c2 = g.op('Conv', [p1, g.floatConstant('dw.w', weights(seed, 'dw', 4 * 9, 0.4), [4, 1, 3, 3])],
    { group: attr.int(4), pads: attr.ints([1, 1, 0, 0]) })
  const a = g.op('AveragePool', [g.op('LeakyRelu', [c2], { alpha: attr.float(0.1) })], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([1, 1]) })
  const f = g.op('Flatten', [a], { axis: attr.int(1) })
  g.op('Gemm', [f, g.floatConstant('fc.w', weights(seed, 'fc', classes * 16, 0.4), [classes, 16]), g.floatConstant('fc.b', weights(seed, 'fcb', classes, 0.1), [classes])], { transB: attr.int(1) }, 'logits')
  g.output('logits', ['N', classes])
  return g.toModelBytes()
}

export type Feeds = Record<string, ort.Tensor>

export async function session (bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' })
}

export const f32 = (data: Float32Array | number[], dims: number[]): ort.Tensor => new ort.Tensor('float32', data instanceof Float32Array ? data : Float32Array.from(data), dims)
export const i64 = (data: number[], dims: number[]): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(data.map(BigInt)), dims)

/**
 * Layout and normalisation ops: Pad → Conv → BatchNorm (training) → Relu → overlapping MaxPool 3×3/2
 * (indices + scatter path) → Transpose → Concat with itself scaled (Div, Sub) → GlobalAveragePool →
 * Flatten → Gemm → LogSoftmax (absorbed by the ce head).
 */
export function layoutModel (seed = 3): Uint8Array {
  const g = new GraphBuilder('layout')
  const x = g.input('x', ['N', 2, 6, 6])
  const padded = g.op('Pad', [x, g.int64Constant('pads', [0, 0, 1, 0, 0, 0, 0, 1], [8])], { mode: attr.string('constant') })
  const c = g.op('Conv', [padded, g.floatConstant('cw', weights(seed, 'cw', 3 * 2 * 9, 0.4), [3, 2, 3, 3]), g.floatConstant('cb', weights(seed, 'cb', 3, 0.1), [3])], { pads: attr.ints([1, 0, 1, 2]) })
  const bn = g.op('BatchNormalization', [c, g.floatConstant('bn.g', Float32Array.from([1, 1.2, 0.8]), [3]), g.floatConstant('bn.b', weights(seed, 'bnb', 3, 0.1), [3]),
    g.floatConstant('bn.mean', new Float32Array(3), [3]), g.floatConstant('bn.var', Float32Array.from([1, 1, 1]), [3])], { epsilon: attr.float(1e-5), momentum: attr.float(0.9) })
  const p = g.op('MaxPool', [g.op('Relu', [bn])], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) })
  const t = g.op('Transpose', [p], { perm: attr.ints([0, 1, 3, 2]) })
  const scaled = g.op('Sub', [g.op('Div', [t, g.floatConstant('d', weights(seed, 'd', 3, 0.2).map((v) => v + 1.5), [3, 1, 1])]), g.floatConstant('s', weights(seed, 's', 4, 0.3), [1, 4])])
  const cat = g.op('Concat', [t, scaled], { axis: attr.int(1) })
  const f = g.op('Flatten', [g.op('GlobalAveragePool', [cat])], { axis: attr.int(1) })
  const z = g.op('Gemm', [f, g.floatConstant('fw', weights(seed, 'fw', 6 * 3, 0.5), [6, 3])], {})
  g.op('LogSoftmax', [z], { axis: attr.int(1) }, 'logp')
  g.output('logp', ['N', 3])
  return g.toModelBytes()
}

/** Bias (zero) added to the input, then a max pool and a linear head: the input's ties decide the routing. */
export function poolTieModel (pool: { kernel: number; stride: number; pads: number }): Uint8Array {
  const g = new GraphBuilder('ties')
  const x = g.input('x', ['N', 1, 6, 6])
  const b = g.op('Add', [x, g.floatConstant('bias', new Float32Array(36), [1, 1, 6, 6])])
  const p = g.op('MaxPool', [b], { kernel_shape: attr.ints([pool.kernel, pool.kernel]), strides: attr.ints([pool.stride, pool.stride]), pads: attr.ints([pool.pads, pool.pads, pool.pads, pool.pads]) })
  const f = g.op('Flatten', [p], { axis: attr.int(1) })
  const o = Math.floor((6 + 2 * pool.pads - pool.kernel) / pool.stride) + 1
  g.op('MatMul', [f, g.floatConstant('w', weights(7, 'tiew', o * o * 2, 1), [o * o, 2])], {}, 'out')
  g.output('out', ['N', 2])
  return g.toModelBytes()
}
