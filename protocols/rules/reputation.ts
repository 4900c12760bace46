/**
 * Reputation (design document: Trust and Verification → Node Reputation System).
 *
 *   score = clamp(floor(components × maturity) + adjustment, 0, 1000)
 *
 * components (each floored to whole points):
 *   completion   = completed / assigned × 400       (95/100 → 380)
 *   timeAccuracy = avg(1 − |actual − est| / est) × 250, each job's term floored at 0 (10 % → 225)
 *   rating       = avg(stars) × 200 / 5              (4.5 → 180)
 *   proofQuality = valid / total × 100               (100 % → 100)
 *   uptime       = heartbeats received / expected × 50, received capped at expected (98 % → 49)
 * A component with no data yet (e.g. no ratings) is 0: reputation starts at 0.
 * maturity = min(assigned, REPUTATION.maturityJobs) / maturityJobs (see params.ts for why).
 * adjustment = the running sum of penalties and recoveries (−50 failed, +10 success, …).
 */
import { BPS, REPUTATION, type ReputationTier, type ReputationTierName } from '../params.js'
import { AmountError } from './amount.js'

/** What the program stores per node to compute its score. All integers. */
export interface ReputationRecord {
  readonly jobsAssigned: number
  readonly jobsCompleted: number
  /** Sum over timed jobs of each job's time accuracy in bps (0..10,000). */
  readonly timeAccuracySumBps: number
  readonly timedJobs: number
  /** Sum of stars over all ratings. */
  readonly ratingStarsSum: number
  readonly ratings: number
  readonly proofsValid: number
  readonly proofsTotal: number
  readonly heartbeatsReceived: number
  readonly heartbeatsExpected: number
  /** Running sum of penalties and recoveries (points, may be negative). */
  readonly adjustment: number
}

export const EMPTY_REPUTATION: ReputationRecord = {
  jobsAssigned: 0,
  jobsCompleted: 0,
  timeAccuracySumBps: 0,
  timedJobs: 0,
  ratingStarsSum: 0,
  ratings: 0,
  proofsValid: 0,
  proofsTotal: 0,
  heartbeatsReceived: 0,
  heartbeatsExpected: 0,
  adjustment: 0
}

export interface ReputationComponents {
  readonly completion: number
  readonly timeAccuracy: number
  readonly rating: number
  readonly proofQuality: number
  readonly uptime: number
}

/** floor(num × weight / den), or 0 when there is no data (den = 0). */
function ratio (num: number, den: number, weight: number): number {
  if (den <= 0) return 0
  return Math.floor((Math.min(num, den) * weight) / den)
}

/** One job's time accuracy in bps: max(0, 1 − |actual − estimated| / estimated), floored. */
export function timeAccuracyBps (actualSeconds: number, estimatedSeconds: number): number {
  if (!Number.isInteger(estimatedSeconds) || estimatedSeconds <= 0) throw new AmountError('estimatedSeconds must be a positive integer')
  if (!Number.isInteger(actualSeconds) || actualSeconds < 0) throw new AmountError('actualSeconds must be a non-negative integer')
  const deviation = Math.abs(actualSeconds - estimatedSeconds)
  return Math.max(0, BPS - Math.floor((deviation * BPS) / estimatedSeconds))
}

export function reputationComponents (r: ReputationRecord): ReputationComponents {
  const w = REPUTATION.weights
  return {
    completion: ratio(r.jobsCompleted, r.jobsAssigned, w.completion),
    timeAccuracy: ratio(r.timeAccuracySumBps, r.timedJobs * BPS, w.timeAccuracy),
    rating: ratio(r.ratingStarsSum, r.ratings * REPUTATION.maxStars, w.rating),
    proofQuality: ratio(r.proofsValid, r.proofsTotal, w.proofQuality),
    uptime: ratio(r.heartbeatsReceived, r.heartbeatsExpected, w.uptime)
  }
}

export function reputationScore (r: ReputationRecord): number {
  const c = reputationComponents(r)
  const sum = c.completion + c.timeAccuracy + c.rating + c.proofQuality + c.uptime
  const m = REPUTATION.maturityJobs
  const matured = Math.floor((sum * Math.min(r.jobsAssigned, m)) / m)
  return Math.max(0, Math.min(REPUTATION.maxScore, matured + r.adjustment))
}

export type ReputationEvent =
  | 'successfulJob' | 'failedJob' | 'timeout' | 'invalidProof' | 'disputeLost' | 'disputeWon'
  | 'uptime30Days' | 'fiveStarRating'

/** Points an event adds to the adjustment (penalties negative). */
export function reputationDelta (event: ReputationEvent): number {
  switch (event) {
    case 'successfulJob': return REPUTATION.recoveries.successfulJob
    case 'uptime30Days': return REPUTATION.recoveries.uptime30Days
    case 'fiveStarRating': return REPUTATION.recoveries.fiveStarRating
    case 'disputeWon': return REPUTATION.recoveries.disputeWon
    case 'failedJob': return REPUTATION.penalties.failedJob
    case 'timeout': return REPUTATION.penalties.timeout
    case 'invalidProof': return REPUTATION.penalties.invalidProof
    case 'disputeLost': return REPUTATION.penalties.disputeLost
  }
}

/**
 * The adjustment after an event, kept within ±maxScore so that it can neither overflow the
 * on-chain i16 nor bank unlimited credit.
 */
export function applyReputationEvent (adjustment: number, event: ReputationEvent): number {
  const max = REPUTATION.maxScore
  return Math.max(-max, Math.min(max, adjustment + reputationDelta(event)))
}

/** The tier of a score: Bronze 0–299, Silver 300–599, Gold 600–799, Diamond 800–1000. */
export function reputationTier (score: number): ReputationTier {
  if (!Number.isInteger(score) || score < 0 || score > REPUTATION.maxScore) {
    throw new AmountError(`reputation score must be an integer 0..${REPUTATION.maxScore} (got ${score})`)
  }
  let found = REPUTATION.tiers[0] as ReputationTier
  for (const t of REPUTATION.tiers) if (score >= t.minScore) found = t
  return found
}

export function reputationTierByName (name: ReputationTierName): ReputationTier {
  const t = REPUTATION.tiers.find((x) => x.name === name)
  if (t === undefined) throw new AmountError(`unknown reputation tier "${String(name)}"`)
  return t
}

/** Whether a worker of this tier may take a job of this amount (Bronze < 10, Silver < 50, Gold < 200). */
export function tierMayAccept (tier: ReputationTier, jobAmount: bigint): boolean {
  return tier.maxJobAmount === null || jobAmount < tier.maxJobAmount
}
