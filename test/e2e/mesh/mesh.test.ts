/**
 * Four real libp2p nodes on 127.0.0.1 — one client, three workers — through the mesh protocols:
 * DHT adverts found by capability (and forged ones refused), job announcements over gossipsub
 * answered by bids the client collects within the bid window, and hostile input on the gossip
 * topic and the bid protocol refused without stopping the client from serving honest peers.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import type { Connection, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import {
  advertKey, advertRecordSigningBytes, announceJob, encodeAdvertRecord, BAN_SCORE, BidNotAcceptedError, BidRefusedError, buildAdvert, createPeerNode, findWorkers, getAdvert,
  onJobAnnounce, publishAdvert, sendBid, startBidCollector, type BidCollector, type JobAnnounceEvent, type PeerNode
} from '../../../peer/node/index.js'
import { MESH, wire, toHex, within } from '../../../protocols/index.js'
import { cpuHardware, jobAnnounce, newJobId, profile, signedBid, sleep, until, withBadSignature } from '../../fixtures/mesh.js'

const { Kind, WireError, signMessage } = wire

/** Byte equality whatever the Uint8Array subclass (protons decodes to Buffers in Node). */
const sameBytes = (a: Uint8Array, b: Uint8Array, what: string): void => { assert.equal(toHex(a), toHex(b), what) }

describe('mesh: four nodes on 127.0.0.1', function () {
  this.timeout(20_000)
  let client: PeerNode
  let workers: PeerNode[]
  let all: PeerNode[]
  let collector: BidCollector
  const rejected: Array<{ peer: string, error: Error }> = []
  const announces = new Map<string, JobAnnounceEvent[]>()

  before(async () => {
    client = await createPeerNode({ listen: ['/ip4/127.0.0.1/tcp/0'] })
    workers = await Promise.all([0, 1, 2].map(async () => await createPeerNode({ listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: client.multiaddrs() })))
    all = [client, ...workers]
    collector = await startBidCollector(client, { onRejected: (peer, error) => { rejected.push({ peer: peer.toString(), error }) } })
    for (const w of workers) {
      announces.set(w.peerId.toString(), [])
      onJobAnnounce(w, (e) => { announces.get(w.peerId.toString())!.push(e) })
    }
  })

  after(async () => {
    await Promise.all((all ?? []).map(async (n) => { await n.stop() }))
  })

  const nameOf = (n: PeerNode): string => n.peerId.toString()

  describe('discovery: signed adverts in the private DHT', () => {
    before(async () => {
      // Workers 0 and 1 offer CPU; worker 2 offers CPU and a GPU class.
      await Promise.all(workers.map(async (w, i) => {
        const capabilities = i === 2 ? ['cpu', 'gpu:any'] : ['cpu']
        const advert = buildAdvert(w, { hardware: cpuHardware(), pricePerHour: BigInt(100 + i), profile: profile(), capabilities })
        await publishAdvert(w, advert, w.wallet)
      }))
    })

    it('finds every worker offering a capability, with its verified advert and wallet', async () => {
      const cpu = await findWorkers(client, 'cpu')
      assert.deepEqual(cpu.map((f) => f.peerId.toString()).sort(), workers.map(nameOf).sort())
      for (const found of cpu) {
        const w = workers.find((x) => x.peerId.equals(found.peerId))!
        sameBytes(found.wallet, w.wallet.publicKey, 'wallet')
        sameBytes(found.advert.peerId, w.peerId.toMultihash().bytes, 'peerId')
        assert.ok(found.advert.addrs.length > 0)
      }
      const gpu = await findWorkers(workers[0]!, 'gpu:any')
      assert.deepEqual(gpu.map((f) => f.peerId.toString()), [nameOf(workers[2]!)])
      assert.deepEqual(await findWorkers(client, 'tier:zk'), [])
    })

    it('refuses a record filed under another peer\'s key, a forged signature and an expired advert', async () => {
      const [w0, w1] = workers as [PeerNode, PeerNode]
      const validate = client.libp2p.services.dht.validators.cyx!
      /** A DHT record: `advert` signed by `wallet`'s owner, countersigned by `signer`'s peer key. */
      const recordOf = async (advert: wire.CapabilityAdvert, wallet: PeerNode, signer: PeerNode = wallet): Promise<Uint8Array> => {
        const signed = signMessage(Kind.CAPABILITY_ADVERT, advert, wallet.wallet)
        return encodeAdvertRecord(signed, await signer.peerSign(advertRecordSigningBytes(signed)))
      }
      const offer = { hardware: cpuHardware(), pricePerHour: 1n, profile: profile(), capabilities: ['cpu'] }
      const mine = await recordOf(buildAdvert(w0, offer), w0)
      await validate(advertKey(nameOf(w0)), mine) // the genuine record passes (our validator is synchronous; the type allows a promise)

      // w0's own record, filed under w1's key: w0's peer signature does not verify under w1's key.
      assert.throws(() => validate(advertKey(nameOf(w1)), mine), (e: unknown) => e instanceof WireError && e.code === 'BAD_SIGNATURE' && e.field === 'peerSignature')
      // An advert naming w1, signed by w0's wallet and countersigned by w0: the same.
      const impostor = await recordOf({ ...buildAdvert(w0, offer), peerId: w1.peerId.toMultihash().bytes }, w0)
      assert.throws(() => validate(advertKey(nameOf(w1)), impostor), (e: unknown) => e instanceof WireError && e.code === 'BAD_SIGNATURE' && e.field === 'peerSignature')
      // w1's genuine peer signature over an advert that names w0: the peer ids disagree.
      const crossed = await recordOf(buildAdvert(w0, offer), w1, w1)
      assert.throws(() => validate(advertKey(nameOf(w1)), crossed), (e: unknown) => e instanceof WireError && e.code === 'INVALID_FIELD' && e.field === 'peerId')
      // A bad wallet signature under a good peer signature (w0 countersigns the tampered envelope).
      const tampered = withBadSignature(signMessage(Kind.CAPABILITY_ADVERT, buildAdvert(w0, offer), w0.wallet))
      const tamperedRecord = encodeAdvertRecord(tampered, await w0.peerSign(advertRecordSigningBytes(tampered)))
      assert.throws(() => validate(advertKey(nameOf(w0)), tamperedRecord), (e: unknown) => e instanceof WireError && e.code === 'BAD_SIGNATURE' && e.field !== 'peerSignature')
      // A bare wallet-signed advert (no countersignature), random bytes and an oversized value.
      assert.throws(() => validate(advertKey(nameOf(w0)), signMessage(Kind.CAPABILITY_ADVERT, buildAdvert(w0, offer), w0.wallet)), (e: unknown) => e instanceof WireError)
      assert.throws(() => validate(advertKey(nameOf(w0)), randomBytes(200)), (e: unknown) => e instanceof WireError)
      assert.throws(() => validate(advertKey(nameOf(w0)), new Uint8Array(MESH.maxSignedMessageBytes + 1000)), (e: unknown) => e instanceof WireError && e.code === 'TOO_LARGE')
      const old = { ...buildAdvert(w0, offer), issuedAt: BigInt(client.clock() - 3 * MESH.advertTtlSeconds) }
      old.expiresAt = old.issuedAt + BigInt(MESH.advertTtlSeconds)
      const oldRecord = await recordOf(old, w0)
      assert.throws(() => validate(advertKey(nameOf(w0)), oldRecord), (e: unknown) => e instanceof WireError && e.code === 'STALE')
      assert.throws(() => validate(new TextEncoder().encode('/cyx/other/x'), mine), (e: unknown) => e instanceof WireError)

      // Over the network: w0 tries to overwrite w1's advert with its own (newer) one. Every remote
      // DHT server refuses the PUT; a reader still gets w1's genuine advert.
      const before = await getAdvert(client, w1.peerId)
      assert.ok(before !== undefined)
      let accepted = 0
      let refused = 0
      for await (const ev of w0.libp2p.services.dht.put(advertKey(nameOf(w1)), mine)) {
        if (ev.name === 'PEER_RESPONSE' && ev.messageName === 'PUT_VALUE' && ev.record !== undefined) accepted++
        if (ev.name === 'QUERY_ERROR') refused++
      }
      assert.equal(accepted, 0, 'no DHT server stored the forged record')
      assert.ok(refused > 0, 'the PUT was refused')
      for (const forged of [mine, impostor, crossed]) {
        for await (const _ of w0.libp2p.services.dht.put(advertKey(nameOf(w1)), forged)) { /* drain */ }
      }
      const after = await getAdvert(client, w1.peerId)
      assert.ok(after !== undefined)
      sameBytes(after.wallet, w1.wallet.publicKey, 'wallet')
      sameBytes(after.advert.peerId, w1.peerId.toMultihash().bytes, 'peerId')
      // publishAdvert itself refuses to sign an advert for another peer.
      await assert.rejects(publishAdvert(w0, buildAdvert(w1, { hardware: cpuHardware(), pricePerHour: 1n, profile: profile(), capabilities: ['cpu'] }), w0.wallet), WireError)
    })
  })

  describe('auction: announce on gossipsub, bids on /cyx/bid/1.0.0', () => {
    it('an announce reaches all three workers and each bid is collected within the bid window', async () => {
      const jobId = newJobId()
      const round = collector.open(jobId)
      const allBids = new Promise<void>((resolve) => { round.onBid(() => { if (round.bids.length === 3) resolve() }) })
      // Workers answer with a price of their own; the client peer comes from the gossip author.
      const answered: Array<Promise<void>> = []
      const unsubscribe = workers.map((w, i) => onJobAnnounce(w, (e) => {
        if (Buffer.compare(e.message.jobId, jobId) !== 0) return
        answered.push(sendBid(w, e.from, signedBid(w, jobId, BigInt(1_000 + i))))
      }))
      const start = Date.now()
      const announcement = await announceJob(client, signMessage(Kind.JOB_ANNOUNCE, jobAnnounce(client, jobId), client.wallet), { minSubscribers: 3 })
      if (!(await within(allBids, MESH.bidWindowSeconds * 1000)).done) throw new Error(`only ${round.bids.length} bids in the window`)
      const elapsed = Date.now() - start
      announcement.stop()
      round.close()
      await Promise.all(answered)
      unsubscribe.forEach((u) => { u() })

      assert.ok(elapsed < MESH.bidWindowSeconds * 1000, `3 bids in ${elapsed} ms`)
      const bids = await round.closed
      assert.deepEqual(bids.map((b) => b.from.toString()).sort(), workers.map(nameOf).sort())
      for (const b of bids) {
        const w = workers.find((x) => x.peerId.equals(b.from))!
        sameBytes(b.signer, w.wallet.publicKey, 'signer')
        sameBytes(b.message.jobId, jobId, 'jobId')
      }
      assert.deepEqual(bids.map((b) => b.message.price).sort(), [1_000n, 1_001n, 1_002n])
      // The long-lived handlers saw the job exactly once each.
      for (const w of workers) {
        const seen = announces.get(nameOf(w))!.filter((e) => Buffer.compare(e.message.jobId, jobId) === 0)
        assert.equal(seen.length, 1)
        assert.ok(seen[0]!.from.equals(client.peerId))
        sameBytes(seen[0]!.signer, client.wallet.publicKey, 'announce signer')
      }
    })

    it('delivers a job once however often it is re-announced, and at most 10 jobs a day per wallet', async () => {
      const wallet = wire.walletSignerFromSecretKey((await import('../../../peer/node/index.js')).newWalletSecretKey())
      const count = (): number => announces.get(nameOf(workers[0]!))!.filter((e) => Buffer.compare(e.signer, wallet.publicKey) === 0).length
      const first = signMessage(Kind.JOB_ANNOUNCE, jobAnnounce(client), wallet)
      const pubsub = client.libp2p.services.pubsub
      // Re-publishing makes new gossip messages (new seqno) carrying the same job.
      for (let i = 0; i < 3; i++) await pubsub.publish(MESH.jobsTopic, first)
      await until(() => count() >= 1, 3_000, 'the first announcement')
      await sleep(250)
      assert.equal(count(), 1, 'one job published 3 times is delivered once')
      for (let i = 0; i < 11; i++) await pubsub.publish(MESH.jobsTopic, signMessage(Kind.JOB_ANNOUNCE, jobAnnounce(client), wallet))
      await until(() => count() >= 10, 3_000, '10 announcements')
      await sleep(250)
      assert.equal(count(), 10, 'of 12 distinct jobs from one wallet, the first 10 are delivered')
    })

    it('re-announces during the bid window, so a worker that subscribes late still hears the job', async () => {
      const jobId = newJobId()
      const announcement = await announceJob(client, signMessage(Kind.JOB_ANNOUNCE, jobAnnounce(client, jobId), client.wallet), { minSubscribers: 3, reannounceEveryMs: 250 })
      const late = await createPeerNode({ bootstrap: client.multiaddrs() })
      all.push(late)
      const heard: JobAnnounceEvent[] = []
      onJobAnnounce(late, (e) => { heard.push(e) })
      try {
        await until(() => heard.length > 0, MESH.bidWindowSeconds * 1000, 'the late subscriber to hear the job')
        sameBytes(heard[0]!.message.jobId, jobId, 'jobId')
      } finally {
        announcement.stop()
      }
    })

    it('rejects garbage, bad signatures and replays by another peer on the jobs topic', async () => {
      // w2 misbehaves here and gets banned below; the others keep clean scores for the bid tests.
      const [, w1, w0] = workers as [PeerNode, PeerNode, PeerNode]
      const before = announces.get(nameOf(w1))!.length
      const scoreBefore = w1.misbehaviour.score(nameOf(w0))
      const genuine = signMessage(Kind.JOB_ANNOUNCE, jobAnnounce(client), client.wallet)
      const pubsub = w0.libp2p.services.pubsub
      await pubsub.publish(MESH.jobsTopic, new Uint8Array(randomBytes(200)))
      await pubsub.publish(MESH.jobsTopic, withBadSignature(genuine))
      await pubsub.publish(MESH.jobsTopic, genuine) // signed by the client's wallet, authored by w0
      await until(() => w1.misbehaviour.score(nameOf(w0)) < scoreBefore, 3_000, 'w1 to score w0 down')
      await sleep(200)
      assert.equal(announces.get(nameOf(w1))!.length, before, 'nothing was delivered')
      const offences = w1.misbehaviour.get(nameOf(w0)).offences
      assert.ok((offences.MALFORMED ?? 0) >= 1 && (offences.BAD_SIGNATURE ?? 0) >= 1 && (offences.INVALID_FIELD ?? 0) >= 1, JSON.stringify(offences))
    })
  })

  describe('hostile input on the bid protocol', () => {
    /** Opens a bid stream and writes `payload` raw (no length prefix) or as one frame. */
    async function sendRaw (from: PeerNode, payload: Uint8Array, asFrame: boolean): Promise<void> {
      const stream: Stream = await from.libp2p.dialProtocol(client.peerId, MESH.bidProtocol)
      const lp = lpStream(stream, { maxDataLength: 1 << 20 })
      if (asFrame) await lp.write(payload)
      else stream.send(payload)
      await stream.close()
      // Only an accepted bid gets a receipt; a refused one is reset (or its connection hung up).
      await lp.read({ signal: AbortSignal.timeout(5_000) })
    }

    const lastRejection = (peer: PeerNode): Error => {
      const r = rejected.filter((x) => x.peer === nameOf(peer)).at(-1)
      assert.ok(r !== undefined, 'a rejection was recorded')
      return r.error
    }

    it('resets a bad signature, an oversized frame and random bytes with a WireError, then takes the next valid bid', async () => {
      const [w0, w1] = workers as [PeerNode, PeerNode]
      const jobId = newJobId()
      const round = collector.open(jobId)

      await assert.rejects(sendBid(w1, client.peerId, withBadSignature(signedBid(w1, jobId, 5n))), BidNotAcceptedError)
      assert.ok(lastRejection(w1) instanceof WireError && (lastRejection(w1) as wire.WireError).code === 'BAD_SIGNATURE')

      await assert.rejects(sendRaw(w1, new Uint8Array(MESH.maxSignedMessageBytes + 1), true))
      assert.ok(lastRejection(w1) instanceof WireError && (lastRejection(w1) as wire.WireError).code === 'TOO_LARGE')

      await assert.rejects(sendRaw(w1, new Uint8Array(randomBytes(100)), true))
      assert.ok(lastRejection(w1) instanceof WireError && (lastRejection(w1) as wire.WireError).code === 'MALFORMED')

      const unframed = new Uint8Array(randomBytes(300))
      unframed[0] = 0x85 // a length prefix of 5 + 128·k: the stream ends before the frame does
      unframed[1] = 0x01
      await assert.rejects(sendRaw(workers[2]!, unframed.subarray(0, 50), false))
      assert.ok(lastRejection(workers[2]!) instanceof WireError, String(lastRejection(workers[2]!)))

      assert.ok(client.misbehaviour.score(nameOf(w1)) < 0)
      assert.equal(round.bids.length, 0)

      // The client still serves: the next valid bid is collected.
      await sendBid(w0, client.peerId, signedBid(w0, jobId, 7n))
      assert.equal(round.bids.length, 1)
      assert.ok(round.bids[0]!.from.equals(w0.peerId))
      round.close()
    })

    it('refuses bids for jobs without an open round, naming another worker, stale or twice', async () => {
      const [w0, w1] = workers as [PeerNode, PeerNode]
      const jobId = newJobId()
      await assert.rejects(sendBid(w0, client.peerId, signedBid(w0, jobId, 1n)), BidNotAcceptedError)
      assert.ok(lastRejection(w0) instanceof BidRefusedError && (lastRejection(w0) as BidRefusedError).reason === 'UNEXPECTED_JOB')

      const round = collector.open(jobId)
      // w1 relays w0's genuine bid: Noise says it comes from w1, the bid names w0.
      await assert.rejects(sendBid(w1, client.peerId, signedBid(w0, jobId, 1n)), BidNotAcceptedError)
      assert.ok(lastRejection(w1) instanceof WireError && (lastRejection(w1) as wire.WireError).field === 'workerPeerId')
      await assert.rejects(sendBid(w0, client.peerId, signedBid(w0, jobId, 1n, { issuedAt: BigInt(client.clock() - 2 * MESH.maxBidWindowSeconds) })), BidNotAcceptedError)
      assert.ok(lastRejection(w0) instanceof WireError && (lastRejection(w0) as wire.WireError).code === 'STALE')
      await sendBid(w0, client.peerId, signedBid(w0, jobId, 2n))
      await assert.rejects(sendBid(w0, client.peerId, signedBid(w0, jobId, 1n)), BidNotAcceptedError)
      assert.equal((lastRejection(w0) as BidRefusedError).reason, 'DUPLICATE')
      assert.deepEqual(round.bids.map((b) => b.message.price), [2n])
      round.close()
    })

    it('sends a bid again when the connection closes while its stream is being opened (libp2p rejects with the close Event)', async () => {
      const w0 = workers[0]!
      const jobId = newJobId()
      const round = collector.open(jobId)
      // A test double around w0's libp2p for one stream only: the connections it hands out (open
      // ones, as `connectionTo` looks first, or a dialled one) reject the first stream's
      // negotiation with a close Event, as libp2p does when the connection closes under it.
      let failed = 0
      const wrap = (conn: Connection): Connection => new Proxy(conn, {
        get: (c, k) => k !== 'newStream'
          ? Reflect.get(c, k, c)
          : async (...args: Parameters<Connection['newStream']>) => {
            if (failed > 0) return await c.newStream(...args)
            failed++
            throw new Event('close')
          }
      })
      const libp2p = new Proxy(w0.libp2p, {
        get: (target, key) => key === 'dial'
          ? async (...args: Parameters<typeof target.dial>) => wrap(await target.dial(...args))
          : key === 'getConnections'
            ? (...args: Parameters<typeof target.getConnections>) => target.getConnections(...args).map(wrap)
            : Reflect.get(target, key, target)
      })
      await sendBid({ ...w0, libp2p } as PeerNode, client.peerId, signedBid(w0, jobId, 4n))
      assert.equal(failed, 1)
      assert.deepEqual(round.bids.map((b) => b.message.price), [4n])
      round.close()
    })

    it('refuses a bid that comes after its round closed as late, which is no offence', async () => {
      const [, w1] = workers as [PeerNode, PeerNode]
      const jobId = newJobId()
      const round = collector.open(jobId, 60_000)
      round.closeIn(0)
      assert.deepEqual(await round.closed, [])
      const before = client.misbehaviour.score(nameOf(w1))
      await assert.rejects(sendBid(w1, client.peerId, signedBid(w1, jobId, 1n)), BidNotAcceptedError)
      assert.equal((lastRejection(w1) as BidRefusedError).reason, 'LATE')
      assert.equal(client.misbehaviour.score(nameOf(w1)), before)
      // A job the client never opened a round for stays an offence.
      await assert.rejects(sendBid(w1, client.peerId, signedBid(w1, newJobId(), 1n)), BidNotAcceptedError)
      assert.equal((lastRejection(w1) as BidRefusedError).reason, 'UNEXPECTED_JOB')
      assert.ok(client.misbehaviour.score(nameOf(w1)) < before)
    })

    it('bans a peer that keeps sending garbage: its connections close and it cannot bid any more', async () => {
      const w2 = workers[2]!
      const jobId = newJobId()
      const round = collector.open(jobId)
      while (client.misbehaviour.score(nameOf(w2)) > BAN_SCORE) {
        await assert.rejects(sendRaw(w2, new Uint8Array(randomBytes(64)), true))
      }
      assert.equal(client.misbehaviour.isBanned(nameOf(w2)), true)
      await until(() => client.libp2p.getConnections(w2.peerId).length === 0, 3_000, 'the banned peer to be hung up on')
      await assert.rejects(sendBid(w2, client.peerId, signedBid(w2, jobId, 1n)))
      assert.equal(round.bids.length, 0)
      // Everyone else is still served.
      await sendBid(workers[0]!, client.peerId, signedBid(workers[0]!, jobId, 3n))
      assert.equal(round.bids.length, 1)
      round.close()
    })
  })
})
