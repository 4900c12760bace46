// Small client models for the autodiff and graph-engine tests, written with GraphBuilder as a client's
// exporter would write them (weights as initializers, one data input with a symbolic batch), and
// helpers to run the derived graphs with onnxruntime-node.
import * as ort from 'onnxruntime-node'
import { GraphBuilder, attr } from '../../peer/train/onnx/graph.js'
import { prngStream } from '../../peer/train/prng.js'

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
