/**
 * The model, data shape and witness input of `checkpoint_step` (circuits/src/checkpoint_step.circom):
 * one Q16 training step of peer/train/fixed-point.ts between two anchored checkpoints, on a private
 * batch bound to the dataset commitment the client put in the escrow. The constants here are the
 * circuit's own (a test checks that the engine trained with them matches the circuit bit for bit);
 * changing any of them means a new circuit, a new verifying key and a new `circuit_id`.
 *
 * Sizing (docs/proofs.md, "Sizing by measurement"): 16 features × 4 classes with batches of 8 rows
 * is the largest shape measured that, with the data commitment, stays within 2^16 constraints
 * (one 2^16 Powers of Tau) and within the 10 s proving goal on this machine kind.
 */
import { MerkleTree, batchCommitment, digestToFields, fieldFromBytes, fieldToBytes, poseidonMerkle, toField } from '../protocols/index.js'
import { checkpointInclusionInput, CHECKPOINT_TREE_DEPTH } from './inputs.js'
import type { CircuitInput } from './prover.js'

/** Layers of the proved model: logistic regression, 16 features → 4 classes (W1 16×4, b1 4). */
export const STEP_LAYERS = [16, 4] as const
/** Optimizer: LR = ⌊0.5·ONE⌋ = 32768, MU = ⌊0.9·ONE⌋ = 58982 in Q16. */
export const STEP_OPTIMIZER = { learningRate: 0.5, momentum: 0.9 } as const
/** Rows per training step (the batch the circuit reads). */
export const STEP_BATCH_ROWS = 8
/** Depth of the data tree: the committed training set is 2^3 = 8 batches. */
export const STEP_DATA_DEPTH = 3
export const STEP_BATCHES = 2 ** STEP_DATA_DEPTH
/** Training rows a zk-tier dataset has: exactly STEP_BATCHES batches of STEP_BATCH_ROWS. */
export const STEP_TRAIN_ROWS = STEP_BATCHES * STEP_BATCH_ROWS
/** Features are Q16 integers X = ⌊x·ONE⌋ with −2^15 <= X < 2^15 (|x| <= 0.5): the circuit's bit widths rely on it. */
export const STEP_FEATURE_MIN = -32768
export const STEP_FEATURE_MAX = 32767
/** Parameters of the model (W1 then b1); the committed state has twice as many values (+ velocities). */
export const STEP_PARAMETERS = STEP_LAYERS[0] * STEP_LAYERS[1] + STEP_LAYERS[1]

/** A zk-tier training set as the circuit reads it: Q16 features (rows × 16, row-major) and labels. */
export interface StepData {
  readonly features: Int32Array
  readonly labels: Uint8Array
}

/** The training split of a dataset, the way peer/train holds it. */
export interface StepDataSource {
  readonly featureCount: number
  readonly classCount: number
  readonly train: { readonly count: number, readonly features: Float32Array, readonly labels: Uint8Array }
}

/**
 * The training data of a zk-tier job in the circuit's integers, or a RangeError saying why the
 * dataset cannot be proved: 16 features, 4 classes, exactly 64 training rows, every feature's Q16
 * value ⌊x·65536⌋ (peer/train's toQ16) within [−2^15, 2^15).
 */
export function stepData (d: StepDataSource): StepData {
  if (d.featureCount !== STEP_LAYERS[0] || d.classCount !== STEP_LAYERS[1]) {
    throw new RangeError(`a zk-tier dataset has ${STEP_LAYERS[0]} features and ${STEP_LAYERS[1]} classes (got ${d.featureCount} and ${d.classCount})`)
  }
  if (d.train.count !== STEP_TRAIN_ROWS) throw new RangeError(`a zk-tier dataset has exactly ${STEP_TRAIN_ROWS} training rows, ${STEP_BATCHES} batches of ${STEP_BATCH_ROWS} (got ${d.train.count})`)
  const features = new Int32Array(d.train.features.length)
  for (let i = 0; i < features.length; i++) {
    const q = Math.floor((d.train.features[i] as number) * 65536)
    if (!(q >= STEP_FEATURE_MIN && q <= STEP_FEATURE_MAX)) {
      throw new RangeError(`a zk-tier dataset's features lie in [-0.5, 0.5) (row ${Math.floor(i / STEP_LAYERS[0])}, feature ${i % STEP_LAYERS[0]} is ${d.train.features[i]})`)
    }
    features[i] = q
  }
  for (const l of d.train.labels) if (l >= STEP_LAYERS[1]) throw new RangeError(`label ${l} outside ${STEP_LAYERS[1]} classes`)
  return { features, labels: Uint8Array.from(d.train.labels) }
}

/** The batch (0 .. STEP_BATCHES − 1) that global step `s` reads: sequential order, s mod 8. */
export const stepBatchIndex = (globalStep: number): number => globalStep % STEP_BATCHES

/** Rows of batch `b` of the data, as its Q16 features and labels. */
export function stepBatchRows (data: StepData, b: number): StepData {
  if (!Number.isInteger(b) || b < 0 || b >= STEP_BATCHES) throw new RangeError(`batch ${b} outside 0..${STEP_BATCHES - 1}`)
  const f = STEP_LAYERS[0]
  return {
    features: data.features.subarray(b * STEP_BATCH_ROWS * f, (b + 1) * STEP_BATCH_ROWS * f),
    labels: data.labels.subarray(b * STEP_BATCH_ROWS, (b + 1) * STEP_BATCH_ROWS)
  }
}

/** The batch commitments (the data tree's leaves, 32 bytes each) and their root, the public input `data`. */
export function stepDataCommitment (data: StepData): { root: bigint, rootBytes: Uint8Array, leaves: Uint8Array[] } {
  const leaves: Uint8Array[] = []
  for (let b = 0; b < STEP_BATCHES; b++) {
    const rows = stepBatchRows(data, b)
    leaves.push(fieldToBytes(batchCommitment(rows.features, rows.labels)))
  }
  const rootBytes = new MerkleTree(leaves, poseidonMerkle).root
  return { root: fieldFromBytes(rootBytes), rootBytes, leaves }
}

/**
 * The private batch inputs of `checkpoint_step` for batch `b` of `data`: its rows (`x`, `y`) and the
 * siblings of its commitment in the data tree (`siblingsData`).
 */
export function stepBatchInput (data: StepData, b: number, commitment: { leaves: readonly Uint8Array[] } = stepDataCommitment(data)): Pick<CircuitInput, 'x' | 'y' | 'siblingsData'> {
  const rows = stepBatchRows(data, b)
  const f = STEP_LAYERS[0]
  return {
    x: Array.from({ length: STEP_BATCH_ROWS }, (_, r) => Array.from(rows.features.subarray(r * f, (r + 1) * f), toField)),
    y: Array.from(rows.labels, (l) => BigInt(l)),
    siblingsData: checkpointInclusionInput(commitment.leaves, b, STEP_DATA_DEPTH).input.siblings as bigint[]
  }
}

/** An integer training state: parameters then velocities, each in layout order (W1, b1). */
export interface StepState {
  readonly parameters: readonly Int32Array[]
  readonly velocities: readonly Int32Array[]
}

/** The 136 committed values of a state, in the order of poseidonStateCommitment. */
export function stepStateVector (s: StepState): number[] {
  const out: number[] = []
  for (const t of [...s.parameters, ...s.velocities]) out.push(...t)
  if (out.length !== 2 * STEP_PARAMETERS) throw new RangeError(`a checkpoint_step state has ${2 * STEP_PARAMETERS} values (got ${out.length})`)
  return out
}

/** Public signals of `checkpoint_step`, in the circuit's order (the program's step inputs). */
export const CHECKPOINT_STEP_PUBLIC = ['job', 'root', 'leafCount', 'step', 'data'] as const

/**
 * The `checkpoint_step` input proving that leaves `step` and `step + 1` of
 * `new MerkleTree(leaves, poseidonMerkle)` are the checkpoints (chain hash H, state) given, and that
 * `next` is one step from `current` on batch (step + 1) mod 8 of `data` (leaf L is the state after
 * global step L). The leaves are the anchored commitments; the witness fails if they do not commit to
 * these chain hashes and states, or if `next` is not exactly one step on that batch.
 */
export function checkpointStepInput (
  leaves: readonly Uint8Array[], step: number, job: bigint,
  current: { chainHash: Uint8Array, state: StepState },
  next: { chainHash: Uint8Array, state: StepState },
  data: StepData,
  depth: number = CHECKPOINT_TREE_DEPTH
): { input: CircuitInput, root: Uint8Array, data: bigint } {
  const a = checkpointInclusionInput(leaves, step, depth)
  const b = checkpointInclusionInput(leaves, step + 1, depth)
  const [hiK, loK] = digestToFields(current.chainHash)
  const [hiK1, loK1] = digestToFields(next.chainHash)
  const commitment = stepDataCommitment(data)
  const input: CircuitInput = {
    job,
    root: fieldFromBytes(new MerkleTree(leaves, poseidonMerkle).root),
    leafCount: leaves.length,
    step,
    data: commitment.root,
    hiK,
    loK,
    hiK1,
    loK1,
    stateK: stepStateVector(current.state).map(toField),
    stateK1: stepStateVector(next.state).map(toField),
    siblingsK: a.input.siblings as bigint[],
    siblingsK1: b.input.siblings as bigint[],
    ...stepBatchInput(data, stepBatchIndex(step + 1), commitment)
  }
  return { input, root: a.root, data: commitment.root }
}
