/**
 * A client job's progress as text (peer/roles/client/progress.ts): the one function `cyx client`
 * and `cyx sim` render it with, the CLI naming peers by id and amounts in base units, the sim by
 * its peers' names and in CYXWIZ.
 */
import assert from 'node:assert/strict'
import { formatTokens } from '../../../protocols/index.js'
import { progressText, type ClientJobEvent } from '../../../peer/roles/index.js'
import { describeEvent } from '../../../peer/cli/commands/client.js'

const sim = { peer: (id: string) => ({ peerA: 'worker-1', peerB: 'worker-2' } as Record<string, string>)[id] ?? id, amount: (u: bigint) => `${formatTokens(u)} CYXWIZ` }
const spot = (passed: boolean, verdict?: string): ClientJobEvent => ({ type: 'spot-check', report: { passed, verdict, segments: [1, 3], reasons: ['segment 3 does not replay'] } as never })

describe('client progress text', () => {
  it('names peers and amounts as the caller styles them, by default peer ids and base units', () => {
    const bid: ClientJobEvent = { type: 'bid', from: 'peerA', price: 1_500_000_000n, etaSeconds: 60 }
    assert.equal(progressText(bid), 'bid from peerA: 1500000000 base units, ETA 60 s')
    assert.equal(progressText(bid, sim), 'bid from worker-1: 1.5 CYXWIZ, ETA 60 s')
    const award: ClientJobEvent = { type: 'award', worker: 'peerB', price: 2_000_000_000n, escrow: 'Esc' }
    assert.equal(progressText(award, sim), 'award → worker-2 at 2 CYXWIZ, escrow Esc')
    const handed: ClientJobEvent = { type: 'handed-over', from: 'peerA', to: 'peerB', verifiedEpochs: 2, firstWorker: 450n, platform: 50n, remaining: 500n, signature: 'sig' }
    assert.equal(progressText(handed), 'escrow handed over (hand_over sig): peerA paid 450 base units (platform 50 base units) for 2 epochs and slashed; peerB continues from epoch 2 for 500 base units')
  })

  it('says nothing of the epoch-0 metrics; the CLI further hides checkpoint notices, the sim shows them', () => {
    const metrics = (epoch: number): ClientJobEvent => ({ type: 'metrics', metrics: { epoch, totalEpochs: 4, loss: 0.12345, testAccuracy: 0.9251 } as never })
    assert.equal(progressText(metrics(0)), undefined)
    assert.equal(progressText(metrics(2)), 'epoch 2/4: loss 0.1235, test accuracy 92.51 %')
    const checkpoint: ClientJobEvent = { type: 'checkpoint', checkpoint: { epoch: 3, chainHash: new Uint8Array(32).fill(0xab) } as never }
    assert.equal(progressText(checkpoint), 'checkpoint 3 announced (chain abababababab…)')
    assert.equal(describeEvent(checkpoint), undefined)
    assert.equal(describeEvent(metrics(0)), undefined)
  })

  it('gives the CLI the same words as the sim, its JSON fields beside them', () => {
    const events: ClientJobEvent[] = [
      { type: 'state', state: 'announced', jobId: 'j1' },
      { type: 'state', state: 'running', jobId: 'j1' },
      { type: 'workers', found: 3 },
      { type: 'reconnecting', attempt: 2, error: 'reset' },
      { type: 'weights', bytes: 2048, ms: 12 },
      { type: 'evidence', cid: 'bafy', blocks: 4, bytes: 1024, ms: 30 },
      spot(true), spot(false), spot(false, 'unavailable')
    ]
    for (const e of events) assert.equal(describeEvent(e)?.text, progressText(e))
    assert.deepEqual(events.map((e) => progressText(e)), [
      'job j1 announced',
      'job running',
      '3 worker adverts found in the DHT',
      'session lost (reset); reconnecting, attempt 2',
      'weights received (2048 bytes in 12 ms)',
      'evidence bafy: 4 blocks, 1024 bytes over bitswap in 30 ms',
      'spot checks passed (segments 1, 3)',
      'spot checks FAILED (segments 1, 3): segment 3 does not replay',
      'the evidence is UNAVAILABLE (not a verdict on the work): segment 3 does not replay'
    ])
    assert.deepEqual(describeEvent({ type: 'workers', found: 3 })?.fields, { found: 3 })
  })
})
