/**
 * Coordinator benchmark: median time from a client's job submission to a ranked, verified list of
 * candidate workers, with and without a coordinator, in the same run: 20 staked workers on
 * 127.0.0.1 (each advertised in the DHT and registered with the coordinator) and the embedded
 * ledger over JSON-RPC. Prints one JSON line.
 *
 *   npx tsx scripts/bench/coordinator.ts [rounds] [jobRounds] [--smoke]   (npm run bench:coordinator)
 *
 * `--smoke`: 3 workers, one timed round, one job per client, a 1.5 s bid window.
 *
 * - withCoordinatorMs: `matchViaCoordinator` — one request, the coordinator's signed ranking, and
 *   the client's own checks (every advert's signature, every wallet's stake in one batched RPC read).
 * - meshOnlyMs: the same list without a coordinator — `findWorkers` in the DHT (providers of "cpu",
 *   then each provider's advert record), the same batched stake read, the same policy ranking.
 * Rounds alternate which path goes first. Neither includes the bid window that follows both.
 *
 * Then the same 20 peers run the real roles (`Worker`, registered with the coordinator) and two
 * `Client`s submit spirals jobs, one with `coordinator` and one without: `submissionToAwardMs` is
 * the median time from `submit()` to the `award` event (matched or found, announced, bids
 * collected for the bid window, ranked with on-chain facts, escrow created naming the winner).
 * Each job then runs to completion before the next round.
 */
import { args, emit, smoke } from './common.js'
import { randomBytes } from 'node:crypto'
import { getAssociatedTokenAddressSync } from '@solana/spl-token'
import { Transaction, sendAndConfirmTransaction } from '@solana/web3.js'
import { registerNode } from '../../chain/index.js'
import { Coordinator, envelopeHash, rankWorkers } from '../../coordinator/index.js'
import { coordinatorHost, matchViaCoordinator, readChainFacts, registerWithCoordinator } from '../../peer/match/index.js'
import { buildAdvert, findWorkers, publishAdvert } from '../../peer/node/index.js'
import { rankBids } from '../../peer/policy/index.js'
import { Client, Worker, type ClientJobEvent } from '../../peer/roles/index.js'
import { LocalNetwork } from '../../peer/sim/index.js'
import { MESH, UNITS_PER_TOKEN, minimumRegistrationStake, wire } from '../../protocols/index.js'

const rounds = smoke ? 1 : Number(args[0] ?? 15)
/** Jobs per client for submission → award (each wallet may announce 10 jobs a day). */
const jobRounds = smoke ? 1 : Math.min(8, Number(args[1] ?? 4))
const BID_WINDOW_MS = smoke ? 1_500 : MESH.bidWindowSeconds * 1000
const warmup = smoke ? 0 : 2
const WORKERS = smoke ? 3 : 20

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return Math.round((s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2) * 10) / 10
}

const net = await LocalNetwork.open({ seed: 4242 })
try {
  const coordPeer = await net.peer('coordinator', 0n)
  const coordinator = await Coordinator.start({ host: coordinatorHost(coordPeer.node, { connection: net.connection }), dir: `${net.dir}/coordinator-index`, crawlCapabilities: [] })
  const coordAddr = coordPeer.node.multiaddrs()[0]!
  const workers = []
  for (let i = 0; i < WORKERS; i++) {
    const w = await net.peer(`worker-${i}`, 100n, [coordAddr])
    await sendAndConfirmTransaction(net.connection, new Transaction().add(registerNode({ owner: w.keypair.publicKey, ownerToken: getAssociatedTokenAddressSync(net.mint, w.keypair.publicKey) }, minimumRegistrationStake())), [w.keypair], { commitment: 'confirmed' })
    workers.push(w)
  }
  const client = await net.peer('client', 0n, [coordAddr])
  await new Promise((resolve) => setTimeout(resolve, 1_000)) // identify fills the DHT routing tables
  for (const [i, w] of workers.entries()) {
    const advert = buildAdvert(w.node, {
      hardware: { cpuCores: 4, ramGb: 8, gpuClass: wire.GpuClass.GPU_NONE, gpuModel: '', vramGb: 0 },
      pricePerHour: 300_000_000n + BigInt(i) * 10_000_000n,
      profile: { runtime: 'onnxruntime-node', runtimeVersion: '1.30.0', backend: 'cpu', cpuClass: 'bench' },
      capabilities: ['cpu']
    })
    const published = await publishAdvert(w.node, advert, w.node.wallet)
    await registerWithCoordinator(w.node, coordAddr, published.signed)
  }

  const spec: wire.TrainingSpec = {
    layers: [16, 32, 3], mode: wire.NumericMode.FLOAT32, fracBits: 0, datasetId: 'spirals', datasetHash: new Uint8Array(32).fill(1),
    datasetBytes: 1024n, epochs: 3, batchSize: 32, learningRateMicros: 50_000, momentumMicros: 900_000, seed: 42n,
    tier: wire.VerificationTier.TIER_OPTIMISTIC, stepsPerSegment: 0, backend: wire.FloatBackend.BACKEND_NATIVE
  }
  const announce = (): wire.JobAnnounce => {
    const now = client.node.clock()
    return {
      jobId: Uint8Array.from(randomBytes(32)), specHash: Uint8Array.from(wire.specHash(spec)), spec, maxPrice: 5n * UNITS_PER_TOKEN, estimatedSeconds: 600,
      priority: wire.Priority.PRIORITY_NORMAL, clientPeerId: Uint8Array.from(client.node.peerId.toMultihash().bytes),
      clientAddrs: client.node.multiaddrs().slice(0, 4).map((a) => Uint8Array.from(a.bytes)), issuedAt: BigInt(now), bidDeadline: BigInt(now + MESH.bidWindowSeconds)
    }
  }

  const withCoordinator = async (): Promise<{ ms: number, n: number }> => {
    const t0 = performance.now()
    const m = await matchViaCoordinator(client.node, coordAddr, announce(), { connection: net.connection, timeoutMs: 10_000 })
    const ms = performance.now() - t0
    if (!m.ok) throw new Error(m.reason)
    return { ms, n: m.candidates.length }
  }
  const meshOnly = async (): Promise<{ ms: number, n: number }> => {
    const t0 = performance.now()
    const a = announce()
    const found = await findWorkers(client.node, 'cpu', { signal: AbortSignal.timeout(10_000) })
    const facts = await readChainFacts(net.connection, found.map((f) => f.wallet))
    const { ranked } = rankWorkers(found.map((f) => {
      const env = wire.Signed.decode(f.signed)
      return { peerId: f.peerId.toString(), wallet: f.wallet, advert: f.advert, signed: f.signed, advertHash: envelopeHash(env).hash, source: 'dht' as const }
    }), facts, a, 'cpu', client.node.clock(), 32, rankBids)
    return { ms: performance.now() - t0, n: ranked.length }
  }

  const c: number[] = []
  const m: number[] = []
  const candidates = { withCoordinator: 0, meshOnly: 0 }
  for (let r = 0; r < warmup + rounds; r++) {
    const order = r % 2 === 0 ? [withCoordinator, meshOnly] : [meshOnly, withCoordinator]
    for (const f of order) {
      const { ms, n } = await f()
      if (r < warmup) continue
      if (f === withCoordinator) { c.push(ms); candidates.withCoordinator = n } else { m.push(ms); candidates.meshOnly = n }
    }
  }
  const s = coordinator.status()

  // Submission → award with the real roles.
  const roles: Worker[] = []
  for (const [i, w] of workers.entries()) {
    roles.push(await Worker.start({ node: w.node, connection: net.connection, store: w.store, pricePerHour: (60n + BigInt(i)) * UNITS_PER_TOKEN, coordinator: coordAddr }))
  }
  const withPeer = await net.peer('client-with', 100n, [coordAddr])
  const meshPeer = await net.peer('client-mesh', 100n, [coordAddr])
  const clients = {
    with: await Client.start({ node: withPeer.node, connection: net.connection, store: withPeer.store, coordinator: coordAddr }),
    mesh: await Client.start({ node: meshPeer.node, connection: net.connection, store: meshPeer.store })
  }
  const toAward = { with: [] as number[], mesh: [] as number[] }
  const fallbacks: string[] = []
  const submitOne = async (mode: 'with' | 'mesh'): Promise<void> => {
    const t0 = performance.now()
    let awardedAt: number | undefined
    const outcome = await clients[mode].submit({
      datasetId: 'spirals', epochs: 1, maxPrice: 5n * UNITS_PER_TOKEN, estimatedSeconds: 60, bidWindowMs: BID_WINDOW_MS,
      onProgress: (e: ClientJobEvent) => {
        if (e.type === 'award') awardedAt = performance.now()
        if (e.type === 'coordinator' && e.result === 'fallback') fallbacks.push(e.reason)
      }
    })
    if (outcome.state !== 'completed' || awardedAt === undefined) throw new Error(`${mode}: job ended ${outcome.state}`)
    toAward[mode].push(awardedAt - t0)
  }
  for (let r = 0; r < jobRounds; r++) {
    for (const mode of r % 2 === 0 ? ['with', 'mesh'] as const : ['mesh', 'with'] as const) await submitOne(mode)
  }
  await clients.with.stop()
  await clients.mesh.stop()
  await Promise.allSettled(roles.map(async (w) => { await w.stop() }))

  emit({
    bench: 'coordinator',
    workers: WORKERS,
    rounds,
    withCoordinatorMs: median(c),
    meshOnlyMs: median(m),
    candidates,
    coordinatorMatchP50Ms: s.matchLatencyMs.p50,
    submissionToAwardMs: { withCoordinator: median(toAward.with), meshOnly: median(toAward.mesh), jobs: jobRounds, bidWindowMs: BID_WINDOW_MS, fallbacks }
  })
  await coordinator.stop()
} finally {
  await net.close()
}
