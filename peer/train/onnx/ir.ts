// A client's ONNX model as the training room reads it: the graph's nodes, initializers and typed
// inputs/outputs, decoded once at the boundary (`decodeModel`, model.ts) from the full onnx.proto.
// Everything here is read-only data; building graphs goes through GraphBuilder (graph.ts), and the
// trained model is written by patching the client's own bytes (model.ts), never by re-encoding this.

/** ONNX TensorProto.DataType codes this room names. */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11
} as const

/** A dimension: a fixed size, a symbolic name (e.g. the batch 'N'), or unknown (null). */
export type IrDim = number | string | null

export interface IrValueInfo {
  readonly name: string
  /** TensorProto.DataType code; 0 when the value has no tensor type. */
  readonly elemType: number
  /** null when the graph gives no shape. */
  readonly shape: readonly IrDim[] | null
}

/** A constant tensor (initializer or Constant's value), its values decoded to a typed array. */
export interface IrTensor {
  readonly name: string
  readonly dataType: number
  readonly dims: readonly number[]
  /** FLOAT → Float32Array, DOUBLE → Float64Array, INT64 → BigInt64Array, INT32/INT8/UINT8/BOOL → Int32Array/…; others undefined. */
  readonly values: Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array | Int8Array | undefined
}

export type IrAttribute =
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'tensor'; readonly value: IrTensor }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'strings'; readonly value: readonly string[] }
  /** Sub-graphs (If/Loop/Scan bodies) and other kinds: kept by name only; no supported op has one. */
  | { readonly kind: 'unsupported'; readonly type: number }

export interface IrNode {
  /** The node's name, or `<op_type>#<index>` when the exporter left it empty. */
  readonly name: string
  readonly opType: string
  /** '' for the default ONNX domain ('ai.onnx' is normalised to ''). */
  readonly domain: string
  /** Input value names; '' marks an omitted optional input. */
  readonly inputs: readonly string[]
  readonly outputs: readonly string[]
  readonly attributes: ReadonlyMap<string, IrAttribute>
}

export interface IrModel {
  readonly irVersion: number
  /** The default domain's opset version. */
  readonly opset: number
  /** Other domains the model imports (any use of them is unsupported). */
  readonly otherDomains: readonly string[]
  readonly producer: string
  readonly graphName: string
  readonly nodes: readonly IrNode[]
  /** In file order. */
  readonly initializers: readonly IrTensor[]
  /** Graph inputs that are not initializers (the data the model reads). */
  readonly inputs: readonly IrValueInfo[]
  readonly outputs: readonly IrValueInfo[]
  /** Shapes the exporter recorded for intermediate values (may be empty). */
  readonly valueInfo: readonly IrValueInfo[]
  readonly metadata: ReadonlyMap<string, string>
}
