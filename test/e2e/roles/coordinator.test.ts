/**
 * The roles with the optional coordinator (`Client`/`Worker` option `coordinator`), on real libp2p
 * nodes on 127.0.0.1 and one embedded ledger over JSON-RPC: workers register their adverts with
 * it, a client is matched through it and the job completes; a coordinator that forges an advert
 * is caught and the job completes through the mesh; with the coordinator stopped, the next job
 * completes through the mesh and the client says it fell back.
 */
import assert from 'node:assert/strict'
import type { Multiaddr } from '@multiformats/multiaddr'
import { COORDINATOR, MESH, UNITS_PER_TOKEN, minimumRegistrationStake, wire } from '../../../protocols/index.js'
import { Coordinator, envelopeHash, estimatedPrice } from '../../../coordinator/index.js'
import { coordinatorHost } from '../../../peer/match/index.js'
import { framed, type PeerNode } from '../../../peer/node/index.js'
import { Client, Worker, type ClientJobEvent, type WorkerEvent } from '../../../peer/roles/index.js'
import { signedAdvert } from '../../fixtures/mesh.js'
import { World, type WorldPeer } from '../../fixtures/world.js'

const T = UNITS_PER_TOKEN
const { Kind } = wire

type CoordinatorEvent = Extract<ClientJobEvent, { type: 'coordinator' }>
const coordinatorEvents = (events: ClientJobEvent[]): CoordinatorEvent[] => events.flatMap((e) => e.type === 'coordinator' ? [e] : [])

/** A coordinator that answers every match request with a correctly signed result listing an advert
 * whose body was changed after the worker signed it (a cheaper price). */
async function forgingCoordinator (liar: PeerNode, victim: PeerNode, pricePerHour: bigint): Promise<void> {
  await liar.libp2p.handle(MESH.matchProtocol, (stream) => {
    void (async () => {
      const frames = framed(stream, COORDINATOR.maxMatchFrameBytes)
      const request = wire.decodeMatchRequest(await frames.read())
      const a = wire.JobAnnounce.decode(request.announce.body)
      const env = wire.Signed.decode(signedAdvert(victim, pricePerHour))
      const advert = wire.CapabilityAdvert.decode(env.body)
      const forged = wire.Signed.decode(wire.Signed.encode({ ...env, body: wire.CapabilityAdvert.encode({ ...advert, pricePerHour: 1n }) }))
      const candidate: wire.MatchCandidate = {
        peerId: advert.peerId,
        wallet: env.signer,
        advertHash: Uint8Array.from(envelopeHash(forged).hash),
        scorePpm: 900_000,
        estimatedPrice: estimatedPrice(1n, a.estimatedSeconds),
        stake: minimumRegistrationStake(),
        reputation: 0
      }
      const result: wire.MatchResult = {
        jobId: a.jobId,
        announceHash: Uint8Array.from(envelopeHash(request.announce).hash),
        coordinatorPeerId: Uint8Array.from(liar.peerId.toMultihash().bytes),
        candidates: [candidate],
        issuedAt: BigInt(liar.clock())
      }
      await frames.write(wire.MatchResponse.encode({ result: wire.Signed.decode(wire.signMessage(Kind.MATCH_RESULT, result, liar.wallet)), adverts: [forged] }))
      await stream.close()
    })().catch((e) => { stream.abort(e) })
  })
}

describe('roles with a coordinator: matched, lied to, gone', function () {
  this.timeout(120_000)
  let world: World
  let coordPeer: WorldPeer
  let coordinator: Coordinator
  let coordAddr: Multiaddr
  let clientPeer: WorldPeer
  let client: Client
  const workers: Worker[] = []
  const workerEvents: WorkerEvent[][] = []
  const RATES = [100n, 50n]

  before(async () => {
    world = await World.open()
    coordPeer = await world.peer(0n)
    coordinator = await Coordinator.start({ host: coordinatorHost(coordPeer.node, { connection: world.connection }), dir: `${world.dir}/coordinator-index`, crawlCapabilities: [] })
    coordAddr = coordPeer.node.multiaddrs()[0]!
    clientPeer = await world.peer(100n)
    for (const rate of RATES) {
      const p = await world.peer(50n, clientPeer.node.multiaddrs())
      const events: WorkerEvent[] = []
      workerEvents.push(events)
      workers.push(await Worker.start({ node: p.node, connection: world.connection, store: p.store, pricePerHour: rate * T, coordinator: coordAddr, onEvent: (e) => { events.push(e) } }))
    }
    client = await Client.start({ node: clientPeer.node, connection: world.connection, store: clientPeer.store, coordinator: coordAddr })
  })

  after(async () => {
    await client?.stop()
    await Promise.allSettled(workers.map(async (w) => { await w.stop() }))
    await coordinator?.stop()
    await world?.close()
  })

  const submit = async (c: Client, events: ClientJobEvent[]): ReturnType<Client['submit']> =>
    await c.submit({ datasetId: 'spirals', epochs: 2, maxPrice: 5n * T, estimatedSeconds: 60, bidWindowMs: 1_500, onProgress: (e) => { events.push(e) } })

  it('workers register with it; a job is matched through it, awarded to the best bid, completed and paid', async () => {
    for (const events of workerEvents) {
      const registered = events.find((e) => e.type === 'coordinator')
      assert.ok(registered?.type === 'coordinator' && registered.result === 'registered', `worker events: ${JSON.stringify(events.map((e) => e.type))}`)
    }
    assert.equal(coordinator.status().peersIndexed, 2)
    const events: ClientJobEvent[] = []
    const outcome = await submit(client, events)
    const c = coordinatorEvents(events)
    assert.equal(c.length, 1)
    const m = c[0]!
    assert.ok(m.result === 'matched', JSON.stringify(m))
    assert.equal(m.candidates, 2)
    // The DHT search was skipped.
    assert.equal(events.some((e) => e.type === 'workers'), false)
    assert.equal(outcome.state, 'completed')
    assert.equal(outcome.winner.peer, workers[1]!.node.peerId.toString())
    assert.equal(coordinator.status().jobsMatched, 1)
  })

  it('a coordinator returning a forged advert is caught and ignored: the job completes through the mesh', async () => {
    const liar = await world.peer(0n)
    await forgingCoordinator(liar.node, workers[1]!.node, RATES[1]! * T)
    const otherPeer = await world.peer(100n, clientPeer.node.multiaddrs())
    const other = await Client.start({ node: otherPeer.node, connection: world.connection, store: otherPeer.store, coordinator: liar.node.multiaddrs()[0]! })
    try {
      const events: ClientJobEvent[] = []
      const outcome = await submit(other, events)
      const c = coordinatorEvents(events)
      assert.equal(c.length, 1)
      const f = c[0]!
      assert.ok(f.result === 'fallback')
      assert.equal(f.cause, 'forged-advert')
      assert.match(f.reason, /^fallback: forged-advert: .*does not verify/)
      assert.ok(otherPeer.node.misbehaviour.score(liar.node.peerId.toString()) < 0, 'the lying coordinator is scored down')
      // The mesh path ran: the DHT search, then the auction among the real bids.
      assert.ok(events.some((e) => e.type === 'workers'))
      assert.equal(outcome.state, 'completed')
      assert.equal(outcome.winner.peer, workers[1]!.node.peerId.toString())
      assert.equal(outcome.winner.price, 1n * T, 'the price is the worker\'s own bid, not the forged advert\'s')
    } finally {
      await other.stop()
    }
  })

  it('with the coordinator stopped, the next job completes through the mesh and the client reports the fallback', async () => {
    await coordinator.stop()
    await coordPeer.node.stop()
    const events: ClientJobEvent[] = []
    const t0 = performance.now()
    const outcome = await submit(client, events)
    const c = coordinatorEvents(events)
    assert.equal(c.length, 1)
    const f = c[0]!
    assert.ok(f.result === 'fallback')
    assert.equal(f.cause, 'unreachable')
    assert.match(f.reason, /^fallback: unreachable/)
    assert.ok(f.elapsedMs <= 2_500, `fell back after ${f.elapsedMs} ms`)
    assert.ok(events.some((e) => e.type === 'workers'))
    assert.equal(outcome.state, 'completed')
    assert.equal(outcome.winner.peer, workers[1]!.node.peerId.toString())
    console.log(`      fallback after ${f.elapsedMs} ms; job completed through the mesh in ${Math.round(performance.now() - t0)} ms`)
  })
})
