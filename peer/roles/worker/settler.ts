/**
 * The worker's settler: a delivered job's escrow seen to its end in the background, one settlement
 * per job. zk tier: the worker draws its challenge, proves the step and is paid by `complete_zk`;
 * optimistic: it claims the payment once the challenge window has passed undisputed; either may end
 * by someone else's hand (the client's complete, a dispute, a refund). A failed settlement is tried
 * again after `retryMs`, 2 × `retryMs`, … up to `tries` attempts in all: an RPC outage passes; a
 * proof that cannot be made fails the same way each time, and the deadline's slash ends it.
 */
import type { PublicKey } from '@solana/web3.js'
import type { JobBook, WorkerJobState } from '../jobs.js'
import type { AnchoredCheckpoints, SettleOptions, SettleResult } from '../settlement.js'
import { workerFactsOf } from './facts.js'
import type { WorkerEmit } from './types.js'

export interface SettlerComponents {
  readonly jobs: JobBook<WorkerJobState>
  /** The anchored leaves and root of the (local) evidence. */
  anchoredCheckpoints: (evidenceCid: string, tier: 'zk') => Promise<AnchoredCheckpoints>
  /** zk: draw, prove, `complete_zk` (or the escrow ended otherwise). */
  proveAndComplete: (escrow: PublicKey, cps: AnchoredCheckpoints, weightsHash: Uint8Array, o: SettleOptions) => Promise<SettleResult>
  /** Optimistic: `claim_payment` after the window (or the escrow ended otherwise). */
  claimAfterWindow: (escrow: PublicKey, o: SettleOptions) => Promise<SettleResult>
  /** Moves a job to a state and says so. */
  transition: (jobId: string, state: WorkerJobState) => Promise<void>
  /** Re-reads the worker's stake and reputation (they changed with the payment). */
  refresh: () => Promise<void>
  /** Schedules `fn` after `ms` (unref'd: a pending retry never keeps the process alive). */
  later: (fn: () => void, ms: number) => void
}

export interface SettlerOptions {
  /** How often the escrow is polled while settling, ms. */
  readonly pollMs: number
  /** Attempts in all, and the pause before the second (then twice that, …). */
  readonly tries: number
  readonly retryMs: number
  /** Aborted when the worker stops: a settlement then stays `delivered`, for a restart to finish. */
  readonly signal: AbortSignal
}

export class Settler {
  readonly #c: SettlerComponents
  readonly #o: SettlerOptions
  readonly #emit: WorkerEmit
  /** Checkpoints read at the anchor, by job id (a restarted worker reads them again). */
  readonly #anchored: Map<string, AnchoredCheckpoints>
  readonly #running = new Map<string, Promise<void>>()
  readonly #tries = new Map<string, number>()

  constructor (c: SettlerComponents, o: SettlerOptions, emit: WorkerEmit, anchored: Map<string, AnchoredCheckpoints>) {
    this.#c = c
    this.#o = o
    this.#emit = emit
    this.#anchored = anchored
  }

  /** Settlements in flight. */
  inFlight (): Array<Promise<void>> {
    return [...this.#running.values()]
  }

  /** Settles `jobId` in the background if it is delivered and not already being settled. */
  settle (jobId: string): void {
    if (this.#running.has(jobId)) return
    const run = this.#once(jobId).catch((e: unknown) => {
      // Stopping is not a failure: the record stays `delivered` and a restart settles it.
      if (this.#o.signal.aborted) return
      this.#emit({ type: 'settlement-failed', jobId, error: e instanceof Error ? e.message : String(e) })
      const tries = (this.#tries.get(jobId) ?? 0) + 1
      this.#tries.set(jobId, tries)
      if (tries < this.#o.tries) this.#c.later(() => { if (!this.#o.signal.aborted) this.settle(jobId) }, this.#o.retryMs * tries)
    }).finally(() => { this.#running.delete(jobId) })
    this.#running.set(jobId, run)
  }

  async #once (jobId: string): Promise<void> {
    const c = this.#c
    const r = await c.jobs.get(jobId)
    if (r?.state !== 'delivered') return
    const f = workerFactsOf(r.facts)
    if (f.escrow === undefined) throw new Error(`job ${jobId}: the record names no escrow`)
    const o: SettleOptions = { pollMs: this.#o.pollMs, signal: this.#o.signal, onChallenge: (step: number) => { this.#emit({ type: 'challenge', jobId, step }) } }
    let result: SettleResult
    if (f.tier === 'zk') {
      const cps = this.#anchored.get(jobId) ?? await c.anchoredCheckpoints(f.evidenceCid ?? '', 'zk')
      result = await c.proveAndComplete(f.escrow, cps, f.weightsHash ?? new Uint8Array(0), o)
    } else {
      result = await c.claimAfterWindow(f.escrow, o)
    }
    this.#anchored.delete(jobId)
    this.#tries.delete(jobId)
    await c.transition(jobId, 'settled')
    await c.jobs.note(jobId, settledFacts(result))
    this.#emit({ type: 'settled', jobId, ...result })
    await c.refresh()
  }
}

/** What a settlement adds to the job's record. */
export function settledFacts (result: SettleResult): Record<string, string> {
  const facts: Record<string, string> = { settledBy: result.how }
  if (result.how !== 'ended') facts.settleSignature = result.signature
  if (result.how === 'ended') facts.escrowState = String(result.escrowState)
  if (result.how === 'proved' && result.challengeStep !== undefined) facts.challengeStep = String(result.challengeStep)
  return facts
}
