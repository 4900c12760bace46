/**
 * A local network's genesis and faucet, for `cyx chain --genesis`: the CYXWIZ mint (9 decimals)
 * and the program's `Config` created on the embedded ledger if missing, with a genesis admin that
 * holds the mint authority. The admin's key stays in the ledger's directory (`genesis.json`,
 * 0600), so a restarted `cyx chain --genesis` keeps its faucet. The faucet (`cyx_faucet`, served
 * only by a ledger started this way) mints CYXWIZ and airdrops SOL to an address: local networks
 * only, bounded per call.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  MINT_SIZE, TOKEN_PROGRAM_ID, createAssociatedTokenAccountIdempotentInstruction, createInitializeMint2Instruction,
  createMintToInstruction, getAssociatedTokenAddressSync
} from '@solana/spl-token'
import { Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram, Transaction, type TransactionInstruction } from '@solana/web3.js'
import { ACCOUNT_SIZE, decodeConfig } from '../client/accounts.js'
import { accountDiscriminator, sameBytes } from '../client/discriminator.js'
import type { AccountName } from '../client/layout.js'
import { initializeConfig } from '../client/instructions.js'
import { configParamsFromProtocol } from '../client/params.js'
import { configPda } from '../client/pda.js'
import { CYXWIZ_PROGRAM_ID } from '../client/instructions.js'
import { LedgerError, type EmbeddedLedger } from './ledger.js'

export const GENESIS_FILE = 'genesis.json'
/** Most one faucet call mints: 1,000,000 CYXWIZ (base units, 9 decimals). */
export const FAUCET_MAX_UNITS = 1_000_000n * 1_000_000_000n
/** Most SOL one faucet call airdrops, lamports. */
export const FAUCET_MAX_LAMPORTS = 100n * BigInt(LAMPORTS_PER_SOL)

export interface Faucet {
  readonly admin: Keypair
  readonly mint: PublicKey
}

export interface FaucetResult {
  readonly tokenAccount: string
  readonly units: string
  readonly lamports: string
  readonly signatures: string[]
}

function send (ledger: EmbeddedLedger, ixs: TransactionInstruction[], signers: Keypair[]): string {
  const tx = new Transaction({ feePayer: signers[0]!.publicKey, recentBlockhash: ledger.latestBlockhash().blockhash }).add(...ixs)
  tx.sign(...signers)
  const r = ledger.send(tx.serialize())
  if (r.err !== null) throw new LedgerError(`genesis transaction failed: ${JSON.stringify(r.err)}\n${r.logs.join('\n')}`)
  return r.signature
}

/**
 * Refuses a ledger saved by a build whose program accounts have another layout: its accounts would
 * fail to decode one by one, far from the cause (each layout change of the program so far changed
 * an account's size). Every account the program owns must carry a discriminator this build knows
 * and that kind's size. Says what to do instead.
 */
export function assertCurrentLayout (ledger: EmbeddedLedger, programId = CYXWIZ_PROGRAM_ID): void {
  const kinds = (Object.keys(ACCOUNT_SIZE) as AccountName[]).map((name) => ({ name, disc: accountDiscriminator(name), size: ACCOUNT_SIZE[name] }))
  for (const { pubkey, account } of ledger.getProgramAccounts(programId.toBase58())) {
    if (account.executable) continue
    const kind = kinds.find((k) => account.data.length >= 8 && sameBytes(account.data.subarray(0, 8), k.disc))
    const problem = kind === undefined
      ? `account ${pubkey} is of a kind this build does not know`
      : kind.size === account.data.length ? undefined : `its ${kind.name} ${pubkey} is ${account.data.length} bytes, this build's ${kind.size}`
    if (problem === undefined) continue
    throw new LedgerError(
      `this ledger was saved by another build of the cyxwiz program: ${problem}. ` +
      (ledger.dir === undefined ? 'Start a new ledger.' : `Start a new one: "cyx chain --reset --genesis --ledger ${ledger.dir}" (this erases it) or use another --ledger DIR.`)
    )
  }
}

/**
 * Makes `ledger` a local network's genesis: loads the faucet from `<dir>/genesis.json`, or, when
 * the program has no Config yet, creates the admin, the CYXWIZ mint and the Config. Returns
 * undefined when the ledger has a Config but no genesis file (it was set up some other way: no
 * faucet then).
 */
export function ensureGenesis (ledger: EmbeddedLedger, dir: string, programId = CYXWIZ_PROGRAM_ID): { faucet: Faucet | undefined, created: boolean } {
  const path = join(dir, GENESIS_FILE)
  assertCurrentLayout(ledger, programId)
  const config = ledger.getAccount(configPda(programId).address.toBase58())
  if (existsSync(path)) {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as { admin?: unknown, mint?: unknown }
    if (!Array.isArray(raw.admin) || raw.admin.length !== 64 || typeof raw.mint !== 'string') throw new LedgerError(`${path} is not a genesis file`)
    const faucet = { admin: Keypair.fromSecretKey(Uint8Array.from(raw.admin as number[])), mint: new PublicKey(raw.mint) }
    if (config !== null && !decodeConfig(config.data).mint.equals(faucet.mint)) throw new LedgerError(`${path} names mint ${faucet.mint.toBase58()}, the Config another`)
    if (config !== null) {
      // LiteSVM reloads the program at every start with no upgrade authority: record the genesis
      // admin again, as the deployment it stands for did.
      ledger.setUpgradeAuthority(programId.toBase58(), faucet.admin.publicKey.toBase58())
      return { faucet, created: false }
    }
  } else if (config !== null) {
    return { faucet: undefined, created: false }
  }
  const admin = Keypair.generate()
  const mint = Keypair.generate()
  ledger.airdrop(admin.publicKey.toBase58(), 1_000n * BigInt(LAMPORTS_PER_SOL))
  // The genesis admin is the program's upgrade authority (initialize_config requires it).
  ledger.setUpgradeAuthority(programId.toBase58(), admin.publicKey.toBase58())
  send(ledger, [
    SystemProgram.createAccount({ fromPubkey: admin.publicKey, newAccountPubkey: mint.publicKey, space: MINT_SIZE, lamports: Number(ledger.minimumBalanceForRentExemption(MINT_SIZE)), programId: TOKEN_PROGRAM_ID }),
    createInitializeMint2Instruction(mint.publicKey, 9, admin.publicKey, null)
  ], [admin, mint])
  send(ledger, [initializeConfig({ admin: admin.publicKey, mint: mint.publicKey }, configParamsFromProtocol(), programId)], [admin])
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify({ admin: Array.from(admin.secretKey), mint: mint.publicKey.toBase58() }), { mode: 0o600, flag: 'wx' })
  renameSync(tmp, path)
  ledger.flush()
  return { faucet: { admin, mint: mint.publicKey }, created: true }
}

/** Mints `units` CYXWIZ (to the owner's associated token account, created if missing) and airdrops `lamports`. */
export function runFaucet (ledger: EmbeddedLedger, faucet: Faucet, owner: PublicKey, units: bigint, lamports: bigint): FaucetResult {
  if (units < 0n || units > FAUCET_MAX_UNITS) throw new LedgerError(`the faucet mints 0..${FAUCET_MAX_UNITS} base units a call`)
  if (lamports < 0n || lamports > FAUCET_MAX_LAMPORTS) throw new LedgerError(`the faucet airdrops 0..${FAUCET_MAX_LAMPORTS} lamports a call`)
  const signatures: string[] = []
  if (lamports > 0n) signatures.push(ledger.airdrop(owner.toBase58(), lamports).signature)
  const ata = getAssociatedTokenAddressSync(faucet.mint, owner, true)
  const { admin, mint } = faucet
  const ixs: TransactionInstruction[] = [createAssociatedTokenAccountIdempotentInstruction(admin.publicKey, ata, owner, mint)]
  if (units > 0n) ixs.push(createMintToInstruction(mint, ata, admin.publicKey, units))
  // The admin pays the fees; top it up when it runs low.
  if ((ledger.getAccount(admin.publicKey.toBase58())?.lamports ?? 0n) < BigInt(LAMPORTS_PER_SOL)) ledger.airdrop(admin.publicKey.toBase58(), 100n * BigInt(LAMPORTS_PER_SOL))
  signatures.push(send(ledger, ixs, [admin]))
  return { tokenAccount: ata.toBase58(), units: String(units), lamports: String(lamports), signatures }
}
