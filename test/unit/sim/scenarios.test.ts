/**
 * Each scenario of `cyx sim` (peer/sim/scenarios/) on stubbed facts: what its plan asks of the
 * network, the options it refuses, the balances the protocol's rules make it expect (to the base
 * unit: money only moves, except what a slash burns) and the checks it judges the outcome by — all
 * hold for the outcome it requires, and the one about a fact fails when that fact is wrong.
 */
import assert from 'node:assert/strict'
import { ESCROW_STATE, NODE_STATUS, type EscrowAccount, type NodeAccount } from '../../../chain/index.js'
import { DISPUTE, UNITS_PER_TOKEN as T, handOverSplit, settlementSplit } from '../../../protocols/index.js'
import { SCENARIO, SCENARIOS, JUROR_TOKENS, crashCheckpoint } from '../../../peer/sim/scenarios/index.js'
import { NO_FINDINGS, type Expectation, type ExpectInput, type Facts, type Findings, type JobRun } from '../../../peer/sim/scenario.js'
import { expectBalances } from '../../../peer/sim/audit.js'
import type { SimJobOutcome } from '../../../peer/sim/peers.js'
import type { CrashReport } from '../../../peer/sim/report.js'

const PRICE = 2n * T
const STAKE = 50n * T
const node = (o: Partial<NodeAccount> = {}): NodeAccount => ({ stake: STAKE, reputation: 0, adjustment: 0, status: NODE_STATUS.active, jobsCompleted: 0, jobsFailed: 0, ...o }) as unknown as NodeAccount
const escrow = (o: Partial<EscrowAccount> = {}): EscrowAccount => ({ state: ESCROW_STATE.completed, amount: PRICE, epochsTotal: 4, epochsBase: 0, handovers: 0, ...o }) as unknown as EscrowAccount
const weights = new Uint8Array(32).fill(7)
const outcome = (o: Record<string, unknown> = {}): SimJobOutcome => ({ jobId: 'job-1', tier: 'optimistic', state: 'completed', spotCheck: { passed: true, segments: [1, 2], reasons: [] }, completeSignature: 'sig', session: { delivery: { epochs: 4, weightsHash: weights } }, ...o }) as unknown as SimJobOutcome
const run = (o: Partial<JobRun> = {}): JobRun => ({ job: { name: 'spirals', request: { datasetId: 'spirals', epochs: 4, maxPrice: 10n * T } }, award: { worker: 'peer-w1', price: PRICE, escrow: 'e' }, lastMetrics: undefined, checkpointsSeen: [1, 2, 3, 4], keptEpochs: [], reconnects: 0, outcome: outcome(), error: null, ...o })
const balances = { client: 100n * T, 'worker-1': 0n, 'worker-2': 0n, 'juror-1': 0n, platform: 0n, insurance: 0n, stake: 100n * T }
const input = (findings: Findings = NO_FINDINGS, o: Partial<ExpectInput> = {}): ExpectInput => ({ winnerName: 'worker-1', price: PRICE, tier: 'Bronze', nodeBefore: node(), findings, epochsTotal: 4, ...o })
const sumOf = (e: Expectation): bigint => e.deltas.reduce((s, [, v]) => s + v, 0n)

/** The facts of a run that went as the scenario requires, the balances moved exactly as expected. */
function facts (name: keyof typeof SCENARIO, o: Partial<Facts> & { findings?: Findings } = {}): Facts {
  const findings = o.findings ?? NO_FINDINGS
  const expectation = SCENARIO[name].expect(input(findings))
  const after = expectBalances(balances, expectation.deltas)
  return {
    mode: 'in-process',
    settle: SCENARIO[name].plan({ epochs: 4, tier: 'optimistic' }).settle,
    epochs: 4,
    crashAt: 0,
    runs: [run()],
    settledHow: () => undefined,
    escrowAtAward: escrow({ state: ESCROW_STATE.funded }),
    escrowAfter: escrow(),
    escrowStatesAfter: [ESCROW_STATE.completed],
    winnerName: 'worker-1',
    winnerTier: 'Bronze',
    before: balances,
    after,
    supplyBefore: { supply: 1_000n * T, burned: 0n },
    supplyAfter: { supply: 1_000n * T - expectation.slashing.burned, burned: expectation.slashing.burned },
    expectation,
    nodeAfter: expectation.node === undefined ? node() : node({ stake: expectation.node.stake, adjustment: expectation.node.adjustment, status: expectation.node.status as NodeAccount['status'] }),
    findings,
    ...o
  }
}
const failing = (checks: ReadonlyArray<{ name: string, ok: boolean }>): string[] => checks.filter((c) => !c.ok).map((c) => c.name)

describe('sim scenarios', () => {
  it('one module per name, in the order the CLI lists them', () => {
    assert.deepEqual(SCENARIOS, ['honest', 'timeout', 'cheat', 'dispute', 'crash', 'failover'])
    for (const n of SCENARIOS) assert.equal(SCENARIO[n].name, n)
  })

  it('plans the faults, the client\'s settlement and the extra peers each needs', () => {
    const o = { epochs: 4, tier: 'optimistic' }
    const plans = Object.fromEntries(SCENARIOS.map((n) => [n, SCENARIO[n].plan(o)]))
    assert.deepEqual(plans.honest, { settle: 'window', client: {}, jurors: 0, keeper: false, sameRate: false })
    assert.deepEqual(plans.timeout, { faults: { vanishAfterAward: true }, settle: 'complete', client: { resumeWindowMs: 3_000 }, jurors: 0, keeper: true, sameRate: false })
    assert.deepEqual(plans.cheat, { faults: { fabricateSegments: { honest: 1 } }, settle: 'dispute', client: {}, jurors: 3, keeper: false, sameRate: false })
    assert.deepEqual(plans.dispute, { settle: 'dispute', client: {}, jurors: 3, keeper: false, sameRate: false })
    assert.deepEqual(plans.crash, { faults: { crashAtCheckpoint: 2 }, settle: 'complete', client: {}, jurors: 0, keeper: false, sameRate: false })
    assert.deepEqual(plans.failover, { faults: { crashAtCheckpoint: 2 }, settle: 'complete', client: { failover: true }, jurors: 0, keeper: false, sameRate: true })
    assert.deepEqual(SCENARIO.crash.plan({ ...o, killAfter: 3 }).faults, { crashAtCheckpoint: 3 })
  })

  it('refuses what a scenario cannot run', () => {
    for (const n of ['honest', 'timeout', 'cheat', 'dispute'] as const) {
      assert.throws(() => { SCENARIO[n].validate({ epochs: 4, tier: 'optimistic', killAfter: 2 }) }, /killAfter is the crash and failover scenarios'/)
      SCENARIO[n].validate({ epochs: 1, tier: 'zk' })
    }
    assert.throws(() => { SCENARIO.crash.validate({ epochs: 1, tier: 'optimistic' }) }, /the crash scenario needs at least 2 epochs/)
    assert.throws(() => { SCENARIO.crash.validate({ epochs: 4, tier: 'optimistic', killAfter: 4 }) }, /after a checkpoint 1\.\.3 of 4 epochs \(got 4\)/)
    assert.throws(() => { SCENARIO.failover.validate({ epochs: 1, tier: 'optimistic' }) }, /the failover scenario needs at least 2 epochs/)
    assert.throws(() => { SCENARIO.failover.validate({ epochs: 4, tier: 'zk' }) }, /optimistic tier's/)
    SCENARIO.crash.validate({ epochs: 2, tier: 'zk' })
    assert.deepEqual([crashCheckpoint(2), crashCheckpoint(4), crashCheckpoint(7), crashCheckpoint(4, 1)], [1, 2, 3, 1])
  })

  it('expects a paid job 90/10 (honest, crash) and the escrow back with a 10 % slash for a timeout', () => {
    for (const n of ['honest', 'crash'] as const) {
      const e = SCENARIO[n].expect(input())
      assert.deepEqual(e.deltas, [['client', -PRICE], ['worker-1', 1_800_000_000n], ['platform', 200_000_000n]])
      assert.equal(e.refund, 0n)
      assert.equal(e.slashing.slashed, 0n)
    }
    const t = SCENARIO.timeout.expect(input())
    assert.deepEqual(t.deltas, [['stake', -5n * T], ['insurance', 4n * T]])
    assert.deepEqual(t.slashing, { slashed: 5n * T, toInsurance: 4n * T, burned: 1n * T, toClient: 0n, toTreasury: 0n })
    assert.deepEqual(t.node, { stake: 45n * T, adjustment: -30, status: NODE_STATUS.active })
    assert.equal(t.refund, PRICE)
  })

  it('expects the verdicts: the cheater refunded, slashed 50 % half to the client, banned; the disputed worker paid with the bond', () => {
    const c = SCENARIO.cheat.expect(input())
    const net = (e: Expectation, who: string): bigint => e.deltas.filter(([k]) => k === who).reduce((s, [, v]) => s + v, 0n)
    assert.equal(net(c, 'client'), 25n * T / 2n, 'its price back and half the slash')
    assert.equal(net(c, 'worker-1'), 0n)
    assert.equal(net(c, 'platform'), 25n * T / 2n)
    assert.equal(net(c, 'stake'), -25n * T)
    assert.deepEqual(c.node, { stake: 25n * T, adjustment: -200, status: NODE_STATUS.banned })
    assert.equal(c.refund, PRICE)
    const d = SCENARIO.dispute.expect(input())
    assert.equal(net(d, 'client'), -PRICE - DISPUTE.disputeBond)
    assert.equal(net(d, 'worker-1'), 1_800_000_000n + DISPUTE.disputeBond)
    assert.equal(net(d, 'platform'), 200_000_000n)
    assert.deepEqual(d.node, { stake: STAKE, adjustment: 5, status: NODE_STATUS.active })
  })

  it('expects a hand-over: the first worker paid its verified epochs and slashed, the second the rest 90/10', () => {
    const findings: Findings = { ...NO_FINDINGS, failover: { firstIndex: 1, firstName: 'worker-2', firstTier: 'Bronze', firstNodeBefore: node(), firstNodeAfter: node({ stake: 45n * T, adjustment: -30 }), original: PRICE, verifiedEpochs: 2, killed: { name: 'worker-2', warped: 7_200 }, checkpointsAfterHandOver: [3, 4], referenceWeightsHash: Buffer.from(weights).toString('hex') } }
    const e = SCENARIO.failover.expect(input(findings))
    const split = handOverSplit(PRICE, 2, 4, 'Bronze')
    assert.deepEqual(e.deltas, [['client', -PRICE], ['worker-2', split.worker], ['worker-1', settlementSplit(split.remaining, 'Bronze').worker], ['platform', split.platform + settlementSplit(split.remaining, 'Bronze').platform], ['stake', -5n * T], ['insurance', 4n * T]])
    assert.equal(split.worker, 900_000_000n)
    assert.throws(() => SCENARIO.failover.expect(input()), /no hand-over/)
  })

  it('moves money only between balances: every expectation sums to minus what it burns', () => {
    const findings: Findings = { ...NO_FINDINGS, failover: { firstIndex: 1, firstName: 'worker-2', firstTier: 'Bronze', firstNodeBefore: node(), firstNodeAfter: undefined, original: PRICE, verifiedEpochs: 3, killed: undefined, checkpointsAfterHandOver: [], referenceWeightsHash: undefined } }
    for (const n of SCENARIOS) {
      const e = SCENARIO[n].expect(input(findings, { price: 3n * T + 1n, nodeBefore: node({ stake: 77n * T + 3n }) }))
      // The price left the client into the escrow during the run: the escrow pays it all out.
      assert.equal(sumOf(e) + e.slashing.burned, 0n, n)
    }
  })

  it('honest: every job paid as its tier settles it; MNIST at 90 %, the client\'s CNN at 96 %', () => {
    const mnist = run({ job: { name: 'mnist', request: { datasetId: 'mnist', epochs: 4, maxPrice: 10n * T } }, outcome: outcome({ state: 'verified', jobId: 'm' }), lastMetrics: { testAccuracy: 0.93 } as never })
    const zk = run({ job: { name: 'zk', request: { datasetId: 'mnist-4x4', epochs: 4, maxPrice: 10n * T } }, outcome: outcome({ tier: 'zk', jobId: 'z', zk: { verifiedOnChain: true, challengeStep: 5 } }) })
    const cnn = run({ job: { name: 'cnn', request: { datasetId: 'client', epochs: 5, maxPrice: 10n * T } }, outcome: outcome({ state: 'verified', jobId: 'c', trainedModel: { testAccuracy: 0.97 } }) })
    const how: Record<string, string> = { m: 'claimed', z: 'proved', c: 'claimed' }
    const good = facts('honest', { runs: [mnist, zk, cnn], escrowStatesAfter: [ESCROW_STATE.completed, ESCROW_STATE.completed, ESCROW_STATE.completed], settledHow: (id) => how[id] })
    const checks = SCENARIO.honest.checks(good)
    assert.equal(checks.length, 5)
    assert.deepEqual(failing(checks), [])
    assert.match(checks[2]!.name, /Groth16 proof of step 5 was verified on-chain/)
    assert.deepEqual(failing(SCENARIO.honest.checks({ ...good, settledHow: (id) => id === 'z' ? 'complete' : how[id] })), ['the zk job: the worker\'s Groth16 proof of step 5 was verified on-chain by complete_zk, which paid it'])
    const weak = run({ ...mnist, lastMetrics: { testAccuracy: 0.89 } as never })
    assert.deepEqual(failing(SCENARIO.honest.checks({ ...good, runs: [weak, zk, cnn] })), ['the MNIST model reached at least 90 % test accuracy'])
  })

  it('timeout: the worker vanished, the keeper refunded after the deadline, the client whole, the worker slashed', () => {
    const findings: Findings = { ...NO_FINDINGS, timeout: { refusedBeforeDeadline: 'DeadlineNotReached' } as never }
    const good = facts('timeout', { findings, runs: [run({ outcome: undefined, error: 'vanished' })], escrowAfter: escrow({ state: ESCROW_STATE.timedOut }) })
    assert.deepEqual(failing(SCENARIO.timeout.checks(good)), [])
    assert.deepEqual(failing(SCENARIO.timeout.checks({ ...good, after: { ...good.after, 'worker-1': 1n } })), ['the worker was not paid'])
    assert.deepEqual(failing(SCENARIO.timeout.checks({ ...good, supplyAfter: good.supplyBefore })), ['the worker was slashed 10 % (80 % insurance, 20 % burned) and lost 30 reputation points'])
    assert.deepEqual(failing(SCENARIO.timeout.checks({ ...good, findings: { ...findings, timeout: { refusedBeforeDeadline: null } as never } })), ['timeout_refund was refused before the deadline'])
  })

  const juror = (side: 'client' | 'worker'): { verdict: string, side: string } => ({ verdict: side, side })
  const court = (winner: 'client' | 'worker'): Findings => ({
    ...NO_FINDINGS,
    dispute: { winner, bond: String(DISPUTE.disputeBond), bondTo: winner, voteVaultAfter: '0', jurors: [juror(winner), juror(winner), juror(winner)] } as never,
    jurors: [1, 2, 3].map((j) => ({ name: `juror-${j}`, stake: JUROR_TOKENS * T }))
  })

  it('cheat: caught by spot checks, confirmed by every juror, the client refunded with its bond, the cheater banned', () => {
    const rejected = run({ outcome: outcome({ state: 'rejected', spotCheck: { passed: false, segments: [2], reasons: ['x'] }, completeSignature: undefined, disputeSignature: 'd' }) })
    const good = facts('cheat', { findings: court('client'), runs: [rejected], escrowAfter: escrow({ state: ESCROW_STATE.resolvedForClient }) })
    const checks = SCENARIO.cheat.checks(good)
    assert.equal(checks.length, 8)
    assert.deepEqual(failing(checks), [])
    assert.deepEqual(failing(SCENARIO.cheat.checks({ ...good, nodeAfter: node({ stake: 25n * T, adjustment: -200 }) })), ['the cheater was slashed 50 %, lost 200 reputation points and was banned'])
    const oneForfeit = { ...court('client'), jurors: [{ name: 'juror-1', stake: JUROR_TOKENS * T - 1n }] }
    assert.deepEqual(failing(SCENARIO.cheat.checks({ ...good, findings: oneForfeit })), ['every juror\'s deposit came back into its stake (all voted with the majority; no forfeits)'])
  })

  it('dispute: the jurors side with the honest worker, who is paid and gets the bond', () => {
    const disputed = run({ outcome: outcome({ state: 'verified', completeSignature: undefined, disputeSignature: 'd' }) })
    const good = facts('dispute', { findings: court('worker'), runs: [disputed], escrowAfter: escrow({ state: ESCROW_STATE.resolvedForWorker }) })
    assert.deepEqual(failing(SCENARIO.dispute.checks(good)), [])
    assert.deepEqual(failing(SCENARIO.dispute.checks({ ...good, findings: { ...court('worker'), dispute: { ...court('worker').dispute, bondTo: 'client' } as never } })), ['the client\'s 100 CYXWIZ dispute bond went to the worker it disputed'])
  })

  it('crash: killed at its checkpoint, restarted on its keys, resumed there, the honest run\'s weights, paid', () => {
    const hash = Buffer.from(weights).toString('hex')
    const crash: CrashReport = { killedAtCheckpoint: 2, killed: true, how: 'SIGKILL', pidBefore: 10, pidAfter: 11, peerId: 'peer-w1', restartedPeerId: 'peer-w1', addrsBefore: ['/ip4/127.0.0.1/tcp/1'], addrsAfter: ['/ip4/127.0.0.1/tcp/2'], unfinishedAtRestart: [{ jobId: 'job-1', state: 'training' }], resumable: true, resumed: true, reconnects: 1, checkpointsSeen: [1, 2, 3, 4], firstCheckpointAfterRestart: 3, referenceWeightsHash: hash, finalWeightsHash: hash, sameFinalHash: true }
    const good = facts('crash', { mode: 'processes', crashAt: 2, findings: { ...NO_FINDINGS, crash } })
    const checks = SCENARIO.crash.checks(good)
    assert.deepEqual(failing(checks), [])
    assert.match(checks[0]!.name, /after checkpoint 2 and was killed there \(SIGKILL of its process\)/)
    assert.deepEqual(failing(SCENARIO.crash.checks({ ...good, findings: { ...NO_FINDINGS, crash: { ...crash, pidAfter: 10 } } })), ['it was restarted on the same dir and keys (same peer id and wallet, a new port, a new process)'])
    assert.deepEqual(failing(SCENARIO.crash.checks({ ...good, findings: { ...NO_FINDINGS, crash: { ...crash, firstCheckpointAfterRestart: 1 } } })), ['training resumed from checkpoint 2, not from scratch'])
    assert.deepEqual(failing(SCENARIO.crash.checks({ ...good, findings: NO_FINDINGS })), ['the crash scenario reported what it saw'])
  })

  it('failover: the report\'s split is what was paid and what handOverSplit says; a short payment fails the split check', () => {
    const hash = Buffer.from(weights).toString('hex')
    const findings: Findings = { ...NO_FINDINGS, failover: { firstIndex: 1, firstName: 'worker-2', firstTier: 'Bronze', firstNodeBefore: node(), firstNodeAfter: node({ stake: 45n * T, adjustment: -30 }), original: PRICE, verifiedEpochs: 2, killed: { name: 'worker-2', warped: 7_200 }, checkpointsAfterHandOver: [3, 4], referenceWeightsHash: hash } }
    const handed = run({ outcome: outcome({ failover: { fromWallet: 'A', toWallet: 'B', resumedFromEpoch: 2, checkpointCid: 'bafy', signature: 'h' } }) })
    const good = facts('failover', { crashAt: 2, findings, runs: [handed], escrowAtAward: escrow({ state: ESCROW_STATE.funded, handovers: 1, epochsBase: 2 }) })
    assert.deepEqual(failing(SCENARIO.failover.checks(good)), [])
    const report = SCENARIO.failover.firstJob?.(good).failover
    assert.ok(report !== undefined)
    assert.equal(report.firstWorkerPaid, '900000000')
    assert.equal(report.secondWorkerPaid, report.expected.secondWorker)
    assert.equal(report.platformPaid, report.expected.platform)
    assert.equal(report.sameFinalHash, true)
    assert.equal(report.warpedSeconds, 7_200)
    const short = { ...good, after: { ...good.after, 'worker-2': good.after['worker-2']! - 1n } }
    assert.deepEqual(failing(SCENARIO.failover.checks(short)), ['the split is exact to the base unit: the first worker handOverSplit of the verified epochs, the second the completed job\'s split of the rest'])
  })
})
