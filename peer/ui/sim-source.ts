/**
 * The live page's source for `cyx sim --ui`: a `SimObserver` (peer/sim/run.ts) that turns what the
 * run tells it into `UiEvent`s on a feed, and after each ledger transaction re-reads, from the
 * ledger this process holds, every known token balance, the workers' Node accounts and each job's
 * escrow. It only reads: it never sends a transaction (a missing token account is 0, not created).
 */
import { logger } from '@libp2p/logger'
import { mkdir, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { PublicKey } from '@solana/web3.js'
import { getAccount } from '@solana/spl-token'
import { CYXWIZ_PROGRAM_ID, DISPUTE_STATE, ESCROW_STATE, NODE_STATUS, SIDE, decodeDispute, disputePda, vaultPda } from '../../chain/index.js'
import { PROOF, UNITS_PER_TOKEN, formatTokens, reputationTier, toHex } from '../../protocols/index.js'
import { readNode } from '../roles/index.js'
import { readEscrow, warpPast, type LocalNetwork, type SimObserver, type SimPeer, type SimReport, type SimJobOutcome, type SimJob } from '../sim/index.js'
import { plain, type ActionName, type NodeStanding, type UiEvent } from './events.js'
import type { UiFeed } from './feed.js'
import { ActionError, type UiActions } from './server.js'
import { instructionNames, tokenBalanceOf } from './ledger-view.js'
import { parsePageAction, type PageAction } from './actions.js'

const log = logger('cyx:ui:sim')

const nameOf = (table: Record<string, number>, v: number): string => Object.entries(table).find(([, x]) => x === v)?.[0] ?? String(v)
const DECIMALS = UNITS_PER_TOKEN.toString().length - 1
/** The page's job form, as the CLI's `client submit` flags (same names, strings). */
export interface SubmitValues {
  dataset?: string
  epochs?: string
  'max-price'?: string
  tier?: string
  'bid-window'?: string
  model?: string
  data?: string
  loss?: string
  optimizer?: string
  lr?: string
  batch?: string
  'label-column'?: string
}

/** What the page may do in a sim: check a model, quote and submit a job (the CLI's own checks,
 * given by the caller: `cyx client submit`'s `submitRequest`, so that peer/ui needs no CLI). */
export interface SimActionOptions {
  readonly submitRequest: (values: SubmitValues) => Promise<{ readonly datasetId: string, readonly tier: string, readonly epochs: number, readonly maxPrice: bigint, readonly bidWindowMs: number, readonly clientModel?: Record<string, unknown> }>
}

/** An uploaded file's name, kept to what a file name may safely hold (its extension says its format). */
const safeName = (n: unknown, fallback: string): string => {
  const b = typeof n === 'string' ? basename(n).replace(/[^\w.-]/g, '_').slice(-100) : ''
  return b === '' || b.startsWith('.') ? fallback : b
}

/** How often each peer is asked for its libp2p connections, ms. */
const CONNECTIONS_MS = 2_000

/** Re-reading the chain after a burst of transactions: once, this long after the first of them. */
const REFRESH_DELAY_MS = 150

export class SimUiSource {
  readonly #feed: UiFeed
  readonly #actions: readonly ActionName[]
  #net: LocalNetwork | undefined
  readonly #wallets = new Map<string, PublicKey>()
  readonly #workers = new Set<string>()
  readonly #escrows = new Map<string, string>()
  readonly #models = new Map<string, string>()
  readonly #peers = new Map<string, SimPeer>()
  /** Workers' prices set from the page since they started (base units per hour). */
  readonly #prices = new Map<string, bigint>()
  #unsubscribe: (() => void) | undefined
  #refreshing: Promise<void> = Promise.resolve()
  #timer: NodeJS.Timeout | undefined
  readonly #submitRequest: SimActionOptions['submitRequest'] | undefined
  /** The run's report is out: the page may now add jobs (before, they would upset its reconciliation). */
  #reported = false
  #closed = false
  #connectionsTimer: NodeJS.Timeout | undefined
  readonly #lastConnections = new Map<string, string>()
  readonly #lastDisputes = new Map<string, string>()
  #pageJobs = 0
  #uploads = 0

  constructor (feed: UiFeed, o?: SimActionOptions) {
    this.#feed = feed
    this.#submitRequest = o?.submitRequest
    this.#actions = o === undefined ? [] : ['check', 'quote', 'submit', 'cancel', 'rate', 'dispute', 'pause', 'price']
  }

  /** The running peers by name (the client's, for the page's actions). */
  running (name: string): SimPeer | undefined {
    return this.#peers.get(name)
  }

  get feed (): UiFeed {
    return this.#feed
  }

  /** What the page may do here: check, quote and submit a job; cancel, rate or dispute one; pause or price a worker; download a client-model job's trained file. */
  get actions (): UiActions {
    return {
      names: this.#actions,
      run: async (name, body) => await this.#act(name, body),
      modelFile: (jobId) => this.#models.get(jobId)
    }
  }

  network (net: LocalNetwork): void {
    this.#net = net
    this.#push({ type: 'hello', mode: 'sim', title: 'cyx sim', rpc: net.rpcUrl, programId: CYXWIZ_PROGRAM_ID.toBase58(), mint: net.mint.toBase58(), decimals: DECIMALS, actions: this.#actions })
    this.#unsubscribe = net.ledger.onTransaction((r) => {
      if (r.tx === null) return
      this.#push({ type: 'tx', signature: r.signature, slot: r.slot, instructions: instructionNames(r.tx), computeUnits: r.computeUnits, ok: r.err === null, error: r.err === null ? null : JSON.stringify(r.err) })
      this.#soon()
    })
  }

  readonly peerStarted = (p: SimPeer): void => {
    this.#peers.set(p.name, p)
    this.#connectionsTimer ??= setTimeout(() => { this.#pollConnections() }, CONNECTIONS_MS)
    this.#wallets.set(p.name, p.wallet)
    if (p.plan.role === 'worker') this.#workers.add(p.name)
    const w = p.plan.worker as { pricePerHour?: bigint, capacity?: number } | undefined
    this.#push({ type: 'peer', name: p.name, role: p.plan.role, peerId: p.peerId, addrs: p.addrs, wallet: p.wallet.toBase58(), pid: p.pid, pricePerHour: w?.pricePerHour === undefined ? null : String(w.pricePerHour), capacity: w?.capacity ?? null })
    this.#soon()
  }

  event (peer: string, e: unknown): void {
    const c = e as { type?: unknown, pricePerHour?: unknown }
    if (c.type === 'control' && typeof c.pricePerHour === 'bigint') this.#prices.set(peer, c.pricePerHour)
    this.#push({ type: 'worker', name: peer, event: plain(e) as Extract<UiEvent, { type: 'worker' }>['event'] })
  }

  submit (job: SimJob, via: 'run' | 'page' = 'run'): void {
    const r = job.request
    this.#push({ type: 'submit', job: job.name, datasetId: r.datasetId, tier: typeof r.tier === 'string' ? r.tier : 'optimistic', epochs: r.epochs, maxPrice: String(r.maxPrice), via })
  }

  job (job: string, e: unknown): void {
    const ev = e as { type: string, escrow?: unknown }
    if (ev.type === 'award' && typeof ev.escrow === 'string') {
      this.#escrows.set(job, ev.escrow)
      this.#soon()
    }
    this.#push({ type: 'job', job, event: plain(e) as Extract<UiEvent, { type: 'job' }>['event'] })
  }

  outcome (job: string, o: SimJobOutcome | undefined, error: string | null): void {
    const file = o?.trainedModel?.file ?? null
    if (o !== undefined && file !== null) this.#models.set(o.jobId, file)
    this.#push({ type: 'outcome', job, jobId: o?.jobId ?? null, state: o?.state ?? 'failed', error, model: file !== null, testAccuracy: o?.trainedModel?.testAccuracy ?? null })
    this.#soon()
  }

  /** The run's report: the chain read once more (so the page ends on the report's numbers), then it. */
  async report (r: SimReport, lingerSeconds: number): Promise<void> {
    await this.refresh()
    const balances: Record<string, string> = {}
    for (const [k, b] of Object.entries(r.balances)) balances[k] = b.after
    this.#push({ type: 'report', ok: r.ok, checks: r.checks, balances })
    this.#push({ type: 'end', lingerSeconds })
    this.#reported = true
  }

  async #act (name: ActionName, body: unknown): Promise<unknown> {
    if (typeof body !== 'object' || body === null) throw new ActionError('send a JSON object')
    const b = body as Record<string, unknown>
    if (name === 'check') return await this.#check(b)
    if (name === 'quote') return await this.#quote(b)
    if (name === 'submit') return await this.#submit(b)
    if (!this.#actions.includes(name)) throw new ActionError(`the action "${name}" is not available in cyx sim`)
    return await this.#peerAction(name, parsePageAction(name, b))
  }

  /**
   * The client's cancel, rate or dispute (on the sim's client peer), or a worker's pause or price:
   * run by the peer's own role (`SimPeer.act`), as `cyx client cancel|rate` and `cyx worker
   * pause|price` run them. Moving money waits for the report, as submitting does; pausing and
   * pricing move none and may come at any time.
   */
  async #peerAction (name: ActionName, a: PageAction): Promise<unknown> {
    if (a.kind === 'control') {
      const w = a.worker === undefined ? undefined : this.#peers.get(a.worker)
      if (w === undefined || w.plan.role !== 'worker') throw new ActionError(`no running worker ${JSON.stringify(a.worker ?? '')}: name one of ${[...this.#workers].join(', ')}`)
      const done = await this.#run(name, async () => await w.act(a)) as { paused: boolean, pricePerHour: bigint }
      this.#push({ type: 'action', action: name, ok: true, message: `${a.worker}: ${done.paused ? 'paused' : 'bidding'} at ${formatTokens(done.pricePerHour)} CYXWIZ/h` })
      return plain(done)
    }
    if (!this.#reported) throw new ActionError('wait for the run\'s report: a cancel, rating or dispute during the run would change the balances it reconciles')
    const client = this.#peers.get('client')
    if (client === undefined) throw new ActionError('the sim has no client peer')
    const done = await this.#run(name, async () => await client.act(a))
    this.#push({ type: 'action', action: name, ok: true, message: `${name} ${a.jobId.slice(0, 12)}…: done (${String((done as { signature?: string }).signature ?? '')})` })
    this.#soon()
    return plain(done)
  }

  /** A peer's answer, or its error as the person should read it (said on the feed too). */
  async #run (name: ActionName, fn: () => Promise<unknown>): Promise<unknown> {
    try {
      return await fn()
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e)
      this.#push({ type: 'action', action: name, ok: false, message })
      throw new ActionError(message)
    }
  }

  /** `cyx model check` on an uploaded model: the same check and report. */
  async #check (b: Record<string, unknown>): Promise<unknown> {
    if (typeof b.model !== 'string' || b.model === '') throw new ActionError('choose an ONNX model file to check')
    const { checkModel, formatModelReport, ModelCheckError } = await import('../train/index.js')
    try {
      const report = checkModel(Buffer.from(b.model, 'base64'), { batch: typeof b.batch === 'number' ? b.batch : 32 })
      return { supported: report.supported, text: formatModelReport(report) }
    } catch (e) {
      if (e instanceof ModelCheckError) return { supported: false, text: e.message }
      throw new ActionError(`not an ONNX model: ${(e as Error).message}`)
    }
  }

  /** The form's values as the CLI takes them, uploaded files written into the run's dir. */
  async #values (b: Record<string, unknown>): Promise<SubmitValues> {
    const net = this.#net
    if (net === undefined) throw new ActionError('the network is not up yet')
    const v: SubmitValues = {}
    const keys = ['dataset', 'epochs', 'max-price', 'tier', 'bid-window', 'loss', 'optimizer', 'lr', 'batch', 'label-column'] as const
    for (const k of keys) {
      const x = b[k]
      if (typeof x === 'string' && x.trim() !== '') v[k] = x.trim()
    }
    for (const k of ['model', 'data'] as const) {
      const f = b[k] as { name?: unknown, base64?: unknown } | undefined
      if (f === undefined || f === null) continue
      if (typeof f.base64 !== 'string') throw new ActionError(`the ${k} file did not arrive`)
      const dir = join(net.dir, 'page-uploads', String(++this.#uploads))
      await mkdir(dir, { recursive: true })
      const file = join(dir, safeName(f.name, k === 'model' ? 'model.onnx' : 'data.npz'))
      await writeFile(file, Buffer.from(f.base64, 'base64'))
      v[k] = file
    }
    return v
  }

  async #request (b: Record<string, unknown>): Promise<Awaited<ReturnType<SimActionOptions['submitRequest']>>> {
    if (this.#submitRequest === undefined) throw new ActionError('no job can be submitted here')
    try {
      return await this.#submitRequest(await this.#values(b))
    } catch (e) {
      // The CLI's own errors name its flags; the form's fields carry the same names.
      throw new ActionError((e as Error).message)
    }
  }

  /** What the job would cost at most, what the client holds, and what the workers ask. */
  async #quote (b: Record<string, unknown>): Promise<unknown> {
    const r = await this.#request(b)
    const net = this.#net as LocalNetwork
    const client = this.#peers.get('client')
    const balance = client === undefined ? 0n : await tokenBalanceOf(net.connection, net.mint, client.wallet)
    const asks = [...this.#peers.values()].filter((p) => p.plan.role === 'worker').map((p) => ({ worker: p.name, pricePerHour: String(this.#prices.get(p.name) ?? (p.plan.worker as { pricePerHour?: bigint } | undefined)?.pricePerHour ?? 0n) }))
    return { datasetId: r.datasetId, tier: r.tier, epochs: r.epochs, maxPrice: String(r.maxPrice), clientBalance: String(balance), affordable: balance >= r.maxPrice, asks, bidWindowSeconds: r.bidWindowMs / 1000 }
  }

  /** Submits the job through the sim's client peer (the role `cyx client submit` runs); answers at once. */
  async #submit (b: Record<string, unknown>): Promise<unknown> {
    if (!this.#reported) throw new ActionError('wait for the run\'s report: a job added during the run would change the balances it reconciles')
    const r = await this.#request(b)
    const client = this.#peers.get('client')
    const net = this.#net as LocalNetwork
    if (client === undefined) throw new ActionError('the sim has no client peer')
    const balance = await tokenBalanceOf(net.connection, net.mint, client.wallet)
    if (balance < r.maxPrice) throw new ActionError(`the client holds ${balance} base units, less than the max price ${r.maxPrice}`)
    const name = `page-${++this.#pageJobs}`
    const request = { ...r, ...(r.clientModel === undefined ? {} : { modelOutDir: join(net.dir, 'models') }) }
    this.submit({ name, request }, 'page')
    this.#push({ type: 'action', action: 'submit', ok: true, message: `${name}: submitted` })
    const settle = (client.plan.client as { settle?: string } | undefined)?.settle
    client.submit(request, (e) => { this.job(name, e) }).then(async (o) => {
      this.outcome(name, o, null)
      // As the run does: an optimistic job the client let run is paid once the challenge window
      // has passed; the sim passes it by warping the ledger clock, and the winner claims.
      if (o.tier === 'optimistic' && o.state === 'verified' && settle === 'window') {
        const e = await readEscrow(net, new PublicKey(o.escrow))
        warpPast(net, e.deliveredAt + BigInt(PROOF.challengeWindowSeconds))
        this.#soon()
      }
    }, (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err)
      this.outcome(name, undefined, message)
      this.#push({ type: 'action', action: 'submit', ok: false, message: `${name}: ${message}` })
    }).catch((err: unknown) => { log.error('after the page\'s job %s: %e', name, err) })
    return { job: name }
  }

  /** Asks every running peer for its connections, pushes those that changed, and again later. */
  #pollConnections (): void {
    const peers = [...this.#peers.values()]
    Promise.all(peers.map(async (p) => {
      try {
        const connections = await p.connections()
        const key = JSON.stringify(connections)
        if (this.#lastConnections.get(p.name) === key) return
        this.#lastConnections.set(p.name, key)
        this.#push({ type: 'connections', name: p.name, connections })
      } catch (err) {
        log('%s did not say its connections: %e', p.name, err)
      }
    })).finally(() => {
      if (this.#closed) return
      this.#connectionsTimer = setTimeout(() => { this.#pollConnections() }, CONNECTIONS_MS)
    }).catch((err: unknown) => { log.error('asking for connections failed: %e', err) })
  }

  /** Stops listening to the ledger and asking the peers. */
  close (): void {
    this.#closed = true
    if (this.#connectionsTimer !== undefined) clearTimeout(this.#connectionsTimer)
    this.#unsubscribe?.()
    if (this.#timer !== undefined) clearTimeout(this.#timer)
  }

  /** The observer as `runSimulation` takes it. */
  get observer (): SimObserver {
    return {
      network: (net) => { this.network(net) },
      peer: this.peerStarted,
      event: (peer, e) => { this.event(peer, e) },
      submit: (job) => { this.submit(job) },
      job: (job, e) => { this.job(job, e) },
      outcome: (job, o, error) => { this.outcome(job, o, error) }
    }
  }

  #push (e: UiEvent): void {
    this.#feed.push(e)
  }

  #soon (): void {
    if (this.#timer !== undefined || this.#net === undefined) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.refresh().catch((err: unknown) => { log.error('reading the chain for the page failed: %e', err) })
    }, REFRESH_DELAY_MS)
  }

  /** Balances, Node accounts and escrows read again (one read at a time, in order). */
  async refresh (): Promise<void> {
    const next = this.#refreshing.then(async () => { await this.#read() })
    this.#refreshing = next.catch((err: unknown) => { log('a chain read failed: %e', err) })
    await next
  }

  async #read (): Promise<void> {
    const net = this.#net
    if (net === undefined) return
    const c = net.connection
    const balances: Record<string, string> = {}
    for (const [name, wallet] of this.#wallets) balances[name] = String(await tokenBalanceOf(c, net.mint, wallet))
    for (const v of ['platform', 'insurance', 'stake'] as const) {
      balances[v] = String(await getAccount(c, vaultPda(CYXWIZ_PROGRAM_ID, v).address, 'confirmed').then((a) => a.amount, () => 0n))
    }
    this.#push({ type: 'balances', balances })
    const nodes: Record<string, NodeStanding> = {}
    for (const name of this.#workers) {
      const n = await readNode(c, this.#wallets.get(name) as PublicKey)
      if (n === undefined) continue
      nodes[name] = { stake: String(n.stake), reputation: n.reputation, tier: reputationTier(n.reputation).name, jobsCompleted: n.jobsCompleted, jobsFailed: n.jobsFailed, status: nameOf(NODE_STATUS, n.status) }
    }
    this.#push({ type: 'nodes', nodes })
    for (const [job, address] of this.#escrows) {
      const e = await readEscrow(net, new PublicKey(address))
      const worker = [...this.#wallets].find(([, w]) => w.equals(e.worker))?.[0] ?? e.worker.toBase58()
      const anchored = e.epochsDone === e.epochsTotal && e.epochsTotal > 0
      this.#push({ type: 'escrow', job, address, state: nameOf(ESCROW_STATE, e.state), amount: String(e.amount), worker, epochsDone: e.epochsDone, epochsTotal: e.epochsTotal, anchoredRoot: anchored ? toHex(e.progressRoot) : null })
      // A dispute on this escrow, while its account lives (close_dispute removes it; the page keeps the last seen).
      const dispute = disputePda(CYXWIZ_PROGRAM_ID, new PublicKey(address)).address
      const info = await c.getAccountInfo(dispute, 'confirmed')
      if (info !== null && info.owner.equals(CYXWIZ_PROGRAM_ID)) {
        const d = decodeDispute(info.data)
        const resolved = d.state !== DISPUTE_STATE.open
        const event: UiEvent = { type: 'dispute', job, address: dispute.toBase58(), escrow: address, state: nameOf(DISPUTE_STATE, d.state), votesClient: String(d.votesClient), votesWorker: String(d.votesWorker), voters: d.revealed, round: d.round, winner: !resolved ? null : d.winner === SIDE.client ? 'client' : d.winner === SIDE.worker ? 'worker' : d.winner === SIDE.unavailable ? 'unavailable' : 'none' }
        const key = JSON.stringify(event)
        if (this.#lastDisputes.get(address) !== key) { this.#lastDisputes.set(address, key); this.#push(event) }
      }
    }
  }
}
