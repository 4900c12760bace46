/**
 * A worker's training run with its evidence: every checkpoint is hashed into the chain and stored in
 * Helia the moment its segment ends, so a crash loses nothing stored, and a restart resumes from the
 * last stored checkpoint and seals the same evidence an uninterrupted run would have.
 */
import { wire, toHex } from '../../protocols/index.js'
import {
  createPeerHelia,
  EvidenceWriter,
  loadCheckpointState,
  openPeerStore,
  type EvidenceStore,
  type Helia,
  type PeerStore,
  type Table
} from '../../storage/index.js'
import {
  checkpointStateTensors,
  train,
  trainingSchedule,
  trainingSpecFromWire,
  trainingStateFromTensors,
  stateLayoutOf,
  type TrainingData,
  type Checkpoint,
  type DeterminismProfile,
  type SegmentMetrics,
  type TrainingSpec,
  type TrainingState
} from '../train/index.js'
import { checkpointInput, claimedMetrics, datasetOfSpec, profileRecord, sameProfile, weightsHash } from './common.js'

/** One line of progress, after each segment's checkpoint is stored. */
export interface TrainProgress {
  /** Segment just stored (1-based) and the run's segment count. */
  readonly segment: number
  readonly segments: number
  /** The engine's metrics of the segment (epoch may be fractional when segments are shorter than an epoch). */
  readonly metrics: SegmentMetrics
  /** H_E, hex. */
  readonly chainHash: string
  /**
   * The CID of an interim manifest covering checkpoints 1..segment (marked incomplete), stored in the
   * same blockstore: a peer that fetches it during training holds the run so far (issue 17).
   */
  readonly manifestCid: string
}

export interface TrainWithEvidenceOptions {
  /** The job as it travels (its `wire.specHash` is the spec hash of the escrow and of the chain's genesis). */
  readonly wireSpec: wire.TrainingSpec
  /** The dataset the spec names (its hash is checked); default: loaded by id (mnist, spirals). */
  readonly dataset?: TrainingData
  /**
   * The peer's data dir: its peer store and an offline Helia node are opened for the run and closed
   * after. Give either `dir` or `peer`.
   */
  readonly dir?: string
  /** An already open store (e.g. a worker's running node with bitswap): used as is, not closed. */
  readonly peer?: { readonly helia: EvidenceStore, readonly drafts: Table<Uint8Array> }
  /** Called after each checkpoint is stored (and before the next segment starts). */
  readonly onProgress?: (progress: TrainProgress) => void
  /** t_E, the sealing time recorded for segment E (Unix milliseconds); default `Date.now()`. */
  readonly clock?: (segment: number) => number
  /**
   * Stops the run at the next segment boundary (before that segment's checkpoint is stored); the
   * draft stays for a later resume. The call then rejects with the signal's reason.
   */
  readonly signal?: AbortSignal
}

export interface TrainWithEvidenceResult {
  /** The evidence's root CID (the sealed, pinned manifest). */
  readonly evidenceCid: string
  /** `wire.specHash(wireSpec)`, hex. */
  readonly specHash: string
  /** Merkle root over H_1..H_N, hex. */
  readonly merkleRoot: string
  /** H_N, hex. */
  readonly chainHead: string
  /** `weightsHash(final)`, hex: SHA-256 of the canonical encoding of the final parameters. */
  readonly finalWeightsHash: string
  /** The last segment's metrics (train loss and accuracy, test loss and accuracy). */
  readonly metrics: SegmentMetrics
  readonly checkpoints: number
  /** Checkpoints found already stored when this call started (0: a fresh run). */
  readonly resumedFrom: number
  readonly profile: DeterminismProfile
  /** The engine's view of the spec and the final state (e.g. to export the inference model). */
  readonly spec: TrainingSpec
  readonly final: TrainingState
}

/** Rebuilds checkpoint `index` of a draft from the evidence it stored (state re-hashed on load). */
async function storedCheckpoint (helia: EvidenceStore, writer: EvidenceWriter, spec: TrainingSpec, dataset: TrainingData, index: number): Promise<Checkpoint> {
  const schedule = trainingSchedule(spec, dataset.train.count)
  const manifest = writer.snapshot()
  const segment = schedule.segments[index - 1]
  const record = manifest.checkpoints[index - 1]
  if (segment === undefined || record === undefined) throw new Error(`the stored run has checkpoint ${index}, the spec schedules ${schedule.segments.length}`)
  if (record.steps !== segment.firstStep + segment.stepCount) throw new Error(`stored checkpoint ${index} is at step ${record.steps}, the schedule says ${segment.firstStep + segment.stepCount}`)
  const tensors = await loadCheckpointState(helia, manifest, index, { offline: true })
  return { segment, state: trainingStateFromTensors(spec, record.steps, tensors, stateLayoutOf(spec, dataset)), metrics: claimedMetrics(manifest, index, schedule) }
}

/**
 * Trains `wireSpec` and stores its evidence; resumes the run's draft if one is stored (after a crash).
 * The draft is named by the spec hash, so the same spec in the same store always continues the same
 * run. Throws (leaving the draft for a later resume) when training or storage fails, and refuses to
 * resume a draft recorded under another determinism profile.
 */
export async function trainWithEvidence (options: TrainWithEvidenceOptions): Promise<TrainWithEvidenceResult> {
  const { wireSpec, onProgress } = options
  const clock = options.clock ?? (() => Date.now())
  const spec = trainingSpecFromWire(wireSpec)
  const specHash = toHex(wire.specHash(wireSpec))
  const dataset = options.dataset ?? datasetOfSpec(wireSpec)
  if ((options.dir === undefined) === (options.peer === undefined)) throw new TypeError('trainWithEvidence: give exactly one of dir and peer')

  let store: PeerStore | undefined
  let node: Helia | undefined
  let helia: EvidenceStore
  let drafts: Table<Uint8Array>
  if (options.peer !== undefined) {
    ({ helia, drafts } = options.peer)
  } else {
    store = await openPeerStore(options.dir as string)
    try {
      node = await createPeerHelia(store)
    } catch (err) {
      await store.close()
      throw err
    }
    helia = node
    drafts = store.evidenceDrafts
  }

  try {
    let writer = await EvidenceWriter.resume(helia, drafts, specHash)
    if (writer !== undefined && toHex(writer.snapshot().spec.hash) !== specHash) throw new Error(`the draft of run ${specHash} is for another spec`)
    const resumedFrom = writer?.checkpoints.length ?? 0
    const resumeFrom = writer !== undefined && resumedFrom > 0 ? await storedCheckpoint(helia, writer, spec, dataset, resumedFrom) : undefined
    const segments = trainingSchedule(spec, dataset.train.count).segments.length
    let last: Checkpoint | undefined = resumeFrom

    const run = await train(spec, dataset, {
      resumeFrom,
      keepCheckpoints: false,
      onStart: async ({ initial, profile }) => {
        if (writer === undefined) {
          // W_0 is stored too: a verifier re-executing segment 1 fetches it (and checks it is the seed's).
          writer = await EvidenceWriter.begin(helia, { spec: wireSpec, profile: profileRecord(profile), initialState: checkpointStateTensors(initial) }, { drafts, runId: specHash })
        } else if (!sameProfile(writer.snapshot().profile, profileRecord(profile))) {
          throw new Error(`cannot resume run ${specHash}: it was recorded under profile ${JSON.stringify(writer.snapshot().profile)}, this machine has ${JSON.stringify(profile)}`)
        }
      },
      onCheckpoint: async (checkpoint) => {
        options.signal?.throwIfAborted()
        const w = writer as EvidenceWriter
        const record = await w.appendCheckpoint(checkpointInput(checkpoint, clock(checkpoint.segment.index)))
        last = checkpoint
        const manifestCid = onProgress === undefined ? '' : (await w.writeManifest()).toString()
        onProgress?.({ segment: checkpoint.segment.index, segments, metrics: checkpoint.metrics, chainHash: toHex(record.chainHash), manifestCid })
      }
    })
    const w = writer as EvidenceWriter | undefined
    if (w === undefined || last === undefined) throw new Error('training produced no checkpoint')
    options.signal?.throwIfAborted()
    const cid = await w.seal()
    const manifest = w.snapshot()
    return {
      evidenceCid: cid.toString(),
      specHash,
      merkleRoot: toHex(manifest.merkle?.root ?? new Uint8Array()),
      chainHead: toHex(w.head),
      finalWeightsHash: toHex(weightsHash(run.final)),
      metrics: last.metrics,
      checkpoints: manifest.checkpoints.length,
      resumedFrom,
      profile: run.profile,
      spec,
      final: run.final
    }
  } finally {
    await node?.stop()
    await store?.close()
  }
}
