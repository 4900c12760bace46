/**
 * The page's after-the-fact actions, parsed at the server's boundary (peer/ui/actions.ts), which
 * actions the page offers for a job (page/state.ts `jobActions`), and a worker's control file
 * (peer/roles/worker/control.ts): tables of what is accepted and what is refused, with the message.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parsePageAction } from '../../../peer/ui/actions.js'
import { ActionError } from '../../../peer/ui/server.js'
import { apply, emptyState, jobActions } from '../../../peer/ui/page/state.js'
import type { UiEvent } from '../../../peer/ui/index.js'
import { WORKER_CONTROL_FILE, WorkerControlError, parseWorkerControl, readWorkerControl, updateWorkerControl, writeWorkerControl } from '../../../peer/roles/index.js'

const JOB = 'ab'.repeat(32)

describe('unit: the page\'s actions', () => {
  const accepted: Array<[string, unknown, unknown]> = [
    ['cancel', { job: JOB }, { kind: 'cancel', jobId: JOB }],
    ['dispute', { job: JOB }, { kind: 'dispute', jobId: JOB }],
    ['rate', { job: JOB, stars: 5 }, { kind: 'rate', jobId: JOB, stars: 5 }],
    ['rate', { job: JOB, stars: '1' }, { kind: 'rate', jobId: JOB, stars: 1 }],
    ['pause', { paused: true }, { kind: 'control', paused: true }],
    ['pause', { paused: false, worker: 'w1' }, { kind: 'control', worker: 'w1', paused: false }],
    ['price', { price: '80' }, { kind: 'control', pricePerHour: 80_000_000_000n }],
    ['price', { price: '0.000000001', worker: 'w2' }, { kind: 'control', worker: 'w2', pricePerHour: 1n }]
  ]
  for (const [name, body, want] of accepted) {
    it(`accepts ${name} ${JSON.stringify(body)}`, () => { assert.deepEqual(parsePageAction(name, body), want) })
  }

  const refused: Array<[string, unknown, RegExp]> = [
    ['cancel', null, /JSON object/],
    ['cancel', [JOB], /JSON object/],
    ['cancel', {}, /64 hexadecimal/],
    ['cancel', { job: JOB.toUpperCase() }, /64 hexadecimal/],
    ['dispute', { job: `${JOB}00` }, /64 hexadecimal/],
    ['rate', { job: JOB, stars: 0 }, /1\.\.5/],
    ['rate', { job: JOB, stars: 6 }, /1\.\.5/],
    ['rate', { job: JOB, stars: 4.5 }, /1\.\.5/],
    ['rate', { job: JOB }, /1\.\.5/],
    ['pause', { paused: 'yes' }, /true .* or false/],
    ['pause', { paused: true, worker: 'W1; rm' }, /worker's name/],
    ['price', { price: 80 }, /decimal string/],
    ['price', { price: '-1' }, /not a token amount/],
    ['price', { price: '1.0000000001' }, /at most 9 decimals/],
    ['price', { price: '1e3' }, /not a token amount/],
    ['submit', {}, /unknown action/]
  ]
  for (const [name, body, why] of refused) {
    it(`refuses ${name} ${JSON.stringify(body)}`, () => {
      assert.throws(() => parsePageAction(name, body), (e: unknown) => e instanceof ActionError && why.test(e.message))
    })
  }

  it('offers for a job only what could succeed: cancel before delivery, dispute in the window, rate once completed', () => {
    const s = emptyState()
    const ev = (e: UiEvent): void => { apply(s, e) }
    const escrow = (state: string): void => { ev({ type: 'escrow', job: 'j', address: 'E', state, amount: '1', worker: 'W', epochsDone: 0, epochsTotal: 2, anchoredRoot: null }) }
    ev({ type: 'submit', job: 'j', datasetId: 'spirals', tier: 'optimistic', epochs: 2, maxPrice: '1', via: 'run' })
    const j = s.jobs.get('j')!
    assert.deepEqual(jobActions(j), [], 'no job id, no escrow yet')
    ev({ type: 'job', job: 'j', event: { type: 'state', state: 'escrowed', jobId: JOB } })
    assert.deepEqual(jobActions(j), [], 'no escrow read yet')
    escrow('funded')
    assert.deepEqual(jobActions(j), ['cancel'])
    ev({ type: 'job', job: 'j', event: { type: 'state', state: 'delivered', jobId: JOB } })
    assert.deepEqual(jobActions(j), ['dispute'])
    escrow('completed')
    assert.deepEqual(jobActions(j), ['rate'])
    escrow('disputed')
    assert.deepEqual(jobActions(j), [])
    const zk = emptyState()
    apply(zk, { type: 'submit', job: 'z', datasetId: 'mnist-4x4', tier: 'zk', epochs: 1, maxPrice: '1', via: 'run' })
    apply(zk, { type: 'job', job: 'z', event: { type: 'state', state: 'delivered', jobId: JOB } })
    apply(zk, { type: 'escrow', job: 'z', address: 'E', state: 'funded', amount: '1', worker: 'W', epochsDone: 1, epochsTotal: 1, anchoredRoot: null })
    assert.deepEqual(jobActions(zk.jobs.get('z')!), [], 'a zk job is settled by its proof: nothing to dispute')
  })

  it('a worker\'s control event updates its row: paused, its new price', () => {
    const s = emptyState()
    apply(s, { type: 'peer', name: 'w1', role: 'worker', peerId: 'P', addrs: [], wallet: 'W', pid: 1, pricePerHour: '100', capacity: 1 })
    apply(s, { type: 'worker', name: 'w1', event: { type: 'control', paused: true, pricePerHour: '80' } })
    assert.equal(s.peers.get('w1')?.paused, true)
    assert.equal(s.peers.get('w1')?.pricePerHour, '80')
  })
})

describe('unit: a worker\'s control file', () => {
  let dir: string
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'cyx-control-')) })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  it('parses exactly its two fields', () => {
    assert.deepEqual(parseWorkerControl('{"paused":true,"pricePerHour":"5"}'), { paused: true, pricePerHour: 5n })
    const refused: Array<[string, RegExp]> = [
      ['', /not JSON/], ['[]', /one JSON object/], ['{"paused":1,"pricePerHour":"5"}', /"paused"/],
      ['{"paused":false,"pricePerHour":5}', /decimal string/], ['{"paused":false,"pricePerHour":"-5"}', /decimal string/],
      ['{"paused":false,"pricePerHour":"18446744073709551616"}', /0\.\.18446744073709551615/],
      ['{"paused":false,"pricePerHour":"5","extra":1}', /unknown field/], [' '.repeat(5000), /over 4096 bytes/]
    ]
    for (const [text, why] of refused) assert.throws(() => parseWorkerControl(text), (e: unknown) => e instanceof WorkerControlError && why.test(e.message), text.slice(0, 40))
  })

  it('is changed only where a worker ran, a field at a time, atomically', async () => {
    await assert.rejects(updateWorkerControl(dir, { paused: true }), /no worker has run on .*start `cyx worker --dir/)
    assert.equal(await readWorkerControl(dir), undefined)
    await writeWorkerControl(dir, { paused: false, pricePerHour: 100n })
    assert.deepEqual(await updateWorkerControl(dir, { paused: true }), { paused: true, pricePerHour: 100n })
    assert.deepEqual(await updateWorkerControl(dir, { pricePerHour: 7n }), { paused: true, pricePerHour: 7n })
    assert.equal(await readFile(join(dir, WORKER_CONTROL_FILE), 'utf8'), '{"paused":true,"pricePerHour":"7"}\n')
    await writeFile(join(dir, WORKER_CONTROL_FILE), '{"paused":"no"}')
    await assert.rejects(readWorkerControl(dir), /"paused" must be true or false/)
  })
})
