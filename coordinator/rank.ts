/**
 * Matching policy of the coordinator, pure: which indexed workers fit an announced job, and in what
 * order. The order is the client's own award policy (`rankBids`, peer/policy, handed in as a
 * `BidRanker`) applied to what the coordinator knows before any bid exists: each worker's
 * advertised hourly price turned into a job price for the announce's estimated duration, and its
 * stake and reputation as read on-chain. The client re-checks the same facts, so a coordinator that
 * ranks by anything else is only slower.
 */
import { wire, toHex } from '../protocols/index.js'
import type { ChainFacts } from './ledger.js'

/** A worker's would-be bid as the award policy sees it (the shape of peer/policy's `CandidateBid`). */
export interface PolicyBid {
  /** The worker's peer id string: the tie-breaker and the result's key. */
  readonly bidder: string
  readonly price: bigint
  readonly etaSeconds: number
  /** Facts read from the chain for the worker's wallet; undefined when it has no Node account. */
  readonly verified: { readonly stake: bigint, readonly reputation: number, readonly active: boolean } | undefined
}

/**
 * The client's award policy (peer/policy's `rankBids`): the eligible bids, best first, with their
 * scores (parts per million), and the others with why (`R`).
 */
export type BidRanker<R extends string = string> = (bids: readonly PolicyBid[], maxPrice: bigint) => {
  readonly ranked: ReadonlyArray<{ readonly bid: PolicyBid, readonly scorePpm: number }>
  readonly rejected: ReadonlyArray<{ readonly bid: PolicyBid, readonly reason: R }>
}

/** A worker the coordinator knows: its advert as signed, opened, and its envelope's hash. */
export interface IndexedWorker {
  readonly peerId: string
  readonly wallet: Uint8Array
  readonly advert: wire.CapabilityAdvert
  /** The signed advert envelope, canonically encoded (what clients are sent). */
  readonly signed: Uint8Array
  /** SHA-256 of `signed`. */
  readonly advertHash: Uint8Array
  readonly source: 'register' | 'dht'
}

export interface RankedWorker {
  readonly worker: IndexedWorker
  readonly scorePpm: number
  readonly estimatedPrice: bigint
  readonly facts: ChainFacts
}

/**
 * A worker's price for the whole job at its advertised hourly rate, rounded up to a base unit:
 * what a client can recompute from the advert and the announce alone.
 */
export function estimatedPrice (pricePerHour: bigint, estimatedSeconds: number): bigint {
  const p = (pricePerHour * BigInt(estimatedSeconds) + 3_599n) / 3_600n
  return p < 1n ? 1n : p
}

/** The canonical bytes of a signed envelope and their SHA-256 (what a `MatchCandidate` names). */
export function envelopeHash (env: wire.Signed): { bytes: Uint8Array, hash: Uint8Array } {
  const bytes = wire.Signed.encode(env)
  return { bytes, hash: wire.sha256(bytes) }
}

/** Whether a worker's advert can serve this request at `now` (before any chain fact). */
export function fits (w: IndexedWorker, capability: string, clientPeerId: Uint8Array, now: number): boolean {
  return w.advert.expiresAt > BigInt(now) &&
    w.advert.capabilities.includes(capability) &&
    !wire.equalBytes(w.advert.peerId, clientPeerId)
}

/**
 * Ranks the workers that fit `announce`, best first, at most `max`, by the award policy `rank`.
 * `facts` holds chain facts by wallet hex; a worker without facts counts as unregistered and is
 * left out, as are those the award policy would refuse (price above the maximum, no or too little
 * stake, inactive, tier).
 */
export function rankWorkers<R extends string> (workers: Iterable<IndexedWorker>, facts: ReadonlyMap<string, ChainFacts>, announce: wire.JobAnnounce, capability: string, now: number, max: number, rank: BidRanker<R>): { ranked: RankedWorker[], rejected: Array<{ peerId: string, reason: R }> } {
  const byPeer = new Map<string, { worker: IndexedWorker, price: bigint, facts: ChainFacts | undefined }>()
  const bids: PolicyBid[] = []
  for (const w of workers) {
    if (!fits(w, capability, announce.clientPeerId, now)) continue
    const f = facts.get(toHex(w.wallet))
    const price = estimatedPrice(w.advert.pricePerHour, announce.estimatedSeconds)
    byPeer.set(w.peerId, { worker: w, price, facts: f })
    bids.push({
      bidder: w.peerId,
      price,
      etaSeconds: announce.estimatedSeconds,
      verified: f === undefined || !f.registered ? undefined : { stake: f.stake, reputation: f.reputation, active: f.active }
    })
  }
  const ranking = rank(bids, announce.maxPrice)
  const ranked = ranking.ranked.slice(0, max).map((s): RankedWorker => {
    const e = byPeer.get(s.bid.bidder)!
    return { worker: e.worker, scorePpm: s.scorePpm, estimatedPrice: e.price, facts: e.facts! }
  })
  return { ranked, rejected: ranking.rejected.map((r) => ({ peerId: r.bid.bidder, reason: r.reason })) }
}
