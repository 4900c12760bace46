/**
 * Per-peer misbehaviour: every time a remote peer sends something our protocols refuse (malformed,
 * oversized, badly signed, stale, for a job that is not open...), its score drops. A peer whose
 * score falls to the ban threshold is refused outright: its streams are reset before anything is
 * read and its connections closed. The score is local and in memory: it protects this process, it
 * is not reputation (that lives on-chain).
 */
import { wire } from '../../protocols/index.js'

export type Offence = wire.WireErrorCode | 'UNEXPECTED_JOB' | 'DUPLICATE' | 'RATE_LIMITED' | 'WRONG_PEER' | 'STREAM_ERROR'

/** How many points each offence costs. Garbage costs most; what an honest peer with a skewed clock
 * or a slow network could send costs least. */
const PENALTY: Record<Offence, number> = {
  TOO_LARGE: 25,
  MALFORMED: 25,
  BAD_SIGNATURE: 25,
  WRONG_KIND: 25,
  INVALID_FIELD: 20,
  HASH_MISMATCH: 20,
  WRONG_PEER: 20,
  STALE: 5,
  UNEXPECTED_JOB: 5,
  DUPLICATE: 2,
  RATE_LIMITED: 5,
  STREAM_ERROR: 5
}

/** Score at or below which a peer is refused. Four pieces of garbage get a peer banned. */
export const BAN_SCORE = -100

export interface MisbehaviourRecord {
  readonly score: number
  readonly offences: Partial<Record<Offence, number>>
}

export class MisbehaviourLedger {
  private readonly records = new Map<string, { score: number, offences: Partial<Record<Offence, number>> }>()
  private readonly onBan: ((peer: string) => void) | undefined

  constructor (onBan?: (peer: string) => void) {
    this.onBan = onBan
  }

  /** Records an offence by `peer` (a peer id string); returns its new score. */
  record (peer: string, offence: Offence): number {
    const r = this.records.get(peer) ?? { score: 0, offences: {} }
    const wasBanned = r.score <= BAN_SCORE
    r.score -= PENALTY[offence]
    r.offences[offence] = (r.offences[offence] ?? 0) + 1
    this.records.set(peer, r)
    if (!wasBanned && r.score <= BAN_SCORE) this.onBan?.(peer)
    return r.score
  }

  score (peer: string): number {
    return this.records.get(peer)?.score ?? 0
  }

  isBanned (peer: string): boolean {
    return this.score(peer) <= BAN_SCORE
  }

  get (peer: string): MisbehaviourRecord {
    const r = this.records.get(peer)
    return { score: r?.score ?? 0, offences: { ...(r?.offences ?? {}) } }
  }
}

/** The offence a refused input amounts to: a WireError's code, or a generic stream error. */
export function offenceOf (e: unknown): Offence {
  return wire.isWireError(e) ? e.code : 'STREAM_ERROR'
}
