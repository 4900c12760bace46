/**
 * Mesh benchmark, one JSON line, everything in-process on 127.0.0.1:
 *
 * - `transfer`: MB/s of the two paths a job's bytes take, each against a bare libp2p stream (TCP +
 *   Noise + yamux, the same bytes, no framing) between the same two nodes in the same run, in two
 *   forms: `libp2pRawMBps`, whose receiver drops the bytes, and `libp2pLandedMBps`, whose receiver
 *   copies them into one buffer of the payload's size — the least any receiver that keeps a payload
 *   does, and what both paths' receivers do (the weights as one buffer, the dataset as its arrays).
 *   On this VM a fresh 64 MiB buffer costs ≈ 2.6 ms of page faults per MB filled, more than half of
 *   the bare stream's own cost, so the two baselines differ by ~1.6×; `targets` (each path ≥ 0.8)
 *   is against the landed one, and `ratios.vsDropped` is printed beside it:
 *   - the dataset path, `datasetMBps`: a client model's inputs as the worker gets them
 *     (`fetchClientInputs` with the dataset pushed: the ONNX file test/fixtures/byom/cnn.onnx and
 *     the dataset's manifest by CID in a bitswap session with the client, then a synthetic uint8
 *     28×28 dataset of `payloadMiB` streamed by the client over a job stream on `DataRequest`, as
 *     `runJobSession` streams it, every 1 MiB block checked against the manifest's CID as it
 *     arrives, the model checked, the dataset's whole SHA-256 and row count checked), a fresh
 *     dataset each repeat so no block is already held. `datasetBitswapMBps`: the same inputs all
 *     by CID over bitswap, as a verifier or juror fetches them (and the worker did before 1.1.0);
 *   - the weights path, `weightsMBps`: a payload over /cyx/job/1.1.0 as the job protocol delivers
 *     weights (worker → client: `JobChannel`'s length-prefixed `JobMessage`s, `chunkPayload` and
 *     `PayloadAssembler`, the whole checked against the hash the receiver expects);
 *   - `datasetFramesMBps`: a built-in job's dataset, the same framing client → worker.
 *   Also raw TCP between two sockets (`tcpMBps`; `transferRatio` is the job protocol over it, kept
 *   from earlier runs) and `cryptoFloorMBps`: the per-byte crypto no implementation of the protocol
 *   can skip, done back to back on one core in this process (ChaCha20-Poly1305 encrypt + decrypt in
 *   64 KiB Noise messages, SHA-256 once: the receiver's check of the whole payload). Both peers run on this one thread, so it bounds
 *   every path here whatever the framing: `cryptoFloorRatio` is it over raw TCP.
 * - `announceToAllBidsMs`: a client's `announceJob` → every worker's bid collected.
 * - `awardLatencyMs`: announce → award: the bids collected (the round is closed once every worker
 *   bid, so the configured bid window is not counted: a real client adds what is left of it),
 *   ranked by the award policy, the winner sent the signed Award over /cyx/job/1.0.0, opened and
 *   acknowledged by it (its acceptance frame). No escrow (no ledger here).
 * Both latencies with 5 and 20 in-process workers.
 * - `netem` (with `--netem` or `CYX_BENCH_NETEM=1`; `--netem-only` for it alone): the same paths
 *   between two network namespaces over a 20 Mbit/s link, rate-only and with 80 ms + 1 % loss, in
 *   MB/s and against the link rate (scripts/bench/mesh-netem.ts; root only, else `{ skipped }`).
 *
 *   npx tsx scripts/bench/mesh.ts [rounds] [payloadMiB] [--smoke] [--netem|--netem-only]   (npm run bench:mesh)
 *
 * `--smoke`: 1 MiB once, 2 timed rounds with 2 and 3 workers (the latency keys are then
 * `workers2`/`workers3`). `CYX_BENCH_TRANSFER_ONLY=1`: the transfer part only;
 * `CYX_BENCH_REPEATS` (default 3): best of that many per path.
 */
import { args, emitAndExit, smoke } from './common.js'
import { meshNetem, netemOnly, netemRequested } from './mesh-netem.js'
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer, connect, type Socket } from 'node:net'
import { cpus } from 'node:os'
import type { Stream, StreamMessageEvent } from '@libp2p/interface'
import { logger } from '@libp2p/logger'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { fetchClientInputs } from '../../peer/evidence/index.js'
import { JobChannel, PayloadAssembler, chunkPayload, pushedDatasetOver } from '../../peer/job/index.js'
import { assertModelSupported } from '../../peer/train/index.js'
import { datasetSegments, putBlob, putDataset, type TensorDataset } from '../../storage/index.js'
import {
  announceJob, createPeerNode, newWalletSecretKey, onJobAnnounce, sendBid, startBidCollector, waitForSubscribers, type PeerNode
} from '../../peer/node/index.js'
import { rankBids } from '../../peer/policy/index.js'
import { MESH, fromHex, wire } from '../../protocols/index.js'

const log = logger('cyx:bench:mesh')
const rounds = smoke ? 2 : Number(args[0] ?? 20)
const payloadMiB = smoke ? 1 : Number(args[1] ?? 64)
/** Untimed rounds first: right after start the DHT self-queries, identify and gossipsub grafting
 * compete for the (2) cores, which is start-up cost, not announce→bid latency. */
const warmup = smoke ? 1 : 3

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

interface Result { p50: number, p95: number, max: number, publishP50: number, publishP95: number, rounds: number, award: { p50: number, p95: number, max: number } }

async function run (workerCount: number): Promise<Result> {
  const client = await createPeerNode({})
  const workers: PeerNode[] = await Promise.all(Array.from({ length: workerCount }, async () => await createPeerNode({ bootstrap: client.multiaddrs() })))
  const collector = await startBidCollector(client)
  // Bids in flight, so that nodes are not stopped while a worker still waits for its receipt.
  const inFlight = new Set<Promise<void>>()
  for (const [i, w] of workers.entries()) {
    // The winner's side of the award: open the signed Award, answer with the acceptance frame.
    await w.libp2p.handle(MESH.jobProtocol, (stream) => {
      void (async () => {
        const ch = new JobChannel(stream)
        const m = await ch.receive(AbortSignal.timeout(10_000))
        wire.openEnvelope(m.award!, wire.Kind.AWARD, w.clock())
        await ch.send({ metrics: { epoch: 0, totalEpochs: 3, step: 0, loss: 0, trainAccuracy: 0, testAccuracy: 0, timestamp: BigInt(w.clock()) } })
        await ch.finish()
      })().catch((err) => { console.error('award failed', err); stream.abort(err) })
    })
    onJobAnnounce(w, (e) => {
      const bid = wire.signMessage(wire.Kind.BID, {
        jobId: e.message.jobId, workerPeerId: Uint8Array.from(w.peerId.toMultihash().bytes), price: 1_000n + BigInt(i % 7), etaSeconds: 600,
        stake: 0n, reputation: 0, issuedAt: BigInt(w.clock()), profile
      }, w.wallet)
      const p = sendBid(w, e.from, bid).catch((err) => { console.error('bid failed', err) }).finally(() => { inFlight.delete(p) })
      inFlight.add(p)
    })
  }
  const latencies: number[] = []
  /** The part spent in announceJob (publishing until every subscriber was sent the job). */
  const publishes: number[] = []
  const awards: number[] = []
  try {
    for (let r = 0; r < warmup + rounds; r++) {
      // A fresh client wallet per round: each wallet may announce only 10 jobs a day.
      const wallet = wire.walletSignerFromSecretKey(newWalletSecretKey())
      // Wait for every subscriber outside the timed section (a cold mesh is not what this measures),
      // and before the announce is signed: on a loaded machine the wait can outlast its bid window.
      await waitForSubscribers(client, workerCount, 10_000)
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
      const start = performance.now()
      const a = await announceJob(client, announce, { minSubscribers: workerCount, reannounceEveryMs: 0 })
      const published = performance.now() - start
      await Promise.race([all, round.closed.then(() => { throw new Error(`round ${r}: ${round.bids.length}/${workerCount} bids in the window`) })])
      const allBids = performance.now() - start
      // The award: rank (chain facts stand in as constants: no ledger here), sign, send, acknowledged.
      round.close()
      const bids = await round.closed
      const ranking = rankBids(bids.map((b) => ({ bidder: b.from.toString(), price: b.message.price, etaSeconds: b.message.etaSeconds, verified: { stake: 1n << 50n, reputation: 0, active: true } })), 5_000_000_000n)
      const best = ranking.ranked[0]
      if (best === undefined) throw new Error(`round ${r}: no eligible bid`)
      const winning = bids.find((b) => b.from.toString() === best.bid.bidder)!
      const signedAward = wire.signMessage(wire.Kind.AWARD, {
        jobId, worker: Uint8Array.from(winning.signer), escrow: Uint8Array.from(randomBytes(32)), amount: best.bid.price, specHash: Uint8Array.from(wire.specHash(s)), spec: s, issuedAt: BigInt(client.clock())
      }, wallet)
      const stream = await client.libp2p.dialProtocol(winning.from, MESH.jobProtocol)
      const ch = new JobChannel(stream)
      await ch.send({ award: wire.Signed.decode(signedAward) })
      const accepted = await ch.receive(AbortSignal.timeout(10_000))
      if (accepted.metrics?.epoch !== 0) throw new Error(`round ${r}: the winner did not accept the award`)
      const awarded = performance.now() - start
      await ch.finish()
      if (r >= warmup) {
        latencies.push(allBids)
        publishes.push(published)
        awards.push(awarded)
      }
      a.stop()
    }
    await Promise.all([...inFlight])
  } finally {
    await Promise.all([client, ...workers].map(async (n) => { await n.stop() }))
  }
  latencies.sort((x, y) => x - y)
  publishes.sort((x, y) => x - y)
  awards.sort((x, y) => x - y)
  return {
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    max: quantile(latencies, 1),
    publishP50: quantile(publishes, 0.5),
    publishP95: quantile(publishes, 0.95),
    rounds: latencies.length,
    award: { p50: quantile(awards, 0.5), p95: quantile(awards, 0.95), max: quantile(awards, 1) }
  }
}

// ------------------------------------------------------------------------------ transfer

const SLICE = 256 * 1024
const mbps = (bytes: number, ms: number): number => Math.round(bytes / 1e6 / (ms / 1000) * 10) / 10

/** Raw TCP between two sockets on 127.0.0.1: the same bytes in 256 KiB writes, with backpressure,
 * until the receiver has all of them (it answers one byte). */
async function tcpMs (payload: Uint8Array): Promise<number> {
  const server = createServer((socket: Socket) => {
    socket.on('error', (err) => { log('receiving socket: %e', err) }) // the sender destroys its end once acknowledged
    let got = 0
    socket.on('data', (b: Buffer) => {
      got += b.byteLength
      if (got === payload.byteLength) socket.end(Buffer.of(1))
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  const socket = connect(port, '127.0.0.1')
  socket.on('error', (err) => { log('sending socket: %e', err) })
  await once(socket, 'connect')
  socket.setNoDelay(true)
  const acked = once(socket, 'data')
  const t0 = performance.now()
  for (let at = 0; at < payload.byteLength; at += SLICE) {
    if (!socket.write(payload.subarray(at, at + SLICE))) await once(socket, 'drain')
  }
  await acked
  const ms = performance.now() - t0
  socket.destroy()
  server.close()
  return ms
}

const RAW_PROTOCOL = '/cyx/bench/raw/1.0.0'
const LANDED_PROTOCOL = '/cyx/bench/landed/1.0.0'

/** The same bytes on a bare libp2p stream (TCP + Noise + yamux), no framing: libp2p's own cost.
 * `landed`: the receiver copies them into one buffer of the payload's size (see the header). */
async function libp2pRawMs (from: PeerNode, to: PeerNode, payload: Uint8Array, landed = false): Promise<number> {
  const stream = await from.libp2p.dialProtocol(to.peerId, landed ? LANDED_PROTOCOL : RAW_PROTOCOL)
  const t0 = performance.now()
  for (let at = 0; at < payload.byteLength; at += SLICE) {
    if (!stream.send(payload.subarray(at, at + SLICE))) await stream.onDrain()
  }
  for await (const _ of stream) break // the receiver's one-byte acknowledgement
  const ms = performance.now() - t0
  stream.abort(new Error('done'))
  return ms
}

/** The unavoidable crypto over `payload` on this one thread (see the header): its time in ms. */
function cryptoFloorMs (payload: Uint8Array): number {
  const key = randomBytes(32)
  const nonce = Buffer.alloc(12)
  const ad = Buffer.alloc(0)
  const NOISE_PLAINTEXT = 65535 - 16
  const t0 = performance.now()
  for (let at = 0; at < payload.byteLength; at += NOISE_PLAINTEXT) {
    const m = payload.subarray(at, at + NOISE_PLAINTEXT)
    const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 })
    c.setAAD(ad, { plaintextLength: m.byteLength })
    const ct = c.update(m)
    c.final()
    const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 })
    d.setAAD(ad, { plaintextLength: ct.byteLength })
    d.setAuthTag(c.getAuthTag())
    d.update(ct)
    d.final()
  }
  createHash('sha256').update(payload).digest()
  return performance.now() - t0
}

/** A payload over /cyx/job/1.0.0 exactly as the job protocol moves it: `chunkPayload` frames sent
 * through a `JobChannel`, decoded (each chunk bounded, in order) and assembled (the whole checked
 * against the hash the receiver expects) on the other side, which acknowledges with a frame. */
async function jobProtocolMs (from: PeerNode, to: PeerNode, payload: Uint8Array, sha256: Uint8Array, as: 'dataset' | 'weights'): Promise<number> {
  const stream = await from.libp2p.dialProtocol(to.peerId, MESH.jobProtocol)
  const ch = new JobChannel(stream)
  const t0 = performance.now()
  // As runJobSession and the job service send: the hash is known (the spec's, the delivery's).
  for (const f of chunkPayload(payload, MESH.maxChunkBytes, sha256)) {
    await ch.send(as === 'dataset'
      ? (f.chunk !== undefined ? { dataChunk: f.chunk } : { dataEnd: f.end })
      : (f.chunk !== undefined ? { weightsChunk: f.chunk } : { weightsEnd: f.end }))
  }
  const ack = await ch.receive(AbortSignal.timeout(120_000))
  const ms = performance.now() - t0
  if (ack.metrics === undefined) throw new Error(`${as}: the receiver refused the payload: ${ack.error?.message ?? 'no acknowledgement'}`)
  await ch.finish()
  return ms
}

/** The receiving side of both: counts raw bytes, or assembles job frames and checks the hash. */
async function receiveTransfers (node: PeerNode, expected: { bytes: number, sha256: Uint8Array }): Promise<void> {
  for (const [protocol, landed] of [[RAW_PROTOCOL, false], [LANDED_PROTOCOL, true]] as const) {
    // The stream's 'message' events, as lpStream reads them: no async iteration per message, so
    // the baseline is the least a receiver can do (an async iterator measured ~10 % slower).
    await node.libp2p.handle(protocol, (stream: Stream) => {
      const into = landed ? new Uint8Array(expected.bytes) : undefined
      let got = 0
      const onMessage = (evt: StreamMessageEvent): void => {
        for (const part of evt.data instanceof Uint8Array ? [evt.data] : evt.data) {
          into?.set(part, got)
          got += part.byteLength
        }
        if (got !== expected.bytes) return
        stream.removeEventListener('message', onMessage)
        stream.send(Uint8Array.of(1))
        stream.close().catch((err: unknown) => { stream.abort(err as Error) })
      }
      stream.addEventListener('message', onMessage)
    })
  }
  await node.libp2p.handle(MESH.jobProtocol, (stream: Stream) => {
    void (async () => {
      const ch = new JobChannel(stream)
      const assembler = new PayloadAssembler(expected.bytes, expected.sha256)
      while (true) {
        const m = await ch.receive(AbortSignal.timeout(120_000))
        const chunk = m.dataChunk ?? m.weightsChunk
        const end = m.dataEnd ?? m.weightsEnd
        if (chunk !== undefined) assembler.add(chunk)
        else if (end !== undefined) {
          assembler.finish(end)
          break
        } else throw new Error('unexpected frame')
      }
      await ch.send({ metrics: { epoch: 0, totalEpochs: 1, step: 0, loss: 0, trainAccuracy: 0, testAccuracy: 0, timestamp: BigInt(node.clock()) } })
      await ch.finish()
    })().catch((err) => { console.error('transfer failed', err); stream.abort(err) })
  }, { maxInboundStreams: 4 })
}

/** The bench's fixture model: a client's ONNX file (a small CNN over 1×28×28 inputs). */
const MODEL = readFileSync(fileURLToPath(new URL('../../test/fixtures/byom/cnn.onnx', import.meta.url)))
const BATCH = 32

/** `mib` MiB of 28×28 uint8 rows with 10 classes, pseudo-random from `seed` (no two datasets share a block). */
function syntheticDataset (mib: number, seed: number): TensorDataset {
  const row = 28 * 28
  const rows = Math.floor(mib * 1024 * 1024 / row)
  const testCount = Math.max(1, Math.floor(rows / 5))
  const x = Uint8Array.from(randomBytes(rows * row))
  let s = seed >>> 0
  const next = (): number => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s }
  const y = Int32Array.from({ length: rows }, () => (next() >>> 16) % 10)
  const split = (from: number, count: number): TensorDataset['train'] => ({ count, x: x.subarray(from * row, (from + count) * row), y: y.subarray(from, from + count) })
  return { sampleShape: [1, 28, 28], dtype: 'uint8', normalize: 'unit', task: { kind: 'classification', classCount: 10 }, train: split(0, rows - testCount), test: split(rows - testCount, testCount) }
}

/** A client-model spec naming inputs the client holds, as the client role publishes one. */
async function clientInputs (client: PeerNode, seed: number): Promise<{ spec: wire.TrainingSpec, bytes: number, segments: Uint8Array[], sha256: Uint8Array }> {
  const model = await putBlob(client.helia.blockstore, MODEL)
  const ds = syntheticDataset(payloadMiB, seed)
  const data = await putDataset(client.helia.blockstore, ds)
  const report = assertModelSupported(MODEL, 'the bench model', { batch: BATCH })
  const clientModel: wire.ClientModel = {
    modelHash: fromHex(model.sha256), modelCid: model.root.toString(), modelBytes: BigInt(model.bytes), stepGraphHash: new Uint8Array(32),
    datasetCid: data.root.toString(), loss: wire.LossKind.LOSS_CROSS_ENTROPY, optimizer: wire.OptimizerKind.OPTIMIZER_SGD, weightDecayMicros: 0,
    beta1Micros: 0, beta2Micros: 0, epsilonPicos: 0, schedule: wire.ScheduleKind.SCHEDULE_CONSTANT, scheduleStepEpochs: 0, scheduleGammaMicros: 0,
    minLearningRateMicros: 0, trainRows: BigInt(ds.train.count), flopsPerSample: 0n, batchMemoryBytes: BigInt(Math.ceil(report.memory.totalBytes))
  }
  return { spec: { ...spec(), layers: [], batchSize: BATCH, datasetHash: fromHex(data.sha256), datasetBytes: BigInt(data.bytes), clientModel }, bytes: data.bytes, segments: datasetSegments(ds), sha256: fromHex(data.sha256) }
}

const INPUTS_PROTOCOL = '/cyx/bench/inputs/1.0.0'

/** The client's side of a pushed dataset: on the worker's `DataRequest`, the dataset's canonical
 * encoding as `runJobSession` streams it (its four arrays, the spec's hash in the end marker). */
async function serveInputs (client: PeerNode, current: () => { segments: Uint8Array[], sha256: Uint8Array }): Promise<void> {
  await client.libp2p.handle(INPUTS_PROTOCOL, (stream: Stream) => {
    void (async () => {
      const ch = new JobChannel(stream)
      const d = current()
      const request = await ch.receive(AbortSignal.timeout(120_000))
      if (request.dataRequest === undefined) throw new Error('expected a DataRequest')
      for (const f of chunkPayload(d.segments, MESH.maxChunkBytes, d.sha256)) await ch.send(f.chunk !== undefined ? { dataChunk: f.chunk } : { dataEnd: f.end })
      await ch.finish()
    })().catch((err) => { console.error('serving inputs failed', err); stream.abort(err) })
  })
}

/** The worker gets a client model's inputs: by CID over bitswap (`pushed` false, as a verifier
 * does), or with the dataset pushed by the client on a job stream (`pushed`, as the worker does). */
async function inputsMs (client: PeerNode, worker: PeerNode, inputs: { spec: wire.TrainingSpec }, pushed: boolean): Promise<number> {
  const t0 = performance.now()
  const signal = AbortSignal.timeout(600_000)
  let ch: JobChannel | undefined
  // (In a job, this is the job stream, opened by the client with the award.)
  if (pushed) ch = new JobChannel(await worker.libp2p.dialProtocol(client.peerId, INPUTS_PROTOCOL))
  const got = await fetchClientInputs(worker.helia, inputs.spec, { signal, providers: [client.peerId], ...(ch === undefined ? {} : { pushedDataset: pushedDatasetOver(ch, inputs.spec, signal) }) })
  const ms = performance.now() - t0
  await ch?.finish()
  if (!('model' in got) || got.train.count !== Number(inputs.spec.clientModel!.trainRows)) throw new Error('fetchClientInputs returned other inputs')
  return ms
}

interface PathRatios { dataset: number, datasetBitswap: number, weights: number, datasetFrames: number }

interface Transfer {
  payloadMiB: number
  tcpMBps: number
  /** The bare libp2p stream (TCP + Noise + yamux, no framing): the baseline of the ratios. */
  libp2pRawMBps: number
  cryptoFloorMBps: number
  /** `cryptoFloorMBps` over `tcpMBps`. */
  cryptoFloorRatio: number
  /** The dataset path: a client model's inputs as the worker gets them (the dataset pushed on a job stream). */
  datasetMBps: number
  /** The same inputs all over bitswap (`fetchClientInputs` by CID, as a verifier fetches them). */
  datasetBitswapMBps: number
  /** The bare stream whose receiver lands the bytes in one buffer: the baseline of `ratios`. */
  libp2pLandedMBps: number
  /** The weights path: /cyx/job/1.1.0 weights frames, worker → client. */
  weightsMBps: number
  /** A built-in dataset's frames over /cyx/job/1.1.0, client → worker. */
  datasetFramesMBps: number
  /** Each path over the landed bare stream; `vsDropped`: over the bare stream that drops the bytes. */
  ratios: PathRatios & { vsDropped: PathRatios }
  jobProtocolMBps: number
  transferRatio: number
  repeats: number
}

/** Best of `repeats` for each path, the paths interleaved so that none gets a warmer machine. */
async function transfer (repeats = smoke ? 1 : Number(process.env.CYX_BENCH_REPEATS ?? 3)): Promise<Transfer> {
  const payload = Uint8Array.from(randomBytes(payloadMiB * 1024 * 1024))
  const expected = { bytes: payload.byteLength, sha256: Uint8Array.from(wire.sha256(payload)) }
  const client = await createPeerNode({})
  const worker = await createPeerNode({ bootstrap: client.multiaddrs() })
  try {
    await receiveTransfers(client, expected)
    await receiveTransfers(worker, expected)
    await client.libp2p.dial(worker.peerId)
    const best = { tcp: Infinity, raw: Infinity, landed: Infinity, pushed: Infinity, bitswap: Infinity, frames: Infinity, weights: Infinity, floor: Infinity }
    let inputBytes = 0
    let serving: Awaited<ReturnType<typeof clientInputs>> | undefined
    await serveInputs(client, () => serving!)
    // One small untimed run of each first (JIT, connection warm-up).
    await jobProtocolMs(client, worker, payload, expected.sha256, 'dataset').catch((err: unknown) => { console.error('warm-up transfer failed (untimed)', err) })
    for (let i = 0; i < repeats; i++) {
      // Raw TCP moves the payload in tens of ms, so one moment of contention on a shared machine
      // skews a single sample: three per repeat, the best kept (a higher baseline, a lower ratio).
      // Fresh client datasets first (stored before any clock starts, so the worker holds none of
      // their blocks): storing 64 MiB keeps LevelDB's compaction threads busy for a while after,
      // which would slow whichever path ran next on this 2-core machine.
      const pushedInputs = await clientInputs(client, 2 * i + 1)
      const bitswapInputs = await clientInputs(client, 2 * i + 2)
      for (let k = 0; k < 3; k++) best.tcp = Math.min(best.tcp, await tcpMs(payload))
      best.raw = Math.min(best.raw, await libp2pRawMs(client, worker, payload))
      best.landed = Math.min(best.landed, await libp2pRawMs(client, worker, payload, true))
      best.frames = Math.min(best.frames, await jobProtocolMs(client, worker, payload, expected.sha256, 'dataset'))
      best.weights = Math.min(best.weights, await jobProtocolMs(worker, client, payload, expected.sha256, 'weights'))
      best.floor = Math.min(best.floor, cryptoFloorMs(payload))
      serving = pushedInputs
      best.pushed = Math.min(best.pushed, await inputsMs(client, worker, serving, true))
      inputBytes = serving.bytes
      best.bitswap = Math.min(best.bitswap, await inputsMs(client, worker, bitswapInputs, false))
    }
    const n = payload.byteLength
    const raw = mbps(n, best.raw)
    const job = mbps(2 * n, best.frames + best.weights)
    const tcp = mbps(n, best.tcp)
    const bitswap = mbps(inputBytes, best.bitswap)
    const dataset = mbps(inputBytes, best.pushed)
    const weights = mbps(n, best.weights)
    const frames = mbps(n, best.frames)
    const landed = mbps(n, best.landed)
    const over = (base: number): PathRatios => {
      const ratio = (x: number): number => Math.round(x / base * 1000) / 1000
      return { dataset: ratio(dataset), datasetBitswap: ratio(bitswap), weights: ratio(weights), datasetFrames: ratio(frames) }
    }
    return {
      payloadMiB,
      tcpMBps: tcp,
      libp2pRawMBps: raw,
      libp2pLandedMBps: landed,
      cryptoFloorMBps: mbps(n, best.floor),
      cryptoFloorRatio: Math.round(best.tcp / best.floor * 1000) / 1000,
      datasetMBps: dataset,
      datasetBitswapMBps: bitswap,
      weightsMBps: weights,
      datasetFramesMBps: frames,
      ratios: { ...over(landed), vsDropped: over(raw) },
      jobProtocolMBps: job,
      transferRatio: Math.round(job / tcp * 1000) / 1000,
      repeats
    }
  } finally {
    await Promise.all([client.stop(), worker.stop()])
  }
}

/** Issue 18's goal: each path at least 0.8 of the bare Noise+yamux stream measured in the same run
 * (the one whose receiver lands the bytes: see the header). */
const TARGET_RATIO = 0.8
function targets (t: Transfer): Record<string, { ratio: number, pass: boolean }> {
  return {
    dataset: { ratio: t.ratios.dataset, pass: t.ratios.dataset >= TARGET_RATIO },
    weights: { ratio: t.ratios.weights, pass: t.ratios.weights >= TARGET_RATIO }
  }
}

// ------------------------------------------------------------------------------ netem (mesh-netem.ts)

const netemPart = netemRequested ? { netem: await meshNetem({ smoke }) } : {}
if (netemOnly) await emitAndExit({ bench: 'mesh', ...netemPart })

// ------------------------------------------------------------------------------ run

const t = await transfer()
if (process.env.CYX_BENCH_TRANSFER_ONLY === '1') {
  await emitAndExit({ bench: 'mesh', transferRatio: t.transferRatio, transfer: t, targets: { minRatio: TARGET_RATIO, ...targets(t) }, ...netemPart })
}
const [small, large] = smoke ? [2, 3] : [5, 20]
const ws = await run(small)
const wl = await run(large)
await emitAndExit({
  bench: 'mesh',
  transferRatio: t.transferRatio,
  transfer: t,
  targets: { minRatio: TARGET_RATIO, ...targets(t) },
  awardLatencyMs: { [`workers${small}`]: ws.award, [`workers${large}`]: wl.award },
  announceToAllBidsMs: { [`workers${small}`]: { ...ws, award: undefined }, [`workers${large}`]: { ...wl, award: undefined } },
  warmupRounds: warmup,
  bidWindowMs: MESH.bidWindowSeconds * 1000,
  node: process.version,
  cpus: cpus().length,
  ...netemPart
})
