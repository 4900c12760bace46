/**
 * `cyx sim`'s side of its peers: a `SimPeer` handle per peer, the only way the run talks to them,
 * with the same interface and the same line protocol (peer/sim/host.ts) in both modes:
 * - `processes` (default): the peer is a child OS process of the same `cyx` binary (the hidden
 *   `cyx sim-peer` command), lines over its stdin/stdout; `kill` is a real SIGKILL;
 * - `in-process`: the same `PeerHost` runs in this process, lines over an in-memory channel
 *   (encoded and decoded exactly as between processes); `kill` stops its role and node at once,
 *   without a goodbye (no `stopped` line) — as close to a SIGKILL as one process allows.
 */
import { logger } from '@libp2p/logger'
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { PublicKey, type TransactionInstruction } from '@solana/web3.js'
import type { ClientJobEvent, JobOutcome } from '../roles/index.js'
import { LINE_PREFIX, decode, encode } from './codec.js'
import { PeerHost, instructionJson, type HostCommand, type HostMessage, type PeerAction, type PeerConnection, type PeerPlan, type ReviewRequest, type ReviewResult } from './host.js'

const log = logger('cyx:sim:peer')

export type PeerMode = 'processes' | 'in-process'

/** The `cyx` binary the child processes run. */
export const CYX_BIN = fileURLToPath(new URL('../cli/cyx.mjs', import.meta.url))

/** A job's outcome as the client's host reports it: `JobOutcome` less the delivered weights. */
/**
 * A job's outcome as the client's peer reports it: without the weights (their hash stays), and a
 * client model's trained file as the path the client wrote it to (`modelOutDir` of the request).
 */
export type SimJobOutcome = Omit<JobOutcome, 'session' | 'trainedModel'> & {
  readonly session: Omit<JobOutcome['session'], 'weights'>
  readonly trainedModel?: Omit<NonNullable<JobOutcome['trainedModel']>, 'bytes'> & { readonly file: string | null }
}

interface Channel {
  write: (line: string) => void
  onLine: (fn: (line: string) => void) => void
  /** Resolves when the peer is gone (the process exited; the in-process host stopped). */
  readonly closed: Promise<void>
  /** The OS process id (this process's own in-process). */
  readonly pid: number
  /** SIGKILL (processes); an abrupt stop (in-process). */
  kill: () => Promise<void>
  /** Last resort after a stop that did not finish in time. */
  forceKill: () => void
}

function processChannel (name: string, noise: (line: string) => void): Channel {
  const child: ChildProcess = spawn(process.execPath, [CYX_BIN, 'sim-peer'], { stdio: ['pipe', 'pipe', 'pipe'] })
  const closed = new Promise<void>((resolve) => { child.once('exit', () => { resolve() }) })
  const listeners: Array<(line: string) => void> = []
  createInterface({ input: child.stdout! }).on('line', (l) => {
    if (l.startsWith(LINE_PREFIX)) for (const fn of listeners) fn(l.slice(LINE_PREFIX.length))
    else if (l.trim() !== '') noise(`${name}: ${l}`)
  })
  createInterface({ input: child.stderr! }).on('line', (l) => { if (l.trim() !== '') noise(`${name} (stderr): ${l}`) })
  child.stdin!.on('error', (err) => { log('%s: stdin closed: %e', name, err) })
  child.once('error', (e) => { noise(`${name}: ${e.message}`) })
  return {
    write: (line) => { if (child.exitCode === null && child.stdin!.writable) child.stdin!.write(line + '\n') },
    onLine: (fn) => { listeners.push(fn) },
    closed,
    pid: child.pid ?? -1,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await closed
    },
    forceKill: () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') }
  }
}

function memoryChannel (): Channel {
  const listeners: Array<(line: string) => void> = []
  let killed = false
  // Lines cross asynchronously, as through a pipe.
  const host = new PeerHost((line) => { if (!killed) setImmediate(() => { for (const fn of listeners) fn(line) }) })
  return {
    write: (line) => { setImmediate(() => { host.receive(line) }) },
    onLine: (fn) => { listeners.push(fn) },
    closed: host.done,
    pid: process.pid,
    kill: async () => {
      killed = true
      await host.stop()
    },
    forceKill: () => {
      killed = true
      host.stop().catch((err: unknown) => { log('stopping a killed peer failed: %e', err) })
    }
  }
}

export interface StartOptions {
  /** Lines a peer process printed outside the protocol (warnings), prefixed by its name. */
  readonly noise?: (line: string) => void
  readonly timeoutMs?: number
  readonly onEvent?: (e: unknown) => void
}

/** A peer booting: its process started (loading the code takes seconds) and waiting for its plan. */
export interface BootedPeer {
  start: (plan: PeerPlan, o?: StartOptions) => Promise<SimPeer>
  /** Ends it unstarted. */
  discard: () => void
}

/**
 * Boots a peer before its plan is known, so that its process loads the code while the ledger and
 * the wallets are being set up (in-process: nothing to load, the host is created on the spot).
 */
export function bootPeer (name: string, mode: PeerMode, noise: (line: string) => void = () => {}): BootedPeer {
  const channel = mode === 'processes' ? processChannel(name, noise) : memoryChannel()
  return {
    start: async (plan, o = {}) => await SimPeer.begin(channel, plan, mode, o),
    discard: () => { channel.forceKill() }
  }
}

/** One peer of the run, whichever mode it runs in. */
export class SimPeer {
  readonly plan: PeerPlan
  readonly mode: PeerMode
  readonly peerId: string
  readonly addrs: readonly string[]
  readonly wallet: PublicKey
  readonly pid: number
  /** For a worker: the unfinished jobs its job book held on disk when it started. */
  readonly unfinished: ReadonlyArray<{ readonly jobId: string, readonly state: string }>
  readonly #channel: Channel
  readonly #pending = new Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void, progress?: (e: unknown) => void }>()
  readonly #events: Array<(e: unknown) => void> = []
  #nextId = 1
  #stopped = false
  #gone = false

  private constructor (plan: PeerPlan, mode: PeerMode, channel: Channel, ready: Extract<HostMessage, { type: 'ready' }>) {
    this.plan = plan
    this.mode = mode
    this.#channel = channel
    this.peerId = ready.peerId
    this.addrs = ready.addrs
    this.wallet = new PublicKey(ready.wallet)
    this.pid = ready.pid
    this.unfinished = ready.unfinished
  }

  get name (): string {
    return this.plan.name
  }

  /** Starts a peer from its plan and resolves once it is ready (its role started). */
  static async start (plan: PeerPlan, mode: PeerMode, o: StartOptions = {}): Promise<SimPeer> {
    return await bootPeer(plan.name, mode, o.noise).start(plan, o)
  }

  /** @internal `BootedPeer.start`: the plan goes down a channel already open. */
  static async begin (channel: Channel, plan: PeerPlan, mode: PeerMode, o: StartOptions): Promise<SimPeer> {
    let peer: SimPeer | undefined
    const early: unknown[] = []
    const ready = await new Promise<Extract<HostMessage, { type: 'ready' }>>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`${plan.name} did not start within ${(o.timeoutMs ?? 300_000) / 1000} s`)) }, o.timeoutMs ?? 300_000)
      channel.onLine((line) => {
        let m: HostMessage
        try { m = decode<HostMessage>(line) } catch { return }
        if (peer !== undefined) { peer.#receive(m); return }
        if (m.type === 'ready') { clearTimeout(timer); resolve(m) } else if (m.type === 'failed') { clearTimeout(timer); reject(new Error(`${plan.name} could not start: ${m.error.message}`)) } else if (m.type === 'event') early.push(m.event)
      })
      channel.closed.then(() => { clearTimeout(timer); reject(new Error(`${plan.name} exited before it was ready`)) }, () => {})
      channel.write(encode({ cmd: 'start', plan } satisfies HostCommand))
    }).catch(async (e: unknown) => {
      channel.forceKill()
      throw e
    })
    peer = new SimPeer(plan, mode, channel, ready)
    if (o.onEvent !== undefined) peer.onEvent(o.onEvent)
    for (const e of early) peer.#emit(e)
    channel.closed.then(() => { peer.#closed() }, () => {})
    return peer
  }

  #emit (e: unknown): void {
    for (const fn of this.#events) {
      try { fn(e) } catch { /* an observer's failure is not the peer's */ }
    }
  }

  #receive (m: HostMessage): void {
    if (m.type === 'event') this.#emit(m.event)
    else if (m.type === 'progress') this.#pending.get(m.id)?.progress?.(m.event)
    else if (m.type === 'reply') {
      const p = this.#pending.get(m.id)
      this.#pending.delete(m.id)
      if (m.ok) p?.resolve(m.value)
      else p?.reject(m.error)
    } else if (m.type === 'stopped') this.#stopped = true
  }

  #closed (): void {
    this.#gone = true
    for (const p of this.#pending.values()) p.reject(new Error(`${this.name} is gone`))
    this.#pending.clear()
  }

  /** The role's own events (a worker's `WorkerEvent`s), decoded with their types intact. */
  onEvent (fn: (e: unknown) => void): () => void {
    this.#events.push(fn)
    return () => { const i = this.#events.indexOf(fn); if (i >= 0) this.#events.splice(i, 1) }
  }

  async #request<T> (command: Record<string, unknown>, progress?: (e: unknown) => void): Promise<T> {
    if (this.#gone) throw new Error(`${this.name} is gone`)
    const id = this.#nextId++
    return await new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, ...(progress === undefined ? {} : { progress }) })
      this.#channel.write(encode({ ...command, id }))
    })
  }

  /** The client runs a job request (as `Client.submit` takes it, less `onProgress`). */
  async submit (job: Readonly<Record<string, unknown>>, onProgress?: (e: ClientJobEvent) => void): Promise<SimJobOutcome> {
    return await this.#request<SimJobOutcome>({ cmd: 'submit', job }, onProgress as ((e: unknown) => void) | undefined)
  }

  /** The peer signs `ixs` with its wallet and sends them; resolves with the signature. */
  async send (ixs: TransactionInstruction[]): Promise<string> {
    return await this.#request<string>({ cmd: 'send', instructions: ixs.map(instructionJson) })
  }

  /** A juror's review of evidence (fetch over bitswap, re-run spot checks). */
  async review (r: ReviewRequest): Promise<ReviewResult> {
    return await this.#request<ReviewResult>({ cmd: 'review', ...r })
  }

  /** The client's cancel/rate/dispute or the worker's pause/price, run by the peer's role. */
  async act (action: PeerAction): Promise<unknown> {
    return await this.#request<unknown>({ cmd: 'act', action })
  }

  /** The peer's libp2p connections now. */
  async connections (): Promise<PeerConnection[]> {
    return await this.#request<PeerConnection[]>({ cmd: 'connections' })
  }

  /** Stops the peer cleanly (role, node, stores); a peer that does not stop within `graceMs` is killed. */
  async stop (graceMs = 15_000): Promise<void> {
    this.#channel.write(encode({ cmd: 'stop' } satisfies HostCommand))
    const timer = setTimeout(() => { this.#channel.forceKill() }, graceMs)
    await this.#channel.closed
    clearTimeout(timer)
  }

  /** Whether it said `stopped` before it went (a clean stop). */
  get stoppedCleanly (): boolean {
    return this.#stopped
  }

  /** Kills it: SIGKILL of its process (in-process: its role and node stop at once, unannounced). */
  async kill (): Promise<void> {
    await this.#channel.kill()
  }

  /** Starts it again from its plan (the same dir, wallet and peer key), with `changes`. */
  async restart (changes: Partial<PeerPlan>, o: StartOptions = {}): Promise<SimPeer> {
    return await SimPeer.start({ ...this.plan, ...changes }, this.mode, o)
  }
}
