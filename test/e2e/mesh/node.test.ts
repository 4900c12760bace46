/**
 * The peer node: keys persisted in the data dir and reloaded on restart, the wallet in Solana CLI
 * format, a clean stop, and a second node reaching the restarted one under the same peer id.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPeerNode, PEER_KEY_FILE, WALLET_FILE, type PeerNode } from '../../../peer/node/index.js'
import { MESH, wire, toHex } from '../../../protocols/index.js'

describe('mesh: peer node', function () {
  let dir: string
  const nodes: PeerNode[] = []
  const track = (n: PeerNode): PeerNode => { nodes.push(n); return n }

  before(async () => { dir = await mkdtemp(join(tmpdir(), 'cyx-node-')) })
  after(async () => {
    await Promise.all(nodes.map(async (n) => { await n.stop() }))
    await rm(dir, { recursive: true, force: true })
  })

  it('persists its peer identity and wallet (0600) and reloads them on restart', async () => {
    const first = track(await createPeerNode({ dir, listen: ['/ip4/127.0.0.1/tcp/0'] }))
    const peerId = first.peerId.toString()
    const wallet = toHex(first.wallet.publicKey)
    await first.stop()

    for (const f of [PEER_KEY_FILE, WALLET_FILE]) {
      const mode = (await stat(join(dir, f))).mode & 0o777
      assert.equal(mode, 0o600, `${f} must be readable by its owner only (got ${mode.toString(8)})`)
    }
    // Solana CLI format: 64 numbers, the last 32 the public key.
    const secret = JSON.parse(await readFile(join(dir, WALLET_FILE), 'utf8')) as number[]
    assert.equal(secret.length, 64)
    assert.equal(toHex(Uint8Array.from(secret.slice(32))), wallet)

    const second = track(await createPeerNode({ dir }))
    assert.equal(second.peerId.toString(), peerId)
    assert.equal(toHex(second.wallet.publicKey), wallet)

    // Another node reaches the restarted one under the same identity (Noise authenticates it).
    const other = track(await createPeerNode({ bootstrap: second.multiaddrs() }))
    const rtt = await other.libp2p.services.ping.ping(second.multiaddrs()[0]!)
    assert.ok(rtt >= 0)
    assert.equal(other.libp2p.getConnections(second.peerId).length > 0, true)
    assert.ok(second.libp2p.getProtocols().includes(MESH.dhtProtocol), 'serves the private DHT protocol')
  })

  it('uses --keypair instead of <dir>/wallet.json, and signs with it', async () => {
    const d = join(dir, 'kp')
    const keypair = join(dir, 'elsewhere', 'id.json')
    const n = track(await createPeerNode({ dir: d, keypair }))
    assert.equal(n.walletPath, keypair)
    await assert.rejects(stat(join(d, WALLET_FILE)), { code: 'ENOENT' })
    const secret = JSON.parse(await readFile(keypair, 'utf8')) as number[]
    assert.deepEqual(Array.from(n.wallet.publicKey), secret.slice(32))
    const signer = wire.walletSignerFromSecretKey(Uint8Array.from(secret))
    const msg = new TextEncoder().encode('x')
    assert.equal(wire.verifySignature(n.wallet.publicKey, msg, signer.sign(msg)), true)
    await n.stop()
    await n.stop() // stopping twice is harmless
  })

  it('refuses a wallet file that is not a Solana keypair', async () => {
    const keypair = join(dir, 'bad.json')
    await writeFile(keypair, JSON.stringify([1, 2, 3]))
    await assert.rejects(createPeerNode({ keypair }), /64 numbers/)
    const inconsistent = Array.from({ length: 64 }, (_, i) => i)
    await writeFile(keypair, JSON.stringify(inconsistent))
    await assert.rejects(createPeerNode({ keypair }), /inconsistent/)
  })

  it('contacts nobody unless told: no connections and no dial attempts without bootstrap', async () => {
    const lonely = track(await createPeerNode({}))
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.equal(lonely.libp2p.getConnections().length, 0)
    assert.equal(lonely.libp2p.getDialQueue().length, 0)
    assert.deepEqual(lonely.multiaddrs().map((a) => a.toString().split('/')[2]), ['127.0.0.1'])
  })
})
