/**
 * The no-progress timeout (design document: Stake-Based Security → slashing condition 1, "no
 * progress for 2+ hours"; `ESCROW.noProgressTimeoutSeconds`, the escrow's
 * `terms.no_progress_timeout_secs`): an accepted escrow whose worker anchored nothing for longer
 * than the timeout, before its final epoch, is refunded with the timeout slash by anyone
 * (`timeout_refund`); `accept_job` refuses an escrow whose estimated epoch exceeds the timeout.
 * The program's decisions are checked against `noProgressExpired` and `epochFitsNoProgressTimeout`
 * (protocols/rules/settlement.ts). docs/security.md, "The no-progress timeout".
 */
import assert from 'node:assert/strict'
import type { PublicKey } from '@solana/web3.js'
import { ESCROW_STATE, acceptJob, anchorProgress, cancel, parseEvents, timeoutRefund, updateConfig, vaultPda, type EscrowAccount } from '../../../chain/client/index.js'
import { ESCROW, REPUTATION, SLASHING, STAKE_TIERS, epochFitsNoProgressTimeout, noProgressExpired, slashStake } from '../../../protocols/index.js'
import { TOKEN, World, computeUnits, expectError, hash, program, record, type Wallet } from '../../fixtures/world.js'

const stake = STAKE_TIERS[1]?.minStake ?? 0n
const H = BigInt(ESCROW.noProgressTimeoutSeconds)

/** The escrow as `noProgressExpired` reads it. */
const progressOf = (e: EscrowAccount): Parameters<typeof noProgressExpired>[0] => ({
  accepted: e.accepted !== 0,
  acceptedAt: Number(e.acceptedAt),
  lastProgressAt: Number(e.lastProgressAt),
  epochsDone: e.epochsDone,
  epochsTotal: e.epochsTotal
})

describe('chain/no-progress: an accepted job with no anchor for 2 h is refunded and slashed (slashing condition 1)', () => {
  before(function () {
    this.timeout(600_000)
    program()
  })

  after(() => {
    console.log(`      anchor_progress ${String(computeUnits.get('anchor_progress'))} CU; timeout_refund (no progress) ${String(computeUnits.get('timeout_refund (no progress)'))} CU; accept_job ${String(computeUnits.get('accept_job'))} CU`)
  })

  function setup (): { w: World, worker: Wallet, client: Wallet } {
    const w = new World().initialize()
    return { w, worker: w.worker(stake, 300n), client: w.wallet(100n) }
  }

  const refundIx = (w: World, client: Wallet, worker: Wallet, escrow: PublicKey): ReturnType<typeof timeoutRefund> =>
    timeoutRefund({ escrow, worker: worker.kp.publicKey, clientToken: client.token, mint: w.mint }, w.pid)

  /** Whether the rule says the escrow stalled now, by the ledger's clock. */
  const expired = (w: World, escrow: PublicKey): boolean => noProgressExpired(progressOf(w.escrowAccount(escrow)), Number(w.ledger.unixTime()), Number(w.escrowAccount(escrow).terms.noProgressTimeoutSecs))

  it('an accepted escrow with no anchor for longer than the timeout is refunded by anyone, in full, and the worker slashed as for a timeout, long before its deadline', () => {
    const { w, worker, client } = setup()
    const amount = 4n * TOKEN
    // A day's deadline, ten epochs of 6 minutes each.
    const escrow = w.escrow(client, worker, 1n, amount, { timeoutSecs: 86_400n, estimatedSeconds: 3_600n, epochsTotal: 10 })
    const e0 = w.escrowAccount(escrow)
    assert.equal(e0.terms.noProgressTimeoutSecs, H, 'the escrow snapshotted the 2 h timeout')
    const stranger = w.ledger.fundedKeypair()
    w.ledger.warp(H)
    assert.equal(expired(w, escrow), false)
    expectError(w.ledger.send([refundIx(w, client, worker, escrow)], [stranger]), 'DeadlineNotReached') // at the timeout: not after
    w.ledger.warp(1n)
    assert.equal(expired(w, escrow), true)
    assert.ok(w.ledger.unixTime() < e0.deadline, 'the deadline is still 22 h away')
    const clientBefore = w.ledger.tokenBalance(client.token)
    const supplyBefore = w.supply()
    const expected = slashStake(stake, SLASHING.timeoutBps)
    const res = record('timeout_refund (no progress)', w.ledger.send([refundIx(w, client, worker, escrow)], [stranger]))
    assert.equal(w.ledger.tokenBalance(client.token) - clientBefore, amount, 'the client gets it all back')
    assert.equal(w.escrowAccount(escrow).state, ESCROW_STATE.timedOut)
    assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'insurance').address), expected.insurance)
    assert.equal(supplyBefore - w.supply(), expected.burned, '20 % of the slash burned')
    const n = w.node(worker.kp.publicKey)
    assert.equal(n.stake, expected.remaining)
    assert.equal(n.jobsFailed, 1)
    assert.equal(n.jobsActive, 0)
    assert.equal(n.adjustment, REPUTATION.penalties.timeout)
    assert.deepEqual(parseEvents(res.logs).map((e) => e.name).sort(), ['StakeSlashed', 'TimeoutRefunded'])
  })

  it('one that anchored recently is not refundable: each anchor restarts the timeout, until the worker falls silent again', () => {
    const { w, worker, client } = setup()
    const escrow = w.escrow(client, worker, 1n, TOKEN, { timeoutSecs: 86_400n, estimatedSeconds: 3_600n, epochsTotal: 10 })
    const anchor = (epoch: number): void => {
      record('anchor_progress', w.ledger.send([anchorProgress({ worker: worker.kp.publicKey, escrow }, epoch, hash(`root-${epoch}`), w.pid)], [worker.kp]))
    }
    for (let epoch = 1; epoch <= 4; epoch++) {
      // Each epoch a little under the timeout: 7.5 h in all since the acceptance, never refundable.
      w.ledger.warp(H - 10n)
      expectError(w.ledger.send([refundIx(w, client, worker, escrow)], [w.ledger.payer]), 'DeadlineNotReached')
      assert.equal(expired(w, escrow), false)
      anchor(epoch)
      const e = w.escrowAccount(escrow)
      assert.equal(e.lastProgressAt, w.ledger.unixTime())
      assert.equal(e.epochsDone, epoch)
    }
    w.ledger.warp(H)
    expectError(w.ledger.send([refundIx(w, client, worker, escrow)], [w.ledger.payer]), 'DeadlineNotReached')
    w.ledger.warp(1n)
    assert.equal(expired(w, escrow), true)
    w.ledger.mustSend([refundIx(w, client, worker, escrow)], [w.ledger.payer])
    assert.equal(w.escrowAccount(escrow).state, ESCROW_STATE.timedOut)
    assert.equal(w.node(worker.kp.publicKey).stake, slashStake(stake, SLASHING.timeoutBps).remaining)
  })

  it('the final anchor ends the no-progress timeout: from then on only the deadline refunds', () => {
    const { w, worker, client } = setup()
    const escrow = w.escrow(client, worker, 1n, TOKEN, { timeoutSecs: 86_400n, estimatedSeconds: 3_600n, epochsTotal: 10 })
    w.anchorFinal(worker, escrow, w.deliveryRun(escrow))
    w.ledger.warp(3n * H)
    assert.equal(expired(w, escrow), false)
    expectError(w.ledger.send([refundIx(w, client, worker, escrow)], [w.ledger.payer]), 'DeadlineNotReached')
    w.ledger.warp(86_400n)
    w.ledger.mustSend([refundIx(w, client, worker, escrow)], [w.ledger.payer]) // the deadline rule, unchanged
  })

  it('an escrow not yet accepted is never slashed, however long it sits; only its client cancels it, in full', () => {
    const { w, worker, client } = setup()
    const escrow = w.offer(client, worker.kp.publicKey, 1n, TOKEN, { timeoutSecs: 86_400n, estimatedSeconds: 3_600n, epochsTotal: 10 })
    for (const step of [H + 1n, 3n * H, 86_400n]) {
      w.ledger.warp(step)
      assert.equal(expired(w, escrow), false)
      expectError(w.ledger.send([refundIx(w, client, worker, escrow)], [w.ledger.payer]), 'NotAccepted')
    }
    assert.equal(w.node(worker.kp.publicKey).stake, stake, 'nothing slashed')
    const before = w.ledger.tokenBalance(client.token)
    w.ledger.mustSend([cancel({ client: client.kp.publicKey, escrow, clientToken: client.token, worker: worker.kp.publicKey, workerToken: worker.token }, w.pid)], [client.kp])
    assert.equal(w.ledger.tokenBalance(client.token) - before, TOKEN)
    assert.equal(w.node(worker.kp.publicKey).stake, stake)
  })

  it('accept_job refuses an escrow whose estimated epoch is longer than the timeout, and takes one exactly as long', () => {
    const { w, worker, client } = setup()
    const table: Array<[nonce: bigint, estimatedSeconds: bigint, epochsTotal: number]> = [
      [1n, 2n * H + 1n, 2], // ceil((2 h · 2 + 1) / 2) = 2 h + 1 s
      [2n, 2n * H, 2], // exactly 2 h per epoch
      [3n, H + 1n, 1],
      [4n, 12n * H, 12]
    ]
    for (const [nonce, estimatedSeconds, epochsTotal] of table) {
      const escrow = w.offer(client, worker.kp.publicKey, nonce, TOKEN, { timeoutSecs: 7n * 86_400n, estimatedSeconds, epochsTotal })
      const fits = epochFitsNoProgressTimeout(Number(estimatedSeconds), epochsTotal, Number(w.escrowAccount(escrow).terms.noProgressTimeoutSecs))
      const res = w.ledger.send([acceptJob({ worker: worker.kp.publicKey, escrow }, w.pid)], [worker.kp])
      if (fits) record('accept_job', res)
      else expectError(res, 'EpochExceedsNoProgressTimeout')
      assert.equal(w.escrowAccount(escrow).accepted, fits ? 1 : 0, `${estimatedSeconds} s over ${epochsTotal} epochs`)
    }
    assert.deepEqual(table.map(([, s, n]) => epochFitsNoProgressTimeout(Number(s), n)), [false, true, false, true])
  })

  it('the timeout is the escrow\'s own term: a Config change applies only to escrows created after it', () => {
    const { w, worker, client } = setup()
    const stalled = w.escrow(client, worker, 1n, TOKEN, { timeoutSecs: 86_400n, estimatedSeconds: 3_600n, epochsTotal: 10 })
    w.ledger.mustSend([updateConfig({ admin: w.admin.publicKey }, { ...w.params, noProgressTimeoutSecs: 4n * H }, w.pid)], [w.admin])
    const later = w.escrow(client, worker, 2n, TOKEN, { timeoutSecs: 86_400n, estimatedSeconds: 3_600n, epochsTotal: 10 })
    assert.equal(w.escrowAccount(later).terms.noProgressTimeoutSecs, 4n * H)
    w.ledger.warp(H + 1n)
    w.ledger.mustSend([refundIx(w, client, worker, stalled)], [w.ledger.payer])
    expectError(w.ledger.send([refundIx(w, client, worker, later)], [w.ledger.payer]), 'DeadlineNotReached')
    assert.equal(expired(w, later), false)
  })
})
