/**
 * `retryStalled` (peer/evidence/inputs.ts) alone: a fetch of a client's inputs that stops making
 * progress is begun again, and only then. The fetch is a double that hangs, advances or fails as
 * each case needs; the timers are real and short.
 */
import assert from 'node:assert/strict'
import { retryStalled } from '../../../peer/evidence/inputs.js'

/** Resolves when `signal` aborts, with its reason as the rejection (a want aborted by its signal). */
const hang = async (signal: AbortSignal): Promise<never> => await new Promise((_resolve, reject) => {
  signal.addEventListener('abort', () => { reject(signal.reason) }, { once: true })
})

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

describe('unit: a stalled fetch of a client\'s inputs is begun again', () => {
  it('an attempt with no progress is aborted and the next one completes', async () => {
    const stalls: number[] = []
    let attempts = 0
    const got = await retryStalled(async (signal) => {
      attempts++
      if (attempts < 3) return await hang(signal)
      return 'inputs'
    }, { stallMs: 30, onStall: (n) => { stalls.push(n) } })
    assert.equal(got, 'inputs')
    assert.equal(attempts, 3)
    assert.deepEqual(stalls, [2, 3])
  })

  it('an attempt that keeps advancing is never aborted, however long it takes in all', async () => {
    let attempts = 0
    const got = await retryStalled(async (signal, progressed) => {
      attempts++
      for (let i = 0; i < 8; i++) {
        await sleep(15)
        if (signal.aborted) throw signal.reason
        progressed()
      }
      return 8
    }, { stallMs: 40 })
    assert.equal(got, 8)
    assert.equal(attempts, 1)
  })

  it('a failure that is not a stall ends it at once (bad bytes are not retried)', async () => {
    let attempts = 0
    await assert.rejects(retryStalled(async () => {
      attempts++
      throw new Error('HASH_MISMATCH')
    }, { stallMs: 30 }), /HASH_MISMATCH/)
    assert.equal(attempts, 1)
  })

  it('the caller\'s signal ends it, stalled or not', async () => {
    const caller = AbortSignal.timeout(100)
    let attempts = 0
    await assert.rejects(retryStalled(async (signal) => {
      attempts++
      return await hang(signal)
    }, { stallMs: 30, signal: caller }))
    assert.ok(caller.aborted)
    assert.ok(attempts >= 2, `stalled attempts were begun again until the caller gave up (${attempts})`)
  })
})
