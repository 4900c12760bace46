/**
 * Wire messages of the optional coordinator: the register protocol (`COORDINATOR.registerProtocol`)
 * and the match protocol (`MESH.matchProtocol`). Each frame is size-bounded, decoded and validated
 * here and throws only `WireError`; signed envelopes inside a frame stay envelopes, opened by the
 * handler with `openEnvelope` (only it knows the time and whom it expects).
 *
 * The coordinator's own signed message is the `MatchResult` (Kind MATCH_RESULT): a ranking of
 * workers, bound to the announce it answers by the announce's hash. It carries no amount anyone
 * pays: `estimatedPrice` and the on-chain figures are hints the client re-checks.
 */
import { COORDINATOR, REPUTATION } from '../params.js'
import { WireError } from './errors.js'
import {
  Kind, MatchCandidate, MatchRequest, MatchResponse, MatchResult, RegisterRequest, RegisterResponse, type Signed
} from './messages.js'
import {
  HASH_BYTES, JOB_ID_BYTES, MAX_PEER_ID_BYTES, PUBKEY_BYTES, WIRE_U64_MAX, bigWithin, bytesWithin, fail, intWithin, validateCapabilityKey, validateErrorMessage
} from './validate.js'
import { toHex } from '../hex.js'

const MAX_SCORE_PPM = 1_000_000

function envelopeOf (field: string, env: Signed | undefined, kind: Kind): Signed {
  if (env === undefined) fail(field, 'is required')
  if (env.kind !== kind) throw new WireError('WRONG_KIND', `expected a signed ${kind}, got ${String(env.kind)}`, field)
  return env
}

function bounded (bytes: Uint8Array, max: number, what: string): void {
  if (bytes.byteLength > max) throw new WireError('TOO_LARGE', `${what} is ${bytes.byteLength} bytes, over the ${max}-byte bound`)
}

function decodeWith<T> (bytes: Uint8Array, max: number, what: string, decode: (b: Uint8Array) => T): T {
  bounded(bytes, max, what)
  try {
    return decode(bytes)
  } catch (e) {
    throw new WireError('MALFORMED', `not a valid ${what}: ${e instanceof Error ? e.message : String(e)}`)
  }
}

export function validateMatchCandidate (c: MatchCandidate, field = 'candidate'): MatchCandidate {
  bytesWithin(`${field}.peerId`, c.peerId, 1, MAX_PEER_ID_BYTES)
  bytesWithin(`${field}.wallet`, c.wallet, PUBKEY_BYTES, PUBKEY_BYTES)
  bytesWithin(`${field}.advertHash`, c.advertHash, HASH_BYTES, HASH_BYTES)
  intWithin(`${field}.scorePpm`, c.scorePpm, 0, MAX_SCORE_PPM)
  bigWithin(`${field}.estimatedPrice`, c.estimatedPrice, 1n, WIRE_U64_MAX)
  bigWithin(`${field}.stake`, c.stake, 0n, WIRE_U64_MAX)
  intWithin(`${field}.reputation`, c.reputation, 0, REPUTATION.maxScore)
  return c
}

/** A match result: bounded, each candidate valid, no worker twice, best (highest score) first. */
export function validateMatchResult (r: MatchResult): MatchResult {
  bytesWithin('jobId', r.jobId, JOB_ID_BYTES, JOB_ID_BYTES)
  bytesWithin('announceHash', r.announceHash, HASH_BYTES, HASH_BYTES)
  bytesWithin('coordinatorPeerId', r.coordinatorPeerId, 1, MAX_PEER_ID_BYTES)
  if (r.candidates.length > COORDINATOR.maxCandidates) fail('candidates', `at most ${COORDINATOR.maxCandidates} candidates`)
  const seen = new Set<string>()
  r.candidates.forEach((c, i) => {
    validateMatchCandidate(c, `candidates[${i}]`)
    const id = toHex(c.peerId)
    if (seen.has(id)) fail(`candidates[${i}].peerId`, 'lists a worker twice')
    seen.add(id)
    if (i > 0 && c.scorePpm > (r.candidates[i - 1] as MatchCandidate).scorePpm) fail(`candidates[${i}].scorePpm`, 'candidates must be ranked best first')
  })
  bigWithin('issuedAt', r.issuedAt, 1n, WIRE_U64_MAX)
  return r
}

export function encodeRegisterRequest (m: RegisterRequest): Uint8Array {
  const bytes = RegisterRequest.encode(m)
  bounded(bytes, COORDINATOR.maxRegisterFrameBytes, 'register request')
  return bytes
}

/** A register request from untrusted bytes; its advert is still an unopened envelope. */
export function decodeRegisterRequest (bytes: Uint8Array): RegisterRequest & { advert: Signed } {
  const m = decodeWith(bytes, COORDINATOR.maxRegisterFrameBytes, 'register request', RegisterRequest.decode)
  return { ...m, advert: envelopeOf('advert', m.advert, Kind.CAPABILITY_ADVERT) }
}

function validateRegisterResponse (m: RegisterResponse): RegisterResponse {
  bigWithin('indexedUntil', m.indexedUntil, 0n, WIRE_U64_MAX)
  if (m.accepted) {
    if (m.error !== undefined) fail('error', 'an accepted registration carries no error')
    if (m.indexedUntil === 0n) fail('indexedUntil', 'an accepted registration says until when')
  } else {
    if (m.error === undefined) fail('error', 'a refused registration says why')
    validateErrorMessage(m.error)
  }
  return m
}

export function encodeRegisterResponse (m: RegisterResponse): Uint8Array {
  validateRegisterResponse(m)
  const bytes = RegisterResponse.encode(m)
  bounded(bytes, COORDINATOR.maxRegisterFrameBytes, 'register response')
  return bytes
}

export function decodeRegisterResponse (bytes: Uint8Array): RegisterResponse {
  return validateRegisterResponse(decodeWith(bytes, COORDINATOR.maxRegisterFrameBytes, 'register response', RegisterResponse.decode))
}

function validateMatchRequest (m: MatchRequest): MatchRequest & { announce: Signed } {
  const announce = envelopeOf('announce', m.announce, Kind.JOB_ANNOUNCE)
  validateCapabilityKey('capability', m.capability)
  intWithin('maxCandidates', m.maxCandidates, 1, COORDINATOR.maxCandidates)
  return { ...m, announce }
}

export function encodeMatchRequest (m: MatchRequest): Uint8Array {
  validateMatchRequest(m)
  const bytes = MatchRequest.encode(m)
  // A request carries one signed announce: the signed-message bound plus a little framing.
  bounded(bytes, COORDINATOR.maxRegisterFrameBytes, 'match request')
  return bytes
}

/** A match request from untrusted bytes; its announce is still an unopened envelope. */
export function decodeMatchRequest (bytes: Uint8Array): MatchRequest & { announce: Signed } {
  return validateMatchRequest(decodeWith(bytes, COORDINATOR.maxRegisterFrameBytes, 'match request', MatchRequest.decode))
}

function validateMatchResponse (m: MatchResponse): MatchResponse {
  if ((m.result === undefined) === (m.error === undefined)) fail('payload', 'a match response carries exactly one of result and error')
  if (m.error !== undefined) {
    validateErrorMessage(m.error)
    if (m.adverts.length > 0) fail('adverts', 'an error carries no adverts')
    return m
  }
  envelopeOf('result', m.result, Kind.MATCH_RESULT)
  if (m.adverts.length > COORDINATOR.maxCandidates) fail('adverts', `at most ${COORDINATOR.maxCandidates} adverts`)
  m.adverts.forEach((a, i) => envelopeOf(`adverts[${i}]`, a, Kind.CAPABILITY_ADVERT))
  return m
}

export function encodeMatchResponse (m: MatchResponse): Uint8Array {
  validateMatchResponse(m)
  const bytes = MatchResponse.encode(m)
  bounded(bytes, COORDINATOR.maxMatchFrameBytes, 'match response')
  return bytes
}

/**
 * A match response from untrusted bytes: the shape only. The result's signature, its binding to the
 * request and every advert are checked by the client (peer/match/client.ts).
 */
export function decodeMatchResponse (bytes: Uint8Array): MatchResponse {
  return validateMatchResponse(decodeWith(bytes, COORDINATOR.maxMatchFrameBytes, 'match response', MatchResponse.decode))
}
