/**
 * Failover (issue 21), the client's side: the worker of an optimistic job stalled — its session gone
 * (every reconnect failed) and nothing anchored on-chain for the escrow's no-progress timeout
 * (`failoverDue`, the rule `hand_over` itself applies) — so the client:
 *
 * 1. verifies the checkpoint it kept of the run (keeper.ts: the worker's interim manifest, fetched
 *    and pinned here as the notices came), re-executing spot-checked segments as it checks a
 *    delivery; an unverifiable or missing checkpoint counts as not done (`verifiedEpochs`);
 * 2. re-auctions the rest of the job: the same job id and spec, announced with a `ResumePoint` (the
 *    hand-over's number, the epoch training resumes after and the checkpoint's CID), at the escrow's
 *    remaining amount (`handOverSplit`) for the remaining share of the estimate, the stalled
 *    worker's bids left out;
 * 3. signs `hand_over(verified, winner)`: the program pays the stalled worker for the verified
 *    epochs, slashes it as for a timeout and makes the escrow an offer to the winner for the rest.
 *
 * The session then goes on with the new worker and the same award shape, carrying the resume point
 * (index.ts); the new worker fetches the checkpoint by CID and continues the same chain.
 */
import { logger } from '@libp2p/logger'
import { randomBytes } from 'node:crypto'
import { PublicKey, type TransactionInstruction } from '@solana/web3.js'
import { ESCROW_STATE, TIER, handOver, type ConfigAccount, type EscrowAccount, type NodeAccount } from '../../../chain/index.js'
import { failoverDue, handOverSplit, remainingEstimateSeconds, reputationTier, verifiedEpochs, type HandOverSplit, type wire } from '../../../protocols/index.js'
import type { ReceivedBid } from '../../node/index.js'
import type { TrainingData } from '../../train/index.js'
import { tokenAccount } from '../chain.js'
import { runAuction, type AnnounceTerms, type AuctionComponents, type AuctionResult } from './auction.js'
import type { KeptCheckpoint } from './keeper.js'
import type { Emit } from './types.js'

const log = logger('cyx:client:failover')

export interface FailoverComponents extends AuctionComponents {
  readonly wallet: PublicKey
  readEscrow: (escrow: PublicKey) => Promise<EscrowAccount>
  readConfig: () => Promise<ConfigAccount>
  send: (ixs: TransactionInstruction[]) => Promise<string>
  /** The ledger's clock, unix seconds (the clock the program's no-progress rule reads). */
  chainNow: () => Promise<number>
  /** Re-executes `k` segments of the interim manifest at `cid` (in this peer's blockstore) drawn from `seed`. */
  verifyInterim: (cid: string, dataset: TrainingData, k: number, seed: Uint8Array) => Promise<{ readonly passed: boolean, readonly reasons: readonly string[] }>
}

/** The session went away and the worker stalled on-chain: the job is to be handed over. */
export class WorkerStalledError extends Error {
  constructor (readonly escrow: string, readonly lastProgressAt: bigint) {
    super(`the worker of escrow ${escrow} stalled: no session and no progress anchored since ${lastProgressAt} for the escrow's no-progress timeout`)
    this.name = 'WorkerStalledError'
  }
}

/**
 * Whether the job on `escrow` is due for a hand-over now, its session being gone: the escrow's own
 * no-progress rule at the ledger's clock. Throws when the escrow is no longer funded (settled,
 * refunded or cancelled meanwhile: there is nothing to hand over).
 */
export async function stallDue (c: Pick<FailoverComponents, 'readEscrow' | 'chainNow'>, escrow: PublicKey): Promise<boolean> {
  const e = await c.readEscrow(escrow)
  if (e.state !== ESCROW_STATE.funded) throw new Error(`escrow ${escrow.toBase58()} is no longer funded (state ${e.state})`)
  if (e.tier !== TIER.optimistic || e.delivered !== 0) return false
  const now = await c.chainNow()
  return failoverDue({ accepted: e.accepted !== 0, acceptedAt: Number(e.acceptedAt), lastProgressAt: Number(e.lastProgressAt), epochsDone: e.epochsDone, epochsTotal: e.epochsTotal },
    now, Number(e.terms.noProgressTimeoutSecs), false)
}

export interface FailoverRequest {
  readonly jobId: string
  readonly terms: Omit<AnnounceTerms, 'maxPrice' | 'estimatedSeconds' | 'resume'>
  readonly dataset: TrainingData
  readonly escrow: PublicKey
  /** The stalled worker: its wallet (the escrow's) and peer id (its bids are left out). */
  readonly stalledWallet: PublicKey
  readonly stalledPeer: string
  /** The checkpoint this client kept of the stalled run (keeper.ts), if any. */
  readonly kept: KeptCheckpoint | undefined
  readonly spotChecks: number
  readonly windowMs: number
}

export interface FailoverResult {
  readonly auction: AuctionResult
  readonly resume: wire.ResumePoint
  /** What `hand_over` moved (`handOverSplit`, checked against the escrow after it). */
  readonly split: HandOverSplit
  readonly verifiedEpochs: number
  /** The spot check of the kept checkpoint (undefined: none was kept). */
  readonly checkpointCheck: { readonly passed: boolean, readonly reasons: readonly string[] } | undefined
  readonly signature: string
  /** The escrow after the hand-over: an offer to the new worker for `split.remaining`. */
  readonly escrowAfter: EscrowAccount
}

/** Steps 1–3 of the module header. */
export async function handOverJob (c: FailoverComponents, r: FailoverRequest, emit: Emit): Promise<FailoverResult> {
  const before = await c.readEscrow(r.escrow)
  // 1. What the client can vouch for: its kept checkpoint, re-executed where the spot check draws.
  let checkpointCheck: FailoverResult['checkpointCheck']
  if (r.kept !== undefined) {
    try {
      checkpointCheck = await c.verifyInterim(r.kept.cid, r.dataset, r.spotChecks, Uint8Array.from(randomBytes(32)))
    } catch (e) {
      checkpointCheck = { passed: false, reasons: [e instanceof Error ? e.message : String(e)] }
    }
    if (!checkpointCheck.passed) log('the kept checkpoint %d (%s) failed its check: %s', r.kept.epoch, r.kept.cid, checkpointCheck.reasons.join('; '))
  }
  const verified = verifiedEpochs(r.kept === undefined || checkpointCheck === undefined ? undefined : { epoch: r.kept.epoch, passed: checkpointCheck.passed }, before)
  const stalledNode: NodeAccount | undefined = await c.readNode(r.stalledWallet)
  const split = handOverSplit(before.amount, verified, before.epochsTotal, reputationTier(stalledNode?.reputation ?? 0).name, before.epochsBase)
  const resume: wire.ResumePoint = { handover: before.handovers + 1, epoch: verified, checkpointCid: verified > 0 && r.kept !== undefined ? r.kept.cid : '' }
  emit({ type: 'stalled', worker: r.stalledPeer, verifiedEpochs: verified, kept: r.kept?.epoch ?? 0, checkpointPassed: checkpointCheck?.passed ?? false, remaining: split.remaining })

  // 2. The rest of the job, re-auctioned; the stalled worker's bids do not count.
  const estimatedSeconds = remainingEstimateSeconds(Number(before.estimatedSeconds), before.epochsTotal, verified)
  const auctionComponents: AuctionComponents = {
    ...c,
    openRound: (jobId, windowMs) => {
      const round = c.openRound(jobId, windowMs)
      const other = (b: ReceivedBid): boolean => b.from.toString() !== r.stalledPeer && !new PublicKey(b.signer).equals(r.stalledWallet)
      return {
        jobId: round.jobId,
        get bids () { return round.bids.filter(other) },
        closed: round.closed.then((bids) => bids.filter(other)),
        onBid: (fn) => { round.onBid((b) => { if (other(b)) fn(b) }) },
        closeIn: (ms) => { round.closeIn(ms) },
        close: () => { round.close() }
      }
    }
  }
  const auction = await runAuction(auctionComponents, { terms: { ...r.terms, maxPrice: split.remaining, estimatedSeconds, resume }, windowMs: r.windowMs, expected: 1 }, emit)

  // 3. On-chain: the stalled worker paid for what was verified and slashed; the rest offered to the winner.
  const config = await c.readConfig()
  const signature = await c.send([handOver({ client: c.wallet, escrow: r.escrow, worker: r.stalledWallet, workerToken: tokenAccount(r.stalledWallet, config.mint), mint: config.mint }, verified, auction.workerWallet)])
  const escrowAfter = await c.readEscrow(r.escrow)
  if (escrowAfter.amount !== split.remaining || !escrowAfter.worker.equals(auction.workerWallet) || escrowAfter.epochsBase !== verified) {
    throw new Error(`after hand_over the escrow holds ${escrowAfter.amount} for ${escrowAfter.worker.toBase58()} from epoch ${escrowAfter.epochsBase}; expected ${split.remaining} for ${auction.workerWallet.toBase58()} from ${verified}`)
  }
  emit({ type: 'handed-over', from: r.stalledPeer, to: auction.best.bid.bidder, verifiedEpochs: verified, firstWorker: split.worker, platform: split.platform, remaining: split.remaining, signature })
  return { auction, resume, split, verifiedEpochs: verified, checkpointCheck, signature, escrowAfter }
}
