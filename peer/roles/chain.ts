/**
 * The roles' view of the chain: a web3.js `Connection` to any Solana JSON-RPC endpoint (the
 * embedded ledger's `LedgerRpcServer`, a test validator, a cluster) and the program client.
 * Every read goes through the RPC, as it does for peers in separate processes.
 */
import { readFile } from 'node:fs/promises'
import { getAssociatedTokenAddressSync } from '@solana/spl-token'
import { Keypair, PublicKey, type Connection } from '@solana/web3.js'
import {
  AccountKindError, CYXWIZ_PROGRAM_ID, ESCROW_STATE, NODE_STATUS, TIER, escrowVaultPda, fetchConfig, fetchEscrow, fetchNode, sendAndConfirm,
  type ConfigAccount, type EscrowAccount, type NodeAccount
} from '../../chain/index.js'
import { PROOF, wire } from '../../protocols/index.js'
import { parseSolanaKeypair, type PeerNode } from '../node/index.js'
import { JobRefusal } from '../job/index.js'
import { datasetOfSpec } from '../evidence/index.js'
import { checkpointCount, specTier, zkDataCommitment } from './spec.js'

const { ErrorCode, equalBytes } = wire

/** The node's wallet as a Solana `Keypair` (to sign transactions); the wallet file is the source. */
export async function walletKeypair (node: PeerNode): Promise<Keypair> {
  if (node.walletPath === undefined) throw new Error('this node has an in-memory wallet: give it a keypair file to act on-chain')
  const keypair = Keypair.fromSecretKey(parseSolanaKeypair(await readFile(node.walletPath, 'utf8'), node.walletPath))
  if (!equalBytes(keypair.publicKey.toBytes(), node.wallet.publicKey)) throw new Error('the wallet file changed under the running node')
  return keypair
}

/** One transaction of `ixs`, sent and confirmed (chain/client `sendAndConfirm`). */
export const sendTransaction = sendAndConfirm

/** The program's Config; throws when the program is not initialised on this ledger. */
export async function readConfig (connection: Connection, programId = CYXWIZ_PROGRAM_ID): Promise<ConfigAccount> {
  const config = await fetchConfig(connection, programId)
  if (config === undefined) throw new Error('the cyxwiz program has no Config on this ledger (is it initialised?)')
  return config
}

/** The Node account of `owner`; undefined when it never registered. */
export async function readNode (connection: Connection, owner: PublicKey, programId = CYXWIZ_PROGRAM_ID): Promise<NodeAccount | undefined> {
  return await fetchNode(connection, owner, programId)
}

/** The CYXWIZ token account a wallet is paid to and pays from (its associated token account). */
export function tokenAccount (owner: PublicKey, mint: PublicKey): PublicKey {
  return getAssociatedTokenAddressSync(mint, owner)
}

/** A job's escrow nonce: the first 8 bytes of its id (little-endian), unique per client per job. */
export function escrowNonce (jobId: Uint8Array): bigint {
  return new DataView(jobId.buffer, jobId.byteOffset, 8).getBigUint64(0, true)
}

/** Whether a Node account may take jobs now (`unixNow`: the ledger's clock or ours). */
export function nodeIsActive (n: NodeAccount, unixNow: number): boolean {
  return n.status === NODE_STATUS.active && Number(n.suspendedUntil) <= unixNow && n.unstakeRequested === 0
}

/**
 * The worker's check of an award against the chain, before it does anything else: the escrow
 * exists and is the program's, is funded and holds the amount in its vault, was opened by the
 * award's signer, names this worker, for exactly the awarded amount, job and spec hash. Throws a
 * `JobRefusal(ESCROW_INVALID)` naming the first mismatch.
 */
export async function checkEscrow (connection: Connection, award: wire.Award, client: Uint8Array, self: PublicKey, programId = CYXWIZ_PROGRAM_ID): Promise<EscrowAccount> {
  const refuse = (why: string): never => { throw new JobRefusal(ErrorCode.ESCROW_INVALID, why) }
  const address = new PublicKey(award.escrow)
  let found: EscrowAccount | undefined
  try {
    found = await fetchEscrow(connection, address, programId)
  } catch (e) {
    if (e instanceof AccountKindError) refuse('the account is not an escrow')
    throw e
  }
  if (found === undefined) return refuse(`no escrow account at ${address.toBase58()} (none of the cyxwiz program's)`)
  const escrow = found
  if (escrow.state !== ESCROW_STATE.funded) refuse(`the escrow is not funded (state ${escrow.state})`)
  if (!equalBytes(escrow.worker.toBytes(), self.toBytes())) refuse(`the escrow names another worker (${escrow.worker.toBase58()})`)
  if (!equalBytes(escrow.client.toBytes(), client)) refuse('the escrow was opened by another client than the award\'s signer')
  if (escrow.amount !== award.amount) refuse(`the escrow holds ${escrow.amount}, the award says ${award.amount}`)
  if (!equalBytes(escrow.jobId, award.jobId)) refuse('the escrow is for another job')
  if (!equalBytes(escrow.specHash, wire.specHash(award.spec!))) refuse('the escrow names another spec hash')
  const tier = specTier(award.spec!)
  if (escrow.tier !== (tier === 'zk' ? TIER.zk : TIER.optimistic)) refuse(`the escrow's verification tier is not the spec's (${tier})`)
  if (tier === 'zk' && escrow.circuitId !== PROOF.stepCircuitId) refuse(`a zk escrow must name the step circuit (${PROOF.stepCircuitId}), not ${escrow.circuitId}`)
  if (tier === 'zk') {
    // The proof's private batches must be the ones the escrow's data commitment names, or no
    // honest proof could verify: the commitment is recomputed from the spec's dataset.
    let expected: Uint8Array
    try {
      expected = zkDataCommitment(datasetOfSpec(award.spec!))
    } catch (e) {
      return refuse(`the zk spec's dataset cannot be proved: ${e instanceof Error ? e.message : String(e)}`)
    }
    if (!equalBytes(escrow.dataCommitment, expected)) refuse('the escrow commits to other training data than the spec\'s dataset')
  }
  let checkpoints: number
  try {
    checkpoints = checkpointCount(award.spec!)
  } catch (e) {
    return refuse(`the spec cannot be scheduled: ${e instanceof Error ? e.message : String(e)}`)
  }
  if (escrow.epochsTotal !== checkpoints) refuse(`the escrow expects ${escrow.epochsTotal} anchored checkpoints, the spec seals ${checkpoints}`)
  const vault = await connection.getTokenAccountBalance(escrowVaultPda(programId, address).address, 'confirmed').catch(() => undefined)
  if (vault === undefined || BigInt(vault.value.amount) < award.amount) refuse('the escrow vault holds less than the amount')
  return escrow
}
