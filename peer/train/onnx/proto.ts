// Writing ONNX ModelProto bytes with protobufjs over the full onnx.proto beside this file (the ONNX
// project's schema, also what decode.ts reads clients' files with). Hand-written builders because no
// maintained npm package emits ONNX *training* graphs (the onnx npm packages are readers or inference
// exporters of other frameworks). The plain-object types below are the subset of fields we write;
// protobufjs encodes set fields only, so the bytes are an ordinary ModelProto any ONNX runtime loads
// (and are the same bytes the earlier embedded subset schema produced, checked for every built-in
// graph when the subset was dropped).
import { readFileSync } from 'node:fs'
import protobuf from 'protobufjs'

/** ONNX TensorProto.DataType values (onnx.proto). */
export const OnnxDataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11 } as const
export type OnnxDataTypeCode = (typeof OnnxDataType)[keyof typeof OnnxDataType]

/** ONNX AttributeProto.AttributeType values (onnx.proto). */
export const OnnxAttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const

// Plain-object shapes of the messages we write (protobufjs `fromObject` input, keepCase names).
export interface TensorProtoObject {
  name: string
  dims: number[]
  data_type: OnnxDataTypeCode
  raw_data: Uint8Array
}
export interface AttributeProtoObject {
  name: string
  type: number
  f?: number
  i?: number
  s?: Uint8Array
  t?: TensorProtoObject
  floats?: number[]
  ints?: number[]
}
export interface NodeProtoObject {
  input: string[]
  output: string[]
  name: string
  op_type: string
  domain?: string
  attribute: AttributeProtoObject[]
}
export type DimObject = { dim_value: number } | { dim_param: string }
export interface ValueInfoProtoObject {
  name: string
  type: { tensor_type: { elem_type: OnnxDataTypeCode; shape: { dim: DimObject[] } } }
}
export interface GraphProtoObject {
  name: string
  node: NodeProtoObject[]
  initializer: TensorProtoObject[]
  input: ValueInfoProtoObject[]
  output: ValueInfoProtoObject[]
  doc_string?: string
}
export interface ModelProtoObject {
  ir_version: number
  opset_import: { domain: string; version: number }[]
  producer_name: string
  producer_version: string
  doc_string?: string
  graph: GraphProtoObject
  metadata_props?: { key: string; value: string }[]
}

let modelType: protobuf.Type | undefined

/** onnx.ModelProto from the full onnx.proto beside this file (decode.ts reads clients' files with it too). */
export function modelProtoType(): protobuf.Type {
  modelType ??= protobuf.parse(readFileSync(new URL('./onnx.proto', import.meta.url), 'utf8'), { keepCase: true }).root.lookupType('onnx.ModelProto')
  return modelType
}

/** Serialise a ModelProto to the bytes an ONNX runtime loads. Pure: same object, same bytes. */
export function encodeModelProto(model: ModelProtoObject): Uint8Array {
  const type = modelProtoType()
  const problem = type.verify(model)
  if (problem !== null) throw new Error(`invalid ONNX ModelProto: ${problem}`)
  return type.encode(type.fromObject(model)).finish()
}

/** Parse ModelProto bytes back into a plain object (used by tests and tooling to inspect exports). */
export function decodeModelProto(bytes: Uint8Array): ModelProtoObject {
  const type = modelProtoType()
  return type.toObject(type.decode(bytes), { longs: Number, bytes: Uint8Array as never, defaults: false }) as ModelProtoObject
}
