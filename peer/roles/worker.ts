/**
 * The worker role: stakes on-chain if it has not yet, advertises its capabilities in the DHT, bids
 * on announced jobs by policy, and serves /cyx/job/1.0.0: an award is checked against the escrow
 * on-chain before anything else, then the dataset is received, trained on with evidence, and the
 * weights delivered. Job records live in the peer database (`JobBook`).
 */
import { logger } from '@libp2p/logger'
import { cpus, totalmem } from 'node:os'
import type { PeerId } from '@libp2p/interface'
import type { Connection, Keypair } from '@solana/web3.js'
import { heartbeat, registerNode } from '../../chain/index.js'
import { MESH, minimumRegistrationStake, wire, type ComputeClass } from '../../protocols/index.js'
import type { EvidenceStore, Helia, PeerStore } from '../../storage/index.js'
import { JobRefusal, startJobService, type JobService } from '../job/index.js'
import { buildAdvert, onJobAnnounce, publishAdvert, sendBid, type JobAnnounceEvent, type PeerNode } from '../node/index.js'
import { acceptsDirectAward, decideBid, type BidDecision, type WorkerProfile } from '../policy/index.js'
import { fetchClientInputs } from '../evidence/index.js'
import { DATASET_IDS, createEngine, generateSpirals, trainingSpecFromWire } from '../train/index.js'
import { PublicKey } from '@solana/web3.js'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { registerWithCoordinator } from '../match/index.js'
import { CYXWIZ_PROGRAM_ID, ESCROW_STATE, acceptJob, decodeEscrow, type EscrowAccount } from '../../chain/index.js'
import { checkEscrow, nodeIsActive, readConfig, readNode, sendTransaction, tokenAccount, walletKeypair } from './chain.js'
import { JobBook, type WorkerJobState } from './jobs.js'
import { jobSpec } from './spec.js'
import { runWithEvidence } from './training.js'
import { runWithFaults, type WorkerFaults } from './faults.js'
import { anchorFinalRoot, anchoredCheckpoints, claimAfterWindow, escrowKey, proveAndComplete, submitOptimisticDelivery, type AnchoredCheckpoints, type SettleResult } from './settlement.js'
import { specTier } from './spec.js'

const log = logger('cyx:worker')

const { ErrorCode, Kind, signMessage } = wire
/** How long after a bid's deadline its award may still arrive (the client ranks, escrows, dials). */
const BID_AWARD_GRACE_MS = 5_000
/** A failed settlement is tried again after 30 s, 60 s, … up to 5 attempts in all. */
const SETTLE_TRIES = 5
const SETTLE_RETRY_MS = 30_000
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')


/** How long a worker waits for a client model's file and dataset to arrive by CID. */
const CLIENT_INPUTS_TIMEOUT_MS = 10 * 60_000
export interface WorkerOptions {
  readonly node: PeerNode
  /** Solana JSON-RPC (the embedded ledger's server or any cluster). */
  readonly connection: Connection
  /** The peer's databases: job records, evidence drafts. Pass `node.store` (Helia, hence the
   * evidence blocks bitswap serves, runs on the node's store). */
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
  /** Misbehaviour to commit instead of honest training (`cyx sim`'s failure scenarios): see faults.ts. */
  readonly faults?: WorkerFaults
  /** An optional coordinator: the worker registers its signed advert with it after each advert
   * publish or refresh (a failure is a `coordinator` event; the DHT advert stands regardless). */
  readonly coordinator?: Multiaddr
  /** How often a delivered job's escrow (and the chain's clock) is polled while settling, ms
   * (default 10 s): the optimistic window's end, a client's `complete`, a dispute. */
  readonly settlementPollMs?: number
  /** On-chain `heartbeat` (the uptime the reputation counts), every this many ms; false: none.
   * Default: Config `heartbeat_interval_secs` (2 minutes) plus a second, the first one that long
   * after start. (The program refuses a heartbeat sooner than the interval by its own clock.) */
  readonly heartbeatMs?: number | false
}

export type WorkerEvent =
  | { readonly type: 'registered', readonly stake: bigint, readonly signature: string }
  | { readonly type: 'advertised', readonly storedOn: number }
  | { readonly type: 'advert-failed', readonly error: string }
  /** The advert offered to the coordinator: indexed until `indexedUntil` (unix seconds), or why not. */
  | { readonly type: 'coordinator', readonly result: 'registered', readonly indexedUntil: bigint }
  | { readonly type: 'coordinator', readonly result: 'failed', readonly error: string }
  | { readonly type: 'bid-decision', readonly jobId: string, readonly decision: BidDecision }
  | { readonly type: 'bid-sent', readonly jobId: string, readonly price: bigint }
  | { readonly type: 'bid-failed', readonly jobId: string, readonly error: string }
  | { readonly type: 'job', readonly jobId: string, readonly state: WorkerJobState, readonly error?: string }
  /** An unfinished job found at start (its escrow still funded): it resumes when the client comes back. */
  | { readonly type: 'resumable', readonly jobId: string, readonly state: WorkerJobState }
  /** The client came back with the award of an unfinished job: training resumes from the last stored checkpoint. */
  | { readonly type: 'resumed', readonly jobId: string, readonly state: WorkerJobState }
  /** The session went away before delivery; the job stays where it was, to be resumed. */
  | { readonly type: 'interrupted', readonly jobId: string, readonly error: string }
  /** The final Poseidon root of the checkpoint commitments is anchored on-chain (and, optimistic
   * tier, the delivery submitted with its last-leaf proof: the challenge window runs). */
  | { readonly type: 'anchored', readonly jobId: string, readonly tier: 'optimistic' | 'zk', readonly checkpoints: number, readonly root: string, readonly signatures: readonly string[] }
  /** zk tier: the program drew step `step`; the Groth16 proof of it is being made. */
  | { readonly type: 'challenge', readonly jobId: string, readonly step: number }
  /** The escrow is over: paid by `complete_zk` (`proved`) or `claim_payment` (`claimed`), or ended
   * by someone else (`ended`: the client's complete, a dispute's verdict, a refund). */
  | { readonly type: 'settled', readonly jobId: string, readonly how: 'proved' | 'claimed' | 'ended', readonly signature?: string, readonly challengeStep?: number, readonly proveSeconds?: number, readonly escrowState?: number }
  | { readonly type: 'settlement-failed', readonly jobId: string, readonly error: string }
  /** The on-chain heartbeat went out (or why not: the next one is tried an interval later). */
  | { readonly type: 'heartbeat', readonly signature: string }
  | { readonly type: 'heartbeat-failed', readonly error: string }

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
  /** Bids whose award may still come, by job id: until when (ms) each holds a slot. */
  readonly #outstanding = new Map<string, number>()
  /** Training runs in flight, by job id: a resumed session waits for the interrupted one to stop. */
  readonly #runs = new Map<string, Promise<unknown>>()
  /** Settlements in flight (after delivery), by job id. */
  readonly #settlements = new Map<string, Promise<void>>()
  /** Failed settlement attempts per job (retried up to SETTLE_TRIES). */
  readonly #settleTries = new Map<string, number>()
  /** What #anchor read back from the evidence, kept for the settlement (a restart reads it again). */
  readonly #anchored = new Map<string, AnchoredCheckpoints>()
  #service: JobService | undefined
  #onChain = { stake: 0n, reputation: 0, active: false }
  #cleanups: Array<() => void | Promise<void>> = []
  #stopped: Promise<void> | undefined
  readonly #stopping = new AbortController()

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
    // Evidence goes to the node's Helia: the blocks bitswap serves to the client and to jurors.
    const w = new Worker(o, keypair, o.node.helia, { runtime: p.runtime, runtimeVersion: p.runtimeVersion, backend: p.backend, cpuClass: p.cpuClass })
    try {
      await w.#register()
      w.#service = await startJobService(o.node, {
        accept: async (award, client, from) => await w.#accept(award, client, from),
        received: async (job) => {
          // A resumed job is in `training` already.
          if ((await w.jobs.get(job.jobId))?.state === 'accepted') await w.#transition(job.jobId, 'training')
        },
        // A client model's file and dataset come by CID over bitswap (the client is connected: its
        // job stream), checked against the spec's hashes before anything trains.
        fetchClientInputs: async (_job, spec, signal) => await fetchClientInputs(w.#helia, spec, { signal: AbortSignal.any([signal, AbortSignal.timeout(CLIENT_INPUTS_TIMEOUT_MS)]) }),
        run: async (job, dataset, progress, signal) => {
          const runSignal = AbortSignal.any([signal, w.#stopping.signal])
          const run = o.faults === undefined
            ? runWithEvidence(w.#helia, o.store.evidenceDrafts, job.award.spec!, dataset, progress, runSignal)
            : runWithFaults(o.faults, { node: o.node, evidence: w.#helia, drafts: o.store.evidenceDrafts, spec: job.award.spec!, dataset, progress, signal: runSignal })
          w.#runs.set(job.jobId, run.catch((e: unknown) => { log.trace('training run of job %s ended with an error: %s', job.jobId, e instanceof Error ? e.message : e) }))
          try {
            const work = await run
            // Before the weights go out: the root on-chain (and the optimistic delivery with it).
            await w.#anchor(job.jobId, job.award, work.delivery.evidenceCid, work.delivery.weightsHash)
            return work
          } finally {
            w.#runs.delete(job.jobId)
          }
        },
        finished: async (job, outcome) => {
          const r = await w.jobs.get(job.jobId)
          if (outcome.ok && r?.state === 'training') {
            await w.#transition(job.jobId, 'delivered')
            w.#settle(job.jobId)
          }
          else if (!outcome.ok && outcome.interrupted && (r?.state === 'accepted' || r?.state === 'training')) {
            // Not a failure: the stream went away. The draft keeps every stored checkpoint.
            w.#emit({ type: 'interrupted', jobId: job.jobId, error: outcome.error.message })
          } else if (r !== undefined && r.state !== 'delivered' && r.state !== 'settled' && r.state !== 'failed') await w.#transition(job.jobId, 'failed', outcome.ok ? 'ended before training' : outcome.error.message)
          await w.#refresh().catch((e: unknown) => { log.error('refreshing the advert failed: %s', e instanceof Error ? e.message : e) })
        }
      }, { ...(o.onRejected === undefined ? {} : { onRejected: o.onRejected }) })
      w.#cleanups.push(onJobAnnounce(o.node, async (e) => { await w.#onAnnounce(e) }))
      // A worker alone on the mesh (the first one started) reaches no DHT server: it re-advertises
      // when a peer connects, until some remote server holds the advert.
      let stored = false
      let pending: Promise<void> | undefined
      const readvertise = (): void => {
        pending ??= w.advertise().then((n) => { stored ||= n > 0 }, () => {}).finally(() => { pending = undefined })
      }
      const onConnect = (): void => { if (!stored) setTimeout(readvertise, 200).unref() }
      o.node.libp2p.addEventListener('peer:connect', onConnect)
      w.#cleanups.push(() => { o.node.libp2p.removeEventListener('peer:connect', onConnect) })
      stored = await w.advertise().then((n) => n > 0, () => false)
      await w.#recover()
      // Adverts expire: re-publish at half-life.
      const timer = setInterval(readvertise, MESH.advertTtlSeconds * 500)
      timer.unref()
      w.#cleanups.push(() => { clearInterval(timer) })
      if (o.heartbeatMs !== false) {
        // Uptime on-chain: one heartbeat per interval (the program refuses them sooner).
        const every = o.heartbeatMs ?? Number((await readConfig(o.connection)).params.heartbeatIntervalSecs) * 1000 + 1_000
        const beat = setInterval(() => { w.#heartbeat().catch((e: unknown) => { log.error('heartbeat failed: %s', e instanceof Error ? e.message : e) }) }, Math.max(100, every))
        beat.unref()
        w.#cleanups.push(() => { clearInterval(beat) })
      }
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

  /** Where this worker's evidence blocks live: the node's Helia, served over bitswap. */
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
      // Half the RAM it sells for one batch of a client model (the rest: data, evidence, the runtime).
      maxBatchMemoryBytes: Math.floor((o.ramGb ?? 1) * 2 ** 30 / 2),
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

  /**
   * Publishes (or refreshes) the signed capability advert in the DHT; resolves with the number of
   * remote DHT servers that stored it. Bounded by `timeoutMs` (a DHT with no reachable servers
   * would otherwise keep the query open); a failure is reported as an `advert-failed` event and thrown.
   */
  async advertise (timeoutMs = 15_000): Promise<number> {
    const hardware: wire.Hardware = { cpuCores: Math.max(1, cpus().length), ramGb: Math.floor(totalmem() / 2 ** 30), gpuClass: wire.GpuClass.GPU_NONE, gpuModel: '', vramGb: 0 }
    const advert = buildAdvert(this.node, { hardware, pricePerHour: this.#o.pricePerHour, profile: this.#wireProfile, capabilities: [...(this.#o.capabilities ?? ['cpu'])] })
    if (this.node.libp2p.getPeers().length === 0) {
      // Nobody to store it: a DHT query would only wait for its timeout.
      this.#emit({ type: 'advert-failed', error: 'no peers on the mesh yet' })
      // A coordinator is a peer too: registering dials it, and its connection triggers a re-advert.
      await this.#registerWithCoordinator(signMessage(Kind.CAPABILITY_ADVERT, advert, this.node.wallet))
      return 0
    }
    try {
      const r = await publishAdvert(this.node, advert, this.node.wallet, { signal: AbortSignal.timeout(timeoutMs) })
      this.#emit({ type: 'advertised', storedOn: r.storedOn })
      await this.#registerWithCoordinator(r.signed)
      return r.storedOn
    } catch (e) {
      this.#emit({ type: 'advert-failed', error: e instanceof Error ? e.message : String(e) })
      await this.#registerWithCoordinator(signMessage(Kind.CAPABILITY_ADVERT, advert, this.node.wallet))
      throw e
    }
  }

  /** Offers the signed advert to the configured coordinator, if any; never throws. */
  async #registerWithCoordinator (signedAdvert: Uint8Array): Promise<void> {
    if (this.#o.coordinator === undefined) return
    try {
      const { indexedUntil } = await registerWithCoordinator(this.node, this.#o.coordinator, signedAdvert)
      this.#emit({ type: 'coordinator', result: 'registered', indexedUntil })
    } catch (e) {
      this.#emit({ type: 'coordinator', result: 'failed', error: e instanceof Error ? e.message : String(e) })
    }
  }

  async #onAnnounce (e: JobAnnounceEvent): Promise<void> {
    const m = e.message
    const jobId = hex(m.jobId)
    const now = Date.now()
    for (const [id, until] of this.#outstanding) if (until <= now) this.#outstanding.delete(id)
    const decision = decideBid(this.profile(), { spec: m.spec!, maxPrice: m.maxPrice, estimatedSeconds: m.estimatedSeconds, priority: m.priority }, (this.#service?.active() ?? 0) + this.#outstanding.size)
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
    // The slot is held for this bid until its award can no longer be expected.
    this.#outstanding.set(jobId, Number(m.bidDeadline) * 1000 + BID_AWARD_GRACE_MS)
    // An award comes within the bid window or not at all: forget the bid after the longest one.
    setTimeout(() => { this.#bids.delete(jobId) }, MESH.maxBidWindowSeconds * 1000).unref()
    try {
      await sendBid(this.node, e.from, signMessage(Kind.BID, bid, this.node.wallet))
      await this.#o.store.bids.put(`${jobId}/${this.node.peerId.toString()}`, { price: String(decision.price), etaSeconds: decision.etaSeconds, client: e.from.toString() })
      this.#emit({ type: 'bid-sent', jobId, price: decision.price })
    } catch (err) {
      this.#bids.delete(jobId)
      this.#outstanding.delete(jobId)
      this.#emit({ type: 'bid-failed', jobId, error: err instanceof Error ? err.message : String(err) })
    }
  }

  /**
   * `accept_job`: the worker's signature that it takes the escrow's job, sent once it checked the
   * escrow (amount, terms) and its capacity, before any training. Until then the escrow is an
   * offer that exposes the worker to no deadline and no slash. Nothing to do if already accepted.
   */
  async #acceptOnChain (escrow: EscrowAccount, award: wire.Award): Promise<void> {
    if (escrow.accepted !== 0) return
    const address = new PublicKey(award.escrow)
    try {
      await sendTransaction(this.#o.connection, [acceptJob({ worker: this.#keypair.publicKey, escrow: address })], [this.#keypair])
    } catch (err) {
      // A lost confirmation: the escrow may be accepted all the same.
      const info = await this.#o.connection.getAccountInfo(address, 'confirmed').catch(() => null)
      if (info !== null && decodeEscrow(info.data).accepted !== 0) return
      throw new JobRefusal(ErrorCode.ESCROW_INVALID, `accept_job failed: ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  /** The award check: the escrow on-chain first, then whether this worker takes the job. */
  async #accept (award: wire.Award, client: Uint8Array, from: PeerId): Promise<WorkerJob> {
    const escrow = await checkEscrow(this.#o.connection, award, client, this.#keypair.publicKey)
    const jobId = hex(award.jobId)
    const existing = await this.jobs.get(jobId)
    if (existing !== undefined) {
      // The same client with the same escrow, for a job this worker has not finished: it resumes
      // (after a restart of either side or a dropped stream). Anything else was already decided.
      const same = existing.facts.client === hex(client) && existing.facts.escrow === hex(award.escrow) && existing.facts.amount === String(award.amount)
      if (!same || (existing.state !== 'accepted' && existing.state !== 'training')) throw new JobRefusal(ErrorCode.UNAVAILABLE, 'this job was already awarded to this worker')
      // The interrupted session's run stops at its next segment boundary; one run per draft.
      await this.#runs.get(jobId)
      // A restart between the job record and the acceptance: accept now (nothing if done).
      await this.#acceptOnChain(escrow, award)
      this.#emit({ type: 'resumed', jobId, state: existing.state })
      return { jobId, award }
    }
    // Awarded: the bid's held slot becomes the running job's.
    this.#outstanding.delete(jobId)
    const active = this.#service?.active() ?? 0
    const bid = this.#bids.get(jobId)
    if (bid !== undefined && award.amount >= bid) {
      if (active >= (this.#o.capacity ?? 1)) throw new JobRefusal(ErrorCode.UNAVAILABLE, 'the worker is busy')
    } else {
      // An award it did not bid on (or below its bid): taken only if it pays the worker's price now.
      const d = acceptsDirectAward(this.profile(), { spec: award.spec!, estimatedSeconds: Number(escrow.estimatedSeconds), priority: wire.Priority.PRIORITY_NORMAL }, award.amount, active)
      if (!d.bid) throw new JobRefusal(ErrorCode.UNAVAILABLE, `the worker does not take this job: ${d.reason}`)
    }
    // The deadline runs from the acceptance for the escrow's timeout: it must cover this worker's
    // own estimate of the job, or the worker would sign up for a timeout slash.
    const timeout = escrow.accepted === 0 ? escrow.deadline - escrow.createdAt : escrow.deadline - escrow.acceptedAt
    if (timeout < escrow.estimatedSeconds) throw new JobRefusal(ErrorCode.ESCROW_INVALID, `the escrow's timeout (${timeout} s) is shorter than the job's estimate (${escrow.estimatedSeconds} s)`)
    await this.#acceptOnChain(escrow, award)
    // The client's listen addresses (from identify), so a restarted worker can dial it back.
    const clientAddrs = (await this.node.libp2p.peerStore.get(from).catch(() => undefined))?.addresses.slice(0, 8).map((a) => a.multiaddr.toString()) ?? []
    await this.jobs.open(jobId, 'accepted', { client: Buffer.from(client).toString('hex'), from: from.toString(), escrow: hex(award.escrow), amount: String(award.amount), clientAddrs: clientAddrs.join(' ') })
    this.#emit({ type: 'job', jobId, state: 'accepted' })
    return { jobId, award }
  }

  /**
   * At start: the jobs this worker had not finished (a restart mid-job). One whose escrow is no
   * longer funded is over (completed, refunded or cancelled meanwhile) and is marked failed; the
   * others stay resumable: the worker dials their client back, whose retried session (the same
   * award, re-signed) resumes training from the last checkpoint the draft stored.
   */
  async #recover (): Promise<void> {
    for (const r of await this.jobs.unfinished()) {
      const escrow = await this.#o.connection.getAccountInfo(new PublicKey(Buffer.from(r.facts.escrow ?? '', 'hex')), 'confirmed').catch(() => null)
      let funded = false
      try {
        funded = escrow !== null && escrow.owner.equals(CYXWIZ_PROGRAM_ID) && decodeEscrow(escrow.data).state === ESCROW_STATE.funded
      } catch { /* not an escrow: over */ }
      if (!funded) {
        await this.#transition(r.jobId, 'failed', 'the escrow is no longer funded')
        continue
      }
      if (r.state === 'delivered') {
        // Delivered before the restart: only the settlement is left (the proof, the window's claim).
        this.#settle(r.jobId)
        continue
      }
      this.#emit({ type: 'resumable', jobId: r.jobId, state: r.state })
      const addrs = (r.facts.clientAddrs ?? '').split(' ').filter((a) => a !== '').flatMap((a) => { try { return [multiaddr(a)] } catch { return [] } })
      if (addrs.length > 0) this.node.libp2p.dial(addrs, { signal: AbortSignal.timeout(5_000) }).catch((e: unknown) => { log.trace('dialling the client of job %s failed: %s', r.jobId, e instanceof Error ? e.message : e) })
    }
  }

  /**
   * After training, before delivery: the Poseidon root of the checkpoint commitments is anchored at
   * the final epoch and, optimistic tier, the delivery is submitted with its last-leaf proof (the
   * program checks it with `sol_poseidon`; the challenge window starts). What settlement needs
   * later is noted in the job record, so a restarted worker can finish it.
   */
  async #anchor (jobId: string, award: wire.Award, evidenceCid: string, weightsHash: Uint8Array): Promise<void> {
    const tier = specTier(award.spec!)
    const c = { connection: this.#o.connection, keypair: this.#keypair, escrow: new PublicKey(award.escrow) }
    const cps = await anchoredCheckpoints(this.#helia, evidenceCid, tier)
    this.#anchored.set(jobId, cps)
    const signatures: string[] = []
    // A transient RPC failure must not cost a trained job: each step is retried (each is a no-op
    // once it has landed, so a retry after an unseen success is harmless).
    const retried = async (step: () => Promise<string | undefined>): Promise<void> => {
      for (let attempt = 1; ; attempt++) {
        try {
          const signature = await step()
          if (signature !== undefined) signatures.push(signature)
          return
        } catch (e) {
          if (attempt >= 3 || this.#stopping.signal.aborted) throw e
          await new Promise((resolve) => setTimeout(resolve, 1_000 * attempt))
        }
      }
    }
    await retried(async () => await anchorFinalRoot(c, cps))
    if (tier === 'optimistic') await retried(async () => await submitOptimisticDelivery(c, cps, weightsHash))
    await this.jobs.note(jobId, { tier, evidenceCid, weightsHash: hex(weightsHash), root: hex(cps.root) })
    this.#emit({ type: 'anchored', jobId, tier, checkpoints: cps.leaves.length, root: hex(cps.root), signatures })
  }

  async #heartbeat (): Promise<void> {
    try {
      const signature = await sendTransaction(this.#o.connection, [heartbeat({ owner: this.#keypair.publicKey })], [this.#keypair])
      this.#emit({ type: 'heartbeat', signature })
    } catch (e) {
      this.#emit({ type: 'heartbeat-failed', error: e instanceof Error ? e.message : String(e) })
    }
  }

  /** Settles a delivered job in the background (see settlement.ts); one settlement per job. */
  #settle (jobId: string): void {
    if (this.#settlements.has(jobId)) return
    const run = (async () => {
      const r = await this.jobs.get(jobId)
      if (r?.state !== 'delivered') return
      const f = r.facts
      const c = { connection: this.#o.connection, keypair: this.#keypair, escrow: escrowKey(f.escrow ?? '') }
      const o = { pollMs: this.#o.settlementPollMs ?? 10_000, signal: this.#stopping.signal, onChallenge: (step: number) => { this.#emit({ type: 'challenge', jobId, step }) } }
      let result: SettleResult
      if (f.tier === 'zk') {
        const cps = this.#anchored.get(jobId) ?? await anchoredCheckpoints(this.#helia, f.evidenceCid ?? '', 'zk')
        result = await proveAndComplete(c, cps, Buffer.from(f.weightsHash ?? '', 'hex'), o)
      } else {
        result = await claimAfterWindow(c, o)
      }
      const facts: Record<string, string> = { settledBy: result.how }
      if (result.how !== 'ended') facts.settleSignature = result.signature
      if (result.how === 'ended') facts.escrowState = String(result.escrowState)
      if (result.how === 'proved' && result.challengeStep !== undefined) facts.challengeStep = String(result.challengeStep)
      this.#anchored.delete(jobId)
      await this.#transition(jobId, 'settled')
      await this.jobs.note(jobId, facts)
      this.#emit({ type: 'settled', jobId, ...result })
      await this.#refresh().catch((e: unknown) => { log.error('refreshing the advert failed: %s', e instanceof Error ? e.message : e) })
    })().catch((e: unknown) => {
      // Stopping is not a failure: the record stays `delivered` and a restart settles it.
      if (this.#stopping.signal.aborted) return
      this.#emit({ type: 'settlement-failed', jobId, error: e instanceof Error ? e.message : String(e) })
      // Tried again a while later (an RPC outage passes; a proof that cannot be made fails the
      // same way each time, and the deadline's slash_invalid_proof ends it), a few times.
      const tries = (this.#settleTries.get(jobId) ?? 0) + 1
      this.#settleTries.set(jobId, tries)
      if (tries < SETTLE_TRIES) setTimeout(() => { if (!this.#stopping.signal.aborted) this.#settle(jobId) }, SETTLE_RETRY_MS * tries).unref()
    }).finally(() => { this.#settlements.delete(jobId) })
    this.#settlements.set(jobId, run)
  }

  async stop (): Promise<void> {
    this.#stopped ??= (async () => {
      for (const fn of this.#cleanups.reverse()) {
        try { await fn() } catch { /* keep stopping */ }
      }
      // Runs stop at their next segment boundary, drafts intact; wait so the store can close.
      this.#stopping.abort(new Error('the worker stopped'))
      await this.#service?.stop()
      await Promise.allSettled([...this.#runs.values(), ...this.#settlements.values()])
    })()
    await this.#stopped
  }
}
