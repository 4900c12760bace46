import assert from 'node:assert/strict'
import { fromHex, isHex, toHex } from '../../../protocols/index.js'

describe('protocols/hex', () => {
  it('encodes lowercase, of a Buffer or of a view into a larger buffer', () => {
    assert.equal(toHex(new Uint8Array([0, 1, 0xab, 0xff])), '0001abff')
    assert.equal(toHex(new Uint8Array()), '')
    assert.equal(toHex(Buffer.from([0xca, 0xfe])), 'cafe')
    const big = new Uint8Array([9, 9, 0xde, 0xad, 9])
    assert.equal(toHex(big.subarray(2, 4)), 'dead')
  })

  it('decodes what it encodes, to a plain Uint8Array of its own', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i)
    const back = fromHex(toHex(bytes))
    assert.deepEqual(back, bytes)
    assert.equal(Object.getPrototypeOf(back), Uint8Array.prototype)
    assert.equal(back.byteOffset, 0)
    assert.equal(back.buffer.byteLength, 256)
    assert.deepEqual(fromHex('CaFe'), new Uint8Array([0xca, 0xfe]))
    assert.deepEqual(fromHex(''), new Uint8Array())
  })

  const bad: Array<[string, RegExp]> = [
    ['abc', /odd length 3/],
    ['zz', /non-hex character at 0/],
    ['0x12', /non-hex character at 1/],
    ['ca fe', /non-hex character at 2/],
    ['abcd\n', /non-hex character at 4/],
    ['4vJ9JU1bJJE96FWSJKvHsmmFADCg4gpZQff4P3bkLKi', /non-hex character/] // a base58 key
  ]
  for (const [text, why] of bad) {
    it(`refuses ${JSON.stringify(text)}, naming the field and the reason`, () => {
      assert.throws(() => fromHex(text, { what: 'escrow' }), (e: unknown) => e instanceof TypeError && /^escrow: not hex/.test(e.message) && why.test(e.message))
      assert.equal(isHex(text), false)
    })
  }

  it('checks the length when asked', () => {
    const h = 'ab'.repeat(32)
    assert.equal(fromHex(h, { bytes: 32 }).length, 32)
    assert.throws(() => fromHex('abab', { what: 'spec hash', bytes: 32 }), /^TypeError: spec hash: expected 32 bytes \(64 hex characters\), got 2$/)
    assert.equal(isHex(h, 32), true)
    assert.equal(isHex(h, 31), false)
  })

  it('refuses a non-string from untyped JSON', () => {
    assert.throws(() => fromHex(42 as unknown as string, { what: 'seed' }), /^TypeError: seed: expected a hex string, got number$/)
  })
})
