/**
 * What a client does to a job it already has, after the fact: cancel it, rate its worker, open a
 * dispute. One function each, used by the CLI (`cyx client cancel|rate`, `cyx dispute open`), the
 * live page (`cyx ui`, `cyx sim --ui`) and the sim's client peer alike, so the checks and the
 * error messages are the same everywhere.
 *
 * Each checks what it can before anything is signed — the job's record, its escrow's state on
 * chain, the stars, the bond the wallet must hold — and says what to do instead; the program
 * checks everything again (signers, owners, state), so these checks only save a failed
 * transaction's fee and give a clearer message. A successful cancel is recorded in the job book.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Keypair, PublicKey, type Connection } from '@solana/web3.js'
import { CID } from 'multiformats/cid'
import { ESCROW_STATE, TIER, cancel, fetchEscrow, rateWorker, type EscrowAccount } from '../../../chain/index.js'
import { formatTokens } from '../../../protocols/index.js'
import { openPeerStore } from '../../../storage/index.js'
import { parseSolanaKeypair, WALLET_FILE } from '../../node/index.js'
import { JobBook, escrowFact, type ClientJobState, type JobRecord } from '../jobs.js'
import { readConfig, sendTransaction, tokenAccount } from '../chain.js'
import { openJobDispute } from './dispute.js'

export interface ClientActionComponents {
  readonly connection: Connection
  /** The client's wallet: the escrows' client, the claimant of its disputes. */
  readonly keypair: Keypair
  /** Runs `fn` on the client's job book (the CLI opens the data dir's store for just this long). */
  withJobs: <T>(fn: (jobs: JobBook<ClientJobState>) => Promise<T>) => Promise<T>
}

/**
 * The components for a client's data dir as the CLI and `cyx ui` hold it: the wallet read from
 * `keypairPath` (default DIR's wallet file), and the job book opened only while a record is read or
 * written, so a running `cyx client` on the same dir is not held up.
 */
export async function dirActionComponents (dir: string, connection: Connection, keypairPath = join(dir, WALLET_FILE)): Promise<ClientActionComponents> {
  let text: string
  try {
    text = await readFile(keypairPath, 'utf8')
  } catch {
    throw new ClientActionError(`no wallet at ${keypairPath}: this dir has no client`)
  }
  return {
    connection,
    keypair: Keypair.fromSecretKey(parseSolanaKeypair(text, keypairPath)),
    withJobs: async (fn) => {
      const store = await openPeerStore(dir)
      try {
        return await fn(JobBook.client(store))
      } finally {
        await store.close()
      }
    }
  }
}

/** Refused before anything was signed: the message says why and what to do. */
export class ClientActionError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ClientActionError'
  }
}

const stateName = (s: number): string => Object.entries(ESCROW_STATE).find(([, v]) => v === s)?.[0] ?? String(s)

interface OnChainJob {
  readonly record: JobRecord<ClientJobState>
  readonly address: PublicKey
  readonly escrow: EscrowAccount
}

/** The job's record and its escrow as the chain has it now. */
async function onChain (c: ClientActionComponents, jobId: string): Promise<OnChainJob> {
  const record = await c.withJobs(async (jobs) => await jobs.get(jobId))
  if (record === undefined) throw new ClientActionError(`no job ${jobId} in this client's records`)
  const address = escrowFact(record.facts.escrow)
  if (address === undefined) throw new ClientActionError(`job ${jobId} has no escrow (it is ${record.state}): there is nothing on-chain to act on`)
  const escrow = await fetchEscrow(c.connection, address)
  if (escrow === undefined) throw new ClientActionError(`the escrow ${address.toBase58()} of job ${jobId} is closed`)
  if (!escrow.client.equals(c.keypair.publicKey)) throw new ClientActionError(`the escrow of job ${jobId} belongs to ${escrow.client.toBase58()}, not to this wallet (${c.keypair.publicKey.toBase58()})`)
  return { record, address, escrow }
}

/**
 * `cancel`: withdraws a funded job the worker has not delivered. The worker keeps its pro-rata
 * earnings for the epochs it anchored and the cancellation fee; the rest comes back (an offer the
 * worker never accepted comes back whole). The record moves to `cancelled`.
 */
export async function cancelJob (c: ClientActionComponents, jobId: string): Promise<{ jobId: string, signature: string }> {
  const { address, escrow } = await onChain(c, jobId)
  if (escrow.state !== ESCROW_STATE.funded) throw new ClientActionError(`the escrow of job ${jobId} is ${stateName(escrow.state)}, not funded: there is nothing to cancel`)
  if (escrow.delivered !== 0) throw new ClientActionError(`job ${jobId} was delivered: it can no longer be cancelled; dispute it within the challenge window if the work is wrong`)
  const config = await readConfig(c.connection)
  const me = c.keypair.publicKey
  const signature = await sendTransaction(c.connection, [cancel({ client: me, escrow: address, worker: escrow.worker, workerToken: tokenAccount(escrow.worker, config.mint), clientToken: tokenAccount(me, config.mint) })], [c.keypair])
  await c.withJobs(async (jobs) => {
    const r = await jobs.get(jobId)
    if (r !== undefined && r.state !== 'cancelled') await jobs.transition(jobId, 'cancelled', { cancelSignature: signature })
  })
  return { jobId, signature }
}

/** `rate_worker`: 1..5 stars for the worker of a completed job, once. */
export async function rateJob (c: ClientActionComponents, jobId: string, stars: number): Promise<{ jobId: string, stars: number, signature: string }> {
  if (!Number.isInteger(stars) || stars < 1 || stars > 5) throw new ClientActionError(`stars must be a whole number 1..5 (got ${String(stars)})`)
  const { address, escrow } = await onChain(c, jobId)
  if (escrow.state !== ESCROW_STATE.completed) throw new ClientActionError(`job ${jobId}'s escrow is ${stateName(escrow.state)}: only a completed job's worker can be rated`)
  if (escrow.rated !== 0) throw new ClientActionError(`job ${jobId}'s worker was already rated`)
  const signature = await sendTransaction(c.connection, [rateWorker({ client: c.keypair.publicKey, escrow: address, worker: escrow.worker }, stars)], [c.keypair])
  return { jobId, stars, signature }
}

/**
 * `open_dispute` on an optimistic job whose delivery is in its challenge window, citing the
 * evidence CID (given, or the one the record's delivery names). The dispute bond is locked from
 * the wallet: refused here when it does not hold it.
 */
export async function disputeJob (c: ClientActionComponents, jobId: string, evidenceCid?: string): Promise<{ jobId: string, signature: string, evidenceCid: string }> {
  const { record, address, escrow } = await onChain(c, jobId)
  const cid = evidenceCid ?? record.facts.evidenceCid
  if (cid === undefined) throw new ClientActionError(`job ${jobId} has no delivery recorded: name the evidence CID to cite`)
  try {
    CID.parse(cid)
  } catch {
    throw new ClientActionError(`the evidence must be a CID (got ${cid})`)
  }
  if (escrow.state !== ESCROW_STATE.funded) throw new ClientActionError(`the escrow of job ${jobId} is ${stateName(escrow.state)}: only a funded escrow can be disputed`)
  if (escrow.tier !== TIER.optimistic) throw new ClientActionError(`job ${jobId} is on the zk tier: its worker's proof is verified on-chain, there is nothing to dispute`)
  if (escrow.delivered === 0) throw new ClientActionError(`job ${jobId} has no delivery on-chain yet: cancel it instead, or wait for the deadline and refund it`)
  const config = await readConfig(c.connection)
  const bond = config.params.disputeBond
  const me = c.keypair.publicKey
  const held = await c.connection.getTokenAccountBalance(tokenAccount(me, config.mint), 'confirmed').then((r) => BigInt(r.value.amount), () => 0n)
  if (held < bond) throw new ClientActionError(`opening a dispute locks the dispute bond of ${formatTokens(bond)} CYXWIZ; ${me.toBase58()} holds ${formatTokens(held)}`)
  const signature = await openJobDispute({ wallet: me, readConfig: async () => config, send: async (ixs) => await sendTransaction(c.connection, ixs, [c.keypair]) }, address, cid)
  return { jobId, signature, evidenceCid: cid }
}
