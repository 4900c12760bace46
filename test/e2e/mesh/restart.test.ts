/**
 * A peer restarted on its data dir (same peer id, a new port) while another peer stays up: the
 * other must fetch its blocks by CID over bitswap (issue 17: a worker killed mid-job and restarted
 * delivered, and its client could not fetch the evidence).
 *
 * What went wrong: at start libp2p redials the peers its persisted peer store tags keep-alive (the
 * DHT's closest peers) before Helia registers bitswap on the node (and before the roles register
 * theirs), so the peer that stayed up identified the restarted one without bitswap, and with no
 * identify push it never learned otherwise: its bitswap never counted the restarted peer among the
 * peers it sends wants to.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'
import { BITSWAP_PROTOCOL, createPeerNode, reachHolder, type PeerNode } from '../../../peer/node/index.js'
import { evidenceBlocks, publishEvidence } from '../../../storage/index.js'
import { fakeRun, INIT } from '../../fixtures/storage.js'

const until = async (what: string, ok: () => Promise<boolean>, ms = 10_000): Promise<void> => {
  const deadline = Date.now() + ms
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('mesh: a peer restarted under the same peer id on a new port', function () {
  this.timeout(60_000)
  let dir: string
  let key: PrivateKey
  let client: PeerNode
  let worker: PeerNode | undefined
  let cid: CID
  let blocks: number

  /** The worker's node again on its data dir and key, joining through the client, as `cyx sim` restarts it. */
  const restart = async (): Promise<{ before: string[], after: string[] }> => {
    const before = (worker as PeerNode).multiaddrs().map(String)
    await (worker as PeerNode).stop()
    worker = await createPeerNode({ dir: join(dir, 'worker'), privateKey: key, bootstrap: client.multiaddrs() })
    return { before, after: worker.multiaddrs().map(String) }
  }
  const protocolsOf = async (n: PeerNode, p: PeerNode): Promise<string[]> => (await n.libp2p.peerStore.get(p.peerId).catch(() => undefined))?.protocols ?? []
  const fetchAll = async (signal: AbortSignal): Promise<number> => {
    let n = 0
    for await (const _ of evidenceBlocks(client.helia, cid, { signal })) n++
    return n
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cyx-restart-'))
    key = await generateKeyPair('Ed25519')
    client = await createPeerNode({ dir: join(dir, 'client') })
    worker = await createPeerNode({ dir: join(dir, 'worker'), privateKey: key, bootstrap: client.multiaddrs() })
    // Evidence written before the crash: on the worker's disk, in its blockstore.
    cid = await publishEvidence(worker.helia, INIT, fakeRun(2, 2_000))
    blocks = 0
    for await (const _ of evidenceBlocks(worker.helia, cid, { offline: true })) blocks++
    // The worker's peer store keeps the client tagged keep-alive (its DHT's closest peer): what
    // libp2p redials at start, before anything else registers its protocols.
    await until('the keep-alive tag', async () => [...(await worker!.libp2p.peerStore.get(client.peerId)).tags.keys()].some((t) => t.startsWith('keep-alive')))
  })

  after(async () => {
    await worker?.stop()
    await client?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('is known by the peer that stayed up with the protocols it registered after reconnecting, at its new address only; its evidence is fetched by CID as a client fetches it', async () => {
    const { before, after } = await restart()
    assert.ok(after.every((a) => !before.includes(a)), 'a new port')
    const w = worker as PeerNode
    // A protocol the restarted peer's role registers later still (as a worker's /cyx/job/1.1.0).
    const late = '/cyx/test/late/1.0.0'
    await w.libp2p.handle(late, (stream) => { stream.abort(new Error('not used')) })
    await until('identify push', async () => {
      const p = await protocolsOf(client, w)
      return p.includes(BITSWAP_PROTOCOL) && p.includes(late)
    })
    const addrs = (await client.libp2p.peerStore.get(w.peerId)).addresses.map((a) => `${a.multiaddr.toString()}/p2p/${w.peerId.toString()}`)
    assert.ok(addrs.length > 0 && addrs.every((a) => !before.includes(a)), `stale addresses kept: ${addrs.join(', ')}`)
    // What the client role did before issue 17: connect if not connected, then want the blocks.
    if (client.libp2p.getConnections(w.peerId).length === 0) await client.libp2p.dial(w.peerId)
    assert.equal(await fetchAll(AbortSignal.timeout(10_000)), blocks)
  })

  it('reachHolder: the blocks are fetched at once from a holder just restarted, before any identify push', async () => {
    // Another restart; the client drops what it fetched, so every block crosses again.
    for await (const b of evidenceBlocks(worker!.helia, cid, { offline: true })) {
      if (await client.helia.blockstore.has(b.cid)) await client.helia.blockstore.delete(b.cid)
    }
    await restart()
    const w = worker as PeerNode
    const signal = AbortSignal.timeout(10_000)
    assert.equal((await reachHolder(client, w.peerId, { signal })).toString(), w.peerId.toString())
    assert.ok((await protocolsOf(client, w)).includes(BITSWAP_PROTOCOL))
    assert.equal(await fetchAll(signal), blocks)
    // By its addresses (a juror is told where the evidence is), the same.
    assert.equal((await reachHolder(client, w.multiaddrs(), { signal })).toString(), w.peerId.toString())
  })

  it('reachHolder refuses a peer that does not serve bitswap, instead of waiting for a block it will never send', async () => {
    const bare = await createPeerNode({})
    try {
      await bare.libp2p.unhandle(BITSWAP_PROTOCOL)
      await assert.rejects(reachHolder(client, bare.multiaddrs(), { signal: AbortSignal.timeout(10_000) }), /does not serve bitswap/)
    } finally {
      await bare.stop()
    }
  })
})
