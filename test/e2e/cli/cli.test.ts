/** The `cyx` binary as a user runs it: a separate process through peer/cli/cyx.mjs. */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { PARAMS, UNITS_PER_TOKEN } from '../../../protocols/index.js'
import { ZK_MAX_EPOCHS } from '../../../peer/roles/index.js'

function cyx (...args: string[]): { code: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, ['peer/cli/cyx.mjs', ...args], { encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('cyx (process)', () => {
  it('--help lists the commands that exist', () => {
    const r = cyx('--help')
    assert.equal(r.code, 0)
    assert.match(r.stdout, /Usage: cyx <command>/)
    assert.match(r.stdout, /params/)
  })

  it('params --json prints every parameter, amounts as base-unit strings', () => {
    const r = cyx('params', '--json')
    assert.equal(r.code, 0, r.stderr)
    const p = JSON.parse(r.stdout) as Record<string, any>
    assert.deepEqual(Object.keys(p).sort(), Object.keys(PARAMS).sort())
    assert.equal(p.token.totalSupply, (1_000_000_000n * UNITS_PER_TOKEN).toString())
    assert.equal(p.settlement.platformFeeBps, 1000)
    assert.equal(p.stakeTiers[3].minStake, (5000n * UNITS_PER_TOKEN).toString())
    assert.equal(p.stakeTiers[3].maxJobAmount, null)
    assert.equal(p.dispute.disputeBond, (100n * UNITS_PER_TOKEN).toString())
    assert.equal(p.dispute.jurySize, 7)
    assert.equal(p.dispute.maxJuryRounds, 4)
  })

  it('params prints a readable table', () => {
    const r = cyx('params')
    assert.equal(r.code, 0)
    assert.match(r.stdout, /stakeTiers\[2\]\.minStake\s+1000 CYXWIZ/)
    assert.match(r.stdout, /pricing\.computePerHour\.cpu\s+0\.5 CYXWIZ/)
  })

  it('refuses unknown commands and options with exit code 2 and says what to do', () => {
    const a = cyx('frobnicate')
    assert.equal(a.code, 2)
    assert.match(a.stderr, /unknown command "frobnicate"/)
    const b = cyx('params', '--bogus')
    assert.equal(b.code, 2)
    assert.match(b.stderr, /Unknown option '--bogus'/)
    assert.match(b.stderr, /Usage: cyx params/)
  })

  it('checks the new verbs\' and flags\' arguments before doing anything', () => {
    const w = cyx('worker', '--capacity', '0')
    assert.equal(w.code, 2)
    assert.match(w.stderr, /--capacity must be a whole number 1\.\.16/)
    const t = cyx('client', 'submit', '--dataset', 'spirals', '--tier', 'zk', '--epochs', '3', '--max-price', '1')
    assert.equal(t.code, 2)
    assert.match(t.stderr, /use --dataset mnist-4x4/)
    const z = cyx('client', 'submit', '--dataset', 'mnist-4x4', '--epochs', '5', '--max-price', '1')
    assert.equal(z.code, 2)
    assert.match(z.stderr, /--epochs must be a whole number 1\.\.4 for the zk tier/)
    assert.match(z.stderr, new RegExp(`1\\.\\.${ZK_MAX_EPOCHS} for the zk tier`))
    // The help (which loads no roles) states the roles' bound.
    assert.match(cyx('client', '--help').stdout, new RegExp(`zk tier: 1\\.\\.${ZK_MAX_EPOCHS} `))
    // The worker's juror duty is on by default and documented with its opt-out.
    const wh = cyx('worker', '--help').stdout
    assert.match(wh, /--no-juror +never sit on a dispute jury/)
    assert.match(wh, /As a staked node it is also a juror/)
    const r = cyx('client', 'resume', 'not-a-job')
    assert.equal(r.code, 2)
    assert.match(r.stderr, /JOB must be a job id/)
    const f = cyx('client', 'refund')
    assert.equal(f.code, 2)
    const s = cyx('sim', '--tier', 'zk', '--dataset', 'mnist')
    assert.equal(s.code, 2)
    assert.match(s.stderr, /the zk tier trains on data in the step circuit's shape: mnist-4x4/)
  })
})
