/**
 * The coordinator's index, in its own level database `<dir>/coordinator.db` (apart from the peer's
 * `peer.db`, which the peer node owns):
 *
 *   adverts/<peer id>   the worker's signed advert (as the worker signed it) and what matching
 *                       reads from it: capabilities, hourly price, profile, hardware, expiry
 *   chain/<wallet hex>  stake, reputation and status read from the ledger, with the time of the read
 *   jobs/<job id hex>   job announcements seen (gossip or match requests) and when they were matched
 *   meta/stats          counters and recent match latencies, so status survives a restart
 *
 * The same facts are mirrored in memory (matching never waits on disk); writes go through here.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Level } from 'level'
import { Table, type JsonObject } from '../storage/index.js'

export const INDEX_DB = 'coordinator.db'

export interface AdvertRecord extends JsonObject {
  peerId: string
  /** The signed envelope, base64 (canonical protobuf encoding). */
  signed: string
  wallet: string
  capabilities: string[]
  pricePerHour: string
  profile: string
  hardware: string
  expiresAt: number
  source: 'register' | 'dht'
  indexedAt: number
}

export interface ChainRecord extends JsonObject {
  registered: boolean
  stake: string
  reputation: number
  active: boolean
  readAt: number
}

export interface JobRecord extends JsonObject {
  client: string
  maxPrice: string
  bidDeadline: number
  seenAt: number
  source: 'gossip' | 'match'
  matchedAt: number | null
  candidates: number | null
}

export interface StatsRecord extends JsonObject {
  jobsMatched: number
  registrations: number
  refused: number
  /** Most recent match latencies, ms (bounded). */
  latenciesMs: number[]
}

export interface CoordinatorStore {
  readonly adverts: Table<AdvertRecord>
  readonly chain: Table<ChainRecord>
  readonly jobs: Table<JobRecord>
  readonly meta: Table<StatsRecord>
  close: () => Promise<void>
}

type KeyValueOf<V> = ConstructorParameters<typeof Table<V>>[0]

export async function openCoordinatorStore (dir: string): Promise<CoordinatorStore> {
  await mkdir(dir, { recursive: true })
  const db = new Level<string, string>(join(dir, INDEX_DB), { keyEncoding: 'utf8', valueEncoding: 'utf8' })
  await db.open()
  const table = <V>(name: string): Table<V> =>
    new Table<V>(db.sublevel<string, V>(name, { keyEncoding: 'utf8', valueEncoding: 'json' }) as unknown as KeyValueOf<V>)
  let closing: Promise<void> | undefined
  return {
    adverts: table<AdvertRecord>('adverts'),
    chain: table<ChainRecord>('chain'),
    jobs: table<JobRecord>('jobs'),
    meta: table<StatsRecord>('meta'),
    close: async () => {
      closing ??= db.close()
      await closing
    }
  }
}
