/**
 * The live page's source for `cyx ui`: the local peer's data dir (a client's and a worker's job
 * records, its wallet's address, the worker's control file) and the chain it uses, read every
 * `intervalMs` and pushed to the feed when something changed (the page itself never polls: it is
 * told over Server-Sent Events). The peer store is opened for one read and closed again at once
 * (as `cyx client status` does), so a running `cyx client` or `cyx worker` on the same dir is not
 * held up.
 *
 * Its actions (`actions`) are the CLI's verbs on the same dir: cancel, rate and dispute a client
 * job (peer/roles/client/actions.ts, signed with DIR's wallet, as `cyx client cancel|rate` do), and
 * pause, resume or price the worker running on DIR (its control file, as `cyx worker
 * pause|resume|price` do). Nothing else is ever signed or sent.
 */
import { logger } from '@libp2p/logger'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Keypair, PublicKey, type Connection } from '@solana/web3.js'
import { CYXWIZ_PROGRAM_ID, ESCROW_STATE, NODE_STATUS, decodeEscrow } from '../../chain/index.js'
import { reputationTier, toHex } from '../../protocols/index.js'
import { openPeerStore } from '../../storage/index.js'
import { cancelJob, dirActionComponents, disputeJob, rateJob, readConfig, readNode, readWorkerControl, updateWorkerControl } from '../roles/index.js'
import { formatTokens } from '../../protocols/index.js'
import type { ActionName, UiEvent } from './events.js'
import type { UiFeed } from './feed.js'
import { tokenBalanceOf } from './ledger-view.js'
import { parsePageAction } from './actions.js'
import { ActionError, type UiActions } from './server.js'

const ACTIONS: readonly ActionName[] = ['cancel', 'rate', 'dispute', 'pause', 'price']

const log = logger('cyx:ui:local')
const nameOf = (table: Record<string, number>, v: number): string => Object.entries(table).find(([, x]) => x === v)?.[0] ?? String(v)

export interface LocalSourceOptions {
  readonly dir: string
  readonly rpc: string
  readonly connection: Connection
  /** How often the dir and the chain are read again, ms (default 2000). */
  readonly intervalMs?: number
}

interface Rec { jobId: string, state: string, facts: Readonly<Record<string, string>>, error?: string }

export class LocalUiSource {
  readonly #feed: UiFeed
  readonly #o: LocalSourceOptions
  /** The last event pushed under each key: pushed again only when it changed. */
  readonly #last = new Map<string, string>()
  readonly #states = new Map<string, string[]>()
  #timer: NodeJS.Timeout | undefined
  #stopped = false

  constructor (feed: UiFeed, o: LocalSourceOptions) {
    this.#feed = feed
    this.#o = o
  }

  async start (): Promise<void> {
    let mint = ''
    let decimals = 9
    try {
      const c = await readConfig(this.#o.connection)
      mint = c.mint.toBase58()
      decimals = c.mintDecimals
    } catch (e) {
      this.#feed.push({ type: 'log', line: `the chain at ${this.#o.rpc} did not answer (${(e as Error).message}): balances and escrows are not shown until it does` })
    }
    this.#feed.push({ type: 'hello', mode: 'local', title: `cyx ui: ${this.#o.dir}`, rpc: this.#o.rpc, programId: CYXWIZ_PROGRAM_ID.toBase58(), mint, decimals, actions: ACTIONS })
    await this.read()
    const tick = (): void => {
      this.#timer = setTimeout(() => {
        this.read().catch((err: unknown) => { log.error('reading %s failed: %e', this.#o.dir, err) }).finally(() => { if (!this.#stopped) tick() })
      }, this.#o.intervalMs ?? 2_000)
    }
    tick()
  }

  stop (): void {
    this.#stopped = true
    if (this.#timer !== undefined) clearTimeout(this.#timer)
  }

  /** What the page may do here: the CLI's verbs on this dir (see the header). */
  get actions (): UiActions {
    return {
      names: ACTIONS,
      run: async (name, body) => await this.#act(name, body),
      modelFile: () => undefined
    }
  }

  async #act (name: ActionName, body: unknown): Promise<unknown> {
    const a = parsePageAction(name, body)
    let result: unknown
    try {
      if (a.kind === 'control') {
        if (a.worker !== undefined && a.worker !== 'this peer') throw new ActionError(`this page controls the worker on ${this.#o.dir} only, not ${a.worker}`)
        const c = await updateWorkerControl(this.#o.dir, a)
        result = { paused: c.paused, pricePerHour: String(c.pricePerHour) }
        this.#feed.push({ type: 'action', action: name, ok: true, message: `the worker on ${this.#o.dir}: ${c.paused ? 'paused' : 'bidding'} at ${formatTokens(c.pricePerHour)} CYXWIZ/h (it applies this within a second)` })
      } else {
        const c = await dirActionComponents(this.#o.dir, this.#o.connection)
        const done = a.kind === 'cancel' ? await cancelJob(c, a.jobId) : a.kind === 'rate' ? await rateJob(c, a.jobId, a.stars) : await disputeJob(c, a.jobId)
        result = done
        this.#feed.push({ type: 'action', action: name, ok: true, message: `${name} ${a.jobId.slice(0, 12)}…: done (${done.signature})` })
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e)
      this.#feed.push({ type: 'action', action: name, ok: false, message })
      throw e instanceof ActionError ? e : new ActionError(message)
    }
    await this.read().catch((err: unknown) => { log.error('reading %s after an action failed: %e', this.#o.dir, err) })
    return result
  }

  #push (key: string, e: UiEvent): void {
    const s = JSON.stringify(e)
    if (this.#last.get(key) === s) return
    this.#last.set(key, s)
    this.#feed.push(e)
  }

  async #records (): Promise<{ client: Rec[], worker: Rec[] }> {
    const store = await openPeerStore(this.#o.dir)
    try {
      const all = async (prefix: string): Promise<Rec[]> => {
        const out: Rec[] = []
        for await (const [, v] of store.jobs.entries(prefix)) out.push(v as unknown as Rec)
        return out
      }
      return { client: await all('client/'), worker: await all('worker/') }
    } finally {
      await store.close()
    }
  }

  async #wallet (): Promise<PublicKey | undefined> {
    try {
      const secret = JSON.parse(await readFile(join(this.#o.dir, 'wallet.json'), 'utf8')) as number[]
      return Keypair.fromSecretKey(Uint8Array.from(secret)).publicKey
    } catch {
      return undefined
    }
  }

  /** One read of the dir and the chain. */
  async read (): Promise<void> {
    const c = this.#o.connection
    const { client, worker } = await this.#records()
    const wallet = await this.#wallet()
    // The worker's control file: paused or not, its price (what `cyx worker pause|price` set).
    const control = await readWorkerControl(this.#o.dir).catch((err: unknown) => { log('the control file of %s does not parse: %e', this.#o.dir, err); return undefined })
    const isWorker = worker.length > 0 || control !== undefined
    const role = client.length > 0 && isWorker ? 'client and worker' : isWorker ? 'worker' : 'client'
    this.#push('peer', { type: 'peer', name: 'this peer', role, peerId: '', addrs: [], wallet: wallet?.toBase58() ?? '', pid: process.pid, pricePerHour: control === undefined ? null : String(control.pricePerHour), capacity: null })
    for (const r of client) {
      const job = r.jobId.slice(0, 12)
      const f = r.facts
      this.#push(`submit/${r.jobId}`, { type: 'submit', job, datasetId: f.datasetId ?? '?', tier: f.tier ?? 'optimistic', epochs: Number(f.epochs ?? 0), maxPrice: f.maxPrice ?? f.price ?? '0', via: 'run' })
      const seen = this.#states.get(r.jobId) ?? []
      if (seen[seen.length - 1] !== r.state) {
        seen.push(r.state)
        this.#states.set(r.jobId, seen)
        this.#feed.push({ type: 'job', job, event: { type: 'state', state: r.state, jobId: r.jobId } })
      }
      if (f.escrow !== undefined) {
        try {
          const info = await c.getAccountInfo(new PublicKey(f.escrow), 'confirmed')
          if (info !== null) {
            const e = decodeEscrow(info.data)
            const anchored = e.epochsDone === e.epochsTotal && e.epochsTotal > 0
            this.#push(`escrow/${r.jobId}`, { type: 'escrow', job, address: f.escrow, state: nameOf(ESCROW_STATE, e.state), amount: String(e.amount), worker: e.worker.toBase58(), epochsDone: e.epochsDone, epochsTotal: e.epochsTotal, anchoredRoot: anchored ? toHex(e.progressRoot) : null })
          }
        } catch (err) {
          log('the escrow of %s could not be read: %e', r.jobId, err)
        }
      }
      if (r.error !== undefined) this.#push(`outcome/${r.jobId}`, { type: 'outcome', job, jobId: r.jobId, state: r.state, error: r.error, model: false, testAccuracy: null })
    }
    for (const r of worker) this.#push(`worker/${r.jobId}/${r.state}`, { type: 'worker', name: 'this peer', event: { type: 'job', jobId: r.jobId, state: r.state } })
    if (control !== undefined) this.#push('control', { type: 'worker', name: 'this peer', event: { type: 'control', paused: control.paused, pricePerHour: String(control.pricePerHour) } })
    if (wallet !== undefined) {
      try {
        const cfg = await readConfig(c)
        this.#push('balances', { type: 'balances', balances: { 'this peer': String(await tokenBalanceOf(c, cfg.mint, wallet)) } })
        const n = await readNode(c, wallet)
        if (n !== undefined) this.#push('nodes', { type: 'nodes', nodes: { 'this peer': { stake: String(n.stake), reputation: n.reputation, tier: reputationTier(n.reputation).name, jobsCompleted: n.jobsCompleted, jobsFailed: n.jobsFailed, status: nameOf(NODE_STATUS, n.status) } } })
      } catch (err) {
        log('the chain did not answer: %e', err)
      }
    }
  }
}
