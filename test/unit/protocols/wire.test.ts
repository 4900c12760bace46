/**
 * Wire messages: round trips, signatures, bounds, and hostile bytes. Property tests use fast-check:
 * decode(encode(x)) = x for valid messages, and random or mutated bytes never produce anything but a
 * typed WireError.
 */
import assert from 'node:assert/strict'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { MESH, wire, toHex } from '../../../protocols/index.js'

const { Kind, WireError, NumericMode, VerificationTier, Priority, GpuClass, ErrorCode } = wire
type WalletSigner = wire.WalletSigner

/** A fresh wallet: a Solana-style 64-byte secret key (seed ‖ public key). */
function newWallet (): WalletSigner {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const d = Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url')
  const x = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url')
  return wire.walletSignerFromSecretKey(new Uint8Array(Buffer.concat([d, x])))
}

const NOW = 1_800_000_000
const bytes = (n: number, fill = 7): Uint8Array<ArrayBuffer> => new Uint8Array(n).fill(fill)
const CID_OK = 'bafyreid6vphrrijwk2cura4bbice5iwu3pljkwkh2x3k4ozgwhc7dq3rli'

function spec (over: Partial<wire.TrainingSpec> = {}): wire.TrainingSpec {
  return {
    layers: [16, 32, 3],
    mode: NumericMode.FLOAT32,
    fracBits: 0,
    datasetId: 'spirals',
    datasetHash: bytes(32, 1),
    datasetBytes: 1024n,
    epochs: 3,
    batchSize: 32,
    learningRateMicros: 50_000,
    momentumMicros: 900_000,
    seed: 42n,
    tier: VerificationTier.TIER_OPTIMISTIC,
    stepsPerSegment: 0,
    backend: wire.FloatBackend.BACKEND_NATIVE,
    ...over
  }
}

function announce (over: Partial<wire.JobAnnounce> = {}): wire.JobAnnounce {
  const s = over.spec ?? spec()
  return {
    jobId: bytes(32, 2),
    specHash: Uint8Array.from(wire.specHash(s)),
    spec: s,
    maxPrice: 5_000_000_000n,
    estimatedSeconds: 600,
    priority: Priority.PRIORITY_NORMAL,
    clientPeerId: bytes(38, 3),
    clientAddrs: [bytes(8, 4)],
    issuedAt: BigInt(NOW),
    bidDeadline: BigInt(NOW + 3),
    ...over
  }
}

const profile = (): wire.DeterminismProfile => ({ runtime: 'onnxruntime-node', runtimeVersion: '1.30.0', backend: 'cpu', cpuClass: 'x86_64-fma' })

function advert (over: Partial<wire.CapabilityAdvert> = {}): wire.CapabilityAdvert {
  return {
    peerId: bytes(38, 5),
    addrs: [bytes(8, 6)],
    hardware: { cpuCores: 2, ramGb: 24, gpuClass: GpuClass.GPU_NONE, gpuModel: '', vramGb: 0 },
    pricePerHour: 500_000_000n,
    profile: profile(),
    capabilities: ['cpu'],
    issuedAt: BigInt(NOW),
    expiresAt: BigInt(NOW + MESH.advertTtlSeconds),
    ...over
  }
}

function bid (over: Partial<wire.Bid> = {}): wire.Bid {
  return { jobId: bytes(32, 2), workerPeerId: bytes(38, 5), price: 1_000_000_000n, etaSeconds: 60, stake: 50_000_000_000n, reputation: 0, issuedAt: BigInt(NOW), profile: profile(), ...over }
}

function award (over: Partial<wire.Award> = {}): wire.Award {
  const s = spec()
  return { jobId: bytes(32, 2), worker: bytes(32, 8), escrow: bytes(32, 9), amount: 1_000_000_000n, specHash: Uint8Array.from(wire.specHash(s)), spec: s, issuedAt: BigInt(NOW), ...over }
}

function expectWireError (fn: () => unknown, code?: wire.WireErrorCode, field?: string): void {
  try {
    fn()
  } catch (e) {
    assert.ok(e instanceof WireError, `expected a WireError, got ${String(e)}`)
    if (code !== undefined) assert.equal(e.code, code, e.message)
    if (field !== undefined) assert.equal(e.field, field, e.message)
    return
  }
  assert.fail('expected a WireError, nothing was thrown')
}

describe('protocols/wire', () => {
  const alice = newWallet()

  describe('signed messages', () => {
    const cases = [
      [Kind.CAPABILITY_ADVERT, advert()],
      [Kind.JOB_ANNOUNCE, announce()],
      [Kind.BID, bid()],
      [Kind.AWARD, award()]
    ] as const

    for (const [kind, message] of cases) {
      it(`${kind}: sign → open returns the message and its signer`, () => {
        const signed = wire.signMessage(kind, message as never, alice)
        const opened = wire.openSigned(signed, kind, NOW)
        assert.deepEqual(opened.message, message)
        assert.deepEqual(opened.signer, alice.publicKey)
      })
    }

    it('refuses a tampered body, a swapped signer, and another kind', () => {
      const signed = wire.signMessage(Kind.BID, bid(), alice)
      const env = wire.Signed.decode(signed)
      const body = Uint8Array.from(env.body)
      body[body.length - 1] = (body[body.length - 1] as number) ^ 1
      expectWireError(() => wire.openSigned(wire.Signed.encode({ ...env, body }), Kind.BID, NOW), 'BAD_SIGNATURE')
      expectWireError(() => wire.openSigned(wire.Signed.encode({ ...env, signer: Uint8Array.from(newWallet().publicKey) }), Kind.BID, NOW), 'BAD_SIGNATURE')
      expectWireError(() => wire.openSigned(signed, Kind.AWARD, NOW), 'WRONG_KIND')
      // The same body relabelled as another kind does not verify: the kind is in the signed domain.
      expectWireError(() => wire.openSigned(wire.Signed.encode({ ...env, kind: Kind.AWARD }), Kind.AWARD, NOW), 'BAD_SIGNATURE')
    })

    it('refuses stale, future and expired messages', () => {
      const signed = wire.signMessage(Kind.CAPABILITY_ADVERT, advert(), alice)
      expectWireError(() => wire.openSigned(signed, Kind.CAPABILITY_ADVERT, NOW + MESH.advertTtlSeconds), 'STALE', 'expiresAt')
      expectWireError(() => wire.openSigned(signed, Kind.CAPABILITY_ADVERT, NOW - MESH.maxClockSkewSeconds - 1), 'STALE', 'issuedAt')
      const b = wire.signMessage(Kind.BID, bid(), alice)
      expectWireError(() => wire.openSigned(b, Kind.BID, NOW + MESH.maxBidWindowSeconds + MESH.maxClockSkewSeconds + 1), 'STALE', 'issuedAt')
    })

    it('refuses oversized input before decoding it', () => {
      expectWireError(() => wire.openSigned(new Uint8Array(MESH.maxSignedMessageBytes + 1), Kind.BID, NOW), 'TOO_LARGE')
      const many = advert({ addrs: Array.from({ length: 16 }, () => bytes(256)), capabilities: Array.from({ length: 16 }, (_, i) => `cap${i}`.padEnd(32, 'x')) })
      assert.ok(wire.signMessage(Kind.CAPABILITY_ADVERT, many, alice).byteLength <= MESH.maxSignedMessageBytes)
    })

    it('will not sign an invalid message', () => {
      expectWireError(() => wire.signMessage(Kind.BID, bid({ reputation: 1001 }), alice), 'INVALID_FIELD', 'reputation')
    })
  })

  describe('validation', () => {
    const table: Array<[string, () => unknown, wire.WireErrorCode, string]> = [
      ['short job id', () => wire.validateJobAnnounce(announce({ jobId: bytes(31) })), 'INVALID_FIELD', 'jobId'],
      ['spec hash of another spec', () => wire.validateJobAnnounce(announce({ specHash: bytes(32) })), 'HASH_MISMATCH', 'specHash'],
      ['one layer', () => wire.validateJobAnnounce(announce({ spec: spec({ layers: [4] }) })), 'INVALID_FIELD', 'spec.layers'],
      ['huge layer', () => wire.validateJobAnnounce(announce({ spec: spec({ layers: [4, 5000, 2] }) })), 'INVALID_FIELD', 'spec.layers[1]'],
      ['zero epochs', () => wire.validateJobAnnounce(announce({ spec: spec({ epochs: 0 }) })), 'INVALID_FIELD', 'spec.epochs'],
      ['zk tier in float', () => wire.validateJobAnnounce(announce({ spec: spec({ tier: VerificationTier.TIER_ZK }) })), 'INVALID_FIELD', 'spec.tier'],
      ['fixed point without fraction bits', () => wire.validateJobAnnounce(announce({ spec: spec({ mode: NumericMode.FIXED_POINT }) })), 'INVALID_FIELD', 'spec.fracBits'],
      ['bad dataset name', () => wire.validateJobAnnounce(announce({ spec: spec({ datasetId: '../etc' }) })), 'INVALID_FIELD', 'spec.datasetId'],
      ['oversized dataset', () => wire.validateJobAnnounce(announce({ spec: spec({ datasetBytes: BigInt(MESH.maxDatasetBytes) + 1n }) })), 'INVALID_FIELD', 'spec.datasetBytes'],
      ['free job', () => wire.validateJobAnnounce(announce({ maxPrice: 0n })), 'INVALID_FIELD', 'maxPrice'],
      ['endless bid window', () => wire.validateJobAnnounce(announce({ bidDeadline: BigInt(NOW + 7200) })), 'INVALID_FIELD', 'bidDeadline'],
      ['advert without capabilities', () => wire.validateCapabilityAdvert(advert({ capabilities: [] })), 'INVALID_FIELD', 'capabilities'],
      ['advert capability with spaces', () => wire.validateCapabilityAdvert(advert({ capabilities: ['gpu any'] })), 'INVALID_FIELD', 'capabilities[0]'],
      ['VRAM without GPU', () => wire.validateCapabilityAdvert(advert({ hardware: { cpuCores: 2, ramGb: 1, gpuClass: GpuClass.GPU_NONE, gpuModel: '', vramGb: 8 } })), 'INVALID_FIELD', 'hardware.vramGb'],
      ['advert living a day', () => wire.validateCapabilityAdvert(advert({ expiresAt: BigInt(NOW + 86_400) })), 'INVALID_FIELD', 'expiresAt'],
      ['bid without profile', () => wire.validateBid(bid({ profile: undefined })), 'INVALID_FIELD', 'profile'],
      ['award with short escrow', () => wire.validateAward(award({ escrow: bytes(31) })), 'INVALID_FIELD', 'escrow'],
      ['empty chunk', () => wire.validateChunk({ index: 0, data: bytes(0) }), 'INVALID_FIELD', 'chunk.data'],
      ['oversized chunk', () => wire.validateChunk({ index: 0, data: bytes(MESH.maxChunkBytes + 1) }), 'INVALID_FIELD', 'chunk.data'],
      ['NaN loss', () => wire.validateMetrics({ epoch: 1, totalEpochs: 2, step: 1, loss: Number.NaN, trainAccuracy: 0.5, testAccuracy: 0.5, timestamp: 1n }), 'INVALID_FIELD', 'metrics.loss'],
      ['epoch past the end', () => wire.validateMetrics({ epoch: 3, totalEpochs: 2, step: 1, loss: 1, trainAccuracy: 0.5, testAccuracy: 0.5, timestamp: 1n }), 'INVALID_FIELD', 'metrics.epoch'],
      ['accuracy above 1', () => wire.validateMetrics({ epoch: 1, totalEpochs: 2, step: 1, loss: 1, trainAccuracy: 1.5, testAccuracy: 0.5, timestamp: 1n }), 'INVALID_FIELD', 'metrics.trainAccuracy'],
      ['resume point at hand-over 0', () => wire.validateJobAnnounce(announce({ resume: { handover: 0, epoch: 1, checkpointCid: CID_OK } })), 'INVALID_FIELD', 'resume.handover'],
      ['resume point past the evidence bound', () => wire.validateAward(award({ resume: { handover: 1, epoch: 4097, checkpointCid: CID_OK } })), 'INVALID_FIELD', 'resume.epoch'],
      ['resume point with an epoch and no checkpoint', () => wire.validateAward(award({ resume: { handover: 1, epoch: 2, checkpointCid: '' } })), 'INVALID_FIELD', 'resume.checkpointCid'],
      ['resume point from scratch naming a checkpoint', () => wire.validateJobAnnounce(announce({ resume: { handover: 1, epoch: 0, checkpointCid: CID_OK } })), 'INVALID_FIELD', 'resume.checkpointCid'],
      ['resume point with a path for a CID', () => wire.validateAward(award({ resume: { handover: 1, epoch: 2, checkpointCid: 'bafy/../x' } })), 'INVALID_FIELD', 'resume.checkpointCid'],
      ['resume point of a zk job', () => wire.validateJobAnnounce(announce({ spec: spec({ tier: VerificationTier.TIER_ZK, mode: NumericMode.FIXED_POINT, fracBits: 16 }), resume: { handover: 1, epoch: 1, checkpointCid: CID_OK } })), 'INVALID_FIELD', 'resume'],
      ['CID with slashes', () => wire.validateDelivery({ weightsHash: bytes(32), weightsBytes: 10n, evidenceCid: 'bafy/../x', merkleRoot: bytes(32), epochs: 1, finalChainHash: bytes(32) }), 'INVALID_FIELD', 'delivery.evidenceCid']
    ]
    for (const [name, fn, code, field] of table) {
      it(`refuses ${name}`, () => expectWireError(fn, code, field))
    }
  })

  describe('failover resume point (issue 21)', () => {
    it('travels in a signed announce and award, and is absent from a fresh job', () => {
      const resume = { handover: 1, epoch: 2, checkpointCid: CID_OK }
      const opened = wire.openSigned(wire.signMessage(Kind.JOB_ANNOUNCE, announce({ resume }), alice), Kind.JOB_ANNOUNCE, NOW)
      assert.deepEqual(opened.message.resume, resume)
      const awarded = wire.openSigned(wire.signMessage(Kind.AWARD, award({ resume }), alice), Kind.AWARD, NOW)
      assert.deepEqual(awarded.message.resume, resume)
      assert.equal(wire.openSigned(wire.signMessage(Kind.AWARD, award(), alice), Kind.AWARD, NOW).message.resume, undefined)
      // Nothing verified: from scratch, no checkpoint named.
      assert.doesNotThrow(() => wire.validateAward(award({ resume: { handover: 2, epoch: 0, checkpointCid: '' } })))
    })
  })

  describe('job frames', () => {
    it('round-trips every payload', () => {
      const data = bytes(1000, 3)
      const frames: wire.JobMessage[] = [
        { award: wire.Signed.decode(wire.signMessage(Kind.AWARD, award(), alice)) },
        { dataChunk: { index: 0, data } },
        { dataEnd: { chunks: 1, totalBytes: 1000n, sha256: Uint8Array.from(wire.sha256(data)) } },
        { metrics: { epoch: 1, totalEpochs: 3, step: 10, loss: 0.5, trainAccuracy: 0.8, testAccuracy: 0.75, timestamp: BigInt(NOW) } },
        { checkpoint: { epoch: 1, chainHash: bytes(32), merkleRoot: bytes(32), cid: 'bafyreiabc' } },
        { delivery: { weightsHash: bytes(32), weightsBytes: 100n, evidenceCid: 'bafyreiabc', merkleRoot: bytes(32), epochs: 3, finalChainHash: bytes(32) } },
        { error: { code: ErrorCode.ESCROW_INVALID, message: 'no escrow for this job' } },
        { dataRequest: {} }
      ]
      for (const f of frames) assert.deepEqual(wire.decodeJobMessage(wire.encodeJobMessage(f)), f)
      for (const f of frames) assert.deepEqual(wire.decodeJobMessage(wire.encodeJobFrame(f).subarray()), f)
    })
    it('writes a chunk frame as the header protons would write, then the chunk\'s own bytes uncopied', () => {
      fc.assert(fc.property(
        fc.constantFrom('dataChunk' as const, 'weightsChunk' as const),
        fc.oneof(fc.constantFrom(0, 1, 127, 128, 16_383, 16_384, 0xffff_ffff), fc.nat({ max: 0xffff_ffff })),
        fc.oneof(fc.constantFrom(1, 127, 128, 16_384, MESH.maxChunkBytes), fc.integer({ min: 1, max: 4096 })),
        (which, index, size) => {
          const data = Uint8Array.from(randomBytes(size))
          const m: wire.JobMessage = { [which]: { index, data } }
          const frame = wire.encodeJobFrame(m)
          assert.deepEqual(frame.subarray(), wire.JobMessage.encode(m))
          assert.ok(!(frame instanceof Uint8Array), 'a list, not a copy')
          const parts = [...frame]
          assert.equal(parts.at(-1), data, 'the last part is the chunk\'s bytes themselves')
        }
      ), { numRuns: 200 })
    })
    it('refuses a frame with no payload, and an oversized frame unread', () => {
      expectWireError(() => wire.decodeJobMessage(new Uint8Array(0)), 'INVALID_FIELD', 'payload')
      expectWireError(() => wire.decodeJobMessage(new Uint8Array(MESH.maxJobFrameBytes + 1)), 'TOO_LARGE')
    })
  })

  describe('64-bit integers', () => {
    // protons-runtime's uint64 varint writer corrupts [2^31, 2^32); our fields are sfixed64 (see
    // messages.proto). Random u64s almost never land in that window, so test its edges directly.
    const edges = [1n, 127n, 128n, (1n << 31n) - 1n, 1n << 31n, 3_000_000_000n, (1n << 32n) - 1n, 1n << 32n, (1n << 53n) + 1n, wire.WIRE_U64_MAX]
    it('round-trip exactly at every varint and sign boundary', () => {
      for (const v of edges) {
        assert.equal(wire.Bid.decode(wire.Bid.encode(bid({ price: v, stake: v, issuedAt: v }))).price, v, String(v))
        assert.equal(wire.Metrics.decode(wire.Metrics.encode({ epoch: 1, totalEpochs: 1, step: 0, loss: 0, trainAccuracy: 0, testAccuracy: 0, timestamp: v })).timestamp, v)
        const s = spec({ seed: v })
        assert.equal(wire.TrainingSpec.decode(wire.TrainingSpec.encode(s)).seed, v)
      }
    })
    it('refuse values at or above 2^63 (they decode negative)', () => {
      const b = wire.Bid.decode(wire.Bid.encode(bid({ price: wire.WIRE_U64_MAX + 1n })))
      expectWireError(() => wire.validateBid(b), 'INVALID_FIELD', 'price')
    })
  })

  describe('properties', () => {
    const u64 = fc.bigInt({ min: 1n, max: wire.WIRE_U64_MAX })
    const specArb = fc.record({
      layers: fc.array(fc.integer({ min: 2, max: 4096 }), { minLength: 2, maxLength: 16 }),
      datasetId: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,31}$/),
      datasetHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      datasetBytes: fc.bigInt({ min: 1n, max: BigInt(MESH.maxDatasetBytes) }),
      epochs: fc.integer({ min: 1, max: 10_000 }),
      batchSize: fc.integer({ min: 1, max: 65_536 }),
      learningRateMicros: fc.integer({ min: 1, max: 10_000_000 }),
      momentumMicros: fc.integer({ min: 0, max: 999_999 }),
      seed: fc.bigInt({ min: 0n, max: wire.WIRE_U64_MAX }),
      stepsPerSegment: fc.integer({ min: 0, max: 1_000_000 })
    }).map((r) => spec({ ...r, datasetHash: Uint8Array.from(r.datasetHash) }))

    it('decode(encode(x)) = x for valid announcements', () => {
      fc.assert(fc.property(specArb, u64, fc.integer({ min: 1, max: MESH.maxEstimatedSeconds }), (s, maxPrice, est) => {
        const a = announce({ spec: s, specHash: Uint8Array.from(wire.specHash(s)), maxPrice, estimatedSeconds: est })
        const back = wire.validateJobAnnounce(wire.JobAnnounce.decode(wire.JobAnnounce.encode(a)))
        assert.deepEqual(back, a)
      }), { numRuns: 200 })
    })

    it('decode(encode(x)) = x for valid bids and metrics', () => {
      fc.assert(fc.property(u64, fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 1000 }), (price, eta, rep) => {
        const b = bid({ price, etaSeconds: eta, reputation: rep })
        assert.deepEqual(wire.validateBid(wire.Bid.decode(wire.Bid.encode(b))), b)
      }))
      fc.assert(fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (loss, acc) => {
        const m = { epoch: 1, totalEpochs: 2, step: 3, loss, trainAccuracy: acc, testAccuracy: acc, timestamp: 5n }
        const back = wire.decodeJobMessage(wire.encodeJobMessage({ metrics: m }))
        assert.deepEqual(back, { metrics: m })
      }))
    })

    const hostile = (fn: (b: Uint8Array) => unknown) => (b: Uint8Array): void => {
      try {
        fn(b)
      } catch (e) {
        if (!(e instanceof WireError)) throw new Error(`non-WireError thrown for ${toHex(b).slice(0, 80)}: ${String(e)}`)
      }
    }

    it('random bytes never throw anything but a WireError', () => {
      const decoders = [
        (b: Uint8Array) => wire.decodeJobMessage(b),
        ...([Kind.CAPABILITY_ADVERT, Kind.JOB_ANNOUNCE, Kind.BID, Kind.AWARD] as const).map((k) => (b: Uint8Array) => wire.openSigned(b, k, NOW))
      ]
      for (const d of decoders) fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), hostile(d)), { numRuns: 300 })
      for (let i = 0; i < 50; i++) hostile((b) => wire.decodeJobMessage(b))(randomBytes(64 * 1024))
    })

    it('mutations of valid messages never throw anything but a WireError, and never open as valid with a changed body', () => {
      const signedAnnounce = wire.signMessage(Kind.JOB_ANNOUNCE, announce(), alice)
      const frame = wire.encodeJobMessage({ metrics: { epoch: 1, totalEpochs: 3, step: 10, loss: 0.5, trainAccuracy: 0.8, testAccuracy: 0.75, timestamp: 9n } })
      const mutate = (src: Uint8Array) => fc.tuple(fc.nat({ max: src.length - 1 }), fc.integer({ min: 1, max: 255 }), fc.nat({ max: 8 }))
        .map(([at, xor, cut]) => {
          const b = Uint8Array.from(src)
          b[at] = (b[at] as number) ^ xor
          return cut > 4 ? b.subarray(0, b.length - cut) : b
        })
      fc.assert(fc.property(mutate(signedAnnounce), (b) => {
        try {
          const opened = wire.openSigned(b, Kind.JOB_ANNOUNCE, NOW)
          // A mutation may only touch bytes outside the signed body (e.g. a no-op re-encoding).
          assert.deepEqual(opened.message, announce())
        } catch (e) {
          if (!(e instanceof WireError)) throw e
        }
      }), { numRuns: 500 })
      fc.assert(fc.property(mutate(frame), hostile((b) => wire.decodeJobMessage(b))), { numRuns: 500 })
    })
  })
})
