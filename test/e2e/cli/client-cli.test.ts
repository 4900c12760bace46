/**
 * `cyx client submit`'s and `resume`'s arguments (peer/cli/commands/client.ts): `--failover` turns
 * the client role's failover on (`Client.start`'s `failover: true`, as `cyx sim --scenario failover`
 * sets it), off by default, and the failover events reach `--json`. The flow itself (a worker killed,
 * the checkpoint spot-checked, `hand_over`, the re-auction) is test/e2e/sim/sim-failover.test.ts's.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { UsageError } from '../../../peer/cli/command.js'
import { clientStartOptions, describeEvent, parseSubmit } from '../../../peer/cli/commands/client.js'
import { jsonLine } from '../../../peer/cli/commands/peer-common.js'

function cyx (...args: string[]): { code: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, ['peer/cli/cyx.mjs', ...args], { encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const JOB = ['--dataset', 'spirals', '--epochs', '4', '--max-price', '2']

describe('cyx client submit --failover', () => {
  it('is off by default and reaches the client role as failover: true when given', async () => {
    const off = await parseSubmit(JOB)
    assert.deepEqual(off.client, { settle: 'complete', failover: false })
    assert.deepEqual(clientStartOptions(off.client), { settle: 'complete' }, 'no failover key at all: the role\'s default (off)')
    const on = await parseSubmit([...JOB, '--failover', '--settle', 'window'])
    assert.deepEqual(on.client, { settle: 'window', failover: true })
    assert.deepEqual(clientStartOptions(on.client), { settle: 'window', failover: true })
    // The job request is the same with or without it.
    assert.deepEqual(on.request, off.request)
    assert.equal(on.request.tier, 'optimistic')
    assert.equal(on.request.epochs, 4)
  })

  it('refuses --failover on the zk tier and a value given to it', async () => {
    await assert.rejects(parseSubmit(['--dataset', 'mnist-4x4', '--epochs', '1', '--max-price', '2', '--failover']), (e: unknown) => e instanceof UsageError && /--failover is for the optimistic tier/.test(e.message))
    await assert.rejects(parseSubmit([...JOB, '--failover=yes']), (e: unknown) => e instanceof UsageError && /--failover/.test(e.message))
    // The job's own checks still come first and are unchanged.
    await assert.rejects(parseSubmit(['--dataset', 'spirals', '--epochs', '2', '--failover']), (e: unknown) => e instanceof UsageError && /--max-price is required/.test(e.message))
  })

  it('--json carries the failover events\' facts, amounts as base-unit strings', () => {
    const stalled = describeEvent({ type: 'stalled', worker: 'peerA', kept: 2, checkpointPassed: true, verifiedEpochs: 2, remaining: 1_000_000n })
    assert.ok(stalled !== undefined)
    assert.deepEqual(JSON.parse(jsonLine({ event: 'stalled', ...stalled.fields })), { event: 'stalled', worker: 'peerA', kept: 2, checkpointPassed: true, verifiedEpochs: 2, remaining: '1000000' })
    assert.match(stalled.text, /peerA stalled past the no-progress timeout.*2 epochs verified/)
    const handed = describeEvent({ type: 'handed-over', from: 'peerA', to: 'peerB', verifiedEpochs: 2, firstWorker: 450n, platform: 50n, remaining: 500n, signature: 'sig' })
    assert.ok(handed !== undefined)
    assert.deepEqual(JSON.parse(jsonLine({ event: 'handed-over', ...handed.fields })), { event: 'handed-over', from: 'peerA', to: 'peerB', verifiedEpochs: 2, firstWorker: '450', platform: '50', remaining: '500', signature: 'sig' })
    assert.match(handed.text, /peerB continues from epoch 2/)
    // Events the CLI never showed stay hidden.
    assert.equal(describeEvent({ type: 'checkpoint', checkpoint: {} as never }), undefined)
  })

  it('the process: --help says what it does, a zk job with it is a usage error (exit 2), resume takes it', () => {
    const help = cyx('client', '--help').stdout
    assert.match(help, /--failover +optimistic tier \(off by default\): when the worker's session is gone and it\n +stalled past the escrow's no-progress timeout/)
    assert.match(help, /hand the escrow over on-chain/)
    assert.match(help, /re-auction the rest/)
    const zk = cyx('client', 'submit', '--dataset', 'mnist-4x4', '--epochs', '1', '--max-price', '1', '--failover')
    assert.equal(zk.code, 2)
    assert.match(zk.stderr, /--failover is for the optimistic tier/)
    // resume knows the flag: the next complaint is about the JOB, not an unknown option.
    const r = cyx('client', 'resume', 'not-a-job', '--failover')
    assert.equal(r.code, 2)
    assert.match(r.stderr, /JOB must be a job id/)
  })
})
