/**
 * A model test of the program with adversarial actors (issue 15): random command sequences
 * (fast-check, a fixed seed) against the real SBF program in LiteSVM, checking the honest parties'
 * outcomes, not only conservation (`invariants.test.ts` does that under random operations).
 *
 * Actors:
 * - the honest worker H (staked): accepts only optimistic offers it can meet (its tier may take the
 *   amount, the estimate fits the timeout, each epoch's estimate fits the no-progress timeout, the
 *   offer has not expired), anchors the correct run epoch by epoch, never letting the no-progress
 *   timeout expire, delivers its weights before the deadline, claims after the challenge window, answers a dispute
 *   with its evidence;
 * - the honest client C: offers jobs to H and to the cheater X, keeps a dispute bond in reserve,
 *   completes a delivery whose weights are the correct ones (it re-executes), disputes any other
 *   within the challenge window, refunds a job nobody delivered after its deadline or whose worker
 *   stalled past the no-progress timeout — or hands a stalled job of X's over to H (`hand_over`,
 *   failover), paying X for the epochs it verified: every epoch X anchored of the right run, none
 *   if X anchored a wrong one (its spot check of the kept checkpoint fails) — and withdraws an
 *   offer nobody accepted (a handed-over one H did not take, too);
 * - the cheating worker X (staked): accepts C's offers and delivers a consistent but wrong run (its
 *   own chain ending in other weights), or anchors the right root and delivers other weights, or
 *   anchors some epochs (of the right run or a wrong one) and stops short of the final one, claims,
 *   disputes C's jobs itself, or stalls; it withholds the evidence of every other delivery and of
 *   every other dispute it opens. X is the only actor that stalls: a clock warp past its
 *   no-progress timeout (2 h) makes it `hand_over`'s target; H anchors before every one of its
 *   own, so (a) below stays meaningful — a hand-over of H's job always fails (`WorkerNotStalled`)
 *   and H is only ever a hand-over's new worker, which accepts the offer like any other (from
 *   the verified epoch on), anchors, delivers and is paid what was left;
 * - the griefing client G (rich): offers jobs to H and then disputes them (delivered or not), cancels
 *   them, completes them with the wrong hash, rates them;
 * - fresh puppet wallets (a few lamports, 2 CYXWIZ): unsolicited offers to H (1-token minimum, zk
 *   tier, shortest timeout), dust sent into escrow, vote, stake, platform and insurance vaults and
 *   into H's and C's accounts;
 * - griefing calls by non-parties or at wrong times, from a puppet, G or X: timeout_refund (also with
 *   its own token account as the client's), cancel, complete, claim_payment, submit_delivery,
 *   anchor_progress, accept_job, open_dispute, submit_evidence, commit_vote, draw_jury,
 *   resolve_dispute, finalize_dispute (with its own token accounts), withdraw_vote, close_dispute,
 *   close_escrow, rate_worker, heartbeat / request_unstake / withdraw_stake on H's node;
 * - refused hand-overs: by G or C while the worker is live (H's job, or X's before it stalled),
 *   `verified_epochs` above what was anchored, to the stalled worker itself, by a non-client
 *   (signing as the client); and X's late anchor on a job it was replaced on;
 * - clock warps (1 minute to 3 days, forward). The honest parties are live: before the clock
 *   passes one of their deadlines they act (H anchors its next epoch before the no-progress timeout
 *   expires and delivers an accepted job, C disputes a wrong
 *   delivery, the jurors draw, commit, reveal, resolve and finalize in each window).
 *
 * Disputes are decided by the jury machinery (`draw_jury`, `commit_vote`, `reveal_vote`,
 * `resolve_dispute`, `finalize_dispute`, `withdraw_vote`) with three staked juror nodes that are
 * always drawn (each holds enough of the stake that k · stake ≥ total). The truth of a dispute is
 * the side whose evidence re-executes — H's, or C's against X — or UNAVAILABLE when X withholds the
 * evidence (every other delivery of X's, and every other dispute X opens citing evidence it never
 * serves: finding 16). Each round's ballots follow a
 * jury plan drawn by fast-check (ballots of all three sides, SIDE_UNAVAILABLE = 3 included): all
 * three for the truth; one juror's fetch failed after every retry (it votes UNAVAILABLE); one
 * commits and never reveals (its deposit forfeited, too few reveals: redrawn); one abstains (no
 * commit: redrawn); or a three-way split (the truth, UNAVAILABLE and the other side: no strict
 * majority, redrawn). At most one juror errs, and never in the last round, so H never faces an
 * UNAVAILABLE or client majority. The model's own tally, verdict or redraw (`juryOutcome`), forfeit
 * pool and majority deposits are checked against the program's at every `resolve_dispute`, each
 * juror's stake after every commit (`jurorDeposit`) and every `withdraw_vote` (`jurorPayout`), and an
 * UNAVAILABLE verdict's refund, timeout-rate slash and bond (`unavailableOutcome`, `bondOutcome`)
 * at `finalize_dispute`. A staked attacker among the jurors is `security.test.ts`'s (finding 5). The zk tier's settlement (proofs,
 * `slash_invalid_proof`) is `zk-challenge.test.ts`'s: here zk offers only reach H unsolicited, and H
 * never accepts them.
 *
 * Checked after every transaction:
 * (a) H's stake never decreases, its node stays active, none of its jobs ends timed out or resolved
 *     for the client;
 * (b) no job of C with X ends completed or resolved for X;
 * (c) mint supply + Config.total_burned = everything minted (burns only by slashes), and the mint's
 *     token accounts hold exactly the supply;
 * (d) a failed transaction moved no token and no stake and changed no escrow state;
 * and every wallet's token account (H, C, X, G, puppets, jurors) changed by exactly what the rules
 * say for that instruction on that escrow (`settlementSplit`, `cancellationSplit`,
 * `disputeVerdict`, `noVerdictOutcome`, `bondOutcome`, `handOverSplit`; a dust transfer by its
 * amount), so H is paid exactly its jobs' terms and C pays exactly the price; after a
 * `timeout_refund` of an accepted optimistic escrow or a `hand_over`, the worker's stake is exactly
 * what the timeout slash leaves (`slashStake` at the escrow's `timeoutSlashBps`, and its
 * `repeatedFailuresSlashBps` on the third failure in the window: `recordFailure`); a hand-over
 * leaves `handOverSplit`'s remainder in the escrow, an offer to H from the verified epoch. At the end (the clock run past every
 * window, the honest parties settling): every escrow is terminal, and per job C paid H exactly the
 * amount of each job H accepted (after a hand-over: X's verified epochs, and what was left if H took
 * it) and lost nothing else to X; H received more than nothing for each job it accepted.
 */
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { TOKEN_PROGRAM_ID, createTransferInstruction } from '@solana/spl-token'
import { Keypair, LAMPORTS_PER_SOL, PublicKey, type TransactionInstruction } from '@solana/web3.js'
import {
  DISPUTE_STATE, ESCROW_STATE, NODE_STATUS, SIDE, TERMINAL_ESCROW_STATES, TIER, acceptJob, anchorProgress, cancel, claimPayment, closeDispute, closeEscrow,
  commitVote, complete, disputePda, drawJury, escrowPda, escrowVaultPda, finalizeDispute, handOver, heartbeat, nodePda, openDispute, rateWorker, registerNode,
  requestUnstake, resolveDispute, revealVote, submitDelivery, submitEvidence, timeoutRefund, vaultPda, votePda, withdrawStake, withdrawVote,
  type DisputeAccount, type EscrowAccount, type NodeAccount
} from '../../../chain/client/index.js'
import {
  DISPUTE, ESCROW, PROOF, STAKE_TIERS, bondOutcome, cancellationSplit, disputeVerdict, epochFitsNoProgressTimeout, handOverSplit, jurorDeposit, jurorPayout, juryOutcome, noProgressExpired,
  noVerdictOutcome, progressBps, proRataSplit, recordFailure, reputationTier, settlementSplit, slashStake, tierMayAccept, unavailableOutcome, voteCommitment, type Ballot, type Side
} from '../../../protocols/index.js'
import { TOKEN, World, deliveryArgs, floatRun, hash, program, type Wallet } from '../../fixtures/world.js'

const SEED = 1515
const NUM_RUNS = 40
const MAX_COMMANDS = 60

/** Successful and failed transactions by label, over all runs: the sequences must reach each path. */
const succeeded = new Map<string, number>()
const failed = new Map<string, number>()
const bump = (m: Map<string, number>, k: string): void => { m.set(k, (m.get(k) ?? 0) + 1) }

const GRIEFS = [
  'timeout', 'timeout-own-token', 'cancel', 'complete', 'claim', 'deliver', 'anchor', 'accept', 'dispute', 'evidence', 'commit', 'draw', 'resolve',
  'finalize-own-token', 'withdraw-vote', 'close-dispute', 'close', 'rate', 'heartbeat', 'unstake', 'withdraw-stake'
] as const
type Grief = typeof GRIEFS[number]

type Op =
  | { kind: 'offer', by: 'client' | 'griefer' | 'puppet', toCheater: boolean, amount: bigint, epochs: number, timeout: number, zk: boolean, prompt: boolean, slow: number }
  | { kind: 'honest' | 'client' | 'cheater' | 'griefer', job: number, x: number }
  | { kind: 'grief', call: Grief, job: number, x: number }
  | { kind: 'handover', job: number, x: number }
  | { kind: 'dust', target: number, units: bigint }
  | { kind: 'warp', seconds: number }

/**
 * A jury round's plan (see the header): 0–3 every juror votes the truth; 4 one juror's fetch failed
 * (UNAVAILABLE); 5 one commits and never reveals; 6 a three-way split; 7 one abstains (no commit).
 */
const juryPlan: fc.Arbitrary<number> = fc.nat(7)
const PLAN_NAMES = ['honest', 'honest', 'honest', 'honest', 'one unavailable', 'one silent', 'three-way', 'one abstains'] as const

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('offer' as const),
      by: fc.constantFrom('client' as const, 'client' as const, 'griefer' as const, 'griefer' as const, 'puppet' as const),
      toCheater: fc.boolean(),
      amount: fc.bigInt(TOKEN, 9n * TOKEN),
      epochs: fc.integer({ min: 1, max: 12 }),
      timeout: fc.integer({ min: 600, max: 86_400 * 3 }),
      zk: fc.boolean(),
      prompt: fc.boolean(),
      // 0: the estimate ignores the no-progress timeout (its epochs may be too long to accept).
      slow: fc.nat(4)
    }),
    weight: 4
  },
  { arbitrary: fc.record({ kind: fc.constantFrom('honest' as const, 'client' as const, 'cheater' as const, 'griefer' as const), job: fc.nat(30), x: fc.nat(11) }), weight: 14 },
  { arbitrary: fc.record({ kind: fc.constant('grief' as const), call: fc.constantFrom(...GRIEFS), job: fc.nat(30), x: fc.nat(11) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('handover' as const), job: fc.nat(30), x: fc.nat(11) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('dust' as const), target: fc.nat(7), units: fc.bigInt(1n, TOKEN) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('warp' as const), seconds: fc.integer({ min: 60, max: 86_400 * 3 }) }), weight: 3 }
)

interface Job {
  readonly key: PublicKey
  readonly client: Wallet
  /** The escrow's worker: H after C hands X's stalled job over to it. */
  worker: Wallet
  /** The escrow's amount: what is left for the new worker after a hand-over. */
  amount: bigint
  /** The weights hash a correct re-execution of the job ends with. */
  readonly correct: Uint8Array
  readonly zk: boolean
  /** Whether the (current) worker ever accepted it. */
  accepted: boolean
  /** X anchored an epoch of a wrong run: C's spot check of its kept checkpoint fails, it verifies no epoch. */
  tainted: boolean
  /** After a hand-over: the stalled worker it replaced, and what C paid for its verified epochs (worker and platform). */
  handedFrom?: Wallet
  paidStalled: bigint
  /** X delivered and withholds its evidence: no juror can fetch it (the truth of a dispute is UNAVAILABLE). */
  withheld: boolean
}

/** A committed vote as the model knows it. */
interface ModelVote { readonly side: Ballot, readonly deposit: bigint, revealed: boolean }

interface Snapshot {
  readonly tokens: Map<string, bigint>
  readonly stakes: Map<string, bigint>
  readonly states: Map<string, number>
}

const b58 = (k: PublicKey): string => k.toBase58()
const sideName = (s: number): Side => (s === SIDE.client ? 'client' : 'worker')
/** A ballot byte (`Vote.side`, `Dispute.winner`) by name; `none` for no verdict. */
const ballotName = (s: number): Ballot | 'none' => (s === SIDE.client ? 'client' : s === SIDE.worker ? 'worker' : s === SIDE.unavailable ? 'unavailable' : 'none')

class Model {
  readonly w = new World().initialize()
  readonly L = this.w.ledger
  readonly stake = STAKE_TIERS[1]?.minStake ?? 0n
  readonly H = this.w.wallet(500n)
  readonly X = this.w.wallet(500n)
  readonly C = this.w.wallet(2_000n)
  readonly G = this.w.wallet(2_000n)
  /** Honest jurors, each with 1,000 CYXWIZ staked: 7 × 1,000 × 0.9⁶ ≥ the 3,400 staked, so all are drawn in every round. */
  readonly jurors = [this.w.wallet(1_100n), this.w.wallet(1_100n), this.w.wallet(1_100n)]
  readonly puppets: Wallet[] = []
  readonly jobs: Job[] = []
  /** What each wallet's token account must hold (the rules applied to every successful transaction). */
  readonly expected = new Map<string, bigint>()
  /** C's and H's net token change per job. */
  readonly clientNet = new Map<string, bigint>()
  readonly workerNet = new Map<string, bigint>()
  /** Every committed vote not settled yet, by `dispute/juror/round`. */
  readonly votes = new Map<string, ModelVote>()
  /** Each round's ballots (null: no commit) and its silent juror, by `dispute/round`. */
  readonly plans = new Map<string, { ballots: Array<Ballot | null>, silent?: number }>()
  /** A resolved dispute's forfeit pool, its deciding round's majority deposits and its verdict, by dispute. */
  readonly pools = new Map<string, { pool: bigint, majorityDeposits: bigint, winner: Ballot | 'none' }>()
  /** A dispute's forfeits of its redrawn rounds so far (unrevealed deposits), by dispute. */
  readonly forfeits = new Map<string, bigint>()
  /** What each juror's stake must be (commits take `jurorDeposit`, settlements return `jurorPayout`). */
  readonly jurorStakes = new Map<string, bigint>()
  /** Which evidence of X's is withheld (its deliveries and its own disputes' evidence): every other one, the first included. */
  xEvidence = 0
  planAt = 0
  nonce = 0n
  hStake: bigint
  /** Settling at the end: C refunds a stalled job instead of handing it over (no new work starts). */
  finishing = false

  constructor (readonly juryPlans: readonly number[] = [0]) {
    const { w } = this
    // A verifying key for circuit 1, so the puppets' zk offers exist (nobody can prove against it).
    const key = new Uint8Array(452 + 64 * 6)
    key[0] = 5
    w.setVerifyingKey(1, key, 400)
    for (const n of [this.H, this.X]) w.ledger.mustSend([registerNode({ owner: n.kp.publicKey, ownerToken: n.token }, this.stake, w.pid)], [n.kp])
    for (const j of this.jurors) w.ledger.mustSend([registerNode({ owner: j.kp.publicKey, ownerToken: j.token }, 1_000n * TOKEN, w.pid)], [j.kp])
    for (const a of [this.H, this.X, this.C, this.G, ...this.jurors]) this.expected.set(b58(a.token), this.L.tokenBalance(a.token))
    this.hStake = w.node(this.H.kp.publicKey).stake
    for (const j of this.jurors) this.jurorStakes.set(b58(j.kp.publicKey), w.node(j.kp.publicKey).stake)
    w.ledger.warp(1n) // jurors registered strictly before any dispute opens
  }

  /** A fresh wallet with 0.05 SOL and 2 CYXWIZ. */
  puppet (): Wallet {
    const kp = Keypair.generate()
    this.L.airdrop(kp.publicKey, BigInt(LAMPORTS_PER_SOL) / 20n)
    const token = this.L.createTokenAccount(this.w.mint, kp.publicKey)
    this.w.mintTo(token, 2n * TOKEN)
    const p = { kp, token }
    this.puppets.push(p)
    this.expected.set(b58(token), 2n * TOKEN)
    return p
  }

  /** An attacker that is not a party of `j`: a fresh puppet, G or X. */
  attacker (j: Job | undefined, x: number): Wallet {
    const pick = [this.G, this.X][x % 2] as Wallet
    if (x % 3 === 0 || j === undefined || pick === j.client || pick === j.worker) return this.puppet()
    return pick
  }

  escrow (j: Job): EscrowAccount | null {
    return this.L.account(j.key) === null ? null : this.w.escrowAccount(j.key)
  }

  disputeOf (j: Job): DisputeAccount | null {
    const d = disputePda(this.w.pid, j.key).address
    return this.L.account(d) === null ? null : this.w.dispute(d)
  }

  nodes (): Wallet[] { return [this.H, this.X, ...this.jurors] }

  snapshot (): Snapshot {
    const tokens = new Map<string, bigint>()
    for (const { pubkey, account } of this.L.embedded.getProgramAccounts(TOKEN_PROGRAM_ID.toBase58())) {
      if (account.data.length === 165 && new PublicKey(account.data.subarray(0, 32)).equals(this.w.mint)) {
        tokens.set(String(pubkey), new DataView(account.data.buffer, account.data.byteOffset).getBigUint64(64, true))
      }
    }
    const stakes = new Map(this.nodes().map((n) => [b58(n.kp.publicKey), this.w.node(n.kp.publicKey).stake]))
    const states = new Map(this.jobs.map((j) => [b58(j.key), this.escrow(j)?.state ?? -1]))
    return { tokens, stakes, states }
  }

  /**
   * Sends one instruction about job `j` (if any). A failure must move nothing (d); a success must
   * change every wallet exactly as the rule for `label` says, and keep (a), (b) and (c).
   */
  tx (label: string, ix: TransactionInstruction, signers: Keypair[], j?: Job, extra: { claimant?: Wallet, units?: bigint, from?: PublicKey, to?: PublicKey, verified?: number, vote?: { juror: Wallet, round: number, side?: Ballot } } = {}): boolean {
    const before = this.snapshot()
    const e = j === undefined ? null : this.escrow(j)
    const d = j === undefined ? null : this.disputeOf(j)
    const n = j === undefined ? null : this.w.node(j.worker.kp.publicKey)
    const res = this.L.send([ix], signers)
    const after = this.snapshot()
    const where = `${label}${j === undefined ? '' : ` on ${b58(j.key).slice(0, 6)}`}`
    if (!res.ok) {
      bump(failed, label)
      assert.deepEqual(after.tokens, before.tokens, `${where} failed (${res.errorName ?? res.error ?? ''}) but moved tokens`)
      assert.deepEqual(after.stakes, before.stakes, `${where} failed but moved stake`)
      assert.deepEqual(after.states, before.states, `${where} failed but changed an escrow's state`)
      return false
    }
    bump(succeeded, label)
    if (label === 'dispute') bump(succeeded, `dispute by ${extra.claimant === this.C ? 'C' : extra.claimant === this.G ? 'G' : 'X'}`)
    if (label === 'finalize' && d !== null) bump(succeeded, `finalize for ${d.winner === SIDE.none ? 'nobody' : ballotName(d.winner)}`)
    if (j !== undefined && d !== null) this.juryBooks(label, j, d, extra.vote)
    if (label === 'accept' && j !== undefined) j.accepted = true
    if (j?.handedFrom !== undefined && ['accept', 'complete', 'claim', 'cancel'].includes(label)) bump(succeeded, `${label} after hand-over`)
    // The stalled worker's stake: the escrow's timeout slash, and the repeated-failures slash on its
    // third failure in the window (`slashStake`, `recordFailure`): `hand_over` penalises as a timeout.
    // An UNAVAILABLE verdict penalises the worker as a timeout does (finding 16).
    if ((label === 'hand-over' || (label === 'timeout' && e?.accepted !== 0 && e?.tier === TIER.optimistic) || (label === 'finalize' && d?.winner === SIDE.unavailable)) && e !== null && n !== null) {
      let want = slashStake(n.stake, e.terms.timeoutSlashBps).remaining
      if (recordFailure({ windowStart: Number(n.failuresWindowStart), failures: n.failuresInWindow }, Number(this.L.unixTime())).repeated) want = slashStake(want, e.terms.repeatedFailuresSlashBps).remaining
      assert.equal(this.w.node(e.worker).stake, want, `${where}: the stalled worker's stake is not the timeout slash's remainder`)
    }
    if (label === 'timeout' && e !== null && this.L.unixTime() <= e.deadline) bump(succeeded, 'timeout by no progress')
    for (const [token, delta] of this.effects(label, j, e, d, n, extra)) {
      if (!this.expected.has(token)) continue // a vault: conservation covers it
      this.expected.set(token, (this.expected.get(token) ?? 0n) + delta)
      if (j === undefined) continue
      if (token === b58(this.C.token) && j.client === this.C) this.clientNet.set(b58(j.key), (this.clientNet.get(b58(j.key)) ?? 0n) + delta)
      if (token === b58(this.H.token) && j.worker === this.H) this.workerNet.set(b58(j.key), (this.workerNet.get(b58(j.key)) ?? 0n) + delta)
    }
    this.check(where, after)
    return true
  }

  /** What a successful `label` on job `j` pays each wallet (token account → change), from the state before. */
  effects (label: string, j: Job | undefined, e: EscrowAccount | null, d: DisputeAccount | null, n: NodeAccount | null, extra: { claimant?: Wallet, units?: bigint, from?: PublicKey, to?: PublicKey, verified?: number }): Map<string, bigint> {
    const out = new Map<string, bigint>()
    const add = (token: PublicKey, v: bigint): void => { out.set(b58(token), (out.get(b58(token)) ?? 0n) + v) }
    if (label === 'dust') {
      add(extra.from as PublicKey, -(extra.units as bigint))
      add(extra.to as PublicKey, extra.units as bigint)
      return out
    }
    if (j === undefined) return out
    const client = j.client.token
    const worker = j.worker.token
    const tier = reputationTier(n?.reputation ?? 0).name
    switch (label) {
      case 'create': add(client, -j.amount); break
      case 'complete': case 'claim': add(worker, settlementSplit((e as EscrowAccount).amount, tier).worker); break
      case 'timeout': add(client, (e as EscrowAccount).amount); break
      case 'cancel': {
        const es = e as EscrowAccount
        if (es.accepted === 0) { add(client, es.amount); break }
        const progress = progressBps(es.epochsDone, es.epochsTotal, es.epochsBase)
        const gross = cancellationSplit(es.amount, progress).worker
        const platform = settlementSplit(proRataSplit(es.amount, progress).worker, tier).platform
        add(worker, gross - platform)
        add(client, es.amount - gross)
        break
      }
      case 'dispute': add((extra.claimant as Wallet).token, -DISPUTE.disputeBond); break
      case 'hand-over': {
        // The stalled worker (the escrow's worker before) is paid its verified epochs' part less the platform fee; the rest stays in the escrow.
        const es = e as EscrowAccount
        add(worker, handOverSplit(es.amount, extra.verified as number, es.epochsTotal, tier, es.epochsBase).worker)
        break
      }
      case 'finalize': {
        const es = e as EscrowAccount
        const ds = d as DisputeAccount
        const winner = ballotName(ds.winner)
        const v = winner === 'none'
          ? noVerdictOutcome(es.delivered !== 0, es.amount, tier)
          : winner === 'unavailable'
            ? unavailableOutcome(es.amount, (n as NodeAccount).stake)
            : disputeVerdict(winner, es.amount, (n as NodeAccount).stake, tier)
        add(client, v.clientRefund + v.slashToClient)
        add(worker, v.workerPayment)
        const claimant = sideName(ds.claimant)
        const toClaimant = bondOutcome(claimant, winner) === 'returned'
        add((claimant === 'client') === toClaimant ? client : worker, ds.bond)
        break
      }
    }
    return out
  }

  /** The properties that hold after every transaction. */
  check (where: string, s: Snapshot = this.snapshot()): void {
    const { w } = this
    // (c) conservation: burns only through Config.total_burned.
    const supply = w.supply()
    assert.equal(supply + w.config().totalBurned, w.minted, `${where}: supply + burned ≠ minted`)
    let held = 0n
    for (const v of s.tokens.values()) held += v
    assert.equal(held, supply, `${where}: the token accounts ≠ supply`)
    // Every wallet holds exactly what the rules paid it.
    for (const [token, want] of this.expected) assert.equal(s.tokens.get(token), want, `${where}: wallet ${token.slice(0, 6)} holds ${s.tokens.get(token)}, the rules say ${want}`)
    // Each juror's stake: what its deposits and settlements leave (`jurorDeposit`, `jurorPayout`).
    for (const j of this.jurors) assert.equal(w.node(j.kp.publicKey).stake, this.jurorStakes.get(b58(j.kp.publicKey)), `${where}: juror ${b58(j.kp.publicKey).slice(0, 6)}'s stake is not what its deposits and settlements leave`)
    // (a) the honest worker.
    const h = w.node(this.H.kp.publicKey)
    assert.ok(h.stake >= this.hStake, `${where}: the honest worker's stake fell from ${this.hStake} to ${h.stake}`)
    this.hStake = h.stake
    assert.equal(h.status, NODE_STATUS.active, `${where}: the honest worker's node is not active`)
    for (const j of this.jobs) {
      const state = s.states.get(b58(j.key))
      if (j.worker === this.H) {
        assert.ok(state !== ESCROW_STATE.timedOut && state !== ESCROW_STATE.resolvedForClient && state !== ESCROW_STATE.proofFailed, `${where}: an honest worker's job ended in state ${state}`)
      }
      // (b) the honest client never pays the cheater.
      if (j.client === this.C && j.worker === this.X) {
        assert.ok(state !== ESCROW_STATE.completed && state !== ESCROW_STATE.resolvedForWorker, `${where}: the honest client paid the cheater (state ${state})`)
      }
    }
  }

  /** Job `i` among those matching `f` (undefined if none). */
  pick (i: number, f: (j: Job) => boolean): Job | undefined {
    const pool = this.jobs.filter(f)
    return pool.length === 0 ? undefined : pool[i % pool.length]
  }

  run (j: Job, wrong: boolean): ReturnType<typeof floatRun> {
    const e = this.w.escrowAccount(j.key)
    return wrong ? floatRun(e.epochsTotal, `wrong/${b58(j.key)}`, hash(`wrong/${b58(j.key)}`)) : floatRun(e.epochsTotal, `right/${b58(j.key)}`, j.correct)
  }

  // ---- the actors -------------------------------------------------------------------------------

  offer (o: Extract<Op, { kind: 'offer' }>): void {
    const by = o.by === 'client' ? this.C : o.by === 'griefer' ? this.G : this.puppet()
    const worker = o.by === 'client' && o.toCheater ? this.X : this.H
    // A puppet offers what its 2 tokens buy: the minimum, on the shortest timeout, sometimes zk.
    const amount = o.by === 'puppet' ? TOKEN : o.amount
    const timeout = BigInt(o.by === 'puppet' ? 600 : o.timeout)
    const zk = o.by === 'puppet' && o.zk
    // The honest client keeps a bond in reserve for each job it may have to dispute.
    if (by === this.C) {
      const open = this.jobs.filter((j) => j.client === this.C && j.worker === this.X && TERMINAL_ESCROW_STATES.includes(this.escrow(j)?.state ?? -1) === false).length
      if (this.L.tokenBalance(this.C.token) < amount + BigInt(open + 1) * DISPUTE.disputeBond) return
    }
    const nonce = ++this.nonce
    // Half the timeout, capped (but when `slow`) so that each epoch fits the no-progress timeout.
    const half = timeout / 2n + 1n
    const fitting = BigInt(o.epochs * ESCROW.noProgressTimeoutSeconds)
    const estimatedSeconds = o.slow === 0 || half < fitting ? half : fitting
    const args = this.w.escrowArgs(nonce, amount, { timeoutSecs: timeout, estimatedSeconds, epochsTotal: o.epochs, ...(zk ? { tier: TIER.zk, circuitId: 1, dataCommitment: new Uint8Array(32).fill(7, 31) } : {}) })
    const key = escrowPda(this.w.pid, by.kp.publicKey, nonce).address
    const job: Job = { key, client: by, worker, amount, correct: hash(`correct/${b58(key)}`), zk, accepted: false, tainted: false, paidStalled: 0n, withheld: false }
    const ix = this.w.createEscrowIx(by, worker.kp.publicKey, args)
    this.jobs.push(job) // tracked before sending, so its state is in the snapshots
    if (!this.tx('create', ix, [by.kp], job)) { this.jobs.pop(); return }
    // A prompt worker answers the offer at once (H only if it can meet it).
    if (o.prompt && worker === this.H) this.honestStep(job)
    if (o.prompt && worker === this.X) this.tx('accept', acceptJob({ worker: this.X.kp.publicKey, escrow: key }, this.w.pid), [this.X.kp], job)
  }

  /** The honest worker's next step on one of its jobs. */
  honest (i: number, x: number): void {
    // One of its jobs where it has something to do (not an offer it declines).
    const j = this.pick(i, (j) => {
      const e = this.escrow(j)
      return j.worker === this.H && e !== null && e.state === ESCROW_STATE.funded && !(e.accepted === 0 && e.tier !== TIER.optimistic)
    })
    if (j === undefined) return
    // One step, or every step it can take now (accept, anchor, deliver).
    for (let k = 0; k < (x % 3 === 0 ? 1 : 3); k++) this.honestStep(j)
  }

  honestStep (j: Job): void {
    const { H, w } = this
    const e = this.escrow(j)
    if (e === null || e.state !== ESCROW_STATE.funded) return
    const now = this.L.unixTime()
    const worker = H.kp.publicKey
    if (e.accepted === 0) {
      // Only an offer it can meet: optimistic, within its tier, an estimate that fits, not expired.
      const node = w.node(worker)
      if (e.tier !== TIER.optimistic || !tierMayAccept(reputationTier(node.reputation), e.amount) || e.estimatedSeconds > e.deadline - e.createdAt || now > e.deadline) return
      if (!epochFitsNoProgressTimeout(Number(e.estimatedSeconds), e.epochsTotal, Number(e.terms.noProgressTimeoutSecs))) return
      this.tx('accept', acceptJob({ worker, escrow: j.key }, w.pid), [H.kp], j)
      return
    }
    if (e.delivered === 0) {
      if (now > e.deadline) return // never happens: it delivers before the clock passes the deadline
      const run = this.run(j, false)
      // Epoch by epoch: the final root at the last one, a commitment of its chain head before.
      const epoch = e.epochsDone + 1
      const root = epoch === e.epochsTotal ? run.root : hash(`progress/${b58(j.key)}/${epoch}`)
      if (e.epochsDone < e.epochsTotal) this.tx('anchor', anchorProgress({ worker, escrow: j.key }, epoch, root, w.pid), [H.kp], j)
      else this.tx('deliver', submitDelivery({ worker, escrow: j.key }, deliveryArgs(run, j.correct), w.pid), [H.kp], j)
      return
    }
    if (now >= e.deliveredAt + BigInt(PROOF.challengeWindowSeconds)) {
      this.tx('claim', claimPayment({ escrow: j.key, worker, workerToken: H.token }, w.pid), [H.kp], j)
    }
  }

  /** The honest client's next step on one of its jobs. */
  client (i: number): void {
    // One of its jobs where it has something to do (not one it is waiting on).
    const now = this.L.unixTime()
    const j = this.pick(i, (j) => {
      const e = this.escrow(j)
      if (j.client !== this.C || e === null || e.state === ESCROW_STATE.disputed) return false
      return e.state !== ESCROW_STATE.funded || e.delivered !== 0 || now > e.deadline || this.stalled(e, now)
    })
    if (j !== undefined) this.clientStep(j)
  }

  clientStep (j: Job): void {
    const { C, w } = this
    const e = this.escrow(j)
    if (e === null) return
    const now = this.L.unixTime()
    const base = { client: C.kp.publicKey, escrow: j.key, worker: j.worker.kp.publicKey, workerToken: j.worker.token }
    if (e.state === ESCROW_STATE.funded) {
      if (e.delivered !== 0) {
        // It re-executes: the correct weights are accepted, any other delivery disputed.
        if (Buffer.from(e.finalWeightsHash).equals(Buffer.from(j.correct))) this.tx('complete', complete(base, j.correct, w.pid), [C.kp], j)
        else if (now < e.deliveredAt + BigInt(PROOF.challengeWindowSeconds)) this.tx('dispute', openDispute({ claimant: C.kp.publicKey, claimantToken: C.token, escrow: j.key, mint: w.mint }, `bafy-client-${b58(j.key)}`, w.pid), [C.kp], j, { claimant: C })
      } else if (!this.finishing && j.worker === this.X && e.tier === TIER.optimistic && this.stalled(e, now) && !j.tainted && e.epochsDone > e.epochsBase) {
        // Failover: X stalled with epochs it verified worth keeping; H continues from there.
        this.handOverStalled(j)
      } else if (e.accepted !== 0 && (now > e.deadline || this.stalled(e, now))) {
        this.tx('timeout', timeoutRefund({ escrow: j.key, worker: j.worker.kp.publicKey, clientToken: C.token, mint: w.mint }, w.pid), [C.kp], j)
      } else if (e.accepted === 0 && now > e.deadline) {
        this.tx('cancel', cancel({ ...base, clientToken: C.token }, w.pid), [C.kp], j)
      }
      return
    }
    if (e.state === ESCROW_STATE.completed && e.rated === 0) {
      this.tx('rate', rateWorker(base, 5, w.pid), [C.kp], j)
      return
    }
    if (TERMINAL_ESCROW_STATES.includes(e.state)) {
      const d = this.disputeOf(j)
      if (d !== null && d.state === DISPUTE_STATE.finalized && d.openVotes === 0 && d.claimant === SIDE.client) {
        this.tx('close-dispute', closeDispute({ claimant: C.kp.publicKey, dispute: disputePda(w.pid, j.key).address }, w.pid), [C.kp], j)
      } else if (d === null) {
        this.tx('close', closeEscrow({ client: C.kp.publicKey, escrow: j.key }, w.pid), [C.kp], j)
      }
    }
  }

  /** The cheater's move on one of its jobs (all C's). */
  cheater (i: number, x: number): void {
    const { X, w } = this
    const j = this.pick(i, (j) => j.worker === X && this.escrow(j)?.state === ESCROW_STATE.funded)
    if (j === undefined) return
    const worker = X.kp.publicKey
    if (this.w.escrowAccount(j.key).accepted === 0) {
      this.tx('accept', acceptJob({ worker, escrow: j.key }, w.pid), [X.kp], j)
      if (x % 2 === 0) return
    }
    const e = this.w.escrowAccount(j.key)
    switch (x % 6) {
      case 2: case 5: {
        if (x === 5) { this.tx('heartbeat', heartbeat({ owner: worker }, w.pid), [X.kp]); return }
        // Some epochs of a run (the right one but for x = 8, a wrong one), never the final epoch:
        // it stalls there unless a later move anchors the final root.
        const wrongRun = x === 8
        for (let k = 0; k <= x % 4; k++) {
          const now = this.w.escrowAccount(j.key)
          if (now.epochsDone + 1 >= now.epochsTotal) break
          const epoch = now.epochsDone + 1
          if (this.tx('anchor', anchorProgress({ worker, escrow: j.key }, epoch, hash(`${wrongRun ? 'wrong progress' : 'progress'}/${b58(j.key)}/${epoch}`), w.pid), [X.kp], j) && wrongRun) j.tainted = true
        }
        return
      }
      case 0: case 1: {
        // A consistent run that ends in wrong weights, or the right root with other weights (refused).
        const run = this.run(j, x % 3 !== 1)
        if (e.epochsDone < e.epochsTotal) this.tx('anchor', anchorProgress({ worker, escrow: j.key }, e.epochsTotal, run.root, w.pid), [X.kp], j)
        if (x % 4 === 0) return
        const wrong = this.run(j, true)
        // Every other delivery of X's withholds its evidence afterwards (finding 16).
        if (this.tx('deliver', submitDelivery({ worker, escrow: j.key }, deliveryArgs(x % 3 !== 1 ? wrong : run, wrong.weights), w.pid), [X.kp], j)) j.withheld = this.xEvidence++ % 2 === 0
        return
      }
      case 3: this.tx('claim', claimPayment({ escrow: j.key, worker, workerToken: X.token }, w.pid), [X.kp], j); return
      default:
        // Every other dispute of X's cites evidence it never serves (the jurors find it UNAVAILABLE).
        if (this.tx('dispute', openDispute({ claimant: worker, claimantToken: X.token, escrow: j.key, mint: w.mint }, 'bafy-cheater', w.pid), [X.kp], j, { claimant: X })) j.withheld = this.xEvidence++ % 2 === 0
    }
  }

  /** The griefing client's move on one of its jobs (all with H): legal, hostile. */
  griefer (i: number, x: number): void {
    const { G, w } = this
    // Mostly a live job (funded or disputed), sometimes any of its jobs.
    // Mostly a job H accepted and has not been paid for yet, sometimes any of its jobs.
    const live = (j: Job): boolean => j.client === G && this.escrow(j)?.state === ESCROW_STATE.funded && this.escrow(j)?.accepted === 1
    const j = this.pick(i, x % 4 === 3 ? (j) => j.client === G && this.L.account(j.key) !== null : live)
    if (j === undefined) return
    const e = this.w.escrowAccount(j.key)
    const base = { client: G.kp.publicKey, escrow: j.key, worker: j.worker.kp.publicKey, workerToken: j.worker.token }
    switch (x % 6) {
      case 0: case 1: this.tx('dispute', openDispute({ claimant: G.kp.publicKey, claimantToken: G.token, escrow: j.key, mint: w.mint }, 'bafy-grief', w.pid), [G.kp], j, { claimant: G }); return
      case 2: this.tx('complete', complete(base, x % 4 === 2 ? hash('not the weights') : e.finalWeightsHash, w.pid), [G.kp], j); return
      case 3: this.tx('cancel', cancel({ ...base, clientToken: G.token }, w.pid), [G.kp], j); return
      case 4: this.tx('rate', rateWorker(base, 1, w.pid), [G.kp], j); return
      default:
        if (x < 6) this.tx('dispute', openDispute({ claimant: G.kp.publicKey, claimantToken: G.token, escrow: j.key, mint: w.mint }, 'bafy-grief', w.pid), [G.kp], j, { claimant: G })
        else this.tx('timeout', timeoutRefund({ escrow: j.key, worker: j.worker.kp.publicKey, clientToken: G.token, mint: w.mint }, w.pid), [G.kp], j)
    }
  }

  /** A call by a non-party, or at a wrong time. */
  grief (call: Grief, i: number, x: number): void {
    const { w } = this
    const j = this.pick(i, () => true)
    const a = this.attacker(j, x)
    const me = a.kp.publicKey
    const H = this.H.kp.publicKey
    switch (call) {
      case 'heartbeat': this.tx(`grief:${call}`, heartbeat({ owner: me, node: nodePda(w.pid, H).address }, w.pid), [a.kp]); return
      case 'unstake': this.tx(`grief:${call}`, requestUnstake({ owner: me, node: nodePda(w.pid, H).address }, w.pid), [a.kp]); return
      case 'withdraw-stake': this.tx(`grief:${call}`, withdrawStake({ owner: me, ownerToken: a.token, node: nodePda(w.pid, H).address }, w.pid), [a.kp]); return
    }
    if (j === undefined) return
    const e = this.escrow(j)
    const dispute = disputePda(w.pid, j.key).address
    const d = this.disputeOf(j)
    const round = d?.round ?? 0
    const worker = j.worker.kp.publicKey
    const mine = { client: me, escrow: j.key, worker, workerToken: a.token }
    const send = (ix: TransactionInstruction, signer = a.kp): boolean => this.tx(`grief:${call}`, ix, [signer], j)
    switch (call) {
      // Anyone may: these succeed only when the rule allows them, and then the rule's effects are checked.
      case 'timeout': this.tx('timeout', timeoutRefund({ escrow: j.key, worker, clientToken: j.client.token, mint: w.mint }, w.pid), [a.kp], j); return
      case 'draw': w.nextSlot(); send(drawJury({ dispute }, w.pid)); return
      case 'resolve': send(resolveDispute({ escrow: j.key }, w.pid)); return
      case 'withdraw-vote': {
        const juror = this.jurors[x % 3] as Wallet
        const r = x % 2 === 0 ? round : Math.max(0, round - 1)
        this.tx('withdraw-vote', withdrawVote({ juror: juror.kp.publicKey, dispute, round: r }, w.pid), [a.kp], j, { vote: { juror, round: r } })
        return
      }
      // Never by a non-party, or with its own accounts in a party's place.
      case 'timeout-own-token': send(timeoutRefund({ escrow: j.key, worker, clientToken: a.token, mint: w.mint }, w.pid)); return
      case 'cancel': send(cancel({ ...mine, clientToken: a.token }, w.pid)); return
      case 'complete': send(complete(mine, e?.finalWeightsHash ?? j.correct, w.pid)); return
      case 'claim': send(claimPayment({ escrow: j.key, worker: me, workerToken: a.token }, w.pid)); return
      case 'deliver': {
        const run = floatRun(e?.epochsTotal ?? 1, 'attacker', hash('attacker'))
        send(submitDelivery({ worker: me, escrow: j.key }, deliveryArgs(run), w.pid))
        return
      }
      case 'anchor': send(anchorProgress({ worker: me, escrow: j.key }, e?.epochsTotal ?? 1, hash('attacker root'), w.pid)); return
      case 'accept': send(acceptJob({ worker: me, escrow: j.key, workerNode: nodePda(w.pid, worker).address }, w.pid)); return
      case 'dispute': send(openDispute({ claimant: me, claimantToken: a.token, escrow: j.key, mint: w.mint }, 'bafy-stranger', w.pid)); return
      case 'evidence': send(submitEvidence({ party: me, dispute }, 'bafy-spam', w.pid)); return
      case 'commit': send(commitVote({ juror: me, dispute, round, jurorNode: nodePda(w.pid, worker).address }, voteCommitment('client', hash('salt'), dispute.toBytes(), me.toBytes()), w.pid)); return
      case 'finalize-own-token': {
        const own = x % 2 === 0 ? { clientToken: a.token, workerToken: j.worker.token } : { clientToken: j.client.token, workerToken: a.token }
        send(finalizeDispute({ escrow: j.key, worker, ...own, mint: w.mint }, w.pid))
        return
      }
      case 'close-dispute': send(closeDispute({ claimant: me, dispute }, w.pid)); return
      case 'close': send(closeEscrow({ client: me, escrow: j.key, escrowVault: escrowVaultPda(w.pid, j.key).address }, w.pid)); return
      case 'rate': send(rateWorker(mine, 1, w.pid)); return
    }
  }

  /**
   * Failover (`hand_over`): one of X's jobs stalls (the clock runs past its no-progress timeout) and
   * C hands it over to H, paying X for the epochs it verified (all X anchored, none if X anchored a
   * wrong one), or refunds it — or an attempt the program refuses:
   * while the worker is live (G on its H job, C on X's unstalled one), `verified_epochs` above what
   * was anchored, to the stalled worker itself, by a non-client, and X's late anchor on the job it
   * was replaced on.
   */
  handover (i: number, x: number): void {
    const { C, H, X, w } = this
    const now = this.L.unixTime()
    const running = (e: EscrowAccount | null): e is EscrowAccount => e !== null && e.state === ESCROW_STATE.funded && e.accepted !== 0 && e.delivered === 0 && e.tier === TIER.optimistic
    const stalledX = (j: Job): boolean => { const e = this.escrow(j); return j.client === C && j.worker === X && running(e) && this.stalled(e, this.L.unixTime()) }
    const send = (label: string, j: Job, client: Wallet, verified: number, to: Wallet): boolean => {
      const ix = handOver({ client: client.kp.publicKey, escrow: j.key, worker: j.worker.kp.publicKey, workerToken: j.worker.token, mint: w.mint }, verified, to.kp.publicKey, w.pid)
      return this.tx(label, ix, [client.kp], j, { verified })
    }
    const variant = x % 6
    if (variant === 3) {
      const late = x >= 6 ? this.pick(i, (j) => j.handedFrom === X && this.escrow(j)?.state === ESCROW_STATE.funded) : undefined
      if (late !== undefined) {
        const e = this.w.escrowAccount(late.key)
        this.tx('grief:hand-over-late-anchor', anchorProgress({ worker: X.kp.publicKey, escrow: late.key }, Math.min(e.epochsDone + 1, e.epochsTotal), hash('late'), w.pid), [X.kp], late)
        return
      }
      // A live worker: the client may not hand its job over. G tries on any of its running H jobs (had
      // H ever stalled, this would succeed and slash it: (a) fails); C on X's before it stalled.
      const j = this.pick(i, (j) => running(this.escrow(j)) && (j.client === this.G || (j.client === C && !this.stalled(this.escrow(j) as EscrowAccount, now))))
      if (j !== undefined) send('grief:hand-over-live', j, j.client, (this.escrow(j) as EscrowAccount).epochsDone, j.worker === H ? X : H)
      return
    }
    const underway = (j: Job): boolean => j.client === C && j.worker === X && running(this.escrow(j))
    if (this.pick(i, underway) === undefined) {
      // None under way: C offers X a job, which X accepts at once and (x odd) starts on.
      this.offer({ kind: 'offer', by: 'client', toCheater: true, amount: TOKEN * BigInt(1 + x % 4), epochs: 2 + x % 5, timeout: 86_400, zk: false, prompt: true, slow: 1 })
      const fresh = this.pick(0, (j) => underway(j) && this.escrow(j)?.epochsDone === 0 && j === this.jobs.at(-1))
      if (fresh !== undefined && x % 2 === 1) this.tx('anchor', anchorProgress({ worker: X.kp.publicKey, escrow: fresh.key }, 1, hash(`progress/${b58(fresh.key)}/1`), w.pid), [X.kp], fresh)
    }
    const j = this.pick(i, stalledX) ?? this.pick(i, underway)
    if (j === undefined) return
    // X stalls here: the clock runs past its no-progress timeout (the honest parties acting on the
    // way); then C refunds it (x = 0: `timeout_refund`) or hands it over, or a refused attempt.
    const by = this.progressDeadline(this.escrow(j) as EscrowAccount)
    if (!this.stalled(this.escrow(j) as EscrowAccount, now) && by !== undefined) this.warpTo(by + 1n)
    const e = this.escrow(j)
    if (e === null || !running(e)) return // settled on the way (a puppet's timeout_refund)
    switch (variant) {
      case 4: send('grief:hand-over-epoch', j, C, x < 6 ? e.epochsDone + 1 : e.epochsTotal, H); return
      case 5: if (x < 6) send('grief:hand-over-self', j, C, e.epochsBase, X)
      else send('grief:hand-over-stranger', j, this.attacker(j, x), e.epochsBase, H)
        return
    }
    if (!stalledX(j)) return // the honest client hands over only a stalled worker's job
    if (x === 0) this.tx('timeout', timeoutRefund({ escrow: j.key, worker: X.kp.publicKey, clientToken: C.token, mint: w.mint }, w.pid), [C.kp], j)
    else this.handOverStalled(j)
  }

  /** C hands X's stalled job `j` over to H, for the epochs it verified. */
  handOverStalled (j: Job): void {
    const { C, H, X } = this
    const e = this.w.escrowAccount(j.key)
    // It verified the kept checkpoint: every anchored epoch of the right run, none of a wrong one.
    const verified = j.tainted ? e.epochsBase : e.epochsDone
    const tier = reputationTier(this.w.node(X.kp.publicKey).reputation).name
    const split = handOverSplit(e.amount, verified, e.epochsTotal, tier, e.epochsBase)
    const ix = handOver({ client: C.kp.publicKey, escrow: j.key, worker: X.kp.publicKey, workerToken: X.token, mint: this.w.mint }, verified, H.kp.publicKey, this.w.pid)
    if (!this.tx('hand-over', ix, [C.kp], j, { verified })) return
    if (verified > 0) bump(succeeded, 'hand-over with verified epochs')
    const after = this.w.escrowAccount(j.key)
    assert.equal(after.amount, split.remaining, 'hand_over left what handOverSplit says in the escrow')
    assert.ok(after.worker.equals(H.kp.publicKey) && after.accepted === 0 && after.epochsBase === verified && after.epochsDone === verified, 'hand_over made the escrow an offer to H from the verified epoch')
    j.paidStalled += e.amount - split.remaining
    j.handedFrom = X
    j.worker = H
    j.amount = split.remaining
    j.accepted = false
  }

  /** A puppet sends `units` into a vault or a wallet. */
  dust (target: number, units: bigint): void {
    const { w } = this
    const p = this.puppet()
    const j = this.jobs[target % Math.max(1, this.jobs.length)]
    const vote = j === undefined ? undefined : this.disputeOf(j)?.voteVault
    const targets = [
      j === undefined ? undefined : escrowVaultPda(w.pid, j.key).address,
      vote,
      vaultPda(w.pid, 'stake').address,
      vaultPda(w.pid, 'platform').address,
      vaultPda(w.pid, 'insurance').address,
      this.H.token,
      this.C.token,
      j === undefined ? undefined : escrowVaultPda(w.pid, j.key).address
    ]
    const to = targets[target % targets.length]
    if (to === undefined || this.L.account(to) === null) return
    this.tx('dust', createTransferInstruction(p.token, to, p.kp.publicKey, units), [p.kp], undefined, { units, from: p.token, to })
  }

  // ---- time and the honest parties' liveness -----------------------------------------------------

  /** What the honest parties must do before the clock reaches `target`. */
  duties (target: bigint): void {
    for (const j of this.jobs) {
      const e = this.escrow(j)
      if (e === null || e.state !== ESCROW_STATE.funded) continue
      // H delivers an accepted job before its deadline passes (every epoch anchored, then delivered).
      if (j.worker === this.H && e.accepted !== 0 && e.delivered === 0 && e.deadline < target) {
        for (let k = 0; k <= e.epochsTotal && this.escrow(j)?.delivered === 0 && this.escrow(j)?.state === ESCROW_STATE.funded; k++) this.honestStep(j)
      } else if (j.worker === this.H && e.accepted !== 0 && e.delivered === 0) {
        // And anchors its next epoch before the no-progress timeout would expire on the way.
        const by = this.progressDeadline(e)
        if (by !== undefined && by < target) this.honestStep(j)
      }
      // C disputes a wrong delivery before its challenge window closes.
      if (j.client === this.C && e.delivered !== 0 && e.deliveredAt + BigInt(PROOF.challengeWindowSeconds) <= target) this.clientStep(j)
    }
  }

  /** The jurors and anyone settle every dispute as far as the clock allows. */
  jury (): void {
    const { w, L } = this
    for (const j of this.jobs) {
      const dispute = disputePda(w.pid, j.key).address
      for (let guard = 0; guard < 4; guard++) {
        const d = this.disputeOf(j)
        if (d === null) break
        const now = L.unixTime()
        if (d.state === DISPUTE_STATE.open) {
          const plan = this.plan(j, dispute, d.round)
          if (now >= d.evidenceDeadline && now < d.commitDeadline) {
            for (let k = 0; k < 4 && this.disputeOf(j)?.drawn === 0; k++) {
              w.nextSlot()
              this.tx('draw', drawJury({ dispute }, w.pid), [L.payer], j)
            }
            this.jurors.forEach((juror, i) => {
              const side = plan.ballots[i]
              const vote = votePda(w.pid, dispute, juror.kp.publicKey, d.round).address
              if (side === null || side === undefined || L.account(vote) !== null) return
              const c = voteCommitment(side, this.salt(juror, dispute, d.round), dispute.toBytes(), juror.kp.publicKey.toBytes())
              this.tx('commit', commitVote({ juror: juror.kp.publicKey, dispute, round: d.round }, c, w.pid), [juror.kp], j, { vote: { juror, round: d.round, side } })
            })
          } else if (now >= d.commitDeadline && now < d.revealDeadline) {
            this.jurors.forEach((juror, i) => {
              const v = this.votes.get(this.voteKey(dispute, juror, d.round))
              if (v === undefined || v.revealed || plan.silent === i) return
              this.tx('reveal', revealVote({ juror: juror.kp.publicKey, dispute, round: d.round }, SIDE[v.side], this.salt(juror, dispute, d.round), w.pid), [juror.kp], j, { vote: { juror, round: d.round } })
            })
          } else if (now >= d.revealDeadline) {
            this.tx('resolve', resolveDispute({ escrow: j.key }, w.pid), [L.payer], j)
            continue
          }
          break
        }
        if (d.state === DISPUTE_STATE.resolved) {
          this.tx('finalize', finalizeDispute({ escrow: j.key, worker: j.worker.kp.publicKey, clientToken: j.client.token, workerToken: j.worker.token, mint: w.mint }, w.pid), [L.payer], j)
          continue
        }
        // Finalized: every vote of every round is settled back into its juror's stake.
        for (let r = 0; r <= d.round; r++) {
          for (const juror of this.jurors) {
            if (L.account(votePda(w.pid, dispute, juror.kp.publicKey, r).address) !== null) {
              this.tx('withdraw-vote', withdrawVote({ juror: juror.kp.publicKey, dispute, round: r }, w.pid), [L.payer], j, { vote: { juror, round: r } })
            }
          }
        }
        break
      }
    }
  }

  voteKey (dispute: PublicKey, juror: Wallet, round: number): string { return `${b58(dispute)}/${b58(juror.kp.publicKey)}/${round}` }

  /** What a dispute's honest jurors find: the worker's evidence re-executes for H; X's does not, or is withheld (UNAVAILABLE). */
  truth (j: Job): Ballot {
    return j.worker === this.H ? 'worker' : j.withheld ? 'unavailable' : 'client'
  }

  /** The ballots of `round` of `dispute` (drawn once per round from the plans; the last round's all honest: see the header). */
  plan (j: Job, dispute: PublicKey, round: number): { ballots: Array<Ballot | null>, silent?: number } {
    const key = `${b58(dispute)}/${round}`
    const kept = this.plans.get(key)
    if (kept !== undefined) return kept
    const t = this.truth(j)
    const kind = round + 1 >= DISPUTE.maxJuryRounds ? 0 : this.juryPlans[this.planAt % this.juryPlans.length] ?? 0
    const k = this.planAt++ % 3
    const ballots: Array<Ballot | null> = [t, t, t]
    let silent: number | undefined
    if (kind === 4) ballots[k] = 'unavailable'
    if (kind === 5) silent = k
    if (kind === 7) ballots[k] = null
    if (kind === 6) {
      const [a, b] = (['client', 'worker', 'unavailable'] as const).filter((x) => x !== t)
      ballots[(k + 1) % 3] = a as Ballot
      ballots[(k + 2) % 3] = b as Ballot
    }
    bump(succeeded, `plan ${PLAN_NAMES[kind] ?? kind}`)
    const plan = { ballots, ...(silent === undefined ? {} : { silent }) }
    this.plans.set(key, plan)
    return plan
  }

  /**
   * The jury's books after a successful `label` on job `j`'s dispute (`d` as it was before): a
   * commit takes `jurorDeposit` of the juror's stake; a reveal counts its ballot; a resolve must
   * reach the model's own outcome (`juryOutcome` on the model's tally: the verdict, or a redraw or
   * no verdict, with its forfeit pool and majority deposits); a settled vote returns `jurorPayout`.
   */
  juryBooks (label: string, j: Job, d: DisputeAccount, vote: { juror: Wallet, round: number, side?: Ballot } | undefined): void {
    const dispute = disputePda(this.w.pid, j.key).address
    const key = b58(dispute)
    if (label === 'commit' && vote?.side !== undefined) {
      const id = b58(vote.juror.kp.publicKey)
      const stake = this.jurorStakes.get(id) ?? 0n
      const deposit = jurorDeposit(stake)
      this.votes.set(this.voteKey(dispute, vote.juror, vote.round), { side: vote.side, deposit, revealed: false })
      this.jurorStakes.set(id, stake - deposit)
      bump(succeeded, `commit ${vote.side}`)
      return
    }
    if (label === 'reveal' && vote !== undefined) {
      const v = this.votes.get(this.voteKey(dispute, vote.juror, vote.round))
      assert.ok(v !== undefined, 'a reveal of a vote the model never committed succeeded')
      v.revealed = true
      const after = this.w.dispute(dispute)
      const mine = [...this.jurors].map((juror) => this.votes.get(this.voteKey(dispute, juror, vote.round))).filter((x): x is ModelVote => x !== undefined && x.revealed)
      const count = (b: Ballot): number => mine.filter((x) => x.side === b).length
      assert.deepEqual([after.votesClient, after.votesWorker, after.votesUnavailable], [count('client'), count('worker'), count('unavailable')], `reveal on ${key.slice(0, 6)}: the program's tally is not the model's`)
      return
    }
    if (label === 'resolve' || label === 'grief:resolve') {
      const round = d.round
      const cast = this.jurors.map((juror) => this.votes.get(this.voteKey(dispute, juror, round))).filter((x): x is ModelVote => x !== undefined)
      const revealed = cast.filter((x) => x.revealed)
      const count = (b: Ballot): number => revealed.filter((x) => x.side === b).length
      const sum = (xs: readonly ModelVote[]): bigint => xs.reduce((a, x) => a + x.deposit, 0n)
      const outcome = juryOutcome({ votesClient: count('client'), votesWorker: count('worker'), votesUnavailable: count('unavailable'), round })
      const forfeits = (this.forfeits.get(key) ?? 0n) + sum(cast) - sum(revealed)
      const after = this.w.dispute(dispute)
      const where = `resolve on ${key.slice(0, 6)} (round ${round}, ${count('client')}/${count('worker')}/${count('unavailable')} of ${cast.length} committed)`
      if (outcome.kind === 'redraw') {
        bump(succeeded, `resolve: redraw (${outcome.reason})`)
        assert.deepEqual([after.state, after.round, after.drawn], [DISPUTE_STATE.open, round + 1, 0], `${where}: the model redraws`)
        this.forfeits.set(key, forfeits)
        return
      }
      const winner = outcome.kind === 'verdict' ? outcome.winner : 'none'
      bump(succeeded, `resolve: ${winner === 'none' ? 'no verdict' : `verdict ${winner}`}`)
      const majority = winner === 'none' ? 0n : sum(revealed.filter((x) => x.side === winner))
      const pool = forfeits + (winner === 'none' ? 0n : sum(revealed) - majority)
      assert.deepEqual([after.state, after.winner, after.pool, after.majorityDeposits], [DISPUTE_STATE.resolved, SIDE[winner], pool, majority], `${where}: the model's verdict, pool and majority deposits`)
      this.pools.set(key, { pool, majorityDeposits: majority, winner })
      return
    }
    if (label === 'withdraw-vote' && vote !== undefined) {
      const id = this.voteKey(dispute, vote.juror, vote.round)
      const v = this.votes.get(id)
      assert.ok(v !== undefined, `withdraw_vote of a vote the model does not hold (${id})`)
      const p = this.pools.get(key)
      // A redrawn round's revealer gets its deposit back; the deciding round's, `jurorPayout`.
      const redrawn = vote.round < d.round
      assert.ok(redrawn || p !== undefined, 'withdraw_vote of the current round of an open dispute succeeded')
      const back = redrawn || p === undefined
        ? jurorPayout({ deposit: v.deposit, revealed: v.revealed, side: v.side, redrawn: true })
        : jurorPayout({ deposit: v.deposit, revealed: v.revealed, side: v.side, redrawn: false, noVerdict: p.winner === 'none', ...(p.winner === 'none' ? {} : { winner: p.winner }), pool: p.pool, majorityDeposits: p.majorityDeposits })
      bump(succeeded, `withdraw-vote: ${back === 0n ? 'forfeited' : back > v.deposit ? 'deposit and a share' : 'deposit'}`)
      const juror = b58(vote.juror.kp.publicKey)
      this.jurorStakes.set(juror, (this.jurorStakes.get(juror) ?? 0n) + back)
      this.votes.delete(id)
    }
  }

  salt (juror: Wallet, dispute: PublicKey, round: number): Uint8Array {
    return hash(`salt/${b58(juror.kp.publicKey)}/${b58(dispute)}/${round}`)
  }

  /** Whether the escrow's worker stalled: the program's no-progress rule (`noProgressExpired`). */
  stalled (e: EscrowAccount, now: bigint): boolean {
    return noProgressExpired({ accepted: e.accepted !== 0, acceptedAt: Number(e.acceptedAt), lastProgressAt: Number(e.lastProgressAt), epochsDone: e.epochsDone, epochsTotal: e.epochsTotal }, Number(now), Number(e.terms.noProgressTimeoutSecs))
  }

  /** The last second at which the escrow's worker is not yet stalled (undefined when the rule does not apply). */
  progressDeadline (e: EscrowAccount): bigint | undefined {
    if (e.accepted === 0 || e.epochsDone >= e.epochsTotal) return undefined
    return (e.lastProgressAt > e.acceptedAt ? e.lastProgressAt : e.acceptedAt) + e.terms.noProgressTimeoutSecs
  }

  setClock (unix: bigint): void {
    const now = this.L.unixTime()
    if (unix > now) this.L.warp(unix - now)
  }

  /** Moves the clock to `target`, the honest parties acting at each of their deadlines on the way. */
  warpTo (target: bigint): void {
    for (let guard = 0; guard < 2_000; guard++) {
      this.duties(target)
      this.jury()
      const now = this.L.unixTime()
      let next: bigint | undefined
      for (const j of this.jobs) {
        const d = this.disputeOf(j)
        if (d === null || d.state !== DISPUTE_STATE.open) continue
        for (const t of [d.evidenceDeadline, d.commitDeadline, d.revealDeadline]) if (t > now && t <= target && (next === undefined || t < next)) next = t
      }
      // H's next anchor is due: the clock stops there (an honest worker anchors on time).
      for (const j of this.jobs) {
        const e = j.worker === this.H ? this.escrow(j) : null
        const t = e === null || e.state !== ESCROW_STATE.funded || e.delivered !== 0 ? undefined : this.progressDeadline(e)
        if (t !== undefined && t > now && t < target && (next === undefined || t < next)) next = t
      }
      if (next === undefined) break
      this.setClock(next)
    }
    this.setClock(target)
    this.jury()
  }

  apply (o: Op): void {
    switch (o.kind) {
      case 'offer': this.offer(o); return
      case 'honest': this.honest(o.job, o.x); return
      case 'client': this.client(o.job); return
      case 'cheater': this.cheater(o.job, o.x); return
      case 'griefer': this.griefer(o.job, o.x); return
      case 'grief': this.grief(o.call, o.job, o.x); return
      case 'handover': this.handover(o.job, o.x); return
      case 'dust': this.dust(o.target, o.units); return
      case 'warp': this.warpTo(this.L.unixTime() + BigInt(o.seconds))
    }
  }

  /**
   * Every window passes: the honest parties settle all they can (H delivers and claims, C completes,
   * disputes, refunds and withdraws its offers; the other clients withdraw theirs), the juries
   * decide. Then every escrow is terminal and each honest party's outcome per job is checked.
   */
  finish (): void {
    this.finishing = true
    const far = BigInt(86_400 * 3 + PROOF.challengeWindowSeconds + DISPUTE.evidenceWindowSeconds + DISPUTE.maxJuryRounds * (DISPUTE.commitWindowSeconds + DISPUTE.revealWindowSeconds) + 1)
    this.warpTo(this.L.unixTime() + far)
    this.warpTo(this.L.unixTime() + far) // disputes C opened on the way run their course
    for (const j of this.jobs) {
      for (let k = 0; k < 3; k++) {
        if (j.worker === this.H) this.honestStep(j)
        if (j.client === this.C) this.clientStep(j)
      }
      // The cheater claims whatever it delivered that is still funded (nothing, if C disputed it).
      const d = this.escrow(j)
      if (j.worker === this.X && d !== null && d.state === ESCROW_STATE.funded && d.delivered !== 0) {
        this.tx('claim', claimPayment({ escrow: j.key, worker: this.X.kp.publicKey, workerToken: this.X.token }, this.w.pid), [this.X.kp], j)
      }
      const e = this.escrow(j)
      if (j.client !== this.C && e !== null && e.state === ESCROW_STATE.funded && e.accepted === 0) {
        const base = { client: j.client.kp.publicKey, escrow: j.key, worker: j.worker.kp.publicKey, workerToken: j.worker.token, clientToken: j.client.token }
        this.tx('cancel', cancel(base, this.w.pid), [j.client.kp], j)
      }
    }
    this.jury()
    for (const j of this.jobs) {
      const e = this.escrow(j)
      const key = b58(j.key)
      assert.ok(e === null || TERMINAL_ESCROW_STATES.includes(e.state), `job ${key.slice(0, 6)} ends in state ${e?.state}, not a terminal one`)
      const c = this.clientNet.get(key) ?? 0n
      const h = this.workerNet.get(key) ?? 0n
      if (j.client === this.C && j.worker === this.H) {
        // After a hand-over: what it paid X for the verified epochs, and the rest to H if H took it.
        const want = -j.paidStalled - (j.accepted ? j.amount : 0n)
        assert.equal(c, want, `job ${key.slice(0, 6)}: the honest client paid ${-c}, not ${-want} (the price of honest work${j.handedFrom === undefined ? '' : ' and the verified epochs of a stalled worker'})`)
      }
      if (j.client === this.C && j.worker === this.X) assert.ok(c >= 0n, `job ${key.slice(0, 6)}: the honest client lost ${-c} to the cheater`)
      if (j.worker === this.H) {
        assert.ok(h >= 0n, `job ${key.slice(0, 6)}: the honest worker lost ${-h}`)
        if (j.accepted) assert.ok(h > 0n, `job ${key.slice(0, 6)}: the honest worker accepted it and was paid nothing`)
      }
    }
    this.check('after finishing')
  }
}

describe('chain/program: adversarial model (fast-check, issue 15)', () => {
  before(function () {
    this.timeout(600_000)
    program()
  })

  it('an honest worker never loses stake and is paid its terms, an honest client never pays a cheater, tokens are conserved, failures move nothing', function () {
    this.timeout(300_000)
    let commands = 0
    fc.assert(fc.property(fc.array(op, { minLength: 10, maxLength: MAX_COMMANDS, size: 'max' }), fc.array(juryPlan, { minLength: 1, maxLength: 12 }), (ops, plans) => {
      const m = new Model(plans)
      m.check('start')
      commands += ops.length
      for (const o of ops) m.apply(o)
      m.finish()
    }), { seed: SEED, numRuns: NUM_RUNS })
    console.log(`      ${NUM_RUNS} runs, ${commands} commands`)
    console.log(`      succeeded: ${JSON.stringify(Object.fromEntries([...succeeded].sort()))}`)
    console.log(`      failed:    ${JSON.stringify(Object.fromEntries([...failed].sort()))}`)
    for (const label of [
      'create', 'accept', 'anchor', 'deliver', 'claim', 'complete', 'cancel', 'timeout', 'timeout by no progress', 'dispute by C', 'dispute by G', 'dispute by X', 'commit', 'reveal', 'resolve',
      'finalize for client', 'finalize for worker', 'withdraw-vote', 'dust', 'rate', 'close', 'hand-over', 'hand-over with verified epochs', 'accept after hand-over', 'complete after hand-over',
      // The jury's three sides and its redraws (finding 16): UNAVAILABLE ballots, an UNAVAILABLE
      // verdict executed, a tie (three-way split) and too few reveals redrawn, deposits settled.
      'commit unavailable', 'commit client', 'commit worker', 'resolve: verdict unavailable', 'finalize for unavailable', 'resolve: redraw (tie)', 'resolve: redraw (too-few-reveals)',
      'withdraw-vote: deposit and a share', 'withdraw-vote: deposit'
    ]) {
      assert.ok((succeeded.get(label) ?? 0) > 0, `no successful ${label} in any sequence: the generator does not reach it`)
    }
    for (const g of GRIEFS.filter((g) => !['timeout', 'draw', 'resolve', 'withdraw-vote'].includes(g))) {
      assert.ok((failed.get(`grief:${g}`) ?? 0) > 0, `no griefing ${g} was tried`)
    }
    // Every refused hand-over was tried, and none of them succeeded.
    for (const g of ['live', 'epoch', 'self', 'stranger', 'late-anchor']) {
      assert.ok((failed.get(`grief:hand-over-${g}`) ?? 0) > 0, `no refused hand-over (${g}) was tried`)
      assert.equal(succeeded.get(`grief:hand-over-${g}`) ?? 0, 0, `a hand-over (${g}) the program must refuse succeeded`)
    }
  })
})
