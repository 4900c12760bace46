/**
 * The evidence of one training run, as dag-cbor objects (format documented in docs/evidence.md).
 *
 *   EvidenceManifest (dag-cbor, the root: its CID names the evidence)
 *     ├─ spec, determinism profile, metrics log, Merkle commitment
 *     └─ checkpoints[i].stateCid ─→ StateIndex (dag-cbor) ─→ chunks[] (raw, ≤ 1 MiB each)
 *
 * A state index names the canonical encoding of one checkpoint's training state (`encodeState` of
 * protocols/proof) split into raw chunks. The manifest repeats every number the checkpoint chain
 * hashes, so a verifier recomputes the whole chain and the Merkle root from the manifest alone and
 * fetches only the states it spot-checks.
 *
 * `validateManifest` is the one way a decoded manifest becomes typed: it checks every field's type,
 * length and bound, the spec hash, the chain (with `firstBrokenLink`) and the Merkle root.
 */
import { firstBrokenLink, MerkleTree, wire, type Checkpoint } from '../protocols/index.js'
import type { CID } from 'multiformats/cid'
import { bytesEqual, DAG_CBOR_CODE, RAW_CODE, sha256Bytes } from './blocks.js'
import { EvidenceError } from './errors.js'
import { EVIDENCE_LIMITS as L } from './limits.js'
import { boolean, boundedMap, bytes, cid, exactMap, finiteNumber, integer, label, list } from './validate.js'

export const EVIDENCE_TYPE = 'cyxwiz/evidence'
export const STATE_INDEX_TYPE = 'cyxwiz/state'
export const EVIDENCE_VERSION = 1
/** The Merkle tree of protocols/proof over H_1..H_N with SHA-256 (leaves are the chain hashes). */
export const MERKLE_SCHEME_SHA256 = 'sha256/v1'
/** `encodeState` of protocols/proof. */
export const STATE_ENCODING = 'cyxwiz/checkpoint/v1/state'
/**
 * The one spec encoding evidence holds: the protobuf encoding of the wire `TrainingSpec`
 * (protocols/wire), exactly as `wire.specHash` hashes it, so the spec hash the escrow stores, the
 * chain's genesis and the manifest's `spec.hash` are one value.
 */
export const SPEC_ENCODING = 'cyxwiz/wire/TrainingSpec'

/** Keys of the profile and of named metrics: identifiers, so they can never be `__proto__` & co. */
export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/

/**
 * The job spec exactly as hashed: `bytes` is the canonical protobuf encoding of the wire
 * `TrainingSpec` (`encoding` = SPEC_ENCODING) and `hash = SHA-256(bytes) = wire.specHash(spec)`, the
 * spec hash the escrow stores and the checkpoint chain starts from.
 */
export interface EvidenceSpec {
  readonly encoding: string
  readonly bytes: Uint8Array
  readonly hash: Uint8Array
}

/** A determinism profile as stored: a flat map of named scalars (see peer/train/profile.ts). */
export type ProfileRecord = Readonly<Record<string, string | number | boolean>>

/** A training state held in evidence: its digest, size, and the state index naming its chunks. */
export interface StateRef {
  /** SHA-256 of the canonical encoding (protocols/proof `stateHash`). */
  readonly stateHash: Uint8Array
  readonly stateBytes: number
  readonly stateCid: CID
}

/** One link of the checkpoint chain with where its state lives. */
export interface CheckpointRecord extends StateRef {
  readonly epoch: number
  readonly steps: number
  readonly loss: number
  readonly accuracy: number
  /** Sealing time, Unix milliseconds. */
  readonly timeMs: number
  /** H_E. */
  readonly chainHash: Uint8Array
}

/** Per-checkpoint metrics beyond the four the chain hashes (test loss, …). Committed by the manifest CID only. */
export interface MetricsLogEntry {
  readonly epoch: number
  readonly values: Readonly<Record<string, number>>
}

export interface MerkleCommitment {
  readonly scheme: string
  readonly root: Uint8Array
  /** Leaf values in order; for sha256/v1 these are exactly the chain hashes H_1..H_N. */
  readonly leaves: readonly Uint8Array[]
}

export interface EvidenceManifest {
  readonly type: typeof EVIDENCE_TYPE
  readonly version: typeof EVIDENCE_VERSION
  /** False for a manifest written at an anchor point while training goes on. */
  readonly complete: boolean
  readonly spec: EvidenceSpec
  readonly profile: ProfileRecord
  /** W_0, when the worker stored it (it is also derivable from the spec's seed; the chain does not hash it). */
  readonly initialState: StateRef | null
  readonly checkpoints: readonly CheckpointRecord[]
  readonly metricsLog: readonly MetricsLogEntry[]
  /** Null only while there are no checkpoints yet. */
  readonly merkle: MerkleCommitment | null
}

/** The node a StateRef's CID names. */
export interface StateIndex {
  readonly type: typeof STATE_INDEX_TYPE
  readonly version: typeof EVIDENCE_VERSION
  readonly encoding: typeof STATE_ENCODING
  readonly stateBytes: number
  readonly stateHash: Uint8Array
  /** Every chunk but the last is exactly this long. */
  readonly chunkBytes: number
  readonly chunks: readonly CID[]
}

export function merkleCommitment (chainHashes: readonly Uint8Array[]): MerkleCommitment | null {
  if (chainHashes.length === 0) return null
  return { scheme: MERKLE_SCHEME_SHA256, root: new MerkleTree(chainHashes).root, leaves: [...chainHashes] }
}

export function chainCheckpoints (records: readonly CheckpointRecord[]): Checkpoint[] {
  return records.map((r) => ({
    metrics: { epoch: r.epoch, steps: r.steps, loss: r.loss, accuracy: r.accuracy },
    stateHash: r.stateHash,
    timeMs: r.timeMs,
    hash: r.chainHash
  }))
}

// ---------------------------------------------------------------- validation of untrusted objects

function versionOf (m: Record<string, unknown>, type: string, field: string): void {
  if (m.type !== type) throw new EvidenceError('INVALID_FIELD', `expected type ${JSON.stringify(type)}`, `${field}.type`)
  if (m.version !== EVIDENCE_VERSION) throw new EvidenceError('UNSUPPORTED', `version ${String(m.version)} (this peer reads ${EVIDENCE_VERSION})`, `${field}.version`)
}

function validateSpec (value: unknown): EvidenceSpec {
  const m = exactMap(value, 'spec', ['encoding', 'bytes', 'hash'])
  const spec = {
    encoding: label(m.encoding, 'spec.encoding', L.maxLabelChars),
    bytes: bytes(m.bytes, 'spec.bytes', { atMost: L.maxSpecBytes }),
    hash: bytes(m.hash, 'spec.hash', { exactly: 32 })
  }
  if (!bytesEqual(sha256Bytes(spec.bytes), spec.hash)) throw new EvidenceError('HASH_MISMATCH', 'SHA-256 of the spec bytes is not the spec hash', 'spec.hash')
  if (spec.encoding !== SPEC_ENCODING) throw new EvidenceError('UNSUPPORTED', `spec encoding ${JSON.stringify(spec.encoding)} (evidence holds ${SPEC_ENCODING})`, 'spec.encoding')
  evidenceTrainingSpec(spec)
  return spec
}

/** The wire spec of a checked, untrusted encoding: decodable, valid, and canonical (re-encodes to the same bytes). */
function decodeWireSpec (bytes: Uint8Array): wire.TrainingSpec {
  let spec: wire.TrainingSpec
  try {
    spec = wire.TrainingSpec.decode(bytes)
  } catch (err) {
    throw new EvidenceError('MALFORMED', 'not a protobuf TrainingSpec', 'spec.bytes', { cause: err })
  }
  try {
    wire.validateTrainingSpec(spec)
  } catch (err) {
    throw new EvidenceError('INVALID_FIELD', `the training spec is invalid (${err instanceof Error ? err.message : String(err)})`, 'spec.bytes', { cause: err })
  }
  if (!bytesEqual(wire.TrainingSpec.encode(spec), bytes)) throw new EvidenceError('MALFORMED', 'not the canonical encoding of its TrainingSpec', 'spec.bytes')
  return spec
}

/**
 * The wire `TrainingSpec` an evidence spec holds (checked again: decodable, valid, canonical, and
 * hashing to `spec.hash`). Its `wire.specHash` is `spec.hash`.
 */
export function evidenceTrainingSpec (spec: EvidenceSpec): wire.TrainingSpec {
  if (spec.encoding !== SPEC_ENCODING) throw new EvidenceError('UNSUPPORTED', `spec encoding ${JSON.stringify(spec.encoding)}`, 'spec.encoding')
  const decoded = decodeWireSpec(spec.bytes)
  if (!bytesEqual(wire.specHash(decoded), spec.hash)) throw new EvidenceError('HASH_MISMATCH', 'the spec does not hash to the spec hash', 'spec.hash')
  return decoded
}

/** The evidence form of a wire spec: its canonical bytes and `wire.specHash`. Throws EvidenceError if invalid. */
export function evidenceSpec (spec: wire.TrainingSpec): EvidenceSpec {
  let bytes: Uint8Array
  try {
    wire.validateTrainingSpec(spec)
    bytes = wire.TrainingSpec.encode(spec)
  } catch (err) {
    throw new EvidenceError('INVALID_FIELD', `the training spec is invalid (${err instanceof Error ? err.message : String(err)})`, 'spec', { cause: err })
  }
  if (bytes.byteLength > L.maxSpecBytes) throw new EvidenceError('TOO_LARGE', `spec of ${bytes.byteLength} bytes`, 'spec.bytes')
  const out: EvidenceSpec = { encoding: SPEC_ENCODING, bytes, hash: wire.specHash(spec) }
  evidenceTrainingSpec(out)
  return out
}

export function validateProfile (value: unknown, field = 'profile'): ProfileRecord {
  const m = boundedMap(value, field, L.maxProfileEntries, NAME_PATTERN)
  const out: Record<string, string | number | boolean> = {}
  for (const [k, v] of Object.entries(m)) {
    if (typeof v === 'string') out[k] = label(v, `${field}.${k}`, L.maxProfileValueChars)
    else if (typeof v === 'number') out[k] = finiteNumber(v, `${field}.${k}`)
    else if (typeof v === 'boolean') out[k] = v
    else throw new EvidenceError('INVALID_FIELD', 'expected a string, number or boolean', `${field}.${k}`)
  }
  return out
}

function validateStateRef (m: Record<string, unknown>, field: string): StateRef {
  return {
    stateHash: bytes(m.stateHash, `${field}.stateHash`, { exactly: 32 }),
    stateBytes: integer(m.stateBytes, `${field}.stateBytes`, 4, L.maxStateBytes),
    stateCid: cid(m.stateCid, `${field}.stateCid`, DAG_CBOR_CODE)
  }
}

const CHECKPOINT_KEYS = ['epoch', 'steps', 'loss', 'accuracy', 'timeMs', 'chainHash', 'stateHash', 'stateBytes', 'stateCid'] as const

function validateCheckpoint (value: unknown, index: number, previousSteps: number): CheckpointRecord {
  const field = `checkpoints[${index}]`
  const m = exactMap(value, field, CHECKPOINT_KEYS)
  const epoch = integer(m.epoch, `${field}.epoch`, 1, L.maxCheckpoints)
  if (epoch !== index + 1) throw new EvidenceError('INVALID_FIELD', `expected epoch ${index + 1}, got ${epoch}`, `${field}.epoch`)
  // Every segment takes at least one optimizer step.
  const steps = integer(m.steps, `${field}.steps`, previousSteps + 1, Number.MAX_SAFE_INTEGER)
  return {
    epoch,
    steps,
    loss: finiteNumber(m.loss, `${field}.loss`),
    accuracy: finiteNumber(m.accuracy, `${field}.accuracy`),
    timeMs: integer(m.timeMs, `${field}.timeMs`, 0, Number.MAX_SAFE_INTEGER),
    chainHash: bytes(m.chainHash, `${field}.chainHash`, { exactly: 32 }),
    ...validateStateRef(m, field)
  }
}

function validateMetricsLog (value: unknown, checkpointCount: number): MetricsLogEntry[] {
  const entries = list(value, 'metricsLog', L.maxCheckpoints)
  if (entries.length !== checkpointCount) throw new EvidenceError('INVALID_FIELD', `${entries.length} entries for ${checkpointCount} checkpoints`, 'metricsLog')
  return entries.map((e, i) => {
    const field = `metricsLog[${i}]`
    const m = exactMap(e, field, ['epoch', 'values'])
    if (m.epoch !== i + 1) throw new EvidenceError('INVALID_FIELD', `expected epoch ${i + 1}`, `${field}.epoch`)
    const values: Record<string, number> = {}
    for (const [k, v] of Object.entries(boundedMap(m.values, `${field}.values`, L.maxMetricsPerEntry, NAME_PATTERN))) {
      values[k] = finiteNumber(v, `${field}.values.${k}`)
    }
    return { epoch: i + 1, values }
  })
}

function validateMerkle (value: unknown, checkpoints: readonly CheckpointRecord[]): MerkleCommitment | null {
  if (checkpoints.length === 0) {
    if (value !== null) throw new EvidenceError('INVALID_FIELD', 'must be null while there are no checkpoints', 'merkle')
    return null
  }
  const m = exactMap(value, 'merkle', ['scheme', 'root', 'leaves'])
  const scheme = label(m.scheme, 'merkle.scheme', L.maxLabelChars)
  if (scheme !== MERKLE_SCHEME_SHA256) throw new EvidenceError('UNSUPPORTED', `Merkle scheme ${JSON.stringify(scheme)}`, 'merkle.scheme')
  const root = bytes(m.root, 'merkle.root', { exactly: 32 })
  const leaves = list(m.leaves, 'merkle.leaves', L.maxCheckpoints).map((leaf, i) => bytes(leaf, `merkle.leaves[${i}]`, { exactly: 32 }))
  if (leaves.length !== checkpoints.length) throw new EvidenceError('MERKLE_MISMATCH', `${leaves.length} leaves for ${checkpoints.length} checkpoints`, 'merkle.leaves')
  leaves.forEach((leaf, i) => {
    if (!bytesEqual(leaf, (checkpoints[i] as CheckpointRecord).chainHash)) throw new EvidenceError('MERKLE_MISMATCH', `leaf ${i} is not H_${i + 1}`, `merkle.leaves[${i}]`)
  })
  if (!bytesEqual(new MerkleTree(leaves).root, root)) throw new EvidenceError('MERKLE_MISMATCH', 'the root does not recompute from the leaves', 'merkle.root')
  return { scheme, root, leaves }
}

/** Turns a decoded manifest from anywhere into a typed one, or throws an EvidenceError. */
export function validateManifest (value: unknown): EvidenceManifest {
  const m = exactMap(value, 'manifest', ['type', 'version', 'complete', 'spec', 'profile', 'initialState', 'checkpoints', 'metricsLog', 'merkle'])
  versionOf(m, EVIDENCE_TYPE, 'manifest')
  const complete = boolean(m.complete, 'complete')
  const spec = validateSpec(m.spec)
  const profile = validateProfile(m.profile)
  const initialState = m.initialState === null ? null : validateStateRef(exactMap(m.initialState, 'initialState', ['stateHash', 'stateBytes', 'stateCid']), 'initialState')
  const raw = list(m.checkpoints, 'checkpoints', L.maxCheckpoints)
  const checkpoints: CheckpointRecord[] = []
  for (const [i, c] of raw.entries()) checkpoints.push(validateCheckpoint(c, i, checkpoints.at(-1)?.steps ?? 0))
  if (complete && checkpoints.length === 0) throw new EvidenceError('INVALID_FIELD', 'complete evidence needs at least one checkpoint', 'checkpoints')
  const broken = firstBrokenLink(spec.hash, chainCheckpoints(checkpoints))
  if (broken !== null) throw new EvidenceError('BROKEN_CHAIN', `H_${broken} does not follow from H_${broken - 1}`, `checkpoints[${broken - 1}].chainHash`)
  const metricsLog = validateMetricsLog(m.metricsLog, checkpoints.length)
  const merkle = validateMerkle(m.merkle, checkpoints)
  return { type: EVIDENCE_TYPE, version: EVIDENCE_VERSION, complete, spec, profile, initialState, checkpoints, metricsLog, merkle }
}

/** Turns a decoded state index into a typed one consistent with the reference that named it. */
export function validateStateIndex (value: unknown, ref: StateRef, field: string): StateIndex {
  const m = exactMap(value, field, ['type', 'version', 'encoding', 'stateBytes', 'stateHash', 'chunkBytes', 'chunks'])
  versionOf(m, STATE_INDEX_TYPE, field)
  if (m.encoding !== STATE_ENCODING) throw new EvidenceError('UNSUPPORTED', `state encoding ${JSON.stringify(m.encoding)}`, `${field}.encoding`)
  const stateBytes = integer(m.stateBytes, `${field}.stateBytes`, 4, L.maxStateBytes)
  const stateHash = bytes(m.stateHash, `${field}.stateHash`, { exactly: 32 })
  const chunkBytes = integer(m.chunkBytes, `${field}.chunkBytes`, 1, L.maxBlockBytes)
  if (stateBytes !== ref.stateBytes) throw new EvidenceError('INVALID_FIELD', `${stateBytes} bytes, the manifest says ${ref.stateBytes}`, `${field}.stateBytes`)
  if (!bytesEqual(stateHash, ref.stateHash)) throw new EvidenceError('HASH_MISMATCH', 'the index names another state than the manifest', `${field}.stateHash`)
  const expectedChunks = Math.ceil(stateBytes / chunkBytes)
  const chunks = list(m.chunks, `${field}.chunks`, expectedChunks).map((c, i) => cid(c, `${field}.chunks[${i}]`, RAW_CODE))
  if (chunks.length !== expectedChunks) throw new EvidenceError('INVALID_FIELD', `${chunks.length} chunks for ${stateBytes} bytes in ${chunkBytes}-byte chunks`, `${field}.chunks`)
  return { type: STATE_INDEX_TYPE, version: EVIDENCE_VERSION, encoding: STATE_ENCODING, stateBytes, stateHash, chunkBytes, chunks }
}
