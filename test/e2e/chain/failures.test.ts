/**
 * Repeated failures (design document: Stake-Based Security → slashing condition 4; protocols/params.ts
 * `SLASHING.repeatedFailures*`): the third timeout or invalid proof within a 7-day window slashes
 * 30 % more of what is left and suspends the node for 30 days (`recordFailure`, fixed window,
 * mirrored by `refund.rs`). docs/security.md, "Repeated failures".
 */
import assert from 'node:assert/strict'
import type { PublicKey } from '@solana/web3.js'
import { parseEvents, timeoutRefund, vaultPda } from '../../../chain/client/index.js'
import { NO_FAILURES, SLASHING, STAKE_TIERS, recordFailure, slashStake, type FailureWindow } from '../../../protocols/index.js'
import { TOKEN, World, expectError, program, type Wallet } from '../../fixtures/world.js'

const stake = STAKE_TIERS[1]?.minStake ?? 0n

describe('chain/failures: repeated failures slash more and suspend (slashing condition 4)', () => {
  before(function () {
    this.timeout(600_000)
    program()
  })

  /** One job the worker accepts and lets time out; returns the timeout_refund's logs. */
  function fail (w: World, client: Wallet, worker: Wallet, nonce: bigint): readonly string[] {
    const escrow = w.escrow(client, worker, nonce, TOKEN, { timeoutSecs: 600n, estimatedSeconds: 100n })
    w.ledger.warp(601n)
    return w.ledger.mustSend([timeoutRefund({ escrow, worker: worker.kp.publicKey, clientToken: client.token, mint: w.mint }, w.pid)], [w.ledger.payer]).logs
  }

  /** The node's window as `recordFailure` sees it. */
  const windowOf = (w: World, owner: PublicKey): FailureWindow => {
    const n = w.node(owner)
    return { windowStart: Number(n.failuresWindowStart), failures: n.failuresInWindow }
  }

  it('the third failure within 7 days slashes 30 % of what is left and suspends the node for 30 days; it takes no job until then', () => {
    const w = new World().initialize()
    const worker = w.worker(stake, 300n)
    const owner = worker.kp.publicKey
    const client = w.wallet(100n)
    let expected = stake
    let model = NO_FAILURES
    for (let i = 1n; i <= 2n; i++) {
      const logs = fail(w, client, worker, i)
      const s = slashStake(expected, SLASHING.timeoutBps)
      expected = s.remaining
      model = recordFailure(model, Number(w.ledger.unixTime())).window
      assert.equal(w.node(owner).stake, expected, `failure ${i}: the timeout slash only`)
      assert.deepEqual(windowOf(w, owner), model, 'the program counts as recordFailure does')
      assert.equal(parseEvents(logs).filter((e) => e.name === 'StakeSlashed').length, 1)
      assert.equal(w.node(owner).suspendedUntil, 0n)
    }
    const supply = w.supply()
    const insurance = w.ledger.tokenBalance(vaultPda(w.pid, 'insurance').address)
    const logs = fail(w, client, worker, 3n)
    const now = w.ledger.unixTime()
    const own = slashStake(expected, SLASHING.timeoutBps)
    const repeated = slashStake(own.remaining, SLASHING.repeatedFailuresBps)
    const r = recordFailure(model, Number(now))
    assert.equal(r.repeated, true)
    const n = w.node(owner)
    assert.equal(n.stake, repeated.remaining, 'then 30 % of what was left')
    assert.equal(n.suspendedUntil, BigInt(r.suspendedUntil ?? 0))
    assert.equal(n.suspendedUntil, now + BigInt(SLASHING.suspensionSeconds))
    assert.deepEqual(windowOf(w, owner), r.window, 'the window starts again empty')
    const slashes = parseEvents(logs).filter((e) => e.name === 'StakeSlashed')
    assert.deepEqual(slashes.map((e) => e.data.slashed), [own.slashed, repeated.slashed])
    assert.equal(supply - w.supply(), own.burned + repeated.burned, '20 % of each slash burned')
    assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'insurance').address) - insurance, own.insurance + repeated.insurance)

    // Suspended: no new offer, and no acceptance of one either.
    expectError(w.ledger.send([w.createEscrowIx(client, owner, w.escrowArgs(4n, TOKEN))], [client.kp]), 'NodeNotActive')
    w.ledger.warp(BigInt(SLASHING.suspensionSeconds) - 1n)
    expectError(w.ledger.send([w.createEscrowIx(client, owner, w.escrowArgs(4n, TOKEN))], [client.kp]), 'NodeNotActive')
    w.ledger.warp(1n)
    w.escrow(client, worker, 4n, TOKEN)
  })

  it('three failures more than a window apart, or two in a window, slash nothing more and suspend nobody', () => {
    const w = new World().initialize()
    const worker = w.worker(stake, 300n)
    const owner = worker.kp.publicKey
    const client = w.wallet(100n)
    let expected = stake
    let model = NO_FAILURES
    const step = (nonce: bigint): void => {
      fail(w, client, worker, nonce)
      expected = slashStake(expected, SLASHING.timeoutBps).remaining
      const r = recordFailure(model, Number(w.ledger.unixTime()))
      assert.equal(r.repeated, false)
      model = r.window
      assert.equal(w.node(owner).stake, expected)
      assert.deepEqual(windowOf(w, owner), model)
      assert.equal(w.node(owner).suspendedUntil, 0n)
    }
    step(1n)
    step(2n)
    // The window (7 days from the first failure) ends: the third failure opens a new one.
    w.ledger.warp(BigInt(SLASHING.repeatedFailuresWindowSeconds))
    step(3n)
    assert.equal(w.node(owner).failuresInWindow, 1)
    step(4n)
    assert.equal(w.node(owner).failuresInWindow, 2)
  })
})
