// Gradient rules of the matrix products: Gemm (alpha, beta, transA/transB, C broadcast) and MatMul
// (batched, with broadcasting of the batch axes; operands of rank ≥ 2).
//   Gemm: Y = α·A'·B' + β·C with A' = transA ? Aᵀ : A, B' likewise.
//     dA' = α·dY·B'ᵀ, dB' = α·A'ᵀ·dY, dC = β·unbroadcast(dY); each written as one Gemm with the
//     transposes folded into its transA/transB flags (dA = dA'ᵀ when transA, etc.).
//   MatMul: dA = unbroadcast(dY·Bᵀ), dB = unbroadcast(Aᵀ·dY) with ᵀ over the last two axes.
import { attr } from '../../onnx/graph.js'
import { intAttr, floatAttr } from '../shapes.js'
import type { Attrs } from '../emit.js'
import { input, inputsWithOptionalBias, output0, type GradientRule } from './types.js'

function gemmAttrs (alpha: number, transA: boolean, transB: boolean): Attrs {
  const a: Attrs = {}
  if (alpha !== 1) a.alpha = attr.float(alpha)
  if (transA) a.transA = attr.int(1)
  if (transB) a.transB = attr.int(1)
  return a
}

export const gemm: GradientRule = {
  differentiable: inputsWithOptionalBias,
  backward (ctx, node, dy, needs) {
    const { e } = ctx
    const a = input(node, 0)
    const b = input(node, 1)
    const alpha = floatAttr(node, 'alpha', 1)
    const beta = floatAttr(node, 'beta', 1)
    const tA = intAttr(node, 'transA', 0) === 1
    const tB = intAttr(node, 'transB', 0) === 1
    const out: Array<string | undefined> = []
    if (needs[0] === true) {
      // dA' = α·dY·B'ᵀ ; dA = tA ? (dA')ᵀ = α·B'·dYᵀ : dA'
      out[0] = tA
        ? e.op('Gemm', [b, dy], gemmAttrs(alpha, tB, true))
        : e.op('Gemm', [dy, b], gemmAttrs(alpha, false, !tB))
    }
    if (needs[1] === true) {
      // dB' = α·A'ᵀ·dY ; dB = tB ? (dB')ᵀ = α·dYᵀ·A' : dB'
      out[1] = tB
        ? e.op('Gemm', [dy, a], gemmAttrs(alpha, true, tA))
        : e.op('Gemm', [a, dy], gemmAttrs(alpha, !tA, false))
    }
    if (needs[2] === true) {
      const c = input(node, 2)
      let dc = e.unbroadcast(dy, e.shape(output0(node)), e.shape(c))
      if (beta !== 1) dc = e.op('Mul', [dc, e.f32(beta)])
      out[2] = dc
    }
    return out
  }
}

/** Transpose of the last two axes. */
function swapLast (rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i)
  perm[rank - 2] = rank - 1
  perm[rank - 1] = rank - 2
  return perm
}

export const matmul: GradientRule = {
  differentiable: () => [0, 1],
  backward (ctx, node, dy, needs) {
    const { e } = ctx
    const a = input(node, 0)
    const b = input(node, 1)
    const ys = e.shape(output0(node))
    const out: Array<string | undefined> = []
    if (needs[0] === true) {
      const bT = e.op('Transpose', [b], { perm: attr.ints(swapLast(e.shape(b).length)) })
      const full = e.op('MatMul', [dy, bT])
      out[0] = e.unbroadcast(full, [...ys.slice(0, -2), ...e.shape(a).slice(-2)], e.shape(a))
    }
    if (needs[1] === true) {
      const aT = e.op('Transpose', [a], { perm: attr.ints(swapLast(e.shape(a).length)) })
      const full = e.op('MatMul', [aT, dy])
      out[1] = e.unbroadcast(full, [...ys.slice(0, -2), ...e.shape(b).slice(-2)], e.shape(b))
    }
    return out
  }
}
