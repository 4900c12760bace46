/** Evidence as a CAR file: export, import into a fresh store, and refusal of damaged files. */
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CarBlockIterator } from '@ipld/car'
import type { CID } from 'multiformats/cid'
import {
  createPeerHelia, EvidenceError, evidenceBlocks, exportCar, importCar, loadCheckpointState, loadEvidence, openPeerStore, publishEvidence,
  type Helia, type PeerStore
} from '../../../storage/index.js'
import { assertSameState, fakeRun, INIT, tempDir } from '../../fixtures/storage.js'

async function blockList (helia: Helia, cid: CID): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = []
  for await (const b of evidenceBlocks(helia, cid, { offline: true })) out.push([b.cid.toString(), Buffer.from(b.bytes).toString('base64')])
  return out
}

describe('storage/car', function () {
  const run = fakeRun(3)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  const stores: PeerStore[] = []
  const nodes: Helia[] = []
  let source: Helia
  let cid: CID
  let carPath: string

  async function freshNode (name: string): Promise<Helia> {
    const store = await openPeerStore(join(tmp.dir, name))
    stores.push(store)
    const helia = await createPeerHelia(store)
    nodes.push(helia)
    return helia
  }

  before(async () => {
    tmp = await tempDir('car')
    source = await freshNode('source')
    cid = await publishEvidence(source, INIT, run, { chunkBytes: 4096 })
    carPath = join(tmp.dir, 'evidence.car')
  })

  after(async () => {
    for (const n of nodes) await n.stop()
    for (const s of stores) await s.close()
    await tmp?.remove()
  })

  it('exports one root and every block once, the manifest first', async () => {
    const summary = await exportCar(source, cid, carPath)
    const reader = await CarBlockIterator.fromBytes(await readFile(carPath))
    assert.deepEqual((await reader.getRoots()).map(String), [cid.toString()])
    const cids: string[] = []
    for await (const b of reader) cids.push(b.cid.toString())
    assert.equal(cids[0], cid.toString())
    assert.equal(new Set(cids).size, cids.length)
    assert.equal(cids.length, summary.blocks)
    assert.deepEqual(cids, (await blockList(source, cid)).map(([c]) => c))
  })

  it('imports into a fresh store with the same CID and identical content', async () => {
    const target = await freshNode('target')
    await assert.rejects(loadEvidence(target, cid, { offline: true }), (e: unknown) => e instanceof EvidenceError && e.code === 'NOT_FOUND')
    const summary = await importCar(target, carPath)
    assert.equal(summary.root.toString(), cid.toString())
    assert.deepEqual(await blockList(target, cid), await blockList(source, cid))
    const evidence = await loadEvidence(target, summary.root, { offline: true })
    assert.deepEqual(evidence.manifest, (await loadEvidence(source, cid)).manifest)
    for (const [i, c] of run.entries()) assertSameState(await loadCheckpointState(target, evidence, i + 1, { offline: true }), c.state)
    assert.equal(await target.pins.isPinned(cid), true)
    // Importing the same file again is harmless.
    assert.equal((await importCar(target, carPath)).root.toString(), cid.toString())
  })

  it('refuses a CAR with one byte changed inside a block', async () => {
    const bytes = Buffer.from(await readFile(carPath))
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0x01 // inside the last state chunk
    const bad = join(tmp.dir, 'flipped.car')
    await writeFile(bad, bytes)
    const target = await freshNode('flipped')
    await assert.rejects(importCar(target, bad), (e: unknown) => e instanceof EvidenceError && e.code === 'HASH_MISMATCH')
  })

  it('refuses a truncated CAR, a CAR missing blocks, and a file that is not a CAR', async () => {
    const bytes = await readFile(carPath)
    const target = await freshNode('damaged')
    const truncated = join(tmp.dir, 'truncated.car')
    await writeFile(truncated, bytes.subarray(0, bytes.length - 1000))
    await assert.rejects(importCar(target, truncated), (e: unknown) => e instanceof EvidenceError && e.code === 'MALFORMED')

    // A well-formed CAR holding only the manifest: the states it names are absent.
    const { CarWriter } = await import('@ipld/car')
    const { writer, out } = CarWriter.create([cid])
    const collected = (async () => { const parts: Uint8Array[] = []; for await (const p of out) parts.push(p); return Buffer.concat(parts) })()
    for await (const b of evidenceBlocks(source, cid)) { await writer.put(b); break }
    await writer.close()
    const partial = join(tmp.dir, 'manifest-only.car')
    await writeFile(partial, await collected)
    await assert.rejects(importCar(target, partial), (e: unknown) => e instanceof EvidenceError && e.code === 'NOT_FOUND')

    const notCar = join(tmp.dir, 'not.car')
    await writeFile(notCar, Buffer.from('{"hello":"world"}'))
    await assert.rejects(importCar(target, notCar), (e: unknown) => e instanceof EvidenceError && e.code === 'MALFORMED')
  })
})
