/**
 * The escrow and stake lifecycle beyond create/complete, as real SBF in LiteSVM: reputation kept
 * on-chain (score = `reputationScore()` of the stored record, after every instruction that changes
 * it), anchor_progress, heartbeat, cancel, timeout_refund, rate_worker, request_unstake /
 * withdraw_stake, the client rate limit, update_config and close_escrow. Each: the happy path
 * against the pure rules of protocols/rules, and wrong signer / owner / PDA / mint / state and
 * replay. Clock warps for deadlines, locks and cooldowns.
 */
import assert from 'node:assert/strict'
import { Keypair, PublicKey, SystemProgram } from '@solana/web3.js'
import {
  CLIENT_STATE, ESCROW_STATE, NODE, U64_MAX, anchorProgress, cancel, clientStatePda, closeEscrow, decodeClientState, escrowVaultPda,
  fieldOffset, heartbeat, nodePda, parseEvents, rateWorker, reputationRecordOf, requestUnstake, timeoutRefund, updateConfig,
  vaultPda, withdrawStake, configPda, decodeConfig, ARGS, INSTRUCTION_ACCOUNTS, TIER, buildInstruction, escrowPda, type InstructionName,
  type Layout
} from '../../../chain/client/index.js'
import {
  BN254_SCALAR_FIELD, ESCROW, REPUTATION, SETTLEMENT, SLASHING, STAKE_LOCK, STAKE_TIERS, cancellationSplit, extendLockForJob, initialLockUntil, progressBps,
  reputationScore, slashStake, timeAccuracyBps, valueWeightedPoints, withdrawableAt
} from '../../../protocols/index.js'
import { TOKEN, World, expectError, hash, program, record, withAccount, type Wallet } from '../../fixtures/world.js'

const minStake = STAKE_TIERS[0]?.minStake ?? 0n

/** The node's stored score must be the pure rule's score of its stored record. */
function assertScoreMatches (w: World, owner: PublicKey, where: string): number {
  const n = w.node(owner)
  assert.equal(n.reputation, reputationScore(reputationRecordOf(n)), `${where}: on-chain score ≠ reputationScore(record)`)
  return n.reputation
}

function setup (): { w: World, worker: Wallet, client: Wallet } {
  const w = new World().initialize()
  const worker = w.worker(minStake)
  const client = w.wallet(1_000n)
  return { w, worker, client }
}

const cancelIx = (w: World, client: Wallet, worker: Wallet, escrow: PublicKey) =>
  cancel({ client: client.kp.publicKey, escrow, worker: worker.kp.publicKey, workerToken: worker.token, clientToken: client.token }, w.pid)
const timeoutIx = (w: World, client: Wallet, worker: Wallet, escrow: PublicKey) =>
  timeoutRefund({ escrow, worker: worker.kp.publicKey, clientToken: client.token, mint: w.mint }, w.pid)

/**
 * The on-chain cancellation split (cancel.rs): the worker's gross part is `cancellationSplit`'s
 * (pro rata plus the 10 % fee, capped at the amount); the earned part, floor(amount × progress),
 * pays the platform fee as a completed job would: platform = floor(earned × fee).
 */
function onChainCancel (amount: bigint, progress: number, feeBps: number): { worker: bigint, platform: bigint, client: bigint } {
  const gross = cancellationSplit(amount, progress)
  const earned = amount * BigInt(progress) / 10_000n
  const platform = earned * BigInt(feeBps) / 10_000n
  return { worker: gross.worker - platform, platform, client: gross.client }
}

/** Zero values for every argument of a layout (enough to encode an instruction). */
function zeroArgs (layout: Layout): Record<string, unknown> {
  const zero = (t: Layout[number][1]): unknown => {
    if (typeof t === 'string') return t === 'pubkey' ? PublicKey.default : t === 'u64' || t === 'i64' ? 0n : 0
    if ('array' in t) return Array.from({ length: t.array[1] }, () => zero(t.array[0]))
    if ('defined' in t) return zeroArgs(t.defined.layout)
    if ('vec' in t) return new Uint8Array(0)
    return new Uint8Array(t.bytes)
  }
  return Object.fromEntries(layout.map(([name, t]) => [name, zero(t)]))
}

describe('chain/program: lifecycle, reputation, stake lock, rate limit', () => {
  before(function () {
    this.timeout(600_000)
    program()
  })

  it('every instruction that names a signer refuses that account unsigned, before reading anything else', () => {
    const w = new World().initialize()
    const withSigner = (Object.keys(INSTRUCTION_ACCOUNTS) as InstructionName[]).filter((n) => INSTRUCTION_ACCOUNTS[n].some(([, f]) => f.includes('s')))
    assert.equal(withSigner.length, 26, 'all but timeout_refund, draw_jury, resolve_dispute, finalize_dispute, withdraw_vote, close_dispute, verify_proof, draw_challenge and slash_invalid_proof (callable by anyone)')
    for (const name of withSigner) {
      const accounts = Object.fromEntries(INSTRUCTION_ACCOUNTS[name].map(([a]) => [a, Keypair.generate().publicKey]))
      delete accounts.systemProgram
      delete accounts.tokenProgram
      const ix = buildInstruction(name, accounts, zeroArgs(ARGS[name]), w.pid)
      // Every signer account unsigned (set_governance has two); the first is refused first.
      INSTRUCTION_ACCOUNTS[name].forEach(([, f], i) => { if (f.includes('s')) withAccount(ix, i, ix.keys[i]?.pubkey ?? PublicKey.default, { isSigner: false }) })
      const res = w.ledger.send([ix], [w.ledger.payer])
      assert.equal(res.errorName, 'AccountNotSigner', `${name}: ${res.errorName ?? res.error ?? 'succeeded'}`)
    }
  })

  describe('reputation on-chain', () => {
    it('complete updates the record in the same instruction (+10, completion, time accuracy)', () => {
      const { w, worker, client } = setup()
      const escrow = w.escrow(client, worker, 1n, 5n * TOKEN, { estimatedSeconds: 3_600n })
      let n = w.node(worker.kp.publicKey)
      assert.equal(n.jobsAssigned, 1)
      assertScoreMatches(w, worker.kp.publicKey, 'after create_escrow')
      w.ledger.warp(3_000n)
      w.deliver(worker, escrow)
      record('complete', w.ledger.send([w.completeIx(client, worker, escrow)], [client.kp]))
      n = w.node(worker.kp.publicKey)
      assert.equal(n.jobsCompleted, 1)
      assert.equal(n.timedJobs, 1)
      assert.equal(n.timeAccuracySumBps, BigInt(timeAccuracyBps(3_000, 3_600)))
      assert.equal(n.paidValue, 5n * TOKEN)
      // The recovery is weighted by the paid value: 5 of the reference 10 CYXWIZ → 5 of 10 points.
      assert.equal(n.adjustment, valueWeightedPoints(REPUTATION.recoveries.successfulJob, 5n * TOKEN))
      assert.equal(n.adjustment, 5)
      // Half a reference amount paid: no job counts towards maturity yet (finding 7), so the
      // components (400 + floor(8334×250/10000)) are scaled by 0/20; the score is the adjustment.
      assert.equal(assertScoreMatches(w, worker.kp.publicKey, 'after complete'), 5)
      // A second one: 10 CYXWIZ paid, one job of maturity 20: floor((400 + time accuracy) / 20) + 10.
      const second = w.escrow(client, worker, 2n, 5n * TOKEN, { estimatedSeconds: 3_600n })
      w.ledger.warp(3_600n)
      w.deliver(worker, second)
      w.ledger.mustSend([w.completeIx(client, worker, second)], [client.kp])
      n = w.node(worker.kp.publicKey)
      const time = Math.floor(Number(n.timeAccuracySumBps) * 250 / (n.timedJobs * 10_000))
      assert.equal(assertScoreMatches(w, worker.kp.publicKey, 'after the second'), Math.floor((400 + time) / 20) + 10)
    })

    it('agrees with reputationScore() after every step of a long mixed history', function () {
      this.timeout(60_000)
      const w = new World().initialize()
      // Enough stake to stay above the smallest tier's minimum through several 10 % timeout slashes.
      const worker = w.worker(STAKE_TIERS[1]?.minStake ?? 0n, 300n)
      const owner = worker.kp.publicKey
      let nonce = 0n
      const clients = [w.wallet(500n), w.wallet(500n), w.wallet(500n)]
      for (let i = 0; i < 26; i++) {
        const client = clients[i % clients.length] as Wallet
        const est = BigInt(600 + 97 * i)
        const escrow = w.escrow(client, worker, ++nonce, (i % 2 === 0 ? 9n : 1n) * TOKEN + BigInt(i), { estimatedSeconds: est, timeoutSecs: est * 2n })
        assertScoreMatches(w, owner, `job ${i} created`)
        const kind = i % 6
        if (kind === 4) {
          w.ledger.warp(est * 2n + 1n)
          w.ledger.mustSend([timeoutIx(w, client, worker, escrow)], [w.ledger.payer])
          // The third timeout within 7 days suspends the worker (repeated failures): sit it out.
          const until = w.node(owner).suspendedUntil
          if (until > w.ledger.unixTime()) w.ledger.warp(until - w.ledger.unixTime())
        } else if (kind === 5) {
          w.ledger.mustSend([cancelIx(w, client, worker, escrow)], [client.kp])
        } else {
          w.ledger.warp(est + BigInt((i * 131) % 900) - 300n)
          w.deliver(worker, escrow)
          w.ledger.mustSend([w.completeIx(client, worker, escrow)], [client.kp])
          assertScoreMatches(w, owner, `job ${i} completed`)
          w.ledger.mustSend([rateWorker({ client: client.kp.publicKey, escrow, worker: owner }, 1 + (i % 5), w.pid)], [client.kp])
        }
        assertScoreMatches(w, owner, `job ${i} settled`)
        w.ledger.warp(BigInt(120 * (1 + (i % 4))))
        w.ledger.mustSend([heartbeat({ owner }, w.pid)], [worker.kp])
        assertScoreMatches(w, owner, `heartbeat ${i}`)
      }
      const n = w.node(owner)
      assert.ok(n.jobsAssigned > REPUTATION.maturityJobs, 'past maturity')
      assert.ok(n.jobsFailed > 0 && n.ratings > 0 && n.heartbeatsExpected > n.heartbeatsReceived)
      assert.ok(n.suspendedUntil > 0n, 'the history includes a repeated-failure suspension')
      assert.ok(n.reputation > 0)
    })

    it('clamps the adjustment at ±max and the score at 0', () => {
      const { w, worker } = setup()
      const key = nodePda(w.pid, worker.kp.publicKey).address
      w.patch(key, (v) => { v.setInt16(8 + fieldOffset(NODE, 'adjustment'), -REPUTATION.maxScore + 5, true) })
      const client = w.wallet(100n)
      const escrow = w.escrow(client, worker, 1n, TOKEN, { timeoutSecs: 600n, estimatedSeconds: 50n })
      w.ledger.warp(601n)
      w.ledger.mustSend([timeoutIx(w, client, worker, escrow)], [w.ledger.payer])
      const n = w.node(worker.kp.publicKey)
      assert.equal(n.adjustment, -REPUTATION.maxScore, 'clamped, not −1025')
      assert.equal(n.reputation, 0)
      assertScoreMatches(w, worker.kp.publicKey, 'clamped')
    })
  })

  describe('anchor_progress', () => {
    it('records monotonic epochs up to the spec\'s count, by the assigned worker only', () => {
      const { w, worker, client } = setup()
      const escrow = w.escrow(client, worker, 1n, TOKEN, { epochsTotal: 10 })
      const res = record('anchor_progress', w.ledger.send([anchorProgress({ worker: worker.kp.publicKey, escrow }, 3, hash('root-3'), w.pid)], [worker.kp]))
      let e = w.escrowAccount(escrow)
      assert.equal(e.epochsDone, 3)
      assert.deepEqual(e.progressRoot, hash('root-3'))
      const [ev] = parseEvents(res.logs)
      assert.equal(ev?.name, 'ProgressAnchored')
      assert.equal(ev?.data.epoch, 3n)
      const ix = (epoch: number) => anchorProgress({ worker: worker.kp.publicKey, escrow }, epoch, hash(`root-${epoch}`), w.pid)
      expectError(w.ledger.send([ix(3)], [worker.kp]), 'InvalidEpoch') // not forward (replay)
      expectError(w.ledger.send([ix(2)], [worker.kp]), 'InvalidEpoch')
      expectError(w.ledger.send([ix(11)], [worker.kp]), 'InvalidEpoch')
      expectError(w.ledger.send([anchorProgress({ worker: client.kp.publicKey, escrow }, 4, hash('x'), w.pid)], [client.kp]), 'ConstraintHasOne')
      expectError(w.ledger.send([withAccount(ix(4), 0, worker.kp.publicKey, { isSigner: false })], [w.ledger.payer]), 'AccountNotSigner')
      // A byte-for-byte copy of the escrow owned by another program.
      const real = w.ledger.account(escrow)
      assert.ok(real)
      const fake = Keypair.generate().publicKey
      w.ledger.setAccount(fake, { ...real, owner: SystemProgram.programId })
      expectError(w.ledger.send([anchorProgress({ worker: worker.kp.publicKey, escrow: fake }, 4, hash('x'), w.pid)], [worker.kp]), 'AccountOwnedByWrongProgram')
      // The final epoch: the root of the checkpoints the worker then delivers.
      w.ledger.mustSend([anchorProgress({ worker: worker.kp.publicKey, escrow }, 10, w.deliveryRun(escrow).root, w.pid)], [worker.kp])
      e = w.escrowAccount(escrow)
      assert.equal(e.epochsDone, 10)
      w.deliver(worker, escrow) // in time: a delivery after the deadline is refused
      w.ledger.warp(86_401n)
      const other = w.escrow(client, worker, 2n, TOKEN, { timeoutSecs: 600n, estimatedSeconds: 100n })
      w.ledger.warp(601n)
      expectError(w.ledger.send([anchorProgress({ worker: worker.kp.publicKey, escrow: other }, 1, hash('late'), w.pid)], [worker.kp]), 'DeadlinePassed')
      w.ledger.mustSend([w.completeIx(client, worker, escrow)], [client.kp])
      expectError(w.ledger.send([anchorProgress({ worker: worker.kp.publicKey, escrow }, 10, hash('x'), w.pid)], [worker.kp]), 'InvalidEscrowState')
    })
  })

  describe('heartbeat', () => {
    it('counts received and expected heartbeats (uptime), at most one per interval', () => {
      const { w, worker } = setup()
      const owner = worker.kp.publicKey
      const interval = BigInt(ESCROW.heartbeatIntervalSeconds)
      expectError(w.ledger.send([heartbeat({ owner }, w.pid)], [worker.kp]), 'HeartbeatTooSoon')
      w.ledger.warp(interval)
      record('heartbeat', w.ledger.send([heartbeat({ owner }, w.pid)], [worker.kp]))
      let n = w.node(owner)
      assert.equal(n.heartbeatsReceived, 1)
      assert.equal(n.heartbeatsExpected, 1)
      expectError(w.ledger.send([heartbeat({ owner }, w.pid)], [worker.kp]), 'HeartbeatTooSoon') // replay
      w.ledger.warp(3_600n) // an hour's gap: 30 intervals expected, 1 received
      w.ledger.mustSend([heartbeat({ owner }, w.pid)], [worker.kp])
      n = w.node(owner)
      assert.equal(n.heartbeatsReceived, 2)
      assert.equal(n.heartbeatsExpected, 31)
      assertScoreMatches(w, owner, 'heartbeat')
      const other = w.wallet(0n)
      expectError(w.ledger.send([heartbeat({ owner: other.kp.publicKey, node: nodePda(w.pid, owner).address }, w.pid)], [other.kp]), 'ConstraintHasOne')
      expectError(w.ledger.send([withAccount(heartbeat({ owner }, w.pid), 0, owner, { isSigner: false })], [w.ledger.payer]), 'AccountNotSigner')
    })
  })

  describe('cancel', () => {
    it('pays the worker pro rata to anchored progress plus the 10 % fee (cancellationSplit), refunds the rest', () => {
      const { w, worker, client } = setup()
      const amount = 9n * TOKEN + 7n
      const escrow = w.escrow(client, worker, 1n, amount, { epochsTotal: 7 })
      w.ledger.mustSend([anchorProgress({ worker: worker.kp.publicKey, escrow }, 3, hash('r'), w.pid)], [worker.kp])
      const expected = onChainCancel(amount, progressBps(3, 7), SETTLEMENT.platformFeeBps)
      const workerBefore = w.ledger.tokenBalance(worker.token)
      const clientBefore = w.ledger.tokenBalance(client.token)
      const res = record('cancel', w.ledger.send([cancelIx(w, client, worker, escrow)], [client.kp]))
      assert.equal(w.ledger.tokenBalance(worker.token) - workerBefore, expected.worker)
      assert.equal(w.ledger.tokenBalance(client.token) - clientBefore, expected.client)
      assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address), expected.platform, 'the earned part paid the platform fee')
      assert.equal(expected.worker + expected.platform + expected.client, amount)
      assert.equal(w.ledger.tokenBalance(escrowVaultPda(w.pid, escrow).address), 0n)
      assert.equal(w.escrowAccount(escrow).state, ESCROW_STATE.cancelled)
      const n = w.node(worker.kp.publicKey)
      assert.equal(n.jobsActive, 0)
      assert.equal(n.jobsAssigned, 0, 'a cancelled job does not count against the worker')
      assertScoreMatches(w, worker.kp.publicKey, 'cancel')
      const [ev] = parseEvents(res.logs)
      assert.equal(ev?.name, 'EscrowCancelled')
      assert.equal(ev?.data.clientRefund, expected.client)
      expectError(w.ledger.send([cancelIx(w, client, worker, escrow)], [client.kp]), 'InvalidEscrowState') // replay
    })

    it('caps the worker at the amount at full progress, and refuses other signers, token accounts and mints', () => {
      const { w, worker, client } = setup()
      const amount = 3n * TOKEN
      const escrow = w.escrow(client, worker, 1n, amount, { epochsTotal: 4 })
      const intruder = w.wallet(10n)
      expectError(w.ledger.send([cancel({ client: intruder.kp.publicKey, escrow, worker: worker.kp.publicKey, workerToken: worker.token, clientToken: intruder.token }, w.pid)], [intruder.kp]), 'ConstraintHasOne')
      expectError(w.ledger.send([cancel({ client: client.kp.publicKey, escrow, worker: worker.kp.publicKey, workerToken: worker.token, clientToken: intruder.token }, w.pid)], [client.kp]), 'ConstraintTokenOwner')
      expectError(w.ledger.send([cancel({ client: client.kp.publicKey, escrow, worker: worker.kp.publicKey, workerToken: intruder.token, clientToken: client.token }, w.pid)], [client.kp]), 'ConstraintTokenOwner')
      const otherMint = w.ledger.createMint(w.mintAuthority.publicKey, 9)
      const foreign = w.ledger.createTokenAccount(otherMint, client.kp.publicKey)
      expectError(w.ledger.send([cancel({ client: client.kp.publicKey, escrow, worker: worker.kp.publicKey, workerToken: worker.token, clientToken: foreign }, w.pid)], [client.kp]), 'ConstraintTokenMint')
      expectError(w.ledger.send([cancel({ client: client.kp.publicKey, escrow, worker: worker.kp.publicKey, workerToken: worker.token, clientToken: client.token, escrowVault: vaultPda(w.pid, 'insurance').address }, w.pid)], [client.kp]), 'ConstraintAddress')
      w.ledger.mustSend([anchorProgress({ worker: worker.kp.publicKey, escrow }, 4, hash('r'), w.pid)], [worker.kp])
      const before = w.ledger.tokenBalance(worker.token)
      w.ledger.mustSend([cancelIx(w, client, worker, escrow)], [client.kp])
      // At full progress the worker earned all of it: paid as by complete, 90/10 (audit finding 11).
      const fee = amount * BigInt(SETTLEMENT.platformFeeBps) / 10_000n
      assert.equal(w.ledger.tokenBalance(worker.token) - before, amount - fee)
      assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address), fee)
      assert.deepEqual(cancellationSplit(amount, 10_000), { worker: amount, client: 0n })
      assert.deepEqual(onChainCancel(amount, 10_000, SETTLEMENT.platformFeeBps), { worker: amount - fee, platform: fee, client: 0n })
    })

    it('splits an amount near u64::MAX exactly', () => {
      const { w, worker, client } = setup()
      w.patch(nodePda(w.pid, worker.kp.publicKey).address, (v) => {
        v.setBigUint64(8 + fieldOffset(NODE, 'stake'), STAKE_TIERS[3]?.minStake ?? 0n, true)
        v.setInt16(8 + fieldOffset(NODE, 'adjustment'), 900, true)
        v.setUint16(8 + fieldOffset(NODE, 'reputation'), 900, true)
      })
      const amount = U64_MAX - w.supply()
      w.mintTo(client.token, amount)
      const escrow = w.escrow(client, worker, 1n, amount, { epochsTotal: 3 })
      w.ledger.mustSend([anchorProgress({ worker: worker.kp.publicKey, escrow }, 2, hash('r'), w.pid)], [worker.kp])
      const before = w.ledger.tokenBalance(worker.token)
      w.ledger.mustSend([cancelIx(w, client, worker, escrow)], [client.kp])
      assert.equal(w.ledger.tokenBalance(worker.token) - before, onChainCancel(amount, progressBps(2, 3), SETTLEMENT.diamondPlatformFeeBps).worker)
    })
  })

  describe('timeout_refund', () => {
    it('after the deadline, by anyone: full refund, 10 % stake slash (80 % insurance, 20 % burned), −30', () => {
      const { w, worker, client } = setup()
      const amount = 4n * TOKEN
      const escrow = w.escrow(client, worker, 1n, amount, { timeoutSecs: 7_200n })
      const stranger = w.ledger.fundedKeypair()
      expectError(w.ledger.send([timeoutIx(w, client, worker, escrow)], [stranger]), 'DeadlineNotReached')
      w.ledger.warp(7_200n)
      expectError(w.ledger.send([timeoutIx(w, client, worker, escrow)], [stranger]), 'DeadlineNotReached') // at the deadline: not after
      w.ledger.warp(1n)
      const clientBefore = w.ledger.tokenBalance(client.token)
      const supplyBefore = w.supply()
      const expected = slashStake(minStake, SLASHING.timeoutBps)
      const res = record('timeout_refund', w.ledger.send([timeoutIx(w, client, worker, escrow)], [stranger]))
      assert.equal(w.ledger.tokenBalance(client.token) - clientBefore, amount)
      assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'insurance').address), expected.insurance)
      assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'stake').address), expected.remaining)
      assert.equal(supplyBefore - w.supply(), expected.burned, 'burned by SPL Burn: the supply fell')
      const c = w.config()
      assert.equal(c.totalBurned, expected.burned)
      assert.equal(c.totalStaked, expected.remaining)
      const n = w.node(worker.kp.publicKey)
      assert.equal(n.stake, expected.remaining)
      assert.equal(n.jobsFailed, 1)
      assert.equal(n.jobsActive, 0)
      assert.equal(n.adjustment, REPUTATION.penalties.timeout)
      assertScoreMatches(w, worker.kp.publicKey, 'timeout')
      assert.equal(w.escrowAccount(escrow).state, ESCROW_STATE.timedOut)
      assert.deepEqual(parseEvents(res.logs).map((e) => e.name), ['TimeoutRefunded', 'StakeSlashed'])
      assert.equal(parseEvents(res.logs)[1]?.data.burned, expected.burned)
      expectError(w.ledger.send([timeoutIx(w, client, worker, escrow)], [stranger]), 'InvalidEscrowState') // replay
    })

    it('refuses wrong vaults, a wrong mint, another client\'s token account, and a completed escrow', () => {
      const { w, worker, client } = setup()
      const escrow = w.escrow(client, worker, 1n, TOKEN, { timeoutSecs: 600n, estimatedSeconds: 100n })
      // A second job, delivered and completed in time (complete needs the worker's delivery).
      const done = w.escrow(client, worker, 2n, TOKEN, { timeoutSecs: 600n, estimatedSeconds: 100n })
      w.deliver(worker, done)
      w.ledger.mustSend([w.completeIx(client, worker, done)], [client.kp])
      w.ledger.warp(601n)
      const base = { escrow, worker: worker.kp.publicKey, clientToken: client.token, mint: w.mint }
      const payer = w.ledger.payer
      expectError(w.ledger.send([timeoutRefund({ ...base, insuranceVault: vaultPda(w.pid, 'platform').address }, w.pid)], [payer]), 'ConstraintAddress')
      expectError(w.ledger.send([timeoutRefund({ ...base, stakeVault: vaultPda(w.pid, 'platform').address }, w.pid)], [payer]), 'ConstraintAddress')
      const otherMint = w.ledger.createMint(w.mintAuthority.publicKey, 9)
      expectError(w.ledger.send([timeoutRefund({ ...base, mint: otherMint }, w.pid)], [payer]), 'ConstraintAddress')
      const thief = w.wallet(0n)
      expectError(w.ledger.send([timeoutRefund({ ...base, clientToken: thief.token }, w.pid)], [payer]), 'ConstraintTokenOwner')
      const other = w.worker(minStake)
      expectError(w.ledger.send([timeoutRefund({ ...base, workerNode: nodePda(w.pid, other.kp.publicKey).address }, w.pid)], [payer]), 'ConstraintHasOne')
      expectError(w.ledger.send([timeoutRefund({ ...base, escrow: done }, w.pid)], [payer]), 'InvalidEscrowState')
    })
  })

  describe('rate_worker', () => {
    it('once per completed job, by its client, 1..5 stars; five stars add the five-star recovery weighted by paid value', () => {
      const { w, worker, client } = setup()
      const escrow = w.escrow(client, worker, 1n, 9n * TOKEN)
      // Test set-up: a client with a paid history (test/e2e/chain/security.test.ts earns one for real).
      const state = clientStatePda(w.pid, client.kp.publicKey).address
      w.patch(state, (v) => { v.setUint32(8 + fieldOffset(CLIENT_STATE, 'paidJobs'), REPUTATION.minRaterPaidJobs, true) })
      const rate = (stars: number, by = client) => rateWorker({ client: by.kp.publicKey, escrow, worker: worker.kp.publicKey }, stars, w.pid)
      expectError(w.ledger.send([rate(5)], [client.kp]), 'InvalidEscrowState') // not completed yet
      w.deliver(worker, escrow)
      w.ledger.mustSend([w.completeIx(client, worker, escrow)], [client.kp])
      expectError(w.ledger.send([rate(0)], [client.kp]), 'InvalidStars')
      expectError(w.ledger.send([rate(6)], [client.kp]), 'InvalidStars')
      const intruder = w.wallet(0n)
      expectError(w.ledger.send([rate(1, intruder)], [intruder.kp]), 'ConstraintHasOne')
      const before = w.node(worker.kp.publicKey).adjustment
      const res = record('rate_worker', w.ledger.send([rate(5)], [client.kp]))
      const n = w.node(worker.kp.publicKey)
      assert.equal(n.ratings, 1)
      assert.equal(n.ratingStarsSum, 5)
      assert.equal(n.adjustment - before, valueWeightedPoints(REPUTATION.recoveries.fiveStarRating, 9n * TOKEN))
      assert.equal(n.adjustment - before, 4) // floor(5 × 9 / 10)
      assert.equal(decodeClientState(w.ledger.account(state)?.data ?? new Uint8Array()).paidJobs, REPUTATION.minRaterPaidJobs + 1)
      assertScoreMatches(w, worker.kp.publicKey, 'rated')
      assert.equal(parseEvents(res.logs)[0]?.data.reputation, BigInt(n.reputation))
      expectError(w.ledger.send([rate(4)], [client.kp]), 'AlreadyRated')
    })
  })

  describe('request_unstake and withdraw_stake', () => {
    it('30-day lock +7 days per job (extendLockForJob), 14-day cooldown (withdrawableAt), no active jobs', () => {
      const w = new World().initialize()
      const t0 = w.ledger.unixTime()
      const worker = w.worker(minStake)
      const owner = worker.kp.publicKey
      assert.equal(w.node(owner).lockUntil, BigInt(initialLockUntil(Number(t0))))
      const client = w.wallet(100n)
      expectError(w.ledger.send([withdrawStake({ owner, ownerToken: worker.token }, w.pid)], [worker.kp]), 'UnstakeNotRequested')
      const escrow = w.escrow(client, worker, 1n, TOKEN)
      w.deliver(worker, escrow) // delivered in time; the job stays active until the client completes it
      const lock = BigInt(extendLockForJob(initialLockUntil(Number(t0)), Number(t0)))
      assert.equal(w.node(owner).lockUntil, lock)
      assert.equal(lock, t0 + BigInt(STAKE_LOCK.minLockSeconds + STAKE_LOCK.perActiveJobSeconds))
      const res = record('request_unstake', w.ledger.send([requestUnstake({ owner }, w.pid)], [worker.kp]))
      assert.equal(parseEvents(res.logs)[0]?.name, 'UnstakeRequested')
      expectError(w.ledger.send([requestUnstake({ owner }, w.pid)], [worker.kp]), 'UnstakeAlreadyRequested')
      const other = w.wallet(0n)
      expectError(w.ledger.send([requestUnstake({ owner: other.kp.publicKey, node: nodePda(w.pid, owner).address }, w.pid)], [other.kp]), 'ConstraintHasOne')
      const n = w.node(owner)
      assert.equal(n.unstakeRequested, 1)
      // No new jobs once unstaking.
      expectError(w.ledger.send([w.createEscrowIx(client, owner, w.escrowArgs(2n, TOKEN))], [client.kp]), 'NodeNotActive')
      const at = BigInt(withdrawableAt(Number(n.lockUntil), Number(n.unstakeRequestedAt)))
      w.ledger.warp(at - w.ledger.unixTime())
      expectError(w.ledger.send([withdrawStake({ owner, ownerToken: worker.token }, w.pid)], [worker.kp]), 'ActiveJobs')
      w.ledger.mustSend([w.completeIx(client, worker, escrow)], [client.kp])
      w.ledger.warp(-1n)
      expectError(w.ledger.send([withdrawStake({ owner, ownerToken: worker.token }, w.pid)], [worker.kp]), 'StakeLocked')
      w.ledger.warp(1n)
      const intruder = w.wallet(0n)
      expectError(w.ledger.send([withdrawStake({ owner, ownerToken: intruder.token }, w.pid)], [worker.kp]), 'ConstraintTokenOwner')
      expectError(w.ledger.send([withdrawStake({ owner: intruder.kp.publicKey, ownerToken: intruder.token, node: nodePda(w.pid, owner).address }, w.pid)], [intruder.kp]), 'ConstraintHasOne')
      expectError(w.ledger.send([withdrawStake({ owner, ownerToken: worker.token, stakeVault: vaultPda(w.pid, 'insurance').address }, w.pid)], [worker.kp]), 'ConstraintAddress')
      const before = w.ledger.tokenBalance(worker.token)
      record('withdraw_stake', w.ledger.send([withdrawStake({ owner, ownerToken: worker.token }, w.pid)], [worker.kp]))
      assert.equal(w.ledger.tokenBalance(worker.token) - before, minStake)
      assert.equal(w.node(owner).stake, 0n)
      assert.equal(w.config().totalStaked, 0n)
      expectError(w.ledger.send([withdrawStake({ owner, ownerToken: worker.token }, w.pid)], [worker.kp]), 'ZeroAmount') // replay
    })
  })

  describe('client rate limit', () => {
    it('allows 10 escrows per client per fixed window (takeRateLimit), in a per-client PDA', () => {
      const w = new World().initialize()
      const worker = w.worker(minStake)
      const client = w.wallet(100n)
      for (let i = 1n; i <= BigInt(ESCROW.jobsPerWalletPerDay); i++) w.escrow(client, worker, i, TOKEN)
      const state = w.ledger.account(clientStatePda(w.pid, client.kp.publicKey).address)
      assert.ok(state)
      const cs = decodeClientState(state.data)
      assert.equal(cs.jobsInWindow, ESCROW.jobsPerWalletPerDay)
      assert.ok(cs.client.equals(client.kp.publicKey))
      expectError(w.ledger.send([w.createEscrowIx(client, worker.kp.publicKey, w.escrowArgs(11n, TOKEN))], [client.kp]), 'RateLimited')
      // Another client is not affected; nor is this one a window later.
      const other = w.wallet(10n)
      w.escrow(other, worker, 1n, TOKEN)
      w.ledger.warp(BigInt(ESCROW.rateLimitWindowSeconds) - 1n)
      expectError(w.ledger.send([w.createEscrowIx(client, worker.kp.publicKey, w.escrowArgs(11n, TOKEN))], [client.kp]), 'RateLimited')
      w.ledger.warp(1n)
      w.escrow(client, worker, 11n, TOKEN)
      assert.equal(decodeClientState(w.ledger.account(clientStatePda(w.pid, client.kp.publicKey).address)?.data ?? new Uint8Array()).jobsInWindow, 1)
      // Someone else's window cannot be passed off as the client's.
      const ix = w.createEscrowIx(client, worker.kp.publicKey, w.escrowArgs(12n, TOKEN))
      expectError(w.ledger.send([withAccount(ix, 7, clientStatePda(w.pid, other.kp.publicKey).address)], [client.kp]), 'ConstraintSeeds')
      const fresh = w.wallet(10n)
      const ix2 = w.createEscrowIx(fresh, worker.kp.publicKey, w.escrowArgs(1n, TOKEN))
      expectError(w.ledger.send([withAccount(ix2, 7, Keypair.generate().publicKey)], [fresh.kp]), 'ConstraintSeeds')
    })

    it('refuses an estimate of zero or past the timeout, and zero epochs', () => {
      const { w, worker, client } = setup()
      const send = (over: object) => w.ledger.send([w.createEscrowIx(client, worker.kp.publicKey, w.escrowArgs(1n, TOKEN, over))], [client.kp])
      expectError(send({ estimatedSeconds: 0n }), 'InvalidEstimate')
      expectError(send({ estimatedSeconds: 86_401n }), 'InvalidEstimate')
      expectError(send({ epochsTotal: 0 }), 'InvalidEpoch')
    })
  })

  describe('create_escrow: the zk tier\'s dataset commitment', () => {
    /** 32 bytes big-endian of `n` (< 2^256; values ≥ r on purpose, which fieldToBytes refuses). */
    const be = (n: bigint): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * (31 - i))) & 0xffn))
    const SEVEN = be(7n)
    /** Where the trailing arguments sit in the instruction data (after the 8-byte discriminator). */
    const TIER_AT = 8 + fieldOffset(ARGS.create_escrow, 'tier')
    const DATA_AT = 8 + fieldOffset(ARGS.create_escrow, 'dataCommitment')
    const zkSetup = (): ReturnType<typeof setup> => {
      const s = setup()
      // A well-formed key blob for the step circuit's 5 public inputs (create_escrow only hashes it).
      const key = new Uint8Array(452 + 64 * 6)
      key[0] = 5
      s.w.setVerifyingKey(1, key)
      return s
    }

    it('requires a canonical, non-zero field element for zk and records it; optimistic escrows carry zero', () => {
      const { w, worker, client } = zkSetup()
      let nonce = 0n
      const ix = (over: object): ReturnType<World['createEscrowIx']> => w.createEscrowIx(client, worker.kp.publicKey, w.escrowArgs(++nonce, TOKEN, over))
      const zk = (dataCommitment: Uint8Array): ReturnType<World['createEscrowIx']> => ix({ tier: TIER.zk, circuitId: 1, dataCommitment })
      /** The zk instruction rewritten as an older or hand-made client would send it. */
      const edit = (i: ReturnType<World['createEscrowIx']>, f: (d: Buffer) => Buffer): ReturnType<World['createEscrowIx']> => {
        i.data = f(Buffer.from(i.data))
        return i
      }
      const cases: readonly (readonly [what: string, ix: () => ReturnType<World['createEscrowIx']>, expected: Uint8Array | 'InvalidDataCommitment'])[] = [
        ['zk, zero', () => zk(new Uint8Array(32)), 'InvalidDataCommitment'],
        ['zk, all 0xff (≥ r)', () => zk(new Uint8Array(32).fill(0xff)), 'InvalidDataCommitment'],
        ['zk, exactly r', () => zk(be(BN254_SCALAR_FIELD)), 'InvalidDataCommitment'],
        ['zk, r + 1', () => zk(be(BN254_SCALAR_FIELD + 1n)), 'InvalidDataCommitment'],
        ['zk, left out (tier and circuit id only, as before)', () => edit(zk(SEVEN), (d) => d.subarray(0, DATA_AT)), 'InvalidDataCommitment'],
        ['optimistic, non-zero', () => edit(zk(SEVEN), (d) => { d[TIER_AT] = TIER.optimistic; return d }), 'InvalidDataCommitment'],
        ['zk, 7', () => zk(SEVEN), SEVEN],
        ['zk, r − 1 (the largest field element)', () => zk(be(BN254_SCALAR_FIELD - 1n)), be(BN254_SCALAR_FIELD - 1n)],
        ['optimistic (32 zero bytes)', () => ix({}), new Uint8Array(32)],
        ['optimistic, tier and circuit id only', () => edit(ix({}), (d) => d.subarray(0, DATA_AT)), new Uint8Array(32)],
        ['optimistic, no trailing arguments', () => edit(ix({}), (d) => d.subarray(0, TIER_AT)), new Uint8Array(32)]
      ]
      for (const [what, build, expected] of cases) {
        const i = build()
        const res = w.ledger.send([i], [client.kp])
        if (typeof expected === 'string') {
          expectError(res, expected)
          continue
        }
        record('create_escrow', res)
        const e = w.escrowAccount(escrowPda(w.pid, client.kp.publicKey, nonce).address)
        assert.deepEqual(e.dataCommitment, expected, what)
        assert.equal(e.tier, what.startsWith('zk') ? TIER.zk : TIER.optimistic, what)
      }
    })

    it('the builder requires 32 bytes for zk and refuses them for optimistic', () => {
      const { w, worker, client } = zkSetup()
      const build = (over: object): unknown => w.createEscrowIx(client, worker.kp.publicKey, w.escrowArgs(1n, TOKEN, over))
      assert.throws(() => build({ tier: TIER.zk, circuitId: 1 }), RangeError)
      assert.throws(() => build({ tier: TIER.zk, circuitId: 1, dataCommitment: new Uint8Array(31) }), RangeError)
      assert.throws(() => build({ dataCommitment: new Uint8Array(32) }), RangeError)
      assert.throws(() => build({ tier: TIER.optimistic, dataCommitment: SEVEN }), RangeError)
    })
  })

  describe('update_config', () => {
    it('lets only the admin replace the parameters (validated); the role moves only by propose/accept', () => {
      const w = new World().initialize()
      const params = { ...w.params, jobsPerWalletPerDay: 3 }
      const intruder = w.ledger.fundedKeypair()
      expectError(w.ledger.send([updateConfig({ admin: intruder.publicKey }, params, w.pid)], [intruder]), 'Unauthorized')
      expectError(w.ledger.send([updateConfig({ admin: w.admin.publicKey }, { ...params, platformFeeBps: 10_001 }, w.pid)], [w.admin]), 'InvalidParameters')
      expectError(w.ledger.send([updateConfig({ admin: w.admin.publicKey }, { ...params, repMaturityJobs: 0 }, w.pid)], [w.admin]), 'InvalidParameters')
      expectError(w.ledger.send([withAccount(updateConfig({ admin: w.admin.publicKey }, params, w.pid), 0, w.admin.publicKey, { isSigner: false })], [intruder]), 'AccountNotSigner')
      const fake = Keypair.generate().publicKey
      const real = w.ledger.account(configPda(w.pid).address)
      assert.ok(real)
      w.ledger.setAccount(fake, { ...real, owner: SystemProgram.programId })
      expectError(w.ledger.send([updateConfig({ admin: w.admin.publicKey, config: fake }, params, w.pid)], [w.admin]), 'AccountOwnedByWrongProgram')
      const res = record('update_config', w.ledger.send([updateConfig({ admin: w.admin.publicKey }, params, w.pid)], [w.admin]))
      assert.equal(parseEvents(res.logs)[0]?.name, 'ConfigUpdated')
      const c = decodeConfig(w.ledger.account(configPda(w.pid).address)?.data ?? new Uint8Array())
      assert.deepEqual(c.params, params)
      // update_config no longer hands the role over (test/e2e/chain/security.test.ts, finding 15).
      assert.ok(c.admin.equals(w.admin.publicKey))
      // The new parameters are in force: 3 jobs per window.
      const worker = w.worker(minStake)
      const client = w.wallet(10n)
      for (let i = 1n; i <= 3n; i++) w.escrow(client, worker, i, TOKEN)
      expectError(w.ledger.send([w.createEscrowIx(client, worker.kp.publicKey, w.escrowArgs(4n, TOKEN))], [client.kp]), 'RateLimited')
    })
  })

  describe('close_escrow', () => {
    it('closes a finished escrow and its vault, returning both rents to the client', () => {
      const { w, worker, client } = setup()
      const escrow = w.escrow(client, worker, 1n, TOKEN)
      const vault = escrowVaultPda(w.pid, escrow).address
      const close = (by = client) => closeEscrow({ client: by.kp.publicKey, escrow }, w.pid)
      expectError(w.ledger.send([close()], [client.kp]), 'EscrowNotFinished')
      w.deliver(worker, escrow)
      w.ledger.mustSend([w.completeIx(client, worker, escrow)], [client.kp])
      const intruder = w.wallet(0n)
      expectError(w.ledger.send([close(intruder)], [intruder.kp]), 'ConstraintHasOne')
      expectError(w.ledger.send([closeEscrow({ client: client.kp.publicKey, escrow, escrowVault: vaultPda(w.pid, 'insurance').address }, w.pid)], [client.kp]), 'ConstraintAddress')
      const rents = (w.ledger.account(escrow)?.lamports ?? 0n) + (w.ledger.account(vault)?.lamports ?? 0n)
      const before = w.ledger.account(client.kp.publicKey)?.lamports ?? 0n
      record('close_escrow', w.ledger.send([close()], [client.kp]))
      assert.equal(w.ledger.account(escrow), null)
      assert.equal(w.ledger.account(vault), null)
      assert.equal((w.ledger.account(client.kp.publicKey)?.lamports ?? 0n) - before, rents - 5_000n, 'both rents, less the fee')
      expectError(w.ledger.send([close()], [client.kp]), 'AccountOwnedByWrongProgram') // replay: gone
    })
  })
})
