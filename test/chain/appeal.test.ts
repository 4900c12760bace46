/**
 * Appeals as real SBF in LiteSVM. `resolve_dispute` only records a verdict; within
 * `DISPUTE.appealWindowSeconds` (24 h) its loser may `appeal` with `DISPUTE.appealDeposit`
 * (100 CYXWIZ, the dispute bond's Config slot; held in the dispute's vote vault), which reopens voting with
 * `appealQuorumMultiplier` × the quorum; first-round votes do not count in the appeal (they may be
 * withdrawn at once). `finalize_dispute` executes the final verdict only once it can no longer be
 * appealed, and returns the deposit on an overturn or forfeits it to the treasury
 * (`appealDepositOutcome`). `close_dispute` returns the rent once every vote is withdrawn.
 */
import assert from 'node:assert/strict'
import type { PublicKey } from '@solana/web3.js'
import {
  DISPUTE_STATE, ESCROW_STATE, NODE_STATUS, SIDE, appeal, closeDispute, decodeVote, disputePda, escrowVaultPda, finalizeDispute, openDispute,
  parseEvents, resolveDispute, submitEvidence, vaultPda, vote, votePda, withdrawVote
} from '../../chain/client/index.js'
import { DISPUTE, STAKE_TIERS, appealDepositOutcome, disputeVerdict, quorumVotes, reputationTier, tallyDispute } from '../../protocols/index.js'
import { TOKEN, World, expectError, program, record, type Wallet } from './world.js'

const stake = STAKE_TIERS[1]?.minStake ?? 0n
const deposit = DISPUTE.appealDeposit

interface Case { w: World, worker: Wallet, client: Wallet, jurors: [Wallet, Wallet], escrow: PublicKey, dispute: PublicKey, amount: bigint }

/** A funded escrow disputed by `claimant`; two jurors with 3,000 tokens each; both parties can afford a deposit. */
function disputed (claimant: 'client' | 'worker'): Case {
  const w = new World().initialize()
  const worker = w.worker(stake, 300n)
  w.mintTo(worker.token, deposit)
  const client = w.wallet(300n)
  const jurors: [Wallet, Wallet] = [w.wallet(3_000n), w.wallet(3_000n)]
  const amount = 5n * TOKEN + 3n
  const escrow = w.escrow(client, worker, 1n, amount)
  const by = claimant === 'client' ? client : worker
  w.ledger.mustSend([openDispute({ claimant: by.kp.publicKey, claimantToken: by.token, escrow, mint: w.mint }, `bafy-${claimant}`, w.pid)], [by.kp])
  return { w, worker, client, jurors, escrow, dispute: disputePda(w.pid, escrow).address, amount }
}

const voteIx = (c: Case, voter: Wallet, side: number, amount: bigint) =>
  vote({ voter: voter.kp.publicKey, dispute: c.dispute, voterToken: voter.token }, side, amount, c.w.pid)
const withdrawIx = (c: Case, voter: Wallet) => withdrawVote({ voter: voter.kp.publicKey, dispute: c.dispute, voterToken: voter.token }, c.w.pid)
const resolveIx = (c: Case) => resolveDispute({ escrow: c.escrow, mint: c.w.mint }, c.w.pid)
const finalizeIx = (c: Case) => finalizeDispute({ escrow: c.escrow, worker: c.worker.kp.publicKey, clientToken: c.client.token, workerToken: c.worker.token }, c.w.pid)
const appealIx = (c: Case, by: Wallet, token = by.token) => appeal({ appellant: by.kp.publicKey, dispute: c.dispute, appellantToken: token }, c.w.pid)
const now = (c: Case): bigint => c.w.ledger.unixTime()

/** Round 0 with no votes: warps through evidence and voting, records the verdict (the respondent's). */
function resolveFirstRound (c: Case): void {
  c.w.ledger.warp(BigInt(DISPUTE.evidenceWindowSeconds + DISPUTE.votingWindowSeconds))
  c.w.ledger.mustSend([resolveIx(c)], [c.w.ledger.payer])
}

describe('chain/program: appeals, deferred verdicts, closing disputes', () => {
  before(function () {
    this.timeout(600_000)
    program()
  })

  it('the loser appeals within the window: deposit into the vote vault, a new round at 2× quorum; an overturn executes only the final verdict and returns the deposit', () => {
    const c = disputed('client')
    const { w, client, worker, jurors: [a, b], dispute, escrow, amount } = c
    // Round 0: one small vote for the worker, far below quorum: the worker (respondent) wins.
    w.ledger.warp(BigInt(DISPUTE.evidenceWindowSeconds))
    w.ledger.mustSend([voteIx(c, b, SIDE.worker, 10n * TOKEN)], [b.kp])
    expectError(w.ledger.send([appealIx(c, client)], [client.kp]), 'InvalidDisputeState') // nothing to appeal yet
    w.ledger.warp(BigInt(DISPUTE.votingWindowSeconds))
    w.ledger.mustSend([resolveIx(c)], [w.ledger.payer])
    assert.equal(w.dispute(dispute).winner, SIDE.worker)
    const escrowVault = escrowVaultPda(w.pid, escrow).address
    assert.equal(w.ledger.tokenBalance(escrowVault), amount, 'a recorded verdict moves nothing')

    // Wrong appellants and accounts.
    expectError(w.ledger.send([appealIx(c, worker)], [worker.kp]), 'Unauthorized') // the winner
    expectError(w.ledger.send([appealIx(c, a)], [a.kp]), 'NotAParty')
    expectError(w.ledger.send([appealIx(c, client, a.token)], [client.kp]), 'ConstraintTokenOwner')
    const wrongVault = appeal({ appellant: client.kp.publicKey, dispute, appellantToken: client.token, voteVault: escrowVault }, w.pid)
    expectError(w.ledger.send([wrongVault], [client.kp]), 'ConstraintAddress')

    const clientBefore = w.ledger.tokenBalance(client.token)
    const voteVault = w.dispute(dispute).voteVault
    const vaultBefore = w.ledger.tokenBalance(voteVault)
    const res = record('appeal', w.ledger.send([appealIx(c, client)], [client.kp]))
    assert.equal(clientBefore - w.ledger.tokenBalance(client.token), deposit)
    assert.equal(w.ledger.tokenBalance(voteVault) - vaultBefore, deposit)
    const appealed = parseEvents(res.logs).find((e) => e.name === 'DisputeAppealed')
    assert.equal(appealed?.data.deposit, deposit)
    const d = w.dispute(dispute)
    assert.equal(d.state, DISPUTE_STATE.open)
    assert.equal(d.round, 1)
    assert.equal(d.appellant, SIDE.client)
    assert.equal(d.firstWinner, SIDE.worker)
    assert.equal(d.firstForWorker, 10n * TOKEN)
    assert.equal(d.forWorker, 0n, 'first-round votes do not count in the appeal')
    assert.equal(d.appealDeposit, deposit)
    assert.equal(d.votingDeadline, now(c) + BigInt(DISPUTE.votingWindowSeconds))
    expectError(w.ledger.send([appealIx(c, client)], [client.kp]), 'InvalidDisputeState') // double appeal while voting
    expectError(w.ledger.send([submitEvidence({ party: worker.kp.publicKey, dispute }, 'late', w.pid)], [worker.kp]), 'EvidenceWindowClosed')
    expectError(w.ledger.send([finalizeIx(c)], [w.ledger.payer]), 'InvalidDisputeState')

    // A first-round voter withdraws at once, then may vote again in the appeal round.
    expectError(w.ledger.send([voteIx(c, b, SIDE.worker, TOKEN)], [b.kp]), 'AccountAlreadyInitialized')
    const bBefore = w.ledger.tokenBalance(b.token)
    w.ledger.mustSend([withdrawIx(c, b)], [b.kp])
    assert.equal(w.ledger.tokenBalance(b.token) - bBefore, 10n * TOKEN)
    w.ledger.mustSend([voteIx(c, b, SIDE.worker, TOKEN)], [b.kp])
    assert.equal(decodeVote(w.ledger.account(votePda(w.pid, dispute, b.kp.publicKey).address)?.data ?? new Uint8Array()).round, 1)

    // The appeal round needs twice the quorum: juror A brings exactly that for the client.
    const supply = w.supply()
    const q2 = quorumVotes(supply, true)
    assert.ok(q2 > quorumVotes(supply, false))
    w.ledger.mustSend([voteIx(c, a, SIDE.client, q2)], [a.kp])
    expectError(w.ledger.send([withdrawIx(c, a)], [a.kp]), 'InvalidDisputeState') // its round is still open
    expectError(w.ledger.send([resolveIx(c)], [w.ledger.payer]), 'VotingNotEnded')
    w.ledger.warp(BigInt(DISPUTE.votingWindowSeconds))
    const tally = tallyDispute({ forClient: q2, forWorker: TOKEN, supply, appeal: true, claimant: 'client' })
    assert.equal(tally.winner, 'client')
    const resolved = parseEvents(w.ledger.mustSend([resolveIx(c)], [w.ledger.payer]).logs).find((e) => e.name === 'DisputeResolved')
    assert.equal(resolved?.data.quorum, q2)
    assert.equal(resolved?.data.winner, BigInt(SIDE.client))
    const d2 = w.dispute(dispute)
    assert.equal(d2.appealDeadline, d2.resolvedAt, 'the appeal round is final at once')
    expectError(w.ledger.send([appealIx(c, worker)], [worker.kp]), 'AlreadyAppealed') // no second appeal

    // Finalized at once: the client's verdict, with the deposit returned.
    assert.equal(appealDepositOutcome('worker', 'client'), 'returned')
    const node = w.node(worker.kp.publicKey)
    const verdict = disputeVerdict('client', amount, node.stake, reputationTier(node.reputation).name)
    const clientMid = w.ledger.tokenBalance(client.token)
    const platformBefore = w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address)
    const fin = record('finalize_dispute', w.ledger.send([finalizeIx(c)], [w.ledger.payer]))
    assert.equal(w.ledger.tokenBalance(client.token) - clientMid, verdict.clientRefund + verdict.slashToClient + deposit + DISPUTE.disputeBond) // and its bond
    assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address) - platformBefore, verdict.slashToTreasury)
    assert.equal(w.ledger.tokenBalance(escrowVault), 0n)
    assert.equal(w.ledger.tokenBalance(voteVault), q2 + TOKEN, 'only the votes remain')
    assert.equal(w.node(worker.kp.publicKey).status, NODE_STATUS.banned)
    assert.equal(w.escrowAccount(escrow).state, ESCROW_STATE.resolvedForClient)
    const finalized = parseEvents(fin.logs).find((e) => e.name === 'DisputeFinalized')
    assert.equal(finalized?.data.depositReturned, deposit)
    assert.equal(finalized?.data.depositForfeited, 0n)
    assert.equal(finalized?.data.bondReturned, DISPUTE.disputeBond)
    expectError(w.ledger.send([finalizeIx(c)], [w.ledger.payer]), 'InvalidDisputeState') // no double settlement

    // Closing: refused while votes are locked, then the rent goes back to the claimant.
    expectError(w.ledger.send([closeDispute({ claimant: client.kp.publicKey, dispute }, w.pid)], [w.ledger.payer]), 'VotesOutstanding')
    w.ledger.mustSend([withdrawIx(c, a)], [a.kp])
    w.ledger.mustSend([withdrawIx(c, b)], [b.kp])
    const rent = (w.ledger.account(dispute)?.lamports ?? 0n) + (w.ledger.account(voteVault)?.lamports ?? 0n)
    const lamports = w.ledger.account(client.kp.publicKey)?.lamports ?? 0n
    w.ledger.mustSend([closeDispute({ claimant: client.kp.publicKey, dispute }, w.pid)], [w.ledger.payer])
    assert.equal((w.ledger.account(client.kp.publicKey)?.lamports ?? 0n) - lamports, rent)
    assert.equal(w.ledger.account(dispute), null)
  })

  it('an appeal short of twice the quorum upholds the verdict: the worker is paid and the deposit forfeited to the treasury', () => {
    const c = disputed('client')
    const { w, client, worker, jurors: [a], dispute, escrow, amount } = c
    resolveFirstRound(c)
    assert.equal(w.dispute(dispute).winner, SIDE.worker)
    w.ledger.warp(BigInt(DISPUTE.appealWindowSeconds - 10)) // still within the window
    w.ledger.mustSend([appealIx(c, client)], [client.kp])
    // Exactly the first-round quorum: enough to carry round 0, not the appeal.
    const supply = w.supply()
    const q1 = quorumVotes(supply, false)
    w.ledger.mustSend([voteIx(c, a, SIDE.client, q1)], [a.kp])
    assert.equal(tallyDispute({ forClient: q1, forWorker: 0n, supply, appeal: false, claimant: 'client' }).winner, 'client')
    assert.equal(tallyDispute({ forClient: q1, forWorker: 0n, supply, appeal: true, claimant: 'client' }).winner, 'worker')
    w.ledger.warp(BigInt(DISPUTE.votingWindowSeconds))
    w.ledger.mustSend([resolveIx(c)], [w.ledger.payer])
    assert.equal(w.dispute(dispute).winner, SIDE.worker)

    assert.equal(appealDepositOutcome('worker', 'worker'), 'forfeited')
    const node = w.node(worker.kp.publicKey)
    const verdict = disputeVerdict('worker', amount, node.stake, reputationTier(node.reputation).name)
    const workerBefore = w.ledger.tokenBalance(worker.token)
    const clientBefore = w.ledger.tokenBalance(client.token)
    const platformBefore = w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address)
    const fin = w.ledger.mustSend([finalizeIx(c)], [w.ledger.payer])
    assert.equal(w.ledger.tokenBalance(worker.token) - workerBefore, verdict.workerPayment + DISPUTE.disputeBond) // the client's bond
    assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address) - platformBefore, verdict.platformFee + deposit)
    assert.equal(w.ledger.tokenBalance(client.token), clientBefore)
    assert.equal(w.ledger.tokenBalance(w.dispute(dispute).voteVault), q1, 'only the votes remain')
    assert.equal(w.escrowAccount(escrow).state, ESCROW_STATE.resolvedForWorker)
    const finalized = parseEvents(fin.logs).find((e) => e.name === 'DisputeFinalized')
    assert.equal(finalized?.data.depositForfeited, deposit)
    assert.equal(finalized?.data.depositReturned, 0n)
    assert.equal(finalized?.data.bondToRespondent, DISPUTE.disputeBond)
  })

  it('refuses an appeal after the 24-hour window or by the winner; the verdict executes only after the window', () => {
    const c = disputed('worker')
    const { w, client, worker, dispute, escrow, amount } = c
    resolveFirstRound(c) // no votes: the client (respondent) wins
    assert.equal(w.dispute(dispute).winner, SIDE.client)
    expectError(w.ledger.send([finalizeIx(c)], [w.ledger.payer]), 'AppealWindowOpen')
    expectError(w.ledger.send([appealIx(c, client)], [client.kp]), 'Unauthorized')
    w.ledger.warp(BigInt(DISPUTE.appealWindowSeconds))
    const workerBefore = w.ledger.tokenBalance(worker.token)
    expectError(w.ledger.send([appealIx(c, worker)], [worker.kp]), 'AppealWindowClosed')
    assert.equal(w.ledger.tokenBalance(worker.token), workerBefore, 'no deposit taken')
    const clientBefore = w.ledger.tokenBalance(client.token)
    w.ledger.mustSend([finalizeIx(c)], [w.ledger.payer])
    assert.ok(w.ledger.tokenBalance(client.token) - clientBefore >= amount)
    assert.equal(w.escrowAccount(escrow).state, ESCROW_STATE.resolvedForClient)
    assert.equal(w.dispute(dispute).state, DISPUTE_STATE.finalized)
    expectError(w.ledger.send([appealIx(c, worker)], [worker.kp]), 'InvalidDisputeState')
    // No vote was cast: the dispute closes at once; the rent goes to the worker, who opened it.
    expectError(w.ledger.send([closeDispute({ claimant: client.kp.publicKey, dispute }, w.pid)], [w.ledger.payer]), 'ConstraintAddress')
    w.ledger.mustSend([closeDispute({ claimant: worker.kp.publicKey, dispute }, w.pid)], [w.ledger.payer])
    assert.equal(w.ledger.account(dispute), null)
  })

  it('refuses to close a dispute that is not finalized', () => {
    const c = disputed('client')
    const { w, client, dispute } = c
    expectError(w.ledger.send([closeDispute({ claimant: client.kp.publicKey, dispute }, c.w.pid)], [w.ledger.payer]), 'InvalidDisputeState')
    resolveFirstRound(c)
    expectError(w.ledger.send([closeDispute({ claimant: client.kp.publicKey, dispute }, c.w.pid)], [w.ledger.payer]), 'InvalidDisputeState')
  })
})
