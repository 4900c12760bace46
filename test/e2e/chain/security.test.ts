/**
 * Issue 15, "Economic security": each audit finding's exploit, run as the attacker would, against
 * the real program. Each test asserts the attack now fails and that no balance moved (every token
 * account the attack touches, the stake vault and the mint supply). docs/security.md lists them.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Connection, Keypair, SYSVAR_CLOCK_PUBKEY, type PublicKey } from '@solana/web3.js'
import { createTransferInstruction } from '@solana/spl-token'
import {
  acceptJob, anchorProgress, cancel, claimPayment, closeDispute, closeEscrow, configParamsFromProtocol, decodeVerifyingKey, disputePda,
  finalizeDispute, nodePda, openDispute, rateWorker, setVerifyingKey, slashInvalidProof, submitDelivery, timeoutRefund, vaultPda, verifyingKeyPda,
  voteVaultPda, votePda, TIER, ESCROW_STATE, DISPUTE_STATE, SIDE, parseEvents, reputationRecordOf
} from '../../../chain/client/index.js'
import { AIRDROP_LIMITS, EmbeddedLedger, LedgerRpcServer } from '../../../chain/rpc/index.js'
import {
  DISPUTE, ESCROW, REPUTATION, STAKE_TIERS, UNITS_PER_TOKEN, digestCommitment, fieldToBytes, jurorDeposit, jurorPayout, reputationComponents, reputationScore, reputationTier,
  valueWeightedPoints
} from '../../../protocols/index.js'
import { TOKEN, World, deliveryArgs, expectError, hash, program, record, type Wallet } from '../../fixtures/world.js'
import { Court } from './jury.js'

const minStake = STAKE_TIERS[0]?.minStake ?? 0n

/** Three or more staked `jurors` all drawn (k · stake ≥ total) reveal `side` in one round, which decides; each is then settled. */
function juryDecides (w: World, escrow: PublicKey, jurors: readonly Wallet[], side: 'client' | 'worker'): void {
  const court = new Court(w, escrow)
  court.round(new Map(jurors.map((j) => [j, side])), jurors)
  assert.equal(w.dispute(court.dispute).state, DISPUTE_STATE.resolved)
  for (const j of jurors) w.ledger.mustSend([court.withdrawIx(j, 0)], [w.ledger.payer])
}

/** The griefer's move: one base unit sent straight into a program vault with SPL Transfer. */
function griefTransfer (w: World, from: PublicKey, to: PublicKey, owner: Keypair): void {
  w.ledger.mustSend([createTransferInstruction(from, to, owner.publicKey, 1n)], [owner])
}

/** Every balance an attack could move: the given token accounts, the program's vaults, the supply. */
function balances (w: World, accounts: readonly PublicKey[]): bigint[] {
  const vaults = (['platform', 'insurance', 'stake'] as const).map((k) => vaultPda(w.pid, k).address)
  return [...accounts, ...vaults].map((a) => w.ledger.tokenBalance(a)).concat([w.supply()])
}

describe('chain/security: the audit\'s exploits fail (issue 15)', () => {
  before(function () {
    this.timeout(600_000)
    program()
  })

  describe('finding 1 (critical): an unsolicited escrow cannot slash its named worker', () => {
    it('the attacker\'s dust escrow with a 1-second timeout is refused outright', () => {
      const w = new World().initialize()
      const victim = w.worker(minStake)
      const attacker = w.wallet(10n)
      const before = balances(w, [victim.token, attacker.token])
      // The audited exploit: 1 base unit, 1-second timeout.
      expectError(w.ledger.send([w.createEscrowIx(attacker, victim.kp.publicKey, w.escrowArgs(1n, 1n, { timeoutSecs: 1n, estimatedSeconds: 1n }))], [attacker.kp]), 'AmountBelowMinimum')
      expectError(w.ledger.send([w.createEscrowIx(attacker, victim.kp.publicKey, w.escrowArgs(1n, ESCROW.minAmount - 1n))], [attacker.kp]), 'AmountBelowMinimum')
      expectError(w.ledger.send([w.createEscrowIx(attacker, victim.kp.publicKey, w.escrowArgs(1n, TOKEN, { timeoutSecs: BigInt(ESCROW.minTimeoutSeconds - 1), estimatedSeconds: 1n }))], [attacker.kp]), 'InvalidTimeout')
      assert.deepEqual(balances(w, [victim.token, attacker.token]), before)
    })

    it('an unaccepted escrow past its deadline: timeout_refund, disputes and slash_invalid_proof are refused; only the client\'s cancel refunds it, in full, with no slash', () => {
      const w = new World().initialize()
      const victim = w.worker(minStake)
      const attacker = w.wallet(10n)
      const stranger = w.ledger.fundedKeypair()
      const timeout = BigInt(ESCROW.minTimeoutSeconds)
      const escrow = w.offer(attacker, victim.kp.publicKey, 1n, ESCROW.minAmount, { timeoutSecs: timeout, estimatedSeconds: 1n })
      const nodeBefore = w.node(victim.kp.publicKey)
      assert.equal(nodeBefore.jobsActive, 0, 'an offer does not touch the worker\'s record')
      assert.equal(nodeBefore.jobsAssigned, 0)
      const lockBefore = nodeBefore.lockUntil
      w.ledger.warp(timeout + 1n)
      const before = balances(w, [victim.token, attacker.token])
      const refund = { escrow, worker: victim.kp.publicKey, clientToken: attacker.token, mint: w.mint }
      expectError(w.ledger.send([timeoutRefund(refund, w.pid)], [stranger]), 'NotAccepted')
      expectError(w.ledger.send([slashInvalidProof(refund, w.pid)], [stranger]), 'InvalidTier')
      expectError(w.ledger.send([openDispute({ claimant: attacker.kp.publicKey, claimantToken: attacker.token, escrow, mint: w.mint }, 'bafy-frame', w.pid)], [attacker.kp]), 'NotAccepted')
      // The worker cannot be made to work on it either, nor accept it after the offer expired.
      expectError(w.ledger.send([anchorProgress({ worker: victim.kp.publicKey, escrow }, 1, hash('r'), w.pid)], [victim.kp]), 'NotAccepted')
      expectError(w.ledger.send([acceptJob({ worker: victim.kp.publicKey, escrow }, w.pid)], [victim.kp]), 'DeadlinePassed')
      assert.deepEqual(balances(w, [victim.token, attacker.token]), before, 'no token moved')
      const n = w.node(victim.kp.publicKey)
      assert.equal(n.stake, minStake)
      assert.equal(n.adjustment, 0)
      assert.equal(n.jobsFailed, 0)
      assert.equal(n.lockUntil, lockBefore, 'an offer does not extend the stake lock')
      // The client's cancel: all of it back, nobody paid, nothing slashed.
      const clientBefore = w.ledger.tokenBalance(attacker.token)
      record('cancel', w.ledger.send([cancel({ client: attacker.kp.publicKey, escrow, worker: victim.kp.publicKey, workerToken: victim.token, clientToken: attacker.token }, w.pid)], [attacker.kp]))
      assert.equal(w.ledger.tokenBalance(attacker.token) - clientBefore, ESCROW.minAmount)
      assert.equal(w.node(victim.kp.publicKey).stake, minStake)
      assert.equal(w.node(victim.kp.publicKey).jobsAssigned, 0)
    })

    it('a zk offer with its final root never anchored cannot be slashed as an invalid proof', () => {
      const w = new World().initialize()
      const victim = w.worker(minStake)
      const attacker = w.wallet(10n)
      const key = new Uint8Array(452 + 64 * 6)
      key[0] = 5
      w.setVerifyingKey(1, key, 400)
      const escrow = w.offer(attacker, victim.kp.publicKey, 1n, TOKEN, { tier: TIER.zk, circuitId: 1, epochsTotal: 3, dataCommitment: new Uint8Array(32).fill(7, 31), timeoutSecs: 600n, estimatedSeconds: 60n })
      w.ledger.warp(601n)
      const before = balances(w, [victim.token, attacker.token])
      const refund = { escrow, worker: victim.kp.publicKey, clientToken: attacker.token, mint: w.mint }
      expectError(w.ledger.send([slashInvalidProof(refund, w.pid)], [w.ledger.payer]), 'NotAccepted')
      expectError(w.ledger.send([timeoutRefund(refund, w.pid)], [w.ledger.payer]), 'NotAccepted')
      assert.deepEqual(balances(w, [victim.token, attacker.token]), before)
    })

    it('only the named worker accepts, once; the deadline counts from the acceptance; a slash needs an accepted job past it', () => {
      const w = new World().initialize()
      const worker = w.worker(minStake)
      const client = w.wallet(10n)
      const impostor = w.worker(minStake)
      const escrow = w.offer(client, worker.kp.publicKey, 1n, TOKEN, { timeoutSecs: 3_600n, estimatedSeconds: 600n })
      expectError(w.ledger.send([acceptJob({ worker: impostor.kp.publicKey, escrow }, w.pid)], [impostor.kp]), 'ConstraintHasOne')
      // The worker's own signature, with another node account.
      expectError(w.ledger.send([acceptJob({ worker: worker.kp.publicKey, escrow, workerNode: nodePda(w.pid, impostor.kp.publicKey).address }, w.pid)], [worker.kp]), 'ConstraintHasOne')
      w.ledger.warp(3_000n) // the offer sat for 50 minutes
      w.accept(worker, escrow)
      expectError(w.ledger.send([acceptJob({ worker: worker.kp.publicKey, escrow }, w.pid)], [worker.kp]), 'AlreadyAccepted')
      const e = w.escrowAccount(escrow)
      assert.equal(e.deadline, e.acceptedAt + 3_600n, 'the worker gets the whole timeout from its acceptance')
      const n = w.node(worker.kp.publicKey)
      assert.equal(n.jobsActive, 1)
      assert.equal(n.jobsAssigned, 1)
      const refund = { escrow, worker: worker.kp.publicKey, clientToken: client.token, mint: w.mint }
      w.ledger.warp(3_600n)
      expectError(w.ledger.send([timeoutRefund(refund, w.pid)], [w.ledger.payer]), 'DeadlineNotReached')
      w.ledger.warp(1n)
      record('timeout_refund', w.ledger.send([timeoutRefund(refund, w.pid)], [w.ledger.payer]))
      assert.equal(w.node(worker.kp.publicKey).adjustment, REPUTATION.penalties.timeout, 'an accepted job that ran out is still slashed')
    })
  })

  describe('finding 9 (low): dust in a vault cannot block a close', () => {
    it('close_escrow sweeps a base unit sent into a finished escrow\'s vault to the platform vault', () => {
      const w = new World().initialize()
      const worker = w.worker(minStake)
      const client = w.wallet(10n)
      const griefer = w.wallet(1n)
      const escrow = w.escrow(client, worker, 1n, TOKEN)
      w.deliver(worker, escrow)
      w.ledger.mustSend([w.completeIx(client, worker, escrow)], [client.kp])
      const vault = w.escrowAccount(escrow).vault
      griefTransfer(w, griefer.token, vault, griefer.kp)
      const platformBefore = w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address)
      record('close_escrow', w.ledger.send([closeEscrow({ client: client.kp.publicKey, escrow }, w.pid)], [client.kp]))
      assert.equal(w.ledger.account(escrow), null)
      assert.equal(w.ledger.account(vault), null)
      assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address) - platformBefore, 1n, 'the dust went to the treasury')
    })

    it('close_dispute sweeps a base unit sent into a finalized dispute\'s vote vault', () => {
      const w = new World().initialize()
      const worker = w.worker(minStake)
      const jurors = [w.worker(minStake), w.worker(minStake), w.worker(minStake)]
      const client = w.wallet(10n + DISPUTE.disputeBond / TOKEN)
      const griefer = w.wallet(1n)
      const escrow = w.escrow(client, worker, 1n, TOKEN)
      w.ledger.mustSend([openDispute({ claimant: client.kp.publicKey, claimantToken: client.token, escrow, mint: w.mint }, 'bafy', w.pid)], [client.kp])
      const dispute = disputePda(w.pid, escrow).address
      juryDecides(w, escrow, jurors, 'worker')
      w.ledger.mustSend([finalizeDispute({ escrow, worker: worker.kp.publicKey, clientToken: client.token, workerToken: worker.token, mint: w.mint }, w.pid)], [w.ledger.payer])
      griefTransfer(w, griefer.token, voteVaultPda(w.pid, dispute).address, griefer.kp)
      const platformBefore = w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address)
      record('close_dispute', w.ledger.send([closeDispute({ claimant: client.kp.publicKey, dispute }, w.pid)], [w.ledger.payer]))
      assert.equal(w.ledger.account(dispute), null)
      assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address) - platformBefore, 1n)
    })
  })

  it('finding 4: a worker who anchored its chain cannot deliver random bytes as the final weights; nothing is payable', () => {
    const w = new World().initialize()
    const worker = w.worker(minStake)
    const client = w.wallet(10n)
    const escrow = w.escrow(client, worker, 1n, TOKEN, { epochsTotal: 4 })
    const run = w.deliveryRun(escrow) // the chain ends with the weights hash('weights')
    w.anchorFinal(worker, escrow, run)
    const before = balances(w, [worker.token, client.token, w.escrowAccount(escrow).vault])
    const random = new Uint8Array(32).map(() => Math.floor(Math.random() * 256))
    const send = (args: ReturnType<typeof deliveryArgs>): ReturnType<World['ledger']['send']> =>
      w.ledger.send([submitDelivery({ worker: worker.kp.publicKey, escrow }, args, w.pid)], [worker.kp])
    // The attacker's delivery as audited: the honest last leaf, another (random) weights hash.
    expectError(send(deliveryArgs(run, random)), 'WeightsNotCommitted')
    // The random weights with a state commitment that matches them: not the anchored chain's last leaf.
    expectError(send({ ...deliveryArgs(run, random), finalState: fieldToBytes(digestCommitment(random)) }), 'InvalidInclusion')
    assert.equal(w.escrowAccount(escrow).delivered, 0)
    // Undelivered, the window never starts: nothing can be claimed, and the client's complete is refused.
    expectError(w.ledger.send([claimPayment({ escrow, worker: worker.kp.publicKey, workerToken: worker.token }, w.pid)], [worker.kp]), 'NotDelivered')
    expectError(w.ledger.send([w.completeIx(client, worker, escrow)], [client.kp]), 'NotDelivered')
    assert.deepEqual(balances(w, [worker.token, client.token, w.escrowAccount(escrow).vault]), before)
    // The weights the chain ends with are delivered.
    w.ledger.mustSend([submitDelivery({ worker: worker.kp.publicKey, escrow }, deliveryArgs(run), w.pid)], [worker.kp])
    assert.deepEqual(w.escrowAccount(escrow).finalWeightsHash, run.weights)
  })

  describe('finding 5: disputes can no longer be bought, and are not free', () => {
    it('a dispute that freezes a delivered payment costs the claimant its bond, which goes to the honest worker', () => {
      const w = new World().initialize()
      const worker = w.worker(minStake)
      const jurors = [w.worker(minStake), w.worker(minStake), w.worker(minStake)]
      const bond = DISPUTE.disputeBond
      const amount = 5n * TOKEN
      // The griefing client: it holds the job's amount and one bond.
      const client = w.wallet(5n + bond / TOKEN)
      const job = w.escrow(client, worker, 2n, amount, { epochsTotal: 4 })
      w.deliver(worker, job) // delivered honestly: the anchored chain ends with the delivered weights
      const claim = claimPayment({ escrow: job, worker: worker.kp.publicKey, workerToken: worker.token }, w.pid)
      assert.equal(w.ledger.tokenBalance(client.token), bond)
      w.ledger.mustSend([openDispute({ claimant: client.kp.publicKey, claimantToken: client.token, escrow: job, mint: w.mint }, 'bafy-no-reason', w.pid)], [client.kp])
      const d = w.dispute(disputePda(w.pid, job).address)
      assert.equal(w.ledger.tokenBalance(client.token), 0n)
      assert.equal(w.ledger.tokenBalance(d.voteVault), bond)
      // Frozen for 24 h of evidence, 24 h of commits and 12 h of reveals (60 h; 16–23 days before).
      assert.equal(d.revealDeadline - d.openedAt, 60n * 3_600n)
      w.ledger.warp(BigInt(86_400 + 1)) // past the challenge window: still no claim
      expectError(w.ledger.send([claim], [worker.kp]), 'InvalidEscrowState')
      // The jurors re-check the delivery and find for the worker: it is paid and takes the bond.
      juryDecides(w, job, jurors, 'worker')
      const workerBefore = w.ledger.tokenBalance(worker.token)
      const fin = w.ledger.mustSend([finalizeDispute({ escrow: job, worker: worker.kp.publicKey, clientToken: client.token, workerToken: worker.token, mint: w.mint }, w.pid)], [w.ledger.payer])
      assert.equal(w.ledger.tokenBalance(worker.token) - workerBefore, amount - amount / 10n + bond)
      assert.equal(w.ledger.tokenBalance(client.token), 0n, 'the griefer lost its bond')
      assert.equal(parseEvents(fin.logs).find((e) => e.name === 'DisputeFinalized')?.data.bondToRespondent, bond)
      assert.equal(w.escrowAccount(job).state, ESCROW_STATE.resolvedForWorker)
      // A client without the bond cannot freeze a delivered payment at all.
      const broke = w.wallet(5n)
      const job2 = w.escrow(broke, worker, 3n, amount, { epochsTotal: 4 })
      w.deliver(worker, job2)
      assert.equal(w.ledger.send([openDispute({ claimant: broke.kp.publicKey, claimantToken: broke.token, escrow: job2, mint: w.mint }, 'bafy', w.pid)], [broke.kp]).ok, false)
      assert.equal(w.escrowAccount(job2).state, ESCROW_STATE.funded)
      w.ledger.warp(BigInt(86_400 + 1))
      w.ledger.mustSend([claimPayment({ escrow: job2, worker: worker.kp.publicKey, workerToken: worker.token }, w.pid)], [worker.kp])
    })

    it('a 5 % holder in a second wallet can no longer decide the verdict: it votes only when drawn, and the drawn majority decides', () => {
      const w = new World().initialize()
      const worker = w.worker(minStake)
      const honest = Array.from({ length: 19 }, () => w.worker(minStake))
      // The client's second wallet: a staked node holding 5 % of all stake (50 × 20 = 1,000 others; 53 of 1,053).
      const sybil = w.worker(53n * TOKEN, 100n)
      const total = w.config().totalStaked
      assert.ok(w.node(sybil.kp.publicKey).stake * 20n >= total, 'at least 5 % of the stake')
      const client = w.wallet(5n + DISPUTE.disputeBond / TOKEN)
      const job = w.escrow(client, worker, 1n, 5n * TOKEN, { epochsTotal: 4 })
      w.deliver(worker, job)
      w.ledger.mustSend([openDispute({ claimant: client.kp.publicKey, claimantToken: client.token, escrow: job, mint: w.mint }, 'bafy', w.pid)], [client.kp])
      const court = new Court(w, job)
      const sybilStake = w.node(sybil.kp.publicKey).stake
      let sybilVoted = 0
      for (let round = 0; w.dispute(court.dispute).state === DISPUTE_STATE.open; round++) {
        assert.ok(round < 6, 'a verdict within a few rounds')
        court.toCommit()
        court.draw()
        const drawn = court.drawn([...honest, sybil])
        if (drawn.includes(sybil)) {
          w.ledger.mustSend([court.commitIx(sybil, 'client')], [sybil.kp])
          sybilVoted++
        } else {
          expectError(w.ledger.send([court.commitIx(sybil, 'client')], [sybil.kp]), 'NotDrawn')
        }
        const jurors = drawn.filter((j) => j !== sybil)
        for (const j of jurors) w.ledger.mustSend([court.commitIx(j, 'worker')], [j.kp])
        court.toReveal()
        if (drawn.includes(sybil)) w.ledger.mustSend([court.revealIx(sybil, 'client')], [sybil.kp])
        for (const j of jurors) w.ledger.mustSend([court.revealIx(j, 'worker')], [j.kp])
        court.toResolution()
        w.ledger.mustSend([court.resolveIx()], [w.ledger.payer])
      }
      assert.equal(w.dispute(court.dispute).winner, SIDE.worker)
      w.ledger.mustSend([finalizeDispute({ escrow: job, worker: worker.kp.publicKey, clientToken: client.token, workerToken: worker.token, mint: w.mint }, w.pid)], [w.ledger.payer])
      assert.equal(w.escrowAccount(job).state, ESCROW_STATE.resolvedForWorker)
      // Whenever it voted, it voted with the minority of the deciding round or a redrawn one; in
      // the deciding round its deposit is forfeited to the honest majority.
      const d = w.dispute(court.dispute)
      const voted = w.ledger.account(votePda(w.pid, court.dispute, sybil.kp.publicKey, d.round).address) !== null
      if (voted) {
        w.ledger.mustSend([court.withdrawIx(sybil, d.round)], [w.ledger.payer])
        assert.ok(w.node(sybil.kp.publicKey).stake < sybilStake, 'the sybil lost its deposit')
      }
      assert.ok(sybilVoted <= d.round + 1)
    })

    it('a juror who does not reveal loses its deposit to the jurors who did', () => {
      const w = new World().initialize()
      const worker = w.worker(minStake)
      const jurors = [w.worker(minStake), w.worker(minStake), w.worker(minStake), w.worker(minStake)]
      const silent = jurors[3] as Wallet
      const client = w.wallet(5n + DISPUTE.disputeBond / TOKEN)
      const job = w.escrow(client, worker, 1n, TOKEN)
      w.ledger.mustSend([openDispute({ claimant: client.kp.publicKey, claimantToken: client.token, escrow: job, mint: w.mint }, 'bafy', w.pid)], [client.kp])
      const court = new Court(w, job)
      court.toCommit()
      court.draw()
      const stakeBefore = w.node(silent.kp.publicKey).stake
      const deposit = jurorDeposit(stakeBefore)
      w.ledger.mustSend([court.commitIx(silent, 'worker')], [silent.kp]) // commits, never reveals
      const honest = jurors.slice(0, 3)
      const before = honest.map((j) => w.node(j.kp.publicKey).stake)
      const deposits = before.map((s) => jurorDeposit(s))
      for (const j of honest) w.ledger.mustSend([court.commitIx(j, 'worker')], [j.kp])
      court.toReveal()
      for (const j of honest) w.ledger.mustSend([court.revealIx(j, 'worker')], [j.kp])
      court.toResolution()
      w.ledger.mustSend([court.resolveIx()], [w.ledger.payer])
      const d = w.dispute(court.dispute)
      assert.equal(d.pool, deposit, 'the silent juror\'s deposit is the pool')
      const majority = deposits.reduce((a, b) => a + b, 0n)
      assert.equal(d.majorityDeposits, majority)
      for (const j of jurors) w.ledger.mustSend([court.withdrawIx(j, 0)], [w.ledger.payer])
      assert.equal(w.node(silent.kp.publicKey).stake, stakeBefore - deposit, 'the silent juror forfeited its deposit')
      // Each revealer: its deposit back plus ⌊pool × deposit / majority deposits⌋ (jurorPayout).
      let paid = 0n
      for (const [i, j] of honest.entries()) {
        const want = jurorPayout({ deposit: deposits[i] as bigint, revealed: true, side: 'worker', redrawn: false, winner: 'worker', pool: deposit, majorityDeposits: majority })
        assert.ok(want > (deposits[i] as bigint), 'a share of the forfeit on top of the deposit')
        assert.equal(w.node(j.kp.publicKey).stake, (before[i] as bigint) - (deposits[i] as bigint) + want, `revealer ${i}: its stake after the commit and the payout`)
        paid += want
      }
      // The rounding remainder stays in the vault until close_dispute sweeps it.
      assert.equal(w.ledger.tokenBalance(d.voteVault), d.bond + majority + deposit - paid)
      assert.ok(majority + deposit - paid < 3n, 'at most one base unit of dust per revealer')
    })

    it('fewer than 3 reveals: a redraw with twice the jury, not a default verdict; nothing is paid', () => {
      const w = new World().initialize()
      const worker = w.worker(minStake)
      const jurors = [w.worker(minStake), w.worker(minStake)]
      const client = w.wallet(5n + DISPUTE.disputeBond / TOKEN)
      const job = w.escrow(client, worker, 1n, TOKEN)
      w.ledger.mustSend([openDispute({ claimant: client.kp.publicKey, claimantToken: client.token, escrow: job, mint: w.mint }, 'bafy', w.pid)], [client.kp])
      const court = new Court(w, job)
      const before = balances(w, [worker.token, client.token, w.escrowAccount(job).vault])
      court.round(new Map(jurors.map((j) => [j, 'client' as const])), jurors)
      const d = w.dispute(court.dispute)
      assert.equal(d.state, DISPUTE_STATE.open, 'no verdict: the respondent does not win by default')
      assert.equal(d.round, 1)
      assert.equal(w.escrowAccount(job).state, ESCROW_STATE.disputed)
      expectError(w.ledger.send([finalizeDispute({ escrow: job, worker: worker.kp.publicKey, clientToken: client.token, workerToken: worker.token, mint: w.mint }, w.pid)], [w.ledger.payer]), 'InvalidDisputeState')
      // The two revealers take their deposits back; no party's balance moved.
      for (const j of jurors) w.ledger.mustSend([court.withdrawIx(j, 0)], [w.ledger.payer])
      assert.deepEqual(balances(w, [worker.token, client.token, w.escrowAccount(job).vault]), before)
    })
  })

  it('finding 11 (low): a cancel after the final anchor pays the platform fee, as complete would', () => {
    const w = new World().initialize()
    const worker = w.worker(minStake)
    const client = w.wallet(10n)
    const amount = 5n * TOKEN
    const escrow = w.escrow(client, worker, 1n, amount, { epochsTotal: 4 })
    w.anchorFinal(worker, escrow, w.deliveryRun(escrow))
    const platform = vaultPda(w.pid, 'platform').address
    const [wb, pb] = [w.ledger.tokenBalance(worker.token), w.ledger.tokenBalance(platform)]
    w.ledger.mustSend([cancel({ client: client.kp.publicKey, escrow, worker: worker.kp.publicKey, workerToken: worker.token, clientToken: client.token }, w.pid)], [client.kp])
    const fee = amount / 10n
    assert.equal(w.ledger.tokenBalance(platform) - pb, fee, 'the platform is paid its 10 %')
    assert.equal(w.ledger.tokenBalance(worker.token) - wb, amount - fee)
  })

  it('finding 14 (low): a closed escrow is handed to the System program within the transaction', () => {
    const w = new World().initialize()
    const worker = w.worker(minStake)
    const client = w.wallet(10n)
    const escrow = w.escrow(client, worker, 1n, TOKEN)
    w.deliver(worker, escrow)
    w.ledger.mustSend([w.completeIx(client, worker, escrow)], [client.kp])
    // Close, then in the same transaction use the closed escrow again as if it were live.
    const res = w.ledger.send([
      closeEscrow({ client: client.kp.publicKey, escrow }, w.pid),
      rateWorker({ client: client.kp.publicKey, escrow, worker: worker.kp.publicKey }, 5, w.pid)
    ], [client.kp])
    expectError(res, 'AccountOwnedByWrongProgram')
    assert.ok(w.ledger.account(escrow) !== null, 'the failed transaction changed nothing')
    record('close_escrow', w.ledger.send([closeEscrow({ client: client.kp.publicKey, escrow }, w.pid)], [client.kp]))
  })

  it('finding 6 (low): a complete verifying key cannot be rewritten (a new key is a new circuit id)', () => {
    const w = new World().initialize()
    const key = new Uint8Array(452 + 64 * 6)
    key[0] = 5
    w.setVerifyingKey(1, key, 400)
    const other = new Uint8Array(key)
    other[100] = 1
    for (const ix of setVerifyingKey({ admin: w.admin.publicKey }, 1, other, 400, w.pid)) {
      expectError(w.ledger.send([ix], [w.admin]), 'VerifyingKeyImmutable')
    }
    const k = decodeVerifyingKey(w.ledger.account(verifyingKeyPda(w.pid, 1).address)?.data ?? new Uint8Array())
    assert.deepEqual(k.data.subarray(0, key.length), key, 'the key is unchanged')
    // A new circuit id takes the new key.
    w.setVerifyingKey(2, other, 400)
  })

  describe('finding 7: reputation credit follows paid value', () => {
    it('jobs below the credited minimum earn no completion, no reward and no rating', () => {
      const params = { ...configParamsFromProtocol(), minEscrowAmount: UNITS_PER_TOKEN / 10n, repCreditMinAmount: TOKEN }
      const w = new World(params).initialize()
      const worker = w.worker(minStake)
      const client = w.wallet(10n)
      const farm = (nonce: bigint, amount: bigint): void => {
        const escrow = w.escrow(client, worker, nonce, amount)
        assert.equal(w.escrowAccount(escrow).credited, amount >= TOKEN ? 1 : 0)
        w.deliver(worker, escrow)
        w.ledger.mustSend([w.completeIx(client, worker, escrow)], [client.kp])
        w.ledger.mustSend([rateWorker({ client: client.kp.publicKey, escrow, worker: worker.kp.publicKey }, 5, w.pid)], [client.kp])
      }
      for (let i = 1n; i <= 5n; i++) farm(i, TOKEN - 1n)
      let n = w.node(worker.kp.publicKey)
      assert.deepEqual([n.jobsAssigned, n.jobsCompleted, n.ratings, n.adjustment, n.reputation], [0, 0, 0, 0, 0], 'five cheap self-dealt jobs: no reputation')
      farm(6n, TOKEN)
      n = w.node(worker.kp.publicKey)
      // Credited, but worth a tenth of the reference amount: one recovery point, and the client's
      // rating does not count (no paid history: its five uncredited jobs are none).
      assert.deepEqual([n.jobsAssigned, n.jobsCompleted, n.ratings], [1, 1, 0])
      assert.equal(n.paidValue, TOKEN)
      assert.equal(n.adjustment, valueWeightedPoints(REPUTATION.recoveries.successfulJob, TOKEN))
      assert.equal(n.adjustment, 1)
    })

    it('the audited farm: twenty minimum-price self-dealt jobs, each rated five stars, gain no tier (value-weighted maturity and recoveries, ratings only from a paid history)', function () {
      this.timeout(60_000)
      const w = new World().initialize()
      const worker = w.worker(minStake)
      const client = w.wallet(100n) // the farmer's second wallet
      const start = w.node(worker.kp.publicKey)
      assert.equal(reputationTier(start.reputation).name, 'Bronze')
      for (let i = 1n; i <= 20n; i++) {
        if (i === 11n) w.ledger.warp(86_400n) // the per-wallet rate limit: ten a day
        const escrow = w.escrow(client, worker, i, ESCROW.minAmount, { estimatedSeconds: 600n })
        w.ledger.warp(600n) // a perfect time estimate
        w.deliver(worker, escrow)
        w.ledger.mustSend([w.completeIx(client, worker, escrow)], [client.kp])
        w.ledger.mustSend([rateWorker({ client: client.kp.publicKey, escrow, worker: worker.kp.publicKey }, 5, w.pid)], [client.kp])
      }
      const n = w.node(worker.kp.publicKey)
      assert.deepEqual([n.jobsAssigned, n.jobsCompleted, n.paidValue], [20, 20, 20n * ESCROW.minAmount])
      // Ratings count from the client's sixth paid job on; each is worth 0 five-star points at 1 CYXWIZ.
      assert.equal(n.ratings, 20 - REPUTATION.minRaterPaidJobs)
      assert.equal(n.adjustment, 20 * valueWeightedPoints(REPUTATION.recoveries.successfulJob, ESCROW.minAmount))
      assert.equal(n.reputation, reputationScore(reputationRecordOf(n)), 'the program scores as the pure rule does')
      assert.equal(reputationTier(n.reputation).name, 'Bronze', `no tier gain (score ${n.reputation})`)
      // The same record under the old rules (maturity by job count, full recoveries, every rating):
      // Diamond, as the audit found.
      const c = reputationComponents({ ...reputationRecordOf(n), ratings: 20, ratingStarsSum: 100 })
      const old = Math.min(REPUTATION.maxScore, c.completion + c.timeAccuracy + c.rating + c.proofQuality + c.uptime +
        20 * REPUTATION.recoveries.successfulJob + 20 * REPUTATION.recoveries.fiveStarRating)
      assert.equal(reputationTier(old).name, 'Diamond', `old score ${old}`)
    })

    it('the protocol\'s minimum escrow and credit floor are the Config the program runs with (one source)', () => {
      const w = new World().initialize()
      const c = w.config().params
      assert.equal(c.minEscrowAmount, ESCROW.minAmount)
      assert.equal(c.minEscrowTimeoutSecs, BigInt(ESCROW.minTimeoutSeconds))
      assert.equal(c.repCreditMinAmount, REPUTATION.minCreditedJobAmount)
      assert.equal(c.repMinRaterPaidJobs, REPUTATION.minRaterPaidJobs)
      // The reference amount of value-weighted reputation is the first tier's job cap, on both sides.
      assert.equal(c.repTierMaxJob[0], REPUTATION.tiers[0]?.maxJobAmount)
      const client = w.wallet(10n)
      const worker = w.worker(minStake)
      // At the minimum: accepted; one below: refused (the program enforces what Config says).
      w.offer(client, worker.kp.publicKey, 1n, ESCROW.minAmount, { timeoutSecs: BigInt(ESCROW.minTimeoutSeconds), estimatedSeconds: 1n })
      expectError(w.ledger.send([w.createEscrowIx(client, worker.kp.publicKey, w.escrowArgs(2n, ESCROW.minAmount - 1n))], [client.kp]), 'AmountBelowMinimum')
    })
  })

  it('nobody but the worker\'s signature accepts for it', () => {
    const w = new World().initialize()
    const worker = w.worker(minStake)
    const client = w.wallet(10n)
    const escrow = w.offer(client, worker.kp.publicKey, 1n, TOKEN)
    const ix = acceptJob({ worker: worker.kp.publicKey, escrow }, w.pid)
    ix.keys[0] = { pubkey: worker.kp.publicKey, isSigner: false, isWritable: false }
    expectError(w.ledger.send([ix], [w.ledger.payer]), 'AccountNotSigner')
    assert.equal(w.escrowAccount(escrow).accepted, 0)
  })

  describe('finding 10: a web page cannot reach the local ledger\'s RPC', function () {
    this.timeout(60_000)
    it('refuses text/plain, a foreign Origin, a rebound Host and oversized or too many airdrops; nothing moves', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cyx-sec-'))
      // A development ledger (the warp served at all): only JSON from loopback may use it.
      const server = new LedgerRpcServer(EmbeddedLedger.open({ dir }), { dev: true })
      const url = await server.listen({ port: 0, wsOnNextPort: false })
      try {
        const clock = async (): Promise<bigint> => (await new Connection(url, 'confirmed').getAccountInfo(SYSVAR_CLOCK_PUBKEY))!.data.readBigInt64LE(32)
        const before = await clock()
        const warp = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'cyx_warp', params: [86_400 * 365] })
        // What a page's fetch(..., { mode: 'no-cors' }) or a form can send: text/plain, no preflight.
        assert.equal((await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: warp })).status, 415)
        assert.equal((await fetch(url, { method: 'POST', body: warp })).status, 415)
        // A browser names the page's origin.
        assert.equal((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://evil.example' }, body: warp })).status, 403)
        // DNS rebinding: the page's own host name resolving to 127.0.0.1.
        const port = new URL(url).port
        const rebound = await httpPost(Number(port), { host: `evil.example:${port}`, 'content-type': 'application/json' }, warp)
        assert.equal(rebound, 403)
        assert.equal(await clock(), before, 'the clock did not move')
        // Loopback origins and plain JSON clients still work.
        assert.equal((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://localhost:3000' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getSlot' }) })).status, 200)
        // Airdrops are bounded per call and per window.
        const target = Keypair.generate().publicKey.toBase58()
        const airdrop = async (lamports: number): Promise<any> => await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'requestAirdrop', params: [target, lamports] }) })).json()
        assert.ok((await airdrop(AIRDROP_LIMITS.maxLamports + 1)).error !== undefined)
        const errors: unknown[] = []
        for (let i = 0; i <= AIRDROP_LIMITS.perWindow; i++) {
          const r = await airdrop(1_000_000_000 + i)
          if (r.error !== undefined) errors.push(r.error)
        }
        assert.equal(errors.length, 1, `only the call past the window's limit is refused: ${JSON.stringify(errors.slice(0, 2))}`)
      } finally {
        await server.close()
        rmSync(dir, { recursive: true, force: true })
      }
    })
  })
})

/** A raw HTTP POST with the given headers (fetch does not let a caller set Host). */
async function httpPost (port: number, headers: Record<string, string>, body: string): Promise<number> {
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => { res.resume(); resolve(res.statusCode ?? 0) })
    req.on('error', reject)
    req.end(body)
  })
}
