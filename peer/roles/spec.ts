/** The wire spec of a job the client builds from a request: the one place its defaults live. */
import { CHECKPOINT_TREE_MAX_LEAVES, STEP_LAYERS, STEP_OPTIMIZER } from '../../circuits/index.js'
import { wire } from '../../protocols/index.js'
import { loadDatasetById, trainingSchedule, trainingSpecFromWire, type Dataset } from '../train/index.js'
import { encodeDataset } from '../job/index.js'

export interface SpecRequest {
  readonly epochs: number
  /** Hidden layer sizes between the dataset's features and classes (default [32]). */
  readonly hidden?: readonly number[]
  readonly batchSize?: number
  readonly learningRateMicros?: number
  readonly momentumMicros?: number
  readonly seed?: bigint
  readonly stepsPerSegment?: number
  /**
   * How the work is verified (issue #7): 'optimistic' (default) — float training, re-execution spot
   * checks within the on-chain challenge window; 'zk' — the exact Q16 mode on the model, data and
   * optimizer compiled into the `checkpoint_step` circuit (dataset `zk-step`, layers 4→3, full batch,
   * one checkpoint per step), so that the challenged step can be proved in Groth16 and checked by the
   * program. A zk request takes only `epochs` (= steps = checkpoints) and `seed`.
   */
  readonly tier?: 'optimistic' | 'zk'
}

/** The dataset a zk-tier job trains on: the one compiled into the step circuit. */
export const ZK_DATASET_ID = 'zk-step'

/** The spec of training an MLP on `dataset`, and the dataset bytes the job protocol sends. */
export function jobSpec (dataset: Dataset, r: SpecRequest): { spec: wire.TrainingSpec, datasetBytes: Uint8Array } {
  const datasetBytes = encodeDataset(dataset)
  // The transferred bytes are what the content hash names: the worker checks the one against the other.
  const hash = wire.sha256(datasetBytes)
  if (Buffer.from(hash).toString('hex') !== dataset.contentHash) throw new Error('internal: the dataset encoding does not hash to its content hash')
  if (r.tier === 'zk') {
    if (dataset.id !== ZK_DATASET_ID) throw new RangeError(`a zk-tier job trains on the step circuit's dataset ${ZK_DATASET_ID} (got ${dataset.id})`)
    if (r.hidden !== undefined || r.batchSize !== undefined || r.learningRateMicros !== undefined || r.momentumMicros !== undefined || r.stepsPerSegment !== undefined) {
      throw new RangeError('a zk-tier job\'s model, batch and optimizer are the step circuit\'s: give only epochs and seed')
    }
    // One leaf per step: at least two (a step proves k → k+1), at most the circuits' tree.
    if (!Number.isInteger(r.epochs) || r.epochs < 2 || r.epochs > CHECKPOINT_TREE_MAX_LEAVES) throw new RangeError(`a zk-tier job has 2..${CHECKPOINT_TREE_MAX_LEAVES} steps (got ${r.epochs})`)
    const spec: wire.TrainingSpec = {
      layers: [...STEP_LAYERS],
      mode: wire.NumericMode.FIXED_POINT,
      fracBits: 16,
      datasetId: dataset.id,
      datasetHash: Uint8Array.from(hash),
      datasetBytes: BigInt(datasetBytes.byteLength),
      epochs: r.epochs,
      batchSize: dataset.train.count,
      learningRateMicros: Math.round(STEP_OPTIMIZER.learningRate * 1e6),
      momentumMicros: Math.round(STEP_OPTIMIZER.momentum * 1e6),
      seed: r.seed ?? 1n,
      tier: wire.VerificationTier.TIER_ZK,
      stepsPerSegment: 1,
      backend: wire.FloatBackend.BACKEND_NATIVE
    }
    wire.validateTrainingSpec(spec)
    return { spec, datasetBytes }
  }
  const spec: wire.TrainingSpec = {
    layers: [dataset.featureCount, ...(r.hidden ?? [32]), dataset.classCount],
    mode: wire.NumericMode.FLOAT32,
    fracBits: 0,
    datasetId: dataset.id,
    datasetHash: Uint8Array.from(hash),
    datasetBytes: BigInt(datasetBytes.byteLength),
    epochs: r.epochs,
    batchSize: r.batchSize ?? 32,
    learningRateMicros: r.learningRateMicros ?? 50_000,
    momentumMicros: r.momentumMicros ?? 900_000,
    seed: r.seed ?? 1n,
    tier: wire.VerificationTier.TIER_OPTIMISTIC,
    stepsPerSegment: r.stepsPerSegment ?? 0,
    backend: wire.FloatBackend.BACKEND_NATIVE
  }
  wire.validateTrainingSpec(spec)
  return { spec, datasetBytes }
}

/**
 * Checkpoints a run of `spec` seals (its segment count): the leaves of the anchored root, which
 * the escrow's `epochs_total` must equal for the final-leaf check on-chain.
 */
export function checkpointCount (spec: wire.TrainingSpec, dataset: Dataset = loadDatasetById(spec.datasetId)): number {
  return trainingSchedule(trainingSpecFromWire(spec), dataset.train.count).segments.length
}

/** The tier a spec names, as the roles speak of it. */
export const specTier = (spec: wire.TrainingSpec): 'optimistic' | 'zk' => spec.tier === wire.VerificationTier.TIER_ZK ? 'zk' : 'optimistic'
