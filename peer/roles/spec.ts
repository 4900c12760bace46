/** The wire spec of a job the client builds from a request: the one place its defaults live. */
import { STEP_BATCH_ROWS, STEP_LAYERS, STEP_OPTIMIZER, stepData, stepDataCommitment } from '../../circuits/index.js'
import { wire, toHex } from '../../protocols/index.js'
import { loadDatasetById, trainingSchedule, trainingSpecFromWire, type Dataset } from '../train/index.js'
import { encodeDataset } from '../job/index.js'
import { checkEpochs } from './request.js'

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
   * checks within the on-chain challenge window; 'zk' — the exact Q16 mode on the model and
   * optimizer compiled into the `checkpoint_step` circuit (layers 16→4), on private batches bound to
   * the escrow's data commitment, so that the challenged step can be proved in Groth16 and checked by
   * the program. A zk request takes only `epochs` and `seed`: the dataset must have the circuit's shape
   * (16 features, 4 classes, 64 training rows in [-0.5, 0.5): `mnist-4x4` by default), read in its
   * stored order in batches of 8, one checkpoint per step, so an epoch is 8 steps and a job 1..4 epochs.
   */
  readonly tier?: 'optimistic' | 'zk'
}

export { ZK_DATASET_ID, ZK_MAX_EPOCHS, ZK_STEPS_PER_EPOCH } from './request.js'

/** The spec of training an MLP on `dataset`, and the dataset bytes the job protocol sends. */
export function jobSpec (dataset: Dataset, r: SpecRequest): { spec: wire.TrainingSpec, datasetBytes: Uint8Array } {
  const datasetBytes = encodeDataset(dataset)
  // The transferred bytes are what the content hash names: the worker checks the one against the other.
  const hash = wire.sha256(datasetBytes)
  if (toHex(hash) !== dataset.contentHash) throw new Error('internal: the dataset encoding does not hash to its content hash')
  if (r.tier === 'zk') {
    stepData(dataset) // a RangeError saying why, if the circuit cannot prove a step on this data
    if (r.hidden !== undefined || r.batchSize !== undefined || r.learningRateMicros !== undefined || r.momentumMicros !== undefined || r.stepsPerSegment !== undefined) {
      throw new RangeError('a zk-tier job\'s model, batch and optimizer are the step circuit\'s: give only epochs and seed')
    }
    // One leaf per step, ZK_STEPS_PER_EPOCH steps an epoch, at most the circuits' tree.
    checkEpochs('zk', r.epochs)
    const spec: wire.TrainingSpec = {
      layers: [...STEP_LAYERS],
      mode: wire.NumericMode.FIXED_POINT,
      fracBits: 16,
      datasetId: dataset.id,
      datasetHash: Uint8Array.from(hash),
      datasetBytes: BigInt(datasetBytes.byteLength),
      epochs: r.epochs,
      batchSize: STEP_BATCH_ROWS,
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
export function checkpointCount (spec: wire.TrainingSpec): number {
  // A client model's spec names its training rows; a built-in dataset is loaded by id.
  const trainRows = spec.clientModel !== undefined ? Number(spec.clientModel.trainRows) : loadDatasetById(spec.datasetId).train.count
  return trainingSchedule(trainingSpecFromWire(spec), trainRows).segments.length
}

/** The tier a spec names, as the roles speak of it. */
export const specTier = (spec: wire.TrainingSpec): 'optimistic' | 'zk' => spec.tier === wire.VerificationTier.TIER_ZK ? 'zk' : 'optimistic'

const dataCommitments = new Map<string, Uint8Array>()

/**
 * The zk tier's dataset commitment (the step circuit's public input `data`, 32 bytes big-endian):
 * the Poseidon Merkle root of the dataset's batch commitments. The client puts it in the escrow; the
 * worker recomputes it from the spec's dataset and refuses an escrow that commits to other data.
 * Throws a RangeError when the circuit cannot prove steps on this dataset. Memoised by content hash.
 */
export function zkDataCommitment (dataset: Dataset): Uint8Array {
  let c = dataCommitments.get(dataset.contentHash)
  if (c === undefined) {
    c = stepDataCommitment(stepData(dataset)).rootBytes
    dataCommitments.set(dataset.contentHash, c)
  }
  return Uint8Array.from(c)
}
