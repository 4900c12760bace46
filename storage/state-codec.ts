/**
 * The inverse of `encodeState` from protocols/proof (the canonical training-state encoding:
 * u32 tensorCount ‖ per tensor: u8 dtype ‖ u32 elementCount ‖ raw little-endian elements).
 * protocols/proof has no decoder yet; this one is strict (every byte consumed, known dtypes, bounded
 * tensor count) because its input comes from other peers.
 */
import { endianness } from 'node:os'
import type { StateTensor, TensorDtype } from '../protocols/index.js'
import { EvidenceError } from './errors.js'

const DTYPES: Record<number, { dtype: TensorDtype, bytes: number }> = {
  1: { dtype: 'float32', bytes: 4 },
  2: { dtype: 'int32', bytes: 4 },
  3: { dtype: 'int64', bytes: 8 }
}

const LITTLE_ENDIAN_HOST = endianness() === 'LE'

function tensorFrom (dtype: TensorDtype, bytes: Uint8Array, count: number): StateTensor {
  if (LITTLE_ENDIAN_HOST) {
    // Copy into a fresh, aligned buffer: the source offset is rarely a multiple of the element size.
    const buffer = bytes.slice().buffer
    if (dtype === 'float32') return { dtype, data: new Float32Array(buffer, 0, count) }
    if (dtype === 'int32') return { dtype, data: new Int32Array(buffer, 0, count) }
    return { dtype, data: new BigInt64Array(buffer, 0, count) }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (dtype === 'float32') return { dtype, data: Float32Array.from({ length: count }, (_, i) => view.getFloat32(i * 4, true)) }
  if (dtype === 'int32') return { dtype, data: Int32Array.from({ length: count }, (_, i) => view.getInt32(i * 4, true)) }
  return { dtype, data: BigInt64Array.from({ length: count }, (_, i) => view.getBigInt64(i * 8, true)) }
}

export function decodeState (bytes: Uint8Array, maxTensors: number, field = 'state'): StateTensor[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const fail = (why: string): never => { throw new EvidenceError('MALFORMED', why, field) }
  if (bytes.byteLength < 4) fail('shorter than its tensor count')
  const count = view.getUint32(0, true)
  if (count > maxTensors) throw new EvidenceError('TOO_LARGE', `${count} tensors (at most ${maxTensors})`, field)
  const tensors: StateTensor[] = []
  let at = 4
  for (let i = 0; i < count; i++) {
    if (at + 5 > bytes.byteLength) fail(`tensor ${i} header runs past the end`)
    const kind = DTYPES[view.getUint8(at)]
    if (kind === undefined) fail(`tensor ${i} has unknown dtype code ${view.getUint8(at)}`)
    const { dtype, bytes: width } = kind as { dtype: TensorDtype, bytes: number }
    const elements = view.getUint32(at + 1, true)
    at += 5
    const length = elements * width
    if (at + length > bytes.byteLength) fail(`tensor ${i} (${elements} × ${dtype}) runs past the end`)
    tensors.push(tensorFrom(dtype, bytes.subarray(at, at + length), elements))
    at += length
  }
  if (at !== bytes.byteLength) fail(`${bytes.byteLength - at} bytes after the last tensor`)
  return tensors
}
