/**
 * Failover, the on-chain part (issue 21): `hand_over(verified_epochs, new_worker)` moves an
 * accepted, undelivered optimistic escrow whose worker stalled (no progress for longer than the
 * no-progress timeout) to a new worker. The stalled worker is paid for the verified epochs as
 * `handOverSplit` says and slashed as for a timeout; the rest stays in the escrow, an offer to the
 * new worker from the verified epoch on. Every attacker path is refused with its error and moves
 * nothing. The amounts are checked against the TypeScript rules (protocols/rules/settlement.ts).
 * docs/security.md, "Failover: hand_over".
 */
import assert from 'node:assert/strict'
import { Keypair, type PublicKey, type TransactionInstruction } from '@solana/web3.js'
import {
  ESCROW, ESCROW_STATE, NODE, TIER, anchorProgress, cancel, claimPayment, escrowVaultPda, fieldOffset, handOver, nodePda, parseEvents, requestUnstake,
  submitDelivery, vaultPda
} from '../../../chain/client/index.js'
import {
  ESCROW as ESCROW_PARAMS, REPUTATION, SLASHING, STAKE_TIERS, cancellationSplit, handOverSplit, proRataSplit, progressBps, reputationTier, settlementSplit, slashStake
} from '../../../protocols/index.js'
import { TOKEN, World, computeUnits, deliveryArgs, expectError, hash, program, record, type Wallet } from '../../fixtures/world.js'

const stake = STAKE_TIERS[1]?.minStake ?? 0n
const H = BigInt(ESCROW_PARAMS.noProgressTimeoutSeconds)
const AMOUNT = 4n * TOKEN
/** Ten epochs of 6 minutes, a day's deadline. */
const TERMS = { timeoutSecs: 86_400n, estimatedSeconds: 3_600n, epochsTotal: 10 }

describe('chain/hand-over: a client hands a stalled worker\'s escrow to a new worker (issue 21, failover)', () => {
  before(function () {
    this.timeout(600_000)
    program()
  })

  after(() => {
    console.log(`      hand_over ${String(computeUnits.get('hand_over'))} CU`)
  })

  interface Set {
    w: World
    client: Wallet
    /** The first worker, who stalls. */
    a: Wallet
    /** The new worker. */
    b: Wallet
    escrow: PublicKey
  }

  /** A 4-token, 10-epoch escrow accepted by `a`, which anchors epochs 1..`anchored` and then stalls past the timeout. */
  function stalled (anchored = 4): Set {
    const w = new World().initialize()
    const client = w.wallet(400n)
    const a = w.worker(stake, 300n)
    const b = w.worker(stake, 300n)
    const escrow = w.escrow(client, a, 1n, AMOUNT, TERMS)
    for (let epoch = 1; epoch <= anchored; epoch++) anchor(w, a, escrow, epoch)
    w.ledger.warp(H + 1n)
    return { w, client, a, b, escrow }
  }

  function anchor (w: World, worker: Wallet, escrow: PublicKey, epoch: number): void {
    record('anchor_progress', w.ledger.send([anchorProgress({ worker: worker.kp.publicKey, escrow }, epoch, hash(`root-${epoch}`), w.pid)], [worker.kp]))
  }

  /** `hand_over` signed by `signer` (default the client), naming `from` as the escrow's stalled worker. */
  function handOverIx (s: Set, verified: number, to: PublicKey, from: Wallet = s.a, client: Wallet = s.client, over: { newWorkerNode?: PublicKey } = {}): TransactionInstruction {
    return handOver({ client: client.kp.publicKey, escrow: s.escrow, worker: from.kp.publicKey, workerToken: from.token, mint: s.w.mint, ...over }, verified, to, s.w.pid)
  }

  /** Every token balance and the escrow's bytes: what a refused instruction must leave as it was. */
  function snapshot (s: Set, extra: readonly PublicKey[] = []): unknown {
    const { w } = s
    const tokens = [s.client.token, s.a.token, s.b.token, escrowVaultPda(w.pid, s.escrow).address, vaultPda(w.pid, 'platform').address,
      vaultPda(w.pid, 'insurance').address, vaultPda(w.pid, 'stake').address, ...extra]
    return {
      balances: tokens.map((t) => w.ledger.tokenBalance(t)),
      supply: w.supply(),
      escrow: Buffer.from(w.ledger.account(s.escrow)?.data ?? []).toString('hex'),
      nodeA: Buffer.from(w.ledger.account(nodePda(w.pid, s.a.kp.publicKey).address)?.data ?? []).toString('hex')
    }
  }

  const vault = (s: Set): bigint => s.w.ledger.tokenBalance(escrowVaultPda(s.w.pid, s.escrow).address)
  const tierOf = (s: Set, owner: PublicKey): ReturnType<typeof reputationTier>['name'] => reputationTier(s.w.node(owner).reputation).name

  it('pays the stalled worker for the verified epochs to the base unit, slashes it as a timeout, and the new worker finishes the job for the rest', () => {
    const s = stalled(4)
    const { w, client, a, b, escrow } = s
    const platform = vaultPda(w.pid, 'platform').address
    const clientStart = w.ledger.tokenBalance(client.token) + AMOUNT // before the escrow took its amount
    const aBefore = w.ledger.tokenBalance(a.token)
    const supplyBefore = w.supply()
    const split = handOverSplit(AMOUNT, 3, 10, tierOf(s, a.kp.publicKey))
    assert.deepEqual(split, { worker: 1_080_000_000n, platform: 120_000_000n, remaining: 2_800_000_000n }) // 30 % of 4, 10 % of it to the platform

    const res = record('hand_over', w.ledger.send([handOverIx(s, 3, b.kp.publicKey)], [client.kp]))
    const now = w.ledger.unixTime()
    assert.equal(w.ledger.tokenBalance(a.token) - aBefore, split.worker)
    assert.equal(w.ledger.tokenBalance(platform), split.platform)
    assert.equal(vault(s), split.remaining, 'the vault holds exactly what is left')
    const e = w.escrowAccount(escrow)
    assert.equal(e.amount, split.remaining)
    assert.ok(e.worker.equals(b.kp.publicKey))
    assert.equal(e.state, ESCROW_STATE.funded)
    assert.deepEqual([e.accepted, e.acceptedAt, e.credited, e.delivered], [0, 0n, 0, 0], 'an offer to the new worker')
    assert.deepEqual([e.epochsDone, e.epochsBase, e.handovers], [3, 3, 1])
    assert.deepEqual([...e.progressRoot], new Array(32).fill(0), 'the stalled worker\'s root is dropped')
    assert.deepEqual([e.createdAt, e.deadline], [now, now + TERMS.timeoutSecs], 'the offer expires after the escrow\'s own timeout')

    // The stalled worker: slashed, failed and penalised exactly as a timeout_refund would.
    const slash = slashStake(stake, SLASHING.timeoutBps)
    const nA = w.node(a.kp.publicKey)
    assert.deepEqual([nA.stake, nA.jobsFailed, nA.jobsActive, nA.adjustment, nA.totalEarned], [slash.remaining, 1, 0, REPUTATION.penalties.timeout, split.worker])
    assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'insurance').address), slash.insurance)
    assert.equal(supplyBefore - w.supply(), slash.burned)
    const events = parseEvents(res.logs)
    assert.deepEqual(events.map((ev) => ev.name), ['StakeSlashed', 'EscrowHandedOver'])
    const ev = events[1]?.data as Record<string, unknown>
    assert.ok((ev.fromWorker as PublicKey).equals(a.kp.publicKey) && (ev.toWorker as PublicKey).equals(b.kp.publicKey))
    assert.deepEqual([ev.workerAmount, ev.platformFee, ev.remaining, ev.verifiedEpochs], [split.worker, split.platform, split.remaining, 3n])

    // The replaced worker can no longer touch the escrow.
    expectError(w.ledger.send([anchorProgress({ worker: a.kp.publicKey, escrow }, 5, hash('late'), w.pid)], [a.kp]), 'ConstraintHasOne')
    const run = w.deliveryRun(escrow)
    expectError(w.ledger.send([submitDelivery({ worker: a.kp.publicKey, escrow }, deliveryArgs(run), w.pid)], [a.kp]), 'ConstraintHasOne')
    expectError(w.ledger.send([claimPayment({ escrow, worker: a.kp.publicKey, workerToken: a.token }, w.pid)], [a.kp]), 'ConstraintHasOne')
    // The new worker works only once it accepted, and from the verified epoch on.
    expectError(w.ledger.send([anchorProgress({ worker: b.kp.publicKey, escrow }, 4, hash('early'), w.pid)], [b.kp]), 'NotAccepted')
    w.accept(b, escrow)
    const accepted = w.escrowAccount(escrow)
    assert.equal(accepted.deadline, w.ledger.unixTime() + TERMS.timeoutSecs)
    expectError(w.ledger.send([anchorProgress({ worker: b.kp.publicKey, escrow }, 3, hash('again'), w.pid)], [b.kp]), 'InvalidEpoch')
    anchor(w, b, escrow, 4)
    w.deliver(b, escrow)
    // The replaced worker's late delivery, now that the final root is anchored: still not its escrow.
    expectError(w.ledger.send([submitDelivery({ worker: a.kp.publicKey, escrow }, deliveryArgs(run), w.pid)], [a.kp]), 'ConstraintHasOne')
    const bBefore = w.ledger.tokenBalance(b.token)
    const paid = settlementSplit(split.remaining, tierOf(s, b.kp.publicKey))
    w.ledger.mustSend([w.completeIx(client, b, escrow)], [client.kp])
    assert.equal(w.ledger.tokenBalance(b.token) - bBefore, paid.worker)
    assert.equal(w.ledger.tokenBalance(platform), split.platform + paid.platform)
    assert.equal(vault(s), 0n)
    assert.equal(w.escrowAccount(escrow).state, ESCROW_STATE.completed)
    // Every base unit the client paid went to the two workers and the platform; never more than the amount.
    const clientPaid = clientStart - w.ledger.tokenBalance(client.token)
    assert.equal(clientPaid, AMOUNT)
    assert.equal(split.worker + split.platform + paid.worker + paid.platform, clientPaid)
  })

  it('a later cancel pays the new worker pro rata for its own epochs only, and a second hand-over pays it from the base, never the first worker again', () => {
    const s = stalled(4)
    const { w, client, a, b, escrow } = s
    const c = w.worker(stake, 300n)
    w.ledger.mustSend([handOverIx(s, 4, b.kp.publicKey)], [client.kp])
    const first = handOverSplit(AMOUNT, 4, 10, 'Bronze')
    assert.equal(vault(s), first.remaining)
    w.accept(b, escrow)
    anchor(w, b, escrow, 5)
    anchor(w, b, escrow, 7)
    // A second hand-over while the new worker anchors: refused.
    expectError(w.ledger.send([handOverIx(s, 7, c.kp.publicKey, b)], [client.kp]), 'WorkerNotStalled')
    w.ledger.warp(H + 1n)
    // Below the base: the first worker's epochs are paid already.
    const before = snapshot(s, [c.token])
    expectError(w.ledger.send([handOverIx(s, 3, c.kp.publicKey, b)], [client.kp]), 'InvalidEpoch')
    assert.deepEqual(snapshot(s, [c.token]), before)
    const aBalance = w.ledger.tokenBalance(a.token)
    const bBefore = w.ledger.tokenBalance(b.token)
    const second = handOverSplit(first.remaining, 6, 10, tierOf(s, b.kp.publicKey), 4)
    assert.equal(progressBps(6, 10, 4), 3_333) // 2 of the 6 epochs after the base
    w.ledger.mustSend([handOverIx(s, 6, c.kp.publicKey, b)], [client.kp])
    assert.equal(w.ledger.tokenBalance(b.token) - bBefore, second.worker)
    assert.equal(w.ledger.tokenBalance(a.token), aBalance, 'the first worker is paid once')
    assert.equal(vault(s), second.remaining)
    assert.deepEqual([w.escrowAccount(escrow).epochsBase, w.escrowAccount(escrow).handovers, w.escrowAccount(escrow).amount], [6, 2, second.remaining])
    // The third worker accepts, anchors one epoch of its four, and the client cancels.
    w.accept(c, escrow)
    anchor(w, c, escrow, 7)
    const cBefore = w.ledger.tokenBalance(c.token)
    const clientBefore = w.ledger.tokenBalance(client.token)
    w.ledger.mustSend([cancel({ client: client.kp.publicKey, escrow, worker: c.kp.publicKey, workerToken: c.token, clientToken: client.token }, w.pid)], [client.kp])
    const progress = progressBps(7, 10, 6)
    assert.equal(progress, 2_500)
    const cancelled = cancellationSplit(second.remaining, progress)
    // The earned part pays the platform fee of a completed job (cancel.rs).
    const fee = settlementSplit(proRataSplit(second.remaining, progress).worker, tierOf(s, c.kp.publicKey)).platform
    assert.equal(w.ledger.tokenBalance(c.token) - cBefore, cancelled.worker - fee)
    assert.equal(w.ledger.tokenBalance(client.token) - clientBefore, cancelled.client)
    assert.equal(vault(s), 0n)
  })

  it('refuses every attacker path with its error and moves nothing', () => {
    const s = stalled(4)
    const { w, client, a, b, escrow } = s
    const refused = (ix: TransactionInstruction, signers: Keypair[], error: Parameters<typeof expectError>[1], extra: readonly PublicKey[] = []): void => {
      const before = snapshot(s, extra)
      expectError(w.ledger.send([ix], signers), error)
      assert.deepEqual(snapshot(s, extra), before, `${error}: nothing moved`)
    }
    // A fresh wallet, a few lamports: it is not the escrow's client.
    const stranger = w.wallet(0n)
    refused(handOverIx(s, 3, b.kp.publicKey, a, stranger), [stranger.kp], 'ConstraintHasOne')
    refused(handOverIx(s, 3, stranger.kp.publicKey, a, stranger), [stranger.kp], 'AccountOwnedByWrongProgram', [stranger.token]) // to itself: no node
    // The stalled worker itself.
    refused(handOverIx(s, 3, b.kp.publicKey, a, a), [a.kp], 'ConstraintHasOne')
    // More epochs than anchored.
    refused(handOverIx(s, 5, b.kp.publicKey), [client.kp], 'InvalidEpoch')
    // To the stalled worker itself, to the client (even a registered one), to an unregistered key, to another node's account.
    refused(handOverIx(s, 3, a.kp.publicKey), [client.kp], 'DuplicateAccount') // its node twice
    refused(handOverIx(s, 3, a.kp.publicKey, a, client, { newWorkerNode: nodePda(w.pid, b.kp.publicKey).address }), [client.kp], 'InvalidNewWorker')
    w.register(client, stake)
    refused(handOverIx(s, 3, client.kp.publicKey), [client.kp], 'SelfDealing')
    const nobody = Keypair.generate().publicKey
    refused(handOverIx(s, 3, nobody), [client.kp], 'AccountOwnedByWrongProgram')
    refused(handOverIx(s, 3, nobody, a, client, { newWorkerNode: nodePda(w.pid, b.kp.publicKey).address }), [client.kp], 'ConstraintHasOne')
    // To a node leaving (unstake requested) or staked below the job's tier.
    const leaving = w.worker(stake, 300n)
    w.ledger.mustSend([requestUnstake({ owner: leaving.kp.publicKey }, w.pid)], [leaving.kp])
    refused(handOverIx(s, 3, leaving.kp.publicKey), [client.kp], 'NodeNotActive')
    const poor = w.worker(stake, 300n)
    w.patch(nodePda(w.pid, poor.kp.publicKey).address, (v) => { v.setBigUint64(8 + fieldOffset(NODE, 'stake'), 1n, true) })
    refused(handOverIx(s, 3, poor.kp.publicKey), [client.kp], 'InsufficientStakeForJob')
    // The stalled worker's pay to an account of someone else.
    const other = w.wallet(0n)
    refused(handOver({ client: client.kp.publicKey, escrow, worker: a.kp.publicKey, workerToken: other.token, mint: w.mint }, 3, b.kp.publicKey, w.pid), [client.kp], 'ConstraintTokenOwner', [other.token])
    // Still stalled after all of that: the real hand-over goes through, and then no second one on the offer.
    w.ledger.mustSend([handOverIx(s, 3, b.kp.publicKey)], [client.kp])
    refused(handOverIx(s, 3, leaving.kp.publicKey, b), [client.kp], 'NotAccepted')
  })

  it('refuses while the worker is live: before the timeout, after a fresh anchor, after the final anchor, after the delivery', () => {
    const w = new World().initialize()
    const client = w.wallet(100n)
    const a = w.worker(stake, 300n)
    const b = w.worker(stake, 300n)
    const escrow = w.escrow(client, a, 1n, AMOUNT, TERMS)
    const s: Set = { w, client, a, b, escrow }
    const live = (): void => {
      const before = snapshot(s)
      expectError(w.ledger.send([handOverIx(s, 0, b.kp.publicKey)], [client.kp]), 'WorkerNotStalled')
      assert.deepEqual(snapshot(s), before)
    }
    live() // just accepted
    w.ledger.warp(H)
    live() // at the timeout, not after it
    anchor(w, a, escrow, 1)
    w.ledger.warp(H)
    live()
    w.anchorFinal(a, escrow, w.deliveryRun(escrow))
    w.ledger.warp(3n * H)
    live() // the final anchor ends the no-progress timeout
    w.ledger.mustSend([submitDelivery({ worker: a.kp.publicKey, escrow }, deliveryArgs(w.deliveryRun(escrow)), w.pid)], [a.kp])
    const before = snapshot(s)
    expectError(w.ledger.send([handOverIx(s, 0, b.kp.publicKey)], [client.kp]), 'AlreadyDelivered')
    assert.deepEqual(snapshot(s), before)
  })

  it('refuses a zk escrow (its worker answers for a drawn step of the whole chain) and an offer nobody accepted', () => {
    const w = new World().initialize()
    const client = w.wallet(100n)
    const a = w.worker(stake, 300n)
    const b = w.worker(stake, 300n)
    // An offer: the client cancels it in full instead.
    const offer = w.offer(client, a.kp.publicKey, 1n, AMOUNT, TERMS)
    w.ledger.warp(H + 1n)
    const so: Set = { w, client, a, b, escrow: offer }
    expectError(w.ledger.send([handOverIx(so, 0, b.kp.publicKey)], [client.kp]), 'NotAccepted')
    // A stalled escrow marked zk (creating a real one needs the step circuit's key, test/e2e/chain/zk.test.ts;
    // hand_over refuses on the tier before it reads anything of the zk tier).
    const escrow = w.escrow(client, a, 2n, AMOUNT, TERMS)
    anchor(w, a, escrow, 1)
    w.ledger.warp(H + 1n)
    const s: Set = { w, client, a, b, escrow }
    w.patch(escrow, (v) => { v.setUint8(8 + fieldOffset(ESCROW, 'tier'), TIER.zk) })
    const before = snapshot(s)
    expectError(w.ledger.send([handOverIx(s, 1, b.kp.publicKey)], [client.kp]), 'InvalidTier')
    assert.deepEqual(snapshot(s), before)
    w.patch(escrow, (v) => { v.setUint8(8 + fieldOffset(ESCROW, 'tier'), TIER.optimistic) })
    w.ledger.mustSend([handOverIx(s, 1, b.kp.publicKey)], [client.kp])
  })
})
