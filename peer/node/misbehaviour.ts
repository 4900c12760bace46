/**
 * Per-peer misbehaviour: every time a remote peer sends something our protocols refuse (malformed,
 * oversized, badly signed, stale, for a job that is not open...), its score drops. A peer whose
 * score falls to the ban threshold is refused outright: its streams are reset before anything is
 * read and its connections closed. The score is local and in memory: it protects this process, it
 * is not reputation (that lives on-chain).
 *
 * Bounded and aged (issue 15 finding 12): a score recovers `PEER_MEMORY.misbehaviourRecoveryPointsPerHour`
 * points an hour (in whole points, so a fresh offence costs exactly its penalty), a record back at 0
 * is forgotten, a ban lasts until then (25 hours from -100 at 4 points an hour), and at most `PEER_MEMORY.maxMisbehaviourRecords` peers are remembered: beyond that
 * the least-penalised record goes first, so a stream of fresh peer ids cannot grow the map, and
 * cannot push a banned peer out before more than that many worse offenders have come.
 */
import { PEER_MEMORY, wire } from '../../protocols/index.js'

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

const HOUR_MS = 3_600_000

interface Entry { score: number, offences: Partial<Record<Offence, number>>, at: number, banned: boolean }

export interface MisbehaviourLimits {
  readonly recoveryPointsPerHour: number
  readonly maxRecords: number
}

export class MisbehaviourLedger {
  private readonly records = new Map<string, Entry>()
  private readonly onBan: ((peer: string) => void) | undefined
  private readonly now: () => number
  private readonly limits: MisbehaviourLimits

  /** `now`: local ms (a test's clock); `limits`: default PEER_MEMORY's. */
  constructor (onBan?: (peer: string) => void, now: () => number = Date.now, limits: MisbehaviourLimits = { recoveryPointsPerHour: PEER_MEMORY.misbehaviourRecoveryPointsPerHour, maxRecords: PEER_MEMORY.maxMisbehaviourRecords }) {
    this.onBan = onBan
    this.now = now
    this.limits = limits
  }

  /** Records an offence by `peer` (a peer id string); returns its new score. */
  record (peer: string, offence: Offence): number {
    const r = this.entry(peer) ?? { score: 0, offences: {}, at: this.now(), banned: false }
    const wasBanned = r.banned
    r.score -= PENALTY[offence]
    if (r.score <= BAN_SCORE) r.banned = true
    r.offences[offence] = (r.offences[offence] ?? 0) + 1
    this.records.set(peer, r)
    if (this.records.size > this.limits.maxRecords) this.evict(peer)
    if (!wasBanned && r.banned) this.onBan?.(peer)
    return r.score
  }

  score (peer: string): number {
    return this.entry(peer)?.score ?? 0
  }

  /** Whether `peer` fell to the ban score and its record has not yet recovered to 0. */
  isBanned (peer: string): boolean {
    return this.entry(peer)?.banned ?? false
  }

  get (peer: string): MisbehaviourRecord {
    const r = this.entry(peer)
    return { score: r?.score ?? 0, offences: { ...(r?.offences ?? {}) } }
  }

  /** Peers with a record now. */
  get size (): number {
    return this.records.size
  }

  /** `peer`'s record with its recovery applied (whole points only); forgotten once back at 0. */
  private entry (peer: string): Entry | undefined {
    const r = this.records.get(peer)
    if (r === undefined) return undefined
    const rate = this.limits.recoveryPointsPerHour
    const points = rate <= 0 ? 0 : Math.floor((this.now() - r.at) * rate / HOUR_MS)
    if (points > 0) {
      r.score = Math.min(0, r.score + points)
      r.at += points * HOUR_MS / rate
    }
    if (r.score >= 0) {
      this.records.delete(peer)
      return undefined
    }
    return r
  }

  /** Over the cap: the record closest to 0 goes (never `keep`, the one just recorded). */
  private evict (keep: string): void {
    let victim: string | undefined
    let best = -Infinity
    for (const peer of [...this.records.keys()]) {
      const r = this.entry(peer)
      if (r === undefined || peer === keep) continue
      if (r.score > best) { best = r.score; victim = peer }
    }
    if (this.records.size > this.limits.maxRecords && victim !== undefined) this.records.delete(victim)
  }
}

/** The offence a refused input amounts to: a WireError's code, or a generic stream error. */
export function offenceOf (e: unknown): Offence {
  return wire.isWireError(e) ? e.code : 'STREAM_ERROR'
}
