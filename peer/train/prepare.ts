// Bring your own model, on the client's side: from a model file, a data file and a training recipe
// to a checked job spec, BEFORE anything is spent. Every command that takes `--model/--data`
// (`cyx train`, `cyx client submit`, `cyx sim`) goes through `prepareClientModelJob`, so they refuse
// the same inputs with the same messages:
//   1. the model: decoded and checked (`assertModelSupported`: ops, opset, shapes, external data);
//   2. the data: loaded and checked (`checkDataset`: shapes, dtypes, NaN/Inf, label range, limits),
//      then against the model (`checkDatasetForModel`: sample shape vs input, classes vs output);
//   3. the training-step graph derived (its hash goes in the spec, a verifier rebuilds it);
//   4. the content addresses: the model file and the dataset's canonical form, stored in `blocks`
//      when given (the client's Helia, from which a worker fetches them over bitswap).
// Numbers travel as integers (micros, picos) so the spec's hash is canonical; wire-spec.ts turns them
// back into the engine's floats with one division each.
import { readFile, stat } from 'node:fs/promises'
import type { CID } from 'multiformats/cid'
import { MODEL_LIMITS, wire, fromHex } from '../../protocols/index.js'
import { blobRootFor, datasetRootFor, putBlob, putDataset, type BlockAccess } from '../../storage/index.js'
import { buildStepGraph } from './autodiff/step-graph.js'
import type { LossKind, OptimizerKind, StepGraph } from './autodiff/types.js'
import { clientModelData, type ClientModelData } from './client-model.js'
import { checkDataset, checkDatasetForModel, loadDataset, type LoadDatasetOptions, type TensorDataset } from './data/index.js'
import { assertModelSupported, type ModelReport } from './model/index.js'
import { decodeModel } from './onnx/decode.js'

export type ScheduleRequest =
  | { readonly kind: 'constant' }
  | { readonly kind: 'step', readonly stepEpochs: number, readonly gammaMicros: number }
  | { readonly kind: 'cosine', readonly minLearningRateMicros: number }

/** What a client asks for. Defaults: ce, adam (lr 0.001), batch 32, constant schedule, seed 1. */
export interface ClientModelRequest {
  readonly modelPath: string
  readonly dataPath: string
  readonly data?: LoadDatasetOptions
  readonly loss?: LossKind
  readonly optimizer?: OptimizerKind
  readonly learningRateMicros?: number
  /** sgd only (default 0.9 for sgd). */
  readonly momentumMicros?: number
  readonly weightDecayMicros?: number
  readonly beta1Micros?: number
  readonly beta2Micros?: number
  readonly epsilonPicos?: number
  readonly schedule?: ScheduleRequest
  readonly batchSize?: number
  readonly epochs: number
  readonly seed?: bigint
  /** Steps per checkpoint segment (0 = one epoch). */
  readonly stepsPerSegment?: number
}

export interface PreparedClientModel {
  readonly model: Uint8Array
  readonly report: ModelReport
  readonly dataset: TensorDataset
  readonly stepGraph: StepGraph
  readonly modelCid: CID
  readonly datasetCid: CID
  /** The job's wire spec (validated). */
  readonly spec: wire.TrainingSpec
  /** The model and data as the trainer takes them. */
  readonly data: ClientModelData
}

/** The spec's dataset id for a client's own data (the hashes name the bytes; the id is a label). */
export const CLIENT_DATASET_ID = 'client'

const LOSS: Record<LossKind, wire.LossKind> = { ce: wire.LossKind.LOSS_CROSS_ENTROPY, mse: wire.LossKind.LOSS_MSE }
const OPTIMIZER: Record<OptimizerKind, wire.OptimizerKind> = { sgd: wire.OptimizerKind.OPTIMIZER_SGD, adam: wire.OptimizerKind.OPTIMIZER_ADAM, adamw: wire.OptimizerKind.OPTIMIZER_ADAMW }

/** The model file's bytes, bounded before reading. */
async function readModel (path: string): Promise<Uint8Array> {
  let size: number
  try {
    size = (await stat(path)).size
  } catch {
    throw new Error(`${path}: no such model file; give an ONNX file exported with torch.onnx.export`)
  }
  if (size > MODEL_LIMITS.maxBytes) throw new Error(`${path}: ${size} bytes is over the model limit of ${MODEL_LIMITS.maxBytes} bytes`)
  return new Uint8Array(await readFile(path))
}

/** Checks everything and builds the spec; stores the model and the dataset in `blocks` when given. */
export async function prepareClientModelJob (r: ClientModelRequest, blocks?: BlockAccess): Promise<PreparedClientModel> {
  const loss = r.loss ?? 'ce'
  const optimizer = r.optimizer ?? 'adam'
  const batchSize = r.batchSize ?? 32
  const model = await readModel(r.modelPath)
  const report = assertModelSupported(model, r.modelPath, { batch: batchSize })
  const dataset = await loadDataset(r.dataPath, r.data)
  checkDataset(dataset)
  const input = report.inputs[0]
  const output = report.outputs[0]
  if (input === undefined || output === undefined) throw new Error(`${r.modelPath}: the model needs one data input and one output`)
  checkDatasetForModel(dataset, { shape: input.dims }, { shape: output.dims }, loss)
  const stepGraph = buildStepGraph(decodeModel(model), model, { loss, optimizer, batchSize })

  const modelRef = blocks === undefined ? await blobRootFor(model) : await putBlob(blocks, model)
  const datasetRef = blocks === undefined ? await datasetRootFor(dataset) : await putDataset(blocks, dataset)
  const adam = optimizer !== 'sgd'
  const schedule = r.schedule ?? { kind: 'constant' }
  const clientModel: wire.ClientModel = {
    modelHash: fromHex(modelRef.sha256, { what: 'model sha256', bytes: 32 }),
    modelCid: modelRef.root.toString(),
    modelBytes: BigInt(model.byteLength),
    stepGraphHash: fromHex(stepGraph.hash, { what: 'step graph hash', bytes: 32 }),
    datasetCid: datasetRef.root.toString(),
    loss: LOSS[loss],
    optimizer: OPTIMIZER[optimizer],
    weightDecayMicros: r.weightDecayMicros ?? 0,
    beta1Micros: adam ? (r.beta1Micros ?? 900_000) : 0,
    beta2Micros: adam ? (r.beta2Micros ?? 999_000) : 0,
    epsilonPicos: adam ? (r.epsilonPicos ?? 10_000) : 0,
    schedule: schedule.kind === 'step' ? wire.ScheduleKind.SCHEDULE_STEP : schedule.kind === 'cosine' ? wire.ScheduleKind.SCHEDULE_COSINE : wire.ScheduleKind.SCHEDULE_CONSTANT,
    scheduleStepEpochs: schedule.kind === 'step' ? schedule.stepEpochs : 0,
    scheduleGammaMicros: schedule.kind === 'step' ? schedule.gammaMicros : 0,
    minLearningRateMicros: schedule.kind === 'cosine' ? schedule.minLearningRateMicros : 0,
    trainRows: BigInt(dataset.train.count),
    flopsPerSample: BigInt(Math.round(report.flopsPerSample)),
    batchMemoryBytes: BigInt(Math.round(report.memory.totalBytes))
  }
  const spec: wire.TrainingSpec = {
    layers: [],
    mode: wire.NumericMode.FLOAT32,
    fracBits: 0,
    datasetId: CLIENT_DATASET_ID,
    datasetHash: fromHex(datasetRef.sha256, { what: 'dataset sha256', bytes: 32 }),
    datasetBytes: BigInt(datasetRef.bytes),
    epochs: r.epochs,
    batchSize,
    learningRateMicros: r.learningRateMicros ?? (adam ? 1_000 : 10_000),
    momentumMicros: optimizer === 'sgd' ? (r.momentumMicros ?? 900_000) : 0,
    seed: r.seed ?? 1n,
    tier: wire.VerificationTier.TIER_OPTIMISTIC,
    stepsPerSegment: r.stepsPerSegment ?? 0,
    backend: wire.FloatBackend.BACKEND_NATIVE,
    clientModel
  }
  wire.validateTrainingSpec(spec)
  return {
    model,
    report,
    dataset,
    stepGraph,
    modelCid: modelRef.root,
    datasetCid: datasetRef.root,
    spec,
    data: clientModelData(CLIENT_DATASET_ID, model, dataset, datasetRef.sha256)
  }
}

/**
 * The estimated compute of a job, for its quote: FLOPs per sample × 3 (forward and backward) ×
 * training rows × epochs, plus one forward pass over the test split per segment (not counted: small).
 */
export function trainingFlops (report: ModelReport, trainRows: number, epochs: number): number {
  return report.flopsPerSample * 3 * trainRows * epochs
}
