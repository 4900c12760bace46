/**
 * The juror (docs/security.md §5, issue 16 item 2): a staked node drawn for a dispute's round
 * judges it by the evidence, not by who asks. It fetches the evidence the dispute cites by CID
 * (peer/evidence `fetchEvidence`: the named holders first, then whoever the DHT names, with
 * retries — as the client's own check does, client/checks.ts), re-runs spot checks with a challenge
 * of its own, and finds for a side:
 * - `worker`: every re-executed segment matched;
 * - `client`: blocks arrived invalid, or a segment did not re-execute;
 * - `unavailable`: no holder served the whole evidence after every retry (docs/security.md,
 *   finding 16) — no judgement on the work; the juror duty fetches again in later rounds while the
 *   commit window leaves time (worker/juror-duty.ts `fetchRetryStep`), and only when every round
 *   failed is it a ballot of its own: the dispute is the request
 *   the worker must answer by serving its evidence within the evidence and commit windows, and a
 *   strict majority of `unavailable` treats the worker as one that never delivered;
 * - `not-judged`: the juror fetched the evidence but cannot re-execute it on this machine, or the
 *   dispute cites no valid CID (nothing a worker could serve) — no ballot: it does not commit (it
 *   risks no deposit on a guess; a round without enough reveals is redrawn, `juryOutcome`).
 * Its vote is then a commitment (`jurorBallot`) revealed after the commit window.
 */
import { randomBytes } from 'node:crypto'
import { logger } from '@libp2p/logger'
import { CID } from 'multiformats/cid'
import { voteCommitment, type Ballot } from '../../protocols/index.js'
import { isEvidenceError } from '../../storage/index.js'
import type { EvidenceFetch, FetchEvidenceOptions } from '../evidence/index.js'

const log = logger('cyx:juror')

/** A ballot (client, worker, unavailable), or no judgement at all (`not-judged`: abstain). */
export type JurorVerdict = Ballot | 'not-judged'

export interface JurorComponents {
  /** Every block of `cid` into this peer's blockstore (peer/evidence `fetchEvidence` over this node). */
  fetchEvidence: (cid: CID, o: FetchEvidenceOptions) => Promise<EvidenceFetch>
  /** Re-executes `checks` segments of the (local) evidence chosen by `challengeSeed`. */
  verify: (cid: string, challengeSeed: Uint8Array, checks: number) => Promise<{ verdict: 'passed' | 'failed' | 'not-judged', selected: readonly number[], reasons: readonly string[] }>
}

export interface JudgeRequest {
  /** The evidence the dispute cites (the worker's answer, else the claimant's). */
  readonly cid: string
  /** Peers known to hold it: peer ids or multiaddr lists (tried first). */
  readonly holders?: FetchEvidenceOptions['holders']
  /** The juror's own challenge (default 32 fresh random bytes): the worker cannot pick the segments. */
  readonly challengeSeed?: Uint8Array
  readonly checks: number
  readonly attempts?: number
  readonly attemptTimeoutMs?: number
  readonly signal?: AbortSignal
}

export interface JurorFinding {
  readonly cid: string
  readonly verdict: JurorVerdict
  /** Evidence blocks fetched (0 when nothing arrived). */
  readonly blocks: number
  /** The segments re-executed (empty when none was). */
  readonly segments: readonly number[]
  readonly reasons: readonly string[]
}

/**
 * Where the re-execution of fetched evidence points: passed → the worker, failed → the client,
 * not judged on this machine → no ballot (never `unavailable`: the evidence was served).
 */
export function sideOf (verify: 'passed' | 'failed' | 'not-judged'): JurorVerdict {
  return verify === 'passed' ? 'worker' : verify === 'failed' ? 'client' : 'not-judged'
}

/** The juror's finding on the evidence `r.cid` (see the module header). */
export async function judgeEvidence (c: JurorComponents, r: JudgeRequest): Promise<JurorFinding> {
  let cid: CID
  try {
    cid = CID.parse(r.cid)
  } catch (e) {
    // A claim that cites no valid CID cites no evidence a juror can re-run, nor one a worker could
    // serve: no ballot (a client could otherwise cite garbage to have a silent worker found
    // `unavailable`).
    return { cid: r.cid, verdict: 'not-judged', blocks: 0, segments: [], reasons: [`the dispute cites no valid CID (${r.cid}): ${e instanceof Error ? e.message : String(e)}`] }
  }
  let blocks = 0
  try {
    const got = await c.fetchEvidence(cid, {
      holders: r.holders ?? [], ...(r.attempts === undefined ? {} : { attempts: r.attempts }),
      ...(r.attemptTimeoutMs === undefined ? {} : { attemptTimeoutMs: r.attemptTimeoutMs }), ...(r.signal === undefined ? {} : { signal: r.signal })
    })
    blocks = got.blocks
    if (got.status === 'unavailable') {
      return { cid: r.cid, verdict: 'unavailable', blocks, segments: [], reasons: [`the evidence is unavailable (no judgement on the work): ${got.reasons.at(-1) ?? 'no holder served it'}`] }
    }
  } catch (e) {
    if (isEvidenceError(e) && e.code !== 'NOT_FOUND') {
      return { cid: r.cid, verdict: 'client', blocks, segments: [], reasons: [`the evidence is invalid: ${e.message}`] }
    }
    log.error('fetching the evidence %s ended with an error: %s', r.cid, e instanceof Error ? e.stack : e)
    return { cid: r.cid, verdict: 'unavailable', blocks, segments: [], reasons: [`could not fetch the evidence: ${e instanceof Error ? e.message : String(e)}`] }
  }
  const v = await c.verify(r.cid, r.challengeSeed ?? Uint8Array.from(randomBytes(32)), r.checks)
  const verdict = sideOf(v.verdict)
  const reasons = v.reasons.length > 0 || verdict === 'worker' ? v.reasons.slice(0, 4) : [verdict === 'client' ? 'the re-execution failed' : 'the re-execution made no judgement on this machine']
  return { cid: r.cid, verdict, blocks, segments: v.selected, reasons }
}

/** A juror's sealed vote: a fresh salt and its commitment, SHA-256(side ‖ salt ‖ dispute ‖ juror). Keep the salt to reveal. */
export function jurorBallot (side: Ballot, dispute: Uint8Array, juror: Uint8Array, salt: Uint8Array = Uint8Array.from(randomBytes(32))): { readonly side: Ballot, readonly salt: Uint8Array, readonly commitment: Uint8Array } {
  if (salt.length !== 32) throw new RangeError(`a vote's salt is 32 bytes (got ${salt.length})`)
  return { side, salt, commitment: voteCommitment(side, salt, dispute, juror) }
}
