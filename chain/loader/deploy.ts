/**
 * Deploys an SBF program through the BPF upgradeable loader, the way `solana program deploy` does,
 * over any Solana JSON-RPC endpoint (`cyx chain`, a test validator, a cluster):
 *
 * 1. a fresh buffer account (owned by the loader, sized for the ELF) is created and initialised
 *    with the upgrade authority as its authority;
 * 2. the ELF is written into it in chunks that fill a transaction (several in flight at once);
 * 3. the buffer is read back and compared with the ELF; chunks that differ are written again;
 * 4. one transaction creates the program account (signed by the program keypair) and deploys:
 *    the loader verifies the ELF, moves it into the ProgramData account (room for `maxDataLen`
 *    bytes, for later upgrades), records the upgrade authority and refunds the buffer's lamports.
 *
 * A failure after step 1 leaves the buffer holding its rent; the error names it.
 *
 * Step 4 needs the program keypair only to create the program account: a ledger whose genesis
 * already holds that account (empty, owned by the loader, rent-exempt: `cyx chain --genesis` at the
 * cyxwiz program's fixed address, whose keypair nobody holds) is deployed to by its address alone,
 * with DeployWithMaxDataLen — the loader checks the rest exactly as for a fresh account.
 *
 * It needs only the six RPC calls of `DeployRpc`: a web3.js `Connection` is one, and the bankrun
 * test (test/e2e/chain/bankrun.test.ts) drives the same code into another runtime's loader through an
 * adapter of its BanksClient.
 */
import { createPrivateKey, sign as cryptoSign, type KeyObject } from 'node:crypto'
import {
  Keypair, PublicKey, SystemProgram, TransactionExpiredBlockheightExceededError, TransactionMessage, VersionedTransaction,
  type AccountInfo, type BlockheightBasedTransactionConfirmationStrategy, type RpcResponseAndContext, type SendOptions,
  type SignatureResult, type TransactionInstruction
} from '@solana/web3.js'
import {
  BPF_LOADER_UPGRADEABLE_ID, BUFFER_METADATA_SIZE, PROGRAM_ACCOUNT_SIZE, PROGRAMDATA_METADATA_SIZE,
  decodeProgramAccount, decodeProgramData, deployWithMaxDataLen, initializeBuffer, programDataAddress, upgrade, writeBuffer
} from './instructions.js'

/** Solana's largest serialized transaction, bytes (`PACKET_DATA_SIZE`). */
export const PACKET_DATA_SIZE = 1232
/** Write transactions in flight at once. */
export const DEPLOY_WRITE_CONCURRENCY = 8
/** Tries per transaction when its blockhash expires before it lands, or the bank finds an account it locks in use. */
export const SEND_ATTEMPTS = 3
/** Pause before sending a transaction again that the bank refused as AccountInUse (times the attempt). */
const ACCOUNT_IN_USE_PAUSE_MS = 50
/** Largest account the loader may hold a program in (`MAX_PERMITTED_DATA_LENGTH`, 10 MiB). */
export const MAX_PROGRAM_DATA = 10 * 1024 * 1024

export interface DeployOptions {
  /** Pays rent and fees; the upgrade authority unless `authority` is given. */
  readonly payer: Keypair
  /**
   * The program's address: its keypair signs the program account's creation (once). An address
   * alone deploys to a program account that already exists, empty and owned by the loader (one a
   * ledger's genesis reserved; see the header).
   */
  readonly program: Keypair | PublicKey
  /** The upgrade authority (default: the payer). */
  readonly authority?: Keypair
  /** The ELF, e.g. `chain/program/build/cyxwiz.so`. */
  readonly elf: Uint8Array
  /** Room for upgrades, bytes (default: twice the ELF). */
  readonly maxDataLen?: number
  readonly onProgress?: (p: DeployProgress) => void
  readonly signal?: AbortSignal
}

export type DeployProgress =
  | { readonly stage: 'buffer', readonly buffer: string, readonly bytes: number }
  | { readonly stage: 'write', readonly written: number, readonly total: number }
  | { readonly stage: 'verify', readonly rewrites: number }
  | { readonly stage: 'deploy' }

export interface Deployment {
  readonly programId: string
  readonly programData: string
  readonly upgradeAuthority: string
  readonly bytes: number
  readonly maxDataLen: number
  /** Write transactions sent (including rewrites). */
  readonly writes: number
  readonly signature: string
}

/**
 * The JSON-RPC calls a deployment makes (a `Connection` satisfies it), always at `confirmed`:
 * account reads, rent, the payer's balance, a blockhash, sending a signed transaction (a failed
 * preflight throws) and waiting for its confirmation.
 */
export interface DeployRpc {
  getAccountInfo: (key: PublicKey, commitment: 'confirmed') => Promise<AccountInfo<Buffer> | null>
  getMinimumBalanceForRentExemption: (bytes: number) => Promise<number>
  getBalance: (key: PublicKey, commitment: 'confirmed') => Promise<number>
  getLatestBlockhash: (commitment: 'confirmed') => Promise<{ blockhash: string, lastValidBlockHeight: number }>
  sendRawTransaction: (raw: Buffer, options: SendOptions) => Promise<string>
  confirmTransaction: (strategy: BlockheightBasedTransactionConfirmationStrategy, commitment: 'confirmed') => Promise<RpcResponseAndContext<SignatureResult>>
}

export class DeployError extends Error {
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'DeployError'
  }
}

/** Refuses what cannot be a deployable SBF program before anything is spent. */
export function checkElf (elf: Uint8Array, maxDataLen: number): void {
  if (elf.length < 64 || elf[0] !== 0x7f || elf[1] !== 0x45 || elf[2] !== 0x4c || elf[3] !== 0x46) throw new DeployError('not an ELF file (a program is the .so that npm run build:program writes)')
  if (elf[4] !== 2 || elf[5] !== 1) throw new DeployError('not a 64-bit little-endian ELF, so not an SBF program')
  if (!Number.isInteger(maxDataLen) || maxDataLen < elf.length) throw new DeployError(`max data length ${maxDataLen} is smaller than the program (${elf.length} bytes)`)
  if (maxDataLen + PROGRAMDATA_METADATA_SIZE > MAX_PROGRAM_DATA) throw new DeployError(`max data length ${maxDataLen} exceeds the loader's ${MAX_PROGRAM_DATA - PROGRAMDATA_METADATA_SIZE} bytes`)
}

/**
 * A version 0 transaction. Not web3.js's legacy `Transaction`: its `Message` holds instruction data
 * as base-58 text, encoded and decoded again at every compile, sign and serialize — quadratic in
 * the data's length, so milliseconds for each 1 KB write (three quarters of a deployment's time
 * into the embedded ledger). Every cluster and the embedded ledger take version 0.
 */
function transaction (payer: PublicKey, blockhash: string, ixs: TransactionInstruction[]): VersionedTransaction {
  return new VersionedTransaction(new TransactionMessage({ payerKey: payer, recentBlockhash: blockhash, instructions: ixs }).compileToV0Message())
}

/** PKCS#8 DER of an Ed25519 private key, before its 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const signingKeys = new WeakMap<Keypair, KeyObject>()

/**
 * Signs with Node's Ed25519 (OpenSSL) instead of web3.js's JavaScript one: a deployment signs one
 * transaction per kilobyte of program, and the JavaScript signature was a third of its time into
 * the embedded ledger. Same signatures (Ed25519 is deterministic).
 */
function sign (tx: VersionedTransaction, signers: Keypair[]): void {
  const message = tx.message.serialize()
  for (const k of signers) {
    let key = signingKeys.get(k)
    if (key === undefined) {
      key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, k.secretKey.subarray(0, 32)]), format: 'der', type: 'pkcs8' })
      signingKeys.set(k, key)
    }
    tx.addSignature(k.publicKey, cryptoSign(null, message, key))
  }
}

/** The most ELF bytes one write transaction carries, measured on a real serialization. */
export function writeChunkSize (payer: PublicKey, authority: PublicKey): number {
  const probe = transaction(payer, PublicKey.default.toBase58(), [writeBuffer(PublicKey.unique(), authority, 0, new Uint8Array(0))])
  const signatures = payer.equals(authority) ? 1 : 2
  const message = probe.message.serialize().length
  // Signatures: a compact-u16 count (1 byte here) and 64 bytes each; the instruction data's own
  // compact-u16 length may grow by one byte once it passes 127 bytes.
  return PACKET_DATA_SIZE - (1 + 64 * signatures) - message - 1
}

function throwIfAborted (signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new DeployError('deploy aborted', { cause: signal.reason })
}

/**
 * Sends one transaction on a blockhash fetched for it, and waits for its confirmation. A blockhash
 * that expired before the transaction landed (a slow cluster, or a ledger whose slots advance with
 * every transaction, as the embedded one's do) is retried on a fresh one: an expired transaction can
 * no longer land, so nothing is done twice.
 */
async function send (connection: DeployRpc, ixs: TransactionInstruction[], signers: Keypair[]): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash('confirmed')
    const tx = transaction((signers[0] as Keypair).publicKey, blockhash, ixs)
    sign(tx, signers)
    try {
      const signature = await connection.sendRawTransaction(Buffer.from(tx.serialize()), { preflightCommitment: 'confirmed' })
      const { value } = await connection.confirmTransaction({ signature, blockhash, lastValidBlockHeight }, 'confirmed')
      if (value.err !== null) throw new DeployError(`transaction ${signature} failed: ${JSON.stringify(value.err)}`)
      return signature
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e)
      const expired = e instanceof TransactionExpiredBlockheightExceededError || /BlockhashNotFound/.test(text)
      // The buffer's writes go out several at a time and each locks the buffer: a bank may refuse
      // one as AccountInUse instead of queueing it (bankrun does under load). Sent again, it lands.
      const locked = /AccountInUse|Account in use/.test(text)
      if (!(expired || locked) || attempt >= SEND_ATTEMPTS) throw e
      if (locked) await new Promise((resolve) => setTimeout(resolve, ACCOUNT_IN_USE_PAUSE_MS * attempt))
    }
  }
}

/** Runs `jobs` with at most `limit` at once; the first failure stops new ones and is thrown. */
async function pool<T> (items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  let failed: unknown
  const lane = async (): Promise<void> => {
    while (failed === undefined && next < items.length) {
      const item = items[next++] as T
      try {
        await run(item)
      } catch (e) {
        failed ??= e
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane))
  if (failed !== undefined) throw failed
}

/** Who signs a deployment's transactions: the payer, and the upgrade authority when it is another key. */
function signersOf (payer: Keypair, authority: Keypair): Keypair[] {
  return payer.publicKey.equals(authority.publicKey) ? [payer] : [payer, authority]
}

/** An account a deployment by address alone may use: owned by the loader, state Uninitialized (tag 0), room for the program's state. */
function isReservedProgramAccount (a: AccountInfo<Buffer> | null): boolean {
  return a !== null && a.owner.equals(BPF_LOADER_UPGRADEABLE_ID) && !a.executable && a.data.length >= PROGRAM_ACCOUNT_SIZE && a.data.readUInt32LE(0) === 0
}

export async function deployProgram (connection: DeployRpc, opts: DeployOptions): Promise<Deployment> {
  const { payer, program, elf, signal } = opts
  const authority = opts.authority ?? payer
  const maxDataLen = opts.maxDataLen ?? 2 * elf.length
  checkElf(elf, maxDataLen)
  const progress = opts.onProgress ?? (() => {})
  const signers = signersOf(payer, authority)

  const programKey = program instanceof Keypair ? program.publicKey : program
  const existing = await connection.getAccountInfo(programKey, 'confirmed')
  if (program instanceof Keypair && existing !== null) {
    throw new DeployError(`${programKey.toBase58()} already holds an account (${existing.owner.equals(BPF_LOADER_UPGRADEABLE_ID) ? 'a deployed program' : `owned by ${existing.owner.toBase58()}`}); deploy at a new program keypair`)
  }
  if (!(program instanceof Keypair) && !isReservedProgramAccount(existing)) {
    throw new DeployError(`${programKey.toBase58()} holds no empty program account owned by the loader (${existing === null ? 'nothing there' : existing.owner.equals(BPF_LOADER_UPGRADEABLE_ID) ? 'a deployed program' : `owned by ${existing.owner.toBase58()}`}); without its keypair only a reserved account can be deployed to`)
  }
  const [bufferRent, programRent, dataRent] = await Promise.all([
    connection.getMinimumBalanceForRentExemption(BUFFER_METADATA_SIZE + elf.length),
    program instanceof Keypair ? connection.getMinimumBalanceForRentExemption(PROGRAM_ACCOUNT_SIZE) : 0,
    connection.getMinimumBalanceForRentExemption(PROGRAMDATA_METADATA_SIZE + maxDataLen)
  ])
  const balance = await connection.getBalance(payer.publicKey, 'confirmed')
  const need = bufferRent + programRent + dataRent
  if (balance < need) throw new DeployError(`the payer ${payer.publicKey.toBase58()} holds ${balance} lamports; deploying ${elf.length} bytes needs about ${need} (rent) plus fees`)
  throwIfAborted(signal)

  const deploy = (buffer: PublicKey): TransactionInstruction => deployWithMaxDataLen({ payer: payer.publicKey, program: programKey, buffer, authority: authority.publicKey }, maxDataLen)
  const { writes, signature } = await throughBuffer(connection, { payer, authority, elf, bufferRent, progress, ...(signal === undefined ? {} : { signal }) }, async (buffer) => program instanceof Keypair
    ? await send(connection, [
      SystemProgram.createAccount({ fromPubkey: payer.publicKey, newAccountPubkey: programKey, lamports: programRent, space: PROGRAM_ACCOUNT_SIZE, programId: BPF_LOADER_UPGRADEABLE_ID }),
      deploy(buffer)
    ], [...signers, program])
    : await send(connection, [deploy(buffer)], signers))
  return {
    programId: programKey.toBase58(),
    programData: programDataAddress(programKey).toBase58(),
    upgradeAuthority: authority.publicKey.toBase58(),
    bytes: elf.length,
    maxDataLen,
    writes,
    signature
  }
}

/**
 * Steps 1–3 of the header (a buffer created, the ELF written and read back), then `finish` with the
 * buffer's address, which sends the transaction that consumes it. Any failure after the buffer
 * exists names it and its rent.
 */
async function throughBuffer (
  connection: DeployRpc,
  o: { payer: Keypair, authority: Keypair, elf: Uint8Array, bufferRent: number, progress: (p: DeployProgress) => void, signal?: AbortSignal },
  finish: (buffer: PublicKey) => Promise<string>
): Promise<{ writes: number, signature: string }> {
  const { payer, authority, elf, bufferRent, progress, signal } = o
  const signers = signersOf(payer, authority)
  const buffer = Keypair.generate()
  await send(connection, [
    SystemProgram.createAccount({ fromPubkey: payer.publicKey, newAccountPubkey: buffer.publicKey, lamports: bufferRent, space: BUFFER_METADATA_SIZE + elf.length, programId: BPF_LOADER_UPGRADEABLE_ID }),
    initializeBuffer(buffer.publicKey, authority.publicKey)
  ], [payer, buffer])
  progress({ stage: 'buffer', buffer: buffer.publicKey.toBase58(), bytes: elf.length })

  const stranded = (e: unknown): DeployError => new DeployError(
    `deploy failed after the buffer ${buffer.publicKey.toBase58()} was created (it holds ${bufferRent} lamports; ` +
    `close it with "solana program close ${buffer.publicKey.toBase58()}" to recover them): ${e instanceof Error ? e.message : String(e)}`, { cause: e })

  const chunk = writeChunkSize(payer.publicKey, authority.publicKey)
  const offsets: number[] = []
  for (let at = 0; at < elf.length; at += chunk) offsets.push(at)
  let writes = 0
  const write = async (offset: number): Promise<void> => {
    throwIfAborted(signal)
    await send(connection, [writeBuffer(buffer.publicKey, authority.publicKey, offset, elf.subarray(offset, offset + chunk))], signers)
    writes++
    progress({ stage: 'write', written: Math.min(elf.length, writes * chunk), total: elf.length })
  }
  try {
    await pool(offsets, DEPLOY_WRITE_CONCURRENCY, write)
    // Read back: a write the cluster dropped after confirming (or a confirmation that lied) would
    // otherwise deploy a corrupt program, which the loader's verifier may or may not catch.
    const info = await connection.getAccountInfo(buffer.publicKey, 'confirmed')
    if (info === null) throw new DeployError('the buffer vanished before deployment')
    const held = info.data.subarray(BUFFER_METADATA_SIZE)
    const differing = offsets.filter((at) => !Buffer.from(held.subarray(at, at + chunk)).equals(Buffer.from(elf.subarray(at, at + chunk))))
    progress({ stage: 'verify', rewrites: differing.length })
    await pool(differing, DEPLOY_WRITE_CONCURRENCY, write)
    throwIfAborted(signal)
    progress({ stage: 'deploy' })
    return { writes, signature: await finish(buffer.publicKey) }
  } catch (e) {
    throw stranded(e)
  }
}

export interface UpgradeOptions {
  /** Pays the buffer's rent (refunded by the upgrade) and fees. */
  readonly payer: Keypair
  /** The deployed program's address. */
  readonly program: PublicKey
  /** The upgrade authority its ProgramData records (default: the payer). */
  readonly authority?: Keypair
  readonly elf: Uint8Array
  readonly onProgress?: (p: DeployProgress) => void
  readonly signal?: AbortSignal
}

/**
 * Replaces a deployed program's ELF the way `solana program deploy --program-id` upgrades one: a
 * buffer written and read back as for a deployment, then `Upgrade`, signed by the upgrade authority
 * (the loader checks it against the ProgramData and refunds the buffer's lamports to the payer).
 * The new ELF must fit the room the deployment left (`maxDataLen`).
 */
export async function upgradeProgram (connection: DeployRpc, opts: UpgradeOptions): Promise<Deployment> {
  const { payer, program, elf, signal } = opts
  const authority = opts.authority ?? payer
  const deployed = await readDeployedProgram(connection, program)
  if (deployed === undefined) throw new DeployError(`no program deployed through the upgradeable loader at ${program.toBase58()}`)
  if (deployed.upgradeAuthority !== authority.publicKey.toBase58()) {
    throw new DeployError(`program ${program.toBase58()} has upgrade authority ${deployed.upgradeAuthority ?? 'none (immutable)'}, not ${authority.publicKey.toBase58()}`)
  }
  checkElf(elf, deployed.maxDataLen)
  const bufferRent = await connection.getMinimumBalanceForRentExemption(BUFFER_METADATA_SIZE + elf.length)
  const balance = await connection.getBalance(payer.publicKey, 'confirmed')
  if (balance < bufferRent) throw new DeployError(`the payer ${payer.publicKey.toBase58()} holds ${balance} lamports; upgrading with ${elf.length} bytes needs about ${bufferRent} (the buffer's rent, refunded) plus fees`)
  throwIfAborted(signal)
  const signers = signersOf(payer, authority)
  const { writes, signature } = await throughBuffer(connection, { payer, authority, elf, bufferRent, progress: opts.onProgress ?? (() => {}), ...(signal === undefined ? {} : { signal }) },
    async (buffer) => await send(connection, [upgrade({ program, buffer, spill: payer.publicKey, authority: authority.publicKey })], signers))
  return { programId: program.toBase58(), programData: deployed.programData, upgradeAuthority: authority.publicKey.toBase58(), bytes: elf.length, maxDataLen: deployed.maxDataLen, writes, signature }
}

export interface DeployedProgram {
  readonly programId: string
  readonly programData: string
  readonly executable: boolean
  /** The slot of the last deployment. */
  readonly slot: bigint
  /** Undefined when the program is immutable. */
  readonly upgradeAuthority: string | undefined
  /** Room in the ProgramData account for the ELF, bytes. */
  readonly maxDataLen: number
  /** The deployed ELF (zero-padded to `maxDataLen`). */
  readonly elf: Uint8Array
}

/** Reads a program deployed through the upgradeable loader, or undefined when there is none at `program`. */
export async function readDeployedProgram (connection: Pick<DeployRpc, 'getAccountInfo'>, program: PublicKey): Promise<DeployedProgram | undefined> {
  const info = await connection.getAccountInfo(program, 'confirmed')
  if (info === null || !info.owner.equals(BPF_LOADER_UPGRADEABLE_ID)) return undefined
  const programData = decodeProgramAccount(info.data)
  const dataInfo = await connection.getAccountInfo(programData, 'confirmed')
  if (dataInfo === null) throw new DeployError(`program ${program.toBase58()} names ProgramData ${programData.toBase58()}, which does not exist`)
  const data = decodeProgramData(dataInfo.data)
  return {
    programId: program.toBase58(),
    programData: programData.toBase58(),
    executable: info.executable,
    slot: data.slot,
    upgradeAuthority: data.upgradeAuthority?.toBase58(),
    maxDataLen: data.elf.length,
    elf: data.elf
  }
}
