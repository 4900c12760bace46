/**
 * The sim's human summary (peer/sim/report.ts) from a stubbed report: each job, the chain, only
 * the balances that moved, the supply, then every check marked.
 */
import assert from 'node:assert/strict'
import { summaryLines, type JobReport } from '../../../peer/sim/report.js'

const job: JobReport = {
  id: 'ab', name: 'spirals', tier: 'optimistic', state: 'completed', escrowState: 'completed', worker: 'W', workerName: 'worker-2', amount: '2000000000',
  bids: [{ peer: 'worker-2', price: '2000000000' }, { peer: 'worker-1', price: '3000000000' }],
  settlement: { worker: '1800000000', platform: '200000000', refund: '0' },
  training: { epochs: 3, checkpoints: 3, testAccuracy: 0.9876, finalWeightsHash: 'f'.repeat(64) },
  proof: { merkleRoot: null, anchoredRoot: null, evidenceCid: 'bafyx', keptBeforeDelivery: 2, spotChecks: { passed: 2, total: 2, reasons: [] }, zk: null },
  settledBy: 'complete',
  error: null
}

describe('sim report', () => {
  it('summarises each job, the chain, the balances that moved, the supply and the checks', () => {
    const lines = summaryLines({
      jobs: [job],
      balances: { client: { before: '100000000000', after: '98000000000', expected: '98000000000' }, 'worker-1': { before: '0', after: '0', expected: '0' } },
      supply: { before: '1000', after: '990', burnedBefore: '0', burnedAfter: '10' },
      supplyConserved: true,
      checks: [{ name: 'the job completed and was paid', ok: true }, { name: 'every balance reconciles to the base unit', ok: false }],
      chain: { transactions: { count: 12, failed: 1, computeUnits: 345 } }
    })
    assert.deepEqual(lines, [
      'summary',
      '  spirals (optimistic): worker-2 won at 2 CYXWIZ (2 eligible bids); 3 epochs (3 checkpoints), test accuracy 98.76 %',
      `    weights ${'f'.repeat(16)}…, evidence bafyx, anchored root —, spot checks 2/2`,
      '    settled: complete (escrow completed); worker +1.8, platform +0.2, refund 0',
      '  chain: 12 transactions (1 failed), 345 compute units',
      '  client: 100 → 98 CYXWIZ (-2)',
      '  token supply 0.00000099 + burned 0.00000001: conserved',
      '  ✓ the job completed and was paid',
      '  ✗ every balance reconciles to the base unit'
    ])
  })
})
