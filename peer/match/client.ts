/**
 * The peers' side of the coordinator, trusting it for nothing:
 *
 * - `matchViaCoordinator` (client): asks `MESH.matchProtocol` for candidates for a signed announce
 *   and checks the whole answer: the result is signed, fresh, names the coordinator it came from
 *   and answers this very announce; every advert opens (the worker's own signature), is the one
 *   the candidate names (hash, peer id, wallet), offers the capability, and prices as claimed; and
 *   every candidate's wallet has active stake on-chain, enough for its price (read here, not taken
 *   from the coordinator). Anything short of that — unreachable, slower than `timeoutMs`, a refusal,
 *   a forgery, a worker without stake, no candidate at all — returns a `fallback` result whose
 *   `reason` starts with "fallback: ", and the caller goes on with the DHT and gossipsub exactly
 *   as without a coordinator. A coordinator caught lying is also scored down as misbehaving.
 * - `registerWithCoordinator` (worker): offers its signed advert to a coordinator.
 * - `connectCandidates`: dials the matched workers, so a following `announceJob` reaches them at
 *   once instead of after gossipsub's mesh forms.
 */
import type { PeerId } from '@libp2p/interface'
import { peerIdFromMultihash } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Connection, PublicKey } from '@solana/web3.js'
import * as Digest from 'multiformats/hashes/digest'
import { envelopeHash, estimatedPrice, type ChainFacts } from '../../coordinator/index.js'
import { COORDINATOR, MESH, TIMEOUTS, requiredStake, wire, toHex, withDeadline } from '../../protocols/index.js'
import { connectionTo, framed, openStream, type Offence, type PeerNode } from '../node/index.js'
import { readChainFacts } from './ledger.js'

const { Kind, equalBytes, openEnvelope, openSigned, signMessage } = wire

/** Why a coordinator's answer was not used. */
export type FallbackCause =
  | 'unreachable' // could not dial it or open the protocol
  | 'timeout' // no complete, checked answer within timeoutMs
  | 'refused' // it answered with an error frame
  | 'malformed' // its answer does not decode
  | 'forged-result' // the result's signature, freshness or binding to this request does not hold
  | 'forged-advert' // an advert does not verify or is not the one its candidate names
  | 'unstaked-worker' // a candidate's wallet has no (or too little, or inactive) stake on-chain
  | 'no-candidates' // an honest answer with nobody in it

export interface VerifiedCandidate {
  readonly peerId: PeerId
  /** The worker's wallet (its advert's signer). */
  readonly wallet: Uint8Array
  readonly advert: wire.CapabilityAdvert
  /** The signed advert as the worker signed it. */
  readonly signedAdvert: Uint8Array
  /** Where to dial the worker (from its own advert). */
  readonly addrs: Multiaddr[]
  readonly scorePpm: number
  /** The advert's hourly price for the announce's estimated duration. */
  readonly estimatedPrice: bigint
  /** Stake and reputation as this client read them on-chain. */
  readonly chain: ChainFacts
}

export type CoordinatorMatch =
  | { readonly ok: true, readonly coordinator: PeerId, readonly candidates: readonly VerifiedCandidate[], readonly elapsedMs: number }
  | { readonly ok: false, readonly fallback: true, readonly cause: FallbackCause, readonly reason: string, readonly elapsedMs: number }

export interface MatchOptions {
  /** Solana JSON-RPC the client reads stake from (its own, not the coordinator's). */
  readonly connection: Connection
  readonly programId?: PublicKey
  /** Everything — dial, answer, checks — within this (default `TIMEOUTS.coordinatorMatchMs`). */
  readonly timeoutMs?: number
  readonly capability?: string
  readonly maxCandidates?: number
  /** Pin the coordinator's wallet: a result signed by another key is a forgery. */
  readonly coordinatorWallet?: Uint8Array
}

/** A refusal or forgery found while checking an answer. */
class Fallback extends Error {
  readonly why: FallbackCause
  readonly offence: Offence | undefined
  constructor (why: FallbackCause, message: string, offence?: Offence) {
    super(message)
    this.name = 'Fallback'
    this.why = why
    this.offence = offence
  }
}

function toAddr (a: Multiaddr | string): Multiaddr {
  return typeof a === 'string' ? multiaddr(a) : a
}

function peerIdOf (bytes: Uint8Array): PeerId {
  return peerIdFromMultihash(Digest.decode(bytes))
}

/**
 * Asks the coordinator at `coordinatorAddr` for candidate workers for `announce` (a signed
 * announce, or one to sign with the node's wallet) and checks everything it says. Never throws for
 * anything the coordinator does: the result says `ok` or why to fall back.
 */
export async function matchViaCoordinator (node: PeerNode, coordinatorAddr: Multiaddr | string, announce: Uint8Array | wire.JobAnnounce, options: MatchOptions): Promise<CoordinatorMatch> {
  const started = performance.now()
  const elapsed = (): number => Math.round((performance.now() - started) * 100) / 100
  const timeoutMs = options.timeoutMs ?? TIMEOUTS.coordinatorMatchMs
  const capability = options.capability ?? 'cpu'
  // Our own input is checked before anything goes out: a bad announce is the caller's bug.
  const signedAnnounce = announce instanceof Uint8Array ? announce : signMessage(Kind.JOB_ANNOUNCE, announce, node.wallet)
  const ownEnvelope = wire.Signed.decode(signedAnnounce)
  const { message: job } = openEnvelope(ownEnvelope, Kind.JOB_ANNOUNCE, node.clock())
  const request = wire.encodeMatchRequest({ announce: ownEnvelope, capability, maxCandidates: options.maxCandidates ?? COORDINATOR.maxCandidates })

  let coordinator: PeerId | undefined
  try {
    // At the deadline: a timeout Fallback, whether or not the exchange listens to its signal.
    const candidates = await withDeadline(timeoutMs, async (signal) => {
      let stream
      try {
        const connection = await connectionTo(node.libp2p, toAddr(coordinatorAddr), { signal })
        coordinator = connection.remotePeer
        stream = await connection.newStream(MESH.matchProtocol, { signal })
      } catch (e) {
        if (signal.aborted) throw signal.reason
        throw new Fallback('unreachable', `cannot reach the coordinator: ${e instanceof Error ? e.message : String(e)}`)
      }
      let bytes: Uint8Array
      try {
        const frames = framed(stream, COORDINATOR.maxMatchFrameBytes)
        await frames.write(request, { signal })
        await stream.close({ signal })
        bytes = await frames.read({ signal })
      } catch (e) {
        stream.abort(e instanceof Error ? e : new Error(String(e)))
        if (signal.aborted) throw signal.reason
        throw wire.isWireError(e)
          ? new Fallback('malformed', `the coordinator's answer is not a valid frame: ${e.message}`, e.code)
          : new Fallback('unreachable', `the coordinator's stream failed: ${e instanceof Error ? e.message : String(e)}`)
      }
      return await checkAnswer(node, bytes, coordinator, job, ownEnvelope, capability, options, signal)
    }, { error: () => new Fallback('timeout', `no checked answer within ${timeoutMs} ms`) })
    if (candidates.length === 0) return fallback('no-candidates', 'the coordinator knows no eligible worker for this job')
    return { ok: true, coordinator: coordinator!, candidates, elapsedMs: elapsed() }
  } catch (e) {
    if (e instanceof Fallback) {
      if (e.offence !== undefined && coordinator !== undefined) node.misbehaviour.record(coordinator.toString(), e.offence)
      return fallback(e.why, e.message)
    }
    return fallback('unreachable', e instanceof Error ? e.message : String(e))
  }

  function fallback (cause: FallbackCause, why: string): CoordinatorMatch {
    return { ok: false, fallback: true, cause, reason: `fallback: ${cause}: ${why}`, elapsedMs: elapsed() }
  }
}

async function checkAnswer (node: PeerNode, bytes: Uint8Array, coordinator: PeerId, job: wire.JobAnnounce, ownEnvelope: wire.Signed, capability: string, options: MatchOptions, signal: AbortSignal): Promise<VerifiedCandidate[]> {
  let response: wire.MatchResponse
  try {
    response = wire.decodeMatchResponse(bytes)
  } catch (e) {
    throw new Fallback('malformed', `the coordinator's answer does not decode: ${e instanceof Error ? e.message : String(e)}`, wire.isWireError(e) ? e.code : 'MALFORMED')
  }
  if (response.error !== undefined) {
    throw new Fallback('refused', `the coordinator refused: ${response.error.code}: ${response.error.message}`)
  }
  const now = node.clock()
  let result: wire.Opened<wire.MatchResult>
  try {
    result = openEnvelope(response.result!, Kind.MATCH_RESULT, now)
  } catch (e) {
    throw new Fallback('forged-result', `the match result does not open: ${e instanceof Error ? e.message : String(e)}`, wire.isWireError(e) ? e.code : 'BAD_SIGNATURE')
  }
  const r = result.message
  if (options.coordinatorWallet !== undefined && !equalBytes(result.signer, options.coordinatorWallet)) {
    throw new Fallback('forged-result', 'the result is signed by another wallet than the coordinator\'s', 'WRONG_PEER')
  }
  if (!equalBytes(r.coordinatorPeerId, coordinator.toMultihash().bytes)) {
    throw new Fallback('forged-result', 'the result names another coordinator than the peer that sent it', 'WRONG_PEER')
  }
  if (!equalBytes(r.jobId, job.jobId) || !equalBytes(r.announceHash, envelopeHash(ownEnvelope).hash)) {
    throw new Fallback('forged-result', 'the result answers another announce', 'INVALID_FIELD')
  }
  if (response.adverts.length !== r.candidates.length) {
    throw new Fallback('forged-result', `${r.candidates.length} candidates but ${response.adverts.length} adverts`, 'INVALID_FIELD')
  }

  const opened = r.candidates.map((c, i) => {
    const env = response.adverts[i] as wire.Signed
    const { bytes: signedAdvert, hash } = envelopeHash(env)
    let advert: wire.Opened<wire.CapabilityAdvert>
    try {
      // openSigned re-checks the size bound of the advert as a DHT record would be.
      advert = openSigned(signedAdvert, Kind.CAPABILITY_ADVERT, now)
    } catch (e) {
      throw new Fallback('forged-advert', `candidate ${i}'s advert does not verify: ${e instanceof Error ? e.message : String(e)}`, wire.isWireError(e) ? e.code : 'BAD_SIGNATURE')
    }
    const a = advert.message
    const why =
      !equalBytes(hash, c.advertHash) ? 'is not the advert the candidate names (hash)'
        : !equalBytes(a.peerId, c.peerId) ? 'names another peer than the candidate'
          : !equalBytes(advert.signer, c.wallet) ? 'is signed by another wallet than the candidate\'s'
            : !a.capabilities.includes(capability) ? `does not offer "${capability}"`
              : estimatedPrice(a.pricePerHour, job.estimatedSeconds) !== c.estimatedPrice ? 'prices the job otherwise than the candidate says'
                : c.estimatedPrice > job.maxPrice ? 'is above the job\'s maximum price'
                  : equalBytes(a.peerId, node.peerId.toMultihash().bytes) ? 'is this client itself'
                    : undefined
    if (why !== undefined) throw new Fallback('forged-advert', `candidate ${i}'s advert ${why}`, 'INVALID_FIELD')
    let peerId: PeerId
    try {
      peerId = peerIdOf(a.peerId)
    } catch {
      throw new Fallback('forged-advert', `candidate ${i}'s advert names no valid peer id`, 'INVALID_FIELD')
    }
    const addrs: Multiaddr[] = []
    for (const b of a.addrs) {
      try { addrs.push(multiaddr(b)) } catch { /* an address we cannot parse is one fewer to dial */ }
    }
    return { peerId, wallet: advert.signer, advert: a, signedAdvert, addrs, scorePpm: c.scorePpm, estimatedPrice: c.estimatedPrice }
  })

  // Stake: the client's own read of the chain, one batched RPC, within the same deadline.
  const facts = await readChainFacts(options.connection, opened.map((o) => o.wallet), options.programId)
  if (signal.aborted) throw signal.reason
  return opened.map((o, i) => {
    const f = facts.get(toHex(o.wallet))
    if (f === undefined || !f.registered) throw new Fallback('unstaked-worker', `candidate ${i} (${o.peerId.toString()}) has no Node account on-chain`, 'INVALID_FIELD')
    if (!f.active) throw new Fallback('unstaked-worker', `candidate ${i} (${o.peerId.toString()}) is not active on-chain`, 'INVALID_FIELD')
    if (f.stake < requiredStake(o.estimatedPrice)) {
      throw new Fallback('unstaked-worker', `candidate ${i} (${o.peerId.toString()}) stakes ${f.stake}, under the ${requiredStake(o.estimatedPrice)} its price needs`, 'INVALID_FIELD')
    }
    return { ...o, chain: f }
  })
}

/** Raised when a coordinator refuses a registration (its typed error code and message). */
export class RegistrationRefusedError extends Error {
  readonly code: wire.ErrorCode
  constructor (code: wire.ErrorCode, message: string) {
    super(`the coordinator refused the registration: ${code}: ${message}`)
    this.name = 'RegistrationRefusedError'
    this.code = code
  }
}

/**
 * Offers this worker's signed advert (bytes from `signMessage`, e.g. `publishAdvert(...).signed`)
 * to a coordinator. Resolves with the time until which it is indexed; rejects with a
 * `RegistrationRefusedError` (typed), a `WireError` for a bad answer, or the dial's error.
 */
export async function registerWithCoordinator (node: PeerNode, coordinatorAddr: Multiaddr | string, signedAdvert: Uint8Array, options: { timeoutMs?: number } = {}): Promise<{ indexedUntil: bigint }> {
  const env = wire.Signed.decode(signedAdvert)
  const request = wire.encodeRegisterRequest({ advert: env })
  const signal = AbortSignal.timeout(options.timeoutMs ?? TIMEOUTS.coordinatorRegisterMs)
  const stream = await openStream(node.libp2p, toAddr(coordinatorAddr), COORDINATOR.registerProtocol, { signal })
  try {
    const frames = framed(stream, COORDINATOR.maxRegisterFrameBytes)
    await frames.write(request, { signal })
    await stream.close({ signal })
    const response = wire.decodeRegisterResponse(await frames.read({ signal }))
    if (!response.accepted) throw new RegistrationRefusedError(response.error!.code, response.error!.message)
    return { indexedUntil: response.indexedUntil }
  } catch (e) {
    stream.abort(e instanceof Error ? e : new Error(String(e)))
    throw e
  }
}

/**
 * Dials the candidates (from their own adverts) in parallel; resolves with how many are connected
 * within `timeoutMs`. Connected workers see the client's next gossip announcement at once.
 */
export async function connectCandidates (node: PeerNode, candidates: readonly VerifiedCandidate[], options: { timeoutMs?: number } = {}): Promise<number> {
  const signal = AbortSignal.timeout(options.timeoutMs ?? TIMEOUTS.dialMs)
  const results = await Promise.allSettled(candidates.map(async (c) => {
    if (node.libp2p.getConnections(c.peerId).length > 0) return
    if (c.addrs.length > 0) await node.libp2p.peerStore.merge(c.peerId, { multiaddrs: c.addrs })
    await node.libp2p.dial(c.peerId, { signal })
  }))
  return results.filter((r) => r.status === 'fulfilled').length
}
