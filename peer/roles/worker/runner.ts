/**
 * The worker's job runner: the award checked and the job accepted (on-chain, `accept_job`, only once
 * the escrow and this worker's capacity are checked), jobs left unfinished by a restart recovered,
 * progress anchored on-chain after every checkpoint while training goes (progress.ts: the no-progress
 * timeout) and, after training and before the weights go out, the final root anchored (with,
 * optimistic tier, the delivery). Training itself runs in the job service (peer/job) the worker starts.
 */
import { logger } from '@libp2p/logger'
import type { PeerId } from '@libp2p/interface'
import { PublicKey, type TransactionInstruction } from '@solana/web3.js'
import { ESCROW_STATE, acceptJob, type EscrowAccount } from '../../../chain/index.js'
import { epochEstimateSeconds, epochFitsNoProgressTimeout, wire, toHex } from '../../../protocols/index.js'
import { JobRefusal } from '../../job/index.js'
import { acceptsDirectAward, type WorkerProfile } from '../../policy/index.js'
import type { JobBook, WorkerJobState } from '../jobs.js'
import { JobReplacedError, type AnchoredCheckpoints } from '../settlement.js'
import { specTier } from '../spec.js'
import { workerFactsOf, workerFactsRecord } from './facts.js'
import { ProgressAnchors } from './progress.js'
import type { WorkerEmit } from './types.js'

const log = logger('cyx:worker:runner')
const { ErrorCode } = wire

export interface RunnerComponents {
  /** The worker's wallet (it signs `accept_job` and the anchors). */
  readonly wallet: PublicKey
  readonly jobs: JobBook<WorkerJobState>
  /** The award checked against its escrow on-chain (throws a JobRefusal(ESCROW_INVALID) naming the mismatch). */
  checkEscrow: (award: wire.Award, client: Uint8Array) => Promise<EscrowAccount>
  /** The escrow at `address` now (undefined: none, not the program's, or not an escrow). */
  readEscrow: (address: PublicKey) => Promise<EscrowAccount | undefined>
  /** Sends a transaction signed by the worker's wallet and waits for its confirmation. */
  send: (ixs: TransactionInstruction[]) => Promise<string>
  profile: () => WorkerProfile
  running: () => number
  /** The price this worker bid on `jobId` (releasing the bid's slot), if it bid. */
  awarded: (jobId: string) => bigint | undefined
  /** Resolves when the interrupted run of `jobId`, if any, has stopped. */
  runStopped: (jobId: string) => Promise<void>
  /** The client's listen addresses this peer knows (identify), to dial it back after a restart. */
  addressesOf: (peer: PeerId) => Promise<string[]>
  /** Dials the client of a resumable job back (best effort). */
  dial: (addrs: readonly string[]) => void
  /** The anchored leaves and root of the (local) evidence. */
  anchoredCheckpoints: (evidenceCid: string, tier: 'optimistic' | 'zk') => Promise<AnchoredCheckpoints>
  /** `anchor_progress` at the final epoch; undefined when already anchored. */
  anchorFinalRoot: (escrow: PublicKey, cps: AnchoredCheckpoints) => Promise<string | undefined>
  /** `anchor_progress` at an intermediate epoch; undefined when nothing had to be sent. */
  anchorProgress: (escrow: PublicKey, epoch: number, root: Uint8Array) => Promise<string | undefined>
  /** The root anchored at an intermediate epoch, from that checkpoint's chain hash. */
  progressRootAt: (chainHash: Uint8Array) => Uint8Array
  /** `submit_delivery` with the last leaf's proof; undefined when already submitted. */
  submitDelivery: (escrow: PublicKey, cps: AnchoredCheckpoints, weightsHash: Uint8Array) => Promise<string | undefined>
  /** Hands a delivered job to the settler. */
  settle: (jobId: string) => void
  /** Whether the worker is stopping (no more retries). */
  stopping: () => boolean
  sleep: (ms: number) => Promise<void>
}

export interface RunnerJob {
  readonly jobId: string
  readonly award: wire.Award
  /** The client's peer (it holds a handed-over job's checkpoint: failover). */
  readonly from: PeerId
}

/** The states in which the same award again resumes the job rather than being refused. */
const RESUMABLE: ReadonlySet<WorkerJobState> = new Set(['accepted', 'training', 'delivered'])

export class JobRunner {
  readonly #c: RunnerComponents
  readonly #emit: WorkerEmit
  readonly #capacity: number
  /** What `anchor` read back from the evidence, kept for the settlement (a restart reads it again). */
  readonly anchored = new Map<string, AnchoredCheckpoints>()
  /** The anchors of intermediate epochs, sent in the background as checkpoints are stored. */
  readonly #progress: ProgressAnchors

  constructor (c: RunnerComponents, emit: WorkerEmit, capacity: number, o: { progressRetryMs?: number } = {}) {
    this.#c = c
    this.#emit = emit
    this.#capacity = capacity
    this.#progress = new ProgressAnchors({ anchorProgress: c.anchorProgress, rootAt: c.progressRootAt }, emit, o.progressRetryMs === undefined ? {} : { retryMs: o.progressRetryMs })
  }

  /**
   * Checkpoint `notice.epoch` of a running job is stored: its progress is anchored on-chain in the
   * background (training does not wait), so the escrow's no-progress timeout keeps restarting.
   */
  checkpoint (jobId: string, award: wire.Award, notice: Pick<wire.CheckpointNotice, 'epoch' | 'chainHash'>): void {
    this.#progress.checkpoint(jobId, new PublicKey(award.escrow), notice.epoch, notice.chainHash)
  }

  /** The run of `jobId` ended without a delivery: no more progress anchors (the one in flight lands). */
  trainingEnded (jobId: string): void {
    this.#progress.finish(jobId).catch((e: unknown) => { log.error('ending the progress anchors of job %s failed: %s', jobId, e instanceof Error ? e.message : e) })
  }

  /** Progress anchors still in flight (the worker's stop waits for them). */
  inFlight (): Array<Promise<void>> {
    return this.#progress.inFlight()
  }

  /** The award check: the escrow on-chain first, then whether this worker takes the job. */
  async accept (award: wire.Award, client: Uint8Array, from: PeerId): Promise<RunnerJob> {
    const c = this.#c
    const escrow = await c.checkEscrow(award, client)
    // Failover: a handed-over escrow is taken only from the epoch the chain says was paid for, with
    // the award naming that hand-over (the checkpoint it names is checked before training).
    const resume = award.resume
    if (resume !== undefined ? resume.handover !== escrow.handovers || resume.epoch !== escrow.epochsBase : escrow.epochsBase !== 0) {
      throw new JobRefusal(ErrorCode.ESCROW_INVALID, `the escrow was handed over ${escrow.handovers} times and resumes after epoch ${escrow.epochsBase}; the award says ${resume === undefined ? 'nothing of it' : `hand-over ${resume.handover} after epoch ${resume.epoch}`}`)
    }
    const jobId = toHex(award.jobId)
    const existing = await c.jobs.get(jobId)
    if (existing !== undefined) {
      // The same client with the same escrow, for a job this worker has not finished: it resumes
      // (after a restart of either side or a dropped stream); for a job delivered but not yet paid,
      // the delivery goes out again (it may never have arrived). Anything else was already decided.
      const f = workerFactsOf(existing.facts)
      const same = f.client === toHex(client) && f.escrow !== undefined && f.escrow.equals(new PublicKey(award.escrow)) && f.amount === award.amount
      if (!same || !RESUMABLE.has(existing.state)) throw new JobRefusal(ErrorCode.UNAVAILABLE, 'this job was already awarded to this worker')
      // The interrupted session's run stops at its next segment boundary; one run per draft.
      await c.runStopped(jobId)
      // A restart between the job record and the acceptance: accept now (nothing if done).
      await this.#acceptOnChain(escrow, award)
      this.#emit({ type: 'resumed', jobId, state: existing.state })
      return { jobId, award, from }
    }
    // Awarded: the bid's held slot becomes the running job's.
    const bid = c.awarded(jobId)
    const active = c.running()
    if (bid !== undefined && award.amount >= bid) {
      if (active >= this.#capacity) throw new JobRefusal(ErrorCode.UNAVAILABLE, 'the worker is busy')
    } else {
      // An award it did not bid on (or below its bid): taken only if it pays the worker's price now.
      const d = acceptsDirectAward(c.profile(), { spec: award.spec!, estimatedSeconds: Number(escrow.estimatedSeconds), priority: wire.Priority.PRIORITY_NORMAL }, award.amount, active)
      if (!d.bid) throw new JobRefusal(ErrorCode.UNAVAILABLE, `the worker does not take this job: ${d.reason}`)
    }
    // The deadline runs from the acceptance for the escrow's timeout: it must cover this worker's
    // own estimate of the job, or the worker would sign up for a timeout slash.
    const timeout = escrow.accepted === 0 ? escrow.deadline - escrow.createdAt : escrow.deadline - escrow.acceptedAt
    if (timeout < escrow.estimatedSeconds) throw new JobRefusal(ErrorCode.ESCROW_INVALID, `the escrow's timeout (${timeout} s) is shorter than the job's estimate (${escrow.estimatedSeconds} s)`)
    // An epoch longer than the no-progress timeout could not be anchored in time (accept_job refuses it too).
    const noProgress = Number(escrow.terms.noProgressTimeoutSecs)
    if (!epochFitsNoProgressTimeout(Number(escrow.estimatedSeconds), escrow.epochsTotal, noProgress)) {
      throw new JobRefusal(ErrorCode.ESCROW_INVALID, `an epoch of this job is estimated at ${epochEstimateSeconds(Number(escrow.estimatedSeconds), escrow.epochsTotal)} s, longer than the escrow's no-progress timeout (${noProgress} s)`)
    }
    await this.#acceptOnChain(escrow, award)
    // The client's listen addresses (from identify), so a restarted worker can dial it back.
    const clientAddrs = await c.addressesOf(from)
    await c.jobs.open(jobId, 'accepted', workerFactsRecord({ client, from: from.toString(), escrow: new PublicKey(award.escrow), amount: award.amount, clientAddrs: clientAddrs.slice(0, 8) }))
    this.#emit({ type: 'job', jobId, state: 'accepted' })
    return { jobId, award, from }
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
      await this.#c.send([acceptJob({ worker: this.#c.wallet, escrow: address })])
    } catch (err) {
      // A lost confirmation: the escrow may be accepted all the same.
      const now = await this.#c.readEscrow(address).catch(() => undefined)
      if (now !== undefined && now.accepted !== 0) return
      throw new JobRefusal(ErrorCode.ESCROW_INVALID, `accept_job failed: ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  /**
   * At start: the jobs this worker had not finished (a restart mid-job). One whose escrow is no
   * longer funded is over (completed, refunded or cancelled meanwhile) and is marked failed; the
   * others stay resumable: the worker dials their client back, whose retried session (the same
   * award, re-signed) resumes training from the last checkpoint the draft stored.
   */
  async recover (transition: (jobId: string, state: WorkerJobState, error?: string) => Promise<void>): Promise<void> {
    const c = this.#c
    for (const r of await c.jobs.unfinished()) {
      const f = workerFactsOf(r.facts)
      const escrow = f.escrow === undefined ? undefined : await c.readEscrow(f.escrow).catch((e: unknown) => { log('reading the escrow of job %s failed: %s', r.jobId, e instanceof Error ? e.message : e) })
      if (escrow?.state !== ESCROW_STATE.funded) {
        await transition(r.jobId, 'failed', 'the escrow is no longer funded')
        continue
      }
      if (!escrow.worker.equals(c.wallet)) {
        // Failover: its client handed the job over while this worker was gone (issue 21).
        const replaced = new JobReplacedError((f.escrow as PublicKey).toBase58(), escrow.worker.toBase58())
        log('job %s: %s', r.jobId, replaced.message)
        this.#emit({ type: 'replaced', jobId: r.jobId, escrow: replaced.escrow, by: replaced.by })
        await transition(r.jobId, 'failed', replaced.message)
        continue
      }
      if (r.state === 'delivered') {
        // Delivered before the restart: only the settlement is left (the proof, the window's claim).
        c.settle(r.jobId)
        continue
      }
      this.#emit({ type: 'resumable', jobId: r.jobId, state: r.state })
      if (f.clientAddrs.length > 0) c.dial(f.clientAddrs)
    }
  }

  /**
   * After training, before delivery: the progress anchors stop (the one in flight lands first), the
   * Poseidon root of the checkpoint commitments is anchored at the final epoch and, optimistic
   * tier, the delivery is submitted with its last-leaf proof (the program checks it with
   * `sol_poseidon`; the challenge window starts). What settlement needs later is noted in the job
   * record, so a restarted worker can finish it.
   */
  async anchor (jobId: string, award: wire.Award, evidenceCid: string, weightsHash: Uint8Array): Promise<void> {
    const c = this.#c
    const tier = specTier(award.spec!)
    const escrow = new PublicKey(award.escrow)
    const progressAnchors = await this.#progress.finish(jobId)
    const cps = await c.anchoredCheckpoints(evidenceCid, tier)
    this.anchored.set(jobId, cps)
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
          if (e instanceof JobReplacedError) this.#emit({ type: 'replaced', jobId, escrow: e.escrow, by: e.by })
          if (attempt >= 3 || c.stopping() || e instanceof JobReplacedError) throw e
          await c.sleep(1_000 * attempt)
        }
      }
    }
    await retried(async () => await c.anchorFinalRoot(escrow, cps))
    if (tier === 'optimistic') await retried(async () => await c.submitDelivery(escrow, cps, weightsHash))
    await c.jobs.note(jobId, workerFactsRecord({ tier, evidenceCid, weightsHash, root: cps.root }))
    this.#emit({ type: 'anchored', jobId, tier, checkpoints: cps.leaves.length, root: toHex(cps.root), signatures, progressAnchors })
  }
}
