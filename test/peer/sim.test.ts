/** `cyx sim` (the single-process preview) as a user runs it, asserting on its JSON. */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { settlementSplit } from '../../protocols/index.js'

describe('cyx sim --json (preview)', function () {
  this.timeout(120_000)

  it('trains, spot-checks and pays a job; balances reconcile and the supply is conserved', () => {
    const r = spawnSync(process.execPath, ['peer/cli/cyx.mjs', 'sim', '--epochs', '2', '--seed', '11', '--json'], { encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
    const report = JSON.parse(r.stdout)
    assert.equal(report.ok, true)
    assert.equal(report.supplyConserved, true)
    const [job] = report.jobs
    assert.equal(job.state, 'completed')
    assert.equal(job.training.epochs, 2)
    assert.ok(job.training.testAccuracy > 0.7, `accuracy ${job.training.testAccuracy}`)
    assert.equal(job.proof.spotChecks.passed, job.proof.spotChecks.total)
    const split = settlementSplit(BigInt(job.amount), 'Bronze')
    assert.equal(BigInt(job.settlement.worker), split.worker)
    assert.equal(BigInt(job.settlement.platform), split.platform)
    assert.equal(BigInt(report.balances.client.before) - BigInt(report.balances.client.after), BigInt(job.amount))
    assert.deepEqual(report.chain.transactions.map((t: { step: string }) => t.step), ['initialize_config', 'register_node', 'create_escrow', 'complete'])
  })

  it('is reproducible with --seed', () => {
    const run = (): any => JSON.parse(spawnSync(process.execPath, ['peer/cli/cyx.mjs', 'sim', '--epochs', '1', '--seed', '5', '--json'], { encoding: 'utf8' }).stdout)
    const a = run()
    const b = run()
    assert.equal(a.jobs[0].training.finalWeightsHash, b.jobs[0].training.finalWeightsHash)
    assert.equal(a.jobs[0].worker, b.jobs[0].worker)
  })

  it('refuses bad arguments with exit code 2', () => {
    const r = spawnSync(process.execPath, ['peer/cli/cyx.mjs', 'sim', '--epochs', 'many'], { encoding: 'utf8' })
    assert.equal(r.status, 2)
    assert.match(r.stderr, /--epochs must be a whole number/)
  })
})
