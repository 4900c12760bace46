/**
 * A client's dataset as content-addressed blocks: what the client publishes and a worker fetches by
 * CID (over bitswap when the blocks are on another peer), so the job names its data by one root CID
 * and both sides hold bit-identical tensors.
 *
 * The in-memory shape (`TensorDataset`) is defined here, below the training code, because storage
 * sits under peer in the room order (peer → storage → protocols); `peer/train/data/types.ts`
 * re-exports it with its helpers, and the loaders in `peer/train/data` produce it.
 *
 * Canonical encoding (the bytes the manifest's `sha256` names and the chunks carry):
 *
 *   x_train ‖ y_train ‖ x_test ‖ y_test
 *
 * each array row-major (C order), little-endian, no padding and no headers:
 *   x: count × prod(sampleShape) values of `dtype` (uint8: 1 byte, float32: 4 bytes IEEE 754 LE);
 *   y: `yDtype` int32 LE class indices (classification, one per row) or float32 LE targets
 *      (regression, count × prod(targetShape)).
 * The concatenation is cut into raw blocks (CIDv1, sha2-256, codec raw) of exactly
 * DATASET_LIMITS.chunkBytes (1 MiB), the last one shorter; chunk boundaries ignore array boundaries.
 * The root is a dag-cbor manifest:
 *
 *   { type: 'cyxwiz/dataset', version: 1, sampleShape, dtype, normalize, task, train: { count },
 *     test: { count }, yDtype, bytes, sha256 (32 bytes), chunks: [CID, …] }
 *
 * with `task` = { kind: 'classification', classCount[, classNames] } | { kind: 'regression', targetShape }
 * (`classNames` only when recorded). Unknown keys are refused, so a dataset has one manifest and one
 * root CID.
 *
 * Reading trusts nothing: the manifest is validated field by field against DATASET_LIMITS (the
 * chunk count against the byte count, the byte count against the shapes) before anything is
 * allocated; the typed arrays are then allocated once and each chunk is written into them as it
 * arrives, re-hashed against its CID (bitswap checks blocks from the network, a local blockstore
 * returns whatever is on disk), and the whole encoding's SHA-256 is checked against the manifest
 * and the caller's expected hash. Errors are `EvidenceError`s (the storage room's error for
 * untrusted content) with a code and a field path.
 *
 * Writing streams: chunks are views of the caller's typed arrays (one 1 MiB buffer only for a chunk
 * that straddles two arrays), so putting a dataset never makes a second full copy.
 */
import { createHash, type Hash } from 'node:crypto'
import { setMaxListeners } from 'node:events'
import { endianness } from 'node:os'
import { logger } from '@libp2p/logger'
import type { CID } from 'multiformats/cid'
import { DATASET_LIMITS, toHex } from '../protocols/index.js'
import { bytesEqual, cidFor, decodeCbor, putBlock, RAW_CODE, readBlock, readCbor, DAG_CBOR_CODE, type BlockAccess } from './blocks.js'
import * as dagCbor from '@ipld/dag-cbor'
import { EvidenceError } from './errors.js'
import { bytes as bytesField, cid as cidField, exactMap, integer, label, list } from './validate.js'

const log = logger('cyx:storage:dataset')

// ------------------------------------------------------------------------------------ the shape

/** How one sample's values are stored. */
export type SampleDtype = 'uint8' | 'float32'
/** How targets are stored: class indices (classification) or values (regression). */
export type TargetDtype = 'int32' | 'float32'
/** How x becomes float32 for the model: 'unit' = uint8 / 255 (only for uint8), 'none' = a plain cast. */
export type Normalize = 'unit' | 'none'

export type DatasetTask =
  | { readonly kind: 'classification', readonly classCount: number, /** Name of each class index, when known (image folders, CSV string labels). */ readonly classNames?: readonly string[] }
  | { readonly kind: 'regression', readonly targetShape: readonly number[] }

export interface TensorSplit {
  readonly count: number
  /** count × sampleSize values, row-major, in the dataset's dtype. */
  readonly x: Uint8Array | Float32Array
  /** Classification: one class index per row. Regression: count × prod(targetShape) values. */
  readonly y: Int32Array | Float32Array
}

/** A dataset as the loaders produce it, the checks check it and the trainer reads it. */
export interface TensorDataset {
  /** One sample's shape without the batch dimension, e.g. [1, 28, 28] or [16]. */
  readonly sampleShape: readonly number[]
  readonly dtype: SampleDtype
  readonly normalize: Normalize
  readonly task: DatasetTask
  readonly train: TensorSplit
  readonly test: TensorSplit
}

// --------------------------------------------------------------------------------- the manifest

export const DATASET_TYPE = 'cyxwiz/dataset'
export const DATASET_VERSION = 1

export interface DatasetManifest {
  readonly type: typeof DATASET_TYPE
  readonly version: typeof DATASET_VERSION
  readonly sampleShape: readonly number[]
  readonly dtype: SampleDtype
  readonly normalize: Normalize
  readonly task: DatasetTask
  readonly train: { readonly count: number }
  readonly test: { readonly count: number }
  readonly yDtype: TargetDtype
  /** Length of the canonical encoding. */
  readonly bytes: number
  /** SHA-256 of the canonical encoding. */
  readonly sha256: Uint8Array
  readonly chunks: readonly CID[]
}

/** What a stored dataset is known by. */
export interface DatasetRef {
  readonly root: CID
  /** SHA-256 of the canonical encoding, lowercase hex. */
  readonly sha256: string
  /** Length of the canonical encoding. */
  readonly bytes: number
}

export interface FetchDatasetOptions {
  /** Refuse the dataset unless its canonical encoding has this SHA-256 (hex). */
  readonly expectedSha256?: string
  /** Called after each chunk is written into place. */
  readonly onProgress?: (bytesDone: number, bytesTotal: number) => void
  /** Aborts waiting for blocks. */
  readonly signal?: AbortSignal
  /** Fail with NOT_FOUND at once instead of asking peers for missing blocks. */
  readonly offline?: boolean
  /** Chunks requested at once (default 16): bitswap throughput needs several wants in flight. */
  readonly concurrency?: number
}

const L = DATASET_LIMITS
const invalid = (field: string, why: string): never => { throw new EvidenceError('INVALID_FIELD', why, field) }
const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

function assertLittleEndianHost (): void {
  if (endianness() !== 'LE') throw new EvidenceError('UNSUPPORTED', 'the canonical dataset encoding is little-endian and this host is big-endian')
}

function shapeField (value: unknown, field: string, maxValues: number): number[] {
  const dims = list(value, field, L.maxRank).map((d, i) => integer(d, `${field}[${i}]`, 1, maxValues))
  if (dims.length === 0) invalid(field, 'expected at least one dimension')
  if (product(dims) > maxValues) throw new EvidenceError('TOO_LARGE', `${product(dims)} values (at most ${maxValues})`, field)
  return dims
}

function taskField (value: unknown): DatasetTask {
  if (typeof value !== 'object' || value === null) return invalid('task', 'expected a map')
  const kind = (value as { kind?: unknown }).kind
  if (kind === 'regression') {
    const m = exactMap(value, 'task', ['kind', 'targetShape'])
    return { kind, targetShape: shapeField(m.targetShape, 'task.targetShape', L.maxTargetSize) }
  }
  if (kind !== 'classification') return invalid('task.kind', "expected 'classification' or 'regression'")
  const withNames = 'classNames' in value
  const m = exactMap(value, 'task', withNames ? ['kind', 'classCount', 'classNames'] : ['kind', 'classCount'])
  const classCount = integer(m.classCount, 'task.classCount', 1, L.maxClasses)
  if (!withNames) return { kind, classCount }
  const names = list(m.classNames, 'task.classNames', L.maxClasses).map((n, i) => label(n, `task.classNames[${i}]`, L.maxClassNameChars))
  if (names.length !== classCount) invalid('task.classNames', `${names.length} names for ${classCount} classes`)
  if (new Set(names).size !== names.length) invalid('task.classNames', 'names must be distinct')
  const total = names.reduce((a, n) => a + n.length, 0)
  if (total > L.maxClassNamesTotalChars) throw new EvidenceError('TOO_LARGE', `${total} characters of class names (at most ${L.maxClassNamesTotalChars})`, 'task.classNames')
  return { kind, classCount, classNames: names }
}

/** Values per row of y: 1 for a class index, prod(targetShape) for a regression target. */
function targetSize (task: DatasetTask): number {
  return task.kind === 'classification' ? 1 : product(task.targetShape)
}

/** Bytes of the canonical encoding for these shapes and counts. */
function encodedBytes (sampleShape: readonly number[], dtype: SampleDtype, task: DatasetTask, rows: number): number {
  return rows * (product(sampleShape) * (dtype === 'uint8' ? 1 : 4) + targetSize(task) * 4)
}

/** The header fields (everything but bytes, sha256 and chunks), checked: one rule set for writing and reading. */
interface ManifestBody {
  readonly sampleShape: readonly number[]
  readonly dtype: SampleDtype
  readonly normalize: Normalize
  readonly task: DatasetTask
  readonly train: { readonly count: number }
  readonly test: { readonly count: number }
  readonly yDtype: TargetDtype
}

function validateBody (m: Record<string, unknown>): ManifestBody & { readonly bytes: number } {
  const sampleShape = shapeField(m.sampleShape, 'sampleShape', L.maxSampleSize)
  const dtype = m.dtype === 'uint8' || m.dtype === 'float32' ? m.dtype : invalid('dtype', "expected 'uint8' or 'float32'")
  const normalize = m.normalize === 'unit' || m.normalize === 'none' ? m.normalize : invalid('normalize', "expected 'unit' or 'none'")
  if (normalize === 'unit' && dtype !== 'uint8') invalid('normalize', "'unit' scales uint8 samples by 1/255; float32 samples need 'none'")
  const task = taskField(m.task)
  const train = { count: integer(exactMap(m.train, 'train', ['count']).count, 'train.count', 1, L.maxRows) }
  const test = { count: integer(exactMap(m.test, 'test', ['count']).count, 'test.count', 1, L.maxRows) }
  if (train.count + test.count > L.maxRows) throw new EvidenceError('TOO_LARGE', `${train.count + test.count} rows (at most ${L.maxRows})`, 'test.count')
  const yDtype = m.yDtype === 'int32' || m.yDtype === 'float32' ? m.yDtype : invalid('yDtype', "expected 'int32' or 'float32'")
  const wantY = task.kind === 'classification' ? 'int32' : 'float32'
  if (yDtype !== wantY) invalid('yDtype', `a ${task.kind} task stores ${wantY} targets`)
  const bytes = encodedBytes(sampleShape, dtype, task, train.count + test.count)
  if (bytes > L.maxBytes) throw new EvidenceError('TOO_LARGE', `${bytes} bytes (at most ${L.maxBytes})`, 'bytes')
  return { sampleShape, dtype, normalize, task, train, test, yDtype, bytes }
}

const MANIFEST_KEYS = ['type', 'version', 'sampleShape', 'dtype', 'normalize', 'task', 'train', 'test', 'yDtype', 'bytes', 'sha256', 'chunks'] as const

/** Turns a decoded dataset manifest from anywhere into a typed one, or throws an EvidenceError naming the field. */
export function validateDatasetManifest (value: unknown): DatasetManifest {
  const m = exactMap(value, 'dataset', MANIFEST_KEYS)
  if (m.type !== DATASET_TYPE) invalid('dataset.type', `expected ${JSON.stringify(DATASET_TYPE)}`)
  if (m.version !== DATASET_VERSION) throw new EvidenceError('UNSUPPORTED', `version ${String(m.version)} (this peer reads ${DATASET_VERSION})`, 'dataset.version')
  const body = validateBody(m)
  const bytes = integer(m.bytes, 'bytes', 1, L.maxBytes)
  if (bytes !== body.bytes) invalid('bytes', `${bytes} bytes, but the shapes and counts make ${body.bytes}`)
  const sha256 = bytesField(m.sha256, 'sha256', { exactly: 32 })
  const expectedChunks = Math.ceil(bytes / L.chunkBytes)
  const chunks = list(m.chunks, 'chunks', expectedChunks).map((c, i) => cidField(c, `chunks[${i}]`, RAW_CODE))
  if (chunks.length !== expectedChunks) invalid('chunks', `${chunks.length} chunks for ${bytes} bytes in ${L.chunkBytes}-byte chunks (expected ${expectedChunks})`)
  return { type: DATASET_TYPE, version: DATASET_VERSION, ...body, bytes, sha256, chunks }
}

// ------------------------------------------------------------------------------------- writing

/** The four arrays of the canonical encoding, in order, as byte views (no copies). */
function segmentsOf (ds: TensorDataset, bytes: number): Uint8Array[] {
  const size = product(ds.sampleShape)
  const tsize = targetSize(ds.task)
  const segs: Uint8Array[] = []
  for (const name of ['train', 'test'] as const) {
    const split = ds[name]
    const xType = ds.dtype === 'uint8' ? Uint8Array : Float32Array
    if (!(split.x instanceof xType)) invalid(`x_${name}`, `expected a ${xType.name} for dtype ${ds.dtype}`)
    if (split.x.length !== split.count * size) invalid(`x_${name}`, `${split.x.length} values for ${split.count} rows of ${size}`)
    const yType = ds.task.kind === 'classification' ? Int32Array : Float32Array
    if (!(split.y instanceof yType)) invalid(`y_${name}`, `expected an ${yType.name} for a ${ds.task.kind} task`)
    if (split.y.length !== split.count * tsize) invalid(`y_${name}`, `${split.y.length} values for ${split.count} rows of ${tsize}`)
    segs.push(new Uint8Array(split.x.buffer, split.x.byteOffset, split.x.byteLength))
    segs.push(new Uint8Array(split.y.buffer, split.y.byteOffset, split.y.byteLength))
  }
  // Canonical order: x_train ‖ y_train ‖ x_test ‖ y_test (the loop above pushed exactly that).
  const total = segs.reduce((a, s) => a + s.byteLength, 0)
  if (total !== bytes) throw new Error(`dataset encoding is ${total} bytes, expected ${bytes} (a bug)`)
  return segs
}

/** The checked manifest body of an in-memory dataset (the same rules a reader applies). */
function bodyOf (ds: TensorDataset): ManifestBody & { readonly bytes: number } {
  const task = ds.task.kind === 'classification'
    ? (ds.task.classNames === undefined ? { kind: ds.task.kind, classCount: ds.task.classCount } : { kind: ds.task.kind, classCount: ds.task.classCount, classNames: [...ds.task.classNames] })
    : { kind: ds.task.kind, targetShape: [...ds.task.targetShape] }
  return validateBody({
    sampleShape: [...ds.sampleShape],
    dtype: ds.dtype,
    normalize: ds.normalize,
    task,
    train: { count: ds.train.count },
    test: { count: ds.test.count },
    yDtype: ds.task.kind === 'classification' ? 'int32' : 'float32'
  })
}

/** Yields the chunks of the canonical encoding: views where a chunk lies inside one array, one fresh buffer where it straddles two. */
function * chunksOf (segs: readonly Uint8Array[], total: number): Generator<Uint8Array> {
  let seg = 0
  let at = 0 // offset within segs[seg]
  for (let start = 0; start < total; start += L.chunkBytes) {
    const len = Math.min(L.chunkBytes, total - start)
    while (seg < segs.length && at === (segs[seg] as Uint8Array).byteLength) { seg++; at = 0 }
    const s = segs[seg] as Uint8Array
    if (s.byteLength - at >= len) {
      yield s.subarray(at, at + len)
      at += len
      continue
    }
    const out = new Uint8Array(len)
    let filled = 0
    while (filled < len) {
      while (at === (segs[seg] as Uint8Array).byteLength) { seg++; at = 0 }
      const cur = segs[seg] as Uint8Array
      const n = Math.min(len - filled, cur.byteLength - at)
      out.set(cur.subarray(at, at + n), filled)
      filled += n
      at += n
    }
    yield out
  }
}

async function encodeDataset (ds: TensorDataset, store: ((bytes: Uint8Array) => Promise<CID>) | null): Promise<{ manifest: DatasetManifest, manifestBytes: Uint8Array, root: CID }> {
  assertLittleEndianHost()
  const body = bodyOf(ds)
  const whole = createHash('sha256')
  const chunks: CID[] = []
  for (const chunk of chunksOf(segmentsOf(ds, body.bytes), body.bytes)) {
    whole.update(chunk)
    chunks.push(store === null ? cidFor(RAW_CODE, chunk) : await store(chunk))
  }
  const manifest: DatasetManifest = { type: DATASET_TYPE, version: DATASET_VERSION, ...body, sha256: new Uint8Array(whole.digest()), chunks }
  const manifestBytes = dagCbor.encode(manifest)
  if (manifestBytes.byteLength > L.maxManifestBytes) throw new EvidenceError('TOO_LARGE', `manifest of ${manifestBytes.byteLength} bytes (at most ${L.maxManifestBytes})`, 'dataset')
  return { manifest, manifestBytes, root: cidFor(DAG_CBOR_CODE, manifestBytes) }
}

/**
 * Stores `ds` as raw chunks plus its manifest and returns the root CID (what a job names), the
 * SHA-256 of the canonical encoding and its length. Streams chunk by chunk from the typed arrays.
 * Throws an EvidenceError if the dataset breaks a DATASET_LIMITS bound or its arrays do not match
 * its shapes (content checks such as NaN and label ranges are peer/train/data/check.ts's).
 */
export async function putDataset (blocks: BlockAccess, ds: TensorDataset): Promise<DatasetRef> {
  const { manifest, manifestBytes, root } = await encodeDataset(ds, async (chunk) => await putBlock(blocks, RAW_CODE, chunk))
  await blocks.put(root, manifestBytes)
  log('stored dataset %s: %d bytes in %d chunks', root, manifest.bytes, manifest.chunks.length)
  return { root, sha256: toHex(manifest.sha256), bytes: manifest.bytes }
}

/** The root CID, SHA-256 and length `putDataset` would give, computed without a store (for a job spec). */
export async function datasetRootFor (ds: TensorDataset): Promise<DatasetRef> {
  const { manifest, root } = await encodeDataset(ds, null)
  return { root, sha256: toHex(manifest.sha256), bytes: manifest.bytes }
}

// ------------------------------------------------------------------------------------- reading

/** Reads and validates the manifest `root` names. */
export async function loadDatasetManifest (blocks: BlockAccess, root: CID, options: Pick<FetchDatasetOptions, 'signal' | 'offline'> = {}): Promise<DatasetManifest> {
  return validateDatasetManifest(await readCbor(blocks, root, L.maxManifestBytes, 'dataset', options))
}

type Settled = { ok: true, value: Uint8Array } | { ok: false, error: unknown }
const settle = async (p: Promise<Uint8Array>): Promise<Settled> => await p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }))

/**
 * Fetches the dataset `root` names (from the local blockstore, or from peers through bitswap when
 * `blocks` is a networked Helia's blockstore), checking everything the module header lists.
 */
export async function fetchDataset (blocks: BlockAccess, root: CID, options: FetchDatasetOptions = {}): Promise<TensorDataset> {
  assertLittleEndianHost()
  const expected = options.expectedSha256?.toLowerCase()
  if (expected !== undefined && !/^[0-9a-f]{64}$/.test(expected)) throw new TypeError(`expectedSha256 must be 64 hex digits, got ${JSON.stringify(options.expectedSha256)}`)
  // Our own signal too, so wants still in flight are withdrawn when a chunk fails.
  const stop = new AbortController()
  const signal = options.signal === undefined ? stop.signal : AbortSignal.any([options.signal, stop.signal])
  // Every chunk in flight listens on it (one listener each, removed when its block arrives).
  setMaxListeners(64 + 8, signal)
  try {
    return await fetchWith(blocks, root, expected, { ...options, signal })
  } finally {
    stop.abort()
  }
}

async function fetchWith (blocks: BlockAccess, root: CID, expected: string | undefined, options: FetchDatasetOptions): Promise<TensorDataset> {
  const read = { signal: options.signal, offline: options.offline }
  const m = await loadDatasetManifest(blocks, root, read)
  if (expected !== undefined && toHex(m.sha256) !== expected) {
    throw new EvidenceError('HASH_MISMATCH', `the manifest names a dataset with SHA-256 ${toHex(m.sha256)}, expected ${expected}`, 'dataset.sha256')
  }
  // Each block is re-hashed against its CID by readBlock: the assembler need not do it again.
  const assembler = new DatasetAssembler(m, { verifyBlocks: false })
  const count = m.chunks.length
  const window = Math.max(1, Math.min(options.concurrency ?? 16, 64))
  const inFlight: Array<Promise<Settled>> = []
  let next = 0
  for (let i = 0; i < count; i++) {
    while (next < count && inFlight.length < window) {
      const j = next++
      inFlight.push(settle(readBlock(blocks, m.chunks[j] as CID, RAW_CODE, assembler.blockLength(j), `chunks[${j}]`, read)))
    }
    const got = await (inFlight.shift() as Promise<Settled>)
    if (!got.ok) throw got.error
    if (got.value.byteLength !== assembler.blockLength(i)) invalid(`chunks[${i}]`, `${got.value.byteLength} bytes, expected ${assembler.blockLength(i)}`)
    assembler.add(got.value)
    options.onProgress?.(assembler.bytesDone, m.bytes)
  }
  const ds = assembler.finish()
  log('fetched dataset %s: %d bytes in %d chunks', root, m.bytes, count)
  return ds
}

/**
 * A dataset built from its canonical encoding as it arrives, in order, in runs of any length (a
 * block read from a store, a frame off a stream): every byte is written once, straight into the
 * typed arrays the manifest's shapes call for (allocated here, once). `finish` checks the length,
 * the whole encoding's SHA-256 against the manifest and the class labels, and returns the dataset.
 *
 * `verifyBlocks`: the runs come from somewhere that did not check them against their CIDs (a
 * stream from the client): each 1 MiB block is then hashed as it completes and compared with the
 * manifest's CID for it, so the bytes are exactly the blocks the dataset's root names — what this
 * peer can store and serve under those CIDs (`putDataset` of the result gives the same root).
 * Every refusal is an EvidenceError naming the field.
 */
export class DatasetAssembler {
  readonly manifest: DatasetManifest
  readonly #train: TensorSplit
  readonly #test: TensorSplit
  readonly #segs: Uint8Array[]
  readonly #whole: Hash = createHash('sha256')
  readonly #verifyBlocks: boolean
  #seg = 0
  #at = 0
  #done = 0
  #block: Hash | undefined
  #blockIndex = 0
  #blockFill = 0
  #finished = false

  constructor (m: DatasetManifest, o: { readonly verifyBlocks: boolean }) {
    assertLittleEndianHost()
    this.manifest = m
    this.#verifyBlocks = o.verifyBlocks
    const size = product(m.sampleShape)
    const tsize = targetSize(m.task)
    const makeX = (count: number): Uint8Array | Float32Array => m.dtype === 'uint8' ? new Uint8Array(count * size) : new Float32Array(count * size)
    const makeY = (count: number): Int32Array | Float32Array => m.yDtype === 'int32' ? new Int32Array(count * tsize) : new Float32Array(count * tsize)
    this.#train = { count: m.train.count, x: makeX(m.train.count), y: makeY(m.train.count) }
    this.#test = { count: m.test.count, x: makeX(m.test.count), y: makeY(m.test.count) }
    this.#segs = [this.#train.x, this.#train.y, this.#test.x, this.#test.y].map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
  }

  /** The length of block `i` of the encoding (1 MiB, the last one shorter). */
  blockLength (i: number): number {
    const count = this.manifest.chunks.length
    return i < count - 1 ? L.chunkBytes : this.manifest.bytes - (count - 1) * L.chunkBytes
  }

  get bytesDone (): number {
    return this.#done
  }

  add (run: Uint8Array): void {
    if (this.#finished) invalid('dataset', 'bytes after the end of the dataset')
    if (this.#done + run.byteLength > this.manifest.bytes) throw new EvidenceError('TOO_LARGE', `more than the manifest's ${this.manifest.bytes} bytes`, 'dataset.bytes')
    this.#whole.update(run)
    if (this.#verifyBlocks) this.#checkBlocks(run)
    let from = 0
    while (from < run.byteLength) {
      while (this.#at === (this.#segs[this.#seg] as Uint8Array).byteLength) { this.#seg++; this.#at = 0 }
      const cur = this.#segs[this.#seg] as Uint8Array
      const n = Math.min(run.byteLength - from, cur.byteLength - this.#at)
      cur.set(run.subarray(from, from + n), this.#at)
      from += n
      this.#at += n
    }
    this.#done += run.byteLength
  }

  #checkBlocks (run: Uint8Array): void {
    let from = 0
    while (from < run.byteLength) {
      const i = this.#blockIndex
      const n = Math.min(run.byteLength - from, this.blockLength(i) - this.#blockFill)
      this.#block ??= createHash('sha256')
      this.#block.update(run.subarray(from, from + n))
      from += n
      this.#blockFill += n
      if (this.#blockFill === this.blockLength(i)) {
        const digest = new Uint8Array(this.#block.digest())
        if (!bytesEqual(digest, (this.manifest.chunks[i] as CID).multihash.digest)) {
          throw new EvidenceError('HASH_MISMATCH', `block ${i} does not hash to the manifest's ${(this.manifest.chunks[i] as CID).toString()}`, `chunks[${i}]`)
        }
        this.#block = undefined
        this.#blockIndex++
        this.#blockFill = 0
      }
    }
  }

  finish (): TensorDataset {
    if (this.#finished) invalid('dataset', 'finished twice')
    this.#finished = true
    const m = this.manifest
    if (this.#done !== m.bytes) invalid('dataset.bytes', `${this.#done} bytes arrived, the manifest names ${m.bytes}`)
    const digest = new Uint8Array(this.#whole.digest())
    if (!bytesEqual(digest, m.sha256)) throw new EvidenceError('HASH_MISMATCH', `the chunks hash to ${toHex(digest)}, the manifest says ${toHex(m.sha256)}`, 'dataset.sha256')
    if (m.task.kind === 'classification') {
      for (const [name, split] of [['y_train', this.#train], ['y_test', this.#test]] as const) {
        const y = split.y
        for (let r = 0; r < y.length; r++) {
          const v = y[r] as number
          if (v < 0 || v >= m.task.classCount) invalid(name, `row ${r}: class ${v} outside 0..${m.task.classCount - 1}`)
        }
      }
    }
    return { sampleShape: m.sampleShape, dtype: m.dtype, normalize: m.normalize, task: m.task, train: this.#train, test: this.#test }
  }
}

/**
 * The canonical encoding of `ds` as the four byte views it is made of (x_train, y_train, x_test,
 * y_test; no copies): what a client streams to its worker (the worker builds the dataset from them
 * with a `DatasetAssembler` checking every block against the manifest).
 */
export function datasetSegments (ds: TensorDataset): Uint8Array[] {
  assertLittleEndianHost()
  return segmentsOf(ds, bodyOf(ds).bytes)
}

/** Decodes a manifest block's bytes (for tools that hold the block already). */
export function decodeDatasetManifest (bytes: Uint8Array): DatasetManifest {
  return validateDatasetManifest(decodeCbor(bytes, 'dataset'))
}
