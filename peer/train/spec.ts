// The job spec: everything that determines a training run. Two peers holding the same spec (and the
// dataset bytes it names by hash) compute the same weights, segment by segment, under a matching
// determinism profile (float32) or on any machine (fixed-point).
//
// This is the engine's view of a job. The job itself travels, is hashed and is stored in evidence as
// the wire `TrainingSpec` (protocols/wire; its hash is `wire.specHash`, the one spec hash of the
// protocol); `trainingSpecFromWire` (wire-spec.ts) turns it into this. This type has no hash of its own.
import { validateLayers } from './mlp.js'
import type { LrSchedule, OptimizerSpec, StepGraphRecipe } from './autodiff/types.js'

export type NumericMode =
  /** IEEE float32 through an ONNX runtime; bit-exact only under a matching DeterminismProfile. */
  | 'float32'
  /** Exact integer fixed-point arithmetic (see fixed-point.ts); bit-exact on every CPU. */
  | 'fixed-q16'

export type FloatBackend =
  /** onnxruntime-node, native CPU kernels (fast; bits depend on the CPU's instruction set). */
  | 'native'
  /** onnxruntime-web, WebAssembly (slower; the same bits on every CPU). */
  | 'portable'

/** Which rows a step reads (schedule.ts): a fresh seeded permutation per epoch, or the stored order. */
export type DataOrderKind =
  /** Epoch e visits the rows in permutation(trainCount, prngStream(seed, "order", e)). */
  | 'shuffled'
  /**
   * Every epoch visits the rows in their stored order, so global step s reads batch s mod S_e: the
   * zk tier's order, because the step circuit locates a step's batch in the committed data by index.
   */
  | 'sequential'

/** The project's built-in MLP (layer sizes, input first, classes last). */
export interface MlpModelSpec { readonly kind: 'mlp'; readonly layers: readonly number[] }

/**
 * A client's own ONNX model (bring your own model): named by the SHA-256 of its file and of the
 * training-step graph derived from it (autodiff/), which a verifier rebuilds and compares.
 */
export interface OnnxModelSpec {
  readonly kind: 'onnx'
  readonly modelHash: string
  readonly stepGraphHash: string
  readonly recipe: StepGraphRecipe
  readonly schedule: LrSchedule
}

/** The built-in MLP's optimizer. A client model's optimizer is an OptimizerSpec (autodiff/types.ts). */
export interface MlpOptimizer { readonly kind: 'sgd-momentum'; readonly learningRate: number; readonly momentum: number }

export interface TrainingSpec {
  readonly model: MlpModelSpec | OnnxModelSpec
  readonly optimizer: MlpOptimizer | OptimizerSpec
  readonly batchSize: number
  readonly epochs: number
  readonly seed: number
  readonly dataset: { readonly id: string; readonly contentHash: string }
  readonly numeric: NumericMode
  /** Float32 only: which ONNX runtime build executes the graphs. */
  readonly backend: FloatBackend
  /** Steps per segment (the unit a checkpoint covers and a verifier re-executes); 0 = one epoch. */
  readonly segmentSteps: number
  readonly dataOrder: DataOrderKind
}

export interface SpecInput {
  /** The built-in MLP's layer sizes (ignored when `client` is given). */
  layers: readonly number[]
  /** A client's own model and its optimizer (bring your own model); `learningRate`/`momentum` are the optimizer's. */
  client?: { model: OnnxModelSpec; optimizer: OptimizerSpec }
  learningRate: number
  momentum?: number
  batchSize: number
  epochs: number
  seed: number
  dataset: { id: string; contentHash: string }
  numeric?: NumericMode
  backend?: FloatBackend
  segmentSteps?: number
  dataOrder?: DataOrderKind
}

/** Build a validated spec with defaults (momentum 0.9, float32, native backend, one-epoch segments). */
export function trainingSpec(input: SpecInput): TrainingSpec {
  const spec: TrainingSpec = {
    model: input.client?.model ?? { kind: 'mlp', layers: [...input.layers] },
    optimizer: input.client?.optimizer ?? { kind: 'sgd-momentum', learningRate: input.learningRate, momentum: input.momentum ?? 0.9 },
    batchSize: input.batchSize,
    epochs: input.epochs,
    seed: input.seed,
    dataset: { id: input.dataset.id, contentHash: input.dataset.contentHash.toLowerCase() },
    numeric: input.numeric ?? 'float32',
    backend: input.backend ?? 'native',
    segmentSteps: input.segmentSteps ?? 0,
    dataOrder: input.dataOrder ?? 'shuffled'
  }
  validateSpec(spec)
  return spec
}

const positiveInt = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n > 0

const hex64 = /^[0-9a-f]{64}$/

function validateOnnxModel(model: OnnxModelSpec, optimizer: OptimizerSpec): void {
  if (!hex64.test(model.modelHash) || !hex64.test(model.stepGraphHash)) throw new Error('model and step-graph hashes must be 64 lowercase hex digits (SHA-256)')
  if (model.recipe.loss !== 'ce' && model.recipe.loss !== 'mse') throw new Error(`unknown loss ${String(model.recipe.loss)}`)
  if (model.recipe.optimizer !== optimizer.kind) throw new Error('the recipe and the optimizer name different optimizers')
  const { weightDecay, beta1, beta2, epsilon } = optimizer
  if (!(Number.isFinite(weightDecay) && weightDecay >= 0 && weightDecay <= 1)) throw new Error(`weight decay must be in [0, 1], got ${weightDecay}`)
  if (optimizer.kind !== 'sgd') {
    if (!(beta1 > 0 && beta1 < 1 && beta2 > 0 && beta2 < 1)) throw new Error(`Adam betas must be in (0, 1), got ${beta1}, ${beta2}`)
    if (!(epsilon > 0 && epsilon <= 1e-3)) throw new Error(`Adam epsilon must be in (0, 1e-3], got ${epsilon}`)
  }
  const sched = model.schedule
  if (sched.kind === 'step' && !(Number.isSafeInteger(sched.stepEpochs) && sched.stepEpochs > 0 && sched.gamma > 0 && sched.gamma <= 1)) throw new Error('a step schedule needs stepEpochs ≥ 1 and gamma in (0, 1]')
  if (sched.kind === 'cosine' && !(sched.minLr >= 0 && sched.minLr <= optimizer.learningRate)) throw new Error('a cosine schedule needs 0 ≤ minLr ≤ lr')
}

export function validateSpec(spec: TrainingSpec): void {
  const { learningRate, momentum } = spec.optimizer
  if (spec.model.kind === 'mlp') {
    validateLayers(spec.model.layers)
    if (spec.optimizer.kind !== 'sgd-momentum') throw new Error(`the built-in MLP trains with sgd-momentum, not ${String(spec.optimizer.kind)}`)
  } else if (spec.model.kind === 'onnx') {
    if (spec.optimizer.kind === 'sgd-momentum') throw new Error('a client model names its optimizer as sgd, adam or adamw')
    validateOnnxModel(spec.model, spec.optimizer)
    if (spec.numeric !== 'float32') throw new Error('a client model trains in float32')
  } else {
    throw new Error(`unsupported model kind ${String((spec.model as { kind: unknown }).kind)}`)
  }
  if (!(Number.isFinite(learningRate) && learningRate > 0)) throw new Error(`learning rate must be positive, got ${learningRate}`)
  if (!(Number.isFinite(momentum) && momentum >= 0 && momentum < 1)) throw new Error(`momentum must be in [0, 1), got ${momentum}`)
  if (!positiveInt(spec.batchSize)) throw new Error(`batch size must be a positive integer, got ${spec.batchSize}`)
  if (!positiveInt(spec.epochs)) throw new Error(`epochs must be a positive integer, got ${spec.epochs}`)
  if (!Number.isSafeInteger(spec.seed) || spec.seed < 0) throw new Error(`seed must be a non-negative safe integer, got ${spec.seed}`)
  if (!/^[0-9a-f]{64}$/.test(spec.dataset.contentHash)) throw new Error('dataset content hash must be 64 hex digits (SHA-256)')
  if (spec.numeric !== 'float32' && spec.numeric !== 'fixed-q16') throw new Error(`unknown numeric mode ${String(spec.numeric)}`)
  if (spec.backend !== 'native' && spec.backend !== 'portable') throw new Error(`unknown backend ${String(spec.backend)}`)
  if (!Number.isSafeInteger(spec.segmentSteps) || spec.segmentSteps < 0) throw new Error(`segmentSteps must be a non-negative integer`)
  if (spec.dataOrder !== 'shuffled' && spec.dataOrder !== 'sequential') throw new Error(`unknown data order ${String(spec.dataOrder)}`)
}

/** The built-in MLP's layers; throws for a client model (whose shapes live in its ONNX file). */
export function mlpLayers(spec: TrainingSpec): readonly number[] {
  if (spec.model.kind !== 'mlp') throw new Error('this operation needs the built-in MLP; the job trains a client model')
  return spec.model.layers
}

/** Steps in one epoch: every training row once, the last batch possibly short. */
export function stepsPerEpoch(spec: TrainingSpec, trainCount: number): number {
  return Math.ceil(trainCount / spec.batchSize)
}
