/**
 * `cyx sim`'s main run: a local network (peer/sim/network.ts: the embedded ledger, which this
 * process keeps and serves as JSON-RPC, and funded wallets) with N workers at different prices and
 * one client, each peer run by a peer host (peer/sim/host.ts) — by default its own OS process of the
 * `cyx` binary, with `mode: 'in-process'` in this process — and driven only through its `SimPeer`
 * handle (peer/sim/peers.ts), the same interface and line protocol in both modes. The client
 * submits its list of jobs (today one spirals job): the auction on gossipsub and
 * /cyx/bid/1.0.0, the escrow on-chain naming the best-scored bid, the dataset and live metrics over
 * /cyx/job/1.0.0, training with Helia evidence, hash-checked weights, re-execution spot checks and
 * payment 90/10 by the program — all real. Balances before and after must reconcile to the base unit
 * and the token supply (burned included) must not change.
 *
 * The client fetches the winner's evidence by CID over bitswap (each peer's libp2p node is its
 * Helia's), exactly as between processes.
 *
 * Scenarios (`scenario`), each judged by named checks that must all hold for `ok`:
 * - `honest`: the job is paid 90/10.
 * - `timeout`: every worker carries the `vanishAfterAward` fault, so the winner stops its node after
 *   its first checkpoint; a keeper peer's `timeout_refund` is refused before the deadline, the clock
 *   is warped past it, the keeper's second call refunds the client in full and slashes the worker
 *   10 % of its stake (80 % insurance, 20 % burned), −30 reputation.
 * - `cheat`: every worker carries `fabricateSegments` (trains segment 1, fabricates the rest with a
 *   consistent chain); the client's spot checks fail, it does not sign `complete` and opens a
 *   dispute; three jurors fetch the evidence over bitswap, re-run spot checks, find it false and vote
 *   for the client; `resolve_dispute` refunds the client and slashes the cheater 50 % (half to the
 *   client, half to the platform treasury), −200 reputation, banned.
 * - `dispute`: honest workers; the client disputes the delivered (and verified) job anyway; the
 *   jurors' checks pass, they vote for the worker, who is paid 90/10, +5 reputation.
 * Balances are expected from the protocol's rules (settlementSplit, slashStake, disputeVerdict,
 * applyReputationEvent) for the outcome the scenario requires, and compared to the base unit.
 *
 * - `crash`: every worker carries `crashAtCheckpoint` (half-way through the run, or `killAfter`); the winner halts
 *   right after storing that checkpoint, the sim kills it there (SIGKILL of its process; in-process,
 *   its Worker and whole node stop at once) and starts it again on the same data dir, wallet and peer key, on a new port,
 *   without the fault. The client's session retries with the same award; the restarted worker finds
 *   its unfinished job and resumes training from the stored checkpoint. The final weights hash must
 *   equal an uninterrupted honest run of the same spec (trained here in a scratch dir), and the job
 *   is paid 90/10 as in `honest`.
 *
 * The default run (`honest` with no `--dataset`/`--tier`) submits two jobs at once: an MNIST MLP in
 * float (optimistic tier: the worker anchors the Poseidon root of its checkpoints and submits its
 * delivery on-chain; the client spot-checks within the challenge window and lets it run; the window
 * is passed by warping the ledger clock and the worker claims its payment) and a small exact-integer
 * model (zk tier: the program draws the challenged step, the worker proves it in Groth16 and
 * `complete_zk` verifies the proof on-chain before paying). The other scenarios run one job (spirals
 * unless `--dataset`/`--tier` say otherwise) and act on it.
 */
import { fileURLToPath } from 'node:url'
import { ZK_DATASET_ID, clientModelRequest, parseJobRequest, type ClientModelArgs } from '../roles/index.js'
import { logger } from '@libp2p/logger'
import { PublicKey } from '@solana/web3.js'
import { getAccount, getMint } from '@solana/spl-token'
import { CYXWIZ_PROGRAM_ID, ESCROW_STATE, NODE_STATUS, configPda, decodeConfig, registerNode, type NodeAccount } from '../../chain/index.js'
import {
  DISPUTE, PRICING, PROOF, SLASHING, UNITS_PER_TOKEN, applyReputationEvent, disputeVerdict, formatTokens, handOverSplit, reputationTier, settlementSplit, slashStake, wire, type Side
} from '../../protocols/index.js'
import { join } from 'node:path'
import { rm } from 'node:fs/promises'
import { readNode, tokenAccount, type ClientJobEvent, type WorkerEvent, type WorkerFaults } from '../roles/index.js'
import { trainWithEvidence } from '../evidence/index.js'
import { carryDispute, readEscrow, refundAfterDeadline, warpPast, type DisputeReport, type TimeoutReport } from './court.js'
import type { PeerPlan, PeerRole } from './host.js'
import { LocalNetwork, type Allocation } from './network.js'
import { bootPeer, type BootedPeer, type PeerMode, type SimJobOutcome, type SimPeer } from './peers.js'

const debugLog = logger('cyx:sim')

export type ScenarioName = 'honest' | 'timeout' | 'cheat' | 'dispute' | 'crash' | 'failover'
export const SCENARIOS: readonly ScenarioName[] = ['honest', 'timeout', 'cheat', 'dispute', 'crash', 'failover']

/** What the `failover` scenario observed (the first job's `failover` in the JSON report). */
export interface FailoverReport {
  /** The stalled (killed) worker and the one the job was handed over to, by name and wallet. */
  readonly from: string
  readonly fromWallet: string
  readonly to: string
  readonly toWallet: string
  /** The checkpoint the first worker was killed after, and the epoch the client verified and training resumed from. */
  readonly killedAtCheckpoint: number
  readonly resumedFromEpoch: number
  readonly checkpointCid: string
  /** Base units: the escrow, what each worker and the platform were paid, and what `handOverSplit` says. */
  readonly escrowAmount: string
  readonly firstWorkerPaid: string
  readonly secondWorkerPaid: string
  readonly platformPaid: string
  readonly expected: { readonly firstWorker: string, readonly secondWorker: string, readonly platform: string, readonly remaining: string }
  /** The first worker's timeout slash (80 % insurance, 20 % burned). */
  readonly firstWorkerSlashed: string
  /** The ledger clock moved past the escrow's no-progress timeout (seconds). */
  readonly warpedSeconds: number
  readonly handOverSignature: string
  /** Checkpoint notices from the second worker (each after the resumed epoch). */
  readonly checkpointsAfterHandOver: readonly number[]
  readonly referenceWeightsHash: string
  readonly finalWeightsHash: string | null
  readonly sameFinalHash: boolean
}

/**
 * The checkpoint a `crash` run's winner is killed after: `killAfter` (1 … epochs − 1: at least one
 * segment is left to train after the restart), by default half-way (epochs ≥ 2, one segment per epoch).
 */
export function crashCheckpoint (epochs: number, killAfter?: number): number {
  if (killAfter === undefined) return Math.max(1, Math.floor(epochs / 2))
  if (!Number.isInteger(killAfter) || killAfter < 1 || killAfter >= epochs) throw new Error(`the crash scenario kills the worker after a checkpoint 1..${epochs - 1} of ${epochs} epochs (got ${killAfter})`)
  return killAfter
}

/** What the `crash` scenario observed. */
export interface CrashReport {
  /** The checkpoint the winner halted at and was killed after. */
  readonly killedAtCheckpoint: number
  readonly killed: boolean
  /** How: a real SIGKILL of its process, or (in-process) its worker and node stopped at once. */
  readonly how: 'SIGKILL' | 'in-process'
  /** Its OS process before and after the restart (processes mode; this process's in-process). */
  readonly pidBefore: number | null
  readonly pidAfter: number | null
  /** The peer id before and after the restart (same keys), and its addresses (a new port). */
  readonly peerId: string
  readonly restartedPeerId: string | null
  readonly addrsBefore: readonly string[]
  readonly addrsAfter: readonly string[]
  /** The unfinished jobs the restarted worker's job book held on disk before it started again. */
  readonly unfinishedAtRestart: ReadonlyArray<{ readonly jobId: string, readonly state: string }>
  /** The restarted worker's events: it reported the job resumable at start (unless the resumed
   * job was already done by then: start first publishes its advert), and resumed it for the client. */
  readonly resumable: boolean
  readonly resumed: boolean
  /** The client's retries of the session. */
  readonly reconnects: number
  /** Every checkpoint notice the client received, in order (each segment once when resumed). */
  readonly checkpointsSeen: readonly number[]
  /** The first checkpoint trained after the restart (killedAtCheckpoint + 1 when resumed). */
  readonly firstCheckpointAfterRestart: number | null
  /** An uninterrupted honest run of the same spec, trained in a scratch dir. */
  readonly referenceWeightsHash: string
  readonly finalWeightsHash: string | null
  readonly sameFinalHash: boolean
}

export interface SimOptions {
  readonly workers: number
  /** Epochs (zk: steps) of the job; default per job (simJobs). With `dataset`/`tier`, one job. */
  readonly epochs?: number
  readonly dataset?: 'mnist' | 'spirals' | 'mnist-4x4'
  readonly tier?: 'optimistic' | 'zk'
  /** One job on the client's own ONNX model and dataset (optimistic tier), instead of a built-in one. */
  readonly clientModel?: ClientModelArgs
  /** Where the client writes client models' trained files, <job id>.onnx (default: the run's dir, models/). */
  readonly out?: string
  readonly seed: number
  /** Default `honest`. */
  readonly scenario?: ScenarioName
  /** `crash`: the checkpoint after which the winner is killed (1 … epochs − 1; default ⌊epochs/2⌋). */
  readonly killAfter?: number
  readonly dir?: string
  readonly keep?: boolean
  /** `processes` (default): every peer its own OS process of `cyx`; `in-process`: every peer in
   * this process (for networks of hundreds of peers). The same peer host and protocol either way. */
  readonly mode?: PeerMode
  /** Aborting it stops every peer (cleanly, then by force), closes the ledger and rejects the run. */
  readonly signal?: AbortSignal
  readonly log: (line: string) => void
  /** Who watches the run as it goes (the live page, `cyx sim --ui`); never changes it. */
  readonly observe?: SimObserver
  /** Called with the report before the network is stopped; the run ends when it resolves (the
   * live page's --linger keeps the peers and the ledger up this way). Aborting `signal` ends it too. */
  readonly hold?: (report: SimReport) => Promise<void>
}

/**
 * What a run tells an observer, as it happens: the network once it is open, each peer as it starts
 * (again, after a restart), every peer role's own events (a worker's `WorkerEvent`s), each job the
 * client submits, its events and how it ended. A throwing observer is logged, never the run's failure.
 */
export interface SimObserver {
  network?: (net: LocalNetwork) => void
  peer?: (p: SimPeer) => void
  event?: (peer: string, e: unknown) => void
  submit?: (job: SimJob) => void
  job?: (job: string, e: ClientJobEvent) => void
  outcome?: (job: string, outcome: SimJobOutcome | undefined, error: string | null) => void
}

/** Calls `fn` of the observer, logging (never throwing) what it throws. */
function tell<K extends keyof SimObserver> (o: SimObserver | undefined, k: K, ...args: Parameters<NonNullable<SimObserver[K]>>): void {
  const fn = o?.[k] as ((...a: unknown[]) => void) | undefined
  if (fn === undefined) return
  try {
    fn(...args)
  } catch (err) {
    debugLog.error('the run\'s observer failed on %s: %e', k, err)
  }
}

/** One job the client submits: a name for the log and the request `Client.submit` takes, as it is
 * (passed through to the client's peer without being read here beyond these fields). */
export interface SimJob {
  readonly name: string
  readonly request: Readonly<Record<string, unknown>> & { readonly datasetId: string, readonly epochs: number, readonly maxPrice: bigint }
}

/** One entry of the report's `jobs`. */
export interface JobReport {
  id: string
  name: string
  tier: string
  /** The client's job state (announced … completed, rejected, failed). */
  state: string
  /** The escrow's state on-chain (funded, completed, timedOut, resolvedForClient, …). */
  escrowState: string
  worker: string
  workerName: string
  amount: string
  bids: ReadonlyArray<{ peer: string, price: string }>
  settlement: { worker: string, platform: string, refund: string }
  /** `checkpoints`: the anchored checkpoints the escrow counts (zk: one per step, 8 an epoch). */
  training: { epochs: number, checkpoints: number, testAccuracy: number, finalWeightsHash: string | null }
  proof: {
    merkleRoot: string | null
    /** The Poseidon root of the checkpoint commitments the worker anchored on-chain. */
    anchoredRoot: string | null
    evidenceCid: string | null
    /** The last checkpoint whose evidence the client had fetched and pinned before the delivery (issue 17). */
    keptBeforeDelivery: number | null
    spotChecks: { passed: number, total: number, reasons: readonly string[] }
    /** zk tier: the challenged step, and the program's verification of its Groth16 proof. */
    zk: { verifiedOnChain: boolean, challengeStep: number | null, computeUnits: number | null, signature: string | null } | null
  }
  /** How the worker was paid: `proved` (complete_zk), `claimed` (after the optimistic window), by the
   * client's `complete`, by a verdict, or not at all. */
  settledBy: string | null
  /** The client's error when the job did not reach settlement (the worker vanished). */
  error: string | null
  /** `failover`: the hand-over from the stalled worker to the one that finished the job. */
  failover?: FailoverReport
}

/** A worker's Node account as the report shows it. */
export interface NodeView {
  readonly stake: string
  readonly reputation: number
  /** The reputation adjustment (penalties and recoveries) the score includes. */
  readonly adjustment: number
  readonly jobsCompleted: number
  readonly jobsFailed: number
  readonly status: 'active' | 'suspended' | 'banned'
}

export interface SimReport {
  readonly scenario: ScenarioName
  readonly mode: PeerMode
  /** Each peer's OS process id (all this one's in-process). */
  readonly peers: ReadonlyArray<{ readonly name: string, readonly role: PeerRole, readonly peerId: string, readonly pid: number }>
  readonly notYet: readonly string[]
  /** Who the scenario makes misbehave, and how. */
  readonly faults: { readonly workers: WorkerFaults | null, readonly clientSettle: ClientSettle }
  /** One entry per job the client submitted; the scenario acts on the first. */
  readonly jobs: readonly JobReport[]
  readonly timeout: TimeoutReport | null
  readonly dispute: DisputeReport | null
  readonly crash: CrashReport | null
  /** The winning worker's Node account before and after. */
  readonly workerNode: { readonly before: NodeView, readonly after: NodeView }
  readonly slashing: { readonly slashed: string, readonly toInsurance: string, readonly burned: string, readonly toClient: string, readonly toTreasury: string }
  readonly chain: { rpc: string, programId: string, escrow: string, completeSignature: string | null, transactions: { count: number, failed: number, computeUnits: number } }
  /** Every participant's and vault's token balance, base units. */
  readonly balances: Record<string, { before: string, after: string, expected: string }>
  readonly supply: { readonly before: string, readonly after: string, readonly burnedBefore: string, readonly burnedAfter: string }
  readonly supplyConserved: boolean
  /** The facts the exit code rests on: all must hold. */
  readonly checks: ReadonlyArray<{ readonly name: string, readonly ok: boolean }>
  readonly ok: boolean
}

const T = UNITS_PER_TOKEN
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/**
 * Each juror is a staked node (docs/security.md §5): funded with 1,000 CYXWIZ and staking all of it
 * before the job, so that with the workers' 50 each its chance of being drawn (7 × stake / total
 * staked) is 1 and the three of them sit on the first jury. Which nodes a seed draws, and the
 * redraws, are tested against the program in test/e2e/chain (dispute, security).
 */
export const JUROR_TOKENS = 1_000n
const JURORS = 3

const workerFaults = (scenario: ScenarioName, epochs: number, killAfter?: number): WorkerFaults | undefined => ({
  honest: undefined,
  timeout: { vanishAfterAward: true },
  cheat: { fabricateSegments: { honest: 1 } },
  dispute: undefined,
  crash: { crashAtCheckpoint: crashCheckpoint(epochs, killAfter) },
  failover: { crashAtCheckpoint: crashCheckpoint(epochs, killAfter) }
})[scenario]
type ClientSettle = 'complete' | 'window' | 'dispute'
/** honest lets the optimistic challenge window run (the worker claims after it); the others keep
 * the client's immediate `complete` (crash, timeout) or its dispute (cheat, dispute). */
const CLIENT_SETTLE: Record<ScenarioName, ClientSettle> = { honest: 'window', timeout: 'complete', cheat: 'dispute', dispute: 'dispute', crash: 'complete', failover: 'complete' }
/** Jobs a sim worker runs at once: the default run's three jobs are announced together, and a worker
 * counts the bids it has out against its capacity (peer/policy), so with fewer slots some job could
 * get no bid at all. */
const WORKER_CAPACITY = 3
/** How often a sim worker polls its delivered escrows (the warped window's end), ms. */
const SETTLEMENT_POLL_MS = 250

/** Worker i's hourly rate: 50, 75, 100 … CYXWIZ/h in a seed-independent shuffled order, at most
 * 16 distinct rates (up to 425 CYXWIZ/h), so that every worker of a large network may bid under
 * the jobs' max price. */
function hourlyRate (i: number, n: number): bigint {
  const m = Math.min(n, 16)
  return (50n + 25n * BigInt((i * 7 + 3) % m)) * T
}

/** The bid window: 1.5 s, longer for large networks (60 ms per worker): in one process (hundreds of
 * peers share one event loop) the announcement reaches the last workers late. */
export const bidWindowMs = (workers: number): number => Math.max(1_500, workers * 60)

const nameOf = <V>(table: Record<string, V>, v: V): string => Object.entries(table).find(([, x]) => x === v)?.[0] ?? String(v)

function nodeView (n: NodeAccount | undefined): NodeView {
  if (n === undefined) return { stake: '0', reputation: 0, adjustment: 0, jobsCompleted: 0, jobsFailed: 0, status: 'active' }
  return { stake: String(n.stake), reputation: n.reputation, adjustment: n.adjustment, jobsCompleted: n.jobsCompleted, jobsFailed: n.jobsFailed, status: nameOf(NODE_STATUS, n.status) as NodeView['status'] }
}

/**
 * failover: 4 epochs, the winner killed after the 2nd, and an estimate at which the workers' common
 * rate (worker 1's, 50 CYXWIZ/h) prices the job at exactly 2 CYXWIZ: after half the epochs the rest
 * (1 CYXWIZ) is what the same rate bids for half the time. Prices are whole CYXWIZ
 * (`PRICING.roundingQuantum`), so with other splits the rest may round below every bid.
 */
export const FAILOVER_EPOCHS = 4
const FAILOVER_ESTIMATE_SECONDS = Number(2n * PRICING.roundingQuantum * 3_600n / hourlyRate(0, 1))

/** Default epochs: MNIST 4 (≈ 92 % test accuracy), spirals 3, mnist-4x4 4 (zk: 32 steps and anchored checkpoints, ≈ 77 %). */
export const DEFAULT_EPOCHS = { mnist: 4, spirals: 3, 'mnist-4x4': 4 } as const

/**
 * The jobs the client submits, in order; the scenario acts on the first. `honest` with neither a
 * dataset nor a tier: MNIST (optimistic) and zk at once. Otherwise one job: the dataset given (or
 * mnist-4x4 for `--tier zk`, else spirals; mnist-4x4 is proved in the zk tier unless `--tier optimistic`).
 */
/** The default run's third job: a PyTorch-exported MNIST CNN and the MNIST digits, committed fixtures. */
export const DEFAULT_CLIENT_MODEL: ClientModelArgs = {
  modelPath: fileURLToPath(new URL('../../test/fixtures/byom/cnn.onnx', import.meta.url)),
  dataPath: fileURLToPath(new URL('../../test/fixtures/byom/mnist.npz', import.meta.url)),
  loss: 'ce',
  optimizer: 'adam',
  learningRateMicros: 5_000,
  batchSize: 32
}
/** Epochs of a client-model job (the default CNN reaches ≈ 96.8 % in 5). */
export const CLIENT_MODEL_EPOCHS = 5

export function simJobs (o: Pick<SimOptions, 'epochs' | 'seed' | 'dataset' | 'tier' | 'scenario' | 'clientModel'> & { workers?: number, modelOutDir?: string }): SimJob[] {
  // The job rules are the client's own (the roles' parseJobRequest); the sim adds only its defaults.
  type DatasetId = NonNullable<SimOptions['dataset']>
  const rules = {
    defaultDataset: (t: 'optimistic' | 'zk' | undefined): DatasetId => t === 'zk' ? ZK_DATASET_ID : 'spirals',
    defaultEpochs: (d: DatasetId | 'client'): number => d === 'client' ? CLIENT_MODEL_EPOCHS : DEFAULT_EPOCHS[d]
  }
  const byom = (a: ClientModelArgs): SimJob => {
    const { epochs } = parseJobRequest({ dataset: o.dataset, tier: o.tier, epochs: o.epochs, clientModel: true }, rules)
    return {
      name: a === DEFAULT_CLIENT_MODEL ? 'cnn' : 'client-model',
      request: {
        datasetId: 'client', epochs, seed: BigInt(o.seed), maxPrice: 10n * T, bidWindowMs: bidWindowMs(o.workers ?? 3),
        clientModel: clientModelRequest(a, epochs, BigInt(o.seed)),
        ...(o.modelOutDir === undefined ? {} : { modelOutDir: o.modelOutDir })
      }
    }
  }
  if (o.clientModel !== undefined) return [byom(o.clientModel)]
  const failover = o.scenario === 'failover'
  const job = (dataset: DatasetId | undefined, epochs: number | undefined): SimJob => {
    const r = parseJobRequest({ dataset, tier: o.tier, epochs: epochs ?? (failover ? FAILOVER_EPOCHS : undefined) }, rules)
    return {
      name: r.tier === 'zk' ? 'zk' : r.datasetId,
      request: { datasetId: r.datasetId, tier: r.tier, epochs: r.epochs, seed: BigInt(o.seed), maxPrice: 10n * T, estimatedSeconds: failover ? FAILOVER_ESTIMATE_SECONDS : 60, bidWindowMs: bidWindowMs(o.workers ?? 3) }
    }
  }
  if ((o.scenario ?? 'honest') === 'honest' && o.dataset === undefined && o.tier === undefined) return [job('mnist', o.epochs), job(ZK_DATASET_ID, undefined), byom(DEFAULT_CLIENT_MODEL)]
  return [job(o.dataset, o.epochs)]
}

/** What the run tracks of one job while it runs. */
interface JobRun {
  readonly job: SimJob
  award: { worker: string, price: bigint, escrow: string } | undefined
  lastMetrics: wire.Metrics | undefined
  readonly checkpointsSeen: number[]
  /** Checkpoints whose evidence the client kept as they arrived (all before the delivery). */
  readonly keptEpochs: number[]
  reconnects: number
  outcome: SimJobOutcome | undefined
  error: string | null
}

/** A worker event worth a line of the human log (others, e.g. adverts, are quiet); unknown kinds
 * are shown as they are. */
function workerLine (e: WorkerEvent | { type: string }, names: Map<string, string>): string | undefined {
  const w = e as WorkerEvent
  switch (w.type) {
    case 'registered': return `registered, staked ${formatTokens(w.stake)} CYXWIZ`
    case 'bid-sent': return `bids ${formatTokens(w.price)} CYXWIZ for job ${w.jobId.slice(0, 8)}…`
    case 'bid-failed': return `bid failed: ${w.error}`
    case 'bid-decision': return w.decision.bid ? undefined : `no bid on job ${w.jobId.slice(0, 8)}… (${w.decision.reason})`
    case 'job': return `job ${w.jobId.slice(0, 8)}… ${w.state}${w.error === undefined ? '' : ` (${w.error})`}`
    case 'resumable': return `found unfinished job ${w.jobId.slice(0, 8)}… (${w.state}) on disk`
    case 'resumed': return `resumed job ${w.jobId.slice(0, 8)}… from its last stored checkpoint`
    case 'interrupted': return `job ${w.jobId.slice(0, 8)}… interrupted (${w.error})`
    case 'redelivered': return `job ${w.jobId.slice(0, 8)}… delivered again (its client never got the first delivery)`
    case 'juror-drawn': return `drawn for round ${w.round} of dispute ${w.dispute.slice(0, 8)}…; judging ${w.cid}`
    case 'juror-abstained': return `round ${w.round} of dispute ${w.dispute.slice(0, 8)}…: no judgement (${w.reason}); no commit`
    case 'juror-committed': return `round ${w.round} of dispute ${w.dispute.slice(0, 8)}…: re-ran segments ${w.segments.join(', ')}, commits for the ${w.side} (deposit ${formatTokens(w.deposit)} CYXWIZ)`
    case 'juror-revealed': return `round ${w.round} of dispute ${w.dispute.slice(0, 8)}…: reveals its vote for the ${w.side}`
    case 'juror-settled': return `round ${w.round} of dispute ${w.dispute.slice(0, 8)}…: vote settled${w.returned === null ? ' by another' : `, ${formatTokens(w.returned)} CYXWIZ back into its stake`}`
    case 'juror-failed': return `juror ${w.step} failed${w.dispute === undefined ? '' : ` (dispute ${w.dispute.slice(0, 8)}…)`}: ${w.error}`
    case 'advertised': case 'advert-failed': case 'coordinator': case 'heartbeat': case 'heartbeat-failed': return undefined
    default: return eventText(e, names)
  }
}

/** Any event as a line: its type, then its other fields compactly (peer ids by name). */
function eventText (e: { type: string }, names: Map<string, string>): string {
  const { type, ...rest } = e as Record<string, unknown> & { type: string }
  const short = (v: unknown): unknown => typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? `${Buffer.from(v).toString('hex').slice(0, 16)}…` : typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) ? `${v.slice(0, 8)}…` : v
  const text = Object.keys(rest).length === 0 ? '' : ` ${JSON.stringify(rest, (_k, v: unknown) => short(v))}`
  return `${type}${[...names].reduce((t, [id, n]) => t.replaceAll(id, n), text).slice(0, 240)}`
}

export async function runSimulation (o: SimOptions): Promise<SimReport> {
  const scenario = o.scenario ?? 'honest'
  const firstEpochs = (simJobs(o)[0] as SimJob).request.epochs
  if ((scenario === 'crash' || scenario === 'failover') && firstEpochs < 2) throw new Error(`the ${scenario} scenario needs at least 2 epochs (the worker is killed half-way)`)
  if (o.killAfter !== undefined && scenario !== 'crash' && scenario !== 'failover') throw new Error('killAfter is the crash and failover scenarios\'')
  if (scenario === 'failover' && (simJobs(o)[0] as SimJob).request.tier === 'zk') throw new Error('the failover scenario is the optimistic tier\'s (the program refuses to hand a zk escrow over)')
  if (scenario === 'crash' || scenario === 'failover') crashCheckpoint(firstEpochs, o.killAfter)
  if (o.signal?.aborted === true) throw new Error('interrupted')
  const mode = o.mode ?? 'processes'
  const noise = (l: string): void => { o.log(`  ${l}`) }
  // Every peer's process starts loading now, while the ledger and the wallets are set up.
  const names = ['client', ...Array.from({ length: o.workers }, (_, i) => `worker-${i + 1}`), ...(scenario === 'cheat' || scenario === 'dispute' ? Array.from({ length: JURORS }, (_, j) => `juror-${j + 1}`) : []), ...(scenario === 'timeout' ? ['keeper'] : [])]
  const booting = new Map(mode === 'processes' ? names.map((n) => [n, bootPeer(n, mode, noise)] as const) : [])
  // Every peer started and not yet stopped or killed: all are stopped however the run ends.
  const live = new Set<SimPeer>()
  const starting = new Set<BootedPeer>()
  let closing = false
  const startPeer = async (plan: PeerPlan, onEvent?: (e: unknown) => void): Promise<SimPeer> => {
    const booted = booting.get(plan.name) ?? bootPeer(plan.name, mode, noise)
    booting.delete(plan.name)
    starting.add(booted)
    const observed = o.observe?.event === undefined ? onEvent : (e: unknown) => { onEvent?.(e); tell(o.observe, 'event', plan.name, e) }
    const p = await booted.start(plan, { noise, ...(observed === undefined ? {} : { onEvent: observed }) }).finally(() => { starting.delete(booted) })
    if (closing) {
      await p.stop()
      throw new Error('the simulation is stopping')
    }
    live.add(p)
    tell(o.observe, 'peer', p)
    return p
  }
  let net: LocalNetwork
  try {
    net = await LocalNetwork.open({ seed: o.seed, ...(o.dir === undefined ? {} : { dir: o.dir }), keep: o.keep ?? false })
  } catch (e) {
    for (const b of booting.values()) b.discard()
    throw e
  }
  tell(o.observe, 'network', net)
  // Once the run is stopping, what its abandoned steps still report is not news.
  const simulated = simulate({ ...o, log: (line) => { if (!closing) o.log(line) } }, scenario, mode, net, startPeer, live)
  // The holder (the live page's linger) keeps the network up once the report is made.
  const run = o.hold === undefined ? simulated : simulated.then(async (report) => { await (o.hold as NonNullable<SimOptions['hold']>)(report); return report })
  run.catch((err: unknown) => { debugLog.trace('the run failed (awaited below): %e', err) })
  let onAbort: (() => void) | undefined
  try {
    if (o.signal === undefined) return await run
    const signal = o.signal
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => { reject(new Error('interrupted')) }
      if (signal.aborted) onAbort()
      else signal.addEventListener('abort', onAbort, { once: true })
    })
    return await Promise.race([run, aborted])
  } finally {
    if (onAbort !== undefined) o.signal?.removeEventListener('abort', onAbort)
    closing = true
    for (const b of [...booting.values(), ...starting]) b.discard()
    await Promise.allSettled([...live].map(async (p) => { await p.stop() }))
    await net.close()
  }
}

async function simulate (o: SimOptions, scenario: ScenarioName, mode: PeerMode, net: LocalNetwork, startPeer: (plan: PeerPlan, onEvent?: (e: unknown) => void) => Promise<SimPeer>, live: Set<SimPeer>): Promise<SimReport> {
  const log = o.log
  const jobs = simJobs({ ...o, modelOutDir: o.out ?? join(net.dir, 'models') })
  const epochs = (jobs[0] as SimJob).request.epochs
  const faults = workerFaults(scenario, epochs, o.killAfter)
  const settle = CLIENT_SETTLE[scenario]
  // What each worker reported when it settled a job (by job id), and each transaction's compute units.
  const settledJobs = new Map<string, Record<string, unknown>>()
  const names = new Map<string, string>()
  const workerLog = (name: string) => (e: unknown): void => {
    const ev = e as { type?: string, jobId?: string }
    if (ev.type === 'settled' && typeof ev.jobId === 'string') settledJobs.set(ev.jobId, e as Record<string, unknown>)
    const line = workerLine(e as WorkerEvent, names)
    if (line !== undefined) log(`  ${name}: ${line}`)
  }
  const plan = async (name: string, role: PeerRole, tokens: bigint, from: Allocation, bootstrap: readonly string[], options: Pick<PeerPlan, 'worker' | 'client'> = {}): Promise<PeerPlan> => {
    const f = await net.fund(name, tokens, from)
    return { name, role, dir: f.dir, rpc: net.rpcUrl, peerKeySeed: Buffer.from(f.peerKeySeed).toString('hex'), bootstrap, ...options }
  }
  log(`ledger: LiteSVM + cyxwiz program ${CYXWIZ_PROGRAM_ID.toBase58()} as Solana JSON-RPC at ${net.rpcUrl}; CYXWIZ mint ${net.mint.toBase58()}`)
  log(`genesis: ${formatTokens((await getMint(net.connection, net.mint)).supply)} CYXWIZ minted to the five allocations, mint authority revoked (fixed supply)`)
  log(`scenario: ${scenario}; peers: ${mode === 'processes' ? 'each its own OS process (cyx sim-peer)' : 'all in this process (--in-process)'}`)

  // The client first: every other peer joins the mesh through it. A client that will dispute also
  // holds the dispute bond it must lock at open_dispute (docs/security.md, finding 5).
  const disputing = scenario === 'cheat' || scenario === 'dispute'
  const clientTokens = 100n + (disputing ? DISPUTE.disputeBond / UNITS_PER_TOKEN : 0n)
  const clientPlan = await plan('client', 'client', clientTokens, 'ecosystem', [], {
    // A vanished worker is not waited for long: the job fails and the escrow waits for its deadline.
    client: { settle, ...(scenario === 'timeout' ? { resumeWindowMs: 3_000 } : {}), ...(scenario === 'failover' ? { failover: true } : {}) }
  })
  const client = await startPeer(clientPlan)
  names.set(client.peerId, 'client')
  log(`client ${client.peerId.slice(-8)}${mode === 'processes' ? ` (pid ${client.pid})` : ''}: ${clientTokens} CYXWIZ${disputing ? ` (${formatTokens(DISPUTE.disputeBond)} of them for the dispute bond)` : ''}`)
  const workerPlans: PeerPlan[] = []
  // failover: every worker asks the same rate, so the rest of the job (the escrow's remaining amount
  // for the remaining share of the estimate) is worth another worker's bid (issue 21).
  const rateOf = (i: number): bigint => hourlyRate(scenario === 'failover' ? 0 : i, o.workers)
  for (let i = 0; i < o.workers; i++) {
    // In the disputing scenarios the court (court.ts) carries the dispute with the juror nodes and
    // warps the windows itself: the workers' own juror duty stays off there, so that a worker the
    // sortition also draws cannot race the court's warps (a commit seen or missed by timing).
    workerPlans.push(await plan(`worker-${i + 1}`, 'worker', 50n, 'nodeOperators', client.addrs, { worker: { pricePerHour: rateOf(i), capacity: WORKER_CAPACITY, settlementPollMs: SETTLEMENT_POLL_MS, ...(disputing ? { juror: false } : {}), ...(faults === undefined ? {} : { faults }) } }))
  }
  const jurorPlans: PeerPlan[] = []
  if (scenario === 'cheat' || scenario === 'dispute') {
    for (let j = 0; j < JURORS; j++) jurorPlans.push(await plan(`juror-${j + 1}`, 'juror', JUROR_TOKENS, 'community', client.addrs))
  }
  const keeperPlan = scenario === 'timeout' ? await plan('keeper', 'keeper', 0n, 'ecosystem', client.addrs) : undefined
  // The rest start side by side.
  const [workers, jurors, keepers] = await Promise.all([
    Promise.all(workerPlans.map(async (p) => await startPeer(p, workerLog(p.name)))),
    Promise.all(jurorPlans.map(async (p) => await startPeer(p))),
    Promise.all((keeperPlan === undefined ? [] : [keeperPlan]).map(async (p) => await startPeer(p)))
  ])
  const keeper = keepers[0]
  for (const p of [...workers, ...jurors, ...keepers]) names.set(p.peerId, p.name)
  for (const [i, w] of workers.entries()) {
    log(`worker-${i + 1} ${w.peerId.slice(-8)}${mode === 'processes' ? ` (pid ${w.pid})` : ''}: staked 50 CYXWIZ, asks ${formatTokens(rateOf(i))} CYXWIZ/h${faults === undefined ? '' : `, faults ${JSON.stringify(faults)}`}`)
  }
  // The jurors stake as nodes before any dispute opens (a node registered later is not eligible).
  for (const j of jurors) await j.send([registerNode({ owner: j.wallet, ownerToken: tokenAccount(j.wallet, net.mint) }, JUROR_TOKENS * T)])
  if (jurors.length > 0) log(`${JURORS} juror nodes, ${formatTokens(JUROR_TOKENS * T)} CYXWIZ each from the community allocation, all of it staked`)
  if (keeper !== undefined) log(`keeper ${keeper.peerId.slice(-8)}: no tokens (anyone may ask for a refund)`)
  const peersAtStart = [client, ...workers, ...jurors, ...keepers].map((p) => ({ name: p.name, role: p.plan.role, peerId: p.peerId, pid: p.pid }))

  const wallets: Array<[string, PublicKey]> = [client, ...workers, ...jurors, ...keepers].map((p) => [p.name, p.wallet])
  const snapshot = async (): Promise<Record<string, bigint>> => {
    const b: Record<string, bigint> = {}
    for (const [name, wallet] of wallets) b[name] = await net.tokenBalance(wallet)
    for (const v of ['platform', 'insurance', 'stake'] as const) b[v] = await net.vaultBalance(v)
    return b
  }
  const supplyParts = async (): Promise<{ supply: bigint, burned: bigint }> => {
    const supply = (await getMint(net.connection, net.mint, 'confirmed')).supply
    const info = await net.connection.getAccountInfo(configPda(CYXWIZ_PROGRAM_ID).address, 'confirmed')
    return { supply, burned: info === null ? 0n : decodeConfig(info.data).totalBurned }
  }
  const before = await snapshot()
  const supplyBefore = await supplyParts()
  const nodesBefore = await Promise.all(workers.map(async (w) => await readNode(net.connection, w.wallet)))
  const transactions = { count: 0, failed: 0, computeUnits: 0 }
  const unitsBySignature = new Map<string, number>()
  const unsubscribe = net.ledger.onTransaction((r) => {
    if (r.tx === null) return
    unitsBySignature.set(r.signature, r.computeUnits)
    transactions.count++
    if (r.err !== null) transactions.failed++
    transactions.computeUnits += r.computeUnits
  })
  try {
    const runs: JobRun[] = jobs.map((job) => ({ job, award: undefined, lastMetrics: undefined, checkpointsSeen: [], keptEpochs: [], reconnects: 0, outcome: undefined, error: null }))
    // crash: the first job's winner is killed at its halting checkpoint and restarted on the same dir and keys.
    const crashAt = scenario === 'crash' || scenario === 'failover' ? crashCheckpoint(epochs, o.killAfter) : 0
    const restartEvents: WorkerEvent[] = []
    let checkpointsBeforeRestart = -1
    type Restart = { peerId: string, addrsBefore: readonly string[], addrsAfter: readonly string[], pidBefore: number, pidAfter: number, unfinished: ReadonlyArray<{ jobId: string, state: string }> }
    let crashed: Promise<Restart> | undefined
    const killAndRestart = async (peerId: string): Promise<Restart> => {
      const i = workers.findIndex((p) => p.peerId === peerId)
      const old = workers[i] as SimPeer
      log(`  ${old.name} is killed after checkpoint ${crashAt}: ${mode === 'processes' ? `SIGKILL to its process (pid ${old.pid})` : 'its worker and node stop at once (in-process)'}`)
      await old.kill()
      live.delete(old)
      checkpointsBeforeRestart = (runs[0] as JobRun).checkpointsSeen.length
      // The same plan (dir, wallet, peer key) without the fault, joining through the client.
      log(`  ${old.name} starts again on the same dir and keys, without the fault`)
      const { faults: _faults, ...honest } = old.plan.worker ?? {}
      const p = await startPeer({ ...old.plan, worker: honest, bootstrap: client.addrs }, (e) => { restartEvents.push(e as WorkerEvent); workerLog(old.name)(e) })
      workers[i] = p
      log(`  ${p.name} is ready again (${p.peerId.slice(-8)}${mode === 'processes' ? `, pid ${p.pid}` : ''}, now ${p.addrs[0] ?? '?'}); its job book held ${p.unfinished.map((u) => `${u.jobId.slice(0, 8)}… (${u.state})`).join(', ') || 'nothing unfinished'}`)
      return { peerId: p.peerId, addrsBefore: old.addrs, addrsAfter: p.addrs, pidBefore: old.pid, pidAfter: p.pid, unfinished: p.unfinished }
    }
    // failover: the first job's winner is killed at its halting checkpoint and never restarts; the
    // ledger clock is then moved past the escrow's no-progress timeout (its own terms), as two hours
    // without an anchor would; the client notices the stall and hands the job over.
    let killedForGood: Promise<{ name: string, pid: number, warped: number }> | undefined
    let firstAward: { worker: string, price: bigint, escrow: string } | undefined
    let handedOverAfter = -1
    const killForGood = async (r: JobRun, peerId: string, escrow: PublicKey): Promise<{ name: string, pid: number, warped: number }> => {
      const old = workers.find((p) => p.peerId === peerId) as SimPeer
      // Its anchor of the halting checkpoint is sent in the background, and the client fetches and
      // pins that checkpoint's evidence as its notice arrives: both land first (a worker that dies
      // sooner leaves less verified: it is paid for less and the rest starts earlier).
      const until = Date.now() + 30_000
      while (((await readEscrow(net, escrow)).epochsDone < crashAt || !r.keptEpochs.includes(crashAt)) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100))
      log(`  ${old.name} is killed after checkpoint ${crashAt}: ${mode === 'processes' ? `SIGKILL to its process (pid ${old.pid})` : 'its worker and node stop at once (in-process)'}; it never restarts`)
      await old.kill()
      live.delete(old)
      const e = await readEscrow(net, escrow)
      const timeout = e.terms.noProgressTimeoutSecs
      const warped = warpPast(net, BigInt(Math.max(Number(e.acceptedAt), Number(e.lastProgressAt))) + timeout)
      log(`  nothing is anchored for the escrow's no-progress timeout (${timeout} s, last progress at epoch ${e.epochsDone}): the ledger clock is warped ${warped} s`)
      return { name: old.name, pid: old.pid, warped }
    }
    const progress = (r: JobRun, first: boolean) => (e: ClientJobEvent): void => {
      tell(o.observe, 'job', r.job.name, e)
      const who = jobs.length > 1 ? `client [${r.job.name}]` : 'client'
      if (e.type === 'checkpoint') {
        r.checkpointsSeen.push(e.checkpoint.epoch)
        log(`  ${who}: checkpoint ${e.checkpoint.epoch} announced (chain ${hex(e.checkpoint.chainHash).slice(0, 12)}…)`)
        if (first && scenario === 'crash' && crashed === undefined && r.award !== undefined && e.checkpoint.epoch === crashAt) {
          crashed = killAndRestart(r.award.worker)
          crashed.catch((err: unknown) => { debugLog.trace('kill and restart failed (awaited below): %e', err) })
        }
        if (first && scenario === 'failover' && killedForGood === undefined && r.award !== undefined && e.checkpoint.epoch === crashAt) {
          killedForGood = killForGood(r, r.award.worker, new PublicKey(r.award.escrow))
          killedForGood.catch((err: unknown) => { debugLog.trace('the kill failed (awaited below): %e', err) })
        }
      }
      if (e.type === 'reconnecting') r.reconnects++
      if (e.type === 'handed-over' && first) handedOverAfter = r.checkpointsSeen.length
      if (e.type === 'checkpoint-kept') {
        r.keptEpochs.push(e.epoch)
        log(`  ${who}: checkpoint ${e.epoch}'s evidence kept here (${e.blocks} blocks, pinned)`)
        return
      }
      if (e.type === 'bid') log(`  ${who}: bid from ${names.get(e.from) ?? e.from}: ${formatTokens(e.price)} CYXWIZ, ETA ${e.etaSeconds} s`)
      else if (e.type === 'award') {
        r.award = { worker: e.worker, price: e.price, escrow: e.escrow }
        if (first) firstAward ??= r.award
        log(`  ${who}: award → ${names.get(e.worker) ?? e.worker} at ${formatTokens(e.price)} CYXWIZ; escrow ${e.escrow}`)
      } else if (e.type === 'metrics' && e.metrics.epoch > 0) {
        r.lastMetrics = e.metrics
        log(`  ${who}: epoch ${e.metrics.epoch}/${e.metrics.totalEpochs}: loss ${e.metrics.loss.toFixed(4)}, test accuracy ${(e.metrics.testAccuracy * 100).toFixed(2)} %`)
      } else if (e.type === 'reconnecting') log(`  ${who}: the session went away (${e.error}); retrying (attempt ${e.attempt})`)
      else if (e.type === 'evidence') log(`  ${who}: evidence ${e.cid}: ${e.blocks} blocks fetched over bitswap`)
      else if (e.type === 'spot-check') log(`  ${who}: spot checks ${e.report.passed ? 'passed' : 'FAILED'} (segments ${e.report.segments.join(', ')})${e.report.passed ? '' : `: ${e.report.reasons[0] ?? ''}`}`)
      else if (e.type === 'state') log(`  ${who}: job ${e.state}`)
      else if (e.type === 'workers') log(`  ${who}: ${e.found} worker adverts found in the DHT`)
      else if (e.type !== 'metrics' && e.type !== 'checkpoint') log(`  ${who}: ${eventText(e, names)}`)
    }
    for (const r of runs) log(`client submits a ${r.job.name} job (${r.job.request.datasetId}), ${r.job.request.epochs} epochs, max price ${formatTokens(r.job.request.maxPrice)} CYXWIZ${settle === 'dispute' ? '; it will dispute instead of paying' : ''}`)
    // Every job at once: the client runs them side by side.
    await Promise.all(runs.map(async (r, k) => {
      try {
        tell(o.observe, 'submit', r.job)
        r.outcome = await client.submit(r.job.request, progress(r, k === 0))
        tell(o.observe, 'outcome', r.job.name, r.outcome, null)
      } catch (e) {
        r.error = e instanceof Error ? e.message : String(e)
        tell(o.observe, 'outcome', r.job.name, undefined, r.error)
        log(`  the client's ${r.job.name} job ended: ${r.error}`)
        // Honest runs have no business failing: that is an error of the simulation, not a result.
        if (!(k === 0 && scenario === 'timeout' && r.award !== undefined)) throw e
      }
    }))
    // The optimistic challenge window: the client checked within it and let it run (honest). It is
    // passed by warping the ledger clock past the latest delivery's window; the winners, polling
    // their escrows, claim their payments.
    const windowed = runs.filter((r) => r.outcome?.tier === 'optimistic' && r.outcome.state === 'verified' && settle === 'window')
    if (windowed.length > 0) {
      const escrowsOpen = await Promise.all(windowed.map(async (r) => await readEscrow(net, new PublicKey((r.outcome as SimJobOutcome).escrow))))
      const closes = escrowsOpen.reduce((m, e) => (e.deliveredAt > m ? e.deliveredAt : m), 0n) + BigInt(PROOF.challengeWindowSeconds)
      const warped = warpPast(net, closes)
      log(`the challenge window (${PROOF.challengeWindowSeconds / 3600} h) passes undisputed: the ledger clock is warped ${warped} s`)
      const deadline = Date.now() + 60_000
      for (const r of windowed) {
        const jobId = (r.outcome as SimJobOutcome).jobId
        while (!settledJobs.has(jobId)) {
          if (Date.now() > deadline) throw new Error(`the winner of the ${r.job.name} job did not claim its payment after the window`)
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
      }
    }
    // zk jobs: the worker's settlement event (its complete_zk) may trail the client's view of the escrow.
    for (const r of runs.filter((x) => x.outcome?.tier === 'zk' && x.outcome.zk?.verifiedOnChain === true)) {
      const jobId = (r.outcome as SimJobOutcome).jobId
      const deadline = Date.now() + 10_000
      while (!settledJobs.has(jobId) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const main = runs[0] as JobRun
    const outcome = main.outcome
    let crash: CrashReport | null = null
    if (scenario === 'crash') {
      const restarted = crashed === undefined ? undefined : await crashed
      // What an uninterrupted honest run of the same spec delivers (trained here, in a scratch dir).
      const refDir = join(net.dir, 'reference')
      const reference = await trainWithEvidence({ wireSpec: (outcome as SimJobOutcome).spec, dir: refDir })
      await rm(refDir, { recursive: true, force: true })
      const finalWeightsHash = outcome === undefined ? null : hex(outcome.session.delivery.weightsHash)
      const after = checkpointsBeforeRestart < 0 ? [] : main.checkpointsSeen.slice(checkpointsBeforeRestart)
      crash = {
        killedAtCheckpoint: crashAt,
        killed: restarted !== undefined,
        how: mode === 'processes' ? 'SIGKILL' : 'in-process',
        pidBefore: restarted?.pidBefore ?? null,
        pidAfter: restarted?.pidAfter ?? null,
        peerId: main.award?.worker ?? '',
        restartedPeerId: restarted?.peerId ?? null,
        addrsBefore: restarted?.addrsBefore ?? [],
        addrsAfter: restarted?.addrsAfter ?? [],
        unfinishedAtRestart: restarted?.unfinished ?? [],
        resumable: restartEvents.some((e) => e.type === 'resumable'),
        resumed: restartEvents.some((e) => e.type === 'resumed'),
        reconnects: main.reconnects,
        checkpointsSeen: main.checkpointsSeen,
        firstCheckpointAfterRestart: after[0] ?? null,
        referenceWeightsHash: reference.finalWeightsHash,
        finalWeightsHash,
        sameFinalHash: finalWeightsHash === reference.finalWeightsHash
      }
      log(`  reference: an uninterrupted run of the same spec ends at ${reference.finalWeightsHash.slice(0, 16)}…; the resumed run at ${(finalWeightsHash ?? '—').slice(0, 16)}…`)
    }
    // failover: what an uninterrupted honest run of the same spec delivers, as for crash.
    let failoverReference: string | undefined
    const killedInfo = killedForGood === undefined ? undefined : await killedForGood
    if (scenario === 'failover' && outcome !== undefined) {
      const refDir = join(net.dir, 'reference')
      failoverReference = (await trainWithEvidence({ wireSpec: outcome.spec, dir: refDir })).finalWeightsHash
      await rm(refDir, { recursive: true, force: true })
      log(`  reference: an uninterrupted run of the same spec ends at ${failoverReference.slice(0, 16)}…; the handed-over run at ${hex(outcome.session.delivery.weightsHash).slice(0, 16)}…`)
    }
    // Each job's escrow as awarded, and its winner.
    const escrows = await Promise.all(runs.map(async (r) => {
      const address = new PublicKey((r.award as { escrow: string }).escrow)
      const atAward = await readEscrow(net, address)
      const winnerIndex = workers.findIndex((w) => w.wallet.equals(atAward.worker))
      return { address, atAward, winnerIndex, winner: workers[winnerIndex] as SimPeer }
    }))
    const { address: escrowAddress, atAward: escrowAtAward, winnerIndex, winner: winnerPeer } = escrows[0]!
    const winnerName = winnerPeer.name
    const price = escrowAtAward.amount

    let timeout: TimeoutReport | null = null
    let dispute: DisputeReport | null = null
    if (scenario === 'timeout') timeout = await refundAfterDeadline(net, keeper as SimPeer, escrowAddress, log)
    if (scenario === 'cheat' || scenario === 'dispute') {
      dispute = await carryDispute({ net, escrow: escrowAddress, worker: winnerPeer, workerCid: outcome?.session.delivery.evidenceCid, jurors, seed: o.seed, openSignature: outcome?.disputeSignature ?? null, log })
    }

    const after = await snapshot()
    const supplyAfter = await supplyParts()
    const escrowsAfter = await Promise.all(escrows.map(async (e) => await readEscrow(net, e.address)))
    const escrowAfter = escrowsAfter[0]!
    const nodeBefore = nodesBefore[winnerIndex]
    const nodeAfter = await readNode(net.connection, escrowAtAward.worker)

    // What the rules say must have happened, for the outcome this scenario requires (first job)
    // and for the others (honest: paid 90/10).
    const expected: Record<string, bigint> = { ...before }
    const add = (k: string, v: bigint): void => { expected[k] = (expected[k] as bigint) + v }
    const stake = nodeBefore?.stake ?? 0n
    const tierOf = (i: number): ReturnType<typeof reputationTier>['name'] => reputationTier(nodesBefore[i]?.reputation ?? 0).name
    const tier = tierOf(winnerIndex)
    const adjustment = nodeBefore?.adjustment ?? 0
    const slashing = { slashed: 0n, toInsurance: 0n, burned: 0n, toClient: 0n, toTreasury: 0n }
    let expectedNode: { stake: bigint, adjustment: number, status: number } | undefined
    let refund = 0n
    for (const e of escrows.slice(1)) {
      const split = settlementSplit(e.atAward.amount, tierOf(e.winnerIndex))
      add('client', -e.atAward.amount)
      add(e.winner.name, split.worker)
      add('platform', split.platform)
    }
    let failover: FailoverReport | null = null
    let failoverChecks: Array<{ name: string, ok: boolean }> = []
    if (scenario === 'failover') {
      // The first worker (stalled, killed) is paid handOverSplit for the verified epochs and slashed as
      // for a timeout; the second is paid the completed job's split of what remained; the client paid
      // the escrow, once.
      const fo = outcome?.failover
      const firstIndex = workers.findIndex((w) => w.wallet.toBase58() === fo?.fromWallet)
      const firstName = workers[firstIndex]?.name ?? '?'
      const original = firstAward?.price ?? 0n
      const verified = fo?.resumedFromEpoch ?? 0
      const split = handOverSplit(original, Math.min(verified, escrowAtAward.epochsTotal - 1), escrowAtAward.epochsTotal, tierOf(firstIndex))
      const second = settlementSplit(split.remaining, tier)
      const firstStake = nodesBefore[firstIndex]?.stake ?? 0n
      const s = slashStake(firstStake, SLASHING.timeoutBps)
      Object.assign(slashing, { slashed: s.slashed, toInsurance: s.insurance, burned: s.burned })
      add('client', -original)
      add(firstName, split.worker)
      add(winnerName, second.worker)
      add('platform', split.platform + second.platform)
      add('stake', -s.slashed)
      add('insurance', s.insurance)
      const firstNodeAfter = await readNode(net.connection, workers[firstIndex]?.wallet ?? PublicKey.default)
      const firstNodeBefore = nodesBefore[firstIndex]
      const paid = (k: string): bigint => (after[k] ?? 0n) - (before[k] ?? 0n)
      const afterHandOver = handedOverAfter < 0 ? [] : main.checkpointsSeen.slice(handedOverAfter)
      const finalWeightsHash = outcome === undefined ? null : hex(outcome.session.delivery.weightsHash)
      failover = {
        from: firstName,
        fromWallet: fo?.fromWallet ?? '',
        to: winnerName,
        toWallet: fo?.toWallet ?? '',
        killedAtCheckpoint: crashAt,
        resumedFromEpoch: verified,
        checkpointCid: fo?.checkpointCid ?? '',
        escrowAmount: String(original),
        firstWorkerPaid: String(paid(firstName)),
        secondWorkerPaid: String(paid(winnerName)),
        platformPaid: String(paid('platform')),
        expected: { firstWorker: String(split.worker), secondWorker: String(second.worker), platform: String(split.platform + second.platform), remaining: String(split.remaining) },
        firstWorkerSlashed: String(s.slashed),
        warpedSeconds: killedInfo?.warped ?? 0,
        handOverSignature: fo?.signature ?? '',
        checkpointsAfterHandOver: afterHandOver,
        referenceWeightsHash: failoverReference ?? '',
        finalWeightsHash,
        sameFinalHash: finalWeightsHash !== null && finalWeightsHash === failoverReference
      }
      const spent = -paid('client')
      failoverChecks = [
        { name: `the winner halted after checkpoint ${crashAt} and was killed there${mode === 'processes' ? ' (SIGKILL of its process)' : ''}, never to restart`, ok: killedInfo !== undefined && killedInfo.name === firstName && main.checkpointsSeen.slice(0, crashAt).every((n, k) => n === k + 1) },
        { name: 'the client saw it stalled (no session, no progress anchored for the escrow\'s no-progress timeout) and handed the escrow over to another worker', ok: fo !== undefined && fo.fromWallet !== fo.toWallet && firstIndex >= 0 && escrowAtAward.handovers === 1 },
        { name: `the kept checkpoint ${crashAt} passed its spot check and was paid for: training resumed after it on the new worker`, ok: verified === crashAt && escrowAtAward.epochsBase === crashAt && afterHandOver[0] === crashAt + 1 && afterHandOver.at(-1) === escrowAtAward.epochsTotal && outcome?.session.delivery.epochs === escrowAtAward.epochsTotal },
        { name: 'the final weights hash equals an uninterrupted honest run of the same spec', ok: failover.sameFinalHash },
        { name: 'the job completed and the new worker was paid by complete', ok: outcome?.state === 'completed' && escrowAfter.state === ESCROW_STATE.completed },
        { name: 'the split is exact to the base unit: the first worker handOverSplit of the verified epochs, the second the completed job\'s split of the rest', ok: paid(firstName) === split.worker && paid(winnerName) === second.worker && paid('platform') === split.platform + second.platform },
        { name: 'the client paid the escrow once: both workers and the platform together got at most (here exactly) what it paid', ok: spent === original && paid(firstName) + paid(winnerName) + paid('platform') <= spent },
        { name: `the first worker was slashed ${SLASHING.timeoutBps / 100} % as for a timeout (80 % insurance, 20 % burned) and lost 30 reputation points`, ok: firstNodeAfter !== undefined && firstNodeAfter.stake === s.remaining && firstNodeAfter.adjustment === applyReputationEvent(firstNodeBefore?.adjustment ?? 0, 'timeout') && supplyBefore.burned + s.burned === supplyAfter.burned }
      ]
    } else if (scenario === 'honest' || scenario === 'crash') {
      const split = settlementSplit(price, tier)
      add('client', -price)
      add(winnerName, split.worker)
      add('platform', split.platform)
    } else if (scenario === 'timeout') {
      const s = slashStake(stake, SLASHING.timeoutBps)
      Object.assign(slashing, { slashed: s.slashed, toInsurance: s.insurance, burned: s.burned })
      add('stake', -s.slashed)
      add('insurance', s.insurance)
      refund = price
      expectedNode = { stake: s.remaining, adjustment: applyReputationEvent(adjustment, 'timeout'), status: NODE_STATUS.active }
    } else {
      const side: Side = scenario === 'cheat' ? 'client' : 'worker'
      const v = disputeVerdict(side, price, stake, tier)
      Object.assign(slashing, { slashed: v.slashed, toClient: v.slashToClient, toTreasury: v.slashToTreasury })
      add('client', -price + v.clientRefund + v.slashToClient)
      add(winnerName, v.workerPayment)
      // The client's bond: back to it when it wins, to the worker (the respondent) when it loses.
      if (side === 'worker') {
        add('client', -DISPUTE.disputeBond)
        add(winnerName, DISPUTE.disputeBond)
      }
      add('platform', v.platformFee + v.slashToTreasury)
      add('stake', -v.slashed)
      refund = v.clientRefund
      expectedNode = { stake: stake - v.slashed, adjustment: applyReputationEvent(adjustment, side === 'client' ? 'disputeLost' : 'disputeWon'), status: v.banWorker ? NODE_STATUS.banned : NODE_STATUS.active }
    }
    const balances: Record<string, { before: string, after: string, expected: string }> = {}
    for (const k of Object.keys(before)) balances[k] = { before: String(before[k]), after: String(after[k]), expected: String(expected[k]) }
    const reconciles = Object.keys(expected).every((k) => expected[k] === after[k])
    const supplyConserved = supplyBefore.supply + supplyBefore.burned === supplyAfter.supply + supplyAfter.burned
    const escrowVaultsAfter = await Promise.all(escrowsAfter.map(async (e) => (await getAccount(net.connection, new PublicKey(e.vault), 'confirmed')).amount))

    const checks: Array<{ name: string, ok: boolean }> = []
    const check = (name: string, ok: boolean): void => { checks.push({ name, ok }) }
    const winnerUnpaid = after[winnerName] === before[winnerName]
    const nodeMatches = expectedNode === undefined || (nodeAfter !== undefined && nodeAfter.stake === expectedNode.stake && nodeAfter.adjustment === expectedNode.adjustment && nodeAfter.status === expectedNode.status)
    if (scenario === 'honest') {
      for (const [k, r] of runs.entries()) {
        const paid = escrowsAfter[k]?.state === ESCROW_STATE.completed
        const how = settledJobs.get(r.outcome?.jobId ?? '')?.how
        if (r.outcome?.tier === 'zk') {
          check(`the ${r.job.name} job: the worker's Groth16 proof of step ${r.outcome.zk?.challengeStep ?? '?'} was verified on-chain by complete_zk, which paid it`, r.outcome.state === 'completed' && r.outcome.zk?.verifiedOnChain === true && paid && how === 'proved')
        } else if (settle === 'window') {
          check(`the ${r.job.name} job: spot checks passed within the challenge window; the worker claimed its payment after it`, r.outcome?.state === 'verified' && r.outcome.spotCheck?.passed === true && paid && how === 'claimed')
        } else {
          check(`the ${r.job.name} job completed and was paid`, r.outcome?.state === 'completed' && paid)
        }
        if (r.job.request.datasetId === 'mnist') check('the MNIST model reached at least 90 % test accuracy', (r.lastMetrics?.testAccuracy ?? 0) >= 0.9)
        if (r.job.name === 'cnn') check('the client\'s own CNN, returned as its ONNX file, measured at least 96 % test accuracy by the client', (r.outcome?.trainedModel?.testAccuracy ?? 0) >= 0.96)
      }
    } else if (scenario === 'crash') {
      const c = crash as CrashReport
      const sameKeys = c.restartedPeerId === c.peerId && c.addrsAfter.length > 0 && c.addrsAfter.every((a) => !c.addrsBefore.includes(a))
      check(`the winner halted after checkpoint ${crashAt} and was killed there${mode === 'processes' ? ' (SIGKILL of its process)' : ''}`, c.killed && c.checkpointsSeen.slice(0, crashAt).every((n, k) => n === k + 1))
      check(`it was restarted on the same dir and keys (same peer id and wallet, a new port${mode === 'processes' ? ', a new process' : ''})`, sameKeys && (mode !== 'processes' || c.pidAfter !== c.pidBefore))
      const jobId = outcome?.jobId
      check('the restarted worker found its unfinished job (training) and resumed it when the client retried', c.unfinishedAtRestart.length === 1 && c.unfinishedAtRestart[0]?.jobId === jobId && c.unfinishedAtRestart[0]?.state === 'training' && c.resumed && c.reconnects > 0)
      check(`training resumed from checkpoint ${crashAt}, not from scratch`, c.firstCheckpointAfterRestart === crashAt + 1 && c.checkpointsSeen.length === epochs && outcome?.session.delivery.epochs === epochs)
      check('the final weights hash equals an uninterrupted honest run of the same spec', c.sameFinalHash)
      check('the job completed and was paid 90/10', outcome?.state === 'completed' && escrowAfter.state === ESCROW_STATE.completed && (after[winnerName] as bigint) > (before[winnerName] as bigint))
    } else if (scenario === 'failover') {
      for (const c of failoverChecks) check(c.name, c.ok)
    } else if (scenario === 'timeout') {
      check('the worker vanished: nothing was delivered', outcome === undefined)
      check('timeout_refund was refused before the deadline', timeout?.refusedBeforeDeadline === 'DeadlineNotReached')
      check('a third peer refunded the escrow after the deadline', escrowAfter.state === ESCROW_STATE.timedOut)
      check('the client got its money back in full', after.client === before.client)
      check('the worker was not paid', winnerUnpaid)
      check(`the worker was slashed ${SLASHING.timeoutBps / 100} % (80 % insurance, 20 % burned) and lost 30 reputation points`, nodeMatches && supplyBefore.burned + slashing.burned === supplyAfter.burned)
    } else if (scenario === 'cheat') {
      check('the client\'s spot checks caught the fabricated segments', outcome?.state === 'rejected' && outcome.spotCheck?.passed === false)
      check('the client did not sign complete', outcome?.completeSignature === undefined && outcome?.disputeSignature !== undefined)
      check('every juror\'s own spot checks failed the evidence', dispute !== null && dispute.jurors.length > 0 && dispute.jurors.every((j) => j.verdict === 'client' && j.side === 'client'))
      check('the dispute was resolved for the client', dispute?.winner === 'client' && escrowAfter.state === ESCROW_STATE.resolvedForClient)
      check(`the client's ${formatTokens(DISPUTE.disputeBond)} CYXWIZ dispute bond came back to it`, dispute?.bond === String(DISPUTE.disputeBond) && dispute.bondTo === 'client')
      check('the cheater was never paid', winnerUnpaid)
      check(`the cheater was slashed ${SLASHING.fraudBps / 100} %, lost 200 reputation points and was banned`, nodeMatches)
    } else {
      check('the job was delivered and the client\'s spot checks passed', outcome?.state === 'verified' && outcome.spotCheck?.passed === true)
      check('the client disputed instead of signing complete', outcome?.completeSignature === undefined && outcome?.disputeSignature !== undefined)
      check('every juror\'s own spot checks passed the evidence', dispute !== null && dispute.jurors.length > 0 && dispute.jurors.every((j) => j.verdict === 'worker' && j.side === 'worker'))
      check('the dispute was resolved for the worker', dispute?.winner === 'worker' && escrowAfter.state === ESCROW_STATE.resolvedForWorker)
      check(`the client's ${formatTokens(DISPUTE.disputeBond)} CYXWIZ dispute bond went to the worker it disputed`, dispute?.bond === String(DISPUTE.disputeBond) && dispute.bondTo === 'worker')
      check('the worker was paid as for a completed job and gained 5 reputation points', nodeMatches && (after[winnerName] as bigint) > (before[winnerName] as bigint))
    }
    for (const [k, r] of runs.entries()) {
      if (k > 0 && scenario !== 'honest') check(`the ${r.job.name} job completed and was paid`, r.outcome?.state === 'completed' && escrowsAfter[k]?.state === ESCROW_STATE.completed)
    }
    if (dispute !== null) {
      const jurorStakes = await Promise.all(jurors.map(async (j) => (await readNode(net.connection, j.wallet))?.stake))
      check('every juror\'s deposit came back into its stake (all voted with the majority; no forfeits)', dispute.voteVaultAfter === '0' && jurors.every((j) => after[j.name] === before[j.name]) && jurorStakes.every((s) => s === JUROR_TOKENS * T))
    }
    check(runs.length > 1 ? 'every escrow vault is empty' : 'the escrow vault is empty', escrowVaultsAfter.every((v) => v === 0n))
    check('every balance reconciles to the base unit', reconciles)
    check('the token supply (burned included) is conserved', supplyConserved)
    const ok = checks.every((c) => c.ok)

    const jobReports: JobReport[] = runs.map((r, k) => {
      const e = escrows[k]!
      const ea = escrowsAfter[k]!
      const delivery = r.outcome?.session.delivery
      const spot = r.outcome?.spotCheck
      const name = e.winner.name
      const refunded = ea.state === ESCROW_STATE.timedOut || ea.state === ESCROW_STATE.resolvedForClient
      const settled = settledJobs.get(hex(e.atAward.jobId)) as { how?: unknown, signature?: unknown } | undefined
      return {
        id: hex(e.atAward.jobId),
        name: r.job.name,
        tier: r.outcome?.tier ?? (typeof r.job.request.tier === 'string' ? r.job.request.tier : 'optimistic'),
        state: r.outcome?.state ?? 'failed',
        escrowState: nameOf(ESCROW_STATE, ea.state),
        worker: e.atAward.worker.toBase58(),
        workerName: name,
        amount: String(e.atAward.amount),
        bids: r.outcome?.ranking.ranked.map((s) => ({ peer: names.get(s.bid.bidder) ?? s.bid.bidder, price: String(s.bid.price) })) ?? [],
        // With one job, the winner's and the platform's whole change; with several, what this job's rules give.
        settlement: runs.length === 1
          ? { worker: String((after[name] as bigint) - (before[name] as bigint)), platform: String((after.platform as bigint) - (before.platform as bigint)), refund: String(refunded ? refund : 0n) }
          : (() => { const s = ea.state === ESCROW_STATE.completed ? settlementSplit(e.atAward.amount, tierOf(e.winnerIndex)) : { worker: 0n, platform: 0n }; return { worker: String(s.worker), platform: String(s.platform), refund: String(refunded ? (k === 0 ? refund : e.atAward.amount) : 0n) } })(),
        training: {
          epochs: r.job.request.epochs,
          checkpoints: ea.epochsTotal,
          // A client model: what the client measured running its returned file; built-in: the worker's last metrics.
          testAccuracy: r.outcome?.trainedModel?.testAccuracy ?? r.lastMetrics?.testAccuracy ?? 0,
          finalWeightsHash: delivery === undefined ? null : hex(delivery.weightsHash),
          ...(r.outcome?.trainedModel === undefined ? {} : { modelFile: r.outcome.trainedModel.file })
        },
        proof: {
          merkleRoot: delivery === undefined ? null : hex(delivery.merkleRoot),
          anchoredRoot: ea.epochsDone === ea.epochsTotal && ea.epochsTotal > 0 ? hex(ea.progressRoot) : null,
          evidenceCid: delivery?.evidenceCid ?? null,
          keptBeforeDelivery: r.keptEpochs.length === 0 ? null : Math.max(...r.keptEpochs),
          // The client's report carries one verdict; on failure no segment is counted as passed.
          spotChecks: { passed: spot?.passed === true ? spot.segments.length : 0, total: spot?.segments.length ?? 0, reasons: spot?.reasons.slice(0, 4) ?? [] },
          zk: r.outcome?.tier !== 'zk'
            ? null
            : {
                verifiedOnChain: r.outcome.zk?.verifiedOnChain === true,
                challengeStep: r.outcome.zk?.challengeStep ?? null,
                computeUnits: typeof settled?.signature === 'string' ? unitsBySignature.get(settled.signature) ?? null : null,
                signature: typeof settled?.signature === 'string' ? settled.signature : null
              }
        },
        ...(k === 0 && failover !== null ? { failover } : {}),
        settledBy: typeof settled?.how === 'string' ? settled.how : ea.state === ESCROW_STATE.completed ? 'complete' : refunded ? 'refund' : ea.state === ESCROW_STATE.resolvedForWorker ? 'verdict' : null,
        error: r.error
      }
    })
    // The human summary: each job, the chain, every balance, then the checks.
    const short = (h: string | null): string => h === null ? '—' : `${h.slice(0, 16)}…`
    log('summary')
    for (const j of jobReports) {
      const settledText = j.settledBy === 'claimed' ? 'paid by the worker\'s claim after the window'
        : j.settledBy === 'proved' ? `paid by complete_zk after verifying the proof of step ${j.proof.zk?.challengeStep ?? '?'} (${j.proof.zk?.computeUnits ?? '?'} compute units)`
          : j.settledBy === null ? `not paid (escrow ${j.escrowState})` : `settled: ${j.settledBy} (escrow ${j.escrowState})`
      log(`  ${j.name} (${j.tier}): ${j.workerName} won at ${formatTokens(BigInt(j.amount))} CYXWIZ (${j.bids.length} eligible bids); ${j.training.epochs} epoch${j.training.epochs === 1 ? '' : 's'} (${j.training.checkpoints} checkpoints), test accuracy ${(j.training.testAccuracy * 100).toFixed(2)} %`)
      log(`    weights ${short(j.training.finalWeightsHash)}, evidence ${j.proof.evidenceCid ?? '—'}, anchored root ${short(j.proof.anchoredRoot)}, spot checks ${j.proof.spotChecks.passed}/${j.proof.spotChecks.total}`)
      log(`    ${settledText}; worker +${formatTokens(BigInt(j.settlement.worker))}, platform +${formatTokens(BigInt(j.settlement.platform))}, refund ${formatTokens(BigInt(j.settlement.refund))}`)
    }
    log(`  chain: ${transactions.count} transactions (${transactions.failed} failed), ${transactions.computeUnits} compute units`)
    for (const [k, b] of Object.entries(balances)) {
      const d = BigInt(b.after) - BigInt(b.before)
      if (d !== 0n) log(`  ${k}: ${formatTokens(BigInt(b.before))} → ${formatTokens(BigInt(b.after))} CYXWIZ (${d > 0n ? '+' : ''}${formatTokens(d)})`)
    }
    log(`  token supply ${formatTokens(supplyAfter.supply)} + burned ${formatTokens(supplyAfter.burned)}: ${supplyConserved ? 'conserved' : 'CHANGED'}`)
    for (const c of checks) log(`  ${c.ok ? '✓' : '✗'} ${c.name}`)
    return {
      scenario,
      mode,
      peers: peersAtStart,
      notYet: ['a zk model larger than the 16×4 step circuit (one layer, batches of 8, 64 training rows)'],
      faults: { workers: faults ?? null, clientSettle: settle },
      jobs: jobReports,
      timeout,
      dispute,
      crash,
      workerNode: { before: nodeView(nodeBefore), after: nodeView(nodeAfter) },
      slashing: { slashed: String(slashing.slashed), toInsurance: String(slashing.toInsurance), burned: String(slashing.burned), toClient: String(slashing.toClient), toTreasury: String(slashing.toTreasury) },
      chain: { rpc: net.rpcUrl, programId: CYXWIZ_PROGRAM_ID.toBase58(), escrow: escrowAddress.toBase58(), completeSignature: outcome?.completeSignature ?? null, transactions },
      balances,
      supply: { before: String(supplyBefore.supply), after: String(supplyAfter.supply), burnedBefore: String(supplyBefore.burned), burnedAfter: String(supplyAfter.burned) },
      supplyConserved,
      checks,
      ok
    }
  } finally {
    unsubscribe()
  }
}
