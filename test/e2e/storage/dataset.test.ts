/**
 * A client's dataset as content-addressed blocks (storage/dataset.ts): put → fetch in one Helia,
 * between two real Helia peers over bitswap on loopback, refusal of tampered blocks and wrong
 * hashes, strict manifest validation, and a 100 MB round trip whose memory stays near 2× its size.
 */
import assert from 'node:assert/strict'
import v8 from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import {
  createPeerHelia, datasetRootFor, EvidenceError, fetchDataset, openPeerStore, putDataset, validateDatasetManifest,
  type Helia, type HeliaWithLibp2p, type PeerStore, type TensorDataset
} from '../../../storage/index.js'
import { DATASET_LIMITS } from '../../../protocols/index.js'
import { loopbackLibp2p, tempDir } from '../../fixtures/storage.js'

/** V8's collector, made callable without --expose-gc (the flag set at run time, the function taken from a fresh context). */
function collector (): () => void {
  v8.setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

const MiB = 1024 * 1024

/** A deterministic dataset (an LCG's high bits: its low bits repeat every 256 values, which would make chunks equal): `rows` samples of `sampleSize` values, 80 % train, 20 % test. */
function makeDataset (rows: number, sampleSize: number, dtype: 'uint8' | 'float32', task: 'classification' | 'regression' = 'classification', seed = 12345): TensorDataset {
  const testCount = Math.max(1, Math.floor(rows / 5))
  const trainCount = rows - testCount
  let s = seed
  const next = (): number => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s }
  const split = (count: number): TensorDataset['train'] => {
    const x = dtype === 'uint8' ? new Uint8Array(count * sampleSize) : new Float32Array(count * sampleSize)
    for (let i = 0; i < x.length; i++) x[i] = dtype === 'uint8' ? next() >>> 24 : next() / 2 ** 32 - 0.5
    const y = task === 'classification' ? Int32Array.from({ length: count }, () => (next() >>> 16) % 10) : Float32Array.from({ length: count * 2 }, () => next() / 2 ** 32)
    return { count, x, y }
  }
  return {
    sampleShape: [sampleSize],
    dtype,
    normalize: dtype === 'uint8' ? 'unit' : 'none',
    task: task === 'classification' ? { kind: 'classification', classCount: 10 } : { kind: 'regression', targetShape: [2] },
    train: split(trainCount),
    test: split(testCount)
  }
}

function canonicalSha (ds: TensorDataset): string {
  const h = createHash('sha256')
  for (const a of [ds.train.x, ds.train.y, ds.test.x, ds.test.y]) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
  return h.digest('hex')
}

function assertSameDataset (a: TensorDataset, b: TensorDataset): void {
  assert.deepEqual(a.sampleShape, b.sampleShape)
  assert.equal(a.dtype, b.dtype)
  assert.equal(a.normalize, b.normalize)
  assert.deepEqual(a.task, b.task)
  for (const name of ['train', 'test'] as const) {
    assert.equal(a[name].count, b[name].count)
    for (const k of ['x', 'y'] as const) {
      const u = a[name][k]
      const v = b[name][k]
      assert.equal(u.constructor, v.constructor, `${k}_${name} type`)
      assert.equal(Buffer.compare(new Uint8Array(u.buffer, u.byteOffset, u.byteLength), new Uint8Array(v.buffer, v.byteOffset, v.byteLength)), 0, `${k}_${name} bits`)
    }
  }
}

const isCode = (code: string, pattern?: RegExp) => (e: unknown): boolean => {
  assert.ok(e instanceof EvidenceError, `expected an EvidenceError, got ${String(e)}`)
  assert.equal(e.code, code, e.message)
  if (pattern !== undefined) assert.match(e.message, pattern)
  return true
}

async function readManifest (helia: Helia, root: CID): Promise<Record<string, unknown>> {
  const parts: Uint8Array[] = []
  for await (const p of helia.blockstore.get(root)) parts.push(p)
  return dagCbor.decode(Buffer.concat(parts))
}

describe('storage/dataset in one Helia', function () {
  this.timeout(120_000)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let store: PeerStore
  let helia: Helia

  before(async () => {
    tmp = await tempDir('dataset')
    store = await openPeerStore(join(tmp.dir, 'a'))
    helia = await createPeerHelia(store)
  })
  after(async () => {
    await helia?.stop()
    await store?.close()
    await tmp?.remove()
  })

  it('round-trips uint8 classification and float32 regression datasets bit for bit, with chunks straddling arrays', async () => {
    // 3,001 rows × 1,000 bytes: three chunks, the middle one crossing x_train/y_train/x_test.
    for (const ds of [makeDataset(3_001, 1_000, 'uint8'), makeDataset(700, 999, 'float32', 'regression')]) {
      const ref = await putDataset(helia.blockstore, ds)
      assert.equal(ref.sha256, canonicalSha(ds))
      assert.deepEqual(await datasetRootFor(ds), ref)
      const progress: Array<[number, number]> = []
      const back = await fetchDataset(helia.blockstore, ref.root, { expectedSha256: ref.sha256, onProgress: (d, t) => progress.push([d, t]) })
      assertSameDataset(back, ds)
      assert.equal(progress.length, Math.ceil(ref.bytes / DATASET_LIMITS.chunkBytes))
      assert.deepEqual(progress.at(-1), [ref.bytes, ref.bytes])
    }
  })

  it('keeps class names in the manifest, and a different dataset gets a different root', async () => {
    const ds = makeDataset(50, 4, 'uint8')
    const named: TensorDataset = { ...ds, task: { kind: 'classification', classCount: 10, classNames: Array.from({ length: 10 }, (_, i) => `c${i}`) } }
    const a = await putDataset(helia.blockstore, ds)
    const b = await putDataset(helia.blockstore, named)
    assert.notEqual(a.root.toString(), b.root.toString())
    assert.equal(a.sha256, b.sha256) // same tensors, different labels of the classes
    assert.deepEqual((await fetchDataset(helia.blockstore, b.root)).task, named.task)
  })

  it('refuses a wrong expectedSha256 before fetching any chunk', async () => {
    const ref = await putDataset(helia.blockstore, makeDataset(100, 8, 'float32'))
    let chunksSeen = 0
    await assert.rejects(fetchDataset(helia.blockstore, ref.root, { expectedSha256: '00'.repeat(32), onProgress: () => { chunksSeen++ } }), isCode('HASH_MISMATCH', /expected 0{64}/))
    assert.equal(chunksSeen, 0)
  })

  it('refuses a root whose chunk was tampered with on disk', async () => {
    const ds = makeDataset(3_000, 1_000, 'uint8')
    const ref = await putDataset(helia.blockstore, ds)
    const manifest = await readManifest(helia, ref.root)
    const chunk = (manifest.chunks as CID[])[1] as CID
    const parts: Uint8Array[] = []
    for await (const p of store.blockstore.get(chunk)) parts.push(p)
    const original = Buffer.concat(parts)
    const tampered = Uint8Array.from(original)
    tampered[17] = (tampered[17] as number) ^ 1
    await store.blockstore.put(chunk, tampered) // the level blockstore stores whatever it is given
    try {
      await assert.rejects(fetchDataset(helia.blockstore, ref.root), isCode('HASH_MISMATCH', /chunks\[1\]/))
    } finally {
      await store.blockstore.put(chunk, original)
    }
    assertSameDataset(await fetchDataset(helia.blockstore, ref.root), ds)
  })

  it('refuses a manifest whose sha256 is not the hash of its chunks', async () => {
    const ref = await putDataset(helia.blockstore, makeDataset(200, 16, 'uint8'))
    const manifest = await readManifest(helia, ref.root)
    const forged = { ...manifest, sha256: new Uint8Array(32).fill(7) }
    const bytes = dagCbor.encode(forged)
    const root = CID.createV1(dagCbor.code, await sha256.digest(bytes))
    await helia.blockstore.put(root, bytes)
    await assert.rejects(fetchDataset(helia.blockstore, root), isCode('HASH_MISMATCH', /chunks hash to [0-9a-f]{64}, the manifest says 0707/))
  })

  it('validates every manifest field strictly', async () => {
    const ref = await putDataset(helia.blockstore, makeDataset(200, 16, 'uint8'))
    const good = await readManifest(helia, ref.root)
    assert.equal(validateDatasetManifest(good).bytes, ref.bytes)
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['extra key', { ...good, extra: 1 }, /unexpected key "extra"/],
      ['bytes vs shapes', { ...good, bytes: (good.bytes as number) + 1 }, /^bytes: .*make/],
      ['chunk count', { ...good, chunks: [...(good.chunks as CID[]), (good.chunks as CID[])[0]] }, /^chunks: 2 items/],
      ['dtype', { ...good, dtype: 'float64' }, /^dtype:/],
      ['float32 with unit', { ...good, normalize: 'unit', dtype: 'float32', bytes: 200 * 16 * 4 + 200 * 4 }, /^normalize:/],
      ['label outside classes', { ...good, task: { kind: 'classification', classCount: 0 } }, /^task\.classCount:/],
      ['regression with int32', { ...good, task: { kind: 'regression', targetShape: [1] } }, /^yDtype:/],
      ['empty test', { ...good, test: { count: 0 } }, /^test\.count:/],
      ['sample too large', { ...good, sampleShape: [DATASET_LIMITS.maxSampleSize + 1] }, /^sampleShape\[0\]:/],
      ['version', { ...good, version: 2 }, /version 2/],
      ['chunk codec', { ...good, chunks: [ref.root] }, /^chunks\[0\]: expected a CIDv1 raw/]
    ]
    for (const [what, value, message] of cases) {
      assert.throws(() => validateDatasetManifest(value), (e: unknown) => e instanceof EvidenceError && message.test(e.message), what)
    }
    // A too-large dataset is refused from its header, before any chunk is asked for.
    const huge = { ...good, train: { count: DATASET_LIMITS.maxRows - 1 }, test: { count: 1 }, sampleShape: [1024] }
    assert.throws(() => validateDatasetManifest(huge), isCode('TOO_LARGE', /^bytes: /))
  })

  it('refuses a dataset whose arrays do not match its shapes at put time', async () => {
    const ds = makeDataset(10, 4, 'uint8')
    await assert.rejects(putDataset(helia.blockstore, { ...ds, train: { ...ds.train, count: 9 } }), isCode('INVALID_FIELD', /x_train: 32 values for 9 rows of 4/))
    await assert.rejects(putDataset(helia.blockstore, { ...ds, dtype: 'float32', normalize: 'none' }), isCode('INVALID_FIELD', /x_train: expected a Float32Array/))
  })

  it('round-trips 100 MB with array-buffer memory under 2.5× its size', async function () {
    this.timeout(300_000)
    // What is measured is memory held, not garbage awaiting collection: each sample collects first.
    // Without it the figure depended on when V8 chose to collect, and in the whole suite (another
    // heap, other timings) it once read 2.52× here where it reads 2.2× alone.
    const gc = collector()
    gc()
    const before = process.memoryUsage().arrayBuffers
    const ds = makeDataset(100_000, 1_000, 'uint8') // 100 MB of x plus 400 kB of labels
    const size = ds.train.x.byteLength + ds.test.x.byteLength
    let peak = process.memoryUsage().arrayBuffers
    const sample = (): void => { gc(); peak = Math.max(peak, process.memoryUsage().arrayBuffers) }
    const ref = await putDataset(helia.blockstore, ds)
    sample()
    const back = await fetchDataset(helia.blockstore, ref.root, { expectedSha256: ref.sha256, onProgress: sample })
    sample()
    assertSameDataset(back, ds)
    const grown = peak - before
    // The source and the fetched copy are 2× the size; everything else held (chunks in flight,
    // level's buffers) must stay within another half.
    assert.ok(grown < 2.5 * size, `array buffers grew by ${(grown / MiB).toFixed(1)} MiB for a ${(size / MiB).toFixed(1)} MiB dataset`)
    console.log(`      100 MB round trip: array buffers peaked at +${(grown / MiB).toFixed(1)} MiB (${(grown / size).toFixed(2)}× the dataset)`)
  })
})

describe('storage/dataset between two peers over bitswap', function () {
  this.timeout(300_000)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  const stores: PeerStore[] = []
  let a: HeliaWithLibp2p<any>
  let b: HeliaWithLibp2p<any>

  before(async () => {
    tmp = await tempDir('dataset-bitswap')
    for (const name of ['a', 'b']) stores.push(await openPeerStore(join(tmp.dir, name)))
    a = await createPeerHelia(stores[0]!, { libp2p: loopbackLibp2p() })
    b = await createPeerHelia(stores[1]!, { libp2p: loopbackLibp2p() })
  })
  after(async () => {
    await b?.stop()
    await a?.stop()
    for (const s of stores) await s.close()
    await tmp?.remove()
  })

  it('B fetches a 64 MB dataset from A by its root CID, with progress, and reports MB/s', async () => {
    const ds = makeDataset(65_536, 1_024, 'uint8') // 64 MiB of x plus 256 KiB of labels
    const ref = await putDataset(a.blockstore, ds)
    await assert.rejects(fetchDataset(b.blockstore, ref.root, { offline: true }), isCode('NOT_FOUND'))
    await b.libp2p.dial(a.libp2p.getMultiaddrs())
    const progress: number[] = []
    const started = performance.now()
    const back = await fetchDataset(b.blockstore, ref.root, { expectedSha256: ref.sha256, onProgress: (done) => progress.push(done), signal: AbortSignal.timeout(240_000) })
    const seconds = (performance.now() - started) / 1000
    assertSameDataset(back, ds)
    assert.equal(progress.length, Math.ceil(ref.bytes / DATASET_LIMITS.chunkBytes))
    assert.ok(progress.every((d, i) => i === 0 || d > (progress[i - 1] as number)), 'progress only grows')
    assert.equal(progress.at(-1), ref.bytes)
    console.log(`      bitswap: ${(ref.bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s = ${(ref.bytes / 1e6 / seconds).toFixed(1)} MB/s`)
    // B now holds the blocks itself.
    assertSameDataset(await fetchDataset(b.blockstore, ref.root, { offline: true }), ds)
  })

  it('gives up with NOT_FOUND when no connected peer has the root', async () => {
    const absent = CID.createV1(dagCbor.code, await sha256.digest(Uint8Array.of(1, 2, 3)))
    await assert.rejects(fetchDataset(b.blockstore, absent, { signal: AbortSignal.timeout(500) }), isCode('NOT_FOUND'))
  })

  it('B refuses a chunk A serves under the wrong CID', async () => {
    const ds = makeDataset(1_500, 1_000, 'uint8', 'classification', 777)
    const ref = await putDataset(a.blockstore, ds)
    const manifest = await readManifest(a, ref.root)
    const chunk = (manifest.chunks as CID[])[0] as CID
    await stores[0]!.blockstore.put(chunk, new Uint8Array(DATASET_LIMITS.chunkBytes)) // A's disk now lies
    assert.equal(chunk.code, raw.code)
    // Bitswap on B drops the block that does not hash to its CID and keeps waiting: B never accepts it.
    await assert.rejects(fetchDataset(b.blockstore, ref.root, { signal: AbortSignal.timeout(3_000) }), (e: unknown) => e instanceof EvidenceError && (e.code === 'NOT_FOUND' || e.code === 'HASH_MISMATCH'))
  })
})
