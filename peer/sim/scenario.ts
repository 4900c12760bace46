/**
 * A scenario of `cyx sim`: what it asks of the network and what it requires of the outcome. The run
 * (run.ts) boots the peers a scenario's plan names, submits the jobs, lets the scenario act while
 * and after they run, then the audit (audit.ts) measures the ledger and the scenario says what the
 * protocol's rules make of it: the expected balances (to the base unit) and the named checks that
 * must all hold for the run's `ok`. One module per scenario (scenarios/), each a `Scenario`.
 *
 * The parts a scenario gives are split by what they touch: `plan` and `expect`/`checks` are pure
 * (tested with stubbed facts, test/unit/sim); `start` returns the live part, which holds the peers
 * and the ledger and acts on them.
 */
import type { PublicKey } from '@solana/web3.js'
import type { EscrowAccount, NodeAccount } from '../../chain/index.js'
import type { ClientJobEvent, WorkerEvent, WorkerFaults } from '../roles/index.js'
import type { ReputationTierName, wire } from '../../protocols/index.js'
import type { DisputeReport, TimeoutReport } from './court.js'
import type { PeerPlan } from './host.js'
import type { SimJob } from './jobs.js'
import type { LocalNetwork } from './network.js'
import type { PeerMode, SimJobOutcome, SimPeer } from './peers.js'
import type { Balances, Slashing, Supply } from './audit.js'
import type { CrashReport, FailoverReport } from './report.js'

export type ScenarioName = 'honest' | 'timeout' | 'cheat' | 'dispute' | 'crash' | 'failover'

/** How the client settles a delivered job: `complete` at once, let the optimistic `window` run, or `dispute`. */
export type ClientSettle = 'complete' | 'window' | 'dispute'

/** A named fact the exit code rests on. */
export interface Check { readonly name: string, readonly ok: boolean }

/** The run's options a scenario reads. */
export interface ScenarioOptions {
  /** The first job's epochs (zk: steps) and tier. */
  readonly epochs: number
  readonly tier: string
  /** crash, failover: the checkpoint after which the winner is killed. */
  readonly killAfter?: number
}

/** What the network must hold for a scenario, before any peer starts. */
export interface ScenarioPlan {
  /** The fault every worker carries (none: honest workers). */
  readonly faults?: WorkerFaults
  readonly settle: ClientSettle
  /** The client role's options beyond `settle`. */
  readonly client: { readonly resumeWindowMs?: number, readonly failover?: true }
  /** Extra peers: staked juror nodes (and the client holds the dispute bond), a keeper with no tokens. */
  readonly jurors: number
  readonly keeper: boolean
  /** Every worker asks worker 1's rate (instead of a spread of rates). */
  readonly sameRate: boolean
}

/** What the run tracks of one job while it runs. */
export interface JobRun {
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

/** The live network a scenario acts on. `workers` is the run's own list: a restart replaces its entry. */
export interface ScenarioContext {
  readonly net: LocalNetwork
  readonly mode: PeerMode
  readonly seed: number
  readonly log: (line: string) => void
  readonly client: SimPeer
  readonly workers: SimPeer[]
  readonly jurors: readonly SimPeer[]
  readonly keeper: SimPeer | undefined
  readonly runs: readonly JobRun[]
  /** Each worker's Node account before the jobs, in the order of `workers`. */
  readonly nodesBefore: ReadonlyArray<NodeAccount | undefined>
  /** Starts a worker peer (its events logged as the others'; `onEvent` sees them first). */
  startWorker: (plan: PeerPlan, onEvent?: (e: WorkerEvent) => void) => Promise<SimPeer>
  /** Kills a peer at once (SIGKILL of its process; in-process its node stops) and forgets it. */
  kill: (p: SimPeer) => Promise<void>
}

/** Each job's escrow as it stood once the jobs ended, and its winner. */
export interface AwardedEscrow {
  readonly address: PublicKey
  readonly atAward: EscrowAccount
  readonly winnerIndex: number
  readonly winner: SimPeer
}

/** What a scenario observed by acting (the report's `timeout`, `dispute`, `crash`; failover's hand-over). */
export interface Findings {
  readonly timeout: TimeoutReport | null
  readonly dispute: DisputeReport | null
  readonly crash: CrashReport | null
  readonly failover: FailoverFindings | null
  /** The jurors (court scenarios) and their stakes once the dispute was settled. */
  readonly jurors: ReadonlyArray<{ readonly name: string, readonly stake: bigint | undefined }>
}

export const NO_FINDINGS: Findings = { timeout: null, dispute: null, crash: null, failover: null, jurors: [] }

/** failover: the hand-over as the run saw it, read before the audit. */
export interface FailoverFindings {
  /** The stalled worker: its index in the workers, name, reputation tier, Node account before and after. */
  readonly firstIndex: number
  readonly firstName: string
  readonly firstTier: ReputationTierName
  readonly firstNodeBefore: NodeAccount | undefined
  readonly firstNodeAfter: NodeAccount | undefined
  /** The escrow's price at the first award, and the epochs the client verified and handed over after. */
  readonly original: bigint
  readonly verifiedEpochs: number
  /** Who was killed, and how far the ledger clock was warped past the no-progress timeout. */
  readonly killed: { readonly name: string, readonly warped: number } | undefined
  /** Checkpoint notices after the hand-over. */
  readonly checkpointsAfterHandOver: readonly number[]
  readonly referenceWeightsHash: string | undefined
}

/** The live part of a scenario for one run. */
export interface ScenarioRun {
  /** Each of the first job's client events, as it arrives (after the run has recorded it). */
  onEvent?: (e: ClientJobEvent, run: JobRun) => void
  /** Whether the first job's failure is the scenario's expected outcome (else it fails the run). */
  readonly mayFail?: (run: JobRun) => boolean
  /** After every job ended: act (refund, court, reference runs) and say what was observed. */
  finish: (escrows: readonly AwardedEscrow[]) => Promise<Findings>
}

/** What the rules say the first job must have moved, for the outcome this scenario requires. */
export interface Expectation {
  /** Balance changes by participant or vault (the rest of `before` unchanged). */
  readonly deltas: ReadonlyArray<readonly [string, bigint]>
  readonly slashing: Slashing
  /** The winner's Node account after (stake, reputation adjustment, status), where the scenario settles it. */
  readonly node?: { readonly stake: bigint, readonly adjustment: number, readonly status: number }
  /** What the client got back of the first job's escrow. */
  readonly refund: bigint
}

/** The first job's facts `expect` reads. */
export interface ExpectInput {
  readonly winnerName: string
  readonly price: bigint
  readonly tier: ReputationTierName
  /** The winner's Node account before the run. */
  readonly nodeBefore: NodeAccount | undefined
  readonly findings: Findings
  /** failover: the escrow as it stood after the hand-over (epochsTotal). */
  readonly epochsTotal: number
}

/** Everything the checks judge, observed after the run (no live handles). */
export interface Facts {
  readonly mode: PeerMode
  readonly settle: ClientSettle
  /** The first job's epochs and the kill point (crash, failover; 0 otherwise). */
  readonly epochs: number
  readonly crashAt: number
  readonly runs: readonly JobRun[]
  /** How each job's winner said it settled (`claimed`, `proved`), by job id. */
  readonly settledHow: (jobId: string) => string | undefined
  /** The first job's escrow as awarded and after; every job's escrow state after. */
  readonly escrowAtAward: EscrowAccount
  readonly escrowAfter: EscrowAccount
  readonly escrowStatesAfter: readonly number[]
  readonly winnerName: string
  readonly winnerTier: ReputationTierName
  readonly before: Balances
  readonly after: Balances
  readonly supplyBefore: Supply
  readonly supplyAfter: Supply
  readonly expectation: Expectation
  readonly nodeAfter: NodeAccount | undefined
  readonly findings: Findings
}

export interface Scenario {
  readonly name: ScenarioName
  /** Refuses options the scenario cannot run (an Error saying why). */
  validate: (o: ScenarioOptions) => void
  plan: (o: ScenarioOptions) => ScenarioPlan
  start: (ctx: ScenarioContext, o: ScenarioOptions) => ScenarioRun
  expect: (i: ExpectInput) => Expectation
  checks: (f: Facts) => Check[]
  /** Fields of the first job's report entry the scenario adds (failover's hand-over). */
  firstJob?: (f: Facts) => { readonly failover?: FailoverReport }
}

/** The scenarios that do not kill a worker refuse a kill point. */
export function noKillAfter (o: ScenarioOptions): void {
  if (o.killAfter !== undefined) throw new Error('killAfter is the crash and failover scenarios\'')
}

/** Whether the winner's Node account is as the scenario expects (true where it expects nothing). */
export function nodeAsExpected (e: Expectation, after: NodeAccount | undefined): boolean {
  return e.node === undefined || (after !== undefined && after.stake === e.node.stake && after.adjustment === e.node.adjustment && after.status === e.node.status)
}

/** Whether a participant's balance did not move (a worker never paid). */
export const unchanged = (f: Pick<Facts, 'before' | 'after'>, who: string): boolean => f.after[who] === f.before[who]

/** A participant's balance change. */
export const moved = (f: Pick<Facts, 'before' | 'after'>, who: string): bigint => (f.after[who] ?? 0n) - (f.before[who] ?? 0n)
