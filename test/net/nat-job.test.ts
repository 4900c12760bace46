/**
 * A paid job across NAT on a small internet of network namespaces (test/net/netns): `cyx chain
 * --host` and `cyx relay` on public hosts, a `cyx worker` behind one NAT and a `cyx client` behind
 * another, each its own OS process in its own namespace, reaching each other only through the
 * internet the harness built. Which path the job took (through the relay, or a direct connection
 * DCUtR punched) is measured on the wire, by the NAT routers' nftables counters, and printed as
 * one JSON line.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getAssociatedTokenAddressSync } from '@solana/spl-token'
import { PublicKey } from '@solana/web3.js'
import { firstJson, type Proc } from '../peer/fixtures/cyx-process.js'
import { createInternet, type Internet } from './netns/index.js'

const RELAY_PORT = 4001
const RPC_PORT = 8899

describe('a paid job between two hosts each behind its own NAT (network namespaces)', function () {
  this.timeout(180_000)
  const dir = mkdtempSync(join(tmpdir(), 'cyx-nat-job-'))
  let net: Internet | undefined
  after(async () => {
    await net?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('runs the job through the relay: worker and client cannot dial each other, the relay carries the session', async () => {
    net = await createInternet({ public: ['relay', 'chain'], natted: ['worker', 'client'] })
    const { hosts } = net
    const finished = async (p: Proc): Promise<{ code: number | null, out: string[], err: string[] }> => {
      const code = await p.exited
      await new Promise((resolve) => setImmediate(resolve))
      return { code, out: p.lines, err: p.stderr }
    }

    const chain = net.cyx('chain', ['chain', '--genesis', '--dev', '--host', hosts.chain!.addr, '--port', String(RPC_PORT), '--ledger', join(dir, 'ledger'), '--json'])
    const { rpc, mint } = await firstJson<{ rpc: string, mint: string }>(chain, (v) => typeof v.rpc === 'string')
    assert.equal(rpc, `http://[${hosts.chain!.addr}]:${RPC_PORT}`)
    const relayListen = net.maddr('relay', RELAY_PORT)
    const relay = net.cyx('relay', ['relay', '--listen', relayListen, '--announce', relayListen, '--dir', join(dir, 'relay'), '--json'])
    const { peerId: relayId } = await firstJson<{ peerId: string }>(relay, (v) => typeof v.peerId === 'string')
    const relayAddr = `${relayListen}/p2p/${relayId}`

    // Wallets funded from behind the NATs: the RPC is reached through them.
    const wallets: Record<string, string> = {}
    for (const [name, amount] of [['worker', '50'], ['client', '100']] as const) {
      const r = await finished(net.cyx(name, ['faucet', '--dir', join(dir, name), '--tokens', amount, '--sol', '10', '--rpc', rpc, '--json']))
      assert.equal(r.code, 0, r.err.join('\n'))
      wallets[name] = (JSON.parse(r.out.at(-1)!) as { address: string }).address
    }

    const worker = net.cyx('worker', ['worker', '--dir', join(dir, 'worker'), '--rpc', rpc, '--price', '50',
      '--listen', net.maddr('worker', 0), '--bootstrap', relayAddr, '--json'])
    const ready = await firstJson<{ peerId: string }>(worker, (v) => v.event === 'ready')

    const before = { relay: net.forwardedBytes('client').relay ?? 0, worker: net.forwardedBytes('client').worker ?? 0 }
    const client = net.cyx('client', ['client', 'submit', '--dataset', 'spirals', '--epochs', '2', '--max-price', '5', '--bid-window', '2',
      '--dir', join(dir, 'client'), '--rpc', rpc, '--listen', net.maddr('client', 0), '--bootstrap', relayAddr, '--json'])
    const done = await finished(client)
    assert.equal(done.code, 0, `client stdout: ${done.out.join('\n')}\nclient stderr: ${done.err.join('\n')}\nworker: ${worker.lines.join('\n')}\n${worker.stderr.join('\n')}`)
    const result = JSON.parse(done.out.at(-1)!) as { jobId: string, state: string, worker: { wallet: string, peerId?: string, price: string } }
    assert.equal(result.state, 'completed')

    // Paid on-chain: 90 % of the price to the worker (it staked its 50 tokens, so it had 0).
    const balance = (owner: string): bigint => {
      const ata = getAssociatedTokenAddressSync(new PublicKey(mint), new PublicKey(owner)).toBase58()
      return BigInt((net!.jsonRpc('chain', rpc, 'getTokenAccountBalance', [ata]) as { value: { amount: string } }).value.amount)
    }
    assert.equal(balance(wallets.worker!), BigInt(result.worker.price) * 9n / 10n)
    assert.equal(balance(wallets.client!), 100n * 1_000_000_000n - BigInt(result.worker.price))

    // The path, measured by the client's NAT router: bytes it forwarded to the relay and straight
    // to the worker's NAT. A direct TCP connection between two masquerading NATs needs both
    // dials to leave from the ports the other one saw; libp2p's TCP dials from fresh ports, so
    // DCUtR's hole punch cannot succeed here and the whole session goes through the relay.
    const after = net.forwardedBytes('client')
    const path = { relayed: (after.relay ?? 0) - before.relay, direct: (after.worker ?? 0) - before.worker }
    console.log(JSON.stringify({ test: 'nat-job', workerPeer: ready.peerId, jobId: result.jobId, bytesViaRelay: path.relayed, bytesDirect: path.direct, path: path.direct > 64 * 1024 ? 'direct' : 'relayed' }))
    assert.ok(path.relayed > 64 * 1024, `the session crossed the relay (${path.relayed} bytes)`)
    assert.ok(path.direct < 64 * 1024, `no direct connection carried the session (${path.direct} bytes straight to the worker's NAT)`)

    worker.child.kill('SIGINT')
    assert.equal(await worker.exited, 0, 'Ctrl-C stops the worker cleanly')
  })
})
