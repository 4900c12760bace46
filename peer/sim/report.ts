/**
 * `cyx sim`'s report: the JSON object `cyx sim --json` prints (an interface: tests and the live page
 * read it), each job's entry built from what the run saw, and the human summary the log ends with.
 * Pure: every function here takes what the run observed and returns report fields or lines.
 */
import { ESCROW_STATE, NODE_STATUS, type EscrowAccount, type NodeAccount } from '../../chain/index.js'
import { formatTokens, settlementSplit, type ReputationTierName } from '../../protocols/index.js'
import type { WorkerFaults } from '../roles/index.js'
import type { DisputeReport, TimeoutReport } from './court.js'
import type { PeerRole } from './host.js'
import type { PeerMode } from './peers.js'
import type { Check, ClientSettle, JobRun, ScenarioName } from './scenario.js'

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
  readonly checks: readonly Check[]
  readonly ok: boolean
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** A table's key for a value (ESCROW_STATE, NODE_STATUS), or the value itself. */
export const nameOf = <V>(table: Record<string, V>, v: V): string => Object.entries(table).find(([, x]) => x === v)?.[0] ?? String(v)

export function nodeView (n: NodeAccount | undefined): NodeView {
  if (n === undefined) return { stake: '0', reputation: 0, adjustment: 0, jobsCompleted: 0, jobsFailed: 0, status: 'active' }
  return { stake: String(n.stake), reputation: n.reputation, adjustment: n.adjustment, jobsCompleted: n.jobsCompleted, jobsFailed: n.jobsFailed, status: nameOf(NODE_STATUS, n.status) as NodeView['status'] }
}

/** What one job's report entry is made of: its run, its escrow as awarded and after, its winner. */
export interface JobFacts {
  readonly run: JobRun
  readonly atAward: EscrowAccount
  readonly after: EscrowAccount
  readonly winnerName: string
  readonly winnerTier: ReputationTierName
  /** What the job's winner reported when it settled (`how`, `signature`), if it did. */
  readonly settled: { readonly how?: unknown, readonly signature?: unknown } | undefined
}

/** The run's facts every job entry shares. */
export interface JobsContext {
  readonly names: ReadonlyMap<string, string>
  readonly before: Readonly<Record<string, bigint>>
  readonly after: Readonly<Record<string, bigint>>
  /** The first job's refund, as the scenario's rules give it. */
  readonly refund: bigint
  readonly unitsBySignature: ReadonlyMap<string, number>
  readonly failover: FailoverReport | null
}

/** The report's `jobs`, one entry per job in submission order (the scenario acts on the first). */
export function jobReports (jobs: readonly JobFacts[], c: JobsContext): JobReport[] {
  return jobs.map((j, k) => {
    const r = j.run
    const e = j.atAward
    const ea = j.after
    const delivery = r.outcome?.session.delivery
    const spot = r.outcome?.spotCheck
    const name = j.winnerName
    const refunded = ea.state === ESCROW_STATE.timedOut || ea.state === ESCROW_STATE.resolvedForClient
    const settled = j.settled
    const delta = (who: string): bigint => (c.after[who] ?? 0n) - (c.before[who] ?? 0n)
    return {
      id: hex(e.jobId),
      name: r.job.name,
      tier: r.outcome?.tier ?? (typeof r.job.request.tier === 'string' ? r.job.request.tier : 'optimistic'),
      state: r.outcome?.state ?? 'failed',
      escrowState: nameOf(ESCROW_STATE, ea.state),
      worker: e.worker.toBase58(),
      workerName: name,
      amount: String(e.amount),
      bids: r.outcome?.ranking.ranked.map((s) => ({ peer: c.names.get(s.bid.bidder) ?? s.bid.bidder, price: String(s.bid.price) })) ?? [],
      // With one job, the winner's and the platform's whole change; with several, what this job's rules give.
      settlement: jobs.length === 1
        ? { worker: String(delta(name)), platform: String(delta('platform')), refund: String(refunded ? c.refund : 0n) }
        : (() => { const s = ea.state === ESCROW_STATE.completed ? settlementSplit(e.amount, j.winnerTier) : { worker: 0n, platform: 0n }; return { worker: String(s.worker), platform: String(s.platform), refund: String(refunded ? (k === 0 ? c.refund : e.amount) : 0n) } })(),
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
              computeUnits: typeof settled?.signature === 'string' ? c.unitsBySignature.get(settled.signature) ?? null : null,
              signature: typeof settled?.signature === 'string' ? settled.signature : null
            }
      },
      ...(k === 0 && c.failover !== null ? { failover: c.failover } : {}),
      settledBy: typeof settled?.how === 'string' ? settled.how : ea.state === ESCROW_STATE.completed ? 'complete' : refunded ? 'refund' : ea.state === ESCROW_STATE.resolvedForWorker ? 'verdict' : null,
      error: r.error
    }
  })
}

/** The human summary the log ends with: each job, the chain, every balance that moved, the supply, then the checks. */
export function summaryLines (r: Pick<SimReport, 'jobs' | 'balances' | 'supply' | 'supplyConserved' | 'checks'> & { readonly chain: { readonly transactions: SimReport['chain']['transactions'] } }): string[] {
  const short = (h: string | null): string => h === null ? '—' : `${h.slice(0, 16)}…`
  const lines = ['summary']
  for (const j of r.jobs) {
    const settledText = j.settledBy === 'claimed' ? 'paid by the worker\'s claim after the window'
      : j.settledBy === 'proved' ? `paid by complete_zk after verifying the proof of step ${j.proof.zk?.challengeStep ?? '?'} (${j.proof.zk?.computeUnits ?? '?'} compute units)`
        : j.settledBy === null ? `not paid (escrow ${j.escrowState})` : `settled: ${j.settledBy} (escrow ${j.escrowState})`
    lines.push(`  ${j.name} (${j.tier}): ${j.workerName} won at ${formatTokens(BigInt(j.amount))} CYXWIZ (${j.bids.length} eligible bids); ${j.training.epochs} epoch${j.training.epochs === 1 ? '' : 's'} (${j.training.checkpoints} checkpoints), test accuracy ${(j.training.testAccuracy * 100).toFixed(2)} %`)
    lines.push(`    weights ${short(j.training.finalWeightsHash)}, evidence ${j.proof.evidenceCid ?? '—'}, anchored root ${short(j.proof.anchoredRoot)}, spot checks ${j.proof.spotChecks.passed}/${j.proof.spotChecks.total}`)
    lines.push(`    ${settledText}; worker +${formatTokens(BigInt(j.settlement.worker))}, platform +${formatTokens(BigInt(j.settlement.platform))}, refund ${formatTokens(BigInt(j.settlement.refund))}`)
  }
  const t = r.chain.transactions
  lines.push(`  chain: ${t.count} transactions (${t.failed} failed), ${t.computeUnits} compute units`)
  for (const [k, b] of Object.entries(r.balances)) {
    const d = BigInt(b.after) - BigInt(b.before)
    if (d !== 0n) lines.push(`  ${k}: ${formatTokens(BigInt(b.before))} → ${formatTokens(BigInt(b.after))} CYXWIZ (${d > 0n ? '+' : ''}${formatTokens(d)})`)
  }
  lines.push(`  token supply ${formatTokens(BigInt(r.supply.after))} + burned ${formatTokens(BigInt(r.supply.burnedAfter))}: ${r.supplyConserved ? 'conserved' : 'CHANGED'}`)
  for (const c of r.checks) lines.push(`  ${c.ok ? '✓' : '✗'} ${c.name}`)
  return lines
}
