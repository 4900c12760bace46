/**
 * `cyx sim`'s run: a local network (peer/sim/network.ts: the embedded ledger, which this process
 * keeps and serves as JSON-RPC, and funded wallets) with N workers at different prices and one
 * client, each peer run by a peer host (peer/sim/host.ts) — by default its own OS process of the
 * `cyx` binary, with `mode: 'in-process'` in this process — and driven only through its `SimPeer`
 * handle (peer/sim/peers.ts), the same interface and line protocol in both modes. The client
 * submits its jobs (jobs.ts): the auction on gossipsub and /cyx/bid/1.0.0, the escrow on-chain
 * naming the best-scored bid, the dataset and live metrics over /cyx/job/1.1.0, training with Helia
 * evidence (fetched by CID over bitswap), hash-checked weights, re-execution spot checks and payment
 * 90/10 by the program — all real.
 *
 * `simulate` is four steps: boot (the peers the scenario's plan needs), submit (every job at once,
 * the scenario acting on the first as its events arrive), the scenario's own acts once the jobs
 * ended (scenario.ts; one module per scenario in scenarios/), and the audit and report: balances
 * before and after reconcile to the base unit against what the scenario expects by the protocol's
 * rules, the token supply (burned included) is conserved (audit.ts), and the scenario's named checks
 * must all hold for `ok` (report.ts). `runSimulation` opens the network around it and tears it down
 * however it ends.
 */
import { join } from 'node:path'
import { logger } from '@libp2p/logger'
import { PublicKey } from '@solana/web3.js'
import { getMint } from '@solana/spl-token'
import { CYXWIZ_PROGRAM_ID, ESCROW_STATE, registerNode, type EscrowAccount, type NodeAccount } from '../../chain/index.js'
import { DISPUTE, PROOF, UNITS_PER_TOKEN, formatTokens, reputationTier, type ReputationTierName } from '../../protocols/index.js'
import { progressText, readNode, tokenAccount, type ClientJobEvent, type ClientModelArgs, type WorkerEvent } from '../roles/index.js'
import { escrowVaults, expectBalances, ledgerChecks, paidJobDeltas, reconcile, snapshot, supplyConserved, supplyOf, type Balances, type Supply } from './audit.js'
import { readEscrow, warpPast } from './court.js'
import type { PeerPlan, PeerRole } from './host.js'
import { hourlyRate, simJobs, type SimJob } from './jobs.js'
import { workerLine } from './lines.js'
import { LocalNetwork, type Allocation } from './network.js'
import { bootPeer, type BootedPeer, type PeerMode, type SimJobOutcome, type SimPeer } from './peers.js'
import { hex, jobReports, nodeView, summaryLines, type SimReport } from './report.js'
import type { AwardedEscrow, Check, Facts, Findings, JobRun, Scenario, ScenarioName, ScenarioOptions, ScenarioPlan } from './scenario.js'
import { JUROR_TOKENS, SCENARIO } from './scenarios/index.js'

const debugLog = logger('cyx:sim')
const T = UNITS_PER_TOKEN

/** Jobs a sim worker runs at once: the default run's three jobs are announced together, and a worker
 * counts the bids it has out against its capacity (peer/policy), so with fewer slots some job could
 * get no bid at all. */
const WORKER_CAPACITY = 3
/** How often a sim worker polls its delivered escrows (the warped window's end), ms. */
const SETTLEMENT_POLL_MS = 250

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

/** Opens the network, runs `simulate` in it and tears it down however the run ends (every peer stopped, the ledger closed). */
export async function runSimulation (o: SimOptions): Promise<SimReport> {
  const scenario = SCENARIO[o.scenario ?? 'honest']
  const first = (simJobs(o)[0] as SimJob).request
  const options: ScenarioOptions = { epochs: first.epochs, tier: typeof first.tier === 'string' ? first.tier : 'optimistic', ...(o.killAfter === undefined ? {} : { killAfter: o.killAfter }) }
  scenario.validate(options)
  const plan = scenario.plan(options)
  if (o.signal?.aborted === true) throw new Error('interrupted')
  const mode = o.mode ?? 'processes'
  const noise = (l: string): void => { o.log(`  ${l}`) }
  // Every peer's process starts loading now, while the ledger and the wallets are set up.
  const names = ['client', ...Array.from({ length: o.workers }, (_, i) => `worker-${i + 1}`), ...Array.from({ length: plan.jurors }, (_, j) => `juror-${j + 1}`), ...(plan.keeper ? ['keeper'] : [])]
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
  const simulated = simulate({ ...o, log: (line) => { if (!closing) o.log(line) } }, { scenario, options, plan, mode, net, startPeer, live })
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

/** What `simulate` is given: the scenario and its plan, the open network, and how peers start. */
interface Setting {
  readonly scenario: Scenario
  readonly options: ScenarioOptions
  readonly plan: ScenarioPlan
  readonly mode: PeerMode
  readonly net: LocalNetwork
  readonly startPeer: (plan: PeerPlan, onEvent?: (e: unknown) => void) => Promise<SimPeer>
  readonly live: Set<SimPeer>
}

/** The network `boot` started, and what the run keeps of its peers' events. */
interface Booted {
  readonly client: SimPeer
  readonly workers: SimPeer[]
  readonly jurors: readonly SimPeer[]
  readonly keeper: SimPeer | undefined
  readonly peersAtStart: SimReport['peers']
  /** Peer ids by name, for the log and the bids. */
  readonly names: Map<string, string>
  /** What each worker reported when it settled a job (by job id). */
  readonly settledJobs: Map<string, Record<string, unknown>>
  readonly workerLog: (name: string) => (e: unknown) => void
}

async function simulate (o: SimOptions, s: Setting): Promise<SimReport> {
  const jobs = simJobs({ ...o, modelOutDir: o.out ?? join(s.net.dir, 'models') })
  const b = await boot(o, s)
  const ledger = await watchLedger(s.net, b)
  try {
    const runs: JobRun[] = jobs.map((job) => ({ job, award: undefined, lastMetrics: undefined, checkpointsSeen: [], keptEpochs: [], reconnects: 0, outcome: undefined, error: null }))
    const act = s.scenario.start({
      net: s.net,
      mode: s.mode,
      seed: o.seed,
      log: o.log,
      client: b.client,
      workers: b.workers,
      jurors: b.jurors,
      keeper: b.keeper,
      runs,
      nodesBefore: ledger.nodesBefore,
      startWorker: async (plan, onEvent) => await s.startPeer(plan, (e) => { onEvent?.(e as WorkerEvent); b.workerLog(plan.name)(e) }),
      kill: async (p) => { await p.kill(); s.live.delete(p) }
    }, s.options)
    await submit(o, s, b, runs, act.onEvent, act.mayFail)
    // Each job's escrow as awarded, and its winner; then the scenario's own acts.
    const escrows: AwardedEscrow[] = await Promise.all(runs.map(async (r) => {
      const address = new PublicKey((r.award as { escrow: string }).escrow)
      const atAward = await readEscrow(s.net, address)
      const winnerIndex = b.workers.findIndex((w) => w.wallet.equals(atAward.worker))
      return { address, atAward, winnerIndex, winner: b.workers[winnerIndex] as SimPeer }
    }))
    const findings = await act.finish(escrows)
    const report = await account(s, b, ledger, runs, escrows, findings)
    for (const line of summaryLines(report)) o.log(line)
    return report
  } finally {
    ledger.stop()
  }
}

/** The ledger before the jobs (every balance, the supply, the workers' Node accounts), and every transaction from then on. */
interface LedgerWatch {
  readonly wallets: ReadonlyArray<readonly [string, PublicKey]>
  readonly before: Balances
  readonly supplyBefore: Supply
  readonly nodesBefore: ReadonlyArray<NodeAccount | undefined>
  readonly transactions: { count: number, failed: number, computeUnits: number }
  readonly unitsBySignature: ReadonlyMap<string, number>
  readonly stop: () => void
}

async function watchLedger (net: LocalNetwork, b: Booted): Promise<LedgerWatch> {
  const wallets = [b.client, ...b.workers, ...b.jurors, ...(b.keeper === undefined ? [] : [b.keeper])].map((p) => [p.name, p.wallet] as const)
  const before = await snapshot(net, wallets)
  const supplyBefore = await supplyOf(net)
  const nodesBefore = await Promise.all(b.workers.map(async (w) => await readNode(net.connection, w.wallet)))
  const transactions = { count: 0, failed: 0, computeUnits: 0 }
  const unitsBySignature = new Map<string, number>()
  const stop = net.ledger.onTransaction((r) => {
    if (r.tx === null) return
    unitsBySignature.set(r.signature, r.computeUnits)
    transactions.count++
    if (r.err !== null) transactions.failed++
    transactions.computeUnits += r.computeUnits
  })
  return { wallets, before, supplyBefore, nodesBefore, transactions, unitsBySignature, stop }
}

/**
 * The audit and the report: the ledger now against what the rules say for the scenario's outcome
 * (first job) and for the others (paid 90/10), the scenario's checks and the ledger's, every job's
 * entry.
 */
async function account (s: Setting, b: Booted, ledger: LedgerWatch, runs: readonly JobRun[], escrows: readonly AwardedEscrow[], findings: Findings): Promise<SimReport> {
  const { net } = s
  const { before, supplyBefore, nodesBefore } = ledger
  const after = await snapshot(net, ledger.wallets)
  const supplyAfter = await supplyOf(net)
  const escrowsAfter = await Promise.all(escrows.map(async (e) => await readEscrow(net, e.address)))
  const main = escrows[0] as AwardedEscrow
  const escrowAfter = escrowsAfter[0] as EscrowAccount
  const tierOf = (i: number): ReputationTierName => reputationTier(nodesBefore[i]?.reputation ?? 0).name
  const winnerName = main.winner.name
  const nodeBefore = nodesBefore[main.winnerIndex]
  const nodeAfter = await readNode(net.connection, main.atAward.worker)
  const expectation = s.scenario.expect({ winnerName, price: main.atAward.amount, tier: tierOf(main.winnerIndex), nodeBefore, findings, epochsTotal: main.atAward.epochsTotal })
  const others = paidJobDeltas(escrows.slice(1).map((e) => ({ amount: e.atAward.amount, winnerName: e.winner.name, tier: tierOf(e.winnerIndex) })))
  const { balances, reconciles } = reconcile(before, after, expectBalances(before, [...others, ...expectation.deltas]))
  const conserved = supplyConserved(supplyBefore, supplyAfter)
  const facts: Facts = {
    mode: s.mode,
    settle: s.plan.settle,
    epochs: s.options.epochs,
    crashAt: s.plan.faults?.crashAtCheckpoint ?? 0,
    runs,
    settledHow: (jobId) => { const how = b.settledJobs.get(jobId)?.how; return typeof how === 'string' ? how : undefined },
    escrowAtAward: main.atAward,
    escrowAfter,
    escrowStatesAfter: escrowsAfter.map((e) => e.state),
    winnerName,
    winnerTier: tierOf(main.winnerIndex),
    before,
    after,
    supplyBefore,
    supplyAfter,
    expectation,
    nodeAfter,
    findings
  }
  const checks: Check[] = [
    ...s.scenario.checks(facts),
    ...runs.flatMap((r, k) => k > 0 && s.scenario.name !== 'honest' ? [{ name: `the ${r.job.name} job completed and was paid`, ok: r.outcome?.state === 'completed' && escrowsAfter[k]?.state === ESCROW_STATE.completed }] : []),
    ...ledgerChecks({ escrowVaultsAfter: await escrowVaults(net, escrowsAfter.map((e) => e.vault.toBase58())), reconciles, supplyConserved: conserved })
  ]
  const jobs = jobReports(runs.map((run, k) => {
    const e = escrows[k] as AwardedEscrow
    return { run, atAward: e.atAward, after: escrowsAfter[k] as EscrowAccount, winnerName: e.winner.name, winnerTier: tierOf(e.winnerIndex), settled: b.settledJobs.get(hex(e.atAward.jobId)) }
  }), { names: b.names, before, after, refund: expectation.refund, unitsBySignature: ledger.unitsBySignature, failover: s.scenario.firstJob?.(facts).failover ?? null })
  const sl = expectation.slashing
  return {
    scenario: s.scenario.name,
    mode: s.mode,
    peers: b.peersAtStart,
    notYet: ['a zk model larger than the 16×4 step circuit (one layer, batches of 8, 64 training rows)'],
    faults: { workers: s.plan.faults ?? null, clientSettle: s.plan.settle },
    jobs,
    timeout: findings.timeout,
    dispute: findings.dispute,
    crash: findings.crash,
    workerNode: { before: nodeView(nodeBefore), after: nodeView(nodeAfter) },
    slashing: { slashed: String(sl.slashed), toInsurance: String(sl.toInsurance), burned: String(sl.burned), toClient: String(sl.toClient), toTreasury: String(sl.toTreasury) },
    chain: { rpc: net.rpcUrl, programId: CYXWIZ_PROGRAM_ID.toBase58(), escrow: main.address.toBase58(), completeSignature: runs[0]?.outcome?.completeSignature ?? null, transactions: ledger.transactions },
    balances,
    supply: { before: String(supplyBefore.supply), after: String(supplyAfter.supply), burnedBefore: String(supplyBefore.burned), burnedAfter: String(supplyAfter.burned) },
    supplyConserved: conserved,
    checks,
    ok: checks.every((c) => c.ok)
  }
}

/** Funds and starts the client, the workers and the extra peers the scenario's plan names. */
async function boot (o: SimOptions, s: Setting): Promise<Booted> {
  const { net, mode, plan: scenarioPlan } = s
  const log = o.log
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
  log(`scenario: ${s.scenario.name}; peers: ${mode === 'processes' ? 'each its own OS process (cyx sim-peer)' : 'all in this process (--in-process)'}`)

  // The client first: every other peer joins the mesh through it. A client that will dispute also
  // holds the dispute bond it must lock at open_dispute (docs/security.md, finding 5).
  const disputing = scenarioPlan.settle === 'dispute'
  const clientTokens = 100n + (disputing ? DISPUTE.disputeBond / UNITS_PER_TOKEN : 0n)
  const clientPlan = await plan('client', 'client', clientTokens, 'ecosystem', [], { client: { settle: scenarioPlan.settle, ...scenarioPlan.client } })
  const client = await s.startPeer(clientPlan)
  names.set(client.peerId, 'client')
  log(`client ${client.peerId.slice(-8)}${mode === 'processes' ? ` (pid ${client.pid})` : ''}: ${clientTokens} CYXWIZ${disputing ? ` (${formatTokens(DISPUTE.disputeBond)} of them for the dispute bond)` : ''}`)
  const faults = scenarioPlan.faults
  const workerPlans: PeerPlan[] = []
  // failover: every worker asks the same rate, so the rest of the job (the escrow's remaining amount
  // for the remaining share of the estimate) is worth another worker's bid (issue 21).
  const rateOf = (i: number): bigint => hourlyRate(scenarioPlan.sameRate ? 0 : i, o.workers)
  for (let i = 0; i < o.workers; i++) {
    // In the disputing scenarios the court (court.ts) carries the dispute with the juror nodes and
    // warps the windows itself: the workers' own juror duty stays off there, so that a worker the
    // sortition also draws cannot race the court's warps (a commit seen or missed by timing).
    workerPlans.push(await plan(`worker-${i + 1}`, 'worker', 50n, 'nodeOperators', client.addrs, { worker: { pricePerHour: rateOf(i), capacity: WORKER_CAPACITY, settlementPollMs: SETTLEMENT_POLL_MS, ...(disputing ? { juror: false } : {}), ...(faults === undefined ? {} : { faults }) } }))
  }
  const jurorPlans: PeerPlan[] = []
  for (let j = 0; j < scenarioPlan.jurors; j++) jurorPlans.push(await plan(`juror-${j + 1}`, 'juror', JUROR_TOKENS, 'community', client.addrs))
  const keeperPlan = scenarioPlan.keeper ? await plan('keeper', 'keeper', 0n, 'ecosystem', client.addrs) : undefined
  // The rest start side by side.
  const [workers, jurors, keepers] = await Promise.all([
    Promise.all(workerPlans.map(async (p) => await s.startPeer(p, workerLog(p.name)))),
    Promise.all(jurorPlans.map(async (p) => await s.startPeer(p))),
    Promise.all((keeperPlan === undefined ? [] : [keeperPlan]).map(async (p) => await s.startPeer(p)))
  ])
  const keeper = keepers[0]
  for (const p of [...workers, ...jurors, ...keepers]) names.set(p.peerId, p.name)
  for (const [i, w] of workers.entries()) {
    log(`worker-${i + 1} ${w.peerId.slice(-8)}${mode === 'processes' ? ` (pid ${w.pid})` : ''}: staked 50 CYXWIZ, asks ${formatTokens(rateOf(i))} CYXWIZ/h${faults === undefined ? '' : `, faults ${JSON.stringify(faults)}`}`)
  }
  // The jurors stake as nodes before any dispute opens (a node registered later is not eligible).
  for (const j of jurors) await j.send([registerNode({ owner: j.wallet, ownerToken: tokenAccount(j.wallet, net.mint) }, JUROR_TOKENS * T)])
  if (jurors.length > 0) log(`${jurors.length} juror nodes, ${formatTokens(JUROR_TOKENS * T)} CYXWIZ each from the community allocation, all of it staked`)
  if (keeper !== undefined) log(`keeper ${keeper.peerId.slice(-8)}: no tokens (anyone may ask for a refund)`)
  const peersAtStart = [client, ...workers, ...jurors, ...keepers].map((p) => ({ name: p.name, role: p.plan.role, peerId: p.peerId, pid: p.pid }))
  return { client, workers, jurors, keeper, peersAtStart, names, settledJobs, workerLog }
}

/**
 * Submits every job at once and waits for each to end: the client's progress logged (the roles'
 * `progressText`, peers by name, amounts in CYXWIZ) and told to the observer, the first job's events
 * passed to the scenario. Then the optimistic challenge window, where the client let it run, is
 * passed by warping the ledger clock, and the winners' claims (and zk settlements) are awaited.
 */
async function submit (o: SimOptions, s: Setting, b: Booted, runs: JobRun[], onEvent: ((e: ClientJobEvent, r: JobRun) => void) | undefined, mayFail: ((r: JobRun) => boolean) | undefined): Promise<void> {
  const log = o.log
  const settle = s.plan.settle
  const style = { peer: (id: string) => b.names.get(id) ?? id, amount: (units: bigint) => `${formatTokens(units)} CYXWIZ` }
  const progress = (r: JobRun, first: boolean) => (e: ClientJobEvent): void => {
    tell(o.observe, 'job', r.job.name, e)
    if (e.type === 'checkpoint') r.checkpointsSeen.push(e.checkpoint.epoch)
    else if (e.type === 'checkpoint-kept') r.keptEpochs.push(e.epoch)
    else if (e.type === 'reconnecting') r.reconnects++
    else if (e.type === 'award') r.award = { worker: e.worker, price: e.price, escrow: e.escrow }
    else if (e.type === 'metrics' && e.metrics.epoch > 0) r.lastMetrics = e.metrics
    const text = progressText(e, style)
    if (text !== undefined) log(`  ${runs.length > 1 ? `client [${r.job.name}]` : 'client'}: ${text}`)
    if (first) onEvent?.(e, r)
  }
  for (const r of runs) log(`client submits a ${r.job.name} job (${r.job.request.datasetId}), ${r.job.request.epochs} epochs, max price ${formatTokens(r.job.request.maxPrice)} CYXWIZ${settle === 'dispute' ? '; it will dispute instead of paying' : ''}`)
  // Every job at once: the client runs them side by side.
  await Promise.all(runs.map(async (r, k) => {
    try {
      tell(o.observe, 'submit', r.job)
      r.outcome = await b.client.submit(r.job.request, progress(r, k === 0))
      tell(o.observe, 'outcome', r.job.name, r.outcome, null)
    } catch (e) {
      r.error = e instanceof Error ? e.message : String(e)
      tell(o.observe, 'outcome', r.job.name, undefined, r.error)
      log(`  the client's ${r.job.name} job ended: ${r.error}`)
      // Honest runs have no business failing: that is an error of the simulation, not a result.
      if (!(k === 0 && mayFail?.(r) === true)) throw e
    }
  }))
  // The optimistic challenge window: the client checked within it and let it run (honest). It is
  // passed by warping the ledger clock past the latest delivery's window; the winners, polling
  // their escrows, claim their payments.
  const windowed = runs.filter((r) => r.outcome?.tier === 'optimistic' && r.outcome.state === 'verified' && settle === 'window')
  if (windowed.length > 0) {
    const escrowsOpen = await Promise.all(windowed.map(async (r) => await readEscrow(s.net, new PublicKey((r.outcome as SimJobOutcome).escrow))))
    const closes = escrowsOpen.reduce((m, e) => (e.deliveredAt > m ? e.deliveredAt : m), 0n) + BigInt(PROOF.challengeWindowSeconds)
    const warped = warpPast(s.net, closes)
    log(`the challenge window (${PROOF.challengeWindowSeconds / 3600} h) passes undisputed: the ledger clock is warped ${warped} s`)
    const deadline = Date.now() + 60_000
    for (const r of windowed) {
      const jobId = (r.outcome as SimJobOutcome).jobId
      while (!b.settledJobs.has(jobId)) {
        if (Date.now() > deadline) throw new Error(`the winner of the ${r.job.name} job did not claim its payment after the window`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
  }
  // zk jobs: the worker's settlement event (its complete_zk) may trail the client's view of the escrow.
  for (const r of runs.filter((x) => x.outcome?.tier === 'zk' && x.outcome.zk?.verifiedOnChain === true)) {
    const jobId = (r.outcome as SimJobOutcome).jobId
    const deadline = Date.now() + 10_000
    while (!b.settledJobs.has(jobId) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
