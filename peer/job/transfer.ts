/**
 * Moving a payload (a dataset, final weights) over /cyx/job/1.1.0 in bounded chunks. The sender
 * yields `DataChunk`s of at most `MESH.maxChunkBytes` then a `DataEnd` naming the total size and
 * the whole payload's SHA-256; the receiver accepts chunks strictly in order, refuses to grow past
 * its bound before buffering anything, and checks the whole against the hash it expects (the job
 * spec's dataset hash, the delivery's weights hash) before anything uses a byte of it.
 *
 * Chunks carry no hash of their own (they did until 1.1.0): the stream is authenticated by Noise,
 * so a chunk hash only re-checked, twice per byte, what the whole-payload hash checks once; the
 * mesh bench measured the weights path at 0.46 of a bare stream with them (docs/findings.md).
 */
import { createHash } from 'node:crypto'
import { MESH, wire } from '../../protocols/index.js'

export interface PayloadFrame {
  readonly chunk?: wire.DataChunk
  readonly end?: wire.DataEnd
}

/**
 * Splits a payload (one buffer, or parts sent one after another) into chunks and an end marker. Chunks are views of `payload` (the frame encoder
 * copies each once into its frame), and the whole payload is hashed chunk by chunk as it goes,
 * while each chunk is still in cache. `payloadSha256`, when the caller has just computed or checked
 * it (the worker's weights against their delivery record), is used as the end marker's hash instead
 * of hashing everything a second time; a wrong one only makes the receiver refuse the payload.
 */
export function * chunkPayload (payload: Uint8Array | readonly Uint8Array[], chunkBytes: number = MESH.maxChunkBytes, payloadSha256?: Uint8Array): Generator<PayloadFrame> {
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > MESH.maxChunkBytes) throw new RangeError(`chunk size must be 1..${MESH.maxChunkBytes}`)
  // A payload made of parts (a dataset's four arrays) is their concatenation; chunks do not cross parts.
  const parts = payload instanceof Uint8Array ? [payload] : payload
  const total = parts.reduce((n, p) => n + p.byteLength, 0)
  if (total === 0) throw new RangeError('cannot send an empty payload')
  const whole = payloadSha256 === undefined ? createHash('sha256') : undefined
  let index = 0
  for (const part of parts) {
    for (let at = 0; at < part.byteLength; at += chunkBytes, index++) {
      const end = Math.min(part.byteLength, at + chunkBytes)
      const data = part.buffer instanceof ArrayBuffer ? new Uint8Array(part.buffer, part.byteOffset + at, end - at) : Uint8Array.from(part.subarray(at, end))
      whole?.update(data)
      yield { chunk: { index, data } }
    }
  }
  yield { end: { chunks: index, totalBytes: BigInt(total), sha256: payloadSha256 === undefined ? new Uint8Array(whole!.digest()) : Uint8Array.from(payloadSha256) } }
}

/**
 * Reassembles a payload from validated chunks; every refusal is a `WireError`. Each chunk is
 * copied once, as it arrives, into one buffer of the assembler's bound (allocated at the first
 * chunk; its pages are committed only as bytes arrive), so the frame it came in is freed at once
 * and `finish` returns the payload without a second pass when it fills the bound exactly (the
 * sizes named by the spec and the delivery).
 */
export class PayloadAssembler {
  #out: Uint8Array | undefined
  #chunks = 0
  readonly #hash = createHash('sha256')
  readonly #maxBytes: number
  readonly #expectedHash: Uint8Array | undefined
  #received = 0
  #done = false

  /** @param expectedHash the hash the payload must have (e.g. the spec's dataset hash), if known */
  constructor (maxBytes: number, expectedHash?: Uint8Array) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new RangeError('the bound must be a byte count')
    this.#maxBytes = maxBytes
    this.#expectedHash = expectedHash
  }

  get receivedBytes (): number {
    return this.#received
  }

  add (chunk: wire.DataChunk): void {
    if (this.#done) throw new wire.WireError('INVALID_FIELD', 'chunk after the end of the payload', 'chunk.index')
    if (chunk.index !== this.#chunks) throw new wire.WireError('INVALID_FIELD', `expected chunk ${this.#chunks}, got ${chunk.index}`, 'chunk.index')
    if (this.#received + chunk.data.byteLength > this.#maxBytes) throw new wire.WireError('TOO_LARGE', `payload exceeds its ${this.#maxBytes}-byte bound`, 'chunk.data')
    this.#out ??= new Uint8Array(this.#maxBytes)
    this.#out.set(chunk.data, this.#received)
    this.#hash.update(chunk.data)
    this.#received += chunk.data.byteLength
    this.#chunks++
  }

  /** Checks the end marker against what arrived and returns the payload. */
  finish (end: wire.DataEnd): Uint8Array {
    if (this.#done) throw new wire.WireError('INVALID_FIELD', 'payload already finished', 'end')
    this.#done = true
    const out = this.#out ?? new Uint8Array(0)
    this.#out = undefined
    if (end.chunks !== this.#chunks) throw new wire.WireError('INVALID_FIELD', `end names ${end.chunks} chunks, ${this.#chunks} arrived`, 'end.chunks')
    if (end.totalBytes !== BigInt(this.#received)) throw new wire.WireError('INVALID_FIELD', `end names ${end.totalBytes} bytes, ${this.#received} arrived`, 'end.totalBytes')
    const digest = new Uint8Array(this.#hash.digest())
    if (!wire.equalBytes(digest, end.sha256)) throw new wire.WireError('HASH_MISMATCH', 'the payload does not hash to its end marker', 'end.sha256')
    if (this.#expectedHash !== undefined && !wire.equalBytes(digest, this.#expectedHash)) {
      throw new wire.WireError('HASH_MISMATCH', 'the payload is not the one the job names', 'end.sha256')
    }
    // Fewer bytes than the bound: a copy of exactly them, not a view that keeps the rest alive.
    return this.#received === out.byteLength ? out : out.slice(0, this.#received)
  }
}
