// Gradient rules of pooling: MaxPool 2-D, AveragePool 2-D, GlobalAveragePool.
//
// MaxPool routes each output's gradient to the FIRST maximum of its window in row-major window order
// (PyTorch's tie rule: `val > max` while scanning kh then kw; ties are common, e.g. MNIST's zero
// background). In the step graph the forward MaxPool also returns Indices (ORT scans with a strict
// `>`, so each index is the window's first maximum); then
//   • non-overlapping windows (stride ≥ dilated kernel, e.g. 2×2/2): dX = MaxUnpool(dY, Indices,
//     Shape(X)) — no scatter;
//   • overlapping windows: several may pick the same input, so dY is summed by ScatterElements
//     (reduction 'add') into zeros of X's size.
// Measured on the fixture CNN (two 2×2/2 pools, batch 64, one thread, onnxruntime-node 1.30): the
// Indices + MaxUnpool graph runs 137–149 steps/s against 90–107 for an Indices-free construction
// (plain MaxPool, windows reshaped to [N,C,oH,oW,4], ArgMax for the first maximum, a one-hot Where and
// the reverse reshape), so the Indices output is the faster correct choice here; both passed the
// PyTorch parity traces. The evaluation graph keeps the plain MaxPool.
// AveragePool: dX = ConvTranspose(dY / divisor, ones[C,1,kh,kw], group C) with the forward's strides
// and pads; the divisor is kh·kw (count_include_pad = 1, or no padding) or, per output position, the
// number of unpadded input cells its window covers (count_include_pad = 0).
// GlobalAveragePool: dX = Expand(dY, shape of X) / (H·W).
import { attr } from '../../onnx/graph.js'
import { intAttr, intsAttr, window2d, type Window2d } from '../shapes.js'
import { copyNode, input, output0, type GradientRule, type RuleContext } from './types.js'
import type { IrNode } from '../../onnx/ir.js'

function maxPoolWindow (ctx: RuleContext, node: IrNode): Window2d {
  const kernel = intsAttr(node, 'kernel_shape')
  if (kernel === undefined) throw new Error(`${node.name} (MaxPool): kernel_shape is required`)
  return window2d(node, ctx.e.shape(input(node, 0)), kernel)
}

export const maxPool: GradientRule = {
  differentiable: () => [0],
  forward (ctx, node) {
    if (node.outputs.length > 1 && node.outputs[1] !== '') throw new Error(`${node.name} (MaxPool): a model that uses MaxPool's Indices output is not supported`)
    if (intAttr(node, 'storage_order', 0) !== 0) throw new Error(`${node.name} (MaxPool): storage_order 1 is not supported`)
    if (ctx.mode === 'eval') {
      copyNode(ctx, node)
      return
    }
    const indices = ctx.e.fresh('maxpool_indices')
    ctx.e.g.opOutputs('MaxPool', [input(node, 0)], attrsOf(node), [output0(node), indices])
    ctx.saved.set(node.name, { indices })
  },
  backward (ctx, node, dy) {
    const { e } = ctx
    const win = maxPoolWindow(ctx, node)
    const indices = ctx.saved.get(node.name)?.indices
    if (indices === undefined) throw new Error(`${node.name} (MaxPool): forward kept no indices`)
    const x = input(node, 0)
    const xShape = e.op('Shape', [x])
    const overlapping = [0, 1].some((i) => win.strides[i]! < (win.kernel[i]! - 1) * win.dilations[i]! + 1)
    if (!overlapping) {
      return [e.op('MaxUnpool', [dy, indices, xShape], { kernel_shape: attr.ints(win.kernel), strides: attr.ints(win.strides), pads: attr.ints(win.pads) })]
    }
    // Overlapping windows: several may pick the same input, so the gradient is summed by a scatter.
    const flat = e.i64([-1])
    const zeros = e.op('Reshape', [e.op('ConstantOfShape', [xShape]), flat])
    const summed = e.op('ScatterElements', [zeros, e.op('Reshape', [indices, flat]), e.op('Reshape', [dy, flat])], { axis: attr.int(0), reduction: attr.string('add') })
    return [e.op('Reshape', [summed, xShape])]
  }
}

export const averagePool: GradientRule = {
  differentiable: () => [0],
  backward (ctx, node, dy) {
    const { e } = ctx
    const x = input(node, 0)
    const kernel = intsAttr(node, 'kernel_shape')
    if (kernel === undefined) throw new Error(`${node.name} (AveragePool): kernel_shape is required`)
    const win = window2d(node, e.shape(x), kernel)
    if (win.ceilMode) {
      const floor = window2d({ ...node, attributes: new Map([...node.attributes].filter(([k]) => k !== 'ceil_mode')) }, e.shape(x), kernel)
      if (floor.output[0] !== win.output[0] || floor.output[1] !== win.output[1]) throw new Error(`${node.name} (AveragePool): ceil_mode windows that run past the input are not supported`)
    }
    const C = e.shape(x)[1] as number
    const [kh, kw] = win.kernel
    const [oH, oW] = win.output
    const includePad = intAttr(node, 'count_include_pad', 0) === 1
    let scaled: string
    if (includePad || win.pads.every((p) => p === 0)) {
      scaled = e.op('Div', [dy, e.f32(kh * kw)])
    } else {
      const counts = new Float32Array(oH * oW)
      const covered = (o: number, i: 0 | 1): number => {
        const start = o * win.strides[i] - win.pads[i]
        const end = start + win.kernel[i]
        return Math.min(end, win.input[i]) - Math.max(start, 0)
      }
      for (let r = 0; r < oH; r++) for (let c = 0; c < oW; c++) counts[r * oW + c] = covered(r, 0) * covered(c, 1)
      scaled = e.op('Div', [dy, e.f32Tensor('avgpool_counts', counts, [oH, oW])])
    }
    const ones = e.f32Tensor('avgpool_ones', new Float32Array(C * kh * kw).fill(1), [C, 1, kh, kw])
    const outputPadding = [0, 1].map((i) => win.input[i]! - (win.strides[i]! * (win.output[i]! - 1) + win.kernel[i]! - win.pads[i]! - win.pads[i + 2]!))
    return [e.op('ConvTranspose', [scaled, ones], {
      strides: attr.ints(win.strides),
      pads: attr.ints(win.pads),
      group: attr.int(C),
      kernel_shape: attr.ints(win.kernel),
      ...(outputPadding.some((p) => p !== 0) ? { output_padding: attr.ints(outputPadding) } : {})
    })]
  }
}

export const globalAveragePool: GradientRule = {
  differentiable: () => [0],
  backward (ctx, node, dy) {
    const { e } = ctx
    const x = input(node, 0)
    const spatial = e.shape(x).slice(2).reduce<number>((n, d) => n * (d as number), 1)
    return [e.op('Div', [e.op('Expand', [dy, e.op('Shape', [x])]), e.f32(spatial)])]
  }
}

function attrsOf (node: IrNode): Record<string, ReturnType<typeof attr.int>> {
  const out: Record<string, ReturnType<typeof attr.int>> = {}
  for (const [name, a] of node.attributes) {
    if (a.kind === 'int') out[name] = attr.int(a.value)
    else if (a.kind === 'ints') out[name] = attr.ints(a.value)
    else if (a.kind === 'string') out[name] = attr.string(a.value)
    else throw new Error(`${node.name} (${node.opType}): unexpected attribute ${name}`)
  }
  return out
}
