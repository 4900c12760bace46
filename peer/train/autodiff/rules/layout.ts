// Gradient rules of the ops that only move values: Flatten, Reshape, Transpose, Concat, Pad (constant
// mode), Identity, and Constant (no gradient).
//   Flatten/Reshape: dX = Reshape(dY, Shape(X))
//   Transpose:       dX = Transpose(dY, perm⁻¹)
//   Concat:          dXᵢ = Slice(dY) over Xᵢ's range on the axis
//   Pad (constant):  dX = Slice(dY) dropping the pads (negative pads, i.e. crops, are refused)
//   Identity:        dX = dY
import { attr } from '../../onnx/graph.js'
import { constantInts, intAttr, intsAttr, stringAttr } from '../shapes.js'
import { axisOf, input, type GradientRule } from './types.js'

export const reshapeLike: GradientRule = {
  differentiable: () => [0],
  backward (ctx, node, dy) {
    const { e } = ctx
    return [e.op('Reshape', [dy, e.op('Shape', [input(node, 0)])])]
  }
}

export const transpose: GradientRule = {
  differentiable: () => [0],
  backward (ctx, node, dy) {
    const rank = ctx.e.shape(input(node, 0)).length
    const perm = intsAttr(node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i)
    const inverse = new Array<number>(rank)
    perm.forEach((p, i) => { inverse[p] = i })
    return [ctx.e.op('Transpose', [dy], { perm: attr.ints(inverse) })]
  }
}

export const concat: GradientRule = {
  differentiable: (node) => node.inputs.map((_, i) => i),
  backward (ctx, node, dy, needs) {
    const { e } = ctx
    const rank = e.shape(input(node, 0)).length
    const axis = axisOf(intAttr(node, 'axis', 0), rank)
    let offset = 0
    return node.inputs.map((x, i) => {
      const size = e.shape(x)[axis]
      if (typeof size !== 'number') throw new Error(`${node.name} (Concat): concatenating along the batch is not supported`)
      const start = offset
      offset += size
      if (needs[i] !== true) return undefined
      return e.op('Slice', [dy, e.i64([start]), e.i64([start + size]), e.i64([axis])])
    })
  }
}

export const pad: GradientRule = {
  differentiable: () => [0],
  forward (ctx, node) {
    const mode = stringAttr(node, 'mode', 'constant')
    if (mode !== 'constant') throw new Error(`${node.name} (Pad): only constant mode is supported, got ${mode}`)
    ctx.e.g.opOutputs('Pad', node.inputs, { mode: attr.string('constant') }, node.outputs)
  },
  backward (ctx, node, dy) {
    const { e } = ctx
    const x = input(node, 0)
    const xs = e.shape(x)
    const pads = constantInts(ctx.constants, input(node, 1), `${node.name} (Pad)`)
    if (pads.some((p) => p < 0)) throw new Error(`${node.name} (Pad): negative pads (crops) are not supported`)
    const axes: number[] = []
    const starts: number[] = []
    const ends: number[] = []
    xs.forEach((d, i) => {
      const begin = pads[i] as number
      const end = pads[i + xs.length] as number
      if (begin === 0 && end === 0) return
      if (typeof d !== 'number') throw new Error(`${node.name} (Pad): padding the batch is not supported`)
      axes.push(i)
      starts.push(begin)
      ends.push(begin + d)
    })
    if (axes.length === 0) return [dy]
    return [e.op('Slice', [dy, e.i64(starts), e.i64(ends), e.i64(axes)])]
  }
}

export const identity: GradientRule = {
  differentiable: () => [0],
  backward: (_ctx, _node, dy) => [dy]
}

export const constant: GradientRule = {
  differentiable: () => [],
  backward: () => []
}
