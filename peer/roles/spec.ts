/** The wire spec of a job the client builds from a request: the one place its defaults live. */
import { wire } from '../../protocols/index.js'
import type { Dataset } from '../train/index.js'
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
}

/** The spec of training an MLP on `dataset`, and the dataset bytes the job protocol sends. */
export function jobSpec (dataset: Dataset, r: SpecRequest): { spec: wire.TrainingSpec, datasetBytes: Uint8Array } {
  const datasetBytes = encodeDataset(dataset)
  // The transferred bytes are what the content hash names: the worker checks the one against the other.
  const hash = wire.sha256(datasetBytes)
  if (Buffer.from(hash).toString('hex') !== dataset.contentHash) throw new Error('internal: the dataset encoding does not hash to its content hash')
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
