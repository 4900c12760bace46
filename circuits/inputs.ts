/**
 * Witness inputs for the circuits, built from the same TypeScript structures the worker anchors.
 */
import { MerkleTree, fieldFromBytes, poseidonMerkle } from '../protocols/index.js'
import type { CircuitInput } from './prover.js'

/** Depth of circuits/src/checkpoint_inclusion.circom: up to 2^5 = 32 checkpoints per tree. */
export const CHECKPOINT_TREE_DEPTH = 5
export const CHECKPOINT_TREE_MAX_LEAVES = 2 ** CHECKPOINT_TREE_DEPTH

/** Public signals of `checkpoint_inclusion`, in the circuit's order. */
export const CHECKPOINT_INCLUSION_PUBLIC = ['root', 'leafCount', 'leafIndex', 'commitment'] as const

/**
 * The `checkpoint_inclusion` input proving that `values[index]` (a 32-byte big-endian checkpoint
 * commitment, see checkpointCommitment) is leaf `index` of `new MerkleTree(values, poseidonMerkle)`.
 * Levels without a sibling (a promoted odd node, or above the top of a small tree) get 0, which
 * the circuit ignores.
 */
export function checkpointInclusionInput (values: readonly Uint8Array[], index: number, depth: number = CHECKPOINT_TREE_DEPTH): { input: CircuitInput, root: Uint8Array } {
  if (values.length > 2 ** depth) throw new RangeError(`a depth-${depth} tree holds at most ${2 ** depth} leaves (got ${values.length})`)
  const tree = new MerkleTree(values, poseidonMerkle)
  const steps = tree.prove(index)
  const siblings: bigint[] = []
  let used = 0
  let i = index
  let n = values.length
  for (let d = 0; d < depth; d++) {
    const sib = i % 2 === 0 ? i + 1 : i - 1
    if (n > 1 && sib < n) {
      const step = steps[used++]
      if (step === undefined) throw new Error('inclusion proof shorter than the tree')
      siblings.push(fieldFromBytes(step.sibling))
    } else {
      siblings.push(0n)
    }
    i = Math.floor(i / 2)
    n = Math.ceil(n / 2)
  }
  const input: CircuitInput = {
    root: fieldFromBytes(tree.root),
    leafCount: values.length,
    leafIndex: index,
    commitment: fieldFromBytes(values[index] as Uint8Array),
    siblings
  }
  return { input, root: tree.root }
}

/** Public signals of `checkpoint_pair`, in the circuit's order (the program's step inputs). */
export const CHECKPOINT_PAIR_PUBLIC = ['job', 'root', 'leafCount', 'step'] as const

/**
 * The `checkpoint_pair` input proving that `values[step]` and `values[step + 1]` are leaves `step`
 * and `step + 1` of `new MerkleTree(values, poseidonMerkle)`, for the job whose field element is
 * `job`: on-chain, the escrow's address with its top three bits cleared (`escrowField` in
 * chain/client/zk.ts), so a proof is bound to one escrow, not to a job id two escrows may share.
 */
export function checkpointPairInput (values: readonly Uint8Array[], step: number, job: bigint, depth: number = CHECKPOINT_TREE_DEPTH): { input: CircuitInput, root: Uint8Array } {
  const a = checkpointInclusionInput(values, step, depth)
  const b = checkpointInclusionInput(values, step + 1, depth)
  const input: CircuitInput = {
    job,
    root: a.input.root as bigint,
    leafCount: values.length,
    step,
    commitK: a.input.commitment as bigint,
    commitK1: b.input.commitment as bigint,
    siblingsK: a.input.siblings as bigint[],
    siblingsK1: b.input.siblings as bigint[]
  }
  return { input, root: a.root }
}
