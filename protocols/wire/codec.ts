/**
 * Encoding and decoding at the wire's edge. Decoders take untrusted bytes and return either a
 * validated message or throw a `WireError`; they never throw anything else.
 *
 * Order of checks for a signed message: size bound → envelope decode → kind → signature over the
 * raw body bytes → body decode → field validation → freshness. The signature is checked before the
 * body is decoded, so no canonical re-encoding is needed and unsigned bytes are never parsed.
 */
import { Uint8ArrayList } from 'uint8arraylist'
import { DATASET_LIMITS, MESH } from '../params.js'
import { WireError } from './errors.js'
import { validateMatchResult } from './coordinator.js'
import { Award, Bid, CapabilityAdvert, JobAnnounce, JobMessage, Kind, MatchResult, Signed, type DataChunk } from './messages.js'
import { signingDomain, verifySignature, type WalletSigner } from './signing.js'
import {
  checkFresh, PUBKEY_BYTES, SIGNATURE_BYTES, validateAward, validateBid, validateCapabilityAdvert, validateCheckpointNotice,
  validateChunk, validateDataEnd, validateDelivery, validateErrorMessage, validateJobAnnounce, validateMetrics
} from './validate.js'

interface SignedKindSpec<T> {
  encode: (m: T) => Uint8Array
  decode: (b: Uint8Array) => T
  validate: (m: T) => T
  issuedAt: (m: T) => bigint
  expiresAt?: (m: T) => bigint
  /** Oldest acceptable message, seconds. */
  maxAgeSeconds: number
}

/** The message type each signed kind carries. */
export interface SignedKinds {
  [Kind.CAPABILITY_ADVERT]: CapabilityAdvert
  [Kind.JOB_ANNOUNCE]: JobAnnounce
  [Kind.BID]: Bid
  [Kind.AWARD]: Award
  [Kind.MATCH_RESULT]: MatchResult
}
export type SignedKind = keyof SignedKinds

const SPECS: { [K in SignedKind]: SignedKindSpec<SignedKinds[K]> } = {
  [Kind.CAPABILITY_ADVERT]: {
    encode: CapabilityAdvert.encode,
    decode: CapabilityAdvert.decode,
    validate: validateCapabilityAdvert,
    issuedAt: (m) => m.issuedAt,
    expiresAt: (m) => m.expiresAt,
    maxAgeSeconds: 2 * MESH.advertTtlSeconds
  },
  [Kind.JOB_ANNOUNCE]: {
    encode: JobAnnounce.encode,
    decode: JobAnnounce.decode,
    validate: validateJobAnnounce,
    issuedAt: (m) => m.issuedAt,
    expiresAt: (m) => m.bidDeadline,
    maxAgeSeconds: MESH.maxBidWindowSeconds
  },
  [Kind.BID]: {
    encode: Bid.encode,
    decode: Bid.decode,
    validate: validateBid,
    issuedAt: (m) => m.issuedAt,
    maxAgeSeconds: MESH.maxBidWindowSeconds
  },
  [Kind.AWARD]: {
    encode: Award.encode,
    decode: Award.decode,
    validate: validateAward,
    issuedAt: (m) => m.issuedAt,
    maxAgeSeconds: MESH.maxBidWindowSeconds
  },
  // The coordinator's ranking (coordinator/): answers one announce, so it lives as long as one.
  [Kind.MATCH_RESULT]: {
    encode: MatchResult.encode,
    decode: MatchResult.decode,
    validate: validateMatchResult,
    issuedAt: (m) => m.issuedAt,
    maxAgeSeconds: MESH.maxBidWindowSeconds
  }
}

export interface Opened<T> {
  readonly message: T
  /** The signer's 32-byte public key (wallet address bytes). */
  readonly signer: Uint8Array
}

function malformed (what: string, e: unknown): WireError {
  return new WireError('MALFORMED', `not a valid ${what}: ${e instanceof Error ? e.message : String(e)}`)
}

/** Validates, encodes and signs a message; returns the encoded `Signed` envelope. */
export function signMessage<K extends SignedKind> (kind: K, message: SignedKinds[K], signer: WalletSigner): Uint8Array {
  const spec = SPECS[kind]
  spec.validate(message)
  const body = spec.encode(message)
  const signature = signer.sign(signingDomain(kind, body))
  const bytes = Signed.encode({ kind, body: Uint8Array.from(body), signer: Uint8Array.from(signer.publicKey), signature: Uint8Array.from(signature) })
  if (bytes.byteLength > MESH.maxSignedMessageBytes) {
    throw new WireError('TOO_LARGE', `signed ${kind} is ${bytes.byteLength} bytes, over the ${MESH.maxSignedMessageBytes}-byte bound`)
  }
  return bytes
}

/** Checks an already-decoded envelope (e.g. the award inside a job frame) and opens its body. */
export function openEnvelope<K extends SignedKind> (env: Signed, kind: K, now: number): Opened<SignedKinds[K]> {
  if (env.kind !== kind) throw new WireError('WRONG_KIND', `expected a signed ${kind}, got ${String(env.kind)}`)
  if (env.signer.byteLength !== PUBKEY_BYTES) throw new WireError('INVALID_FIELD', `must be ${PUBKEY_BYTES} bytes`, 'signer')
  if (env.signature.byteLength !== SIGNATURE_BYTES) throw new WireError('INVALID_FIELD', `must be ${SIGNATURE_BYTES} bytes`, 'signature')
  if (!verifySignature(env.signer, signingDomain(kind, env.body), env.signature)) {
    throw new WireError('BAD_SIGNATURE', `the ${kind} signature does not verify for its signer`)
  }
  const spec = SPECS[kind]
  let message: SignedKinds[K]
  try {
    message = spec.decode(env.body)
  } catch (e) {
    throw malformed(kind, e)
  }
  spec.validate(message)
  checkFresh(spec.issuedAt(message), now, spec.maxAgeSeconds, spec.expiresAt?.(message))
  return { message, signer: env.signer }
}

/** Decodes and opens a signed message of the expected kind from untrusted bytes. */
export function openSigned<K extends SignedKind> (bytes: Uint8Array, kind: K, now: number): Opened<SignedKinds[K]> {
  if (bytes.byteLength > MESH.maxSignedMessageBytes) {
    throw new WireError('TOO_LARGE', `${bytes.byteLength} bytes, over the ${MESH.maxSignedMessageBytes}-byte bound`)
  }
  let env: Signed
  try {
    env = Signed.decode(bytes)
  } catch (e) {
    throw malformed('signed envelope', e)
  }
  return openEnvelope(env, kind, now)
}

/** The payload names of a job-protocol frame. */
export type JobPayload = keyof JobMessage

export function encodeJobMessage (m: JobMessage): Uint8Array {
  return bounded(JobMessage.encode(m))
}

/**
 * One job frame as it goes to the stream: the same bytes as `encodeJobMessage`, but a data or
 * weights chunk comes back as its protobuf header followed by a view of the chunk's bytes
 * (`encodeChunkFrame`), so the payload is not copied on its way out.
 */
export function encodeJobFrame (m: JobMessage): Uint8Array | Uint8ArrayList {
  const only = (Object.keys(m) as JobPayload[]).filter((k) => m[k] !== undefined)
  if (only.length === 1 && m.dataChunk !== undefined) return bounded(encodeChunkFrame(JOB_FIELD.dataChunk, m.dataChunk))
  if (only.length === 1 && m.weightsChunk !== undefined) return bounded(encodeChunkFrame(JOB_FIELD.weightsChunk, m.weightsChunk))
  return encodeJobMessage(m)
}

function bounded<T extends { byteLength: number }> (bytes: T): T {
  if (bytes.byteLength > MESH.maxJobFrameBytes) {
    throw new WireError('TOO_LARGE', `job frame is ${bytes.byteLength} bytes, over the ${MESH.maxJobFrameBytes}-byte bound`)
  }
  return bytes
}

/** The field numbers of `JobMessage`'s chunk payloads (messages.proto). */
const JOB_FIELD = { dataChunk: 2, weightsChunk: 7 } as const
/** Protobuf wire types. */
const VARINT = 0
const LEN = 2

function varintBytes (n: number): number[] {
  const out: number[] = []
  for (; n >= 0x80; n = Math.floor(n / 0x80)) out.push((n % 0x80) | 0x80)
  out.push(n)
  return out
}

/**
 * `JobMessage { <field>: DataChunk { index, data } }` exactly as protons encodes it (proto3: a zero
 * index is omitted; fields in number order), written as a small header and then `chunk.data`
 * itself, uncopied. Protons has no way to encode a bytes field without copying it into the
 * message's buffer; for a 256 KiB chunk that copy was ~0.45 ms per MB sent in the mesh bench.
 * A unit test checks the bytes against `JobMessage.encode` for random chunks.
 */
export function encodeChunkFrame (field: number, chunk: DataChunk): Uint8ArrayList {
  const inner = [
    ...(chunk.index === 0 ? [] : [(1 << 3) | VARINT, ...varintBytes(chunk.index)]),
    (2 << 3) | LEN, ...varintBytes(chunk.data.byteLength)
  ]
  const header = Uint8Array.from([(field << 3) | LEN, ...varintBytes(inner.length + chunk.data.byteLength), ...inner])
  return new Uint8ArrayList(header, chunk.data)
}

/**
 * Decodes one frame of /cyx/job/1.1.0 and validates its one payload. An award stays a signed
 * envelope: the handler opens it with `openEnvelope(frame.award, Kind.AWARD, now)`, since only it
 * knows the time and which client it expects.
 */
export function decodeJobMessage (bytes: Uint8Array): JobMessage {
  if (bytes.byteLength > MESH.maxJobFrameBytes) {
    throw new WireError('TOO_LARGE', `${bytes.byteLength} bytes, over the ${MESH.maxJobFrameBytes}-byte bound`)
  }
  let m: JobMessage
  try {
    m = JobMessage.decode(bytes)
  } catch (e) {
    throw malformed('job frame', e)
  }
  const set = (Object.keys(m) as JobPayload[]).filter((k) => m[k] !== undefined)
  if (set.length !== 1) throw new WireError('INVALID_FIELD', `a job frame carries exactly one payload (got ${set.length})`, 'payload')
  if (m.award !== undefined) {
    if (m.award.kind !== Kind.AWARD) throw new WireError('WRONG_KIND', `expected a signed ${Kind.AWARD}, got ${String(m.award.kind)}`, 'award')
  } else if (m.dataChunk !== undefined) validateChunk(m.dataChunk, 'dataChunk')
  else if (m.weightsChunk !== undefined) validateChunk(m.weightsChunk, 'weightsChunk')
  // The largest any dataset may be (a client's own, DATASET_LIMITS); the receiver's own bound is tighter.
  else if (m.dataEnd !== undefined) validateDataEnd(m.dataEnd, Math.max(MESH.maxDatasetBytes, DATASET_LIMITS.maxBytes), 'dataEnd')
  else if (m.weightsEnd !== undefined) validateDataEnd(m.weightsEnd, MESH.maxWeightsBytes, 'weightsEnd')
  else if (m.metrics !== undefined) validateMetrics(m.metrics)
  else if (m.checkpoint !== undefined) validateCheckpointNotice(m.checkpoint)
  else if (m.delivery !== undefined) validateDelivery(m.delivery)
  else if (m.error !== undefined) validateErrorMessage(m.error)
  return m
}
