/**
 * `cyx chain --host`: the ledger served on an address other than 127.0.0.1, so that peers on other
 * hosts reach it (test/e2e/net/ does so across network namespaces). Here on 127.0.0.2, another
 * loopback address: the printed RPC URL names it, a web3.js Connection uses it, and a request naming
 * a host that is not the ledger's is still refused (DNS rebinding).
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Connection } from '@solana/web3.js'
import { cyx, firstJson, type Proc } from '../../fixtures/cyx-process.js'

describe('cyx chain --host', function () {
  this.timeout(120_000)
  const dir = mkdtempSync(join(tmpdir(), 'cyx-chain-host-'))
  const procs: Proc[] = []
  after(async () => {
    for (const p of procs) if (p.child.exitCode === null) { p.child.kill('SIGINT'); await p.exited }
    rmSync(dir, { recursive: true, force: true })
  })

  it('refuses a host that is not an IP address', async () => {
    const p = cyx(['chain', '--host', 'ledger.example', '--ledger', join(dir, 'bad')])
    assert.equal(await p.exited, 2)
    assert.match(p.stderr.join('\n'), /--host must be an IP address/)
  })

  it('serves on the given address, and refuses requests naming another host', async () => {
    const chain = cyx(['chain', '--host', '127.0.0.2', '--port', '0', '--ledger', join(dir, 'ledger'), '--json'])
    procs.push(chain)
    const { rpc } = await firstJson<{ rpc: string }>(chain, (v) => typeof v.rpc === 'string')
    assert.match(rpc, /^http:\/\/127\.0\.0\.2:\d+$/)
    assert.ok(await new Connection(rpc, 'confirmed').getSlot() >= 0)
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getSlot' })
    // fetch sets Host itself; node:http sends the one given, as a rebound DNS name would.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(rpc, { method: 'POST', headers: { 'content-type': 'application/json', host: 'rebound.example' } }, (res) => { res.resume(); resolve(res.statusCode) })
      req.on('error', reject)
      req.end(body)
    })
    assert.equal(status, 403)
    // Nothing listens on 127.0.0.1 at that port: the ledger is where --host put it.
    await assert.rejects(fetch(rpc.replace('127.0.0.2', '127.0.0.1'), { method: 'POST', headers: { 'content-type': 'application/json' }, body }))
    chain.child.kill('SIGINT')
    assert.equal(await chain.exited, 0)
  })
})
