/**
 * The line codec between `cyx sim` and its peer hosts (peer/sim/codec.ts): whatever a role emits
 * crosses with its types intact, fields unknown to the sim included.
 */
import assert from 'node:assert/strict'
import { LINE_PREFIX, decode, encode } from '../../../peer/sim/codec.js'

describe('cyx sim: the peer line codec', () => {
  it('round-trips bigints, bytes, Buffers, errors (with logs) and fields it has never seen', () => {
    const err = Object.assign(new Error('custom program error: 0x1772'), { logs: ['Program log: DeadlineNotReached'] })
    err.name = 'SendTransactionError'
    const value = {
      type: 'some-future-event',
      price: 1_500_000_000n,
      nested: { list: [1n, { hash: new Uint8Array([0, 1, 254, 255]) }], buffer: Buffer.from('cafe', 'hex') },
      error: err,
      text: 'plain',
      number: 0.25,
      nothing: null
    }
    const line = encode(value)
    assert.ok(!line.includes('\n'), 'one line')
    const back = decode<typeof value>(line)
    assert.equal(back.price, 1_500_000_000n)
    assert.equal(back.nested.list[0], 1n)
    assert.deepEqual((back.nested.list[1] as { hash: Uint8Array }).hash, new Uint8Array([0, 1, 254, 255]))
    assert.deepEqual(back.nested.buffer, new Uint8Array([0xca, 0xfe]))
    assert.ok(back.error instanceof Error)
    assert.equal(back.error.name, 'SendTransactionError')
    assert.equal(back.error.message, 'custom program error: 0x1772')
    assert.deepEqual((back.error as Error & { logs: string[] }).logs, ['Program log: DeadlineNotReached'])
    assert.equal(back.text, 'plain')
    assert.equal(back.number, 0.25)
    assert.equal(back.nothing, null)
    // Bigints as decimal strings, bytes as hex, on the wire.
    assert.match(line, /\{"\$big":"1500000000"\}/)
    assert.match(line, /\{"\$hex":"0001feff"\}/)
    assert.equal(LINE_PREFIX, '@cyx-sim ')
  })
})
