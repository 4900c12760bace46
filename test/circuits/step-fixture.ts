/**
 * A real fixed-point training run of the model `checkpoint_step` proves (circuits/step.ts), with its
 * checkpoint commitments: the witness of every step test comes from FixedPointEngine's own state.
 */
import { createHash } from 'node:crypto'
import { stepBatch, STEP_LAYERS, STEP_OPTIMIZER, STEP_PARAMETERS, type StepState } from '../../circuits/index.js'
import { FixedPointEngine, type Batch } from '../../peer/train/index.js'
import { checkpointCommitment, fieldToBytes, poseidonStateCommitment } from '../../protocols/index.js'

export interface StepRun {
  /** states[i] = the state of checkpoint i (leaf i), i.e. after i + 1 steps. */
  readonly states: StepState[]
  readonly chain: Uint8Array[]
  /** S_E of each checkpoint (poseidonStateCommitment). */
  readonly stateCommitments: bigint[]
  /** C_E of each checkpoint as 32 bytes: the anchored leaves. */
  readonly leaves: Uint8Array[]
}

export const stepEngine = async (): Promise<FixedPointEngine> => await FixedPointEngine.create([...STEP_LAYERS], { ...STEP_OPTIMIZER })

/** Deterministic initial Q16 parameters (|w| < 0.35) from `seed`; zero velocities. */
export function initialState (seed: string): StepState {
  const bytes = createHash('sha256').update(`step-init/${seed}`).digest()
  const v = (i: number): number => ((bytes[i % 32] as number) * 89 + i * 7919) % 45_000 - 22_500
  const w = Int32Array.from({ length: STEP_LAYERS[0] * STEP_LAYERS[1] }, (_, i) => v(i))
  const b = Int32Array.from({ length: STEP_LAYERS[1] }, (_, i) => v(100 + i) >> 2)
  return { parameters: [w, b], velocities: [new Int32Array(w.length), new Int32Array(b.length)] }
}

export async function oneStep (s: StepState, batch: Batch = stepBatch()): Promise<StepState> {
  const r = await (await stepEngine()).step(s.parameters, s.velocities, batch)
  return { parameters: r.parameters as Int32Array[], velocities: r.velocities as Int32Array[] }
}

export function commit (states: StepState[], chain: Uint8Array[]): Pick<StepRun, 'stateCommitments' | 'leaves'> {
  const stateCommitments = states.map((s) => poseidonStateCommitment([...s.parameters, ...s.velocities] as Int32Array[]))
  return { stateCommitments, leaves: stateCommitments.map((s, i) => fieldToBytes(checkpointCommitment(chain[i] as Uint8Array, s))) }
}

/** `n` checkpoints, one full-batch Q16 step each, from initialState(seed). */
export async function stepRun (n: number, seed = 'default'): Promise<StepRun> {
  let s = initialState(seed)
  const states: StepState[] = []
  for (let i = 0; i < n; i++) {
    s = await oneStep(s)
    states.push(s)
  }
  if (states.some((x) => x.parameters.reduce((a, t) => a + t.length, 0) !== STEP_PARAMETERS)) throw new Error('layout')
  const chain = states.map((_, i) => new Uint8Array(createHash('sha256').update(`step-chain/${seed}/${i}`).digest()))
  return { states, chain, ...commit(states, chain) }
}
