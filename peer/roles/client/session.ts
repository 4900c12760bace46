/**
 * Step 5 of a job's life: the job protocol with the winner (award, dataset, live progress, weights
 * checked against their hash), resumed while it keeps going away: a dropped stream, a worker
 * restarting (its node down, then back on the same key, perhaps on another port) or an idle timeout
 * is retried with the same award, re-signed so it is fresh, within the resume window; the worker
 * answers from its job record and resumes training from its last checkpoint. A refusal (Error
 * frame) or bad bytes from the worker end the job at once.
 *
 * The metrics and checkpoint frames a session reports are kept for the outcome, the most recent
 * `PEER_MEMORY.maxSessionFrames` of each (issue 15 finding 12: a worker cannot grow the client's
 * memory by sending frames); each is emitted as it arrives.
 */
import type { PeerId } from '@libp2p/interface'
import { PEER_MEMORY, TIMEOUTS, wire } from '../../../protocols/index.js'
import { JobRefusedError, type JobSessionOptions, type JobSessionResult } from '../../job/index.js'
import type { Emit } from './types.js'

export interface SessionComponents {
  /** One job session with `worker` (peer/job `runJobSession`). */
  runJobSession: (worker: PeerId, o: JobSessionOptions) => Promise<JobSessionResult>
  /** The award signed by the client's wallet, issued now (each attempt is signed afresh). */
  signAward: (award: wire.Award) => Uint8Array
  /** Whether the client is connected to `peer` now. */
  isConnected: (peer: PeerId) => boolean
  /** Looks up `peer`'s current addresses (its advert in the DHT) so the next dial can reach it. */
  refreshAddresses: (peer: PeerId, o: { signal: AbortSignal }) => Promise<void>
  /** Records that the session is on its `attempt`-th try (in the job's record). */
  noteAttempt: (attempt: number) => Promise<void>
  /** Local ms (the resume window's clock) and a pause. */
  now: () => number
  sleep: (ms: number) => Promise<void>
}

export interface SessionRequest {
  readonly worker: PeerId
  readonly award: wire.Award
  /** The dataset as the session streams it (`JobSessionOptions.dataset`). */
  readonly datasetBytes: Uint8Array | readonly Uint8Array[]
  /** How long a session that went away is retried, ms (default 120 s). */
  readonly resumeWindowMs?: number
  /**
   * Failover (failover.ts): asked after each failed attempt whether the worker stalled on-chain too;
   * true ends the session with a `WorkerStalledError` to hand the job over. With it, the session is
   * retried past the resume window for as long as the worker is not stalled (it may still be
   * anchoring its progress, unreachable from here).
   */
  readonly stalled?: () => Promise<Error | undefined>
  /** Most frames of each kind kept for the outcome (default PEER_MEMORY.maxSessionFrames). */
  readonly maxFrames?: number
  readonly signal?: AbortSignal
}

/** Appends `x`, dropping the oldest beyond `max`: the frames kept are the latest. */
export function keepLatest<T> (kept: T[], x: T, max: number): void {
  kept.push(x)
  if (kept.length > max) kept.splice(0, kept.length - max)
}

/** Whether a failed session is worth another attempt: not a refusal, not bad bytes, not a stop. */
export function resumable (e: unknown, signal: AbortSignal | undefined): boolean {
  return !(e instanceof JobRefusedError) && !wire.isWireError(e) && signal?.aborted !== true
}

export async function runSession (c: SessionComponents, r: SessionRequest, emit: Emit): Promise<JobSessionResult> {
  const deadline = c.now() + (r.resumeWindowMs ?? 120_000)
  const max = r.maxFrames ?? PEER_MEMORY.maxSessionFrames
  const metrics: wire.Metrics[] = []
  const checkpoints: wire.CheckpointNotice[] = []
  for (let attempt = 1; ; attempt++) {
    try {
      const session = await c.runJobSession(r.worker, {
        signedAward: c.signAward(r.award),
        dataset: r.datasetBytes,
        onMetrics: (m) => { keepLatest(metrics, m, max); emit({ type: 'metrics', metrics: m }) },
        onCheckpoint: (cp) => { keepLatest(checkpoints, cp, max); emit({ type: 'checkpoint', checkpoint: cp }) },
        ...(r.signal === undefined ? {} : { signal: r.signal })
      })
      return { ...session, metrics, checkpoints }
    } catch (e) {
      if (!resumable(e, r.signal)) throw e
      const stalled = await r.stalled?.()
      if (stalled !== undefined) throw stalled
      if (c.now() >= deadline && r.stalled === undefined) throw e
      await c.noteAttempt(attempt + 1)
      emit({ type: 'reconnecting', attempt: attempt + 1, error: e instanceof Error ? e.message : String(e) })
      await c.sleep(1_000)
      // A restarted worker may listen elsewhere: its advert in the DHT carries its addresses now.
      if (!c.isConnected(r.worker)) await c.refreshAddresses(r.worker, { signal: AbortSignal.timeout(TIMEOUTS.dhtLookupMs) })
    }
  }
}
