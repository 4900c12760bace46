/** The worker role's shapes: what `Worker.start` takes and the events it reports as it works. */
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Connection } from '@solana/web3.js'
import type { Ballot, ComputeClass } from '../../../protocols/index.js'
import type { PeerStore } from '../../../storage/index.js'
import type { PeerNode } from '../../node/index.js'
import type { BidDecision } from '../../policy/index.js'
import type { WorkerJobState } from '../jobs.js'
import type { WorkerFaults } from '../faults.js'

export interface WorkerOptions {
  readonly node: PeerNode
  /** Solana JSON-RPC (the embedded ledger's server or any cluster). */
  readonly connection: Connection
  /** The peer's databases: job records, evidence drafts. Pass `node.store` (Helia, hence the
   * evidence blocks bitswap serves, runs on the node's store). */
  readonly store: PeerStore
  /** The worker's rate for its machine, base units per hour. */
  readonly pricePerHour: bigint
  readonly compute?: ComputeClass
  /** Resources the price covers (pricing model inputs). Default 1 GB RAM, no GPU memory. */
  readonly ramGb?: number
  readonly vramGb?: number
  readonly capabilities?: readonly string[]
  readonly datasets?: readonly string[]
  readonly maxDatasetBytes?: number
  /** Stake to register with when the node has no Node account yet. Default: the lowest tier's. */
  readonly stake?: bigint
  readonly speedBps?: number
  readonly capacity?: number
  /** Bids, awards and jobs as they happen (for a CLI or a test). */
  readonly onEvent?: (e: WorkerEvent) => void
  /** Every refused job stream (typed: WireError, JobRefusal). */
  readonly onRejected?: (peer: PeerId, error: Error) => void
  /** How a juror fetches the evidence it judges in each fetch round (default `FETCH_RETRY`: 4 attempts
   * of 30 s): fewer or shorter attempts for tests. Unavailable evidence is fetched again in later
   * rounds until the commit window is about to close (`JUROR`, `fetchRetryStep`). */
  readonly jurorFetch?: { readonly attempts?: number, readonly attemptTimeoutMs?: number }
  /** Misbehaviour to commit instead of honest training (`cyx sim`'s failure scenarios): see faults.ts. */
  readonly faults?: WorkerFaults
  /** An optional coordinator: the worker registers its signed advert with it after each advert
   * publish or refresh (a failure is a `coordinator` event; the DHT advert stands regardless). */
  readonly coordinator?: Multiaddr
  /** How often a delivered job's escrow (and the chain's clock) is polled while settling, ms
   * (default 10 s): the optimistic window's end, a client's `complete`, a dispute. */
  readonly settlementPollMs?: number
  /** On-chain `heartbeat` (the uptime the reputation counts), every this many ms; false: none.
   * Default: Config `heartbeat_interval_secs` (2 minutes) plus a second, the first one that long
   * after start. (The program refuses a heartbeat sooner than the interval by its own clock.) */
  readonly heartbeatMs?: number | false
  /** The juror duty (juror-duty.ts): serve on the dispute juries this staked node is drawn for —
   * judge, commit, reveal, settle the deposit — by itself. Default true; false: never a juror. */
  readonly juror?: boolean
  /** How often the juror duty reads the program's disputes, ms (default `JUROR.pollSeconds`; a commit window is 24 h). */
  readonly jurorPollMs?: number
}

export type WorkerEvent =
  | { readonly type: 'registered', readonly stake: bigint, readonly signature: string }
  /** `relayed`: the advert names a relayed (`/p2p-circuit`) address, i.e. a relay reservation is held. */
  | { readonly type: 'advertised', readonly storedOn: number, readonly relayed: boolean }
  | { readonly type: 'advert-failed', readonly error: string }
  /** A job's dataset arrived whole and matched its hash: its size and how long its leg took, ms
   * (from this worker's acceptance to the last byte; peer/job `Transfer`). */
  | { readonly type: 'dataset-received', readonly jobId: string, readonly bytes: number, readonly ms: number }
  /** The advert offered to the coordinator: indexed until `indexedUntil` (unix seconds), or why not. */
  | { readonly type: 'coordinator', readonly result: 'registered', readonly indexedUntil: bigint }
  | { readonly type: 'coordinator', readonly result: 'failed', readonly error: string }
  /** Whether the worker bids on an announced job, and why not (the policy's reason, or its slots). */
  | { readonly type: 'bid-decision', readonly jobId: string, readonly decision: BidDecision }
  | { readonly type: 'bid-sent', readonly jobId: string, readonly price: bigint }
  | { readonly type: 'bid-failed', readonly jobId: string, readonly error: string }
  | { readonly type: 'job', readonly jobId: string, readonly state: WorkerJobState, readonly error?: string }
  /** An unfinished job found at start (its escrow still funded): it resumes when the client comes back. */
  | { readonly type: 'resumable', readonly jobId: string, readonly state: WorkerJobState }
  /** The client came back with the award of an unfinished job: training resumes from the last stored checkpoint. */
  | { readonly type: 'resumed', readonly jobId: string, readonly state: WorkerJobState }
  /** The owner paused or resumed bidding, or set a new price (base units per hour). */
  | { readonly type: 'control', readonly paused: boolean, readonly pricePerHour: bigint }
  /** A delivered job's client asked again (the Delivery never reached it): the same weights went out again. */
  | { readonly type: 'redelivered', readonly jobId: string }
  /** The session went away before delivery; the job stays where it was, to be resumed. */
  | { readonly type: 'interrupted', readonly jobId: string, readonly error: string }
  /** Checkpoint `epoch` (before the final one) is anchored on-chain (`anchor_progress`: the
   * no-progress timeout restarts); `transactions`: this job's intermediate anchors so far. */
  | { readonly type: 'progress-anchored', readonly jobId: string, readonly epoch: number, readonly signature: string, readonly transactions: number }
  /** Anchoring checkpoint `epoch` failed; it is tried again (or a newer checkpoint instead). */
  | { readonly type: 'progress-anchor-failed', readonly jobId: string, readonly epoch: number, readonly error: string }
  /** Failover (issue 21): the client handed this worker's job over to `by` after it stalled; the job ends here. */
  | { readonly type: 'replaced', readonly jobId: string, readonly escrow: string, readonly by: string }
  /** Failover: the checkpoint of a handed-over job, fetched by CID and verified, became this worker's draft to resume. */
  | { readonly type: 'adopted', readonly jobId: string, readonly epoch: number, readonly cid: string, readonly blocks: number }
  /** The final Poseidon root of the checkpoint commitments is anchored on-chain (and, optimistic
   * tier, the delivery submitted with its last-leaf proof: the challenge window runs).
   * `progressAnchors`: the transactions that anchored its intermediate epochs while it trained
   * (`signatures` are the final anchor's and the delivery's). */
  | { readonly type: 'anchored', readonly jobId: string, readonly tier: 'optimistic' | 'zk', readonly checkpoints: number, readonly root: string, readonly signatures: readonly string[], readonly progressAnchors: number }
  /** zk tier: the program drew step `step`; the Groth16 proof of it is being made. */
  | { readonly type: 'challenge', readonly jobId: string, readonly step: number }
  /** The escrow is over: paid by `complete_zk` (`proved`) or `claim_payment` (`claimed`), or ended
   * by someone else (`ended`: the client's complete, a dispute's verdict, a refund). */
  | { readonly type: 'settled', readonly jobId: string, readonly how: 'proved' | 'claimed' | 'ended', readonly signature?: string, readonly challengeStep?: number, readonly proveSeconds?: number, readonly escrowState?: number }
  | { readonly type: 'settlement-failed', readonly jobId: string, readonly error: string }
  /** The on-chain heartbeat went out (or why not: the next one is tried an interval later). */
  | { readonly type: 'heartbeat', readonly signature: string }
  | { readonly type: 'heartbeat-failed', readonly error: string }
  /** The juror duty (juror-duty.ts). This node was drawn for round `round` of dispute `dispute` (its
   * address) and judges the evidence `cid`. */
  | { readonly type: 'juror-drawn', readonly dispute: string, readonly round: number, readonly cid: string }
  /** Drawn, but this node made no judgement (fetched evidence it cannot re-execute here, or a claim
   * citing no valid CID): no commit (no deposit risked). */
  | { readonly type: 'juror-abstained', readonly dispute: string, readonly round: number, readonly cid: string, readonly reason: string }
  /** No holder served the evidence in the `failures`-th fetch round: fetched again at `retryAt` (chain
   * unix seconds), and no later than `lastRetryAt`; after that, if every round failed, the juror
   * votes `unavailable` (`fetchRetryStep`). */
  | { readonly type: 'juror-retrying', readonly dispute: string, readonly round: number, readonly cid: string, readonly failures: number, readonly retryAt: bigint, readonly lastRetryAt: bigint, readonly reason: string }
  /** Committed to `side` (what its own re-execution of `segments` found; `unavailable`: no holder
   * served the evidence in any fetch round before the commit window was about to close), `deposit` moved from its stake. */
  | { readonly type: 'juror-committed', readonly dispute: string, readonly round: number, readonly side: Ballot, readonly deposit: bigint, readonly segments: readonly number[], readonly signature: string }
  | { readonly type: 'juror-revealed', readonly dispute: string, readonly round: number, readonly side: Ballot, readonly signature: string }
  /** A dispute against this worker, still in its evidence window, answered with the evidence CID
   * it delivered (`submit_evidence`): the jurors fetch and judge that. */
  | { readonly type: 'dispute-answered', readonly dispute: string, readonly cid: string, readonly signature: string }
  | { readonly type: 'dispute-answer-failed', readonly dispute: string, readonly error: string }
  /** The round is over and the vote settled: by this node (`returned` back into its stake: the
   * deposit, plus a share of the forfeits with the majority, 0 when forfeited), or by another's
   * `withdraw_vote` (`returned` null). */
  | { readonly type: 'juror-settled', readonly dispute: string, readonly round: number, readonly by: 'self' | 'another', readonly returned: bigint | null, readonly signature: string | null }
  /** A step failed (tried again at the next poll); `watch`: reading the disputes. */
  | { readonly type: 'juror-failed', readonly dispute?: string, readonly round?: number, readonly step: 'watch' | 'judge' | 'commit' | 'reveal' | 'settle', readonly error: string }

export type WorkerEmit = (e: WorkerEvent) => void
