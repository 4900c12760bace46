/**
 * What the chain says about a worker's wallet: its stake, its reputation and whether its Node
 * account may take jobs now. Read through any Solana JSON-RPC (`Connection`), one batched
 * `getMultipleAccounts` per lookup, so a coordinator or a client checks many workers in one round
 * trip. Reads only: nothing here signs or sends a transaction.
 */
import { PublicKey, type Connection } from '@solana/web3.js'
import { CYXWIZ_PROGRAM_ID, NODE_STATUS, decodeNode, nodePda } from '../chain/index.js'

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

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** Largest batch `getMultipleAccounts` takes on Solana clusters. */
const BATCH = 100

/** Reads the Node accounts of `wallets` (32-byte public keys); the result is keyed by wallet hex. */
export async function readChainFacts (connection: Connection, wallets: readonly Uint8Array[], programId: PublicKey = CYXWIZ_PROGRAM_ID, now = Math.floor(Date.now() / 1000)): Promise<Map<string, ChainFacts>> {
  const out = new Map<string, ChainFacts>()
  const unique = [...new Map(wallets.map((w) => [hex(w), w])).values()]
  for (let i = 0; i < unique.length; i += BATCH) {
    const batch = unique.slice(i, i + BATCH)
    const infos = await connection.getMultipleAccountsInfo(batch.map((w) => nodePda(programId, new PublicKey(w)).address), 'confirmed')
    batch.forEach((w, j) => {
      const info = infos[j]
      let facts: ChainFacts = { registered: false, stake: 0n, reputation: 0, active: false, readAt: now }
      if (info != null && info.owner.equals(programId)) {
        try {
          const n = decodeNode(info.data)
          facts = {
            registered: true,
            stake: n.stake,
            reputation: n.reputation,
            active: n.status === NODE_STATUS.active && Number(n.suspendedUntil) <= now && n.unstakeRequested === 0,
            readAt: now
          }
        } catch {
          // not a Node account: as good as none
        }
      }
      out.set(hex(w), facts)
    })
  }
  return out
}

/**
 * `readChainFacts` behind a cache: facts younger than `ttlSeconds` are not read again. `seed` and
 * `onRead` let the owner persist the cache (the coordinator keeps it in its level index).
 */
export class ChainFactsCache {
  readonly #connection: Connection
  readonly #ttl: number
  readonly #programId: PublicKey
  readonly #clock: () => number
  readonly #facts = new Map<string, ChainFacts>()
  readonly #onRead: ((wallet: string, facts: ChainFacts) => void) | undefined
  #reads = 0

  constructor (o: { connection: Connection, ttlSeconds: number, programId?: PublicKey, clock?: () => number, onRead?: (wallet: string, facts: ChainFacts) => void }) {
    this.#connection = o.connection
    this.#ttl = o.ttlSeconds
    this.#programId = o.programId ?? CYXWIZ_PROGRAM_ID
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
    const f = this.#facts.get(hex(wallet))
    return f !== undefined && f.readAt + this.#ttl > this.#clock() ? f : undefined
  }

  /** Facts for every wallet, reading only the expired or unknown ones (one batched read). */
  async get (wallets: readonly Uint8Array[]): Promise<Map<string, ChainFacts>> {
    const out = new Map<string, ChainFacts>()
    const missing: Uint8Array[] = []
    for (const w of wallets) {
      const f = this.peek(w)
      if (f === undefined) missing.push(w)
      else out.set(hex(w), f)
    }
    if (missing.length > 0) {
      this.#reads++
      const read = await readChainFacts(this.#connection, missing, this.#programId, this.#clock())
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
