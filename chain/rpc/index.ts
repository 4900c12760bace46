/**
 * The embedded ledger (LiteSVM with the real SPL programs, persisted to a directory) and the
 * Solana JSON-RPC server that lets peers in other processes share it.
 */
export { EmbeddedLedger, LedgerError, RpcRefusal, BLOCKHASH_VALIDITY, BLOCKHASH_VALIDITY_SECONDS, FEE_PER_SIGNATURE } from './ledger.js'
export type { LedgerOptions, ProgramToLoad, TxRecord, SimulationResult, AccountView } from './ledger.js'
export { LedgerRpcServer, AIRDROP_LIMITS, isLoopbackAuthority } from './server.js'
export { assertCurrentLayout, deployGenesisProgram, ensureGenesis, runFaucet, FAUCET_MAX_LAMPORTS, FAUCET_MAX_UNITS, GENESIS_FILE } from './genesis.js'
export type { Faucet, FaucetResult, GenesisOptions, GenesisProgram } from './genesis.js'
export { ledgerDeployRpc } from './deploy-rpc.js'
export type { RpcServerOptions } from './server.js'
export { toRpcError } from './errors.js'
export type { RpcTransactionError } from './errors.js'
