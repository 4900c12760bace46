/**
 * Executing a dispute's verdict (design document: Security Model → Dispute Resolution Process).
 * The verdict itself is the jury's (`jury.ts`; docs/security.md, finding 5).
 */
import { SLASHING, type ReputationTierName } from '../params.js'
import { assertAmount } from './amount.js'
import { reputationDelta } from './reputation.js'
import { settlementSplit } from './settlement.js'
import { fraudSlashSplit, slashStake } from './slashing.js'

export type Side = 'client' | 'worker'
/**
 * A juror's ballot and a round's verdict: a side, or `unavailable` — the juror could not fetch the
 * evidence after every retry (docs/security.md, finding 16); never a claimant.
 */
export type Ballot = Side | 'unavailable'

export interface Verdict {
  /** Escrow tokens to the client. */
  readonly clientRefund: bigint
  /** Escrow tokens to the worker. */
  readonly workerPayment: bigint
  /** Escrow tokens to the platform. */
  readonly platformFee: bigint
  /** Stake slashed from the worker, and where it goes. */
  readonly slashed: bigint
  readonly slashToClient: bigint
  readonly slashToTreasury: bigint
  /** A timeout-rate slash (`unavailableOutcome`) goes to the insurance vault and is burned instead. */
  readonly slashToInsurance?: bigint
  readonly slashBurned?: bigint
  readonly reputationDelta: number
  readonly banWorker: boolean
}

/**
 * Executing a verdict. Client wins: full refund, 50 % of the stake slashed and split 50/50 between
 * the client and the treasury, −200 reputation, permanent ban. Worker wins: paid as a completed job
 * (90/10, or 92/8 for Diamond), +5 reputation.
 */
export function disputeVerdict (winner: Side, escrowAmount: bigint, workerStake: bigint, workerTier: ReputationTierName): Verdict {
  assertAmount(escrowAmount, 'escrow amount')
  if (winner === 'client') {
    const s = slashStake(workerStake, SLASHING.fraudBps)
    const split = fraudSlashSplit(s.slashed)
    return {
      clientRefund: escrowAmount,
      workerPayment: 0n,
      platformFee: 0n,
      slashed: s.slashed,
      slashToClient: split.toClient,
      slashToTreasury: split.toTreasury,
      reputationDelta: reputationDelta('disputeLost'),
      banWorker: true
    }
  }
  const pay = settlementSplit(escrowAmount, workerTier)
  return {
    clientRefund: 0n,
    workerPayment: pay.worker,
    platformFee: pay.platform,
    slashed: 0n,
    slashToClient: 0n,
    slashToTreasury: 0n,
    reputationDelta: reputationDelta('disputeWon'),
    banWorker: false
  }
}

/**
 * The terminal rule's outcome (`finalize_dispute` with no verdict: the last jury round, of
 * `DISPUTE.maxJuryRounds`, ended without one). The status quo the dispute froze: a delivered
 * optimistic escrow is paid to the worker as its undisputed claim would have been (90/10, 92/8
 * for Diamond), any other escrow is refunded to the client in full. No slash, no ban, no
 * reputation change: a jury failure rewards neither side. The bond goes back (`bondOutcome`).
 */
export function noVerdictOutcome (delivered: boolean, escrowAmount: bigint, workerTier: ReputationTierName): Verdict {
  assertAmount(escrowAmount, 'escrow amount')
  const none = { slashed: 0n, slashToClient: 0n, slashToTreasury: 0n, reputationDelta: 0, banWorker: false }
  if (!delivered) return { clientRefund: escrowAmount, workerPayment: 0n, platformFee: 0n, ...none }
  const pay = settlementSplit(escrowAmount, workerTier)
  return { clientRefund: 0n, workerPayment: pay.worker, platformFee: pay.platform, ...none }
}

/**
 * An `unavailable` verdict (finding 16: a strict majority of the jury could not fetch the evidence
 * during the evidence and commit windows, the worker's time to serve it): the worker is treated as
 * one that never delivered, as `timeout_refund` treats it — the client refunded in full, the stake
 * slashed at `SLASHING.timeoutBps` (80 % to insurance, 20 % burned, `slashStake`), the timeout
 * penalty, no ban. (The program also counts the failure in the worker's repeated-failures window,
 * `recordFailure`, as for a timeout; a third one slashes again.)
 */
export function unavailableOutcome (escrowAmount: bigint, workerStake: bigint): Verdict {
  assertAmount(escrowAmount, 'escrow amount')
  const s = slashStake(workerStake, SLASHING.timeoutBps)
  return {
    clientRefund: escrowAmount,
    workerPayment: 0n,
    platformFee: 0n,
    slashed: s.slashed,
    slashToClient: 0n,
    slashToTreasury: 0n,
    slashToInsurance: s.insurance,
    slashBurned: s.burned,
    reputationDelta: reputationDelta('timeout'),
    banWorker: false
  }
}

/**
 * The claimant's bond (`DISPUTE.disputeBond`, locked at `open_dispute`; audit finding 5): returned
 * to the claimant if it wins or if there was no verdict (`'none'`, the terminal rule: a jury
 * failure is not the claimant's loss), paid to the respondent (the other party) if it loses.
 * An `unavailable` verdict counts as the client's win: the worker could not show its evidence (a
 * client claimant gets its bond back; a worker claimant's goes to the client). Whole, no split.
 */
export function bondOutcome (claimant: Side, winner: Ballot | 'none'): 'returned' | 'to-respondent' {
  if (winner === 'none') return 'returned'
  return claimant === (winner === 'unavailable' ? 'client' : winner) ? 'returned' : 'to-respondent'
}
