/** The door of the ledger room: LiteSVM with the cyxwiz program and the SPL programs loaded. */
export { Ledger } from './ledger.js'
export type { TxResult, AccountState, LedgerOptions } from './ledger.js'
