/**
 * Solana JSON-RPC over the embedded ledger, on 127.0.0.1: enough of the HTTP API and the WebSocket
 * subscriptions for an unmodified @solana/web3.js `Connection`, @solana/spl-token and an Anchor
 * `Program` to send, confirm and read — so peers in other processes share one ledger.
 *
 * WebSockets are served both on the HTTP port (upgrade) and on port + 1, which is where web3.js
 * looks by default. Non-standard methods are namespaced `cyx_…` (clock warp for local networks).
 * Requests are bounded (1 MiB body) and every parameter is checked; a bad request gets a JSON-RPC
 * error, never a crash.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { PublicKey, VersionedTransaction } from '@solana/web3.js'
import { getBase58Decoder, getBase58Encoder } from '@solana/kit'
import { EmbeddedLedger, LedgerError, RpcRefusal, type AccountView, type TxRecord } from './ledger.js'
import { runFaucet, type Faucet } from './genesis.js'

const MAX_BODY_BYTES = 1024 * 1024
const MAX_BATCH = 100
const b58d = getBase58Decoder()
const b58e = getBase58Encoder()

interface RpcRequest { jsonrpc?: string, id?: unknown, method?: unknown, params?: unknown }

class RpcFailure extends Error {
  constructor (readonly code: number, message: string, readonly data?: unknown) {
    super(message)
  }
}
const invalidParams = (m: string): RpcFailure => new RpcFailure(-32602, `Invalid params: ${m}`)

function pubkeyParam (v: unknown, what = 'pubkey'): string {
  if (typeof v !== 'string') throw invalidParams(`${what} must be a base-58 string`)
  try {
    return new PublicKey(v).toBase58()
  } catch {
    throw invalidParams(`${what} is not a valid public key`)
  }
}

function paramsArray (p: unknown): unknown[] {
  if (p === undefined) return []
  if (!Array.isArray(p)) throw invalidParams('params must be an array')
  return p
}

function config (v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {}
}

function txBytesParam (v: unknown, cfg: Record<string, unknown>): Uint8Array {
  if (typeof v !== 'string' || v.length > 4096) throw invalidParams('transaction must be an encoded string')
  const enc = cfg.encoding ?? 'base58'
  if (enc === 'base64') return new Uint8Array(Buffer.from(v, 'base64'))
  if (enc === 'base58') {
    try {
      return Uint8Array.from(b58e.encode(v))
    } catch {
      throw invalidParams('transaction is not base-58')
    }
  }
  throw invalidParams(`unsupported encoding ${String(enc)}`)
}

function encodeAccount (a: AccountView, cfg: Record<string, unknown>): Record<string, unknown> {
  const enc = cfg.encoding ?? 'base64'
  let data: unknown
  if (enc === 'base64') data = [Buffer.from(a.data).toString('base64'), 'base64']
  else if (enc === 'base58') data = [b58d.decode(a.data), 'base58']
  else throw invalidParams(`unsupported account encoding ${String(enc)} (use base64)`)
  return { data, executable: a.executable, lamports: Number(a.lamports), owner: a.owner, rentEpoch: 0, space: a.data.byteLength }
}

/** getProgramAccounts filters: { dataSize } and { memcmp: { offset, bytes (base58) } }. */
function matchesFilters (data: Uint8Array, filters: unknown): boolean {
  if (filters === undefined) return true
  if (!Array.isArray(filters) || filters.length > 8) throw invalidParams('filters must be an array of at most 8')
  for (const f of filters) {
    const c = config(f)
    if (c.dataSize !== undefined) {
      if (data.byteLength !== Number(c.dataSize)) return false
    } else if (c.memcmp !== undefined) {
      const m = config(c.memcmp)
      const offset = Number(m.offset)
      if (!Number.isInteger(offset) || offset < 0 || typeof m.bytes !== 'string') throw invalidParams('memcmp needs offset and base-58 bytes')
      const want = m.encoding === 'base64' ? new Uint8Array(Buffer.from(m.bytes, 'base64')) : b58e.encode(m.bytes)
      if (offset + want.length > data.byteLength) return false
      for (let i = 0; i < want.length; i++) if (data[offset + i] !== want[i]) return false
    } else throw invalidParams('unsupported filter')
  }
  return true
}

function transactionJson (r: TxRecord, encoding: unknown): Record<string, unknown> | null {
  if (r.tx === null) return null
  const vt = VersionedTransaction.deserialize(r.tx)
  const msg = vt.message
  const transaction = encoding === 'base64'
    ? [Buffer.from(r.tx).toString('base64'), 'base64']
    : {
        signatures: vt.signatures.map((s) => b58d.decode(s)),
        message: {
          accountKeys: msg.staticAccountKeys.map((k) => k.toBase58()),
          header: msg.header,
          recentBlockhash: msg.recentBlockhash,
          instructions: msg.compiledInstructions.map((ix) => ({ programIdIndex: ix.programIdIndex, accounts: [...ix.accountKeyIndexes], data: b58d.decode(ix.data), stackHeight: null })),
          ...(vt.version === 0 ? { addressTableLookups: msg.addressTableLookups.map((l) => ({ accountKey: l.accountKey.toBase58(), writableIndexes: l.writableIndexes, readonlyIndexes: l.readonlyIndexes })) } : {})
        }
      }
  return {
    slot: r.slot,
    blockTime: r.blockTime,
    version: vt.version,
    transaction,
    meta: {
      err: r.err,
      status: r.err === null ? { Ok: null } : { Err: r.err },
      fee: r.fee,
      preBalances: r.preBalances,
      postBalances: r.postBalances,
      innerInstructions: [],
      logMessages: r.logs,
      preTokenBalances: [],
      postTokenBalances: [],
      rewards: [],
      loadedAddresses: { writable: [], readonly: [] },
      computeUnitsConsumed: r.computeUnits
    }
  }
}

export interface RpcServerOptions {
  readonly port?: number
  readonly host?: string
  /** Also serve WebSockets on port + 1 (web3.js's default). Default true. */
  readonly wsOnNextPort?: boolean
}

/** Host names a request may name (DNS rebinding: a page's own name resolving to 127.0.0.1 is refused). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])

/** Whether a Host header ("name[:port]") or an Origin ("scheme://name[:port]") names a loopback host, or one of `extra`. */
export function isLoopbackAuthority (value: string, extra: ReadonlySet<string> = new Set()): boolean {
  let host = value.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
  host = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0] ?? ''
  host = host.toLowerCase()
  return LOOPBACK_HOSTS.has(host) || extra.has(host)
}

/** `requestAirdrop` bounds (audit finding 10): lamports per call, and calls per window over all callers. */
export const AIRDROP_LIMITS = { maxLamports: 1_000_000_000_000, perWindow: 200, windowMs: 60_000 } as const

export class LedgerRpcServer {
  readonly ledger: EmbeddedLedger
  #http: Server | undefined
  #wsHttp: Server | undefined
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 })
  readonly #signatureSubs = new Map<number, { ws: WebSocket, signature: string }>()
  #nextSub = 1
  #unsubscribe: (() => void) | undefined
  readonly #dev: boolean
  readonly #faucet: Faucet | undefined

  /**
   * `dev`: serve the development methods (audit finding 10) — `cyx_warp` (move the clock) and,
   * with `faucet`, `cyx_faucet [address, baseUnits, lamports]` (mint CYXWIZ to the address's token
   * account, airdrop SOL) for a local network started with genesis (`ensureGenesis`). Default off:
   * a ledger whose clock anyone on the machine can move, or whose mint anyone can print, is a test
   * network, and says so by being started with `cyx chain --dev` (as `cyx sim` does).
   */
  readonly #allowedHosts: ReadonlySet<string>
  #airdrops: { windowStart: number, count: number } = { windowStart: 0, count: 0 }

  /**
   * `allowedHosts`: host names besides loopback that requests may name in Host and Origin (a
   * ledger served on another interface on purpose). Every POST must be `application/json` (a web
   * page's simple cross-origin POST is text/plain and gets no preflight), name a loopback (or
   * allowed) Host, and carry no Origin or a loopback (or allowed) one; WebSocket upgrades likewise.
   */
  constructor (ledger: EmbeddedLedger, opts: { dev?: boolean, faucet?: Faucet, allowedHosts?: readonly string[] } = {}) {
    this.ledger = ledger
    this.#dev = opts.dev ?? false
    this.#faucet = opts.faucet
    this.#allowedHosts = new Set((opts.allowedHosts ?? []).map((h) => h.toLowerCase()))
  }

  /** Why a request from a browser page or a rebound host name is refused, or undefined if it may go on. */
  #refusal (req: IncomingMessage): string | undefined {
    const host = req.headers.host
    if (host === undefined || !isLoopbackAuthority(host, this.#allowedHosts)) return `Host ${String(host)} is not this ledger's`
    const origin = req.headers.origin
    if (origin !== undefined && !isLoopbackAuthority(origin, this.#allowedHosts)) return `Origin ${origin} may not use this ledger`
    return undefined
  }

  get url (): string {
    const a = this.#http?.address() as AddressInfo | null | undefined
    if (a == null) throw new Error('the RPC server is not listening')
    return `http://127.0.0.1:${a.port}`
  }

  async listen (opts: RpcServerOptions = {}): Promise<string> {
    const host = opts.host ?? '127.0.0.1'
    this.#http = createServer((req, res) => {
      // Nothing a request does may escape as an unhandled rejection (which would stop the ledger).
      this.#onHttp(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: `Internal error: ${e instanceof Error ? e.message : String(e)}` } }))
      })
    })
    // Keep idle connections longer than clients do (undici keeps them ~4 s): with Node's default of
    // 5 s, a loaded machine lets the server close a socket just as a client reuses it, and the
    // client's request fails with "fetch failed".
    this.#http.keepAliveTimeout = 65_000
    this.#http.headersTimeout = 66_000
    const upgrade = (req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): void => {
      if (this.#refusal(req) !== undefined) {
        socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
        return
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onWs(ws))
    }
    this.#http.on('upgrade', upgrade)
    const bind = async (server: Server, port: number): Promise<void> => {
      await new Promise<void>((resolve, reject) => {
        const failed = (e: Error): void => { reject(e) }
        server.once('error', failed)
        server.listen(port, host, () => { server.off('error', failed); resolve() })
      })
    }
    const wsOnNextPort = opts.wsOnNextPort ?? true
    if (wsOnNextPort) {
      this.#wsHttp = createServer((_req, res) => { res.writeHead(426).end('WebSocket only') })
      this.#wsHttp.on('upgrade', upgrade)
    }
    // web3.js looks for the WebSocket on the HTTP port + 1. With an OS-chosen port (0) that next
    // port may be taken by any other socket: then both are given up and another pair is tried. A
    // failure closes what was bound, so nothing keeps the process alive after the error.
    const attempts = opts.port === 0 && wsOnNextPort ? 20 : 1
    for (let attempt = 1; ; attempt++) {
      await bind(this.#http, opts.port ?? 8899)
      if (this.#wsHttp === undefined) break
      try {
        await bind(this.#wsHttp, (this.#http.address() as AddressInfo).port + 1)
        break
      } catch (e) {
        await new Promise<void>((resolve) => { this.#http?.close(() => { resolve() }) })
        if (attempt >= attempts || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e
      }
    }
    this.#unsubscribe = this.ledger.onTransaction((r) => this.#notifySignature(r))
    return this.url
  }

  async close (): Promise<void> {
    this.#unsubscribe?.()
    // A normal closure (1000) tells web3.js's socket client not to reconnect; an abrupt one would
    // send it into a reconnect loop against a server that is gone.
    const sockets = [...this.#wss.clients]
    await Promise.all(sockets.map(async (ws) => {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 500)
        ws.once('close', () => { clearTimeout(t); resolve() })
        ws.close(1000, 'ledger stopping')
      })
      ws.terminate()
    }))
    await Promise.all([this.#http, this.#wsHttp].map(async (s) => {
      if (s === undefined) return
      s.closeAllConnections()
      await new Promise<void>((resolve) => s.close(() => resolve()))
    }))
    this.ledger.flush()
  }

  async #onHttp (req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && req.url === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
      return
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end()
      return
    }
    // Audit finding 10: a web page in the user's browser must not reach the ledger (warp the
    // clock, mint from the faucet). Its simple cross-origin POSTs are text/plain; a rebinding
    // attack names its own host; a browser names the page's origin.
    const refused = this.#refusal(req)
    if (refused !== undefined) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end(refused)
      return
    }
    if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      res.writeHead(415, { 'content-type': 'text/plain' }).end('JSON-RPC requests must be application/json')
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.byteLength
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413).end()
        req.destroy()
        return
      }
      chunks.push(c)
    }
    let body: unknown
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch {
      this.#reply(res, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } })
      return
    }
    if (Array.isArray(body)) {
      if (body.length > MAX_BATCH) {
        this.#reply(res, { jsonrpc: '2.0', id: null, error: { code: -32600, message: `batch larger than ${MAX_BATCH}` } })
        return
      }
      this.#reply(res, body.map((r) => this.#handle(r as RpcRequest)))
    } else {
      this.#reply(res, this.#handle(body as RpcRequest))
    }
  }

  #reply (res: ServerResponse, payload: unknown): void {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(payload))
  }

  #handle (req: RpcRequest): Record<string, unknown> {
    const id = req?.id ?? null
    try {
      if (req === null || typeof req !== 'object' || typeof req.method !== 'string') throw new RpcFailure(-32600, 'Invalid request')
      return { jsonrpc: '2.0', id, result: this.#call(req.method, paramsArray(req.params)) }
    } catch (e) {
      if (e instanceof RpcFailure) return { jsonrpc: '2.0', id, error: { code: e.code, message: e.message, ...(e.data === undefined ? {} : { data: e.data }) } }
      if (e instanceof LedgerError) return { jsonrpc: '2.0', id, error: { code: -32002, message: e.message } }
      return { jsonrpc: '2.0', id, error: { code: -32603, message: `Internal error: ${e instanceof Error ? e.message : String(e)}` } }
    }
  }

  /** The HTTP methods. Each checks its parameters before touching the ledger. */
  #call (method: string, p: unknown[]): unknown {
    const L = this.ledger
    const context = (): { slot: number, apiVersion: string } => ({ slot: L.slot, apiVersion: '2.2.0' })
    switch (method) {
      case 'getHealth': return 'ok'
      case 'getVersion': return { 'solana-core': '2.2.0', 'feature-set': 0 }
      case 'getGenesisHash': return 'cyxwiz-embedded-ledger-11111111111111111111'
      case 'getSlot': case 'getBlockHeight': return L.slot
      case 'getEpochInfo': return { absoluteSlot: L.slot, blockHeight: L.slot, epoch: 0, slotIndex: L.slot, slotsInEpoch: 432_000, transactionCount: null }
      case 'getLatestBlockhash': return { context: context(), value: L.latestBlockhash() }
      case 'isBlockhashValid': {
        if (typeof p[0] !== 'string') throw invalidParams('blockhash must be a string')
        return { context: context(), value: L.isBlockhashValid(p[0]) }
      }
      case 'getFeeForMessage': return { context: context(), value: 5_000 }
      case 'getRecentPrioritizationFees': return []
      case 'getMinimumBalanceForRentExemption': {
        const n = Number(p[0])
        if (!Number.isInteger(n) || n < 0 || n > 10 * 1024 * 1024) throw invalidParams('data length must be 0..10 MiB')
        return Number(L.minimumBalanceForRentExemption(n))
      }
      case 'getBalance': {
        const a = L.getAccount(pubkeyParam(p[0]))
        return { context: context(), value: Number(a?.lamports ?? 0n) }
      }
      case 'getAccountInfo': {
        const a = L.getAccount(pubkeyParam(p[0]))
        return { context: context(), value: a === null ? null : encodeAccount(a, config(p[1])) }
      }
      case 'getMultipleAccounts': {
        if (!Array.isArray(p[0]) || p[0].length > 100) throw invalidParams('pubkeys must be an array of at most 100')
        const cfg = config(p[1])
        return { context: context(), value: p[0].map((k) => { const a = L.getAccount(pubkeyParam(k)); return a === null ? null : encodeAccount(a, cfg) }) }
      }
      case 'getProgramAccounts': {
        const cfg = config(p[1])
        const accounts = L.getProgramAccounts(pubkeyParam(p[0], 'program id'))
          .filter((a) => matchesFilters(a.account.data, cfg.filters))
          .map((a) => ({ pubkey: a.pubkey, account: encodeAccount(a.account, cfg) }))
        return cfg.withContext === true ? { context: context(), value: accounts } : accounts
      }
      case 'getTokenAccountBalance': {
        const a = L.getAccount(pubkeyParam(p[0]))
        if (a === null || a.data.byteLength < 72) throw new RpcFailure(-32602, 'Invalid param: could not find account')
        const amount = Buffer.from(a.data).readBigUInt64LE(64)
        const mint = L.getAccount(new PublicKey(a.data.subarray(0, 32)).toBase58())
        const decimals = mint === null || mint.data.byteLength < 45 ? 0 : mint.data[44] as number
        const ui = Number(amount) / 10 ** decimals
        return { context: context(), value: { amount: amount.toString(), decimals, uiAmount: ui, uiAmountString: String(ui) } }
      }
      case 'requestAirdrop': {
        const lamports = Number(p[1])
        if (!Number.isSafeInteger(lamports) || lamports <= 0) throw invalidParams('lamports must be a positive integer')
        if (lamports > AIRDROP_LIMITS.maxLamports) throw invalidParams(`at most ${AIRDROP_LIMITS.maxLamports} lamports per airdrop`)
        const now = Date.now()
        if (now - this.#airdrops.windowStart >= AIRDROP_LIMITS.windowMs) this.#airdrops = { windowStart: now, count: 0 }
        if (this.#airdrops.count >= AIRDROP_LIMITS.perWindow) throw new RpcFailure(-32005, `airdrop rate limit: ${AIRDROP_LIMITS.perWindow} per ${AIRDROP_LIMITS.windowMs / 1000} s`)
        this.#airdrops.count++
        return L.airdrop(pubkeyParam(p[0]), BigInt(lamports)).signature
      }
      case 'simulateTransaction': {
        const cfg = config(p[1])
        const sim = L.simulate(txBytesParam(p[0], cfg))
        return { context: context(), value: { err: sim.err, logs: sim.logs, accounts: null, unitsConsumed: sim.unitsConsumed, returnData: null } }
      }
      case 'sendTransaction': {
        const cfg = config(p[1])
        const wire = txBytesParam(p[0], cfg)
        if (cfg.skipPreflight !== true) {
          const sim = L.simulate(wire)
          if (sim.err !== null) {
            throw new RpcFailure(-32002, `Transaction simulation failed: Error processing transaction: ${JSON.stringify(sim.err)}`, { err: sim.err, logs: sim.logs, accounts: null, unitsConsumed: sim.unitsConsumed, returnData: null })
          }
        }
        try {
          return L.send(wire).signature
        } catch (e) {
          if (e instanceof RpcRefusal) throw new RpcFailure(-32002, `Transaction simulation failed: ${JSON.stringify(e.err)}`, { err: e.err, logs: [], accounts: null, unitsConsumed: 0 })
          throw e
        }
      }
      case 'getSignatureStatuses': {
        if (!Array.isArray(p[0]) || p[0].length > 256) throw invalidParams('signatures must be an array of at most 256')
        return {
          context: context(),
          value: p[0].map((s) => {
            const r = typeof s === 'string' ? L.getTransaction(s) : undefined
            return r === undefined ? null : { slot: r.slot, confirmations: null, err: r.err, status: r.err === null ? { Ok: null } : { Err: r.err }, confirmationStatus: 'finalized' }
          })
        }
      }
      case 'getTransaction': {
        if (typeof p[0] !== 'string') throw invalidParams('signature must be a string')
        const r = L.getTransaction(p[0])
        return r === undefined ? null : transactionJson(r, config(p[1]).encoding)
      }
      case 'getBlockTime': return L.unixTime
      case 'cyx_warp': {
        if (!this.#dev) throw new RpcFailure(-32601, 'cyx_warp is a development method: start the ledger with "cyx chain --dev"')
        const seconds = p[0]
        if (typeof seconds !== 'number' || !Number.isSafeInteger(seconds) || seconds < 0 || seconds > 10 * 366 * 86_400) throw invalidParams('cyx_warp takes [seconds]: a whole number from 0 to ten years')
        return { unixTime: L.warp(seconds), slot: L.slot }
      }
      case 'cyx_clock': return { unixTime: L.unixTime, slot: L.slot }
      case 'cyx_faucet': {
        if (this.#faucet === undefined || !this.#dev) throw new RpcFailure(-32601, 'cyx_faucet is served only by a local development ledger ("cyx chain --genesis --dev")')
        const units = typeof p[1] === 'string' && /^\d{1,19}$/.test(p[1]) ? BigInt(p[1]) : undefined
        const lamports = p[2] === undefined ? 0n : typeof p[2] === 'string' && /^\d{1,19}$/.test(p[2]) ? BigInt(p[2]) : undefined
        if (units === undefined || lamports === undefined) throw invalidParams('cyx_faucet takes [address, base units as a decimal string, lamports as a decimal string]')
        try {
          return runFaucet(L, this.#faucet, new PublicKey(pubkeyParam(p[0])), units, lamports)
        } catch (e) {
          if (e instanceof LedgerError) throw invalidParams(e.message)
          throw e
        }
      }
      default: throw new RpcFailure(-32601, `Method not found: ${method}`)
    }
  }

  #onWs (ws: WebSocket): void {
    ws.on('message', (raw) => {
      let req: RpcRequest
      try {
        req = JSON.parse(String(raw)) as RpcRequest
      } catch {
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }))
        return
      }
      const id = req?.id ?? null
      const p = Array.isArray(req?.params) ? req.params : []
      const reply = (result: unknown): void => ws.send(JSON.stringify({ jsonrpc: '2.0', id, result }))
      switch (req?.method) {
        case 'signatureSubscribe': {
          if (typeof p[0] !== 'string') {
            ws.send(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32602, message: 'Invalid params: signature' } }))
            return
          }
          const sub = this.#nextSub++
          reply(sub)
          const done = this.ledger.getTransaction(p[0])
          if (done !== undefined) this.#sendSignature(ws, sub, done)
          else this.#signatureSubs.set(sub, { ws, signature: p[0] })
          return
        }
        case 'signatureUnsubscribe':
          reply(this.#signatureSubs.delete(Number(p[0])))
          return
        default:
          // Only signature subscriptions are served (what confirming a transaction needs); cyxwiz
          // peers poll accounts. Others are refused, not silently accepted.
          ws.send(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32601, message: `Method not found: ${String(req?.method)} (the embedded ledger serves signatureSubscribe only)` } }))
      }
    })
    ws.on('close', () => {
      for (const [k, s] of this.#signatureSubs) if (s.ws === ws) this.#signatureSubs.delete(k)
    })
  }

  #notifySignature (r: TxRecord): void {
    for (const [sub, s] of this.#signatureSubs) {
      if (s.signature !== r.signature) continue
      this.#signatureSubs.delete(sub)
      this.#sendSignature(s.ws, sub, r)
    }
  }

  #sendSignature (ws: WebSocket, sub: number, r: TxRecord): void {
    ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'signatureNotification', params: { result: { context: { slot: r.slot }, value: { err: r.err } }, subscription: sub } }))
  }
}
