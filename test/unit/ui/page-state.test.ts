/**
 * The page's pure parts: token amounts shown exactly (the rule of protocols' formatTokens, on
 * amounts no float holds), and the state folded from the feed (a job's timeline and badge, one
 * curve point per epoch even when a resumed epoch is reported again).
 */
import assert from 'node:assert/strict'
import { formatTokens } from '../../../protocols/index.js'
import { formatUnits } from '../../../peer/ui/page/format.js'
import { apply, emptyState, jobStatus, timelineStep } from '../../../peer/ui/page/state.js'
import type { UiEvent } from '../../../peer/ui/index.js'

describe('ui page: amounts and state', function () {
  it('shows base units as exact decimals, as formatTokens does', function () {
    const table = ['0', '1', '900000000', '1000000000', '99000000000', '123456789012345678901', '-100000000', '18446744073709551615', '000120']
    for (const u of table) assert.equal(formatUnits(u, 9), formatTokens(BigInt(u)), u)
    assert.equal(formatUnits('1.5', 9), '?')
    assert.equal(formatUnits('12', 0), '12')
  })

  it('folds a job\'s events: its timeline, one point per epoch, paid only by its escrow', function () {
    const s = emptyState()
    const ev = (e: UiEvent): void => { apply(s, e) }
    ev({ type: 'submit', job: 'j', datasetId: 'spirals', tier: 'optimistic', epochs: 2, maxPrice: '10000000000', via: 'run' })
    ev({ type: 'job', job: 'j', event: { type: 'state', state: 'announced', jobId: 'ab' } })
    assert.equal(timelineStep(s.jobs.get('j')!), 'announced')
    ev({ type: 'job', job: 'j', event: { type: 'bid', from: 'p1', price: '1000000000', etaSeconds: 60 } })
    ev({ type: 'job', job: 'j', event: { type: 'award', worker: 'p1', price: '1000000000', escrow: 'E' } })
    ev({ type: 'job', job: 'j', event: { type: 'state', state: 'escrowed', jobId: 'ab' } })
    ev({ type: 'job', job: 'j', event: { type: 'state', state: 'running', jobId: 'ab' } })
    for (const epoch of [0, 1, 1, 2]) ev({ type: 'job', job: 'j', event: { type: 'metrics', metrics: { epoch, totalEpochs: 2, step: 0, loss: 1 / (epoch + 1), trainAccuracy: 0.5, testAccuracy: 0.5, timestamp: '0' } } })
    const j = s.jobs.get('j')!
    assert.deepEqual(j.metrics.map((m) => m.epoch), [1, 2])
    assert.equal(jobStatus(j), 'training')
    ev({ type: 'job', job: 'j', event: { type: 'state', state: 'verified', jobId: 'ab' } })
    assert.equal(jobStatus(j), 'verified')
    ev({ type: 'escrow', job: 'j', address: 'E', state: 'completed', amount: '1000000000', worker: 'worker-1', epochsDone: 2, epochsTotal: 2, anchoredRoot: 'ff' })
    assert.equal(jobStatus(j), 'paid')
    ev({ type: 'escrow', job: 'j', address: 'E', state: 'resolvedForClient', amount: '1000000000', worker: 'worker-1', epochsDone: 2, epochsTotal: 2, anchoredRoot: 'ff' })
    assert.equal(jobStatus(j), 'refunded')
  })

  it('keeps a worker\'s reason for not bidding, by job id', function () {
    const s = emptyState()
    apply(s, { type: 'peer', name: 'worker-1', role: 'worker', peerId: 'P', addrs: [], wallet: 'W', pid: 1, pricePerHour: '1', capacity: 1 })
    apply(s, { type: 'worker', name: 'worker-1', event: { type: 'bid-decision', jobId: 'ab', decision: { bid: false, reason: 'price above the job\'s maximum' } } })
    assert.deepEqual(s.workerJobs.get('worker-1')?.get('ab')?.decision, { bid: false, reason: 'price above the job\'s maximum' })
    assert.equal(s.names.get('P'), 'worker-1')
  })
})
