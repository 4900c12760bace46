/** The peer's level databases: typed tables that persist, and clean open/close. */
import assert from 'node:assert/strict'
import { encodeState, type StateTensor } from '../../../protocols/index.js'
import { decodeState, EvidenceError, openPeerStore } from '../../../storage/index.js'
import { assertSameState, fakeState, tempDir } from '../../fixtures/storage.js'

describe('storage/peer-store', () => {
  it('keeps jobs, bids and keys in separate tables that survive a reopen', async () => {
    const tmp = await tempDir('peer-store')
    try {
      let store = await openPeerStore(tmp.dir)
      await store.jobs.put('job-1', { state: 'announced', epochs: 3 })
      await store.jobs.put('job-2', { state: 'awarded', epochs: 5 })
      await store.bids.put('job-1/worker-a', { price: '1000000000' })
      await store.keys.put('wallet', Uint8Array.of(1, 2, 3))
      assert.equal(await store.jobs.get('job-1/worker-a'), undefined) // tables do not see each other
      await store.close()
      await store.close() // twice is fine

      store = await openPeerStore(tmp.dir)
      assert.deepEqual(await store.jobs.get('job-1'), { state: 'announced', epochs: 3 })
      const wallet = await store.keys.get('wallet')
      assert.ok(wallet instanceof Uint8Array) // classic-level hands back a Buffer, which is one
      assert.deepEqual(Uint8Array.from(wallet), Uint8Array.of(1, 2, 3))
      const jobs: string[] = []
      for await (const [k] of store.jobs.entries()) jobs.push(k)
      assert.deepEqual(jobs, ['job-1', 'job-2'])
      const bids: string[] = []
      for await (const [k] of store.bids.entries('job-1/')) bids.push(k)
      assert.deepEqual(bids, ['job-1/worker-a'])
      await store.jobs.deletePrefix('job-')
      assert.equal(await store.jobs.get('job-2'), undefined)
      await store.jobs.put('job-3', { state: 'done', result: null })
      await store.jobs.delete('job-3')
      assert.equal(await store.jobs.get('job-3'), undefined)
      await store.close()
    } finally {
      await tmp.remove()
    }
  })

  it('refuses to open a data dir another store holds, and releases it on close', async () => {
    const tmp = await tempDir('peer-store-lock')
    try {
      const store = await openPeerStore(tmp.dir)
      await assert.rejects(openPeerStore(tmp.dir))
      await store.close()
      const again = await openPeerStore(tmp.dir) // the failed open left no lock behind
      await again.close()
    } finally {
      await tmp.remove()
    }
  })
})

describe('storage/state-codec', () => {
  const malformed = (code: EvidenceError['code']) => (e: unknown) => e instanceof EvidenceError && e.code === code

  it('decodes exactly what encodeState wrote', () => {
    const state = fakeState(7, 33)
    assertSameState(decodeState(encodeState(state), 16), state)
    assertSameState(decodeState(encodeState([]), 16), [])
    // An encoding that sits at an odd offset of a bigger buffer.
    const shifted = new Uint8Array(encodeState(state).byteLength + 3)
    shifted.set(encodeState(state), 3)
    assertSameState(decodeState(shifted.subarray(3), 16), state)
  })

  it('refuses truncation, trailing bytes, unknown dtypes and too many tensors', () => {
    const bytes = encodeState(fakeState(1, 5))
    assert.throws(() => decodeState(bytes.subarray(0, bytes.length - 1), 16), malformed('MALFORMED'))
    assert.throws(() => decodeState(Uint8Array.of(...bytes, 0), 16), malformed('MALFORMED'))
    assert.throws(() => decodeState(bytes.subarray(0, 2), 16), malformed('MALFORMED'))
    const badType = Uint8Array.from(bytes)
    badType[4] = 9
    assert.throws(() => decodeState(badType, 16), malformed('MALFORMED'))
    assert.throws(() => decodeState(bytes, 3), malformed('TOO_LARGE'))
    // A count that claims 2^32-1 elements must not allocate anything.
    const huge: StateTensor[] = [{ dtype: 'float32', data: Float32Array.of(1) }]
    const lie = Uint8Array.from(encodeState(huge))
    new DataView(lie.buffer).setUint32(5, 0xffff_ffff, true)
    assert.throws(() => decodeState(lie, 16), malformed('MALFORMED'))
  })
})
