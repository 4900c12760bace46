/**
 * Disputes as real SBF in LiteSVM: open_dispute (the claimant locks `DISPUTE.disputeBond` in the
 * dispute's vault: back to it if it wins, to the respondent if it loses), submit_evidence within the
 * 24-hour window,
 * vote with tokens locked in the dispute's vote vault (one Vote PDA per wallet), resolve_dispute
 * after the voting window with a 5 % quorum of the mint's supply (recording the verdict),
 * finalize_dispute after the appeal window (executing it exactly as `tallyDispute` /
 * `disputeVerdict` of protocols/rules/dispute.ts), and withdraw_vote. Appeals: appeal.test.ts.
 */
import assert from 'node:assert/strict'
import type { PublicKey } from '@solana/web3.js'
import {
  DISPUTE_STATE, ESCROW_STATE, NODE_STATUS, SIDE, cancel, cidBytes, closeDispute, disputePda, escrowVaultPda, finalizeDispute, nodePda, openDispute,
  parseEvents, resolveDispute, voteVaultPda, submitEvidence, timeoutRefund, vaultPda, vote, votePda, withdrawVote
} from '../../chain/client/index.js'
import {
  DISPUTE, REPUTATION, STAKE_TIERS, disputeVerdict, quorumVotes, reputationScore, reputationTier, tallyDispute
} from '../../protocols/index.js'
import { reputationRecordOf } from '../../chain/client/index.js'
import { TOKEN, World, expectError, program, record, type Wallet } from './world.js'

const stake = STAKE_TIERS[1]?.minStake ?? 0n
const bond = DISPUTE.disputeBond

interface Case { w: World, worker: Wallet, client: Wallet, voters: Wallet[], escrow: PublicKey, dispute: PublicKey, amount: bigint }

/** A funded escrow disputed by `claimant`; three voters holding 600, 400 and 50 tokens. */
function disputed (claimant: 'client' | 'worker'): Case {
  const w = new World().initialize()
  const worker = w.worker(stake, 400n)
  const client = w.wallet(200n)
  const voters = [w.wallet(600n), w.wallet(400n), w.wallet(50n)]
  const amount = 5n * TOKEN + 3n
  const escrow = w.escrow(client, worker, 1n, amount)
  const by = claimant === 'client' ? client : worker
  record('open_dispute', w.ledger.send([openDispute({ claimant: by.kp.publicKey, claimantToken: by.token, escrow, mint: w.mint }, `bafy-${claimant}-evidence`, w.pid)], [by.kp]))
  return { w, worker, client, voters, escrow, dispute: disputePda(w.pid, escrow).address, amount }
}

const voteIx = (c: Case, voter: Wallet, side: number, amount: bigint) =>
  vote({ voter: voter.kp.publicKey, dispute: c.dispute, voterToken: voter.token }, side, amount, c.w.pid)
const resolveIx = (c: Case) => resolveDispute({ escrow: c.escrow, mint: c.w.mint }, c.w.pid)
const finalizeIx = (c: Case) => finalizeDispute({
  escrow: c.escrow, worker: c.worker.kp.publicKey, clientToken: c.client.token, workerToken: c.worker.token
}, c.w.pid)
/** Records the verdict, lets the appeal window pass unused, and executes it. */
function resolveAndFinalize (c: Case): void {
  c.w.ledger.mustSend([resolveIx(c)], [c.w.ledger.payer])
  c.w.ledger.warp(BigInt(DISPUTE.appealWindowSeconds))
  c.w.ledger.mustSend([finalizeIx(c)], [c.w.ledger.payer])
}

function toVoting (c: Case): void {
  c.w.ledger.warp(BigInt(DISPUTE.evidenceWindowSeconds))
}
function toResolution (c: Case): void {
  c.w.ledger.warp(BigInt(DISPUTE.votingWindowSeconds))
}

describe('chain/program: disputes', () => {
  before(function () {
    this.timeout(600_000)
    program()
  })

  it('opens a dispute that freezes the escrow and locks the claimant\'s bond; evidence only within 24 h and only by the parties', () => {
    const c = disputed('client')
    const { w, client, worker, escrow, dispute } = c
    const d = w.dispute(dispute)
    // The bond: taken from the claimant's 200 − 5 tokens into the dispute's vault.
    assert.ok(bond > 0n)
    assert.equal(d.bond, bond)
    assert.equal(w.ledger.tokenBalance(d.voteVault), bond)
    assert.equal(w.ledger.tokenBalance(client.token), 200n * TOKEN - c.amount - bond)
    assert.equal(d.state, DISPUTE_STATE.open)
    assert.equal(d.claimant, SIDE.client)
    assert.deepEqual(d.clientEvidence, cidBytes('bafy-client-evidence'))
    assert.equal(d.evidenceDeadline, d.openedAt + BigInt(DISPUTE.evidenceWindowSeconds))
    assert.equal(d.votingDeadline, d.evidenceDeadline + BigInt(DISPUTE.votingWindowSeconds))
    assert.equal(w.escrowAccount(escrow).state, ESCROW_STATE.disputed)
    // Frozen: no payment, cancellation or timeout while disputed.
    expectError(w.ledger.send([w.completeIx(client, worker, escrow)], [client.kp]), 'InvalidEscrowState')
    expectError(w.ledger.send([cancel({ client: client.kp.publicKey, escrow, worker: worker.kp.publicKey, workerToken: worker.token, clientToken: client.token }, w.pid)], [client.kp]), 'InvalidEscrowState')
    // Replay: a second dispute over the same escrow.
    expectError(w.ledger.send([openDispute({ claimant: worker.kp.publicKey, claimantToken: worker.token, escrow, mint: w.mint }, 'x', w.pid)], [worker.kp]), 'InvalidEscrowState')
    record('submit_evidence', w.ledger.send([submitEvidence({ party: worker.kp.publicKey, dispute }, 'bafy-worker-logs', w.pid)], [worker.kp]))
    assert.deepEqual(w.dispute(dispute).workerEvidence, cidBytes('bafy-worker-logs'))
    const stranger = c.voters[0] as Wallet
    expectError(w.ledger.send([submitEvidence({ party: stranger.kp.publicKey, dispute }, 'spam', w.pid)], [stranger.kp]), 'NotAParty')
    toVoting(c)
    expectError(w.ledger.send([submitEvidence({ party: worker.kp.publicKey, dispute }, 'late', w.pid)], [worker.kp]), 'EvidenceWindowClosed')
    w.ledger.warp(BigInt(86_400 * 7))
    expectError(w.ledger.send([timeoutRefund({ escrow, worker: worker.kp.publicKey, clientToken: client.token, mint: w.mint }, w.pid)], [w.ledger.payer]), 'InvalidEscrowState')
  })

  it('refuses a dispute by a stranger, at a wrong PDA, after the deadline, or with another mint', () => {
    const w = new World().initialize()
    const worker = w.worker(stake, 300n)
    const client = w.wallet(100n)
    const escrow = w.escrow(client, worker, 1n, TOKEN, { timeoutSecs: 1_000n, estimatedSeconds: 500n })
    const stranger = w.wallet(0n)
    expectError(w.ledger.send([openDispute({ claimant: stranger.kp.publicKey, claimantToken: stranger.token, escrow, mint: w.mint }, 'x', w.pid)], [stranger.kp]), 'NotAParty')
    const wrong = disputePda(w.pid, nodePda(w.pid, client.kp.publicKey).address).address
    expectError(w.ledger.send([openDispute({ claimant: client.kp.publicKey, claimantToken: client.token, escrow, mint: w.mint, dispute: wrong }, 'x', w.pid)], [client.kp]), 'ConstraintSeeds')
    const otherMint = w.ledger.createMint(w.mintAuthority.publicKey, 9)
    expectError(w.ledger.send([openDispute({ claimant: client.kp.publicKey, claimantToken: client.token, escrow, mint: otherMint }, 'x', w.pid)], [client.kp]), 'ConstraintAddress')
    const wrongVault = openDispute({ claimant: client.kp.publicKey, claimantToken: client.token, escrow, mint: w.mint, voteVault: escrowVaultPda(w.pid, escrow).address }, 'x', w.pid)
    expectError(w.ledger.send([wrongVault], [client.kp]), 'ConstraintSeeds')
    w.ledger.warp(1_001n)
    expectError(w.ledger.send([openDispute({ claimant: client.kp.publicKey, claimantToken: client.token, escrow, mint: w.mint }, 'x', w.pid)], [client.kp]), 'DeadlinePassed')
  })

  it('a claimant cannot dispute without the bond, nor lock it from another wallet\'s account; nothing moves', () => {
    const w = new World().initialize()
    const worker = w.worker(stake, 400n)
    const client = w.wallet(10n) // 10 tokens: the 1-token escrow, and far less than the bond
    const escrow = w.escrow(client, worker, 1n, TOKEN)
    const before = w.ledger.tokenBalance(client.token)
    assert.ok(before < bond)
    const poor = w.ledger.send([openDispute({ claimant: client.kp.publicKey, claimantToken: client.token, escrow, mint: w.mint }, 'x', w.pid)], [client.kp])
    assert.equal(poor.ok, false)
    assert.ok(poor.logs.some((l) => l.includes('insufficient funds')), poor.logs.join('\n'))
    // The worker's token account holds enough, but the client cannot lock its bond from it.
    expectError(w.ledger.send([openDispute({ claimant: client.kp.publicKey, claimantToken: worker.token, escrow, mint: w.mint }, 'x', w.pid)], [client.kp]), 'ConstraintTokenOwner')
    assert.equal(w.ledger.tokenBalance(client.token), before)
    assert.equal(w.escrowAccount(escrow).state, ESCROW_STATE.funded)
    assert.equal(w.ledger.account(disputePda(w.pid, escrow).address), null)
  })

  it('client wins a quorate majority: full refund, 50 % slash split client/treasury, −200, ban (disputeVerdict)', () => {
    const c = disputed('client')
    const { w, client, worker, voters, dispute, escrow, amount } = c
    const [a, b, small] = voters as [Wallet, Wallet, Wallet]
    expectError(w.ledger.send([voteIx(c, a, SIDE.client, 300n * TOKEN)], [a.kp]), 'VotingNotOpen') // still the evidence window
    toVoting(c)
    expectError(w.ledger.send([voteIx(c, client, SIDE.client, TOKEN)], [client.kp]), 'SelfDealing')
    expectError(w.ledger.send([voteIx(c, a, 2, TOKEN)], [a.kp]), 'InvalidSide')
    expectError(w.ledger.send([voteIx(c, a, SIDE.client, 0n)], [a.kp]), 'ZeroAmount')
    const stolen = vote({ voter: a.kp.publicKey, dispute, voterToken: b.token }, SIDE.client, TOKEN, w.pid)
    expectError(w.ledger.send([stolen], [a.kp]), 'ConstraintTokenOwner')
    const wrongVote = vote({ voter: a.kp.publicKey, dispute, voterToken: a.token, vote: votePda(w.pid, dispute, b.kp.publicKey).address }, SIDE.client, TOKEN, w.pid)
    expectError(w.ledger.send([wrongVote], [a.kp]), 'ConstraintSeeds')
    record('vote', w.ledger.send([voteIx(c, a, SIDE.client, 300n * TOKEN)], [a.kp]))
    expectError(w.ledger.send([voteIx(c, a, SIDE.worker, TOKEN)], [a.kp]), 'AccountAlreadyInitialized') // one vote per wallet
    w.ledger.mustSend([voteIx(c, b, SIDE.worker, 100n * TOKEN)], [b.kp])
    w.ledger.mustSend([voteIx(c, small, SIDE.worker, 10n * TOKEN)], [small.kp])
    assert.equal(w.ledger.tokenBalance(w.dispute(dispute).voteVault), 410n * TOKEN + bond)
    expectError(w.ledger.send([resolveIx(c)], [w.ledger.payer]), 'VotingNotEnded')
    expectError(w.ledger.send([withdrawVote({ voter: a.kp.publicKey, dispute, voterToken: a.token }, w.pid)], [a.kp]), 'InvalidDisputeState')
    toResolution(c)
    const late = w.wallet(10n)
    expectError(w.ledger.send([voteIx(c, late, SIDE.worker, TOKEN)], [late.kp]), 'VotingNotOpen')

    const otherMint = w.ledger.createMint(w.mintAuthority.publicKey, 9)
    expectError(w.ledger.send([resolveDispute({ escrow, mint: otherMint }, w.pid)], [w.ledger.payer]), 'ConstraintAddress')
    const other = w.escrow(client, worker, 9n, TOKEN) // for the wrong-account checks below

    const node = w.node(worker.kp.publicKey)
    const supply = w.supply()
    const tally = tallyDispute({ forClient: 300n * TOKEN, forWorker: 110n * TOKEN, supply, appeal: false, claimant: 'client' })
    assert.equal(tally.winner, 'client')
    assert.equal(tally.reason, 'majority')
    const verdict = disputeVerdict('client', amount, node.stake, reputationTier(node.reputation).name)
    const clientBefore = w.ledger.tokenBalance(client.token)
    const platformBefore = w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address)
    const res = record('resolve_dispute', w.ledger.send([resolveIx(c)], [w.ledger.payer]))
    const resolved = parseEvents(res.logs).find((e) => e.name === 'DisputeResolved')
    assert.equal(resolved?.data.quorum, quorumVotes(supply, false))
    assert.equal(resolved?.data.winner, BigInt(SIDE.client))
    // Recorded, not executed: nothing moved while the verdict can still be appealed.
    const recorded = w.dispute(dispute)
    assert.equal(recorded.state, DISPUTE_STATE.resolved)
    assert.equal(recorded.winner, SIDE.client)
    assert.equal(recorded.appealDeadline, recorded.resolvedAt + BigInt(DISPUTE.appealWindowSeconds))
    assert.equal(w.ledger.tokenBalance(client.token), clientBefore)
    assert.equal(w.ledger.tokenBalance(escrowVaultPda(w.pid, escrow).address), amount)
    assert.equal(w.escrowAccount(escrow).state, ESCROW_STATE.disputed)
    expectError(w.ledger.send([resolveIx(c)], [w.ledger.payer]), 'InvalidDisputeState') // replay
    expectError(w.ledger.send([finalizeIx(c)], [w.ledger.payer]), 'AppealWindowOpen')
    w.ledger.warp(BigInt(DISPUTE.appealWindowSeconds))

    // Wrong accounts at finalization: another escrow, a thief's token account, a wrong vault.
    const base = { escrow, worker: worker.kp.publicKey, clientToken: client.token, workerToken: worker.token }
    expectError(w.ledger.send([finalizeDispute({ ...base, escrow: other, dispute }, w.pid)], [w.ledger.payer]), 'ConstraintHasOne')
    expectError(w.ledger.send([finalizeDispute({ ...base, clientToken: a.token }, w.pid)], [w.ledger.payer]), 'ConstraintTokenOwner')
    expectError(w.ledger.send([finalizeDispute({ ...base, platformVault: vaultPda(w.pid, 'insurance').address }, w.pid)], [w.ledger.payer]), 'ConstraintAddress')
    expectError(w.ledger.send([finalizeDispute({ ...base, voteVault: voteVaultPda(w.pid, other).address }, w.pid)], [w.ledger.payer]), 'ConstraintAddress')

    const fin = record('finalize_dispute', w.ledger.send([finalizeIx(c)], [w.ledger.payer]))
    // The client won: refund, its share of the slash, and its bond back.
    assert.equal(w.ledger.tokenBalance(client.token) - clientBefore, verdict.clientRefund + verdict.slashToClient + bond)
    assert.equal(w.dispute(dispute).bond, 0n)
    assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address) - platformBefore, verdict.slashToTreasury)
    assert.equal(w.ledger.tokenBalance(escrowVaultPda(w.pid, escrow).address), 0n)
    const after = w.node(worker.kp.publicKey)
    assert.equal(after.stake, node.stake - verdict.slashed)
    assert.equal(after.status, NODE_STATUS.banned)
    assert.equal(after.adjustment - node.adjustment, verdict.reputationDelta)
    assert.equal(after.jobsActive, node.jobsActive - 1)
    assert.equal(after.reputation, reputationScore(reputationRecordOf(after)))
    assert.equal(w.escrowAccount(escrow).state, ESCROW_STATE.resolvedForClient)
    assert.equal(w.dispute(dispute).state, DISPUTE_STATE.finalized)
    const finalized = parseEvents(fin.logs).find((e) => e.name === 'DisputeFinalized')
    assert.equal(finalized?.data.winner, BigInt(SIDE.client))
    assert.equal(finalized?.data.depositReturned, 0n)
    assert.equal(finalized?.data.depositForfeited, 0n)
    assert.equal(finalized?.data.bondReturned, bond)
    assert.equal(finalized?.data.bondToRespondent, 0n)
    expectError(w.ledger.send([finalizeIx(c)], [w.ledger.payer]), 'InvalidDisputeState') // replay
    // A banned worker takes no new jobs.
    expectError(w.ledger.send([w.createEscrowIx(client, worker.kp.publicKey, w.escrowArgs(2n, TOKEN))], [client.kp]), 'NodeNotActive')

    // Votes come back; the Vote account closes.
    const before = w.ledger.tokenBalance(a.token)
    record('withdraw_vote', w.ledger.send([withdrawVote({ voter: a.kp.publicKey, dispute, voterToken: a.token }, w.pid)], [a.kp]))
    assert.equal(w.ledger.tokenBalance(a.token) - before, 300n * TOKEN)
    assert.equal(w.ledger.account(votePda(w.pid, dispute, a.kp.publicKey).address), null)
    expectError(w.ledger.send([withdrawVote({ voter: a.kp.publicKey, dispute, voterToken: a.token }, w.pid)], [a.kp]), 'AccountOwnedByWrongProgram')
    expectError(w.ledger.send([withdrawVote({ voter: b.kp.publicKey, dispute, voterToken: a.token }, w.pid)], [b.kp]), 'ConstraintTokenOwner')
    expectError(w.ledger.send([withdrawVote({ voter: small.kp.publicKey, dispute, voterToken: small.token, vote: votePda(w.pid, dispute, b.kp.publicKey).address }, w.pid)], [small.kp]), 'ConstraintHasOne')
    w.ledger.mustSend([withdrawVote({ voter: b.kp.publicKey, dispute, voterToken: b.token }, w.pid)], [b.kp])
    w.ledger.mustSend([withdrawVote({ voter: small.kp.publicKey, dispute, voterToken: small.token }, w.pid)], [small.kp])
    assert.equal(w.dispute(dispute).locked, 0n)
    const voteVault = w.dispute(dispute).voteVault
    assert.equal(w.ledger.tokenBalance(voteVault), 0n)

    // Closing the finalized dispute returns its and its vault's rent to the claimant (the client).
    expectError(w.ledger.send([closeDispute({ claimant: worker.kp.publicKey, dispute }, w.pid)], [w.ledger.payer]), 'ConstraintAddress')
    const rent = (w.ledger.account(dispute)?.lamports ?? 0n) + (w.ledger.account(voteVault)?.lamports ?? 0n)
    assert.ok(rent > 0n)
    const lamportsBefore = w.ledger.account(client.kp.publicKey)?.lamports ?? 0n
    record('close_dispute', w.ledger.send([closeDispute({ claimant: client.kp.publicKey, dispute }, w.pid)], [w.ledger.payer]))
    assert.equal((w.ledger.account(client.kp.publicKey)?.lamports ?? 0n) - lamportsBefore, rent)
    assert.equal(w.ledger.account(dispute), null)
    assert.equal(w.ledger.account(voteVault), null)
    expectError(w.ledger.send([closeDispute({ claimant: client.kp.publicKey, dispute }, w.pid)], [w.ledger.payer]), 'AccountOwnedByWrongProgram')
  })

  it('worker wins a quorate majority: paid 90/10, +5, and the client\'s bond', () => {
    const c = disputed('client')
    const { w, worker, voters, escrow, amount } = c
    toVoting(c)
    w.ledger.mustSend([voteIx(c, voters[0] as Wallet, SIDE.worker, 200n * TOKEN)], [(voters[0] as Wallet).kp])
    w.ledger.mustSend([voteIx(c, voters[1] as Wallet, SIDE.client, 100n * TOKEN)], [(voters[1] as Wallet).kp])
    toResolution(c)
    const node = w.node(worker.kp.publicKey)
    const verdict = disputeVerdict('worker', amount, node.stake, reputationTier(node.reputation).name)
    const before = w.ledger.tokenBalance(worker.token)
    resolveAndFinalize(c)
    assert.equal(w.ledger.tokenBalance(worker.token) - before, verdict.workerPayment + bond)
    assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address), verdict.platformFee)
    const after = w.node(worker.kp.publicKey)
    assert.equal(after.adjustment - node.adjustment, REPUTATION.recoveries.disputeWon)
    assert.equal(after.stake, node.stake)
    assert.equal(after.status, NODE_STATUS.active)
    assert.equal(after.reputation, reputationScore(reputationRecordOf(after)))
    assert.equal(w.escrowAccount(escrow).state, ESCROW_STATE.resolvedForWorker)
  })

  it('without quorum, or on a tie, the respondent wins (tallyDispute)', () => {
    // Client claims, 50 tokens voted of a supply needing more: the worker (respondent) wins.
    const c1 = disputed('client')
    toVoting(c1)
    c1.w.ledger.mustSend([voteIx(c1, c1.voters[2] as Wallet, SIDE.client, 50n * TOKEN)], [(c1.voters[2] as Wallet).kp])
    toResolution(c1)
    assert.ok(50n * TOKEN < quorumVotes(c1.w.supply(), false), 'really below quorum')
    const worker1 = c1.w.ledger.tokenBalance(c1.worker.token)
    resolveAndFinalize(c1)
    assert.equal(c1.w.escrowAccount(c1.escrow).state, ESCROW_STATE.resolvedForWorker)
    const node1 = c1.w.node(c1.worker.kp.publicKey)
    const pay1 = disputeVerdict('worker', c1.amount, node1.stake, reputationTier(node1.reputation).name).workerPayment
    assert.equal(c1.w.ledger.tokenBalance(c1.worker.token) - worker1, pay1 + bond) // the respondent takes the bond
    // Worker claims, a quorate tie: the client (respondent) wins.
    const c2 = disputed('worker')
    toVoting(c2)
    c2.w.ledger.mustSend([voteIx(c2, c2.voters[0] as Wallet, SIDE.client, 200n * TOKEN)], [(c2.voters[0] as Wallet).kp])
    c2.w.ledger.mustSend([voteIx(c2, c2.voters[1] as Wallet, SIDE.worker, 200n * TOKEN)], [(c2.voters[1] as Wallet).kp])
    toResolution(c2)
    assert.equal(tallyDispute({ forClient: 200n * TOKEN, forWorker: 200n * TOKEN, supply: c2.w.supply(), appeal: false, claimant: 'worker' }).reason, 'tie')
    const client2 = c2.w.ledger.tokenBalance(c2.client.token)
    const node2 = c2.w.node(c2.worker.kp.publicKey)
    resolveAndFinalize(c2)
    assert.equal(c2.w.escrowAccount(c2.escrow).state, ESCROW_STATE.resolvedForClient)
    // The worker claimed and lost: its bond goes to the client with the refund and the slash share.
    const slashed2 = disputeVerdict('client', c2.amount, node2.stake, reputationTier(node2.reputation).name)
    assert.equal(c2.w.ledger.tokenBalance(c2.client.token) - client2, c2.amount + slashed2.slashToClient + bond)
  })
})
