/**
 * The dispute jury (docs/security.md, finding 5), mirroring `chain/program/src/jury.rs` and the
 * verdict and payout rules of `resolve_dispute` / `withdraw_vote`: stake-weighted sortition from a
 * round seed, the commit–reveal commitment, the verdict (or a redraw), and what a juror gets back.
 */
import { createHash } from 'node:crypto'
import { DISPUTE } from '../params.js'
import { assertAmount } from './amount.js'
import type { Ballot } from './dispute.js'

const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return new Uint8Array(h.digest())
}

/** The expected jury of `round`: jurySize · 2^round. */
export function expectedJury (round: number, jurySize: number = DISPUTE.jurySize): bigint {
  return BigInt(jurySize) << BigInt(round)
}

/** The round's seed: SHA-256(slot hash ‖ dispute ‖ round). */
export function roundSeed (slotHash: Uint8Array, dispute: Uint8Array, round: number): Uint8Array {
  return sha256(slotHash, dispute, Uint8Array.of(round))
}

/**
 * Whether a node (its owner's 32-byte key) with `stake` is drawn: x = SHA-256(seed ‖ node)[..8]
 * as a little-endian u64, drawn iff x · total < k · stake · 2^64 with k = expectedJury(round).
 */
export function isDrawn (seed: Uint8Array, node: Uint8Array, stake: bigint, total: bigint, round: number, jurySize: number = DISPUTE.jurySize): boolean {
  assertAmount(stake, 'stake')
  assertAmount(total, 'total')
  if (stake === 0n || total === 0n) return false
  const ks = expectedJury(round, jurySize) * stake
  if (ks >= total) return true
  const h = sha256(seed, node)
  const x = new DataView(h.buffer, h.byteOffset, 8).getBigUint64(0, true)
  return x * total < ks << 64n
}

/** A ballot's byte on-chain (`Vote.side`, `Dispute.winner`): 0 client, 1 worker, 3 unavailable (2 is "no verdict", never a ballot). */
export const BALLOT_BYTE: Readonly<Record<Ballot, number>> = { client: 0, worker: 1, unavailable: 3 }

/** A juror's commitment: SHA-256(side ‖ salt ‖ dispute ‖ juror), side its `BALLOT_BYTE`. */
export function voteCommitment (side: Ballot, salt: Uint8Array, dispute: Uint8Array, juror: Uint8Array): Uint8Array {
  return sha256(Uint8Array.of(BALLOT_BYTE[side]), salt, dispute, juror)
}

/** A round's revealed votes by ballot (`votesUnavailable` absent: none). */
export interface RoundVotes { readonly votesClient: number, readonly votesWorker: number, readonly votesUnavailable?: number }

/**
 * A round's outcome: at least `minJurors` reveals and a strict majority — one ballot with more
 * votes than the other two together — decide (client, worker, or unavailable: finding 16);
 * otherwise a redraw ('tie': enough reveals, no ballot over half).
 */
export function juryVerdict (v: RoundVotes, minJurors: number = DISPUTE.minJurors): { kind: 'verdict', winner: Ballot } | { kind: 'redraw', reason: 'too-few-reveals' | 'tie' } {
  const unavailable = v.votesUnavailable ?? 0
  const revealed = v.votesClient + v.votesWorker + unavailable
  if (revealed < minJurors) return { kind: 'redraw', reason: 'too-few-reveals' }
  const tally: Array<[Ballot, number]> = [['client', v.votesClient], ['worker', v.votesWorker], ['unavailable', unavailable]]
  const top = tally.find(([, n]) => 2 * n > revealed)
  return top === undefined ? { kind: 'redraw', reason: 'tie' } : { kind: 'verdict', winner: top[0] }
}

/**
 * A round's outcome with the terminal rule (`resolve_dispute`): a verdict as `juryVerdict`; a round
 * without one is redrawn unless it was the last (`round + 1 >= maxRounds`, rounds count from 0),
 * which resolves the dispute with no verdict (`noVerdictOutcome` in `dispute.ts`).
 */
export function juryOutcome (v: RoundVotes & { readonly round: number }, minJurors: number = DISPUTE.minJurors, maxRounds: number = DISPUTE.maxJuryRounds): { kind: 'verdict', winner: Ballot } | { kind: 'redraw' | 'no-verdict', reason: 'too-few-reveals' | 'tie' } {
  if (!Number.isInteger(v.round) || v.round < 0) throw new RangeError(`round must be a non-negative integer, got ${v.round}`)
  if (!Number.isInteger(maxRounds) || maxRounds < 1) throw new RangeError(`maxRounds must be a positive integer, got ${maxRounds}`)
  const r = juryVerdict(v, minJurors)
  if (r.kind === 'verdict') return r
  return { kind: v.round + 1 >= maxRounds ? 'no-verdict' : 'redraw', reason: r.reason }
}

/** A juror's deposit: ⌊stake × jurorRiskBps / 10⁴⌋. */
export function jurorDeposit (stake: bigint, riskBps: number = DISPUTE.jurorRiskBps): bigint {
  assertAmount(stake, 'stake')
  return (stake * BigInt(riskBps)) / 10_000n
}

/**
 * What a settled vote returns to the juror's stake. A redrawn round, or a last round without a
 * verdict (`noVerdict`): the deposit to a revealer, 0 otherwise. The deciding round: deposit + ⌊pool × deposit / majority deposits⌋ to a majority
 * revealer, 0 otherwise (the remainder of the pool is swept to the treasury at close).
 */
export function jurorPayout (v: { deposit: bigint, revealed: boolean, side?: Ballot, redrawn: boolean, noVerdict?: boolean, winner?: Ballot, pool?: bigint, majorityDeposits?: bigint }): bigint {
  if (!v.revealed) return 0n
  if (v.redrawn || v.noVerdict === true) return v.deposit
  if (v.side !== v.winner || v.majorityDeposits === undefined || v.majorityDeposits === 0n) return 0n
  return v.deposit + ((v.pool ?? 0n) * v.deposit) / v.majorityDeposits
}
