/**
 * Where an escrow's tokens go (design document: Payment Flow Integration; Threat Model → malicious
 * user). Every function returns parts that sum exactly to the amount: shares are floored and the
 * remainder goes to the party named in each function's comment.
 */
import { BPS, ESCROW, SETTLEMENT, type ReputationTierName } from '../params.js'
import { AmountError, assertAmount, assertBps, mulBps } from './amount.js'

export interface PaymentSplit {
  readonly worker: bigint
  readonly platform: bigint
}

export interface RefundSplit {
  readonly worker: bigint
  readonly client: bigint
}

/** Platform fee in bps for a worker of the given tier: 10 %, or 8 % for Diamond. */
export function platformFeeBps (tier: ReputationTierName): number {
  return tier === 'Diamond' ? SETTLEMENT.diamondPlatformFeeBps : SETTLEMENT.platformFeeBps
}

/** Completed job: platform = floor(amount × fee); the worker gets the rest (100 → 90/10). */
export function settlementSplit (amount: bigint, tier: ReputationTierName): PaymentSplit {
  assertAmount(amount)
  const platform = mulBps(amount, platformFeeBps(tier))
  return { worker: amount - platform, platform }
}

/**
 * Progress in bps from anchored epochs: floor(done × 10,000 / total), at most 10,000. After a
 * hand-over (`handOverSplit`) the current worker's progress counts from the `epochsBase` its
 * predecessor was paid for: floor((done − base) × 10,000 / (total − base)) (program:
 * `cancel::epochs_progress`, what a cancellation pays it).
 */
export function progressBps (epochsDone: number, epochsTotal: number, epochsBase = 0): number {
  if (!Number.isInteger(epochsTotal) || epochsTotal <= 0) throw new AmountError(`epochsTotal must be a positive integer (got ${epochsTotal})`)
  if (!Number.isInteger(epochsDone) || epochsDone < 0) throw new AmountError(`epochsDone must be a non-negative integer (got ${epochsDone})`)
  if (!Number.isInteger(epochsBase) || epochsBase < 0 || epochsBase >= epochsTotal || epochsBase > epochsDone) {
    throw new AmountError(`epochsBase must be an integer in [0, min(epochsDone, epochsTotal − 1)] (got ${epochsBase})`)
  }
  return Math.min(BPS, Math.floor(((epochsDone - epochsBase) * BPS) / (epochsTotal - epochsBase)))
}

/**
 * Pro-rata refund: the worker earns floor(amount × progress); the client is refunded the rest.
 * 0 % progress → 100 % refund; 50 % → 50/50; 100 % → no refund.
 */
export function proRataSplit (amount: bigint, progress: number): RefundSplit {
  assertAmount(amount)
  assertBps(progress, 'progress')
  const worker = mulBps(amount, progress)
  return { worker, client: amount - worker }
}

/**
 * Cancellation by the client: the worker keeps its pro-rata earnings plus the cancellation fee
 * (floor(amount × 10 %)), capped at the amount; the client is refunded the rest.
 */
export function cancellationSplit (amount: bigint, progress: number): RefundSplit {
  const { worker: earned } = proRataSplit(amount, progress)
  const fee = mulBps(amount, ESCROW.cancellationFeeBps)
  const worker = earned + fee > amount ? amount : earned + fee
  return { worker, client: amount - worker }
}

/** Where an escrow's tokens go at a hand-over: the stalled worker's pay, the platform fee out of it, and what stays in the escrow. */
export interface HandOverSplit {
  readonly worker: bigint
  readonly platform: bigint
  readonly remaining: bigint
}

/**
 * Failover (program: `hand_over`): a client hands an escrow whose worker stalled to a new worker.
 * The stalled worker is paid what a cancellation at the verified progress earns, without the
 * cancellation fee (it failed the job): earned = floor(amount × progressBps(verifiedEpochs,
 * epochsTotal, epochsBase)), of which the platform takes the fee of a completed job
 * (`settlementSplit`, by the worker's reputation tier) and the worker the rest; `remaining` =
 * amount − earned stays in the escrow for the new worker. A hand-over happens only before the
 * final epoch: epochsBase ≤ verifiedEpochs < epochsTotal, so remaining > 0 for a positive amount.
 */
export function handOverSplit (amount: bigint, verifiedEpochs: number, epochsTotal: number, tier: ReputationTierName, epochsBase = 0): HandOverSplit {
  if (!Number.isInteger(verifiedEpochs) || verifiedEpochs >= epochsTotal) {
    throw new AmountError(`verifiedEpochs must be an integer below epochsTotal (got ${verifiedEpochs} of ${epochsTotal})`)
  }
  const { worker: earned } = proRataSplit(amount, progressBps(verifiedEpochs, epochsTotal, epochsBase))
  const { worker, platform } = settlementSplit(earned, tier)
  return { worker, platform, remaining: amount - earned }
}

/** Proof of Compute check 5: actual time within [0.5×, 2×] of the estimate (ends included). */
export function trainingTimeWithinBounds (actualSeconds: number, estimatedSeconds: number): boolean {
  if (!Number.isInteger(estimatedSeconds) || estimatedSeconds <= 0) throw new AmountError('estimatedSeconds must be a positive integer')
  if (!Number.isInteger(actualSeconds) || actualSeconds < 0) throw new AmountError('actualSeconds must be a non-negative integer')
  const a = BigInt(actualSeconds) * BigInt(BPS)
  const e = BigInt(estimatedSeconds)
  return a >= e * BigInt(ESCROW.trainingTimeMinBps) && a <= e * BigInt(ESCROW.trainingTimeMaxBps)
}

/** A client wallet's job counter, as the program stores it: a fixed window and a count. */
export interface RateLimitWindow {
  readonly windowStart: number
  readonly count: number
}

/**
 * Rate limit: at most `ESCROW.jobsPerWalletPerDay` jobs per wallet per day, counted in fixed
 * windows of `ESCROW.rateLimitWindowSeconds` that start at the first job after the previous window
 * ended (cyxwiz: a fixed window needs two fields on-chain; a sliding one would need a list).
 * Returns whether one more job is allowed now, and the window after taking it.
 */
export function takeRateLimit (w: RateLimitWindow, now: number): { allowed: boolean, next: RateLimitWindow } {
  const fresh = w.count === 0 || now >= w.windowStart + ESCROW.rateLimitWindowSeconds || now < w.windowStart
  const current = fresh ? { windowStart: now, count: 0 } : w
  if (current.count >= ESCROW.jobsPerWalletPerDay) return { allowed: false, next: current }
  return { allowed: true, next: { windowStart: current.windowStart, count: current.count + 1 } }
}

/**
 * The time one epoch of a job is estimated to take: ceil(estimatedSeconds / epochsTotal). The
 * worker anchors its progress once per epoch (checkpoint), so this is the gap between two anchors
 * of an honest worker on schedule.
 */
export function epochEstimateSeconds (estimatedSeconds: number, epochsTotal: number): number {
  if (!Number.isSafeInteger(estimatedSeconds) || estimatedSeconds < 0) throw new AmountError(`estimatedSeconds must be a non-negative integer (got ${estimatedSeconds})`)
  if (!Number.isInteger(epochsTotal) || epochsTotal <= 0) throw new AmountError(`epochsTotal must be a positive integer (got ${epochsTotal})`)
  return Math.ceil(estimatedSeconds / epochsTotal)
}

/**
 * `accept_job`'s check (program: `progress::epoch_fits`): an escrow whose estimated epoch is longer
 * than its no-progress timeout cannot be met by an honest worker anchoring once per epoch, so it is
 * refused (`EpochExceedsNoProgressTimeout`). An epoch exactly as long as the timeout fits.
 */
export function epochFitsNoProgressTimeout (estimatedSeconds: number, epochsTotal: number, timeoutSeconds: number = ESCROW.noProgressTimeoutSeconds): boolean {
  return timeoutSeconds > 0 && epochEstimateSeconds(estimatedSeconds, epochsTotal) <= timeoutSeconds
}

/** What the no-progress timeout reads of an escrow (the program's `Escrow` fields). */
export interface EscrowProgress {
  /** Whether the worker signed `accept_job`. */
  readonly accepted: boolean
  /** Unix seconds (0 before the acceptance). */
  readonly acceptedAt: number
  /** The last `anchor_progress` (or the acceptance), unix seconds. */
  readonly lastProgressAt: number
  readonly epochsDone: number
  readonly epochsTotal: number
}

/**
 * Stake-Based Security → slashing condition 1, "no progress for 2+ hours" (program:
 * `progress::no_progress_expired`): an accepted escrow whose final epoch is not anchored, at a
 * `now` later than max(acceptedAt, lastProgressAt) + the timeout, is refundable with the timeout
 * slash, as after its deadline. Never before the acceptance (an offer exposes the worker to
 * nothing), never once the final epoch is anchored (the delivery, the proof and the deadline
 * settle it then).
 */
export function noProgressExpired (e: EscrowProgress, now: number, timeoutSeconds: number = ESCROW.noProgressTimeoutSeconds): boolean {
  if (!e.accepted || e.epochsDone >= e.epochsTotal) return false
  return now > Math.max(e.acceptedAt, e.lastProgressAt) + timeoutSeconds
}

/**
 * Failover, the client's rule (issue 21): a job is handed over only when the worker is gone from
 * both places a client can see it — no live session (its metrics and checkpoint frames stopped, every
 * reconnect failed) and no progress anchored on-chain for the escrow's no-progress timeout
 * (`noProgressExpired`, the very rule `hand_over` and `timeout_refund` apply, read at the ledger's
 * clock with the escrow's own timeout). A worker that still anchors is never replaced, even when the
 * client cannot reach it; one that still streams is never replaced, even when its anchors lag.
 */
export function failoverDue (e: EscrowProgress, chainNow: number, timeoutSeconds: number, sessionLive: boolean): boolean {
  return !sessionLive && noProgressExpired(e, chainNow, timeoutSeconds)
}

/**
 * The epochs a client pays a stalled worker for at its hand-over (`hand_over`'s `verified_epochs`):
 * the checkpoint it kept (keeper.ts), when its spot check passed, as far as the chain also has it
 * anchored (`epochsDone`); never below what an earlier hand-over paid for (`epochsBase`, which the
 * program requires). A checkpoint not kept, or not verified, counts as not done: the base.
 */
export function verifiedEpochs (kept: { readonly epoch: number, readonly passed: boolean } | undefined, e: { readonly epochsDone: number, readonly epochsBase: number }): number {
  if (kept === undefined || !kept.passed) return e.epochsBase
  return Math.max(e.epochsBase, Math.min(kept.epoch, e.epochsDone))
}

/**
 * The rest of a job's estimated time once `fromEpoch` of its `epochsTotal` are done (the
 * re-auction's estimate, which the bidders price): ⌊estimatedSeconds × (total − from) / total⌋, at
 * least 1 s.
 */
export function remainingEstimateSeconds (estimatedSeconds: number, epochsTotal: number, fromEpoch: number): number {
  if (!Number.isSafeInteger(estimatedSeconds) || estimatedSeconds < 1) throw new AmountError(`estimatedSeconds must be a positive integer (got ${estimatedSeconds})`)
  if (!Number.isInteger(epochsTotal) || epochsTotal < 1 || !Number.isInteger(fromEpoch) || fromEpoch < 0 || fromEpoch >= epochsTotal) {
    throw new AmountError(`fromEpoch must be an integer 0..epochsTotal − 1 (got ${fromEpoch} of ${epochsTotal})`)
  }
  return Math.max(1, Math.floor(estimatedSeconds * (epochsTotal - fromEpoch) / epochsTotal))
}
