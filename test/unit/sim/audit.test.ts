/**
 * The sim's audit, on stubbed balances (peer/sim/audit.ts): the expected balances are the snapshot
 * moved by the rules' deltas, they reconcile only to the base unit, and the supply is conserved
 * exactly when tokens only moved between the supply and what was burned.
 */
import assert from 'node:assert/strict'
import { UNITS_PER_TOKEN as T, settlementSplit } from '../../../protocols/index.js'
import { expectBalances, ledgerChecks, paidJobDeltas, reconcile, supplyConserved } from '../../../peer/sim/audit.js'

const before = { client: 100n * T, 'worker-1': 0n, 'worker-2': 0n, platform: 0n, insurance: 0n, stake: 100n * T }

describe('sim audit', () => {
  it('expects the snapshot moved by the deltas, and refuses a delta for a balance it never read', () => {
    const expected = expectBalances(before, [['client', -2n * T], ['worker-1', 18n * T / 10n], ['platform', 2n * T / 10n], ['client', 1n]])
    assert.equal(expected.client, 98n * T + 1n)
    assert.equal(expected['worker-1'], 1_800_000_000n)
    assert.equal(expected.platform, 200_000_000n)
    assert.equal(expected.stake, before.stake)
    assert.equal(before.client, 100n * T, 'the snapshot itself is left as it was')
    assert.throws(() => expectBalances(before, [['worker-9', 1n]]), /no balance named worker-9/)
  })

  it('pays every further job 90/10 by its winner\'s tier, the client paying each in full', () => {
    const jobs = [{ amount: 2n * T, winnerName: 'worker-1', tier: 'Bronze' as const }, { amount: 3n * T + 7n, winnerName: 'worker-2', tier: 'Diamond' as const }]
    const deltas = paidJobDeltas(jobs)
    const sum = (who: string): bigint => deltas.filter(([k]) => k === who).reduce((s, [, v]) => s + v, 0n)
    assert.equal(sum('client'), -(5n * T + 7n))
    assert.equal(sum('worker-1'), settlementSplit(2n * T, 'Bronze').worker)
    assert.equal(sum('worker-2'), settlementSplit(3n * T + 7n, 'Diamond').worker)
    assert.equal(sum('platform'), settlementSplit(2n * T, 'Bronze').platform + settlementSplit(3n * T + 7n, 'Diamond').platform)
    assert.equal(deltas.reduce((s, [, v]) => s + v, 0n), 0n, 'money only moves')
    assert.deepEqual(paidJobDeltas([]), [])
  })

  it('reconciles to the base unit and reports every balance as strings', () => {
    const expected = expectBalances(before, [['client', -2n * T], ['worker-1', 2n * T]])
    const exact = reconcile(before, expected, expected)
    assert.equal(exact.reconciles, true)
    assert.deepEqual(exact.balances.client, { before: String(100n * T), after: String(98n * T), expected: String(98n * T) })
    assert.deepEqual(Object.keys(exact.balances), Object.keys(before))
    const offByOne = reconcile(before, { ...expected, 'worker-1': 2n * T - 1n }, expected)
    assert.equal(offByOne.reconciles, false)
    assert.equal(offByOne.balances['worker-1']?.after, String(2n * T - 1n))
  })

  it('conserves the supply when a burn moves tokens out of it, and only then', () => {
    assert.equal(supplyConserved({ supply: 1_000n, burned: 0n }, { supply: 990n, burned: 10n }), true)
    assert.equal(supplyConserved({ supply: 1_000n, burned: 5n }, { supply: 1_000n, burned: 5n }), true)
    assert.equal(supplyConserved({ supply: 1_000n, burned: 0n }, { supply: 1_001n, burned: 0n }), false)
    assert.equal(supplyConserved({ supply: 1_000n, burned: 0n }, { supply: 1_000n, burned: 1n }), false)
  })

  it('ends every run with the vaults, the reconciliation and the supply as checks', () => {
    assert.deepEqual(ledgerChecks({ escrowVaultsAfter: [0n], reconciles: true, supplyConserved: true }), [
      { name: 'the escrow vault is empty', ok: true },
      { name: 'every balance reconciles to the base unit', ok: true },
      { name: 'the token supply (burned included) is conserved', ok: true }
    ])
    const three = ledgerChecks({ escrowVaultsAfter: [0n, 1n, 0n], reconciles: false, supplyConserved: true })
    assert.deepEqual(three.map((c) => [c.name, c.ok]), [['every escrow vault is empty', false], ['every balance reconciles to the base unit', false], ['the token supply (burned included) is conserved', true]])
  })
})
