// The training room's door: the worker's engine and the verifier's re-execution. Other code imports
// only from here.
export { trainingSpec, validateSpec, stepsPerEpoch, mlpLayers } from './spec.js'
export type { TrainingSpec, SpecInput, NumericMode, FloatBackend, DataOrderKind, MlpModelSpec, OnnxModelSpec, MlpOptimizer } from './spec.js'
export { parameterLayout, parameterCount, validateLayers } from './mlp.js'
export type { ParameterInfo, LayerSizes } from './mlp.js'
export { trainingSchedule, DataOrder } from './schedule.js'
export type { Segment, Schedule } from './schedule.js'
export { Trainer, train, reexecuteSegment, sameBits, checkpointStateTensors, trainingStateFromTensors, stateLayoutOf, createEngine, createClientModelEngine, splitAsBatch } from './trainer.js'
export type { Checkpoint, SegmentMetrics, TrainingRun, TrainOptions, TrainingStart, SegmentCheck, StateLayout } from './trainer.js'
export { clientModelData, isClientModelData, sha256Hex, TensorBatches, EVAL_CHUNK_ROWS } from './client-model.js'
export type { ClientModelData, TrainingData } from './client-model.js'
export { GraphTrainingEngine } from './engine-graph.js'
export type { TrainingState, TensorValues, Batch, TrainingEngine, StepResult, EvaluationResult } from './engine.js'
export { OrtTrainingEngine } from './engine-ort.js'
export { FixedPointEngine, FixedPointRangeError, Q16_ONE, Q16_FRACTION_BITS, FIXED_POINT_ALGORITHM_VERSION, floorDiv, expQ16, toQ16 } from './fixed-point.js'
export { canReproduce, detectCpuClass, cpuClassFromCpuinfo } from './profile.js'
export type { DeterminismProfile, ReproducibilityVerdict, RuntimeName, ComputeBackend } from './profile.js'
export { initialParameters } from './init.js'
export { prngStream, permutation, Xoshiro128StarStar, splitMix64, streamSeed } from './prng.js'
export {
  loadDatasetById,
  loadVerifiedDataset,
  loadMnist,
  loadMnist4x4,
  generateSpirals,
  SPIRALS_DEFAULT,
  assertDatasetHash,
  datasetContentHash,
  makeDataset,
  DatasetHashMismatchError,
  DATASET_IDS
} from './datasets/index.js'
export type { Dataset, DatasetSplit, DatasetId, SpiralsParams } from './datasets/index.js'
export { buildTrainingStepModel, buildEvaluationModel, buildInferenceModel, StepNames } from './graphs.js'
export { exportInferenceModel, evaluateInferenceModel } from './inference.js'
export { referenceStep } from './reference-step.js'
export type { ReferenceStepResult } from './reference-step.js'
export { trainingSpecFromWire } from './wire-spec.js'
export { prepareClientModelJob, trainingFlops, CLIENT_DATASET_ID } from './prepare.js'
export type { ClientModelRequest, PreparedClientModel, ScheduleRequest } from './prepare.js'
export { writeTrainedModel, checkModel, assertModelSupported, formatModelReport, ModelCheckError } from './model/index.js'
export type { ModelReport } from './model/index.js'
export { loadDataset, checkDataset, checkDatasetForModel, DatasetError } from './data/index.js'
export type { TensorDataset, LoadDatasetOptions } from './data/index.js'
export { trainedModelFile, evaluateModelFile, EVALUATE_CHUNK_ROWS, type ModelEvaluation } from './trained-model.js'
