/**
 * Peers behind NAT, on loopback (the multi-host version with real NAT is test/e2e/net/): `cyx relay` as
 * its own process offers circuit relay v2 and bootstrap; a worker node that joins through it takes a
 * reservation by itself, advertises its relayed address in its DHT advert, and a client that finds
 * the advert reaches the worker through the relay and runs a protocol carrying more than the
 * 128 KiB libp2p's default relay limit allows. A relay started with a limit makes relayed
 * connections "limited": the cyx protocols refuse to run on them. Known peers survive a restart.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { MESH } from '../../../protocols/index.js'
import {
  buildAdvert, createPeerNode, findWorkers, KNOWN_PEERS_FILE, MAX_KNOWN_PEERS, parseBootstrapList, parseKnownPeers, publishAdvert, rememberPeer, type KnownPeer, type PeerNode
} from '../../../peer/node/index.js'
import { startNode } from '../../../peer/cli/commands/peer-common.js'
import { cyx, firstJson, type Proc } from '../../fixtures/cyx-process.js'
import { cpuHardware, profile } from '../../fixtures/mesh.js'

const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> => {
  const deadline = Date.now() + ms
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const isRelayed = (a: Multiaddr): boolean => a.toString().includes('/p2p-circuit')
const ECHO = '/cyx/test-echo/1.0.0'

/** An echo protocol registered the way the cyx protocols are: not opted into limited connections. */
async function serveEcho (node: PeerNode): Promise<void> {
  await node.libp2p.handle(ECHO, async (stream) => {
    for await (const chunk of stream) {
      if (!stream.send(chunk)) await new Promise((resolve) => stream.addEventListener('drain', resolve, { once: true }))
    }
    await stream.close()
  })
}

/** Sends `bytes` over a new echo stream on `conn` and counts what comes back. */
async function echo (conn: import('@libp2p/interface').Connection, bytes: number): Promise<number> {
  const stream = await conn.newStream(ECHO)
  let back = 0
  const reader = (async () => {
    for await (const c of stream) {
      back += c.byteLength
      if (back >= bytes) break
    }
  })()
  const chunk = new Uint8Array(64 * 1024).fill(7)
  for (let sent = 0; sent < bytes; sent += chunk.byteLength) {
    if (!stream.send(chunk)) await new Promise((resolve) => stream.addEventListener('drain', resolve, { once: true }))
  }
  await reader
  await stream.close()
  return back
}

async function startRelay (dir: string, extra: string[] = []): Promise<{ proc: Proc, addrs: string[], peerId: string }> {
  const proc = cyx(['relay', '--listen', '/ip4/127.0.0.1/tcp/0', '--dir', dir, '--json', ...extra])
  const ready = await firstJson<{ peerId: string, addrs: string[] }>(proc, (v) => typeof v.peerId === 'string')
  return { proc, ...ready }
}

describe('mesh across NAT on loopback: cyx relay, reservations, relayed adverts', function () {
  this.timeout(120_000)
  let dir: string
  const procs: Proc[] = []
  const nodes: PeerNode[] = []
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'cyx-nat-')) })
  after(async () => {
    for (const n of nodes) await n.stop()
    for (const p of procs) if (p.child.exitCode === null) { p.child.kill('SIGINT'); await p.exited }
    await rm(dir, { recursive: true, force: true })
  })

  it('cyx relay refuses to start without --listen, and a bad limit', async () => {
    for (const [args, msg] of [[[], /--listen is required/], [['--listen', '/ip4/127.0.0.1/tcp/0', '--circuit-mb', '0'], /--circuit-mb must be/]] as const) {
      const p = cyx(['relay', ...args])
      assert.equal(await p.exited, 2)
      assert.match(p.stderr.join('\n'), msg)
    }
  })

  it('a worker joining through cyx relay reserves a slot, advertises its relayed address, and a client reaches it through the relay with no 128 KiB cut', async () => {
    const relay = await startRelay(join(dir, 'relay'))
    procs.push(relay.proc)
    assert.ok(relay.addrs.length > 0 && relay.addrs.every((a) => a.endsWith(`/p2p/${relay.peerId}`)), relay.addrs.join(' '))

    const worker = await createPeerNode({ bootstrap: relay.addrs, nat: { reserveRelay: true } })
    nodes.push(worker)
    await serveEcho(worker)
    await until('the worker\'s relay reservation', () => worker.multiaddrs().some(isRelayed))
    const relayed = worker.multiaddrs().filter(isRelayed)
    assert.ok(relayed.every((a) => a.toString().includes(`/p2p/${relay.peerId}/p2p-circuit/p2p/${worker.peerId.toString()}`)), relayed.join(' '))

    // The advert carries the relayed address; a client that joined through the relay finds it.
    const advert = buildAdvert(worker, { hardware: cpuHardware(), pricePerHour: 1_000n, profile: profile(), capabilities: ['cpu'] })
    assert.ok(advert.addrs.some((b) => isRelayed(multiaddr(b))), 'the advert lists the relayed address')
    await publishAdvert(worker, advert, worker.wallet)
    const client = await createPeerNode({ bootstrap: relay.addrs })
    nodes.push(client)
    let found: Awaited<ReturnType<typeof findWorkers>> = []
    await until('the worker in the DHT', async () => { found = await findWorkers(client, 'cpu'); return found.length === 1 })
    const target = found[0]!.advert.addrs.map((b) => multiaddr(b)).find(isRelayed)
    assert.ok(target !== undefined)

    // The relayed address from the advert is all a peer needs (the client itself may be connected
    // to the worker directly by now: on loopback its DHT queries reach it). A node that knows no
    // one dials it: the connection runs through the relay, unlimited.
    const reacher = await createPeerNode({})
    nodes.push(reacher)
    const conn = await reacher.libp2p.dial(target)
    assert.equal(conn.remotePeer.toString(), worker.peerId.toString())
    assert.ok(isRelayed(conn.remoteAddr), conn.remoteAddr.toString())
    assert.equal(conn.limits, undefined, 'the relay applied no circuit limit')
    const bytes = 1024 * 1024
    assert.equal(await echo(conn, bytes), bytes, 'a MiB crossed the relay both ways (libp2p\'s default limit cuts at 128 KiB)')
    await reacher.stop()
    await client.stop()
    await worker.stop()
    nodes.length = 0
  })

  it('a relay with a circuit limit gives limited connections, on which the cyx protocols do not run', async () => {
    const relay = await startRelay(join(dir, 'relay-limited'), ['--circuit-mb', '1', '--circuit-seconds', '60'])
    procs.push(relay.proc)
    const worker = await createPeerNode({ bootstrap: relay.addrs, nat: { reserveRelay: true } })
    nodes.push(worker)
    await serveEcho(worker)
    await until('the worker\'s relay reservation', () => worker.multiaddrs().some(isRelayed))
    const client = await createPeerNode({ bootstrap: relay.addrs })
    nodes.push(client)
    const conn = await client.libp2p.dial(worker.multiaddrs().find(isRelayed)!)
    assert.ok(isRelayed(conn.remoteAddr))
    assert.notEqual(conn.limits, undefined, 'the relayed connection is limited')
    await assert.rejects(conn.newStream(ECHO), /limited/i)
    await assert.rejects(conn.newStream(MESH.jobProtocol), /limited/i)
    await client.stop()
    await worker.stop()
    nodes.length = 0
    relay.proc.child.kill('SIGINT')
    assert.equal(await relay.proc.exited, 0, 'cyx relay stops cleanly on Ctrl-C')
  })

  it('a peer remembers the peers it saw and rejoins through them without a bootstrap list', async () => {
    const other = await createPeerNode({})
    nodes.push(other)
    const peerDir = join(dir, 'remembering')
    const first = await startNode({ dir: peerDir, bootstrap: other.multiaddrs().map(String) }, { reserveRelay: false })
    await until('the connection to the other peer', () => first.libp2p.getConnections(other.peerId).length > 0)
    await until('identify', () => first.libp2p.getConnections(other.peerId).length > 0 && other.libp2p.getPeers().length > 0)
    await first.stop() // flushes the file
    const saved = parseKnownPeers(await readFile(join(peerDir, KNOWN_PEERS_FILE), 'utf8'))
    assert.ok(saved.some((p) => p.id === other.peerId.toString()), 'the other peer is remembered')

    const again = await startNode({ dir: peerDir }, { reserveRelay: false })
    try {
      assert.ok(again.libp2p.getConnections(other.peerId).length > 0, 'rejoined through the remembered peer, no bootstrap given')
    } finally {
      await again.stop()
    }
  })

  it('a damaged known-peers file is ignored, not fatal; a bootstrap file is read line by line', async () => {
    const peerDir = join(dir, 'damaged')
    await startNode({ dir: peerDir }, { reserveRelay: false }).then(async (n) => { await n.stop() })
    await writeFile(join(peerDir, KNOWN_PEERS_FILE), '{"peers": [{"id": 5}]}')
    const n = await startNode({ dir: peerDir }, { reserveRelay: false })
    await n.stop()

    const other = await createPeerNode({})
    nodes.push(other)
    const file = join(dir, 'bootstrap.txt')
    await writeFile(file, `# the mesh's entry points\n\n${other.multiaddrs()[0]!.toString()}  # the other peer\n`)
    const joined = await startNode({ dir: join(dir, 'from-file'), 'bootstrap-file': file }, { reserveRelay: false })
    try {
      assert.ok(joined.libp2p.getConnections(other.peerId).length > 0)
    } finally {
      await joined.stop()
    }
    await assert.rejects(startNode({ dir: join(dir, 'from-file'), 'bootstrap-file': join(dir, 'missing.txt') }, { reserveRelay: false }), /--bootstrap-file: cannot read/)
  })
})

describe('known peers and bootstrap lists (rules)', () => {
  const id = '12D3KooWAnmcyQrkXem29dtKVc7kwZoy9UAycF5FEZu1jjHtR18t'
  it('parses a bootstrap list: comments and blank lines skipped, each line a multiaddr naming its peer', () => {
    assert.deepEqual(parseBootstrapList(`# x\n\n/ip4/10.0.0.1/tcp/4001/p2p/${id} # relay\n/ip6/3fff::1/tcp/4001/p2p/${id}\n`), [`/ip4/10.0.0.1/tcp/4001/p2p/${id}`, `/ip6/3fff::1/tcp/4001/p2p/${id}`])
    assert.throws(() => parseBootstrapList('/ip4/10.0.0.1/tcp/4001\n', 'f'), /f, line 1: the address must end in \/p2p/)
    assert.throws(() => parseBootstrapList('\nnot an address\n', 'f'), /f, line 2: not a multiaddr/)
  })

  it('validates a known-peers file and keeps the most recently seen first, capped', () => {
    assert.throws(() => parseKnownPeers('[]'), /no "peers" array/)
    assert.throws(() => parseKnownPeers('{"peers":[{"id":"0OIl","addrs":[],"seenAt":1}]}'), /not base58/)
    assert.throws(() => parseKnownPeers(`{"peers":[{"id":"${id}","addrs":[1],"seenAt":1}]}`), /addrs/)
    assert.deepEqual(parseKnownPeers(`{"peers":[{"id":"${id}","addrs":["/ip4/1.2.3.4/tcp/1","garbage"],"seenAt":5}]}`), [{ id, addrs: ['/ip4/1.2.3.4/tcp/1'], seenAt: 5 }])
    let peers: KnownPeer[] = Array.from({ length: MAX_KNOWN_PEERS }, (_, i) => ({ id: `p${i}`, addrs: ['/ip4/1.2.3.4/tcp/1'], seenAt: i }))
    peers = rememberPeer(peers, { id: 'p5', addrs: ['/ip4/5.5.5.5/tcp/5'], seenAt: 100 })
    assert.equal(peers.length, MAX_KNOWN_PEERS)
    assert.deepEqual(peers[0], { id: 'p5', addrs: ['/ip4/5.5.5.5/tcp/5'], seenAt: 100 })
    assert.equal(peers.filter((p) => p.id === 'p5').length, 1)
    peers = rememberPeer(peers, { id: 'new', addrs: [], seenAt: 101 })
    assert.equal(peers.length, MAX_KNOWN_PEERS)
    assert.equal(peers[0]!.id, 'new')
    assert.equal(peers.at(-1)!.id, `p${MAX_KNOWN_PEERS - 2}`, 'the least recently seen is dropped')
  })
})

