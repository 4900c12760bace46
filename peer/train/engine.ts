// What the training loop needs from a numeric engine: one optimizer step, and evaluation. Engines:
// the ONNX runtimes (float32, engine-ort.ts) and exact integer fixed point (fixed-point.ts).
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
  /** rows × featureCount */
  readonly features: Float32Array
  /** rows × classCount, one-hot */
  readonly targets: Float32Array
  /** Class index per row. */
  readonly labels: Uint8Array
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
  step(parameters: readonly TensorValues[], velocities: readonly TensorValues[], batch: Batch): Promise<StepResult>
  evaluate(parameters: readonly TensorValues[], batch: Batch): Promise<EvaluationResult>
  close(): Promise<void>
}
