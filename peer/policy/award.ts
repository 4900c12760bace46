/**
 * The client's award policy: which bids are eligible and which one wins. Pure. The client role
 * reads each bidder's stake and reputation from the chain and passes them in as `verified`: a
 * bid's claimed stake and reputation are never trusted.
 *
 * Score (higher is better), in parts per million so ranking needs no floats:
 *   price      60 %  × cheapest eligible price / this price
 *   reputation 25 %  × tier rank / highest tier rank (Bronze 0 … Diamond 3)
 *   ETA        15 %  × fastest eligible ETA / this ETA
 * Price dominates (the client pays it), but a worker a full tier better may cost up to ~25 % more
 * and still win; ETA breaks near-ties. Ties go to the lower price, then the earlier ETA, then
 * the lower peer id, so every client ranks the same bids the same way.
 */
import { REPUTATION, reputationTier, requiredStake, tierMayAccept, type ReputationTierName } from '../../protocols/index.js'

export const AWARD_WEIGHTS_PPM = { price: 600_000, reputation: 250_000, eta: 150_000 } as const

/** A bid as the award policy sees it. */
export interface CandidateBid {
  /** Who bid (peer id string): the tie-breaker and the result's key. */
  readonly bidder: string
  readonly price: bigint
  readonly etaSeconds: number
  /** Facts read from the chain for the bidder's wallet; undefined when it has no Node account. */
  readonly verified: { readonly stake: bigint, readonly reputation: number, readonly active: boolean } | undefined
}

export type BidRejection = 'above-max-price' | 'not-registered' | 'node-inactive' | 'stake-too-low' | 'tier-too-low'

export interface ScoredBid {
  readonly bid: CandidateBid
  readonly tier: ReputationTierName
  /** 0..1,000,000. */
  readonly scorePpm: number
}

export interface BidRanking {
  /** Eligible bids, best first. */
  readonly ranked: readonly ScoredBid[]
  readonly rejected: ReadonlyArray<{ readonly bid: CandidateBid, readonly reason: BidRejection }>
}

function eligibility (b: CandidateBid, maxPrice: bigint): BidRejection | null {
  if (b.price > maxPrice) return 'above-max-price'
  if (b.verified === undefined) return 'not-registered'
  if (!b.verified.active) return 'node-inactive'
  if (b.verified.stake < requiredStake(b.price)) return 'stake-too-low'
  if (!tierMayAccept(reputationTier(b.verified.reputation), b.price)) return 'tier-too-low'
  return null
}

const TOP_TIER = REPUTATION.tiers.length - 1

export function rankBids (bids: readonly CandidateBid[], maxPrice: bigint): BidRanking {
  const rejected: Array<{ bid: CandidateBid, reason: BidRejection }> = []
  const eligible: CandidateBid[] = []
  for (const b of bids) {
    const reason = eligibility(b, maxPrice)
    if (reason === null) eligible.push(b)
    else rejected.push({ bid: b, reason })
  }
  if (eligible.length === 0) return { ranked: [], rejected }
  const minPrice = eligible.reduce((m, b) => (b.price < m ? b.price : m), eligible[0]!.price)
  const minEta = Math.min(...eligible.map((b) => b.etaSeconds))
  const ranked = eligible.map((bid): ScoredBid => {
    const tier = reputationTier(bid.verified!.reputation)
    const rank = REPUTATION.tiers.findIndex((t) => t.name === tier.name)
    const price = Number((BigInt(AWARD_WEIGHTS_PPM.price) * minPrice) / bid.price)
    const reputation = Math.floor((AWARD_WEIGHTS_PPM.reputation * rank) / TOP_TIER)
    const eta = Math.floor((AWARD_WEIGHTS_PPM.eta * minEta) / bid.etaSeconds)
    return { bid, tier: tier.name, scorePpm: price + reputation + eta }
  })
  ranked.sort((a, b) =>
    b.scorePpm - a.scorePpm ||
    (a.bid.price < b.bid.price ? -1 : a.bid.price > b.bid.price ? 1 : 0) ||
    a.bid.etaSeconds - b.bid.etaSeconds ||
    (a.bid.bidder < b.bid.bidder ? -1 : a.bid.bidder > b.bid.bidder ? 1 : 0))
  return { ranked, rejected }
}

/** The winning bid, or undefined when none is eligible. */
export function pickAward (bids: readonly CandidateBid[], maxPrice: bigint): ScoredBid | undefined {
  return rankBids(bids, maxPrice).ranked[0]
}
