/**
 * Step 5's companion: evidence flows while training, not only at the end (issue 17). Each checkpoint
 * notice names an interim manifest covering the run so far; the client fetches its blocks from the
 * worker as notices arrive, checks the manifest is the one the notice describes (this job's spec,
 * as many checkpoints as the notice's epoch, the notice's chain head), pins it and lets go of the
 * one before, and announces it in the DHT. So the work lives on two peers before delivery: a worker
 * that dies leaves its checkpoints behind, and the final check fetches only the last segment.
 *
 * Latest wins: one fetch runs at a time; notices that arrive meanwhile replace each other, since the
 * newest manifest covers every earlier checkpoint. The session's end lets the fetch under way finish
 * rather than aborting it, and the delivery's check starts after it: Helia's bitswap (3.x/4.x) keeps
 * one want per block for all its callers, and one caller's abort cancels the want for every caller
 * waiting on it, and for a caller that wants the block again before the cancel is sent — the
 * check's fetch of the same blocks would then wait for nothing until its timeout (seen in the sim:
 * an honest worker's evidence "unavailable" and the worker disputed). Keeping is best effort: a notice without a CID, a
 * fetch that fails or a manifest that does not match is logged and counted, never the job's failure
 * (the delivery's check decides; what the worker sent is evidence of its own).
 */
import { logger } from '@libp2p/logger'
import type { PeerId } from '@libp2p/interface'
import { toHex, type wire } from '../../../protocols/index.js'
import type { EvidenceFetch } from '../../evidence/index.js'
import type { Emit } from './types.js'

const log = logger('cyx:client:keeper')
/** How long after a failed fetch its bitswap cancels are given to go out (Helia debounces them by milliseconds). */
const CANCEL_FLUSH_MS = 500
/**
 * Least time from one fetch's start to the next's: a run with many short segments (the zk tier's
 * step checkpoints) is kept every couple of seconds, not once per segment — each keep re-reads the
 * run so far from the local store and pins it, which is work on the client's cores.
 */
export const KEEP_INTERVAL_MS = 2_000

/** What an interim manifest says about itself (read from this peer's blockstore, validated). */
export interface InterimSummary {
  readonly specHash: Uint8Array
  readonly checkpoints: number
  /** The chain head H_E: the last checkpoint's chain hash. */
  readonly head: Uint8Array
}

export interface KeeperComponents {
  /** Every block of evidence `cid`, from `holder` (or any provider), into this peer's blockstore. */
  fetchEvidence: (cid: string, holder: PeerId, o: { signal: AbortSignal, attempts?: number }) => Promise<EvidenceFetch>
  /** The manifest at `cid`, from this peer's blockstore only. */
  readInterim: (cid: string) => Promise<InterimSummary>
  pin: (cid: string) => Promise<void>
  unpin: (cid: string) => Promise<void>
  /** Announces in the DHT that this peer holds `cid` (best effort). */
  provide: (cid: string) => Promise<void>
}

export interface KeptCheckpoint { readonly epoch: number, readonly cid: string, readonly blocks: number, readonly bytes: number }

export interface CheckpointKeeper {
  /** A checkpoint notice arrived (returns at once). */
  offer: (notice: wire.CheckpointNotice) => void
  /**
   * Stops taking notices, lets the fetch under way end (never aborts it: see the module header), and
   * says what is kept.
   */
  settle: () => Promise<{ readonly kept: KeptCheckpoint | undefined, readonly failures: number }>
}

/** Why an interim manifest is not the one the notice describes (undefined: it is). */
export function interimMismatch (s: InterimSummary, notice: Pick<wire.CheckpointNotice, 'epoch' | 'chainHash'>, specHash: Uint8Array): string | undefined {
  if (toHex(s.specHash) !== toHex(specHash)) return 'it is for another spec'
  if (s.checkpoints !== notice.epoch) return `it covers ${s.checkpoints} checkpoints, the notice says ${notice.epoch}`
  if (toHex(s.head) !== toHex(notice.chainHash)) return 'its chain head is not the notice\'s'
  return undefined
}

/** Keeps the worker's checkpoints of one job as their notices arrive (see the module header). */
export function keepCheckpoints (c: KeeperComponents, r: { readonly worker: PeerId, readonly specHash: Uint8Array, readonly signal?: AbortSignal, readonly fetchTimeoutMs?: number, readonly intervalMs?: number }, emit: Emit): CheckpointKeeper {
  let pending: wire.CheckpointNotice | undefined
  let running: Promise<void> | undefined
  let kept: KeptCheckpoint | undefined
  let failures = 0
  let closed = false
  let lastFailed = false
  /** Ends the pause between fetches early (settle). */
  let wake: (() => void) | undefined

  const keep = async (notice: wire.CheckpointNotice): Promise<void> => {
    if (kept !== undefined && notice.epoch <= kept.epoch) return
    const timeout = AbortSignal.timeout(r.fetchTimeoutMs ?? 60_000)
    const signal = r.signal === undefined ? timeout : AbortSignal.any([r.signal, timeout])
    // One attempt: the next notice is the retry, and the delivery's check retries in earnest.
    const got = await c.fetchEvidence(notice.cid, r.worker, { signal, attempts: 1 })
    if (got.status !== 'fetched') throw new Error(`checkpoint ${notice.epoch} (${notice.cid}) is not available: ${got.reasons.at(-1) ?? 'no reason'}`)
    const mismatch = interimMismatch(await c.readInterim(notice.cid), notice, r.specHash)
    if (mismatch !== undefined) throw new Error(`checkpoint ${notice.epoch}'s manifest ${notice.cid} does not match its notice: ${mismatch}`)
    await c.pin(notice.cid)
    const before = kept
    kept = { epoch: notice.epoch, cid: notice.cid, blocks: got.blocks, bytes: got.bytes }
    if (before !== undefined && before.cid !== notice.cid) await c.unpin(before.cid)
    emit({ type: 'checkpoint-kept', ...kept })
    c.provide(notice.cid).catch((e: unknown) => { log('announcing %s failed: %s', notice.cid, e instanceof Error ? e.message : e) })
  }

  const drain = async (): Promise<void> => {
    while (pending !== undefined && r.signal?.aborted !== true) {
      const next = pending
      pending = undefined
      const started = Date.now()
      try {
        lastFailed = false
        await keep(next)
      } catch (e) {
        lastFailed = true
        failures++
        log('keeping checkpoint %d failed: %s', next.epoch, e instanceof Error ? e.message : e)
      }
      const wait = (r.intervalMs ?? KEEP_INTERVAL_MS) - (Date.now() - started)
      if (pending !== undefined && wait > 0 && !closed) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait)
          wake = () => { clearTimeout(timer); resolve() }
        })
        wake = undefined
      }
    }
    running = undefined
  }

  return {
    offer: (notice) => {
      if (closed || notice.cid === '') return
      if (pending === undefined || notice.epoch > pending.epoch) pending = notice
      running ??= drain()
    },
    settle: async () => {
      closed = true
      pending = undefined
      wake?.()
      await running
      // A fetch that just timed out left its wants cancelled but not yet sent: let that go out
      // before the check wants the same blocks anew (module header).
      if (lastFailed) await new Promise((resolve) => setTimeout(resolve, CANCEL_FLUSH_MS))
      return { kept, failures }
    }
  }
}
