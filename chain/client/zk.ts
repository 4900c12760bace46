/**
 * The zk tier's values as the program computes them (`chain/program/src/zk.rs`), for workers that
 * prove, clients that reveal and tests that cross-check: the escrow's address as the proof's `job`
 * field, the client's challenge commitment, the challenged step (drawn from the client's revealed
 * secret and a slot hash, or by the slot-hash fallback), the reveal and proving windows, the step
 * proof's public inputs (with the escrow's dataset commitment), and the last leaf's Merkle siblings.
 */
import { createHash } from 'node:crypto'
import type { PublicKey } from '@solana/web3.js'
import { MerkleTree, poseidonMerkle } from '../../protocols/index.js'
import type { EscrowAccount } from './accounts.js'
import type { ConfigParams } from './params.js'

/** Public inputs of the step circuit, in order: [job, root, leafCount, step, data] (`job`: the
 * escrow's address as a field, `escrowField`; `data`: the escrow's dataset commitment,
 * `EscrowAccount.dataCommitment`). */
export const STEP_PUBLIC_INPUTS = ['job', 'root', 'leafCount', 'step', 'data'] as const

/**
 * The step proof's `job` public input: the escrow's address, 32 bytes big-endian with the top three
 * bits cleared (< 2^253 < r). A proof is thereby bound to one escrow, never to a job id that another
 * escrow may carry too (audit finding 13). `zk::job_field` in the program.
 */
export function escrowField (escrow: PublicKey): Uint8Array {
  const f = new Uint8Array(escrow.toBytes())
  f[0] = (f[0] as number) & 0x1f
  return f
}

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return h.digest()
}

/** The `challengeCommitment` a zk escrow carries: SHA-256 of the client's 32-byte secret. */
export function challengeCommitment (secret: Uint8Array): Uint8Array {
  if (secret.length !== 32) throw new RangeError('a challenge secret is 32 bytes')
  return new Uint8Array(sha256(secret))
}

/** The fallback's challenged step (`draw_challenge`): u64 LE of SHA-256(slot hash ‖ escrow ‖ root)[..8] mod (leaves − 1). */
export function challengeStep (slotHash: Uint8Array, escrow: PublicKey, root: Uint8Array, leaves: number): number {
  if (leaves < 2) throw new RangeError('a zk job has at least two checkpoints')
  return Number(sha256(slotHash, escrow.toBytes(), root).readBigUInt64LE(0) % BigInt(leaves - 1))
}

/**
 * The challenged step `reveal_challenge` draws: u64 LE of SHA-256(slot hash ‖ secret ‖ escrow ‖
 * root)[..8] mod (leaves − 1), the slot hash being the SlotHashes entry of the fallback (the oldest
 * at or after the escrow's reference slot) when there is one, else the newest.
 */
export function revealedChallengeStep (slotHash: Uint8Array, secret: Uint8Array, escrow: PublicKey, root: Uint8Array, leaves: number): number {
  if (leaves < 2) throw new RangeError('a zk job has at least two checkpoints')
  if (secret.length !== 32) throw new RangeError('a challenge secret is 32 bytes')
  return Number(sha256(slotHash, secret, escrow.toBytes(), root).readBigUInt64LE(0) % BigInt(leaves - 1))
}

/** When the client's reveal window ends (unix seconds) and the slot-hash fallback may draw: the final anchor plus `revealWindowSecs`. */
export function revealDeadline (e: Pick<EscrowAccount, 'lastProgressAt'>, p: Pick<ConfigParams, 'revealWindowSecs'>): bigint {
  return e.lastProgressAt + p.revealWindowSecs
}

/** After this an anchored zk escrow whose challenge nobody drew is refunded by `timeout_refund` without a slash: max(deadline, reveal deadline + `proveWindowSecs`). */
export function undrawnExpiry (e: Pick<EscrowAccount, 'lastProgressAt' | 'deadline'>, p: Pick<ConfigParams, 'revealWindowSecs' | 'proveWindowSecs'>): bigint {
  const t = revealDeadline(e, p) + p.proveWindowSecs
  return t > e.deadline ? t : e.deadline
}

const be32 = (n: number): Uint8Array => {
  const b = new Uint8Array(32)
  new DataView(b.buffer).setUint32(28, n, false)
  return b
}

/**
 * The 160 bytes of public inputs the program builds for `complete_zk`: [job, root, leafCount, step,
 * data], each 32 bytes big-endian; `job` is `escrowField(escrow)`, `dataCommitment` the escrow's
 * (`EscrowAccount.dataCommitment`).
 */
export function stepPublicInputs (escrow: PublicKey, root: Uint8Array, leaves: number, step: number, dataCommitment: Uint8Array): Uint8Array {
  if (root.length !== 32) throw new RangeError('a root is 32 bytes')
  if (dataCommitment.length !== 32) throw new RangeError('a dataset commitment is 32 bytes')
  const out = new Uint8Array(32 * STEP_PUBLIC_INPUTS.length)
  out.set(escrowField(escrow), 0)
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
