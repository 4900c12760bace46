// Gradient rules of the pointwise activations and the (log-)softmax.
//   Relu:       dX = X > 0 ? dY : 0                 (PyTorch: the derivative at 0 is 0)
//   LeakyRelu:  dX = X > 0 ? dY : α·dY              (PyTorch's rule: x > 0)
//   Sigmoid:    dX = dY·Y·(1 − Y)
//   Tanh:       dX = dY·(1 − Y²)
//   Softmax:    dX = Y·(dY − Σ_axis dY·Y)           (opset ≥ 13: one axis, default −1)
//   LogSoftmax: dX = dY − exp(Y)·Σ_axis dY
import { floatAttr, intAttr } from '../shapes.js'
import { axisOf, input, output0, type GradientRule, type RuleContext } from './types.js'
import type { IrNode } from '../../onnx/ir.js'

export const relu: GradientRule = {
  differentiable: () => [0],
  backward (ctx, node, dy) {
    const { e } = ctx
    const positive = e.op('Greater', [input(node, 0), e.f32(0)])
    return [e.op('Where', [positive, dy, e.f32(0)])]
  }
}

export const leakyRelu: GradientRule = {
  differentiable: () => [0],
  backward (ctx, node, dy) {
    const { e } = ctx
    const alpha = floatAttr(node, 'alpha', 0.01)
    const positive = e.op('Greater', [input(node, 0), e.f32(0)])
    return [e.op('Where', [positive, dy, e.op('Mul', [dy, e.f32(alpha)])])]
  }
}

export const sigmoid: GradientRule = {
  differentiable: () => [0],
  backward (ctx, node, dy) {
    const { e } = ctx
    const y = output0(node)
    return [e.op('Mul', [e.op('Mul', [dy, y]), e.op('Sub', [e.f32(1), y])])]
  }
}

export const tanh: GradientRule = {
  differentiable: () => [0],
  backward (ctx, node, dy) {
    const { e } = ctx
    const y = output0(node)
    return [e.op('Mul', [dy, e.op('Sub', [e.f32(1), e.op('Mul', [y, y])])])]
  }
}

/** Softmax and LogSoftmax: the output y and the axis (normalised) they normalise over. */
function softmaxOutput (ctx: RuleContext, node: IrNode): { y: string, axis: number } {
  const y = output0(node)
  return { y, axis: axisOf(intAttr(node, 'axis', -1), ctx.e.shape(y).length) }
}

export const softmax: GradientRule = {
  differentiable: () => [0],
  backward (ctx, node, dy) {
    const { e } = ctx
    const { y, axis } = softmaxOutput(ctx, node)
    const dot = e.reduceSum(e.op('Mul', [dy, y]), [axis], true)
    return [e.op('Mul', [y, e.op('Sub', [dy, dot])])]
  }
}

export const logSoftmax: GradientRule = {
  differentiable: () => [0],
  backward (ctx, node, dy) {
    const { e } = ctx
    const { y, axis } = softmaxOutput(ctx, node)
    const total = e.reduceSum(dy, [axis], true)
    return [e.op('Sub', [dy, e.op('Mul', [e.op('Exp', [y]), total])])]
  }
}
