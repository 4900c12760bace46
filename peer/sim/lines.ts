/** The sim's log lines for its peers' own events (a client job's progress is the roles' `progressText`). */
import { formatTokens } from '../../protocols/index.js'
import type { WorkerEvent } from '../roles/index.js'

/** A worker event worth a line of the human log (others, e.g. adverts, are quiet); unknown kinds
 * are shown as they are. */
export function workerLine (e: WorkerEvent | { type: string }, names: ReadonlyMap<string, string>): string | undefined {
  const w = e as WorkerEvent
  switch (w.type) {
    case 'registered': return `registered, staked ${formatTokens(w.stake)} CYXWIZ`
    case 'bid-sent': return `bids ${formatTokens(w.price)} CYXWIZ for job ${w.jobId.slice(0, 8)}…`
    case 'bid-failed': return `bid failed: ${w.error}`
    case 'bid-decision': return w.decision.bid ? undefined : `no bid on job ${w.jobId.slice(0, 8)}… (${w.decision.reason})`
    case 'job': return `job ${w.jobId.slice(0, 8)}… ${w.state}${w.error === undefined ? '' : ` (${w.error})`}`
    case 'resumable': return `found unfinished job ${w.jobId.slice(0, 8)}… (${w.state}) on disk`
    case 'resumed': return `resumed job ${w.jobId.slice(0, 8)}… from its last stored checkpoint`
    case 'interrupted': return `job ${w.jobId.slice(0, 8)}… interrupted (${w.error})`
    case 'redelivered': return `job ${w.jobId.slice(0, 8)}… delivered again (its client never got the first delivery)`
    case 'juror-drawn': return `drawn for round ${w.round} of dispute ${w.dispute.slice(0, 8)}…; judging ${w.cid}`
    case 'juror-retrying': return `round ${w.round} of dispute ${w.dispute.slice(0, 8)}…: the evidence is unavailable (fetch round ${w.failures}); fetching again`
    case 'juror-abstained': return `round ${w.round} of dispute ${w.dispute.slice(0, 8)}…: no judgement (${w.reason}); no commit`
    case 'juror-committed': return `round ${w.round} of dispute ${w.dispute.slice(0, 8)}…: re-ran segments ${w.segments.join(', ')}, commits for the ${w.side} (deposit ${formatTokens(w.deposit)} CYXWIZ)`
    case 'juror-revealed': return `round ${w.round} of dispute ${w.dispute.slice(0, 8)}…: reveals its vote for the ${w.side}`
    case 'juror-settled': return `round ${w.round} of dispute ${w.dispute.slice(0, 8)}…: vote settled${w.returned === null ? ' by another' : `, ${formatTokens(w.returned)} CYXWIZ back into its stake`}`
    case 'juror-failed': return `juror ${w.step} failed${w.dispute === undefined ? '' : ` (dispute ${w.dispute.slice(0, 8)}…)`}: ${w.error}`
    case 'advertised': case 'advert-failed': case 'coordinator': case 'heartbeat': case 'heartbeat-failed': return undefined
    default: return eventText(e, names)
  }
}

/** Any event as a line: its type, then its other fields compactly (peer ids by name). */
function eventText (e: { type: string }, names: ReadonlyMap<string, string>): string {
  const { type, ...rest } = e as Record<string, unknown> & { type: string }
  const short = (v: unknown): unknown => typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? `${Buffer.from(v).toString('hex').slice(0, 16)}…` : typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) ? `${v.slice(0, 8)}…` : v
  const text = Object.keys(rest).length === 0 ? '' : ` ${JSON.stringify(rest, (_k, v: unknown) => short(v))}`
  return `${type}${[...names].reduce((t, [id, n]) => t.replaceAll(id, n), text).slice(0, 240)}`
}
