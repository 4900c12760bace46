/**
 * Two peers on 127.0.0.1: B fetches A's evidence by CID over bitswap, validating it as it arrives.
 * Nothing else is dialled: no bootstrap list, no gateways, no delegated routing.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import type { CID } from 'multiformats/cid'
import {
  createPeerHelia, EvidenceError, loadCheckpointState, loadEvidence, openPeerStore, publishEvidence,
  type HeliaWithLibp2p, type PeerStore
} from '../../../storage/index.js'
import { assertSameState, fakeRun, INIT, loopbackLibp2p, tempDir } from '../../fixtures/storage.js'

describe('storage/bitswap between two peers', function () {
  this.timeout(30_000)
  const run = fakeRun(3, 150_000) // 1.2 MB states: two 1 MiB-bounded chunks each
  let tmp: Awaited<ReturnType<typeof tempDir>>
  const stores: PeerStore[] = []
  let a: HeliaWithLibp2p<any>
  let b: HeliaWithLibp2p<any>
  let cid: CID

  before(async () => {
    tmp = await tempDir('bitswap')
    for (const name of ['a', 'b']) stores.push(await openPeerStore(join(tmp.dir, name)))
    a = await createPeerHelia(stores[0]!, { libp2p: loopbackLibp2p() })
    b = await createPeerHelia(stores[1]!, { libp2p: loopbackLibp2p() })
    cid = await publishEvidence(a, INIT, run)
  })

  after(async () => {
    await b?.stop()
    await a?.stop()
    for (const s of stores) await s.close()
    await tmp?.remove()
  })

  it('listens on loopback only and knows no peers until told', () => {
    for (const node of [a, b]) {
      assert.ok(node.libp2p.getMultiaddrs().length > 0)
      for (const ma of node.libp2p.getMultiaddrs()) assert.match(ma.toString(), /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//)
      assert.equal(node.libp2p.getConnections().length, 0)
    }
  })

  it('B loads the manifest and a checkpoint state from A by CID', async () => {
    await assert.rejects(loadEvidence(b, cid, { offline: true }), (e: unknown) => e instanceof EvidenceError && e.code === 'NOT_FOUND')
    await b.libp2p.dial(a.libp2p.getMultiaddrs())
    const signal = AbortSignal.timeout(15_000)
    const evidence = await loadEvidence(b, cid, { signal })
    assert.equal(evidence.manifest.checkpoints.length, run.length)
    assertSameState(await loadCheckpointState(b, evidence, 2, { signal }), run[1]!.state)
    // The fetched blocks are now B's own: served offline, and B could serve them onwards.
    assertSameState(await loadCheckpointState(b, evidence, 2, { offline: true }), run[1]!.state)
    await assert.rejects(loadCheckpointState(b, evidence, 3, { offline: true }), (e: unknown) => e instanceof EvidenceError && e.code === 'NOT_FOUND')
    // Only what was asked for crossed the wire: A's connections are B's only.
    assert.deepEqual(a.libp2p.getConnections().map((c) => c.remotePeer.toString()), [b.libp2p.peerId.toString()])
  })

  it('gives up with NOT_FOUND when no connected peer has the block', async () => {
    const { CID: Cid } = await import('multiformats/cid')
    const { sha256 } = await import('multiformats/hashes/sha2')
    const dagCbor = await import('@ipld/dag-cbor')
    const absent = Cid.createV1(dagCbor.code, await sha256.digest(Uint8Array.of(9, 9, 9)))
    await assert.rejects(loadEvidence(b, absent, { signal: AbortSignal.timeout(500) }), (e: unknown) => e instanceof EvidenceError && e.code === 'NOT_FOUND')
  })
})
