/**
 * Job state machines, persisted in the peer's level database (`PeerStore.jobs`, key
 * `<role>/<job id hex>`), so a restarted peer knows where each of its jobs was. Every transition is
 * checked against the machine: a record never moves backwards or skips to a state it cannot reach.
 */
import { PublicKey } from '@solana/web3.js'
import { fromHex, isHex } from '../../protocols/index.js'
import type { JsonObject, PeerStore } from '../../storage/index.js'

/** `delivered`: the weights went to the client and the delivery is on-chain; `settled`: the escrow
 * is over (paid by proof or after the window, completed by the client, or decided by a dispute). */
export type WorkerJobState = 'accepted' | 'training' | 'delivered' | 'settled' | 'failed'
export type ClientJobState = 'announced' | 'awarded' | 'escrowed' | 'running' | 'delivered' | 'verified' | 'completed' | 'rejected' | 'failed' | 'cancelled'

const WORKER_NEXT: Record<WorkerJobState, readonly WorkerJobState[]> = {
  accepted: ['training', 'failed'],
  training: ['delivered', 'failed'],
  delivered: ['settled', 'failed'],
  settled: [],
  failed: []
}

const CLIENT_NEXT: Record<ClientJobState, readonly ClientJobState[]> = {
  announced: ['awarded', 'failed'],
  awarded: ['escrowed', 'failed'],
  escrowed: ['running', 'failed', 'cancelled'],
  running: ['delivered', 'failed', 'cancelled'],
  delivered: ['verified', 'rejected', 'failed', 'cancelled'],
  verified: ['completed', 'failed'],
  completed: [],
  rejected: ['cancelled'],
  // A failed job whose escrow is still funded can be cancelled (`cyx client cancel`).
  failed: ['cancelled'],
  cancelled: []
}

export interface JobRecord<S extends string> {
  readonly jobId: string
  readonly state: S
  /** Unix ms of the last transition. */
  readonly updatedAt: number
  /** Facts gathered along the way (addresses, amounts as decimal strings, hashes as hex). */
  readonly facts: Readonly<Record<string, string>>
  readonly error?: string
}

/**
 * An escrow address as a job record holds it: base58 (every record written now) or 64 hex digits
 * (worker records written before the two were made one); a 32-byte key is 43 or 44 base58
 * characters, never 64, so the two never collide. Undefined when absent or malformed. Reading
 * both is what let the worker's records move to base58 with no migration.
 */
export function escrowFact (text: string | undefined): PublicKey | undefined {
  if (text === undefined) return undefined
  if (isHex(text, 32)) return new PublicKey(fromHex(text))
  if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(text)) return undefined
  try {
    const key = new PublicKey(text)
    return key.toBase58() === text ? key : undefined
  } catch {
    return undefined
  }
}

export class IllegalTransitionError extends Error {
  constructor (jobId: string, from: string, to: string) {
    super(`job ${jobId}: ${from} → ${to} is not a transition of its state machine`)
    this.name = 'IllegalTransitionError'
  }
}

/** One role's jobs in the store (or only in memory when the peer runs without a data dir). */
export class JobBook<S extends string> {
  readonly #role: 'worker' | 'client'
  readonly #next: Record<S, readonly S[]>
  readonly #store: Pick<PeerStore, 'jobs'> | undefined
  readonly #memory = new Map<string, JobRecord<S>>()

  private constructor (role: 'worker' | 'client', next: Record<S, readonly S[]>, store: Pick<PeerStore, 'jobs'> | undefined) {
    this.#role = role
    this.#next = next
    this.#store = store
  }

  static worker (store?: Pick<PeerStore, 'jobs'>): JobBook<WorkerJobState> {
    return new JobBook<WorkerJobState>('worker', WORKER_NEXT, store)
  }

  static client (store?: Pick<PeerStore, 'jobs'>): JobBook<ClientJobState> {
    return new JobBook<ClientJobState>('client', CLIENT_NEXT, store)
  }

  #key (jobId: string): string {
    return `${this.#role}/${jobId}`
  }

  async get (jobId: string): Promise<JobRecord<S> | undefined> {
    if (this.#store === undefined) return this.#memory.get(jobId)
    const v = await this.#store.jobs.get(this.#key(jobId))
    return v === undefined ? undefined : v as unknown as JobRecord<S>
  }

  /** Every job of this role, finished or not. */
  async all (): Promise<Array<JobRecord<S>>> {
    if (this.#store === undefined) return [...this.#memory.values()]
    const r: Array<JobRecord<S>> = []
    for await (const [, v] of this.#store.jobs.entries(`${this.#role}/`)) r.push(v as unknown as JobRecord<S>)
    return r
  }

  /** Jobs not in a final state: where a restarted peer picks up. */
  async unfinished (): Promise<Array<JobRecord<S>>> {
    const out: Array<JobRecord<S>> = []
    const all = await this.all()
    // Final: nothing follows, or only a cancellation (a failed or rejected job is over; its escrow
    // may still be cancelled by hand).
    for (const r of all) if (this.#next[r.state].some((s) => s !== 'cancelled')) out.push(r)
    return out
  }

  async #put (r: JobRecord<S>): Promise<void> {
    if (this.#store === undefined) this.#memory.set(r.jobId, r)
    else await this.#store.jobs.put(this.#key(r.jobId), r as unknown as JsonObject)
  }

  /** Opens a job's record in its first state; a job id is opened once. */
  async open (jobId: string, state: S, facts: Record<string, string> = {}): Promise<JobRecord<S>> {
    if (await this.get(jobId) !== undefined) throw new Error(`job ${jobId} already has a ${this.#role} record`)
    const r: JobRecord<S> = { jobId, state, updatedAt: Date.now(), facts }
    await this.#put(r)
    return r
  }

  /** Adds facts to a job's record without changing its state (e.g. a session's retry count). */
  async note (jobId: string, facts: Record<string, string>): Promise<JobRecord<S>> {
    const r = await this.get(jobId)
    if (r === undefined) throw new Error(`job ${jobId} has no ${this.#role} record`)
    const next: JobRecord<S> = { ...r, updatedAt: Date.now(), facts: { ...r.facts, ...facts } }
    await this.#put(next)
    return next
  }

  async transition (jobId: string, to: S, facts: Record<string, string> = {}, error?: string): Promise<JobRecord<S>> {
    const r = await this.get(jobId)
    if (r === undefined) throw new Error(`job ${jobId} has no ${this.#role} record`)
    if (!this.#next[r.state].includes(to)) throw new IllegalTransitionError(jobId, r.state, to)
    const next: JobRecord<S> = { jobId, state: to, updatedAt: Date.now(), facts: { ...r.facts, ...facts }, ...(error === undefined ? {} : { error }) }
    await this.#put(next)
    return next
  }
}
