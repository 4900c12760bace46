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
 * maturity = min(assigned, floor(paidValue / ref), maturityJobs) / maturityJobs, ref the reference
 *   job amount (the Bronze tier's job cap, 10 CYXWIZ): a job counts towards maturity only per
 *   reference amount paid, so full maturity needs 20 jobs and 200 CYXWIZ paid. Reputation follows
 *   paid value, not job count: twenty minimum jobs (20 CYXWIZ paid) mature a record to 10 %, not
 *   100 % (audit finding 7).
 * adjustment = the running sum of penalties and recoveries (−50 failed, +10 success, …); the
 *   successful-job and five-star recoveries are weighted by the job's paid value
 *   (`valueWeightedPoints`: full points from the reference amount up, floored).
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
  /** Base units paid for the node's credited jobs (completed, or won in a dispute). */
  readonly paidValue: bigint
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
  adjustment: 0,
  paidValue: 0n
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

/** The job amount a credited job must reach for full recovery points, and whose multiple by
 * `maturityJobs` a record must have been paid to mature fully: the Bronze tier's job cap. */
export function referenceJobAmount (): bigint {
  const cap = REPUTATION.tiers[0]?.maxJobAmount
  if (cap === null || cap === undefined || cap <= 0n) throw new AmountError('the first reputation tier needs a positive job cap')
  return cap
}

/** The paid value at which a record is fully mature: maturityJobs × referenceJobAmount (200 CYXWIZ). */
export function maturityPaidValue (): bigint {
  return BigInt(REPUTATION.maturityJobs) * referenceJobAmount()
}

/** How many jobs count towards maturity: min(assigned, floor(paidValue / ref), maturityJobs). */
export function maturityJobsCounted (r: Pick<ReputationRecord, 'jobsAssigned' | 'paidValue'>): number {
  if (r.paidValue < 0n) throw new AmountError('paidValue must not be negative')
  const byValue = r.paidValue / referenceJobAmount()
  const m = REPUTATION.maturityJobs
  return Math.min(r.jobsAssigned, m, byValue > BigInt(m) ? m : Number(byValue))
}

/** The components' sum scaled by maturity: floor(sum × counted / maturityJobs). */
export function maturedPoints (sum: number, r: Pick<ReputationRecord, 'jobsAssigned' | 'paidValue'>): number {
  return Math.floor((sum * maturityJobsCounted(r)) / REPUTATION.maturityJobs)
}

export function reputationScore (r: ReputationRecord): number {
  const c = reputationComponents(r)
  const sum = c.completion + c.timeAccuracy + c.rating + c.proofQuality + c.uptime
  return Math.max(0, Math.min(REPUTATION.maxScore, maturedPoints(sum, r) + r.adjustment))
}

/**
 * A recovery's points weighted by the job's paid value: floor(points × min(amount, ref) / ref), ref
 * the reference job amount (10 CYXWIZ). A 1-CYXWIZ job's successful completion earns 1 point, not 10.
 */
export function valueWeightedPoints (points: number, amount: bigint): number {
  if (!Number.isInteger(points) || points < 0) throw new AmountError('points must be a non-negative integer')
  if (amount < 0n) throw new AmountError('amount must not be negative')
  const ref = referenceJobAmount()
  return Number((BigInt(points) * (amount < ref ? amount : ref)) / ref)
}

/** Whether a client's rating counts: it has at least `REPUTATION.minRaterPaidJobs` paid, credited jobs behind it. */
export function ratingCounts (clientPaidJobs: number): boolean {
  return clientPaidJobs >= REPUTATION.minRaterPaidJobs
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
