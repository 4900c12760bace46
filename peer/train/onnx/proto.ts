// A minimal, hand-written subset of onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto),
// encoded with protobufjs. Hand-written because no maintained npm package emits ONNX *training*
// graphs (the onnx npm packages are readers or inference exporters of other frameworks), and we need
// only the messages below. Field numbers and enum values are the real ones from onnx.proto, so the
// bytes are an ordinary ONNX ModelProto that any ONNX runtime loads. Fields we never write are left out
// (protobuf readers skip absent fields), which is why this subset is enough.
import protobuf from 'protobufjs'

const ONNX_SUBSET_PROTO = `
syntax = "proto2";
package onnx;

message AttributeProto {
  enum AttributeType {
    UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5;
    FLOATS = 6; INTS = 7; STRINGS = 8; TENSORS = 9; GRAPHS = 10;
  }
  optional string name = 1;
  optional AttributeType type = 20;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  optional TensorProto t = 5;
  repeated float floats = 7;
  repeated int64 ints = 8;
}

message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
  optional string doc_string = 3;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  optional string domain = 7;
  repeated AttributeProto attribute = 5;
  optional string doc_string = 6;
}

message StringStringEntryProto {
  optional string key = 1;
  optional string value = 2;
}

message ModelProto {
  optional int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string domain = 4;
  optional int64 model_version = 5;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14;
}

message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  optional string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}

message TensorProto {
  enum DataType {
    UNDEFINED = 0; FLOAT = 1; UINT8 = 2; INT8 = 3; UINT16 = 4; INT16 = 5; INT32 = 6; INT64 = 7;
    STRING = 8; BOOL = 9; FLOAT16 = 10; DOUBLE = 11; UINT32 = 12; UINT64 = 13;
  }
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  repeated float float_data = 4 [packed = true];
  repeated int32 int32_data = 5 [packed = true];
  repeated int64 int64_data = 7 [packed = true];
  optional string name = 8;
  optional bytes raw_data = 9;
  optional string doc_string = 12;
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
  }
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
}

message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}
`

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

function modelProtoType(): protobuf.Type {
  modelType ??= protobuf.parse(ONNX_SUBSET_PROTO, { keepCase: true }).root.lookupType('onnx.ModelProto')
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
