/**
 * A peer's on-disk state under its data dir:
 *
 *   <dir>/peer.db     one `level` database, split into typed tables (jobs, bids, keys, evidence drafts, ballots)
 *   <dir>/blocks      the Helia blockstore (blockstore-level): evidence blocks, by CID
 *   <dir>/datastore   the Helia datastore (datastore-level): pins, the libp2p key and peer store
 *
 * The blockstore and datastore are separate level databases, not sublevels of peer.db, because
 * blockstore-level and datastore-level each take a whole `Level` instance and own its key space.
 * `openPeerStore` opens all three and `close` closes all three; a Helia node built on the store
 * must be stopped before the store is closed (see helia.ts).
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { LevelBlockstore } from 'blockstore-level'
import { LevelDatastore } from 'datastore-level'
import { Level } from 'level'

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }
/** A stored record (level refuses null and undefined values, so a record is an object). */
export type JsonObject = { [key: string]: JsonValue }

/** The little of a level (sub)database a table uses; keeps the level types out of our signatures. */
interface KeyValue<V> {
  get (key: string): Promise<V | undefined>
  put (key: string, value: V): Promise<void>
  del (key: string): Promise<void>
  batch (ops: Array<{ type: 'del', key: string } | { type: 'put', key: string, value: V }>): Promise<void>
  iterator (options: { gte?: string, lt?: string }): AsyncIterable<[string, V]>
}

/** One typed table of the peer database (a level sublevel). Keys are strings. */
export class Table<V> {
  readonly #kv: KeyValue<V>

  constructor (kv: KeyValue<V>) {
    this.#kv = kv
  }

  /** The value under `key`, or undefined. */
  async get (key: string): Promise<V | undefined> {
    return await this.#kv.get(key)
  }

  async put (key: string, value: V): Promise<void> {
    await this.#kv.put(key, value)
  }

  async delete (key: string): Promise<void> {
    await this.#kv.del(key)
  }

  /** Entries whose key starts with `prefix`, in key order. */
  async * entries (prefix = ''): AsyncGenerator<[string, V]> {
    // '\uffff' sorts after every character a key of ours uses, so [prefix, prefix+'\uffff') is the prefix range.
    yield * this.#kv.iterator(prefix === '' ? {} : { gte: prefix, lt: prefix + '\uffff' })
  }

  /** Deletes every entry under `prefix` in one atomic batch. */
  async deletePrefix (prefix: string): Promise<void> {
    const ops: Array<{ type: 'del', key: string }> = []
    for await (const [key] of this.entries(prefix)) ops.push({ type: 'del', key })
    if (ops.length > 0) await this.#kv.batch(ops)
  }
}

export interface PeerStore {
  readonly dir: string
  /** Job records, by job id (the job state machines will narrow the value type). */
  readonly jobs: Table<JsonObject>
  /** Bids sent or received, by `<job id>/<worker>`. */
  readonly bids: Table<JsonObject>
  /** Key material (wallet, libp2p identity), raw bytes by name. */
  readonly keys: Table<Uint8Array>
  /** In-progress evidence of training runs, so a crashed worker resumes (see evidence.ts). */
  readonly evidenceDrafts: Table<Uint8Array>
  /** A juror's ballots (side and salt), by `<dispute>/<round>`: kept before the commit is sent, so a
   * restarted node still reveals (peer/roles/worker/juror-duty.ts). */
  readonly ballots: Table<JsonObject>
  /** For Helia: the blocks. */
  readonly blockstore: LevelBlockstore
  /** For Helia: pins, the node's key, libp2p's peer store. */
  readonly datastore: LevelDatastore
  /** Closes every database; safe to call twice. Stop any Helia node on this store first. */
  close (): Promise<void>
}

export async function openPeerStore (dir: string): Promise<PeerStore> {
  await mkdir(dir, { recursive: true })
  const db = new Level<string, Uint8Array>(join(dir, 'peer.db'), { keyEncoding: 'utf8', valueEncoding: 'view' })
  const blockstore = new LevelBlockstore(join(dir, 'blocks'))
  const datastore = new LevelDatastore(join(dir, 'datastore'))
  try {
    await db.open()
    await blockstore.open()
    await datastore.open()
  } catch (err) {
    // A half-open store would keep LOCK files held: close all three, then report. All three, not
    // only those we opened: level databases open themselves (deferred) when constructed, so one we
    // never awaited could still take its LOCK later and block the next open of this dir.
    await Promise.allSettled([db.close(), blockstore.close(), datastore.close()])
    throw err
  }
  const table = <V>(name: string, valueEncoding: 'json' | 'view'): Table<V> =>
    new Table<V>(db.sublevel<string, V>(name, { keyEncoding: 'utf8', valueEncoding }) as unknown as KeyValue<V>)
  let closing: Promise<void> | undefined
  return {
    dir,
    jobs: table<JsonObject>('jobs', 'json'),
    bids: table<JsonObject>('bids', 'json'),
    keys: table<Uint8Array>('keys', 'view'),
    evidenceDrafts: table<Uint8Array>('evidence-drafts', 'view'),
    ballots: table<JsonObject>('ballots', 'json'),
    blockstore,
    datastore,
    close: async () => {
      closing ??= (async () => {
        const results = await Promise.allSettled([db.close(), blockstore.close(), datastore.close()])
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
        if (failed !== undefined) throw failed.reason
      })()
      await closing
    }
  }
}
