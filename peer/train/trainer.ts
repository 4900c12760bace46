// The deterministic training loop: a TrainingSpec and the dataset it names → a chain of checkpoints,
// one per Segment. Any single segment can be re-executed from the checkpoint before it, which is what a
// verifier's spot check does.
import type { StateTensor } from '../../protocols/index.js'
import { assertDatasetHash, type Dataset, type DatasetSplit } from './datasets/index.js'
import type { Batch, TensorValues, TrainingEngine, TrainingState } from './engine.js'
import { OrtTrainingEngine } from './engine-ort.js'
import { FixedPointEngine } from './fixed-point.js'
import { initialParameters } from './init.js'
import { canReproduce, type DeterminismProfile } from './profile.js'
import { DataOrder, trainingSchedule, type Schedule, type Segment } from './schedule.js'
import { mlpLayers, validateSpec, type MlpOptimizer, type TrainingSpec } from './spec.js'
import { parameterLayout } from './mlp.js'
import { GraphTrainingEngine } from './engine-graph.js'
import { buildStepGraph } from './autodiff/step-graph.js'
import type { StepGraph } from './autodiff/types.js'
import { decodeModel } from './onnx/decode.js'
import { isClientModelData, sha256Hex, TensorBatches, type ClientModelData, type TrainingData } from './client-model.js'

/** What a segment produced, besides the weights. All derived deterministically from the bits. */
export interface SegmentMetrics {
  readonly segment: number
  /** Global steps done at the end of the segment. */
  readonly step: number
  /** Epochs done at the end of the segment (fractional when segments are shorter than an epoch). */
  readonly epoch: number
  /** Mean over the segment's rows of each step's pre-update batch loss. */
  readonly trainLoss: number
  /** Fraction of the segment's rows predicted right before their step's update. */
  readonly trainAccuracy: number
  /** Mean loss over the test split with the segment's final weights. */
  readonly testLoss: number
  readonly testAccuracy: number
}

/** The state after segment `segment.index` and its metrics: what a checkpoint chain hashes. */
export interface Checkpoint {
  readonly segment: Segment
  readonly state: TrainingState
  readonly metrics: SegmentMetrics
}

export interface TrainingRun {
  readonly spec: TrainingSpec
  readonly profile: DeterminismProfile
  readonly schedule: Schedule
  readonly initial: TrainingState
  /** Every checkpoint produced in this run (only the last when keepCheckpoints is false). */
  readonly checkpoints: readonly Checkpoint[]
  readonly final: TrainingState
}

export async function createEngine(spec: TrainingSpec): Promise<TrainingEngine> {
  const optimizer = spec.optimizer as MlpOptimizer // validateSpec: the MLP trains with sgd-momentum
  if (spec.numeric === 'fixed-q16') return FixedPointEngine.create(mlpLayers(spec), optimizer)
  return OrtTrainingEngine.create(mlpLayers(spec), optimizer, spec.backend)
}

/**
 * The engine of a client-model job: the step graph derived from the client's file, refused unless the
 * file and the derived graph hash to what the spec names (a verifier rebuilds the very same graph).
 */
export async function createClientModelEngine(spec: TrainingSpec, data: ClientModelData, trainCount: number): Promise<GraphTrainingEngine> {
  if (spec.model.kind !== 'onnx') throw new Error('createClientModelEngine: the spec trains the built-in MLP')
  if (spec.optimizer.kind === 'sgd-momentum') throw new Error('createClientModelEngine: a client model names sgd, adam or adamw')
  if (spec.backend !== 'native') throw new Error('a client model trains on the native onnxruntime backend only')
  const modelHash = sha256Hex(data.model)
  if (modelHash !== spec.model.modelHash) throw new Error(`the model file hashes to ${modelHash}, the spec names ${spec.model.modelHash}`)
  const schedule = trainingSchedule(spec, trainCount)
  const engine = await GraphTrainingEngine.create(data.model, spec.model.recipe, spec.optimizer, spec.model.schedule, spec.seed, { stepsPerEpoch: schedule.stepsPerEpoch, totalSteps: schedule.totalSteps })
  if (engine.graph.hash !== spec.model.stepGraphHash) {
    await engine.close()
    throw new Error(`the derived step graph hashes to ${engine.graph.hash}, the spec names ${spec.model.stepGraphHash} (another autodiff version?)`)
  }
  return engine
}

function oneHot(labels: Uint8Array, classes: number, out: Float32Array = new Float32Array(labels.length * classes)): Float32Array {
  out.fill(0)
  labels.forEach((c, r) => {
    out[r * classes + c] = 1
  })
  return out
}

export function splitAsBatch(split: DatasetSplit, classCount: number): Batch {
  return { rows: split.count, features: split.features, targets: oneHot(split.labels, classCount), labels: split.labels }
}

/** Gathers the rows of a step into reusable buffers (one set per batch length). */
class BatchAssembler {
  private readonly buffers = new Map<number, { features: Float32Array; targets: Float32Array; labels: Uint8Array }>()

  constructor(private readonly dataset: Dataset) {}

  assemble(rows: Uint32Array): Batch {
    const { featureCount: width, classCount: classes, train } = this.dataset
    let buf = this.buffers.get(rows.length)
    if (!buf) {
      buf = { features: new Float32Array(rows.length * width), targets: new Float32Array(rows.length * classes), labels: new Uint8Array(rows.length) }
      this.buffers.set(rows.length, buf)
    }
    rows.forEach((row, i) => {
      buf.features.set(train.features.subarray(row * width, (row + 1) * width), i * width)
      buf.labels[i] = train.labels[row] as number
    })
    oneHot(buf.labels, classes, buf.targets)
    return { rows: rows.length, ...buf }
  }
}

/** What the trainer reads batches from: the built-in dataset, or a client's TensorDataset. */
interface BatchSource {
  assemble(rows: Uint32Array): Batch
  /** The test split, as one batch (MLP) or in fixed chunks (client model). */
  testBatches(): Iterable<Batch>
}

function batchSource(data: TrainingData): BatchSource {
  if (isClientModelData(data)) {
    const batches = new TensorBatches(data.dataset)
    return { assemble: (rows) => batches.assemble(rows), testBatches: () => batches.testChunks() }
  }
  const assembler = new BatchAssembler(data)
  const test = splitAsBatch(data.test, data.classCount)
  return { assemble: (rows) => assembler.assemble(rows), testBatches: () => [test] }
}

/**
 * A spec bound to its data and an engine. Open one with `Trainer.open`, run segments, close it.
 * The trainer refuses data whose content hash is not the spec's.
 */
export class Trainer {
  readonly schedule: Schedule
  private readonly order: DataOrder
  private readonly batches: BatchSource

  private constructor(
    readonly spec: TrainingSpec,
    readonly dataset: TrainingData,
    readonly engine: TrainingEngine
  ) {
    this.schedule = trainingSchedule(spec, dataset.train.count)
    this.order = new DataOrder(spec.seed, dataset.train.count, spec.batchSize, this.schedule.stepsPerEpoch, spec.dataOrder)
    this.batches = batchSource(dataset)
  }

  static async open(spec: TrainingSpec, data: TrainingData): Promise<Trainer> {
    validateSpec(spec)
    if (data.id !== spec.dataset.id) throw new Error(`spec names dataset ${spec.dataset.id}, got ${data.id}`)
    if (isClientModelData(data)) {
      if (data.contentHash !== spec.dataset.contentHash) throw new Error(`dataset ${data.id}: content hash ${data.contentHash} does not match the spec's ${spec.dataset.contentHash}`)
      return new Trainer(spec, data, await createClientModelEngine(spec, data, data.train.count))
    }
    if (spec.model.kind !== 'mlp') throw new Error('the spec trains a client model: open it with the client\'s model and dataset')
    assertDatasetHash(data, spec.dataset.contentHash)
    const layers = mlpLayers(spec)
    if (layers[0] !== data.featureCount) throw new Error(`input layer ${layers[0]} ≠ ${data.featureCount} features of ${data.id}`)
    if (layers[layers.length - 1] !== data.classCount) throw new Error(`output layer ${layers[layers.length - 1]} ≠ ${data.classCount} classes of ${data.id}`)
    return new Trainer(spec, data, await createEngine(spec))
  }

  get profile(): DeterminismProfile {
    return this.engine.profile
  }

  /** The tensors a checkpoint of this job holds (evidence states are read back against it). */
  get stateLayout(): StateLayout {
    // A client model's engine holds the derived graph already: no second derivation.
    return this.engine instanceof GraphTrainingEngine ? layoutOfGraph(this.engine.graph) : stateLayoutOf(this.spec, this.dataset)
  }

  /** W_0: the MLP's parameters from the seed (see init.ts), or the client model's own initializers; zero optimizer state. */
  initialState(): TrainingState {
    const floats = this.engine instanceof GraphTrainingEngine ? this.engine.initialParameters() : initialParameters(mlpLayers(this.spec), this.spec.seed)
    return { step: 0, parameters: this.engine.encodeParameters(floats), velocities: this.engine.zeroVelocities() }
  }

  segment(index: number): Segment {
    const s = this.schedule.segments[index - 1]
    if (!s) throw new Error(`segment ${index} does not exist (1..${this.schedule.segments.length})`)
    return s
  }

  /** Run one segment from the state before it. Deterministic: same inputs, same bits. */
  async runSegment(segment: Segment, before: TrainingState): Promise<Checkpoint> {
    if (before.step !== segment.firstStep) throw new Error(`segment ${segment.index} starts at step ${segment.firstStep}, the state is at step ${before.step}`)
    let parameters: readonly TensorValues[] = before.parameters
    let velocities: readonly TensorValues[] = before.velocities
    let lossSum = 0
    let correct = 0
    let rows = 0
    const end = segment.firstStep + segment.stepCount
    for (let s = segment.firstStep; s < end; s++) {
      const batch = this.batches.assemble(this.order.rowsOfStep(s))
      const result = await this.engine.step(parameters, velocities, batch, { step: s })
      parameters = result.parameters
      velocities = result.velocities
      lossSum += result.loss * batch.rows
      correct += result.correct
      rows += batch.rows
    }
    const test = await this.evaluateTestSplit(parameters)
    const metrics: SegmentMetrics = {
      segment: segment.index,
      step: end,
      epoch: end / this.schedule.stepsPerEpoch,
      trainLoss: lossSum / rows,
      trainAccuracy: correct / rows,
      testLoss: test.lossSum / test.rows,
      testAccuracy: test.correct / test.rows
    }
    // Copies: a checkpoint must never alias a buffer an engine might reuse (wasm heaps, pooled outputs).
    return { segment, state: { step: end, parameters: parameters.map((t) => t.slice()), velocities: velocities.map((t) => t.slice()) }, metrics }
  }

  /** Σ loss, correct rows and rows over the test split (chunk sums added in order: the same bits every run). */
  private async evaluateTestSplit(parameters: readonly TensorValues[]): Promise<{ lossSum: number; correct: number; rows: number }> {
    let lossSum = 0
    let correct = 0
    let rows = 0
    for (const batch of this.batches.testBatches()) {
      const r = await this.engine.evaluate(parameters, batch)
      lossSum += r.lossSum
      correct += r.correct
      rows += r.rows
    }
    return { lossSum, correct, rows }
  }

  /** Accuracy and mean loss of some parameters on the test split. */
  async evaluateTest(parameters: readonly TensorValues[]): Promise<{ accuracy: number; loss: number; correct: number; rows: number }> {
    const r = await this.evaluateTestSplit(parameters)
    return { accuracy: r.correct / r.rows, loss: r.lossSum / r.rows, correct: r.correct, rows: r.rows }
  }

  /** Float32 parameters, e.g. to export an inference model. */
  floatParameters(state: TrainingState): Float32Array[] {
    return this.engine.decodeParameters(state.parameters)
  }

  async close(): Promise<void> {
    await this.engine.close()
  }
}

/** What `train` knows once its engine is open, before the first segment. */
export interface TrainingStart {
  /** W_0 from the seed (also when resuming: it is the run's initial state either way). */
  readonly initial: TrainingState
  readonly profile: DeterminismProfile
  readonly schedule: Schedule
}

export interface TrainOptions {
  /** Called once before the first segment runs (e.g. to store W_0 and the profile); may throw to stop. */
  onStart?: (start: TrainingStart) => void | Promise<void>
  /** Called after every segment, in order (stream metrics, hash and store the checkpoint). */
  onCheckpoint?: (checkpoint: Checkpoint) => void | Promise<void>
  /** Continue after this checkpoint (its state must be the one the chain recorded). */
  resumeFrom?: Checkpoint
  /** Keep every checkpoint in the result (default true); false keeps only the last. */
  keepCheckpoints?: boolean
}

/** Train a spec to the end (or from a checkpoint to the end). */
export async function train(spec: TrainingSpec, dataset: TrainingData, options: TrainOptions = {}): Promise<TrainingRun> {
  const trainer = await Trainer.open(spec, dataset)
  try {
    const initial = trainer.initialState()
    let state = options.resumeFrom?.state ?? initial
    const firstIndex = (options.resumeFrom?.segment.index ?? 0) + 1
    await options.onStart?.({ initial, profile: trainer.profile, schedule: trainer.schedule })
    const checkpoints: Checkpoint[] = []
    for (const segment of trainer.schedule.segments.slice(firstIndex - 1)) {
      const checkpoint = await trainer.runSegment(segment, state)
      state = checkpoint.state
      if (options.keepCheckpoints === false) checkpoints.splice(0, checkpoints.length)
      checkpoints.push(checkpoint)
      await options.onCheckpoint?.(checkpoint)
    }
    return { spec, profile: trainer.profile, schedule: trainer.schedule, initial, checkpoints, final: state }
  } finally {
    await trainer.close()
  }
}

/**
 * The training state as the checkpoint chain (protocols/proof) encodes it: every parameter in the
 * canonical order (W1, b1, W2, ...), then every velocity in the same order.
 */
export function checkpointStateTensors(state: TrainingState): StateTensor[] {
  return [...state.parameters, ...state.velocities].map((data) =>
    data instanceof Float32Array ? { dtype: 'float32' as const, data } : { dtype: 'int32' as const, data }
  )
}

/** The tensors of a training state: model parameters, then optimizer state, each with a name and a length. */
export interface StateLayout {
  readonly parameters: readonly { readonly name: string; readonly size: number }[]
  readonly slots: readonly { readonly name: string; readonly size: number }[]
}

const stateLayouts = new Map<string, StateLayout>()

const sized = (t: { name: string; dims: readonly number[] }): { name: string; size: number } => ({ name: t.name, size: t.dims.reduce((n, d) => n * d, 1) })

/** A step graph's state: its initializers, then its optimizer slots. */
function layoutOfGraph(graph: StepGraph): StateLayout {
  return { parameters: graph.initializers.map(sized), slots: graph.slots.map(sized) }
}

/**
 * The state layout of `spec`'s model: the MLP's from its layers (a velocity per parameter); a client
 * model's from its step graph (initializers, then optimizer slots), derived once per graph hash.
 */
export function stateLayoutOf(spec: TrainingSpec, data?: TrainingData): StateLayout {
  if (spec.model.kind === 'mlp') {
    const params = parameterLayout(spec.model.layers).map((p) => ({ name: p.name, size: p.size }))
    return { parameters: params, slots: params.map((p) => ({ name: `v_${p.name}`, size: p.size })) }
  }
  if (data === undefined || !isClientModelData(data)) throw new Error('a client-model spec needs the client\'s model to lay out its state')
  const key = spec.model.stepGraphHash
  let layout = stateLayouts.get(key)
  if (layout === undefined) {
    const graph = buildStepGraph(decodeModel(data.model), data.model, spec.model.recipe)
    if (graph.hash !== spec.model.stepGraphHash) throw new Error(`the derived step graph hashes to ${graph.hash}, the spec names ${spec.model.stepGraphHash}`)
    layout = layoutOfGraph(graph)
    stateLayouts.set(key, layout)
  }
  return layout
}

/**
 * The inverse of `checkpointStateTensors` for `spec`'s model, for states read back from evidence
 * (untrusted): the tensor count, each tensor's element type (float32 for float jobs, int32 for
 * fixed-point jobs) and length must be exactly the model's, or it throws. A client model's layout
 * comes from its step graph (`stateLayoutOf(spec, data)`).
 */
export function trainingStateFromTensors(spec: TrainingSpec, step: number, tensors: readonly StateTensor[], layout: StateLayout = stateLayoutOf(spec)): TrainingState {
  const all = [...layout.parameters, ...layout.slots]
  const dtype = spec.numeric === 'fixed-q16' ? 'int32' : 'float32'
  if (tensors.length !== all.length) throw new Error(`a state of this model has ${all.length} tensors, got ${tensors.length}`)
  if (!Number.isSafeInteger(step) || step < 0) throw new Error(`invalid step ${step}`)
  const values = tensors.map((t, i) => {
    const info = all[i]!
    if (t.dtype !== dtype) throw new Error(`${info.name}: expected ${dtype}, got ${t.dtype}`)
    if (t.data.length !== info.size) throw new Error(`${info.name}: expected ${info.size} values, got ${t.data.length}`)
    return t.data as TensorValues
  })
  return { step, parameters: values.slice(0, layout.parameters.length), velocities: values.slice(layout.parameters.length) }
}

/** True when two tensor lists have the same types, lengths and bits. */
export function sameBits(a: readonly TensorValues[], b: readonly TensorValues[]): boolean {
  if (a.length !== b.length) return false
  return a.every((x, i) => {
    const y = b[i] as TensorValues
    if (x.constructor !== y.constructor || x.length !== y.length) return false
    const xb = new Uint8Array(x.buffer, x.byteOffset, x.byteLength)
    const yb = new Uint8Array(y.buffer, y.byteOffset, y.byteLength)
    return Buffer.compare(xb, yb) === 0
  })
}

export interface SegmentCheck {
  readonly segment: number
  /** False when the verifier's profile cannot reproduce the recorded one: no judgement was made. */
  readonly judged: boolean
  readonly passed: boolean
  readonly reasons: readonly string[]
}

/**
 * Re-execute segment `claimed.segment.index` from the state before it and compare bit for bit with
 * what was claimed (parameters, velocities, metrics). Refuses to judge when this machine's profile
 * cannot reproduce `recordedProfile`.
 */
export async function reexecuteSegment(
  trainer: Trainer,
  recordedProfile: DeterminismProfile,
  before: TrainingState,
  claimed: Checkpoint
): Promise<SegmentCheck> {
  const index = claimed.segment.index
  const verdict = canReproduce(trainer.profile, recordedProfile)
  if (!verdict.reproducible) return { segment: index, judged: false, passed: false, reasons: verdict.reasons }
  const segment = trainer.segment(index)
  if (segment.firstStep !== claimed.segment.firstStep || segment.stepCount !== claimed.segment.stepCount) {
    return { segment: index, judged: true, passed: false, reasons: ['segment bounds differ from the spec schedule'] }
  }
  const redone = await trainer.runSegment(segment, before)
  const reasons: string[] = []
  if (redone.state.step !== claimed.state.step) reasons.push('step count differs')
  if (!sameBits(redone.state.parameters, claimed.state.parameters)) reasons.push('parameters differ')
  if (!sameBits(redone.state.velocities, claimed.state.velocities)) reasons.push('optimizer state differs')
  for (const key of Object.keys(redone.metrics) as (keyof SegmentMetrics)[]) {
    if (!Object.is(redone.metrics[key], claimed.metrics[key])) reasons.push(`metric ${key} differs`)
  }
  return { segment: index, judged: true, passed: reasons.length === 0, reasons }
}
