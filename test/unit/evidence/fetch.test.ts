/**
 * `fetchEvidence` (peer/evidence/fetch.ts) with stubbed components: which outcome it reports, whom
 * it asks, how often it retries. The blocks are real evidence (storage's writer), kept in a
 * `NetworkDouble`: a test double of the mesh's blockstore that serves a block only once the holder
 * it names has been reached, and otherwise waits as bitswap does until the attempt's signal aborts.
 * The end-to-end path over real libp2p nodes is test/e2e/cli/evidence-cli.test.ts.
 */
import assert from 'node:assert/strict'
import type { CID } from 'multiformats/cid'
import { backoffMs, fetchEvidence, FETCH_RETRY, type EvidenceFetchComponents, type Holder } from '../../../peer/evidence/fetch.js'
import { publishEvidence, type EvidenceReader, type EvidenceStore } from '../../../storage/index.js'
import { fakeRun, INIT } from '../../fixtures/storage.js'

/** The mesh as fetching sees it (a double): blocks held by named peers, served once a peer is reached. */
class NetworkDouble {
  readonly blocks = new Map<string, Uint8Array>()
  readonly reached = new Set<string>()
  /** Peers that hold every block, and peers that can be reached at all. */
  holders = new Set<string>()
  reachable = new Set<string>()
  providers: string[] = []
  lookups = 0
  reachCalls: string[] = []
  /** Replaces a block's bytes with these when served (a hostile holder). */
  corrupt: Uint8Array | undefined

  store (): EvidenceStore {
    const blocks = this.blocks
    const blockstore = {
      put: async (cid: CID, bytes: Uint8Array) => { blocks.set(cid.toString(), bytes); return cid },
      has: async (cid: CID) => blocks.has(cid.toString()),
      get: async function * (cid: CID) {
        const b = blocks.get(cid.toString())
        if (b === undefined) throw Object.assign(new Error('not found'), { name: 'NotFoundError' })
        yield b
      }
    }
    return { blockstore, pins: { isPinned: async () => false, add: async function * () {} } } as unknown as EvidenceStore
  }

  /** Wakes the blocks' waiters when a peer is reached (bitswap sends its wants to each new peer). */
  #waiters = new Set<() => void>()

  async * #get (cid: CID, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    const served = (): boolean => [...this.reached].some((p) => this.holders.has(p)) && this.blocks.has(cid.toString())
    while (!served()) {
      // Bitswap: the want stays open until a holder connects or the attempt gives up.
      await new Promise<void>((resolve, reject) => {
        const wake = (): void => { this.#waiters.delete(wake); resolve() }
        this.#waiters.add(wake)
        signal?.addEventListener('abort', () => { this.#waiters.delete(wake); reject(Object.assign(new Error('aborted'), { name: 'AbortError' })) }, { once: true })
      })
    }
    yield this.corrupt ?? this.blocks.get(cid.toString()) as Uint8Array
  }

  wire (): EvidenceFetchComponents {
    const reader = { blockstore: { get: (cid: CID, options: { signal?: AbortSignal } = {}) => this.#get(cid, options.signal) } } as unknown as EvidenceReader
    return {
      reader,
      findProviders: (_cid, { signal }) => this.#providers(signal),
      reach: async (h: Holder, { signal }) => {
        signal.throwIfAborted()
        const peer = 'peer' in h ? h.peer : (h.addrs[0] as string).split('/p2p/')[1] as string
        this.reachCalls.push(peer)
        if (!this.reachable.has(peer)) throw new Error(`${peer} refused the dial`)
        this.reached.add(peer)
        for (const wake of [...this.#waiters]) wake()
        return peer
      }
    }
  }

  async * #providers (signal: AbortSignal): AsyncGenerator<string> {
    this.lookups++
    for (const p of this.providers) {
      signal.throwIfAborted()
      yield p
    }
  }
}

describe('evidence/fetch: fetching evidence by CID reports fetched, unavailable or invalid (issue 17)', function () {
  this.timeout(20_000)
  let net: NetworkDouble
  let cid: CID
  let blockCount: number
  const noSleep = async (): Promise<void> => {}

  beforeEach(async () => {
    net = new NetworkDouble()
    cid = await publishEvidence(net.store(), INIT, fakeRun(3, 500), { pin: false })
    blockCount = net.blocks.size
  })

  it('backoff: none before the first attempt, then 1, 2, 4, 8, 8 s', () => {
    const table: Array<[number, number]> = [[1, 0], [2, 1_000], [3, 2_000], [4, 4_000], [5, 8_000], [6, 8_000], [12, 8_000]]
    for (const [n, ms] of table) assert.equal(backoffMs(n), ms, `attempt ${n}`)
    assert.throws(() => backoffMs(0), RangeError)
    assert.throws(() => backoffMs(1.5), RangeError)
    assert.equal(FETCH_RETRY.attempts, 4)
  })

  it('fetches every block from a known holder, first attempt', async () => {
    net.holders.add('worker')
    net.reachable.add('worker')
    const progress: number[] = []
    const r = await fetchEvidence(net.wire(), cid, { holders: [{ peer: 'worker' }], lookup: false, sleep: noSleep, onProgress: (p) => progress.push(p.blocks) })
    assert.equal(r.status, 'fetched')
    assert.equal(r.blocks, blockCount)
    assert.equal(r.attempts, 1)
    assert.deepEqual(r.reached, ['worker'])
    assert.deepEqual(progress, Array.from({ length: blockCount }, (_, i) => i + 1))
  })

  it('does not wait for a slow provider lookup: the known holder serves the blocks meanwhile', async () => {
    net.holders.add('worker')
    net.reachable.add('worker')
    const events: string[] = []
    const wired = net.wire()
    const components: EvidenceFetchComponents = {
      ...wired,
      findProviders: async function * (_cid, { signal }) {
        // A DHT query that never answers (an empty or slow routing table).
        await new Promise<void>((resolve) => { signal.addEventListener('abort', () => { events.push('lookup ended'); resolve() }, { once: true }) })
        yield * []
      }
    }
    const r = await fetchEvidence(components, cid, { holders: [{ peer: 'worker' }], sleep: noSleep, onProgress: (p) => { if (p.blocks === blockCount) events.push('last block') } })
    assert.equal(r.status, 'fetched')
    assert.deepEqual(events, ['last block', 'lookup ended'])
  })

  it('the delivering worker is gone: a provider the DHT names serves it', async () => {
    net.holders.add('keeper')
    net.reachable.add('keeper')
    net.providers = ['keeper']
    const r = await fetchEvidence(net.wire(), cid, { holders: [{ addrs: ['/ip4/127.0.0.1/tcp/1/p2p/worker'] }], attemptTimeoutMs: 200, sleep: noSleep })
    assert.equal(r.status, 'fetched')
    assert.deepEqual(net.reachCalls.sort(), ['keeper', 'worker'])
    assert.deepEqual(r.reached, ['keeper'])
  })

  it('retries with backoff and a fresh lookup each attempt: a provider that appears later is found', async () => {
    net.holders.add('late')
    net.reachable.add('late')
    const waits: number[] = []
    const retries: number[] = []
    let attempt = 0
    const wired = net.wire()
    const components: EvidenceFetchComponents = {
      ...wired,
      findProviders: (c, o) => {
        attempt++
        if (attempt === 3) net.providers = ['late']
        return wired.findProviders(c, o)
      }
    }
    const r = await fetchEvidence(components, cid, {
      attemptTimeoutMs: 100,
      sleep: async (ms) => { waits.push(ms) },
      onRetry: ({ attempt: a }) => retries.push(a)
    })
    assert.equal(r.status, 'fetched')
    assert.equal(r.attempts, 3)
    assert.equal(net.lookups, 3)
    assert.deepEqual(waits, [1_000, 2_000])
    assert.deepEqual(retries, [1, 2])
  })

  it('nobody serves it: unavailable after every attempt, with each attempt\'s reason, never an error', async () => {
    net.reachable.add('worker') // reachable, but it lost the blocks
    const waits: number[] = []
    const r = await fetchEvidence(net.wire(), cid, { holders: [{ peer: 'worker' }, { peer: 'ghost' }], attempts: 3, attemptTimeoutMs: 100, sleep: async (ms) => { waits.push(ms) } })
    assert.equal(r.status, 'unavailable')
    assert.equal(r.attempts, 3)
    assert.equal(r.blocks, 0)
    assert.deepEqual(waits, [1_000, 2_000])
    if (r.status !== 'unavailable') return
    assert.equal(r.reasons.filter((x) => x.includes('is not available')).length, 3)
    assert.equal(r.reasons.filter((x) => x.includes('could not reach ghost')).length, 3)
  })

  it('a dial and a lookup that ignore the abort do not hold the fetch past the settle grace', async () => {
    const never = new Promise<never>(() => {})
    const components: EvidenceFetchComponents = {
      ...net.wire(),
      // A library that does not listen to its signal: neither ever settles.
      reach: async () => await never,
      findProviders: async function * () { await never; yield * [] }
    }
    // Without the grace this never returns (the suite's timeout fails it).
    const r = await fetchEvidence(components, cid, { holders: [{ peer: 'deaf' }], attempts: 2, attemptTimeoutMs: 50, sleep: noSleep })
    assert.equal(r.status, 'unavailable')
    assert.equal(r.attempts, 2)
  })

  it('a block read that ignores the abort does not hold the attempt: unavailable at its deadline', async () => {
    const deafReader = { blockstore: { get: async function * () { await new Promise<never>(() => {}); yield new Uint8Array() } } } as unknown as EvidenceReader
    const r = await fetchEvidence({ ...net.wire(), reader: deafReader }, cid, { holders: [{ peer: 'worker' }], lookup: false, attempts: 2, attemptTimeoutMs: 50, sleep: noSleep })
    assert.equal(r.status, 'unavailable')
    assert.equal(r.attempts, 2)
    if (r.status === 'unavailable') assert.ok(r.reasons.some((x) => x.includes('the attempt ended before every block arrived')), r.reasons.join('\n'))
  })

  it('blocks that arrive and are bad: thrown as invalid at once, no retry', async () => {
    net.holders.add('liar')
    net.reachable.add('liar')
    net.corrupt = new Uint8Array([1, 2, 3])
    let retried = false
    await assert.rejects(
      fetchEvidence(net.wire(), cid, { holders: [{ peer: 'liar' }], lookup: false, sleep: noSleep, onRetry: () => { retried = true } }),
      (e: unknown) => (e as { code?: string }).code === 'HASH_MISMATCH'
    )
    assert.equal(retried, false)
  })

  it('the caller\'s abort ends it with the abort, not with "unavailable"', async () => {
    const abort = new AbortController()
    const done = fetchEvidence(net.wire(), cid, { holders: [{ peer: 'nobody' }], lookup: false, attemptTimeoutMs: 10_000, signal: abort.signal })
    setTimeout(() => { abort.abort(new Error('stop')) }, 50)
    await assert.rejects(done, /stop/)
  })

  it('refuses nonsense options before fetching anything', async () => {
    await assert.rejects(fetchEvidence(net.wire(), cid, { attempts: 0 }), RangeError)
    await assert.rejects(fetchEvidence(net.wire(), cid, { attempts: 21 }), RangeError)
    await assert.rejects(fetchEvidence(net.wire(), cid, { attemptTimeoutMs: 0 }), RangeError)
    assert.equal(net.reachCalls.length, 0)
  })
})
