/**
 * The roles end to end on real libp2p nodes on 127.0.0.1 and one embedded ledger over JSON-RPC:
 * one client, three workers at different prices. Hostile and invalid awards and frames first (the
 * worker refuses them with typed errors), then a real auction that the same worker wins, trains,
 * delivers and is paid for: proof that it kept serving.
 */
import { logger } from '@libp2p/logger'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { lpStream } from '@libp2p/utils'
import { PublicKey } from '@solana/web3.js'
import { CYXWIZ_PROGRAM_ID, ESCROW_STATE, TIER, challengeCommitment, createEscrow, decodeEscrow, escrowPda } from '../../../chain/index.js'
import { ESCROW, MESH, PROOF, UNITS_PER_TOKEN, wire, toHex } from '../../../protocols/index.js'
import { JOB_IDLE_TIMEOUT_MS, JobChannel, JobRefusal, JobRefusedError, runJobSession } from '../../../peer/job/index.js'
import { createPeerNode, type PeerNode } from '../../../peer/node/index.js'
import { Client, Worker, checkpointCount, escrowNonce, jobSpec, sendTransaction, tokenAccount, zkDataCommitment, type ClientJobEvent } from '../../../peer/roles/index.js'
import { generateSpirals, loadDatasetById } from '../../../peer/train/index.js'
import { World, type WorldPeer } from '../../fixtures/world.js'

const log = logger('cyx:test:roles')

const T = UNITS_PER_TOKEN
const until = async (cond: () => boolean, ms: number, what: string): Promise<void> => {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('roles: one client, three workers, one ledger', function () {
  this.timeout(60_000)
  let world: World
  let clientPeer: WorldPeer
  let client: Client
  const workers: Worker[] = []
  const rejected = new Map<string, Array<{ peer: string, error: Error }>>()
  // Tokens per hour → bids of 2, 1 and 5 tokens for a one-minute job (× 1/60 h × 1.2 for Bronze).
  // Not 3 or 4 tokens: protons-runtime mis-encodes uint64 values in [2^31, 2^32) (see the report).
  const RATES = [100n, 50n, 250n]
  let cheap: Worker
  const bidRejections: string[] = []

  before(async () => {
    world = await World.open()
    clientPeer = await world.peer(100n)
    for (const rate of RATES) {
      const p = await world.peer(50n, clientPeer.node.multiaddrs())
      const log: Array<{ peer: string, error: Error }> = []
      rejected.set(p.node.peerId.toString(), log)
      workers.push(await Worker.start({
        node: p.node, connection: world.connection, store: p.store, pricePerHour: rate * T,
        onRejected: (peer, error) => { log.push({ peer: peer.toString(), error }) },
      }))
    }
    cheap = workers[1]!
    client = await Client.start({
      node: clientPeer.node,
      connection: world.connection,
      store: clientPeer.store,
      onBidRejected: (peer, error) => { bidRejections.push(`${peer.toString()}: ${error.message}`) }
    })
  })

  after(async () => {
    await client?.stop()
    await Promise.allSettled(workers.map(async (w) => { await w.stop() }))
    await world?.close()
  })

  it('registers and stakes each worker on first start', async () => {
    for (const w of workers) {
      assert.equal(w.profile().stake, 50n * T)
      assert.equal(await world.balance(w.wallet), 0n)
    }
  })

  /** A spirals job for `worker`, escrowed by `payer` (or not), and its award. */
  async function escrowedAward (payer: WorldPeer, worker: PublicKey, opts: { escrowAmount?: bigint, awardAmount?: bigint, create?: boolean, awardWorker?: PublicKey, zkData?: Uint8Array } = {}): Promise<{ signed: Uint8Array, award: wire.Award, datasetBytes: Uint8Array }> {
    // A zk job (mnist-4x4, one epoch of 8 checkpoints) when `zkData` gives the escrow's data commitment.
    const zk = opts.zkData === undefined ? {} : { tier: TIER.zk, circuitId: PROOF.stepCircuitId, dataCommitment: opts.zkData, challengeCommitment: challengeCommitment(randomBytes(32)) }
    const { spec, datasetBytes } = opts.zkData === undefined ? jobSpec(generateSpirals(), { epochs: 2 }) : jobSpec(loadDatasetById('mnist-4x4'), { epochs: 1, tier: 'zk' })
    const jobId = Uint8Array.from(randomBytes(32))
    const nonce = escrowNonce(jobId)
    const escrow = escrowPda(CYXWIZ_PROGRAM_ID, payer.keypair.publicKey, nonce).address
    const amount = opts.escrowAmount ?? 1n * T
    if (opts.create !== false) {
      await sendTransaction(world.connection, [createEscrow({ client: payer.keypair.publicKey, clientToken: tokenAccount(payer.keypair.publicKey, world.mint), mint: world.mint, worker }, {
        nonce, jobId, amount, specHash: wire.specHash(spec), estimatedSeconds: 60n, timeoutSecs: BigInt(ESCROW.timeoutSeconds), epochsTotal: checkpointCount(spec), ...zk
      })], [payer.keypair])
    }
    const award: wire.Award = {
      jobId, worker: Uint8Array.from((opts.awardWorker ?? worker).toBytes()), escrow: Uint8Array.from(escrow.toBytes()), amount: opts.awardAmount ?? amount,
      specHash: Uint8Array.from(wire.specHash(spec)), spec, issuedAt: BigInt(payer.node.clock())
    }
    return { signed: wire.signMessage(wire.Kind.AWARD, award, payer.node.wallet), award, datasetBytes }
  }

  describe('the worker checks the escrow on-chain before anything else', () => {
    const refusedWith = async (signed: Uint8Array, datasetBytes: Uint8Array, why: RegExp): Promise<void> => {
      await assert.rejects(runJobSession(clientPeer.node, cheap.node.peerId, { signedAward: signed, dataset: datasetBytes }),
        (e: unknown) => e instanceof JobRefusedError && e.code === wire.ErrorCode.ESCROW_INVALID && why.test(e.message))
    }

    it('refuses an award whose escrow does not exist', async () => {
      const { signed, award, datasetBytes } = await escrowedAward(clientPeer, cheap.wallet, { create: false })
      await refusedWith(signed, datasetBytes, /no escrow account/)
      assert.equal(await cheap.jobs.get(toHex(award.jobId)), undefined)
    })

    it('refuses an under-funded escrow (it holds less than the award says)', async () => {
      const { signed, award, datasetBytes } = await escrowedAward(clientPeer, cheap.wallet, { escrowAmount: 1n * T, awardAmount: 2n * T })
      await refusedWith(signed, datasetBytes, /holds 1000000000, the award says 2000000000/)
      assert.equal(await cheap.jobs.get(toHex(award.jobId)), undefined)
    })

    it('refuses an escrow that names another worker', async () => {
      const { signed, award, datasetBytes } = await escrowedAward(clientPeer, workers[0]!.wallet, { awardWorker: cheap.wallet })
      await refusedWith(signed, datasetBytes, /names another worker/)
      assert.equal(await cheap.jobs.get(toHex(award.jobId)), undefined)
      const log = rejected.get(cheap.node.peerId.toString())!
      assert.ok(log.filter((r) => r.error instanceof JobRefusal).length >= 3)
      // A refused award is not misbehaviour: the client's score is untouched.
      assert.equal(cheap.node.misbehaviour.score(clientPeer.node.peerId.toString()), 0)
    })

    it('refuses a zk escrow that commits to other training data than the spec\'s dataset', async () => {
      const honest = zkDataCommitment(loadDatasetById('mnist-4x4'))
      const other = Uint8Array.from(honest)
      other[31] = (other[31] as number) ^ 1
      const { signed, award, datasetBytes } = await escrowedAward(clientPeer, cheap.wallet, { zkData: other })
      await refusedWith(signed, datasetBytes, /commits to other training data/)
      assert.equal(await cheap.jobs.get(toHex(award.jobId)), undefined)
    })
  })

  describe('hostile frames are refused with typed errors', () => {
    let attacker: PeerNode
    before(async () => { attacker = await createPeerNode({ listen: ['/ip4/127.0.0.1/tcp/0'] }) })
    after(async () => { await attacker?.stop() })

    const lastRejection = (): Error => rejected.get(cheap.node.peerId.toString())!.at(-1)!.error

    it('keeps the session alive while the dataset has not arrived: heartbeats from the acceptance on', async function () {
      // A large dataset on a slow link (31 MB at 15 Mbit/s: test/e2e/net/netem-job.test.ts) takes
      // longer than the client's idle timeout; the worker's heartbeats must cover it.
      this.timeout(2 * JOB_IDLE_TIMEOUT_MS)
      const { signed } = await escrowedAward(clientPeer, cheap.wallet)
      const ch = new JobChannel(await clientPeer.node.libp2p.dialProtocol(cheap.node.peerId, MESH.jobProtocol))
      await ch.send({ award: wire.Signed.decode(signed) })
      const accepted = await ch.receive(AbortSignal.timeout(10_000))
      assert.equal(accepted.metrics?.epoch, 0)
      // Not one dataset byte sent: within the client's idle timeout the worker speaks again.
      const heartbeat = await ch.receive(AbortSignal.timeout(JOB_IDLE_TIMEOUT_MS))
      assert.equal(heartbeat.metrics?.epoch, 0, `a heartbeat, not ${JSON.stringify(Object.keys(heartbeat))}`)
      ch.stream.abort(new Error('done'))
    })

    it('answers a dataset that is not the one the spec names with DATA_HASH_MISMATCH and fails the job', async () => {
      const { signed, award } = await escrowedAward(clientPeer, cheap.wallet)
      const ch = new JobChannel(await clientPeer.node.libp2p.dialProtocol(cheap.node.peerId, MESH.jobProtocol))
      await ch.send({ award: wire.Signed.decode(signed) })
      const accepted = await ch.receive(AbortSignal.timeout(10_000))
      assert.equal(accepted.metrics?.epoch, 0)
      const data = Uint8Array.from(randomBytes(1024))
      // Whole and self-consistent (its end marker names its own hash), but not the dataset the spec names.
      await ch.send({ dataChunk: { index: 0, data } })
      await ch.send({ dataEnd: { chunks: 1, totalBytes: BigInt(data.byteLength), sha256: Uint8Array.from(wire.sha256(data)) } })
      const answer = await ch.receive(AbortSignal.timeout(10_000))
      assert.equal(answer.error?.code, wire.ErrorCode.DATA_HASH_MISMATCH)
      const e = lastRejection()
      assert.ok(wire.isWireError(e) && e.code === 'HASH_MISMATCH', String(e))
      assert.ok(cheap.node.misbehaviour.score(clientPeer.node.peerId.toString()) < 0)
      // The worker records the job as failed once its session has ended.
      let state: string | undefined
      const end = Date.now() + 5_000
      while (state !== 'failed' && Date.now() < end) {
        state = (await cheap.jobs.get(toHex(award.jobId)))?.state
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      assert.equal(state, 'failed')
      ch.stream.abort(new Error('done'))
    })

    it('resets a stream of random bytes and an oversized frame, lowering the sender\'s score', async () => {
      const before = rejected.get(cheap.node.peerId.toString())!.length
      // Random bytes in a frame: not a JobMessage.
      const s1 = await attacker.libp2p.dialProtocol(cheap.node.multiaddrs(), MESH.jobProtocol)
      const lp1 = lpStream(s1, { maxDataLength: MESH.maxJobFrameBytes * 4 })
      const junk = Uint8Array.from(randomBytes(300))
      junk[0] = 0xff // an unterminated varint tag: never a valid protobuf, whatever follows
      await lp1.write(junk)
      await until(() => rejected.get(cheap.node.peerId.toString())!.length > before, 5_000, 'the junk refusal')
      const e1 = lastRejection()
      assert.ok(wire.isWireError(e1) && e1.code === 'MALFORMED', String(e1))
      // A frame over MESH.maxJobFrameBytes is refused before it is read.
      const s2 = await attacker.libp2p.dialProtocol(cheap.node.multiaddrs(), MESH.jobProtocol)
      const lp2 = lpStream(s2, { maxDataLength: MESH.maxJobFrameBytes * 4 })
      await lp2.write(new Uint8Array(MESH.maxJobFrameBytes + 1)).catch((err: unknown) => { log('the oversized write failed, as it may: %e', err) })
      await until(() => rejected.get(cheap.node.peerId.toString())!.length > before + 1, 5_000, 'the oversize refusal')
      const e2 = lastRejection()
      assert.ok(wire.isWireError(e2) && e2.code === 'TOO_LARGE', String(e2))
      await until(() => s1.status !== 'open' && s2.status !== 'open', 5_000, 'both streams reset')
      assert.equal(cheap.node.misbehaviour.score(attacker.peerId.toString()), -50)
    })
  })

  describe('an auction, a job and its payment', () => {
    it('awards the best-scored bid, trains, delivers, spot-checks and pays 90/10 exactly', async () => {
      const clientBefore = await world.balance(client.wallet)
      const workerBefore = await world.balance(cheap.wallet)
      const platformBefore = await world.platformBalance()
      const events: ClientJobEvent[] = []
      const started = Date.now()
      const outcome = await client.submit({ datasetId: 'spirals', epochs: 3, maxPrice: 5n * T, estimatedSeconds: 60, bidWindowMs: 1_500, onProgress: (e) => { events.push(e) } })
      const elapsed = Date.now() - started

      // The auction: three bids (2, 1, 5 tokens), the cheapest of equals wins.
      assert.deepEqual(outcome.ranking.ranked.map((s) => s.bid.price), [1n * T, 2n * T, 5n * T])
      assert.equal(outcome.winner.peer, cheap.node.peerId.toString())
      assert.equal(outcome.winner.price, 1n * T)
      assert.deepEqual(bidRejections, [])

      // The job: live progress, three checkpoints, weights hash-checked, spot checks passed.
      assert.equal(outcome.state, 'completed')
      const metrics = events.flatMap((e) => e.type === 'metrics' ? [e.metrics] : [])
      assert.deepEqual(metrics.filter((m) => m.epoch > 0).map((m) => m.epoch), [1, 2, 3])
      assert.equal(events.filter((e) => e.type === 'checkpoint').length, 3)
      assert.equal(toHex(wire.sha256(outcome.session.weights)), toHex(outcome.session.delivery.weightsHash))
      // The weights' leg, timed by the client as they arrived (reported, for the transfer figures).
      const leg = events.find((e) => e.type === 'weights')
      assert.ok(leg?.type === 'weights' && leg.bytes === outcome.session.weights.byteLength && leg.ms >= 0, JSON.stringify(leg))
      assert.equal(outcome.spotCheck?.passed, true, outcome.spotCheck?.reasons.join('; '))
      assert.equal(outcome.spotCheck?.segments.length, 2)
      assert.ok(metrics.at(-1)!.testAccuracy > 0.5, `test accuracy ${metrics.at(-1)!.testAccuracy}`)

      // The evidence came from the winner over bitswap: the client's own blockstore holds it now,
      // and nobody handed it a store.
      const fetched = events.find((e) => e.type === 'evidence')
      assert.ok(fetched !== undefined && fetched.type === 'evidence' && fetched.blocks > 3 && fetched.cid === outcome.session.delivery.evidenceCid)
      const { CID } = await import('multiformats/cid')
      assert.equal(await clientPeer.node.helia.blockstore.has(CID.parse(outcome.session.delivery.evidenceCid)), true)
      for (const w of workers.filter((x) => x !== cheap)) assert.equal(await w.node.helia.blockstore.has(CID.parse(outcome.session.delivery.evidenceCid)), false)

      // The payment, to the base unit: 90 % to the worker, 10 % to the platform.
      const escrow = decodeEscrow((await world.connection.getAccountInfo(new PublicKey(outcome.escrow)))!.data)
      assert.equal(escrow.state, ESCROW_STATE.completed)
      assert.equal(toHex(escrow.finalWeightsHash), toHex(outcome.session.delivery.weightsHash))
      assert.equal(await world.balance(client.wallet), clientBefore - 1_000_000_000n)
      assert.equal(await world.balance(cheap.wallet), workerBefore + 900_000_000n)
      assert.equal(await world.platformBalance(), platformBefore + 100_000_000n)

      // Both sides' state machines ended where they should, in their databases.
      assert.equal((await client.jobs.get(outcome.jobId))?.state, 'completed')
      // The worker delivered; it settles in the background (it sees the client's complete at its next poll).
      assert.ok(['delivered', 'settled'].includes((await cheap.jobs.get(outcome.jobId))?.state ?? ''))
      for (const w of workers.filter((x) => x !== cheap)) assert.equal(await w.jobs.get(outcome.jobId), undefined)
      console.log(`      job ${outcome.jobId.slice(0, 12)}… announce → paid in ${elapsed} ms (bid window 1500 ms)`)
    })
  })
})
