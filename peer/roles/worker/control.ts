/**
 * A running worker's remote control: `DIR/worker-control.json`, what its owner wants of it now —
 * whether it bids (`paused`) and its price per hour (base units). `cyx worker pause|resume|price`
 * and the live page (`cyx ui`) write it; the `cyx worker` running on DIR reads it every second and
 * applies what changed (`Worker.control`). A file rather than a socket: the peer store is the
 * running worker's alone (one process may open a level database), a file needs no port or
 * listener, and the last setting survives until the worker's next start, which writes the file
 * afresh from its own flags (so a stale setting never outlives the process it was meant for).
 *
 * The file is untrusted input like any other: parsed strictly (only these two fields, a boolean
 * and a decimal string of base units in 0..2^64 − 1), and written atomically (a temporary file
 * renamed over it) so a reader never sees half of it.
 */
import { watchFile, unwatchFile } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { logger } from '@libp2p/logger'
import { writeSecret } from '../../node/index.js'

const log = logger('cyx:worker:control')

export const WORKER_CONTROL_FILE = 'worker-control.json'
const U64_MAX = 2n ** 64n - 1n
/** Far more than the two fields take; a larger file is not ours. */
const MAX_CONTROL_BYTES = 4_096

export interface WorkerControl {
  /** True: the worker bids on nothing and takes no new award (running jobs go on). */
  readonly paused: boolean
  /** Base units per hour. */
  readonly pricePerHour: bigint
}

export class WorkerControlError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'WorkerControlError'
  }
}

/** A price per hour in base units, as the control file and the actions carry it: 0..2^64 − 1. */
export function controlPrice (v: unknown): bigint {
  if (typeof v === 'bigint') {
    if (v < 0n || v > U64_MAX) throw new WorkerControlError(`a price must be 0..${U64_MAX} base units per hour (got ${v})`)
    return v
  }
  if (typeof v !== 'string' || !/^[0-9]{1,20}$/.test(v)) throw new WorkerControlError(`a price must be a whole number of base units per hour, as a decimal string (got ${JSON.stringify(v)})`)
  return controlPrice(BigInt(v))
}

/** The control file's text → its setting; throws a `WorkerControlError` saying what is wrong. */
export function parseWorkerControl (text: string): WorkerControl {
  if (text.length > MAX_CONTROL_BYTES) throw new WorkerControlError(`the control file is over ${MAX_CONTROL_BYTES} bytes`)
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch (e) {
    throw new WorkerControlError(`the control file is not JSON: ${e instanceof Error ? e.message : String(e)}`)
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new WorkerControlError('the control file must hold one JSON object')
  const o = v as Record<string, unknown>
  const extra = Object.keys(o).filter((k) => k !== 'paused' && k !== 'pricePerHour')
  if (extra.length > 0) throw new WorkerControlError(`unknown field(s) in the control file: ${extra.join(', ')}`)
  if (typeof o.paused !== 'boolean') throw new WorkerControlError('"paused" must be true or false')
  return { paused: o.paused, pricePerHour: controlPrice(o.pricePerHour) }
}

export function formatWorkerControl (c: WorkerControl): string {
  return `${JSON.stringify({ paused: c.paused, pricePerHour: c.pricePerHour.toString() })}\n`
}

/** The setting in `dir`, or undefined when there is no control file (no worker started there yet). */
export async function readWorkerControl (dir: string): Promise<WorkerControl | undefined> {
  let text: string
  try {
    text = await readFile(join(dir, WORKER_CONTROL_FILE), 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw e
  }
  return parseWorkerControl(text)
}

/** Writes `c` atomically: a reader sees the old setting or the new one, never half of one. */
export async function writeWorkerControl (dir: string, c: WorkerControl): Promise<void> {
  // The node's own atomic, owner-only write (a temporary file renamed over the target).
  await writeSecret(join(dir, WORKER_CONTROL_FILE), formatWorkerControl(c))
}

/**
 * Changes the setting of the worker on `dir` (`patch` over what the file holds). Refused when no
 * worker ever started there: there would be nothing to control, and no price to keep.
 */
export async function updateWorkerControl (dir: string, patch: Partial<WorkerControl>): Promise<WorkerControl> {
  const now = await readWorkerControl(dir)
  if (now === undefined) throw new WorkerControlError(`no worker has run on ${dir} (no ${WORKER_CONTROL_FILE}): start \`cyx worker --dir ${dir}\` first`)
  const next: WorkerControl = {
    paused: patch.paused ?? now.paused,
    pricePerHour: patch.pricePerHour === undefined ? now.pricePerHour : controlPrice(patch.pricePerHour)
  }
  await writeWorkerControl(dir, next)
  return next
}

/**
 * Calls `apply` with each new setting of the file in `dir` (polled every `intervalMs`: portable,
 * and a rename is seen as a change). A file that does not parse is logged and ignored: the worker
 * keeps its current setting. Returns the function that stops watching.
 */
export function watchWorkerControl (dir: string, apply: (c: WorkerControl) => void, intervalMs = 1_000): () => void {
  const path = join(dir, WORKER_CONTROL_FILE)
  let last = ''
  const check = (): void => {
    readFile(path, 'utf8').then((text) => {
      if (text === last) return
      last = text
      apply(parseWorkerControl(text))
    }, (e: unknown) => {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log.error('reading %s failed: %e', path, e)
    }).catch((e: unknown) => { log.error('the control file %s was not applied: %e', path, e) })
  }
  watchFile(path, { interval: intervalMs, persistent: false }, check)
  return () => { unwatchFile(path, check) }
}
