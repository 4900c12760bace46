/**
 * Per-epoch anchoring, for the no-progress timeout (docs/security.md, "The no-progress timeout"): an
 * accepted escrow whose worker anchors nothing for `ESCROW.noProgressTimeoutSeconds` before its
 * final epoch may be refunded with the timeout slash, so the worker anchors its progress on-chain
 * (`anchor_progress`) after every checkpoint, as training goes.
 *
 * Training never waits for it: each checkpoint only records what to anchor, and one background
 * loop per job sends the anchors one at a time. When several checkpoints arrive while an anchor is
 * in flight, only the latest is sent (it supersedes the others on-chain). A failed anchor is logged
 * and tried again after a pause, unless a newer checkpoint replaced it meanwhile. The final epoch
 * is not anchored here: `finish` stops the loop, waits for the anchor in flight, and the runner's
 * final anchor (the Merkle root settlement checks) follows.
 */
import { logger } from '@libp2p/logger'
import type { PublicKey } from '@solana/web3.js'
import { JobReplacedError } from '../settlement.js'
import type { WorkerEmit } from './types.js'

const log = logger('cyx:worker:progress')

export interface ProgressComponents {
  /** `anchor_progress(epoch, root)` for `escrow`; undefined when nothing had to be sent. */
  anchorProgress: (escrow: PublicKey, epoch: number, root: Uint8Array) => Promise<string | undefined>
  /** The root anchored at an intermediate epoch, from that checkpoint's chain hash. */
  rootAt: (chainHash: Uint8Array) => Uint8Array
}

export interface ProgressOptions {
  /** The pause before a failed anchor is tried again, ms (default 5 s, doubled up to 8 times that). */
  readonly retryMs?: number
}

interface Pending {
  readonly epoch: number
  readonly chainHash: Uint8Array
}

interface JobAnchors {
  readonly escrow: PublicKey
  /** The latest checkpoint not yet anchored. */
  pending?: Pending
  /** The loop sending anchors, while one runs. */
  running?: Promise<void>
  /** Aborted by `finish`: no more anchors, a pause ends at once. */
  readonly closed: AbortController
  /** Transactions sent for this job's intermediate epochs. */
  sent: number
}

export class ProgressAnchors {
  readonly #c: ProgressComponents
  readonly #emit: WorkerEmit
  readonly #retryMs: number
  readonly #jobs = new Map<string, JobAnchors>()

  constructor (c: ProgressComponents, emit: WorkerEmit, o: ProgressOptions = {}) {
    this.#c = c
    this.#emit = emit
    this.#retryMs = o.retryMs ?? 5_000
  }

  /** Checkpoint `epoch` of `jobId` is stored: anchor it, in the background. */
  checkpoint (jobId: string, escrow: PublicKey, epoch: number, chainHash: Uint8Array): void {
    let j = this.#jobs.get(jobId)
    if (j === undefined) {
      j = { escrow, closed: new AbortController(), sent: 0 }
      this.#jobs.set(jobId, j)
    }
    if (j.closed.signal.aborted) return
    if (j.pending === undefined || epoch > j.pending.epoch) j.pending = { epoch, chainHash: Uint8Array.from(chainHash) }
    if (j.running === undefined) this.#start(jobId, j)
  }

  /**
   * No more anchors for `jobId`: what is pending is dropped (the final anchor supersedes it), the
   * anchor in flight is waited for. Resolves with the transactions sent for its intermediate epochs.
   */
  async finish (jobId: string): Promise<number> {
    const j = this.#jobs.get(jobId)
    if (j === undefined) return 0
    j.closed.abort()
    delete j.pending
    await j.running
    this.#jobs.delete(jobId)
    return j.sent
  }

  /** The loops still running (the worker's stop waits for them). */
  inFlight (): Array<Promise<void>> {
    return [...this.#jobs.values()].flatMap((j) => j.running === undefined ? [] : [j.running])
  }

  #start (jobId: string, j: JobAnchors): void {
    j.running = this.#loop(jobId, j).finally(() => {
      j.running = undefined
      // A checkpoint that came as the loop was ending.
      if (j.pending !== undefined && !j.closed.signal.aborted) this.#start(jobId, j)
    })
  }

  async #loop (jobId: string, j: JobAnchors): Promise<void> {
    let failures = 0
    // Runs on from a microtask, so `running` is set before anything here can finish.
    await Promise.resolve()
    while (j.pending !== undefined && !j.closed.signal.aborted) {
      const next = j.pending
      delete j.pending
      try {
        const signature = await this.#c.anchorProgress(j.escrow, next.epoch, this.#c.rootAt(next.chainHash))
        failures = 0
        if (signature !== undefined) {
          j.sent++
          this.#emit({ type: 'progress-anchored', jobId, epoch: next.epoch, signature, transactions: j.sent })
        }
      } catch (e) {
        if (e instanceof JobReplacedError) {
          // Handed over to another worker: nothing of this job is anchored by this one any more.
          log('job %s: %s', jobId, e.message)
          this.#emit({ type: 'replaced', jobId, escrow: e.escrow, by: e.by })
          j.closed.abort()
          delete j.pending
          return
        }
        failures++
        const error = e instanceof Error ? e.message : String(e)
        log.error('anchoring checkpoint %d of job %s failed (attempt %d): %s', next.epoch, jobId, failures, error)
        this.#emit({ type: 'progress-anchor-failed', jobId, epoch: next.epoch, error })
        // Tried again after a pause, unless a newer checkpoint came meanwhile (it is anchored instead).
        j.pending ??= next
        await pause(this.#retryMs * 2 ** Math.min(failures - 1, 3), j.closed.signal)
      }
    }
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
async function pause (ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return
  await new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    timer.unref()
    signal.addEventListener('abort', done, { once: true })
  })
}
