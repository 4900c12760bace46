/** The pure policies: what a worker bids, and which bid a client awards. Table-driven. */
import assert from 'node:assert/strict'
import { UNITS_PER_TOKEN, quoteJobPrice, wire } from '../../../protocols/index.js'
import { acceptsDirectAward, decideBid, pickAward, rankBids, workerPrice, type CandidateBid, type JobOffer, type WorkerProfile } from '../../../peer/policy/index.js'

const T = UNITS_PER_TOKEN

function spec (over: Partial<wire.TrainingSpec> = {}): wire.TrainingSpec {
  return {
    layers: [16, 32, 3], mode: wire.NumericMode.FLOAT32, fracBits: 0, datasetId: 'spirals', datasetHash: new Uint8Array(32).fill(1),
    datasetBytes: 200_000n, epochs: 3, batchSize: 32, learningRateMicros: 50_000, momentumMicros: 900_000, seed: 1n,
    tier: wire.VerificationTier.TIER_OPTIMISTIC, stepsPerSegment: 0, backend: wire.FloatBackend.BACKEND_NATIVE, ...over
  }
}

const worker = (over: Partial<WorkerProfile> = {}): WorkerProfile => ({
  compute: 'cpu', ramGb: 1, vramGb: 0, pricePerHour: 60n * T, datasets: ['spirals', 'mnist'], maxDatasetBytes: 1 << 20,
  stake: 50n * T, reputation: 0, speedBps: 10_000, capacity: 1, maxBatchMemoryBytes: 1 << 29, ...over
})

const job = (over: Partial<JobOffer> = {}): JobOffer => ({ spec: spec(), maxPrice: 5n * T, estimatedSeconds: 60, priority: wire.Priority.PRIORITY_NORMAL, ...over })

describe('policy: what a worker bids', () => {
  it('prices at the design\'s reference price when the worker asks the table rate (worked example: 73)', () => {
    // consumer GPU 2/h + 16 GB RAM 1.6/h + 8 GB VRAM 4/h = 7.6/h, 12 h → 0.8×, Gold → 72.96 → 73.
    const w = { compute: 'consumerGpu' as const, ramGb: 16, vramGb: 8, pricePerHour: 7_600_000_000n, reputation: 600 }
    const j = { estimatedSeconds: 12 * 3600, priority: wire.Priority.PRIORITY_NORMAL }
    const reference = quoteJobPrice({ compute: 'consumerGpu', ramGb: 16, vramGb: 8, durationSeconds: 12 * 3600, priority: 'normal', workerTier: 'Gold' })
    assert.equal(reference.price, 73n * T)
    assert.deepEqual(workerPrice(w, j), { price: 73n * T, tier: 'Gold' })
    // Twice the table rate: 145.92 → 146.
    assert.equal(workerPrice({ ...w, pricePerHour: 15_200_000_000n }, j).price, 146n * T)
  })

  const cases: Array<[string, Partial<WorkerProfile>, Partial<JobOffer>, number, ReturnType<typeof decideBid>]> = [
    // 60/h × 1 min × Bronze 1.2 = 1.2 → 1; 120/h → 2.4 → 2; 180/h → 3.6 → 4.
    ['bids at its own rate (60/h → 1)', {}, {}, 0, { bid: true, price: 1n * T, etaSeconds: 60, tier: 'Bronze' }],
    ['bids at its own rate (120/h → 2)', { pricePerHour: 120n * T }, {}, 0, { bid: true, price: 2n * T, etaSeconds: 60, tier: 'Bronze' }],
    ['bids at its own rate (180/h → 4)', { pricePerHour: 180n * T }, {}, 0, { bid: true, price: 4n * T, etaSeconds: 60, tier: 'Bronze' }],
    ['never bids under one quantum', { pricePerHour: 1n }, {}, 0, { bid: true, price: 1n * T, etaSeconds: 60, tier: 'Bronze' }],
    ['high priority costs 1.5×', { pricePerHour: 120n * T }, { priority: wire.Priority.PRIORITY_HIGH }, 0, { bid: true, price: 4n * T, etaSeconds: 60, tier: 'Bronze' }],
    ['a faster worker promises less time, rounded up', { speedBps: 3_333 }, {}, 0, { bid: true, price: 1n * T, etaSeconds: 20, tier: 'Bronze' }],
    ['a Silver worker pays a smaller reputation surcharge', { pricePerHour: 180n * T, reputation: 300 }, {}, 0, { bid: true, price: 3n * T, etaSeconds: 60, tier: 'Silver' }],
    ['refuses above the max price', { pricePerHour: 180n * T }, { maxPrice: 3n * T }, 0, { bid: false, reason: 'above-max-price' }],
    ['refuses a dataset it cannot load', { datasets: ['mnist'] }, {}, 0, { bid: false, reason: 'unsupported-dataset' }],
    ['refuses a dataset over its bound', { maxDatasetBytes: 100_000 }, {}, 0, { bid: false, reason: 'dataset-too-large' }],
    // 600/h × 1 min × 1.2 = 12 tokens: Bronze may only take < 10.
    ['refuses a job too big for its tier', { pricePerHour: 600n * T, stake: 1_000n * T }, { maxPrice: 100n * T }, 0, { bid: false, reason: 'tier-too-low' }],
    // Gold may take it, but 12 tokens needs 200 staked.
    ['refuses a job too big for its stake', { pricePerHour: 600n * T, reputation: 600, stake: 50n * T }, { maxPrice: 100n * T }, 0, { bid: false, reason: 'stake-too-low' }],
    ['bids on it with the stake', { pricePerHour: 600n * T, reputation: 600, stake: 200n * T }, { maxPrice: 100n * T }, 0, { bid: true, price: 10n * T, etaSeconds: 60, tier: 'Gold' }],
    ['refuses when at capacity', {}, {}, 1, { bid: false, reason: 'busy' }],
    ['refuses anything while its owner paused it', { paused: true }, {}, 0, { bid: false, reason: 'paused' }],
    ['bids again once resumed', { paused: false }, {}, 0, { bid: true, price: 1n * T, etaSeconds: 60, tier: 'Bronze' }]
  ]
  for (const [name, w, j, active, want] of cases) {
    it(name, () => { assert.deepEqual(decideBid(worker(w), job(j), active), want) })
  }

  it('takes a direct award only when it pays at least its price', () => {
    const w = worker({ pricePerHour: 120n * T })
    const j = { spec: spec(), estimatedSeconds: 60, priority: wire.Priority.PRIORITY_NORMAL }
    assert.equal(acceptsDirectAward(w, j, 2n * T, 0).bid, true)
    assert.deepEqual(acceptsDirectAward(w, j, 2n * T - 1n, 0), { bid: false, reason: 'above-max-price' })
    assert.deepEqual(acceptsDirectAward({ ...w, paused: true }, j, 100n * T, 0), { bid: false, reason: 'paused' })
  })
})

describe('policy: which bid the client awards', () => {
  const bronze = { stake: 50n * T, reputation: 0, active: true }
  const bid = (bidder: string, price: bigint, etaSeconds = 60, verified: CandidateBid['verified'] = bronze): CandidateBid => ({ bidder, price, etaSeconds, verified })

  it('awards the cheapest of equals', () => {
    const bids = [bid('a', 4n * T), bid('b', 1n * T), bid('c', 2n * T)]
    const r = rankBids(bids, 5n * T)
    assert.deepEqual(r.ranked.map((s) => s.bid.bidder), ['b', 'c', 'a'])
    assert.equal(r.ranked[0]!.scorePpm, 750_000) // full price and ETA points, Bronze has no reputation points
    assert.equal(pickAward(bids, 5n * T)?.bid.bidder, 'b')
  })

  it('lets a better tier win a slightly higher price, but not a much higher one', () => {
    const gold = { stake: 50n * T, reputation: 650, active: true }
    // 600k·(4/5) + 250k·(2/3) + 150k = 796,666 > 750,000
    assert.equal(pickAward([bid('cheap', 4n * T), bid('gold', 5n * T, 60, gold)], 10n * T)?.bid.bidder, 'gold')
    // 600k·(1/2) + 166,666 + 150k = 616,666 < 750,000
    assert.equal(pickAward([bid('cheap', 4n * T), bid('gold', 8n * T, 60, gold)], 10n * T)?.bid.bidder, 'cheap')
  })

  it('uses the ETA between equal prices, then the peer id', () => {
    assert.equal(pickAward([bid('slow', 2n * T, 120), bid('fast', 2n * T, 60)], 5n * T)?.bid.bidder, 'fast')
    assert.equal(pickAward([bid('y', 2n * T), bid('x', 2n * T)], 5n * T)?.bid.bidder, 'x')
  })

  it('rejects bids over the max price, unregistered, inactive, under-staked or above their tier', () => {
    const r = rankBids([
      bid('over', 21n * T),
      { bidder: 'ghost', price: 1n * T, etaSeconds: 60, verified: undefined },
      bid('banned', 1n * T, 60, { ...bronze, active: false }),
      bid('poor', 1n * T, 60, { stake: 49n * T, reputation: 0, active: true }),
      bid('bronze-big', 12n * T, 60, { stake: 5_000n * T, reputation: 0, active: true }),
      bid('ok', 3n * T)
    ], 20n * T)
    assert.deepEqual(r.rejected.map((x) => [x.bid.bidder, x.reason]), [
      ['over', 'above-max-price'], ['ghost', 'not-registered'], ['banned', 'node-inactive'], ['poor', 'stake-too-low'], ['bronze-big', 'tier-too-low']
    ])
    assert.deepEqual(r.ranked.map((s) => s.bid.bidder), ['ok'])
    assert.equal(pickAward([bid('over', 6n * T)], 5n * T), undefined)
  })
})
