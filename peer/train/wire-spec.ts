/**
 * The job's spec as it travels (protocols/wire `TrainingSpec`, whose protobuf hash the escrow and
 * the checkpoint chain's genesis name) → the engine's `TrainingSpec`. The wire form is the source of
 * truth; this is the one place that reads it for training.
 */
import { wire, toHex } from '../../protocols/index.js'
import type { LossKind, LrSchedule, OptimizerKind, OptimizerSpec } from './autodiff/types.js'
import { Q16_FRACTION_BITS } from './fixed-point.js'
import { trainingSpec, type OnnxModelSpec, type TrainingSpec } from './spec.js'

const LOSS: Record<wire.LossKind, LossKind> = { [wire.LossKind.LOSS_CROSS_ENTROPY]: 'ce', [wire.LossKind.LOSS_MSE]: 'mse' }
const OPTIMIZER: Record<wire.OptimizerKind, OptimizerKind> = {
  [wire.OptimizerKind.OPTIMIZER_SGD]: 'sgd',
  [wire.OptimizerKind.OPTIMIZER_ADAM]: 'adam',
  [wire.OptimizerKind.OPTIMIZER_ADAMW]: 'adamw'
}

/** Integers (micros, picos) / powers of ten: one correctly rounded division, the same float64 everywhere. */
function clientModel (w: wire.TrainingSpec, cm: wire.ClientModel): { model: OnnxModelSpec, optimizer: OptimizerSpec } {
  const optimizer: OptimizerSpec = {
    kind: OPTIMIZER[cm.optimizer],
    learningRate: w.learningRateMicros / 1e6,
    momentum: w.momentumMicros / 1e6,
    weightDecay: cm.weightDecayMicros / 1e6,
    beta1: cm.beta1Micros / 1e6,
    beta2: cm.beta2Micros / 1e6,
    epsilon: cm.epsilonPicos / 1e12
  }
  const schedule: LrSchedule = cm.schedule === wire.ScheduleKind.SCHEDULE_STEP
    ? { kind: 'step', stepEpochs: cm.scheduleStepEpochs, gamma: cm.scheduleGammaMicros / 1e6 }
    : cm.schedule === wire.ScheduleKind.SCHEDULE_COSINE
      ? { kind: 'cosine', minLr: cm.minLearningRateMicros / 1e6 }
      : { kind: 'constant' }
  return {
    model: {
      kind: 'onnx',
      modelHash: toHex(cm.modelHash),
      stepGraphHash: toHex(cm.stepGraphHash),
      recipe: { loss: LOSS[cm.loss], optimizer: optimizer.kind, batchSize: w.batchSize },
      schedule
    },
    optimizer
  }
}

export function trainingSpecFromWire (w: wire.TrainingSpec): TrainingSpec {
  wire.validateTrainingSpec(w)
  if (w.mode === wire.NumericMode.FIXED_POINT && w.fracBits !== Q16_FRACTION_BITS) {
    throw new wire.WireError('INVALID_FIELD', `this engine trains fixed point with ${Q16_FRACTION_BITS} fraction bits (got ${w.fracBits})`, 'spec.fracBits')
  }
  if (w.seed > BigInt(Number.MAX_SAFE_INTEGER)) throw new wire.WireError('INVALID_FIELD', 'seeds above 2^53 are not supported by this engine', 'spec.seed')
  return trainingSpec({
    layers: w.layers,
    ...(w.clientModel === undefined ? {} : { client: clientModel(w, w.clientModel) }),
    // Micros / 10^6 is one correctly rounded division: the same float64 on every machine.
    learningRate: w.learningRateMicros / 1e6,
    momentum: w.momentumMicros / 1e6,
    batchSize: w.batchSize,
    epochs: w.epochs,
    seed: Number(w.seed),
    dataset: { id: w.datasetId, contentHash: toHex(w.datasetHash) },
    numeric: w.mode === wire.NumericMode.FIXED_POINT ? 'fixed-q16' : 'float32',
    backend: w.backend === wire.FloatBackend.BACKEND_PORTABLE ? 'portable' : 'native',
    segmentSteps: w.stepsPerSegment,
    // The zk tier's step circuit finds a step's batch in the committed data by its index.
    dataOrder: w.tier === wire.VerificationTier.TIER_ZK ? 'sequential' : 'shuffled'
  })
}
