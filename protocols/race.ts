/**
 * Waiting on a promise with a bound: the project's one "race against a timer or a signal". No I/O:
 * a timer and an abort listener, both removed once the race is decided. The raced promise is never
 * cancelled (a promise cannot be): one that ignores its signal ("deaf") runs on, and what it does
 * later is handed to `onLate` instead of being an unhandled rejection or a silent drop.
 *
 * Why not `race-signal` / `p-timeout`: both are in node_modules only through libp2p and Helia, not
 * dependencies of this project, and race-signal drops a late rejection with an empty catch.
 */

/** What a raced promise does after it lost: `'rejected'` with the error, or `'resolved'`. */
export type Late = (outcome: { readonly kind: 'resolved', readonly value: unknown } | { readonly kind: 'rejected', readonly error: unknown }) => void

export interface RaceOptions {
  /** Told what the promise did after the race was decided against it. */
  readonly onLate?: Late
}

function watchLate (promise: Promise<unknown>, onLate: Late | undefined): void {
  promise.then(
    (value) => { onLate?.({ kind: 'resolved', value }) },
    (error: unknown) => { onLate?.({ kind: 'rejected', error }) }
  )
}

/**
 * `promise`'s outcome, or — once `signal` aborts, if that is first — a rejection with
 * `error(signal)` (default: the signal's reason). An already aborted signal rejects at once.
 */
export async function raceSignal<T> (promise: Promise<T>, signal: AbortSignal, o: RaceOptions & { readonly error?: (signal: AbortSignal) => unknown } = {}): Promise<T> {
  const error = o.error ?? ((s: AbortSignal): unknown => s.reason)
  let onAbort: (() => void) | undefined
  let lost = false
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => { lost = true; reject(error(signal)) }
  })
  if (signal.aborted) onAbort!()
  else signal.addEventListener('abort', onAbort!, { once: true })
  try {
    return await Promise.race([promise, aborted])
  } finally {
    signal.removeEventListener('abort', onAbort!)
    if (lost) watchLate(promise, o.onLate)
  }
}

/** The outcome of `within`: the promise's value, or `late` when the bound came first. */
export type Within<T> = { readonly done: true, readonly value: T } | { readonly done: false }

/**
 * Waits for `promise` at most `ms` milliseconds: `{ done: true, value }`, or `{ done: false }` when
 * the time ran out first (the promise runs on; see `onLate`). A rejection before the bound rejects.
 */
export async function within<T> (promise: Promise<T>, ms: number, o: RaceOptions = {}): Promise<Within<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => { resolve('late') }, ms) })
  const won = promise.then((value) => ({ done: true as const, value }))
  try {
    const r = await Promise.race([won, late])
    if (r !== 'late') return r
    watchLate(promise, o.onLate)
    return { done: false }
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Runs `fn` with a signal that aborts after `ms` milliseconds with `error()` as its reason, and
 * rejects with that error then, whether or not `fn` listens to the signal. The timer is cleared
 * once `fn` settles.
 */
export async function withDeadline<T> (ms: number, fn: (signal: AbortSignal) => Promise<T>, o: RaceOptions & { readonly error?: () => unknown } = {}): Promise<T> {
  const controller = new AbortController()
  const timer = setTimeout(() => { controller.abort(o.error?.() ?? new Error(`no answer within ${ms} ms`)) }, ms)
  try {
    return await raceSignal(fn(controller.signal), controller.signal, o.onLate === undefined ? {} : { onLate: o.onLate })
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Waits `ms` milliseconds (none when `ms <= 0`), or rejects with the signal's reason once it aborts
 * (at once when it already has). The timer and the listener are removed either way.
 */
export async function sleep (ms: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted()
  if (ms <= 0) return
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => { clearTimeout(timer); reject(signal?.reason) }
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
