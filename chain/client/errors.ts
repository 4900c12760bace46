/**
 * The program's error codes (mirror of `chain/program/src/error.rs`): Anchor framework codes for
 * structural checks, 6000+ for the program's own.
 */
export const PROGRAM_ERRORS = {
  InstructionMissing: 100,
  InstructionFallbackNotFound: 101,
  InstructionDidNotDeserialize: 102,
  ConstraintMut: 2000,
  ConstraintHasOne: 2001,
  ConstraintOwner: 2004,
  ConstraintSeeds: 2006,
  ConstraintAddress: 2012,
  ConstraintTokenMint: 2014,
  ConstraintTokenOwner: 2015,
  ConstraintMintDecimals: 2018,
  AccountDiscriminatorMismatch: 3002,
  AccountDidNotDeserialize: 3003,
  AccountNotEnoughKeys: 3005,
  AccountOwnedByWrongProgram: 3007,
  InvalidProgramId: 3008,
  AccountNotSigner: 3010,
  InvalidParameters: 6000,
  StakeBelowMinimum: 6001,
  ArithmeticOverflow: 6002,
  DuplicateAccount: 6003,
  UnsupportedRent: 6004,
  AccountAlreadyInitialized: 6005,
  ZeroAmount: 6006,
  NodeNotActive: 6007,
  InsufficientStakeForJob: 6008,
  ReputationTierTooLow: 6009,
  InvalidEscrowState: 6010,
  InvalidTimeout: 6011,
  RateLimited: 6012,
  InvalidMint: 6013,
  SelfDealing: 6014,
  CpiFailed: 6015,
  InvalidEstimate: 6016,
  InvalidEpoch: 6017,
  DeadlineNotReached: 6018,
  AlreadyRated: 6019,
  InvalidStars: 6020,
  UnstakeNotRequested: 6021,
  UnstakeAlreadyRequested: 6022,
  ActiveJobs: 6023,
  StakeLocked: 6024,
  HeartbeatTooSoon: 6025,
  Unauthorized: 6026,
  EscrowNotFinished: 6027,
  NotAParty: 6028,
  EvidenceWindowClosed: 6029,
  VotingNotOpen: 6030,
  VotingNotEnded: 6031,
  InvalidSide: 6032,
  InvalidDisputeState: 6033,
  DeadlinePassed: 6034,
  InvalidProof: 6035,
  InvalidVerifyingKey: 6036,
  InvalidTier: 6037,
  ChallengeNotReady: 6038,
  ChallengeExpired: 6039,
  ChallengeAlreadyDrawn: 6040,
  InvalidInclusion: 6041,
  NonCanonicalField: 6042,
  ProofRequired: 6043,
  AppealWindowClosed: 6044,
  AlreadyAppealed: 6045,
  AppealWindowOpen: 6046,
  NotDelivered: 6047,
  ChallengeWindowOpen: 6048,
  AlreadyDelivered: 6049,
  VotesOutstanding: 6050,
  VerifyingKeyChanged: 6051,
  VerifyingKeyNotSet: 6052,
  FinalRootNotAnchored: 6053,
  InvalidDataCommitment: 6054,
  WeightsHashMismatch: 6055,
  NotAccepted: 6056,
  AlreadyAccepted: 6057,
  AmountBelowMinimum: 6058,
  VerifyingKeyImmutable: 6059,
  InvalidChallengeCommitment: 6060,
  InvalidChallengeSecret: 6061,
  RevealWindowOpen: 6062,
  ChallengeNotDrawn: 6063,
  WeightsNotCommitted: 6064,
  JuryNotDrawn: 6065,
  JuryAlreadyDrawn: 6066,
  NotDrawn: 6067,
  NotEligible: 6068,
  CommitWindowClosed: 6069,
  InvalidReveal: 6070,
  AlreadyRevealed: 6071,
  NoPendingAdmin: 6080,
  NotATreasuryVault: 6081,
  InsufficientTreasury: 6082,
  NotUpgradeAuthority: 6100,
  MintHasFreezeAuthority: 6101,
  EpochExceedsNoProgressTimeout: 6102,
  WorkerNotStalled: 6103,
  InvalidNewWorker: 6104
} as const

export type ProgramErrorName = keyof typeof PROGRAM_ERRORS

const BY_CODE = new Map<number, ProgramErrorName>(
  Object.entries(PROGRAM_ERRORS).map(([name, code]) => [code, name as ProgramErrorName]))

export const errorName = (code: number): ProgramErrorName | undefined => BY_CODE.get(code)

/**
 * The custom error code of the first failing program in transaction logs
 * ("Program X failed: custom program error: 0x1770"), or undefined.
 */
export function customErrorFromLogs (logs: readonly string[]): number | undefined {
  for (const line of logs) {
    const m = /failed: custom program error: 0x([0-9a-fA-F]+)/.exec(line)
    if (m?.[1] !== undefined) return parseInt(m[1], 16)
  }
  return undefined
}
