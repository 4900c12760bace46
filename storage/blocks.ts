/**
 * Blocks as evidence uses them: CIDv1, sha2-256, codec raw (state chunks) or dag-cbor (manifests and
 * state indexes). Reading is bounded and hash-checked here, whatever the blockstore underneath does:
 * a local blockstore returns whatever bytes sit under a key, so a flipped byte on disk (or a
 * blockstore filled by a hostile peer) is caught by re-hashing, not trusted.
 */
import { createHash } from 'node:crypto'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import * as Digest from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'
import type { Blocks } from 'helia'
import { EvidenceError } from './errors.js'

/** The block operations evidence needs: `helia.blockstore` (local, or networked through bitswap). */
export type BlockAccess = Pick<Blocks, 'get' | 'put' | 'has'>

export interface ReadOptions {
  /** Aborts a wait for a block from the network. */
  readonly signal?: AbortSignal
  /** Fail at once with NOT_FOUND instead of asking other peers for a missing block. */
  readonly offline?: boolean
}

export const RAW_CODE = raw.code
export const DAG_CBOR_CODE = dagCbor.code

export function sha256Bytes (...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return new Uint8Array(h.digest())
}

export function cidFor (codec: number, bytes: Uint8Array): CID {
  return CID.createV1(codec, Digest.create(sha256.code, sha256Bytes(bytes)))
}

export function bytesEqual (a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0
}

/** Throws unless `cid` is the only kind of CID evidence uses for this codec. */
export function assertEvidenceCid (cid: CID, codec: number, field: string): void {
  if (cid.version !== 1 || cid.code !== codec || cid.multihash.code !== sha256.code || cid.multihash.size !== 32) {
    throw new EvidenceError('MALFORMED', `expected a CIDv1 ${codec === RAW_CODE ? 'raw' : 'dag-cbor'} sha2-256 CID, got ${cid.toString()}`, field)
  }
}

export async function putBlock (blocks: BlockAccess, codec: number, bytes: Uint8Array): Promise<CID> {
  const cid = cidFor(codec, bytes)
  await blocks.put(cid, bytes)
  return cid
}

function isNotFound (err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name
  return name === 'NotFoundError' || name === 'BlockNotFoundWhileOfflineError' || name === 'LoadBlockFailedError' ||
    name === 'AbortError' || name === 'TimeoutError' || name === 'InvalidConfigurationError'
}

/**
 * The bytes of `cid`, at most `maxBytes` long, checked against the CID's sha2-256 digest.
 * NOT_FOUND when no store or peer has it; TOO_LARGE past the bound; HASH_MISMATCH when the bytes
 * are not the block the CID names.
 */
export async function readBlock (blocks: BlockAccess, cid: CID, codec: number, maxBytes: number, field: string, options: ReadOptions = {}): Promise<Uint8Array> {
  assertEvidenceCid(cid, codec, field)
  const parts: Uint8Array[] = []
  let size = 0
  try {
    // interface-blockstore 7: get() yields the block as chunks; collect them within the bound.
    // A signal of this read's own: bitswap adds an abort listener to the signal of each block read
    // for every peer it then serves the block to, so one caller's signal shared by many reads
    // (a checkpoint's chunks, a whole evidence walk) would collect dozens.
    const signal = options.signal === undefined ? undefined : AbortSignal.any([options.signal])
    for await (const part of blocks.get(cid, { signal, offline: options.offline })) {
      size += part.byteLength
      if (size > maxBytes) throw new EvidenceError('TOO_LARGE', `block ${cid.toString()} exceeds ${maxBytes} bytes`, field)
      parts.push(part)
    }
  } catch (err) {
    if (err instanceof EvidenceError) throw err
    if (isNotFound(err)) throw new EvidenceError('NOT_FOUND', `block ${cid.toString()} is not available`, field, { cause: err })
    throw err
  }
  const bytes = parts.length === 1 ? parts[0] as Uint8Array : Buffer.concat(parts)
  if (!bytesEqual(sha256Bytes(bytes), cid.multihash.digest)) {
    throw new EvidenceError('HASH_MISMATCH', `the stored bytes of ${cid.toString()} do not hash to its CID`, field)
  }
  return bytes
}

/** Reads and decodes a dag-cbor block (bounded, hash-checked). */
export async function readCbor (blocks: BlockAccess, cid: CID, maxBytes: number, field: string, options: ReadOptions = {}): Promise<unknown> {
  return decodeCbor(await readBlock(blocks, cid, DAG_CBOR_CODE, maxBytes, field, options), field)
}

export function decodeCbor (bytes: Uint8Array, field: string): unknown {
  try {
    return dagCbor.decode(bytes)
  } catch (err) {
    throw new EvidenceError('MALFORMED', 'not valid dag-cbor', field, { cause: err })
  }
}

export async function putCbor (blocks: BlockAccess, value: unknown): Promise<{ cid: CID, bytes: Uint8Array }> {
  const bytes = dagCbor.encode(value)
  return { cid: await putBlock(blocks, DAG_CBOR_CODE, bytes), bytes }
}
