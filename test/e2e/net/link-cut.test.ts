/**
 * A worker's link to the internet cut for 30 s in the middle of a paid job (issue 18): `cyx chain`,
 * `cyx relay`, a public worker and a public client, each its own OS process in its own network
 * namespace (test/e2e/net/netns). When the worker starts training, its link goes down — no packet in
 * or out, to the client, the relay or the ledger — and comes back 30 s later. The job must still
 * complete and be paid exactly as without the cut: nothing the worker did is lost.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { firstJson, type Proc } from '../../fixtures/cyx-process.js'
import { printLast, startMarket } from './netns/market.js'
import { createInternet, type Internet } from './netns/index.js'

const WORKER_PORT = 4003
const CLIENT_PORT = 4002
const CUT_MS = 30_000

describe('a worker\'s link cut for 30 s mid-job (network namespaces)', function () {
  this.timeout(420_000)
  const dir = mkdtempSync(join(tmpdir(), 'cyx-link-cut-'))
  let net: Internet
  let rpc: string
  let mint: string
  let relayAddr: string
  const wallets: Record<string, string> = {}
  let worker: Proc | undefined
  let client: Proc | undefined

  before(async () => {
    net = await createInternet({ public: ['relay', 'chain', 'worker', 'client'], natted: [] })
    const market = await startMarket(net, dir, [['worker', '50'], ['client', '100']])
    ;({ rpc, mint, relayAddr } = market)
    Object.assign(wallets, market.wallets)
  })

  afterEach(function () {
    if (this.currentTest?.state === 'passed') return
    // What each side last said, to see where a failed or timed-out run stood.
    printLast([['worker', worker], ['client', client]])
  })

  after(async () => {
    await net?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const balance = (owner: string): bigint => net.tokenBalance('chain', rpc, mint, owner)

  it('the job completes and is paid in full once the link is back', async function () {
    this.timeout(300_000)
    const workerListen = net.maddr('worker', WORKER_PORT)
    worker = net.cyx('worker', ['worker', '--dir', join(dir, 'worker'), '--rpc', rpc, '--price', '50', '--no-relay',
      '--listen', workerListen, '--announce', workerListen, '--bootstrap', relayAddr, '--json'])
    await firstJson(worker, (v) => v.event === 'ready')
    await firstJson(worker, (v) => v.event === 'advertised' && (v.storedOn as number) > 0)

    const clientListen = net.maddr('client', CLIENT_PORT)
    client = net.cyx('client', ['client', 'submit', '--dataset', 'mnist', '--epochs', '3', '--max-price', '5', '--bid-window', '10',
      '--dir', join(dir, 'client'), '--rpc', rpc, '--bootstrap', relayAddr, '--listen', clientListen, '--announce', clientListen, '--json'])

    // The cut: as soon as the worker starts training, for 30 s.
    // Whichever comes first: the worker training, or the client giving up (then say why).
    const first = await Promise.race([
      firstJson(worker, (v) => v.event === 'job' && v.state === 'training', 180_000).then(() => 'training' as const, (e: unknown) => e),
      client.exited
    ])
    if (first !== 'training') {
      // Both sides in the message itself: CI keeps only the tail of the log.
      assert.fail(`the worker never trained (${first instanceof Error ? first.message : `the client exited ${String(first)}`}):\n` +
        `--- client ---\n${client.lines.slice(-20).join('\n')}\n${client.stderr.slice(-10).join('\n')}\n` +
        `--- worker ---\n${worker.lines.slice(-20).join('\n')}\n${worker.stderr.slice(-10).join('\n')}`)
    }
    const cutAt = Date.now()
    net.linkUp('worker', false)
    await new Promise((resolve) => setTimeout(resolve, CUT_MS))
    const linesDuringCut = worker.lines.length
    net.linkUp('worker', true)
    const linkBackAt = Date.now()

    const code = await client.exited
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(code, 0, `client stdout: ${client.lines.join('\n')}\nclient stderr: ${client.stderr.join('\n')}\nworker: ${worker.lines.join('\n')}`)
    const result = JSON.parse(client.lines.at(-1)!) as { jobId: string, state: string, worker: { wallet: string, price: string } }
    assert.equal(result.state, 'completed')
    assert.equal(result.worker.wallet, wallets.worker)
    // Paid exactly as without the cut: 90 % of the price to the worker, the price from the client.
    assert.equal(balance(wallets.worker!), BigInt(result.worker.price) * 9n / 10n)
    assert.equal(balance(wallets.client!), 100n * 1_000_000_000n - BigInt(result.worker.price))
    const workerEvents = worker.lines.map((l) => { try { return JSON.parse(l) as Record<string, unknown> } catch { return {} } })
    // The cut really held the job: the worker could anchor its result on the ledger (across the
    // internet) only once the link was back, and did so then, nothing redone.
    const anchoredAt = workerEvents.findIndex((e) => e.event === 'anchored')
    assert.ok(anchoredAt >= linesDuringCut, `the worker anchored after the link came back (event ${anchoredAt}, ${linesDuringCut} before the link was back)`)
    console.log(JSON.stringify({
      test: 'link-cut',
      cutSeconds: CUT_MS / 1000,
      completedSecondsAfterLinkBack: Math.round((Date.now() - linkBackAt) / 1000),
      cutToCompletedSeconds: Math.round((Date.now() - cutAt) / 1000),
      heartbeatsFailedDuringCut: workerEvents.slice(0, linesDuringCut).filter((e) => e.event === 'heartbeat-failed').length,
      workerInterrupted: workerEvents.some((e) => e.event === 'interrupted'),
      workerResumed: workerEvents.some((e) => e.event === 'resumed'),
      workerRedelivered: workerEvents.some((e) => e.event === 'redelivered')
    }))
    worker.child.kill('SIGINT')
    assert.equal(await worker.exited, 0)
  })
})
