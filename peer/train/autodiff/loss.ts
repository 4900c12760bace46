// The loss heads of the derived graphs and the gradient they seed the backward pass with.
//   ce:  labels int64 [N]; loss = −(1/N)·Σ_rows logp[row, label], logp = LogSoftmax(z) over axis 1;
//        ∂loss/∂z = (softmax(z) − onehot)/N; correct = #rows with argmax(output) = label.
//        When the model's output is already a Softmax or LogSoftmax over the class axis, z is that
//        node's INPUT: a LogSoftmax output is taken as log-probabilities (CE of log-probabilities is
//        their NLL, LogSoftmax being idempotent), a Softmax output as probabilities whose loss is
//        −log p[label] (PyTorch's NLLLoss(log(p))) computed stably from z; the gradient then enters
//        the graph at z and that last node takes no part in the backward pass.
//   mse: targets float32 of the output's shape; loss = mean over all elements of (out − y)²
//        (torch's MSELoss 'mean'); ∂loss/∂out = 2·(out − y)/numel; correct = 0.
// The evaluation graph's lossSum is Σ over rows of the per-row loss (for mse, the row's mean).
import { attr } from '../onnx/graph.js'
import type { IrModel, IrNode } from '../onnx/ir.js'
import { OnnxDataType } from '../onnx/proto.js'
import type { Emitter } from './emit.js'
import { intAttr, numel, type Shape } from './shapes.js'
import type { LossKind } from './types.js'

export interface LossHead {
  /** Mean loss (scalar) — step graph. */
  readonly loss: string
  /** Σ per-row loss (scalar) — evaluation graph. */
  readonly lossSum: string
  readonly correct: string
  /** Where the backward pass starts, and its gradient there. */
  readonly seed: { readonly value: string; readonly grad: string }
  /** The output node the loss absorbed (its backward is not emitted), if any. */
  readonly absorbed: IrNode | undefined
}

/** The model's last Softmax/LogSoftmax over the class axis of a [N, K] output, if it ends in one. */
export function absorbedSoftmax (model: IrModel, output: string, shape: Shape): IrNode | undefined {
  const producer = model.nodes.find((n) => n.outputs[0] === output)
  if (producer === undefined || (producer.opType !== 'Softmax' && producer.opType !== 'LogSoftmax')) return undefined
  const axis = intAttr(producer, 'axis', -1)
  if (shape.length !== 2 || (axis !== 1 && axis !== -1)) throw new Error(`${producer.name}: a ${producer.opType} output is supported for ce only over axis 1 of a [N, classes] output`)
  if (model.nodes.some((n) => n.inputs.includes(output))) throw new Error(`${producer.name}: the model's output is also read inside the graph`)
  return producer
}

export function emitLoss (e: Emitter, kind: LossKind, model: IrModel, output: string, y: string): LossHead {
  const shape = e.shape(output)
  if (kind === 'ce') {
    if (shape.length !== 2 || typeof shape[1] !== 'number') throw new Error(`ce loss needs a [N, classes] output, got [${shape.join(', ')}]`)
    const classes = shape[1]
    const absorbed = absorbedSoftmax(model, output, shape)
    const z = absorbed === undefined ? output : absorbed.inputs[0] as string
    const logp = e.op('LogSoftmax', [z], { axis: attr.int(1) })
    const hot = e.op('Equal', [e.op('Unsqueeze', [y, e.i64([1])]), e.i64(Array.from({ length: classes }, (_, i) => i))])
    const lossSum = e.op('Neg', [e.op('ReduceSum', [e.op('Where', [hot, logp, e.f32(0)])], { keepdims: attr.int(0) })])
    const loss = e.op('Div', [lossSum, e.rowsF32()])
    const predicted = e.op('ArgMax', [output], { axis: attr.int(1), keepdims: attr.int(0), select_last_index: attr.int(0) })
    const hits = e.op('Cast', [e.op('Equal', [predicted, y])], { to: attr.int(OnnxDataType.FLOAT) })
    const correct = e.op('ReduceSum', [hits], { keepdims: attr.int(0) })
    const hotF = e.op('Cast', [hot], { to: attr.int(OnnxDataType.FLOAT) })
    const grad = e.op('Div', [e.op('Sub', [e.op('Exp', [logp]), hotF]), e.rowsF32()])
    return { loss, lossSum, correct, seed: { value: z, grad }, absorbed }
  }
  const perRow = numel(shape.slice(1), `mse output ${output}`)
  const diff = e.op('Sub', [output, y])
  const squares = e.op('Mul', [diff, diff])
  const loss = e.op('ReduceMean', [squares], { keepdims: attr.int(0) })
  const lossSum = e.op('Div', [e.op('ReduceSum', [squares], { keepdims: attr.int(0) }), e.f32(perRow)])
  const count = e.op('Mul', [e.rowsF32(), e.f32(perRow)])
  const grad = e.op('Mul', [diff, e.op('Div', [e.f32(2), count])])
  const correct = e.op('Identity', [e.f32(0)])
  return { loss, lossSum, correct, seed: { value: output, grad }, absorbed: undefined }
}
