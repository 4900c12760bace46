/**
 * The page server's gate and feed over real HTTP on 127.0.0.1: it refuses a request without the
 * token, with a wrong one, with a foreign Host or a foreign Origin; it serves the bundled page under
 * its Content-Security-Policy; the feed arrives as Server-Sent Events, replayed and then live.
 */
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { CONTENT_SECURITY_POLICY, UiFeed, UiServer } from '../../../peer/ui/index.js'

interface Answer { status: number, headers: Record<string, string | string[] | undefined>, body: string }

async function get (port: number, path: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<Answer> {
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { text += c })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }) })
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('ui: the page server', function () {
  this.timeout(30_000)
  let server: UiServer
  const feed = new UiFeed()

  before(async function () {
    feed.push({ type: 'log', line: 'first' })
    server = await UiServer.start({ feed })
  })
  after(async function () { await server.close() })

  it('prints an address on 127.0.0.1 with the token in the fragment', function () {
    assert.match(server.url, new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/#token=[A-Za-z0-9_-]{43}$`))
  })

  it('serves the page and its bundle under the strict Content-Security-Policy', async function () {
    const html = await get(server.port, '/')
    assert.equal(html.status, 200)
    assert.equal(html.headers['content-security-policy'], CONTENT_SECURITY_POLICY)
    assert.match(CONTENT_SECURITY_POLICY, /default-src 'none'/)
    assert.match(html.body, /src="\/app\.js"/)
    const js = await get(server.port, '/app.js')
    assert.equal(js.status, 200)
    assert.match(String(js.headers['content-type']), /javascript/)
    assert.match(js.body, /EventSource/)
    assert.equal((await get(server.port, '/app.css')).status, 200)
  })

  it('refuses the feed without the token, or with a wrong one', async function () {
    assert.equal((await get(server.port, '/api/events')).status, 401)
    assert.equal((await get(server.port, '/api/events?token=wrong')).status, 401)
    assert.equal((await get(server.port, '/api/events', { Authorization: 'Bearer wrong' })).status, 401)
  })

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin, even with the token', async function () {
    const path = `/api/events?token=${server.token}`
    assert.equal((await get(server.port, path, { Host: `evil.example:${server.port}` })).status, 421)
    assert.equal((await get(server.port, '/', { Host: 'evil.example' })).status, 421)
    assert.equal((await get(server.port, path, { Origin: 'http://evil.example' })).status, 403)
    assert.equal((await get(server.port, '/api/action/submit', { Origin: 'http://evil.example', Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' }, 'POST', '{}')).status, 403)
  })

  it('has no actions yet: an action is answered 404, not run', async function () {
    const r = await get(server.port, '/api/action/submit', { Origin: `http://127.0.0.1:${server.port}`, Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' }, 'POST', '{}')
    assert.equal(r.status, 404)
  })

  it('streams the feed as Server-Sent Events: what came before, then live, resumable after an id', async function () {
    const lines: string[] = []
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: `/api/events?token=${server.token}`, headers: { Host: `127.0.0.1:${server.port}` } }, (res) => {
        assert.equal(res.statusCode, 200)
        assert.match(String(res.headers['content-type']), /^text\/event-stream/)
        res.setEncoding('utf8')
        res.on('data', (c: string) => {
          lines.push(...c.split('\n').filter((l) => l.startsWith('data: ')))
          if (lines.length === 1) feed.push({ type: 'log', line: 'second' })
          if (lines.length === 2) { req.destroy(); resolve() }
        })
      })
      req.on('error', (e) => { if (lines.length < 2) reject(e) })
      req.end()
    })
    assert.deepEqual(lines.map((l) => JSON.parse(l.slice(6)).line), ['first', 'second'])
    const resumed = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: `/api/events?token=${server.token}`, headers: { Host: `127.0.0.1:${server.port}`, 'Last-Event-ID': '1' } }, (res) => {
        res.setEncoding('utf8')
        res.once('data', (c: string) => { req.destroy(); resolve(c) })
      })
      req.on('error', reject)
      req.end()
    })
    assert.match(resumed, /^id: 2\ndata: \{"type":"log","line":"second"\}/)
  })
})
