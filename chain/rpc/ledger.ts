/**
 * The embedded ledger: one LiteSVM (the real SVM with the real SPL Token, Associated Token and
 * System programs) plus what a Solana node keeps around it and LiteSVM does not — a clock that
 * follows wall time, rotating blockhashes with a validity window, a transaction history with
 * wire bytes and balances (for getTransaction), and persistence to a directory.
 *
 * Blockhashes: LiteSVM accepts only its single latest blockhash, and a repeated identical
 * transaction needs a new one. We turn LiteSVM's check off and keep our own window instead: every
 * processed transaction rotates the blockhash and advances the slot by one; a blockhash stays
 * valid for `BLOCKHASH_VALIDITY` slots, as on a real cluster, or for `BLOCKHASH_VALIDITY_SECONDS`
 * of ledger time, whichever is longer. The second rule exists because slots here advance with
 * transactions, not with time: on a cluster 150 slots take about a minute, and clients rely on that
 * (@solana/web3.js reuses a blockhash for 30 s), while here a burst of 150 transactions — a program
 * deployment's writes, a large simulated network's set-up — would expire it within a second.
 * Duplicate signatures are refused with AlreadyProcessed.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, appendFileSync, rmSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { LiteSVM, FailedTransactionMetadata, type TransactionMetadata } from 'litesvm'
import { address as toAddress, getBase58Decoder, getCompiledTransactionMessageDecoder, getTransactionDecoder, lamports as toLamports, type Address } from '@solana/kit'
import { PublicKey } from '@solana/web3.js'
import { BPF_LOADER_UPGRADEABLE_ID, programDataPda } from '../client/pda.js'
import { toRpcError, type RpcTransactionError } from './errors.js'

/** Slots a blockhash stays valid for (as on mainnet: 150). */
export const BLOCKHASH_VALIDITY = 150
/** Ledger seconds a blockhash stays valid for at least: what 150 slots of 400 ms take on a cluster. */
export const BLOCKHASH_VALIDITY_SECONDS = 60
/** Lamports per signature, as LiteSVM charges. */
export const FEE_PER_SIGNATURE = 5_000

export interface ProgramToLoad {
  readonly programId: string
  readonly path: string
  /**
   * The upgrade authority its ProgramData records. LiteSVM loads a program under the upgradeable
   * loader with none (immutable); a ledger standing in for a deployment names the key a real
   * deployment (`cyx program deploy`, chain/loader) would have recorded.
   */
  readonly upgradeAuthority?: string
}

export interface LedgerOptions {
  /** Directory to persist to; omitted → in memory only. */
  readonly dir?: string
  /** Programs (re)loaded at open, so a rebuilt .so takes effect on restart. */
  readonly programs?: readonly ProgramToLoad[]
  /** Start from an empty ledger even if `dir` holds one. */
  readonly reset?: boolean
  /** Wall clock, Unix milliseconds (injectable for tests). */
  readonly now?: () => number
}

export interface TxRecord {
  readonly signature: string
  readonly slot: number
  readonly blockTime: number
  /** The transaction's wire bytes; null for airdrops (LiteSVM makes those internally). */
  readonly tx: Uint8Array | null
  readonly err: RpcTransactionError | null
  readonly logs: readonly string[]
  readonly computeUnits: number
  readonly fee: number
  readonly preBalances: readonly number[]
  readonly postBalances: readonly number[]
}

export interface SimulationResult {
  readonly err: RpcTransactionError | null
  readonly logs: readonly string[]
  readonly unitsConsumed: number
}

export interface AccountView {
  readonly lamports: bigint
  readonly owner: string
  readonly data: Uint8Array
  readonly executable: boolean
}

interface Meta {
  clockOffsetSeconds: number
  /** Blockhashes issued: hash, slot, ledger Unix time (absent in ledgers saved before it was kept). */
  recent: Array<[string, number, number?]>
}

const b58 = getBase58Decoder()
const txDecoder = getTransactionDecoder()
const messageDecoder = getCompiledTransactionMessageDecoder()

export class LedgerError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'LedgerError'
  }
}

export class EmbeddedLedger {
  readonly dir: string | undefined
  #svm: LiteSVM
  #meta: Meta
  readonly #history = new Map<string, TxRecord>()
  readonly #listeners = new Set<(r: TxRecord) => void>()
  readonly #now: () => number
  #saveTimer: NodeJS.Timeout | undefined

  private constructor (svm: LiteSVM, meta: Meta, dir: string | undefined, now: () => number) {
    this.#svm = svm
    this.#meta = meta
    this.dir = dir
    this.#now = now
  }

  static open (opts: LedgerOptions = {}): EmbeddedLedger {
    const now = opts.now ?? Date.now
    const dir = opts.dir
    if (dir !== undefined && opts.reset === true) rmSync(dir, { recursive: true, force: true })
    if (dir !== undefined) mkdirSync(dir, { recursive: true })
    const snapshot = dir === undefined ? undefined : join(dir, 'ledger.bin')
    let svm: LiteSVM
    let meta: Meta = { clockOffsetSeconds: 0, recent: [] }
    if (snapshot !== undefined && existsSync(snapshot)) {
      svm = LiteSVM.loadFromFile(snapshot)
      meta = JSON.parse(readFileSync(join(dir as string, 'meta.json'), 'utf8')) as Meta
    } else {
      svm = new LiteSVM()
    }
    svm = svm.withBlockhashCheck(false).withTransactionHistory(0n)
    const ledger = new EmbeddedLedger(svm, meta, dir, now)
    for (const p of opts.programs ?? []) {
      if (!existsSync(p.path)) throw new LedgerError(`program ${p.programId}: ${p.path} does not exist (run npm run setup to build it)`)
      svm.addProgramFromFile(toAddress(p.programId), p.path)
      if (p.upgradeAuthority !== undefined) ledger.setUpgradeAuthority(p.programId, p.upgradeAuthority)
    }
    if (dir !== undefined) ledger.#loadHistory(join(dir, 'transactions.jsonl'))
    ledger.#tick()
    if (ledger.#meta.recent.length === 0) ledger.#meta.recent.push([svm.latestBlockhash(), ledger.slot, ledger.unixTime])
    ledger.flush()
    return ledger
  }

  /**
   * Rewrites the upgrade authority recorded in the ProgramData of `programId` (undefined: none, the
   * program immutable), as a deployment with that authority would have left it. The ELF is untouched.
   */
  setUpgradeAuthority (programId: string, authority: string | undefined): void {
    const programData = programDataPda(new PublicKey(programId)).address
    const a = this.#svm.getAccount(toAddress(programData.toBase58()))
    if (!a.exists || a.programAddress !== BPF_LOADER_UPGRADEABLE_ID.toBase58()) throw new LedgerError(`program ${programId} has no ProgramData under the upgradeable loader`)
    const data = Uint8Array.from(a.data)
    data[12] = authority === undefined ? 0 : 1
    data.set(authority === undefined ? new Uint8Array(32) : new PublicKey(authority).toBytes(), 13)
    this.#svm.setAccount({ ...a, data })
  }

  /**
   * Writes an account no transaction could create here, as a cluster's genesis does (what
   * `solana-test-validator --account` loads): `cyx chain --genesis` reserves the empty program
   * account at the cyxwiz program's fixed address this way, since nobody holds that address's
   * keypair to sign its creation. Refuses an address that already holds an account.
   */
  setGenesisAccount (addr: string, a: { lamports: bigint, owner: string, data: Uint8Array }): void {
    if (this.getAccount(addr) !== null) throw new LedgerError(`genesis account ${addr} already exists`)
    this.#svm.setAccount({ address: toAddress(addr), lamports: toLamports(a.lamports), programAddress: toAddress(a.owner), data: a.data, executable: false, space: BigInt(a.data.length) })
  }

  /** The LiteSVM inside, for direct use in tests and benchmarks. */
  get svm (): LiteSVM {
    return this.#svm
  }

  get slot (): number {
    return Number(this.#svm.getClock().slot)
  }

  /** Ledger time, Unix seconds (wall time plus any warp). */
  get unixTime (): number {
    return Number(this.#svm.getClock().unixTimestamp)
  }

  latestBlockhash (): { blockhash: string, lastValidBlockHeight: number } {
    return { blockhash: this.#svm.latestBlockhash(), lastValidBlockHeight: this.slot + BLOCKHASH_VALIDITY }
  }

  isBlockhashValid (blockhash: string): boolean {
    const issued = this.#meta.recent.find(([h]) => h === blockhash)
    return issued !== undefined && this.#live(issued)
  }

  #live ([, slot, time]: [string, number, number?]): boolean {
    return this.slot - slot <= BLOCKHASH_VALIDITY || (time !== undefined && this.unixTime - time <= BLOCKHASH_VALIDITY_SECONDS)
  }

  getAccount (addr: string): AccountView | null {
    const a = this.#svm.getAccount(toAddress(addr))
    if (!a.exists) return null
    return { lamports: a.lamports, owner: a.programAddress, data: a.data as Uint8Array, executable: a.executable }
  }

  getProgramAccounts (programId: string): Array<{ pubkey: string, account: AccountView }> {
    return this.#svm.getProgramAccounts(toAddress(programId)).map((a) => ({
      pubkey: a.address,
      account: { lamports: a.lamports, owner: a.programAddress, data: a.data as Uint8Array, executable: a.executable }
    }))
  }

  minimumBalanceForRentExemption (size: number): bigint {
    return this.#svm.minimumBalanceForRentExemption(BigInt(size))
  }

  getTransaction (signature: string): TxRecord | undefined {
    return this.#history.get(signature)
  }

  /** Called after every processed transaction (success or failure), e.g. for WS notifications. */
  onTransaction (listener: (r: TxRecord) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Simulates without changing state. */
  simulate (wire: Uint8Array): SimulationResult {
    this.#tick()
    const decoded = this.#decode(wire)
    if (!this.isBlockhashValid(decoded.blockhash)) return { err: 'BlockhashNotFound', logs: [], unitsConsumed: 0 }
    const r = this.#svm.simulateTransaction(decoded.kit)
    if (r instanceof FailedTransactionMetadata) {
      const m = r.meta()
      return { err: toRpcError(r.err()), logs: m.logs(), unitsConsumed: Number(m.computeUnitsConsumed()) }
    }
    const m = r.meta()
    return { err: null, logs: m.logs(), unitsConsumed: Number(m.computeUnitsConsumed()) }
  }

  /**
   * Processes a transaction. Transactions refused before execution (bad blockhash, duplicate,
   * signature failure) throw `LedgerError` with the RPC error; executed ones are recorded, failed
   * or not, and returned.
   */
  send (wire: Uint8Array): TxRecord {
    this.#tick()
    const decoded = this.#decode(wire)
    if (this.#history.has(decoded.signature)) throw new RpcRefusal('AlreadyProcessed')
    if (!this.isBlockhashValid(decoded.blockhash)) throw new RpcRefusal('BlockhashNotFound')
    const pre = decoded.keys.map((k) => this.#balance(k))
    const r = this.#svm.sendTransaction(decoded.kit)
    const failed = r instanceof FailedTransactionMetadata
    const meta: TransactionMetadata = failed ? r.meta() : r
    const err = failed ? toRpcError(r.err()) : null
    if (failed && (err === 'SignatureFailure' || err === 'AlreadyProcessed' || err === 'SanitizeFailure' || err === 'InsufficientFundsForFee' || err === 'AccountNotFound')) {
      // Refused before execution: nothing was committed, so a node would not record it either.
      throw new RpcRefusal(err)
    }
    const record: TxRecord = {
      signature: decoded.signature,
      slot: this.slot,
      blockTime: this.unixTime,
      tx: wire,
      err,
      logs: meta.logs(),
      computeUnits: Number(meta.computeUnitsConsumed()),
      fee: FEE_PER_SIGNATURE * decoded.signatures,
      preBalances: pre,
      postBalances: decoded.keys.map((k) => this.#balance(k))
    }
    this.#commit(record)
    return record
  }

  airdrop (addr: string, lamports: bigint): TxRecord {
    this.#tick()
    const r = this.#svm.airdrop(toAddress(addr), toLamports(lamports))
    if (r === null || r instanceof FailedTransactionMetadata) {
      throw new LedgerError(`airdrop to ${addr} failed${r === null ? '' : ': ' + JSON.stringify(toRpcError(r.err()))}`)
    }
    const record: TxRecord = {
      signature: b58.decode(r.signature()),
      slot: this.slot,
      blockTime: this.unixTime,
      tx: null,
      err: null,
      logs: r.logs(),
      computeUnits: Number(r.computeUnitsConsumed()),
      fee: 0,
      preBalances: [],
      postBalances: []
    }
    this.#commit(record)
    return record
  }

  /** Moves the ledger clock forward (local networks only: timeouts, locks, dispute windows). */
  warp (seconds: number): number {
    if (!Number.isSafeInteger(seconds) || seconds < 0) throw new LedgerError(`warp takes a non-negative whole number of seconds (got ${seconds})`)
    this.#meta.clockOffsetSeconds += seconds
    this.#tick()
    this.#scheduleSave()
    return this.unixTime
  }

  /** Writes the snapshot now (atomically: temp file then rename). */
  flush (): void {
    if (this.#saveTimer !== undefined) clearTimeout(this.#saveTimer)
    this.#saveTimer = undefined
    if (this.dir === undefined) return
    const tmp = join(this.dir, 'ledger.bin.tmp')
    this.#svm.saveToFile(tmp)
    writeFileSync(join(this.dir, 'meta.json.tmp'), JSON.stringify(this.#meta))
    renameSync(tmp, join(this.dir, 'ledger.bin'))
    renameSync(join(this.dir, 'meta.json.tmp'), join(this.dir, 'meta.json'))
  }

  close (): void {
    this.flush()
    this.#listeners.clear()
  }

  #balance (addr: string): number {
    return Number(this.#svm.getBalance(toAddress(addr)) ?? 0n)
  }

  /**
   * Decodes with @solana/kit's codecs only: web3.js's legacy `Message` turns every instruction's
   * data into base-58 and back (quadratic in its length), which made a program deployment's
   * 1 KB writes cost milliseconds each here.
   */
  #decode (wire: Uint8Array): { kit: ReturnType<typeof txDecoder.decode>, signature: string, blockhash: string, keys: string[], signatures: number } {
    let kit: ReturnType<typeof txDecoder.decode>
    let message: ReturnType<typeof messageDecoder.decode>
    try {
      kit = txDecoder.decode(wire)
      message = messageDecoder.decode(kit.messageBytes)
    } catch (e) {
      throw new RpcRefusal('SanitizeFailure', `not a transaction: ${e instanceof Error ? e.message : String(e)}`)
    }
    const signatures = Object.values(kit.signatures)
    if (signatures.length === 0) throw new RpcRefusal('MissingSignatureForFee')
    return {
      kit,
      // An absent signature decodes as null: the all-zero one the wire carries, which LiteSVM refuses.
      signature: b58.decode(signatures[0] ?? new Uint8Array(64)),
      blockhash: message.lifetimeToken,
      keys: [...message.staticAccounts],
      signatures: signatures.length
    }
  }

  /** Follows wall time (plus the warp offset); never moves the clock backwards. */
  #tick (): void {
    const clock = this.#svm.getClock()
    const target = BigInt(Math.floor(this.#now() / 1000) + this.#meta.clockOffsetSeconds)
    if (target > clock.unixTimestamp) {
      clock.unixTimestamp = target
      this.#svm.setClock(clock)
    }
  }

  #commit (record: TxRecord): void {
    this.#history.set(record.signature, record)
    if (this.dir !== undefined) {
      appendFileSync(join(this.dir, 'transactions.jsonl'), JSON.stringify({ ...record, tx: record.tx === null ? null : Buffer.from(record.tx).toString('base64') }) + '\n')
    }
    // Advance one slot and rotate the blockhash, as a new block would; the block just produced
    // (its slot and new blockhash) goes to the front of the SlotHashes sysvar, as on a cluster, so
    // `draw_challenge` finds a hash for the slot a zk root was anchored in. LiteSVM's warp alone
    // leaves SlotHashes as it was at genesis. The slot's hash is 32 bytes from the CSPRNG, not
    // LiteSVM's next blockhash: that one is the SHA-256 of the previous, so a worker could compute
    // the hash its challenge will be drawn from and grind for a step it can prove (audit finding 2).
    const clock = this.#svm.getClock()
    this.#svm.warpToSlot(clock.slot + 1n)
    this.#svm.expireBlockhash()
    const older = this.#svm.getSlotHashes().filter((h) => h.slot < clock.slot).map((h) => ({ slot: h.slot, hash: h.hash }))
    this.#svm.setSlotHashes([{ slot: clock.slot, hash: b58.decode(randomBytes(32)) }, ...older].slice(0, 512))
    this.#meta.recent.push([this.#svm.latestBlockhash(), this.slot, this.unixTime])
    this.#meta.recent = this.#meta.recent.filter((r) => this.#live(r))
    for (const l of this.#listeners) l(record)
    this.#scheduleSave()
  }

  #scheduleSave (): void {
    if (this.dir === undefined || this.#saveTimer !== undefined) return
    this.#saveTimer = setTimeout(() => this.flush(), 250)
    this.#saveTimer.unref()
  }

  #loadHistory (path: string): void {
    if (!existsSync(path)) return
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line === '') continue
      const r = JSON.parse(line) as Omit<TxRecord, 'tx'> & { tx: string | null }
      this.#history.set(r.signature, { ...r, tx: r.tx === null ? null : new Uint8Array(Buffer.from(r.tx, 'base64')) })
    }
  }
}

/** A transaction refused before execution; `err` is the RPC's error value. */
export class RpcRefusal extends LedgerError {
  readonly err: RpcTransactionError
  constructor (err: RpcTransactionError, detail?: string) {
    super(detail ?? `transaction refused: ${JSON.stringify(err)}`)
    this.err = err
  }
}

export type { Address }
