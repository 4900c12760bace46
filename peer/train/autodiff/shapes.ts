// Static shapes of every value of a client's forward graph, with the batch as the symbol 'N'. The
// gradient rules need them to know which axes a broadcast added (so the gradient can be summed back to
// an input's shape), a convolution's padding once auto_pad is resolved, and a pooling window's
// geometry. Only the batch may be symbolic: every other dimension must follow from the model's input
// shape and constants, or the model is refused with the value that could not be sized.
import type { IrAttribute, IrModel, IrNode, IrTensor } from '../onnx/ir.js'

/** A dimension: fixed, or the batch. */
export type Dim = number | 'N'
export type Shape = readonly Dim[]

export class ShapeError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ShapeError'
  }
}

export const numel = (shape: Shape, what: string): number => shape.reduce<number>((n, d) => {
  if (d === 'N') throw new ShapeError(`${what}: the batch dimension cannot be sized statically here`)
  return n * d
}, 1)

/** Product of dims as N^power · coefficient. */
function symbolicProduct (dims: Shape): { power: number; coef: number } {
  let power = 0
  let coef = 1
  for (const d of dims) {
    if (d === 'N') power++
    else coef *= d
  }
  return { power, coef }
}

function fromProduct (p: { power: number; coef: number }, what: string): Dim {
  if (p.power === 0) return p.coef
  if (p.power === 1 && p.coef === 1) return 'N'
  throw new ShapeError(`${what}: a dimension would be N×${p.coef} (or N^${p.power}); only the batch may be symbolic`)
}

/** Multidirectional (numpy) broadcasting. */
export function broadcastShapes (a: Shape, b: Shape, what: string): Dim[] {
  const rank = Math.max(a.length, b.length)
  const out: Dim[] = []
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1
    const db = b[b.length - rank + i] ?? 1
    if (da === db || db === 1) out.push(da)
    else if (da === 1) out.push(db)
    else throw new ShapeError(`${what}: shapes [${a.join(',')}] and [${b.join(',')}] do not broadcast`)
  }
  return out
}

type ValuedAttribute = Exclude<IrAttribute, { kind: 'unsupported' }>
type AttributeValue = { [A in ValuedAttribute as A['kind']]: A['value'] }

/** A node's attribute of one kind, or undefined when absent; another kind is a ShapeError. */
function typedAttr<K extends keyof AttributeValue> (node: IrNode, name: string, kind: K, what: string): AttributeValue[K] | undefined {
  const a = node.attributes.get(name)
  if (a === undefined) return undefined
  if (a.kind !== kind) throw new ShapeError(`${node.name}: attribute ${name} should be ${what}`)
  return (a as ValuedAttribute).value as AttributeValue[K]
}

/** Integer attribute with a default. */
export function intAttr (node: IrNode, name: string, fallback: number): number {
  return typedAttr(node, name, 'int', 'an int') ?? fallback
}

export function floatAttr (node: IrNode, name: string, fallback: number): number {
  return typedAttr(node, name, 'float', 'a float') ?? fallback
}

export function intsAttr (node: IrNode, name: string): readonly number[] | undefined {
  return typedAttr(node, name, 'ints', 'ints')
}

export function stringAttr (node: IrNode, name: string, fallback: string): string {
  return typedAttr(node, name, 'string', 'a string') ?? fallback
}

/** Geometry of a 2-D sliding window (Conv, MaxPool, AveragePool) with auto_pad resolved. */
export interface Window2d {
  readonly kernel: readonly [number, number]
  readonly strides: readonly [number, number]
  readonly dilations: readonly [number, number]
  /** [top, left, bottom, right] (ONNX order: begins then ends). */
  readonly pads: readonly [number, number, number, number]
  readonly ceilMode: boolean
  readonly input: readonly [number, number]
  readonly output: readonly [number, number]
}

export function window2d (node: IrNode, inputShape: Shape, kernel: readonly number[]): Window2d {
  if (inputShape.length !== 4) throw new ShapeError(`${node.name} (${node.opType}): only 2-D windows on [N, C, H, W] inputs are supported, got rank ${inputShape.length}`)
  const [h, w] = [inputShape[2], inputShape[3]]
  if (typeof h !== 'number' || typeof w !== 'number') throw new ShapeError(`${node.name}: spatial dimensions must be fixed`)
  if (kernel.length !== 2) throw new ShapeError(`${node.name}: kernel must be 2-D`)
  const strides = intsAttr(node, 'strides') ?? [1, 1]
  const dilations = intsAttr(node, 'dilations') ?? [1, 1]
  const ceilMode = intAttr(node, 'ceil_mode', 0) === 1
  const autoPad = stringAttr(node, 'auto_pad', 'NOTSET')
  const size = [h, w]
  const pads = [0, 0, 0, 0]
  const output = [0, 0]
  for (let i = 0; i < 2; i++) {
    const k = kernel[i] as number
    const s = strides[i] as number
    const d = dilations[i] as number
    const extent = (k - 1) * d + 1
    const inSize = size[i] as number
    if (autoPad === 'NOTSET') {
      const given = intsAttr(node, 'pads') ?? [0, 0, 0, 0]
      pads[i] = given[i] as number
      pads[i + 2] = given[i + 2] as number
    } else if (autoPad === 'VALID') {
      // pads stay 0
    } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const out = Math.ceil(inSize / s)
      const total = Math.max(0, (out - 1) * s + extent - inSize)
      const small = Math.floor(total / 2)
      pads[i] = autoPad === 'SAME_UPPER' ? small : total - small
      pads[i + 2] = total - (pads[i] as number)
    } else {
      throw new ShapeError(`${node.name}: unknown auto_pad ${autoPad}`)
    }
    const span = inSize + (pads[i] as number) + (pads[i + 2] as number) - extent
    if (span < 0) throw new ShapeError(`${node.name}: window larger than the padded input`)
    let out = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1
    // PyTorch/ONNX Runtime: with ceil_mode the last window must start inside the input or the left pad.
    if (ceilMode && (out - 1) * s >= inSize + (pads[i] as number)) out--
    output[i] = out
  }
  return {
    kernel: [kernel[0] as number, kernel[1] as number],
    strides: [strides[0] as number, strides[1] as number],
    dilations: [dilations[0] as number, dilations[1] as number],
    pads: pads as unknown as [number, number, number, number],
    ceilMode,
    input: [h, w],
    output: output as unknown as [number, number]
  }
}

/** Constant tensors of the graph: initializers and Constant nodes' values, by value name. */
export function constantTensors (model: IrModel): Map<string, IrTensor> {
  const out = new Map<string, IrTensor>()
  for (const t of model.initializers) out.set(t.name, t)
  for (const n of model.nodes) {
    if (n.opType !== 'Constant') continue
    const v = n.attributes.get('value')
    if (v?.kind !== 'tensor') throw new ShapeError(`${n.name}: only Constant nodes with a 'value' tensor are supported`)
    out.set(n.outputs[0] as string, v.value)
  }
  return out
}

/** The integer values of a constant input (Reshape's shape, Pad's pads). */
export function constantInts (constants: ReadonlyMap<string, IrTensor>, name: string, what: string): number[] {
  const t = constants.get(name)
  if (t === undefined || t.values === undefined) throw new ShapeError(`${what}: input ${name} must be a constant (an initializer or Constant), not computed`)
  if (t.values instanceof Float32Array || t.values instanceof Float64Array) throw new ShapeError(`${what}: input ${name} must be integers`)
  return Array.from(t.values as ArrayLike<number | bigint>, (v) => Number(v))
}

export function constantFloat (constants: ReadonlyMap<string, IrTensor>, name: string, what: string): number {
  const t = constants.get(name)
  if (t === undefined || t.values === undefined || t.values.length !== 1) throw new ShapeError(`${what}: input ${name} must be a constant scalar`)
  return Number(t.values[0])
}

function reshapeTarget (input: Shape, target: readonly number[], allowZero: boolean, what: string): Dim[] {
  const out: (Dim | -1)[] = target.map((t, i) => {
    if (t === 0 && !allowZero) return 0
    if (t === 0) {
      const d = input[i]
      if (d === undefined) throw new ShapeError(`${what}: 0 copies a dimension the input does not have`)
      return d
    }
    if (t === -1) return -1
    if (t < 0) throw new ShapeError(`${what}: bad target dimension ${t}`)
    return t
  })
  const free = out.filter((d) => d === -1).length
  if (free > 1) throw new ShapeError(`${what}: more than one -1`)
  if (free === 0) return out as Dim[]
  const total = symbolicProduct(input)
  const known = symbolicProduct(out.filter((d): d is Dim => d !== -1))
  if (known.coef === 0 || total.coef % known.coef !== 0) throw new ShapeError(`${what}: cannot infer -1`)
  const rest = fromProduct({ power: total.power - known.power, coef: total.coef / known.coef }, what)
  return out.map((d) => (d === -1 ? rest : d))
}

/** Output shape of one node from its input shapes. */
function nodeShapes (node: IrNode, shapeOf: (name: string) => Shape, constants: ReadonlyMap<string, IrTensor>): Dim[][] {
  const what = `${node.name} (${node.opType})`
  const x = (): Shape => shapeOf(node.inputs[0] as string)
  switch (node.opType) {
    case 'Relu': case 'LeakyRelu': case 'Sigmoid': case 'Tanh': case 'Softmax': case 'LogSoftmax': case 'Identity':
      return [[...x()]]
    case 'Dropout':
      return [[...x()], [...x()]]
    case 'BatchNormalization': {
      const c = x()[1]
      return [[...x()], [c as Dim], [c as Dim]]
    }
    case 'Add': case 'Sub': case 'Mul': case 'Div':
      return [broadcastShapes(x(), shapeOf(node.inputs[1] as string), what)]
    case 'Gemm': {
      const a = x()
      const b = shapeOf(node.inputs[1] as string)
      if (a.length !== 2 || b.length !== 2) throw new ShapeError(`${what}: Gemm takes 2-D inputs`)
      const m = intAttr(node, 'transA', 0) === 1 ? a[1] : a[0]
      const n = intAttr(node, 'transB', 0) === 1 ? b[0] : b[1]
      return [[m as Dim, n as Dim]]
    }
    case 'MatMul': {
      const a = x()
      const b = shapeOf(node.inputs[1] as string)
      if (a.length < 2 || b.length < 2) throw new ShapeError(`${what}: MatMul with a 1-D operand is not supported; reshape to 2-D`)
      const batch = broadcastShapes(a.slice(0, -2), b.slice(0, -2), what)
      return [[...batch, a[a.length - 2] as Dim, b[b.length - 1] as Dim]]
    }
    case 'Conv': {
      const wShape = shapeOf(node.inputs[1] as string)
      const kernel = intsAttr(node, 'kernel_shape') ?? wShape.slice(2).map((d) => d as number)
      const win = window2d(node, x(), kernel)
      return [[x()[0] as Dim, wShape[0] as Dim, ...win.output]]
    }
    case 'MaxPool': case 'AveragePool': {
      const kernel = intsAttr(node, 'kernel_shape')
      if (kernel === undefined) throw new ShapeError(`${what}: kernel_shape is required`)
      const win = window2d(node, x(), kernel)
      const y = [x()[0] as Dim, x()[1] as Dim, ...win.output]
      return [y, y]
    }
    case 'GlobalAveragePool':
      return [[...x().slice(0, 2), ...x().slice(2).map(() => 1)]]
    case 'Pad': {
      const pads = constantInts(constants, node.inputs[1] as string, what)
      const s = x()
      if (pads.length !== 2 * s.length) throw new ShapeError(`${what}: pads must have 2×rank values`)
      return [s.map((d, i) => {
        const extra = (pads[i] as number) + (pads[i + s.length] as number)
        if (extra === 0) return d
        if (d === 'N') throw new ShapeError(`${what}: padding the batch dimension is not supported`)
        return d + extra
      })]
    }
    case 'Flatten': {
      const s = x()
      let axis = intAttr(node, 'axis', 1)
      if (axis < 0) axis += s.length
      return [[fromProduct(symbolicProduct(s.slice(0, axis)), what), fromProduct(symbolicProduct(s.slice(axis)), what)]]
    }
    case 'Reshape': {
      const target = constantInts(constants, node.inputs[1] as string, what)
      return [reshapeTarget(x(), target, intAttr(node, 'allowzero', 0) === 0, what)]
    }
    case 'Transpose': {
      const s = x()
      const perm = intsAttr(node, 'perm') ?? s.map((_, i) => s.length - 1 - i)
      return [perm.map((p) => s[p] as Dim)]
    }
    case 'Concat': {
      const shapes = node.inputs.map(shapeOf)
      const first = shapes[0] as Shape
      let axis = intAttr(node, 'axis', 0)
      if (axis < 0) axis += first.length
      const sizes = shapes.map((s) => s[axis] as Dim)
      if (sizes.some((d) => d === 'N') && sizes.length > 1) throw new ShapeError(`${what}: concatenating along the batch is not supported`)
      return [first.map((d, i) => (i === axis ? (sizes as number[]).reduce((a, b) => a + b, 0) : d))]
    }
    case 'Constant': {
      const t = constants.get(node.outputs[0] as string)
      return [[...(t?.dims ?? [])]]
    }
    default:
      throw new ShapeError(`${what}: no shape rule`)
  }
}

/**
 * Shapes of all values: initializers (their dims), the data input (first dimension taken as the batch
 * 'N' whatever the exporter wrote there), and every node output.
 */
export function inferShapes (model: IrModel): Map<string, Dim[]> {
  const shapes = new Map<string, Dim[]>()
  for (const t of model.initializers) shapes.set(t.name, [...t.dims])
  const input = model.inputs[0]
  if (input === undefined || input.shape === null) throw new ShapeError('the model input has no shape; export it with a shaped input')
  shapes.set(input.name, input.shape.map((d, i) => {
    if (i === 0) return 'N'
    if (typeof d !== 'number') throw new ShapeError(`model input ${input.name}: dimension ${i} (${String(d)}) must be fixed; only the first (batch) may be symbolic`)
    return d
  }))
  const constants = constantTensors(model)
  const shapeOf = (name: string): Shape => {
    const s = shapes.get(name)
    if (s === undefined) throw new ShapeError(`value ${name} is read before it is produced (nodes must be in topological order)`)
    return s
  }
  for (const node of model.nodes) {
    const outs = nodeShapes(node, shapeOf, constants)
    node.outputs.forEach((o, i) => {
      if (o !== '' && outs[i] !== undefined) shapes.set(o, outs[i] as Dim[])
    })
  }
  return shapes
}
