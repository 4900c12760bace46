/**
 * `cyx evidence fetch|pin` over real libp2p peers on loopback (issue 17): evidence fetched from the
 * peer named with --from, from a provider found in the DHT when none is named, and reported as
 * unavailable (exit 3) when nobody has it. The command runs in this process (`main`), its peer a
 * real node with its own store; the holders are real nodes with real evidence blocks.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import * as dagCbor from '@ipld/dag-cbor'
import { main } from '../../../peer/cli/main.js'
import { createPeerNode, type PeerNode } from '../../../peer/node/index.js'
import { createPeerHelia, evidenceBlocks, importCar, openPeerStore, publishEvidence } from '../../../storage/index.js'
import { fakeRun, INIT } from '../../fixtures/storage.js'

async function cyx (...argv: string[]): Promise<{ code: number, out: string, err: string }> {
  const out: string[] = []
  const err: string[] = []
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

describe('cyx evidence: fetch and pin evidence by CID from any holder (issue 17)', function () {
  this.timeout(120_000)
  let dir: string
  let bootstrap: PeerNode
  let holder: PeerNode
  let cid: CID
  let blocks: number

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cyx-evidence-cli-'))
    bootstrap = await createPeerNode({ dir: join(dir, 'bootstrap') })
    holder = await createPeerNode({ dir: join(dir, 'holder'), bootstrap: bootstrap.multiaddrs() })
    cid = await publishEvidence(holder.helia, INIT, fakeRun(3, 2_000))
    blocks = 0
    for await (const _ of evidenceBlocks(holder.helia, cid, { offline: true })) blocks++
  })

  after(async () => {
    await holder?.stop()
    await bootstrap?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('pin --from: every block from the named holder, pinned in the store, exported as a CAR', async () => {
    const store = join(dir, 'pin-store')
    const car = join(dir, 'evidence.car')
    const r = await cyx('evidence', 'pin', cid.toString(), '--from', holder.multiaddrs()[0]!.toString(), '--store', store, '--car', car, '--json', '--attempts', '2')
    assert.equal(r.code, 0, r.out + r.err)
    const report = JSON.parse(r.out) as { status: string, blocks: number, pinned: boolean, reached: string[], car: { blocks: number } }
    assert.equal(report.status, 'fetched')
    assert.equal(report.blocks, blocks)
    assert.equal(report.pinned, true)
    assert.deepEqual(report.reached, [holder.peerId.toString()])
    assert.equal(report.car.blocks, blocks)
    // The store keeps it, pinned, offline; the CAR imports elsewhere and validates.
    const kept = await openPeerStore(store)
    const helia = await createPeerHelia(kept)
    try {
      assert.equal(await helia.pins.isPinned(cid), true)
      let offline = 0
      for await (const _ of evidenceBlocks(helia, cid, { offline: true })) offline++
      assert.equal(offline, blocks)
    } finally {
      await helia.stop()
      await kept.close()
    }
    const other = await openPeerStore(join(dir, 'car-import'))
    const otherHelia = await createPeerHelia(other)
    try {
      const summary = await importCar(otherHelia, car)
      assert.equal(summary.root.toString(), cid.toString())
      assert.equal(summary.blocks, blocks)
    } finally {
      await otherHelia.stop()
      await other.close()
    }
  })

  it('fetch with no --from: the provider the DHT names serves it', async () => {
    for await (const _ of holder.libp2p.services.dht.provide(cid)) { /* drain the query */ }
    const store = join(dir, 'dht-store')
    const r = await cyx('evidence', 'fetch', cid.toString(), '--bootstrap', bootstrap.multiaddrs()[0]!.toString(), '--store', store, '--json', '--attempts', '3', '--timeout', '20')
    assert.equal(r.code, 0, r.out + r.err)
    const report = JSON.parse(r.out) as { status: string, blocks: number, pinned: boolean, reached: string[] }
    assert.equal(report.status, 'fetched')
    assert.equal(report.blocks, blocks)
    assert.equal(report.pinned, false)
    assert.ok(report.reached.includes(holder.peerId.toString()), `reached ${report.reached.join(', ')}`)
    assert.equal(existsSync(store), true)
  })

  it('evidence nobody holds: exit 3, "unavailable", with the reasons; not a verdict', async () => {
    const missing = CID.createV1(dagCbor.code, await sha256.digest(new TextEncoder().encode('no such evidence')))
    // As its own OS process, the way a dispute participant runs it (and apart from the state earlier
    // suites leave in this one: in the whole suite on CI this case, in-process, never returned).
    const child = spawn(process.execPath, ['peer/cli/cyx.mjs', 'evidence', 'fetch', missing.toString(), '--from', holder.multiaddrs()[0]!.toString(), '--store', join(dir, 'none'), '--attempts', '2', '--timeout', '2', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { err += d.toString() })
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => { resolve(c) }))
    assert.equal(code, 3, out + err)
    const report = JSON.parse(out) as { status: string, attempts: number, reasons: string[] }
    assert.equal(report.status, 'unavailable')
    assert.equal(report.attempts, 2)
    assert.ok(report.reasons.some((x) => x.includes('not available')), report.reasons.join('\n'))
  })

  it('checks its arguments before starting a peer', async () => {
    assert.equal((await cyx('evidence', 'fetch', 'not-a-cid')).code, 2)
    assert.equal((await cyx('evidence', 'fetch', cid.toString(), '--from', 'nonsense')).code, 2)
    assert.equal((await cyx('evidence', 'fetch', cid.toString(), '--attempts', '0')).code, 2)
    assert.equal((await cyx('evidence', 'frobnicate', cid.toString())).code, 2)
    const help = await cyx('evidence', '--help')
    assert.equal(help.code, 0)
    assert.match(help.out, /cyx evidence fetch CID/)
  })
})
