/** The coordinator's wire messages: round trips, bounds, and hostile bytes (only WireErrors). */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { Keypair } from '@solana/web3.js'
import { COORDINATOR, MESH, UNITS_PER_TOKEN, wire, toHex } from '../../../protocols/index.js'
import { cpuHardware, profile, spec } from '../../fixtures/mesh.js'

const { Kind, WireError, ErrorCode } = wire
const NOW = 1_700_000_000
const wallet = (): wire.WalletSigner => wire.walletSignerFromSecretKey(Keypair.generate().secretKey)
const alice = wallet()
const peerIdBytes = (n: number): Uint8Array<ArrayBuffer> => Uint8Array.from([0x00, 0x24, ...new Array(36).fill(n % 256)])

function signedAnnounce (): wire.Signed {
  const s = spec()
  const a: wire.JobAnnounce = {
    jobId: Uint8Array.from(randomBytes(32)),
    specHash: Uint8Array.from(wire.specHash(s)),
    spec: s,
    maxPrice: 5n * UNITS_PER_TOKEN,
    estimatedSeconds: 600,
    priority: wire.Priority.PRIORITY_NORMAL,
    clientPeerId: peerIdBytes(1),
    clientAddrs: [],
    issuedAt: BigInt(NOW),
    bidDeadline: BigInt(NOW + MESH.bidWindowSeconds)
  }
  return wire.Signed.decode(wire.signMessage(Kind.JOB_ANNOUNCE, a, alice))
}

function signedAdvert (n: number): wire.Signed {
  const advert: wire.CapabilityAdvert = {
    peerId: peerIdBytes(n), addrs: [], hardware: cpuHardware(), pricePerHour: 1_000n + BigInt(n), profile: profile(), capabilities: ['cpu'], issuedAt: BigInt(NOW), expiresAt: BigInt(NOW + 3_600)
  }
  return wire.Signed.decode(wire.signMessage(Kind.CAPABILITY_ADVERT, advert, alice))
}

const u64 = fc.bigInt({ min: 0n, max: wire.WIRE_U64_MAX })
const candidateArb = fc.record({
  wallet: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  advertHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  scorePpm: fc.integer({ min: 0, max: 1_000_000 }),
  estimatedPrice: fc.bigInt({ min: 1n, max: wire.WIRE_U64_MAX }),
  stake: u64,
  reputation: fc.integer({ min: 0, max: 1000 })
})
/** A valid result: distinct peers, best first. */
const resultArb = fc.array(candidateArb, { maxLength: COORDINATOR.maxCandidates }).map((cs): wire.MatchResult => ({
  jobId: new Uint8Array(32).fill(3),
  announceHash: new Uint8Array(32).fill(4),
  coordinatorPeerId: peerIdBytes(200),
  candidates: cs.sort((x, y) => y.scorePpm - x.scorePpm).map((c, i) => ({ ...c, peerId: peerIdBytes(i) })),
  issuedAt: BigInt(NOW)
}))

function expectWireError (fn: () => unknown, code: wire.WireErrorCode, field?: string): void {
  assert.throws(fn, (e: unknown) => e instanceof WireError && e.code === code && (field === undefined || e.field === field))
}

describe('coordinator wire messages', () => {
  it('MatchResult: signed, opened and equal, for any valid ranking (fast-check)', () => {
    fc.assert(fc.property(resultArb, (r) => {
      const bytes = wire.signMessage(Kind.MATCH_RESULT, r, alice)
      assert.ok(bytes.byteLength <= MESH.maxSignedMessageBytes)
      const opened = wire.openSigned(bytes, Kind.MATCH_RESULT, NOW)
      assert.deepEqual(opened.message, r)
      assert.deepEqual(opened.signer, alice.publicKey)
      // A signature for a ranking is never one for anything else.
      expectWireError(() => wire.openSigned(bytes, Kind.AWARD, NOW), 'WRONG_KIND')
    }), { numRuns: 100 })
  })

  it('MatchRequest, MatchResponse, RegisterRequest/Response round-trip (fast-check)', () => {
    const announce = signedAnnounce()
    fc.assert(fc.property(fc.stringMatching(/^[a-z0-9][a-z0-9:._-]{0,31}$/), fc.integer({ min: 1, max: COORDINATOR.maxCandidates }), (capability, maxCandidates) => {
      const m = { announce, capability, maxCandidates }
      assert.deepEqual(wire.decodeMatchRequest(wire.encodeMatchRequest(m)), m)
    }), { numRuns: 100 })
    fc.assert(fc.property(resultArb, (r) => {
      const adverts = r.candidates.map((_c, i) => signedAdvert(i))
      const m: wire.MatchResponse = { result: wire.Signed.decode(wire.signMessage(Kind.MATCH_RESULT, r, alice)), adverts }
      assert.deepEqual(wire.decodeMatchResponse(wire.encodeMatchResponse(m)), m)
    }), { numRuns: 50 })
    fc.assert(fc.property(fc.bigInt({ min: 1n, max: wire.WIRE_U64_MAX }), fc.string({ maxLength: 200 }), (until, why) => {
      const ok: wire.RegisterResponse = { accepted: true, indexedUntil: until }
      assert.deepEqual(wire.decodeRegisterResponse(wire.encodeRegisterResponse(ok)), ok)
      const no: wire.RegisterResponse = { accepted: false, indexedUntil: 0n, error: { code: ErrorCode.UNAVAILABLE, message: why } }
      assert.deepEqual(wire.decodeRegisterResponse(wire.encodeRegisterResponse(no)), no)
    }), { numRuns: 100 })
    const reg = { advert: signedAdvert(1) }
    assert.deepEqual(wire.decodeRegisterRequest(wire.encodeRegisterRequest(reg)), reg)
  })

  it('keeps 64-bit integers exact across the whole range (sfixed64), including [2^31, 2^32)', () => {
    for (const v of [1n, 2n ** 31n, 2n ** 31n + 5n, 2n ** 32n - 1n, wire.WIRE_U64_MAX]) {
      const r: wire.MatchResult = {
        jobId: new Uint8Array(32), announceHash: new Uint8Array(32), coordinatorPeerId: peerIdBytes(9),
        candidates: [{ peerId: peerIdBytes(1), wallet: new Uint8Array(32), advertHash: new Uint8Array(32), scorePpm: 1, estimatedPrice: v, stake: v, reputation: 0 }],
        issuedAt: BigInt(NOW)
      }
      assert.equal(wire.openSigned(wire.signMessage(Kind.MATCH_RESULT, r, alice), Kind.MATCH_RESULT, NOW).message.candidates[0]?.stake, v)
    }
  })

  it('refuses what a coordinator or a peer must not send, naming the field', () => {
    const base: wire.MatchResult = {
      jobId: new Uint8Array(32), announceHash: new Uint8Array(32), coordinatorPeerId: peerIdBytes(9),
      candidates: [0, 1].map((i) => ({ peerId: peerIdBytes(i), wallet: new Uint8Array(32), advertHash: new Uint8Array(32), scorePpm: 500_000 - i, estimatedPrice: 10n, stake: 0n, reputation: 0 })),
      issuedAt: BigInt(NOW)
    }
    const c0 = base.candidates[0]!
    const c1 = base.candidates[1]!
    expectWireError(() => wire.validateMatchResult({ ...base, candidates: [c1, c0] }), 'INVALID_FIELD', 'candidates[1].scorePpm')
    expectWireError(() => wire.validateMatchResult({ ...base, candidates: [c0, { ...c1, peerId: c0.peerId }] }), 'INVALID_FIELD', 'candidates[1].peerId')
    expectWireError(() => wire.validateMatchResult({ ...base, candidates: [{ ...c0, stake: -1n }] }), 'INVALID_FIELD', 'candidates[0].stake')
    expectWireError(() => wire.validateMatchResult({ ...base, candidates: [{ ...c0, estimatedPrice: 0n }] }), 'INVALID_FIELD', 'candidates[0].estimatedPrice')
    expectWireError(() => wire.validateMatchResult({ ...base, candidates: [{ ...c0, reputation: 1001 }] }), 'INVALID_FIELD', 'candidates[0].reputation')
    expectWireError(() => wire.validateMatchResult({ ...base, candidates: [{ ...c0, wallet: new Uint8Array(31) }] }), 'INVALID_FIELD', 'candidates[0].wallet')
    const many = Array.from({ length: COORDINATOR.maxCandidates + 1 }, (_v, i) => ({ ...c0, peerId: peerIdBytes(i) }))
    expectWireError(() => wire.validateMatchResult({ ...base, candidates: many }), 'INVALID_FIELD', 'candidates')
    expectWireError(() => wire.signMessage(Kind.MATCH_RESULT, { ...base, jobId: new Uint8Array(31) }, alice), 'INVALID_FIELD', 'jobId')

    const announce = signedAnnounce()
    expectWireError(() => wire.encodeMatchRequest({ announce, capability: 'CPU!', maxCandidates: 1 }), 'INVALID_FIELD', 'capability')
    expectWireError(() => wire.encodeMatchRequest({ announce, capability: 'cpu', maxCandidates: COORDINATOR.maxCandidates + 1 }), 'INVALID_FIELD', 'maxCandidates')
    expectWireError(() => wire.decodeMatchRequest(wire.MatchRequest.encode({ announce: signedAdvert(1), capability: 'cpu', maxCandidates: 1 })), 'WRONG_KIND', 'announce')
    expectWireError(() => wire.decodeMatchRequest(wire.MatchRequest.encode({ capability: 'cpu', maxCandidates: 1 })), 'INVALID_FIELD', 'announce')
    expectWireError(() => wire.decodeRegisterRequest(wire.RegisterRequest.encode({ advert: announce })), 'WRONG_KIND', 'advert')
    expectWireError(() => wire.decodeMatchResponse(wire.MatchResponse.encode({ adverts: [] })), 'INVALID_FIELD', 'payload')
    expectWireError(() => wire.decodeMatchResponse(wire.MatchResponse.encode({ adverts: [signedAdvert(1)], error: { code: ErrorCode.INTERNAL, message: 'x' } })), 'INVALID_FIELD', 'adverts')
    expectWireError(() => wire.decodeMatchResponse(wire.MatchResponse.encode({ result: announce, adverts: [] })), 'WRONG_KIND', 'result')
    expectWireError(() => wire.decodeRegisterResponse(wire.RegisterResponse.encode({ accepted: true, indexedUntil: 0n })), 'INVALID_FIELD', 'indexedUntil')
    expectWireError(() => wire.decodeRegisterResponse(wire.RegisterResponse.encode({ accepted: false, indexedUntil: 0n })), 'INVALID_FIELD', 'error')
    expectWireError(() => wire.decodeMatchRequest(new Uint8Array(COORDINATOR.maxRegisterFrameBytes + 1)), 'TOO_LARGE')
    expectWireError(() => wire.decodeMatchResponse(new Uint8Array(COORDINATOR.maxMatchFrameBytes + 1)), 'TOO_LARGE')
  })

  it('random and mutated bytes never throw anything but a WireError', () => {
    const hostile = (fn: (b: Uint8Array) => unknown) => (b: Uint8Array): void => {
      try {
        fn(b)
      } catch (e) {
        if (!(e instanceof WireError)) throw new Error(`non-WireError for ${toHex(b).slice(0, 80)}: ${String(e)}`)
      }
    }
    const decoders = [wire.decodeMatchRequest, wire.decodeMatchResponse, wire.decodeRegisterRequest, wire.decodeRegisterResponse, (b: Uint8Array) => wire.openSigned(b, Kind.MATCH_RESULT, NOW)]
    for (const d of decoders) fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), hostile(d)), { numRuns: 300 })
    const valid = wire.encodeMatchResponse({ result: wire.Signed.decode(wire.signMessage(Kind.MATCH_RESULT, fc.sample(resultArb, 1)[0]!, alice)), adverts: [] })
    const request = wire.encodeMatchRequest({ announce: signedAnnounce(), capability: 'cpu', maxCandidates: 8 })
    const mutate = (src: Uint8Array) => fc.tuple(fc.nat({ max: src.length - 1 }), fc.integer({ min: 1, max: 255 }), fc.nat({ max: 8 }))
      .map(([at, xor, cut]) => {
        const b = Uint8Array.from(src)
        b[at] = (b[at] as number) ^ xor
        return cut > 4 ? b.subarray(0, b.length - cut) : b
      })
    fc.assert(fc.property(mutate(valid), hostile(wire.decodeMatchResponse)), { numRuns: 300 })
    fc.assert(fc.property(mutate(request), hostile(wire.decodeMatchRequest)), { numRuns: 300 })
  })
})
