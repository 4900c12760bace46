/**
 * A local network set up by hand, every peer its own OS process of the `cyx` binary on 127.0.0.1:
 * `cyx chain --genesis` (mint, Config, faucet), `cyx faucet` for three wallets, two `cyx worker`
 * processes and `cyx client submit --dataset spirals --epochs 2 --json`, which completes a paid
 * job; then `cyx client status` and `cyx client rate`; a client killed mid-training finishes its job
 * with `cyx client resume`; a zk job is proved and paid on-chain; `cyx worker pause|price|resume`
 * reach the running worker; and Ctrl-C stops the workers cleanly.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getAccount, getAssociatedTokenAddressSync } from '@solana/spl-token'
import { Connection, PublicKey } from '@solana/web3.js'
import { EmbeddedLedger, LedgerRpcServer } from '../../../chain/index.js'
import { cyx, firstJson, type Proc } from '../../fixtures/cyx-process.js'

async function run (args: string[]): Promise<{ code: number | null, out: string[], err: string[] }> {
  const p = cyx(args)
  const code = await p.exited
  await new Promise((resolve) => setImmediate(resolve))
  return { code, out: p.lines, err: p.stderr }
}

describe('a local network by hand, one process per peer', function () {
  this.timeout(300_000)
  const dir = mkdtempSync(join(tmpdir(), 'cyx-net-'))
  const procs: Proc[] = []
  after(async () => {
    for (const p of procs) if (p.child.exitCode === null) { p.child.kill('SIGINT'); await p.exited }
    rmSync(dir, { recursive: true, force: true })
  })

  it('refuses cyx_faucet on a ledger not started with genesis', async () => {
    const ledger = EmbeddedLedger.open({})
    const server = new LedgerRpcServer(ledger)
    const url = await server.listen({ port: 0, wsOnNextPort: false })
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'cyx_faucet', params: [PublicKey.default.toBase58(), '1', '0'] }) })
      const body = await res.json() as { error?: { code: number, message: string } }
      assert.equal(body.error?.code, -32601)
      assert.match(body.error?.message ?? '', /genesis/)
    } finally {
      await server.close()
      ledger.close()
    }
  })

  it('chain --genesis, faucet, two workers and a client submit complete a paid job', async () => {
    const chain = cyx(['chain', '--genesis', '--dev', '--port', '0', '--ledger', join(dir, 'ledger'), '--json'])
    procs.push(chain)
    const { rpc, mint, faucet } = await firstJson<{ rpc: string, mint: string, faucet: boolean }>(chain, (v) => typeof v.rpc === 'string')
    assert.equal(faucet, true)
    const connection = new Connection(rpc, 'confirmed')
    const balance = async (owner: string): Promise<bigint> => (await getAccount(connection, getAssociatedTokenAddressSync(new PublicKey(mint), new PublicKey(owner)))).amount

    const wallets: Record<string, string> = {}
    for (const [name, amount] of [['w1', '50'], ['w2', '50'], ['client', '100']] as const) {
      const r = await run(['faucet', '--dir', join(dir, name), '--tokens', amount, '--sol', '10', '--rpc', rpc, '--json'])
      assert.equal(r.code, 0, r.err.join('\n'))
      wallets[name] = (JSON.parse(r.out.at(-1)!) as { address: string }).address
      assert.equal(await balance(wallets[name]!), BigInt(amount) * 1_000_000_000n)
    }

    const w1 = cyx(['worker', '--dir', join(dir, 'w1'), '--rpc', rpc, '--price', '100', '--json'])
    procs.push(w1)
    const r1 = await firstJson<{ addrs: string[] }>(w1, (v) => v.event === 'ready')
    const w2 = cyx(['worker', '--dir', join(dir, 'w2'), '--rpc', rpc, '--price', '50', '--bootstrap', r1.addrs[0]!, '--json'])
    procs.push(w2)
    const r2 = await firstJson<{ addrs: string[], wallet: string }>(w2, (v) => v.event === 'ready')
    assert.ok(w1.lines.some((l) => l.includes('"registered"')), 'w1 staked on first start')

    const client = cyx(['client', 'submit', '--dataset', 'spirals', '--epochs', '2', '--max-price', '5', '--bid-window', '2',
      '--dir', join(dir, 'client'), '--rpc', rpc, '--bootstrap', r1.addrs[0]!, '--bootstrap', r2.addrs[0]!, '--json'])
    procs.push(client)
    const code = await client.exited
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(code, 0, `stdout: ${client.lines.join('\n')}\nstderr: ${client.stderr.join('\n')}`)
    const result = JSON.parse(client.lines.at(-1)!) as { jobId: string, state: string, worker: { wallet: string, price: string }, completeSignature: string | null }
    assert.equal(result.state, 'completed')
    assert.notEqual(result.completeSignature, null)
    // The cheaper worker (50 CYXWIZ/h) wins; live progress reached stderr as JSON lines.
    assert.equal(result.worker.wallet, r2.wallet)
    const progress = client.stderr.flatMap((l) => { try { return [JSON.parse(l) as { event: string, epoch?: number }] } catch { return [] } })
    assert.deepEqual(progress.filter((e) => e.event === 'metrics').map((e) => e.epoch), [1, 2])
    assert.ok(progress.some((e) => e.event === 'evidence'))
    // Paid: 90 % of the price to the winner (it staked its 50, so it had 0 before).
    assert.equal(await balance(wallets.w2!), BigInt(result.worker.price) * 9n / 10n)
    assert.equal(await balance(wallets.client!), 100n * 1_000_000_000n - BigInt(result.worker.price))

    const status = await run(['client', 'status', result.jobId, '--dir', join(dir, 'client'), '--rpc', rpc, '--json'])
    assert.equal(status.code, 0, status.err.join('\n'))
    const s = JSON.parse(status.out.at(-1)!) as { state: string, escrow: { state: string } }
    assert.equal(s.state, 'completed')
    assert.equal(s.escrow.state.toLowerCase(), 'completed')
    const rate = await run(['client', 'rate', result.jobId, '5', '--dir', join(dir, 'client'), '--rpc', rpc, '--json'])
    assert.equal(rate.code, 0, rate.err.join('\n'))
    const again = await run(['client', 'rate', result.jobId, '5', '--dir', join(dir, 'client'), '--rpc', rpc])
    assert.equal(again.code, 1, 'a job is rated once')

    // The client killed (SIGKILL) mid-training comes back with `cyx client resume JOB`: the same
    // award resumes the session, the worker continues from its last checkpoint, and the job is paid.
    const clientBefore = await balance(wallets.client!)
    const workersBefore = { [wallets.w1!]: await balance(wallets.w1!), [wallets.w2!]: await balance(wallets.w2!) }
    const doomed = cyx(['client', 'submit', '--dataset', 'spirals', '--epochs', '24', '--max-price', '5', '--bid-window', '2',
      '--dir', join(dir, 'client'), '--rpc', rpc, '--bootstrap', r1.addrs[0]!, '--bootstrap', r2.addrs[0]!, '--json'])
    procs.push(doomed)
    const events = (p: Proc): Array<{ event: string, state?: string, jobId?: string, epoch?: number }> => p.stderr.flatMap((l) => { try { return [JSON.parse(l)] } catch { return [] } })
    const end = Date.now() + 60_000
    while (!events(doomed).some((e) => e.event === 'metrics' && (e.epoch ?? 0) >= 2)) {
      if (doomed.child.exitCode !== null || Date.now() > end) throw new Error(`the job did not start training: ${doomed.stderr.join('\n')}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    doomed.child.kill('SIGKILL')
    await doomed.exited
    const jobId = events(doomed).find((e) => e.event === 'state' && e.state === 'announced')?.jobId
    assert.match(jobId ?? '', /^[0-9a-f]{64}$/)
    const killedAt = Math.max(...events(doomed).filter((e) => e.event === 'metrics').map((e) => e.epoch ?? 0))
    const before = await run(['client', 'status', jobId!, '--dir', join(dir, 'client'), '--rpc', rpc, '--json'])
    assert.equal((JSON.parse(before.out.at(-1)!) as { state: string }).state, 'running', 'the killed client left the job running')
    const resumed = cyx(['client', 'resume', jobId!, '--dir', join(dir, 'client'), '--rpc', rpc, '--bootstrap', r1.addrs[0]!, '--bootstrap', r2.addrs[0]!, '--json'])
    procs.push(resumed)
    const resumedCode = await resumed.exited
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(resumedCode, 0, `stdout: ${resumed.lines.join('\n')}\nstderr: ${resumed.stderr.join('\n')}`)
    const again2 = JSON.parse(resumed.lines.at(-1)!) as { jobId: string, state: string, worker: { wallet: string, price: string } }
    assert.equal(again2.jobId, jobId)
    assert.equal(again2.state, 'completed')
    // The session continued where training was, not from scratch: the first epoch seen after the
    // restart is past the first one, and the run ended at the last epoch.
    const epochs = events(resumed).filter((e) => e.event === 'metrics').map((e) => e.epoch ?? 0)
    assert.ok(epochs.length > 0 && (epochs[0] as number) > 1 && epochs.at(-1) === 24, `epochs after the restart: ${epochs.join(',')} (killed at ${killedAt})`)
    assert.equal(await balance(again2.worker.wallet), (workersBefore[again2.worker.wallet] as bigint) + BigInt(again2.worker.price) * 9n / 10n)
    assert.equal(await balance(wallets.client!), clientBefore - BigInt(again2.worker.price))

    // A zk job between processes: the worker proves the challenged step; the program verifies and pays.
    const zk = await run(['client', 'submit', '--dataset', 'mnist-4x4', '--tier', 'zk', '--epochs', '1', '--max-price', '5', '--bid-window', '2',
      '--dir', join(dir, 'client'), '--rpc', rpc, '--bootstrap', r1.addrs[0]!, '--bootstrap', r2.addrs[0]!, '--json'])
    assert.equal(zk.code, 0, `stdout: ${zk.out.join('\n')}\nstderr: ${zk.err.join('\n')}`)
    const zkResult = JSON.parse(zk.out.at(-1)!) as { state: string, tier: string, zk: { verifiedOnChain: boolean, challengeStep: number } | null }
    assert.equal(zkResult.tier, 'zk')
    assert.equal(zkResult.state, 'completed')
    assert.equal(zkResult.zk?.verifiedOnChain, true)
    assert.ok(zkResult.zk.challengeStep >= 0 && zkResult.zk.challengeStep < 7)
    // A paid job has nothing to refund: the verb says so and changes nothing.
    const zkJob = (JSON.parse(zk.out.at(-1)!) as { jobId: string }).jobId
    const noRefund = await run(['client', 'refund', zkJob, '--dir', join(dir, 'client'), '--rpc', rpc])
    assert.equal(noRefund.code, 1)
    assert.match(noRefund.err.join('\n'), /no longer funded/)

    // The owner's remote control: `cyx worker pause|price|resume` on w2's dir, applied by the
    // running w2 within a second (its control file); refused where no worker ever ran.
    const paused = await run(['worker', 'pause', '--dir', join(dir, 'w2'), '--json'])
    assert.equal(paused.code, 0, paused.err.join('\n'))
    assert.deepEqual(JSON.parse(paused.out.at(-1)!), { dir: join(dir, 'w2'), paused: true, pricePerHour: '50000000000' })
    await firstJson(w2, (v) => v.event === 'control' && v.paused === true)
    assert.equal((await run(['worker', 'price', '75', '--dir', join(dir, 'w2')])).code, 0)
    await firstJson(w2, (v) => v.event === 'control' && v.pricePerHour === '75000000000')
    assert.equal((await run(['worker', 'resume', '--dir', join(dir, 'w2')])).code, 0)
    await firstJson(w2, (v) => v.event === 'control' && v.paused === false && v.pricePerHour === '75000000000')
    const badPrice = await run(['worker', 'price', 'lots', '--dir', join(dir, 'w2')])
    assert.equal(badPrice.code, 2)
    assert.match(badPrice.err.join('\n'), /--price must be a token amount/)
    const nowhere = await run(['worker', 'pause', '--dir', join(dir, 'client')])
    assert.equal(nowhere.code, 2)
    assert.match(nowhere.err.join('\n'), /no worker has run on .*start `cyx worker --dir/)

    for (const w of [w1, w2]) {
      w.child.kill('SIGINT')
      assert.equal(await w.exited, 0, 'Ctrl-C stops a worker cleanly')
    }
    chain.child.kill('SIGINT')
    assert.equal(await chain.exited, 0)
  })
})
