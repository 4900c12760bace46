/**
 * What the chain says about a worker's wallet: its stake, its reputation and whether its Node
 * account may take jobs now, and a cache of it. The reading itself (one batched
 * `getMultipleAccounts` through Solana JSON-RPC, decoding the Node accounts) is the peer room's
 * (`readChainFacts` in peer/match), handed in as a `ChainFactsReader`; this room only caches.
 */
import { toHex } from '../protocols/index.js'

export interface ChainFacts {
  /** Whether the wallet has a Node account at all. */
  readonly registered: boolean
  /** Base units staked (0 when not registered). */
  readonly stake: bigint
  /** On-chain reputation score 0..1000. */
  readonly reputation: number
  /** Registered, not suspended or banned, not unstaking. */
  readonly active: boolean
  /** Local unix seconds of the read. */
  readonly readAt: number
}

/**
 * Reads the Node accounts of `wallets` (32-byte public keys) at `now` (unix seconds, the facts'
 * `readAt`); the result is keyed by wallet hex and has an entry for every wallet asked about.
 */
export type ChainFactsReader = (wallets: readonly Uint8Array[], now: number) => Promise<Map<string, ChainFacts>>

/**
 * A `ChainFactsReader` behind a cache: facts younger than `ttlSeconds` are not read again. `seed`
 * and `onRead` let the owner persist the cache (the coordinator keeps it in its level index).
 */
export class ChainFactsCache {
  readonly #read: ChainFactsReader
  readonly #ttl: number
  readonly #clock: () => number
  readonly #facts = new Map<string, ChainFacts>()
  readonly #onRead: ((wallet: string, facts: ChainFacts) => void) | undefined
  #reads = 0

  constructor (o: { read: ChainFactsReader, ttlSeconds: number, clock?: () => number, onRead?: (wallet: string, facts: ChainFacts) => void }) {
    this.#read = o.read
    this.#ttl = o.ttlSeconds
    this.#clock = o.clock ?? (() => Math.floor(Date.now() / 1000))
    this.#onRead = o.onRead
  }

  /** How many RPC batches were read so far (for status and tests). */
  get reads (): number {
    return this.#reads
  }

  /** Puts facts read earlier (e.g. loaded from disk) into the cache; expired ones are ignored. */
  seed (wallet: string, facts: ChainFacts): void {
    if (facts.readAt + this.#ttl > this.#clock()) this.#facts.set(wallet, facts)
  }

  /** Cached facts for a wallet, if still fresh. */
  peek (wallet: Uint8Array): ChainFacts | undefined {
    const f = this.#facts.get(toHex(wallet))
    return f !== undefined && f.readAt + this.#ttl > this.#clock() ? f : undefined
  }

  /** Facts for every wallet, reading only the expired or unknown ones (one batched read). */
  async get (wallets: readonly Uint8Array[]): Promise<Map<string, ChainFacts>> {
    const out = new Map<string, ChainFacts>()
    const missing: Uint8Array[] = []
    for (const w of wallets) {
      const f = this.peek(w)
      if (f === undefined) missing.push(w)
      else out.set(toHex(w), f)
    }
    if (missing.length > 0) {
      this.#reads++
      const read = await this.#read(missing, this.#clock())
      for (const [k, f] of read) {
        this.#facts.set(k, f)
        out.set(k, f)
        try {
          this.#onRead?.(k, f)
        } catch {
          // persisting the cache is best effort
        }
      }
    }
    return out
  }
}
