/**
 * A real fixed-point training run of the model `checkpoint_step` proves (circuits/step.ts), on real
 * data (mnist-4x4, read in the zk tier's sequential batch order), with its checkpoint commitments: the
 * witness of every step test comes from FixedPointEngine's own state.
 */
import { createHash } from 'node:crypto'
import { STEP_BATCH_ROWS, STEP_LAYERS, STEP_OPTIMIZER, STEP_PARAMETERS, stepBatchIndex, stepBatchRows, stepData, type StepData, type StepState } from '../../circuits/index.js'
import { FixedPointEngine, loadDatasetById, type Batch } from '../../peer/train/index.js'
import { checkpointCommitment, fieldToBytes, poseidonStateCommitment } from '../../protocols/index.js'

export interface StepRun {
  /** states[i] = the state of checkpoint i (leaf i), i.e. after global step i (i + 1 steps). */
  readonly states: StepState[]
  readonly chain: Uint8Array[]
  /** S_E of each checkpoint (poseidonStateCommitment). */
  readonly stateCommitments: bigint[]
  /** C_E of each checkpoint as 32 bytes: the anchored leaves. */
  readonly leaves: Uint8Array[]
  /** The training data the run read, as the circuit does. */
  readonly data: StepData
}

/** The zk tier's default training data: mnist-4x4 in the circuit's integers. */
export const stepDataset = (): StepData => stepData(loadDatasetById('mnist-4x4'))

export const stepEngine = async (): Promise<FixedPointEngine> => await FixedPointEngine.create([...STEP_LAYERS], { ...STEP_OPTIMIZER })

/** Batch `b` of `data` in peer/train's Batch shape (features X / 65536, exact). */
export function engineBatch (data: StepData, b: number): Batch {
  const rows = stepBatchRows(data, b)
  const classes = STEP_LAYERS[1]
  const targets = new Float32Array(STEP_BATCH_ROWS * classes)
  rows.labels.forEach((l, r) => { targets[r * classes + l] = 1 })
  return { rows: STEP_BATCH_ROWS, features: Float32Array.from(rows.features, (v) => v / 65536), targets, labels: Uint8Array.from(rows.labels) }
}

/** Deterministic initial Q16 parameters (|w| < 0.35) from `seed`; zero velocities. */
export function initialState (seed: string): StepState {
  const bytes = createHash('sha256').update(`step-init/${seed}`).digest()
  const v = (i: number): number => ((bytes[i % 32] as number) * 89 + i * 7919) % 45_000 - 22_500
  const w = Int32Array.from({ length: STEP_LAYERS[0] * STEP_LAYERS[1] }, (_, i) => v(i))
  const b = Int32Array.from({ length: STEP_LAYERS[1] }, (_, i) => v(100 + i) >> 2)
  return { parameters: [w, b], velocities: [new Int32Array(w.length), new Int32Array(b.length)] }
}

export async function oneStep (s: StepState, batch: Batch): Promise<StepState> {
  const r = await (await stepEngine()).step(s.parameters, s.velocities, batch)
  return { parameters: r.parameters as Int32Array[], velocities: r.velocities as Int32Array[] }
}

export function commit (states: StepState[], chain: Uint8Array[]): Pick<StepRun, 'stateCommitments' | 'leaves'> {
  const stateCommitments = states.map((s) => poseidonStateCommitment([...s.parameters, ...s.velocities] as Int32Array[]))
  return { stateCommitments, leaves: stateCommitments.map((s, i) => fieldToBytes(checkpointCommitment(chain[i] as Uint8Array, s))) }
}

/** `n` checkpoints, one Q16 step each (global step s on batch s mod 8 of `data`), from initialState(seed). */
export async function stepRun (n: number, seed = 'default', data: StepData = stepDataset()): Promise<StepRun> {
  let s = initialState(seed)
  const states: StepState[] = []
  for (let i = 0; i < n; i++) {
    s = await oneStep(s, engineBatch(data, stepBatchIndex(i)))
    states.push(s)
  }
  if (states.some((x) => x.parameters.reduce((a, t) => a + t.length, 0) !== STEP_PARAMETERS)) throw new Error('layout')
  const chain = states.map((_, i) => new Uint8Array(createHash('sha256').update(`step-chain/${seed}/${i}`).digest()))
  return { states, chain, data, ...commit(states, chain) }
}
