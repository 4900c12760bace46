/**
 * `cyx ui` as a user runs it, on a peer's data dir holding a client's job record and a wallet: it
 * prints the page's address with a token, refuses the feed without it, and tells the page the job
 * (its id, state) and the wallet; a chain that does not answer is said, not fatal. Its actions are
 * the CLI's verbs on that dir: pausing and pricing the worker there (its control file, refused
 * while no worker ever ran there), and a client action refused with the reason before anything is
 * signed (the job has no escrow). Ctrl-C stops it.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Keypair } from '@solana/web3.js'
import { openPeerStore } from '../../../storage/index.js'
import { JobBook } from '../../../peer/roles/index.js'

const JOB = 'ab'.repeat(32)

/** POST /api/action/NAME with the token: the status and the JSON answer. */
async function act (url: string, token: string, name: string, body: unknown): Promise<{ status: number, answer: Record<string, unknown> }> {
  const u = new URL(url)
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: u.port, method: 'POST', path: `/api/action/${name}`, headers: { Host: u.host, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { text += c })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, answer: JSON.parse(text) as Record<string, unknown> }) })
    })
    req.on('error', reject)
    req.end(JSON.stringify(body))
  })
}

/** The feed's events until `until` holds of them (or 20 s). */
async function events (url: string, token: string, until: (e: Array<{ type: string } & Record<string, unknown>>) => boolean): Promise<Array<{ type: string } & Record<string, unknown>>> {
  const u = new URL(url)
  return await new Promise((resolve, reject) => {
    const got: Array<{ type: string } & Record<string, unknown>> = []
    const req = request({ host: '127.0.0.1', port: u.port, path: `/api/events?token=${token}`, headers: { Host: u.host } }, (res) => {
      if (res.statusCode !== 200) { reject(new Error(`status ${res.statusCode}`)); return }
      let buf = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => {
        buf += c
        for (;;) {
          const i = buf.indexOf('\n\n')
          if (i < 0) break
          const data = /^data: (.*)$/m.exec(buf.slice(0, i))
          buf = buf.slice(i + 2)
          if (data !== null) got.push(JSON.parse(data[1]!))
        }
        if (until(got)) { req.destroy(); resolve(got) }
      })
    })
    req.on('error', (e) => { if (!req.destroyed) reject(e) })
    setTimeout(() => { req.destroy(); reject(new Error(`not seen in 20 s: ${JSON.stringify(got)}`)) }, 20_000).unref()
    req.end()
  })
}

describe('cyx ui: the local peer\'s page', function () {
  this.timeout(60_000)

  it('serves the job records and wallet of --dir, behind the token; Ctrl-C stops it', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'cyx-ui-'))
    const store = await openPeerStore(dir)
    await JobBook.client(store).open(JOB, 'announced', { maxPrice: '5000000000' })
    await store.close()
    const wallet = Keypair.generate()
    writeFileSync(join(dir, 'wallet.json'), JSON.stringify([...wallet.secretKey]))
    const child = spawn(process.execPath, ['peer/cli/cyx.mjs', 'ui', '--dir', dir, '--rpc', 'http://127.0.0.1:9'], { stdio: ['ignore', 'pipe', 'pipe'] })
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    try {
      let stderr = ''
      child.stderr.setEncoding('utf8')
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on('data', (c: string) => {
          stderr += c
          const m = /^ui: (\S+)$/m.exec(stderr)
          if (m !== null) resolve(m[1]!)
        })
        void exited.then((code) => { reject(new Error(`cyx ui exited (${code}): ${stderr}`)) })
      })
      const [, token] = /#token=([\w-]+)$/.exec(url) ?? []
      assert.ok(token !== undefined && url.startsWith('http://127.0.0.1:'), url)
      await assert.rejects(events(url, 'wrong', () => true), /status 401/)
      const got = await events(url, token, (es) => es.some((e) => e.type === 'job'))
      const hello = got.find((e) => e.type === 'hello')
      assert.equal(hello?.mode, 'local')
      assert.ok(got.some((e) => e.type === 'log' && /did not answer/.test(String(e.line))))
      assert.equal(got.find((e) => e.type === 'peer')?.wallet, wallet.publicKey.toBase58())
      assert.deepEqual(got.find((e) => e.type === 'submit'), { type: 'submit', job: JOB.slice(0, 12), datasetId: '?', tier: 'optimistic', epochs: 0, maxPrice: '5000000000', via: 'run' })
      assert.deepEqual(got.find((e) => e.type === 'job')?.event, { type: 'state', state: 'announced', jobId: JOB })
      assert.deepEqual(hello?.actions, ['cancel', 'rate', 'dispute', 'pause', 'price'])

      // No worker ever ran on this dir: nothing to pause. Then one has (its control file).
      const none = await act(url, token, 'pause', { paused: true })
      assert.equal(none.status, 422)
      assert.match(String(none.answer.error), /no worker has run on .*start `cyx worker --dir/)
      writeFileSync(join(dir, 'worker-control.json'), '{"paused":false,"pricePerHour":"100000000000"}\n')
      const paused = await act(url, token, 'pause', { paused: true })
      assert.equal(paused.status, 200, JSON.stringify(paused.answer))
      const priced = await act(url, token, 'price', { price: '80.5' })
      assert.deepEqual(priced.answer.result, { paused: true, pricePerHour: '80500000000' })
      assert.equal(readFileSync(join(dir, 'worker-control.json'), 'utf8'), '{"paused":true,"pricePerHour":"80500000000"}\n')
      const bad = await act(url, token, 'price', { price: 'lots' })
      assert.equal(bad.status, 422)
      assert.match(String(bad.answer.error), /"price": "lots" is not a token amount/)
      // The page is told: the worker is paused at its new price.
      const told = await events(url, token, (es) => es.some((e) => e.type === 'worker' && (e.event as { type: string, pricePerHour?: string }).pricePerHour === '80500000000'))
      assert.ok(told.some((e) => e.type === 'action' && e.action === 'price' && e.ok === true))
      // A client action on a job with no escrow: refused with the reason, nothing signed.
      const cancel = await act(url, token, 'cancel', { job: JOB })
      assert.equal(cancel.status, 422)
      assert.match(String(cancel.answer.error), /has no escrow \(it is announced\)/)
      assert.equal((await act(url, 'wrong', 'cancel', { job: JOB })).status, 401)
    } finally {
      child.kill('SIGINT')
    }
    assert.equal(await exited, 0)
  })
})
