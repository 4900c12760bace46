/**
 * Stake requirements and the stake lock (design document: Stake-Based Security).
 * Times are unix seconds.
 */
import { STAKE_LOCK, STAKE_TIERS, type StakeTier } from '../params.js'
import { assertAmount } from './amount.js'

/** The stake tier of a job amount: the first tier whose exclusive bound exceeds it. */
export function stakeTierFor (jobAmount: bigint): StakeTier & { index: number } {
  assertAmount(jobAmount, 'job amount')
  const index = STAKE_TIERS.findIndex((t) => t.maxJobAmount === null || jobAmount < t.maxJobAmount)
  const tier = STAKE_TIERS[index]
  /* c8 ignore next */
  if (tier === undefined) throw new Error('STAKE_TIERS must end with an unbounded tier')
  return { ...tier, index }
}

/** Minimum stake a worker must hold to take a job of this amount (< 10 → 50, …, ≥ 200 → 5,000). */
export function requiredStake (jobAmount: bigint): bigint {
  return stakeTierFor(jobAmount).minStake
}

/** Smallest stake that registers a node at all (the lowest tier's minimum). */
export function minimumRegistrationStake (): bigint {
  return STAKE_TIERS.reduce((m, t) => (t.minStake < m ? t.minStake : m), STAKE_TIERS[0]?.minStake ?? 0n)
}

/** A node's stake is locked for 30 days from registration. */
export function initialLockUntil (registeredAt: number): number {
  return registeredAt + STAKE_LOCK.minLockSeconds
}

/**
 * Each job assigned extends the lock by 7 days from whichever is later, the current lock or now,
 * so n jobs assigned at once lock the stake for at least n × 7 days.
 */
export function extendLockForJob (lockedUntil: number, now: number): number {
  return Math.max(lockedUntil, now) + STAKE_LOCK.perActiveJobSeconds
}

/**
 * When an unstake request becomes withdrawable: 14 days after the later of the unlock and the
 * request (the cooldown runs only once the stake is unlocked and the owner has asked).
 */
export function withdrawableAt (lockedUntil: number, unstakeRequestedAt: number): number {
  return Math.max(lockedUntil, unstakeRequestedAt) + STAKE_LOCK.withdrawalCooldownSeconds
}

export type WithdrawRefusal = 'not-requested' | 'active-jobs' | 'cooling-down'

/** Whether a stake may be withdrawn now, and if not, why. */
export function withdrawalCheck (s: { lockedUntil: number, unstakeRequestedAt: number | null, activeJobs: number }, now: number): WithdrawRefusal | null {
  if (s.unstakeRequestedAt === null) return 'not-requested'
  if (s.activeJobs > 0) return 'active-jobs'
  if (now < withdrawableAt(s.lockedUntil, s.unstakeRequestedAt)) return 'cooling-down'
  return null
}
