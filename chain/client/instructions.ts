/**
 * Instruction builders (`@solana/web3.js` v1). Every account the program derives is derived
 * here too; any of them can be overridden (the tests pass wrong ones on purpose).
 */
import { PublicKey, SystemProgram, TransactionInstruction, type AccountMeta } from '@solana/web3.js'
import { TOKEN_PROGRAM_ID } from '@solana/spl-token'
import { ARGS, encode } from './layout.js'
import { instructionDiscriminator } from './discriminator.js'
import { configPda, escrowPda, escrowVaultPda, nodePda, vaultPda } from './pda.js'
import type { ConfigParams } from './params.js'

/** The address `cyx chain` and the tests load the program at. */
export const CYXWIZ_PROGRAM_ID = new PublicKey('FagWsGfek6a1BoXg9DpAnFFP2ya3SgB9qWFuhSgENiYD')

const w = (pubkey: PublicKey, isSigner = false): AccountMeta => ({ pubkey, isSigner, isWritable: true })
const r = (pubkey: PublicKey, isSigner = false): AccountMeta => ({ pubkey, isSigner, isWritable: false })

function ix (programId: PublicKey, name: string, keys: AccountMeta[], args: Uint8Array): TransactionInstruction {
  const data = new Uint8Array(8 + args.length)
  data.set(instructionDiscriminator(name), 0)
  data.set(args, 8)
  return new TransactionInstruction({ programId, keys, data: Buffer.from(data) })
}

export interface InitializeConfigAccounts {
  readonly admin: PublicKey
  readonly mint: PublicKey
  readonly config?: PublicKey
  readonly platformVault?: PublicKey
  readonly insuranceVault?: PublicKey
  readonly stakeVault?: PublicKey
}

export function initializeConfig (a: InitializeConfigAccounts, params: ConfigParams, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return ix(programId, 'initialize_config', [
    w(a.admin, true),
    w(a.config ?? configPda(programId).address),
    r(a.mint),
    w(a.platformVault ?? vaultPda(programId, 'platform').address),
    w(a.insuranceVault ?? vaultPda(programId, 'insurance').address),
    w(a.stakeVault ?? vaultPda(programId, 'stake').address),
    r(SystemProgram.programId),
    r(TOKEN_PROGRAM_ID)
  ], encode(ARGS.initializeConfig, params as unknown as Record<string, unknown>))
}

export interface RegisterNodeAccounts {
  readonly owner: PublicKey
  readonly ownerToken: PublicKey
  readonly config?: PublicKey
  readonly node?: PublicKey
  readonly stakeVault?: PublicKey
}

export function registerNode (a: RegisterNodeAccounts, stake: bigint, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return ix(programId, 'register_node', [
    w(a.owner, true),
    w(a.config ?? configPda(programId).address),
    w(a.node ?? nodePda(programId, a.owner).address),
    w(a.ownerToken),
    w(a.stakeVault ?? vaultPda(programId, 'stake').address),
    r(SystemProgram.programId),
    r(TOKEN_PROGRAM_ID)
  ], encode(ARGS.registerNode, { stake }))
}

export interface CreateEscrowAccounts {
  readonly client: PublicKey
  readonly clientToken: PublicKey
  readonly mint: PublicKey
  /** The worker's wallet; its Node PDA is derived unless `workerNode` is given. */
  readonly worker: PublicKey
  readonly workerNode?: PublicKey
  readonly config?: PublicKey
  readonly escrow?: PublicKey
  readonly escrowVault?: PublicKey
}

export interface CreateEscrowArgs {
  readonly nonce: bigint
  readonly jobId: Uint8Array
  readonly amount: bigint
  readonly specHash: Uint8Array
  readonly estimatedSeconds: bigint
  readonly timeoutSecs: bigint
}

export function createEscrow (a: CreateEscrowAccounts, args: CreateEscrowArgs, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  const escrow = a.escrow ?? escrowPda(programId, a.client, args.nonce).address
  return ix(programId, 'create_escrow', [
    w(a.client, true),
    w(a.config ?? configPda(programId).address),
    w(a.workerNode ?? nodePda(programId, a.worker).address),
    w(escrow),
    w(a.escrowVault ?? escrowVaultPda(programId, escrow).address),
    w(a.clientToken),
    r(a.mint),
    r(SystemProgram.programId),
    r(TOKEN_PROGRAM_ID)
  ], encode(ARGS.createEscrow, args as unknown as Record<string, unknown>))
}

export interface CompleteAccounts {
  readonly client: PublicKey
  readonly escrow: PublicKey
  readonly worker: PublicKey
  readonly workerToken: PublicKey
  readonly workerNode?: PublicKey
  readonly escrowVault?: PublicKey
  readonly config?: PublicKey
  readonly platformVault?: PublicKey
}

export function complete (a: CompleteAccounts, finalWeightsHash: Uint8Array, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return ix(programId, 'complete', [
    r(a.client, true),
    r(a.config ?? configPda(programId).address),
    w(a.escrow),
    w(a.escrowVault ?? escrowVaultPda(programId, a.escrow).address),
    w(a.workerNode ?? nodePda(programId, a.worker).address),
    w(a.workerToken),
    w(a.platformVault ?? vaultPda(programId, 'platform').address),
    r(TOKEN_PROGRAM_ID)
  ], encode(ARGS.complete, { finalWeightsHash }))
}
