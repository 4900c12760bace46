/**
 * Fetching evidence by CID from whoever has it, and telling "nobody served it" apart from "what was
 * served is bad" (issue 17). A dispute participant, a juror, a client after delivery: each wants
 * every block of a piece of evidence, from the peer that delivered it if it can be reached, else
 * from any provider the DHT names, and wants to know which of three things happened:
 *
 *   - `fetched`: every block arrived and was validated as it was read (storage's `evidenceBlocks`);
 *   - `unavailable`: after every attempt (each with its own timeout, backoff between them, a fresh
 *     provider lookup each time, every candidate tried) some block never arrived. This is not a
 *     judgement on the work: `cyx verify` and `cyx evidence` exit 3 for it, never 1;
 *   - a thrown `EvidenceError` other than NOT_FOUND: blocks arrived and are invalid (too large,
 *     malformed, hash mismatch). Retrying cannot help; that is evidence against whoever serves it.
 *
 * Protocol apart from policy: the mesh is reached only through `EvidenceFetchComponents` (read
 * blocks, look up providers, reach a holder), which `peer/node` adapts a `PeerNode` to
 * (`evidenceFetchComponents` in the CLI command); the retry schedule is `FETCH_RETRY` below, a pure
 * function of the attempt number.
 */
import { logger } from '@libp2p/logger'
import type { CID } from 'multiformats/cid'
import { raceSignal, sleep as abortableSleep, within } from '../../protocols/index.js'
import { EvidenceError, evidenceBlocks, isEvidenceError, type EvidenceReader } from '../../storage/index.js'

const log = logger('cyx:evidence:fetch')

/** A peer that may hold the blocks: a peer id string or a list of multiaddrs (strings). */
export type Holder = { readonly peer: string } | { readonly addrs: readonly string[] }

/** What fetching needs of a peer: its blockstore (networked through bitswap), provider lookup and dialling. */
export interface EvidenceFetchComponents {
  /** Reads blocks; a block not held locally is wanted from connected peers (bitswap). */
  readonly reader: EvidenceReader
  /** Peers the routing (the DHT) names as providers of `cid`; may yield nothing. */
  findProviders: (cid: CID, options: { signal: AbortSignal }) => AsyncIterable<string>
  /** Connects to `holder` so that block wants reach it; resolves with its peer id, rejects if unreachable. */
  reach: (holder: Holder, options: { signal: AbortSignal }) => Promise<string>
}

/** The retry schedule (one place): attempts, each attempt's time limit, the wait before attempt n ≥ 2. */
export const FETCH_RETRY = {
  attempts: 4,
  attemptTimeoutMs: 30_000,
  /** Provider lookups stop after this long or this many providers, whichever comes first. */
  lookupTimeoutMs: 10_000,
  maxProviders: 20,
  firstBackoffMs: 1_000,
  maxBackoffMs: 8_000,
  /** Once an attempt has ended, how long its lookup and dials are waited for before the next step
   * goes on without them (they were told to stop; a library that does not listen must not hold us). */
  settleGraceMs: 2_000
} as const

/** Milliseconds to wait before attempt `n` (1-based): none before the first, then doubling from `first`, capped. */
export function backoffMs (n: number, first: number = FETCH_RETRY.firstBackoffMs, max: number = FETCH_RETRY.maxBackoffMs): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`attempt must be a positive integer (got ${n})`)
  return n === 1 ? 0 : Math.min(max, first * 2 ** (n - 2))
}

/**
 * The longest one `fetchEvidence` call takes with `attempts` attempts of `attemptTimeoutMs` each:
 * every attempt's limit, the backoff before each, and each attempt's settle grace (what a juror
 * budgets for one more fetch round before its commit deadline).
 */
export function fetchRoundMs (attempts: number = FETCH_RETRY.attempts, attemptTimeoutMs: number = FETCH_RETRY.attemptTimeoutMs): number {
  let ms = 0
  for (let n = 1; n <= attempts; n++) ms += backoffMs(n) + attemptTimeoutMs + FETCH_RETRY.settleGraceMs
  return ms
}

export interface FetchEvidenceOptions {
  /** Peers known to hold the evidence (the worker that delivered it, `--from`); tried first, every attempt. */
  readonly holders?: readonly Holder[]
  readonly attempts?: number
  readonly attemptTimeoutMs?: number
  /** Look providers up in the DHT each attempt (default true). */
  readonly lookup?: boolean
  readonly signal?: AbortSignal
  /** Called as blocks arrive: blocks and bytes so far in this attempt. */
  readonly onProgress?: (progress: { readonly attempt: number, readonly blocks: number, readonly bytes: number }) => void
  /** Called when an attempt fails and another follows, with the reason. */
  readonly onRetry?: (info: { readonly attempt: number, readonly reason: string, readonly waitMs: number }) => void
  /** Waits (injectable for unit tests); default setTimeout honouring `signal`. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

export type EvidenceFetch =
  | { readonly status: 'fetched', readonly cid: string, readonly blocks: number, readonly bytes: number, readonly attempts: number, readonly reached: readonly string[] }
  | { readonly status: 'unavailable', readonly cid: string, readonly blocks: number, readonly bytes: number, readonly attempts: number, readonly reached: readonly string[], readonly reasons: readonly string[] }

const message = (e: unknown): string => e instanceof Error ? e.message : String(e)

const holderKey = (h: Holder): string => 'peer' in h ? h.peer : h.addrs.join(',')

/**
 * Every block of the evidence `cid` into `c.reader`'s blockstore (see the module header for the
 * three outcomes). Invalid evidence throws its `EvidenceError`; the caller's abort throws its reason.
 */
export async function fetchEvidence (c: EvidenceFetchComponents, cid: CID, o: FetchEvidenceOptions = {}): Promise<EvidenceFetch> {
  const attempts = o.attempts ?? FETCH_RETRY.attempts
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 20) throw new RangeError(`attempts must be 1..20 (got ${attempts})`)
  const attemptTimeoutMs = o.attemptTimeoutMs ?? FETCH_RETRY.attemptTimeoutMs
  if (!Number.isInteger(attemptTimeoutMs) || attemptTimeoutMs < 1) throw new RangeError(`attemptTimeoutMs must be a positive integer (got ${attemptTimeoutMs})`)
  const sleep = o.sleep ?? abortableSleep
  const reasons: string[] = []
  const reached = new Set<string>()
  let blocks = 0
  let bytes = 0
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const attemptSignal = AbortSignal.any([AbortSignal.timeout(attemptTimeoutMs), ...(o.signal === undefined ? [] : [o.signal])])
    // Ends this attempt's provider lookup once the walk is done (dials under way are let finish).
    const walkDone = new AbortController()
    // Candidates: the known holders, then whoever the DHT names now (a restarted or new provider).
    // They are reached while the blocks are already wanted: bitswap sends its wants to each peer
    // as it connects, so the first holder reached serves them, whoever it is.
    const candidates = new Map<string, Holder>()
    const reaching: Array<Promise<void>> = []
    const tryHolder = (h: Holder): void => {
      const key = holderKey(h)
      if (candidates.has(key)) return
      candidates.set(key, h)
      reaching.push((async () => {
        try {
          reached.add(await c.reach(h, { signal: attemptSignal }))
        } catch (e) {
          if (o.signal?.aborted === true) return
          reasons.push(`attempt ${attempt}: could not reach ${key}: ${message(e)}`)
        }
      })())
    }
    for (const h of o.holders ?? []) tryHolder(h)
    const lookup = o.lookup === false
      ? Promise.resolve()
      : (async () => {
          const lookupSignal = AbortSignal.any([AbortSignal.timeout(FETCH_RETRY.lookupTimeoutMs), attemptSignal, walkDone.signal])
          let found = 0
          try {
            for await (const peer of c.findProviders(cid, { signal: lookupSignal })) {
              tryHolder({ peer })
              if (++found >= FETCH_RETRY.maxProviders) break
            }
          } catch (e) {
            // A lookup that found nobody (or timed out) is not fatal: known holders and connected peers remain.
            log('attempt %d: provider lookup for %s ended: %s', attempt, cid.toString(), message(e))
          }
        })()
    const settle = async (): Promise<void> => {
      walkDone.abort()
      const ended = await within(Promise.all([lookup, ...reaching]), FETCH_RETRY.settleGraceMs)
      if (!ended.done) log('attempt %d: provider lookup or dials still under way %d ms after the attempt; going on without them', attempt, FETCH_RETRY.settleGraceMs)
    }
    blocks = 0
    bytes = 0
    try {
      // The attempt ends at its deadline even if a block read does not listen to the signal.
      const read = (async () => {
        for await (const b of evidenceBlocks(c.reader, cid, { signal: attemptSignal })) {
          if (attemptSignal.aborted) break
          blocks++
          bytes += b.bytes.byteLength
          o.onProgress?.({ attempt, blocks, bytes })
        }
      })()
      // At the deadline: the NOT_FOUND a block read that timed out would have thrown (the caller's
      // own abort is told apart below). A read still under way that fails later is this attempt's
      // past (logged).
      await raceSignal(read, attemptSignal, {
        error: () => new EvidenceError('NOT_FOUND', `evidence ${cid.toString()} is not available: the attempt ended before every block arrived`, 'manifest'),
        onLate: (late) => { if (late.kind === 'rejected') log('attempt %d: a block read ended after the attempt: %s', attempt, message(late.error)) }
      })
      await settle()
      return { status: 'fetched', cid: cid.toString(), blocks, bytes, attempts: attempt, reached: [...reached] }
    } catch (e) {
      await settle()
      o.signal?.throwIfAborted()
      // Blocks that arrived and are bad: retrying cannot make them good.
      if (!isEvidenceError(e, 'NOT_FOUND')) throw e
      const reason = `attempt ${attempt}: ${message(e)} (${blocks} blocks fetched, ${candidates.size} candidate holders)`
      reasons.push(reason)
      if (attempt < attempts) {
        const waitMs = backoffMs(attempt + 1)
        o.onRetry?.({ attempt, reason, waitMs })
        await sleep(waitMs, o.signal)
      }
    }
  }
  return { status: 'unavailable', cid: cid.toString(), blocks, bytes, attempts, reached: [...reached], reasons }
}
