// Gradient rule of 2-D convolution (strides, pads, dilations, auto_pad resolved to explicit pads,
// any group count: group 1, depthwise and grouped). X [N,C,H,W], W [M,C/g,kH,kW], Y [N,M,oH,oW].
//   dB = Σ_{N,oH,oW} dY
//   dX = ConvTranspose(dY, W) with the forward's strides, dilations, pads and group, and an
//        output_padding that makes the result exactly H×W (rows the forward's floor dropped get 0).
//   dW, group 1: one GEMM over unfolded patches (im2col): for each kernel offset (kh, kw) the
//        strided Slice of the padded X that the forward multiplied by W[:, :, kh, kw], stacked to
//        Xcol [C·kH·kW, N·oH·oW]; dY as [M, N·oH·oW]; dW = Gemm(dY, Xcol, transB) as [M, C, kH, kW].
//        Measured 1.5–2.3× faster than the Conv form below on the fixture CNN's layers (a Conv whose
//        "kernel" is the whole oH×oW map leaves MLAS a GEMM 9 columns wide); scripts/bench/byom.ts.
//   dW, other groups = the correlation of X with dY: a Conv that runs over the batch as its channel axis,
//        X' = [C/g, g·N, H, W] (per group, the batch laid out as input channels), dY' = [M, N, oH, oW]
//        as the kernel, group g, stride = the forward's dilation, dilation = the forward's stride, the
//        forward's pads; its [C/g, M, kH', kW'] result is cropped to kH×kW (kH' > kH when the forward's
//        last window left rows unread) and transposed to [M, C/g, kH, kW]. 
import { attr } from '../../onnx/graph.js'
import { intAttr, window2d } from '../shapes.js'
import { input, inputsWithOptionalBias, type GradientRule } from './types.js'

export const conv: GradientRule = {
  differentiable: inputsWithOptionalBias,
  backward (ctx, node, dy, needs) {
    const { e } = ctx
    const x = input(node, 0)
    const xs = e.shape(x)
    const w = input(node, 1)
    const ws = e.shape(w)
    const kernel = ws.slice(2) as number[]
    const win = window2d(node, xs, kernel)
    const group = intAttr(node, 'group', 1)
    const [C, H, W] = [xs[1] as number, win.input[0], win.input[1]]
    const [M, Cg] = [ws[0] as number, ws[1] as number]
    const [oH, oW] = win.output
    const out: Array<string | undefined> = []
    if (needs[2] === true) out[2] = e.reduceSum(dy, [0, 2, 3], false)
    if (needs[0] === true) {
      const outputPadding = [0, 1].map((i) => {
        const produced = win.strides[i]! * (win.output[i]! - 1) + (win.kernel[i]! - 1) * win.dilations[i]! + 1 - win.pads[i]! - win.pads[i + 2]!
        return win.input[i]! - produced
      })
      const attrs = {
        strides: attr.ints(win.strides),
        dilations: attr.ints(win.dilations),
        pads: attr.ints(win.pads),
        group: attr.int(group),
        kernel_shape: attr.ints(win.kernel),
        ...(outputPadding.some((p) => p !== 0) ? { output_padding: attr.ints(outputPadding) } : {})
      }
      out[0] = e.op('ConvTranspose', [dy, w], attrs)
    }
    if (needs[1] === true && group === 1) {
      const [kH, kW] = win.kernel as [number, number]
      const [pt, pl, pb, pr] = win.pads as [number, number, number, number]
      // X with its first two axes swapped once ([C, N, H, W]), so that the stacked patches are
      // already Xcol's layout and no patch-sized tensor is transposed.
      const xt = e.op('Transpose', [x], { perm: attr.ints([1, 0, 2, 3]) })
      const xp = pt + pl + pb + pr === 0 ? xt : e.op('Pad', [xt, e.i64([0, 0, pt, pl, 0, 0, pb, pr])])
      const patches: string[] = []
      const axes = e.i64([2, 3])
      const steps = e.i64(win.strides)
      const at1 = e.i64([1])
      for (let kh = 0; kh < kH; kh++) {
        for (let kw = 0; kw < kW; kw++) {
          const start = [kh * win.dilations[0]!, kw * win.dilations[1]!]
          const end = [start[0]! + (oH - 1) * win.strides[0]! + 1, start[1]! + (oW - 1) * win.strides[1]! + 1]
          patches.push(e.op('Unsqueeze', [e.op('Slice', [xp, e.i64(start), e.i64(end), axes, steps]), at1]))
        }
      }
      const stacked = patches.length === 1 ? patches[0]! : e.op('Concat', patches, { axis: attr.int(1) }) // [C, kH·kW, N, oH, oW]
      const xcol = e.op('Reshape', [stacked, e.i64([C * kH * kW, -1])])
      const dym = e.op('Reshape', [e.op('Transpose', [dy], { perm: attr.ints([1, 0, 2, 3]) }), e.i64([M, -1])])
      out[1] = e.op('Reshape', [e.op('Gemm', [dym, xcol], { transB: attr.int(1) }), e.i64([M, C, kH, kW])])
    } else if (needs[1] === true) {
      const Mg = M / group
      if (C !== Cg * group || !Number.isInteger(Mg)) throw new Error(`${node.name} (Conv): channels ${C}/${M} do not split into ${group} groups`)
      const x5 = e.op('Reshape', [x, e.i64([0, group, Cg, H, W])])
      const xr = e.op('Reshape', [e.op('Transpose', [x5], { perm: attr.ints([2, 1, 0, 3, 4]) }), e.i64([Cg, -1, H, W])])
      const dy5 = e.op('Reshape', [dy, e.i64([0, group, Mg, oH, oW])])
      const dyr = e.op('Reshape', [e.op('Transpose', [dy5], { perm: attr.ints([1, 2, 0, 3, 4]) }), e.i64([M, -1, oH, oW])])
      let dw = e.op('Conv', [xr, dyr], {
        strides: attr.ints(win.dilations),
        dilations: attr.ints(win.strides),
        pads: attr.ints(win.pads),
        group: attr.int(group),
        kernel_shape: attr.ints([oH, oW])
      })
      const produced = [0, 1].map((i) => Math.floor((win.input[i]! + win.pads[i]! + win.pads[i + 2]! - ((win.output[i]! - 1) * win.strides[i]! + 1)) / win.dilations[i]!) + 1)
      if (produced[0]! < kernel[0]! || produced[1]! < kernel[1]!) throw new Error(`${node.name} (Conv): weight-gradient geometry ${produced.join('×')} smaller than the kernel`)
      if (produced[0] !== kernel[0] || produced[1] !== kernel[1]) {
        dw = e.op('Slice', [dw, e.i64([0, 0]), e.i64(kernel), e.i64([2, 3])])
      }
      out[1] = e.op('Transpose', [dw], { perm: attr.ints([1, 0, 2, 3]) })
    }
    return out
  }
}
