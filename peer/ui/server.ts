/**
 * The page server: node:http on 127.0.0.1 only, a port of the caller's choice (0: any free one).
 *
 *   GET  /                      the page (index.html), /app.js, /app.css: bundled at start (bundle.ts)
 *   GET  /api/events?token=T    the feed as Server-Sent Events: everything so far, then live
 *                               (Last-Event-ID resumes after a reconnect)
 *   GET  /api/model/JOB?token=T a job's trained model file (ONNX), as a download
 *   POST /api/action/NAME       an action (JSON body, `Authorization: Bearer T`): answered with its
 *                               result as JSON, or 4xx with `{ error }` saying what went wrong
 *
 * Every response: the strict Content-Security-Policy (guard.ts), nosniff, no referrer, no caching.
 * Every request: Host must be this server on the loopback, a foreign Origin is refused, and all of
 * /api/ needs the token. Hand-written on node:http: four routes do not call for a framework.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { logger } from '@libp2p/logger'
import type { UiFeed } from './feed.js'
import type { ActionName } from './events.js'
import { CONTENT_SECURITY_POLICY, hostAllowed, newToken, originAllowed, requestToken, tokenMatches } from './guard.js'
import { bundlePage, type PageBundle } from './bundle.js'

const log = logger('cyx:ui:server')

/** What the page may do, provided by whoever serves it (the sim, or the local peer). */
export interface UiActions {
  readonly names: readonly ActionName[]
  /** Runs an action; throws an `ActionError` (or any error) with a message for the person. */
  run: (name: ActionName, body: unknown) => Promise<unknown>
  /** A job's trained model file on disk, if there is one. */
  modelFile: (jobId: string) => string | undefined
}

/** An action refused for a reason the person can act on (answered 422 with the message). */
export class ActionError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ActionError'
  }
}

/** The largest action body: a model and a dataset, base64 in JSON. */
export const MAX_ACTION_BYTES = 64 * 1024 * 1024
const HEARTBEAT_MS = 15_000

export interface UiServerOptions {
  readonly feed: UiFeed
  readonly actions?: UiActions
  /** 0 (default): any free port. */
  readonly port?: number
  /** Fixed for tests; a fresh random one by default. */
  readonly token?: string
}

export class UiServer {
  readonly token: string
  readonly #server: Server
  readonly #feed: UiFeed
  readonly #actions: UiActions | undefined
  readonly #page: PageBundle
  readonly #streams = new Set<ServerResponse>()
  #port = 0

  private constructor (o: UiServerOptions, page: PageBundle) {
    this.token = o.token ?? newToken()
    this.#feed = o.feed
    this.#actions = o.actions
    this.#page = page
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        log.error('request %s failed: %e', req.url, err)
        if (!res.headersSent) this.#json(res, 500, { error: 'internal error' })
        else res.destroy()
      })
    })
  }

  /** Bundles the page and listens on 127.0.0.1:port. */
  static async start (o: UiServerOptions): Promise<UiServer> {
    const s = new UiServer(o, await bundlePage())
    await new Promise<void>((resolve, reject) => {
      s.#server.once('error', reject)
      s.#server.listen(o.port ?? 0, '127.0.0.1', () => { s.#server.off('error', reject); resolve() })
    })
    s.#port = (s.#server.address() as { port: number }).port
    return s
  }

  get port (): number {
    return this.#port
  }

  /** The address to open, token in the fragment (never sent to a server, kept out of logs). */
  get url (): string {
    return `http://127.0.0.1:${this.#port}/#token=${this.token}`
  }

  async close (): Promise<void> {
    for (const r of this.#streams) r.end()
    this.#streams.clear()
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => { this.#server.close(() => { resolve() }) })
  }

  #headers (res: ServerResponse): void {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Referrer-Policy', 'no-referrer')
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
    res.setHeader('Cache-Control', 'no-store')
  }

  #json (res: ServerResponse, status: number, body: unknown): void {
    res.statusCode = status
    res.setHeader('Content-Type', 'application/json; charset=utf-8')
    res.end(JSON.stringify(body))
  }

  async #handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.#headers(res)
    if (!hostAllowed(req.headers.host, this.#port)) { this.#json(res, 421, { error: 'wrong Host: open the page at the address cyx printed' }); return }
    if (!originAllowed(req.headers.origin, this.#port)) { this.#json(res, 403, { error: 'foreign Origin' }); return }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${this.#port}`)
    if (!url.pathname.startsWith('/api/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') { this.#json(res, 405, { error: 'GET only' }); return }
      const asset = url.pathname === '/' ? this.#page.html : url.pathname === '/app.js' ? this.#page.js : url.pathname === '/app.css' ? this.#page.css : undefined
      if (asset === undefined) { this.#json(res, 404, { error: 'no such page' }); return }
      res.setHeader('Content-Type', asset.type)
      res.end(asset.body)
      return
    }
    if (!tokenMatches(requestToken(req.headers.authorization, url), this.token)) { this.#json(res, 401, { error: 'missing or wrong token: open the page at the address cyx printed' }); return }
    if (req.method === 'GET' && url.pathname === '/api/events') { this.#events(req, res); return }
    const model = /^\/api\/model\/([0-9a-f]{64})$/.exec(url.pathname)
    if (req.method === 'GET' && model !== null) { await this.#model(res, model[1]!); return }
    const action = /^\/api\/action\/([a-z]+)$/.exec(url.pathname)
    if (action !== null) {
      if (req.method !== 'POST') { this.#json(res, 405, { error: 'POST only' }); return }
      // A browser always sends Origin on a POST; one without (curl with the token) is a script.
      await this.#action(req, res, action[1]!)
      return
    }
    this.#json(res, 404, { error: 'no such endpoint' })
  }

  #events (req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' })
    const after = Number(req.headers['last-event-id'] ?? 0)
    const send = (e: { id: number, event: unknown }): void => { res.write(`id: ${e.id}\ndata: ${JSON.stringify(e.event)}\n\n`) }
    for (const e of this.#feed.since(Number.isSafeInteger(after) ? after : 0)) send(e)
    const unsubscribe = this.#feed.subscribe(send)
    const beat = setInterval(() => { res.write(': keep-alive\n\n') }, HEARTBEAT_MS)
    this.#streams.add(res)
    const done = (): void => { clearInterval(beat); unsubscribe(); this.#streams.delete(res) }
    req.once('close', done)
    res.once('close', done)
  }

  async #model (res: ServerResponse, jobId: string): Promise<void> {
    const file = this.#actions?.modelFile(jobId)
    const size = file === undefined ? undefined : await stat(file).then((s) => s.size, () => undefined)
    if (file === undefined || size === undefined) { this.#json(res, 404, { error: 'no trained model for that job (yet)' }); return }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': size, 'Content-Disposition': `attachment; filename="${jobId}.onnx"` })
    createReadStream(file).pipe(res)
  }

  async #action (req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    const actions = this.#actions
    if (actions === undefined || !(actions.names as readonly string[]).includes(name)) { this.#json(res, 404, { error: `no action "${name}" here` }); return }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) { this.#json(res, 415, { error: 'send JSON' }); return }
    const chunks: Buffer[] = []
    let size = 0
    for await (const c of req) {
      size += (c as Buffer).length
      if (size > MAX_ACTION_BYTES) { this.#json(res, 413, { error: `the request is over ${MAX_ACTION_BYTES / 1024 / 1024} MiB` }); req.destroy(); return }
      chunks.push(c as Buffer)
    }
    let body: unknown
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch {
      this.#json(res, 400, { error: 'the body is not JSON' })
      return
    }
    try {
      this.#json(res, 200, { ok: true, result: await actions.run(name as ActionName, body) })
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e)
      // A refusal (ActionError) or a role's own error (no eligible bid, a failed check): the person's to read.
      log('action %s failed: %s', name, message)
      this.#json(res, 422, { error: message })
    }
  }
}
