/**
 * A local network's genesis and faucet, for `cyx chain --genesis`: the program deployed through
 * the BPF upgradeable loader, the CYXWIZ mint (9 decimals) and the program's `Config` created on the
 * embedded ledger if missing, with a genesis admin that is the program's upgrade authority and
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
import { BPF_LOADER_UPGRADEABLE_ID, PROGRAM_ACCOUNT_SIZE } from '../loader/instructions.js'
import { deployProgram, readDeployedProgram, upgradeProgram, type Deployment } from '../loader/deploy.js'
import { ledgerDeployRpc } from './deploy-rpc.js'
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
 * Deploys the program at `programId` through the BPF upgradeable loader, in process (the same
 * transactions `cyx program deploy` sends: a buffer, its writes, DeployWithMaxDataLen), with
 * `authority` paying and recorded as the upgrade authority. Nobody holds the keypair of the
 * cyxwiz program's fixed address, which creating its program account would need: the genesis
 * writes that account, empty and owned by the loader (`setGenesisAccount`), and the loader does
 * the rest, so the ledger holds a ProgramData account as any deployed program's.
 */
export async function deployGenesisProgram (ledger: EmbeddedLedger, o: { elf: Uint8Array, authority: Keypair, programId?: PublicKey }): Promise<Deployment> {
  const programId = o.programId ?? CYXWIZ_PROGRAM_ID
  if (ledger.getAccount(programId.toBase58()) === null) {
    ledger.setGenesisAccount(programId.toBase58(), { lamports: ledger.minimumBalanceForRentExemption(PROGRAM_ACCOUNT_SIZE), owner: BPF_LOADER_UPGRADEABLE_ID.toBase58(), data: new Uint8Array(PROGRAM_ACCOUNT_SIZE) })
  }
  return await deployProgram(ledgerDeployRpc(ledger), { payer: o.authority, program: programId, elf: o.elf })
}

export interface GenesisOptions {
  readonly programId?: PublicKey
  /**
   * The program's ELF. A ledger without the program gets it deployed through the loader
   * (`deployGenesisProgram`); one whose program the genesis admin deployed and that holds another
   * build is upgraded through the loader (`Upgrade`, signed by the admin). Without it the program
   * must be on the ledger already (loaded by LiteSVM from `LedgerOptions.programs`).
   */
  readonly elf?: Uint8Array
}

/** What `ensureGenesis` did to the program this start. */
export type GenesisProgram = 'deployed' | 'upgraded' | 'unchanged' | 'authority-recorded'

interface GenesisFile { admin: Keypair, mint: Keypair | PublicKey }

function readGenesisFile (path: string): GenesisFile | undefined {
  if (!existsSync(path)) return undefined
  const raw = JSON.parse(readFileSync(path, 'utf8')) as { admin?: unknown, mint?: unknown, mintKey?: unknown }
  if (!Array.isArray(raw.admin) || raw.admin.length !== 64 || typeof raw.mint !== 'string') throw new LedgerError(`${path} is not a genesis file`)
  const admin = Keypair.fromSecretKey(Uint8Array.from(raw.admin as number[]))
  const mint = Array.isArray(raw.mintKey) && raw.mintKey.length === 64 ? Keypair.fromSecretKey(Uint8Array.from(raw.mintKey as number[])) : new PublicKey(raw.mint)
  return { admin, mint }
}

const mintAddress = (mint: Keypair | PublicKey): PublicKey => mint instanceof Keypair ? mint.publicKey : mint

/**
 * Makes `ledger` a local network's genesis, step by step and each step only when missing, so an
 * interrupted genesis resumes where it stopped: the admin and mint keys (`<dir>/genesis.json`,
 * written first), SOL for the admin, the program (see `GenesisOptions.elf`) with the admin as its
 * upgrade authority, the CYXWIZ mint, the Config. Returns an undefined faucet when the ledger has
 * a Config but no genesis file (it was set up some other way: no faucet then).
 */
export async function ensureGenesis (ledger: EmbeddedLedger, dir: string, o: GenesisOptions = {}): Promise<{ faucet: Faucet | undefined, created: boolean, program: GenesisProgram }> {
  const programId = o.programId ?? CYXWIZ_PROGRAM_ID
  const path = join(dir, GENESIS_FILE)
  assertCurrentLayout(ledger, programId)
  const config = ledger.getAccount(configPda(programId).address.toBase58())
  let saved = readGenesisFile(path)
  if (saved === undefined && config !== null) return { faucet: undefined, created: false, program: 'unchanged' }
  if (saved !== undefined && config !== null && !decodeConfig(config.data).mint.equals(mintAddress(saved.mint))) throw new LedgerError(`${path} names mint ${mintAddress(saved.mint).toBase58()}, the Config another`)
  if (saved === undefined) {
    const mint = Keypair.generate()
    saved = { admin: Keypair.generate(), mint }
    const tmp = `${path}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify({ admin: Array.from(saved.admin.secretKey), mint: mint.publicKey.toBase58(), mintKey: Array.from(mint.secretKey) }), { mode: 0o600, flag: 'wx' })
    renameSync(tmp, path)
  }
  const { admin } = saved
  const mint = mintAddress(saved.mint)
  if ((ledger.getAccount(admin.publicKey.toBase58())?.lamports ?? 0n) < 100n * BigInt(LAMPORTS_PER_SOL)) ledger.airdrop(admin.publicKey.toBase58(), 1_000n * BigInt(LAMPORTS_PER_SOL))
  const program = await genesisProgram(ledger, admin, programId, o.elf)
  if (ledger.getAccount(mint.toBase58()) === null) {
    if (!(saved.mint instanceof Keypair)) throw new LedgerError(`${path} names mint ${mint.toBase58()}, which this ledger lacks, and not its key (start over with --reset)`)
    send(ledger, [
      SystemProgram.createAccount({ fromPubkey: admin.publicKey, newAccountPubkey: mint, space: MINT_SIZE, lamports: Number(ledger.minimumBalanceForRentExemption(MINT_SIZE)), programId: TOKEN_PROGRAM_ID }),
      createInitializeMint2Instruction(mint, 9, admin.publicKey, null)
    ], [admin, saved.mint])
  }
  const created = config === null
  if (created) send(ledger, [initializeConfig({ admin: admin.publicKey, mint }, configParamsFromProtocol(), programId)], [admin])
  ledger.flush()
  return { faucet: { admin, mint }, created, program }
}

/** The program step of `ensureGenesis`: the genesis admin its upgrade authority, `elf` its code. */
async function genesisProgram (ledger: EmbeddedLedger, admin: Keypair, programId: PublicKey, elf: Uint8Array | undefined): Promise<GenesisProgram> {
  const rpc = ledgerDeployRpc(ledger)
  const deployed = await readDeployedProgram(rpc, programId)
  if (deployed === undefined) {
    if (elf === undefined) throw new LedgerError(`no program at ${programId.toBase58()} on this ledger, and no ELF to deploy`)
    await deployGenesisProgram(ledger, { elf, authority: admin, programId })
    return 'deployed'
  }
  if (deployed.upgradeAuthority === undefined) {
    // LiteSVM loaded the program at this start (`LedgerOptions.programs`), with no upgrade
    // authority: record the genesis admin, as the deployment it stands for would have.
    ledger.setUpgradeAuthority(programId.toBase58(), admin.publicKey.toBase58())
    return 'authority-recorded'
  }
  if (deployed.upgradeAuthority !== admin.publicKey.toBase58()) throw new LedgerError(`program ${programId.toBase58()} has upgrade authority ${deployed.upgradeAuthority}, not this genesis's admin ${admin.publicKey.toBase58()}`)
  if (elf === undefined || sameElf(deployed.elf, elf)) return 'unchanged'
  // Another build of the program: upgraded through the loader, as its authority would upgrade it.
  await upgradeProgram(rpc, { payer: admin, program: programId, elf })
  return 'upgraded'
}

/** The ProgramData's ELF (zero-padded to its room) holds `elf` exactly. */
function sameElf (held: Uint8Array, elf: Uint8Array): boolean {
  return held.length >= elf.length && Buffer.from(held.subarray(0, elf.length)).equals(Buffer.from(elf)) && held.subarray(elf.length).every((b) => b === 0)
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
