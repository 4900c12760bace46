// Static shape inference over the supported forward ops (../autodiff/supported.ts): what every value
// of a client's graph looks like for a batch of B rows, or for a symbolic batch 'N'. `cyx model
// check` reads FLOPs and activation memory off it, and the autodiff builder may reuse it to size
// gradient buffers, so it is one exported function over the IR with no other dependency.
//
// Rules (ONNX operator spec, opset 13–17):
//   Conv        out = floor((in + padBegin + padEnd − dilation·(k−1) − 1) / stride) + 1
//               auto_pad SAME_UPPER/SAME_LOWER: out = ceil(in / stride); VALID: pads 0
//   MaxPool / AveragePool   as Conv; with ceil_mode the division rounds up, and a last window that
//               would start inside the end padding is dropped (ONNX Runtime and PyTorch agree)
//   GlobalAveragePool       [N, C, 1, …]
//   Gemm        [M, K]·[K, N] after transA/transB; MatMul numpy-style (1-D promotion, batch broadcast)
//   Add/Sub/Mul/Div         multidirectional broadcasting
//   Flatten     [∏ dims[0..axis), ∏ dims[axis..)]
//   Reshape     constant shape only (initializer or Constant): 0 copies the input dim unless
//               allowzero = 1, −1 takes what is left
//   Transpose   perm (default: reversed); Concat sums the axis; Pad adds constant pads (input 1)
//   unary ops, Softmax, LogSoftmax, BatchNormalization, Dropout, Identity: the input's shape
// The batch is the first dimension of the data input. With batch 'N' a dimension is k·N^p, written
// 'N' (k = p = 1), `${k}*N` or `${k}*N^${p}`; dimensions that depend on anything else (a symbolic
// sequence length, an op outside the supported set) are null. Ops outside the supported set are
// skipped: their outputs, and everything computed from them, get no entry in the map.
import { DataType, type IrDim, type IrModel, type IrNode, type IrTensor } from '../onnx/ir.js'

/** A value's inferred type: its dimensions (see the header) and its TensorProto.DataType code. */
export interface ValueShape {
  readonly dims: readonly IrDim[]
  readonly elemType: number
}

/** A supported op whose inputs do not fit together (or whose shape input is not constant). */
export class ShapeInferenceError extends Error {
  constructor (readonly node: string, readonly opType: string, detail: string) {
    super(`shape inference failed at node ${node} (${opType}): ${detail}`)
    this.name = 'ShapeInferenceError'
  }
}

/** k·N^p, or null when unknown. p is always 0 for a concrete batch. */
export interface Sym { readonly k: number; readonly p: number }
type D = Sym | null

interface Value { readonly dims: readonly D[]; readonly elemType: number }

/** What inference found: the shapes, the constant integer tensors it read, and what went wrong. */
export interface ShapeInference {
  readonly values: ReadonlyMap<string, Value>
  readonly failures: readonly ShapeInferenceError[]
}

const fixed = (k: number): Sym => ({ k, p: 0 })
const isFixed = (d: D): d is Sym => d !== null && d.p === 0
const mul = (a: D, b: D): D => (a === null || b === null ? null : { k: a.k * b.k, p: a.p + b.p })
const div = (a: D, b: D): D => {
  if (a === null || b === null || b.k === 0 || a.k % b.k !== 0 || a.p < b.p) return null
  return { k: a.k / b.k, p: a.p - b.p }
}
const add = (a: D, b: D): D => {
  if (a === null || b === null) return null
  if (a.k === 0) return b
  if (b.k === 0) return a
  return a.p === b.p ? { k: a.k + b.k, p: a.p } : null
}
const same = (a: D, b: D): boolean => a !== null && b !== null && a.k === b.k && a.p === b.p
const product = (ds: readonly D[]): D => ds.reduce<D>((acc, d) => mul(acc, d), fixed(1))

export function symToDim (d: D): IrDim {
  if (d === null) return null
  if (d.p === 0) return d.k
  if (d.k === 0) return 0
  const power = d.p === 1 ? 'N' : `N^${d.p}`
  return d.k === 1 ? power : `${d.k}*${power}`
}

/** The number of elements for batch B of a shape inferred with batch 'N' (or a concrete one). */
export function elementCount (dims: readonly IrDim[], batch: number): number | null {
  let n = 1
  for (const d of dims) {
    if (typeof d === 'number') n *= d
    else if (d === null) return null
    else {
      const m = /^(?:(\d+)\*)?N(?:\^(\d+))?$/.exec(d)
      if (m === null) return null
      n *= Number(m[1] ?? 1) * batch ** Number(m[2] ?? 1)
    }
  }
  return n
}

// ---- attribute helpers ----

function intAttr (node: IrNode, name: string, dflt: number): number {
  const a = node.attributes.get(name)
  return a?.kind === 'int' ? a.value : dflt
}
function intsAttr (node: IrNode, name: string): readonly number[] | undefined {
  const a = node.attributes.get(name)
  return a?.kind === 'ints' ? a.value : undefined
}
function stringAttr (node: IrNode, name: string, dflt: string): string {
  const a = node.attributes.get(name)
  return a?.kind === 'string' ? a.value : dflt
}

function intValues (t: IrTensor): bigint[] | undefined {
  const v = t.values
  if (v instanceof BigInt64Array) return Array.from(v)
  if (t.dataType === DataType.INT32 && v instanceof Int32Array) return Array.from(v, (x) => BigInt(x))
  return undefined
}

// ---- per-op rules ----

interface Ctx {
  readonly node: IrNode
  readonly ins: ReadonlyArray<Value | undefined>
  readonly ints: ReadonlyMap<string, bigint[]>
  fail (detail: string): never
}

function input (c: Ctx, i: number, what: string): Value {
  const v = c.ins[i]
  if (v === undefined) c.fail(`input ${i} (${what}) is missing or has no known shape`)
  return v
}

function rank (c: Ctx, v: Value, want: number | ((r: number) => boolean), what: string): void {
  const ok = typeof want === 'number' ? v.dims.length === want : want(v.dims.length)
  if (!ok) c.fail(`${what} has rank ${v.dims.length}`)
}

function broadcast (c: Ctx, shapes: ReadonlyArray<readonly D[]>): D[] {
  const r = Math.max(...shapes.map((s) => s.length))
  const out: D[] = []
  for (let i = 0; i < r; i++) {
    let acc: D = fixed(1)
    let unknown = false
    for (const s of shapes) {
      const d = s[s.length - r + i]
      if (d === undefined) continue
      if (d === null) { unknown = true; continue }
      if (isFixed(d) && d.k === 1) continue
      if (isFixed(acc) && acc.k === 1) acc = d
      else if (!same(acc, d)) c.fail(`cannot broadcast shapes ${shapes.map((x) => `[${x.map(symToDim).join(', ')}]`).join(' and ')}`)
    }
    out.push(unknown && isFixed(acc) && acc.k === 1 ? null : acc)
  }
  return out
}

function windowed (c: Ctx, x: Value, kernel: readonly number[], opts: { strides?: readonly number[]; dilations?: readonly number[]; pads?: readonly number[]; autoPad: string; ceil: boolean }): D[] {
  const spatial = x.dims.length - 2
  if (kernel.length !== spatial) c.fail(`kernel_shape has ${kernel.length} dims for ${spatial} spatial dims`)
  const out: D[] = []
  for (let i = 0; i < spatial; i++) {
    const inD = x.dims[i + 2] ?? null
    const k = kernel[i] as number
    const s = opts.strides?.[i] ?? 1
    const dil = opts.dilations?.[i] ?? 1
    if (s < 1 || dil < 1 || k < 1) c.fail('kernel, strides and dilations must be ≥ 1')
    if (!isFixed(inD)) { out.push(null); continue }
    const n = inD.k
    const eff = dil * (k - 1) + 1
    let o: number
    if (opts.autoPad === 'SAME_UPPER' || opts.autoPad === 'SAME_LOWER') o = Math.ceil(n / s)
    else {
      const pb = opts.autoPad === 'VALID' ? 0 : opts.pads?.[i] ?? 0
      const pe = opts.autoPad === 'VALID' ? 0 : opts.pads?.[i + spatial] ?? 0
      const span = n + pb + pe - eff
      if (span < 0) c.fail(`kernel ${eff} is larger than the padded input ${n + pb + pe} on spatial axis ${i}`)
      o = (opts.ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1
      if (opts.ceil && (o - 1) * s >= n + pb) o -= 1
    }
    out.push(fixed(o))
  }
  return out
}

function convShape (c: Ctx): Value[] {
  const x = input(c, 0, 'X')
  const w = input(c, 1, 'W')
  rank(c, x, (r) => r >= 3, 'X')
  rank(c, w, x.dims.length, 'W')
  const group = intAttr(c.node, 'group', 1)
  const cin = x.dims[1] ?? null
  const wc = w.dims[1] ?? null
  if (isFixed(cin) && isFixed(wc) && cin.k !== wc.k * group) c.fail(`X has ${cin.k} channels, W expects ${wc.k} × group ${group}`)
  const kernel = intsAttr(c.node, 'kernel_shape') ?? w.dims.slice(2).map((d) => (isFixed(d) ? d.k : c.fail('W has an unknown kernel size')))
  const spatial = windowed(c, x, kernel, {
    strides: intsAttr(c.node, 'strides'), dilations: intsAttr(c.node, 'dilations'), pads: intsAttr(c.node, 'pads'),
    autoPad: stringAttr(c.node, 'auto_pad', 'NOTSET'), ceil: false
  })
  return [{ dims: [x.dims[0] ?? null, w.dims[0] ?? null, ...spatial], elemType: x.elemType }]
}

function poolShape (c: Ctx): Value[] {
  const x = input(c, 0, 'X')
  rank(c, x, (r) => r >= 3, 'X')
  const kernel = intsAttr(c.node, 'kernel_shape')
  if (kernel === undefined) c.fail('kernel_shape is required')
  const spatial = windowed(c, x, kernel, {
    strides: intsAttr(c.node, 'strides'),
    dilations: c.node.opType === 'MaxPool' ? intsAttr(c.node, 'dilations') : undefined,
    pads: intsAttr(c.node, 'pads'),
    autoPad: stringAttr(c.node, 'auto_pad', 'NOTSET'),
    ceil: intAttr(c.node, 'ceil_mode', 0) === 1
  })
  const dims = [x.dims[0] ?? null, x.dims[1] ?? null, ...spatial]
  const out: Value[] = [{ dims, elemType: x.elemType }]
  if (c.node.outputs.length > 1) out.push({ dims, elemType: DataType.INT64 }) // MaxPool's Indices
  return out
}

function gemmShape (c: Ctx): Value[] {
  const a = input(c, 0, 'A')
  const b = input(c, 1, 'B')
  rank(c, a, 2, 'A')
  rank(c, b, 2, 'B')
  const [m, ka] = intAttr(c.node, 'transA', 0) === 1 ? [a.dims[1], a.dims[0]] : [a.dims[0], a.dims[1]]
  const [kb, n] = intAttr(c.node, 'transB', 0) === 1 ? [b.dims[1], b.dims[0]] : [b.dims[0], b.dims[1]]
  if (ka && kb && !same(ka, kb)) c.fail(`inner dimensions differ: A gives ${symToDim(ka)}, B gives ${symToDim(kb)}`)
  const dims = [m ?? null, n ?? null]
  const cv = c.ins[2]
  if (cv !== undefined) broadcast(c, [dims, cv.dims]) // C must broadcast to [M, N]
  return [{ dims, elemType: a.elemType }]
}

function matMulShape (c: Ctx): Value[] {
  const a = input(c, 0, 'A')
  const b = input(c, 1, 'B')
  if (a.dims.length === 0 || b.dims.length === 0) c.fail('MatMul inputs must have rank ≥ 1')
  const ad = a.dims.length === 1 ? [fixed(1), ...a.dims] : a.dims
  const bd = b.dims.length === 1 ? [...b.dims, fixed(1)] : b.dims
  const ka = ad[ad.length - 1] ?? null
  const kb = bd[bd.length - 2] ?? null
  if (ka && kb && !same(ka, kb)) c.fail(`inner dimensions differ: A gives ${symToDim(ka)}, B gives ${symToDim(kb)}`)
  const batch = broadcast(c, [ad.slice(0, -2), bd.slice(0, -2)])
  const dims = [...batch]
  if (a.dims.length > 1) dims.push(ad[ad.length - 2] ?? null)
  if (b.dims.length > 1) dims.push(bd[bd.length - 1] ?? null)
  return [{ dims, elemType: a.elemType }]
}

function normAxis (c: Ctx, axis: number, r: number, inclusiveEnd = false): number {
  const a = axis < 0 ? axis + r : axis
  if (a < 0 || a > (inclusiveEnd ? r : r - 1)) c.fail(`axis ${axis} is out of range for rank ${r}`)
  return a
}

function flattenShape (c: Ctx): Value[] {
  const x = input(c, 0, 'input')
  const axis = normAxis(c, intAttr(c.node, 'axis', 1), x.dims.length, true)
  return [{ dims: [product(x.dims.slice(0, axis)), product(x.dims.slice(axis))], elemType: x.elemType }]
}

function constantInts (c: Ctx, i: number, what: string): bigint[] {
  const name = c.node.inputs[i]
  const v = name === undefined || name === '' ? undefined : c.ints.get(name)
  if (v === undefined) c.fail(`${what} (input ${i}) must be a constant (an initializer or a Constant node); export with fixed sizes, e.g. x.reshape(-1, 64) or torch.flatten(x, 1)`)
  return v
}

function reshapeShape (c: Ctx): Value[] {
  const x = input(c, 0, 'data')
  const shape = constantInts(c, 1, 'the shape').map(Number)
  const allowZero = intAttr(c.node, 'allowzero', 0) === 1
  const dims: D[] = shape.map((s, i) => {
    if (s === 0 && !allowZero) {
      if (i >= x.dims.length) c.fail(`shape entry ${i} is 0 (copy) but the input has rank ${x.dims.length}`)
      return x.dims[i] ?? null
    }
    if (s === -1) return null
    if (s < -1) c.fail(`shape entry ${s} is invalid`)
    return fixed(s)
  })
  const holes = shape.filter((s) => s === -1).length
  if (holes > 1) c.fail('the shape has more than one -1')
  const inBatch = x.dims[0] ?? null
  if (inBatch !== null && inBatch.p > 0 && shape.length > 0 && shape[0] !== 0 && shape[0] !== -1) {
    // [N, …] reshaped to [K, …]: the exporter baked the example's batch size into the graph.
    c.fail(`the constant shape [${shape.join(', ')}] fixes the batch dimension at ${shape[0]}; export with dynamic_axes={'<input>': {0: 'N'}} and reshape with x.reshape(x.shape[0], -1) or torch.flatten(x, 1)`)
  }
  const total = product(x.dims)
  const rest = product(dims.filter((_d, i) => shape[i] !== -1))
  if (holes === 1) {
    const hole = div(total, rest)
    if (total !== null && rest !== null && rest.k !== 0 && hole === null) c.fail(`cannot reshape [${x.dims.map(symToDim).join(', ')}] to [${shape.join(', ')}]`)
    dims[shape.indexOf(-1)] = hole
  } else if (total !== null && rest !== null && !same(total, rest)) {
    c.fail(`cannot reshape [${x.dims.map(symToDim).join(', ')}] (${symToDim(total)} elements) to [${shape.join(', ')}]`)
  }
  return [{ dims, elemType: x.elemType }]
}

function transposeShape (c: Ctx): Value[] {
  const x = input(c, 0, 'data')
  const r = x.dims.length
  const perm = intsAttr(c.node, 'perm') ?? Array.from({ length: r }, (_v, i) => r - 1 - i)
  if (perm.length !== r || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) c.fail(`perm [${perm.join(', ')}] is not a permutation of rank ${r}`)
  return [{ dims: perm.map((p) => x.dims[p] ?? null), elemType: x.elemType }]
}

function concatShape (c: Ctx): Value[] {
  const parts = c.node.inputs.map((_n, i) => input(c, i, `input ${i}`))
  const first = parts[0]
  if (first === undefined) c.fail('Concat needs at least one input')
  const r = first.dims.length
  const axis = normAxis(c, intAttr(c.node, 'axis', 0), r)
  const dims: D[] = [...first.dims]
  let sum: D = fixed(0)
  for (const p of parts) {
    if (p.dims.length !== r) c.fail('inputs have different ranks')
    p.dims.forEach((d, i) => {
      if (i === axis) return
      const cur = dims[i] ?? null
      if (cur !== null && d !== null && !same(cur, d)) c.fail(`inputs differ on axis ${i}`)
      if (cur === null) dims[i] = d
    })
    sum = add(sum, p.dims[axis] ?? null)
  }
  dims[axis] = sum
  return [{ dims, elemType: first.elemType }]
}

function padShape (c: Ctx): Value[] {
  const x = input(c, 0, 'data')
  const r = x.dims.length
  const pads = constantInts(c, 1, 'pads').map(Number)
  if (c.node.inputs[3] !== undefined && c.node.inputs[3] !== '') c.fail('the axes input (opset 18) is not supported')
  if (pads.length !== 2 * r) c.fail(`pads has ${pads.length} entries for rank ${r} (needs ${2 * r})`)
  const dims = x.dims.map((d, i) => {
    const extra = (pads[i] as number) + (pads[i + r] as number)
    if (extra === 0) return d
    if (!isFixed(d)) return null
    if (d.k + extra < 0) c.fail(`pads ${pads.join(', ')} crop axis ${i} below zero`)
    return fixed(d.k + extra)
  })
  return [{ dims, elemType: x.elemType }]
}

function sameAsInput (c: Ctx): Value[] {
  const x = input(c, 0, 'input')
  const out: Value[] = [x]
  if (c.node.opType === 'Dropout' && c.node.outputs.length > 1) out.push({ dims: x.dims, elemType: DataType.BOOL })
  return out
}

function constantShape (c: Ctx): Value[] {
  const [name, a] = [...c.node.attributes.entries()][0] ?? []
  switch (a?.kind) {
    case 'tensor': return [{ dims: a.value.dims.map(fixed), elemType: a.value.dataType }]
    case 'float': return [{ dims: [], elemType: DataType.FLOAT }]
    case 'floats': return [{ dims: [fixed(a.value.length)], elemType: DataType.FLOAT }]
    case 'int': return [{ dims: [], elemType: DataType.INT64 }]
    case 'ints': return [{ dims: [fixed(a.value.length)], elemType: DataType.INT64 }]
    default: return c.fail(`attribute ${name ?? '(none)'} is not a value this checker reads (value, value_float(s), value_int(s))`)
  }
}

function globalPoolShape (c: Ctx): Value[] {
  const x = input(c, 0, 'X')
  rank(c, x, (r) => r >= 3, 'X')
  return [{ dims: [x.dims[0] ?? null, x.dims[1] ?? null, ...x.dims.slice(2).map(() => fixed(1))], elemType: x.elemType }]
}

function binaryShape (c: Ctx): Value[] {
  const a = input(c, 0, 'A')
  const b = input(c, 1, 'B')
  return [{ dims: broadcast(c, [a.dims, b.dims]), elemType: a.elemType }]
}

const RULES: Record<string, (c: Ctx) => Value[]> = {
  Gemm: gemmShape,
  MatMul: matMulShape,
  Add: binaryShape,
  Sub: binaryShape,
  Mul: binaryShape,
  Div: binaryShape,
  Relu: sameAsInput,
  LeakyRelu: sameAsInput,
  Sigmoid: sameAsInput,
  Tanh: sameAsInput,
  Softmax: sameAsInput,
  LogSoftmax: sameAsInput,
  Conv: convShape,
  MaxPool: poolShape,
  AveragePool: poolShape,
  GlobalAveragePool: globalPoolShape,
  Pad: padShape,
  Flatten: flattenShape,
  Reshape: reshapeShape,
  Transpose: transposeShape,
  Concat: concatShape,
  Identity: sameAsInput,
  Constant: constantShape,
  BatchNormalization: sameAsInput,
  Dropout: sameAsInput
}

/** The integer values of a Constant node, for Reshape shapes and Pad pads. */
function constantNodeInts (node: IrNode): bigint[] | undefined {
  const a = [...node.attributes.values()][0]
  if (a?.kind === 'tensor') return intValues(a.value)
  if (a?.kind === 'int') return [BigInt(a.value)]
  if (a?.kind === 'ints') return a.value.map((v) => BigInt(v))
  return undefined
}

/** Shapes of every value, with the failures of supported ops collected instead of thrown. */
export function inferShapesDetailed (model: IrModel, batch: number | 'N'): ShapeInference {
  if (batch !== 'N' && (!Number.isSafeInteger(batch) || batch < 1)) throw new RangeError(`batch must be a whole number ≥ 1 or 'N' (got ${batch})`)
  const values = new Map<string, Value>()
  const ints = new Map<string, bigint[]>()
  const failures: ShapeInferenceError[] = []
  const batchDim: Sym = batch === 'N' ? { k: 1, p: 1 } : fixed(batch)
  for (const t of model.initializers) {
    values.set(t.name, { dims: t.dims.map(fixed), elemType: t.dataType })
    const v = intValues(t)
    if (v !== undefined) ints.set(t.name, v)
  }
  for (const inp of model.inputs) {
    if (inp.shape === null) continue
    values.set(inp.name, {
      dims: inp.shape.map((d, i) => (i === 0 ? batchDim : typeof d === 'number' ? fixed(d) : null)),
      elemType: inp.elemType
    })
  }
  for (const node of model.nodes) {
    const rule = node.domain === '' ? RULES[node.opType] : undefined
    if (rule === undefined) continue
    const ins = node.inputs.map((n) => (n === '' ? undefined : values.get(n)))
    // A supported op fed by an unsupported one (or an unshaped input) stays unknown, silently: the
    // unsupported op is reported on its own.
    if (node.inputs.some((n, i) => n !== '' && ins[i] === undefined)) continue
    const ctx: Ctx = {
      node,
      ins,
      ints,
      fail: (detail) => { throw new ShapeInferenceError(node.name, node.opType, detail) }
    }
    let outs: Value[]
    try {
      outs = rule(ctx)
    } catch (e) {
      if (!(e instanceof ShapeInferenceError)) throw e
      failures.push(e)
      continue
    }
    node.outputs.forEach((name, i) => {
      const v = outs[i]
      if (name !== '' && v !== undefined) values.set(name, v)
    })
    const out0 = node.outputs[0]
    if (out0 !== undefined) {
      const constant = node.opType === 'Constant' ? constantNodeInts(node) : node.opType === 'Identity' ? ints.get(node.inputs[0] ?? '') : undefined
      if (constant !== undefined) ints.set(out0, constant)
    }
  }
  return { values, failures }
}

/**
 * The shape and element type of every value of the model for a batch of `batch` rows ('N':
 * symbolic), keyed by value name: initializers, data inputs and every output of a supported op.
 * Outputs of unsupported ops (and values computed from them) are absent. Throws
 * ShapeInferenceError on the first supported op whose inputs do not fit.
 */
export function inferShapes (model: IrModel, batch: number | 'N'): Map<string, ValueShape> {
  const { values, failures } = inferShapesDetailed(model, batch)
  const first = failures[0]
  if (first !== undefined) throw first
  return toValueShapes(values)
}

export function toValueShapes (values: ReadonlyMap<string, Value>): Map<string, ValueShape> {
  return new Map([...values].map(([name, v]) => [name, { dims: v.dims.map(symToDim), elemType: v.elemType }]))
}
