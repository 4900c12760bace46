/**
 * The coordinator: an optional peer that makes matching fast without anyone depending on it.
 *
 * It learns workers two ways, and trusts neither without checking:
 * - `COORDINATOR.registerProtocol`: a worker sends its own signed `CapabilityAdvert`; it must
 *   verify (`openEnvelope`), be fresh, name the sending peer (Noise authenticates it), and its
 *   wallet must hold active stake on-chain;
 * - the DHT: it crawls the providers of capability keys and fetches their adverts, which the `cyx`
 *   record validator already checks, and which it opens again itself.
 * It also follows job announcements on gossipsub to index the jobs it sees.
 *
 * `MESH.matchProtocol`: a client sends its signed `JobAnnounce`; the coordinator ranks the indexed
 * workers by the award policy with stake and reputation from the ledger (cached for
 * `COORDINATOR.chainCacheSeconds`), signs a `MatchResult` with its wallet, and sends it together
 * with each candidate's signed advert, so the client can check every claim itself.
 *
 * It signs rankings only: no amount, no award, no transaction. It holds no funds and needs no
 * on-chain account. Bad input is refused with a typed `Error` frame where the stream still works,
 * and lowers the sender's misbehaviour score.
 *
 * The libp2p node, the chain reads and the award policy come from the peer room through a
 * `CoordinatorHost` (host.ts); `cyx coordinator` builds it with peer/match's `coordinatorHost`.
 */
import { logger } from '@libp2p/logger'
import { setMaxListeners } from 'node:events'
import { writeFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import type { Connection as StreamConnection, PeerId, Stream } from '@libp2p/interface'
import { peerIdFromMultihash } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { COORDINATOR, MESH, TIMEOUTS, wire, toHex } from '../protocols/index.js'
import type { CoordinatorHost, Offence } from './host.js'
import { ChainFactsCache, type ChainFacts } from './ledger.js'
import { envelopeHash, rankWorkers, type IndexedWorker } from './rank.js'
import { openCoordinatorStore, type AdvertRecord, type CoordinatorStore, type StatsRecord } from './store.js'

const log = logger('cyx:coordinator')

const { ErrorCode, Kind, WireError, equalBytes, openEnvelope, signMessage } = wire

export const STATUS_FILE = 'status.json'

/** Latencies kept for the status percentiles. */
const LATENCY_SAMPLES = 512

/** Why the coordinator refused a well-formed request. */
export class CoordinatorRefusal extends Error {
  readonly reason: 'BANNED' | 'WRONG_PEER' | 'NOT_STAKED'
  constructor (reason: CoordinatorRefusal['reason'], message: string) {
    super(message)
    this.name = 'CoordinatorRefusal'
    this.reason = reason
  }
}

export interface CoordinatorOptions {
  /** The peer it runs on, its chain reads and the award policy (peer/match's `coordinatorHost`). */
  readonly host: CoordinatorHost
  /** Where the index lives (`coordinator.db`) and `status.json` is written. */
  readonly dir: string
  /** Seconds chain facts stay cached (default `COORDINATOR.chainCacheSeconds`). */
  readonly chainCacheSeconds?: number
  /** Capability keys to crawl the DHT for (default ['cpu']); empty: no crawling. */
  readonly crawlCapabilities?: readonly string[]
  /** Milliseconds between DHT crawls (default 30 s). */
  readonly crawlEveryMs?: number
  /** Refuse registrations from wallets without active stake (default true). */
  readonly requireStake?: boolean
  /** Told about every refused stream: a WireError for bad bytes, a CoordinatorRefusal otherwise. */
  readonly onRejected?: (peer: PeerId, protocol: string, error: Error) => void
}

export interface CoordinatorStatus {
  readonly peerId: string
  readonly addrs: string[]
  readonly running: boolean
  readonly pid: number
  /** Workers with a fresh advert in the index. */
  readonly peersIndexed: number
  /** Of those, how many had active stake at the last read. */
  readonly peersStaked: number
  readonly jobsSeen: number
  readonly jobsMatched: number
  readonly registrations: number
  readonly refused: number
  readonly matchLatencyMs: { readonly p50: number | null, readonly p95: number | null, readonly samples: number }
  readonly chainReads: number
  readonly updatedAt: string
}

/** The q-quantile (nearest rank) of `xs`, or null when empty. */
export function quantile (xs: readonly number[], q: number): number | null {
  if (xs.length === 0) return null
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number
}

function errorCodeOf (e: unknown): wire.ErrorCode {
  if (e instanceof CoordinatorRefusal) return e.reason === 'NOT_STAKED' ? ErrorCode.UNAVAILABLE : ErrorCode.MALFORMED
  if (!wire.isWireError(e)) return ErrorCode.INTERNAL
  if (e.code === 'TOO_LARGE') return ErrorCode.TOO_LARGE
  if (e.code === 'BAD_SIGNATURE') return ErrorCode.BAD_SIGNATURE
  return ErrorCode.MALFORMED
}

/** The offence a refused input amounts to: a WireError's code, or a generic stream error. */
function offenceOf (e: unknown): Offence {
  return wire.isWireError(e) ? e.code : 'STREAM_ERROR'
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).slice(0, 500)

export class Coordinator {
  readonly host: CoordinatorHost
  readonly #o: CoordinatorOptions
  readonly #store: CoordinatorStore
  readonly #chain: ChainFactsCache
  readonly #workers = new Map<string, IndexedWorker>()
  readonly #jobs = new Set<string>()
  #stats: StatsRecord = { jobsMatched: 0, registrations: 0, refused: 0, latenciesMs: [] }
  readonly #timers: NodeJS.Timeout[] = []
  readonly #cleanups: Array<() => void | Promise<void>> = []
  #dirty = true
  #crawling: Promise<number> | undefined
  #stopped: Promise<void> | undefined

  private constructor (o: CoordinatorOptions, store: CoordinatorStore) {
    this.host = o.host
    this.#o = o
    this.#store = store
    this.#chain = new ChainFactsCache({
      read: o.host.readChainFacts,
      ttlSeconds: o.chainCacheSeconds ?? COORDINATOR.chainCacheSeconds,
      clock: () => o.host.clock(),
      onRead: (wallet, f) => {
        this.#store.chain.put(wallet, { registered: f.registered, stake: String(f.stake), reputation: f.reputation, active: f.active, readAt: f.readAt }).catch((err: unknown) => { log.error('caching a chain read failed: %e', err) })
      }
    })
  }

  /** Opens the index, registers both protocols and the gossip subscription, starts crawling. */
  static async start (o: CoordinatorOptions): Promise<Coordinator> {
    const store = await openCoordinatorStore(o.dir)
    const c = new Coordinator(o, store)
    try {
      await c.#load()
      const { host } = o
      c.#cleanups.push(await host.handle(MESH.matchProtocol, (stream, connection) => {
        c.#serve(stream, connection, MESH.matchProtocol, async (bytes, peer, started) => await c.#match(bytes, peer, started)).catch((err: unknown) => { log('serving a match request failed: %e', err) })
      }))
      c.#cleanups.push(await host.handle(COORDINATOR.registerProtocol, (stream, connection) => {
        c.#serve(stream, connection, COORDINATOR.registerProtocol, async (bytes, peer) => await c.#register(bytes, peer)).catch((err: unknown) => { log('serving a registration failed: %e', err) })
      }))
      c.#cleanups.push(host.onJobAnnounce(async (announce) => { await c.#seeJob(announce, 'gossip') }))

      const capabilities = o.crawlCapabilities ?? ['cpu']
      if (capabilities.length > 0) {
        const crawl = (): void => { c.crawl(capabilities).catch((err: unknown) => { log.error('crawl failed: %e', err) }) }
        c.#every(o.crawlEveryMs ?? 30_000, crawl)
        setTimeout(crawl, 0).unref()
      }
      c.#every(60_000, () => { c.#sweep().catch((err: unknown) => { log.error('sweep failed: %e', err) }) })
      c.#every(500, () => { if (c.#dirty) c.#writeStatus(true).catch((err: unknown) => { log.error('writing the status file failed: %e', err) }) })
      await c.#writeStatus(true)
      host.onStop(async () => { await c.stop() })
      return c
    } catch (e) {
      await c.stop()
      throw e
    }
  }

  #every (ms: number, fn: () => void): void {
    const t = setInterval(fn, ms)
    t.unref()
    this.#timers.push(t)
  }

  /** Loads the index from disk, keeping only adverts that still open and chain facts still fresh. */
  async #load (): Promise<void> {
    const now = this.host.clock()
    for await (const [peerId, r] of this.#store.adverts.entries()) {
      try {
        const env = wire.Signed.decode(Buffer.from(r.signed, 'base64'))
        this.#index(env, openEnvelope(env, Kind.CAPABILITY_ADVERT, now), r.source, false)
      } catch {
        await this.#store.adverts.delete(peerId)
      }
    }
    for await (const [wallet, r] of this.#store.chain.entries()) {
      this.#chain.seed(wallet, { registered: r.registered, stake: BigInt(r.stake), reputation: r.reputation, active: r.active, readAt: r.readAt })
    }
    for await (const [jobId] of this.#store.jobs.entries()) this.#jobs.add(jobId)
    const stats = await this.#store.meta.get('stats')
    if (stats !== undefined) this.#stats = stats
  }

  /** Puts an opened advert in the index (memory and level). A newer advert of the peer wins. */
  #index (env: wire.Signed, opened: wire.Opened<wire.CapabilityAdvert>, source: 'register' | 'dht', persist = true): IndexedWorker {
    const { message: advert, signer } = opened
    const peerId = peerIdString(advert.peerId)
    const existing = this.#workers.get(peerId)
    if (existing !== undefined && existing.advert.issuedAt > advert.issuedAt) return existing
    const { bytes, hash } = envelopeHash(env)
    const worker: IndexedWorker = { peerId, wallet: Uint8Array.from(signer), advert, signed: bytes, advertHash: hash, source }
    this.#workers.set(peerId, worker)
    this.#dirty = true
    if (persist) {
      const record: AdvertRecord = {
        peerId,
        signed: Buffer.from(bytes).toString('base64'),
        wallet: toHex(signer),
        capabilities: [...advert.capabilities],
        pricePerHour: String(advert.pricePerHour),
        profile: JSON.stringify(advert.profile),
        hardware: JSON.stringify(advert.hardware),
        expiresAt: Number(advert.expiresAt),
        source,
        indexedAt: this.host.clock()
      }
      this.#store.adverts.put(peerId, record).catch((err: unknown) => { log.error('storing an advert failed: %e', err) })
    }
    return worker
  }

  async #sweep (): Promise<void> {
    const now = BigInt(this.host.clock())
    for (const [peerId, w] of this.#workers) {
      if (w.advert.expiresAt <= now) {
        this.#workers.delete(peerId)
        this.#dirty = true
        await this.#store.adverts.delete(peerId).catch((err: unknown) => { log.error('deleting an expired advert failed: %e', err) })
      }
    }
  }

  async #seeJob (announce: wire.JobAnnounce, source: 'gossip' | 'match'): Promise<void> {
    const id = toHex(announce.jobId)
    if (this.#jobs.has(id)) return
    this.#jobs.add(id)
    this.#dirty = true
    await this.#store.jobs.put(id, {
      client: peerIdString(announce.clientPeerId),
      maxPrice: String(announce.maxPrice),
      bidDeadline: Number(announce.bidDeadline),
      seenAt: this.host.clock(),
      source,
      matchedAt: null,
      candidates: null
    })
  }

  /**
   * One request, one answer, on either protocol: read one bounded frame, answer one frame, close.
   * Whatever the peer sends ends in a typed refusal at worst; nothing here throws to libp2p.
   */
  async #serve (stream: Stream, connection: StreamConnection, protocol: string, answer: (bytes: Uint8Array, peer: PeerId, started: number) => Promise<Uint8Array>): Promise<void> {
    const peer = connection.remotePeer
    const started = performance.now()
    const isMatch = protocol === MESH.matchProtocol
    if (this.host.misbehaviour.isBanned(peer.toString())) {
      this.#refused(peer, protocol, new CoordinatorRefusal('BANNED', 'peer is banned for misbehaviour'), undefined)
      stream.abort(new Error('banned'))
      return
    }
    // Both requests carry one signed message: the same bound serves (answers may be larger).
    const frames = this.host.framed(stream, COORDINATOR.maxRegisterFrameBytes)
    let reply: Uint8Array
    try {
      const bytes = await frames.read({ signal: AbortSignal.timeout(TIMEOUTS.coordinatorRequestMs) })
      reply = await answer(bytes, peer, started)
    } catch (e) {
      const offence: Offence | undefined = e instanceof CoordinatorRefusal ? (e.reason === 'WRONG_PEER' ? 'WRONG_PEER' : undefined) : offenceOf(e)
      const error = { code: errorCodeOf(e), message: errorText(e) }
      // The typed answer goes out before the offence is scored: a ban hangs up the connection.
      try {
        reply = isMatch
          ? wire.encodeMatchResponse({ adverts: [], error })
          : wire.encodeRegisterResponse({ accepted: false, indexedUntil: 0n, error })
        await frames.write(reply, { signal: AbortSignal.timeout(TIMEOUTS.coordinatorAnswerMs) })
        await stream.close({ signal: AbortSignal.timeout(TIMEOUTS.coordinatorAnswerMs) })
      } catch (err) {
        stream.abort(err instanceof Error ? err : new Error(String(err)))
      }
      this.#refused(peer, protocol, e instanceof Error ? e : new Error(String(e)), offence)
      return
    }
    try {
      await frames.write(reply, { signal: AbortSignal.timeout(TIMEOUTS.coordinatorAnswerMs) })
      await stream.close({ signal: AbortSignal.timeout(TIMEOUTS.coordinatorAnswerMs) })
    } catch (e) {
      stream.abort(e instanceof Error ? e : new Error(String(e)))
    }
  }

  #refused (peer: PeerId, protocol: string, error: Error, offence: Offence | undefined): void {
    if (offence !== undefined) this.host.misbehaviour.record(peer.toString(), offence)
    this.#stats.refused++
    this.#dirty = true
    try {
      this.#o.onRejected?.(peer, protocol, error)
    } catch {
      // an observer's failure is not the protocol's
    }
  }

  async #register (bytes: Uint8Array, peer: PeerId): Promise<Uint8Array> {
    const request = wire.decodeRegisterRequest(bytes)
    const opened = openEnvelope(request.advert, Kind.CAPABILITY_ADVERT, this.host.clock())
    if (!equalBytes(opened.message.peerId, peer.toMultihash().bytes)) {
      throw new CoordinatorRefusal('WRONG_PEER', 'the advert names another peer than the one registering it')
    }
    if (this.#o.requireStake ?? true) {
      const facts = (await this.#chain.get([opened.signer])).get(toHex(opened.signer)) as ChainFacts
      if (!facts.registered || !facts.active || facts.stake === 0n) {
        throw new CoordinatorRefusal('NOT_STAKED', `wallet ${toHex(opened.signer)} has no active stake on-chain`)
      }
    }
    const worker = this.#index(request.advert, opened, 'register')
    this.#stats.registrations++
    this.#saveStats()
    return wire.encodeRegisterResponse({ accepted: true, indexedUntil: worker.advert.expiresAt })
  }

  async #match (bytes: Uint8Array, peer: PeerId, started: number): Promise<Uint8Array> {
    const request = wire.decodeMatchRequest(bytes)
    const now = this.host.clock()
    const { message: announce } = openEnvelope(request.announce, Kind.JOB_ANNOUNCE, now)
    if (!equalBytes(announce.clientPeerId, peer.toMultihash().bytes)) {
      throw new CoordinatorRefusal('WRONG_PEER', 'the announce names another client than the peer asking')
    }
    await this.#seeJob(announce, 'match')
    const fitting = [...this.#workers.values()].filter((w) => w.advert.expiresAt > BigInt(now) && w.advert.capabilities.includes(request.capability) && w.advert.pricePerHour > 0n)
    const facts = await this.#chain.get(fitting.map((w) => w.wallet))
    const { ranked } = rankWorkers(fitting, facts, announce, request.capability, now, request.maxCandidates, this.host.rankBids)
    const result: wire.MatchResult = {
      jobId: Uint8Array.from(announce.jobId),
      announceHash: Uint8Array.from(envelopeHash(request.announce).hash),
      coordinatorPeerId: Uint8Array.from(this.host.peerId.toMultihash().bytes),
      candidates: ranked.map((r) => ({
        peerId: Uint8Array.from(r.worker.advert.peerId),
        wallet: Uint8Array.from(r.worker.wallet),
        advertHash: Uint8Array.from(r.worker.advertHash),
        scorePpm: r.scorePpm,
        estimatedPrice: r.estimatedPrice,
        stake: r.facts.stake,
        reputation: r.facts.reputation
      })),
      issuedAt: BigInt(now)
    }
    const signed = wire.Signed.decode(signMessage(Kind.MATCH_RESULT, result, this.host.wallet))
    const reply = wire.encodeMatchResponse({ result: signed, adverts: ranked.map((r) => wire.Signed.decode(r.worker.signed)) })
    const id = toHex(announce.jobId)
    this.#store.jobs.get(id).then(async (j) => {
      if (j !== undefined) await this.#store.jobs.put(id, { ...j, matchedAt: now, candidates: ranked.length })
    }).catch((err: unknown) => { log.error('recording a match failed: %e', err) })
    this.#stats.jobsMatched++
    this.#stats.latenciesMs.push(Math.round((performance.now() - started) * 100) / 100)
    if (this.#stats.latenciesMs.length > LATENCY_SAMPLES) this.#stats.latenciesMs.splice(0, this.#stats.latenciesMs.length - LATENCY_SAMPLES)
    this.#saveStats()
    return reply
  }

  #saveStats (): void {
    this.#dirty = true
    this.#store.meta.put('stats', { ...this.#stats, latenciesMs: [...this.#stats.latenciesMs] }).catch((err: unknown) => { log.error('storing the stats failed: %e', err) })
  }

  /**
   * Crawls the DHT for workers offering each capability: providers of the capability's CID, then
   * each provider's advert record, opened and checked again here. Returns how many adverts were
   * indexed or refreshed. One crawl at a time; a second call joins the running one.
   */
  async crawl (capabilities: readonly string[] = ['cpu'], options: { signal?: AbortSignal } = {}): Promise<number> {
    this.#crawling ??= (async () => {
      const { host } = this
      const signal = options.signal ?? AbortSignal.timeout(10_000)
      setMaxListeners(Infinity, signal) // one signal bounds every query of the crawl
      const providers = new Map<string, PeerId>()
      for (const capability of capabilities) {
        try {
          for await (const p of host.findProviders(capability, { signal })) {
            if (!p.equals(host.peerId)) providers.set(p.toString(), p)
          }
        } catch {
          // a crawl that ends early still indexes what it found
        }
      }
      let indexed = 0
      await Promise.all([...providers.values()].map(async (p) => {
        let best: Uint8Array | undefined
        try {
          best = await host.getAdvertRecord(p, { signal })
        } catch {
          // a record that cannot be fetched is not indexed
        }
        if (best === undefined) return
        try {
          const opened = host.openAdvertRecord(p, best, host.clock())
          const before = this.#workers.get(p.toString())
          // The DHT value is the advert countersigned by the peer key; clients get the wallet-signed advert.
          const w = this.#index(wire.Signed.decode(opened.signedAdvert), opened, before?.source === 'register' ? 'register' : 'dht')
          if (w !== before) indexed++
        } catch {
          // an advert that does not open is not indexed
        }
      }))
      return indexed
    })().finally(() => { this.#crawling = undefined })
    return await this.#crawling
  }

  /** Workers currently indexed (fresh adverts), by peer id. */
  workers (): IndexedWorker[] {
    const now = BigInt(this.host.clock())
    return [...this.#workers.values()].filter((w) => w.advert.expiresAt > now)
  }

  status (running = this.#stopped === undefined): CoordinatorStatus {
    const workers = this.workers()
    const lat = this.#stats.latenciesMs
    return {
      peerId: this.host.peerId.toString(),
      addrs: this.host.multiaddrs().map((a) => a.toString()),
      running,
      pid: process.pid,
      peersIndexed: workers.length,
      peersStaked: workers.filter((w) => this.#chain.peek(w.wallet)?.active === true).length,
      jobsSeen: this.#jobs.size,
      jobsMatched: this.#stats.jobsMatched,
      registrations: this.#stats.registrations,
      refused: this.#stats.refused,
      matchLatencyMs: { p50: quantile(lat, 0.5), p95: quantile(lat, 0.95), samples: lat.length },
      chainReads: this.#chain.reads,
      updatedAt: new Date().toISOString()
    }
  }

  /** Writes `status.json` in the data dir (atomically), for `cyx coordinator status`. */
  async #writeStatus (running: boolean): Promise<void> {
    this.#dirty = false
    const path = join(this.#o.dir, STATUS_FILE)
    const tmp = `${path}.${process.pid}.tmp`
    await writeFile(tmp, JSON.stringify(this.status(running), null, 2) + '\n')
    await rename(tmp, path)
  }

  async stop (): Promise<void> {
    this.#stopped ??= (async () => {
      for (const t of this.#timers) clearInterval(t)
      for (const fn of this.#cleanups.reverse()) {
        try { await fn() } catch { /* keep stopping */ }
      }
      await this.#crawling?.catch(() => 0)
      await this.#writeStatus(false).catch((err: unknown) => { log.error('writing the final status failed: %e', err) })
      await this.#store.close().catch((err: unknown) => { log.error('closing the store failed: %e', err) })
    })()
    await this.#stopped
  }
}

/** The base58 peer id string of binary peer id bytes (a multihash). */
function peerIdString (bytes: Uint8Array): string {
  try {
    return peerIdFromBytes(bytes).toString()
  } catch {
    throw new WireError('INVALID_FIELD', 'is not a peer id', 'peerId')
  }
}

function peerIdFromBytes (bytes: Uint8Array): PeerId {
  return peerIdFromMultihash(Digest.decode(bytes))
}
