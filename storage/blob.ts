/**
 * One file as content-addressed blocks: a client's ONNX model, which a worker fetches by CID (over
 * bitswap when the blocks are on another peer). Same scheme as a dataset (dataset.ts), for plain
 * bytes: raw chunks of DATASET_LIMITS.chunkBytes (1 MiB; bitswap refuses blocks over 2 MiB) and a
 * dag-cbor root
 *
 *   { type: 'cyxwiz/blob', version: 1, bytes, sha256 (32 bytes), chunks: [CID, …] }
 *
 * whose CID names the file. Reading trusts nothing: the root is validated (exact keys, the chunk
 * count against the byte count, the caller's byte limit) before anything is allocated, each chunk is
 * re-hashed against its CID, and the whole file's SHA-256 against the root and the caller's hash.
 */
import { createHash } from 'node:crypto'
import type { CID } from 'multiformats/cid'
import { DATASET_LIMITS, toHex } from '../protocols/index.js'
import * as dagCbor from '@ipld/dag-cbor'
import { bytesEqual, cidFor, DAG_CBOR_CODE, putBlock, RAW_CODE, readBlock, readCbor, type BlockAccess, type ReadOptions } from './blocks.js'
import { EvidenceError } from './errors.js'
import { bytes as bytesField, cid as cidField, exactMap, integer, label, list } from './validate.js'

export const BLOB_TYPE = 'cyxwiz/blob'
export const BLOB_VERSION = 1
const CHUNK = DATASET_LIMITS.chunkBytes
/** Largest root block: 4,096 chunk CIDs (a 4 GiB file) fit well within it. */
const MAX_ROOT_BYTES = 256 * 1024

export interface BlobRef {
  readonly root: CID
  /** SHA-256 hex of the file. */
  readonly sha256: string
  readonly bytes: number
}

/** Stores `data` as chunks and a root; returns the root CID, the file's SHA-256 and its length. */
export async function putBlob (blocks: BlockAccess, data: Uint8Array): Promise<BlobRef> {
  return await encodeBlob(data, async (codec, bytes) => await putBlock(blocks, codec, bytes))
}

/** The root CID, SHA-256 and length `putBlob` would give, computed without a store (for a job spec). */
export async function blobRootFor (data: Uint8Array): Promise<BlobRef> {
  return await encodeBlob(data, async (codec, bytes) => cidFor(codec, bytes))
}

async function encodeBlob (data: Uint8Array, put: (codec: number, bytes: Uint8Array) => Promise<CID>): Promise<BlobRef> {
  if (data.byteLength === 0) throw new RangeError('an empty file')
  const chunks: CID[] = []
  for (let at = 0; at < data.byteLength; at += CHUNK) chunks.push(await put(RAW_CODE, data.subarray(at, Math.min(at + CHUNK, data.byteLength))))
  const sha256 = new Uint8Array(createHash('sha256').update(data).digest())
  const root = await put(DAG_CBOR_CODE, dagCbor.encode({ type: BLOB_TYPE, version: BLOB_VERSION, bytes: data.byteLength, sha256, chunks }))
  return { root, sha256: toHex(sha256), bytes: data.byteLength }
}

export interface FetchBlobOptions extends ReadOptions {
  /** The file's SHA-256 the caller expects (hex); refused otherwise. */
  readonly expectedSha256: string
  /** Largest file the caller accepts. */
  readonly maxBytes: number
  readonly onProgress?: (bytesDone: number, bytesTotal: number) => void
}

/** Fetches and checks the file `root` names. Throws an EvidenceError on anything untrusted that does not check out. */
export async function fetchBlob (blocks: BlockAccess, root: CID, options: FetchBlobOptions): Promise<Uint8Array> {
  const m = exactMap(await readCbor(blocks, root, MAX_ROOT_BYTES, 'blob', options), 'blob', ['type', 'version', 'bytes', 'sha256', 'chunks'])
  if (label(m.type, 'blob.type', 32) !== BLOB_TYPE) throw new EvidenceError('INVALID_FIELD', `not a ${BLOB_TYPE} root`, 'blob.type')
  integer(m.version, 'blob.version', BLOB_VERSION, BLOB_VERSION)
  const size = integer(m.bytes, 'blob.bytes', 1, options.maxBytes)
  const sha256 = bytesField(m.sha256, 'blob.sha256', { exactly: 32 })
  if (toHex(sha256) !== options.expectedSha256.toLowerCase()) throw new EvidenceError('HASH_MISMATCH', `the root names a file with SHA-256 ${toHex(sha256)}, expected ${options.expectedSha256}`, 'blob.sha256')
  const count = Math.ceil(size / CHUNK)
  const chunks = list(m.chunks, 'blob.chunks', count).map((c, i) => cidField(c, `blob.chunks[${i}]`, RAW_CODE))
  if (chunks.length !== count) throw new EvidenceError('INVALID_FIELD', `${chunks.length} chunks for ${size} bytes (expected ${count})`, 'blob.chunks')
  const out = new Uint8Array(size)
  const whole = createHash('sha256')
  for (let i = 0; i < count; i++) {
    const length = i < count - 1 ? CHUNK : size - (count - 1) * CHUNK
    const chunk = await readBlock(blocks, chunks[i] as CID, RAW_CODE, length, `blob.chunks[${i}]`, options)
    if (chunk.byteLength !== length) throw new EvidenceError('INVALID_FIELD', `${chunk.byteLength} bytes, expected ${length}`, `blob.chunks[${i}]`)
    out.set(chunk, i * CHUNK)
    whole.update(chunk)
    options.onProgress?.(i * CHUNK + length, size)
  }
  const digest = new Uint8Array(whole.digest())
  if (!bytesEqual(digest, sha256)) throw new EvidenceError('HASH_MISMATCH', `the chunks hash to ${toHex(digest)}, the root says ${toHex(sha256)}`, 'blob.sha256')
  return out
}
