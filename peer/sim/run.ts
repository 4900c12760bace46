/**
 * `cyx sim`'s main run, in one process: a local network (peer/sim/network.ts) with N workers at
 * different prices and one client. The client submits a spirals job: the auction on gossipsub and
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
 * - `crash`: every worker carries `crashAtCheckpoint` (half-way through the run); the winner halts
 *   right after storing that checkpoint, the sim kills it there (the Worker and its whole node stop,
 *   the store closes) and starts it again on the same data dir, wallet and peer key, on a new port,
 *   without the fault. The client's session retries with the same award; the restarted worker finds
 *   its unfinished job and resumes training from the stored checkpoint. The final weights hash must
 *   equal an uninterrupted honest run of the same spec (trained here in a scratch dir), and the job
 *   is paid 90/10 as in `honest`.
 *
 * Not yet (reported in `notYet`): peers as separate OS processes, the MNIST job and the zk tier.
 */
import { PublicKey } from '@solana/web3.js'
import { getAccount, getMint } from '@solana/spl-token'
import { CYXWIZ_PROGRAM_ID, ESCROW_STATE, NODE_STATUS, configPda, decodeConfig, type NodeAccount } from '../../chain/index.js'
import {
  SLASHING, UNITS_PER_TOKEN, applyReputationEvent, disputeVerdict, formatTokens, reputationTier, settlementSplit, slashStake, wire, type Side
} from '../../protocols/index.js'
import { join } from 'node:path'
import { rm } from 'node:fs/promises'
import { Client, JobBook, Worker, readNode, type ClientJobEvent, type JobOutcome, type WorkerEvent, type WorkerFaults } from '../roles/index.js'
import { trainWithEvidence } from '../evidence/index.js'
import { carryDispute, readEscrow, refundAfterDeadline, type DisputeReport, type TimeoutReport } from './court.js'
import { LocalNetwork, type LocalPeer } from './network.js'

export type ScenarioName = 'honest' | 'timeout' | 'cheat' | 'dispute' | 'crash'
export const SCENARIOS: readonly ScenarioName[] = ['honest', 'timeout', 'cheat', 'dispute', 'crash']

/** The checkpoint a `crash` run's winner is killed at: half-way (epochs ≥ 2, one segment per epoch). */
export const crashCheckpoint = (epochs: number): number => Math.max(1, Math.floor(epochs / 2))

/** What the `crash` scenario observed. */
export interface CrashReport {
  /** The checkpoint the winner halted at and was killed after. */
  readonly killedAtCheckpoint: number
  readonly killed: boolean
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
  readonly epochs: number
  readonly seed: number
  /** Default `honest`. */
  readonly scenario?: ScenarioName
  readonly dir?: string
  readonly keep?: boolean
  readonly log: (line: string) => void
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
  readonly mode: 'in-process'
  readonly notYet: readonly string[]
  /** Who the scenario makes misbehave, and how. */
  readonly faults: { readonly workers: WorkerFaults | null, readonly clientSettle: 'complete' | 'dispute' }
  readonly jobs: ReadonlyArray<{
    id: string
    tier: 'optimistic'
    /** The client's job state (announced … completed, rejected, failed). */
    state: string
    /** The escrow's state on-chain (funded, completed, timedOut, resolvedForClient, …). */
    escrowState: string
    worker: string
    workerName: string
    amount: string
    bids: ReadonlyArray<{ peer: string, price: string }>
    settlement: { worker: string, platform: string, refund: string }
    training: { epochs: number, testAccuracy: number, finalWeightsHash: string | null }
    proof: { merkleRoot: string | null, evidenceCid: string | null, spotChecks: { passed: number, total: number, reasons: readonly string[] } }
    /** The client's error when the job did not reach settlement (the worker vanished). */
    error: string | null
  }>
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

/** Each juror holds 20,000,000 CYXWIZ (2 % of the supply): three of them together pass the 5 % quorum. */
export const JUROR_TOKENS = 20_000_000n
const JURORS = 3

const workerFaults = (scenario: ScenarioName, epochs: number): WorkerFaults | undefined => ({
  honest: undefined,
  timeout: { vanishAfterAward: true },
  cheat: { fabricateSegments: { honest: 1 } },
  dispute: undefined,
  crash: { crashAtCheckpoint: crashCheckpoint(epochs) }
})[scenario]
const CLIENT_SETTLE: Record<ScenarioName, 'complete' | 'dispute'> = { honest: 'complete', timeout: 'complete', cheat: 'dispute', dispute: 'dispute', crash: 'complete' }

/** Worker i's hourly rate: 50, 75, 100 … CYXWIZ/h in a seed-independent shuffled order. */
function hourlyRate (i: number, n: number): bigint {
  return (50n + 25n * BigInt((i * 7 + 3) % n)) * T
}

const nameOf = <V>(table: Record<string, V>, v: V): string => Object.entries(table).find(([, x]) => x === v)?.[0] ?? String(v)

function nodeView (n: NodeAccount | undefined): NodeView {
  if (n === undefined) return { stake: '0', reputation: 0, adjustment: 0, jobsCompleted: 0, jobsFailed: 0, status: 'active' }
  return { stake: String(n.stake), reputation: n.reputation, adjustment: n.adjustment, jobsCompleted: n.jobsCompleted, jobsFailed: n.jobsFailed, status: nameOf(NODE_STATUS, n.status) as NodeView['status'] }
}

export async function runSimulation (o: SimOptions): Promise<SimReport> {
  const log = o.log
  const scenario = o.scenario ?? 'honest'
  if (scenario === 'crash' && o.epochs < 2) throw new Error('the crash scenario needs at least 2 epochs (the worker is killed half-way)')
  const faults = workerFaults(scenario, o.epochs)
  const settle = CLIENT_SETTLE[scenario]
  const net = await LocalNetwork.open({ seed: o.seed, ...(o.dir === undefined ? {} : { dir: o.dir }), keep: o.keep ?? false })
  const workers: Worker[] = []
  const workerPeers: LocalPeer[] = []
  let client: Client | undefined
  let unsubscribe: (() => void) | undefined
  try {
    log(`ledger: LiteSVM + cyxwiz program ${CYXWIZ_PROGRAM_ID.toBase58()} as Solana JSON-RPC at ${net.rpcUrl}; CYXWIZ mint ${net.mint.toBase58()}`)
    log(`genesis: ${formatTokens((await getMint(net.connection, net.mint)).supply)} CYXWIZ minted to the five allocations, mint authority revoked (fixed supply)`)
    log(`scenario: ${scenario}`)
    const clientPeer = await net.peer('client', 100n)
    for (let i = 0; i < o.workers; i++) {
      const p = await net.peer(`worker-${i + 1}`, 50n, clientPeer.node.multiaddrs(), 'nodeOperators')
      const rate = hourlyRate(i, o.workers)
      workerPeers.push(p)
      workers.push(await Worker.start({ node: p.node, connection: net.connection, store: p.store, pricePerHour: rate, ...(faults === undefined ? {} : { faults }) }))
      log(`worker-${i + 1} ${p.node.peerId.toString().slice(-8)}: staked 50 CYXWIZ, asks ${formatTokens(rate)} CYXWIZ/h${faults === undefined ? '' : `, faults ${JSON.stringify(faults)}`}`)
    }
    const jurors: LocalPeer[] = []
    if (scenario === 'cheat' || scenario === 'dispute') {
      for (let j = 0; j < JURORS; j++) jurors.push(await net.peer(`juror-${j + 1}`, JUROR_TOKENS, clientPeer.node.multiaddrs(), 'community'))
      log(`${JURORS} jurors, ${formatTokens(JUROR_TOKENS * T)} CYXWIZ each from the community allocation (quorum: 5 % of the supply)`)
    }
    const keeper = scenario === 'timeout' ? await net.peer('keeper', 0n, clientPeer.node.multiaddrs()) : undefined
    client = await Client.start({
      node: clientPeer.node,
      connection: net.connection,
      store: clientPeer.store,
      settle,
      // A vanished worker is not waited for long: the job fails and the escrow waits for its deadline.
      ...(scenario === 'timeout' ? { resumeWindowMs: 3_000 } : {})
    })

    const names = new Map<string, string>(net.peers.map((p) => [p.node.peerId.toString(), p.name]))
    const wallets: Array<[string, PublicKey]> = net.peers.map((p) => [p.name, p.keypair.publicKey])
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
    unsubscribe = net.ledger.onTransaction((r) => {
      if (r.tx === null) return
      transactions.count++
      if (r.err !== null) transactions.failed++
      transactions.computeUnits += r.computeUnits
    })

    let award: { worker: string, price: bigint, escrow: string } | undefined
    let lastMetrics: wire.Metrics | undefined
    // crash: the winner is killed at its halting checkpoint and restarted on the same dir and keys.
    const crashAt = crashCheckpoint(o.epochs)
    const checkpointsSeen: number[] = []
    const restartEvents: WorkerEvent[] = []
    let reconnects = 0
    let checkpointsBeforeRestart = -1
    type Restart = { peerId: string, addrsBefore: string[], addrsAfter: string[], unfinished: Array<{ jobId: string, state: string }> }
    let crashed: Promise<Restart> | undefined
    const killAndRestart = async (peerId: string): Promise<Restart> => {
      const i = workerPeers.findIndex((p) => p.node.peerId.toString() === peerId)
      const old = workers[i] as Worker
      const oldPeer = workerPeers[i] as LocalPeer
      const addrsBefore = oldPeer.node.multiaddrs().map(String)
      log(`  ${oldPeer.name} is killed after checkpoint ${crashAt}: its worker and node stop, the store closes`)
      await old.stop()
      const p = await net.restart(oldPeer, clientPeer.node.multiaddrs())
      checkpointsBeforeRestart = checkpointsSeen.length
      // What the restarted process finds on disk before it starts working again.
      const unfinished = (await JobBook.worker(p.store).unfinished()).map((r) => ({ jobId: r.jobId, state: r.state }))
      workerPeers[i] = p
      workers[i] = await Worker.start({ node: p.node, connection: net.connection, store: p.store, pricePerHour: hourlyRate(i, o.workers), onEvent: (e) => { restartEvents.push(e) } })
      const addrsAfter = p.node.multiaddrs().map(String)
      log(`  ${p.name} restarted on the same dir and keys (${p.node.peerId.toString().slice(-8)}, now ${addrsAfter[0] ?? '?'}), without the fault`)
      return { peerId: p.node.peerId.toString(), addrsBefore, addrsAfter, unfinished }
    }
    const onProgress = (e: ClientJobEvent): void => {
      if (e.type === 'checkpoint') {
        checkpointsSeen.push(e.checkpoint.epoch)
        if (scenario === 'crash' && crashed === undefined && award !== undefined && e.checkpoint.epoch === crashAt) {
          crashed = killAndRestart(award.worker)
          crashed.catch(() => {})
        }
      }
      if (e.type === 'reconnecting') reconnects++
      if (e.type === 'bid') log(`  bid from ${names.get(e.from) ?? e.from}: ${formatTokens(e.price)} CYXWIZ, ETA ${e.etaSeconds} s`)
      else if (e.type === 'award') {
        award = { worker: e.worker, price: e.price, escrow: e.escrow }
        log(`  award → ${names.get(e.worker) ?? e.worker} at ${formatTokens(e.price)} CYXWIZ; escrow ${e.escrow}`)
      } else if (e.type === 'metrics' && e.metrics.epoch > 0) {
        lastMetrics = e.metrics
        log(`  epoch ${e.metrics.epoch}/${e.metrics.totalEpochs}: loss ${e.metrics.loss.toFixed(4)}, test accuracy ${(e.metrics.testAccuracy * 100).toFixed(2)} %`)
      } else if (e.type === 'reconnecting') log(`  the session went away (${e.error}); retrying (attempt ${e.attempt})`)
      else if (e.type === 'evidence') log(`  evidence ${e.cid}: ${e.blocks} blocks fetched over bitswap`)
      else if (e.type === 'spot-check') log(`  spot checks: ${e.report.passed ? 'passed' : 'FAILED'} (segments ${e.report.segments.join(', ')})${e.report.passed ? '' : `: ${e.report.reasons[0] ?? ''}`}`)
      else if (e.type === 'state') log(`  job ${e.state}`)
    }
    log(`client submits a spirals job, ${o.epochs} epochs, max price 10 CYXWIZ${settle === 'dispute' ? '; it will dispute instead of paying' : ''}`)
    let outcome: JobOutcome | undefined
    let clientError: string | null = null
    try {
      outcome = await client.submit({ datasetId: 'spirals', epochs: o.epochs, seed: BigInt(o.seed), maxPrice: 10n * T, estimatedSeconds: 60, bidWindowMs: 1_500, onProgress })
    } catch (e) {
      clientError = e instanceof Error ? e.message : String(e)
      log(`  the client's job ended: ${clientError}`)
      // Honest runs have no business failing: that is an error of the simulation, not a result.
      if (scenario !== 'timeout' || award === undefined) throw e
    }
    let crash: CrashReport | null = null
    if (scenario === 'crash') {
      const restarted = crashed === undefined ? undefined : await crashed
      // What an uninterrupted honest run of the same spec delivers.
      const refDir = join(net.dir, 'reference')
      const reference = await trainWithEvidence({ wireSpec: (outcome as JobOutcome).spec, dir: refDir })
      await rm(refDir, { recursive: true, force: true })
      const finalWeightsHash = outcome === undefined ? null : hex(outcome.session.delivery.weightsHash)
      const after = checkpointsBeforeRestart < 0 ? [] : checkpointsSeen.slice(checkpointsBeforeRestart)
      crash = {
        killedAtCheckpoint: crashAt,
        killed: restarted !== undefined,
        peerId: award?.worker ?? '',
        restartedPeerId: restarted?.peerId ?? null,
        addrsBefore: restarted?.addrsBefore ?? [],
        addrsAfter: restarted?.addrsAfter ?? [],
        unfinishedAtRestart: restarted?.unfinished ?? [],
        resumable: restartEvents.some((e) => e.type === 'resumable'),
        resumed: restartEvents.some((e) => e.type === 'resumed'),
        reconnects,
        checkpointsSeen,
        firstCheckpointAfterRestart: after[0] ?? null,
        referenceWeightsHash: reference.finalWeightsHash,
        finalWeightsHash,
        sameFinalHash: finalWeightsHash === reference.finalWeightsHash
      }
      log(`  reference: an uninterrupted run of the same spec ends at ${reference.finalWeightsHash.slice(0, 16)}…; the resumed run at ${(finalWeightsHash ?? '—').slice(0, 16)}…`)
    }
    const escrowAddress = new PublicKey((award as { escrow: string }).escrow)
    const escrowAtAward = await readEscrow(net, escrowAddress)
    const winnerIndex = workers.findIndex((w) => w.wallet.equals(escrowAtAward.worker))
    const winnerPeer = workerPeers[winnerIndex] as LocalPeer
    const winnerName = winnerPeer.name
    const price = escrowAtAward.amount

    let timeout: TimeoutReport | null = null
    let dispute: DisputeReport | null = null
    if (scenario === 'timeout') timeout = await refundAfterDeadline(net, keeper as LocalPeer, escrowAddress, log)
    if (scenario === 'cheat' || scenario === 'dispute') {
      dispute = await carryDispute({ net, escrow: escrowAddress, worker: winnerPeer, workerCid: outcome?.session.delivery.evidenceCid, jurors, seed: o.seed, openSignature: outcome?.disputeSignature ?? null, log })
    }
    unsubscribe()
    unsubscribe = undefined

    const after = await snapshot()
    const supplyAfter = await supplyParts()
    const escrowAfter = await readEscrow(net, escrowAddress)
    const nodeBefore = nodesBefore[winnerIndex]
    const nodeAfter = await readNode(net.connection, escrowAtAward.worker)

    // What the rules say must have happened, for the outcome this scenario requires.
    const expected: Record<string, bigint> = { ...before }
    const add = (k: string, v: bigint): void => { expected[k] = (expected[k] as bigint) + v }
    const stake = nodeBefore?.stake ?? 0n
    const tier = reputationTier(nodeBefore?.reputation ?? 0).name
    const adjustment = nodeBefore?.adjustment ?? 0
    const slashing = { slashed: 0n, toInsurance: 0n, burned: 0n, toClient: 0n, toTreasury: 0n }
    let expectedNode: { stake: bigint, adjustment: number, status: number } | undefined
    let refund = 0n
    if (scenario === 'honest' || scenario === 'crash') {
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
      add('platform', v.platformFee + v.slashToTreasury)
      add('stake', -v.slashed)
      refund = v.clientRefund
      expectedNode = { stake: stake - v.slashed, adjustment: applyReputationEvent(adjustment, side === 'client' ? 'disputeLost' : 'disputeWon'), status: v.banWorker ? NODE_STATUS.banned : NODE_STATUS.active }
    }
    const balances: Record<string, { before: string, after: string, expected: string }> = {}
    for (const k of Object.keys(before)) balances[k] = { before: String(before[k]), after: String(after[k]), expected: String(expected[k]) }
    const reconciles = Object.keys(expected).every((k) => expected[k] === after[k])
    const supplyConserved = supplyBefore.supply + supplyBefore.burned === supplyAfter.supply + supplyAfter.burned
    const escrowVaultAfter = (await getAccount(net.connection, new PublicKey(escrowAfter.vault), 'confirmed')).amount

    const checks: Array<{ name: string, ok: boolean }> = []
    const check = (name: string, ok: boolean): void => { checks.push({ name, ok }) }
    const winnerUnpaid = after[winnerName] === before[winnerName]
    const nodeMatches = expectedNode === undefined || (nodeAfter !== undefined && nodeAfter.stake === expectedNode.stake && nodeAfter.adjustment === expectedNode.adjustment && nodeAfter.status === expectedNode.status)
    if (scenario === 'honest') {
      check('the job completed and was paid', outcome?.state === 'completed' && escrowAfter.state === ESCROW_STATE.completed)
    } else if (scenario === 'crash') {
      const c = crash as CrashReport
      const sameKeys = c.restartedPeerId === c.peerId && c.addrsAfter.length > 0 && c.addrsAfter.every((a) => !c.addrsBefore.includes(a))
      check(`the winner halted after checkpoint ${crashAt} and was killed there`, c.killed && c.checkpointsSeen.slice(0, crashAt).every((n, k) => n === k + 1))
      check('it was restarted on the same dir and keys (same peer id and wallet, a new port)', sameKeys)
      const jobId = outcome?.jobId
      check('the restarted worker found its unfinished job (training) and resumed it when the client retried', c.unfinishedAtRestart.length === 1 && c.unfinishedAtRestart[0]?.jobId === jobId && c.unfinishedAtRestart[0]?.state === 'training' && c.resumed && c.reconnects > 0)
      check(`training resumed from checkpoint ${crashAt}, not from scratch`, c.firstCheckpointAfterRestart === crashAt + 1 && c.checkpointsSeen.length === o.epochs && outcome?.session.delivery.epochs === o.epochs)
      check('the final weights hash equals an uninterrupted honest run of the same spec', c.sameFinalHash)
      check('the job completed and was paid 90/10', outcome?.state === 'completed' && escrowAfter.state === ESCROW_STATE.completed && (after[winnerName] as bigint) > (before[winnerName] as bigint))
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
      check('every juror\'s own spot checks failed the evidence', dispute !== null && dispute.jurors.length > 0 && dispute.jurors.every((j) => j.verdict === 'failed' && j.side === 'client'))
      check('the dispute was resolved for the client', dispute?.winner === 'client' && escrowAfter.state === ESCROW_STATE.resolvedForClient)
      check('the cheater was never paid', winnerUnpaid)
      check(`the cheater was slashed ${SLASHING.fraudBps / 100} %, lost 200 reputation points and was banned`, nodeMatches)
    } else {
      check('the job was delivered and the client\'s spot checks passed', outcome?.state === 'verified' && outcome.spotCheck?.passed === true)
      check('the client disputed instead of signing complete', outcome?.completeSignature === undefined && outcome?.disputeSignature !== undefined)
      check('every juror\'s own spot checks passed the evidence', dispute !== null && dispute.jurors.length > 0 && dispute.jurors.every((j) => j.verdict === 'passed' && j.side === 'worker'))
      check('the dispute was resolved for the worker', dispute?.winner === 'worker' && escrowAfter.state === ESCROW_STATE.resolvedForWorker)
      check('the worker was paid as for a completed job and gained 5 reputation points', nodeMatches && (after[winnerName] as bigint) > (before[winnerName] as bigint))
    }
    if (dispute !== null) check('every juror got its votes back', dispute.voteVaultAfter === '0' && jurors.every((j) => after[j.name] === before[j.name]))
    check('the escrow vault is empty', escrowVaultAfter === 0n)
    check('every balance reconciles to the base unit', reconciles)
    check('the token supply (burned included) is conserved', supplyConserved)
    const ok = checks.every((c) => c.ok)

    const delivery = outcome?.session.delivery
    const spot = outcome?.spotCheck
    log(`${winnerName}: ${formatTokens((after[winnerName] as bigint) - (before[winnerName] as bigint))} CYXWIZ; client ${formatTokens((after.client as bigint) - (before.client as bigint))}; platform +${formatTokens((after.platform as bigint) - (before.platform as bigint))}; stake vault ${formatTokens((after.stake as bigint) - (before.stake as bigint))}; burned ${formatTokens(supplyAfter.burned - supplyBefore.burned)}`)
    for (const c of checks) log(`  ${c.ok ? '✓' : '✗'} ${c.name}`)
    return {
      scenario,
      mode: 'in-process',
      notYet: ['peers as separate OS processes', 'MNIST job and zk tier'],
      faults: { workers: faults ?? null, clientSettle: settle },
      jobs: [{
        id: hex(escrowAtAward.jobId),
        tier: 'optimistic',
        state: outcome?.state ?? 'failed',
        escrowState: nameOf(ESCROW_STATE, escrowAfter.state),
        worker: escrowAtAward.worker.toBase58(),
        workerName: winnerName,
        amount: String(price),
        bids: outcome?.ranking.ranked.map((s) => ({ peer: names.get(s.bid.bidder) ?? s.bid.bidder, price: String(s.bid.price) })) ?? [],
        settlement: { worker: String((after[winnerName] as bigint) - (before[winnerName] as bigint)), platform: String((after.platform as bigint) - (before.platform as bigint)), refund: String(escrowAfter.state === ESCROW_STATE.timedOut || escrowAfter.state === ESCROW_STATE.resolvedForClient ? refund : 0n) },
        training: { epochs: o.epochs, testAccuracy: lastMetrics?.testAccuracy ?? 0, finalWeightsHash: delivery === undefined ? null : hex(delivery.weightsHash) },
        proof: {
          merkleRoot: delivery === undefined ? null : hex(delivery.merkleRoot),
          evidenceCid: delivery?.evidenceCid ?? null,
          // The client's report carries one verdict; on failure no segment is counted as passed.
          spotChecks: { passed: spot?.passed === true ? spot.segments.length : 0, total: spot?.segments.length ?? 0, reasons: spot?.reasons.slice(0, 4) ?? [] }
        },
        error: clientError
      }],
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
    unsubscribe?.()
    await client?.stop()
    await Promise.allSettled(workers.map(async (w) => { await w.stop() }))
    await net.close()
  }
}
