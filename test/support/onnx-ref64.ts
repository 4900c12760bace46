// A float64 reference evaluator for ONNX graphs, for tests only.
//
// Why: the autodiff builder (peer/train/autodiff) derives training-step graphs whose gradients must be
// checked against finite differences, and finite differences need float64; onnxruntime has no float64
// Conv, pooling, ConvTranspose or MaxUnpool kernels. So the tests evaluate both the forward model and
// the derived step graph here, with every float computed in float64 whatever the declared type.
//
// What: `evaluate64(model, feeds, opts)` runs an IrModel (from peer/train/onnx/decode.ts) node by
// node in file order (ONNX requires topological order) with opset-17 semantics, for exactly the ops
// of STEP_GRAPH_OPS (peer/train/autodiff/supported.ts). Values are Tensor64s: floats of any width as
// Float64Array, integers of any width as BigInt64Array, booleans as Uint8Array (0/1). It is written
// for clarity over speed: tensors in tests are small.
//
// Also here, because GraphBuilder (peer/train/onnx/graph.ts) has no string/tensor attributes and no
// multi-output nodes: `onnxModelBytes(spec)`, a tiny ModelProto writer over the full onnx.proto.
import { readFileSync } from 'node:fs'
import protobuf from 'protobufjs'
import type { IrAttribute, IrModel, IrNode, IrTensor } from '../../peer/train/onnx/ir.js'
import { DataType } from '../../peer/train/onnx/ir.js'
import { STEP_GRAPH_OPS } from '../../peer/train/autodiff/supported.js'

// ───────────────────────────── tensors ─────────────────────────────

export type Tensor64Data = Float64Array | BigInt64Array | Uint8Array
export interface Tensor64 {
  readonly dims: readonly number[]
  readonly data: Tensor64Data
}

export const f64 = (dims: readonly number[], values: ArrayLike<number>): Tensor64 => check({ dims: [...dims], data: Float64Array.from(values) })
export const i64 = (dims: readonly number[], values: ArrayLike<number | bigint>): Tensor64 =>
  check({ dims: [...dims], data: BigInt64Array.from(Array.from(values, (v) => BigInt(v))) })
export const bool = (dims: readonly number[], values: ArrayLike<number | boolean>): Tensor64 =>
  check({ dims: [...dims], data: Uint8Array.from(Array.from(values, (v) => (v ? 1 : 0))) })

function check (t: Tensor64): Tensor64 {
  if (t.data.length !== size(t.dims)) throw new Error(`tensor of dims [${t.dims.join(',')}] given ${t.data.length} values`)
  return t
}

export const size = (dims: readonly number[]): number => dims.reduce((n, d) => n * d, 1)
const isFloat = (t: Tensor64): t is { dims: number[]; data: Float64Array } => t.data instanceof Float64Array
const isInt = (t: Tensor64): t is { dims: number[]; data: BigInt64Array } => t.data instanceof BigInt64Array
const isBool = (t: Tensor64): t is { dims: number[]; data: Uint8Array } => t.data instanceof Uint8Array

/** Row-major strides. */
function strides (dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length)
  let acc = 1
  for (let i = dims.length - 1; i >= 0; i--) { s[i] = acc; acc *= dims[i]! }
  return s
}

function unravel (flat: number, dims: readonly number[], out: number[]): number[] {
  for (let i = dims.length - 1; i >= 0; i--) { const d = dims[i]!; out[i] = flat % d; flat = Math.floor(flat / d) }
  return out
}

/** An empty array of the same kind as `like`. */
function alloc (like: Tensor64Data, n: number): Tensor64Data {
  if (like instanceof Float64Array) return new Float64Array(n)
  if (like instanceof BigInt64Array) return new BigInt64Array(n)
  return new Uint8Array(n)
}

/** Values of an integer (or float) tensor as plain numbers (shape tensors, axes, indices). */
function ints (t: Tensor64): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v))
}
const scalar = (t: Tensor64): number => {
  if (t.data.length !== 1) throw new Error(`expected a scalar, got dims [${t.dims.join(',')}]`)
  return Number(t.data[0])
}

const normAxis = (axis: number, rank: number): number => {
  const a = axis < 0 ? axis + rank : axis
  if (a < 0 || a >= rank) throw new Error(`axis ${axis} out of range for rank ${rank}`)
  return a
}

// ───────────────────────────── broadcasting ─────────────────────────────

function broadcastDims (...all: ReadonlyArray<readonly number[]>): number[] {
  const rank = Math.max(...all.map((d) => d.length))
  const out = new Array<number>(rank).fill(1)
  for (const d of all) {
    for (let i = 0; i < d.length; i++) {
      const o = rank - d.length + i
      const v = d[i]!
      if (out[o] === 1) out[o] = v
      else if (v !== 1 && v !== out[o]) throw new Error(`cannot broadcast [${all.map((x) => x.join(',')).join('] with [')}]`)
    }
  }
  return out
}

/** For each flat index of `outDims`, the flat index of the broadcast input of dims `inDims`. */
function broadcastMap (inDims: readonly number[], outDims: readonly number[]): Int32Array {
  const n = size(outDims)
  const map = new Int32Array(n)
  const inStr = strides(inDims)
  const off = outDims.length - inDims.length
  const coord = new Array<number>(outDims.length)
  for (let f = 0; f < n; f++) {
    unravel(f, outDims, coord)
    let idx = 0
    for (let i = 0; i < inDims.length; i++) if (inDims[i] !== 1) idx += coord[off + i]! * inStr[i]!
    map[f] = idx
  }
  return map
}

function expandTo (t: Tensor64, dims: readonly number[]): Tensor64 {
  const map = broadcastMap(t.dims, dims)
  const out = alloc(t.data, map.length)
  for (let i = 0; i < map.length; i++) (out as unknown as unknown[])[i] = t.data[map[i]!]
  return { dims: [...dims], data: out }
}

type Elem = number | bigint
/** Elementwise with numpy broadcasting; the result is bool or float when `resultKind` says so, else of the first input's kind. */
function elementwise (inputs: readonly Tensor64[], fn: (v: Elem[]) => Elem | boolean, resultKind?: 'bool' | 'float'): Tensor64 {
  const dims = broadcastDims(...inputs.map((t) => t.dims))
  const maps = inputs.map((t) => broadcastMap(t.dims, dims))
  const n = size(dims)
  const first = inputs[0]!.data
  const out: Tensor64Data = resultKind === 'bool' ? new Uint8Array(n) : resultKind === 'float' ? new Float64Array(n) : alloc(first, n)
  const vals = new Array<Elem>(inputs.length)
  for (let f = 0; f < n; f++) {
    for (let k = 0; k < inputs.length; k++) vals[k] = inputs[k]!.data[maps[k]![f]!]!
    const r = fn(vals)
    if (out instanceof Uint8Array) out[f] = r ? 1 : 0
    else if (out instanceof BigInt64Array) out[f] = r as bigint
    else out[f] = r as number
  }
  return { dims, data: out }
}

function unaryFloat (t: Tensor64, fn: (x: number) => number): Tensor64 {
  if (!isFloat(t)) throw new Error('expected a float tensor')
  return { dims: [...t.dims], data: t.data.map(fn) }
}

// ───────────────────────────── attributes ─────────────────────────────

function attr (node: IrNode, name: string): IrAttribute | undefined { return node.attributes.get(name) }
function attrInt (node: IrNode, name: string, def: number): number {
  const a = attr(node, name)
  if (a === undefined) return def
  if (a.kind !== 'int') throw new Error(`${node.name}: attribute ${name} is ${a.kind}, expected int`)
  return a.value
}
function attrFloat (node: IrNode, name: string, def: number): number {
  const a = attr(node, name)
  if (a === undefined) return def
  if (a.kind !== 'float') throw new Error(`${node.name}: attribute ${name} is ${a.kind}, expected float`)
  return a.value
}
function attrInts (node: IrNode, name: string): number[] | undefined {
  const a = attr(node, name)
  if (a === undefined) return undefined
  if (a.kind !== 'ints') throw new Error(`${node.name}: attribute ${name} is ${a.kind}, expected ints`)
  return [...a.value]
}
function attrString (node: IrNode, name: string, def: string): string {
  const a = attr(node, name)
  if (a === undefined) return def
  if (a.kind !== 'string') throw new Error(`${node.name}: attribute ${name} is ${a.kind}, expected string`)
  return a.value
}

/** An IrTensor (initializer, Constant value) as a Tensor64. */
export function fromIrTensor (t: IrTensor): Tensor64 {
  const v = t.values
  if (v === undefined) throw new Error(`tensor ${t.name}: data type ${t.dataType} is not supported by the reference evaluator`)
  const dims = [...t.dims]
  if (t.dataType === DataType.BOOL) return { dims, data: Uint8Array.from(v as Uint8Array, (x) => (x ? 1 : 0)) }
  if (v instanceof Float32Array || v instanceof Float64Array) return { dims, data: Float64Array.from(v) }
  if (v instanceof BigInt64Array) return { dims, data: BigInt64Array.from(v) }
  return { dims, data: BigInt64Array.from(Array.from(v as ArrayLike<number>, (x) => BigInt(x))) }
}

// ───────────────────────────── the evaluator ─────────────────────────────

export interface Evaluate64Options {
  /**
   * Evaluate as in training, like PyTorch's model.train(): BatchNormalization uses batch statistics
   * and Dropout applies its mask, whatever the nodes' own training_mode says. Unset: the nodes'
   * own flags decide (what a derived step graph, which sets them itself, needs).
   */
  readonly training?: boolean
  /** Dropout masks by node name (float 0/1 or bool, the shape of the Dropout's input), used when the node trains with ratio > 0. */
  readonly dropoutMasks?: ReadonlyMap<string, Tensor64>
  /** Names to return (any value of the graph); default the graph's outputs. */
  readonly outputs?: readonly string[]
}

const SUPPORTED = new Set<string>(STEP_GRAPH_OPS)

/**
 * Evaluate `model` on `feeds` in float64. Feeds may also override initializers (by name). Returns the
 * graph's outputs (or opts.outputs) by name.
 */
export function evaluate64 (model: IrModel, feeds: ReadonlyMap<string, Tensor64>, opts: Evaluate64Options = {}): Map<string, Tensor64> {
  if (model.opset < 13 || model.opset > 17) throw new Error(`reference evaluator implements opset 13–17 semantics; model has opset ${model.opset}`)
  const values = new Map<string, Tensor64>()
  for (const init of model.initializers) values.set(init.name, fromIrTensor(init))
  for (const [name, t] of feeds) values.set(name, check(t))
  for (const input of model.inputs) {
    if (!values.has(input.name)) throw new Error(`graph input ${input.name} is not fed`)
  }
  for (const node of model.nodes) {
    if (node.domain !== '') throw new Error(`${node.name}: domain ${node.domain} is not supported`)
    if (!SUPPORTED.has(node.opType)) throw new Error(`${node.name}: op ${node.opType} is not in STEP_GRAPH_OPS`)
    const inputs = node.inputs.map((name) => {
      if (name === '') return undefined
      const v = values.get(name)
      if (v === undefined) throw new Error(`${node.name} (${node.opType}) reads ${name}, which is not computed yet`)
      return v
    })
    let outs: Array<Tensor64 | undefined>
    try {
      outs = runNode(node, inputs, opts)
    } catch (err) {
      throw new Error(`${node.name} (${node.opType}): ${(err as Error).message}`)
    }
    node.outputs.forEach((name, i) => {
      if (name === '') return
      const t = outs[i]
      if (t === undefined) throw new Error(`${node.name} (${node.opType}): output ${i} (${name}) is not produced`)
      values.set(name, t)
    })
  }
  const wanted = opts.outputs ?? model.outputs.map((o) => o.name)
  const result = new Map<string, Tensor64>()
  for (const name of wanted) {
    const v = values.get(name)
    if (v === undefined) throw new Error(`value ${name} is not computed by the graph`)
    result.set(name, v)
  }
  return result
}

type Inputs = ReadonlyArray<Tensor64 | undefined>
const need = (inputs: Inputs, i: number): Tensor64 => {
  const t = inputs[i]
  if (t === undefined) throw new Error(`input ${i} is required`)
  return t
}

function runNode (node: IrNode, inputs: Inputs, opts: Evaluate64Options): Array<Tensor64 | undefined> {
  const x = (i: number): Tensor64 => need(inputs, i)
  switch (node.opType) {
    // elementwise arithmetic
    case 'Add': return [arith(x(0), x(1), (a, b) => a + b, (a, b) => a + b)]
    case 'Sub': return [arith(x(0), x(1), (a, b) => a - b, (a, b) => a - b)]
    case 'Mul': return [arith(x(0), x(1), (a, b) => a * b, (a, b) => a * b)]
    case 'Div': return [arith(x(0), x(1), (a, b) => a / b, (a, b) => a / b)]
    case 'Pow': {
      const base = x(0)
      if (!isFloat(base)) throw new Error('Pow of integers is not supported')
      return [elementwise([base, x(1)], ([a, b]) => Math.pow(a as number, Number(b)))]
    }
    case 'Max': return [variadic(inputs, (a, b) => (b > a ? b : a))]
    case 'Min': return [variadic(inputs, (a, b) => (b < a ? b : a))]
    case 'Neg': { const t = x(0); return [isInt(t) ? { dims: [...t.dims], data: t.data.map((v) => -v) } : unaryFloat(t, (v) => -v)] }
    case 'Abs': { const t = x(0); return [isInt(t) ? { dims: [...t.dims], data: t.data.map((v) => (v < 0n ? -v : v)) } : unaryFloat(t, Math.abs)] }
    case 'Sign': { const t = x(0); return [isInt(t) ? { dims: [...t.dims], data: t.data.map((v) => (v > 0n ? 1n : v < 0n ? -1n : 0n)) } : unaryFloat(t, (v) => (v > 0 ? 1 : v < 0 ? -1 : 0))] }
    case 'Exp': return [unaryFloat(x(0), Math.exp)]
    case 'Log': return [unaryFloat(x(0), Math.log)]
    case 'Sqrt': return [unaryFloat(x(0), Math.sqrt)]
    case 'Reciprocal': return [unaryFloat(x(0), (v) => 1 / v)]
    case 'Relu': return [unaryFloat(x(0), (v) => (v > 0 ? v : 0))]
    case 'LeakyRelu': { const alpha = attrFloat(node, 'alpha', 0.01); return [unaryFloat(x(0), (v) => (v >= 0 ? v : alpha * v))] }
    case 'Sigmoid': return [unaryFloat(x(0), (v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v))))]
    case 'Tanh': return [unaryFloat(x(0), Math.tanh)]
    case 'Clip': return [clip(x(0), inputs[1], inputs[2])]
    case 'Identity': return [x(0)]
    // comparisons and logic
    case 'Equal': return [elementwise([x(0), x(1)], ([a, b]) => a === b, 'bool')]
    case 'Greater': return [elementwise([x(0), x(1)], ([a, b]) => a! > b!, 'bool')]
    case 'Less': return [elementwise([x(0), x(1)], ([a, b]) => a! < b!, 'bool')]
    case 'Not': { const t = x(0); if (!isBool(t)) throw new Error('Not needs a bool tensor'); return [{ dims: [...t.dims], data: t.data.map((v) => (v ? 0 : 1)) }] }
    case 'And': { if (!isBool(x(0)) || !isBool(x(1))) throw new Error('And needs bool tensors'); return [elementwise([x(0), x(1)], ([a, b]) => a === 1 && b === 1, 'bool')] }
    case 'Where': {
      const c = x(0)
      if (!isBool(c)) throw new Error('Where needs a bool condition')
      const dims = broadcastDims(c.dims, x(1).dims, x(2).dims)
      const cm = broadcastMap(c.dims, dims); const am = broadcastMap(x(1).dims, dims); const bm = broadcastMap(x(2).dims, dims)
      const out = alloc(x(1).data, size(dims)) as unknown as Elem[]
      for (let f = 0; f < out.length; f++) out[f] = c.data[cm[f]!] ? x(1).data[am[f]!]! : x(2).data[bm[f]!]!
      return [{ dims, data: out as unknown as Tensor64Data }]
    }
    case 'Cast': return [cast(x(0), attrInt(node, 'to', 0))]
    // matrix products
    case 'MatMul': return [matmul(x(0), x(1))]
    case 'Gemm': return [gemm(node, x(0), x(1), inputs[2])]
    // normalisation and probabilities
    case 'Softmax': return [softmax(x(0), attrInt(node, 'axis', -1), false)]
    case 'LogSoftmax': return [softmax(x(0), attrInt(node, 'axis', -1), true)]
    case 'BatchNormalization': return batchNorm(node, inputs, opts)
    case 'Dropout': return dropout(node, inputs, opts)
    // reductions
    case 'ReduceSum': return [reduce(node, inputs, 'sum')]
    case 'ReduceMean': return [reduce(node, inputs, 'mean')]
    case 'ReduceMax': return [reduce(node, inputs, 'max')]
    case 'ArgMax': return [argmax(x(0), attrInt(node, 'axis', 0), attrInt(node, 'keepdims', 1) === 1, attrInt(node, 'select_last_index', 0) === 1)]
    // convolution and pooling
    case 'Conv': return [conv(node, x(0), x(1), inputs[2])]
    case 'ConvTranspose': return [convTranspose(node, x(0), x(1), inputs[2])]
    case 'MaxPool': return maxPool(node, x(0))
    case 'AveragePool': return [averagePool(node, x(0))]
    case 'GlobalAveragePool': {
      const t = x(0)
      const axes = t.dims.map((_, i) => i).slice(2)
      return [reduceAxes(t, axes, true, 'mean')]
    }
    case 'MaxUnpool': return [maxUnpool(node, x(0), x(1), inputs[2])]
    case 'Pad': return [pad(x(0), ints(x(1)), inputs[2], inputs[3], attrString(node, 'mode', 'constant'))]
    // shapes and data movement
    case 'Flatten': {
      const t = x(0)
      const axis = attrInt(node, 'axis', 1)
      const a = axis < 0 ? axis + t.dims.length : axis
      return [{ dims: [size(t.dims.slice(0, a)), size(t.dims.slice(a))], data: t.data }]
    }
    case 'Reshape': return [reshape(x(0), ints(x(1)), attrInt(node, 'allowzero', 0) === 1)]
    case 'Transpose': {
      const t = x(0)
      const perm = attrInts(node, 'perm') ?? t.dims.map((_, i) => t.dims.length - 1 - i)
      return [transpose(t, perm)]
    }
    case 'Concat': return [concat(inputs.filter((t): t is Tensor64 => t !== undefined), attrInt(node, 'axis', 0))]
    case 'Constant': return [constant(node)]
    case 'Shape': {
      const t = x(0)
      const r = t.dims.length
      const clampR = (v: number): number => Math.min(Math.max(v < 0 ? v + r : v, 0), r)
      const start = clampR(attrInt(node, 'start', 0))
      const end = attr(node, 'end') === undefined ? r : clampR(attrInt(node, 'end', r))
      const d = t.dims.slice(start, Math.max(start, end))
      return [i64([d.length], d)]
    }
    case 'Gather': return [gather(x(0), x(1), attrInt(node, 'axis', 0))]
    case 'GatherElements': return [gatherElements(x(0), x(1), attrInt(node, 'axis', 0))]
    case 'ScatterElements': return [scatterElements(x(0), x(1), x(2), attrInt(node, 'axis', 0), attrString(node, 'reduction', 'none'))]
    case 'Slice': return [slice(x(0), ints(x(1)), ints(x(2)), inputs[3] && ints(inputs[3]), inputs[4] && ints(inputs[4]))]
    case 'Unsqueeze': {
      const t = x(0)
      const axes = inputs[1] ? ints(inputs[1]) : attrInts(node, 'axes') ?? []
      const r = t.dims.length + axes.length
      const set = new Set(axes.map((a) => normAxis(a, r)))
      if (set.size !== axes.length) throw new Error('Unsqueeze axes repeat')
      const dims: number[] = []
      let k = 0
      for (let i = 0; i < r; i++) dims.push(set.has(i) ? 1 : t.dims[k++]!)
      return [{ dims, data: t.data }]
    }
    case 'Squeeze': {
      const t = x(0)
      const given = inputs[1] ? ints(inputs[1]) : attrInts(node, 'axes')
      const axes = given === undefined ? t.dims.flatMap((d, i) => (d === 1 ? [i] : [])) : given.map((a) => normAxis(a, t.dims.length))
      for (const a of axes) if (t.dims[a] !== 1) throw new Error(`Squeeze axis ${a} has size ${t.dims[a]}`)
      return [{ dims: t.dims.filter((_, i) => !axes.includes(i)), data: t.data }]
    }
    case 'Expand': { const t = x(0); return [expandTo(t, broadcastDims(t.dims, ints(x(1))))] }
    case 'Tile': return [tile(x(0), ints(x(1)))]
    case 'ConstantOfShape': {
      const dims = ints(x(0))
      const a = attr(node, 'value')
      const v: Tensor64 = a === undefined ? f64([1], [0]) : a.kind === 'tensor' ? fromIrTensor(a.value) : (() => { throw new Error('value must be a tensor') })()
      return [expandTo({ dims: [], data: v.data }, dims)]
    }
    case 'Range': return [range(x(0), x(1), x(2))]
    case 'OneHot': return [oneHot(x(0), x(1), x(2), attrInt(node, 'axis', -1))]
    default: throw new Error(`op ${node.opType} is listed in STEP_GRAPH_OPS but not implemented by the reference evaluator`)
  }
}

function arith (a: Tensor64, b: Tensor64, f: (x: number, y: number) => number, g: (x: bigint, y: bigint) => bigint): Tensor64 {
  if (isFloat(a) && isFloat(b)) return elementwise([a, b], ([p, q]) => f(p as number, q as number))
  if (isInt(a) && isInt(b)) return elementwise([a, b], ([p, q]) => g(p as bigint, q as bigint))
  throw new Error('operands must both be float or both be integer')
}

function variadic (inputs: Inputs, pick: (a: Elem, b: Elem) => Elem): Tensor64 {
  const ts = inputs.filter((t): t is Tensor64 => t !== undefined)
  return elementwise(ts, (v) => v.reduce((acc, e) => pick(acc, e)))
}

function clip (t: Tensor64, lo: Tensor64 | undefined, hi: Tensor64 | undefined): Tensor64 {
  const min = lo === undefined ? undefined : lo.data[0]!
  const max = hi === undefined ? undefined : hi.data[0]!
  const out = alloc(t.data, t.data.length) as unknown as Elem[]
  for (let i = 0; i < out.length; i++) {
    let v = t.data[i]!
    if (min !== undefined && v < min) v = min
    if (max !== undefined && v > max) v = max
    out[i] = v
  }
  return { dims: [...t.dims], data: out as unknown as Tensor64Data }
}

function cast (t: Tensor64, to: number): Tensor64 {
  const dims = [...t.dims]
  const src = Array.from(t.data as ArrayLike<Elem>)
  switch (to) {
    case DataType.FLOAT: case DataType.DOUBLE: case DataType.FLOAT16:
      return { dims, data: Float64Array.from(src, (v) => Number(v)) }
    case DataType.BOOL:
      return { dims, data: Uint8Array.from(src, (v) => (Number(v) !== 0 ? 1 : 0)) }
    case DataType.INT64: case DataType.INT32: case DataType.INT8: case DataType.UINT8:
      return { dims, data: BigInt64Array.from(src, (v) => (typeof v === 'bigint' ? v : BigInt(Math.trunc(v)))) }
    default: throw new Error(`Cast to data type ${to} is not supported`)
  }
}

function matmul (a: Tensor64, b: Tensor64): Tensor64 {
  if (!isFloat(a) || !isFloat(b)) throw new Error('MatMul needs float tensors')
  const aD = a.dims.length === 1 ? [1, a.dims[0]!] : [...a.dims]
  const bD = b.dims.length === 1 ? [b.dims[0]!, 1] : [...b.dims]
  const M = aD[aD.length - 2]!; const K = aD[aD.length - 1]!; const N = bD[bD.length - 1]!
  if (bD[bD.length - 2] !== K) throw new Error(`MatMul inner dims ${K} and ${bD[bD.length - 2]}`)
  const batch = broadcastDims(aD.slice(0, -2), bD.slice(0, -2))
  const am = broadcastMap(aD.slice(0, -2), batch); const bm = broadcastMap(bD.slice(0, -2), batch)
  const nb = size(batch)
  const out = new Float64Array(nb * M * N)
  for (let p = 0; p < nb; p++) {
    const ao = am[p]! * M * K; const bo = bm[p]! * K * N; const oo = p * M * N
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0
        for (let k = 0; k < K; k++) s += a.data[ao + i * K + k]! * b.data[bo + k * N + j]!
        out[oo + i * N + j] = s
      }
    }
  }
  const dims = [...batch, M, N]
  if (a.dims.length === 1) dims.splice(dims.length - 2, 1)
  if (b.dims.length === 1) dims.splice(dims.length - 1, 1)
  return { dims, data: out }
}

function gemm (node: IrNode, a: Tensor64, b: Tensor64, c: Tensor64 | undefined): Tensor64 {
  const alpha = attrFloat(node, 'alpha', 1); const beta = attrFloat(node, 'beta', 1)
  const A = attrInt(node, 'transA', 0) ? transpose(a, [1, 0]) : a
  const B = attrInt(node, 'transB', 0) ? transpose(b, [1, 0]) : b
  const y = matmul(A, B) as { dims: number[]; data: Float64Array }
  for (let i = 0; i < y.data.length; i++) y.data[i] = alpha * y.data[i]!
  if (c !== undefined) {
    const cc = expandTo(c, y.dims).data as Float64Array
    for (let i = 0; i < y.data.length; i++) y.data[i] = y.data[i]! + beta * cc[i]!
  }
  return y
}

function transpose (t: Tensor64, perm: readonly number[]): Tensor64 {
  const dims = perm.map((p) => t.dims[p]!)
  const inStr = strides(t.dims)
  const n = size(dims)
  const out = alloc(t.data, n) as unknown as Elem[]
  const coord = new Array<number>(dims.length)
  for (let f = 0; f < n; f++) {
    unravel(f, dims, coord)
    let idx = 0
    for (let i = 0; i < perm.length; i++) idx += coord[i]! * inStr[perm[i]!]!
    out[f] = t.data[idx]!
  }
  return { dims, data: out as unknown as Tensor64Data }
}

/** Iterate a tensor as (outer, axis, inner) blocks: calls fn(base, stride) for each 1-D fibre along `axis`. */
function fibres (dims: readonly number[], axis: number, fn: (base: number, stride: number, len: number) => void): void {
  const outer = size(dims.slice(0, axis)); const len = dims[axis]!; const inner = size(dims.slice(axis + 1))
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) fn(o * len * inner + i, inner, len)
}

function softmax (t: Tensor64, axis: number, log: boolean): Tensor64 {
  if (!isFloat(t)) throw new Error('Softmax needs a float tensor')
  const a = normAxis(axis, t.dims.length)
  const out = new Float64Array(t.data.length)
  fibres(t.dims, a, (base, stride, len) => {
    let m = -Infinity
    for (let k = 0; k < len; k++) m = Math.max(m, t.data[base + k * stride]!)
    let s = 0
    for (let k = 0; k < len; k++) s += Math.exp(t.data[base + k * stride]! - m)
    for (let k = 0; k < len; k++) {
      const z = t.data[base + k * stride]! - m
      out[base + k * stride] = log ? z - Math.log(s) : Math.exp(z) / s
    }
  })
  return { dims: [...t.dims], data: out }
}

function reduceAxes (t: Tensor64, axes: readonly number[], keepdims: boolean, kind: 'sum' | 'mean' | 'max'): Tensor64 {
  const set = new Set(axes)
  const keptDims = t.dims.map((d, i) => (set.has(i) ? 1 : d))
  const map = broadcastMap(keptDims, t.dims) // input flat → output flat (the kept dims broadcast back)
  const n = size(keptDims)
  const count = size(t.dims) / Math.max(n, 1)
  const dims = keepdims ? keptDims : t.dims.filter((_, i) => !set.has(i))
  if (isInt(t)) {
    if (kind === 'mean') throw new Error('ReduceMean of integers is not supported')
    const out = new BigInt64Array(n).fill(kind === 'max' ? -(1n << 63n) : 0n)
    for (let f = 0; f < t.data.length; f++) { const o = map[f]!; const v = t.data[f]!; out[o] = kind === 'max' ? (v > out[o]! ? v : out[o]!) : out[o]! + v }
    return { dims, data: out }
  }
  if (!isFloat(t)) throw new Error('reduction needs a numeric tensor')
  const out = new Float64Array(n).fill(kind === 'max' ? -Infinity : 0)
  for (let f = 0; f < t.data.length; f++) { const o = map[f]!; const v = t.data[f]!; out[o] = kind === 'max' ? Math.max(out[o]!, v) : out[o]! + v }
  if (kind === 'mean') for (let i = 0; i < n; i++) out[i] = out[i]! / count
  return { dims, data: out }
}

function reduce (node: IrNode, inputs: Inputs, kind: 'sum' | 'mean' | 'max'): Tensor64 {
  const t = need(inputs, 0)
  // ReduceSum takes axes as an input from opset 13, ReduceMean/ReduceMax from opset 18 (an attribute
  // before); either form is read, whichever the node has.
  const given = inputs[1] !== undefined ? ints(inputs[1]) : attrInts(node, 'axes')
  const keepdims = attrInt(node, 'keepdims', 1) === 1
  if (given === undefined || given.length === 0) {
    if (attrInt(node, 'noop_with_empty_axes', 0) === 1) return t
    return reduceAxes(t, t.dims.map((_, i) => i), keepdims, kind)
  }
  return reduceAxes(t, given.map((a) => normAxis(a, t.dims.length)), keepdims, kind)
}

function argmax (t: Tensor64, axis: number, keepdims: boolean, last: boolean): Tensor64 {
  const a = normAxis(axis, t.dims.length)
  const outDims = t.dims.map((d, i) => (i === a ? 1 : d))
  const out = new BigInt64Array(size(outDims))
  const inner = size(t.dims.slice(a + 1))
  fibres(t.dims, a, (base, stride, len) => {
    let best = 0
    for (let k = 1; k < len; k++) {
      const v = t.data[base + k * stride]!; const b = t.data[base + best * stride]!
      if (v > b || (last && v === b)) best = k
    }
    const outer = Math.floor(base / (len * inner)); const i = base % inner
    out[outer * inner + i] = BigInt(best)
  })
  return { dims: keepdims ? outDims : t.dims.filter((_, i) => i !== a), data: out }
}

function batchNorm (node: IrNode, inputs: Inputs, opts: Evaluate64Options): Tensor64[] {
  const [x, scale, bias, mean, variance] = [0, 1, 2, 3, 4].map((i) => need(inputs, i)) as [Tensor64, Tensor64, Tensor64, Tensor64, Tensor64]
  const eps = attrFloat(node, 'epsilon', 1e-5); const momentum = attrFloat(node, 'momentum', 0.9)
  const training = opts.training ?? attrInt(node, 'training_mode', 0) === 1
  const C = x.dims[1]!; const N = x.dims[0]!; const S = size(x.dims.slice(2))
  const xd = x.data as Float64Array
  let m = mean.data as Float64Array; let v = variance.data as Float64Array
  if (training) {
    m = new Float64Array(C); v = new Float64Array(C)
    for (let c = 0; c < C; c++) {
      let s = 0
      for (let n = 0; n < N; n++) for (let k = 0; k < S; k++) s += xd[(n * C + c) * S + k]!
      const mu = s / (N * S)
      let q = 0
      for (let n = 0; n < N; n++) for (let k = 0; k < S; k++) q += (xd[(n * C + c) * S + k]! - mu) ** 2
      m[c] = mu; v[c] = q / (N * S) // ONNX: the population (biased) variance
    }
  }
  const y = new Float64Array(xd.length)
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const inv = 1 / Math.sqrt(v[c]! + eps)
      for (let k = 0; k < S; k++) {
        const i = (n * C + c) * S + k
        y[i] = (xd[i]! - m[c]!) * inv * (scale.data as Float64Array)[c]! + (bias.data as Float64Array)[c]!
      }
    }
  }
  const out: Tensor64[] = [{ dims: [...x.dims], data: y }]
  if (training) {
    const im = mean.data as Float64Array; const iv = variance.data as Float64Array
    out.push({ dims: [C], data: im.map((p, c) => p * momentum + m[c]! * (1 - momentum)) })
    out.push({ dims: [C], data: iv.map((p, c) => p * momentum + v[c]! * (1 - momentum)) })
  }
  return out
}

function dropout (node: IrNode, inputs: Inputs, opts: Evaluate64Options): Tensor64[] {
  const x = need(inputs, 0)
  const ratio = inputs[1] === undefined ? 0.5 : scalar(inputs[1])
  const training = opts.training ?? (inputs[2] === undefined ? false : scalar(inputs[2]) !== 0)
  if (!training || ratio === 0) return [x, bool(x.dims, new Uint8Array(size(x.dims)).fill(1))]
  const mask = opts.dropoutMasks?.get(node.name)
  if (mask === undefined) throw new Error(`Dropout ${node.name} trains with ratio ${ratio}: give its mask in opts.dropoutMasks`)
  if (mask.data.length !== x.data.length) throw new Error(`Dropout ${node.name}: mask of ${mask.data.length} values for an input of ${x.data.length}`)
  const keep = (i: number): boolean => Number(mask.data[i]) !== 0
  const xd = x.data as Float64Array
  const y = xd.map((v, i) => (keep(i) ? v / (1 - ratio) : 0))
  return [{ dims: [...x.dims], data: y }, bool(x.dims, Array.from(xd, (_, i) => keep(i)))]
}

// ── convolution and pooling (any number of spatial dims) ──

interface Geometry {
  /** Spatial sizes of the input and output. */
  inS: number[]
  outS: number[]
  kernel: number[]
  strides: number[]
  dilations: number[]
  padsBegin: number[]
  padsEnd: number[]
}

/** Output size and pads of a Conv/pool (ONNX auto_pad rules; ceil_mode for pools). */
function geometry (node: IrNode, inS: number[], kernel: number[], ceilMode: boolean): Geometry {
  const r = inS.length
  const st = attrInts(node, 'strides') ?? new Array<number>(r).fill(1)
  const dl = attrInts(node, 'dilations') ?? new Array<number>(r).fill(1)
  const autoPad = attrString(node, 'auto_pad', 'NOTSET')
  const pads = attrInts(node, 'pads') ?? new Array<number>(2 * r).fill(0)
  const padsBegin = pads.slice(0, r); const padsEnd = pads.slice(r)
  const outS: number[] = []
  for (let i = 0; i < r; i++) {
    const dk = (kernel[i]! - 1) * dl[i]! + 1
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const o = Math.ceil(inS[i]! / st[i]!)
      const total = Math.max(0, (o - 1) * st[i]! + dk - inS[i]!)
      const small = Math.floor(total / 2)
      padsBegin[i] = autoPad === 'SAME_UPPER' ? small : total - small
      padsEnd[i] = total - padsBegin[i]!
      outS.push(o)
    } else if (autoPad === 'VALID') {
      padsBegin[i] = 0; padsEnd[i] = 0
      outS.push(Math.floor((inS[i]! - dk) / st[i]!) + 1)
    } else if (autoPad === 'NOTSET') {
      const span = inS[i]! + padsBegin[i]! + padsEnd[i]! - dk
      let o = (ceilMode ? Math.ceil(span / st[i]!) : Math.floor(span / st[i]!)) + 1
      // ceil_mode: a last window that would start in the end padding is dropped (PyTorch, onnxruntime)
      if (ceilMode && (o - 1) * st[i]! >= inS[i]! + padsBegin[i]!) o--
      outS.push(o)
    } else throw new Error(`auto_pad ${autoPad} is not known`)
  }
  return { inS, outS, kernel, strides: st, dilations: dl, padsBegin, padsEnd }
}

const IN_PADDING = -1
const BEYOND_PADDING = -2
/**
 * For each output position (flat) and kernel position (flat): the flat input position it reads, or
 * IN_PADDING (inside the declared pads) or BEYOND_PADDING (past the end pads, only with ceil_mode).
 */
function windowTable (g: Geometry): Int32Array {
  const r = g.inS.length
  const nOut = size(g.outS); const nK = size(g.kernel)
  const inStr = strides(g.inS)
  const table = new Int32Array(nOut * nK)
  const oc = new Array<number>(r); const kc = new Array<number>(r)
  for (let o = 0; o < nOut; o++) {
    unravel(o, g.outS, oc)
    for (let k = 0; k < nK; k++) {
      unravel(k, g.kernel, kc)
      let idx = 0; let state = 0
      for (let i = 0; i < r; i++) {
        const p = oc[i]! * g.strides[i]! - g.padsBegin[i]! + kc[i]! * g.dilations[i]!
        if (p < -g.padsBegin[i]! || p >= g.inS[i]! + g.padsEnd[i]!) state = BEYOND_PADDING
        else if ((p < 0 || p >= g.inS[i]!) && state === 0) state = IN_PADDING
        idx += p * inStr[i]!
      }
      table[o * nK + k] = state === 0 ? idx : state
    }
  }
  return table
}

function conv (node: IrNode, x: Tensor64, w: Tensor64, b: Tensor64 | undefined): Tensor64 {
  const [N, C] = x.dims as [number, number]; const M = w.dims[0]!
  const group = attrInt(node, 'group', 1)
  const kernel = attrInts(node, 'kernel_shape') ?? w.dims.slice(2)
  const g = geometry(node, x.dims.slice(2), kernel, false)
  const Cg = C / group; const Mg = M / group
  if (w.dims[1] !== Cg) throw new Error(`weight has ${w.dims[1]} input channels per group, expected ${Cg}`)
  const table = windowTable(g)
  const nIn = size(g.inS); const nOut = size(g.outS); const nK = size(kernel)
  const xd = x.data as Float64Array; const wd = w.data as Float64Array; const bd = b?.data as Float64Array | undefined
  const out = new Float64Array(N * M * nOut)
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const gi = Math.floor(m / Mg)
      for (let o = 0; o < nOut; o++) {
        let s = bd ? bd[m]! : 0
        for (let c = 0; c < Cg; c++) {
          const xBase = (n * C + gi * Cg + c) * nIn; const wBase = (m * Cg + c) * nK
          for (let k = 0; k < nK; k++) {
            const p = table[o * nK + k]!
            if (p >= 0) s += xd[xBase + p]! * wd[wBase + k]!
          }
        }
        out[(n * M + m) * nOut + o] = s
      }
    }
  }
  return { dims: [N, M, ...g.outS], data: out }
}

function convTranspose (node: IrNode, x: Tensor64, w: Tensor64, b: Tensor64 | undefined): Tensor64 {
  const [N, C] = x.dims as [number, number]
  const group = attrInt(node, 'group', 1)
  const Mg = w.dims[1]!; const M = Mg * group; const Cg = C / group
  const kernel = attrInts(node, 'kernel_shape') ?? w.dims.slice(2)
  const inS = x.dims.slice(2); const r = inS.length
  const st = attrInts(node, 'strides') ?? new Array<number>(r).fill(1)
  const dl = attrInts(node, 'dilations') ?? new Array<number>(r).fill(1)
  const outPad = attrInts(node, 'output_padding') ?? new Array<number>(r).fill(0)
  const outputShape = attrInts(node, 'output_shape')
  const autoPad = attrString(node, 'auto_pad', 'NOTSET')
  const pads = attrInts(node, 'pads') ?? new Array<number>(2 * r).fill(0)
  const pb = pads.slice(0, r); const pe = pads.slice(r)
  const outS: number[] = []
  for (let i = 0; i < r; i++) {
    const full = st[i]! * (inS[i]! - 1) + outPad[i]! + (kernel[i]! - 1) * dl[i]! + 1
    if (outputShape !== undefined || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const target = outputShape !== undefined ? outputShape[outputShape.length - r + i]! : inS[i]! * st[i]!
      const total = full - target
      const half = Math.floor(total / 2)
      // ONNX: SAME_UPPER puts the odd pad at the end; otherwise at the beginning.
      pb[i] = autoPad === 'SAME_UPPER' ? half : total - half
      pe[i] = total - pb[i]!
      outS.push(target)
    } else if (autoPad === 'VALID') {
      pb[i] = 0; pe[i] = 0; outS.push(full)
    } else outS.push(full - pb[i]! - pe[i]!)
  }
  const nIn = size(inS); const nOut = size(outS); const nK = size(kernel)
  const outStr = strides(outS)
  const xd = x.data as Float64Array; const wd = w.data as Float64Array
  const out = new Float64Array(N * M * nOut)
  const ic = new Array<number>(r); const kc = new Array<number>(r)
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const gi = Math.floor(c / Cg)
      for (let p = 0; p < nIn; p++) {
        unravel(p, inS, ic)
        const xv = xd[(n * C + c) * nIn + p]!
        for (let k = 0; k < nK; k++) {
          unravel(k, kernel, kc)
          let o = 0; let inside = true
          for (let i = 0; i < r; i++) {
            const q = ic[i]! * st[i]! + kc[i]! * dl[i]! - pb[i]!
            if (q < 0 || q >= outS[i]!) { inside = false; break }
            o += q * outStr[i]!
          }
          if (!inside) continue
          for (let m = 0; m < Mg; m++) {
            const at = (n * M + gi * Mg + m) * nOut + o
            out[at] = out[at]! + xv * wd[(c * Mg + m) * nK + k]!
          }
        }
      }
    }
  }
  if (b !== undefined) {
    const bd = b.data as Float64Array
    for (let n = 0; n < N; n++) for (let m = 0; m < M; m++) for (let o = 0; o < nOut; o++) { const at = (n * M + m) * nOut + o; out[at] = out[at]! + bd[m]! }
  }
  return { dims: [N, M, ...outS], data: out }
}

function maxPool (node: IrNode, x: Tensor64): Tensor64[] {
  const kernel = attrInts(node, 'kernel_shape')
  if (kernel === undefined) throw new Error('kernel_shape is required')
  const g = geometry(node, x.dims.slice(2), kernel, attrInt(node, 'ceil_mode', 0) === 1)
  const colMajor = attrInt(node, 'storage_order', 0) === 1
  const table = windowTable(g)
  const [N, C] = x.dims as [number, number]
  const nIn = size(g.inS); const nOut = size(g.outS); const nK = size(kernel)
  const xd = x.data as Float64Array
  const out = new Float64Array(N * C * nOut); const idx = new BigInt64Array(N * C * nOut)
  const colStr = g.inS.map((_, i) => size(g.inS.slice(0, i))) // column-major spatial strides
  const rc = new Array<number>(g.inS.length)
  for (let nc = 0; nc < N * C; nc++) {
    for (let o = 0; o < nOut; o++) {
      let best = -Infinity; let at = -1
      for (let k = 0; k < nK; k++) {
        const p = table[o * nK + k]!
        if (p >= 0 && (at < 0 || xd[nc * nIn + p]! > best)) { best = xd[nc * nIn + p]!; at = p } // strict >: the first maximum wins
      }
      out[nc * nOut + o] = best
      let spatial = at
      if (colMajor && at >= 0) { unravel(at, g.inS, rc); spatial = rc.reduce((s, v, i) => s + v * colStr[i]!, 0) }
      idx[nc * nOut + o] = BigInt(nc * nIn + spatial)
    }
  }
  const dims = [N, C, ...g.outS]
  return [{ dims, data: out }, { dims, data: idx }]
}

function averagePool (node: IrNode, x: Tensor64): Tensor64 {
  const kernel = attrInts(node, 'kernel_shape')
  if (kernel === undefined) throw new Error('kernel_shape is required')
  const g = geometry(node, x.dims.slice(2), kernel, attrInt(node, 'ceil_mode', 0) === 1)
  const includePad = attrInt(node, 'count_include_pad', 0) === 1
  const table = windowTable(g)
  const [N, C] = x.dims as [number, number]
  const nIn = size(g.inS); const nOut = size(g.outS); const nK = size(kernel)
  const xd = x.data as Float64Array
  const out = new Float64Array(N * C * nOut)
  for (let nc = 0; nc < N * C; nc++) {
    for (let o = 0; o < nOut; o++) {
      let s = 0; let count = 0
      for (let k = 0; k < nK; k++) {
        const p = table[o * nK + k]!
        if (p >= 0) { s += xd[nc * nIn + p]!; count++ } else if (p === IN_PADDING && includePad) count++
      }
      out[nc * nOut + o] = s / count
    }
  }
  return { dims: [N, C, ...g.outS], data: out }
}

function maxUnpool (node: IrNode, x: Tensor64, indices: Tensor64, outputShape: Tensor64 | undefined): Tensor64 {
  const kernel = attrInts(node, 'kernel_shape')
  if (kernel === undefined) throw new Error('kernel_shape is required')
  const inS = x.dims.slice(2); const r = inS.length
  const st = attrInts(node, 'strides') ?? new Array<number>(r).fill(1)
  const pads = attrInts(node, 'pads') ?? new Array<number>(2 * r).fill(0)
  const dims = outputShape !== undefined
    ? ints(outputShape)
    : [x.dims[0]!, x.dims[1]!, ...inS.map((d, i) => (d - 1) * st[i]! + kernel[i]! - pads[i]! - pads[r + i]!)]
  const out = new Float64Array(size(dims))
  const idx = ints(indices)
  const xd = x.data as Float64Array
  for (let i = 0; i < xd.length; i++) {
    const at = idx[i]!
    if (at < 0 || at >= out.length) throw new Error(`index ${at} out of the output's ${out.length} values`)
    out[at] = xd[i]!
  }
  return { dims, data: out }
}

function pad (t: Tensor64, pads: number[], constantValue: Tensor64 | undefined, axesT: Tensor64 | undefined, mode: string): Tensor64 {
  const r = t.dims.length
  let pb = pads.slice(0, pads.length / 2); let pe = pads.slice(pads.length / 2)
  if (axesT !== undefined) {
    const axes = ints(axesT).map((a) => normAxis(a, r))
    const b = new Array<number>(r).fill(0); const e = new Array<number>(r).fill(0)
    axes.forEach((a, i) => { b[a] = pb[i]!; e[a] = pe[i]! })
    pb = b; pe = e
  }
  if (pb.length !== r) throw new Error(`${pads.length} pads for rank ${r}`)
  const dims = t.dims.map((d, i) => d + pb[i]! + pe[i]!)
  const cv: Elem = constantValue === undefined ? (isInt(t) ? 0n : 0) : constantValue.data[0]!
  const inStr = strides(t.dims)
  const n = size(dims)
  const out = alloc(t.data, n) as unknown as Elem[]
  const coord = new Array<number>(r)
  for (let f = 0; f < n; f++) {
    unravel(f, dims, coord)
    let idx = 0; let outside = false
    for (let i = 0; i < r; i++) {
      let c = coord[i]! - pb[i]!; const d = t.dims[i]!
      if (c < 0 || c >= d) {
        if (mode === 'constant') { outside = true; break }
        if (mode === 'edge') c = Math.min(Math.max(c, 0), d - 1)
        else if (mode === 'reflect') {
          if (d === 1) c = 0
          else {
            const period = 2 * (d - 1)
            c = ((c % period) + period) % period
            if (c >= d) c = period - c
          }
        } else throw new Error(`Pad mode ${mode} is not supported`)
      }
      idx += c * inStr[i]!
    }
    out[f] = outside ? cv : t.data[idx]!
  }
  return { dims, data: out as unknown as Tensor64Data }
}

function reshape (t: Tensor64, shape: number[], allowZero: boolean): Tensor64 {
  const dims = shape.map((d, i) => (d === 0 && !allowZero ? t.dims[i]! : d))
  const minus = dims.indexOf(-1)
  if (minus >= 0) dims[minus] = size(t.dims) / size(dims.filter((_, i) => i !== minus))
  if (size(dims) !== t.data.length) throw new Error(`cannot reshape [${t.dims.join(',')}] to [${shape.join(',')}]`)
  return { dims, data: t.data }
}

function concat (ts: Tensor64[], axis: number): Tensor64 {
  const first = ts[0]!
  const a = normAxis(axis, first.dims.length)
  const dims = [...first.dims]; dims[a] = ts.reduce((s, t) => s + t.dims[a]!, 0)
  const outer = size(dims.slice(0, a)); const inner = size(dims.slice(a + 1))
  const out = alloc(first.data, size(dims)) as unknown as Elem[]
  let f = 0
  for (let o = 0; o < outer; o++) {
    for (const t of ts) {
      const block = t.dims[a]! * inner
      for (let i = 0; i < block; i++) out[f++] = t.data[o * block + i]!
    }
  }
  return { dims, data: out as unknown as Tensor64Data }
}

function constant (node: IrNode): Tensor64 {
  const [name, a] = [...node.attributes][0] ?? []
  if (a === undefined) throw new Error('Constant has no value')
  switch (name) {
    case 'value': if (a.kind === 'tensor') return fromIrTensor(a.value); break
    case 'value_float': if (a.kind === 'float') return f64([], [a.value]); break
    case 'value_floats': if (a.kind === 'floats') return f64([a.value.length], a.value); break
    case 'value_int': if (a.kind === 'int') return i64([], [a.value]); break
    case 'value_ints': if (a.kind === 'ints') return i64([a.value.length], a.value); break
  }
  throw new Error(`Constant attribute ${name ?? '?'} (${a.kind}) is not supported`)
}

function gather (data: Tensor64, indices: Tensor64, axis: number): Tensor64 {
  const a = normAxis(axis, data.dims.length)
  const outer = size(data.dims.slice(0, a)); const len = data.dims[a]!; const inner = size(data.dims.slice(a + 1))
  const idx = ints(indices).map((i) => (i < 0 ? i + len : i))
  if (idx.some((i) => i < 0 || i >= len)) throw new Error('Gather index out of range')
  const dims = [...data.dims.slice(0, a), ...indices.dims, ...data.dims.slice(a + 1)]
  const out = alloc(data.data, size(dims)) as unknown as Elem[]
  let f = 0
  for (let o = 0; o < outer; o++) for (const i of idx) for (let k = 0; k < inner; k++) out[f++] = data.data[(o * len + i) * inner + k]!
  return { dims, data: out as unknown as Tensor64Data }
}

/** For each element of an index tensor of dims `idxDims`: its flat position in a tensor of `dims` with the axis coordinate replaced. */
function elementsPositions (dims: readonly number[], idxDims: readonly number[], axis: number, indices: number[]): number[] {
  const str = strides(dims)
  const coord = new Array<number>(idxDims.length)
  return indices.map((raw, f) => {
    unravel(f, idxDims, coord)
    const i = raw < 0 ? raw + dims[axis]! : raw
    if (i < 0 || i >= dims[axis]!) throw new Error(`index ${raw} out of range`)
    coord[axis] = i
    return coord.reduce((s, c, k) => s + c * str[k]!, 0)
  })
}

function gatherElements (data: Tensor64, indices: Tensor64, axis: number): Tensor64 {
  const a = normAxis(axis, data.dims.length)
  const pos = elementsPositions(data.dims, indices.dims, a, ints(indices))
  const out = alloc(data.data, pos.length) as unknown as Elem[]
  pos.forEach((p, f) => { out[f] = data.data[p]! })
  return { dims: [...indices.dims], data: out as unknown as Tensor64Data }
}

function scatterElements (data: Tensor64, indices: Tensor64, updates: Tensor64, axis: number, reduction: string): Tensor64 {
  const a = normAxis(axis, data.dims.length)
  const pos = elementsPositions(data.dims, indices.dims, a, ints(indices))
  const out = data.data.slice() as unknown as Elem[]
  pos.forEach((p, f) => {
    const u = updates.data[f]!; const v = out[p]!
    switch (reduction) {
      case 'none': out[p] = u; break
      case 'add': out[p] = (v as number) + (u as number); break
      case 'mul': out[p] = (v as number) * (u as number); break
      case 'max': out[p] = u > v ? u : v; break
      case 'min': out[p] = u < v ? u : v; break
      default: throw new Error(`reduction ${reduction} is not known`)
    }
  })
  return { dims: [...data.dims], data: out as unknown as Tensor64Data }
}

function slice (t: Tensor64, starts: number[], ends: number[], axesIn: number[] | undefined, stepsIn: number[] | undefined): Tensor64 {
  const r = t.dims.length
  const axes = (axesIn ?? starts.map((_, i) => i)).map((a) => normAxis(a, r))
  const steps = stepsIn ?? starts.map(() => 1)
  const begin = t.dims.map(() => 0); const step = t.dims.map(() => 1); const dims = [...t.dims]
  axes.forEach((a, k) => {
    const d = t.dims[a]!; const s = steps[k]!
    if (s === 0) throw new Error('Slice step 0')
    let st = starts[k]!; let en = ends[k]!
    if (st < 0) st += d
    if (en < 0) en += d
    if (s > 0) { st = Math.min(Math.max(st, 0), d); en = Math.min(Math.max(en, 0), d) } else { st = Math.min(Math.max(st, 0), d - 1); en = Math.min(Math.max(en, -1), d - 1) }
    begin[a] = st; step[a] = s
    dims[a] = Math.max(0, Math.ceil((en - st) / s))
  })
  const inStr = strides(t.dims)
  const n = size(dims)
  const out = alloc(t.data, n) as unknown as Elem[]
  const coord = new Array<number>(r)
  for (let f = 0; f < n; f++) {
    unravel(f, dims, coord)
    let idx = 0
    for (let i = 0; i < r; i++) idx += (begin[i]! + coord[i]! * step[i]!) * inStr[i]!
    out[f] = t.data[idx]!
  }
  return { dims, data: out as unknown as Tensor64Data }
}

function tile (t: Tensor64, repeats: number[]): Tensor64 {
  const dims = t.dims.map((d, i) => d * repeats[i]!)
  const inStr = strides(t.dims)
  const n = size(dims)
  const out = alloc(t.data, n) as unknown as Elem[]
  const coord = new Array<number>(dims.length)
  for (let f = 0; f < n; f++) {
    unravel(f, dims, coord)
    out[f] = t.data[coord.reduce((s, c, i) => s + (c % t.dims[i]!) * inStr[i]!, 0)]!
  }
  return { dims, data: out as unknown as Tensor64Data }
}

function range (start: Tensor64, limit: Tensor64, delta: Tensor64): Tensor64 {
  const s = scalar(start); const l = scalar(limit); const d = scalar(delta)
  const n = Math.max(Math.ceil((l - s) / d), 0)
  const vals = Array.from({ length: n }, (_, i) => s + i * d)
  return isInt(start) ? i64([n], vals) : f64([n], vals)
}

function oneHot (indices: Tensor64, depthT: Tensor64, valuesT: Tensor64, axis: number): Tensor64 {
  const depth = Math.trunc(scalar(depthT))
  const r = indices.dims.length + 1
  const a = normAxis(axis, r)
  const dims = [...indices.dims.slice(0, a), depth, ...indices.dims.slice(a)]
  const off = valuesT.data[0]!; const on = valuesT.data[1]!
  const out = alloc(valuesT.data, size(dims)) as unknown as Elem[]
  out.fill(off)
  const idx = ints(indices)
  const inner = size(indices.dims.slice(a))
  idx.forEach((raw, f) => {
    const i = raw < 0 ? raw + depth : raw
    if (i < 0 || i >= depth) return // out of range: the row stays all off
    const o = Math.floor(f / inner); const k = f % inner
    out[(o * depth + i) * inner + k] = on
  })
  return { dims, data: out as unknown as Tensor64Data }
}

// ───────────────────────────── test models ─────────────────────────────

/** An attribute for `onnxModelBytes`. */
export type AttrSpec =
  | { kind: 'int'; value: number } | { kind: 'float'; value: number } | { kind: 'string'; value: string }
  | { kind: 'ints'; value: readonly number[] } | { kind: 'floats'; value: readonly number[] }
  | { kind: 'tensor'; value: Tensor64; dataType?: number }
export const at = {
  i: (value: number): AttrSpec => ({ kind: 'int', value }),
  f: (value: number): AttrSpec => ({ kind: 'float', value }),
  s: (value: string): AttrSpec => ({ kind: 'string', value }),
  ints: (value: readonly number[]): AttrSpec => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): AttrSpec => ({ kind: 'floats', value }),
  t: (value: Tensor64, dataType?: number): AttrSpec => ({ kind: 'tensor', value, ...(dataType !== undefined ? { dataType } : {}) })
}
export interface NodeSpec { readonly op: string; readonly inputs: readonly string[]; readonly outputs: readonly string[]; readonly attrs?: Readonly<Record<string, AttrSpec>>; readonly name?: string }
/** A graph input or output; `type` is a DataType code (default FLOAT); dims null = no shape given. */
export interface ValueSpec { readonly name: string; readonly type?: number; readonly dims?: ReadonlyArray<number | string> | null }
export interface ModelSpec {
  readonly nodes: readonly NodeSpec[]
  readonly inputs: readonly ValueSpec[]
  readonly outputs: readonly ValueSpec[]
  /** Written as FLOAT (float32) for float tensors unless `type` says DOUBLE; ints as INT64, bools as BOOL. */
  readonly initializers?: ReadonlyArray<{ readonly name: string; readonly value: Tensor64; readonly type?: number }>
  readonly opset?: number
}

let fullModelType: protobuf.Type | undefined
function modelType (): protobuf.Type {
  fullModelType ??= protobuf.parse(readFileSync(new URL('../../peer/train/onnx/onnx.proto', import.meta.url), 'utf8'), { keepCase: true }).root.lookupType('onnx.ModelProto')
  return fullModelType
}

function tensorProto (name: string, t: Tensor64, type?: number): Record<string, unknown> {
  const dims = [...t.dims]
  if (t.data instanceof Float64Array) {
    const dt = type ?? DataType.FLOAT
    const raw = dt === DataType.DOUBLE ? new Uint8Array(t.data.buffer.slice(0)) : new Uint8Array(Float32Array.from(t.data).buffer)
    return { name, dims, data_type: dt, raw_data: raw }
  }
  if (t.data instanceof BigInt64Array) {
    const dt = type ?? DataType.INT64
    if (dt === DataType.INT32) return { name, dims, data_type: dt, raw_data: new Uint8Array(Int32Array.from(t.data, Number).buffer) }
    return { name, dims, data_type: DataType.INT64, raw_data: new Uint8Array(t.data.slice().buffer) }
  }
  return { name, dims, data_type: DataType.BOOL, raw_data: t.data.slice() }
}

function valueInfoProto (v: ValueSpec): Record<string, unknown> {
  const tensorType: Record<string, unknown> = { elem_type: v.type ?? DataType.FLOAT }
  const dims = v.dims
  if (dims !== undefined && dims !== null) tensorType.shape = { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) }
  return { name: v.name, type: { tensor_type: tensorType } }
}

const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const

/** Serialise a small test model as ONNX bytes (default domain, opset 17 unless given). */
export function onnxModelBytes (spec: ModelSpec): Uint8Array {
  const node = spec.nodes.map((n, i) => ({
    input: [...n.inputs],
    output: [...n.outputs],
    name: n.name ?? `${n.op}_${i}`,
    op_type: n.op,
    attribute: Object.entries(n.attrs ?? {}).map(([name, a]) => {
      const base = { name, type: ATTR_TYPE[a.kind] }
      switch (a.kind) {
        case 'int': return { ...base, i: a.value }
        case 'float': return { ...base, f: a.value }
        case 'string': return { ...base, s: new TextEncoder().encode(a.value) }
        case 'ints': return { ...base, ints: [...a.value] }
        case 'floats': return { ...base, floats: [...a.value] }
        case 'tensor': return { ...base, t: tensorProto(name, a.value, a.dataType) }
      }
      throw new Error('unreachable')
    })
  }))
  const model = {
    ir_version: 8,
    opset_import: [{ domain: '', version: spec.opset ?? 17 }],
    producer_name: 'cyxwiz-test',
    graph: {
      name: 'test',
      node,
      initializer: (spec.initializers ?? []).map((t) => tensorProto(t.name, t.value, t.type)),
      input: spec.inputs.map(valueInfoProto),
      output: spec.outputs.map(valueInfoProto)
    }
  }
  const type = modelType()
  return type.encode(type.fromObject(model)).finish()
}
