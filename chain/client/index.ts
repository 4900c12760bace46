/**
 * The door of the chain client room: PDAs, instruction builders, account and event decoding
 * and error codes for the cyxwiz program (`chain/program`).
 */
export { CYXWIZ_PROGRAM_ID, initializeConfig, registerNode, createEscrow, complete } from './instructions.js'
export type { InitializeConfigAccounts, RegisterNodeAccounts, CreateEscrowAccounts, CreateEscrowArgs, CompleteAccounts } from './instructions.js'
export { configPda, vaultPda, nodePda, escrowPda, escrowVaultPda, u64le } from './pda.js'
export type { Pda, VaultKind } from './pda.js'
export { configParamsFromProtocol, U64_MAX } from './params.js'
export type { ConfigParams } from './params.js'
export { decodeConfig, decodeNode, decodeEscrow, decodeConfigParams, ACCOUNT_SIZE } from './accounts.js'
export type { ConfigAccount, NodeAccount, EscrowAccount } from './accounts.js'
export { parseEvents } from './events.js'
export type { ProgramEvent } from './events.js'
export { PROGRAM_ERRORS, errorName, customErrorFromLogs } from './errors.js'
export type { ProgramErrorName } from './errors.js'
export { instructionDiscriminator, accountDiscriminator, eventDiscriminator } from './discriminator.js'
export { CONFIG_PARAMS, CONFIG, NODE, ESCROW, EVENTS, ARGS, NODE_STATUS, ESCROW_STATE, encode, decode, layoutSize } from './layout.js'
export type { Layout, FieldType, Scalar } from './layout.js'
