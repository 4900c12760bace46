/**
 * The on-chain parameter block (`ConfigParams`) and its construction from `protocols/params.ts`,
 * the one place the numbers of the design live. `initialize_config` stores this block in `Config`.
 */
import {
  DISPUTE, ESCROW, PROOF, REPUTATION, SETTLEMENT, SLASHING, STAKE_LOCK, STAKE_TIERS
} from '../../protocols/index.js'

export const U64_MAX = 0xffff_ffff_ffff_ffffn

type Four<T> = readonly [T, T, T, T]

export interface ConfigParams {
  readonly stakeTierMaxJob: Four<bigint>
  readonly stakeTierMinStake: Four<bigint>
  readonly repTierMaxJob: Four<bigint>
  /** The claimant's bond at `open_dispute` (`DISPUTE.disputeBond`); also the appeal deposit. */
  readonly disputeBond: bigint
  readonly escrowTimeoutSecs: bigint
  readonly noProgressTimeoutSecs: bigint
  readonly heartbeatIntervalSecs: bigint
  readonly rateLimitWindowSecs: bigint
  readonly stakeMinLockSecs: bigint
  readonly stakeLockPerActiveJobSecs: bigint
  readonly withdrawalCooldownSecs: bigint
  readonly repeatedFailuresWindowSecs: bigint
  readonly suspensionSecs: bigint
  readonly evidenceWindowSecs: bigint
  /** A jury round's commit window, then its reveal window (`DISPUTE.commitWindowSeconds`, `.revealWindowSeconds`). */
  readonly commitWindowSecs: bigint
  readonly juryRevealWindowSecs: bigint
  /** Optimistic tier: the challenge window after `submit_delivery` (`PROOF.challengeWindowSeconds`). */
  readonly challengeWindowSecs: bigint
  /** The smallest escrow `create_escrow` accepts (`ESCROW.minAmount`). */
  readonly minEscrowAmount: bigint
  /** The shortest escrow timeout `create_escrow` accepts (`ESCROW.minTimeoutSeconds`). */
  readonly minEscrowTimeoutSecs: bigint
  /** The smallest job amount that earns reputation credit (`REPUTATION.minCreditedJobAmount`). */
  readonly repCreditMinAmount: bigint
  /** zk tier: the client's reveal window after the final anchor (`PROOF.revealWindowSeconds`). */
  readonly revealWindowSecs: bigint
  /** zk tier: the least proving time after the draw (`PROOF.proveWindowSeconds`). */
  readonly proveWindowSecs: bigint
  readonly platformFeeBps: number
  readonly diamondPlatformFeeBps: number
  readonly cancellationFeeBps: number
  readonly timeoutSlashBps: number
  readonly invalidProofSlashBps: number
  readonly fraudSlashBps: number
  readonly repeatedFailuresSlashBps: number
  readonly slashInsuranceShareBps: number
  /** The share of a juror's stake deposited with its vote (`DISPUTE.jurorRiskBps`). */
  readonly jurorRiskBps: number
  readonly clientWinsSlashToClientBps: number
  readonly trainingTimeMinBps: number
  readonly trainingTimeMaxBps: number
  readonly stakeTierSlashBps: Four<number>
  readonly repTierMinScore: Four<number>
  /** completion, time accuracy, rating, proof quality, uptime */
  readonly repWeights: readonly [number, number, number, number, number]
  readonly repMaxScore: number
  readonly repMaturityJobs: number
  readonly jobsPerWalletPerDay: number
  readonly repeatedFailuresCount: number
  /** Round 0's expected jury (`DISPUTE.jurySize`). */
  readonly jurySize: number
  readonly maxStars: number
  readonly penaltyFailedJob: number
  readonly penaltyTimeout: number
  readonly penaltyInvalidProof: number
  readonly penaltyDisputeLost: number
  readonly rewardSuccessfulJob: number
  readonly rewardFiveStar: number
  readonly rewardDisputeWon: number
  readonly rewardUptime: number
  /** A client's rating counts only from this many paid, credited jobs on (`REPUTATION.minRaterPaidJobs`). */
  readonly repMinRaterPaidJobs: number
  /** The fewest revealed votes a verdict needs (`DISPUTE.minJurors`). */
  readonly minJurors: number
  /** The most jury rounds before a dispute resolves with no verdict (`DISPUTE.maxJuryRounds`). */
  readonly maxJuryRounds: number
}

function four<T> (xs: readonly T[], what: string): Four<T> {
  const [a, b, c, d] = xs
  if (xs.length !== 4 || a === undefined || b === undefined || c === undefined || d === undefined) {
    throw new Error(`the program has exactly 4 ${what}; protocols/params.ts has ${xs.length}`)
  }
  return [a, b, c, d]
}

const secs = (n: number): bigint => BigInt(n)

/** The parameter block `initialize_config` takes, from `protocols/params.ts`. */
export function configParamsFromProtocol (): ConfigParams {
  if (SLASHING.insuranceShareBps + SLASHING.burnShareBps !== 10_000) {
    throw new Error('SLASHING insurance and burn shares must add up to 100 % (the program burns the rest)')
  }
  if (SETTLEMENT.workerShareBps + SETTLEMENT.platformFeeBps !== 10_000) {
    throw new Error('SETTLEMENT worker share and platform fee must add up to 100 % (the program pays the rest)')
  }
  const w = REPUTATION.weights
  return {
    stakeTierMaxJob: four(STAKE_TIERS.map(t => t.maxJobAmount ?? U64_MAX), 'stake tiers'),
    stakeTierMinStake: four(STAKE_TIERS.map(t => t.minStake), 'stake tiers'),
    repTierMaxJob: four(REPUTATION.tiers.map(t => t.maxJobAmount ?? U64_MAX), 'reputation tiers'),
    disputeBond: DISPUTE.disputeBond,
    escrowTimeoutSecs: secs(ESCROW.timeoutSeconds),
    noProgressTimeoutSecs: secs(ESCROW.noProgressTimeoutSeconds),
    heartbeatIntervalSecs: secs(ESCROW.heartbeatIntervalSeconds),
    rateLimitWindowSecs: secs(ESCROW.rateLimitWindowSeconds),
    stakeMinLockSecs: secs(STAKE_LOCK.minLockSeconds),
    stakeLockPerActiveJobSecs: secs(STAKE_LOCK.perActiveJobSeconds),
    withdrawalCooldownSecs: secs(STAKE_LOCK.withdrawalCooldownSeconds),
    repeatedFailuresWindowSecs: secs(SLASHING.repeatedFailuresWindowSeconds),
    suspensionSecs: secs(SLASHING.suspensionSeconds),
    evidenceWindowSecs: secs(DISPUTE.evidenceWindowSeconds),
    commitWindowSecs: secs(DISPUTE.commitWindowSeconds),
    juryRevealWindowSecs: secs(DISPUTE.revealWindowSeconds),
    challengeWindowSecs: secs(PROOF.challengeWindowSeconds),
    minEscrowAmount: ESCROW.minAmount,
    minEscrowTimeoutSecs: secs(ESCROW.minTimeoutSeconds),
    repCreditMinAmount: REPUTATION.minCreditedJobAmount,
    revealWindowSecs: secs(PROOF.revealWindowSeconds),
    proveWindowSecs: secs(PROOF.proveWindowSeconds),
    platformFeeBps: SETTLEMENT.platformFeeBps,
    diamondPlatformFeeBps: SETTLEMENT.diamondPlatformFeeBps,
    cancellationFeeBps: ESCROW.cancellationFeeBps,
    timeoutSlashBps: SLASHING.timeoutBps,
    invalidProofSlashBps: SLASHING.invalidProofBps,
    fraudSlashBps: SLASHING.fraudBps,
    repeatedFailuresSlashBps: SLASHING.repeatedFailuresBps,
    slashInsuranceShareBps: SLASHING.insuranceShareBps,
    jurorRiskBps: DISPUTE.jurorRiskBps,
    clientWinsSlashToClientBps: DISPUTE.clientWinsSlashToClientBps,
    trainingTimeMinBps: ESCROW.trainingTimeMinBps,
    trainingTimeMaxBps: ESCROW.trainingTimeMaxBps,
    stakeTierSlashBps: four(STAKE_TIERS.map(t => t.slashOnFailureBps), 'stake tiers'),
    repTierMinScore: four(REPUTATION.tiers.map(t => t.minScore), 'reputation tiers'),
    repWeights: [w.completion, w.timeAccuracy, w.rating, w.proofQuality, w.uptime],
    repMaxScore: REPUTATION.maxScore,
    repMaturityJobs: REPUTATION.maturityJobs,
    jobsPerWalletPerDay: ESCROW.jobsPerWalletPerDay,
    repeatedFailuresCount: SLASHING.repeatedFailuresCount,
    jurySize: DISPUTE.jurySize,
    maxStars: REPUTATION.maxStars,
    penaltyFailedJob: REPUTATION.penalties.failedJob,
    penaltyTimeout: REPUTATION.penalties.timeout,
    penaltyInvalidProof: REPUTATION.penalties.invalidProof,
    penaltyDisputeLost: REPUTATION.penalties.disputeLost,
    rewardSuccessfulJob: REPUTATION.recoveries.successfulJob,
    rewardFiveStar: REPUTATION.recoveries.fiveStarRating,
    rewardDisputeWon: REPUTATION.recoveries.disputeWon,
    rewardUptime: REPUTATION.recoveries.uptime30Days,
    repMinRaterPaidJobs: REPUTATION.minRaterPaidJobs,
    minJurors: DISPUTE.minJurors,
    maxJuryRounds: DISPUTE.maxJuryRounds
  }
}
