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
