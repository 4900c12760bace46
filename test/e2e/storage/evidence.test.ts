/**
 * Evidence bundles on real level stores in a temp dir: publish → load, tampering, hostile manifests,
 * incremental writing with crash and resume.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { CheckpointChain, encodeState, MerkleTree, stateHash, wire } from '../../../protocols/index.js'
import {
  createPeerHelia, EvidenceError, EvidenceWriter, EVIDENCE_LIMITS, evidenceTrainingSpec, loadCheckpointState, loadEvidence, openPeerStore, publishEvidence, SPEC_ENCODING,
  type Evidence, type Helia, type PeerStore
} from '../../../storage/index.js'
import { assertSameState, fakeRun, INIT, SPEC, SPEC_BYTES, tempDir } from '../../fixtures/storage.js'

const CHUNK = 4096 // small chunks so a ~16 KB state spans several blocks

function rejectsWith (code: EvidenceError['code'], field?: string | RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof EvidenceError, `expected an EvidenceError, got ${String(err)}`)
    assert.equal(err.code, code, `code of: ${err.message}`)
    if (typeof field === 'string') assert.equal(err.field, field)
    else if (field !== undefined) assert.match(err.field ?? '', field)
    return true
  }
}

async function putManifest (helia: Helia, manifest: unknown): Promise<CID> {
  const bytes = dagCbor.encode(manifest)
  const cid = CID.createV1(dagCbor.code, await sha256.digest(bytes))
  await helia.blockstore.put(cid, bytes)
  return cid
}

async function rawManifest (helia: Helia, cid: CID): Promise<Record<string, any>> {
  const parts: Uint8Array[] = []
  for await (const p of helia.blockstore.get(cid)) parts.push(p)
  return dagCbor.decode(Buffer.concat(parts)) as Record<string, any>
}

describe('storage/evidence', function () {
  const run = fakeRun(4)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let store: PeerStore
  let helia: Helia
  let cid: CID

  before(async () => {
    tmp = await tempDir('evidence')
    store = await openPeerStore(tmp.dir)
    helia = await createPeerHelia(store)
    cid = await publishEvidence(helia, INIT, run, { chunkBytes: CHUNK })
  })

  after(async () => {
    await helia?.stop()
    await store?.close()
    await tmp?.remove()
  })

  describe('publish → load', () => {
    it('returns a manifest holding the spec, profile, chain, metrics log and Merkle tree', async () => {
      const { manifest } = await loadEvidence(helia, cid, { offline: true })
      assert.equal(manifest.complete, true)
      assert.deepEqual(manifest.spec.bytes, SPEC_BYTES)
      assert.equal(manifest.spec.encoding, SPEC_ENCODING)
      // One spec hash: the wire spec hash (what the escrow stores) is the manifest's and the chain's.
      assert.deepEqual(manifest.spec.hash, wire.specHash(SPEC))
      assert.deepEqual(evidenceTrainingSpec(manifest.spec), SPEC)
      assert.deepEqual(manifest.profile, INIT.profile)

      // The chain, recomputed independently from the inputs.
      const chain = new CheckpointChain(manifest.spec.hash)
      for (const c of run) chain.append(stateHash(c.state), c.metrics, c.timeMs)
      assert.equal(manifest.checkpoints.length, run.length)
      manifest.checkpoints.forEach((r, i) => {
        const input = run[i]!
        assert.deepEqual([r.epoch, r.steps, r.loss, r.accuracy, r.timeMs], [input.metrics.epoch, input.metrics.steps, input.metrics.loss, input.metrics.accuracy, input.timeMs])
        assert.deepEqual(r.stateHash, stateHash(input.state))
        assert.deepEqual(r.chainHash, chain.hashAt(i + 1))
        assert.equal(r.stateBytes, encodeState(input.state).byteLength)
      })
      assert.deepEqual(manifest.merkle?.root, new MerkleTree(chain.checkpoints.map((c) => c.hash)).root)
      assert.deepEqual(manifest.merkle?.leaves, chain.checkpoints.map((c) => c.hash))
      assert.deepEqual(manifest.metricsLog.map((e) => e.values), run.map((c) => c.log))
    })

    it('gives back every checkpoint state bit for bit, and W_0', async () => {
      const evidence = await loadEvidence(helia, cid)
      for (const [i, c] of run.entries()) assertSameState(await loadCheckpointState(helia, evidence, i + 1), c.state)
      assertSameState(await loadCheckpointState(helia, evidence, 0), INIT.initialState!)
      await assert.rejects(loadCheckpointState(helia, evidence, run.length + 1), RangeError)
    })

    it('splits a state larger than a block into ≤ 1 MiB chunks by default', async () => {
      const big = fakeRun(1, 300_000) // 2.4 MB state → 3 chunks
      const bigCid = await publishEvidence(helia, { spec: INIT.spec, profile: INIT.profile }, big, { runId: 'big' })
      const evidence = await loadEvidence(helia, bigCid)
      const index = await rawManifest(helia, evidence.manifest.checkpoints[0]!.stateCid)
      assert.equal(index.chunkBytes, EVIDENCE_LIMITS.chunkBytes)
      assert.equal(index.chunks.length, Math.ceil(evidence.manifest.checkpoints[0]!.stateBytes / EVIDENCE_LIMITS.chunkBytes))
      assert.equal(index.chunks.length, 3)
      assertSameState(await loadCheckpointState(helia, evidence, 1), big[0]!.state)
      assert.equal(evidence.manifest.initialState, null)
    })

    it('persists across closing and reopening the store, and pins the evidence', async () => {
      assert.equal(await helia.pins.isPinned(cid), true)
      await helia.stop()
      await store.close()
      store = await openPeerStore(tmp.dir)
      helia = await createPeerHelia(store)
      const evidence = await loadEvidence(helia, cid, { offline: true })
      assertSameState(await loadCheckpointState(helia, evidence, 3, { offline: true }), run[2]!.state)
      assert.equal(await helia.pins.isPinned(cid), true)
    })

    it('reports a missing block as NOT_FOUND', async () => {
      const absent = CID.createV1(dagCbor.code, await sha256.digest(Uint8Array.of(1, 2, 3)))
      await assert.rejects(loadEvidence(helia, absent), rejectsWith('NOT_FOUND', 'manifest'))
    })
  })

  describe('tampering', () => {
    let evidence: Evidence
    before(async () => { evidence = await loadEvidence(helia, cid) })

    it('detects one flipped byte in a stored state block, on load of that checkpoint only', async () => {
      const index = await rawManifest(helia, evidence.manifest.checkpoints[1]!.stateCid)
      const chunk = index.chunks[1] as CID
      const parts: Uint8Array[] = []
      for await (const p of store.blockstore.get(chunk)) parts.push(p)
      const original = Buffer.concat(parts)
      const tampered = Uint8Array.from(original)
      tampered[100] = (tampered[100]! ^ 0x01)
      await store.blockstore.put(chunk, tampered) // the level blockstore stores whatever it is given
      try {
        await assert.rejects(loadCheckpointState(helia, evidence, 2), rejectsWith('HASH_MISMATCH', 'checkpoints[1].state.chunks[1]'))
        assertSameState(await loadCheckpointState(helia, evidence, 1), run[0]!.state)
        assertSameState(await loadCheckpointState(helia, evidence, 3), run[2]!.state)
      } finally {
        await store.blockstore.put(chunk, original)
      }
      assertSameState(await loadCheckpointState(helia, evidence, 2), run[1]!.state)
    })

    it('detects a consistent forgery of a state (valid blocks, other bytes) by the state hash', async () => {
      // A hostile peer re-chunks other weights under the index: every block matches its CID.
      const ref = evidence.manifest.checkpoints[1]!
      const index = await rawManifest(helia, ref.stateCid)
      const forged = encodeState(run[2]!.state) // same size, other weights
      const chunks: CID[] = []
      for (let at = 0; at < forged.byteLength; at += index.chunkBytes) {
        const bytes = forged.subarray(at, at + index.chunkBytes)
        const c = CID.createV1(raw.code, await sha256.digest(bytes))
        await helia.blockstore.put(c, bytes)
        chunks.push(c)
      }
      const forgedIndex = await putManifest(helia, { ...index, chunks })
      const m = { ...evidence.manifest, checkpoints: evidence.manifest.checkpoints.map((c, i) => i === 1 ? { ...c, stateCid: forgedIndex } : c) }
      await assert.rejects(loadCheckpointState(helia, m, 2), rejectsWith('HASH_MISMATCH', 'checkpoints[1].state'))
    })
  })

  describe('hostile manifests are refused with a typed error', () => {
    let base: Record<string, any>
    before(async () => { base = await rawManifest(helia, cid) })
    const withCheckpoint = (i: number, patch: Record<string, unknown>): Record<string, any> =>
      ({ ...base, checkpoints: base.checkpoints.map((c: object, j: number) => j === i ? { ...c, ...patch } : c) })

    it('a changed metric breaks the chain', async () => {
      const bad = await putManifest(helia, withCheckpoint(1, { loss: 0.01 }))
      await assert.rejects(loadEvidence(helia, bad), rejectsWith('BROKEN_CHAIN', 'checkpoints[1].chainHash'))
    })

    it('a state hash swapped for another breaks the chain', async () => {
      const bad = await putManifest(helia, withCheckpoint(2, { stateHash: base.checkpoints[0].stateHash }))
      await assert.rejects(loadEvidence(helia, bad), rejectsWith('BROKEN_CHAIN', 'checkpoints[2].chainHash'))
    })

    it('a dropped checkpoint breaks the chain', async () => {
      const bad = await putManifest(helia, { ...base, checkpoints: [base.checkpoints[0], base.checkpoints[2]] })
      await assert.rejects(loadEvidence(helia, bad), rejectsWith('INVALID_FIELD', 'checkpoints[1].epoch'))
    })

    it('a Merkle root that does not recompute is refused', async () => {
      const root = Uint8Array.from(base.merkle.root as Uint8Array)
      root[0] = root[0]! ^ 0xff
      const bad = await putManifest(helia, { ...base, merkle: { ...base.merkle, root } })
      await assert.rejects(loadEvidence(helia, bad), rejectsWith('MERKLE_MISMATCH', 'merkle.root'))
    })

    it('Merkle leaves that are not the chain are refused, even with a matching root', async () => {
      const leaves = [...base.merkle.leaves].reverse() as Uint8Array[]
      const bad = await putManifest(helia, { ...base, merkle: { ...base.merkle, leaves, root: new MerkleTree(leaves).root } })
      await assert.rejects(loadEvidence(helia, bad), rejectsWith('MERKLE_MISMATCH', 'merkle.leaves[0]'))
    })

    it('spec bytes that do not hash to the spec hash are refused', async () => {
      const bad = await putManifest(helia, { ...base, spec: { ...base.spec, bytes: wire.TrainingSpec.encode({ ...SPEC, seed: 8n }) } })
      await assert.rejects(loadEvidence(helia, bad), rejectsWith('HASH_MISMATCH', 'spec.hash'))
    })

    it('a spec that is not a valid, canonical wire TrainingSpec is refused, even with a matching hash', async () => {
      // The chain hashes would not follow either (another genesis): the spec is refused first.
      const withBytes = (bytes: Uint8Array, encoding = SPEC_ENCODING): Record<string, unknown> =>
        ({ ...base, spec: { encoding, bytes, hash: new Uint8Array(createHash('sha256').update(bytes).digest()) } })
      // The same spec with its fields out of order (layers last): it decodes, but is not the encoding.
      const reordered = Uint8Array.from([...SPEC_BYTES.subarray(6), ...SPEC_BYTES.subarray(0, 6)])
      assert.deepEqual(wire.TrainingSpec.decode(reordered), SPEC)
      const explicitDefault = Uint8Array.from([...SPEC_BYTES, 0x10, 0x00]) // mode = FLOAT32 written out
      const cases: Array<[Record<string, unknown>, EvidenceError['code'], string]> = [
        [withBytes(SPEC_BYTES, 'cyxwiz/spec/v1+json'), 'UNSUPPORTED', 'spec.encoding'],
        [withBytes(Uint8Array.of(0xff, 0xff, 0xff)), 'MALFORMED', 'spec.bytes'],
        [withBytes(wire.TrainingSpec.encode({ ...SPEC, layers: [16] })), 'INVALID_FIELD', 'spec.bytes'],
        [withBytes(reordered), 'MALFORMED', 'spec.bytes'],
        [withBytes(explicitDefault), 'MALFORMED', 'spec.bytes']
      ]
      for (const [manifest, code, field] of cases) {
        await assert.rejects(loadEvidence(helia, await putManifest(helia, manifest)), rejectsWith(code, field))
      }
      await assert.rejects(EvidenceWriter.begin(helia, { ...INIT, spec: { ...SPEC, batchSize: 0 } }), rejectsWith('INVALID_FIELD', 'spec'))
      await assert.rejects(EvidenceWriter.begin(helia, { ...INIT, spec: { encoding: 'cyxwiz/spec/v1+json', bytes: SPEC_BYTES } }), rejectsWith('UNSUPPORTED', 'spec.encoding'))
      await assert.rejects(EvidenceWriter.begin(helia, { ...INIT, spec: { encoding: SPEC_ENCODING, bytes: reordered } }), rejectsWith('MALFORMED', 'spec.bytes'))
      // The encoded form of the same spec is the same evidence spec.
      const encoded = await EvidenceWriter.begin(helia, { ...INIT, spec: { encoding: SPEC_ENCODING, bytes: SPEC_BYTES } }, { runId: 'encoded-form' })
      assert.deepEqual(encoded.snapshot().spec.hash, wire.specHash(SPEC))
    })

    it('wrong types, lengths, unknown keys, versions and CID kinds are refused', async () => {
      const cases: Array<[Record<string, unknown>, EvidenceError['code'], string | RegExp]> = [
        [{ ...base, extra: 1 }, 'INVALID_FIELD', 'manifest'],
        [{ ...base, version: 2 }, 'UNSUPPORTED', 'manifest.version'],
        [{ ...base, complete: 'yes' }, 'INVALID_FIELD', 'complete'],
        [withCheckpoint(0, { chainHash: new Uint8Array(31) }), 'INVALID_FIELD', 'checkpoints[0].chainHash'],
        [withCheckpoint(0, { steps: -1 }), 'INVALID_FIELD', 'checkpoints[0].steps'],
        [withCheckpoint(0, { stateBytes: EVIDENCE_LIMITS.maxStateBytes + 1 }), 'INVALID_FIELD', 'checkpoints[0].stateBytes'],
        [withCheckpoint(0, { stateCid: base.checkpoints[0].stateCid.toString() }), 'INVALID_FIELD', 'checkpoints[0].stateCid'],
        [withCheckpoint(0, { stateCid: CID.createV1(raw.code, base.checkpoints[0].stateCid.multihash) }), 'MALFORMED', 'checkpoints[0].stateCid'],
        [{ ...base, profile: { ...base.profile, 'bad key': 1 } }, 'INVALID_FIELD', 'profile'],
        [{ ...base, profile: { ...base.profile, nested: { a: 1 } } }, 'INVALID_FIELD', 'profile.nested'],
        [{ ...base, metricsLog: base.metricsLog.slice(1) }, 'INVALID_FIELD', 'metricsLog'],
        [{ ...base, merkle: { ...base.merkle, scheme: 'poseidon/v9' } }, 'UNSUPPORTED', 'merkle.scheme'],
        [{ ...base, checkpoints: [], metricsLog: [], merkle: null }, 'INVALID_FIELD', 'checkpoints'],
        [{ ...base, spec: { ...base.spec, bytes: new Uint8Array(EVIDENCE_LIMITS.maxSpecBytes + 1) } }, 'TOO_LARGE', 'spec.bytes'],
        [{ ...base, checkpoints: Array(EVIDENCE_LIMITS.maxCheckpoints + 1).fill(0) }, 'TOO_LARGE', 'checkpoints']
      ]
      for (const [manifest, code, field] of cases) {
        await assert.rejects(loadEvidence(helia, await putManifest(helia, manifest)), rejectsWith(code, field))
      }
    })

    it('an oversized or non-CBOR manifest block is refused before decoding', async () => {
      const big = await putManifest(helia, { ...base, junk: new Uint8Array(EVIDENCE_LIMITS.maxManifestBytes) })
      await assert.rejects(loadEvidence(helia, big), rejectsWith('TOO_LARGE', 'manifest'))
      const junk = Uint8Array.of(0xff, 0x00, 0x13)
      const junkCid = CID.createV1(dagCbor.code, await sha256.digest(junk))
      await helia.blockstore.put(junkCid, junk)
      await assert.rejects(loadEvidence(helia, junkCid), rejectsWith('MALFORMED', 'manifest'))
    })
  })

  describe('incremental writing', () => {
    it('survives a crash mid-run: resume continues the chain and seals the same evidence', async () => {
      const runId = 'job-crash'
      const first = await EvidenceWriter.begin(helia, INIT, { drafts: store.evidenceDrafts, runId, chunkBytes: CHUNK })
      await first.appendCheckpoint(run[0]!)
      await first.appendCheckpoint(run[1]!)
      const anchor = await first.writeManifest()
      const headAfterTwo = first.head

      // "Crash": the writer is dropped, the node and databases closed, then everything reopened.
      await helia.stop()
      await store.close()
      store = await openPeerStore(tmp.dir)
      helia = await createPeerHelia(store)

      const partial = await loadEvidence(helia, anchor, { offline: true })
      assert.equal(partial.manifest.complete, false)
      assert.equal(partial.manifest.checkpoints.length, 2)

      const resumed = await EvidenceWriter.resume(helia, store.evidenceDrafts, runId)
      assert.ok(resumed !== undefined)
      assert.equal(resumed.checkpoints.length, 2)
      assert.deepEqual(resumed.head, headAfterTwo)
      assertSameState(await loadCheckpointState(helia, resumed.snapshot(), 2), run[1]!.state)
      await assert.rejects(resumed.appendCheckpoint(run[3]!), rejectsWith('WRITER_STATE'))
      await resumed.appendCheckpoint(run[2]!)
      await resumed.appendCheckpoint(run[3]!)
      const sealed = await resumed.seal()
      // Same inputs, same bytes: the resumed run names exactly the evidence of the one-shot publish.
      assert.equal(sealed.toString(), cid.toString())
      assert.equal(await EvidenceWriter.resume(helia, store.evidenceDrafts, runId), undefined)
      await assert.rejects(resumed.appendCheckpoint(run[3]!), rejectsWith('WRITER_STATE'))
    })

    it('resumes after the writing process is killed with SIGKILL', async function () {
      this.timeout(30_000)
      const killed = await tempDir('sigkill')
      try {
        const child = spawn(process.execPath, ['--import', 'tsx', '--import', './peer/runtime/node20.mjs', 'test/e2e/storage/crash-child.ts', killed.dir, 'job-killed', '3'], { stdio: ['ignore', 'ignore', 'pipe'] })
        let stderr = ''
        child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
        const [code, signal] = await once(child, 'exit') as [number | null, NodeJS.Signals | null]
        assert.equal(signal, 'SIGKILL', `child exited with ${String(code)}: ${stderr}`)

        const s = await openPeerStore(killed.dir)
        const h = await createPeerHelia(s)
        try {
          const resumed = await EvidenceWriter.resume(h, s.evidenceDrafts, 'job-killed')
          assert.ok(resumed !== undefined)
          assert.equal(resumed.checkpoints.length, 3)
          assertSameState(await loadCheckpointState(h, resumed.snapshot(), 3, { offline: true }), run[2]!.state)
          await resumed.appendCheckpoint(run[3]!)
          assert.equal((await resumed.seal()).toString(), cid.toString())
        } finally {
          await h.stop()
          await s.close()
        }
      } finally {
        await killed.remove()
      }
    })

    it('adopts another peer\'s interim manifest as its own draft (failover): resume continues the same chain', async () => {
      const other = await EvidenceWriter.begin(helia, INIT, { drafts: store.evidenceDrafts, runId: 'job-stalled', chunkBytes: CHUNK })
      for (const cp of run.slice(0, 3)) await other.appendCheckpoint(cp)
      const interim = await other.writeManifest()
      const specHash = (await loadEvidence(helia, interim, { offline: true })).manifest.spec.hash
      // The new worker's own drafts (its peer database), the blocks already fetched into its store.
      const tmp2 = await tempDir('evidence-adopt')
      const mine = await openPeerStore(tmp2.dir)
      try {
        await assert.rejects(EvidenceWriter.adopt(helia, mine.evidenceDrafts, 'job-new', interim, 2, new Uint8Array(32)), rejectsWith('INVALID_FIELD', 'spec.hash'))
        await assert.rejects(EvidenceWriter.adopt(helia, mine.evidenceDrafts, 'job-new', interim, 4, specHash), rejectsWith('INVALID_FIELD', 'checkpoints'))
        assert.equal(await EvidenceWriter.resume(helia, mine.evidenceDrafts, 'job-new'), undefined, 'a refused adoption leaves no draft')
        // Resumed from checkpoint 2 (what the client verified), not 3.
        assert.equal(await EvidenceWriter.adopt(helia, mine.evidenceDrafts, 'job-new', interim, 2, specHash), true)
        assert.equal(await EvidenceWriter.adopt(helia, mine.evidenceDrafts, 'job-new', interim, 2, specHash), false, 'a draft already there is resumed, not replaced')
        const resumed = await EvidenceWriter.resume(helia, mine.evidenceDrafts, 'job-new')
        assert.ok(resumed !== undefined)
        assert.equal(resumed.checkpoints.length, 2)
        await resumed.appendCheckpoint(run[2]!)
        await resumed.appendCheckpoint(run[3]!)
        const sealed = await loadEvidence(helia, await resumed.seal(), { offline: true })
        const whole = await loadEvidence(helia, cid, { offline: true })
        // The same chain and Merkle root as the uninterrupted run (chunking aside, the same states).
        assert.deepEqual(sealed.manifest.checkpoints.map((c) => c.chainHash), whole.manifest.checkpoints.map((c) => c.chainHash))
        assert.deepEqual(sealed.manifest.merkle?.root, whole.manifest.merkle?.root)
      } finally {
        await mine.close()
        await tmp2.remove()
        await store.evidenceDrafts.deletePrefix('job-stalled/')
      }
    })

    it('refuses a second run under the same id while a draft exists', async () => {
      await EvidenceWriter.begin(helia, INIT, { drafts: store.evidenceDrafts, runId: 'dup' })
      await assert.rejects(EvidenceWriter.begin(helia, INIT, { drafts: store.evidenceDrafts, runId: 'dup' }), rejectsWith('WRITER_STATE'))
      await store.evidenceDrafts.deletePrefix('dup/')
    })

    it('refuses non-finite metrics and shrinking step counts before storing anything', async () => {
      const w = await EvidenceWriter.begin(helia, INIT)
      await assert.rejects(w.appendCheckpoint({ ...run[0]!, metrics: { ...run[0]!.metrics, loss: Number.NaN } }), rejectsWith('INVALID_FIELD'))
      await w.appendCheckpoint(run[0]!)
      await assert.rejects(w.appendCheckpoint({ ...run[1]!, metrics: { ...run[1]!.metrics, steps: run[0]!.metrics.steps } }), rejectsWith('INVALID_FIELD', 'checkpoints[1].steps'))
      assert.equal(w.checkpoints.length, 1)
    })
  })
})
