/**
 * The worker role: stakes on-chain if it has not yet, advertises its capabilities in the DHT, bids
 * on announced jobs by policy, and serves /cyx/job/1.0.0: an award is checked against the escrow
 * on-chain before anything else, then the dataset is received, trained on with evidence, and the
 * weights delivered. Job records live in the peer database (`JobBook`).
 */
import { cpus, totalmem } from 'node:os'
import type { PeerId } from '@libp2p/interface'
import type { Connection, Keypair } from '@solana/web3.js'
import { registerNode } from '../../chain/index.js'
import { MESH, minimumRegistrationStake, wire, type ComputeClass } from '../../protocols/index.js'
import { createPeerHelia, type EvidenceStore, type Helia, type PeerStore } from '../../storage/index.js'
import { JobRefusal, startJobService, type JobService } from '../job/index.js'
import { buildAdvert, onJobAnnounce, publishAdvert, sendBid, type JobAnnounceEvent, type PeerNode } from '../node/index.js'
import { acceptsDirectAward, decideBid, type BidDecision, type WorkerProfile } from '../policy/index.js'
import { DATASET_IDS, createEngine, generateSpirals, trainingSpecFromWire } from '../train/index.js'
import { checkEscrow, nodeIsActive, readConfig, readNode, sendTransaction, tokenAccount, walletKeypair } from './chain.js'
import { JobBook, type WorkerJobState } from './jobs.js'
import { jobSpec } from './spec.js'
import { runWithEvidence } from './training.js'

const { ErrorCode, Kind, signMessage } = wire
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

export interface WorkerOptions {
  readonly node: PeerNode
  /** Solana JSON-RPC (the embedded ledger's server or any cluster). */
  readonly connection: Connection
  /** The peer's databases: job records, evidence drafts, the Helia blockstore for evidence. */
  readonly store: PeerStore
  /** The worker's rate for its machine, base units per hour. */
  readonly pricePerHour: bigint
  readonly compute?: ComputeClass
  /** Resources the price covers (pricing model inputs). Default 1 GB RAM, no GPU memory. */
  readonly ramGb?: number
  readonly vramGb?: number
  readonly capabilities?: readonly string[]
  readonly datasets?: readonly string[]
  readonly maxDatasetBytes?: number
  /** Stake to register with when the node has no Node account yet. Default: the lowest tier's. */
  readonly stake?: bigint
  readonly speedBps?: number
  readonly capacity?: number
  /** Bids, awards and jobs as they happen (for a CLI or a test). */
  readonly onEvent?: (e: WorkerEvent) => void
  /** Every refused job stream (typed: WireError, JobRefusal). */
  readonly onRejected?: (peer: PeerId, error: Error) => void
}

export type WorkerEvent =
  | { readonly type: 'registered', readonly stake: bigint, readonly signature: string }
  | { readonly type: 'advertised', readonly storedOn: number }
  | { readonly type: 'bid-decision', readonly jobId: string, readonly decision: BidDecision }
  | { readonly type: 'bid-sent', readonly jobId: string, readonly price: bigint }
  | { readonly type: 'bid-failed', readonly jobId: string, readonly error: string }
  | { readonly type: 'job', readonly jobId: string, readonly state: WorkerJobState, readonly error?: string }

interface WorkerJob {
  readonly jobId: string
  readonly award: wire.Award
}

export class Worker {
  readonly node: PeerNode
  readonly jobs: JobBook<WorkerJobState>
  readonly #o: WorkerOptions
  readonly #keypair: Keypair
  readonly #helia: Helia
  readonly #wireProfile: wire.DeterminismProfile
  readonly #bids = new Map<string, bigint>()
  #service: JobService | undefined
  #onChain = { stake: 0n, reputation: 0, active: false }
  #cleanups: Array<() => void | Promise<void>> = []
  #stopped: Promise<void> | undefined

  private constructor (o: WorkerOptions, keypair: Keypair, helia: Helia, profile: wire.DeterminismProfile) {
    this.node = o.node
    this.#o = o
    this.#keypair = keypair
    this.#helia = helia
    this.#wireProfile = profile
    this.jobs = JobBook.worker(o.store)
  }

  /** Registers (and stakes) if needed, publishes the advert, starts bidding and serving jobs. */
  static async start (o: WorkerOptions): Promise<Worker> {
    const keypair = await walletKeypair(o.node)
    // The profile bids carry is this machine's engine's: what a verifier must match to re-execute.
    const engine = await createEngine(trainingSpecFromWire(jobSpec(generateSpirals(), { epochs: 1 }).spec))
    const p = engine.profile
    await engine.close()
    const helia = await createPeerHelia(o.store)
    const w = new Worker(o, keypair, helia, { runtime: p.runtime, runtimeVersion: p.runtimeVersion, backend: p.backend, cpuClass: p.cpuClass })
    try {
      await w.#register()
      w.#service = await startJobService(o.node, {
        accept: async (award, client, from) => await w.#accept(award, client, from),
        received: async (job) => { await w.#transition(job.jobId, 'training') },
        run: async (job, dataset, progress) => await runWithEvidence(w.#helia, o.store.evidenceDrafts, job.award.spec!, dataset, progress),
        finished: async (job, outcome) => {
          const r = await w.jobs.get(job.jobId)
          if (outcome.ok && r?.state === 'training') await w.#transition(job.jobId, 'delivered')
          else if (r !== undefined && r.state !== 'delivered' && r.state !== 'failed') await w.#transition(job.jobId, 'failed', outcome.ok ? 'ended before training' : outcome.error.message)
          await w.#refresh().catch(() => {})
        }
      }, { ...(o.onRejected === undefined ? {} : { onRejected: o.onRejected }) })
      w.#cleanups.push(onJobAnnounce(o.node, async (e) => { await w.#onAnnounce(e) }))
      await w.advertise()
      // Adverts expire: re-publish at half-life.
      const timer = setInterval(() => { w.advertise().catch(() => {}) }, MESH.advertTtlSeconds * 500)
      timer.unref()
      w.#cleanups.push(() => { clearInterval(timer) })
      o.node.onStop(async () => { await w.stop() })
      return w
    } catch (e) {
      await w.stop()
      throw e
    }
  }

  get wallet (): Keypair['publicKey'] {
    return this.#keypair.publicKey
  }

  /** Where this worker's evidence blocks live (what bitswap will serve once the node is Helia's). */
  get evidenceStore (): EvidenceStore {
    return this.#helia
  }

  /** The facts the bidding policy stands on. */
  profile (): WorkerProfile {
    const o = this.#o
    return {
      compute: o.compute ?? 'cpu',
      ramGb: o.ramGb ?? 1,
      vramGb: o.vramGb ?? 0,
      pricePerHour: o.pricePerHour,
      datasets: o.datasets ?? DATASET_IDS,
      maxDatasetBytes: o.maxDatasetBytes ?? MESH.maxDatasetBytes,
      stake: this.#onChain.active ? this.#onChain.stake : 0n,
      reputation: this.#onChain.reputation,
      speedBps: o.speedBps ?? 10_000,
      capacity: o.capacity ?? 1
    }
  }

  #emit (e: WorkerEvent): void {
    try {
      this.#o.onEvent?.(e)
    } catch {
      // an observer's failure is not the worker's
    }
  }

  async #transition (jobId: string, state: WorkerJobState, error?: string): Promise<void> {
    await this.jobs.transition(jobId, state, {}, error)
    this.#emit({ type: 'job', jobId, state, ...(error === undefined ? {} : { error }) })
  }

  async #refresh (): Promise<void> {
    const n = await readNode(this.#o.connection, this.#keypair.publicKey)
    this.#onChain = n === undefined ? { stake: 0n, reputation: 0, active: false } : { stake: n.stake, reputation: n.reputation, active: nodeIsActive(n, Math.floor(Date.now() / 1000)) }
  }

  async #register (): Promise<void> {
    const { connection } = this.#o
    if (await readNode(connection, this.#keypair.publicKey) === undefined) {
      const config = await readConfig(connection)
      const stake = this.#o.stake ?? minimumRegistrationStake()
      const signature = await sendTransaction(connection, [registerNode({ owner: this.#keypair.publicKey, ownerToken: tokenAccount(this.#keypair.publicKey, config.mint) }, stake)], [this.#keypair])
      this.#emit({ type: 'registered', stake, signature })
    }
    await this.#refresh()
  }

  /** Publishes (or refreshes) the signed capability advert in the DHT. */
  async advertise (): Promise<void> {
    const hardware: wire.Hardware = { cpuCores: Math.max(1, cpus().length), ramGb: Math.floor(totalmem() / 2 ** 30), gpuClass: wire.GpuClass.GPU_NONE, gpuModel: '', vramGb: 0 }
    const advert = buildAdvert(this.node, { hardware, pricePerHour: this.#o.pricePerHour, profile: this.#wireProfile, capabilities: [...(this.#o.capabilities ?? ['cpu'])] })
    const r = await publishAdvert(this.node, advert, this.node.wallet)
    this.#emit({ type: 'advertised', storedOn: r.storedOn })
  }

  async #onAnnounce (e: JobAnnounceEvent): Promise<void> {
    const m = e.message
    const jobId = hex(m.jobId)
    const decision = decideBid(this.profile(), { spec: m.spec!, maxPrice: m.maxPrice, estimatedSeconds: m.estimatedSeconds, priority: m.priority }, this.#service?.active() ?? 0)
    this.#emit({ type: 'bid-decision', jobId, decision })
    if (!decision.bid) return
    const bid: wire.Bid = {
      jobId: Uint8Array.from(m.jobId),
      workerPeerId: Uint8Array.from(this.node.peerId.toMultihash().bytes),
      price: decision.price,
      etaSeconds: decision.etaSeconds,
      stake: this.#onChain.stake,
      reputation: this.#onChain.reputation,
      issuedAt: BigInt(this.node.clock()),
      profile: this.#wireProfile
    }
    this.#bids.set(jobId, decision.price)
    // An award comes within the bid window or not at all: forget the bid after the longest one.
    setTimeout(() => { this.#bids.delete(jobId) }, MESH.maxBidWindowSeconds * 1000).unref()
    try {
      await sendBid(this.node, e.from, signMessage(Kind.BID, bid, this.node.wallet))
      await this.#o.store.bids.put(`${jobId}/${this.node.peerId.toString()}`, { price: String(decision.price), etaSeconds: decision.etaSeconds, client: e.from.toString() })
      this.#emit({ type: 'bid-sent', jobId, price: decision.price })
    } catch (err) {
      this.#bids.delete(jobId)
      this.#emit({ type: 'bid-failed', jobId, error: err instanceof Error ? err.message : String(err) })
    }
  }

  /** The award check: the escrow on-chain first, then whether this worker takes the job. */
  async #accept (award: wire.Award, client: Uint8Array, from: PeerId): Promise<WorkerJob> {
    const escrow = await checkEscrow(this.#o.connection, award, client, this.#keypair.publicKey)
    const jobId = hex(award.jobId)
    if (await this.jobs.get(jobId) !== undefined) throw new JobRefusal(ErrorCode.UNAVAILABLE, 'this job was already awarded to this worker')
    const active = this.#service?.active() ?? 0
    const bid = this.#bids.get(jobId)
    if (bid !== undefined && award.amount >= bid) {
      if (active >= (this.#o.capacity ?? 1)) throw new JobRefusal(ErrorCode.UNAVAILABLE, 'the worker is busy')
    } else {
      // An award it did not bid on (or below its bid): taken only if it pays the worker's price now.
      const d = acceptsDirectAward(this.profile(), { spec: award.spec!, estimatedSeconds: Number(escrow.estimatedSeconds), priority: wire.Priority.PRIORITY_NORMAL }, award.amount, active)
      if (!d.bid) throw new JobRefusal(ErrorCode.UNAVAILABLE, `the worker does not take this job: ${d.reason}`)
    }
    await this.jobs.open(jobId, 'accepted', { client: Buffer.from(client).toString('hex'), from: from.toString(), escrow: hex(award.escrow), amount: String(award.amount) })
    this.#emit({ type: 'job', jobId, state: 'accepted' })
    return { jobId, award }
  }

  async stop (): Promise<void> {
    this.#stopped ??= (async () => {
      for (const fn of this.#cleanups.reverse()) {
        try { await fn() } catch { /* keep stopping */ }
      }
      await this.#service?.stop()
      await this.#helia.stop().catch(() => {})
    })()
    await this.#stopped
  }
}
