/**
 * Jury helpers for the program tests: draw a round, find which staked wallets it drew (the same
 * rule the program applies, `isDrawn`), commit and reveal their votes, settle them.
 */
import type { PublicKey } from '@solana/web3.js'
import { SIDE, commitVote, disputePda, drawJury, resolveDispute, revealVote, withdrawVote } from '../../../chain/client/index.js'
import { DISPUTE, isDrawn, voteCommitment, type Ballot } from '../../../protocols/index.js'
import { hash, record, type Wallet, type World } from '../../fixtures/world.js'

export const salt = (juror: Wallet, round: number): Uint8Array => hash(`salt/${juror.kp.publicKey.toBase58()}/${round}`)

export class Court {
  readonly dispute: PublicKey
  constructor (readonly w: World, readonly escrow: PublicKey) {
    this.dispute = disputePda(w.pid, escrow).address
  }

  get d (): ReturnType<World['dispute']> { return this.w.dispute(this.dispute) }

  /** Moves past the seed slot (its hash is filed) and sends draw_jury. */
  draw (): void {
    for (let i = 0; i < 4 && this.d.drawn === 0; i++) {
      this.w.nextSlot()
      const res = this.w.ledger.send([drawJury({ dispute: this.dispute }, this.w.pid)], [this.w.ledger.payer])
      if (res.ok) record('draw_jury', res)
    }
    if (this.d.drawn === 0) throw new Error('draw_jury did not draw')
  }

  /** Which of `wallets` the current round drew (by the program's rule, from the on-chain seed). */
  drawn (wallets: readonly Wallet[]): Wallet[] {
    const d = this.d
    return wallets.filter((j) => isDrawn(d.seed, j.kp.publicKey.toBytes(), this.w.node(j.kp.publicKey).stake, d.totalStaked, d.round))
  }

  commitIx (juror: Wallet, side: Ballot, round = this.d.round): ReturnType<typeof commitVote> {
    return commitVote({ juror: juror.kp.publicKey, dispute: this.dispute, round }, voteCommitment(side, salt(juror, round), this.dispute.toBytes(), juror.kp.publicKey.toBytes()), this.w.pid)
  }

  revealIx (juror: Wallet, side: Ballot, round = this.d.round, s = salt(juror, round)): ReturnType<typeof revealVote> {
    return revealVote({ juror: juror.kp.publicKey, dispute: this.dispute, round }, SIDE[side], s, this.w.pid)
  }

  withdrawIx (juror: Wallet, round: number): ReturnType<typeof withdrawVote> {
    return withdrawVote({ juror: juror.kp.publicKey, dispute: this.dispute, round }, this.w.pid)
  }

  /** Warps to the round's commit window (past the evidence window). */
  toCommit (): void {
    const now = this.w.ledger.unixTime()
    if (now < this.d.evidenceDeadline) this.w.ledger.warp(this.d.evidenceDeadline - now)
  }

  toReveal (): void {
    const now = this.w.ledger.unixTime()
    if (now < this.d.commitDeadline) this.w.ledger.warp(this.d.commitDeadline - now)
  }

  toResolution (): void {
    const now = this.w.ledger.unixTime()
    if (now < this.d.revealDeadline) this.w.ledger.warp(this.d.revealDeadline - now)
  }

  resolveIx (): ReturnType<typeof resolveDispute> { return resolveDispute({ escrow: this.escrow }, this.w.pid) }

  /** A whole round: draw, each drawn juror in `votes` commits and reveals its side, resolve. */
  round (votes: ReadonlyMap<Wallet, Ballot>, candidates: readonly Wallet[]): Wallet[] {
    this.toCommit()
    this.draw()
    const drawn = this.drawn(candidates)
    const voting = drawn.filter((j) => votes.has(j))
    for (const j of voting) record('commit_vote', this.w.ledger.send([this.commitIx(j, votes.get(j) as Ballot)], [j.kp]))
    this.toReveal()
    for (const j of voting) record('reveal_vote', this.w.ledger.send([this.revealIx(j, votes.get(j) as Ballot)], [j.kp]))
    this.toResolution()
    record('resolve_dispute', this.w.ledger.send([this.resolveIx()], [this.w.ledger.payer]))
    return voting
  }
}

export const JURY = DISPUTE
