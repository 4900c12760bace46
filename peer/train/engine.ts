// What the training loop needs from a numeric engine: one optimizer step, and evaluation. Engines:
// the ONNX runtimes (float32, engine-ort.ts), exact integer fixed point (fixed-point.ts), and a
// client's own ONNX model through its derived step graph (engine-graph.ts).
import type { DeterminismProfile } from './profile.js'

/** One tensor's values: float32 for float jobs, Q16 integers (int32) for fixed-point jobs. */
export type TensorValues = Float32Array | Int32Array

/** Parameters and optimizer state after `step` global steps, in the canonical parameter order. */
export interface TrainingState {
  readonly step: number
  readonly parameters: readonly TensorValues[]
  readonly velocities: readonly TensorValues[]
}

/** A batch as the engines take it: rows of features and one-hot targets. */
export interface Batch {
  readonly rows: number
  /** rows × featureCount (the graph engine reshapes each row to the model's input shape) */
  readonly features: Float32Array
  /** rows × classCount, one-hot; for a graph engine with the mse loss: rows × the output's per-row size, the regression targets */
  readonly targets: Float32Array
  /** Class index per row (Int32Array for client models, whose class count may exceed 255). */
  readonly labels: Uint8Array | Int32Array
}

/** Where a step sits in the run: engines with a schedule or per-step randomness need it (engine-graph.ts). */
export interface StepContext {
  /** Global step index, 0-based. */
  readonly step: number
}

export interface StepResult {
  readonly parameters: TensorValues[]
  readonly velocities: TensorValues[]
  /** Mean loss of the batch before the update. */
  readonly loss: number
  /** Rows whose prediction before the update was right. */
  readonly correct: number
}

export interface EvaluationResult {
  /** Σ over rows of the per-row loss. */
  readonly lossSum: number
  readonly correct: number
  readonly rows: number
}

export interface TrainingEngine {
  readonly profile: DeterminismProfile
  /** The engine's representation of the spec's initial float parameters (identity for float). */
  encodeParameters(parameters: readonly Float32Array[]): TensorValues[]
  /** Float32 view of the engine's parameters, e.g. for exporting an inference model. */
  decodeParameters(parameters: readonly TensorValues[]): Float32Array[]
  zeroVelocities(): TensorValues[]
  /** One step; `context` is optional for engines whose step does not depend on the step index (MLP engines). */
  step(parameters: readonly TensorValues[], velocities: readonly TensorValues[], batch: Batch, context?: StepContext): Promise<StepResult>
  evaluate(parameters: readonly TensorValues[], batch: Batch): Promise<EvaluationResult>
  close(): Promise<void>
}
