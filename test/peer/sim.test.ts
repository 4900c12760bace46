/** `cyx sim` as a user runs it (a separate process), asserting on its JSON. */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { settlementSplit } from '../../protocols/index.js'

function sim (...args: string[]): { status: number | null, stdout: string, stderr: string } {
  return spawnSync(process.execPath, ['peer/cli/cyx.mjs', 'sim', ...args], { encoding: 'utf8' })
}

describe('cyx sim --json', function () {
  this.timeout(180_000)

  it('auctions, trains, spot-checks and pays a job; balances reconcile and the supply is conserved', () => {
    const r = sim('--workers', '3', '--epochs', '2', '--seed', '11', '--json')
    assert.equal(r.status, 0, r.stderr)
    const report = JSON.parse(r.stdout)
    assert.equal(report.ok, true)
    assert.equal(report.supplyConserved, true)
    const [job] = report.jobs
    assert.equal(job.state, 'completed')
    assert.equal(job.bids.length, 3)
    // The award went to the cheapest bid (equal reputation and ETA).
    assert.equal(job.amount, job.bids[0].price)
    assert.ok(job.bids.every((b: { price: string }) => BigInt(b.price) >= BigInt(job.amount)))
    assert.equal(job.training.epochs, 2)
    assert.ok(job.training.testAccuracy > 0.6, `accuracy ${job.training.testAccuracy}`)
    assert.equal(job.proof.spotChecks.passed, job.proof.spotChecks.total)
    assert.ok(job.proof.spotChecks.total > 0)
    assert.match(job.proof.evidenceCid, /^b[a-z2-7]+$/)
    const split = settlementSplit(BigInt(job.amount), 'Bronze')
    assert.equal(BigInt(job.settlement.worker), split.worker)
    assert.equal(BigInt(job.settlement.platform), split.platform)
    assert.equal(BigInt(report.balances.client.before) - BigInt(report.balances.client.after), BigInt(job.amount))
    assert.equal(report.balances.stake.before, report.balances.stake.after)
  })

  it('is reproducible with --seed (keys, data order, weights)', () => {
    const a = JSON.parse(sim('--workers', '1', '--epochs', '1', '--seed', '5', '--json').stdout)
    const b = JSON.parse(sim('--workers', '1', '--epochs', '1', '--seed', '5', '--json').stdout)
    assert.equal(a.jobs[0].training.finalWeightsHash, b.jobs[0].training.finalWeightsHash)
    assert.equal(a.jobs[0].worker, b.jobs[0].worker)
  })

  it('refuses bad arguments with exit code 2', () => {
    const r = sim('--workers', '0')
    assert.equal(r.status, 2)
    assert.match(r.stderr, /--workers must be a whole number 1\.\.20/)
  })
})
