/**
 * Disputes as real SBF in LiteSVM (docs/security.md, finding 5): open_dispute (the claimant locks
 * `DISPUTE.disputeBond`: back to it if it wins, to the respondent if it loses), submit_evidence
 * within the 24-hour window, a jury drawn by stake-weighted sortition from a slot hash
 * (`draw_jury`), commit–reveal votes with a deposit of the juror's stake at risk (`commit_vote`,
 * `reveal_vote`), `resolve_dispute` after the reveal window (≥ 3 reveals and a strict majority, else
 * a redraw with twice the jury), `finalize_dispute` executing the verdict exactly as
 * `disputeVerdict` of protocols/rules/dispute.ts, `withdraw_vote` settling each juror back into its
 * stake (`jurorPayout`), and `close_dispute` sweeping the pool's rounding dust.
 */
import assert from 'node:assert/strict'
import type { PublicKey } from '@solana/web3.js'
import {
  DISPUTE_STATE, ESCROW_STATE, NODE_STATUS, SIDE, cancel, cidBytes, closeDispute, disputePda, drawJury, escrowVaultPda, finalizeDispute, nodePda, openDispute,
  configParamsFromProtocol, parseEvents, submitEvidence, timeoutRefund, vaultPda, voteVaultPda, votePda
} from '../../../chain/client/index.js'
import {
  DISPUTE, REPUTATION, STAKE_TIERS, bondOutcome, disputeVerdict, jurorDeposit, jurorPayout, juryOutcome, juryVerdict, noVerdictOutcome, reputationScore, reputationTier,
  unavailableOutcome, voteCommitment, type Ballot
} from '../../../protocols/index.js'
import { createHash } from 'node:crypto'
import { commitVote, revealVote } from '../../../chain/client/index.js'
import { reputationRecordOf } from '../../../chain/client/index.js'
import { TOKEN, World, expectError, hash, program, record, type Wallet } from '../../fixtures/world.js'
import { Court, salt } from './jury.js'

const stake = STAKE_TIERS[1]?.minStake ?? 0n
const bond = DISPUTE.disputeBond

interface Case { w: World, worker: Wallet, client: Wallet, jurors: Wallet[], escrow: PublicKey, dispute: PublicKey, amount: bigint, court: Court }

/**
 * A funded escrow disputed by `claimant`, and `n` staked nodes of the worker's stake registered
 * before it: with 5 of them k · stake ≥ total staked, so each is drawn in every round.
 */
function disputed (claimant: 'client' | 'worker', n = 5): Case {
  const w = new World().initialize()
  const worker = w.worker(stake, 400n)
  const jurors = Array.from({ length: n }, () => w.worker(stake, 300n))
  const client = w.wallet(200n)
  const amount = 5n * TOKEN + 3n
  const escrow = w.escrow(client, worker, 1n, amount)
  const by = claimant === 'client' ? client : worker
  record('open_dispute', w.ledger.send([openDispute({ claimant: by.kp.publicKey, claimantToken: by.token, escrow, mint: w.mint }, `bafy-${claimant}-evidence`, w.pid)], [by.kp]))
  return { w, worker, client, jurors, escrow, dispute: disputePda(w.pid, escrow).address, amount, court: new Court(w, escrow) }
}

const finalizeIx = (c: Case) => finalizeDispute({
  escrow: c.escrow, worker: c.worker.kp.publicKey, clientToken: c.client.token, workerToken: c.worker.token, mint: c.w.mint
}, c.w.pid)

describe('chain/program: disputes decided by a drawn jury', () => {
  before(function () {
    this.timeout(600_000)
    program()
  })

  it('opens a dispute that freezes the escrow and locks the claimant\'s bond; evidence only within 24 h and only by the parties', () => {
    const c = disputed('client')
    const { w, client, worker, escrow, dispute } = c
    const d = w.dispute(dispute)
    assert.ok(bond > 0n)
    assert.equal(d.bond, bond)
    assert.equal(w.ledger.tokenBalance(d.voteVault), bond)
    assert.equal(w.ledger.tokenBalance(client.token), 200n * TOKEN - c.amount - bond)
    assert.equal(d.state, DISPUTE_STATE.open)
    assert.equal(d.claimant, SIDE.client)
    assert.equal(d.round, 0)
    assert.equal(d.drawn, 0)
    assert.equal(d.totalStaked, w.config().totalStaked, 'the sortition\'s denominator is fixed at the opening')
    assert.deepEqual(d.clientEvidence, cidBytes('bafy-client-evidence'))
    assert.equal(d.evidenceDeadline, d.openedAt + BigInt(DISPUTE.evidenceWindowSeconds))
    assert.equal(d.commitDeadline, d.evidenceDeadline + BigInt(DISPUTE.commitWindowSeconds))
    assert.equal(d.revealDeadline, d.commitDeadline + BigInt(DISPUTE.revealWindowSeconds))
    assert.equal(w.escrowAccount(escrow).state, ESCROW_STATE.disputed)
    expectError(w.ledger.send([w.completeIx(client, worker, escrow)], [client.kp]), 'InvalidEscrowState')
    expectError(w.ledger.send([cancel({ client: client.kp.publicKey, escrow, worker: worker.kp.publicKey, workerToken: worker.token, clientToken: client.token }, w.pid)], [client.kp]), 'InvalidEscrowState')
    expectError(w.ledger.send([openDispute({ claimant: worker.kp.publicKey, claimantToken: worker.token, escrow, mint: w.mint }, 'x', w.pid)], [worker.kp]), 'InvalidEscrowState')
    record('submit_evidence', w.ledger.send([submitEvidence({ party: worker.kp.publicKey, dispute }, 'bafy-worker-logs', w.pid)], [worker.kp]))
    assert.deepEqual(w.dispute(dispute).workerEvidence, cidBytes('bafy-worker-logs'))
    const stranger = c.jurors[0] as Wallet
    expectError(w.ledger.send([submitEvidence({ party: stranger.kp.publicKey, dispute }, 'spam', w.pid)], [stranger.kp]), 'NotAParty')
    c.court.toCommit()
    expectError(w.ledger.send([submitEvidence({ party: worker.kp.publicKey, dispute }, 'late', w.pid)], [worker.kp]), 'EvidenceWindowClosed')
    w.ledger.warp(BigInt(86_400 * 7))
    expectError(w.ledger.send([timeoutRefund({ escrow, worker: worker.kp.publicKey, clientToken: client.token, mint: w.mint }, w.pid)], [w.ledger.payer]), 'InvalidEscrowState')
  })

  it('refuses a dispute by a stranger, at a wrong PDA, after the deadline, with another mint, or without the bond', () => {
    const w = new World().initialize()
    const worker = w.worker(stake, 300n)
    const client = w.wallet(200n)
    const escrow = w.escrow(client, worker, 1n, TOKEN, { timeoutSecs: 1_000n, estimatedSeconds: 500n })
    const stranger = w.wallet(0n)
    expectError(w.ledger.send([openDispute({ claimant: stranger.kp.publicKey, claimantToken: stranger.token, escrow, mint: w.mint }, 'x', w.pid)], [stranger.kp]), 'NotAParty')
    const wrong = disputePda(w.pid, nodePda(w.pid, client.kp.publicKey).address).address
    expectError(w.ledger.send([openDispute({ claimant: client.kp.publicKey, claimantToken: client.token, escrow, mint: w.mint, dispute: wrong }, 'x', w.pid)], [client.kp]), 'ConstraintSeeds')
    const otherMint = w.ledger.createMint(w.mintAuthority.publicKey, 9)
    expectError(w.ledger.send([openDispute({ claimant: client.kp.publicKey, claimantToken: client.token, escrow, mint: otherMint }, 'x', w.pid)], [client.kp]), 'ConstraintAddress')
    const wrongVault = openDispute({ claimant: client.kp.publicKey, claimantToken: client.token, escrow, mint: w.mint, voteVault: escrowVaultPda(w.pid, escrow).address }, 'x', w.pid)
    expectError(w.ledger.send([wrongVault], [client.kp]), 'ConstraintSeeds')
    // The worker's token account holds enough, but the client cannot lock its bond from it.
    expectError(w.ledger.send([openDispute({ claimant: client.kp.publicKey, claimantToken: worker.token, escrow, mint: w.mint }, 'x', w.pid)], [client.kp]), 'ConstraintTokenOwner')
    // A client without the bond: the token program refuses; nothing moves.
    const poor = w.wallet(10n)
    const e2 = w.escrow(poor, worker, 2n, TOKEN)
    const before = w.ledger.tokenBalance(poor.token)
    const res = w.ledger.send([openDispute({ claimant: poor.kp.publicKey, claimantToken: poor.token, escrow: e2, mint: w.mint }, 'x', w.pid)], [poor.kp])
    assert.equal(res.ok, false)
    assert.ok(res.logs.some((l) => l.includes('insufficient funds')), res.logs.join('\n'))
    assert.equal(w.ledger.tokenBalance(poor.token), before)
    assert.equal(w.escrowAccount(e2).state, ESCROW_STATE.funded)
    w.ledger.warp(1_001n)
    expectError(w.ledger.send([openDispute({ claimant: client.kp.publicKey, claimantToken: client.token, escrow, mint: w.mint }, 'x', w.pid)], [client.kp]), 'DeadlinePassed')
  })

  it('a juror must be drawn, eligible and in time; commit–reveal checks the commitment; a deposit of its stake moves to the vault', () => {
    const c = disputed('client')
    const { w, client, worker, court, dispute } = c
    const [a, b] = c.jurors as [Wallet, Wallet]
    w.ledger.warp(1n)
    const late = w.worker(stake, 300n) // registered after the opening: never eligible
    expectError(w.ledger.send([court.commitIx(a, 'client')], [a.kp]), 'JuryNotDrawn')
    court.draw()
    expectError(w.ledger.send([drawJury({ dispute }, w.pid)], [w.ledger.payer]), 'JuryAlreadyDrawn')
    const drawnEvent = w.dispute(dispute)
    assert.equal(drawnEvent.drawn, 1)
    expectError(w.ledger.send([court.commitIx(a, 'client')], [a.kp]), 'VotingNotOpen') // still the evidence window
    court.toCommit()
    assert.deepEqual(court.drawn(c.jurors), c.jurors, 'k · stake ≥ total: every node is drawn')
    expectError(w.ledger.send([court.commitIx(worker, 'worker')], [worker.kp]), 'SelfDealing')
    expectError(w.ledger.send([court.commitIx(late, 'client')], [late.kp]), 'NotEligible')
    expectError(w.ledger.send([court.commitIx(client, 'client')], [client.kp]), 'AccountOwnedByWrongProgram') // no node at all
    const nodeBefore = w.node(a.kp.publicKey)
    const totalBefore = w.config().totalStaked
    const vaultBefore = w.ledger.tokenBalance(voteVaultPda(w.pid, dispute).address)
    record('commit_vote', w.ledger.send([court.commitIx(a, 'client')], [a.kp]))
    const deposit = jurorDeposit(nodeBefore.stake)
    assert.equal(w.node(a.kp.publicKey).stake, nodeBefore.stake - deposit)
    assert.equal(w.config().totalStaked, totalBefore - deposit)
    assert.equal(w.ledger.tokenBalance(voteVaultPda(w.pid, dispute).address) - vaultBefore, deposit)
    expectError(w.ledger.send([court.commitIx(a, 'worker')], [a.kp]), 'AccountAlreadyInitialized') // one vote per round
    w.ledger.mustSend([court.commitIx(b, 'worker')], [b.kp])
    expectError(w.ledger.send([court.revealIx(a, 'client')], [a.kp]), 'VotingNotOpen') // still the commit window
    court.toReveal()
    expectError(w.ledger.send([court.commitIx(c.jurors[2] as Wallet, 'client')], [(c.jurors[2] as Wallet).kp]), 'CommitWindowClosed')
    expectError(w.ledger.send([court.revealIx(a, 'worker')], [a.kp]), 'InvalidReveal') // not the committed side
    expectError(w.ledger.send([court.revealIx(a, 'client', 0, hash('other salt'))], [a.kp]), 'InvalidReveal')
    record('reveal_vote', w.ledger.send([court.revealIx(a, 'client')], [a.kp]))
    expectError(w.ledger.send([court.revealIx(a, 'client')], [a.kp]), 'AlreadyRevealed')
    assert.deepEqual(voteCommitment('client', salt(a, 0), dispute.toBytes(), a.kp.publicKey.toBytes()).length, 32)
    expectError(w.ledger.send([court.resolveIx()], [w.ledger.payer]), 'VotingNotEnded')
    expectError(w.ledger.send([court.withdrawIx(a, 0)], [w.ledger.payer]), 'InvalidDisputeState') // its round is not over
  })

  it('the jury\'s majority decides for the client: refund, slash, bond back; the majority shares the minority\'s and the silent juror\'s deposits', () => {
    const c = disputed('client')
    const { w, client, worker, court, dispute, escrow, amount } = c
    const [a, b, d, m, silent] = c.jurors as [Wallet, Wallet, Wallet, Wallet, Wallet]
    court.toCommit()
    court.draw()
    const stakes = new Map(c.jurors.map((j) => [j, w.node(j.kp.publicKey).stake]))
    for (const [j, side] of [[a, 'client'], [b, 'client'], [d, 'client'], [m, 'worker'], [silent, 'client']] as const) w.ledger.mustSend([court.commitIx(j, side)], [j.kp])
    court.toReveal()
    for (const [j, side] of [[a, 'client'], [b, 'client'], [d, 'client'], [m, 'worker']] as const) w.ledger.mustSend([court.revealIx(j, side)], [j.kp])
    court.toResolution()
    assert.deepEqual(juryVerdict({ votesClient: 3, votesWorker: 1 }), { kind: 'verdict', winner: 'client' })
    const res = record('resolve_dispute', w.ledger.send([court.resolveIx()], [w.ledger.payer]))
    const resolved = parseEvents(res.logs).find((e) => e.name === 'DisputeResolved')
    assert.equal(resolved?.data.winner, BigInt(SIDE.client))
    assert.equal(resolved?.data.votesClient, 3n)
    const dd = w.dispute(dispute)
    assert.equal(dd.state, DISPUTE_STATE.resolved)
    const dep = (j: Wallet): bigint => jurorDeposit(stakes.get(j) as bigint)
    assert.equal(dd.pool, dep(m) + dep(silent))
    assert.equal(dd.majorityDeposits, dep(a) + dep(b) + dep(d))
    expectError(w.ledger.send([court.resolveIx()], [w.ledger.payer]), 'InvalidDisputeState') // replay

    const node = w.node(worker.kp.publicKey)
    const verdict = disputeVerdict('client', amount, node.stake, reputationTier(node.reputation).name)
    const clientBefore = w.ledger.tokenBalance(client.token)
    const platformBefore = w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address)
    const fin = record('finalize_dispute', w.ledger.send([finalizeIx(c)], [w.ledger.payer]))
    assert.equal(w.ledger.tokenBalance(client.token) - clientBefore, verdict.clientRefund + verdict.slashToClient + bond)
    assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address) - platformBefore, verdict.slashToTreasury)
    assert.equal(w.ledger.tokenBalance(escrowVaultPda(w.pid, escrow).address), 0n)
    const after = w.node(worker.kp.publicKey)
    assert.equal(after.stake, node.stake - verdict.slashed)
    assert.equal(after.status, NODE_STATUS.banned)
    assert.equal(after.adjustment - node.adjustment, verdict.reputationDelta)
    assert.equal(after.reputation, reputationScore(reputationRecordOf(after)))
    assert.equal(w.escrowAccount(escrow).state, ESCROW_STATE.resolvedForClient)
    const finalized = parseEvents(fin.logs).find((e) => e.name === 'DisputeFinalized')
    assert.equal(finalized?.data.bondReturned, bond)
    expectError(w.ledger.send([finalizeIx(c)], [w.ledger.payer]), 'InvalidDisputeState')
    expectError(w.ledger.send([closeDispute({ claimant: client.kp.publicKey, dispute }, w.pid)], [w.ledger.payer]), 'VotesOutstanding')

    // Anyone settles each juror into its stake: the majority gets its deposit and a pro-rata share.
    let paid = 0n
    for (const j of [a, b, d, m, silent]) {
      const revealed = j !== silent
      const side = j === m ? 'worker' : 'client'
      const expected = jurorPayout({ deposit: dep(j), revealed, side, redrawn: false, winner: 'client', pool: dd.pool, majorityDeposits: dd.majorityDeposits })
      const before = w.node(j.kp.publicKey).stake
      record('withdraw_vote', w.ledger.send([court.withdrawIx(j, 0)], [w.ledger.payer]))
      assert.equal(w.node(j.kp.publicKey).stake - before, expected, `juror ${j === m ? 'minority' : j === silent ? 'silent' : 'majority'}`)
      assert.equal(w.ledger.account(votePda(w.pid, dispute, j.kp.publicKey, 0).address), null)
      paid += expected
    }
    assert.equal(w.node(a.kp.publicKey).stake > (stakes.get(a) as bigint), true, 'a majority juror gained')
    assert.equal(w.node(m.kp.publicKey).stake, (stakes.get(m) as bigint) - dep(m), 'the minority juror lost its deposit')
    assert.equal(w.node(silent.kp.publicKey).stake, (stakes.get(silent) as bigint) - dep(silent), 'the silent juror lost its deposit')
    const dust = dd.pool + dd.majorityDeposits - paid
    assert.equal(w.ledger.tokenBalance(voteVaultPda(w.pid, dispute).address), dust)
    // Close: the dust goes to the treasury, the rent to the claimant.
    const voteVault = voteVaultPda(w.pid, dispute).address
    const treasury = w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address)
    const rent = (w.ledger.account(dispute)?.lamports ?? 0n) + (w.ledger.account(voteVault)?.lamports ?? 0n)
    const lamportsBefore = w.ledger.account(client.kp.publicKey)?.lamports ?? 0n
    record('close_dispute', w.ledger.send([closeDispute({ claimant: client.kp.publicKey, dispute }, w.pid)], [w.ledger.payer]))
    assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address) - treasury, dust)
    assert.equal((w.ledger.account(client.kp.publicKey)?.lamports ?? 0n) - lamportsBefore, rent)
    assert.equal(w.ledger.account(dispute), null)
  })

  it('the jury decides for the worker: paid 90/10, +5, and the client\'s bond', () => {
    const c = disputed('client')
    const { w, worker, escrow, amount, court } = c
    const votes = new Map(c.jurors.slice(0, 3).map((j) => [j, 'worker' as const]))
    court.round(votes, c.jurors)
    const node = w.node(worker.kp.publicKey)
    const verdict = disputeVerdict('worker', amount, node.stake, reputationTier(node.reputation).name)
    const before = w.ledger.tokenBalance(worker.token)
    w.ledger.mustSend([finalizeIx(c)], [w.ledger.payer])
    assert.equal(w.ledger.tokenBalance(worker.token) - before, verdict.workerPayment + bond)
    const after = w.node(worker.kp.publicKey)
    assert.equal(after.adjustment - node.adjustment, REPUTATION.recoveries.disputeWon)
    assert.equal(after.status, NODE_STATUS.active)
    assert.equal(w.escrowAccount(escrow).state, ESCROW_STATE.resolvedForWorker)
  })

  it('fewer than 3 reveals, or a tie: no default verdict but a redraw with twice the jury; revealers get their deposits back', () => {
    // The worker claims; only two jurors reveal.
    const c = disputed('worker')
    const { w, court, dispute } = c
    const [a, b, silent] = c.jurors as [Wallet, Wallet, Wallet]
    court.toCommit()
    court.draw()
    const deposit = new Map([a, b, silent].map((j) => [j, jurorDeposit(w.node(j.kp.publicKey).stake)]))
    for (const j of [a, b, silent]) w.ledger.mustSend([court.commitIx(j, 'worker')], [j.kp])
    court.toReveal()
    for (const j of [a, b]) w.ledger.mustSend([court.revealIx(j, 'worker')], [j.kp])
    court.toResolution()
    assert.deepEqual(juryVerdict({ votesClient: 0, votesWorker: 2 }), { kind: 'redraw', reason: 'too-few-reveals' })
    const res = record('resolve_dispute (redraw)', w.ledger.send([court.resolveIx()], [w.ledger.payer]))
    const redrawn = parseEvents(res.logs).find((e) => e.name === 'DisputeRedrawn')
    assert.equal(redrawn?.data.round, 1n)
    assert.equal(redrawn?.data.revealed, 2n)
    const d1 = w.dispute(dispute)
    assert.equal(d1.state, DISPUTE_STATE.open, 'no verdict')
    assert.equal(d1.round, 1)
    assert.equal(d1.drawn, 0)
    assert.equal(d1.revealDeadline - d1.commitDeadline, BigInt(DISPUTE.revealWindowSeconds))
    assert.equal(d1.pool, deposit.get(silent), 'the silent juror\'s deposit joins the pool')
    // Round 0's revealers are settled with their deposits back, the silent one forfeits.
    const before = w.node(a.kp.publicKey).stake
    w.ledger.mustSend([court.withdrawIx(a, 0)], [w.ledger.payer])
    assert.equal(w.node(a.kp.publicKey).stake - before, deposit.get(a))
    const silentBefore = w.node(silent.kp.publicKey).stake
    w.ledger.mustSend([court.withdrawIx(silent, 0)], [w.ledger.payer])
    assert.equal(w.node(silent.kp.publicKey).stake, silentBefore, 'the silent juror forfeited its deposit')
    // Round 1: a tie of 2 against 2 is redrawn again.
    const tie = new Map<Wallet, 'client' | 'worker'>([[c.jurors[0] as Wallet, 'client'], [c.jurors[1] as Wallet, 'client'], [c.jurors[2] as Wallet, 'worker'], [c.jurors[3] as Wallet, 'worker']])
    court.round(tie, c.jurors)
    assert.equal(w.dispute(dispute).round, 2)
    assert.equal(w.dispute(dispute).state, DISPUTE_STATE.open)
    // Round 2 decides (3 to 1 for the client: the worker, who claimed, loses and its bond goes to the client).
    const decide = new Map<Wallet, 'client' | 'worker'>([[c.jurors[0] as Wallet, 'client'], [c.jurors[1] as Wallet, 'client'], [c.jurors[2] as Wallet, 'client'], [c.jurors[3] as Wallet, 'worker']])
    court.round(decide, c.jurors)
    assert.equal(w.dispute(dispute).state, DISPUTE_STATE.resolved)
    const clientBefore = w.ledger.tokenBalance(c.client.token)
    const fin = w.ledger.mustSend([finalizeIx(c)], [w.ledger.payer])
    assert.equal(parseEvents(fin.logs).find((e) => e.name === 'DisputeFinalized')?.data.bondToRespondent, bond)
    assert.ok(w.ledger.tokenBalance(c.client.token) - clientBefore >= c.amount + bond)
    // Every vote of every round settles; then the dispute closes (the rent to the worker, who opened it).
    for (const j of [b]) w.ledger.mustSend([court.withdrawIx(j, 0)], [w.ledger.payer])
    for (const r of [1, 2]) for (const j of c.jurors.slice(0, 4)) w.ledger.mustSend([court.withdrawIx(j, r)], [w.ledger.payer])
    assert.equal(w.dispute(dispute).openVotes, 0)
    w.ledger.mustSend([closeDispute({ claimant: c.worker.kp.publicKey, dispute }, w.pid)], [w.ledger.payer])
    assert.equal(w.ledger.account(dispute), null)
  })

  it('the terminal rule: after maxJuryRounds without a verdict the dispute resolves with none; the status quo, the bond back, no slash; the forfeits to the treasury', () => {
    assert.equal(configParamsFromProtocol().maxJuryRounds, DISPUTE.maxJuryRounds)
    for (const delivered of [false, true]) {
      const w = new World().initialize()
      assert.equal(w.config().params.maxJuryRounds, DISPUTE.maxJuryRounds, 'the program runs with the protocol\'s parameter')
      const worker = w.worker(stake, 400n)
      const jurors = Array.from({ length: 5 }, () => w.worker(stake, 300n))
      const client = w.wallet(200n)
      const amount = 5n * TOKEN + 3n
      const escrow = w.escrow(client, worker, 1n, amount, { epochsTotal: 4 })
      if (delivered) w.deliver(worker, escrow)
      w.ledger.mustSend([openDispute({ claimant: client.kp.publicKey, claimantToken: client.token, escrow, mint: w.mint }, 'bafy-claim', w.pid)], [client.kp])
      const court = new Court(w, escrow)
      const dispute = court.dispute
      const nodeBefore = w.node(worker.kp.publicKey)
      const clientBefore = w.ledger.tokenBalance(client.token)
      const workerBefore = w.ledger.tokenBalance(worker.token)
      const platformBefore = w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address)
      const silent = jurors[0] as Wallet
      const silentStake = w.node(silent.kp.publicKey).stake
      // Round 0: one juror commits and never reveals, two reveal (too few). Round 1: a 2–2 tie.
      // Rounds 2 and 3: nobody turns up. Each round but the last is redrawn; the last ends it.
      const rounds: Array<ReadonlyMap<Wallet, 'client' | 'worker'>> = [
        new Map([[jurors[1] as Wallet, 'client'], [jurors[2] as Wallet, 'worker']]),
        new Map([[jurors[1] as Wallet, 'client'], [jurors[2] as Wallet, 'client'], [jurors[3] as Wallet, 'worker'], [jurors[4] as Wallet, 'worker']]),
        new Map(),
        new Map()
      ]
      for (const [r, votes] of rounds.entries()) {
        assert.equal(w.dispute(dispute).state, DISPUTE_STATE.open)
        assert.equal(juryOutcome({ votesClient: 0, votesWorker: 0, round: r }).kind, r + 1 < DISPUTE.maxJuryRounds ? 'redraw' : 'no-verdict')
        if (r === 0) {
          court.toCommit()
          court.draw()
          w.ledger.mustSend([court.commitIx(silent, 'worker')], [silent.kp])
          for (const [j, side] of votes) w.ledger.mustSend([court.commitIx(j, side)], [j.kp])
          court.toReveal()
          for (const [j, side] of votes) w.ledger.mustSend([court.revealIx(j, side)], [j.kp])
          court.toResolution()
          w.ledger.mustSend([court.resolveIx()], [w.ledger.payer])
        } else if (votes.size > 0) {
          court.round(votes, jurors)
        } else {
          court.toResolution() // nobody draws, commits or reveals: anyone may still resolve
          w.ledger.mustSend([court.resolveIx()], [w.ledger.payer])
        }
      }
      const d = w.dispute(dispute)
      assert.equal(d.state, DISPUTE_STATE.resolved)
      assert.equal(d.winner, SIDE.none)
      assert.equal(d.round, DISPUTE.maxJuryRounds - 1)
      assert.equal(d.pool, jurorDeposit(silentStake), 'the silent juror\'s deposit is the pool')
      const fin = w.ledger.mustSend([finalizeIx({ w, worker, client, jurors, escrow, dispute, amount, court })], [w.ledger.payer])
      const ev = parseEvents(fin.logs).find((e) => e.name === 'DisputeFinalized')
      assert.equal(ev?.data.winner, BigInt(SIDE.none))
      assert.equal(ev?.data.bondReturned, bond)
      assert.equal(ev?.data.bondToRespondent, 0n)
      const node = w.node(worker.kp.publicKey)
      const status = noVerdictOutcome(delivered, amount, reputationTier(nodeBefore.reputation).name)
      assert.equal(w.ledger.tokenBalance(client.token) - clientBefore, status.clientRefund + bond)
      assert.equal(w.ledger.tokenBalance(worker.token) - workerBefore, status.workerPayment)
      assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address) - platformBefore, status.platformFee)
      assert.equal(w.escrowAccount(escrow).state, delivered ? ESCROW_STATE.resolvedForWorker : ESCROW_STATE.resolvedForClient)
      assert.equal(w.ledger.tokenBalance(escrowVaultPda(w.pid, escrow).address), 0n)
      // No slash, no ban, no reputation change, not a completed job.
      assert.equal(node.stake, nodeBefore.stake)
      assert.equal(node.status, NODE_STATUS.active)
      assert.equal(node.adjustment, nodeBefore.adjustment)
      assert.equal(node.jobsCompleted, nodeBefore.jobsCompleted)
      assert.equal(node.jobsActive, nodeBefore.jobsActive - 1)
      // Revealers get their deposits back; the silent juror forfeited; nobody gains a share.
      for (const [r, votes] of rounds.entries()) {
        for (const j of votes.keys()) {
          const res = w.ledger.mustSend([court.withdrawIx(j, r)], [w.ledger.payer])
          const settled = parseEvents(res.logs).find((e) => e.name === 'VoteSettled')
          assert.equal(settled?.data.returned, settled?.data.deposit, 'a revealer: its deposit back, no share')
        }
      }
      w.ledger.mustSend([court.withdrawIx(silent, 0)], [w.ledger.payer])
      assert.equal(w.node(silent.kp.publicKey).stake, silentStake - jurorDeposit(silentStake))
      for (const j of jurors.slice(1)) assert.equal(w.node(j.kp.publicKey).stake, stake, 'every revealer is whole, none richer')
      // The pool is nobody's: swept to the treasury when the dispute closes.
      const platformAtClose = w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address)
      w.ledger.mustSend([closeDispute({ claimant: client.kp.publicKey, dispute }, w.pid)], [w.ledger.payer])
      assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address) - platformAtClose, jurorDeposit(silentStake))
      assert.equal(w.ledger.account(dispute), null)
    }
  })
})

/** A delivered optimistic escrow disputed by `claimant` (a worker claimant answers with its evidence CID), and 5 jurors each drawn in every round. */
function deliveredDispute (claimant: 'client' | 'worker'): Case {
  const w = new World().initialize()
  const worker = w.worker(stake, 400n)
  const jurors = Array.from({ length: 5 }, () => w.worker(stake, 300n))
  const client = w.wallet(200n)
  const amount = 5n * TOKEN + 3n
  const escrow = w.escrow(client, worker, 1n, amount, { epochsTotal: 4 })
  w.deliver(worker, escrow)
  const by = claimant === 'client' ? client : worker
  w.ledger.mustSend([openDispute({ claimant: by.kp.publicKey, claimantToken: by.token, escrow, mint: w.mint }, `bafy-${claimant}-evidence`, w.pid)], [by.kp])
  return { w, worker, client, jurors, escrow, dispute: disputePda(w.pid, escrow).address, amount, court: new Court(w, escrow) }
}

describe('chain/program: an UNAVAILABLE verdict (finding 16: a worker that withholds its evidence)', () => {
  before(function () {
    this.timeout(600_000)
    program()
  })

  it('a strict majority of UNAVAILABLE: the client refunded in full and its bond back, the worker slashed at the timeout rate (80 % insurance, 20 % burned), no ban; the majority shares the forfeits', () => {
    const c = deliveredDispute('client')
    const { w, client, worker, court, dispute, escrow, amount } = c
    const [a, b, d, m, silent] = c.jurors as [Wallet, Wallet, Wallet, Wallet, Wallet]
    const stakes = new Map(c.jurors.map((j) => [j, w.node(j.kp.publicKey).stake]))
    const dep = (j: Wallet): bigint => jurorDeposit(stakes.get(j) as bigint)
    const votes: Array<[Wallet, Ballot]> = [[a, 'unavailable'], [b, 'unavailable'], [d, 'unavailable'], [m, 'worker']]
    court.toCommit()
    court.draw()
    for (const [j, side] of [...votes, [silent, 'unavailable'] as [Wallet, Ballot]]) w.ledger.mustSend([court.commitIx(j, side)], [j.kp])
    court.toReveal()
    for (const [j, side] of votes) record('reveal_vote', w.ledger.send([court.revealIx(j, side)], [j.kp]))
    court.toResolution()
    assert.deepEqual(juryVerdict({ votesClient: 0, votesWorker: 1, votesUnavailable: 3 }), { kind: 'verdict', winner: 'unavailable' })
    const res = w.ledger.mustSend([court.resolveIx()], [w.ledger.payer])
    const resolved = parseEvents(res.logs).find((e) => e.name === 'DisputeResolved')
    assert.equal(resolved?.data.winner, BigInt(SIDE.unavailable))
    assert.equal(resolved?.data.votesUnavailable, 3n)
    assert.equal(resolved?.data.votesWorker, 1n)
    const dd = w.dispute(dispute)
    assert.equal(dd.winner, SIDE.unavailable)
    assert.equal(dd.votesUnavailable, 3)
    assert.equal(dd.depositsUnavailable, dep(a) + dep(b) + dep(d))
    assert.equal(dd.majorityDeposits, dep(a) + dep(b) + dep(d))
    assert.equal(dd.pool, dep(m) + dep(silent), 'the minority\'s and the silent juror\'s deposits')

    const node = w.node(worker.kp.publicKey)
    const out = unavailableOutcome(amount, node.stake)
    assert.equal(bondOutcome('client', 'unavailable'), 'returned')
    const clientBefore = w.ledger.tokenBalance(client.token)
    const workerBefore = w.ledger.tokenBalance(worker.token)
    const insuranceBefore = w.ledger.tokenBalance(vaultPda(w.pid, 'insurance').address)
    const platformBefore = w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address)
    const supplyBefore = w.supply()
    const fin = record('finalize_dispute (unavailable)', w.ledger.send([finalizeIx(c)], [w.ledger.payer]))
    console.log(`      finalize_dispute (unavailable) ${String(fin.computeUnits)} CU`)
    assert.equal(w.ledger.tokenBalance(client.token) - clientBefore, out.clientRefund + bond)
    assert.equal(out.clientRefund, amount)
    assert.equal(w.ledger.tokenBalance(worker.token), workerBefore, 'the worker is paid nothing')
    assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address), platformBefore, 'no fee')
    assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'insurance').address) - insuranceBefore, out.slashToInsurance)
    assert.equal(supplyBefore - w.supply(), out.slashBurned)
    assert.equal(w.ledger.tokenBalance(escrowVaultPda(w.pid, escrow).address), 0n)
    const after = w.node(worker.kp.publicKey)
    assert.equal(out.slashed, node.stake * BigInt(configParamsFromProtocol().timeoutSlashBps) / 10_000n, 'the timeout rate')
    assert.equal(after.stake, node.stake - out.slashed)
    assert.equal(after.status, NODE_STATUS.active, 'no ban')
    assert.equal(after.adjustment - node.adjustment, out.reputationDelta)
    assert.equal(out.reputationDelta, REPUTATION.penalties.timeout)
    assert.equal(after.jobsFailed, node.jobsFailed + 1)
    assert.equal(after.jobsActive, node.jobsActive - 1, 'the job leaves the active ones once')
    assert.equal(after.jobsCompleted, node.jobsCompleted)
    assert.equal(w.escrowAccount(escrow).state, ESCROW_STATE.resolvedForClient)
    const slashed = parseEvents(fin.logs).find((e) => e.name === 'StakeSlashed')
    assert.equal(slashed?.data.slashed, out.slashed)
    assert.equal(slashed?.data.burned, out.slashBurned)
    const ev = parseEvents(fin.logs).find((e) => e.name === 'DisputeFinalized')
    assert.equal(ev?.data.winner, BigInt(SIDE.unavailable))
    assert.equal(ev?.data.bondReturned, bond)
    assert.equal(ev?.data.bondToRespondent, 0n)
    assert.equal(w.supply() + w.config().totalBurned, w.minted, 'mint supply + burned = everything minted')
    expectError(w.ledger.send([finalizeIx(c)], [w.ledger.payer]), 'InvalidDisputeState')

    // The jurors settle as for any verdict: the UNAVAILABLE majority shares the pool, the minority
    // (it judged for the worker) and the silent juror forfeit.
    for (const [j, side] of [...votes, [silent, 'unavailable'] as [Wallet, Ballot]]) {
      const revealed = j !== silent
      const expected = jurorPayout({ deposit: dep(j), revealed, side, redrawn: false, winner: 'unavailable', pool: dd.pool, majorityDeposits: dd.majorityDeposits })
      const before = w.node(j.kp.publicKey).stake
      w.ledger.mustSend([court.withdrawIx(j, 0)], [w.ledger.payer])
      assert.equal(w.node(j.kp.publicKey).stake - before, expected)
    }
    assert.ok(w.node(a.kp.publicKey).stake > (stakes.get(a) as bigint), 'a majority juror gained')
    assert.equal(w.node(m.kp.publicKey).stake, (stakes.get(m) as bigint) - dep(m), 'the minority juror lost its deposit')
    w.ledger.mustSend([closeDispute({ claimant: client.kp.publicKey, dispute }, w.pid)], [w.ledger.payer])
    assert.equal(w.ledger.account(dispute), null)
  })

  it('a worker claimant found UNAVAILABLE: its bond goes to the client (unavailable evidence is the worker\'s loss)', () => {
    const c = deliveredDispute('worker')
    const { w, client, court } = c
    const votes = new Map<Wallet, Ballot>(c.jurors.slice(0, 3).map((j) => [j, 'unavailable']))
    court.round(votes, c.jurors)
    assert.equal(w.dispute(c.dispute).winner, SIDE.unavailable)
    assert.equal(bondOutcome('worker', 'unavailable'), 'to-respondent')
    const before = w.ledger.tokenBalance(client.token)
    const fin = w.ledger.mustSend([finalizeIx(c)], [w.ledger.payer])
    assert.equal(w.ledger.tokenBalance(client.token) - before, c.amount + bond)
    const ev = parseEvents(fin.logs).find((e) => e.name === 'DisputeFinalized')
    assert.equal(ev?.data.bondToRespondent, bond)
    assert.equal(ev?.data.bondReturned, 0n)
  })

  it('no strict majority for UNAVAILABLE: a tie or a plurality is redrawn; a minority of UNAVAILABLE loses its deposit to a worker verdict', () => {
    const c = deliveredDispute('client')
    const { w, court, dispute, worker } = c
    const [a, b, d, m] = c.jurors as [Wallet, Wallet, Wallet, Wallet]
    // Round 0: 2 unavailable against 2 worker — a tie.
    court.round(new Map<Wallet, Ballot>([[a, 'unavailable'], [b, 'unavailable'], [d, 'worker'], [m, 'worker']]), c.jurors)
    assert.deepEqual(juryVerdict({ votesClient: 0, votesWorker: 2, votesUnavailable: 2 }), { kind: 'redraw', reason: 'tie' })
    assert.equal(w.dispute(dispute).state, DISPUTE_STATE.open)
    assert.equal(w.dispute(dispute).round, 1)
    assert.equal(w.dispute(dispute).votesUnavailable, 0, 'a redraw starts the counts again')
    // Round 1: 2 unavailable, 1 worker, 1 client — a plurality, not a majority: redrawn.
    court.round(new Map<Wallet, Ballot>([[a, 'unavailable'], [b, 'unavailable'], [d, 'worker'], [m, 'client']]), c.jurors)
    assert.deepEqual(juryVerdict({ votesClient: 1, votesWorker: 1, votesUnavailable: 2 }), { kind: 'redraw', reason: 'tie' })
    assert.equal(w.dispute(dispute).round, 2)
    // Round 2: 1 unavailable, 3 worker — the worker wins; paid as a completed job.
    const stakeA = w.node(a.kp.publicKey).stake
    court.round(new Map<Wallet, Ballot>([[a, 'unavailable'], [b, 'worker'], [d, 'worker'], [m, 'worker']]), c.jurors)
    const dd = w.dispute(dispute)
    assert.equal(dd.state, DISPUTE_STATE.resolved)
    assert.equal(dd.winner, SIDE.worker)
    const before = w.ledger.tokenBalance(worker.token)
    w.ledger.mustSend([finalizeIx(c)], [w.ledger.payer])
    assert.ok(w.ledger.tokenBalance(worker.token) > before, 'the worker is paid')
    assert.equal(w.escrowAccount(c.escrow).state, ESCROW_STATE.resolvedForWorker)
    w.ledger.mustSend([court.withdrawIx(a, 2)], [w.ledger.payer])
    assert.equal(w.node(a.kp.publicKey).stake, stakeA - jurorDeposit(stakeA), 'the UNAVAILABLE minority forfeited its round-2 deposit')
  })

  it('refuses a ballot that is not client, worker or unavailable (2 "no verdict", 4) at the reveal', () => {
    const c = deliveredDispute('client')
    const { w, court, dispute } = c
    const [a, b] = c.jurors as [Wallet, Wallet]
    court.toCommit()
    court.draw()
    const raw = (side: number, j: Wallet): Uint8Array => new Uint8Array(createHash('sha256').update(Uint8Array.of(side)).update(salt(j, 0)).update(dispute.toBytes()).update(j.kp.publicKey.toBytes()).digest())
    w.ledger.mustSend([commitVote({ juror: a.kp.publicKey, dispute, round: 0 }, raw(4, a), w.pid)], [a.kp])
    w.ledger.mustSend([commitVote({ juror: b.kp.publicKey, dispute, round: 0 }, raw(2, b), w.pid)], [b.kp])
    court.toReveal()
    expectError(w.ledger.send([revealVote({ juror: a.kp.publicKey, dispute, round: 0 }, 4, salt(a, 0), w.pid)], [a.kp]), 'InvalidSide')
    expectError(w.ledger.send([revealVote({ juror: b.kp.publicKey, dispute, round: 0 }, 2, salt(b, 0), w.pid)], [b.kp]), 'InvalidSide')
    assert.equal(w.dispute(dispute).revealed, 0)
  })
})
