// `checkModel`: what a client's ONNX model is, and whether cyxwiz can train it. Every command that
// takes a model calls `assertModelSupported`, so a client sees one message everywhere, listing every
// problem at once, not the first one.
//
// Parameters: float initializers. Buffers are the ones the optimizer must not touch: the running
// mean and variance of BatchNormalization (its inputs 3 and 4); every other float initializer is
// trainable (torch's model.parameters()).
//
// FLOPs per sample (shapes inferred for a batch of 1):
//   Conv       2 · out_elements · (C_in / group) · ∏kernel   (+ out_elements with a bias)
//   Gemm       2 · M · K · N                                  (+ M · N with C)
//   MatMul     2 · out_elements · K
//   Add, Sub, Mul, Div, Relu, LeakyRelu, Sigmoid, Tanh, Softmax, LogSoftmax: 1 per output element
//   BatchNormalization: 2 per element (one multiply-add: scale and shift folded)
//   MaxPool, AveragePool: ∏kernel per output element; GlobalAveragePool: 1 per input element
//   Pad, Flatten, Reshape, Transpose, Concat, Identity, Constant, Dropout: 0 (data movement)
// A node whose shapes are unknown (after an unsupported op) counts 0 and marks the total partial.
//
// Memory for one training step on a batch of B (bytes):
//   2 · A(B) + 4 · P_trainable + P_buffers
// where A(B) is the sum of the sizes of every activation (the data input and every value computed
// from it) at batch B, kept by the forward pass and matched by a gradient of the same size in the
// backward pass (hence 2), and P is parameter bytes: the weights, their gradients and the two Adam
// moments (4; SGD with momentum needs 3, so this is the larger of the supported optimizers).
// An estimate: runtimes free or reuse some buffers and add workspace of their own.
import { decodeModel, ModelDecodeError } from '../onnx/decode.js'
import { DataType, type IrDim, type IrModel, type IrNode, type IrTensor } from '../onnx/ir.js'
import { MAX_OPSET, MIN_OPSET, SUPPORTED_OPS, isSupportedOp } from '../autodiff/supported.js'
import { locateInitializers } from './patch.js'
import { elementCount, inferShapesDetailed, symToDim, type ShapeInference } from './shapes.js'

export type ProblemKind = 'op' | 'domain' | 'opset' | 'inputs' | 'input-type' | 'subgraph' | 'shape' | 'external-data' | 'training-mode'

export interface ModelProblem {
  readonly kind: ProblemKind
  /** One line, e.g. "unsupported op LSTM at node /lstm/LSTM". */
  readonly message: string
  readonly node?: string
  readonly opType?: string
}

export interface TensorSummary {
  readonly name: string
  /** 'float32', 'int64', … */
  readonly elemType: string
  /** The batch dimension is 'N'. */
  readonly dims: readonly IrDim[]
  /** false when the shape is the one the file declares because inference could not reach it. */
  readonly inferred: boolean
}

export interface OpUse {
  readonly opType: string
  /** '' for the default ONNX domain. */
  readonly domain: string
  readonly count: number
  readonly supported: boolean
}

export interface ModelReport {
  readonly supported: boolean
  readonly problems: readonly ModelProblem[]
  readonly irVersion: number
  readonly opset: number
  readonly producer: string
  readonly graphName: string
  readonly inputs: readonly TensorSummary[]
  readonly outputs: readonly TensorSummary[]
  readonly parameters: {
    readonly trainable: number
    readonly buffers: number
    readonly trainableTensors: number
    readonly bufferTensors: number
    /** Bytes of all float initializers. */
    readonly bytes: number
  }
  readonly flopsPerSample: number
  /** false when some node's shapes were unknown (its FLOPs counted as 0). */
  readonly flopsComplete: boolean
  /** Sorted by count, then name. */
  readonly ops: readonly OpUse[]
  readonly memory: {
    readonly batch: number
    /** A(B): the activations of one forward pass. */
    readonly activationBytes: number
    readonly trainableBytes: number
    readonly bufferBytes: number
    /** 2 · A(B) + 4 · trainableBytes + bufferBytes. */
    readonly totalBytes: number
    /** false when some activation's shape was unknown (left out of A(B)). */
    readonly complete: boolean
  }
}

/** The model cannot be trained by cyxwiz; `problems` lists why, the message says what to do. */
export class ModelCheckError extends Error {
  constructor (readonly source: string, readonly problems: readonly ModelProblem[]) {
    super(`${source} cannot be trained by cyxwiz: ${problems.map((p) => p.message).join('; ')}. ` +
      `To fix: export it in eval mode with torch.onnx.export(model, example, path, opset_version=17) (opsets ${MIN_OPSET}–${MAX_OPSET}), ` +
      `with one data input and only these ops: ${SUPPORTED_OPS.join(', ')}; run "cyx model check ${source}" for the full report.`)
    this.name = 'ModelCheckError'
  }
}

export const OPTIMIZER_FACTOR = 4
export const DEFAULT_CHECK_BATCH = 32

const TYPE_NAMES: Record<number, string> = { 1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16' }
const TYPE_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 }
const FLOAT_TYPES = new Set<number>([DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16, 16])

export const typeName = (code: number): string => TYPE_NAMES[code] ?? `type ${code}`
const count = (dims: readonly number[]): number => dims.reduce((n, d) => n * d, 1)

/** Float initializers, each marked trainable or buffer (BatchNormalization's running mean/var). */
export function classifyInitializers (model: IrModel): Array<{ readonly tensor: IrTensor; readonly trainable: boolean }> {
  const buffers = new Set<string>()
  for (const n of model.nodes) {
    if (n.domain === '' && n.opType === 'BatchNormalization') for (const i of [3, 4]) buffers.add(n.inputs[i] ?? '')
  }
  return model.initializers.filter((t) => FLOAT_TYPES.has(t.dataType)).map((tensor) => ({ tensor, trainable: !buffers.has(tensor.name) }))
}

const GRAPH_ATTRIBUTE_TYPES = new Set([5, 10]) // GRAPH, GRAPHS

function nodeProblems (node: IrNode): ModelProblem[] {
  const out: ModelProblem[] = []
  const at = { node: node.name, opType: node.opType }
  if (node.domain !== '') out.push({ kind: 'domain', message: `op ${node.domain}::${node.opType} at node ${node.name} is from a non-default domain`, ...at })
  else if (!isSupportedOp(node.opType)) out.push({ kind: 'op', message: `unsupported op ${node.opType} at node ${node.name}`, ...at })
  const trainingMode = node.attributes.get('training_mode')
  if (node.opType === 'BatchNormalization' && trainingMode?.kind === 'int' && trainingMode.value === 1) {
    out.push({ kind: 'training-mode', message: `node ${node.name} (BatchNormalization) was exported in training mode; call model.eval() before torch.onnx.export`, ...at })
  }
  for (const [name, a] of node.attributes) {
    if (a.kind !== 'unsupported') continue
    out.push(GRAPH_ATTRIBUTE_TYPES.has(a.type)
      ? { kind: 'subgraph', message: `node ${node.name} (${node.opType}) has a subgraph attribute ${name}`, ...at }
      : { kind: 'subgraph', message: `node ${node.name} (${node.opType}) has attribute ${name} of a kind this trainer does not read (AttributeProto type ${a.type})`, ...at })
  }
  return out
}

type Values = ShapeInference['values']

function numericDims (values: Values, name: string): number[] | null {
  const v = values.get(name)
  if (v === undefined) return null
  const dims = v.dims.map(symToDim)
  return dims.every((d): d is number => typeof d === 'number') ? dims : null
}

/** FLOPs of one node for a batch of 1 (see the header), or null when its shapes are unknown. */
function nodeFlops (node: IrNode, values: Values): number | null {
  const out = numericDims(values, node.outputs[0] ?? '')
  const in0 = numericDims(values, node.inputs[0] ?? '')
  const hasInput = (i: number): boolean => (node.inputs[i] ?? '') !== ''
  const kernel = (): number => {
    const a = node.attributes.get('kernel_shape')
    return a?.kind === 'ints' ? count(a.value) : 1
  }
  switch (node.opType) {
    case 'Pad': case 'Flatten': case 'Reshape': case 'Transpose': case 'Concat': case 'Identity': case 'Constant': case 'Dropout':
      return 0
    case 'GlobalAveragePool':
      return in0 === null ? null : count(in0)
  }
  if (out === null) return null
  const outN = count(out)
  switch (node.opType) {
    case 'Conv': {
      const w = numericDims(values, node.inputs[1] ?? '')
      if (w === null) return null
      return 2 * outN * count(w.slice(1)) + (hasInput(2) ? outN : 0)
    }
    case 'Gemm': {
      if (in0 === null) return null
      const transA = node.attributes.get('transA')
      const k = transA?.kind === 'int' && transA.value === 1 ? in0[0] : in0[1]
      return 2 * outN * (k ?? 0) + (hasInput(2) ? outN : 0)
    }
    case 'MatMul': {
      if (in0 === null) return null
      return 2 * outN * (in0[in0.length - 1] ?? 0)
    }
    case 'BatchNormalization': return 2 * outN
    case 'MaxPool': case 'AveragePool': return outN * kernel()
    case 'Add': case 'Sub': case 'Mul': case 'Div': case 'Relu': case 'LeakyRelu': case 'Sigmoid': case 'Tanh': case 'Softmax': case 'LogSoftmax':
      return outN
    default: return null // not a supported op: reported as a problem
  }
}

/** Values computed from the data input(s): the activations a training step keeps. */
function activationNames (model: IrModel): string[] {
  const live = new Set(model.inputs.map((i) => i.name))
  for (const n of model.nodes) {
    if (n.inputs.some((i) => live.has(i))) for (const o of n.outputs) if (o !== '') live.add(o)
  }
  return [...live]
}

function summary (name: string, elemType: number, declared: readonly IrDim[] | null, inferred: Values, batchFirst: boolean): TensorSummary {
  const v = inferred.get(name)
  if (v !== undefined) return { name, elemType: typeName(v.elemType), dims: v.dims.map(symToDim), inferred: true }
  const dims = (declared ?? []).map((d, i) => (i === 0 && batchFirst ? 'N' : d))
  return { name, elemType: typeName(elemType), dims, inferred: false }
}

function opUses (model: IrModel): OpUse[] {
  const uses = new Map<string, OpUse>()
  for (const n of model.nodes) {
    const key = `${n.domain}::${n.opType}`
    const prev = uses.get(key)
    uses.set(key, { opType: n.opType, domain: n.domain, count: (prev?.count ?? 0) + 1, supported: isSupportedOp(n.opType, n.domain) })
  }
  return [...uses.values()].sort((a, b) => b.count - a.count || a.opType.localeCompare(b.opType))
}

/** The report of an already decoded model (see checkModel). */
export function checkIrModel (model: IrModel, options: { batch?: number } = {}): ModelReport {
  const batch = options.batch ?? DEFAULT_CHECK_BATCH
  if (!Number.isSafeInteger(batch) || batch < 1) throw new RangeError(`batch must be a whole number ≥ 1 (got ${batch})`)
  const problems: ModelProblem[] = []
  if (model.opset < MIN_OPSET || model.opset > MAX_OPSET) {
    problems.push({ kind: 'opset', message: `opset ${model.opset} is outside ${MIN_OPSET}–${MAX_OPSET}` })
  }
  if (model.inputs.length !== 1) {
    problems.push({ kind: 'inputs', message: `the model has ${model.inputs.length} data inputs (${model.inputs.map((i) => i.name).join(', ') || 'none'}); it must have exactly one` })
  }
  for (const i of model.inputs) {
    if (i.elemType !== DataType.FLOAT) problems.push({ kind: 'input-type', message: `data input ${i.name} is ${typeName(i.elemType)}; the trainer feeds float32` })
    if (i.shape === null) problems.push({ kind: 'shape', message: `data input ${i.name} declares no shape; export with an example input so its shape is recorded` })
  }
  for (const n of model.nodes) problems.push(...nodeProblems(n))

  const symbolic = inferShapesDetailed(model, 'N')
  const perSample = inferShapesDetailed(model, 1)
  for (const f of symbolic.failures) problems.push({ kind: 'shape', message: f.message, node: f.node, opType: f.opType })

  let flops = 0
  let flopsComplete = true
  for (const n of model.nodes) {
    const f = nodeFlops(n, perSample.values)
    if (f === null) flopsComplete = false
    else flops += f
  }

  let activationBytes = 0
  let memoryComplete = true
  for (const name of activationNames(model)) {
    const v = symbolic.values.get(name)
    const elements = v === undefined ? null : elementCount(v.dims.map(symToDim), batch)
    if (v === undefined || elements === null) { memoryComplete = false; continue }
    activationBytes += elements * (TYPE_BYTES[v.elemType] ?? 4)
  }

  const params = classifyInitializers(model)
  const sizeOf = (t: IrTensor): number => count(t.dims) * (TYPE_BYTES[t.dataType] ?? 4)
  const trainable = params.filter((p) => p.trainable)
  const buffers = params.filter((p) => !p.trainable)
  const trainableBytes = trainable.reduce((s, p) => s + sizeOf(p.tensor), 0)
  const bufferBytes = buffers.reduce((s, p) => s + sizeOf(p.tensor), 0)

  return {
    supported: problems.length === 0,
    problems,
    irVersion: model.irVersion,
    opset: model.opset,
    producer: model.producer,
    graphName: model.graphName,
    inputs: model.inputs.map((i) => summary(i.name, i.elemType, i.shape, symbolic.values, true)),
    outputs: model.outputs.map((o) => summary(o.name, o.elemType, o.shape, symbolic.values, true)),
    parameters: {
      trainable: trainable.reduce((s, p) => s + count(p.tensor.dims), 0),
      buffers: buffers.reduce((s, p) => s + count(p.tensor.dims), 0),
      trainableTensors: trainable.length,
      bufferTensors: buffers.length,
      bytes: trainableBytes + bufferBytes
    },
    flopsPerSample: flops,
    flopsComplete,
    ops: opUses(model),
    memory: {
      batch,
      activationBytes,
      trainableBytes,
      bufferBytes,
      totalBytes: 2 * activationBytes + OPTIMIZER_FACTOR * trainableBytes + bufferBytes,
      complete: memoryComplete
    }
  }
}

/** Initializers whose data lives outside the file: the decoder cannot read them, so they are found on the wire first. */
function externalDataProblems (bytes: Uint8Array): ModelProblem[] {
  let locations
  try {
    locations = locateInitializers(bytes)
  } catch {
    return [] // not walkable: decodeModel says why, in its own words
  }
  return locations.filter((l) => l.external).map((l) => ({
    kind: 'external-data' as const,
    message: `initializer ${l.name} keeps its data in an external file (save with onnx.save(model, path, save_as_external_data=False))`
  }))
}

/**
 * Decode and check a client's ONNX model (pure). `batch` sizes the memory estimate (default 32).
 * Throws ModelDecodeError when the bytes are not an ONNX model, and ModelCheckError (source
 * 'the model') when its tensors live in external files, since such a model cannot be inspected.
 */
export function checkModel (bytes: Uint8Array, options: { batch?: number } = {}): ModelReport {
  const external = externalDataProblems(bytes)
  if (external.length > 0) throw new ModelCheckError('the model', external)
  return checkIrModel(decodeModel(bytes), options)
}

/**
 * The one gate every command that takes a model goes through: returns the report when the model is
 * trainable, throws ModelCheckError listing every problem otherwise (ModelDecodeError, prefixed
 * with `source`, when it is not ONNX at all). `source` names the model in messages (its path).
 */
export function assertModelSupported (bytes: Uint8Array, source: string, options: { batch?: number } = {}): ModelReport {
  const external = externalDataProblems(bytes)
  if (external.length > 0) throw new ModelCheckError(source, external)
  let report: ModelReport
  try {
    report = checkIrModel(decodeModel(bytes), options)
  } catch (e) {
    if (e instanceof ModelDecodeError) throw new ModelDecodeError(`${source}: ${e.message}`)
    throw e
  }
  if (!report.supported) throw new ModelCheckError(source, report.problems)
  return report
}

// ---- human text ----

function bytesText (n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`
}

function countText (n: number): string {
  if (n < 1e4) return String(n)
  const [d, s] = n >= 1e12 ? [1e12, 'T'] : n >= 1e9 ? [1e9, 'G'] : n >= 1e6 ? [1e6, 'M'] : [1e3, 'k']
  return `${(n / d).toFixed(2)} ${s} (${n.toLocaleString('en-US')})`
}

const shapeText = (t: TensorSummary): string => `${t.name}  ${t.elemType} [${t.dims.map((d) => (d === null ? '?' : String(d))).join(', ')}]${t.inferred ? '' : '  (as declared in the file)'}`

/** The report as text for a terminal. */
export function formatModelReport (r: ModelReport): string {
  const lines: string[] = []
  lines.push(r.supported ? 'supported: yes, cyxwiz can train this model' : `supported: NO (${r.problems.length} problem${r.problems.length === 1 ? '' : 's'})`)
  lines.push(`format: ONNX IR ${r.irVersion}, opset ${r.opset}, producer ${r.producer || 'unknown'}, graph ${r.graphName || '(unnamed)'}`)
  lines.push('inputs:', ...r.inputs.map((t) => `  ${shapeText(t)}`))
  lines.push('outputs:', ...r.outputs.map((t) => `  ${shapeText(t)}`))
  const p = r.parameters
  lines.push(`parameters: ${countText(p.trainable)} trainable in ${p.trainableTensors} tensors, ${countText(p.buffers)} in ${p.bufferTensors} buffers (BatchNorm statistics); ${bytesText(p.bytes)}`)
  lines.push(`FLOPs per sample (forward): ${countText(r.flopsPerSample)}${r.flopsComplete ? '' : ' (partial: some shapes unknown)'}`)
  lines.push(`ops: ${r.ops.map((o) => `${o.domain === '' ? '' : `${o.domain}::`}${o.opType} ×${o.count}${o.supported ? '' : ' (unsupported)'}`).join(', ')}`)
  const m = r.memory
  lines.push(`training memory for a batch of ${m.batch}: about ${bytesText(m.totalBytes)} = 2 × ${bytesText(m.activationBytes)} activations + ${OPTIMIZER_FACTOR} × ${bytesText(m.trainableBytes)} parameters (weights, gradients, Adam moments) + ${bytesText(m.bufferBytes)} buffers${m.complete ? '' : ' (partial: some shapes unknown)'}`)
  if (r.problems.length > 0) {
    lines.push('problems:', ...r.problems.map((q) => `  - ${q.message}`))
    lines.push(`To fix: export in eval mode with torch.onnx.export(..., opset_version=17) (opsets ${MIN_OPSET}–${MAX_OPSET}), one float input, only these ops: ${SUPPORTED_OPS.join(', ')}.`)
  }
  return lines.join('\n')
}
