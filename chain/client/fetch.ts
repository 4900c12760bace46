/**
 * The program's accounts read through any Solana JSON-RPC endpoint (`cyx chain`'s embedded ledger,
 * a test validator, a cluster), and transactions sent and confirmed: the one place peers, the CLI
 * and the sim read Config, Node, Escrow and Dispute accounts (issue 16), so the checks every reader
 * needs — the account exists, the program owns it, it decodes as the kind asked for — are written once.
 *
 * An account that is absent, or owned by another program (an award or a command line may name any
 * address), reads as `undefined`. A program-owned account that does not decode as the kind asked for throws
 * `AccountKindError`: that is a wrong address, not an empty one.
 */
import { Transaction, sendAndConfirmTransaction, type Connection, type Keypair, type PublicKey, type TransactionInstruction } from '@solana/web3.js'
import { ACCOUNT_SIZE, decodeConfig, decodeDispute, decodeEscrow, decodeNode, decodeVote, type ConfigAccount, type DisputeAccount, type EscrowAccount, type NodeAccount, type VoteAccount } from './accounts.js'
import { accountDiscriminator } from './discriminator.js'
import { CYXWIZ_PROGRAM_ID } from './instructions.js'
import { configPda, nodePda, votePda } from './pda.js'

/** What reading accounts needs of a web3.js `Connection`. */
export type AccountReader = Pick<Connection, 'getAccountInfo'>

/** A program-owned account that is not the kind the reader asked for. */
export class AccountKindError extends Error {
  readonly address: string
  constructor (kind: string, address: PublicKey, cause: unknown) {
    super(`the account at ${address.toBase58()} is not a cyxwiz ${kind} account: ${cause instanceof Error ? cause.message : String(cause)}`)
    this.name = 'AccountKindError'
    this.address = address.toBase58()
  }
}

async function fetchDecoded<T> (rpc: AccountReader, address: PublicKey, kind: string, decode: (data: Uint8Array) => T, programId: PublicKey): Promise<T | undefined> {
  const info = await rpc.getAccountInfo(address, 'confirmed')
  if (info === null || !info.owner.equals(programId)) return undefined
  try {
    return decode(info.data)
  } catch (e) {
    throw new AccountKindError(kind, address, e)
  }
}

/** The program's Config (its PDA), or undefined when the program is not initialised on this ledger. */
export async function fetchConfig (rpc: AccountReader, programId: PublicKey = CYXWIZ_PROGRAM_ID): Promise<ConfigAccount | undefined> {
  return await fetchDecoded(rpc, configPda(programId).address, 'Config', decodeConfig, programId)
}

/** The Node account of `owner` (its PDA), or undefined when it never registered. */
export async function fetchNode (rpc: AccountReader, owner: PublicKey, programId: PublicKey = CYXWIZ_PROGRAM_ID): Promise<NodeAccount | undefined> {
  return await fetchDecoded(rpc, nodePda(programId, owner).address, 'Node', decodeNode, programId)
}

/** The Escrow at `address`, or undefined when there is none of the program's there. */
export async function fetchEscrow (rpc: AccountReader, address: PublicKey, programId: PublicKey = CYXWIZ_PROGRAM_ID): Promise<EscrowAccount | undefined> {
  return await fetchDecoded(rpc, address, 'Escrow', decodeEscrow, programId)
}

/** The Dispute at `address`, or undefined when there is none of the program's there. */
export async function fetchDispute (rpc: AccountReader, address: PublicKey, programId: PublicKey = CYXWIZ_PROGRAM_ID): Promise<DisputeAccount | undefined> {
  return await fetchDecoded(rpc, address, 'Dispute', decodeDispute, programId)
}

/**
 * Every Dispute account of the program (one `getProgramAccounts`, filtered by the account's size and
 * discriminator): what a juror watches for the rounds it is drawn for (peer/roles/worker/juror-duty.ts).
 */
export async function fetchDisputes (rpc: Pick<Connection, 'getProgramAccounts'>, programId: PublicKey = CYXWIZ_PROGRAM_ID): Promise<Array<{ readonly address: PublicKey, readonly data: DisputeAccount }>> {
  const found = await rpc.getProgramAccounts(programId, {
    commitment: 'confirmed',
    filters: [{ dataSize: ACCOUNT_SIZE.Dispute }, { memcmp: { offset: 0, bytes: Buffer.from(accountDiscriminator('Dispute')).toString('base64'), encoding: 'base64' } }]
  })
  return found.map(({ pubkey, account }) => {
    try {
      return { address: pubkey, data: decodeDispute(account.data) }
    } catch (e) {
      throw new AccountKindError('Dispute', pubkey, e)
    }
  })
}

/** The `Vote` of `juror` in `round` of `dispute`, or undefined (never committed, or settled and closed). */
export async function fetchVote (rpc: AccountReader, dispute: PublicKey, juror: PublicKey, round: number, programId: PublicKey = CYXWIZ_PROGRAM_ID): Promise<VoteAccount | undefined> {
  return await fetchDecoded(rpc, votePda(programId, dispute, juror, round).address, 'Vote', decodeVote, programId)
}

/** Sends one transaction of `ixs` signed by `signers` (the first pays) and waits until it is confirmed. */
export async function sendAndConfirm (connection: Connection, ixs: TransactionInstruction[], signers: Keypair[]): Promise<string> {
  return await sendAndConfirmTransaction(connection, new Transaction().add(...ixs), signers, { commitment: 'confirmed' })
}
