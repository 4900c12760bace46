/**
 * The worker's bidder: on each announced job the policy decides (`decideBid`) with the worker's
 * slots counted, and a bid goes to the client. A pending bid holds one slot until its award can no
 * longer be expected; then the slot is free again.
 *
 * Slots and stake-free announces (issue 15 finding 8): an announce costs nothing, so its bid window
 * is capped at the wire boundary (`MESH.maxAnnounceBidWindowSeconds`), the slot is released at the bid
 * deadline plus `MESH.bidAwardGraceSeconds` (never later than the capped window from its arrival,
 * whatever clock the announce claims), and one client (by peer id and by wallet) has at most
 * `MESH.maxPendingBidsPerClient` bids pending at a worker. A client that announces fake jobs can
 * therefore hold a slot of a worker for at most a minute and a few seconds per announce, and never
 * all the slots of a worker with more than that many.
 *
 * Proof of funds (the same finding): a bid the policy would make is only sent when the announcing
 * wallet holds at least that price (`clientFundsCover`, the balance read through `clientFunds`,
 * cached briefly by the worker): a wallet with a few lamports and no tokens idles no one. The read
 * happens before the slot is taken, and the policy decides again after it with the slots as they
 * are then, so concurrent announces never overbook the worker. A read that fails or takes longer
 * than `TIMEOUTS.clientFundsReadMs` funds nothing (no bid), and says so in the log.
 */
import { logger } from '@libp2p/logger'
import type { PeerId } from '@libp2p/interface'
import { MESH, TIMEOUTS, raceSignal, wire, toHex } from '../../../protocols/index.js'
import type { JobAnnounceEvent } from '../../node/index.js'
import { clientFundsCover, decideBid, type BidDecision, type WorkerProfile } from '../../policy/index.js'
import type { WorkerEmit } from './types.js'

const log = logger('cyx:worker:bidder')

export interface BidderComponents {
  /** The facts the bidding policy stands on (price, capacity, stake, reputation). */
  profile: () => WorkerProfile
  /** Jobs running now (awarded and accepted). */
  running: () => number
  /** The bid as the wire carries it, less the job: this worker's peer id, stake, profile. */
  bidOf: (jobId: Uint8Array, decision: Extract<BidDecision, { bid: true }>) => wire.Bid
  /** Signs the bid with the wallet and sends it to the announcing client (throws when refused). */
  sendBid: (client: PeerId, bid: wire.Bid) => Promise<void>
  /** Keeps a sent bid in the peer's records. */
  recordBid: (jobId: string, client: PeerId, bid: wire.Bid) => Promise<void>
  /** Local ms: when slots are released. */
  now: () => number
  /** The CYXWIZ balance of the wallet that signed an announce, base units (0 without a token account; throws when it cannot be read). */
  clientFunds: (wallet: Uint8Array) => Promise<bigint>
  /** How long a balance read may take, ms (default `TIMEOUTS.clientFundsReadMs`). */
  clientFundsTimeoutMs?: number
}

interface PendingBid {
  /** Local ms until which the bid holds a slot. */
  readonly until: number
  readonly clientPeer: string
  readonly clientWallet: string
}

export class Bidder {
  readonly #c: BidderComponents
  readonly #emit: WorkerEmit
  /** The price of each bid sent, by job id, with local ms after which it is forgotten. */
  readonly #prices = new Map<string, { price: bigint, forgetAt: number }>()
  /** Bids whose award may still come, by job id. */
  readonly #pending = new Map<string, PendingBid>()

  constructor (c: BidderComponents, emit: WorkerEmit) {
    this.#c = c
    this.#emit = emit
  }

  /** Slots held by pending bids now. */
  pending (): number {
    this.#release()
    return this.#pending.size
  }

  /** Decides on one announce and, when the policy bids, sends the bid and holds a slot for it. */
  async onAnnounce (e: JobAnnounceEvent): Promise<void> {
    const m = e.message
    const jobId = toHex(m.jobId)
    this.#release()
    const clientPeer = e.from.toString()
    const clientWallet = toHex(e.signer)
    const offer = { spec: m.spec!, maxPrice: m.maxPrice, estimatedSeconds: m.estimatedSeconds, priority: m.priority }
    const decide = (): BidDecision => {
      const d = decideBid(this.#c.profile(), offer, this.#c.running() + this.#pending.size)
      return d.bid && this.#pendingFrom(clientPeer, clientWallet) >= MESH.maxPendingBidsPerClient ? { bid: false, reason: 'client-bids-pending' } : d
    }
    let decision = decide()
    if (decision.bid) {
      const price = decision.price
      const timeoutMs = this.#c.clientFundsTimeoutMs ?? TIMEOUTS.clientFundsReadMs
      const funds = await raceSignal(this.#c.clientFunds(e.signer), AbortSignal.timeout(timeoutMs), { error: () => new Error(`reading the balance timed out (${timeoutMs} ms)`) }).catch((err: unknown) => {
        log('the balance of client %s could not be read: %s', clientWallet, err instanceof Error ? err.message : err)
        return undefined
      })
      this.#release()
      decision = clientFundsCover(funds, price) ? decide() : { bid: false, reason: 'client-unfunded' }
    }
    this.#emit({ type: 'bid-decision', jobId, decision })
    if (!decision.bid) return
    const bid = this.#c.bidOf(m.jobId, decision)
    const now = this.#c.now()
    this.#prices.set(jobId, { price: decision.price, forgetAt: now + MESH.maxBidWindowSeconds * 1000 })
    this.#pending.set(jobId, { until: slotReleaseAt(m, now), clientPeer, clientWallet })
    try {
      await this.#c.sendBid(e.from, bid)
      await this.#c.recordBid(jobId, e.from, bid)
      this.#emit({ type: 'bid-sent', jobId, price: decision.price })
    } catch (err) {
      this.#prices.delete(jobId)
      this.#pending.delete(jobId)
      this.#emit({ type: 'bid-failed', jobId, error: err instanceof Error ? err.message : String(err) })
    }
  }

  /**
   * An award for `jobId` arrived: its pending slot becomes the running job's (released here), and
   * the price this worker bid, if it bid, is returned.
   */
  awarded (jobId: string): bigint | undefined {
    this.#pending.delete(jobId)
    this.#release()
    return this.#prices.get(jobId)?.price
  }

  #pendingFrom (peer: string, wallet: string): number {
    let n = 0
    for (const p of this.#pending.values()) if (p.clientPeer === peer || p.clientWallet === wallet) n++
    return n
  }

  /** Frees the slots whose award can no longer be expected, and forgets old prices. */
  #release (): void {
    const now = this.#c.now()
    for (const [id, p] of this.#pending) if (p.until <= now) this.#pending.delete(id)
    for (const [id, p] of this.#prices) if (p.forgetAt <= now) this.#prices.delete(id)
  }
}

/**
 * Local ms at which a bid on `announce`, received at `receivedAt` (local ms), stops holding a slot:
 * its bid deadline plus the award grace, and never later than the longest allowed bid window from
 * its arrival plus the grace (an announce's own clock is the client's claim).
 */
export function slotReleaseAt (announce: Pick<wire.JobAnnounce, 'bidDeadline'>, receivedAt: number): number {
  const grace = MESH.bidAwardGraceSeconds * 1000
  const byDeadline = Number(announce.bidDeadline) * 1000 + grace
  const byArrival = receivedAt + MESH.maxAnnounceBidWindowSeconds * 1000 + grace
  return Math.min(byDeadline, byArrival)
}
