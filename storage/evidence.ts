/**
 * Writing and reading evidence bundles (the format is in manifest.ts and docs/evidence.md).
 *
 * Writing is incremental: `EvidenceWriter.appendCheckpoint` stores a checkpoint's state blocks the
 * moment the segment ends, and records the checkpoint in the peer database's draft table, so a worker
 * killed mid-run loses nothing it stored and `EvidenceWriter.resume` continues the same chain. A
 * manifest is written at each anchor point (`writeManifest`, marked incomplete) and at the end
 * (`seal`, complete and pinned).
 *
 * Reading trusts nothing: `loadEvidence` validates the manifest (bounds, chain, Merkle root) and
 * `loadCheckpointState` re-hashes every chunk and the whole state before decoding it.
 */
import * as dagCbor from '@ipld/dag-cbor'
import { CheckpointChain, encodeState, type CheckpointMetrics, type StateTensor, type wire, toHex } from '../protocols/index.js'
import type { CID } from 'multiformats/cid'
import type { Helia } from 'helia'
import { bytesEqual, decodeCbor, putBlock, putCbor, RAW_CODE, readBlock, readCbor, sha256Bytes, type BlockAccess, type ReadOptions } from './blocks.js'
import { EvidenceError } from './errors.js'
import { EVIDENCE_LIMITS as L } from './limits.js'
import {
  EVIDENCE_TYPE, EVIDENCE_VERSION, evidenceSpec, evidenceTrainingSpec, merkleCommitment, NAME_PATTERN, STATE_ENCODING, STATE_INDEX_TYPE,
  validateManifest, validateProfile, validateStateIndex,
  type CheckpointRecord, type EvidenceManifest, type EvidenceSpec, type MetricsLogEntry, type ProfileRecord, type StateIndex, type StateRef
} from './manifest.js'
import type { Table } from './peer-store.js'
import { decodeState } from './state-codec.js'

/** Evidence as a verifier holds it: the root CID and the validated manifest it names. */
export interface Evidence {
  readonly cid: CID
  readonly manifest: EvidenceManifest
}

/** What evidence reading needs of a Helia node. */
export type EvidenceReader = Pick<Helia, 'blockstore'>
/** What evidence writing needs of a Helia node (pins keep sealed evidence out of garbage collection). */
export type EvidenceStore = Pick<Helia, 'blockstore' | 'pins'>

export interface EvidenceInit {
  /**
   * The job's wire spec: the manifest stores its protobuf encoding, and `wire.specHash(spec)` (the
   * hash the escrow stores) is the spec hash the chain starts from. The already encoded form is
   * accepted too (`encoding` must be SPEC_ENCODING, `bytes` the canonical encoding); it is checked.
   */
  readonly spec: wire.TrainingSpec | { readonly encoding: string, readonly bytes: Uint8Array }
  /** The determinism profile: a flat object of named strings, numbers and booleans. */
  readonly profile: object
  /** W_0, if the worker wants verifiers to fetch it rather than derive it from the seed. */
  readonly initialState?: readonly StateTensor[]
}

export interface CheckpointInput {
  /** Segment number (1-based, consecutive), steps so far, loss and accuracy: what the chain hashes. */
  readonly metrics: CheckpointMetrics
  /** Sealing time, Unix milliseconds. */
  readonly timeMs: number
  /** The whole training state after the segment: weights, then optimizer state. */
  readonly state: readonly StateTensor[]
  /** Further named metrics for the metrics log (test loss, …). */
  readonly log?: Readonly<Record<string, number>>
}

export interface EvidenceWriterOptions {
  /** The peer's draft table (`PeerStore.evidenceDrafts`): without it a crash loses the run's records. */
  readonly drafts?: Table<Uint8Array>
  /** Names the run in the draft table; default: the spec hash in hex. */
  readonly runId?: string
  /** Chunk size of stored states (default and maximum: EVIDENCE_LIMITS.chunkBytes). */
  readonly chunkBytes?: number
  /** Pin the sealed evidence recursively (default true). */
  readonly pin?: boolean
}

const RUN_ID = /^[A-Za-z0-9_.:-]{1,128}$/

// ------------------------------------------------------------------------------------ writing

/** Stores one encoded state as raw chunks plus its state index; returns the reference to it. */
async function storeState (blocks: BlockAccess, encoded: Uint8Array, stateHash: Uint8Array, chunkBytes: number): Promise<StateRef> {
  const chunks: CID[] = []
  for (let at = 0; at < encoded.byteLength; at += chunkBytes) {
    chunks.push(await putBlock(blocks, RAW_CODE, encoded.subarray(at, at + chunkBytes)))
  }
  const index: StateIndex = {
    type: STATE_INDEX_TYPE, version: EVIDENCE_VERSION, encoding: STATE_ENCODING, stateBytes: encoded.byteLength, stateHash, chunkBytes, chunks
  }
  const { cid } = await putCbor(blocks, index)
  return { stateHash, stateBytes: encoded.byteLength, stateCid: cid }
}

function encodeBounded (state: readonly StateTensor[], field: string): Uint8Array {
  if (state.length > L.maxStateTensors) throw new EvidenceError('TOO_LARGE', `${state.length} tensors (at most ${L.maxStateTensors})`, field)
  const encoded = encodeState(state)
  if (encoded.byteLength > L.maxStateBytes) throw new EvidenceError('TOO_LARGE', `${encoded.byteLength} bytes (at most ${L.maxStateBytes})`, field)
  return encoded
}

function checkLog (log: Readonly<Record<string, number>> | undefined, field: string): Record<string, number> {
  const values: Record<string, number> = {}
  const entries = Object.entries(log ?? {})
  if (entries.length > L.maxMetricsPerEntry) throw new EvidenceError('TOO_LARGE', `${entries.length} metrics (at most ${L.maxMetricsPerEntry})`, field)
  for (const [k, v] of entries) {
    if (!NAME_PATTERN.test(k)) throw new EvidenceError('INVALID_FIELD', `metric name ${JSON.stringify(k)} is not an identifier`, field)
    if (!Number.isFinite(v)) throw new EvidenceError('INVALID_FIELD', `metric ${k} is not finite`, field)
    values[k] = v
  }
  return values
}

/** What a draft run keeps in the peer database (dag-cbor values; local, but re-validated on resume). */
interface DraftMeta {
  readonly spec: EvidenceSpec
  readonly profile: ProfileRecord
  readonly initialState: StateRef | null
  readonly chunkBytes: number
}
interface DraftCheckpoint {
  readonly record: CheckpointRecord
  readonly values: Record<string, number>
}
const metaKey = (runId: string): string => `${runId}/meta`
const checkpointPrefix = (runId: string): string => `${runId}/cp/`
// Zero-padded so the table's key order is epoch order.
const checkpointKey = (runId: string, epoch: number): string => `${checkpointPrefix(runId)}${String(epoch).padStart(10, '0')}`

/**
 * Builds one run's evidence as training goes. Not safe for concurrent calls: append checkpoints in
 * order, one at a time.
 */
export class EvidenceWriter {
  readonly runId: string
  readonly #store: EvidenceStore
  readonly #options: EvidenceWriterOptions
  readonly #meta: DraftMeta
  readonly #chain: CheckpointChain
  readonly #records: CheckpointRecord[] = []
  readonly #log: MetricsLogEntry[] = []
  #busy = false
  #sealed: CID | undefined

  private constructor (store: EvidenceStore, meta: DraftMeta, runId: string, options: EvidenceWriterOptions) {
    this.#store = store
    this.#meta = meta
    this.runId = runId
    this.#options = options
    this.#chain = new CheckpointChain(meta.spec.hash)
  }

  /** Starts a run: stores W_0 if given and records the draft. */
  static async begin (store: EvidenceStore, init: EvidenceInit, options: EvidenceWriterOptions = {}): Promise<EvidenceWriter> {
    const chunkBytes = options.chunkBytes ?? L.chunkBytes
    if (!Number.isInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > L.chunkBytes) throw new RangeError(`chunkBytes must be 1..${L.chunkBytes}`)
    const spec: EvidenceSpec = 'bytes' in init.spec
      ? { encoding: init.spec.encoding, bytes: init.spec.bytes, hash: sha256Bytes(init.spec.bytes) }
      : evidenceSpec(init.spec)
    if (spec.bytes.byteLength > L.maxSpecBytes) throw new EvidenceError('TOO_LARGE', `spec of ${spec.bytes.byteLength} bytes`, 'spec.bytes')
    evidenceTrainingSpec(spec)
    const profile = validateProfile({ ...init.profile })
    const runId = options.runId ?? toHex(spec.hash)
    if (!RUN_ID.test(runId)) throw new RangeError(`run id ${JSON.stringify(runId)} must match ${RUN_ID}`)
    if (options.drafts !== undefined && await options.drafts.get(metaKey(runId)) !== undefined) {
      throw new EvidenceError('WRITER_STATE', `run ${runId} already has a draft: resume it or discard it`)
    }
    let initialState: StateRef | null = null
    if (init.initialState !== undefined) {
      const encoded = encodeBounded(init.initialState, 'initialState')
      initialState = await storeState(store.blockstore, encoded, sha256Bytes(encoded), chunkBytes)
    }
    const meta: DraftMeta = { spec, profile, initialState, chunkBytes }
    await options.drafts?.put(metaKey(runId), dagCbor.encode(meta))
    return new EvidenceWriter(store, meta, runId, { ...options, chunkBytes })
  }

  /**
   * Continues a run from its draft after a crash, or returns undefined when there is none. The draft
   * is re-validated (chain and all) exactly like evidence from another peer.
   */
  static async resume (store: EvidenceStore, drafts: Table<Uint8Array>, runId: string, options: Omit<EvidenceWriterOptions, 'drafts' | 'runId' | 'chunkBytes'> = {}): Promise<EvidenceWriter | undefined> {
    const metaBytes = await drafts.get(metaKey(runId))
    if (metaBytes === undefined) return undefined
    const meta = dagCbor.decode(metaBytes) as DraftMeta
    if (!Number.isInteger(meta.chunkBytes) || meta.chunkBytes < 1 || meta.chunkBytes > L.chunkBytes) {
      throw new EvidenceError('INVALID_FIELD', `draft of run ${runId} has chunk size ${String(meta.chunkBytes)}`, 'chunkBytes')
    }
    const saved: DraftCheckpoint[] = []
    for await (const [, value] of drafts.entries(checkpointPrefix(runId))) saved.push(dagCbor.decode(value) as DraftCheckpoint)
    const manifest = validateManifest(draftManifest(meta, saved.map((s) => s.record), saved.map((s, i) => ({ epoch: i + 1, values: s.values })), false))
    const writer = new EvidenceWriter(store, { ...meta, spec: manifest.spec, profile: manifest.profile }, runId, { ...options, drafts, runId, chunkBytes: meta.chunkBytes })
    for (const [i, record] of manifest.checkpoints.entries()) {
      writer.#chain.append(record.stateHash, { epoch: record.epoch, steps: record.steps, loss: record.loss, accuracy: record.accuracy }, record.timeMs)
      writer.#records.push(record)
      writer.#log.push(manifest.metricsLog[i] as MetricsLogEntry)
    }
    return writer
  }

  /**
   * Failover (issue 21): makes another worker's run, up to checkpoint `upTo`, this peer's draft of
   * run `runId`, so that `resume` continues it exactly as after a crash of this peer. `manifestCid` is
   * that worker's interim (or sealed) manifest, whose blocks must be in `store` already (fetched over
   * bitswap): it is loaded and validated like any evidence from another peer (bounds, the chain from
   * the spec hash, the Merkle root), and every state up to `upTo` is re-hashed. Returns false, doing
   * nothing, when this peer already has a draft of the run (it adopted it before a restart: `resume`
   * continues it); throws when the manifest is for another spec (`specHash`) or covers fewer than
   * `upTo` checkpoints. The adopted checkpoints keep the other worker's records (times, chain
   * hashes) byte for byte: the sealed evidence is the same chain an uninterrupted run builds.
   */
  static async adopt (store: EvidenceStore, drafts: Table<Uint8Array>, runId: string, manifestCid: CID, upTo: number, specHash: Uint8Array, options: ReadOptions = {}): Promise<boolean> {
    if (!RUN_ID.test(runId)) throw new RangeError(`run id ${JSON.stringify(runId)} must match ${RUN_ID}`)
    if (await drafts.get(metaKey(runId)) !== undefined) return false
    const { manifest } = await loadEvidence(store, manifestCid, options)
    if (!bytesEqual(manifest.spec.hash, specHash)) throw new EvidenceError('INVALID_FIELD', 'the checkpoint is of another spec', 'spec.hash')
    if (!Number.isInteger(upTo) || upTo < 1 || upTo > manifest.checkpoints.length) {
      throw new EvidenceError('INVALID_FIELD', `the checkpoint covers ${manifest.checkpoints.length} checkpoints, the resume needs ${upTo}`, 'checkpoints')
    }
    for (let epoch = 0; epoch <= upTo; epoch++) {
      if (epoch === 0 && manifest.initialState === null) continue
      await loadCheckpointState(store, manifest, epoch, options)
    }
    const chunkBytes = L.chunkBytes
    const meta: DraftMeta = { spec: manifest.spec, profile: manifest.profile, initialState: manifest.initialState, chunkBytes }
    for (let i = 0; i < upTo; i++) {
      const record = manifest.checkpoints[i] as CheckpointRecord
      const draft: DraftCheckpoint = { record, values: { ...(manifest.metricsLog[i]?.values ?? {}) } }
      await drafts.put(checkpointKey(runId, record.epoch), dagCbor.encode(draft))
    }
    // The meta last: a draft without it is no draft (`resume` returns undefined), so a crash
    // half-way through leaves nothing that looks like a run.
    await drafts.put(metaKey(runId), dagCbor.encode(meta))
    return true
  }

  /** Checkpoints recorded so far. */
  get checkpoints (): readonly CheckpointRecord[] {
    return this.#records
  }

  /** The chain head H_N (H_0 before the first checkpoint). */
  get head (): Uint8Array {
    return this.#chain.head
  }

  /** Stores the segment's state blocks, extends the chain and records the checkpoint durably. */
  async appendCheckpoint (input: CheckpointInput): Promise<CheckpointRecord> {
    if (this.#sealed !== undefined) throw new EvidenceError('WRITER_STATE', 'the evidence is sealed')
    if (this.#busy) throw new EvidenceError('WRITER_STATE', 'appendCheckpoint called while another append is running')
    this.#busy = true
    try {
      const { metrics, timeMs } = input
      const field = `checkpoints[${this.#records.length}]`
      // Check everything before storing blocks, so a refused checkpoint leaves nothing behind.
      if (metrics.epoch !== this.#records.length + 1) throw new EvidenceError('WRITER_STATE', `checkpoint ${metrics.epoch} does not follow ${this.#records.length}`)
      if (this.#records.length >= L.maxCheckpoints) throw new EvidenceError('TOO_LARGE', `more than ${L.maxCheckpoints} checkpoints`, field)
      if (!Number.isFinite(metrics.loss) || !Number.isFinite(metrics.accuracy)) throw new EvidenceError('INVALID_FIELD', 'loss and accuracy must be finite (dag-cbor has no NaN)', field)
      const previousSteps = this.#records.at(-1)?.steps ?? 0
      if (!Number.isSafeInteger(metrics.steps) || metrics.steps <= previousSteps) throw new EvidenceError('INVALID_FIELD', `steps must grow (was ${previousSteps}, got ${metrics.steps})`, `${field}.steps`)
      if (!Number.isSafeInteger(timeMs) || timeMs < 0) throw new EvidenceError('INVALID_FIELD', 'time must be non-negative integer milliseconds', `${field}.timeMs`)
      const values = checkLog(input.log, `metricsLog[${this.#records.length}]`)
      const encoded = encodeBounded(input.state, field)
      const stateHash = sha256Bytes(encoded)

      const ref = await storeState(this.#store.blockstore, encoded, stateHash, this.#options.chunkBytes ?? L.chunkBytes)
      const link = this.#chain.append(stateHash, metrics, timeMs)
      const record: CheckpointRecord = { epoch: metrics.epoch, steps: metrics.steps, loss: metrics.loss, accuracy: metrics.accuracy, timeMs, chainHash: link.hash, ...ref }
      const draft: DraftCheckpoint = { record, values }
      await this.#options.drafts?.put(checkpointKey(this.runId, record.epoch), dagCbor.encode(draft))
      this.#records.push(record)
      this.#log.push({ epoch: record.epoch, values })
      return record
    } finally {
      this.#busy = false
    }
  }

  /** The manifest as it stands, not stored (e.g. to load a state of this run before sealing). */
  snapshot (): EvidenceManifest {
    return draftManifest(this.#meta, this.#records, this.#log, false)
  }

  /** Writes an incomplete manifest covering the checkpoints so far (for an anchor point); returns its CID. */
  async writeManifest (): Promise<CID> {
    if (this.#sealed !== undefined) return this.#sealed
    return await storeManifest(this.#store.blockstore, this.snapshot())
  }

  /** Writes the complete manifest, pins the evidence and drops the draft; returns the evidence CID. */
  async seal (): Promise<CID> {
    if (this.#sealed !== undefined) return this.#sealed
    if (this.#busy) throw new EvidenceError('WRITER_STATE', 'seal called during an append')
    if (this.#records.length === 0) throw new EvidenceError('WRITER_STATE', 'no checkpoints to seal')
    const cid = await storeManifest(this.#store.blockstore, draftManifest(this.#meta, this.#records, this.#log, true))
    if (this.#options.pin !== false) await pinEvidence(this.#store, cid)
    this.#sealed = cid
    await this.#options.drafts?.deletePrefix(`${this.runId}/`)
    return cid
  }
}

/**
 * Pins evidence recursively so Helia's garbage collection keeps it (idempotent). Helia's pins.add
 * walks the DAG, which needs the dag-cbor codec: createPeerHelia adds it.
 */
export async function pinEvidence (store: EvidenceStore, cid: CID): Promise<void> {
  if (await store.pins.isPinned(cid)) return
  for await (const _ of store.pins.add(cid, { metadata: { type: EVIDENCE_TYPE } })) { /* drain: the walk is the work */ }
}

/** Lets go of a pin `pinEvidence` made (idempotent); blocks other pins hold stay. */
export async function unpinEvidence (store: EvidenceStore, cid: CID): Promise<void> {
  if (!await store.pins.isPinned(cid)) return
  for await (const _ of store.pins.rm(cid)) { /* drain */ }
}

function draftManifest (meta: DraftMeta, records: readonly CheckpointRecord[], log: readonly MetricsLogEntry[], complete: boolean): EvidenceManifest {
  return {
    type: EVIDENCE_TYPE,
    version: EVIDENCE_VERSION,
    complete,
    spec: meta.spec,
    profile: meta.profile,
    initialState: meta.initialState,
    checkpoints: [...records],
    metricsLog: [...log],
    merkle: merkleCommitment(records.map((r) => r.chainHash))
  }
}

async function storeManifest (blocks: BlockAccess, manifest: EvidenceManifest): Promise<CID> {
  const bytes = dagCbor.encode(manifest)
  if (bytes.byteLength > L.maxManifestBytes) throw new EvidenceError('TOO_LARGE', `manifest of ${bytes.byteLength} bytes (at most ${L.maxManifestBytes})`, 'manifest')
  return await putBlock(blocks, dagCbor.code, bytes)
}

/** One call for a finished run: begin, append every checkpoint, seal. Returns the evidence CID. */
export async function publishEvidence (store: EvidenceStore, init: EvidenceInit, checkpoints: Iterable<CheckpointInput> | AsyncIterable<CheckpointInput>, options: EvidenceWriterOptions = {}): Promise<CID> {
  const writer = await EvidenceWriter.begin(store, init, options)
  for await (const c of checkpoints) await writer.appendCheckpoint(c)
  return await writer.seal()
}

// ------------------------------------------------------------------------------------ reading

/** Fetches (locally, or from peers when the node has bitswap) and validates an evidence manifest. */
export async function loadEvidence (reader: EvidenceReader, cid: CID, options: ReadOptions = {}): Promise<Evidence> {
  const decoded = await readCbor(reader.blockstore, cid, L.maxManifestBytes, 'manifest', options)
  return { cid, manifest: validateManifest(decoded) }
}

function stateRefAt (manifest: EvidenceManifest, epoch: number): StateRef {
  if (epoch === 0) {
    if (manifest.initialState === null) throw new EvidenceError('NOT_FOUND', 'this evidence does not carry W_0', 'initialState')
    return manifest.initialState
  }
  const record = manifest.checkpoints[epoch - 1]
  if (!Number.isInteger(epoch) || record === undefined) throw new RangeError(`no checkpoint ${epoch} (the evidence has ${manifest.checkpoints.length})`)
  return record
}

/** Runs `fn` over `items` with at most `limit` in flight (chunk fetches over bitswap overlap). */
async function forEachConcurrent<T> (items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      await fn(items[i] as T, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

async function readStateIndex (reader: EvidenceReader, ref: StateRef, field: string, options: ReadOptions): Promise<StateIndex> {
  return validateStateIndex(await readCbor(reader.blockstore, ref.stateCid, L.maxBlockBytes, field, options), ref, field)
}

/** The encoded state a reference names, every chunk and the whole checked against their hashes. */
async function readStateBytes (reader: EvidenceReader, ref: StateRef, field: string, options: ReadOptions): Promise<Uint8Array> {
  const index = await readStateIndex(reader, ref, field, options)
  const out = new Uint8Array(index.stateBytes)
  await forEachConcurrent(index.chunks, 8, async (chunk, i) => {
    const at = i * index.chunkBytes
    const expected = Math.min(index.chunkBytes, index.stateBytes - at)
    const bytes = await readBlock(reader.blockstore, chunk, RAW_CODE, expected, `${field}.chunks[${i}]`, options)
    if (bytes.byteLength !== expected) throw new EvidenceError('INVALID_FIELD', `chunk of ${bytes.byteLength} bytes, expected ${expected}`, `${field}.chunks[${i}]`)
    out.set(bytes, at)
  })
  if (!bytesEqual(sha256Bytes(out), ref.stateHash)) throw new EvidenceError('HASH_MISMATCH', 'the state does not hash to the checkpoint\'s state hash', field)
  return out
}

/**
 * The training state after segment `epoch` (0 = W_0 when stored), fetched and checked: every chunk
 * against its CID, the whole against the state hash the chain committed to, then decoded strictly.
 */
export async function loadCheckpointState (reader: EvidenceReader, evidence: Evidence | EvidenceManifest, epoch: number, options: ReadOptions = {}): Promise<StateTensor[]> {
  const manifest = 'manifest' in evidence ? evidence.manifest : evidence
  const field = epoch === 0 ? 'initialState' : `checkpoints[${epoch - 1}].state`
  const bytes = await readStateBytes(reader, stateRefAt(manifest, epoch), field, options)
  return decodeState(bytes, L.maxStateTensors, field)
}

/**
 * Every block of the evidence once, root first, then each state index followed by its chunks, all
 * validated as they are read. What a CAR export writes and an import re-checks.
 */
export async function * evidenceBlocks (reader: EvidenceReader, cid: CID, options: ReadOptions = {}): AsyncGenerator<{ cid: CID, bytes: Uint8Array }> {
  const root = await readBlock(reader.blockstore, cid, dagCbor.code, L.maxManifestBytes, 'manifest', options)
  const manifest = validateManifest(decodeCbor(root, 'manifest'))
  yield { cid, bytes: root }
  const seen = new Set<string>([cid.toString()])
  const refs: Array<[string, StateRef]> = manifest.initialState === null ? [] : [['initialState', manifest.initialState]]
  manifest.checkpoints.forEach((c, i) => refs.push([`checkpoints[${i}].state`, c]))
  for (const [field, ref] of refs) {
    const indexBytes = await readBlock(reader.blockstore, ref.stateCid, dagCbor.code, L.maxBlockBytes, field, options)
    const index = validateStateIndex(decodeCbor(indexBytes, field), ref, field)
    // Two checkpoints with identical states share one index: it was validated against this
    // reference just now, and its chunks were checked the first time.
    if (seen.has(ref.stateCid.toString())) continue
    seen.add(ref.stateCid.toString())
    yield { cid: ref.stateCid, bytes: indexBytes }
    const whole = new Uint8Array(index.stateBytes)
    for (const [i, chunk] of index.chunks.entries()) {
      const at = i * index.chunkBytes
      const expected = Math.min(index.chunkBytes, index.stateBytes - at)
      const bytes = await readBlock(reader.blockstore, chunk, RAW_CODE, expected, `${field}.chunks[${i}]`, options)
      if (bytes.byteLength !== expected) throw new EvidenceError('INVALID_FIELD', `chunk of ${bytes.byteLength} bytes, expected ${expected}`, `${field}.chunks[${i}]`)
      whole.set(bytes, at)
      if (seen.has(chunk.toString())) continue
      seen.add(chunk.toString())
      yield { cid: chunk, bytes }
    }
    if (!bytesEqual(sha256Bytes(whole), ref.stateHash)) throw new EvidenceError('HASH_MISMATCH', 'the state does not hash to the checkpoint\'s state hash', field)
  }
}
