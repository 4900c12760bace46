// The trained model is the client's own ONNX file with only the float initializers' values replaced.
//
// Why patch instead of re-encoding: decoding into objects and encoding them again keeps only the
// fields the schema knows. A newer ONNX (or an exporter's private extension) may carry fields our
// onnx.proto lacks; protobufjs would drop them, and doc strings, metadata, field order and
// encodings could change too. The client should get back exactly the file it sent, weights aside,
// so we walk the protobuf wire format down to each initializer's value bytes and overwrite them in
// place, same length: ModelProto field 7 (graph) → GraphProto field 5 (initializer) → TensorProto
// field 9 (raw_data, little-endian float32) or field 4 (float_data, packed fixed32). Every other
// byte of the file is untouched, which the tests check byte by byte.
//
// Refused, with an error that says what to do: a value for a name the model has no initializer
// for, a value count that differs from the tensor's, an initializer that is not float32, one whose
// data lives in an external file, float_data written unpacked (each value its own field), and an
// initializer name that appears twice.

/** The model's bytes could not be walked, or a value cannot be written into them. */
export class ModelPatchError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ModelPatchError'
  }
}

/** Where one initializer's values sit in the file. */
export interface InitializerLocation {
  readonly name: string
  /** TensorProto.DataType (1 = float32). */
  readonly dataType: number
  readonly dims: readonly number[]
  /** Byte range of the values (raw_data's or packed float_data's payload); null when the tensor has none in the file. */
  readonly payload: { readonly offset: number; readonly length: number; readonly field: 'raw_data' | 'float_data' } | null
  /** data_location = EXTERNAL, or external_data entries present. */
  readonly external: boolean
  /** float_data written one value per field (wire type 5), which cannot be patched as one range. */
  readonly unpackedFloatData: boolean
  /** More than one value field (e.g. raw_data and float_data both present). */
  readonly payloadFields: number
}

const WIRE_VARINT = 0
const WIRE_I64 = 1
const WIRE_LEN = 2
const WIRE_I32 = 5

class Reader {
  pos: number
  constructor (readonly bytes: Uint8Array, start: number, readonly end: number, readonly what: string) {
    this.pos = start
  }

  get done (): boolean { return this.pos >= this.end }

  varint (): number {
    let result = 0
    let shift = 1
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ModelPatchError(`${this.what}: truncated varint at byte ${this.pos}; the file is not a complete ONNX model`)
      const b = this.bytes[this.pos++] as number
      result += (b & 0x7f) * shift
      if ((b & 0x80) === 0) return result
      shift *= 128
    }
    throw new ModelPatchError(`${this.what}: varint longer than 10 bytes at byte ${this.pos}`)
  }

  /** Reads a tag; returns its field number, wire type and, for LEN fields, the payload range. */
  field (): { field: number; wire: number; start: number; end: number } {
    const tag = this.varint()
    const field = Math.floor(tag / 8)
    const wire = tag & 7
    const start = this.pos
    switch (wire) {
      case WIRE_VARINT: this.varint(); break
      case WIRE_I64: this.pos += 8; break
      case WIRE_I32: this.pos += 4; break
      case WIRE_LEN: {
        const len = this.varint()
        const s = this.pos
        this.pos += len
        if (this.pos > this.end) throw new ModelPatchError(`${this.what}: field ${field} runs past the end of its message; the file is truncated or not ONNX`)
        return { field, wire, start: s, end: this.pos }
      }
      default: throw new ModelPatchError(`${this.what}: unsupported wire type ${wire} (field ${field}) at byte ${start}; the file is not an ONNX model`)
    }
    if (this.pos > this.end) throw new ModelPatchError(`${this.what}: field ${field} runs past the end of its message; the file is truncated or not ONNX`)
    return { field, wire, start, end: this.pos }
  }
}

const utf8 = new TextDecoder('utf-8')

function readTensor (bytes: Uint8Array, start: number, end: number, index: number): InitializerLocation {
  const r = new Reader(bytes, start, end, `initializer #${index}`)
  let name = `initializer#${index}`
  let dataType = 0
  const dims: number[] = []
  let payload: InitializerLocation['payload'] = null
  let external = false
  let unpacked = false
  let payloadFields = 0
  while (!r.done) {
    const f = r.field()
    switch (f.field) {
      case 1: // dims: int64, packed or not
        if (f.wire === WIRE_LEN) {
          const d = new Reader(bytes, f.start, f.end, 'dims')
          while (!d.done) dims.push(d.varint())
        } else if (f.wire === WIRE_VARINT) dims.push(new Reader(bytes, f.start, f.end, 'dims').varint())
        break
      case 2: if (f.wire === WIRE_VARINT) dataType = new Reader(bytes, f.start, f.end, 'data_type').varint(); break
      case 8: if (f.wire === WIRE_LEN) name = utf8.decode(bytes.subarray(f.start, f.end)); break
      case 9: if (f.wire === WIRE_LEN) { payload = { offset: f.start, length: f.end - f.start, field: 'raw_data' }; payloadFields++ } break
      case 4:
        if (f.wire === WIRE_LEN) { payload = { offset: f.start, length: f.end - f.start, field: 'float_data' }; payloadFields++ } else if (f.wire === WIRE_I32) unpacked = true
        break
      case 5: case 6: case 7: case 10: case 11: // int32/string/int64/double/uint64 data
        payloadFields++
        break
      case 13: external = true; break // external_data
      case 14: if (f.wire === WIRE_VARINT && new Reader(bytes, f.start, f.end, 'data_location').varint() === 1) external = true; break
      default: break
    }
  }
  return { name, dataType, dims, payload, external, unpackedFloatData: unpacked, payloadFields: payloadFields + (unpacked ? 1 : 0) }
}

/**
 * Every initializer of the model's main graph, in file order, with the byte range of its values.
 * Throws ModelPatchError when the bytes are not a well-formed ModelProto with one graph.
 */
export function locateInitializers (model: Uint8Array): InitializerLocation[] {
  const top = new Reader(model, 0, model.byteLength, 'ModelProto')
  let graph: { start: number; end: number } | undefined
  while (!top.done) {
    const f = top.field()
    if (f.field === 7 && f.wire === WIRE_LEN) {
      if (graph !== undefined) throw new ModelPatchError('the model has two graph fields; save it again with onnx.save so it has one')
      graph = f
    }
  }
  if (graph === undefined) throw new ModelPatchError('the file has no ONNX graph (ModelProto field 7); export the model with torch.onnx.export')
  const g = new Reader(model, graph.start, graph.end, 'GraphProto')
  const out: InitializerLocation[] = []
  while (!g.done) {
    const f = g.field()
    if (f.field === 5 && f.wire === WIRE_LEN) out.push(readTensor(model, f.start, f.end, out.length))
  }
  return out
}

/**
 * The client's model with the named float initializers set to `values`, every other byte as it was.
 * Names not given keep their values. Throws ModelPatchError (see the header) instead of writing
 * anything doubtful.
 */
export function writeTrainedModel (original: Uint8Array, values: ReadonlyMap<string, Float32Array>): Uint8Array {
  const locations = locateInitializers(original)
  const byName = new Map<string, InitializerLocation>()
  const twice = new Set<string>()
  for (const l of locations) {
    if (byName.has(l.name)) twice.add(l.name)
    byName.set(l.name, l)
  }
  // A copy. Not original.slice(): on a Node Buffer (what readFile returns) that is a view, and the
  // caller's bytes would be overwritten.
  const out = new Uint8Array(original)
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength)
  for (const [name, data] of values) {
    const l = byName.get(name)
    if (l === undefined) {
      const known = locations.filter((x) => x.dataType === 1).map((x) => x.name)
      throw new ModelPatchError(`the model has no initializer named ${JSON.stringify(name)}; its float initializers are ${known.map((n) => JSON.stringify(n)).join(', ') || 'none'}`)
    }
    if (twice.has(name)) throw new ModelPatchError(`initializer ${name} appears more than once in the model; save it again with onnx.save so each name is unique`)
    if (l.dataType !== 1) throw new ModelPatchError(`initializer ${name} has data type ${l.dataType}, not float32 (1); only float32 initializers are trained`)
    if (l.external) throw new ModelPatchError(`initializer ${name} keeps its data in an external file; save the model with all tensors inside one .onnx file (onnx.save(model, path, save_as_external_data=False))`)
    if (l.unpackedFloatData) throw new ModelPatchError(`initializer ${name} stores float_data unpacked (one field per value), which cannot be rewritten in place; save the model again with onnx.save, which packs it`)
    if (l.payloadFields > 1) throw new ModelPatchError(`initializer ${name} carries its values in more than one field; save the model again with onnx.save`)
    const count = l.dims.reduce((n, d) => n * d, 1)
    if (data.length !== count) throw new ModelPatchError(`initializer ${name} has ${count} values (dims ${l.dims.join('×') || 'scalar'}), got ${data.length}`)
    if (count === 0) continue
    if (l.payload === null || l.payload.length !== count * 4) {
      throw new ModelPatchError(`initializer ${name}: its stored values take ${l.payload?.length ?? 0} bytes, not ${count * 4} for ${count} float32 values; the model is malformed`)
    }
    for (let i = 0; i < count; i++) view.setFloat32(l.payload.offset + i * 4, data[i] as number, true)
  }
  return out
}
