/**
 * The worker role: stakes on-chain if it has not yet, advertises its capabilities in the DHT, and
 * works in three parts, each with the narrow components it uses (built here from the running peer):
 * the bidder (announces → bids, the slots pending bids hold: bidder.ts), the job runner (the award
 * checked against the escrow on-chain and accepted, unfinished jobs recovered after a restart,
 * progress anchored after every checkpoint (progress.ts), the final root anchored before delivery:
 * runner.ts) and the settler (the proof or the window's claim,
 * retried: settler.ts). Training runs in the job service (/cyx/job/1.1.0, peer/job). Job records
 * live in the peer database (`JobBook`). A fourth part, the juror duty (juror-duty.ts, on unless
 * `juror: false`), serves on the dispute juries the sortition draws this staked node for.
 */
import { logger } from '@libp2p/logger'
import type { PeerId } from '@libp2p/interface'
import { cpus, totalmem } from 'node:os'
import { multiaddr } from '@multiformats/multiaddr'
import { PublicKey, type Keypair } from '@solana/web3.js'
import { CID } from 'multiformats/cid'
import { AccountKindError, fetchDisputes, fetchEscrow, fetchVote, heartbeat, registerNode } from '../../../chain/index.js'
import { JUROR, MESH, PROOF, TIMEOUTS, minimumRegistrationStake, toHex, wire } from '../../../protocols/index.js'
import { EvidenceWriter, type EvidenceStore, type Helia } from '../../../storage/index.js'
import { startJobService, type DeliveredWork, type JobService } from '../../job/index.js'
import { buildAdvert, evidenceFetchComponents, onJobAnnounce, provideEvidence, publishAdvert, sendBid, type PeerNode } from '../../node/index.js'
import type { WorkerProfile } from '../../policy/index.js'
import { fetchClientInputs, fetchEvidence, storeClientDataset, verifyEvidence } from '../../evidence/index.js'
import { DATASET_IDS, createEngine, generateSpirals, isClientModelData, trainingSpecFromWire } from '../../train/index.js'
import { registerWithCoordinator } from '../../match/index.js'
import { checkEscrow, nodeIsActive, readConfig, readNode, sendTransaction, tokenAccount, walletKeypair } from '../chain.js'
import { JobBook, type WorkerJobState } from '../jobs.js'
import { jobSpec } from '../spec.js'
import { redeliver, runWithEvidence } from '../training.js'
import { runWithFaults, withholdEvidence } from '../faults.js'
import { anchorFinalRoot, anchorProgressRoot, anchoredCheckpoints, chainTime, claimAfterWindow, progressRootAt, proveAndComplete, submitOptimisticDelivery } from '../settlement.js'
import { judgeEvidence } from '../juror.js'
import { Bidder } from './bidder.js'
import { clientFundsReader } from './client-funds.js'
import { workerFactsOf, workerFactsRecord } from './facts.js'
import { controlPrice, type WorkerControl } from './control.js'
import { JobRunner } from './runner.js'
import { Settler } from './settler.js'
import { JurorDuty } from './juror-duty.js'
import type { WorkerEvent, WorkerOptions } from './types.js'

export type { WorkerEvent, WorkerOptions } from './types.js'
export { Bidder, slotReleaseAt, type BidderComponents } from './bidder.js'
export { JobRunner, type RunnerComponents } from './runner.js'
export { Settler, settledFacts, type SettlerComponents } from './settler.js'
export { WORKER_CONTROL_FILE, WorkerControlError, controlPrice, parseWorkerControl, readWorkerControl, updateWorkerControl, watchWorkerControl, writeWorkerControl, type WorkerControl } from './control.js'
export {
  JurorDuty, EvidenceRefusedError, ballotStep, commitMarginSeconds, commitWindowOpen, evidenceRefusal, fetchRetryStep, ineligibility, judgedEvidence, lastRetryStart, owesAnswer, retryBackoffSeconds, submitDisputeEvidence,
  type JurorDutyComponents, type JurorDutyOptions, type KeptBallot, type RetryStep, type RetryTiming
} from './juror-duty.js'

const log = logger('cyx:worker')

const { Kind, signMessage } = wire
/** A failed settlement is tried again after 30 s, 60 s, … up to 5 attempts in all. */
const SETTLE_TRIES = 5
const SETTLE_RETRY_MS = 30_000
/** How long a worker waits for a client model's file and dataset to arrive by CID. */
const CLIENT_INPUTS_TIMEOUT_MS = 10 * 60_000

export class Worker {
  readonly node: PeerNode
  readonly jobs: JobBook<WorkerJobState>
  readonly #o: WorkerOptions
  readonly #keypair: Keypair
  readonly #helia: Helia
  readonly #wireProfile: wire.DeterminismProfile
  /** Training runs in flight, by job id: a resumed session waits for the interrupted one to stop. */
  readonly #runs = new Map<string, Promise<unknown>>()
  /** A client dataset that arrived pushed, being stored while its job trains (`storeClientDataset`). */
  readonly #storing = new Map<string, Promise<void>>()
  readonly #bidder: Bidder
  readonly #runner: JobRunner
  readonly #settler: Settler
  readonly #juror: JurorDuty | undefined
  #service: JobService | undefined
  #onChain = { stake: 0n, reputation: 0, active: false }
  /** What the owner wants now (`control`): whether it bids, and its price per hour. */
  #paused = false
  #price: bigint
  #cleanups: Array<() => void | Promise<void>> = []
  #stopped: Promise<void> | undefined
  readonly #stopping = new AbortController()

  private constructor (o: WorkerOptions, keypair: Keypair, helia: Helia, profile: wire.DeterminismProfile) {
    this.node = o.node
    this.#o = o
    this.#price = controlPrice(o.pricePerHour)
    this.#keypair = keypair
    this.#helia = helia
    this.#wireProfile = profile
    this.jobs = JobBook.worker(o.store)
    const { connection } = o
    const running = (): number => this.#service?.active() ?? 0
    const send = async (ixs: Parameters<typeof sendTransaction>[1]): Promise<string> => await sendTransaction(connection, ixs, [keypair])
    const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }
    const settlement = (escrow: PublicKey): Parameters<typeof anchorFinalRoot>[0] => ({ connection, keypair, escrow })
    this.#bidder = new Bidder({
      profile: () => this.profile(),
      running,
      bidOf: (jobId, d) => ({
        jobId: Uint8Array.from(jobId),
        workerPeerId: Uint8Array.from(this.node.peerId.toMultihash().bytes),
        price: d.price,
        etaSeconds: d.etaSeconds,
        stake: this.#onChain.stake,
        reputation: this.#onChain.reputation,
        issuedAt: BigInt(this.node.clock()),
        profile: this.#wireProfile
      }),
      sendBid: async (client, bid) => { await sendBid(this.node, client, signMessage(Kind.BID, bid, this.node.wallet)) },
      recordBid: async (jobId, client, bid) => { await o.store.bids.put(`${jobId}/${this.node.peerId.toString()}`, { price: String(bid.price), etaSeconds: bid.etaSeconds, client: client.toString() }) },
      now: () => Date.now(),
      clientFunds: clientFundsReader(connection)
    }, (e) => { this.#emit(e) })
    this.#runner = new JobRunner({
      wallet: keypair.publicKey,
      jobs: this.jobs,
      checkEscrow: async (award, client) => await checkEscrow(connection, award, client, keypair.publicKey),
      readEscrow: async (address) => {
        try {
          return await fetchEscrow(connection, address)
        } catch (e) {
          if (e instanceof AccountKindError) return undefined
          throw e
        }
      },
      send,
      profile: () => this.profile(),
      running,
      awarded: (jobId) => this.#bidder.awarded(jobId),
      runStopped: async (jobId) => { await this.#runs.get(jobId) },
      addressesOf: async (peer) => (await this.node.libp2p.peerStore.get(peer).catch(() => undefined))?.addresses.map((a) => a.multiaddr.toString()) ?? [],
      dial: (addrs) => {
        const parsed = addrs.flatMap((a) => { try { return [multiaddr(a)] } catch { return [] } })
        if (parsed.length > 0) this.node.libp2p.dial(parsed, { signal: AbortSignal.timeout(TIMEOUTS.dialMs) }).catch((e: unknown) => { log.trace('dialling a client back failed: %s', e instanceof Error ? e.message : e) })
      },
      anchoredCheckpoints: async (cid, tier) => await anchoredCheckpoints(helia, cid, tier),
      anchorFinalRoot: async (escrow, cps) => await anchorFinalRoot(settlement(escrow), cps),
      anchorProgress: async (escrow, epoch, root) => await anchorProgressRoot(settlement(escrow), epoch, root),
      progressRootAt,
      submitDelivery: async (escrow, cps, weightsHash) => await submitOptimisticDelivery(settlement(escrow), cps, weightsHash),
      settle: (jobId) => { this.#settler.settle(jobId) },
      stopping: () => this.#stopping.signal.aborted,
      sleep
    }, (e) => { this.#emit(e) }, o.capacity ?? 1)
    this.#settler = new Settler({
      jobs: this.jobs,
      anchoredCheckpoints: async (cid, tier) => await anchoredCheckpoints(helia, cid, tier),
      proveAndComplete: async (escrow, cps, weightsHash, so) => await proveAndComplete(settlement(escrow), cps, weightsHash, so),
      claimAfterWindow: async (escrow, so) => await claimAfterWindow(settlement(escrow), so),
      transition: async (jobId, state) => { await this.#transition(jobId, state) },
      refresh: async () => { await this.#refresh().catch((e: unknown) => { log.error('refreshing the advert failed: %s', e instanceof Error ? e.message : e) }) },
      later: (fn, ms) => { setTimeout(fn, ms).unref() }
    }, { pollMs: o.settlementPollMs ?? 10_000, tries: SETTLE_TRIES, retryMs: SETTLE_RETRY_MS, signal: this.#stopping.signal }, (e) => { this.#emit(e) }, this.#runner.anchored)
    this.#juror = o.juror === false
      ? undefined
      : new JurorDuty({
        wallet: keypair.publicKey,
        listDisputes: async () => await fetchDisputes(connection),
        readNode: async () => await readNode(connection, keypair.publicKey),
        readVote: async (dispute, round) => await fetchVote(connection, dispute, keypair.publicKey, round),
        now: async () => BigInt(await chainTime(connection)),
        // The evidence by CID over this node (the DHT's providers, connected peers), checked here.
        judge: async (r) => await judgeEvidence({
          fetchEvidence: async (cid, fo) => await fetchEvidence(evidenceFetchComponents(this.node), cid, fo),
          verify: async (cid, challengeSeed, checks) => await verifyEvidence({ cid, peer: { helia }, challengeSeed, checks })
        }, r),
        ballots: o.store.ballots,
        send,
        // A disputed delivery's job is over for the settler ('settled': its escrow left funded).
        deliveredEvidence: async (escrow) => {
          for (const r of await this.jobs.all()) {
            const f = workerFactsOf(r.facts)
            if (f.escrow?.equals(escrow) === true && f.evidenceCid !== undefined) return f.evidenceCid
          }
          return undefined
        }
      }, { pollMs: o.jurorPollMs ?? JUROR.pollSeconds * 1000, checks: PROOF.defaultSpotChecks, signal: this.#stopping.signal, ...(o.jurorFetch === undefined ? {} : { fetch: o.jurorFetch }) }, (e) => { this.#emit(e) })
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
        accept: async (award, client, from) => await w.#runner.accept(award, client, from),
        received: async (job, transfer) => {
          w.#emit({ type: 'dataset-received', jobId: job.jobId, ...transfer })
          // A resumed job is in `training` already.
          if ((await w.jobs.get(job.jobId))?.state === 'accepted') await w.#transition(job.jobId, 'training')
        },
        // A client model's file and dataset manifest come by CID over bitswap, in a session with
        // the client (connected: its job stream), and the dataset's bytes from the client on the job
        // stream, each block checked against the manifest; all checked against the spec's hashes
        // before anything trains. The dataset is stored while the job trains (jurors may ask this
        // worker for it), and waited for before the root is anchored.
        fetchClientInputs: async (job, spec, signal, pushed) => {
          const data = await fetchClientInputs(w.#helia, spec, { signal: AbortSignal.any([signal, AbortSignal.timeout(CLIENT_INPUTS_TIMEOUT_MS)]), providers: [job.from], pushedDataset: pushed })
          if (isClientModelData(data)) {
            w.#storing.set(job.jobId, storeClientDataset(w.#helia, spec, data).catch((e: unknown) => { log.error('job %s: storing the client\'s dataset failed: %s', job.jobId, e instanceof Error ? e.message : e) }))
          }
          return data
        },
        run: async (job, dataset, progress, signal) => {
          const record = await w.jobs.get(job.jobId)
          const facts = record === undefined ? undefined : workerFactsOf(record.facts)
          const sealed = facts?.evidenceCid !== undefined && facts.weightsHash !== undefined
          /** The work the sealed evidence holds: its final weights go out again, nothing retrained. */
          const redelivered = async (): Promise<DeliveredWork> => {
            const work = await redeliver(w.#helia, facts!.evidenceCid!, job.award.spec!, dataset, facts!.weightsHash!)
            w.#emit({ type: 'redelivered', jobId: job.jobId })
            return work
          }
          // Delivered before and asked again (the Delivery was lost with the link): nothing is
          // re-anchored either.
          if (record?.state === 'delivered' && sealed) return await redelivered()
          const runSignal = AbortSignal.any([signal, w.#stopping.signal])
          // Failover: the rest of a job another worker stalled on continues that worker's chain from
          // the checkpoint the client verified: adopted as this peer's draft, then resumed by the
          // same path as after a crash of this peer (`trainWithEvidence`).
          const resume = job.award.resume
          if (resume !== undefined && resume.epoch > 0 && !sealed) await w.#adoptCheckpoint(job.jobId, job.award.spec!, resume, job.from, runSignal)
          // Each stored checkpoint goes to the client and, in the background, on-chain (the no-progress timeout).
          const reported: typeof progress = {
            metrics: (m) => { progress.metrics(m) },
            checkpoint: (n) => {
              progress.checkpoint(n)
              w.#runner.checkpoint(job.jobId, job.award, n)
            }
          }
          const trained = async (): Promise<DeliveredWork> => {
            // Trained before and interrupted after the evidence was sealed (while anchoring or
            // delivering): that evidence is the job's. A new run would time its checkpoints anew,
            // so its chain, and the root already anchored, would differ.
            if (sealed) return await redelivered()
            const work = await (o.faults === undefined
              ? runWithEvidence(w.#helia, o.store.evidenceDrafts, job.award.spec!, dataset, reported, runSignal)
              : runWithFaults(o.faults, { node: o.node, evidence: w.#helia, drafts: o.store.evidenceDrafts, spec: job.award.spec!, dataset, progress: reported, signal: runSignal }))
            await w.jobs.note(job.jobId, workerFactsRecord({ evidenceCid: work.delivery.evidenceCid, weightsHash: work.delivery.weightsHash }))
            return work
          }
          const run = (async () => {
            const work = await trained()
            await w.#storing.get(job.jobId)
            w.#storing.delete(job.jobId)
            // Before the weights go out: the root on-chain (and the optimistic delivery with it).
            // Each step is a no-op once it has landed, so a resumed session anchors the same.
            await w.#runner.anchor(job.jobId, job.award, work.delivery.evidenceCid, work.delivery.weightsHash)
            return work
          })()
          // A resumed session waits for this one to stop, anchoring included.
          w.#runs.set(job.jobId, run.catch((e: unknown) => { log.trace('training run of job %s ended with an error: %s', job.jobId, e instanceof Error ? e.message : e) }))
          try {
            const work = await run
            if (o.faults?.withholdEvidence === true) {
              await withholdEvidence(w.#helia, work.delivery.evidenceCid)
              return work
            }
            // The sealed evidence is findable by CID in the DHT: a juror or the client's retry finds
            // this worker (and the client, which pins what it fetched, announces itself too).
            provideEvidence(o.node, CID.parse(work.delivery.evidenceCid)).catch((e: unknown) => { log('announcing the evidence of job %s failed: %s', job.jobId, e instanceof Error ? e.message : e) })
            return work
          } finally {
            w.#runs.delete(job.jobId)
            // (After `anchor`, nothing is left to end.)
            w.#runner.trainingEnded(job.jobId)
          }
        },
        finished: async (job, outcome) => {
          w.#storing.delete(job.jobId) // a run that got that far waited for it; otherwise it goes on by itself
          const r = await w.jobs.get(job.jobId)
          if (outcome.ok && r?.state === 'training') {
            await w.#transition(job.jobId, 'delivered')
            w.#settler.settle(job.jobId)
          }
          else if (!outcome.ok && outcome.interrupted && (r?.state === 'accepted' || r?.state === 'training')) {
            // Not a failure: the stream went away. The draft keeps every stored checkpoint.
            w.#emit({ type: 'interrupted', jobId: job.jobId, error: outcome.error.message })
          } else if (r !== undefined && r.state !== 'delivered' && r.state !== 'settled' && r.state !== 'failed') await w.#transition(job.jobId, 'failed', outcome.ok ? 'ended before training' : outcome.error.message)
          await w.#refresh().catch((e: unknown) => { log.error('refreshing the advert failed: %s', e instanceof Error ? e.message : e) })
        }
      }, { ...(o.onRejected === undefined ? {} : { onRejected: o.onRejected }) })
      w.#cleanups.push(onJobAnnounce(o.node, async (e) => { await w.#bidder.onAnnounce(e) }))
      // A worker alone on the mesh (the first one started) reaches no DHT server: it re-advertises
      // when a peer connects, until some remote server holds the advert. It also re-advertises when
      // its own addresses change: behind NAT, the relayed address a client needs exists only once
      // the relay reservation is made, usually after the first advert (docs/network.md).
      let stored = false
      let pending: Promise<void> | undefined
      let advertisedAddrs = ''
      const addrsNow = (): string => o.node.multiaddrs().map(String).sort().join(' ')
      const readvertise = (): void => {
        if (pending !== undefined) return
        advertisedAddrs = addrsNow()
        pending = w.advertise().then((n) => { stored ||= n > 0 }, () => {}).finally(() => {
          pending = undefined
          if (addrsNow() !== advertisedAddrs) readvertise()
        })
      }
      const onConnect = (): void => { if (!stored) setTimeout(readvertise, 200).unref() }
      const onAddrs = (): void => { if (addrsNow() !== advertisedAddrs) setTimeout(readvertise, 200).unref() }
      o.node.libp2p.addEventListener('peer:connect', onConnect)
      o.node.libp2p.addEventListener('self:peer:update', onAddrs)
      w.#cleanups.push(() => {
        o.node.libp2p.removeEventListener('peer:connect', onConnect)
        o.node.libp2p.removeEventListener('self:peer:update', onAddrs)
      })
      advertisedAddrs = addrsNow()
      stored = await w.advertise().then((n) => n > 0, () => false)
      await w.#runner.recover(async (jobId, state, error) => { await w.#transition(jobId, state, error) })
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
      // A juror for the disputes the sortition draws it for (its stake registered above).
      w.#juror?.start()
      o.node.onStop(async () => { await w.stop() })
      return w
    } catch (e) {
      await w.stop()
      throw e
    }
  }

  /**
   * Failover: fetches a handed-over job's checkpoint by CID over bitswap (from the client, which kept
   * it, or any provider), checks it (the evidence's own validation: bounds, the chain from the spec
   * hash, the Merkle root, every state re-hashed; the spec the escrow names; as many checkpoints as
   * the epoch the escrow was handed over at — `accept` matched that epoch to the chain) and makes it
   * this peer's draft of the run. Nothing when the draft exists already (a restart of this worker).
   */
  async #adoptCheckpoint (jobId: string, spec: wire.TrainingSpec, resume: wire.ResumePoint, client: PeerId, signal: AbortSignal): Promise<void> {
    const cid = CID.parse(resume.checkpointCid)
    const got = await fetchEvidence(evidenceFetchComponents(this.node), cid, { holders: [{ peer: client.toString() }], signal: AbortSignal.any([signal, AbortSignal.timeout(CLIENT_INPUTS_TIMEOUT_MS)]) })
    if (got.status !== 'fetched') throw new Error(`the checkpoint ${resume.checkpointCid} of handed-over job ${jobId} is not available: ${got.reasons.at(-1) ?? 'no reason'}`)
    const specHash = wire.specHash(spec)
    const adopted = await EvidenceWriter.adopt(this.#helia, this.#o.store.evidenceDrafts, toHex(specHash), cid, resume.epoch, specHash, { offline: true })
    if (adopted) this.#emit({ type: 'adopted', jobId, epoch: resume.epoch, cid: resume.checkpointCid, blocks: got.blocks })
  }

  get wallet (): Keypair['publicKey'] {
    return this.#keypair.publicKey
  }

  /** Where this worker's evidence blocks live: the node's Helia, served over bitswap. */
  get evidenceStore (): EvidenceStore {
    return this.#helia
  }

  /** Whether it bids now, and its price per hour (base units). */
  get control (): WorkerControl {
    return { paused: this.#paused, pricePerHour: this.#price }
  }

  /**
   * The owner's say (`cyx worker pause|resume|price`, the live page): a paused worker bids on
   * nothing and takes no new award — the jobs it runs go on and are settled; a new price holds for
   * the next bid and is advertised at once (a failed advert is retried at the next refresh).
   */
  async setControl (c: Partial<WorkerControl>): Promise<WorkerControl> {
    const price = c.pricePerHour === undefined ? this.#price : controlPrice(c.pricePerHour)
    const repriced = price !== this.#price
    this.#price = price
    this.#paused = c.paused ?? this.#paused
    this.#emit({ type: 'control', paused: this.#paused, pricePerHour: this.#price })
    if (repriced) await this.advertise().catch((e: unknown) => { log('advertising the new price failed (retried at the next refresh): %s', e instanceof Error ? e.message : e) })
    return this.control
  }

  /** The facts the bidding policy stands on. */
  profile (): WorkerProfile {
    const o = this.#o
    return {
      compute: o.compute ?? 'cpu',
      ramGb: o.ramGb ?? 1,
      vramGb: o.vramGb ?? 0,
      pricePerHour: this.#price,
      paused: this.#paused,
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
    const advert = buildAdvert(this.node, { hardware, pricePerHour: this.#price, profile: this.#wireProfile, capabilities: [...(this.#o.capabilities ?? ['cpu'])] })
    if (this.node.libp2p.getPeers().length === 0) {
      // Nobody to store it: a DHT query would only wait for its timeout.
      this.#emit({ type: 'advert-failed', error: 'no peers on the mesh yet' })
      // A coordinator is a peer too: registering dials it, and its connection triggers a re-advert.
      await this.#registerWithCoordinator(signMessage(Kind.CAPABILITY_ADVERT, advert, this.node.wallet))
      return 0
    }
    try {
      const r = await publishAdvert(this.node, advert, this.node.wallet, { signal: AbortSignal.timeout(timeoutMs) })
      this.#emit({ type: 'advertised', storedOn: r.storedOn, relayed: advert.addrs.some((a) => multiaddr(a).toString().includes('/p2p-circuit')) })
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

  async #heartbeat (): Promise<void> {
    try {
      const signature = await sendTransaction(this.#o.connection, [heartbeat({ owner: this.#keypair.publicKey })], [this.#keypair])
      this.#emit({ type: 'heartbeat', signature })
    } catch (e) {
      this.#emit({ type: 'heartbeat-failed', error: e instanceof Error ? e.message : String(e) })
    }
  }

  async stop (): Promise<void> {
    this.#stopped ??= (async () => {
      for (const fn of this.#cleanups.reverse()) {
        try { await fn() } catch { /* keep stopping */ }
      }
      // Runs stop at their next segment boundary, drafts intact; wait so the store can close.
      this.#stopping.abort(new Error('the worker stopped'))
      await this.#juror?.stop()
      await this.#service?.stop()
      await Promise.allSettled([...this.#runs.values(), ...this.#settler.inFlight(), ...this.#runner.inFlight()])
    })()
    await this.#stopped
  }
}
