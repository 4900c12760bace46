/**
 * The client role: submits a job and sees it through, one step per file (docs/protocol.md, "a job's
 * life"): discover (who is out there), auction (announce, collect bids, rank them with chain facts),
 * escrow (the winning price on-chain naming the winner), session (the job protocol: award, dataset,
 * progress, weights), checks (evidence over bitswap, spot checks, the anchored root), dispute and
 * settle. Each step takes the narrow components it uses (`components.ts` builds them from a running
 * peer); this class only orders them and persists each step as a state of the job (`JobBook`).
 */
import { logger } from '@libp2p/logger'
import { randomBytes } from 'node:crypto'
import { PublicKey, type Keypair } from '@solana/web3.js'
import { ESCROW, MESH, PRICING, PROOF, epochEstimateSeconds, epochFitsNoProgressTimeout, wire, toHex, fromHex } from '../../../protocols/index.js'
import { startBidCollector, type BidCollector, type PeerNode } from '../../node/index.js'
import { evaluateModelFile, isClientModelData, loadDatasetById, prepareClientModelJob, trainingFlops, type TrainingData } from '../../train/index.js'
import { trainingInputsOf } from '../../evidence/index.js'
import { datasetSegments } from '../../../storage/index.js'
import type { JobSessionResult } from '../../job/index.js'
import { trainedModelBytes } from '../client-model.js'
import { walletKeypair } from '../chain.js'
import { JobBook, type ClientJobState } from '../jobs.js'
import { parseJobRequest } from '../request.js'
import { jobSpec, specTier, zkDataCommitment } from '../spec.js'
import type { SpotCheckReport } from '../training.js'
import { announceOf, runAuction } from './auction.js'
import { checkDelivery } from './checks.js'
import { keepCheckpoints, type KeptCheckpoint } from './keeper.js'
import { WorkerStalledError, handOverJob, stallDue } from './failover.js'
import { clientComponents, type ClientComponents } from './components.js'
import { discoverWorkers } from './discover.js'
import { disputeClaim, openJobDispute } from './dispute.js'
import { openEscrow } from './escrow.js'
import { deliveryFacts, recordedDelivery, resumeFactsOf } from './record.js'
import { runSession } from './session.js'
import { awaitProof, completeJob, revealJobChallenge } from './settle.js'
import { NoEligibleBidError, type FailoverOutcome, type ClientJobEvent, type ClientOptions, type Emit, type JobContext, type JobOutcome, type JobRequest } from './types.js'
import { cancelJob, disputeJob, rateJob, type ClientActionComponents } from './actions.js'

export { NoEligibleBidError }
export { ClientActionError, cancelJob, dirActionComponents, disputeJob, rateJob, type ClientActionComponents } from './actions.js'
export type { ClientJobEvent, ClientOptions, FailoverOutcome, JobOutcome, JobRequest, SettleMode } from './types.js'
export { WorkerStalledError, stallDue } from './failover.js'
export { progressText, type ProgressStyle } from './progress.js'
export type { ClientComponents } from './components.js'

const log = logger('cyx:client')

/**
 * The client's estimate of a client-model job's duration from its compute: FLOPs over
 * PRICING.referenceFlopsPerSecond (a conservative one-core rate), at least a minute. The escrow's
 * timeout and the bids' prices follow from it.
 */
function estimateSeconds (flops: number): number {
  return Math.max(60, Math.ceil(flops / PRICING.referenceFlopsPerSecond))
}

/** An emitter that never lets an observer's failure become the job's. */
function emitterOf (onProgress: ((e: ClientJobEvent) => void) | undefined): Emit {
  return (e) => {
    try { onProgress?.(e) } catch (err) { log.trace('a progress observer failed: %s', err instanceof Error ? err.message : err) }
  }
}

export class Client {
  readonly node: PeerNode
  readonly jobs: JobBook<ClientJobState>
  readonly #o: ClientOptions
  readonly #keypair: Keypair
  readonly #collector: BidCollector
  readonly #c: ClientComponents

  private constructor (o: ClientOptions, keypair: Keypair, collector: BidCollector) {
    this.node = o.node
    this.#o = o
    this.#keypair = keypair
    this.#collector = collector
    this.#c = clientComponents(o.node, o.connection, keypair, collector)
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

  /** The after-the-fact actions (actions.ts) on this client's own jobs. */
  #actions (): ClientActionComponents {
    return { connection: this.#o.connection, keypair: this.#keypair, withJobs: async (fn) => await fn(this.jobs) }
  }

  /** Withdraws a funded, undelivered job (`cancel`; actions.ts). */
  async cancel (jobId: string): Promise<{ jobId: string, signature: string }> {
    return await cancelJob(this.#actions(), jobId)
  }

  /** Rates the worker of a completed job, 1..5 stars, once (`rate_worker`). */
  async rate (jobId: string, stars: number): Promise<{ jobId: string, stars: number, signature: string }> {
    return await rateJob(this.#actions(), jobId, stars)
  }

  /** Opens a dispute on a delivered optimistic job, citing its evidence (`open_dispute`). */
  async dispute (jobId: string, evidenceCid?: string): Promise<{ jobId: string, signature: string, evidenceCid: string }> {
    return await disputeJob(this.#actions(), jobId, evidenceCid)
  }

  /** Runs a job from announcement to payment (or to the first failure, which it throws). */
  async submit (r: JobRequest): Promise<JobOutcome> {
    const { node } = this.#o
    const c = this.#c
    const emit = emitterOf(r.onProgress)
    const windowMs = r.bidWindowMs ?? MESH.bidWindowSeconds * 1000
    if (!(windowMs >= 1 && windowMs <= MESH.maxAnnounceBidWindowSeconds * 1000)) throw new RangeError(`the bid window is 1 ms..${MESH.maxAnnounceBidWindowSeconds} s (got ${windowMs} ms)`)
    // Everything the client brings is checked here, before anything is announced or escrowed: the
    // job rules first (as the CLI and the sim check them; here the tier defaults to optimistic).
    parseJobRequest({ dataset: r.clientModel === undefined ? r.datasetId : undefined, tier: r.tier ?? 'optimistic', epochs: r.epochs, clientModel: r.clientModel !== undefined })
    const prepared = r.clientModel === undefined ? undefined : await prepareClientModelJob(r.clientModel, node.helia.blockstore)
    const builtIn = prepared === undefined ? loadDatasetById(r.datasetId) : undefined
    const dataset: TrainingData = prepared?.data ?? builtIn!
    const { spec, datasetBytes } = prepared !== undefined ? { spec: prepared.spec, datasetBytes: datasetSegments(prepared.data.dataset) } : jobSpec(builtIn!, r)
    const tier = specTier(spec)
    const jobIdBytes = Uint8Array.from(randomBytes(32))
    const jobId = toHex(jobIdBytes)
    const estimatedSeconds = r.estimatedSeconds ?? (prepared === undefined ? 60 : estimateSeconds(trainingFlops(prepared.report, prepared.dataset.train.count, spec.epochs)))
    // accept_job refuses an epoch estimated longer than the no-progress timeout (the worker anchors
    // once per epoch): said here, before anything is announced or escrowed.
    if (!epochFitsNoProgressTimeout(estimatedSeconds, spec.epochs)) {
      throw new RangeError(`one epoch of this job is estimated at ${epochEstimateSeconds(estimatedSeconds, spec.epochs)} s, longer than the no-progress timeout (${ESCROW.noProgressTimeoutSeconds} s) within which a worker must anchor each epoch: split the training into more epochs`)
    }
    const step = this.#stepper(jobId, emit)
    await this.jobs.open(jobId, 'announced', { specHash: toHex(wire.specHash(spec)), maxPrice: String(r.maxPrice) })
    emit({ type: 'state', state: 'announced', jobId })
    try {
      const terms = {
        jobId: jobIdBytes, spec, maxPrice: r.maxPrice, estimatedSeconds, priority: r.priority ?? wire.Priority.PRIORITY_NORMAL,
        clientPeerId: node.peerId.toMultihash().bytes, clientAddrs: node.multiaddrs().map((a) => a.bytes)
      }
      // 1. Who is out there: a coordinator's checked candidates, or the DHT.
      const capability = r.capability ?? 'cpu'
      const expected = await discoverWorkers(c, {
        capability, announce: () => announceOf(terms, c.clock(), windowMs), ...this.#coordinator()
      }, emit)
      // 2–3. Announce, collect bids for the window, rank them with facts from the chain.
      const { ranking, best, winning, workerWallet } = await runAuction(c, { terms, windowMs, expected }, emit)
      // zk: the secret whose SHA-256 the escrow carries, revealed after the final anchor to draw the
      // challenge; recorded before the escrow exists, so a restarted client can still reveal it.
      const challengeSecret = tier === 'zk' ? Uint8Array.from(randomBytes(32)) : undefined
      await step('awarded', {
        worker: best.bid.bidder, workerWallet: workerWallet.toBase58(), price: String(best.bid.price), ...(challengeSecret === undefined ? {} : { challengeSecret: toHex(challengeSecret) })
      })
      // 4. Escrow the price on-chain, naming the winner.
      const escrow = await openEscrow(c, workerWallet, {
        jobId: jobIdBytes, spec, tier, amount: best.bid.price, estimatedSeconds,
        ...(tier === 'zk' && builtIn !== undefined ? { dataCommitment: zkDataCommitment(builtIn) } : {}),
        ...(challengeSecret === undefined ? {} : { challengeSecret })
      })
      const winner = { peer: best.bid.bidder, wallet: workerWallet.toBase58(), price: best.bid.price, etaSeconds: best.bid.etaSeconds }
      // Everything a restarted client needs to see the job through (`resume`).
      await step('escrowed', { escrow: escrow.toBase58(), tier, datasetId: dataset.id, spec: toHex(wire.TrainingSpec.encode(spec)), etaSeconds: String(best.bid.etaSeconds) })
      emit({ type: 'award', worker: best.bid.bidder, price: best.bid.price, escrow: escrow.toBase58() })
      return await this.#continue({ jobId, jobIdBytes, spec, dataset, datasetBytes, tier, escrow, worker: winning.from, winner, ranking, ...(r.priority === undefined ? {} : { priority: r.priority }) }, 'escrowed', emit, r.signal)
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
    const emit = emitterOf(o.onProgress)
    const rec = await this.jobs.get(jobId)
    if (rec === undefined) throw new Error(`no job ${jobId} in this client's records`)
    const from = rec.state
    if (from !== 'escrowed' && from !== 'running' && from !== 'delivered' && from !== 'verified') throw new Error(`job ${jobId} is ${from}: only an escrowed, running, delivered or verified job can be resumed`)
    try {
      const f = resumeFactsOf(jobId, rec.facts)
      // A client model's inputs are in this peer's blockstore since submit (named by CID in the spec).
      const dataset: TrainingData = await trainingInputsOf(this.#o.node.helia, f.spec, { offline: true })
      const datasetBytes = isClientModelData(dataset) ? datasetSegments(dataset.dataset) : jobSpec(dataset, { epochs: f.spec.epochs }).datasetBytes
      emit({ type: 'state', state: from, jobId })
      return await this.#continue({
        jobId, jobIdBytes: fromHex(jobId, { what: 'job id', bytes: 32 }), spec: f.spec, dataset, datasetBytes, tier: specTier(f.spec), escrow: f.escrow,
        worker: f.worker, winner: f.winner, ranking: { ranked: [], rejected: [] }
      }, from, emit, o.signal)
    } catch (e) {
      await this.#fail(jobId, e, emit, o.signal)
      throw e
    }
  }

  #coordinator (): { coordinator?: NonNullable<ClientOptions['coordinator']>, coordinatorTimeoutMs?: number } {
    return {
      ...(this.#o.coordinator === undefined ? {} : { coordinator: this.#o.coordinator }),
      ...(this.#o.coordinatorTimeoutMs === undefined ? {} : { coordinatorTimeoutMs: this.#o.coordinatorTimeoutMs })
    }
  }

  /** Moves the job to `state` with `facts` in its record, and says so. */
  #stepper (jobId: string, emit: Emit): (state: ClientJobState, facts?: Record<string, string>) => Promise<void> {
    return async (state, facts = {}) => {
      await this.jobs.transition(jobId, state, facts)
      emit({ type: 'state', state, jobId })
    }
  }

  async #fail (jobId: string, e: unknown, emit: Emit, signal: AbortSignal | undefined): Promise<void> {
    // A stopped client (Ctrl-C, its signal) leaves the job where it was, to be resumed.
    if (signal?.aborted === true) return
    const msg = e instanceof Error ? e.message : String(e)
    await this.jobs.transition(jobId, 'failed', {}, msg.slice(0, 500)).catch((err: unknown) => { log.error('could not record job %s as failed: %s', jobId, err instanceof Error ? err.message : err) })
    emit({ type: 'state', state: 'failed', jobId })
  }

  /** The job from `from` on: the session, the checks of the delivered work, the settlement. */
  async #continue (j: JobContext, from: 'escrowed' | 'running' | 'delivered' | 'verified', emit: Emit, signal: AbortSignal | undefined): Promise<JobOutcome> {
    const c = this.#c
    const { jobId, spec, dataset, tier, escrow } = j
    const step = this.#stepper(jobId, emit)
    const workerWallet = new PublicKey(j.winner.wallet)

    // 5. The job protocol: award, dataset, progress, weights (hash-checked by the session).
    let session: JobSessionResult | undefined
    if (from === 'escrowed' || from === 'running') {
      const award: wire.Award = {
        jobId: Uint8Array.from(j.jobIdBytes), worker: Uint8Array.from(workerWallet.toBytes()), escrow: Uint8Array.from(escrow.toBytes()), amount: j.winner.price, specHash: Uint8Array.from(wire.specHash(spec)), spec, issuedAt: BigInt(c.clock()),
        ...(j.resume === undefined ? {} : { resume: j.resume })
      }
      if (from === 'escrowed') await step('running')
      // Each checkpoint's evidence is fetched and pinned here as its notice arrives (keeper.ts).
      const keeper = keepCheckpoints(c, { worker: j.worker, specHash: wire.specHash(spec), ...(signal === undefined ? {} : { signal }) }, emit)
      // Failover: a session gone for good is handed over once the chain says the worker stalled.
      const failover = this.#o.failover === true && tier === 'optimistic'
      let stalled: WorkerStalledError | undefined
      let kept: KeptCheckpoint | undefined
      try {
        session = await runSession({ ...c, noteAttempt: async (attempt) => { await this.jobs.note(jobId, { attempts: String(attempt) }) } }, {
          worker: j.worker, award, datasetBytes: j.datasetBytes, ...(this.#o.resumeWindowMs === undefined ? {} : { resumeWindowMs: this.#o.resumeWindowMs }), ...(signal === undefined ? {} : { signal }),
          ...(failover ? { stalled: async () => (await stallDue(c, escrow)) ? new WorkerStalledError(escrow.toBase58(), (await c.readEscrow(escrow)).lastProgressAt) : undefined } : {})
        }, (e) => { if (e.type === 'checkpoint') keeper.offer(e.checkpoint); emit(e) })
      } catch (e) {
        if (!(e instanceof WorkerStalledError)) throw e
        stalled = e
      } finally {
        // What this peer holds of the run, in the record: a worker gone for good leaves it here.
        kept = (await keeper.settle()).kept
        if (kept !== undefined) await this.jobs.note(jobId, { keptEvidence: kept.cid, keptEpoch: String(kept.epoch) })
      }
      if (stalled !== undefined || session === undefined) {
        log('job %s: %s', jobId, stalled?.message ?? 'no session')
        // A resumed worker that stalled before its first checkpoint was kept: what it resumed from is still held here.
        const held = kept ?? (j.resume !== undefined && j.resume.epoch > 0 ? { epoch: j.resume.epoch, cid: j.resume.checkpointCid, blocks: 0, bytes: 0 } : undefined)
        return await this.#failover(j, held, emit, signal)
      }
      if (session.weightsTransfer !== undefined) emit({ type: 'weights', ...session.weightsTransfer })
      await c.keepWeights(session.delivery.weightsHash, session.weights)
      await step('delivered', deliveryFacts(session.delivery))
    } else {
      session = await this.#recordedSession(jobId)
    }
    // zk: the worker anchored its final root before delivering; the challenge is drawn from this
    // client's secret, revealed now (before the longer checks), so the worker can prove at once.
    if (tier === 'zk') {
      const secret = (await this.jobs.get(jobId))?.facts.challengeSecret
      const signature = await revealJobChallenge(c, jobId, escrow, secret === undefined ? undefined : fromHex(secret, { what: `job ${jobId}: challenge secret` }))
      if (signature !== undefined) await this.jobs.note(jobId, { revealSignature: signature })
    }

    const base = { jobId, spec, ranking: j.ranking, winner: j.winner, escrow: escrow.toBase58(), session, tier, ...(j.failover === undefined ? {} : { failover: j.failover }) }
    let report: SpotCheckReport | undefined
    let disputed: { disputeSignature?: string, disputeReason?: string } = {}
    const settle = this.#o.settle ?? 'complete'
    if (from !== 'verified') {
      // 6. Fetch the evidence from the winner over bitswap, spot-check it, match it to the chain.
      report = await checkDelivery(c, {
        delivery: session.delivery, worker: j.worker, spec, dataset, tier, escrow,
        ...(this.#o.spotChecks === undefined ? {} : { spotChecks: this.#o.spotChecks }),
        ...(this.#o.evidenceTimeoutMs === undefined ? {} : { evidenceTimeoutMs: this.#o.evidenceTimeoutMs }),
        ...(signal === undefined ? {} : { signal })
      }, emit)
      signal?.throwIfAborted()
      emit({ type: 'spot-check', report })
      const claim = disputeClaim(settle, report, tier)
      if (claim !== undefined) {
        log('job %s: disputing the delivery: %s', jobId, claim)
        disputed = { disputeSignature: await openJobDispute(c, escrow, session.delivery.evidenceCid), disputeReason: claim.slice(0, 500) }
      }
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
    // 7. Settle.
    if (tier === 'zk' && (settle === 'complete' || settle === 'window')) {
      // The worker is paid by its proof, verified by the program: wait for the escrow to end.
      const zk = await awaitProof(c, escrow, this.#o.proofTimeoutMs ?? 300_000, signal)
      emit({ type: 'zk', ...zk })
      if (zk.verifiedOnChain) await step('completed', { challengeStep: String(zk.challengeStep) })
      else await this.jobs.transition(jobId, 'failed', {}, `the worker's proof was not verified (escrow state ${zk.escrowState})`)
      return { ...checked, state: zk.verifiedOnChain ? 'completed' : 'failed', completeSignature: undefined, zk }
    }
    if (settle !== 'complete') return { ...checked, state: 'verified', completeSignature: undefined }
    const signature = await completeJob(c, escrow, workerWallet, session.delivery.weightsHash)
    await step('completed', { completeSignature: signature })
    return { ...checked, state: 'completed', completeSignature: signature }
  }

  /**
   * Failover (failover.ts): the stalled worker's kept checkpoint verified, the rest re-auctioned,
   * the escrow handed over on-chain; then the job goes on with the new worker from the verified
   * epoch, through the same session, checks and settlement.
   */
  async #failover (j: JobContext, kept: KeptCheckpoint | undefined, emit: Emit, signal: AbortSignal | undefined): Promise<JobOutcome> {
    const c = this.#c
    const { node } = this.#o
    const r = await handOverJob(c, {
      jobId: j.jobId,
      terms: { jobId: j.jobIdBytes, spec: j.spec, priority: j.priority ?? wire.Priority.PRIORITY_NORMAL, clientPeerId: node.peerId.toMultihash().bytes, clientAddrs: node.multiaddrs().map((a) => a.bytes) },
      dataset: j.dataset,
      escrow: j.escrow,
      stalledWallet: new PublicKey(j.winner.wallet),
      stalledPeer: j.winner.peer,
      kept,
      spotChecks: this.#o.spotChecks ?? PROOF.defaultSpotChecks,
      windowMs: MESH.bidWindowSeconds * 1000
    }, emit)
    signal?.throwIfAborted()
    const { best, winning, workerWallet, ranking } = r.auction
    const winner = { peer: best.bid.bidder, wallet: workerWallet.toBase58(), price: r.split.remaining, etaSeconds: best.bid.etaSeconds }
    const failover: FailoverOutcome = {
      from: j.winner.peer,
      fromWallet: j.winner.wallet,
      to: winner.peer,
      toWallet: winner.wallet,
      resumedFromEpoch: r.verifiedEpochs,
      checkpointCid: r.resume.checkpointCid,
      firstWorkerPaid: r.split.worker,
      platformFee: r.split.platform,
      remaining: r.split.remaining,
      signature: r.signature
    }
    await this.jobs.note(j.jobId, {
      worker: winner.peer, workerWallet: winner.wallet, price: String(winner.price), etaSeconds: String(winner.etaSeconds),
      handOverSignature: r.signature, handedOverFrom: j.winner.wallet, resumeEpoch: String(r.verifiedEpochs), resumeCid: r.resume.checkpointCid
    })
    emit({ type: 'award', worker: winner.peer, price: winner.price, escrow: j.escrow.toBase58() })
    return await this.#continue({ ...j, worker: winning.from, winner, ranking, resume: r.resume, failover }, 'running', emit, signal)
  }

  /** A delivered job's session as recorded (its weights from this peer's blockstore). */
  async #recordedSession (jobId: string): Promise<JobSessionResult> {
    const delivery = recordedDelivery(jobId, (await this.jobs.get(jobId))?.facts ?? {})
    const weights = await this.#c.keptWeights(delivery.weightsHash)
    if (toHex(wire.sha256(weights)) !== toHex(delivery.weightsHash)) throw new Error(`job ${jobId}: the stored weights do not match their hash`)
    return { delivery, weights, metrics: [], checkpoints: [] }
  }
}
