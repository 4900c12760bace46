/**
 * Slashing (design document: Stake-Based Security → Slashing Conditions; Token Flow → Burn).
 * The slashed amount is floor(stake × rate); of it, floor(20 %) is burned and the rest goes to the
 * insurance pool, so stake = remaining + insurance + burned exactly.
 */
import { SLASHING, DISPUTE } from '../params.js'
import { assertAmount, assertBps, mulBps } from './amount.js'
import { stakeTierFor } from './stake.js'

export type Offence = 'timeout' | 'invalidProof' | 'fraud' | 'repeatedFailures' | 'failedJob'

/**
 * Slash rate of an offence. `failedJob` uses the "slashing risk on failure" of the job's stake
 * tier (10–25 %); the named offences have fixed rates (the worked example slashes 10 % for a timeout
 * on a 50-token job, whose tier risk is 20 %).
 */
export function slashRateBps (offence: Offence, jobAmount: bigint): number {
  switch (offence) {
    case 'timeout': return SLASHING.timeoutBps
    case 'invalidProof': return SLASHING.invalidProofBps
    case 'fraud': return SLASHING.fraudBps
    case 'repeatedFailures': return SLASHING.repeatedFailuresBps
    case 'failedJob': return stakeTierFor(jobAmount).slashOnFailureBps
  }
}

export interface Slash {
  readonly slashed: bigint
  readonly remaining: bigint
  /** 80 % of the slashed amount (plus rounding). */
  readonly insurance: bigint
  /** floor(20 % of the slashed amount). */
  readonly burned: bigint
}

export function slashStake (stake: bigint, rateBps: number): Slash {
  assertAmount(stake, 'stake')
  assertBps(rateBps, 'slash rate')
  const slashed = mulBps(stake, rateBps)
  const burned = mulBps(slashed, SLASHING.burnShareBps)
  return { slashed, remaining: stake - slashed, insurance: slashed - burned, burned }
}

/** Dispute lost by the worker: the slashed tokens go floor(50 %) to the client, the rest to the treasury. */
export function fraudSlashSplit (slashed: bigint): { toClient: bigint, toTreasury: bigint } {
  const toClient = mulBps(slashed, DISPUTE.clientWinsSlashToClientBps)
  return { toClient, toTreasury: slashed - toClient }
}

/**
 * Repeated failures: `repeatedFailuresCount` (3) or more failures within the trailing 7 days,
 * counting the one that just happened at `now`.
 */
export function isRepeatedFailure (earlierFailureTimes: readonly number[], now: number): boolean {
  const since = now - SLASHING.repeatedFailuresWindowSeconds
  const recent = earlierFailureTimes.filter((t) => t > since && t <= now).length + 1
  return recent >= SLASHING.repeatedFailuresCount
}

/** A node's failure counter as the program stores it (`Node.failures_window_start`, `failures_in_window`). */
export interface FailureWindow {
  /** When the current window started (unix seconds). */
  readonly windowStart: number
  /** Failures counted in it. */
  readonly failures: number
}

export const NO_FAILURES: FailureWindow = { windowStart: 0, failures: 0 }

/**
 * Records a failed job (a timeout or an invalid proof) at `now`, as the program does: a fixed
 * window of `repeatedFailuresWindowSeconds` (7 days) starts at the first failure after the previous
 * window ended (or if the clock went back), as the client rate limit does. When the count reaches
 * `repeatedFailuresCount` (3) the failure is *repeated*: the node is slashed `repeatedFailuresBps`
 * (30 %) of the stake left after this job's own slash and suspended for `suspensionSeconds`
 * (30 days), and the window starts again empty (the next repeated slash needs three more failures).
 * A fixed window approximates `isRepeatedFailure`'s trailing one with two numbers on-chain; it can
 * miss three failures that straddle a window boundary, never count failures more than 7 days apart.
 */
export function recordFailure (w: FailureWindow, now: number): { window: FailureWindow, repeated: boolean, suspendedUntil: number | null } {
  if (!Number.isInteger(now)) throw new RangeError('now must be whole seconds')
  const fresh = w.failures === 0 || now < w.windowStart || now >= w.windowStart + SLASHING.repeatedFailuresWindowSeconds
  const failures = fresh ? 1 : w.failures + 1
  const windowStart = fresh ? now : w.windowStart
  if (failures >= SLASHING.repeatedFailuresCount) {
    return { window: { windowStart: now, failures: 0 }, repeated: true, suspendedUntil: now + SLASHING.suspensionSeconds }
  }
  return { window: { windowStart, failures }, repeated: false, suspendedUntil: null }
}
