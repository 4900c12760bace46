// BatchNormalization in the derived graphs.
// Training mode (the step graph), from primitive ops, over the axes a = {0, 2, 3, …} of X [N, C, …]:
//   μ = mean_a(X),  σ²_b = mean_a((X − μ)²) (biased),  1/σ = 1/sqrt(σ²_b + ε),  x̂ = (X − μ)/σ,
//   Y = γ·x̂ + β;
//   running statistics as PyTorch updates them, with the node's ONNX momentum m (PyTorch's 0.1 is
//   exported as m = 0.9):  mean' = m·mean + (1 − m)·μ,  var' = m·var + (1 − m)·σ²_b·n/(n − 1)
//   (the UNBIASED batch variance, n = N·H·W counted at run time);
//   gradients:  dβ = Σ_a dY,  dγ = Σ_a dY·x̂,  dx̂ = dY·γ,
//               dX = (1/σ)·(dx̂ − mean_a(dx̂) − x̂·mean_a(dx̂·x̂)).
// Evaluation mode: the ONNX BatchNormalization op itself, with the running statistics.
import type { IrNode } from '../../onnx/ir.js'
import { copyAttributes } from '../emit.js'
import { floatAttr } from '../shapes.js'
import { input, type GradientRule, type RuleContext } from './types.js'

function geometry (ctx: RuleContext, node: IrNode): { axes: number[]; channels: number; perChannelShape: number[]; spatial: number } {
  const xs = ctx.e.shape(input(node, 0))
  if (xs.length < 2) throw new Error(`${node.name} (BatchNormalization): input must be [N, C, …]`)
  const channels = xs[1]
  if (typeof channels !== 'number') throw new Error(`${node.name} (BatchNormalization): channel count must be fixed`)
  const rest = xs.slice(2)
  const spatial = rest.reduce<number>((n, d) => n * (d as number), 1)
  return {
    axes: [0, ...rest.map((_, i) => i + 2)],
    channels,
    perChannelShape: [channels, ...rest.map(() => 1)],
    spatial
  }
}

function trainingForward (ctx: RuleContext, node: IrNode): void {
  const { e } = ctx
  const [x, scale, bias, runMean, runVar] = [0, 1, 2, 3, 4].map((i) => input(node, i)) as [string, string, string, string, string]
  const eps = floatAttr(node, 'epsilon', 1e-5)
  const momentum = floatAttr(node, 'momentum', 0.9)
  const { axes, channels, perChannelShape, spatial } = geometry(ctx, node)
  const toChannels = e.i64(perChannelShape)
  const flat = e.i64([channels])
  const mean = e.reduceMean(x, axes, true)
  const centered = e.op('Sub', [x, mean])
  const variance = e.reduceMean(e.op('Mul', [centered, centered]), axes, true)
  const invStd = e.op('Reciprocal', [e.op('Sqrt', [e.op('Add', [variance, e.f32(eps)])])])
  const xhat = e.op('Mul', [centered, invStd])
  const gamma = e.op('Reshape', [scale, toChannels])
  const beta = e.op('Reshape', [bias, toChannels])
  e.op('Add', [e.op('Mul', [xhat, gamma]), beta], {}, node.outputs[0])

  const n = spatial === 1 ? e.rowsF32() : e.op('Mul', [e.rowsF32(), e.f32(spatial)])
  const unbias = e.op('Div', [n, e.op('Sub', [n, e.f32(1)])])
  const keep = e.f32(momentum)
  const take = e.f32(1 - Math.fround(momentum))
  const newMean = e.op('Add', [e.op('Mul', [runMean, keep]), e.op('Mul', [e.op('Reshape', [mean, flat]), take])])
  const unbiased = e.op('Mul', [e.op('Reshape', [variance, flat]), unbias])
  const newVar = e.op('Add', [e.op('Mul', [runVar, keep]), e.op('Mul', [unbiased, take])])
  // The node's optional outputs (running mean/var of a training-mode export) name the updated stats.
  if ((node.outputs[1] ?? '') !== '') e.op('Identity', [newMean], {}, node.outputs[1])
  if ((node.outputs[2] ?? '') !== '') e.op('Identity', [newVar], {}, node.outputs[2])
  ctx.saved.set(node.name, { xhat, invStd, gamma, newMean, newVar })
}

export const batchNormalization: GradientRule = {
  differentiable: () => [0, 1, 2],
  forward (ctx, node) {
    if (ctx.mode === 'train') {
      trainingForward(ctx, node)
      return
    }
    ctx.e.g.opOutputs('BatchNormalization', node.inputs.slice(0, 5), copyAttributes(node, ['training_mode']), [node.outputs[0] as string])
  },
  backward (ctx, node, dy, needs) {
    const { e } = ctx
    const saved = ctx.saved.get(node.name)
    if (saved === undefined) throw new Error(`${node.name} (BatchNormalization): no saved forward values`)
    const { xhat, invStd, gamma } = saved as { xhat: string; invStd: string; gamma: string }
    const { axes } = geometry(ctx, node)
    const out: Array<string | undefined> = []
    if (needs[2] === true) out[2] = e.reduceSum(dy, axes, false)
    if (needs[1] === true) out[1] = e.reduceSum(e.op('Mul', [dy, xhat]), axes, false)
    if (needs[0] === true) {
      const dxhat = e.op('Mul', [dy, gamma])
      const meanD = e.reduceMean(dxhat, axes, true)
      const meanDX = e.reduceMean(e.op('Mul', [dxhat, xhat]), axes, true)
      out[0] = e.op('Mul', [invStd, e.op('Sub', [e.op('Sub', [dxhat, meanD]), e.op('Mul', [xhat, meanDX])])])
    }
    return out
  }
}

/** Input slots of BatchNormalization holding buffers (running mean and variance). */
export const BATCHNORM_BUFFER_SLOTS = [3, 4] as const
