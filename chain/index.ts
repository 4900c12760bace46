/**
 * The chain room: the cyxwiz Solana program (sources in program/, built to program/build/), its
 * TypeScript client, its deployment through the upgradeable loader, and the embedded ledger served as Solana JSON-RPC.
 */
import { fileURLToPath } from 'node:url'
export * from './rpc/index.js'
export * from './client/index.js'
export * from './loader/index.js'

/** Where `npm run setup` (scripts/build-program.ts) writes the program. */
export const PROGRAM_SO_PATH = fileURLToPath(new URL('./program/build/cyxwiz.so', import.meta.url))
