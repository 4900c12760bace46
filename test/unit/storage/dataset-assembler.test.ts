/**
 * `DatasetAssembler` (storage/dataset.ts): a dataset built from its canonical encoding arriving in
 * runs of any length, as a worker receives a client's dataset over the job stream — every block
 * checked against the manifest's CID as it completes, the whole against the manifest's SHA-256.
 * The blocks live in `MapBlocks`, a test double of a blockstore (a Map; no Helia, no disk).
 */
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { CID } from 'multiformats/cid'
import { DATASET_LIMITS } from '../../../protocols/index.js'
import {
  DatasetAssembler, datasetSegments, EvidenceError, loadDatasetManifest, putDataset,
  type BlockAccess, type DatasetManifest, type TensorDataset
} from '../../../storage/index.js'

/** A blockstore test double: blocks in a Map, enough of Helia's `Blocks` for put and read. */
class MapBlocks {
  readonly map = new Map<string, Uint8Array>()
  async put (cid: CID, bytes: Uint8Array): Promise<CID> { this.map.set(cid.toString(), bytes); return cid }
  async has (cid: CID): Promise<boolean> { return this.map.has(cid.toString()) }
  async * get (cid: CID): AsyncGenerator<Uint8Array> {
    const b = this.map.get(cid.toString())
    if (b === undefined) throw Object.assign(new Error('not found'), { name: 'NotFoundError' })
    yield b
  }
}
const access = (b: MapBlocks): BlockAccess => b as unknown as BlockAccess

/** `rows` uint8 samples of 28×28 (deterministic), ~0.75 MiB per 1,000 rows, 10 classes. */
function dataset (rows: number, seed = 7): TensorDataset {
  const size = 28 * 28
  const testCount = Math.max(1, Math.floor(rows / 5))
  let s = seed >>> 0
  const next = (): number => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s }
  const split = (count: number): TensorDataset['train'] => ({
    count, x: Uint8Array.from({ length: count * size }, () => next() >>> 24), y: Int32Array.from({ length: count }, () => (next() >>> 16) % 10)
  })
  return { sampleShape: [1, 28, 28], dtype: 'uint8', normalize: 'unit', task: { kind: 'classification', classCount: 10 }, train: split(rows - testCount), test: split(testCount) }
}

async function published (ds: TensorDataset): Promise<{ manifest: DatasetManifest, root: CID }> {
  const blocks = new MapBlocks()
  const ref = await putDataset(access(blocks), ds)
  return { manifest: await loadDatasetManifest(access(blocks), ref.root, { offline: true }), root: ref.root }
}

/** The canonical encoding cut into runs of the given lengths (cycled), ignoring every boundary. */
function runs (ds: TensorDataset, lengths: readonly number[]): Uint8Array[] {
  const whole = Buffer.concat(datasetSegments(ds))
  const out: Uint8Array[] = []
  for (let at = 0, k = 0; at < whole.byteLength; k++) {
    const n = Math.min(lengths[k % lengths.length] as number, whole.byteLength - at)
    out.push(Uint8Array.from(whole.subarray(at, at + n)))
    at += n
  }
  return out
}

function expectEvidenceError (fn: () => unknown, code: string, field: string): void {
  assert.throws(fn, (e: unknown) => e instanceof EvidenceError && e.code === code && e.field === field, `expected ${code} at ${field}`)
}

describe('storage/dataset: DatasetAssembler', function () {
  // 2,000 rows: 1.5 MiB of x plus labels, so two blocks, the first straddling x_train and y_train.
  const ds = dataset(2_000)
  let manifest: DatasetManifest
  let root: CID
  before(async () => { ({ manifest, root } = await published(ds)) })

  it('builds the same dataset from runs of any length, and storing it gives the same root', async () => {
    assert.equal(manifest.chunks.length, 2)
    await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: 1, max: DATASET_LIMITS.chunkBytes + 7 }), { minLength: 1, maxLength: 5 }), async (lengths) => {
      const a = new DatasetAssembler(manifest, { verifyBlocks: true })
      for (const r of runs(ds, lengths)) a.add(r)
      const got = a.finish()
      assert.deepEqual(got.train.x, ds.train.x)
      assert.deepEqual(got.train.y, ds.train.y)
      assert.deepEqual(got.test.x, ds.test.x)
      assert.deepEqual(got.test.y, ds.test.y)
      assert.equal((await putDataset(access(new MapBlocks()), got)).root.toString(), root.toString())
    }), { numRuns: 12 })
  })

  it('refuses a changed byte as soon as its block is complete, naming the block', () => {
    for (const [at, block] of [[10, 0], [DATASET_LIMITS.chunkBytes + 3, 1]] as const) {
      const bad = runs(ds, [4096])
      const flat = Buffer.concat(bad)
      flat[at] = (flat[at] as number) ^ 1
      const a = new DatasetAssembler(manifest, { verifyBlocks: true })
      expectEvidenceError(() => { for (let i = 0; i < flat.byteLength; i += 4096) a.add(flat.subarray(i, i + 4096)) }, 'HASH_MISMATCH', `chunks[${block}]`)
    }
  })

  it('without block checks (blocks checked by the store) still refuses a wrong whole at finish', () => {
    const flat = Buffer.concat(runs(ds, [65_536]))
    flat[5] = (flat[5] as number) ^ 1
    const a = new DatasetAssembler(manifest, { verifyBlocks: false })
    a.add(flat)
    expectEvidenceError(() => a.finish(), 'HASH_MISMATCH', 'dataset.sha256')
  })

  it('refuses more bytes than the manifest names before writing them, and fewer at finish', () => {
    const flat = Buffer.concat(runs(ds, [65_536]))
    const over = new DatasetAssembler(manifest, { verifyBlocks: true })
    over.add(flat.subarray(0, 100))
    expectEvidenceError(() => { over.add(flat) }, 'TOO_LARGE', 'dataset.bytes')
    const short = new DatasetAssembler(manifest, { verifyBlocks: false })
    short.add(flat.subarray(0, flat.byteLength - 1))
    expectEvidenceError(() => short.finish(), 'INVALID_FIELD', 'dataset.bytes')
  })

  it('refuses a class label outside the task even when every block matches its CID', async () => {
    const bad = dataset(100, 3)
    ;(bad.train.y as Int32Array)[4] = 10
    const p = await published(bad)
    const a = new DatasetAssembler(p.manifest, { verifyBlocks: true })
    for (const r of runs(bad, [1000])) a.add(r)
    expectEvidenceError(() => a.finish(), 'INVALID_FIELD', 'y_train')
  })
})
