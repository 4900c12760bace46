/**
 * The client role: submits a job and sees it through. Finds workers (DHT), announces the signed job
 * (gossipsub), collects bids for the window, ranks them by policy with each bidder's stake and
 * reputation read from the chain, escrows the winning price on-chain naming the winner, runs the
 * job protocol (award, dataset, live progress, weights checked against their hash), spot-checks
 * the evidence by re-execution and signs `complete`. Each step is a persisted state (`JobBook`).
 */
import { logger } from '@libp2p/logger'
import { randomBytes } from 'node:crypto'
import type { PeerId } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { PublicKey, type Connection, type Keypair } from '@solana/web3.js'
import { CYXWIZ_PROGRAM_ID, ESCROW_STATE, TIER, challengeCommitment, complete, createEscrow, escrowPda, openDispute } from '../../chain/index.js'
import { connectCandidates, matchViaCoordinator, type FallbackCause } from '../match/index.js'
import { ESCROW, MESH, PRICING, PROOF, wire } from '../../protocols/index.js'
import { CID } from 'multiformats/cid'
import { create as createDigest } from 'multiformats/hashes/digest'
import { peerIdFromString } from '@libp2p/peer-id'

const RAW_CODEC = 0x55
const SHA2_256 = 0x12
import { evidenceBlocks, type PeerStore } from '../../storage/index.js'
import { JobRefusedError, runJobSession, type JobSessionResult } from '../job/index.js'
import { announceJob, findWorkers, getAdvert, reachHolder, startBidCollector, type BidCollector, type PeerNode, type ReceivedBid } from '../node/index.js'
import { rankBids, type BidRanking, type CandidateBid } from '../policy/index.js'
import { evaluateModelFile, isClientModelData, loadDatasetById, prepareClientModelJob, trainingFlops, type ClientModelRequest, type TrainingData } from '../train/index.js'
import { trainingInputsOf } from '../evidence/index.js'
import { trainedModelBytes } from './client-model.js'
import { escrowNonce, nodeIsActive, readConfig, readNode, sendTransaction, tokenAccount, walletKeypair } from './chain.js'
import { JobBook, type ClientJobState } from './jobs.js'
import { checkpointCount, jobSpec, specTier, zkDataCommitment, type SpecRequest } from './spec.js'
import { anchoredCheckpoints, readEscrowAccount, revealChallengeAfterAnchor } from './settlement.js'
import { spotCheck, type SpotCheckReport } from './training.js'

const log = logger('cyx:client')

const { Kind, Priority, signMessage } = wire
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

export interface ClientOptions {
  readonly node: PeerNode
  readonly connection: Connection
  /** Where job records persist; in memory without it. */
  readonly store?: PeerStore
  /** How long fetching the winner's evidence over bitswap may take (default 60 s). Evidence not
   * fetched in time (or invalid) is a failed check: the job ends `rejected`, unpaid. */
  readonly evidenceTimeoutMs?: number
  /**
   * How long the client keeps trying to resume a job session that went away (the worker restarted,
   * the connection dropped) before giving up, ms (default 120 s). Each retry re-signs the same
   * award; the worker resumes from its last stored checkpoint.
   */
  readonly resumeWindowMs?: number
  /** Segments re-executed per job (default `PROOF.defaultSpotChecks`). */
  readonly spotChecks?: number
  /** Every bid stream the collector refused (typed: WireError, BidRefusedError). */
  readonly onBidRejected?: (peer: PeerId, error: Error) => void
  /**
   * After the spot check (optimistic tier): 'complete' signs `complete` at once if it passed
   * (default: an early release); 'window' lets the on-chain challenge window run — the worker claims
   * its payment after it, undisputed (`submit` returns `verified`); 'dispute' opens a dispute citing
   * the evidence CID, whatever the check found; 'none' leaves the escrow. A failed check never
   * pays: on an optimistic job it opens a dispute (unless 'none') before the window can close.
   * zk tier: 'complete' and 'window' both wait for the worker's proof to be verified on-chain.
   */
  readonly settle?: 'complete' | 'window' | 'dispute' | 'none'
  /** zk tier: how long to wait for the worker's `complete_zk` after delivery, ms (default 300 s). */
  readonly proofTimeoutMs?: number
  /**
   * An optional coordinator: before announcing, the client asks it for candidates
   * (`matchViaCoordinator`, which checks every advert and every stake itself), dials them and
   * announces to them, skipping the DHT search. Whatever goes wrong with it (unreachable, slow,
   * lying, no candidate) is reported as a `coordinator` fallback event and the job goes on through
   * the DHT and gossipsub exactly as without one.
   */
  readonly coordinator?: Multiaddr
  /** How long the coordinator has for a checked answer, ms (default 2000). */
  readonly coordinatorTimeoutMs?: number
}

export interface JobRequest extends SpecRequest {
  /** A built-in dataset (spirals, mnist, mnist-4x4); ignored when `clientModel` is given. */
  readonly datasetId: string
  /**
   * Bring your own model: the client's ONNX file and dataset with a training recipe. Checked before
   * anything is announced or escrowed (prepareClientModelJob); stored in this peer's Helia, from which
   * the worker fetches them by CID. Optimistic tier only.
   */
  readonly clientModel?: ClientModelRequest
  readonly maxPrice: bigint
  /** The client's estimate of the training time, seconds (prices and the escrow use it). */
  readonly estimatedSeconds?: number
  readonly priority?: wire.Priority
  readonly capability?: string
  readonly bidWindowMs?: number
  readonly onProgress?: (e: ClientJobEvent) => void
  readonly signal?: AbortSignal
}

export type ClientJobEvent =
  | { readonly type: 'state', readonly state: ClientJobState, readonly jobId: string }
  | { readonly type: 'workers', readonly found: number }
  /** What the coordinator (when configured) gave: candidates to announce to, or why it was not used. */
  | { readonly type: 'coordinator', readonly result: 'matched', readonly candidates: number, readonly connected: number, readonly elapsedMs: number }
  | { readonly type: 'coordinator', readonly result: 'fallback', readonly cause: FallbackCause, readonly reason: string, readonly elapsedMs: number }
  | { readonly type: 'bid', readonly from: string, readonly price: bigint, readonly etaSeconds: number }
  | { readonly type: 'award', readonly worker: string, readonly price: bigint, readonly escrow: string }
  | { readonly type: 'metrics', readonly metrics: wire.Metrics }
  | { readonly type: 'checkpoint', readonly checkpoint: wire.CheckpointNotice }
  | { readonly type: 'spot-check', readonly report: SpotCheckReport }
  /** The session went away; the client retries it (attempt 2, 3, …). */
  | { readonly type: 'reconnecting', readonly attempt: number, readonly error: string }
  | { readonly type: 'evidence', readonly cid: string, readonly blocks: number, readonly bytes: number }
  /** The escrow's anchored Poseidon root (and, optimistic, its on-chain delivery) checked against the evidence. */
  | { readonly type: 'anchored-root', readonly ok: boolean, readonly root: string, readonly reason?: string }
  /** zk tier: the escrow ended — `completed` when the program verified the worker's step proof. */
  | { readonly type: 'zk', readonly verifiedOnChain: boolean, readonly challengeStep: number, readonly escrowState: number }

export interface JobOutcome {
  readonly jobId: string
  readonly state: ClientJobState
  readonly spec: wire.TrainingSpec
  readonly ranking: BidRanking
  readonly winner: { readonly peer: string, readonly wallet: string, readonly price: bigint, readonly etaSeconds: number }
  readonly escrow: string
  readonly session: JobSessionResult
  readonly spotCheck: SpotCheckReport | undefined
  readonly completeSignature: string | undefined
  /** `open_dispute`'s signature when the client disputed (`settle: 'dispute'`). */
  readonly disputeSignature?: string
  readonly tier: 'optimistic' | 'zk'
  /** zk tier: what the program did with the worker's proof of the challenged step. */
  readonly zk?: { readonly verifiedOnChain: boolean, readonly challengeStep: number, readonly escrowState: number }
  /**
   * A client-model job that passed its checks: the client's own ONNX file with the trained weights,
   * and what this client measured running it with onnxruntime on its test split.
   */
  readonly trainedModel?: { readonly bytes: Uint8Array, readonly testAccuracy?: number, readonly testLoss?: number, readonly testRows: number }
}

/**
 * The client's estimate of a client-model job's duration from its compute: FLOPs over
 * PRICING.referenceFlopsPerSecond (a conservative one-core rate), at least a minute. The escrow's
 * timeout and the bids' prices follow from it.
 */
function estimateSeconds (flops: number): number {
  return Math.max(60, Math.ceil(flops / PRICING.referenceFlopsPerSecond))
}

/** What the rest of a job needs once its escrow exists (from `submit`, or from the record on `resume`). */
interface JobContext {
  readonly jobId: string
  readonly jobIdBytes: Uint8Array
  readonly spec: wire.TrainingSpec
  readonly dataset: TrainingData
  readonly datasetBytes: Uint8Array
  readonly tier: 'optimistic' | 'zk'
  readonly escrow: PublicKey
  readonly worker: PeerId
  readonly winner: JobOutcome['winner']
  readonly ranking: BidRanking
}

/** The CID a delivered weights blob is kept under in the client's blockstore: raw, its SHA-256. */
function weightsCid (weightsHash: Uint8Array): CID {
  return CID.createV1(RAW_CODEC, createDigest(SHA2_256, weightsHash))
}

async function concatChunks (chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const c of chunks) parts.push(c)
  return new Uint8Array(Buffer.concat(parts))
}

export class NoEligibleBidError extends Error {
  readonly ranking: BidRanking
  constructor (ranking: BidRanking) {
    super(`no eligible bid (${ranking.rejected.length} refused: ${ranking.rejected.map((r) => r.reason).join(', ') || 'none arrived'})`)
    this.name = 'NoEligibleBidError'
    this.ranking = ranking
  }
}

export class Client {
  readonly node: PeerNode
  readonly jobs: JobBook<ClientJobState>
  readonly #o: ClientOptions
  readonly #keypair: Keypair
  readonly #collector: BidCollector

  private constructor (o: ClientOptions, keypair: Keypair, collector: BidCollector) {
    this.node = o.node
    this.#o = o
    this.#keypair = keypair
    this.#collector = collector
    this.jobs = JobBook.client(o.store)
  }

  static async start (o: ClientOptions): Promise<Client> {
    const keypair = await walletKeypair(o.node)
    return new Client(o, keypair, await startBidCollector(o.node, o.onBidRejected === undefined ? {} : { onRejected: o.onBidRejected }))
  }

  get wallet (): PublicKey {
    return this.#keypair.publicKey
  }

  async stop (): Promise<void> {
    await this.#collector.stop()
  }

  /** Runs a job from announcement to payment (or to the first failure, which it throws). */
  async submit (r: JobRequest): Promise<JobOutcome> {
    const { node, connection } = this.#o
    const emit = (e: ClientJobEvent): void => {
      try { r.onProgress?.(e) } catch { /* an observer's failure is not the job's */ }
    }
    // Everything the client brings is checked here, before anything is announced or escrowed.
    const prepared = r.clientModel === undefined ? undefined : await prepareClientModelJob(r.clientModel, node.helia.blockstore)
    const builtIn = prepared === undefined ? loadDatasetById(r.datasetId) : undefined
    const dataset: TrainingData = prepared?.data ?? builtIn!
    const { spec, datasetBytes } = prepared !== undefined ? { spec: prepared.spec, datasetBytes: new Uint8Array(0) } : jobSpec(builtIn!, r)
    const tier = specTier(spec)
    const specHash = wire.specHash(spec)
    const jobIdBytes = Uint8Array.from(randomBytes(32))
    const jobId = hex(jobIdBytes)
    const estimatedSeconds = r.estimatedSeconds ?? (prepared === undefined ? 60 : estimateSeconds(trainingFlops(prepared.report, prepared.dataset.train.count, spec.epochs)))
    const windowMs = r.bidWindowMs ?? MESH.bidWindowSeconds * 1000
    const step = async (state: ClientJobState, facts: Record<string, string> = {}): Promise<void> => {
      await this.jobs.transition(jobId, state, facts)
      emit({ type: 'state', state, jobId })
    }
    await this.jobs.open(jobId, 'announced', { specHash: hex(specHash), maxPrice: String(r.maxPrice) })
    emit({ type: 'state', state: 'announced', jobId })
    try {
      // 1. Who is out there: a coordinator's checked candidates, or the DHT. The announcement waits
      // until as many peers subscribe as were found.
      const makeAnnounce = (): wire.JobAnnounce => {
        const now = node.clock()
        return {
          jobId: jobIdBytes,
          specHash: Uint8Array.from(specHash),
          spec,
          maxPrice: r.maxPrice,
          estimatedSeconds,
          priority: r.priority ?? Priority.PRIORITY_NORMAL,
          clientPeerId: Uint8Array.from(node.peerId.toMultihash().bytes),
          clientAddrs: node.multiaddrs().slice(0, 16).map((a) => Uint8Array.from(a.bytes)),
          issuedAt: BigInt(now),
          bidDeadline: BigInt(now + Math.max(1, Math.ceil(windowMs / 1000)))
        }
      }
      let expected: number | undefined
      if (this.#o.coordinator !== undefined) {
        const capability = r.capability ?? 'cpu'
        const m = await matchViaCoordinator(node, this.#o.coordinator, makeAnnounce(), { connection, capability, timeoutMs: this.#o.coordinatorTimeoutMs ?? 2_000 })
        if (m.ok) {
          const connected = await connectCandidates(node, m.candidates, { timeoutMs: 2_000 })
          if (connected > 0) {
            expected = connected
            emit({ type: 'coordinator', result: 'matched', candidates: m.candidates.length, connected, elapsedMs: m.elapsedMs })
          } else {
            emit({ type: 'coordinator', result: 'fallback', cause: 'unreachable', reason: `fallback: unreachable: none of the ${m.candidates.length} candidates could be dialled`, elapsedMs: m.elapsedMs })
          }
        } else {
          emit({ type: 'coordinator', result: 'fallback', cause: m.cause, reason: m.reason, elapsedMs: m.elapsedMs })
        }
      }
      if (expected === undefined) {
        const found = await findWorkers(node, r.capability ?? 'cpu', { signal: AbortSignal.timeout(5_000) }).catch(() => [])
        emit({ type: 'workers', found: found.length })
        expected = found.length
      }

      // 2. Announce and collect bids for the window.
      const round = this.#collector.open(jobIdBytes, windowMs)
      round.onBid((b) => { emit({ type: 'bid', from: b.from.toString(), price: b.message.price, etaSeconds: b.message.etaSeconds }) })
      const announce = makeAnnounce()
      const signedAnnounce = signMessage(Kind.JOB_ANNOUNCE, announce, node.wallet)
      // Half the window at most for the wait: the settle-for-one retry below must still publish
      // before the announce's bid deadline (whole seconds) makes it stale.
      const announceOptions = { waitMs: Math.min(5_000, Math.floor(windowMs / 2)), reannounceEveryMs: 500 }
      let announcement
      try {
        // Wait for every worker found to subscribe (a publish reaches only known subscribers); a
        // worker that never does is not worth failing the job for: then settle for one.
        announcement = await announceJob(node, signedAnnounce, { ...announceOptions, minSubscribers: Math.max(1, expected) })
          // Re-signed: the wait may have outlived the first one's whole-second bid deadline.
          .catch(async () => await announceJob(node, signMessage(Kind.JOB_ANNOUNCE, makeAnnounce(), node.wallet), { ...announceOptions, minSubscribers: 1 }))
      } catch (e) {
        round.close()
        throw e
      }
      const bids = await round.closed
      announcement.stop()

      // 3. Rank with facts from the chain, never the bids' claims.
      const ranking = rankBids(await Promise.all(bids.map(async (b) => await this.#candidate(b))), r.maxPrice)
      const best = ranking.ranked[0]
      if (best === undefined) throw new NoEligibleBidError(ranking)
      const winning = bids.find((b) => b.from.toString() === best.bid.bidder)!
      const workerWallet = new PublicKey(winning.signer)
      // zk: the secret whose SHA-256 the escrow carries, revealed after the final anchor to draw the
      // challenge; recorded before the escrow exists, so a restarted client can still reveal it.
      const challengeSecret = tier === 'zk' ? Uint8Array.from(randomBytes(32)) : undefined
      await step('awarded', {
        worker: best.bid.bidder, workerWallet: workerWallet.toBase58(), price: String(best.bid.price), ...(challengeSecret === undefined ? {} : { challengeSecret: hex(challengeSecret) })
      })

      // 4. Escrow the price on-chain, naming the winner.
      const config = await readConfig(connection)
      const nonce = escrowNonce(jobIdBytes)
      const escrow = escrowPda(CYXWIZ_PROGRAM_ID, this.#keypair.publicKey, nonce).address
      await sendTransaction(connection, [createEscrow({ client: this.#keypair.publicKey, clientToken: tokenAccount(this.#keypair.publicKey, config.mint), mint: config.mint, worker: workerWallet }, {
        nonce,
        jobId: jobIdBytes,
        amount: best.bid.price,
        specHash,
        estimatedSeconds: BigInt(estimatedSeconds),
        timeoutSecs: BigInt(ESCROW.timeoutSeconds),
        // The anchored root's leaves: one per checkpoint the run seals.
        epochsTotal: checkpointCount(spec),
        tier: tier === 'zk' ? TIER.zk : TIER.optimistic,
        circuitId: tier === 'zk' ? PROOF.stepCircuitId : 0,
        // zk: the step proofs' private batches are bound to this commitment (the public input `data`).
        ...(tier === 'zk' && builtIn !== undefined ? { dataCommitment: zkDataCommitment(builtIn) } : {}),
        ...(challengeSecret === undefined ? {} : { challengeCommitment: challengeCommitment(challengeSecret) })
      })], [this.#keypair])
      const winner = { peer: best.bid.bidder, wallet: workerWallet.toBase58(), price: best.bid.price, etaSeconds: best.bid.etaSeconds }
      // Everything a restarted client needs to see the job through (`resume`).
      await step('escrowed', {
        escrow: escrow.toBase58(), tier, datasetId: dataset.id, spec: hex(wire.TrainingSpec.encode(spec)), etaSeconds: String(best.bid.etaSeconds)
      })
      emit({ type: 'award', worker: best.bid.bidder, price: best.bid.price, escrow: escrow.toBase58() })
      return await this.#continue({ jobId, jobIdBytes, spec, dataset, datasetBytes, tier, escrow, worker: winning.from, winner, ranking }, 'escrowed', emit, r.signal)
    } catch (e) {
      await this.#fail(jobId, e, emit, r.signal)
      throw e
    }
  }

  /**
   * Sees a job through after a restart of this client: from its persisted record (escrowed,
   * running, delivered or verified), the session is resumed with the same award (the worker
   * resumes from its last checkpoint, or answers from its record), the delivered work is checked
   * and the job settled exactly as `submit` would have. The record must be this client's.
   */
  async resume (jobId: string, o: { onProgress?: (e: ClientJobEvent) => void, signal?: AbortSignal } = {}): Promise<JobOutcome> {
    const emit = (e: ClientJobEvent): void => {
      try { o.onProgress?.(e) } catch { /* an observer's failure is not the job's */ }
    }
    const rec = await this.jobs.get(jobId)
    if (rec === undefined) throw new Error(`no job ${jobId} in this client's records`)
    const from = rec.state
    if (from !== 'escrowed' && from !== 'running' && from !== 'delivered' && from !== 'verified') throw new Error(`job ${jobId} is ${from}: only an escrowed, running, delivered or verified job can be resumed`)
    const f = rec.facts
    if (f.spec === undefined || f.escrow === undefined || f.worker === undefined || f.workerWallet === undefined || f.price === undefined || f.datasetId === undefined) {
      throw new Error(`job ${jobId} was recorded by an older client without what a resume needs`)
    }
    try {
      const spec = wire.TrainingSpec.decode(Buffer.from(f.spec, 'hex'))
      wire.validateTrainingSpec(spec)
      if (hex(wire.specHash(spec)) !== f.specHash) throw new Error(`job ${jobId}: the recorded spec does not hash to the recorded spec hash`)
      // A client model's inputs are in this peer's blockstore since submit (named by CID in the spec).
      const dataset: TrainingData = await trainingInputsOf(this.#o.node.helia, spec, { offline: true })
      const datasetBytes = isClientModelData(dataset) ? new Uint8Array(0) : jobSpec(dataset, { epochs: spec.epochs }).datasetBytes
      const winner = { peer: f.worker, wallet: f.workerWallet, price: BigInt(f.price), etaSeconds: Number(f.etaSeconds ?? 0) }
      emit({ type: 'state', state: from, jobId })
      return await this.#continue({
        jobId, jobIdBytes: new Uint8Array(Buffer.from(jobId, 'hex')), spec, dataset, datasetBytes, tier: specTier(spec), escrow: new PublicKey(f.escrow),
        worker: peerIdFromString(f.worker), winner, ranking: { ranked: [], rejected: [] }
      }, from, emit, o.signal)
    } catch (e) {
      await this.#fail(jobId, e, emit, o.signal)
      throw e
    }
  }

  async #fail (jobId: string, e: unknown, emit: (e: ClientJobEvent) => void, signal: AbortSignal | undefined): Promise<void> {
    // A stopped client (Ctrl-C, its signal) leaves the job where it was, to be resumed.
    if (signal?.aborted === true) return
    const msg = e instanceof Error ? e.message : String(e)
    await this.jobs.transition(jobId, 'failed', {}, msg.slice(0, 500)).catch((err: unknown) => { log.error('could not record job %s as failed: %s', jobId, err instanceof Error ? err.message : err) })
    emit({ type: 'state', state: 'failed', jobId })
  }

  /** The job from `from` on: the session, the checks of the delivered work, the settlement. */
  async #continue (j: JobContext, from: 'escrowed' | 'running' | 'delivered' | 'verified', emit: (e: ClientJobEvent) => void, signal: AbortSignal | undefined): Promise<JobOutcome> {
    const { node, connection } = this.#o
    const { jobId, spec, dataset, tier, escrow } = j
    const step = async (state: ClientJobState, facts: Record<string, string> = {}): Promise<void> => {
      await this.jobs.transition(jobId, state, facts)
      emit({ type: 'state', state, jobId })
    }
    const config = await readConfig(connection)
    const workerWallet = new PublicKey(j.winner.wallet)

    // 5. The job protocol: award, dataset, progress, weights (hash-checked by the session).
    let session: JobSessionResult
    if (from === 'escrowed' || from === 'running') {
      const award: wire.Award = {
        jobId: Uint8Array.from(j.jobIdBytes), worker: Uint8Array.from(workerWallet.toBytes()), escrow: Uint8Array.from(escrow.toBytes()), amount: j.winner.price, specHash: Uint8Array.from(wire.specHash(spec)), spec, issuedAt: BigInt(node.clock())
      }
      if (from === 'escrowed') await step('running')
      session = await this.#session(j.worker, award, j.datasetBytes, jobId, emit, signal)
      // The weights are kept in this peer's blockstore, named by their hash: a restart keeps them.
      await node.helia.blockstore.put(weightsCid(session.delivery.weightsHash), session.weights)
      const d = session.delivery
      await step('delivered', {
        weightsHash: hex(d.weightsHash), evidenceCid: d.evidenceCid, merkleRoot: hex(d.merkleRoot), finalChainHash: hex(d.finalChainHash), checkpoints: String(d.epochs), weightsBytes: String(d.weightsBytes)
      })
    } else {
      session = await this.#recordedSession(jobId)
    }
    // zk: the worker anchored its final root before delivering; the challenge is drawn from this
    // client's secret, revealed now (before the longer checks), so the worker can prove at once.
    if (tier === 'zk') await this.#revealChallenge(jobId, escrow)

    const base = { jobId, spec, ranking: j.ranking, winner: j.winner, escrow: escrow.toBase58(), session, tier }
    let report: SpotCheckReport | undefined
    let disputed: Record<string, string> = {}
    const settle = this.#o.settle ?? 'complete'
    if (from !== 'verified') {
      // 6. Fetch the evidence from the winner over bitswap, spot-check it, then settle.
      // The challenge mixes the worker's final chain head with randomness the worker never saw.
      const seed = wire.sha256(Buffer.concat([session.delivery.finalChainHash, randomBytes(32)]))
      const fetched = await this.#fetchEvidence(session.delivery, j.worker, signal)
      // Stopped (Ctrl-C) while fetching: not a failed fetch to dispute; the job stays delivered.
      signal?.throwIfAborted()
      if (fetched.ok) emit({ type: 'evidence', cid: session.delivery.evidenceCid, blocks: fetched.blocks, bytes: fetched.bytes })
      report = fetched.ok
        ? await spotCheck(node.helia, session.delivery, spec, dataset, this.#o.spotChecks ?? PROOF.defaultSpotChecks, seed)
        : { passed: false, verdict: 'failed', segments: [], reasons: [`the evidence could not be fetched: ${fetched.error}`] }
      if (fetched.ok) {
        // What the chain holds must be this evidence: the anchored root over its checkpoint
        // commitments and, optimistic tier, the delivered weights hash.
        const anchored = await this.#checkAnchoredRoot(escrow, session.delivery, tier)
        emit({ type: 'anchored-root', ...anchored })
        if (!anchored.ok) report = { ...report, passed: false, verdict: 'failed', reasons: [...report.reasons, anchored.reason ?? 'the anchored root does not match'] }
      }
      signal?.throwIfAborted()
      emit({ type: 'spot-check', report })
      // A failed check on an optimistic job is disputed within the window: left alone, the worker
      // could claim the payment once the window closed. (settle 'none' leaves the escrow as it is.)
      const disputes = settle === 'dispute' || (!report.passed && tier === 'optimistic' && settle !== 'none')
      const disputeSignature = !disputes ? undefined : await sendTransaction(connection, [openDispute({ claimant: this.#keypair.publicKey, escrow, mint: config.mint }, session.delivery.evidenceCid)], [this.#keypair])
      disputed = disputeSignature === undefined ? {} : { disputeSignature }
      if (!report.passed) {
        await step('rejected', { spotCheck: report.reasons.join('; ').slice(0, 500), ...disputed })
        return { ...base, ...disputed, spotCheck: report, state: 'rejected', completeSignature: undefined }
      }
      await step('verified', { segments: report.segments.join(','), ...disputed })
    }
    // A client model: its own file with the delivered weights, measured on the client's test split.
    let trainedModel: JobOutcome['trainedModel']
    if (isClientModelData(dataset)) {
      const bytes = trainedModelBytes(spec, dataset, session.weights)
      const e = await evaluateModelFile(bytes, dataset.dataset)
      trainedModel = { bytes, testRows: e.rows, ...(e.accuracy === undefined ? {} : { testAccuracy: e.accuracy }), ...(e.loss === undefined ? {} : { testLoss: e.loss }) }
    }
    const checked = { ...base, ...disputed, spotCheck: report, ...(trainedModel === undefined ? {} : { trainedModel }) }
    if (tier === 'zk' && (settle === 'complete' || settle === 'window')) {
      // The worker is paid by its proof, verified by the program: wait for the escrow to end.
      const zk = await this.#awaitProof(escrow, signal)
      emit({ type: 'zk', ...zk })
      if (zk.verifiedOnChain) await step('completed', { challengeStep: String(zk.challengeStep) })
      else await this.jobs.transition(jobId, 'failed', {}, `the worker's proof was not verified (escrow state ${zk.escrowState})`)
      return { ...checked, state: zk.verifiedOnChain ? 'completed' : 'failed', completeSignature: undefined, zk }
    }
    if (settle !== 'complete') return { ...checked, state: 'verified', completeSignature: undefined }
    const signature = await sendTransaction(connection, [complete({
      client: this.#keypair.publicKey, escrow, worker: workerWallet, workerToken: tokenAccount(workerWallet, config.mint)
    }, session.delivery.weightsHash)], [this.#keypair])
    await step('completed', { completeSignature: signature })
    return { ...checked, state: 'completed', completeSignature: signature }
  }

  /** A delivered job's session as recorded (its weights from this peer's blockstore). */
  async #recordedSession (jobId: string): Promise<JobSessionResult> {
    const f = (await this.jobs.get(jobId))?.facts ?? {}
    const need = (k: string): string => {
      const v = f[k]
      if (v === undefined) throw new Error(`job ${jobId}: the record lacks ${k}`)
      return v
    }
    const b = (k: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(need(k), 'hex'))
    const delivery: wire.Delivery = {
      weightsHash: b('weightsHash'), weightsBytes: BigInt(need('weightsBytes')), evidenceCid: need('evidenceCid'), merkleRoot: b('merkleRoot'), epochs: Number(need('checkpoints')), finalChainHash: b('finalChainHash')
    }
    const weights = await this.#o.node.helia.blockstore.get(weightsCid(delivery.weightsHash), { offline: true } as never)
    const bytes = weights instanceof Uint8Array ? weights : await concatChunks(weights as AsyncIterable<Uint8Array>)
    if (hex(wire.sha256(bytes)) !== hex(delivery.weightsHash)) throw new Error(`job ${jobId}: the stored weights do not match their hash`)
    return { delivery, weights: bytes, metrics: [], checkpoints: [] }
  }

  /**
   * The job session with the winner, resumed while it keeps going away: a dropped stream, a
   * worker restarting (its node down, then back on the same key, perhaps on another port) or an
   * idle timeout is retried with the same award, re-signed so it is fresh, within the resume
   * window; the worker answers from its job record and resumes training from its last checkpoint.
   * A refusal (Error frame) or bad bytes from the worker end the job at once.
   */
  async #session (worker: PeerId, award: wire.Award, datasetBytes: Uint8Array, jobId: string, emit: (e: ClientJobEvent) => void, signal: AbortSignal | undefined): Promise<JobSessionResult> {
    const { node } = this.#o
    const deadline = Date.now() + (this.#o.resumeWindowMs ?? 120_000)
    const metrics: wire.Metrics[] = []
    const checkpoints: wire.CheckpointNotice[] = []
    for (let attempt = 1; ; attempt++) {
      try {
        const session = await runJobSession(node, worker, {
          signedAward: signMessage(Kind.AWARD, { ...award, issuedAt: BigInt(node.clock()) }, node.wallet),
          dataset: datasetBytes,
          onMetrics: (m) => { metrics.push(m); emit({ type: 'metrics', metrics: m }) },
          onCheckpoint: (c) => { checkpoints.push(c); emit({ type: 'checkpoint', checkpoint: c }) },
          ...(signal === undefined ? {} : { signal })
        })
        return { ...session, metrics, checkpoints }
      } catch (e) {
        const resumable = !(e instanceof JobRefusedError) && !wire.isWireError(e) && signal?.aborted !== true
        if (!resumable || Date.now() >= deadline) throw e
        const error = e instanceof Error ? e.message : String(e)
        await this.jobs.note(jobId, { attempts: String(attempt + 1) })
        emit({ type: 'reconnecting', attempt: attempt + 1, error })
        await new Promise((resolve) => setTimeout(resolve, 1_000))
        // A restarted worker may listen elsewhere: its advert in the DHT carries its addresses now.
        if (node.libp2p.getConnections(worker).length === 0) {
          const found = await getAdvert(node, worker, { signal: AbortSignal.timeout(3_000) }).catch(() => undefined)
          if (found !== undefined) {
            const addrs = found.advert.addrs.flatMap((a) => { try { return [multiaddr(a)] } catch { return [] } })
            await node.libp2p.peerStore.merge(worker, { multiaddrs: addrs }).catch((e: unknown) => { log.trace('storing the advertised addresses of the worker failed: %s', e instanceof Error ? e.message : e) })
          }
        }
      }
    }
  }

  /**
   * Pulls the whole evidence the delivery names from the worker over bitswap into this peer's
   * blockstore, each block bounded and hash-checked as it arrives (`evidenceBlocks`), within the
   * evidence timeout. The spot check then reads it locally. The worker is reached first
   * (`reachHolder`): dialled at its current addresses if not connected, and made one of the peers
   * bitswap sends its wants to.
   */
  async #fetchEvidence (delivery: wire.Delivery, worker: PeerId, signal: AbortSignal | undefined): Promise<{ ok: true, blocks: number, bytes: number } | { ok: false, error: string }> {
    const { node } = this.#o
    const timeout = AbortSignal.timeout(this.#o.evidenceTimeoutMs ?? 60_000)
    const all = signal === undefined ? timeout : AbortSignal.any([signal, timeout])
    try {
      const cid = CID.parse(delivery.evidenceCid)
      // Bitswap asks only the peers it knows to serve bitswap, not every connected peer: make sure
      // the worker is one of them (connected, and identified since it served bitswap: a worker
      // restarted mid-job was identified before it did, issue 17).
      await reachHolder(node, worker, { signal: all })
      let blocks = 0
      let bytes = 0
      for await (const b of evidenceBlocks(node.helia, cid, { signal: all })) {
        blocks++
        bytes += b.bytes.byteLength
      }
      return { ok: true, blocks, bytes }
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) }
    }
  }

  /** The escrow's anchored root against the fetched evidence (and, optimistic, the on-chain delivery). */
  async #checkAnchoredRoot (escrow: PublicKey, delivery: wire.Delivery, tier: 'optimistic' | 'zk'): Promise<{ ok: boolean, root: string, reason?: string }> {
    try {
      const cps = await anchoredCheckpoints(this.#o.node.helia, delivery.evidenceCid, tier)
      const e = await readEscrowAccount(this.#o.connection, escrow)
      const root = hex(cps.root)
      if (e.epochsDone !== e.epochsTotal || hex(e.progressRoot) !== root) return { ok: false, root, reason: 'the root anchored on-chain is not the root of the delivered evidence' }
      if (tier === 'optimistic' && (e.delivered === 0 || hex(e.finalWeightsHash) !== hex(delivery.weightsHash))) return { ok: false, root, reason: 'the delivery on-chain is not the delivered weights' }
      return { ok: true, root }
    } catch (err) {
      return { ok: false, root: '', reason: `the anchored root could not be checked: ${err instanceof Error ? err.message : String(err)}` }
    }
  }

  /**
   * zk tier: reveals the job's challenge secret (kept in its record) once the final root is anchored
   * (`reveal_challenge`). A failure is logged, not fatal: past the reveal window the worker draws by
   * the slot-hash fallback.
   */
  async #revealChallenge (jobId: string, escrow: PublicKey): Promise<void> {
    const secret = (await this.jobs.get(jobId))?.facts.challengeSecret
    if (secret === undefined) {
      log('job %s: no challenge secret recorded (an older client): the worker will draw by the fallback', jobId)
      return
    }
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        const signature = await revealChallengeAfterAnchor({ connection: this.#o.connection, keypair: this.#keypair, escrow }, Buffer.from(secret, 'hex'))
        if (signature !== undefined) await this.jobs.note(jobId, { revealSignature: signature })
        return
      } catch (e) {
        log.error('job %s: revealing the challenge failed (attempt %d): %s', jobId, attempt, e instanceof Error ? e.message : e)
        await new Promise((resolve) => setTimeout(resolve, 1_000 * attempt))
      }
    }
  }

  /** zk tier: waits until the escrow leaves `funded` (the worker's `complete_zk`, or a slash). */
  async #awaitProof (escrow: PublicKey, signal: AbortSignal | undefined): Promise<{ verifiedOnChain: boolean, challengeStep: number, escrowState: number }> {
    const deadline = Date.now() + (this.#o.proofTimeoutMs ?? 300_000)
    for (;;) {
      signal?.throwIfAborted()
      const e = await readEscrowAccount(this.#o.connection, escrow)
      if (e.state !== ESCROW_STATE.funded) return { verifiedOnChain: e.state === ESCROW_STATE.completed, challengeStep: e.challengeStep, escrowState: e.state }
      if (Date.now() > deadline) throw new Error('the worker did not prove the challenged step in time (the escrow is still funded; after its deadline `slash_invalid_proof` refunds it)')
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  }

  async #candidate (b: ReceivedBid): Promise<CandidateBid> {
    const n = await readNode(this.#o.connection, new PublicKey(b.signer)).catch(() => undefined)
    return {
      bidder: b.from.toString(),
      price: b.message.price,
      etaSeconds: b.message.etaSeconds,
      verified: n === undefined ? undefined : { stake: n.stake, reputation: n.reputation, active: nodeIsActive(n, this.#o.node.clock()) }
    }
  }
}
