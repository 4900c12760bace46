// Reverse-mode automatic differentiation of a client's ONNX model into ONE training-step graph (and
// its evaluation graph), written in ONNX itself so that any ONNX runtime executes a step with one
// run() and holds no hidden state.
//
// Why our own: no JavaScript library differentiates ONNX graphs (onnxruntime-web's training API ended
// at 1.19 and needed artifacts generated in Python), and a verifier must be able to rebuild the exact
// step graph from the client's bytes and the recipe: `hash` names it.
//
// The step graph, in order:
//   1. the client's forward graph in TRAINING mode (BatchNormalization on batch statistics with its
//      running statistics updated, Dropout with mask feeds), each node emitted by its rule (rules/);
//   2. the loss head (loss.ts) on the model's output;
//   3. the backward pass: nodes in reverse order, each rule turning its output's gradient into its
//      inputs' gradients (only for values a trainable tensor reaches), contributions to one value
//      summed with Add;
//   4. the optimizer update of every trainable tensor (optimizer.ts), hyper-parameters as feeds;
//   5. outputs: StepOutputs.next(name) for every state tensor (initializers in file order, then the
//      optimizer slots), StepOutputs.loss and StepOutputs.correct.
// State tensors are the model's float initializers that feed a differentiable input (trainable) or a
// BatchNormalization running statistic (buffers); every other initializer (Reshape shapes, Pad pads,
// Dropout ratios, …) is baked into the graphs as a constant. Only STEP_GRAPH_OPS appear in the output.
import { createHash } from 'node:crypto'
import { GraphBuilder, type Dim as GraphDim } from '../onnx/graph.js'
import { DataType, type IrModel, type IrNode, type IrTensor } from '../onnx/ir.js'
import { OnnxDataType } from '../onnx/proto.js'
import { Emitter, copyAttributes } from './emit.js'
import { emitLoss } from './loss.js'
import { OptimizerEmitter, slotNames } from './optimizer.js'
import { BATCHNORM_BUFFER_SLOTS, RULES, dropoutRatio, type Mode, type RuleContext } from './rules/index.js'
import { scalarFeedNames } from './schedule.js'
import { constantTensors, inferShapes, type Dim } from './shapes.js'
import { MAX_OPSET, MIN_OPSET, STEP_GRAPH_OPS, isSupportedOp } from './supported.js'
import { StepFeeds, StepOutputs, type DropoutSite, type StateTensorInfo, type StepGraph, type StepGraphRecipe } from './types.js'

export class UnsupportedModelError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'UnsupportedModelError'
  }
}

/** Feed name of a Dropout node's mask. */
export const dropoutMaskFeed = (node: string): string => `cyx_dropout_mask/${node}`

const graphDims = (shape: readonly Dim[]): GraphDim[] => shape.map((d) => d)

interface Analysis {
  readonly shapes: Map<string, Dim[]>
  readonly constants: Map<string, IrTensor>
  readonly state: StateTensorInfo[]
  readonly trainable: Set<string>
  readonly buffers: Set<string>
  readonly baked: IrTensor[]
  readonly input: string
  readonly output: string
}

function validate (model: IrModel): void {
  if (model.opset < MIN_OPSET || model.opset > MAX_OPSET) throw new UnsupportedModelError(`the model uses opset ${model.opset}; export with opset ${MIN_OPSET}–${MAX_OPSET} (torch.onnx.export(..., opset_version=17))`)
  if (model.otherDomains.length > 0) throw new UnsupportedModelError(`the model imports other operator domains (${model.otherDomains.join(', ')}); only the default ONNX domain is supported`)
  const unsupported = [...new Set(model.nodes.filter((n) => !isSupportedOp(n.opType, n.domain)).map((n) => n.opType))]
  if (unsupported.length > 0) throw new UnsupportedModelError(`unsupported ops: ${unsupported.join(', ')}`)
  if (model.inputs.length !== 1) throw new UnsupportedModelError(`the model must have exactly one data input, it has ${model.inputs.length}`)
  if (model.outputs.length < 1) throw new UnsupportedModelError('the model has no output')
  for (const n of model.nodes) {
    const consumed = (name: string): boolean => model.nodes.some((m) => m.inputs.includes(name)) || model.outputs.some((o) => o.name === name)
    if (n.opType === 'Dropout' && (n.outputs[1] ?? '') !== '' && consumed(n.outputs[1] as string)) throw new UnsupportedModelError(`${n.name}: a model that reads Dropout's mask output is not supported`)
  }
}

function analyse (model: IrModel): Analysis {
  validate(model)
  const shapes = inferShapes(model)
  const constants = constantTensors(model)
  const diffUse = new Set<string>()
  const bufferUse = new Set<string>()
  for (const node of model.nodes) {
    const rule = RULES[node.opType as keyof typeof RULES]
    for (const i of rule.differentiable(node)) diffUse.add(node.inputs[i] ?? '')
    if (node.opType === 'BatchNormalization') for (const i of BATCHNORM_BUFFER_SLOTS) bufferUse.add(node.inputs[i] ?? '')
  }
  const state: StateTensorInfo[] = []
  const baked: IrTensor[] = []
  const trainable = new Set<string>()
  const buffers = new Set<string>()
  for (const t of model.initializers) {
    const inDiff = diffUse.has(t.name)
    const inBuffer = bufferUse.has(t.name)
    if (!inDiff && !inBuffer) {
      baked.push(t)
      continue
    }
    if (t.dataType !== DataType.FLOAT) throw new UnsupportedModelError(`initializer ${t.name}: only float32 weights can be trained (element type ${t.dataType})`)
    if (inDiff && inBuffer) throw new UnsupportedModelError(`initializer ${t.name} is both a BatchNormalization running statistic and a weight`)
    state.push({ name: t.name, dims: [...t.dims], trainable: inDiff })
    ;(inDiff ? trainable : buffers).add(t.name)
  }
  const updaters = new Map<string, number>()
  for (const node of model.nodes) {
    if (node.opType !== 'BatchNormalization') continue
    for (const i of BATCHNORM_BUFFER_SLOTS) {
      const b = node.inputs[i] as string
      if (!buffers.has(b)) throw new UnsupportedModelError(`${node.name}: running statistic ${b} must be a float initializer`)
      updaters.set(b, (updaters.get(b) ?? 0) + 1)
    }
  }
  for (const [b, n] of updaters) if (n > 1) throw new UnsupportedModelError(`running statistic ${b} is shared by ${n} BatchNormalization nodes`)
  return { shapes, constants, state, trainable, buffers, baked, input: (model.inputs[0] as { name: string }).name, output: (model.outputs[0] as { name: string }).name }
}

/** Emit the forward graph in the given mode; returns the rule context (saved values for the backward). */
function emitForward (e: Emitter, model: IrModel, a: Analysis, mode: Mode): RuleContext {
  const ctx: RuleContext = {
    e,
    constants: a.constants,
    mode,
    saved: new Map(),
    dropoutMask: (node) => dropoutMaskFeed(node.name)
  }
  for (const t of a.baked) e.constantFrom(t, t.name)
  e.op('Identity', [StepFeeds.x], {}, a.input)
  for (const node of model.nodes) {
    const rule = RULES[node.opType as keyof typeof RULES]
    if (rule.forward) rule.forward(ctx, node)
    else e.g.opOutputs(node.opType, node.inputs, copyAttributes(node), node.outputs)
  }
  return ctx
}

function dropoutSites (model: IrModel, a: Analysis): DropoutSite[] {
  return model.nodes.filter((n) => n.opType === 'Dropout').map((n) => ({
    node: n.name,
    maskInput: dropoutMaskFeed(n.name),
    ratio: dropoutRatio(n, a.constants),
    shape: a.shapes.get(n.inputs[0] as string) as Dim[]
  }))
}

function declareCommonInputs (g: GraphBuilder, a: Analysis, recipe: StepGraphRecipe): void {
  for (const s of a.state) g.input(s.name, s.dims)
  const inputShape = a.shapes.get(a.input) as Dim[]
  g.input(StepFeeds.x, graphDims(inputShape))
  const outShape = a.shapes.get(a.output) as Dim[]
  if (recipe.loss === 'ce') g.input(StepFeeds.y, ['N'], OnnxDataType.INT64)
  else g.input(StepFeeds.y, graphDims(outShape))
}

/** Values a trainable tensor reaches through differentiable inputs. */
function requiringGrad (model: IrModel, a: Analysis): Set<string> {
  const live = new Set(a.trainable)
  for (const node of model.nodes) {
    const rule = RULES[node.opType as keyof typeof RULES]
    if (rule.differentiable(node).some((i) => live.has(node.inputs[i] ?? ''))) live.add(node.outputs[0] as string)
  }
  return live
}

/** Backward pass: gradients of the trainable tensors by name. */
function emitBackward (ctx: RuleContext, model: IrModel, a: Analysis, seed: { value: string; grad: string }, absorbed: IrNode | undefined): Map<string, string> {
  const { e } = ctx
  const live = requiringGrad(model, a)
  const grads = new Map<string, string>()
  const accumulate = (name: string, g: string): void => {
    const prev = grads.get(name)
    grads.set(name, prev === undefined ? g : e.op('Add', [prev, g]))
  }
  if (live.has(seed.value)) accumulate(seed.value, seed.grad)
  for (let k = model.nodes.length - 1; k >= 0; k--) {
    const node = model.nodes[k] as IrNode
    if (node === absorbed) continue
    const dy = grads.get(node.outputs[0] as string)
    if (dy === undefined) continue
    const rule = RULES[node.opType as keyof typeof RULES]
    const diff = rule.differentiable(node)
    const needs = node.inputs.map((name, i) => diff.includes(i) && live.has(name))
    if (!needs.some(Boolean)) continue
    const out = rule.backward(ctx, node, dy, needs)
    needs.forEach((need, i) => {
      if (!need) return
      const g = out[i]
      if (g === undefined) throw new Error(`${node.name} (${node.opType}): the rule built no gradient for input ${i}`)
      accumulate(node.inputs[i] as string, g)
    })
  }
  return grads
}

function sha256Hex (bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

function assertStepOps (g: GraphBuilder): void {
  const bad = g.opTypes().filter((op) => !(STEP_GRAPH_OPS as readonly string[]).includes(op))
  if (bad.length > 0) throw new Error(`autodiff emitted ops outside STEP_GRAPH_OPS: ${bad.join(', ')}`)
}

function buildStep (model: IrModel, a: Analysis, recipe: StepGraphRecipe, modelHash: string): { bytes: Uint8Array; slots: StateTensorInfo[]; dropouts: DropoutSite[] } {
  const g = new GraphBuilder('cyxwiz_step')
  declareCommonInputs(g, a, recipe)
  const slots: StateTensorInfo[] = []
  const trainable = a.state.filter((s) => s.trainable)
  const families = recipe.optimizer === 'sgd' ? 1 : 2
  for (let f = 0; f < families; f++) {
    for (const s of trainable) slots.push({ name: slotNames(recipe.optimizer, s.name)[f] as string, dims: s.dims, trainable: false })
  }
  for (const s of slots) g.input(s.name, s.dims)
  for (const name of scalarFeedNames(recipe.optimizer)) g.input(name, [])
  const dropouts = dropoutSites(model, a)
  for (const d of dropouts) g.input(d.maskInput, graphDims(d.shape as Dim[]))

  const e = new Emitter(g, a.shapes, StepFeeds.x)
  const ctx = emitForward(e, model, a, 'train')
  const head = emitLoss(e, recipe.loss, model, a.output, StepFeeds.y)
  e.op('Identity', [head.loss], {}, StepOutputs.loss)
  e.op('Identity', [head.correct], {}, StepOutputs.correct)
  const grads = emitBackward(ctx, model, a, head.seed, head.absorbed)

  const opt = new OptimizerEmitter(e, recipe.optimizer)
  for (const s of trainable) {
    const grad = grads.get(s.name)
    if (grad === undefined) opt.passThrough(s.name, StepOutputs.next)
    else opt.update(s.name, grad, StepOutputs.next)
  }
  const bnUpdates = new Map<string, string>()
  for (const node of model.nodes) {
    if (node.opType !== 'BatchNormalization') continue
    const saved = ctx.saved.get(node.name) as Record<string, string>
    bnUpdates.set(node.inputs[3] as string, saved.newMean as string)
    bnUpdates.set(node.inputs[4] as string, saved.newVar as string)
  }
  for (const s of a.state) {
    if (s.trainable) continue
    e.op('Identity', [bnUpdates.get(s.name) as string], {}, StepOutputs.next(s.name))
  }
  for (const s of a.state) g.output(StepOutputs.next(s.name), s.dims)
  for (const s of slots) g.output(StepOutputs.next(s.name), s.dims)
  g.output(StepOutputs.loss, [])
  g.output(StepOutputs.correct, [])
  const bytes = g.toModelBytes({
    docString: `cyxwiz training step: loss ${recipe.loss}, optimizer ${recipe.optimizer}, batch ${recipe.batchSize}`,
    metadata: { 'cyxwiz.model_sha256': modelHash, 'cyxwiz.loss': recipe.loss, 'cyxwiz.optimizer': recipe.optimizer, 'cyxwiz.batch_size': String(recipe.batchSize) }
  })
  assertStepOps(g)
  return { bytes, slots, dropouts }
}

function buildEval (model: IrModel, a: Analysis, recipe: StepGraphRecipe, modelHash: string): Uint8Array {
  const g = new GraphBuilder('cyxwiz_evaluate')
  declareCommonInputs(g, a, recipe)
  const e = new Emitter(g, a.shapes, StepFeeds.x)
  emitForward(e, model, a, 'eval')
  const head = emitLoss(e, recipe.loss, model, a.output, StepFeeds.y)
  e.op('Identity', [head.lossSum], {}, StepOutputs.lossSum)
  e.op('Identity', [head.correct], {}, StepOutputs.correct)
  g.output(StepOutputs.lossSum, [])
  g.output(StepOutputs.correct, [])
  const bytes = g.toModelBytes({ docString: `cyxwiz evaluation: loss ${recipe.loss}`, metadata: { 'cyxwiz.model_sha256': modelHash, 'cyxwiz.loss': recipe.loss } })
  assertStepOps(g)
  return bytes
}

/**
 * The training-step and evaluation graphs of a client's model. Pure and deterministic: the same model
 * bytes and recipe give the same bytes (and `hash`) on every machine.
 */
export function buildStepGraph (model: IrModel, modelBytes: Uint8Array, recipe: StepGraphRecipe): StepGraph {
  if (!Number.isSafeInteger(recipe.batchSize) || recipe.batchSize < 1) throw new Error(`batch size must be a positive integer, got ${recipe.batchSize}`)
  const a = analyse(model)
  if (a.trainable.size === 0) throw new UnsupportedModelError('the model has no float initializer to train')
  const modelHash = sha256Hex(modelBytes)
  const step = buildStep(model, a, recipe, modelHash)
  const evalBytes = buildEval(model, a, recipe, modelHash)
  return {
    bytes: step.bytes,
    hash: sha256Hex(step.bytes),
    evalBytes,
    initializers: a.state,
    slots: step.slots,
    dropouts: step.dropouts,
    input: { name: a.input, shape: a.shapes.get(a.input) as Dim[] },
    output: { name: a.output, shape: a.shapes.get(a.output) as Dim[] }
  }
}
