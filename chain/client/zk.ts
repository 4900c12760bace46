/**
 * The zk tier's values as the program computes them (`chain/program/src/zk.rs`), for workers that
 * prove and tests that cross-check: the job id as a field element, the challenged step drawn from
 * a slot hash, the step proof's public inputs (with the escrow's dataset commitment), and the last
 * leaf's Merkle siblings.
 */
import { createHash } from 'node:crypto'
import type { PublicKey } from '@solana/web3.js'
import { MerkleTree, poseidonMerkle } from '../../protocols/index.js'

/** Public inputs of the step circuit, in order: [job, root, leafCount, step, data] (`data`: the
 * escrow's dataset commitment, `EscrowAccount.dataCommitment`). */
export const STEP_PUBLIC_INPUTS = ['job', 'root', 'leafCount', 'step', 'data'] as const

/** A 32-byte job id as a field element: the top three bits cleared (< 2^253 < r), 32 bytes big-endian. */
export function jobIdField (jobId: Uint8Array): Uint8Array {
  if (jobId.length !== 32) throw new RangeError('a job id is 32 bytes')
  const f = new Uint8Array(jobId)
  f[0] = (f[0] as number) & 0x1f
  return f
}

/** The challenged step: u64 LE of SHA-256(slot hash ‖ escrow ‖ root)[..8] mod (leaves − 1). */
export function challengeStep (slotHash: Uint8Array, escrow: PublicKey, root: Uint8Array, leaves: number): number {
  if (leaves < 2) throw new RangeError('a zk job has at least two checkpoints')
  const seed = createHash('sha256').update(slotHash).update(escrow.toBytes()).update(root).digest()
  return Number(seed.readBigUInt64LE(0) % BigInt(leaves - 1))
}

const be32 = (n: number): Uint8Array => {
  const b = new Uint8Array(32)
  new DataView(b.buffer).setUint32(28, n, false)
  return b
}

/**
 * The 160 bytes of public inputs the program builds for `complete_zk`: [job, root, leafCount, step,
 * data], each 32 bytes big-endian; `dataCommitment` is the escrow's (`EscrowAccount.dataCommitment`).
 */
export function stepPublicInputs (jobId: Uint8Array, root: Uint8Array, leaves: number, step: number, dataCommitment: Uint8Array): Uint8Array {
  if (root.length !== 32) throw new RangeError('a root is 32 bytes')
  if (dataCommitment.length !== 32) throw new RangeError('a dataset commitment is 32 bytes')
  const out = new Uint8Array(32 * STEP_PUBLIC_INPUTS.length)
  out.set(jobIdField(jobId), 0)
  out.set(root, 32)
  out.set(be32(leaves), 64)
  out.set(be32(step), 96)
  out.set(dataCommitment, 128)
  return out
}

/** The left siblings of the last leaf of `new MerkleTree(leaves, poseidonMerkle)`, leaves first, concatenated. */
export function lastLeafSiblings (leaves: readonly Uint8Array[]): Uint8Array {
  const steps = new MerkleTree(leaves, poseidonMerkle).prove(leaves.length - 1)
  const out = new Uint8Array(32 * steps.length)
  steps.forEach((s, i) => {
    if (!s.left) throw new Error('the last leaf has only left siblings')
    out.set(s.sibling, 32 * i)
  })
  return out
}
