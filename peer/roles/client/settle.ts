/**
 * Step 7 of a job's life: the escrow settled. Optimistic tier: the client signs `complete` (paying
 * the worker at once) or lets the challenge window run. zk tier: the client reveals its challenge
 * secret after the worker's final anchor (`reveal_challenge`), then waits for the program to verify
 * the worker's proof (`complete_zk`), or for the escrow to end otherwise.
 */
import { logger } from '@libp2p/logger'
import type { PublicKey, TransactionInstruction } from '@solana/web3.js'
import { ESCROW_STATE, complete, type ConfigAccount, type EscrowAccount } from '../../../chain/index.js'
import { tokenAccount } from '../chain.js'
import type { ZkOutcome } from './types.js'

const log = logger('cyx:client:settle')

export interface SettleComponents {
  /** The client's wallet (it signs `complete` and the reveal). */
  readonly wallet: PublicKey
  readConfig: () => Promise<ConfigAccount>
  /** Sends a transaction signed by the client's wallet and waits for its confirmation. */
  send: (ixs: TransactionInstruction[]) => Promise<string>
  readEscrow: (escrow: PublicKey) => Promise<EscrowAccount>
  /** `reveal_challenge` once the final root is anchored; undefined when there was nothing to send. */
  revealChallenge: (escrow: PublicKey, secret: Uint8Array) => Promise<string | undefined>
  now: () => number
  sleep: (ms: number) => Promise<void>
}

/** `complete`: pays the worker the escrow for these weights; resolves with the signature. */
export async function completeJob (c: SettleComponents, escrow: PublicKey, worker: PublicKey, weightsHash: Uint8Array): Promise<string> {
  const config = await c.readConfig()
  return await c.send([complete({ client: c.wallet, escrow, worker, workerToken: tokenAccount(worker, config.mint) }, weightsHash)])
}

/**
 * zk tier: reveals the job's challenge secret once the final root is anchored. A failure is logged,
 * not fatal (three tries): past the reveal window the worker draws by the slot-hash fallback.
 * Resolves with the reveal's signature, if one was sent.
 */
export async function revealJobChallenge (c: SettleComponents, jobId: string, escrow: PublicKey, secret: Uint8Array | undefined): Promise<string | undefined> {
  if (secret === undefined) {
    log('job %s: no challenge secret recorded (an older client): the worker will draw by the fallback', jobId)
    return undefined
  }
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await c.revealChallenge(escrow, secret)
    } catch (e) {
      log.error('job %s: revealing the challenge failed (attempt %d): %s', jobId, attempt, e instanceof Error ? e.message : e)
      await c.sleep(1_000 * attempt)
    }
  }
  return undefined
}

/** zk tier: waits until the escrow leaves `funded` (the worker's `complete_zk`, or a slash). */
export async function awaitProof (c: SettleComponents, escrow: PublicKey, timeoutMs: number, signal: AbortSignal | undefined): Promise<ZkOutcome> {
  const deadline = c.now() + timeoutMs
  for (;;) {
    signal?.throwIfAborted()
    const e = await c.readEscrow(escrow)
    if (e.state !== ESCROW_STATE.funded) return { verifiedOnChain: e.state === ESCROW_STATE.completed, challengeStep: e.challengeStep, escrowState: e.state }
    if (c.now() > deadline) throw new Error('the worker did not prove the challenged step in time (the escrow is still funded; after its deadline `slash_invalid_proof` refunds it)')
    await c.sleep(500)
  }
}
