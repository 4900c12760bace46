// Gradient rules of the broadcasting arithmetic ops. Each input's gradient is summed back to that
// input's shape over the axes broadcasting added or stretched (Emitter.unbroadcast).
//   Add: dA = dY, dB = dY        Sub: dA = dY, dB = −dY
//   Mul: dA = dY·B, dB = dY·A    Div: dA = dY / B, dB = −dY·Y / B   (Y = A / B)
import { input, output0, type GradientRule, type RuleContext } from './types.js'
import type { IrNode } from '../../onnx/ir.js'

function binary (local: (ctx: RuleContext, node: IrNode, dy: string, i: 0 | 1) => string): GradientRule {
  return {
    differentiable: () => [0, 1],
    backward (ctx, node, dy, needs) {
      const ys = ctx.e.shape(output0(node))
      return [0, 1].map((i) => {
        if (needs[i] !== true) return undefined
        const g = local(ctx, node, dy, i as 0 | 1)
        return ctx.e.unbroadcast(g, ys, ctx.e.shape(input(node, i)))
      })
    }
  }
}

export const add = binary((_ctx, _node, dy) => dy)
export const sub = binary((ctx, _node, dy, i) => (i === 0 ? dy : ctx.e.op('Neg', [dy])))
export const mul = binary((ctx, node, dy, i) => ctx.e.op('Mul', [dy, input(node, 1 - i)]))
export const div = binary((ctx, node, dy, i) => {
  const b = input(node, 1)
  if (i === 0) return ctx.e.op('Div', [dy, b])
  return ctx.e.op('Neg', [ctx.e.op('Div', [ctx.e.op('Mul', [dy, output0(node)]), b])])
})
