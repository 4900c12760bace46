/**
 * What the page shows of the chain: a transaction's instructions by name (the cyxwiz program's by
 * their Anchor discriminator, other programs by a short name), and a token balance read without side
 * effects (a missing token account is 0, never created).
 */
import { PublicKey, VersionedTransaction, type Connection } from '@solana/web3.js'
import { getAccount, getAssociatedTokenAddressSync, TokenAccountNotFoundError } from '@solana/spl-token'
import { ARGS, CYXWIZ_PROGRAM_ID, instructionDiscriminator } from '../../chain/index.js'
import { toHex } from '../../protocols/index.js'

const KNOWN_PROGRAMS: Readonly<Record<string, string>> = {
  '11111111111111111111111111111111': 'system',
  TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA: 'spl-token',
  ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL: 'associated-token',
  ComputeBudget111111111111111111111111111111: 'compute-budget'
}

let byDiscriminator: Map<string, string> | undefined
function programInstruction (data: Uint8Array): string {
  byDiscriminator ??= new Map(Object.keys(ARGS).map((n) => [toHex(instructionDiscriminator(n)), n]))
  return byDiscriminator.get(toHex(data.subarray(0, 8))) ?? 'cyxwiz:unknown'
}

/** The instructions of a transaction's wire bytes, in order, by name. */
export function instructionNames (tx: Uint8Array, programId: PublicKey = CYXWIZ_PROGRAM_ID): string[] {
  let v: VersionedTransaction
  try {
    v = VersionedTransaction.deserialize(tx)
  } catch {
    return ['(undecodable)']
  }
  const keys = v.message.staticAccountKeys
  return v.message.compiledInstructions.map((ix) => {
    const program = keys[ix.programIdIndex]
    if (program === undefined) return '(unknown program)'
    if (program.equals(programId)) return programInstruction(ix.data)
    const b58 = program.toBase58()
    return KNOWN_PROGRAMS[b58] ?? `${b58.slice(0, 8)}…`
  })
}

/** `owner`'s balance of `mint` in base units: its associated token account's, 0 when it has none. */
export async function tokenBalanceOf (connection: Connection, mint: PublicKey, owner: PublicKey): Promise<bigint> {
  try {
    return (await getAccount(connection, getAssociatedTokenAddressSync(mint, owner, true), 'confirmed')).amount
  } catch (e) {
    if (e instanceof TokenAccountNotFoundError) return 0n
    throw e
  }
}
