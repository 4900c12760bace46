/**
 * Steps 2–3 of a job's life: announce the signed job on gossipsub, collect bids for the window, and
 * rank them by policy with each bidder's stake and reputation read from the chain (never the bids'
 * own claims). The winner is the best-ranked bid; none eligible is a `NoEligibleBidError`.
 */
import { PublicKey } from '@solana/web3.js'
import type { NodeAccount } from '../../../chain/index.js'
import { MESH, wire } from '../../../protocols/index.js'
import type { Announcement, AnnounceOptions, BidRound, ReceivedBid } from '../../node/index.js'
import { rankBids, type BidRanking, type CandidateBid, type ScoredBid } from '../../policy/index.js'
import { nodeIsActive } from '../chain.js'
import { NoEligibleBidError, type Emit } from './types.js'

export interface AuctionComponents {
  /** Opens this job's bidding round on the bid protocol for `windowMs`. */
  openRound: (jobId: Uint8Array, windowMs: number) => BidRound
  /** Signs the announce with the wallet and publishes it on the jobs topic. */
  announce: (announce: wire.JobAnnounce, o: AnnounceOptions) => Promise<Announcement>
  /** A bidder's Node account on-chain (undefined: none). */
  readNode: (wallet: PublicKey) => Promise<NodeAccount | undefined>
  /** Unix seconds (the node's clock). */
  clock: () => number
}

/** What a job's announce says, apart from the clock. */
export interface AnnounceTerms {
  readonly jobId: Uint8Array
  readonly spec: wire.TrainingSpec
  readonly maxPrice: bigint
  readonly estimatedSeconds: number
  readonly priority: wire.Priority
  readonly clientPeerId: Uint8Array
  readonly clientAddrs: readonly Uint8Array[]
  /** Failover: the re-auction of a handed-over job's rest (failover.ts). */
  readonly resume?: wire.ResumePoint
}

/** The bid window in whole seconds the announce carries: at least 1, at most `MESH.maxAnnounceBidWindowSeconds`. */
export function bidWindowSeconds (windowMs: number): number {
  return Math.min(MESH.maxAnnounceBidWindowSeconds, Math.max(1, Math.ceil(windowMs / 1000)))
}

/** The announce of `t` issued at `now` (unix seconds): bids are due within the bid window. */
export function announceOf (t: AnnounceTerms, now: number, windowMs: number): wire.JobAnnounce {
  return {
    jobId: Uint8Array.from(t.jobId),
    specHash: Uint8Array.from(wire.specHash(t.spec)),
    spec: t.spec,
    maxPrice: t.maxPrice,
    estimatedSeconds: t.estimatedSeconds,
    priority: t.priority,
    clientPeerId: Uint8Array.from(t.clientPeerId),
    clientAddrs: t.clientAddrs.slice(0, 16).map((a) => Uint8Array.from(a)),
    issuedAt: BigInt(now),
    bidDeadline: BigInt(now + bidWindowSeconds(windowMs)),
    ...(t.resume === undefined ? {} : { resume: { ...t.resume } })
  }
}

export interface AuctionRequest {
  readonly terms: AnnounceTerms
  readonly windowMs: number
  /** How many subscribers the announcement waits for (what discovery found; at least 1). */
  readonly expected: number
}

export interface AuctionResult {
  readonly ranking: BidRanking
  readonly best: ScoredBid
  /** The winning bid as received (its sender, its signer: the worker's wallet). */
  readonly winning: ReceivedBid
  readonly workerWallet: PublicKey
}

/**
 * Local ms from `now` (unix seconds, the node's clock) until the round for `announce` closes: its
 * bid deadline plus `MESH.bidReceiveGraceMs` (the deadline is in whole seconds, and a bid sent at it
 * is still in flight), never more than the longest window an announce may carry plus that grace.
 */
export function roundCloseInMs (announce: Pick<wire.JobAnnounce, 'bidDeadline'>, now: number): number {
  const ms = (Number(announce.bidDeadline) - now) * 1000 + MESH.bidReceiveGraceMs
  return Math.min(Math.max(0, ms), MESH.maxAnnounceBidWindowSeconds * 1000 + MESH.bidReceiveGraceMs)
}

/** Announces, collects the window's bids, ranks them with chain facts; throws NoEligibleBidError. */
export async function runAuction (c: AuctionComponents, r: AuctionRequest, emit: Emit): Promise<AuctionResult> {
  const round = c.openRound(r.terms.jobId, r.windowMs)
  round.onBid((b) => { emit({ type: 'bid', from: b.from.toString(), price: b.message.price, etaSeconds: b.message.etaSeconds }) })
  // Half the window at most for the wait: the settle-for-one retry below must still publish
  // before the announce's bid deadline (whole seconds) makes it stale.
  const options = { waitMs: Math.min(5_000, Math.floor(r.windowMs / 2)), reannounceEveryMs: 500 }
  let announcement: Announcement
  let published = announceOf(r.terms, c.clock(), r.windowMs)
  try {
    // Wait for every worker found to subscribe (a publish reaches only known subscribers); a
    // worker that never does is not worth failing the job for: then settle for one.
    announcement = await c.announce(published, { ...options, minSubscribers: Math.max(1, r.expected) })
      .catch(async () => {
        // Re-signed: the wait may have outlived the first one's whole-second bid deadline.
        published = announceOf(r.terms, c.clock(), r.windowMs)
        return await c.announce(published, { ...options, minSubscribers: 1 })
      })
  } catch (e) {
    round.close()
    throw e
  }
  // The round lasts as long as the announce that went out says, not from its opening: the waits
  // above may have used most of the window (a worker reached late still has its whole window).
  round.closeIn(roundCloseInMs(published, c.clock()))
  const bids = await round.closed
  announcement.stop()
  const ranking = rankBids(await Promise.all(bids.map(async (b) => await candidateOf(c, b))), r.terms.maxPrice)
  const best = ranking.ranked[0]
  if (best === undefined) throw new NoEligibleBidError(ranking)
  const winning = bids.find((b) => b.from.toString() === best.bid.bidder)!
  return { ranking, best, winning, workerWallet: new PublicKey(winning.signer) }
}

/** A bid with the facts the chain holds about its signer (none when its Node cannot be read). */
async function candidateOf (c: AuctionComponents, b: ReceivedBid): Promise<CandidateBid> {
  const n = await c.readNode(new PublicKey(b.signer)).catch(() => undefined)
  return {
    bidder: b.from.toString(),
    price: b.message.price,
    etaSeconds: b.message.etaSeconds,
    verified: n === undefined ? undefined : { stake: n.stake, reputation: n.reputation, active: nodeIsActive(n, c.clock()) }
  }
}
