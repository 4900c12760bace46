/**
 * The worker's cached reading of client balances (proof of funds): kept for its TTL, one read in
 * flight per wallet, a failed read not kept, the oldest wallet dropped past the bound. The read is
 * a double counting its calls; the real one reads the ledger (test/e2e/roles/actions.test.ts).
 */
import assert from 'node:assert/strict'
import type { PublicKey } from '@solana/web3.js'
import { cachedReader } from '../../../peer/roles/worker/client-funds.js'

function reader (o: { fail?: boolean } = {}): { calls: string[], read: (w: PublicKey) => Promise<bigint>, fail: { now: boolean } } {
  const calls: string[] = []
  const fail = { now: o.fail ?? false }
  return {
    calls,
    fail,
    read: async (w) => {
      calls.push(w.toBase58())
      await new Promise((resolve) => setTimeout(resolve, 1))
      if (fail.now) throw new Error('down')
      return 42n
    }
  }
}

const wallet = (b: number): Uint8Array => new Uint8Array(32).fill(b)

describe('unit: the worker\'s reading of client funds', () => {
  it('keeps a balance for its TTL and shares a read in flight', async () => {
    const clock = { ms: 0 }
    const r = reader()
    const funds = cachedReader(r.read, { ttlMs: 1_000, now: () => clock.ms })
    assert.deepEqual(await Promise.all([funds(wallet(1)), funds(wallet(1))]), [42n, 42n])
    assert.equal(r.calls.length, 1, 'one read for two announces at once')
    clock.ms = 999
    await funds(wallet(1))
    assert.equal(r.calls.length, 1, 'still fresh')
    clock.ms = 1_000
    await funds(wallet(1))
    assert.equal(r.calls.length, 2, 'read again after the TTL')
  })

  it('does not keep a failed read', async () => {
    const r = reader({ fail: true })
    const funds = cachedReader(r.read, { ttlMs: 60_000 })
    await assert.rejects(funds(wallet(2)), /down/)
    r.fail.now = false
    assert.equal(await funds(wallet(2)), 42n)
    assert.equal(r.calls.length, 2)
  })

  it('remembers at most maxEntries wallets, dropping the oldest', async () => {
    const r = reader()
    const funds = cachedReader(r.read, { ttlMs: 60_000, maxEntries: 2 })
    for (const b of [1, 2, 3]) await funds(wallet(b))
    await funds(wallet(3))
    await funds(wallet(2))
    assert.equal(r.calls.length, 3, 'the two newest are kept')
    await funds(wallet(1))
    assert.equal(r.calls.length, 4, 'the oldest was dropped')
  })
})
