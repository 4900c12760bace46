/** Bounded, hash-checked payload transfer of the job protocol, over real encoded frames. */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { wire } from '../../../protocols/index.js'
import { chunkPayload, PayloadAssembler } from '../../../peer/job/index.js'

/** Sends a payload through encode → decode, as the stream would. */
function roundTrip (payload: Uint8Array, chunkBytes: number, maxBytes: number, expected?: Uint8Array): Uint8Array {
  const asm = new PayloadAssembler(maxBytes, expected)
  for (const f of chunkPayload(payload, chunkBytes)) {
    const frame = wire.decodeJobMessage(wire.encodeJobMessage(f.chunk !== undefined ? { dataChunk: f.chunk } : { dataEnd: f.end }))
    if (frame.dataChunk !== undefined) asm.add(frame.dataChunk)
    else if (frame.dataEnd !== undefined) return asm.finish(frame.dataEnd)
  }
  throw new Error('no end marker')
}

const code = (fn: () => unknown): string => {
  try { fn() } catch (e) { assert.ok(e instanceof wire.WireError, String(e)); return e.code }
  return 'none'
}

describe('peer/job: payload transfer', () => {
  it('reassembles any payload exactly, whatever the chunk size (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 5000 }), fc.integer({ min: 1, max: 700 }), (p, size) => {
      assert.deepEqual(roundTrip(p, size, 5000, wire.sha256(p)), p)
    }), { numRuns: 100 })
    const big = new Uint8Array(randomBytes(600_000))
    assert.deepEqual(roundTrip(big, 256 * 1024, 1 << 20), big)
  })

  it('refuses out-of-order chunks, overruns, and payloads that are not the named one', () => {
    const p = new Uint8Array(randomBytes(1000))
    const frames = [...chunkPayload(p, 300)]
    const chunks = frames.flatMap((f) => (f.chunk === undefined ? [] : [f.chunk]))
    const end = frames.at(-1)!.end!
    const asm = new PayloadAssembler(1000)
    assert.equal(code(() => asm.add(chunks[1]!)), 'INVALID_FIELD')
    assert.equal(code(() => { const a = new PayloadAssembler(999); for (const c of chunks) a.add(c) }), 'TOO_LARGE')
    assert.equal(code(() => { const a = new PayloadAssembler(1000, new Uint8Array(32)); for (const c of chunks) a.add(c); a.finish(end) }), 'HASH_MISMATCH')
    assert.equal(code(() => { const a = new PayloadAssembler(1000); for (const c of chunks.slice(0, 3)) a.add(c); a.finish(end) }), 'INVALID_FIELD')
    assert.equal(code(() => { const a = new PayloadAssembler(1000); for (const c of chunks) a.add(c); a.finish({ ...end, sha256: new Uint8Array(32) }) }), 'HASH_MISMATCH')
    const ok = new PayloadAssembler(1000, wire.sha256(p))
    for (const c of chunks) ok.add(c)
    assert.deepEqual(ok.finish(end), p)
    assert.equal(code(() => ok.add(chunks[0]!)), 'INVALID_FIELD')
  })

  it('uses a hash the sender already knows as the end marker\'s, and a wrong one is refused by the receiver', () => {
    const p = new Uint8Array(randomBytes(1000))
    const known = [...chunkPayload(p, 300, wire.sha256(p))]
    assert.deepEqual(known, [...chunkPayload(p, 300)])
    const wrong = [...chunkPayload(p, 300, new Uint8Array(32).fill(5))]
    const a = new PayloadAssembler(1000)
    for (const f of wrong) if (f.chunk !== undefined) a.add(f.chunk)
    assert.equal(code(() => a.finish(wrong.at(-1)!.end!)), 'HASH_MISMATCH')
  })

  it('returns exactly the bytes that arrived, when fewer than its bound', () => {
    const p = new Uint8Array(randomBytes(1000))
    const asm = new PayloadAssembler(4096, wire.sha256(p))
    const frames = [...chunkPayload(p, 300)]
    for (const f of frames) if (f.chunk !== undefined) asm.add(f.chunk)
    const out = asm.finish(frames.at(-1)!.end!)
    assert.equal(out.byteLength, 1000)
    assert.equal(out.buffer.byteLength, 1000)
    assert.deepEqual(out, p)
    // A refused payload is not returned, and the assembler refuses anything after its end.
    const bad = new PayloadAssembler(1000, new Uint8Array(32))
    for (const f of frames) if (f.chunk !== undefined) bad.add(f.chunk)
    assert.equal(code(() => bad.finish(frames.at(-1)!.end!)), 'HASH_MISMATCH')
    assert.equal(code(() => bad.add(frames[0]!.chunk!)), 'INVALID_FIELD')
  })
})
