/**
 * The page's after-the-fact actions, parsed once at the server's boundary (pure, table-tested):
 * what `POST /api/action/cancel|rate|dispute|pause|price` must carry. Each source (`cyx ui`'s local
 * peer, `cyx sim --ui`'s network) then runs the parsed action through the same role functions as
 * the CLI's verbs (`cyx client cancel|rate`, `cyx worker pause|resume|price`), so the checks and
 * their messages are the CLI's.
 *
 *   cancel   { job }                 a job id (64 hex)
 *   rate     { job, stars }          stars 1..5, a whole number
 *   dispute  { job }
 *   pause    { paused, worker? }     true: pause bidding; false: resume. `worker`: its name (sim)
 *   price    { price, worker? }      CYXWIZ per hour as a decimal string ("80", "12.5"), at most 9 decimals
 */
import { AmountError, parseTokens } from '../../protocols/index.js'
import { ActionError } from './server.js'

export type PageAction =
  | { readonly kind: 'cancel', readonly jobId: string }
  | { readonly kind: 'rate', readonly jobId: string, readonly stars: number }
  | { readonly kind: 'dispute', readonly jobId: string }
  | { readonly kind: 'control', readonly worker?: string, readonly paused?: boolean, readonly pricePerHour?: bigint }

const JOB_ID = /^[0-9a-f]{64}$/
/** A sim peer's name: what `cyx sim` calls its peers (w1, client, …). */
const PEER_NAME = /^[a-z][a-z0-9-]{0,31}$/

function jobOf (b: Record<string, unknown>): string {
  if (typeof b.job !== 'string' || !JOB_ID.test(b.job)) throw new ActionError('"job" must be the job\'s id: 64 hexadecimal digits')
  return b.job
}

function workerOf (b: Record<string, unknown>): { worker?: string } {
  if (b.worker === undefined) return {}
  if (typeof b.worker !== 'string' || !PEER_NAME.test(b.worker)) throw new ActionError('"worker" must be a worker\'s name')
  return { worker: b.worker }
}

/** The action `name` with its JSON body, checked; throws an `ActionError` saying what is wrong. */
export function parsePageAction (name: string, body: unknown): PageAction {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ActionError('send a JSON object')
  const b = body as Record<string, unknown>
  switch (name) {
    case 'cancel': return { kind: 'cancel', jobId: jobOf(b) }
    case 'dispute': return { kind: 'dispute', jobId: jobOf(b) }
    case 'rate': {
      const stars = typeof b.stars === 'string' && /^[0-9]$/.test(b.stars) ? Number(b.stars) : b.stars
      if (typeof stars !== 'number' || !Number.isInteger(stars) || stars < 1 || stars > 5) throw new ActionError('"stars" must be a whole number 1..5')
      return { kind: 'rate', jobId: jobOf(b), stars }
    }
    case 'pause':
      if (typeof b.paused !== 'boolean') throw new ActionError('"paused" must be true (pause bidding) or false (resume)')
      return { kind: 'control', ...workerOf(b), paused: b.paused }
    case 'price': {
      if (typeof b.price !== 'string') throw new ActionError('"price" must be CYXWIZ per hour as a decimal string, e.g. "80"')
      try {
        return { kind: 'control', ...workerOf(b), pricePerHour: parseTokens(b.price) }
      } catch (e) {
        if (e instanceof AmountError) throw new ActionError(`"price": ${e.message}`)
        throw e
      }
    }
    default: throw new ActionError(`unknown action "${name}"`)
  }
}
