/**
 * The model, data and witness input of `checkpoint_step` (circuits/src/checkpoint_step.circom): one
 * Q16 training step of peer/train/fixed-point.ts between two anchored checkpoints. The constants here
 * are the circuit's own (a test checks that the engine trained with them matches the circuit bit for
 * bit); changing any of them means a new circuit, a new verifying key and a new `circuit_id`.
 */
import { MerkleTree, digestToFields, fieldFromBytes, poseidonMerkle, toField } from '../protocols/index.js'
import { checkpointInclusionInput, CHECKPOINT_TREE_DEPTH } from './inputs.js'
import type { CircuitInput } from './prover.js'

/** Layers of the proved model: logistic regression, 4 features → 3 classes (W1 4×3, b1 3). */
export const STEP_LAYERS = [4, 3] as const
/** Optimizer: LR = ⌊0.5·ONE⌋ = 32768, MU = ⌊0.9·ONE⌋ = 58982 in Q16. */
export const STEP_OPTIMIZER = { learningRate: 0.5, momentum: 0.9 } as const
/** The data set, Q16 integers (x = X / 65536 exactly, |x| < 0.5); every step is one full batch of it. */
export const STEP_DATA_Q16: readonly (readonly number[])[] = [
  [20000, -5000, 3000, -12000],
  [-8000, 18000, -2500, 7000],
  [1500, -9000, 21000, 4000],
  [16000, 2000, -7000, -15000]
]
export const STEP_LABELS: readonly number[] = [0, 1, 2, 0]
/** Parameters of the model (W1 then b1); the committed state has twice as many values (+ velocities). */
export const STEP_PARAMETERS = STEP_LAYERS[0] * STEP_LAYERS[1] + STEP_LAYERS[1]

/** The batch every step of a `checkpoint_step` job trains on, in peer/train's Batch shape. */
export function stepBatch (): { rows: number, features: Float32Array, targets: Float32Array, labels: Uint8Array } {
  const rows = STEP_DATA_Q16.length
  const classes = STEP_LAYERS[1]
  const features = Float32Array.from(STEP_DATA_Q16.flat(), (v) => v / 65536)
  const targets = new Float32Array(rows * classes)
  STEP_LABELS.forEach((l, r) => { targets[r * classes + l] = 1 })
  return { rows, features, targets, labels: Uint8Array.from(STEP_LABELS) }
}

/** An integer training state: parameters then velocities, each in layout order (W1, b1). */
export interface StepState {
  readonly parameters: readonly Int32Array[]
  readonly velocities: readonly Int32Array[]
}

/** The 30 committed values of a state, in the order of poseidonStateCommitment. */
export function stepStateVector (s: StepState): number[] {
  const out: number[] = []
  for (const t of [...s.parameters, ...s.velocities]) out.push(...t)
  if (out.length !== 2 * STEP_PARAMETERS) throw new RangeError(`a checkpoint_step state has ${2 * STEP_PARAMETERS} values (got ${out.length})`)
  return out
}

/** Public signals of `checkpoint_step`: the same as checkpoint_pair's (the program's step inputs). */
export const CHECKPOINT_STEP_PUBLIC = ['job', 'root', 'leafCount', 'step'] as const

/**
 * The `checkpoint_step` input proving that leaves `step` and `step + 1` of
 * `new MerkleTree(leaves, poseidonMerkle)` are the checkpoints (chain hash H, state) given, and that
 * `next` is one step from `current`. The leaves are the anchored commitments; the witness fails if
 * they do not commit to these chain hashes and states, or if `next` is not exactly one step.
 */
export function checkpointStepInput (
  leaves: readonly Uint8Array[], step: number, job: bigint,
  current: { chainHash: Uint8Array, state: StepState },
  next: { chainHash: Uint8Array, state: StepState },
  depth: number = CHECKPOINT_TREE_DEPTH
): { input: CircuitInput, root: Uint8Array } {
  const a = checkpointInclusionInput(leaves, step, depth)
  const b = checkpointInclusionInput(leaves, step + 1, depth)
  const [hiK, loK] = digestToFields(current.chainHash)
  const [hiK1, loK1] = digestToFields(next.chainHash)
  const input: CircuitInput = {
    job,
    root: fieldFromBytes(new MerkleTree(leaves, poseidonMerkle).root),
    leafCount: leaves.length,
    step,
    hiK,
    loK,
    hiK1,
    loK1,
    stateK: stepStateVector(current.state).map(toField),
    stateK1: stepStateVector(next.state).map(toField),
    siblingsK: a.input.siblings as bigint[],
    siblingsK1: b.input.siblings as bigint[]
  }
  return { input, root: a.root }
}
