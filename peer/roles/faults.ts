/**
 * Faults a worker can be told to commit, for `cyx sim`'s failure scenarios and for tests: the
 * worker's code paths stay the honest ones everywhere except the training run, which these replace.
 *
 * - `vanishAfterAward`: the worker accepts the award, receives the dataset and starts training, then,
 *   once its first checkpoint is stored, stops its node (libp2p, Helia, job service: every stream to
 *   it dies) and abandons the run, as a machine pulled from the network would. It never delivers.
 * - `fabricateSegments`: the worker trains only the first `honest` segments (at most all but one)
 *   and fabricates the rest: each later checkpoint's weights are extrapolated along the trend of the
 *   honest ones (W_E = W_h + (E − h)/h · (W_h − W_0); W_0 scaled down when nothing was trained), its
 *   metrics are the test metrics of those weights (cheap: evaluation only), and every checkpoint is
 *   committed into a perfectly consistent chain, Merkle root, sealed evidence and final-weights hash.
 *   Only re-executing a fabricated segment shows that its weights are not what training gives.
 * - `withholdEvidence`: the worker trains and delivers honestly (root anchored, delivery on-chain),
 *   then stops serving its evidence before the delivery goes out: the sealed evidence's root block
 *   is unpinned and deleted from its blockstore and never announced, so nobody can fetch the whole
 *   evidence (the checkpoints a client pinned during training do not make it whole). The client's
 *   check is `unavailable`, and so is every juror's fetch (docs/security.md, finding 16).
 */
import { logger } from '@libp2p/logger'
import { MerkleTree, wire, toHex } from '../../protocols/index.js'
import { CID } from 'multiformats/cid'
import { EvidenceWriter, unpinEvidence, type EvidenceStore, type Table } from '../../storage/index.js'
import { checkpointInput, profileRecord } from '../evidence/index.js'
import type { DeliveredWork, TrainingProgress } from '../job/index.js'
import type { PeerNode } from '../node/index.js'
import { Trainer, checkpointStateTensors, trainingSpecFromWire, type Checkpoint, type TrainingData, type TensorValues, type TrainingState } from '../train/index.js'
import { runWithEvidence, weightsBytes } from './training.js'

const log = logger('cyx:worker:faults')

export interface WorkerFaults {
  /** Stop the node once the first checkpoint of an awarded job is stored; never deliver. */
  readonly vanishAfterAward?: boolean
  /** Train only the first `honest` segments (clamped to all but one), fabricate the rest. */
  readonly fabricateSegments?: { readonly honest: number }
  /** After storing and reporting checkpoint `n` (1-based), halt as a process killed right then would:
   * train, store and send nothing more until the worker is stopped (`cyx sim --scenario crash` kills
   * it there and restarts it, without the fault, on the same dir and keys: it resumes from checkpoint n). */
  readonly crashAtCheckpoint?: number
  /** Deliver honestly, then stop serving the evidence (`withholdEvidence`). */
  readonly withholdEvidence?: boolean
}

/** What the training run of a faulty worker has at hand. */
export interface FaultyRunContext {
  readonly node: PeerNode
  readonly evidence: EvidenceStore
  readonly drafts: Table<Uint8Array>
  readonly spec: wire.TrainingSpec
  readonly dataset: TrainingData
  readonly progress: TrainingProgress
  /** Stops the run at the next segment boundary (the worker stopping, the session going away). */
  readonly signal?: AbortSignal
}

export class WorkerVanishedError extends Error {
  constructor () {
    super('the worker vanished (fault injected: vanishAfterAward)')
    this.name = 'WorkerVanishedError'
  }
}

/** The training run of a worker with `faults`: the honest one where no fault applies. */
export async function runWithFaults (faults: WorkerFaults, c: FaultyRunContext): Promise<DeliveredWork> {
  if (faults.vanishAfterAward === true) {
    const progress: TrainingProgress = {
      metrics: (m) => { c.progress.metrics(m) },
      checkpoint: (n) => {
        c.progress.checkpoint(n)
        // Not awaited: stopping the node ends this very session; the throw abandons the run.
        c.node.stop().catch((e: unknown) => { log.trace('stopping the vanishing node failed: %s', e instanceof Error ? e.message : e) })
        throw new WorkerVanishedError()
      }
    }
    return await runWithEvidence(c.evidence, c.drafts, c.spec, c.dataset, progress, c.signal)
  }
  if (faults.fabricateSegments !== undefined) return await fabricatedRun(c, faults.fabricateSegments.honest)
  if (faults.crashAtCheckpoint !== undefined) return await haltedRun(c, faults.crashAtCheckpoint)
  return await runWithEvidence(c.evidence, c.drafts, c.spec, c.dataset, c.progress, c.signal)
}

/** The run stops at the boundary after checkpoint `at` (stored: a resume starts from it) and then
 * waits, frozen, for the worker to stop or the session to go away. */
async function haltedRun (c: FaultyRunContext, at: number): Promise<DeliveredWork> {
  const halt = new AbortController()
  const signal = c.signal === undefined ? halt.signal : AbortSignal.any([c.signal, halt.signal])
  const progress: TrainingProgress = {
    metrics: (m) => { c.progress.metrics(m) },
    checkpoint: (n) => {
      c.progress.checkpoint(n)
      // Exactly at `at`: a run resumed past it (the rest of a job handed over to this worker) goes on.
      if (n.epoch === at) halt.abort(new Error(`the worker halted at checkpoint ${at} (fault injected: crashAtCheckpoint)`))
    }
  }
  try {
    return await runWithEvidence(c.evidence, c.drafts, c.spec, c.dataset, progress, signal)
  } catch (e) {
    const outer = c.signal
    if (!halt.signal.aborted || outer === undefined) throw e
    await new Promise<void>((resolve) => {
      if (outer.aborted) resolve()
      else outer.addEventListener('abort', () => { resolve() }, { once: true })
    })
    throw outer.reason instanceof Error ? outer.reason : e
  }
}

/** a + t·(b − a), element-wise, in the tensor's own type (integers rounded). */
function extrapolate (a: TensorValues, b: TensorValues, t: number): TensorValues {
  if (a instanceof Float32Array) return a.map((x, i) => x + t * ((b[i] as number) - x))
  return (a as Int32Array).map((x, i) => Math.round(x + t * ((b[i] as number) - x)))
}

async function fabricatedRun (c: FaultyRunContext, honestWanted: number): Promise<DeliveredWork> {
  const spec = trainingSpecFromWire(c.spec)
  const trainer = await Trainer.open(spec, c.dataset)
  try {
    const segments = trainer.schedule.segments
    const honest = Math.max(0, Math.min(Math.floor(honestWanted), segments.length - 1))
    const initial = trainer.initialState()
    const writer = await EvidenceWriter.begin(c.evidence, { spec: c.spec, profile: profileRecord(trainer.profile), initialState: checkpointStateTensors(initial) }, { drafts: c.drafts, runId: `${toHex(wire.specHash(c.spec))}.fabricated` })
    const chainHashes: Uint8Array[] = []
    const commit = async (checkpoint: Checkpoint): Promise<void> => {
      const record = await writer.appendCheckpoint(checkpointInput(checkpoint, Date.now()))
      chainHashes.push(record.chainHash)
      const m = checkpoint.metrics
      c.progress.metrics({ epoch: Math.min(c.spec.epochs, Math.floor(m.epoch)), totalEpochs: c.spec.epochs, step: m.step, loss: m.trainLoss, trainAccuracy: m.trainAccuracy, testAccuracy: m.testAccuracy })
      c.progress.checkpoint({ epoch: checkpoint.segment.index, chainHash: Uint8Array.from(record.chainHash), merkleRoot: Uint8Array.from(new MerkleTree(chainHashes).root), cid: '' })
    }
    let state: TrainingState = initial
    for (const segment of segments.slice(0, honest)) {
      c.signal?.throwIfAborted()
      const checkpoint = await trainer.runSegment(segment, state)
      state = checkpoint.state
      await commit(checkpoint)
    }
    const anchor = state
    for (const segment of segments.slice(honest)) {
      c.signal?.throwIfAborted()
      const end = segment.firstStep + segment.stepCount
      const parameters = honest === 0
        ? initial.parameters.map((p) => extrapolate(p, p.map(() => 0) as TensorValues, 0.05 * segment.index))
        : anchor.parameters.map((p, i) => extrapolate(initial.parameters[i] as TensorValues, p, 1 + (segment.index - honest) / honest))
      const test = await trainer.evaluateTest(parameters)
      state = { step: end, parameters, velocities: anchor.velocities.map((v) => v.slice()) }
      await commit({ segment, state, metrics: { segment: segment.index, step: end, epoch: end / trainer.schedule.stepsPerEpoch, trainLoss: test.loss, trainAccuracy: test.accuracy, testLoss: test.loss, testAccuracy: test.accuracy } })
    }
    const cid = await writer.seal()
    const manifest = writer.snapshot()
    const weights = weightsBytes(state)
    return {
      weights,
      delivery: {
        weightsHash: Uint8Array.from(wire.sha256(weights)),
        weightsBytes: BigInt(weights.byteLength),
        evidenceCid: cid.toString(),
        merkleRoot: Uint8Array.from(manifest.merkle?.root ?? new Uint8Array()),
        epochs: manifest.checkpoints.length,
        finalChainHash: Uint8Array.from(writer.head)
      }
    }
  } finally {
    await trainer.close()
  }
}

/**
 * The `withholdEvidence` fault, after the delivery is on-chain: the sealed evidence `cid`'s root
 * block is unpinned and deleted here, so this node no longer serves it (its checkpoints stay, as a
 * worker serving only part of its evidence would).
 */
export async function withholdEvidence (store: EvidenceStore & { readonly blockstore: { delete: (cid: CID) => Promise<void> | void } }, cid: string): Promise<void> {
  const root = CID.parse(cid)
  await unpinEvidence(store, root)
  await store.blockstore.delete(root)
  log('withholding the evidence %s: its root block is deleted here (fault injected: withholdEvidence)', cid)
}
