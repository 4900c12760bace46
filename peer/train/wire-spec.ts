/**
 * The job's spec as it travels (protocols/wire `TrainingSpec`, whose protobuf hash the escrow and
 * the checkpoint chain's genesis name) → the engine's `TrainingSpec`. The wire form is the source of
 * truth; this is the one place that reads it for training.
 */
import { wire } from '../../protocols/index.js'
import { Q16_FRACTION_BITS } from './fixed-point.js'
import { trainingSpec, type TrainingSpec } from './spec.js'

export function trainingSpecFromWire (w: wire.TrainingSpec): TrainingSpec {
  wire.validateTrainingSpec(w)
  if (w.mode === wire.NumericMode.FIXED_POINT && w.fracBits !== Q16_FRACTION_BITS) {
    throw new wire.WireError('INVALID_FIELD', `this engine trains fixed point with ${Q16_FRACTION_BITS} fraction bits (got ${w.fracBits})`, 'spec.fracBits')
  }
  if (w.seed > BigInt(Number.MAX_SAFE_INTEGER)) throw new wire.WireError('INVALID_FIELD', 'seeds above 2^53 are not supported by this engine', 'spec.seed')
  return trainingSpec({
    layers: w.layers,
    // Micros / 10^6 is one correctly rounded division: the same float64 on every machine.
    learningRate: w.learningRateMicros / 1e6,
    momentum: w.momentumMicros / 1e6,
    batchSize: w.batchSize,
    epochs: w.epochs,
    seed: Number(w.seed),
    dataset: { id: w.datasetId, contentHash: Buffer.from(w.datasetHash).toString('hex') },
    numeric: w.mode === wire.NumericMode.FIXED_POINT ? 'fixed-q16' : 'float32',
    backend: w.backend === wire.FloatBackend.BACKEND_PORTABLE ? 'portable' : 'native',
    segmentSteps: w.stepsPerSegment,
    // The zk tier's step circuit finds a step's batch in the committed data by its index.
    dataOrder: w.tier === wire.VerificationTier.TIER_ZK ? 'sequential' : 'shuffled'
  })
}
