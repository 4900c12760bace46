/**
 * LiteSVM's transaction errors in the JSON shape a Solana RPC node returns (what @solana/web3.js
 * and Anchor parse): "BlockhashNotFound", { InstructionError: [0, { Custom: 6000 }] }, …
 * The name tables are Solana's `TransactionError` / `InstructionError` variants in declaration
 * order, which is how litesvm numbers its field-less variants.
 */
const TRANSACTION_ERRORS = [
  'AccountInUse', 'AccountLoadedTwice', 'AccountNotFound', 'ProgramAccountNotFound', 'InsufficientFundsForFee',
  'InvalidAccountForFee', 'AlreadyProcessed', 'BlockhashNotFound', 'CallChainTooDeep', 'MissingSignatureForFee',
  'InvalidAccountIndex', 'SignatureFailure', 'InvalidProgramForExecution', 'SanitizeFailure', 'ClusterMaintenance',
  'AccountBorrowOutstanding', 'WouldExceedMaxBlockCostLimit', 'UnsupportedVersion', 'InvalidWritableAccount',
  'WouldExceedMaxAccountCostLimit', 'WouldExceedAccountDataBlockLimit', 'TooManyAccountLocks', 'AddressLookupTableNotFound',
  'InvalidAddressLookupTableOwner', 'InvalidAddressLookupTableData', 'InvalidAddressLookupTableIndex',
  'InvalidRentPayingAccount', 'WouldExceedMaxVoteCostLimit', 'WouldExceedAccountDataTotalLimit',
  'MaxLoadedAccountsDataSizeExceeded', 'ResanitizationNeeded', 'InvalidLoadedAccountsDataSizeLimit',
  'UnbalancedTransaction', 'ProgramCacheHitMaxLimit', 'CommitCancelled'
] as const

const INSTRUCTION_ERRORS = [
  'GenericError', 'InvalidArgument', 'InvalidInstructionData', 'InvalidAccountData', 'AccountDataTooSmall',
  'InsufficientFunds', 'IncorrectProgramId', 'MissingRequiredSignature', 'AccountAlreadyInitialized',
  'UninitializedAccount', 'UnbalancedInstruction', 'ModifiedProgramId', 'ExternalAccountLamportSpend',
  'ExternalAccountDataModified', 'ReadonlyLamportChange', 'ReadonlyDataModified', 'DuplicateAccountIndex',
  'ExecutableModified', 'RentEpochModified', 'NotEnoughAccountKeys', 'AccountDataSizeChanged', 'AccountNotExecutable',
  'AccountBorrowFailed', 'AccountBorrowOutstanding', 'DuplicateAccountOutOfSync', 'InvalidError',
  'ExecutableDataModified', 'ExecutableLamportChange', 'ExecutableAccountNotRentExempt', 'UnsupportedProgramId',
  'CallDepth', 'MissingAccount', 'ReentrancyNotAllowed', 'MaxSeedLengthExceeded', 'InvalidSeeds', 'InvalidRealloc',
  'ComputationalBudgetExceeded', 'PrivilegeEscalation', 'ProgramEnvironmentSetupFailure', 'ProgramFailedToComplete',
  'ProgramFailedToCompile', 'Immutable', 'IncorrectAuthority', 'AccountNotRentExempt', 'InvalidAccountOwner',
  'ArithmeticOverflow', 'UnsupportedSysvar', 'IllegalOwner', 'MaxAccountsDataAllocationsExceeded', 'MaxAccountsExceeded',
  'MaxInstructionTraceLengthExceeded', 'BuiltinProgramsMustConsumeComputeUnits', 'BorshIoError'
] as const

/** A transaction error as JSON, e.g. "BlockhashNotFound" or { InstructionError: [1, { Custom: 6001 }] }. */
export type RpcTransactionError = string | Record<string, unknown>

/** Converts an error object from litesvm's `FailedTransactionMetadata.err()` to the RPC's JSON. */
export function toRpcError (err: unknown): RpcTransactionError {
  if (typeof err === 'number') return TRANSACTION_ERRORS[err] ?? `TransactionError(${err})`
  if (err !== null && typeof err === 'object') {
    const e = err as { index?: number, err?: () => unknown, accountIndex?: number, constructor: { name: string } }
    const kind = e.constructor.name
    if (kind === 'TransactionErrorInstructionError' && typeof e.err === 'function' && typeof e.index === 'number') {
      return { InstructionError: [e.index, instructionError(e.err())] }
    }
    if (kind === 'TransactionErrorDuplicateInstruction' && typeof e.index === 'number') return { DuplicateInstruction: e.index }
    if (kind === 'TransactionErrorInsufficientFundsForRent') return { InsufficientFundsForRent: { account_index: e.accountIndex ?? 0 } }
    if (kind === 'TransactionErrorProgramExecutionTemporarilyRestricted') return { ProgramExecutionTemporarilyRestricted: { account_index: e.accountIndex ?? 0 } }
  }
  return String(err)
}

function instructionError (inner: unknown): unknown {
  if (typeof inner === 'number') return INSTRUCTION_ERRORS[inner] ?? `InstructionError(${inner})`
  if (inner !== null && typeof inner === 'object') {
    const i = inner as { code?: number, msg?: string, constructor: { name: string } }
    if (i.constructor.name === 'InstructionErrorCustom' && typeof i.code === 'number') return { Custom: i.code }
    if (typeof i.msg === 'string') return { BorshIoError: i.msg }
  }
  return String(inner)
}
