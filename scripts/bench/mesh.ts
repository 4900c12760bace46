/**
 * Mesh benchmark: latency from a client's `announceJob` to the arrival of every worker's bid, with
 * 5 and 20 in-process workers on 127.0.0.1 (gossipsub announce → worker signs a bid → /cyx/bid/1.0.0
 * → client verifies and collects). Prints one JSON line.
 *
 *   node --import tsx --import ./peer/runtime/node20.mjs scripts/bench/mesh.ts [rounds]
 *
 * Not measured yet (the job protocol does not exist): the issue's `transferRatio` and
 * announce→award latency.
 */
import { randomBytes } from 'node:crypto'
import { cpus } from 'node:os'
import {
  announceJob, createPeerNode, newWalletSecretKey, onJobAnnounce, sendBid, startBidCollector, waitForSubscribers, type PeerNode
} from '../../peer/node/index.js'
import { MESH, wire } from '../../protocols/index.js'

const rounds = Number(process.argv[2] ?? 20)
/** Untimed rounds first: right after start the DHT self-queries, identify and gossipsub grafting
 * compete for the (2) cores, which is start-up cost, not announce→bid latency. */
const warmup = 3

function spec (): wire.TrainingSpec {
  return {
    layers: [16, 32, 3], mode: wire.NumericMode.FLOAT32, fracBits: 0, datasetId: 'spirals', datasetHash: new Uint8Array(32).fill(1),
    datasetBytes: 1024n, epochs: 3, batchSize: 32, learningRateMicros: 50_000, momentumMicros: 900_000, seed: 42n,
    tier: wire.VerificationTier.TIER_OPTIMISTIC, stepsPerSegment: 0, backend: wire.FloatBackend.BACKEND_NATIVE
  }
}
const profile = { runtime: 'onnxruntime-node', runtimeVersion: '1.30.0', backend: 'cpu', cpuClass: 'bench' }

function quantile (sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return Math.round((sorted[i] as number) * 10) / 10
}

interface Result { p50: number, p95: number, max: number, publishP50: number, publishP95: number, rounds: number }

async function run (workerCount: number): Promise<Result> {
  const client = await createPeerNode({})
  const workers: PeerNode[] = await Promise.all(Array.from({ length: workerCount }, async () => await createPeerNode({ bootstrap: client.multiaddrs() })))
  const collector = await startBidCollector(client)
  // Bids in flight, so that nodes are not stopped while a worker still waits for its receipt.
  const inFlight = new Set<Promise<void>>()
  for (const w of workers) {
    onJobAnnounce(w, (e) => {
      const bid = wire.signMessage(wire.Kind.BID, {
        jobId: e.message.jobId, workerPeerId: Uint8Array.from(w.peerId.toMultihash().bytes), price: 1_000n, etaSeconds: 600,
        stake: 0n, reputation: 0, issuedAt: BigInt(w.clock()), profile
      }, w.wallet)
      const p = sendBid(w, e.from, bid).catch((err) => { console.error('bid failed', err) }).finally(() => { inFlight.delete(p) })
      inFlight.add(p)
    })
  }
  const latencies: number[] = []
  /** The part spent in announceJob (publishing until every subscriber was sent the job). */
  const publishes: number[] = []
  try {
    for (let r = 0; r < warmup + rounds; r++) {
      // A fresh client wallet per round: each wallet may announce only 10 jobs a day.
      const wallet = wire.walletSignerFromSecretKey(newWalletSecretKey())
      const s = spec()
      const now = client.clock()
      const jobId = Uint8Array.from(randomBytes(32))
      const announce = wire.signMessage(wire.Kind.JOB_ANNOUNCE, {
        jobId, specHash: Uint8Array.from(wire.specHash(s)), spec: s, maxPrice: 5_000_000_000n, estimatedSeconds: 600,
        priority: wire.Priority.PRIORITY_NORMAL, clientPeerId: Uint8Array.from(client.peerId.toMultihash().bytes),
        clientAddrs: client.multiaddrs().slice(0, 4).map((a) => Uint8Array.from(a.bytes)), issuedAt: BigInt(now), bidDeadline: BigInt(now + MESH.bidWindowSeconds)
      }, wallet)
      const round = collector.open(jobId)
      const all = new Promise<void>((resolve) => { round.onBid(() => { if (round.bids.length === workerCount) resolve() }) })
      // Wait for every subscriber outside the timed section: a cold mesh is not what this measures.
      await waitForSubscribers(client, workerCount, 10_000)
      const start = performance.now()
      const a = await announceJob(client, announce, { minSubscribers: workerCount, reannounceEveryMs: 0 })
      const published = performance.now() - start
      await Promise.race([all, round.closed.then(() => { throw new Error(`round ${r}: ${round.bids.length}/${workerCount} bids in the window`) })])
      if (r >= warmup) {
        latencies.push(performance.now() - start)
        publishes.push(published)
      }
      a.stop()
      round.close()
    }
    await Promise.all([...inFlight])
  } finally {
    await Promise.all([client, ...workers].map(async (n) => { await n.stop() }))
  }
  latencies.sort((x, y) => x - y)
  publishes.sort((x, y) => x - y)
  return {
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    max: quantile(latencies, 1),
    publishP50: quantile(publishes, 0.5),
    publishP95: quantile(publishes, 0.95),
    rounds: latencies.length
  }
}

const w5 = await run(5)
const w20 = await run(20)
console.log(JSON.stringify({
  bench: 'mesh',
  announceToAllBidsMs: { workers5: w5, workers20: w20 },
  warmupRounds: warmup,
  bidWindowMs: MESH.bidWindowSeconds * 1000,
  node: process.version,
  cpus: cpus().length
}))
process.exit(0)
