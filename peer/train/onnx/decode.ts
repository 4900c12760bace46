// Decoding a client's ONNX file into the IR (ir.ts) with the FULL onnx.proto (onnx.proto beside this
// file, copied unchanged from the ONNX project, Apache-2.0, as python3-onnx 1.12 ships it). The full
// schema matters for reading what exporters write (sparse initializers, training info, functions);
// the trained model is still written by patching the client's bytes (patch.ts), never by
// re-encoding, because any schema, full or not, drops the fields of a newer ONNX it does not know.
import { modelProtoType } from './proto.js'
import { DataType, type IrAttribute, type IrDim, type IrModel, type IrNode, type IrTensor, type IrValueInfo } from './ir.js'

/** The model is not a readable ONNX file; the message says what to do. */
export class ModelDecodeError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ModelDecodeError'
  }
}

// Loose views of the decoded protobuf objects (protobufjs's toObject with longs as numbers).
interface PTensor { name?: string; dims?: number[]; data_type?: number; raw_data?: Uint8Array; float_data?: number[]; int32_data?: number[]; int64_data?: Array<number | string>; double_data?: number[]; data_location?: number; external_data?: unknown[] }
interface PDim { dim_value?: number; dim_param?: string }
interface PValueInfo { name?: string; type?: { tensor_type?: { elem_type?: number; shape?: { dim?: PDim[] } } } }
interface PAttribute { name?: string; type?: number; f?: number; i?: number; s?: Uint8Array; t?: PTensor; floats?: number[]; ints?: number[]; strings?: Uint8Array[] }
interface PNode { input?: string[]; output?: string[]; name?: string; op_type?: string; domain?: string; attribute?: PAttribute[] }
interface PGraph { name?: string; node?: PNode[]; initializer?: PTensor[]; sparse_initializer?: unknown[]; input?: PValueInfo[]; output?: PValueInfo[]; value_info?: PValueInfo[] }
interface PModel { ir_version?: number; opset_import?: Array<{ domain?: string; version?: number }>; producer_name?: string; graph?: PGraph; metadata_props?: Array<{ key?: string; value?: string }>; functions?: unknown[] }

function typedValues (t: PTensor, name: string): IrTensor['values'] {
  if (t.data_location === 1 || (t.external_data?.length ?? 0) > 0) {
    throw new ModelDecodeError(`initializer ${name} keeps its data in an external file; save the model with all tensors inside one .onnx file (onnx.save(model, path, save_as_external_data=False))`)
  }
  const count = (t.dims ?? []).reduce((n, d) => n * d, 1)
  const raw = t.raw_data
  const fromRaw = <T>(bytesPer: number, make: (buf: ArrayBuffer) => T): T | undefined => {
    if (raw === undefined || raw.byteLength === 0) return undefined
    if (raw.byteLength !== count * bytesPer) throw new ModelDecodeError(`initializer ${name}: ${raw.byteLength} bytes for ${count} values of ${bytesPer} bytes`)
    // A copy: aligned, and never aliases the file. Not raw.slice(): protobufjs hands out Node Buffers,
    // whose slice() is a view of a shared pool, so .buffer would be the whole pool.
    return make(new Uint8Array(raw).buffer as ArrayBuffer)
  }
  switch (t.data_type) {
    case DataType.FLOAT: return fromRaw(4, (b) => new Float32Array(b)) ?? Float32Array.from(t.float_data ?? [])
    case DataType.DOUBLE: return fromRaw(8, (b) => new Float64Array(b)) ?? Float64Array.from(t.double_data ?? [])
    case DataType.INT64: return fromRaw(8, (b) => new BigInt64Array(b)) ?? BigInt64Array.from((t.int64_data ?? []).map((v) => BigInt(v)))
    case DataType.INT32: return fromRaw(4, (b) => new Int32Array(b)) ?? Int32Array.from(t.int32_data ?? [])
    case DataType.UINT8:
    case DataType.BOOL: return fromRaw(1, (b) => new Uint8Array(b)) ?? Uint8Array.from(t.int32_data ?? [])
    case DataType.INT8: return fromRaw(1, (b) => new Int8Array(b)) ?? Int8Array.from(t.int32_data ?? [])
    default: return undefined
  }
}

function tensor (t: PTensor, fallbackName: string): IrTensor {
  const name = t.name ?? fallbackName
  const dims = (t.dims ?? []).map(Number)
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new ModelDecodeError(`tensor ${name}: invalid dims ${dims.join('×')}`)
  const values = typedValues(t, name)
  const count = dims.reduce((n, d) => n * d, 1)
  if (values !== undefined && values.length !== count) throw new ModelDecodeError(`tensor ${name}: ${values.length} values for dims ${dims.join('×') || 'scalar'}`)
  return { name, dataType: t.data_type ?? 0, dims, values }
}

function valueInfo (v: PValueInfo): IrValueInfo {
  const tt = v.type?.tensor_type
  const shape: IrDim[] | null = tt?.shape?.dim
    ? tt.shape.dim.map((d) => (d.dim_value !== undefined ? Number(d.dim_value) : d.dim_param !== undefined && d.dim_param !== '' ? d.dim_param : null))
    : null
  return { name: v.name ?? '', elemType: tt?.elem_type ?? 0, shape }
}

const text = (b: Uint8Array | undefined): string => Buffer.from(b ?? new Uint8Array()).toString('utf8')

function attribute (a: PAttribute, node: string): IrAttribute {
  switch (a.type) {
    case 1: return { kind: 'float', value: a.f ?? 0 }
    case 2: return { kind: 'int', value: Number(a.i ?? 0) }
    case 3: return { kind: 'string', value: text(a.s) }
    case 4: return { kind: 'tensor', value: tensor(a.t ?? {}, `${node}.${a.name ?? ''}`) }
    case 6: return { kind: 'floats', value: a.floats ?? [] }
    case 7: return { kind: 'ints', value: (a.ints ?? []).map(Number) }
    case 8: return { kind: 'strings', value: (a.strings ?? []).map(text) }
    default: return { kind: 'unsupported', type: a.type ?? 0 }
  }
}

const normaliseDomain = (d: string | undefined): string => (d === undefined || d === 'ai.onnx' ? '' : d)

/** Decode an ONNX ModelProto. Throws ModelDecodeError on anything that is not a usable ONNX model. */
export function decodeModel (bytes: Uint8Array): IrModel {
  let m: PModel
  try {
    const type = modelProtoType()
    m = type.toObject(type.decode(bytes), { longs: Number, bytes: Uint8Array as unknown as ArrayConstructor, defaults: false, arrays: true }) as PModel
  } catch (err) {
    throw new ModelDecodeError(`not an ONNX model (protobuf decoding failed: ${(err as Error).message}); export it with torch.onnx.export or onnx.save`)
  }
  const g = m.graph
  if (!g || !(g.node?.length)) throw new ModelDecodeError('the ONNX model has no graph nodes; export the model with its graph (torch.onnx.export)')
  const opsets = m.opset_import ?? []
  const main = opsets.find((o) => normaliseDomain(o.domain) === '')
  if (!main) throw new ModelDecodeError('the model imports no default-domain opset (ai.onnx)')
  if ((g.sparse_initializer?.length ?? 0) > 0) throw new ModelDecodeError('sparse initializers are not supported; export with dense weights')
  const initializers = (g.initializer ?? []).map((t, i) => tensor(t, `initializer#${i}`))
  const initNames = new Set(initializers.map((t) => t.name))
  const nodes: IrNode[] = (g.node ?? []).map((n, i) => {
    const name = n.name !== undefined && n.name !== '' ? n.name : `${n.op_type ?? '?'}#${i}`
    return {
      name,
      opType: n.op_type ?? '',
      domain: normaliseDomain(n.domain),
      inputs: n.input ?? [],
      outputs: n.output ?? [],
      attributes: new Map((n.attribute ?? []).map((a) => [a.name ?? '', attribute(a, name)]))
    }
  })
  return {
    irVersion: Number(m.ir_version ?? 0),
    opset: Number(main.version ?? 0),
    otherDomains: opsets.map((o) => normaliseDomain(o.domain)).filter((d) => d !== ''),
    producer: m.producer_name ?? '',
    graphName: g.name ?? '',
    nodes,
    initializers,
    inputs: (g.input ?? []).map(valueInfo).filter((v) => !initNames.has(v.name)),
    outputs: (g.output ?? []).map(valueInfo),
    valueInfo: (g.value_info ?? []).map(valueInfo),
    metadata: new Map((m.metadata_props ?? []).map((p) => [p.key ?? '', p.value ?? '']))
  }
}
