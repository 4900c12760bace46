/**
 * Which cyxwiz program a process talks to: one address per process, read once from the
 * environment. `cyx chain` (genesis or not) puts the program at `DEFAULT_PROGRAM_ID`, an address
 * whose keypair nobody holds; a program deployed elsewhere with `cyx program deploy` (a devnet, a
 * cluster of one's own) lives at the public key of its own program keypair, and every peer of
 * that network runs with `CYX_PROGRAM_ID` set to it, as the Solana tools read their cluster from
 * their config rather than from each command. The program itself holds no address of its own (it
 * derives every account from the id the runtime gives it), so the same ELF serves at any address.
 *
 * An environment variable and not an option of each command: the id is read by every room that
 * talks to the program (roles, matching, the live page, the sim), as the default of each builder's
 * `programId` argument; threading an option through all of them would change nothing a peer can
 * do, since a process talks to one program. `cyx` (peer/cli/main.ts) checks the value before it
 * loads a command, so a bad one is a usage error, not a crash at import.
 */
import { PublicKey } from '@solana/web3.js'

/** Where `cyx chain` and the tests put the program. */
export const DEFAULT_PROGRAM_ID = 'FagWsGfek6a1BoXg9DpAnFFP2ya3SgB9qWFuhSgENiYD'

/** The environment variable naming the program's address. */
export const PROGRAM_ID_ENV = 'CYX_PROGRAM_ID'

/** A `CYX_PROGRAM_ID` that is not a base-58 public key. */
export class ProgramIdError extends Error {
  constructor (readonly value: string) {
    super(`${PROGRAM_ID_ENV} must be the base-58 address of a deployed cyxwiz program (got ${JSON.stringify(value)}); unset it for the default ${DEFAULT_PROGRAM_ID}`)
    this.name = 'ProgramIdError'
  }
}

/** The program's address from an environment: `CYX_PROGRAM_ID` when set and not empty, else the default. */
export function programIdFromEnv (env: Readonly<Record<string, string | undefined>>): PublicKey {
  const value = env[PROGRAM_ID_ENV]?.trim() ?? ''
  if (value === '') return new PublicKey(DEFAULT_PROGRAM_ID)
  let key: PublicKey
  try {
    key = new PublicKey(value)
  } catch {
    throw new ProgramIdError(value)
  }
  // A 32-byte value in base 58 is 32 to 44 characters; PublicKey also takes shorter strings and numbers.
  if (key.toBase58() !== value) throw new ProgramIdError(value)
  return key
}
