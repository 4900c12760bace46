// Dropout in the derived graphs. Training mode: Y = X · (mask · 1/(1 − ratio)), the mask a float32 0/1
// graph input of X's shape (one per Dropout node, drawn by the engine from the job's seed), the ratio
// from the node's constant input (default 0.5); dX = dY · (mask · 1/(1 − ratio)). Evaluation mode:
// Identity. The node's training_mode input is not read: the step graph always trains.
import { constantFloat } from '../shapes.js'
import { input, output0, type GradientRule } from './types.js'
import type { IrNode, IrTensor } from '../../onnx/ir.js'

export function dropoutRatio (node: IrNode, constants: ReadonlyMap<string, IrTensor>): number {
  const ratioName = node.inputs[1]
  const ratio = ratioName === undefined || ratioName === '' ? 0.5 : constantFloat(constants, ratioName, `${node.name} (Dropout)`)
  if (!(ratio >= 0 && ratio < 1)) throw new Error(`${node.name} (Dropout): ratio ${ratio} must be in [0, 1)`)
  return ratio
}

export const dropout: GradientRule = {
  differentiable: () => [0],
  forward (ctx, node) {
    const { e } = ctx
    const x = input(node, 0)
    if (ctx.mode === 'eval') {
      e.op('Identity', [x], {}, output0(node))
      return
    }
    const ratio = dropoutRatio(node, ctx.constants)
    const keep = e.op('Mul', [ctx.dropoutMask(node), e.f32(1 / (1 - ratio))])
    e.op('Mul', [x, keep], {}, output0(node))
    ctx.saved.set(node.name, { keep })
  },
  backward (ctx, node, dy) {
    const keep = ctx.saved.get(node.name)?.keep
    if (keep === undefined) throw new Error(`${node.name} (Dropout): no saved mask`)
    return [ctx.e.op('Mul', [dy, keep])]
  }
}
