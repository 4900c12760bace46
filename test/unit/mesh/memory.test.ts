/**
 * What a peer remembers about others is bounded and ages (issue 15 finding 12): the misbehaviour
 * ledger's scores recover and its records are capped; the per-wallet announce rate windows are
 * pruned. Pure, with a manual clock.
 */
import assert from 'node:assert/strict'
import { ESCROW, PEER_MEMORY } from '../../../protocols/index.js'
import { BAN_SCORE, MisbehaviourLedger, pruneRateWindows } from '../../../peer/node/index.js'

const HOUR = 3_600_000

describe('unit: misbehaviour ledger ages and is bounded (finding 12)', () => {
  it('a score recovers whole points by the hour, and the record is forgotten at 0', () => {
    const clock = { ms: 0 }
    const ledger = new MisbehaviourLedger(undefined, () => clock.ms, { recoveryPointsPerHour: 4, maxRecords: 10 })
    assert.equal(ledger.record('p', 'STALE'), -5)
    clock.ms = HOUR / 4 - 1
    assert.equal(ledger.score('p'), -5, 'no partial points')
    clock.ms = HOUR / 4
    assert.equal(ledger.score('p'), -4)
    clock.ms = 2 * HOUR
    assert.equal(ledger.score('p'), 0)
    assert.equal(ledger.size, 0, 'forgotten')
  })

  it('a ban lasts until the score has recovered to 0: about a day at the default rate', () => {
    const clock = { ms: 0 }
    const bans: string[] = []
    const ledger = new MisbehaviourLedger((p) => { bans.push(p) }, () => clock.ms)
    for (let i = 0; i < 4; i++) ledger.record('garbage', 'MALFORMED')
    assert.equal(ledger.isBanned('garbage'), true)
    assert.deepEqual(bans, ['garbage'])
    clock.ms = HOUR
    assert.equal(ledger.isBanned('garbage'), true, 'still banned an hour later')
    clock.ms = 24 * HOUR
    assert.equal(ledger.score('garbage'), BAN_SCORE + 24 * PEER_MEMORY.misbehaviourRecoveryPointsPerHour)
    assert.equal(ledger.isBanned('garbage'), true, 'still banned a day later, its score recovering')
    clock.ms = Math.ceil(-BAN_SCORE / PEER_MEMORY.misbehaviourRecoveryPointsPerHour * HOUR)
    assert.equal(ledger.isBanned('garbage'), false)
    assert.equal(ledger.size, 0)
    ledger.record('garbage', 'STALE')
    assert.equal(ledger.isBanned('garbage'), false, 'a fresh record after the ban')
  })

  it('holds at most maxRecords peers, dropping the least penalised first', () => {
    const ledger = new MisbehaviourLedger(undefined, () => 0, { recoveryPointsPerHour: 4, maxRecords: 3 })
    for (let i = 0; i < 4; i++) ledger.record('banned', 'MALFORMED')
    ledger.record('a', 'DUPLICATE')
    ledger.record('b', 'STALE')
    for (let i = 0; i < 100; i++) ledger.record(`fresh-${i}`, 'DUPLICATE')
    assert.equal(ledger.size, 3)
    assert.equal(ledger.isBanned('banned'), true, 'a stream of fresh ids does not push a banned peer out')
    assert.equal(ledger.score('b'), -5)
  })
})

describe('unit: announce rate windows are pruned (finding 12)', () => {
  const NOW = 1_700_000_000
  it('drops ended windows first, then the oldest, down to the cap', () => {
    const rate = new Map([
      ['ended', { windowStart: NOW - ESCROW.rateLimitWindowSeconds, count: 10 }],
      ['old', { windowStart: NOW - 100, count: 3 }],
      ['mid', { windowStart: NOW - 50, count: 3 }],
      ['new', { windowStart: NOW, count: 1 }]
    ])
    pruneRateWindows(rate, NOW, 4)
    assert.equal(rate.size, 4, 'nothing dropped within the cap')
    pruneRateWindows(rate, NOW, 3)
    assert.deepEqual([...rate.keys()], ['old', 'mid', 'new'])
    pruneRateWindows(rate, NOW, 2)
    assert.deepEqual([...rate.keys()], ['mid', 'new'])
  })
})
