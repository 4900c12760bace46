/**
 * The client role's shapes: what `Client.start` takes, what `submit` is asked and returns, and the
 * events a job emits as it lives (for a CLI, the sim, a page, or a test).
 */
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Connection, PublicKey } from '@solana/web3.js'
import type { wire } from '../../../protocols/index.js'
import type { JobSessionResult } from '../../job/index.js'
import type { FallbackCause } from '../../match/index.js'
import type { PeerNode } from '../../node/index.js'
import type { BidRanking } from '../../policy/index.js'
import type { PeerStore } from '../../../storage/index.js'
import type { ClientModelRequest, TrainingData } from '../../train/index.js'
import type { ClientJobState } from '../jobs.js'
import type { SpecRequest } from '../spec.js'
import type { SpotCheckReport } from '../training.js'

export interface ClientOptions {
  readonly node: PeerNode
  readonly connection: Connection
  /** Where job records persist; in memory without it. */
  readonly store?: PeerStore
  /** How long fetching the winner's evidence over bitswap may take (default 60 s). Evidence not
   * fetched in time (or invalid) is a failed check: the job ends `rejected`, unpaid. */
  readonly evidenceTimeoutMs?: number
  /**
   * How long the client keeps trying to resume a job session that went away (the worker restarted,
   * the connection dropped) before giving up, ms (default 120 s). Each retry re-signs the same
   * award; the worker resumes from its last stored checkpoint.
   */
  readonly resumeWindowMs?: number
  /** Segments re-executed per job (default `PROOF.defaultSpotChecks`). */
  readonly spotChecks?: number
  /** Every bid stream the collector refused (typed: WireError, BidRefusedError). */
  readonly onBidRejected?: (peer: PeerId, error: Error) => void
  /**
   * After the spot check (optimistic tier): 'complete' signs `complete` at once if it passed
   * (default: an early release); 'window' lets the on-chain challenge window run — the worker claims
   * its payment after it, undisputed (`submit` returns `verified`); 'dispute' opens a dispute citing
   * the evidence CID, whatever the check found; 'none' leaves the escrow. A failed check never
   * pays: on an optimistic job it opens a dispute (unless 'none') before the window can close.
   * zk tier: 'complete' and 'window' both wait for the worker's proof to be verified on-chain.
   */
  readonly settle?: SettleMode
  /** zk tier: how long to wait for the worker's `complete_zk` after delivery, ms (default 300 s). */
  readonly proofTimeoutMs?: number
  /**
   * An optional coordinator: before announcing, the client asks it for candidates
   * (`matchViaCoordinator`, which checks every advert and every stake itself), dials them and
   * announces to them, skipping the DHT search. Whatever goes wrong with it (unreachable, slow,
   * lying, no candidate) is reported as a `coordinator` fallback event and the job goes on through
   * the DHT and gossipsub exactly as without one.
   */
  readonly coordinator?: Multiaddr
  /** How long the coordinator has for a checked answer, ms (default `TIMEOUTS.coordinatorMatchMs`, protocols/params.ts). */
  readonly coordinatorTimeoutMs?: number
  /**
   * Failover (issue 21, optimistic tier): when the worker's session is gone and the escrow's
   * no-progress rule says it stalled (`failoverDue`), verify the kept checkpoint, re-auction the rest
   * and `hand_over` the escrow to the new worker (failover.ts), instead of failing the job after the
   * resume window. Off by default: the session then fails after `resumeWindowMs` as before, and the
   * escrow waits for `timeout_refund`.
   */
  readonly failover?: boolean
}

export type SettleMode = 'complete' | 'window' | 'dispute' | 'none'
export type Tier = 'optimistic' | 'zk'

export interface JobRequest extends SpecRequest {
  /** A built-in dataset (spirals, mnist, mnist-4x4); ignored when `clientModel` is given. */
  readonly datasetId: string
  /**
   * Bring your own model: the client's ONNX file and dataset with a training recipe. Checked before
   * anything is announced or escrowed (prepareClientModelJob); stored in this peer's Helia, from which
   * the worker fetches them by CID. Optimistic tier only.
   */
  readonly clientModel?: ClientModelRequest
  readonly maxPrice: bigint
  /** The client's estimate of the training time, seconds (prices and the escrow use it). */
  readonly estimatedSeconds?: number
  readonly priority?: wire.Priority
  readonly capability?: string
  readonly bidWindowMs?: number
  readonly onProgress?: (e: ClientJobEvent) => void
  readonly signal?: AbortSignal
}

export type ClientJobEvent =
  | { readonly type: 'state', readonly state: ClientJobState, readonly jobId: string }
  | { readonly type: 'workers', readonly found: number }
  /** What the coordinator (when configured) gave: candidates to announce to, or why it was not used. */
  | { readonly type: 'coordinator', readonly result: 'matched', readonly candidates: number, readonly connected: number, readonly elapsedMs: number }
  | { readonly type: 'coordinator', readonly result: 'fallback', readonly cause: FallbackCause, readonly reason: string, readonly elapsedMs: number }
  | { readonly type: 'bid', readonly from: string, readonly price: bigint, readonly etaSeconds: number }
  | { readonly type: 'award', readonly worker: string, readonly price: bigint, readonly escrow: string }
  | { readonly type: 'metrics', readonly metrics: wire.Metrics }
  | { readonly type: 'checkpoint', readonly checkpoint: wire.CheckpointNotice }
  /** The worker's run up to checkpoint `epoch` is fetched, checked against its notice and pinned here (keeper.ts). */
  | { readonly type: 'checkpoint-kept', readonly epoch: number, readonly cid: string, readonly blocks: number, readonly bytes: number }
  | { readonly type: 'spot-check', readonly report: SpotCheckReport }
  /** The session went away; the client retries it (attempt 2, 3, …). */
  | { readonly type: 'reconnecting', readonly attempt: number, readonly error: string }
  /** The delivered weights arrived whole and matched their hash: their size and how long their leg
   * took, ms (from the delivery record to the last byte; peer/job `Transfer`). */
  | { readonly type: 'weights', readonly bytes: number, readonly ms: number }
  /** The evidence fetched over bitswap; `ms`: the whole fetch. */
  | { readonly type: 'evidence', readonly cid: string, readonly blocks: number, readonly bytes: number, readonly ms: number }
  /** The escrow's anchored Poseidon root (and, optimistic, its on-chain delivery) checked against the evidence. */
  | { readonly type: 'anchored-root', readonly ok: boolean, readonly root: string, readonly reason?: string }
  /** zk tier: the escrow ended — `completed` when the program verified the worker's step proof. */
  | { readonly type: 'zk', readonly verifiedOnChain: boolean, readonly challengeStep: number, readonly escrowState: number }
  /** Failover: the worker stalled (no session, no progress on-chain); what the client verified of its run. */
  | { readonly type: 'stalled', readonly worker: string, readonly kept: number, readonly checkpointPassed: boolean, readonly verifiedEpochs: number, readonly remaining: bigint }
  /** Failover: `hand_over` signed; the job goes on with `to` from `verifiedEpochs`. */
  | { readonly type: 'handed-over', readonly from: string, readonly to: string, readonly verifiedEpochs: number, readonly firstWorker: bigint, readonly platform: bigint, readonly remaining: bigint, readonly signature: string }

/** How a step reports what happens (an observer's failure is never the job's). */
export type Emit = (e: ClientJobEvent) => void

export interface Winner { readonly peer: string, readonly wallet: string, readonly price: bigint, readonly etaSeconds: number }

export interface ZkOutcome { readonly verifiedOnChain: boolean, readonly challengeStep: number, readonly escrowState: number }

export interface JobOutcome {
  readonly jobId: string
  readonly state: ClientJobState
  readonly spec: wire.TrainingSpec
  readonly ranking: BidRanking
  readonly winner: Winner
  readonly escrow: string
  readonly session: JobSessionResult
  readonly spotCheck: SpotCheckReport | undefined
  readonly completeSignature: string | undefined
  /** `open_dispute`'s signature when the client disputed (`disputeClaim`), and why. */
  readonly disputeSignature?: string
  readonly disputeReason?: string
  readonly tier: Tier
  /** zk tier: what the program did with the worker's proof of the challenged step. */
  readonly zk?: ZkOutcome
  /**
   * A client-model job that passed its checks: the client's own ONNX file with the trained weights,
   * and what this client measured running it with onnxruntime on its test split.
   */
  readonly trainedModel?: { readonly bytes: Uint8Array, readonly testAccuracy?: number, readonly testLoss?: number, readonly testRows: number }
  /** The job was handed over from a stalled worker (failover.ts); `winner` is then the last worker. */
  readonly failover?: FailoverOutcome
}

export interface FailoverOutcome {
  /** The stalled worker's peer id and wallet, and the new worker's. */
  readonly from: string
  readonly fromWallet: string
  readonly to: string
  readonly toWallet: string
  /** The epochs verified and paid for; training resumed after this checkpoint. */
  readonly resumedFromEpoch: number
  readonly checkpointCid: string
  /** `hand_over`'s split (`handOverSplit`): the stalled worker's pay, the platform's fee of it, what was left. */
  readonly firstWorkerPaid: bigint
  readonly platformFee: bigint
  readonly remaining: bigint
  readonly signature: string
}

/** What the rest of a job needs once its escrow exists (from `submit`, or from the record on `resume`). */
export interface JobContext {
  readonly jobId: string
  readonly jobIdBytes: Uint8Array
  readonly spec: wire.TrainingSpec
  readonly dataset: TrainingData
  /** The dataset as the job stream carries it: a built-in dataset's encoding, or a client model's
   * canonical encoding as its four arrays (`datasetSegments`, sent when the worker asks). */
  readonly datasetBytes: Uint8Array | readonly Uint8Array[]
  readonly tier: Tier
  readonly escrow: PublicKey
  readonly worker: PeerId
  readonly winner: Winner
  readonly ranking: BidRanking
  /** The announce's priority (a re-auction announces the rest with it; default normal). */
  readonly priority?: wire.Priority
  /** Failover: the award carries where the new worker resumes (failover.ts). */
  readonly resume?: wire.ResumePoint
  readonly failover?: FailoverOutcome
}

export class NoEligibleBidError extends Error {
  readonly ranking: BidRanking
  constructor (ranking: BidRanking) {
    super(`no eligible bid (${ranking.rejected.length} refused: ${ranking.rejected.map((r) => r.reason).join(', ') || 'none arrived'})`)
    this.name = 'NoEligibleBidError'
    this.ranking = ranking
  }
}
