import assert from 'node:assert/strict'
import { raceSignal, sleep as abortableSleep, within, withDeadline, type Late } from '../../../protocols/index.js'

/** A promise that never settles and ignores every signal: the case the helpers exist for. */
const deaf = (): Promise<never> => new Promise<never>(() => {})
const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

/** Runs `fn` with the global timers watched: how many it set that neither fired nor were cleared. */
async function unclearedTimers (fn: () => Promise<unknown>): Promise<number> {
  const set = globalThis.setTimeout
  const clear = globalThis.clearTimeout
  const open = new Set<unknown>()
  globalThis.setTimeout = ((callback: () => void, ms?: number) => {
    const t = set(() => { open.delete(t); callback() }, ms)
    open.add(t)
    return t
  }) as typeof set
  globalThis.clearTimeout = ((t: Parameters<typeof clear>[0]) => { open.delete(t); clear(t) }) as typeof clear
  try {
    await fn()
  } finally {
    globalThis.setTimeout = set
    globalThis.clearTimeout = clear
  }
  return open.size
}

/** A promise settled from outside, after the race. */
function later<T> (): { promise: Promise<T>, resolve: (v: T) => void, reject: (e: unknown) => void } {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej })
  return { promise, resolve, reject }
}

function lateLog (): { onLate: Late, seen: Array<Parameters<Late>[0]> } {
  const seen: Array<Parameters<Late>[0]> = []
  return { onLate: (o) => { seen.push(o) }, seen }
}

describe('protocols/race', () => {
  describe('raceSignal', () => {
    it('gives the promise\'s value or error when it settles first, and removes its listener', async () => {
      const c = new AbortController()
      let added = 0
      let removed = 0
      const add = c.signal.addEventListener.bind(c.signal)
      const remove = c.signal.removeEventListener.bind(c.signal)
      c.signal.addEventListener = ((...a: Parameters<typeof add>) => { added++; add(...a) }) as typeof add
      c.signal.removeEventListener = ((...a: Parameters<typeof remove>) => { removed++; remove(...a) }) as typeof remove
      assert.equal(await raceSignal(Promise.resolve(7), c.signal), 7)
      await assert.rejects(raceSignal(Promise.reject(new Error('own')), c.signal), /^Error: own$/)
      assert.equal(added, 2)
      assert.equal(removed, 2)
    })

    it('rejects with the signal\'s reason when a deaf promise is raced and the signal aborts', async () => {
      const c = new AbortController()
      const reason = new Error('stop')
      setTimeout(() => { c.abort(reason) }, 20)
      await assert.rejects(raceSignal(deaf(), c.signal), (e) => e === reason)
    })

    it('rejects with `error(signal)` instead when given, and at once for a signal already aborted', async () => {
      const c = new AbortController()
      c.abort(new Error('earlier'))
      await assert.rejects(raceSignal(deaf(), c.signal, { error: (s) => new Error(`translated ${(s.reason as Error).message}`) }), /^Error: translated earlier$/)
    })

    it('tells onLate what the loser did after the race, and nothing when the promise won', async () => {
      const c = new AbortController()
      const p = later<number>()
      const { onLate, seen } = lateLog()
      const race = raceSignal(p.promise, c.signal, { onLate })
      c.abort(new Error('deadline'))
      await assert.rejects(race, /deadline/)
      const failure = new Error('read failed afterwards')
      p.reject(failure)
      await sleep(0)
      assert.deepEqual(seen, [{ kind: 'rejected', error: failure }])

      const won = lateLog()
      assert.equal(await raceSignal(Promise.resolve(1), new AbortController().signal, { onLate: won.onLate }), 1)
      await sleep(0)
      assert.deepEqual(won.seen, [])
    })
  })

  describe('within', () => {
    it('gives the value when the promise settles in time, and clears its timer', async () => {
      assert.equal(await unclearedTimers(async () => {
        assert.deepEqual(await within(Promise.resolve('ok'), 60_000), { done: true, value: 'ok' })
      }), 0)
    })

    it('rejects with the promise\'s error when it fails in time', async () => {
      await assert.rejects(within(Promise.reject(new Error('failed')), 60_000), /^Error: failed$/)
    })

    it('returns { done: false } for a deaf promise at the bound, not later', async () => {
      const t0 = performance.now()
      assert.deepEqual(await within(deaf(), 50), { done: false })
      const ms = performance.now() - t0
      assert.ok(ms >= 45 && ms < 1_000, `took ${ms} ms`)
    })

    it('tells onLate how a late promise ended', async () => {
      const p = later<string>()
      const { onLate, seen } = lateLog()
      assert.deepEqual(await within(p.promise, 10, { onLate }), { done: false })
      p.resolve('stopped after all')
      await sleep(0)
      assert.deepEqual(seen, [{ kind: 'resolved', value: 'stopped after all' }])
    })
  })

  describe('sleep', () => {
    it('waits its time and clears its timer', async () => {
      const t0 = performance.now()
      assert.equal(await unclearedTimers(async () => { await abortableSleep(30) }), 0)
      assert.ok(performance.now() - t0 >= 25)
    })

    it('ends with the signal\'s reason when it aborts, before its time, leaving no timer', async () => {
      const c = new AbortController()
      const reason = new Error('stop waiting')
      const t0 = performance.now()
      assert.equal(await unclearedTimers(async () => {
        setTimeout(() => { c.abort(reason) }, 20)
        await assert.rejects(abortableSleep(60_000, c.signal), (e) => e === reason)
      }), 0)
      assert.ok(performance.now() - t0 < 5_000)
    })

    it('rejects at once on a signal already aborted, and does not wait for nothing', async () => {
      const c = new AbortController()
      c.abort(new Error('already'))
      await assert.rejects(abortableSleep(60_000, c.signal), /^Error: already$/)
      assert.equal(await unclearedTimers(async () => { await abortableSleep(0) }), 0)
    })
  })

  describe('withDeadline', () => {
    it('gives fn\'s value and clears the timer when fn is in time', async () => {
      assert.equal(await unclearedTimers(async () => {
        assert.equal(await withDeadline(60_000, async (signal) => { assert.equal(signal.aborted, false); return 3 }), 3)
      }), 0)
    })

    it('rejects with error() at the deadline even when fn ignores its signal, and aborts that signal with the same error', async () => {
      let seen: AbortSignal | undefined
      const t0 = performance.now()
      const expected = new Error('no answer')
      await assert.rejects(withDeadline(40, async (signal) => { seen = signal; return await deaf() }, { error: () => expected }), (e) => e === expected)
      const ms = performance.now() - t0
      assert.ok(ms >= 35 && ms < 1_000, `took ${ms} ms`)
      assert.equal(seen?.aborted, true)
      assert.equal(seen?.reason, expected)
    })

    it('names the bound in its default error', async () => {
      await assert.rejects(withDeadline(5, async () => await deaf()), /^Error: no answer within 5 ms$/)
    })
  })
})
