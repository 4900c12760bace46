/**
 * IDX files, the MNIST format (http://yann.lecun.com/exdb/mnist/), gzip-compressed or not:
 *
 *   0x00 0x00 ‖ type (0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64) ‖ rank
 *   ‖ rank × u32 BE dims ‖ data, big-endian, C order.
 *
 * Multi-byte values are converted to the host's little-endian typed arrays. A gzip stream is
 * inflated with a cap at the dataset limit, so a bomb stops at the cap.
 */
import { gunzipSync } from 'node:zlib'
import { DatasetError } from './errors.js'
import { assertWithinBytes, product, type DatasetLimits, type RawArray, type RawDtype } from './types.js'

const TYPES: Readonly<Record<number, { dtype: RawDtype, size: number }>> = {
  0x08: { dtype: 'uint8', size: 1 },
  0x09: { dtype: 'int8', size: 1 },
  0x0b: { dtype: 'int16', size: 2 },
  0x0c: { dtype: 'int32', size: 4 },
  0x0d: { dtype: 'float32', size: 4 },
  0x0e: { dtype: 'float64', size: 8 }
}

export function isGzip (bytes: Uint8Array): boolean {
  return bytes.byteLength >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b
}

/** Inflates gzip `bytes`, refusing output past the dataset limit and naming `name` in errors. */
export function gunzipBounded (bytes: Uint8Array, name: string, limits: DatasetLimits): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: limits.maxBytes + 64 * 1024 })
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (code === 'ERR_BUFFER_TOO_LARGE' || (err instanceof RangeError)) throw new DatasetError('TOO_LARGE', `${name}: inflates past the dataset limit of ${limits.maxBytes} bytes`, { cause: err })
    throw new DatasetError('CORRUPT', `${name}: not a readable gzip stream, truncated or corrupt (${err instanceof Error ? err.message : String(err)})`, { cause: err })
  }
}

export function parseIdx (input: Uint8Array, name: string, limits: DatasetLimits): RawArray {
  const bytes = isGzip(input) ? gunzipBounded(input, name, limits) : input
  if (bytes.byteLength < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw new DatasetError('CORRUPT', `${name}: not an IDX file (it must start with two zero bytes)`)
  const type = TYPES[bytes[2] as number]
  if (type === undefined) throw new DatasetError('UNSUPPORTED', `${name}: IDX type byte 0x${(bytes[2] as number).toString(16)}`)
  const rank = bytes[3] as number
  if (rank < 1) throw new DatasetError('CORRUPT', `${name}: IDX rank 0`)
  const dataAt = 4 + 4 * rank
  if (bytes.byteLength < dataAt) throw new DatasetError('CORRUPT', `${name}: truncated IDX header`)
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const shape = Array.from({ length: rank }, (_, k) => dv.getUint32(4 + 4 * k, false))
  const length = product(shape)
  const dataBytes = length * type.size
  assertWithinBytes(dataBytes, limits, `${name} (shape ${JSON.stringify(shape)}, ${type.dtype})`)
  const found = bytes.byteLength - dataAt
  if (found < dataBytes) throw new DatasetError('CORRUPT', `${name}: truncated IDX: shape ${JSON.stringify(shape)} needs ${dataBytes} data bytes, the file has ${found}`)
  if (found > dataBytes) throw new DatasetError('CORRUPT', `${name}: ${found - dataBytes} bytes after the data its shape describes`)
  const at = (k: number): number => dataAt + k * type.size
  switch (type.dtype) {
    case 'uint8': return { name, dtype: 'uint8', shape, data: bytes.slice(dataAt) }
    case 'int8': return { name, dtype: 'int8', shape, data: new Int8Array(bytes.slice(dataAt).buffer) }
    case 'int16': return { name, dtype: 'int16', shape, data: Int16Array.from({ length }, (_, k) => dv.getInt16(at(k), false)) }
    case 'int32': return { name, dtype: 'int32', shape, data: Int32Array.from({ length }, (_, k) => dv.getInt32(at(k), false)) }
    case 'float32': return { name, dtype: 'float32', shape, data: Float32Array.from({ length }, (_, k) => dv.getFloat32(at(k), false)) }
    default: return { name, dtype: 'float64', shape, data: Float64Array.from({ length }, (_, k) => dv.getFloat64(at(k), false)) }
  }
}

/** Encodes an IDX file (tests and tools): uint8 only, the MNIST case. */
export function encodeIdxUint8 (shape: readonly number[], data: Uint8Array): Uint8Array {
  if (data.length !== product(shape)) throw new RangeError(`encodeIdxUint8: ${data.length} values for shape ${JSON.stringify(shape)}`)
  const out = new Uint8Array(4 + 4 * shape.length + data.length)
  const dv = new DataView(out.buffer)
  out[2] = 0x08
  out[3] = shape.length
  shape.forEach((d, k) => dv.setUint32(4 + 4 * k, d, false))
  out.set(data, 4 + 4 * shape.length)
  return out
}
