/**
 * A small, strict reader (and writer) of NumPy's `.npy` format, version 1.0, 2.0 and 3.0
 * (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 *
 *   "\x93NUMPY" ‖ major ‖ minor ‖ header length (u16 LE in 1.0, u32 LE in 2.0/3.0)
 *   ‖ header: a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (N, ...), }
 *   ‖ data: prod(shape) × itemsize bytes, C order.
 *
 * Strict on purpose: exactly the three keys, a simple dtype (`|u1 |i1 |b1 <u2 <i2 <u4 <i4 <u8 <i8
 * <f4 <f8`), little-endian or byte-sized only, C order only (fortran_order True is refused: save
 * with np.ascontiguousarray), and the data exactly as long as the shape says (a truncated file is
 * refused, and so are trailing bytes). The data size is checked against the dataset limit before
 * anything is copied.
 */
import { DatasetError } from './errors.js'
import { assertWithinBytes, product, type DatasetLimits, type RawArray, type RawData, type RawDtype } from './types.js'

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] // \x93NUMPY

const DESCR: Readonly<Record<string, RawDtype>> = {
  '|b1': 'bool', '|u1': 'uint8', '|i1': 'int8', '<u1': 'uint8', '<i1': 'int8',
  '<u2': 'uint16', '<i2': 'int16', '<u4': 'uint32', '<i4': 'int32', '<u8': 'uint64', '<i8': 'int64',
  '<f4': 'float32', '<f8': 'float64'
}
const ITEM_SIZE: Readonly<Record<RawDtype, number>> = {
  bool: 1, uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, int64: 8, uint64: 8, float32: 4, float64: 8
}
const DESCR_OF: Readonly<Record<RawDtype, string>> = {
  bool: '|b1', uint8: '|u1', int8: '|i1', uint16: '<u2', int16: '<i2', uint32: '<u4', int32: '<i4', int64: '<i8', uint64: '<u8', float32: '<f4', float64: '<f8'
}

function view (dtype: RawDtype, buffer: ArrayBuffer, offset: number, length: number): RawData {
  switch (dtype) {
    case 'bool': case 'uint8': return new Uint8Array(buffer, offset, length)
    case 'int8': return new Int8Array(buffer, offset, length)
    case 'uint16': return new Uint16Array(buffer, offset, length)
    case 'int16': return new Int16Array(buffer, offset, length)
    case 'uint32': return new Uint32Array(buffer, offset, length)
    case 'int32': return new Int32Array(buffer, offset, length)
    case 'int64': return new BigInt64Array(buffer, offset, length)
    case 'uint64': return new BigUint64Array(buffer, offset, length)
    case 'float32': return new Float32Array(buffer, offset, length)
    case 'float64': return new Float64Array(buffer, offset, length)
  }
}

// ------------------------------------------------------------------------- the header literal

type Literal = string | boolean | number[] | null

/** Parses the header's dict literal: string keys, values a string, True/False/None or a tuple of integers. */
function parseHeader (text: string, name: string): Map<string, Literal> {
  let i = 0
  const fail = (why: string): never => { throw new DatasetError('CORRUPT', `${name}: bad .npy header (${why}): ${JSON.stringify(text.slice(0, 200))}`) }
  const ws = (): void => { while (i < text.length && /\s/.test(text[i] as string)) i++ }
  const expect = (c: string): void => { ws(); if (text[i] !== c) fail(`expected '${c}' at ${i}`); i++ }
  const str = (): string => {
    ws()
    const q = text[i]
    if (q !== "'" && q !== '"') return fail(`expected a string at ${i}`)
    const end = text.indexOf(q, i + 1)
    if (end < 0) return fail('unterminated string')
    const s = text.slice(i + 1, end)
    i = end + 1
    return s
  }
  const value = (): Literal => {
    ws()
    const c = text[i]
    if (c === "'" || c === '"') return str()
    if (c === '(') {
      i++
      const dims: number[] = []
      for (;;) {
        ws()
        if (text[i] === ')') { i++; return dims }
        const m = /^\d+/.exec(text.slice(i))
        if (m === null) return fail(`expected an integer in the shape at ${i}`)
        dims.push(Number(m[0]))
        i += m[0].length
        ws()
        if (text[i] === ',') i++
        else if (text[i] !== ')') fail(`expected ',' or ')' in the shape at ${i}`)
      }
    }
    for (const [word, v] of [['True', true], ['False', false], ['None', null]] as const) {
      if (text.startsWith(word, i)) { i += word.length; return v }
    }
    if (c === '[') return fail('structured dtypes are not supported')
    return fail(`unexpected value at ${i}`)
  }
  const out = new Map<string, Literal>()
  expect('{')
  for (;;) {
    ws()
    if (text[i] === '}') { i++; break }
    const key = str()
    expect(':')
    if (out.has(key)) fail(`duplicate key ${key}`)
    out.set(key, value())
    ws()
    if (text[i] === ',') i++
    else if (text[i] !== '}') fail(`expected ',' or '}' at ${i}`)
  }
  ws()
  if (i !== text.length) fail('text after the dict')
  return out
}

/**
 * Decodes one `.npy` file. `name` is how errors call it (the array's role, e.g. "x_train", or the
 * file). The returned data views `bytes` when it is aligned for its type, else a copy.
 */
export function parseNpy (bytes: Uint8Array, name: string, limits: DatasetLimits): RawArray {
  if (bytes.byteLength < 10 || MAGIC.some((b, k) => bytes[k] !== b)) throw new DatasetError('CORRUPT', `${name}: not a .npy file (no \\x93NUMPY magic)`)
  const major = bytes[6] as number
  if (major < 1 || major > 3) throw new DatasetError('UNSUPPORTED', `${name}: .npy format version ${major}.${bytes[7] as number} (this reader knows 1.0 to 3.0)`)
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerAt = major === 1 ? 10 : 12
  if (bytes.byteLength < headerAt) throw new DatasetError('CORRUPT', `${name}: truncated .npy header`)
  const headerLength = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true)
  if (headerLength > 1 << 20) throw new DatasetError('CORRUPT', `${name}: .npy header of ${headerLength} bytes`)
  const dataAt = headerAt + headerLength
  if (bytes.byteLength < dataAt) throw new DatasetError('CORRUPT', `${name}: truncated .npy header (${bytes.byteLength} bytes, the header ends at ${dataAt})`)
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerAt, dataAt)).trim()
  const header = parseHeader(text, name)
  const keys = [...header.keys()].sort().join(',')
  if (keys !== 'descr,fortran_order,shape') throw new DatasetError('CORRUPT', `${name}: .npy header keys are ${keys}, expected descr, fortran_order, shape`)
  const descr = header.get('descr')
  const fortran = header.get('fortran_order')
  const shape = header.get('shape')
  if (typeof descr !== 'string') throw new DatasetError('CORRUPT', `${name}: descr is not a string`)
  if (typeof fortran !== 'boolean') throw new DatasetError('CORRUPT', `${name}: fortran_order is not True or False`)
  if (!Array.isArray(shape)) throw new DatasetError('CORRUPT', `${name}: shape is not a tuple`)
  if (fortran) throw new DatasetError('UNSUPPORTED', `${name}: fortran_order is True; only C order is read (save np.ascontiguousarray(a) instead)`)
  if (descr.startsWith('>')) throw new DatasetError('UNSUPPORTED', `${name}: big-endian dtype ${descr}; save a.astype('<${descr.slice(1)}') instead`)
  const dtype = DESCR[descr]
  if (dtype === undefined) throw new DatasetError('UNSUPPORTED', `${name}: dtype ${descr} (supported: ${Object.keys(DESCR).join(' ')}; float16 and strings are not)`)
  if (shape.length === 0) throw new DatasetError('INVALID', `${name}: a scalar, not an array of rows`)
  if (shape.some((d) => !Number.isSafeInteger(d))) throw new DatasetError('CORRUPT', `${name}: shape ${JSON.stringify(shape)}`)
  const length = product(shape)
  const dataBytes = length * ITEM_SIZE[dtype]
  assertWithinBytes(dataBytes, limits, `${name} (shape ${JSON.stringify(shape)}, ${dtype})`)
  const found = bytes.byteLength - dataAt
  if (found < dataBytes) throw new DatasetError('CORRUPT', `${name}: truncated .npy: shape ${JSON.stringify(shape)} of ${dtype} needs ${dataBytes} data bytes, the file has ${found}`)
  if (found > dataBytes) throw new DatasetError('CORRUPT', `${name}: ${found - dataBytes} bytes after the data shape ${JSON.stringify(shape)} describes`)
  const offset = bytes.byteOffset + dataAt
  const data = offset % ITEM_SIZE[dtype] === 0
    ? view(dtype, bytes.buffer as ArrayBuffer, offset, length)
    : view(dtype, bytes.slice(dataAt).buffer as ArrayBuffer, 0, length)
  return { name, dtype, shape, data }
}

/** Encodes an array as a version 1.0 `.npy` file (header padded so the data starts 64-byte aligned, as NumPy does). */
export function encodeNpy (dtype: RawDtype, shape: readonly number[], data: RawData, options: { fortranOrder?: boolean } = {}): Uint8Array {
  if (data.length !== product(shape)) throw new RangeError(`encodeNpy: ${data.length} values for shape ${JSON.stringify(shape)}`)
  const dims = shape.length === 1 ? `(${shape[0] as number},)` : `(${shape.join(', ')})`
  let header = `{'descr': '${DESCR_OF[dtype]}', 'fortran_order': ${options.fortranOrder === true ? 'True' : 'False'}, 'shape': ${dims}, }`
  const pad = 64 - ((10 + header.length + 1) % 64)
  header += ' '.repeat(pad % 64) + '\n'
  const out = new Uint8Array(10 + header.length + data.byteLength)
  out.set(MAGIC, 0)
  out[6] = 1
  out[7] = 0
  new DataView(out.buffer).setUint16(8, header.length, true)
  out.set(new TextEncoder().encode(header), 10)
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length)
  return out
}
