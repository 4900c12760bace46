/**
 * The coordinator on real libp2p nodes on 127.0.0.1 and the embedded ledger over JSON-RPC: workers
 * register and are matched in award-policy order; a lying, slow or absent coordinator makes the
 * client fall back with a reason; hostile bytes on its protocols get typed refusals.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { COORDINATOR, MESH, minimumRegistrationStake, wire } from '../../../protocols/index.js'
import { framed, publishAdvert, buildAdvert, type PeerNode } from '../../../peer/node/index.js'
import { rankBids } from '../../../peer/policy/index.js'
import { Coordinator, CoordinatorRefusal, envelopeHash, estimatedPrice, readStatus } from '../../../coordinator/index.js'
import {
  RegistrationRefusedError, connectCandidates, coordinatorHost, matchViaCoordinator, registerWithCoordinator, type CoordinatorMatch
} from '../../../peer/match/index.js'
import { cpuHardware, profile, sleep, until } from '../../fixtures/mesh.js'
import { announce, signedAdvert, throwawayWallet } from '../../fixtures/mesh.js'
import { World, type WorldPeer } from '../../fixtures/world.js'

const { ErrorCode, Kind } = wire

function assertFallback (m: CoordinatorMatch, cause: string, reason?: RegExp): asserts m is Extract<CoordinatorMatch, { ok: false }> {
  assert.equal(m.ok, false, `expected a fallback (${cause}), got ${m.ok ? `${m.candidates.length} candidates` : ''}`)
  if (m.ok) return
  assert.equal(m.cause, cause, m.reason)
  assert.match(m.reason, /^fallback: /)
  if (reason !== undefined) assert.match(m.reason, reason)
}

/** A coordinator that answers whatever `respond` builds (or never answers, for 'hang'). */
async function fakeCoordinator (node: PeerNode, respond: (request: ReturnType<typeof wire.decodeMatchRequest>, announce: wire.JobAnnounce) => wire.MatchResponse | 'hang'): Promise<void> {
  await node.libp2p.handle(MESH.matchProtocol, (stream) => {
    void (async () => {
      const frames = framed(stream, COORDINATOR.maxRegisterFrameBytes)
      const request = wire.decodeMatchRequest(await frames.read())
      const a = wire.JobAnnounce.decode(request.announce.body)
      const response = respond(request, a)
      if (response === 'hang') return
      await frames.write(wire.MatchResponse.encode(response))
      await stream.close()
    })().catch((e) => { stream.abort(e) })
  })
}

/** A well-formed, correctly signed result listing `adverts` (signed envelopes) as candidates. */
function resultFor (signer: PeerNode, request: ReturnType<typeof wire.decodeMatchRequest>, a: wire.JobAnnounce, adverts: Uint8Array[], over: (c: wire.MatchCandidate, i: number) => Partial<wire.MatchCandidate> = () => ({})): wire.MatchResponse {
  const envs = adverts.map((b) => wire.Signed.decode(b))
  const candidates = envs.map((env, i): wire.MatchCandidate => {
    const advert = wire.CapabilityAdvert.decode(env.body)
    const c: wire.MatchCandidate = {
      peerId: advert.peerId,
      wallet: env.signer,
      advertHash: Uint8Array.from(envelopeHash(env).hash),
      scorePpm: 900_000 - i,
      estimatedPrice: estimatedPrice(advert.pricePerHour, a.estimatedSeconds),
      stake: minimumRegistrationStake(),
      reputation: 0
    }
    return { ...c, ...over(c, i) }
  })
  const result: wire.MatchResult = {
    jobId: a.jobId,
    announceHash: Uint8Array.from(envelopeHash(request.announce).hash),
    coordinatorPeerId: Uint8Array.from(signer.peerId.toMultihash().bytes),
    candidates,
    issuedAt: BigInt(signer.clock())
  }
  return { result: wire.Signed.decode(wire.signMessage(Kind.MATCH_RESULT, result, signer.wallet)), adverts: envs }
}

/** Sends `frame` raw on `protocol` and returns the one answer frame, if any. */
async function rawExchange (from: PeerNode, to: Multiaddr, protocol: string, frame: Uint8Array): Promise<Uint8Array | undefined> {
  const stream = await from.libp2p.dialProtocol(to, protocol, { signal: AbortSignal.timeout(5_000) })
  const frames = framed(stream, 1 << 22)
  try {
    await frames.write(frame)
    await stream.close()
    return await frames.read({ signal: AbortSignal.timeout(5_000) })
  } catch {
    stream.abort(new Error('done'))
    return undefined
  }
}

describe('coordinator (libp2p on 127.0.0.1, ledger over RPC)', function () {
  this.timeout(120_000)
  let world: World
  let coordPeer: WorldPeer
  let coordinator: Coordinator
  let coordAddr: Multiaddr
  let indexDir: string
  let client: WorldPeer
  let workers: WorldPeer[]
  const prices = [500_000_000n, 300_000_000n, 400_000_000n]
  const rejected: Array<{ peer: PeerId, protocol: string, error: Error }> = []

  const startCoordinator = async (): Promise<Coordinator> => await Coordinator.start({
    host: coordinatorHost(coordPeer.node, { connection: world.connection }),
    dir: indexDir,
    crawlCapabilities: [],
    onRejected: (peer, protocol, error) => { rejected.push({ peer, protocol, error }) }
  })

  before(async () => {
    world = await World.open()
    coordPeer = await world.peer(0n)
    indexDir = join(world.dir, 'coordinator')
    coordinator = await startCoordinator()
    coordAddr = coordPeer.node.multiaddrs()[0]!
    workers = []
    for (let i = 0; i < prices.length; i++) workers.push(await world.stakedPeer([coordAddr]))
    client = await world.peer(0n, [coordAddr])
  })

  after(async () => {
    await coordinator?.stop()
    await world?.close()
  })

  it('indexes staked workers that register, refuses one without stake, and matches them in award-policy order', async () => {
    const now = BigInt(client.node.clock())
    for (const [i, w] of workers.entries()) {
      const r = await registerWithCoordinator(w.node, coordAddr, signedAdvert(w.node, prices[i]!))
      assert.ok(r.indexedUntil > now)
    }
    const unstaked = await world.peer(100n, [coordAddr])
    await assert.rejects(registerWithCoordinator(unstaked.node, coordAddr, signedAdvert(unstaked.node, 100_000_000n)),
      (e: unknown) => e instanceof RegistrationRefusedError && e.code === ErrorCode.UNAVAILABLE && /no active stake/.test(e.message))
    assert.ok(rejected.some((r) => r.error instanceof CoordinatorRefusal && r.error.reason === 'NOT_STAKED'))

    const a = announce(client.node)
    const m = await matchViaCoordinator(client.node, coordAddr, a, { connection: world.connection, timeoutMs: 5_000 })
    assert.ok(m.ok, m.ok ? '' : m.reason)
    // Cheapest first (same stake and reputation tier, same ETA): 0.3, 0.4, 0.5 CYXWIZ/h.
    assert.deepEqual(m.candidates.map((c) => c.peerId.toString()), [workers[1]!, workers[2]!, workers[0]!].map((w) => w.node.peerId.toString()))
    // ...which is exactly the client's own award policy over the same facts.
    const policy = rankBids(workers.map((w, i) => ({
      bidder: w.node.peerId.toString(), price: estimatedPrice(prices[i]!, a.estimatedSeconds), etaSeconds: a.estimatedSeconds, verified: { stake: minimumRegistrationStake(), reputation: 0, active: true }
    })), a.maxPrice)
    assert.deepEqual(m.candidates.map((c) => c.peerId.toString()), policy.ranked.map((s) => s.bid.bidder))
    assert.deepEqual(m.candidates.map((c) => c.scorePpm), policy.ranked.map((s) => s.scorePpm))
    for (const c of m.candidates) {
      assert.equal(c.chain.stake, minimumRegistrationStake())
      assert.equal(c.chain.active, true)
      assert.ok(c.addrs.length > 0)
      // Each advert the client got is the worker's own signature, checkable by anyone.
      assert.ok(wire.equalBytes(wire.openSigned(c.signedAdvert, Kind.CAPABILITY_ADVERT, client.node.clock()).signer, c.wallet))
    }
    // The client can dial them directly before announcing.
    assert.equal(await connectCandidates(client.node, m.candidates), 3)

    const s = coordinator.status()
    assert.equal(s.peersIndexed, 3)
    assert.equal(s.peersStaked, 3)
    assert.equal(s.jobsMatched, 1)
    assert.equal(s.registrations, 3)
    assert.ok(s.refused >= 1)
    assert.ok(s.matchLatencyMs.p50 !== null && s.matchLatencyMs.p50 > 0)
    await sleep(700) // the status file is rewritten at most every 500 ms
    const onDisk = await readStatus(indexDir)
    assert.equal(onDisk?.peersIndexed, 3)
    assert.equal(onDisk?.jobsMatched, 1)
    assert.equal(onDisk?.running, true)
  })

  it('keeps its index in level across a restart', async () => {
    await coordinator.stop()
    assert.equal((await readStatus(indexDir))?.running, false)
    coordinator = await startCoordinator()
    const s = coordinator.status()
    assert.equal(s.peersIndexed, 3)
    assert.equal(s.jobsMatched, 1)
    const m = await matchViaCoordinator(client.node, coordAddr, announce(client.node), { connection: world.connection, timeoutMs: 5_000 })
    assert.ok(m.ok && m.candidates.length === 3, m.ok ? '' : m.reason)
  })

  it('finds workers in the DHT that never registered, and follows gossip announcements', async () => {
    const w = await world.stakedPeer([coordAddr])
    await until(() => w.node.libp2p.getConnections().length > 0, 10_000, 'a connection to the mesh')
    await sleep(300) // identify tells the DHT about the peer
    await publishAdvert(w.node, buildAdvert(w.node, { hardware: cpuHardware(), pricePerHour: 200_000_000n, profile: profile(), capabilities: ['cpu'] }), w.node.wallet)
    await coordinator.crawl(['cpu'])
    const found = coordinator.workers().find((x) => x.peerId === w.node.peerId.toString())
    assert.ok(found !== undefined, 'the crawl indexed the DHT-only worker')
    assert.equal(found.source, 'dht')
    const m = await matchViaCoordinator(client.node, coordAddr, announce(client.node), { connection: world.connection, timeoutMs: 5_000 })
    assert.ok(m.ok, m.ok ? '' : m.reason)
    assert.equal(m.candidates[0]?.peerId.toString(), w.node.peerId.toString(), 'the cheapest (DHT-only) worker ranks first')

    const seen = coordinator.status().jobsSeen
    const { announceJob } = await import('../../../peer/node/index.js')
    const announcement = await announceJob(client.node, wire.signMessage(Kind.JOB_ANNOUNCE, announce(client.node), client.node.wallet), { reannounceEveryMs: 0, minSubscribers: 1 })
    announcement.stop()
    await until(() => coordinator.status().jobsSeen === seen + 1, 10_000, 'the coordinator to index the gossiped job')
  })

  it('answers "no candidates" for a capability nobody offers: the client falls back', async () => {
    const m = await matchViaCoordinator(client.node, coordAddr, announce(client.node), { connection: world.connection, capability: 'gpu:any', timeoutMs: 5_000 })
    assertFallback(m, 'no-candidates')
  })

  describe('a coordinator that lies is caught, and the client falls back', () => {
    let liar: WorldPeer
    let liarAddr: Multiaddr
    let respond: Parameters<typeof fakeCoordinator>[1]

    before(async () => {
      liar = await world.peer(0n)
      liarAddr = liar.node.multiaddrs()[0]!
      await fakeCoordinator(liar.node, (req, a) => respond(req, a))
    })

    // A fresh client each time: a client bans a coordinator after a few lies (see the score test).
    let asker: WorldPeer
    beforeEach(async () => { asker = await world.peer(0n) })

    const match = async (pin?: Uint8Array): Promise<CoordinatorMatch> =>
      await matchViaCoordinator(asker.node, liarAddr, announce(asker.node), { connection: world.connection, timeoutMs: 5_000, ...(pin === undefined ? {} : { coordinatorWallet: pin }) })

    it('an honest answer from the same fake passes (the checks are not vacuous)', async () => {
      respond = (req, a) => resultFor(liar.node, req, a, workers.map((w, i) => signedAdvert(w.node, prices[i]!)))
      const m = await match()
      assert.ok(m.ok, m.ok ? '' : m.reason)
      assert.equal(m.candidates.length, 3)
    })

    it('an advert whose body was changed after signing', async () => {
      respond = (req, a) => {
        const env = wire.Signed.decode(signedAdvert(workers[0]!.node, prices[0]!))
        const advert = wire.CapabilityAdvert.decode(env.body)
        const forged = wire.Signed.encode({ ...env, body: wire.CapabilityAdvert.encode({ ...advert, pricePerHour: 1n }) })
        return resultFor(liar.node, req, a, [forged])
      }
      assertFallback(await match(), 'forged-advert', /does not verify/)
      assert.ok(asker.node.misbehaviour.score(liar.node.peerId.toString()) < 0, 'the lying coordinator is scored down')
    })

    it('an advert signed by another wallet than the staked worker it claims', async () => {
      respond = (req, a) => {
        const forged = signedAdvert(workers[0]!.node, prices[0]!, ['cpu'], liar.node.wallet)
        return resultFor(liar.node, req, a, [forged], () => ({ wallet: Uint8Array.from(workers[0]!.node.wallet.publicKey) }))
      }
      assertFallback(await match(), 'forged-advert', /signed by another wallet/)
    })

    it('a candidate the advert does not match (hash)', async () => {
      respond = (req, a) => resultFor(liar.node, req, a, [signedAdvert(workers[0]!.node, prices[0]!)], () => ({ advertHash: new Uint8Array(32).fill(7) }))
      assertFallback(await match(), 'forged-advert', /hash/)
    })

    it('a worker without stake (a genuine advert, an empty Node account)', async () => {
      const sybil = throwawayWallet()
      respond = (req, a) => resultFor(liar.node, req, a, [signedAdvert(workers[1]!.node, prices[1]!), signedAdvert(liar.node, 100_000_000n, ['cpu'], sybil)])
      assertFallback(await match(), 'unstaked-worker', /no Node account/)
    })

    it('a result for another announce, or signed by another key than the pinned one', async () => {
      respond = (req, a) => resultFor(liar.node, req, { ...a, jobId: new Uint8Array(32).fill(9) }, [signedAdvert(workers[0]!.node, prices[0]!)])
      assertFallback(await match(), 'forged-result', /another announce/)
      respond = (req, a) => resultFor(liar.node, req, a, [signedAdvert(workers[0]!.node, prices[0]!)])
      assertFallback(await match(throwawayWallet().publicKey), 'forged-result', /another wallet/)
      assert.ok((await match(liar.node.wallet.publicKey)).ok, 'the same answer passes with the right pin')
    })

    it('garbage instead of an answer', async () => {
      respond = () => ({ adverts: [], result: { kind: Kind.BID, body: new Uint8Array(3), signer: new Uint8Array(32), signature: new Uint8Array(64) } })
      assertFallback(await match(), 'malformed', /WRONG_KIND|expected a signed/)
    })

    it('a coordinator that never answers: fallback when the timeout ends, not later', async () => {
      respond = () => 'hang'
      const timeoutMs = 800
      const t0 = performance.now()
      const m = await matchViaCoordinator(asker.node, liarAddr, announce(asker.node), { connection: world.connection, timeoutMs })
      const took = performance.now() - t0
      assertFallback(m, 'timeout')
      assert.ok(took >= timeoutMs - 5 && took < timeoutMs + 500, `fell back after ${took} ms`)
    })
  })

  it('an unreachable coordinator: fallback within the timeout', async () => {
    const gone = await world.peer(0n)
    const addr = gone.node.multiaddrs()[0]!
    await gone.node.stop()
    const t0 = performance.now()
    const m = await matchViaCoordinator(client.node, addr, announce(client.node), { connection: world.connection, timeoutMs: 1_500 })
    assertFallback(m, 'unreachable')
    assert.ok(performance.now() - t0 < 1_500)
  })

  it('refuses hostile bytes on its protocols with typed errors, and bans a peer that keeps sending them', async () => {
    const lastRejection = (peer: PeerNode): Error => {
      const r = rejected.filter((x) => x.peer.equals(peer.peerId)).at(-1)
      assert.ok(r !== undefined, 'the coordinator reported a rejection')
      return r.error
    }
    const matchError = async (from: PeerNode, frame: Uint8Array): Promise<wire.Error | undefined> => {
      const answer = await rawExchange(from, coordAddr, MESH.matchProtocol, frame)
      return answer === undefined ? undefined : wire.decodeMatchResponse(answer).error
    }
    const a = (await world.peer(0n)).node
    const b = (await world.peer(0n)).node
    const indexedBefore = coordinator.workers().map((w) => w.peerId).sort()

    // Not protobuf at all.
    assert.equal((await matchError(a, new Uint8Array(64).fill(0xff)))?.code, ErrorCode.MALFORMED)
    assert.equal((lastRejection(a) as wire.WireError).code, 'MALFORMED')

    // A frame over the bound: refused before it is read.
    await matchError(a, new Uint8Array(COORDINATOR.maxRegisterFrameBytes + 1024))
    assert.equal((lastRejection(a) as wire.WireError).code, 'TOO_LARGE')

    // A well-formed request whose announce signature was tampered with.
    const env = wire.Signed.decode(wire.signMessage(Kind.JOB_ANNOUNCE, announce(b), b.wallet))
    const badSig = Uint8Array.from(env.signature)
    badSig[0] = (badSig[0] as number) ^ 1
    assert.equal((await matchError(b, wire.MatchRequest.encode({ announce: { ...env, signature: badSig }, capability: 'cpu', maxCandidates: 4 })))?.code, ErrorCode.BAD_SIGNATURE)
    assert.equal((lastRejection(b) as wire.WireError).code, 'BAD_SIGNATURE')

    // An out-of-range field: typed INVALID_FIELD naming the field.
    assert.equal((await matchError(b, wire.MatchRequest.encode({ announce: env, capability: 'cpu', maxCandidates: 0 })))?.code, ErrorCode.MALFORMED)
    assert.equal((lastRejection(b) as wire.WireError).code, 'INVALID_FIELD')
    assert.equal((lastRejection(b) as wire.WireError).field, 'maxCandidates')

    // An announce (validly signed by the sender's wallet) naming another client than the asking peer.
    const other = wire.signMessage(Kind.JOB_ANNOUNCE, announce(client.node), b.wallet)
    assert.equal((await matchError(b, wire.MatchRequest.encode({ announce: wire.Signed.decode(other), capability: 'cpu', maxCandidates: 4 })))?.code, ErrorCode.MALFORMED)
    assert.ok(lastRejection(b) instanceof CoordinatorRefusal && (lastRejection(b) as CoordinatorRefusal).reason === 'WRONG_PEER')

    // Register: someone else's advert.
    const c = (await world.peer(0n)).node
    const stolen = wire.RegisterRequest.encode({ advert: wire.Signed.decode(signedAdvert(workers[0]!.node, prices[0]!)) })
    const answer = await rawExchange(c, coordAddr, COORDINATOR.registerProtocol, stolen)
    assert.ok(answer !== undefined)
    assert.equal(wire.decodeRegisterResponse(answer).accepted, false)
    assert.ok(lastRejection(c) instanceof CoordinatorRefusal && (lastRejection(c) as CoordinatorRefusal).reason === 'WRONG_PEER')
    assert.deepEqual(coordinator.workers().map((w) => w.peerId).sort(), indexedBefore, 'nothing was indexed from hostile input')

    // Each refusal cost points: four pieces of garbage get a peer banned, and then it is refused unread.
    for (let i = 0; i < 4; i++) await matchError(c, new Uint8Array(32).fill(0xff))
    assert.ok(coordPeer.node.misbehaviour.isBanned(c.peerId.toString()), `score ${coordPeer.node.misbehaviour.score(c.peerId.toString())}`)
    const m = await matchViaCoordinator(c, coordAddr, announce(c), { connection: world.connection, timeoutMs: 2_000 })
    assertFallback(m, 'unreachable')
    // Honest peers are unaffected.
    const ok = await matchViaCoordinator(client.node, coordAddr, announce(client.node), { connection: world.connection, timeoutMs: 5_000 })
    assert.ok(ok.ok, ok.ok ? '' : ok.reason)
  })

  it('cyx coordinator serves as a process, reports status --json, and stops cleanly on Ctrl-C', async () => {
    const dir = join(world.dir, 'cli-coordinator')
    const child = spawn(process.execPath, ['peer/cli/cyx.mjs', 'coordinator', '--dir', dir, '--rpc', world.rpcUrl, '--listen', '/ip4/127.0.0.1/tcp/0', '--bootstrap', coordAddr.toString(), '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { err += d.toString() })
    const exited = new Promise<number | null>((resolve) => { child.on('exit', (code) => { resolve(code) }) })
    try {
      await until(() => out.includes('\n') || child.exitCode !== null, 60_000, `the coordinator to start (stderr: ${err})`)
      const ready = JSON.parse(out.split('\n')[0]!) as { peerId: string, addrs: string[] }
      assert.ok(ready.addrs.every((a) => a.startsWith('/ip4/127.0.0.1/')))

      // A worker registers with it and a client is matched through it.
      const w = workers[2]!
      await registerWithCoordinator(w.node, ready.addrs[0]!, signedAdvert(w.node, prices[2]!))
      const m = await matchViaCoordinator(client.node, ready.addrs[0]!, announce(client.node), { connection: world.connection, timeoutMs: 5_000 })
      assert.ok(m.ok && m.candidates.length === 1, m.ok ? '' : m.reason)
      await sleep(700)

      const { main } = await import('../../../peer/cli/main.js')
      const lines: string[] = []
      assert.equal(await main(['coordinator', 'status', '--dir', dir, '--json'], { out: (t) => lines.push(t), err: (t) => lines.push(t) }), 0)
      const s = JSON.parse(lines[0]!) as { running: boolean, peersIndexed: number, jobsMatched: number, matchLatencyMs: { p50: number } }
      assert.equal(s.running, true)
      assert.equal(s.peersIndexed, 1)
      assert.equal(s.jobsMatched, 1)
      assert.ok(s.matchLatencyMs.p50 > 0)

      child.kill('SIGINT')
      assert.equal(await exited, 0, err)
      lines.length = 0
      assert.equal(await main(['coordinator', 'status', '--dir', dir, '--json'], { out: (t) => lines.push(t), err: (t) => lines.push(t) }), 0)
      assert.equal((JSON.parse(lines[0]!) as { running: boolean }).running, false)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })
})
