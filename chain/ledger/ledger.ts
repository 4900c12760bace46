/**
 * The test and benchmark harness: an in-memory `EmbeddedLedger` (chain/rpc — the same LiteSVM set-up
 * `cyx chain` serves, with the real System and SPL Token programs) with the cyxwiz program loaded,
 * driven synchronously through its `.svm`, plus the helpers tests share (sending web3.js v1
 * instructions with decoded errors, token set-up, clock warps).
 */
import { FailedTransactionMetadata, LiteSVM } from 'litesvm'
import { address, getTransactionDecoder } from '@solana/kit'
import {
  Keypair, PublicKey, SystemProgram, TransactionInstruction, TransactionMessage, VersionedTransaction
} from '@solana/web3.js'
import {
  ACCOUNT_SIZE, MINT_SIZE, TOKEN_PROGRAM_ID, createInitializeAccount3Instruction, createInitializeMint2Instruction,
  createMintToInstruction
} from '@solana/spl-token'
import { CYXWIZ_PROGRAM_ID, customErrorFromLogs, errorName } from '../client/index.js'
import { EmbeddedLedger } from '../rpc/index.js'

export interface TxResult {
  readonly ok: boolean
  readonly logs: readonly string[]
  readonly computeUnits: bigint
  /** LiteSVM's description of the failure. */
  readonly error?: string
  /** `custom program error` code of the failing program, if any. */
  readonly customError?: number
  /** The cyxwiz name of `customError`, if it is one of ours. */
  readonly errorName?: string
}

export interface AccountState {
  readonly data: Uint8Array
  readonly owner: PublicKey
  readonly lamports: bigint
  readonly executable: boolean
}

export interface LedgerOptions {
  /** Path of the program's .so; loaded at `programId`. */
  readonly programPath: string
  readonly programId?: PublicKey
}

const LAMPORTS_PER_SOL = 1_000_000_000n

export class Ledger {
  readonly svm: LiteSVM
  readonly programId: PublicKey
  /** A funded fee payer. */
  readonly payer: Keypair

  /** The embedded ledger underneath (in memory; its clock starts at wall time). */
  readonly embedded: EmbeddedLedger

  constructor (options: LedgerOptions) {
    this.programId = options.programId ?? CYXWIZ_PROGRAM_ID
    this.embedded = EmbeddedLedger.open({ programs: [{ programId: this.programId.toBase58(), path: options.programPath }] })
    // Transactions go straight to the SVM (synchronous, no RPC blockhash window); `send` expires
    // the blockhash after each so identical transactions stay distinct.
    this.svm = this.embedded.svm
    this.payer = Keypair.generate()
    this.airdrop(this.payer.publicKey, 100n * LAMPORTS_PER_SOL)
  }

  airdrop (to: PublicKey, lamports: bigint): void {
    const res = this.svm.airdrop(address(to.toBase58()), lamports as Parameters<LiteSVM['airdrop']>[1])
    if (res === null || res instanceof FailedTransactionMetadata) throw new Error(`airdrop to ${to.toBase58()} failed`)
  }

  /** A new keypair holding `sol` SOL. */
  fundedKeypair (sol = 10n): Keypair {
    const k = Keypair.generate()
    this.airdrop(k.publicKey, sol * LAMPORTS_PER_SOL)
    return k
  }

  /** Signs with `signers` (the first pays the fee) and executes. Never throws on failure. */
  send (instructions: readonly TransactionInstruction[], signers: readonly Keypair[]): TxResult {
    const [feePayer] = signers
    if (feePayer === undefined) throw new Error('send: at least one signer (the fee payer) is required')
    const message = new TransactionMessage({
      payerKey: feePayer.publicKey,
      recentBlockhash: this.svm.latestBlockhash(),
      instructions: [...instructions]
    }).compileToV0Message()
    const tx = new VersionedTransaction(message)
    tx.sign([...signers])
    const decoded = getTransactionDecoder().decode(tx.serialize())
    const res = this.svm.sendTransaction(decoded as Parameters<LiteSVM['sendTransaction']>[0])
    // A later identical transaction must not be refused as a duplicate.
    this.svm.expireBlockhash()
    if (res instanceof FailedTransactionMetadata) {
      const meta = res.meta()
      const logs = meta.logs()
      const customError = customErrorFromLogs(logs)
      const name = customError === undefined ? undefined : errorName(customError)
      return {
        ok: false,
        logs,
        computeUnits: meta.computeUnitsConsumed(),
        error: res.toString(),
        ...(customError === undefined ? {} : { customError }),
        ...(name === undefined ? {} : { errorName: name })
      }
    }
    return { ok: true, logs: res.logs(), computeUnits: res.computeUnitsConsumed() }
  }

  /** `send`, throwing with the logs when the transaction fails. */
  mustSend (instructions: readonly TransactionInstruction[], signers: readonly Keypair[]): TxResult {
    const res = this.send(instructions, signers)
    if (!res.ok) throw new Error(`transaction failed: ${res.error ?? ''}\n${res.logs.join('\n')}`)
    return res
  }

  account (key: PublicKey): AccountState | null {
    const a = this.svm.getAccount(address(key.toBase58()))
    if (!a.exists) return null
    return {
      data: new Uint8Array(a.data),
      owner: new PublicKey(a.programAddress),
      lamports: BigInt(a.lamports),
      executable: a.executable
    }
  }

  /** Overwrites an account (test set-up only: it bypasses every runtime rule). */
  setAccount (key: PublicKey, state: AccountState): void {
    this.svm.setAccount({
      address: address(key.toBase58()),
      data: state.data,
      executable: state.executable,
      lamports: state.lamports as Parameters<LiteSVM['airdrop']>[1],
      programAddress: address(state.owner.toBase58()),
      space: BigInt(state.data.length)
    } as Parameters<LiteSVM['setAccount']>[0])
  }

  /** Creates an SPL mint with `decimals`, minted by `authority` (and frozen by `freezeAuthority`, if given). */
  createMint (authority: PublicKey, decimals: number, tokenProgram = TOKEN_PROGRAM_ID, freezeAuthority: PublicKey | null = null): PublicKey {
    const mint = Keypair.generate()
    const rent = this.svm.minimumBalanceForRentExemption(BigInt(MINT_SIZE))
    this.mustSend([
      SystemProgram.createAccount({
        fromPubkey: this.payer.publicKey, newAccountPubkey: mint.publicKey, lamports: Number(rent), space: MINT_SIZE, programId: tokenProgram
      }),
      createInitializeMint2Instruction(mint.publicKey, decimals, authority, freezeAuthority, tokenProgram)
    ], [this.payer, mint])
    return mint.publicKey
  }

  /** Creates a token account of `mint` owned by `owner`. */
  createTokenAccount (mint: PublicKey, owner: PublicKey): PublicKey {
    const account = Keypair.generate()
    const rent = this.svm.minimumBalanceForRentExemption(BigInt(ACCOUNT_SIZE))
    this.mustSend([
      SystemProgram.createAccount({
        fromPubkey: this.payer.publicKey, newAccountPubkey: account.publicKey, lamports: Number(rent), space: ACCOUNT_SIZE, programId: TOKEN_PROGRAM_ID
      }),
      createInitializeAccount3Instruction(account.publicKey, mint, owner)
    ], [this.payer, account])
    return account.publicKey
  }

  mintTo (mint: PublicKey, destination: PublicKey, authority: Keypair, amount: bigint): void {
    this.mustSend([createMintToInstruction(mint, destination, authority.publicKey, amount)], [this.payer, authority])
  }

  /** The `amount` of an SPL token account. */
  tokenBalance (account: PublicKey): bigint {
    const a = this.account(account)
    if (a === null) throw new Error(`no token account ${account.toBase58()}`)
    return new DataView(a.data.buffer, a.data.byteOffset).getBigUint64(64, true)
  }

  /** The token owner (authority) of an SPL token account. */
  tokenAuthority (account: PublicKey): PublicKey {
    const a = this.account(account)
    if (a === null) throw new Error(`no token account ${account.toBase58()}`)
    return new PublicKey(a.data.subarray(32, 64))
  }

  unixTime (): bigint {
    return this.svm.getClock().unixTimestamp
  }

  /** Moves the clock forward by `seconds`. */
  warp (seconds: bigint): void {
    const c = this.svm.getClock()
    c.unixTimestamp = c.unixTimestamp + seconds
    this.svm.setClock(c)
  }
}
