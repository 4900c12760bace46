// The shapes bring-your-own-model training is described by: the recipe a client picks (loss,
// optimizer, schedule, batch size) and the derived graphs with the names their feeds and outputs
// carry. The graph builder (step-graph.ts) and the engine that runs it (../engine-graph.ts) agree
// through these types only.
import type { IrDim } from '../onnx/ir.js'

export type LossKind = 'ce' | 'mse'
export type OptimizerKind = 'sgd' | 'adam' | 'adamw'

/**
 * Optimizer hyper-parameters. They are NOT baked into the step graph: the engine feeds them as
 * float32 scalars every step, so the graph is a pure function of (model bytes, loss, optimizer kind,
 * batch size) and its hash names exactly what a verifier must rebuild.
 *   sgd:   g += wd·p;  buf = momentum·buf + g;  p -= lr·buf                 (PyTorch SGD, dampening 0)
 *   adam:  g += wd·p;  m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;   (1−β fed, computed in float64)
 *          p -= (lr / (1−β1^t)) · m / (sqrt(v) / sqrt(1−β2^t) + ε)        (PyTorch Adam, t = step + 1)
 *   adamw: p *= 1 − lr·wd first (fed, float64), then adam without the wd term    (PyTorch AdamW)
 */
export interface OptimizerSpec {
  readonly kind: OptimizerKind
  readonly learningRate: number
  /** sgd only. */
  readonly momentum: number
  readonly weightDecay: number
  /** adam/adamw only. */
  readonly beta1: number
  readonly beta2: number
  readonly epsilon: number
}

/** Learning rate over global steps; computed in TypeScript (schedule.ts) and fed as the `lr` scalar. */
export type LrSchedule =
  | { readonly kind: 'constant' }
  /** lr · gamma^floor(epoch / stepEpochs) (PyTorch StepLR stepped once per epoch). */
  | { readonly kind: 'step'; readonly stepEpochs: number; readonly gamma: number }
  /** minLr + (lr − minLr)·(1 + cos(π·step/totalSteps))/2 (PyTorch CosineAnnealingLR stepped per step, T_max = totalSteps). */
  | { readonly kind: 'cosine'; readonly minLr: number }

export interface StepGraphRecipe {
  readonly loss: LossKind
  readonly optimizer: OptimizerKind
  readonly batchSize: number
}

/** A tensor of the training state: a model initializer or an optimizer slot. */
export interface StateTensorInfo {
  readonly name: string
  readonly dims: readonly number[]
  /** Initializers only: true when the optimizer updates it; false for buffers (BatchNorm running stats). */
  readonly trainable: boolean
}

/** One Dropout node of the client's model: its mask is a graph input drawn from the job's seed. */
export interface DropoutSite {
  readonly node: string
  /** Feed name of the mask (float32 0/1, shape of the Dropout's input); y = x · mask · 1/(1−ratio). */
  readonly maskInput: string
  readonly ratio: number
  /** Shape of the mask with the batch dimension as the string 'N'. */
  readonly shape: readonly IrDim[]
}

/** Names of the step graph's scalar and batch feeds and of its outputs. */
export const StepFeeds = {
  x: 'cyx_x',
  /** int64 class indices [N] for ce; float32 [N, …output shape] for mse. */
  y: 'cyx_y',
  lr: 'cyx_lr',
  momentum: 'cyx_momentum',
  weightDecay: 'cyx_weight_decay',
  beta1: 'cyx_beta1',
  beta2: 'cyx_beta2',
  epsilon: 'cyx_epsilon',
  /** 1 − β1 and 1 − β2, computed in float64 then rounded (as PyTorch's Python-float arithmetic does;
   * 1 − float32(β2) in float32 is off by 1.3e-5 relative for β2 = 0.999, which moved a 26-step AdamW
   * trace's loss by 1e-5). */
  oneMinusBeta1: 'cyx_one_minus_beta1',
  oneMinusBeta2: 'cyx_one_minus_beta2',
  /** adamw: 1 − lr·wd, computed in float64 then rounded (PyTorch's param.mul_(1 − lr·wd)). */
  decayFactor: 'cyx_decay_factor',
  /** 1 − β1^t and 1 − β2^t (float32 scalars, computed in float64 then rounded). */
  biasCorrection1: 'cyx_bias_correction1',
  biasCorrection2: 'cyx_bias_correction2'
} as const

export const StepOutputs = {
  /** Mean loss of the batch before the update (float32 scalar). */
  loss: 'cyx_loss',
  /** Rows whose argmax is the label (float32 scalar; 0 for mse). */
  correct: 'cyx_correct',
  /** Σ over rows of the per-row loss (evaluation graph). */
  lossSum: 'cyx_loss_sum',
  next: (name: string): string => `cyx_next/${name}`
} as const

export interface StepGraph {
  /** The ONNX training-step model: feeds = state tensors (by their names) + StepFeeds + dropout masks. */
  readonly bytes: Uint8Array
  /** SHA-256 hex of `bytes`: what the job spec names. */
  readonly hash: string
  /** Evaluation model (eval-mode BatchNorm, no Dropout): feeds = initializers + x + y; outputs lossSum, correct. */
  readonly evalBytes: Uint8Array
  /** The model's float initializers in file order: trainable parameters and buffers. */
  readonly initializers: readonly StateTensorInfo[]
  /** Optimizer slots, in order (sgd: `momentum/<p>` per trainable p; adam/adamw: `m/<p>` for each, then `v/<p>` for each). */
  readonly slots: readonly StateTensorInfo[]
  readonly dropouts: readonly DropoutSite[]
  /** The model's data input: its name in the client's graph and its shape with 'N' for the batch. */
  readonly input: { readonly name: string; readonly shape: readonly IrDim[] }
  /** The model's output the loss reads, with 'N' for the batch. */
  readonly output: { readonly name: string; readonly shape: readonly IrDim[] }
}
