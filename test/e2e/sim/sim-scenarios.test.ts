/**
 * `cyx sim --scenario` as a user runs it (a separate process), asserting on its JSON: the failure
 * scenarios of issue 8 end the way the protocol says, to the base unit. `cheat` and `crash` run
 * every peer as its own OS process (the crash is a real SIGKILL); `timeout`, `dispute` and the
 * crash's honest reference run `--in-process` (the same peer hosts, in one process), to keep the
 * suite short on small machines.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { DISPUTE, UNITS_PER_TOKEN, settlementSplit } from '../../../protocols/index.js'
import { JUROR_TOKENS } from '../../../peer/sim/index.js'

const T = UNITS_PER_TOKEN

interface Report {
  scenario: string
  mode: 'processes' | 'in-process'
  peers: Array<{ name: string, role: string, pid: number }>
  ok: boolean
  supplyConserved: boolean
  checks: Array<{ name: string, ok: boolean }>
  jobs: Array<{ state: string, escrowState: string, worker: string, workerName: string, amount: string, settlement: { worker: string, platform: string, refund: string }, training: { finalWeightsHash: string | null }, proof: { spotChecks: { passed: number, total: number } } }>
  balances: Record<string, { before: string, after: string, expected: string }>
  workerNode: { before: { stake: string, adjustment: number, jobsFailed: number, jobsCompleted: number, status: string }, after: { stake: string, adjustment: number, jobsFailed: number, jobsCompleted: number, status: string } }
  slashing: { slashed: string, toInsurance: string, burned: string, toClient: string, toTreasury: string }
  supply: { before: string, after: string, burnedBefore: string, burnedAfter: string }
  timeout: { refusedBeforeDeadline: string, refundedBy: string, warpedSeconds: number } | null
  crash: { killedAtCheckpoint: number, killed: boolean, how: string, pidBefore: number | null, pidAfter: number | null, peerId: string, restartedPeerId: string | null, addrsBefore: string[], addrsAfter: string[], unfinishedAtRestart: Array<{ jobId: string, state: string }>, resumable: boolean, resumed: boolean, reconnects: number, checkpointsSeen: number[], firstCheckpointAfterRestart: number | null, referenceWeightsHash: string, finalWeightsHash: string | null, sameFinalHash: boolean } | null
  dispute: { winner: string, rounds: number, votesClient: number, votesWorker: number, voteVaultAfter: string, jurors: Array<{ verdict: string, side: string, blocks: number, deposit: string, round: number, commitSignature: string | null, revealSignature: string | null, withdrawSignature: string | null }> } | null
}

/** A run that has not ended by then is killed, so a hang fails its test instead of stalling the suite. */
const SIM_KILL_AFTER = { timeout: 170_000, killSignal: 'SIGKILL' } as const

function sim (...args: string[]): { status: number | null, report: Report, stderr: string } {
  const r = spawnSync(process.execPath, ['peer/cli/cyx.mjs', 'sim', ...args, '--json'], { encoding: 'utf8', ...SIM_KILL_AFTER })
  let report: Report
  try {
    report = JSON.parse(r.stdout) as Report
  } catch {
    throw new Error(`cyx sim ${args.join(' ')} printed no JSON (exit ${r.status}${r.signal === null ? '' : `, killed by ${r.signal}`}): ${r.stderr.slice(-2000)}`)
  }
  return { status: r.status, report, stderr: r.stderr }
}

/** after − before of one balance. */
const delta = (r: Report, who: string): bigint => BigInt(r.balances[who]!.after) - BigInt(r.balances[who]!.before)

function assertAllChecks (r: Report): void {
  for (const c of r.checks) assert.ok(c.ok, `check failed: ${c.name}`)
  assert.equal(r.ok, true)
  assert.equal(r.supplyConserved, true)
  for (const [who, b] of Object.entries(r.balances)) assert.equal(b.after, b.expected, `${who}: after ${b.after}, the rules expect ${b.expected}`)
}

describe('cyx sim --scenario', function () {
  this.timeout(180_000)

  it('timeout: the winner vanishes; after the warped deadline a keeper refunds the client and the worker is slashed 10 %', () => {
    const { status, report: r, stderr } = sim('--scenario', 'timeout', '--workers', '2', '--epochs', '2', '--seed', '5', '--in-process')
    assert.equal(status, 0, stderr.slice(-2000))
    assert.equal(r.mode, 'in-process')
    assertAllChecks(r)
    const [job] = r.jobs
    assert.equal(job!.state, 'failed')
    assert.equal(job!.escrowState, 'timedOut')
    assert.equal(job!.settlement.refund, job!.amount)
    assert.equal(r.timeout?.refusedBeforeDeadline, 'DeadlineNotReached')
    assert.equal(r.timeout?.refundedBy, 'keeper')
    assert.ok(r.timeout!.warpedSeconds > 7 * 86_400 - 600)
    // Refunded in full; the worker never paid, never paid anything.
    assert.equal(delta(r, 'client'), 0n)
    assert.equal(delta(r, job!.workerName), 0n)
    // 10 % of a 50 CYXWIZ stake: 5 slashed, 4 to insurance, 1 burned.
    assert.equal(BigInt(r.slashing.slashed), 5n * T)
    assert.equal(delta(r, 'stake'), -5n * T)
    assert.equal(delta(r, 'insurance'), 4n * T)
    assert.equal(delta(r, 'platform'), 0n)
    assert.equal(BigInt(r.supply.burnedAfter) - BigInt(r.supply.burnedBefore), 1n * T)
    assert.equal(BigInt(r.supply.before) - BigInt(r.supply.after), 1n * T)
    assert.equal(r.workerNode.after.stake, String(45n * T))
    assert.equal(r.workerNode.after.adjustment - r.workerNode.before.adjustment, -30)
    assert.equal(r.workerNode.after.jobsFailed, r.workerNode.before.jobsFailed + 1)
    assert.equal(r.workerNode.after.status, 'active')
  })

  it('cheat: fabricated segments are caught by spot checks; jurors confirm; the cheater is slashed 50 %, banned, never paid', () => {
    const { status, report: r, stderr } = sim('--scenario', 'cheat', '--workers', '2', '--epochs', '2', '--seed', '5')
    assert.equal(status, 0, stderr.slice(-2000))
    // Client, two workers and three jurors: six processes.
    assert.equal(r.mode, 'processes')
    assert.deepEqual(r.peers.map((p) => p.role), ['client', 'worker', 'worker', 'juror', 'juror', 'juror'])
    assert.equal(new Set(r.peers.map((p) => p.pid)).size, 6)
    assertAllChecks(r)
    const [job] = r.jobs
    assert.equal(job!.state, 'rejected')
    assert.equal(job!.escrowState, 'resolvedForClient')
    assert.equal(job!.proof.spotChecks.passed, 0)
    assert.ok(job!.proof.spotChecks.total > 0)
    // The cheater was never paid; the platform got no fee, only the treasury's half of the slash.
    assert.equal(delta(r, job!.workerName), 0n)
    assert.equal(job!.settlement.worker, '0')
    assert.equal(job!.settlement.refund, job!.amount)
    // 50 % of a 50 CYXWIZ stake: 25 slashed, 12.5 to the client, 12.5 to the treasury; nothing burned.
    assert.equal(BigInt(r.slashing.slashed), 25n * T)
    assert.equal(delta(r, 'client'), 12n * T + T / 2n)
    assert.equal(delta(r, 'platform'), 12n * T + T / 2n)
    assert.equal(delta(r, 'stake'), -25n * T)
    assert.equal(delta(r, 'insurance'), 0n)
    assert.equal(r.supply.before, r.supply.after)
    assert.equal(r.supply.burnedBefore, r.supply.burnedAfter)
    assert.equal(r.workerNode.after.stake, String(25n * T))
    assert.equal(r.workerNode.after.status, 'banned')
    assert.equal(r.workerNode.after.adjustment - r.workerNode.before.adjustment, -200)
    // The jury: the three staked juror nodes drawn in round 0, three reveals for the client.
    const d = r.dispute!
    assert.equal(d.winner, 'client')
    assert.equal(d.rounds, 1)
    assert.deepEqual([d.votesClient, d.votesWorker], [3, 0])
    assert.equal(d.jurors.length, 3)
    for (const j of d.jurors) {
      assert.equal(j.verdict, 'client')
      assert.equal(j.side, 'client')
      assert.ok(j.blocks > 0)
      assert.equal(j.round, 0)
      assert.equal(j.deposit, String(JUROR_TOKENS * T / 10n)) // 10 % of its stake
      assert.notEqual(j.commitSignature, null)
      assert.notEqual(j.revealSignature, null)
      assert.notEqual(j.withdrawSignature, null)
    }
    assert.equal(d.voteVaultAfter, '0')
    for (const j of ['juror-1', 'juror-2', 'juror-3']) assert.equal(delta(r, j), 0n)
  })

  it('dispute: the client disputes an honest job; jurors re-run the checks and vote for the worker, who is paid 90/10', () => {
    const { status, report: r, stderr } = sim('--scenario', 'dispute', '--workers', '2', '--epochs', '1', '--seed', '5', '--in-process')
    assert.equal(status, 0, stderr.slice(-2000))
    assert.equal(r.mode, 'in-process')
    assertAllChecks(r)
    const [job] = r.jobs
    assert.equal(job!.state, 'verified')
    assert.equal(job!.escrowState, 'resolvedForWorker')
    const amount = BigInt(job!.amount)
    const split = settlementSplit(amount, 'Bronze')
    assert.equal(split.worker + split.platform, amount)
    // The client lost its dispute: its bond went to the honest worker (issue 15 finding 5).
    assert.equal(delta(r, 'client'), -amount - DISPUTE.disputeBond)
    assert.equal(delta(r, job!.workerName), split.worker + DISPUTE.disputeBond)
    assert.equal(delta(r, 'platform'), split.platform)
    assert.equal(delta(r, 'stake'), 0n)
    assert.equal(BigInt(r.slashing.slashed), 0n)
    assert.equal(r.workerNode.after.stake, r.workerNode.before.stake)
    assert.equal(r.workerNode.after.adjustment - r.workerNode.before.adjustment, 5)
    assert.equal(r.workerNode.after.jobsCompleted, r.workerNode.before.jobsCompleted + 1)
    const d = r.dispute!
    assert.equal(d.winner, 'worker')
    assert.deepEqual([d.rounds, d.votesClient, d.votesWorker], [1, 0, 3])
    assert.equal(d.jurors.length, 3)
    assert.ok(d.jurors.every((j) => j.verdict === 'worker' && j.side === 'worker' && j.revealSignature !== null && j.withdrawSignature !== null))
    assert.equal(d.voteVaultAfter, '0')
    for (const j of ['juror-1', 'juror-2', 'juror-3']) assert.equal(delta(r, j), 0n)
  })

  it('crash: the winner is killed half-way and restarted on the same dir and keys; it resumes, delivers the honest run\'s weights and is paid', () => {
    const { status, report: r, stderr } = sim('--scenario', 'crash', '--workers', '2', '--epochs', '3', '--seed', '5')
    assert.equal(status, 0, stderr.slice(-2000))
    assert.equal(r.mode, 'processes')
    assertAllChecks(r)
    const [job] = r.jobs
    assert.equal(job!.state, 'completed')
    assert.equal(job!.escrowState, 'completed')
    const c = r.crash!
    assert.equal(c.killedAtCheckpoint, 1)
    assert.equal(c.killed, true)
    // A real SIGKILL of the worker's process, and a new process on the same dir and keys.
    assert.equal(c.how, 'SIGKILL')
    assert.ok(c.pidBefore !== null && c.pidAfter !== null && c.pidAfter !== c.pidBefore)
    assert.equal(c.restartedPeerId, c.peerId)
    assert.ok(c.addrsAfter.length > 0 && c.addrsAfter.every((a) => !c.addrsBefore.includes(a)), 'restarted on a new port')
    assert.deepEqual(c.unfinishedAtRestart.map((u) => u.state), ['training'])
    assert.equal(c.resumed, true)
    assert.ok(c.reconnects >= 1)
    // Resumed from checkpoint 1: each segment trained and announced once.
    assert.deepEqual(c.checkpointsSeen, [1, 2, 3])
    assert.equal(c.firstCheckpointAfterRestart, 2)
    assert.equal(c.finalWeightsHash, job!.training.finalWeightsHash)
    assert.equal(c.finalWeightsHash, c.referenceWeightsHash)
    // Paid 90/10 like an honest job.
    const amount = BigInt(job!.amount)
    const split = settlementSplit(amount, 'Bronze')
    assert.equal(delta(r, 'client'), -amount)
    assert.equal(delta(r, job!.workerName), split.worker)
    assert.equal(delta(r, 'platform'), split.platform)
    assert.equal(delta(r, 'stake'), 0n)
    // The same seed without the crash (and in one process): the same worker, the same final weights.
    const honest = sim('--scenario', 'honest', '--dataset', 'spirals', '--workers', '2', '--epochs', '3', '--seed', '5', '--in-process')
    assert.equal(honest.status, 0, honest.stderr.slice(-2000))
    assert.equal(honest.report.jobs[0]!.worker, job!.worker)
    assert.equal(honest.report.jobs[0]!.training.finalWeightsHash, c.finalWeightsHash)
  })

  it('refuses a crash run too short to be killed half-way', () => {
    const r = spawnSync(process.execPath, ['peer/cli/cyx.mjs', 'sim', '--scenario', 'crash', '--epochs', '1'], { encoding: 'utf8', ...SIM_KILL_AFTER })
    assert.equal(r.status, 2)
    assert.match(r.stderr, /--scenario crash needs --epochs 2 or more/)
  })

  it('refuses an unknown scenario with exit code 2', () => {
    const r = spawnSync(process.execPath, ['peer/cli/cyx.mjs', 'sim', '--scenario', 'nap'], { encoding: 'utf8' })
    assert.equal(r.status, 2)
    assert.match(r.stderr, /--scenario must be one of honest, timeout, cheat, dispute, crash/)
  })
})
