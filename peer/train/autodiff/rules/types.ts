// What a gradient rule is: how a forward op is emitted into the derived graphs (training or evaluation
// mode) and how its inputs' gradients are built from its output's gradient, using only STEP_GRAPH_OPS.
// One file per family of ops (linear, elementwise, activations, conv, pool, layout, normalization,
// dropout); index.ts maps op types to rules.
import type { IrNode, IrTensor } from '../../onnx/ir.js'
import { copyAttributes, type Emitter } from '../emit.js'

export type Mode = 'train' | 'eval'

export interface RuleContext {
  readonly e: Emitter
  /** Initializers and Constant values of the client's graph (Reshape shapes, Pad pads, Dropout ratios). */
  readonly constants: ReadonlyMap<string, IrTensor>
  readonly mode: Mode
  /** Values a node's forward keeps for its backward (e.g. BatchNorm's x̂ and 1/σ), by node name. */
  readonly saved: Map<string, Record<string, string>>
  /** Training mode: the feed name of a Dropout node's mask. */
  readonly dropoutMask: (node: IrNode) => string
}

export interface GradientRule {
  /** Input slots whose gradient the rule can build (others are shapes, pads, ratios, buffers). */
  readonly differentiable: (node: IrNode) => readonly number[]
  /** Emit the forward computation, defining node.outputs[0] (default: copy the node unchanged). */
  readonly forward?: (ctx: RuleContext, node: IrNode) => void
  /**
   * Gradients of the inputs from the gradient `dy` of output 0; `needs[i]` says whether input i wants
   * one. Returns one entry per input (undefined where not needed).
   */
  readonly backward: (ctx: RuleContext, node: IrNode, dy: string, needs: readonly boolean[]) => ReadonlyArray<string | undefined>
}

/** Copy a node as the client wrote it (outputs keep their names). */
export function copyNode (ctx: RuleContext, node: IrNode, drop: readonly string[] = []): void {
  ctx.e.g.opOutputs(node.opType, node.inputs, copyAttributes(node, drop), node.outputs)
}

/** The node's input i, or throws naming the node. */
/** The differentiable inputs of an op taking (x, w[, bias]) (Conv, Gemm): the bias only when given. */
export function inputsWithOptionalBias (node: IrNode): number[] {
  return node.inputs.length > 2 && node.inputs[2] !== '' ? [0, 1, 2] : [0, 1]
}

export function input (node: IrNode, i: number): string {
  const v = node.inputs[i]
  if (v === undefined || v === '') throw new Error(`${node.name} (${node.opType}): input ${i} is missing`)
  return v
}

export function output0 (node: IrNode): string {
  return node.outputs[0] as string
}

/** Normalise a possibly negative axis. */
export function axisOf (axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis
}
