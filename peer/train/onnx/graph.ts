// A small builder for ONNX graphs: named inputs/outputs, initializers and nodes, assembled into a
// ModelProto. It knows nothing about training; the MLP graphs in ../graphs.ts and the derived
// bring-your-own-model step graphs (../autodiff/) are written with it. Attribute kinds: float, int,
// ints, floats, string and tensor (the last three for copying a client's nodes, e.g. Constant).
import {
  OnnxAttributeType,
  OnnxDataType,
  encodeModelProto,
  type AttributeProtoObject,
  type DimObject,
  type NodeProtoObject,
  type OnnxDataTypeCode,
  type TensorProtoObject,
  type ValueInfoProtoObject
} from './proto.js'

/** ONNX opset the graphs target. 17 keeps ReduceMean/LogSoftmax semantics we rely on and ReduceSum's
 * axes-as-input form (opset ≥ 13). IR version 8 is the one that pairs with opset 17. */
export const ONNX_OPSET = 17
export const ONNX_IR_VERSION = 8

/** A dimension: a fixed size, or a symbolic name (e.g. the batch 'N'). */
export type Dim = number | string

/** A constant tensor given as its raw little-endian bytes (ONNX raw_data). */
export interface RawTensor {
  readonly dataType: OnnxDataTypeCode
  readonly dims: readonly number[]
  readonly raw: Uint8Array
}

export type AttributeValue =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: RawTensor }

export const attr = {
  float: (value: number): AttributeValue => ({ kind: 'float', value }),
  int: (value: number): AttributeValue => ({ kind: 'int', value }),
  ints: (value: readonly number[]): AttributeValue => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): AttributeValue => ({ kind: 'floats', value }),
  string: (value: string): AttributeValue => ({ kind: 'string', value }),
  tensor: (value: RawTensor): AttributeValue => ({ kind: 'tensor', value })
}

function attributeProto(name: string, a: AttributeValue): AttributeProtoObject {
  switch (a.kind) {
    case 'float':
      return { name, type: OnnxAttributeType.FLOAT, f: a.value }
    case 'int':
      return { name, type: OnnxAttributeType.INT, i: a.value }
    case 'ints':
      return { name, type: OnnxAttributeType.INTS, ints: [...a.value] }
    case 'floats':
      return { name, type: OnnxAttributeType.FLOATS, floats: [...a.value] }
    case 'string':
      return { name, type: OnnxAttributeType.STRING, s: new TextEncoder().encode(a.value) }
    case 'tensor':
      return { name, type: OnnxAttributeType.TENSOR, t: { name: '', dims: [...a.value.dims], data_type: a.value.dataType, raw_data: a.value.raw } }
  }
}

function valueInfo(name: string, elemType: OnnxDataTypeCode, dims: readonly Dim[]): ValueInfoProtoObject {
  const dim: DimObject[] = dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }))
  return { name, type: { tensor_type: { elem_type: elemType, shape: { dim } } } }
}

/** Little-endian bytes of a typed array (ONNX raw_data is always little-endian). */
function littleEndianBytes(values: Float32Array | BigInt64Array): Uint8Array {
  const out = new Uint8Array(values.length * values.BYTES_PER_ELEMENT)
  const view = new DataView(out.buffer)
  if (values instanceof Float32Array) values.forEach((v, i) => view.setFloat32(i * 4, v, true))
  else values.forEach((v, i) => view.setBigInt64(i * 8, v, true))
  return out
}

export class GraphBuilder {
  private readonly nodes: NodeProtoObject[] = []
  private readonly initializers: TensorProtoObject[] = []
  private readonly inputs: ValueInfoProtoObject[] = []
  private readonly outputs: ValueInfoProtoObject[] = []
  private readonly names = new Set<string>()
  private counter = 0

  constructor(readonly name: string) {}

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`ONNX graph ${this.name}: value name ${name} used twice`)
    this.names.add(name)
    return name
  }

  input(name: string, dims: readonly Dim[], elemType: OnnxDataTypeCode = OnnxDataType.FLOAT): string {
    this.inputs.push(valueInfo(this.claim(name), elemType, dims))
    return name
  }

  /** Declare an existing value as a graph output. */
  output(name: string, dims: readonly Dim[], elemType: OnnxDataTypeCode = OnnxDataType.FLOAT): string {
    if (!this.names.has(name)) throw new Error(`ONNX graph ${this.name}: output ${name} is not produced`)
    this.outputs.push(valueInfo(name, elemType, dims))
    return name
  }

  floatConstant(name: string, values: Float32Array | readonly number[], dims: readonly number[]): string {
    const data = values instanceof Float32Array ? values : Float32Array.from(values)
    this.initializers.push({ name: this.claim(name), dims: [...dims], data_type: OnnxDataType.FLOAT, raw_data: littleEndianBytes(data) })
    return name
  }

  int64Constant(name: string, values: readonly number[], dims: readonly number[]): string {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)))
    this.initializers.push({ name: this.claim(name), dims: [...dims], data_type: OnnxDataType.INT64, raw_data: littleEndianBytes(data) })
    return name
  }

  /** A constant of any element type from its raw little-endian bytes. */
  rawConstant(name: string, tensor: RawTensor): string {
    this.initializers.push({ name: this.claim(name), dims: [...tensor.dims], data_type: tensor.dataType, raw_data: tensor.raw })
    return name
  }

  /** True when a value of this name exists in the graph (input, constant or node output). */
  has(name: string): boolean {
    return this.names.has(name)
  }

  /** Append a node with one output; returns the output's name (given, or generated from the op). */
  op(opType: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}, outputName?: string): string {
    const [output] = this.opOutputs(opType, inputs, attributes, [outputName ?? `${opType.toLowerCase()}_${this.counter}`])
    return output as string
  }

  /** Append a node with several outputs (named by the caller; '' leaves an optional output out). */
  opOutputs(opType: string, inputs: readonly string[], attributes: Record<string, AttributeValue>, outputNames: readonly string[]): string[] {
    for (const input of inputs) {
      if (input !== '' && !this.names.has(input)) throw new Error(`ONNX graph ${this.name}: ${opType} reads unknown value ${input}`)
    }
    const outputs = outputNames.map((n) => (n === '' ? n : this.claim(n)))
    this.nodes.push({
      input: [...inputs],
      output: outputs,
      name: `n${this.counter++}_${opType}`,
      op_type: opType,
      attribute: Object.entries(attributes).map(([n, a]) => attributeProto(n, a))
    })
    return outputs
  }

  /** The distinct op types of the nodes so far, sorted. */
  opTypes(): string[] {
    return [...new Set(this.nodes.map((n) => n.op_type))].sort()
  }

  get nodeCount(): number {
    return this.nodes.length
  }

  /** Serialise as an ONNX model (default domain, opset ONNX_OPSET). */
  toModelBytes(meta: { docString?: string; metadata?: Record<string, string> } = {}): Uint8Array {
    return encodeModelProto({
      ir_version: ONNX_IR_VERSION,
      opset_import: [{ domain: '', version: ONNX_OPSET }],
      producer_name: 'cyxwiz',
      producer_version: '1',
      ...(meta.docString !== undefined ? { doc_string: meta.docString } : {}),
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs
      },
      metadata_props: Object.entries(meta.metadata ?? {}).map(([key, value]) => ({ key, value }))
    })
  }
}
