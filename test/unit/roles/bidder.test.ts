/**
 * The worker's bidder alone (issue 15 finding 8, the bid-slot lock): its slots, released at the bid
 * deadline plus the grace whatever deadline the announce claims, and the per-client cap on pending
 * bids. The mesh is a double (bids are "sent" into a list); the policy is the real one.
 */
import assert from 'node:assert/strict'
import type { PeerId } from '@libp2p/interface'
import { MESH, wire, toHex } from '../../../protocols/index.js'
import { Bidder, slotReleaseAt, type BidderComponents, type WorkerEvent } from '../../../peer/roles/index.js'
import type { JobAnnounceEvent } from '../../../peer/node/index.js'
import { T, peerId, profile, spec } from './doubles.js'

const NOW_S = 1_700_000_000

function announce (from: PeerId, signer: Uint8Array, o: { bidDeadline?: number, jobByte?: number } = {}): JobAnnounceEvent {
  const s = spec()
  const message: wire.JobAnnounce = {
    jobId: new Uint8Array(32).fill(o.jobByte ?? 1), specHash: Uint8Array.from(wire.specHash(s)), spec: s, maxPrice: 5n * T, estimatedSeconds: 60,
    priority: wire.Priority.PRIORITY_NORMAL, clientPeerId: from.toMultihash().bytes, clientAddrs: [], issuedAt: BigInt(NOW_S),
    bidDeadline: BigInt(o.bidDeadline ?? NOW_S + 3)
  }
  return { message, signer, from, bytes: new Uint8Array(0) }
}

/** Every wallet's balance in the doubles unless `funds` says otherwise: plenty. */
const RICH = 1_000n * T

/** A bidder on doubles: a manual clock (ms), a capacity, bids collected instead of sent, wallet balances by hex (a function may throw). */
function bidderOnDoubles (capacity: number, funds: (walletHex: string) => Promise<bigint> = async () => RICH, fundsTimeoutMs?: number): { bidder: Bidder, sent: wire.Bid[], events: WorkerEvent[], clock: { ms: number } } {
  const sent: wire.Bid[] = []
  const events: WorkerEvent[] = []
  const clock = { ms: NOW_S * 1000 }
  const c: BidderComponents = {
    profile: () => profile({ capacity }),
    running: () => 0,
    bidOf: (jobId, d) => ({ jobId: Uint8Array.from(jobId), workerPeerId: new Uint8Array(38), price: d.price, etaSeconds: d.etaSeconds, stake: 50n * T, reputation: 0, issuedAt: BigInt(NOW_S), profile: undefined }),
    sendBid: async (_client, bid) => { sent.push(bid) },
    recordBid: async () => {},
    now: () => clock.ms,
    clientFunds: async (wallet) => await funds(toHex(wallet)),
    ...(fundsTimeoutMs === undefined ? {} : { clientFundsTimeoutMs: fundsTimeoutMs })
  }
  return { bidder: new Bidder(c, (e) => { events.push(e) }), sent, events, clock }
}

const reasons = (events: WorkerEvent[]): string[] => events.flatMap((e) => e.type === 'bid-decision' ? [e.decision.bid ? 'bid' : e.decision.reason] : [])

describe('unit: worker bidder (finding 8: stake-free announces cannot idle a worker)', () => {
  it('a fake announce with a far bid deadline holds a capacity-1 worker\'s slot for at most the capped window plus the grace', async () => {
    const { bidder, sent, events, clock } = bidderOnDoubles(1)
    const attacker = await peerId()
    // An hour away: the wire refuses it now, but the bidder must not trust the claim either.
    await bidder.onAnnounce(announce(attacker, new Uint8Array(32).fill(7), { bidDeadline: NOW_S + 3600, jobByte: 1 }))
    assert.equal(sent.length, 1)
    const honest = await peerId()
    await bidder.onAnnounce(announce(honest, new Uint8Array(32).fill(8), { jobByte: 2 }))
    assert.deepEqual(reasons(events), ['bid', 'busy'], 'while the slot is held the worker is busy')
    clock.ms += (MESH.maxAnnounceBidWindowSeconds + MESH.bidAwardGraceSeconds) * 1000
    await bidder.onAnnounce(announce(honest, new Uint8Array(32).fill(8), { jobByte: 3, bidDeadline: Math.floor(clock.ms / 1000) + 3 }))
    assert.deepEqual(reasons(events), ['bid', 'busy', 'bid'], 'the slot is free once the capped window and the grace have passed')
    assert.equal(sent.length, 2)
  })

  it('releases a slot at the bid deadline plus the grace, not later', async () => {
    const { bidder, clock } = bidderOnDoubles(1)
    await bidder.onAnnounce(announce(await peerId(), new Uint8Array(32).fill(1), { bidDeadline: NOW_S + 3 }))
    assert.equal(bidder.pending(), 1)
    clock.ms = (NOW_S + 3 + MESH.bidAwardGraceSeconds) * 1000 - 1
    assert.equal(bidder.pending(), 1)
    clock.ms += 1
    assert.equal(bidder.pending(), 0)
  })

  it('caps the bids pending on one client, by peer and by wallet', async () => {
    const { bidder, events } = bidderOnDoubles(10)
    const client = await peerId()
    const walletBytes = new Uint8Array(32).fill(9)
    for (let i = 0; i < MESH.maxPendingBidsPerClient; i++) await bidder.onAnnounce(announce(client, walletBytes, { jobByte: 10 + i }))
    await bidder.onAnnounce(announce(client, walletBytes, { jobByte: 20 }))
    // The same wallet behind a fresh peer id is the same client.
    await bidder.onAnnounce(announce(await peerId(), walletBytes, { jobByte: 21 }))
    // Another client still gets a bid.
    await bidder.onAnnounce(announce(await peerId(), new Uint8Array(32).fill(3), { jobByte: 22 }))
    assert.deepEqual(reasons(events), [...Array(MESH.maxPendingBidsPerClient).fill('bid'), 'client-bids-pending', 'client-bids-pending', 'bid'])
  })

  it('lets one client run the sim\'s three concurrent jobs on a worker with room for them', async () => {
    const { bidder, events } = bidderOnDoubles(3)
    const client = await peerId()
    for (let i = 0; i < 3; i++) await bidder.onAnnounce(announce(client, new Uint8Array(32).fill(4), { jobByte: 30 + i }))
    assert.deepEqual(reasons(events), ['bid', 'bid', 'bid'])
  })

  it('an award releases its slot and returns the price bid', async () => {
    const { bidder, sent } = bidderOnDoubles(1)
    await bidder.onAnnounce(announce(await peerId(), new Uint8Array(32).fill(1), { jobByte: 5 }))
    assert.equal(bidder.awarded(toHex(new Uint8Array(32).fill(5))), sent[0]!.price)
    assert.equal(bidder.pending(), 0)
  })

  it('proof of funds: no bid for a wallet that does not hold the price, or whose balance cannot be read', async () => {
    const poor = new Uint8Array(32).fill(5)
    const broke = new Uint8Array(32).fill(6)
    const exact = new Uint8Array(32).fill(7)
    const unreadable = new Uint8Array(32).fill(8)
    const balances = new Map([[toHex(poor), 0n], [toHex(broke), 1n], [toHex(exact), 1n * T]])
    const { bidder, events, sent } = bidderOnDoubles(10, async (w) => {
      const b = balances.get(w)
      if (b === undefined) throw new Error('the RPC node is down')
      return b
    })
    let job = 40
    for (const wallet of [poor, broke, unreadable, exact]) await bidder.onAnnounce(announce(await peerId(), wallet, { jobByte: job++ }))
    // The doubles' worker bids 1 CYXWIZ on this job: a wallet holding exactly that is funded.
    assert.equal(sent[0]?.price, 1n * T)
    assert.deepEqual(reasons(events), ['client-unfunded', 'client-unfunded', 'client-unfunded', 'bid'])
    assert.equal(bidder.pending(), 1, 'a refused announce holds no slot')
  })

  it('proof of funds: a balance read that never answers gives the announce up after the timeout, and the next one is bid on', async () => {
    let answer = false
    const { bidder, sent, events } = bidderOnDoubles(1, async () => await (answer ? Promise.resolve(RICH) : new Promise<bigint>(() => {})), 50)
    await bidder.onAnnounce(announce(await peerId(), new Uint8Array(32).fill(3), { jobByte: 1 }))
    assert.deepEqual(reasons(events), ['client-unfunded'])
    assert.equal(sent.length, 0)
    assert.equal(bidder.pending(), 0, 'no slot held by an announce given up')
    answer = true
    await bidder.onAnnounce(announce(await peerId(), new Uint8Array(32).fill(4), { jobByte: 2 }))
    assert.deepEqual(reasons(events), ['client-unfunded', 'bid'])
  })

  it('proof of funds: announces that arrive while balances are read never overbook the worker', async () => {
    const { bidder, events, sent } = bidderOnDoubles(1, async () => { await new Promise((resolve) => setTimeout(resolve, 5)); return RICH })
    await Promise.all([50, 51, 52].map(async (b, i) => { await bidder.onAnnounce(announce(await peerId(), new Uint8Array(32).fill(60 + i), { jobByte: b })) }))
    assert.equal(sent.length, 1)
    assert.deepEqual(reasons(events).sort(), ['bid', 'busy', 'busy'])
  })

  it('slotReleaseAt: the earlier of the deadline and the capped window from arrival, plus the grace', () => {
    const grace = MESH.bidAwardGraceSeconds * 1000
    const cases: Array<[string, number, number, number]> = [
      ['a 3 s window', NOW_S + 3, NOW_S * 1000, (NOW_S + 3) * 1000 + grace],
      ['an hour claimed', NOW_S + 3600, NOW_S * 1000, NOW_S * 1000 + MESH.maxAnnounceBidWindowSeconds * 1000 + grace],
      ['already past', NOW_S - 10, NOW_S * 1000, (NOW_S - 10) * 1000 + grace]
    ]
    for (const [what, deadline, arrival, expected] of cases) assert.equal(slotReleaseAt({ bidDeadline: BigInt(deadline) }, arrival), expected, what)
  })
})
