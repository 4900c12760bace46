/**
 * Paid jobs across NAT on a small internet of network namespaces (test/e2e/net/netns): `cyx chain
 * --host` and `cyx relay` on public hosts, a `cyx worker` behind one NAT, and clients — one behind
 * another NAT, one on a public address — each its own OS process in its own namespace, reaching
 * each other only through the internet the harness built. Which path a job took (through the
 * relay, or a direct connection DCUtR made) is measured on the wire by the worker's and the
 * client's NAT routers (nftables counters) and printed as one JSON line per job.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { firstJson, type Proc } from '../../fixtures/cyx-process.js'
import { startMarket } from './netns/market.js'
import { createInternet, type Internet } from './netns/index.js'

const CLIENT_PORT = 4002
/** More than the control traffic (identify, DHT, gossip) of a minute; less than a job's session. */
const SESSION_BYTES = 64 * 1024

interface Outcome { code: number | null, out: string[], err: string[] }
const finished = async (p: Proc): Promise<Outcome> => {
  const code = await p.exited
  await new Promise((resolve) => setImmediate(resolve))
  return { code, out: p.lines, err: p.stderr }
}

describe('paid jobs with the worker behind NAT (network namespaces)', function () {
  this.timeout(180_000)
  const dir = mkdtempSync(join(tmpdir(), 'cyx-nat-job-'))
  let net: Internet
  let rpc: string
  let mint: string
  let relayAddr: string
  let worker: Proc
  const wallets: Record<string, string> = {}

  before(async () => {
    net = await createInternet({ public: ['relay', 'chain', 'pubclient'], natted: ['worker', 'client'] })
    // Wallets funded from where each peer runs: behind the NATs the RPC is reached through them.
    const market = await startMarket(net, dir, [['worker', '50'], ['client', '100'], ['pubclient', '100']])
    ;({ rpc, mint, relayAddr } = market)
    Object.assign(wallets, market.wallets)
    // The worker logs what DCUtR does (libp2p's own log lines), for the second job's assertion.
    worker = net.cyx('worker', ['worker', '--dir', join(dir, 'worker'), '--rpc', rpc, '--price', '50',
      '--listen', net.maddr('worker', 0), '--bootstrap', relayAddr, '--json'], { DEBUG: 'libp2p:dcutr' })
    await firstJson(worker, (v) => v.event === 'ready')
    // Reachable from behind another NAT once its advert names the relayed address: the worker files
    // it again when the reservation is made (it usually is only after the first advert).
    await firstJson(worker, (v) => v.event === 'advertised' && v.relayed === true && (v.storedOn as number) > 0)
  })

  after(async () => {
    await net?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const balance = (owner: string): bigint => net.tokenBalance('chain', rpc, mint, owner)

  /** Runs `cyx client submit` on `host` and returns its result, checked completed. */
  const submit = async (host: string, extra: string[]): Promise<{ jobId: string, worker: { wallet: string, price: string } }> => {
    const client = net.cyx(host, ['client', 'submit', '--dataset', 'spirals', '--epochs', '2', '--max-price', '5', '--bid-window', '10',
      '--dir', join(dir, host), '--rpc', rpc, '--bootstrap', relayAddr, '--json', ...extra])
    const done = await finished(client)
    assert.equal(done.code, 0, `client stdout: ${done.out.join('\n')}\nclient stderr: ${done.err.join('\n')}\nworker: ${worker.lines.join('\n')}`)
    const result = JSON.parse(done.out.at(-1)!) as { jobId: string, state: string, worker: { wallet: string, price: string } }
    assert.equal(result.state, 'completed')
    return result
  }

  it('a client behind another NAT: the whole job runs through the relay', async () => {
    const before = net.forwardedBytes('client')
    const result = await submit('client', ['--listen', net.maddr('client', 0)])
    // Paid on-chain: 90 % of the price to the worker (it staked its 50 tokens, so it had 0).
    assert.equal(balance(wallets.worker!), BigInt(result.worker.price) * 9n / 10n)
    assert.equal(balance(wallets.client!), 100n * 1_000_000_000n - BigInt(result.worker.price))

    // The path, measured by the client's NAT router. A direct TCP connection between two
    // masquerading NATs needs both hole-punching dials to leave from the ports the other side saw;
    // libp2p's TCP dials from fresh ports and the worker knows no public address of its own, so
    // DCUtR cannot connect them here and the whole session goes through the relay.
    const after = net.forwardedBytes('client')
    const relayed = (after.relay ?? 0) - (before.relay ?? 0)
    const direct = (after.worker ?? 0) - (before.worker ?? 0)
    console.log(JSON.stringify({ test: 'nat-job', client: 'behind NAT', jobId: result.jobId, bytesViaRelay: relayed, bytesDirect: direct, path: direct > SESSION_BYTES ? 'direct' : 'relayed' }))
    assert.ok(relayed > SESSION_BYTES, `the session crossed the relay (${relayed} bytes)`)
    assert.equal(direct, 0, 'not one byte went straight to the worker\'s NAT')
  })

  it('a public client: the session runs on a direct connection the NATed worker opens, not through the relay', async () => {
    const before = net.forwardedBytes('worker')
    const paidBefore = balance(wallets.worker!)
    const listen = net.maddr('pubclient', CLIENT_PORT)
    const result = await submit('pubclient', ['--listen', listen, '--announce', listen])
    assert.equal(balance(wallets.worker!), paidBefore + BigInt(result.worker.price) * 9n / 10n)

    // Measured by the worker's NAT router: the session went straight to the client's address. The
    // client reaches the worker through the relay (its advert's relayed address); the direct
    // connection is either DCUtR's upgrade of that relayed connection (the worker, seeing a public
    // address, dials it and closes the relayed one: `dcutr` true) or a dial of the worker's own to
    // the client's announced address (the DHT or gossip made it first). Which one won is recorded.
    // (What went to the relay meanwhile is the worker's whole connection to it: DHT, gossip,
    // identify, its reservation.)
    const after = net.forwardedBytes('worker')
    const relayed = (after.relay ?? 0) - (before.relay ?? 0)
    const direct = (after.pubclient ?? 0) - (before.pubclient ?? 0)
    const dcutr = worker.stderr.some((l) => /(unilateral connection upgrade to \S+ succeeded|DCUtR to \S+ succeeded)/.test(l))
    console.log(JSON.stringify({ test: 'nat-job', client: 'public', jobId: result.jobId, bytesViaRelay: relayed, bytesDirect: direct, dcutr, path: direct > SESSION_BYTES ? 'direct' : 'relayed' }))
    assert.ok(direct > SESSION_BYTES, `the session went over a direct connection (${direct} bytes to the client, ${relayed} via the relay)`)
  })

  it('Ctrl-C stops the worker behind NAT cleanly', async () => {
    worker.child.kill('SIGINT')
    assert.equal(await worker.exited, 0)
  })
})
