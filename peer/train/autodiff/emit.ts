// The emitter the forward copy, the gradient rules, the loss and the optimizer write through: a
// GraphBuilder plus fresh value names (under 'cyx/', so they never meet a client's names), cached
// constants, the forward graph's static shapes, and the few composite helpers every rule family
// shares (summing a broadcast gradient back to an input's shape, reductions over static axes).
import type { IrNode, IrTensor } from '../onnx/ir.js'
import { attr, type AttributeValue, type GraphBuilder } from '../onnx/graph.js'
import { OnnxDataType, type OnnxDataTypeCode } from '../onnx/proto.js'
import type { Dim, Shape } from './shapes.js'

export type Attrs = Record<string, AttributeValue>

export class Emitter {
  private counter = 0
  private readonly cache = new Map<string, string>()

  constructor (
    readonly g: GraphBuilder,
    /** Static shapes of the forward graph's values. */
    readonly shapes: ReadonlyMap<string, Dim[]>,
    /** Name of the batch feed, for the runtime batch size. */
    readonly batchSource: string
  ) {}

  /** A fresh value name. */
  fresh (hint: string): string {
    return `cyx/${hint}/${this.counter++}`
  }

  op (opType: string, inputs: readonly string[], attributes: Attrs = {}, output?: string): string {
    return this.g.op(opType, inputs, attributes, output ?? this.fresh(opType.toLowerCase()))
  }

  shape (name: string): Shape {
    const s = this.shapes.get(name)
    if (s === undefined) throw new Error(`autodiff: no static shape for ${name}`)
    return s
  }

  /** 1-D int64 constant (axes, shapes, starts/ends), shared between uses. */
  i64 (values: readonly number[]): string {
    return this.cached(`i64:${values.join(',')}`, () => this.g.int64Constant(this.fresh('i64'), values, [values.length]))
  }

  /** int64 scalar constant. */
  i64Scalar (value: number): string {
    return this.cached(`i64s:${value}`, () => this.g.int64Constant(this.fresh('i64'), [value], []))
  }

  /** float32 scalar constant (the value rounded to float32). */
  f32 (value: number): string {
    return this.cached(`f32:${Object.is(value, -0) ? '-0' : value}`, () => this.g.floatConstant(this.fresh('f32'), [value], []))
  }

  /** A float32 constant tensor. */
  f32Tensor (hint: string, values: Float32Array, dims: readonly number[]): string {
    return this.g.floatConstant(this.fresh(hint), values, dims)
  }

  private cached (key: string, make: () => string): string {
    let v = this.cache.get(key)
    if (v === undefined) {
      v = make()
      this.cache.set(key, v)
    }
    return v
  }

  /** The runtime batch size as a float32 scalar. */
  rowsF32 (): string {
    return this.cached('rows', () => {
      const n = this.op('Gather', [this.op('Shape', [this.batchSource]), this.i64Scalar(0)], { axis: attr.int(0) })
      return this.op('Cast', [n], { to: attr.int(OnnxDataType.FLOAT) }, this.fresh('rows'))
    })
  }

  reduceSum (x: string, axes: readonly number[], keepdims: boolean): string {
    if (axes.length === 0) return x
    return this.op('ReduceSum', [x, this.i64(axes)], { keepdims: attr.int(keepdims ? 1 : 0) })
  }

  /** ReduceMean (opset 17: axes as an attribute). */
  reduceMean (x: string, axes: readonly number[], keepdims: boolean): string {
    return this.op('ReduceMean', [x], { axes: attr.ints(axes), keepdims: attr.int(keepdims ? 1 : 0) })
  }

  /**
   * Sum a gradient of shape `from` (a broadcast result) back to the shape `to` of the operand that was
   * broadcast: over the leading axes the operand lacked, then over the axes where it had size 1.
   */
  unbroadcast (grad: string, from: Shape, to: Shape): string {
    const lead = from.length - to.length
    if (lead < 0) throw new Error('autodiff: unbroadcast to a larger rank')
    let out = this.reduceSum(grad, Array.from({ length: lead }, (_, i) => i), false)
    const ones: number[] = []
    to.forEach((d, i) => {
      if (d === 1 && from[i + lead] !== 1) ones.push(i)
    })
    out = this.reduceSum(out, ones, true)
    return out
  }

  /** Copy a client's tensor as a constant of the graph (non-float initializers, Pad pads, …). */
  constantFrom (tensor: IrTensor, name: string): string {
    return this.g.rawConstant(name, rawTensor(tensor))
  }
}

/** Raw little-endian bytes of a decoded tensor. */
export function rawTensor (t: IrTensor): { dataType: OnnxDataTypeCode; dims: readonly number[]; raw: Uint8Array } {
  if (t.values === undefined) throw new Error(`tensor ${t.name}: element type ${t.dataType} is not supported`)
  const v = t.values
  const raw = new Uint8Array(v.byteLength)
  raw.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) throw new Error('autodiff: big-endian hosts are not supported')
  return { dataType: t.dataType as OnnxDataTypeCode, dims: t.dims, raw }
}

/** A client's node attributes as GraphBuilder attributes (for copying the node). */
export function copyAttributes (node: IrNode, drop: readonly string[] = []): Attrs {
  const out: Attrs = {}
  for (const [name, a] of [...node.attributes.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    if (drop.includes(name)) continue
    switch (a.kind) {
      case 'float': out[name] = attr.float(a.value); break
      case 'int': out[name] = attr.int(a.value); break
      case 'ints': out[name] = attr.ints(a.value); break
      case 'floats': out[name] = attr.floats(a.value); break
      case 'string': out[name] = attr.string(a.value); break
      case 'tensor': out[name] = attr.tensor(rawTensor(a.value)); break
      default: throw new Error(`${node.name} (${node.opType}): attribute ${name} of kind ${a.kind} cannot be copied`)
    }
  }
  return out
}
