/**
 * The worker's reading of a client's funds for proof of funds (bidder.ts, `clientFundsCover`): the
 * CYXWIZ balance of the wallet that signed an announce, from its associated token account (0 when
 * it has none), through the worker's RPC connection. Each wallet's balance is kept `ttlMs` (an
 * announce storm from one wallet costs one read per `ttlMs`), at most `maxEntries` wallets (the
 * oldest reading is dropped first), and reads of the same wallet in flight are shared.
 */
import { logger } from '@libp2p/logger'
import { PublicKey, type Connection } from '@solana/web3.js'
import { unpackAccount } from '@solana/spl-token'
import { readConfig, tokenAccount } from '../chain.js'

const log = logger('cyx:worker:client-funds')

export interface ClientFundsOptions {
  /** How long a balance read is reused, ms (default 30 s). */
  readonly ttlMs?: number
  /** Most wallets remembered (default 4,096). */
  readonly maxEntries?: number
  /** Local ms (default Date.now). */
  readonly now?: () => number
}

export const CLIENT_FUNDS_TTL_MS = 30_000
export const CLIENT_FUNDS_MAX_ENTRIES = 4_096

/** A balance reader for `BidderComponents.clientFunds`. */
export function clientFundsReader (connection: Connection, o: ClientFundsOptions = {}): (wallet: Uint8Array) => Promise<bigint> {
  // The mint is read once, now (a bid should not wait for it), and again only after a failure.
  let mint: Promise<PublicKey> | undefined
  const readMint = (): Promise<PublicKey> => readConfig(connection).then((c) => c.mint, (e: unknown) => { mint = undefined; throw e })
  mint = readMint()
  mint.catch((e: unknown) => { log('reading the Config for its mint failed (read again at the next bid): %s', e instanceof Error ? e.message : e) })
  const read = async (wallet: PublicKey): Promise<bigint> => {
    mint ??= readMint()
    const address = tokenAccount(wallet, await mint)
    const info = await connection.getAccountInfo(address, 'confirmed')
    return info === null ? 0n : unpackAccount(address, info).amount
  }
  return cachedReader(read, o)
}

/** `read` behind the cache described in the module header (exported for its unit test). */
export function cachedReader (read: (wallet: PublicKey) => Promise<bigint>, o: ClientFundsOptions = {}): (wallet: Uint8Array) => Promise<bigint> {
  const ttl = o.ttlMs ?? CLIENT_FUNDS_TTL_MS
  const max = o.maxEntries ?? CLIENT_FUNDS_MAX_ENTRIES
  const now = o.now ?? Date.now
  const kept = new Map<string, { at: number, value: Promise<bigint> }>()
  return async (bytes) => {
    const wallet = new PublicKey(bytes)
    const key = wallet.toBase58()
    const hit = kept.get(key)
    if (hit !== undefined && now() - hit.at < ttl) return await hit.value
    kept.delete(key)
    const value = read(wallet)
    kept.set(key, { at: now(), value })
    // A failed read is not kept: the next announce tries again.
    value.catch(() => { if (kept.get(key)?.value === value) kept.delete(key) })
    while (kept.size > max) kept.delete(kept.keys().next().value as string)
    return await value
  }
}
