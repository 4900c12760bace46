/**
 * The door of the chain client room: PDAs, instruction builders, account and event decoding,
 * error codes and the Anchor IDL for the cyxwiz program (`chain/program`).
 */
export {
  CYXWIZ_PROGRAM_ID, INSTRUCTION_ACCOUNTS, FIXED_ADDRESSES, buildInstruction, cidBytes, initializeConfig, updateConfig,
  registerNode, heartbeat, requestUnstake, withdrawStake, createEscrow, anchorProgress, complete, cancel, timeoutRefund,
  rateWorker, closeEscrow, openDispute, submitEvidence, drawJury, commitVote, revealVote, withdrawVote, resolveDispute, setVerifyingKey, verifyProof,
  drawChallenge, completeZk, slashInvalidProof, VERIFYING_KEY_CHUNK, finalizeDispute, closeDispute, submitDelivery,
  claimPayment, acceptJob, revealChallenge, proposeAdmin, acceptAdmin, setGovernance, withdrawTreasury, handOver
} from './instructions.js'
export type {
  AccountFlags, AccountList, InitializeConfigAccounts, RegisterNodeAccounts, NodeOwnerAccounts, CreateEscrowAccounts,
  CreateEscrowArgs, CompleteAccounts, SettleAccounts, TimeoutRefundAccounts, OpenDisputeAccounts, JurorAccounts,
  ResolveDisputeAccounts, FinalizeDisputeAccounts, CompleteZkAccounts, CompleteZkArgs, WithdrawTreasuryAccounts, HandOverAccounts
} from './instructions.js'
export { DEFAULT_PROGRAM_ID, PROGRAM_ID_ENV, ProgramIdError, programIdFromEnv } from './program-id.js'
export {
  configPda, vaultPda, nodePda, escrowPda, escrowVaultPda, clientStatePda, disputePda, voteVaultPda, votePda, verifyingKeyPda, programDataPda, u64le
} from './pda.js'
export type { Pda, VaultKind } from './pda.js'
export { configParamsFromProtocol, U64_MAX } from './params.js'
export type { ConfigParams } from './params.js'
export {
  decodeAccount, decodeConfig, decodeNode, decodeEscrow, decodeClientState, decodeDispute, decodeVote, decodeVerifyingKey, reputationRecordOf,
  ACCOUNT_SIZE
} from './accounts.js'
export type { ConfigAccount, NodeAccount, EscrowAccount, ClientStateAccount, DisputeAccount, VoteAccount, VerifyingKeyAccount } from './accounts.js'
export { fetchConfig, fetchNode, fetchEscrow, fetchDispute, fetchDisputes, fetchVote, sendAndConfirm, AccountKindError } from './fetch.js'
export type { AccountReader } from './fetch.js'
export { parseEvents } from './events.js'
export type { ProgramEvent } from './events.js'
export { PROGRAM_ERRORS, errorName, customErrorFromLogs } from './errors.js'
export type { ProgramErrorName } from './errors.js'
export { instructionDiscriminator, accountDiscriminator, eventDiscriminator } from './discriminator.js'
export {
  CONFIG_PARAMS, CONFIG, NODE, ESCROW, CLIENT_STATE, DISPUTE, VOTE, ACCOUNTS, EVENTS, ARGS, NODE_STATUS, ESCROW_STATE,
  TERMINAL_ESCROW_STATES, SIDE, DISPUTE_STATE, TIER, VERIFYING_KEY, VK_MAX_PUBLIC, VK_MAX_BYTES, encode, decode, layoutSize, fieldOffset
} from './layout.js'
export {
  escrowField, challengeStep, revealedChallengeStep, challengeCommitment, revealDeadline, undrawnExpiry, stepPublicInputs, lastLeafSiblings,
  STEP_PUBLIC_INPUTS
} from './zk.js'
export type { Layout, FieldType, Scalar, Defined, AccountName, EventName, InstructionName, Decoded } from './layout.js'
export { generateIdl } from './idl.js'
export type { Idl } from './idl.js'
