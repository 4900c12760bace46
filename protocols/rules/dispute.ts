/**
 * Dispute tally and verdict (design document: Security Model → Dispute Resolution Process).
 * 1 CYXWIZ = 1 vote; votes are base units of locked tokens.
 */
import { BPS, DISPUTE, SLASHING, type ReputationTierName } from '../params.js'
import { assertAmount } from './amount.js'
import { reputationDelta } from './reputation.js'
import { settlementSplit } from './settlement.js'
import { fraudSlashSplit, slashStake } from './slashing.js'

export type Side = 'client' | 'worker'

/** Votes needed: 5 % of the supply, twice that on appeal. Rounded up: a quorum is never short. */
export function quorumVotes (supply: bigint, appeal: boolean): bigint {
  assertAmount(supply, 'supply')
  const bps = BigInt(DISPUTE.quorumBps * (appeal ? DISPUTE.appealQuorumMultiplier : 1))
  return (supply * bps + BigInt(BPS) - 1n) / BigInt(BPS)
}

export interface Tally {
  readonly forClient: bigint
  readonly forWorker: bigint
  readonly quorum: bigint
  readonly quorumMet: boolean
  /** The side the verdict favours. */
  readonly winner: Side
  /** Why: a strict majority, or the claimant failing to carry the vote (no quorum, or a tie). */
  readonly reason: 'majority' | 'no-quorum' | 'tie'
}

/**
 * The verdict. A strict majority of a quorate vote wins. Without quorum, or on a tie, the claimant
 * has not carried the vote and the respondent wins (cyxwiz: the document is silent; the burden of
 * proof lies with whoever opened the dispute, so an unattended dispute cannot freeze a payment).
 */
export function tallyDispute (v: { forClient: bigint, forWorker: bigint, supply: bigint, appeal: boolean, claimant: Side }): Tally {
  assertAmount(v.forClient, 'forClient')
  assertAmount(v.forWorker, 'forWorker')
  const quorum = quorumVotes(v.supply, v.appeal)
  const quorumMet = v.forClient + v.forWorker >= quorum
  const respondent: Side = v.claimant === 'client' ? 'worker' : 'client'
  if (!quorumMet) return { forClient: v.forClient, forWorker: v.forWorker, quorum, quorumMet, winner: respondent, reason: 'no-quorum' }
  if (v.forClient === v.forWorker) return { forClient: v.forClient, forWorker: v.forWorker, quorum, quorumMet, winner: respondent, reason: 'tie' }
  return { forClient: v.forClient, forWorker: v.forWorker, quorum, quorumMet, winner: v.forClient > v.forWorker ? 'client' : 'worker', reason: 'majority' }
}

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
 * The claimant's bond (`DISPUTE.disputeBond`, locked at `open_dispute`; audit finding 5): returned
 * to the claimant if it wins, paid to the respondent (the other party) if it loses. Whole, no split.
 */
export function bondOutcome (claimant: Side, winner: Side): 'returned' | 'to-respondent' {
  return claimant === winner ? 'returned' : 'to-respondent'
}

/** An appeal's deposit: returned if the appeal overturns the verdict, forfeited to the treasury otherwise. */
export function appealDepositOutcome (previousWinner: Side, appealWinner: Side): 'returned' | 'forfeited' {
  return previousWinner !== appealWinner ? 'returned' : 'forfeited'
}
