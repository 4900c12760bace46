/**
 * A binary Merkle tree over checkpoint hashes H_1..H_N, with inclusion proofs.
 *
 *   leaf  = SHA256(0x00 ‖ H_i)
 *   node  = SHA256(0x01 ‖ left ‖ right)
 *   a level with an odd count promotes its last node unchanged to the next level
 *
 * The 0x00/0x01 prefixes keep a leaf from ever being read as an inner node (second-preimage
 * safety), and promoting rather than duplicating the odd node keeps two different leaf lists from
 * sharing a root. The hash is pluggable (`MerkleHasher`) so a circuit-friendly Poseidon tree can use
 * the same shape.
 */
import { createHash } from 'node:crypto'

export interface MerkleHasher {
  leaf (value: Uint8Array): Uint8Array
  node (left: Uint8Array, right: Uint8Array): Uint8Array
}

export const sha256Merkle: MerkleHasher = {
  leaf: (v) => new Uint8Array(createHash('sha256').update(Uint8Array.of(0)).update(v).digest()),
  node: (l, r) => new Uint8Array(createHash('sha256').update(Uint8Array.of(1)).update(l).update(r).digest())
}

/** One step of an inclusion proof: the sibling, and whether it sits on the left. */
export interface ProofStep {
  readonly sibling: Uint8Array
  readonly left: boolean
}

export class MerkleTree {
  readonly #levels: Uint8Array[][]
  readonly hasher: MerkleHasher

  constructor (values: readonly Uint8Array[], hasher: MerkleHasher = sha256Merkle) {
    if (values.length === 0) throw new RangeError('a Merkle tree needs at least one leaf')
    this.hasher = hasher
    let level = values.map((v) => hasher.leaf(v))
    this.#levels = [level]
    while (level.length > 1) {
      const next: Uint8Array[] = []
      for (let i = 0; i < level.length; i += 2) {
        const l = level[i] as Uint8Array
        const r = level[i + 1]
        next.push(r === undefined ? l : hasher.node(l, r))
      }
      this.#levels.push(next)
      level = next
    }
  }

  get root (): Uint8Array {
    return (this.#levels.at(-1) as Uint8Array[])[0] as Uint8Array
  }

  get leafCount (): number {
    return (this.#levels[0] as Uint8Array[]).length
  }

  /** Inclusion proof of the leaf at `index` (0-based). */
  prove (index: number): ProofStep[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.leafCount) throw new RangeError(`leaf ${index} is not in a tree of ${this.leafCount}`)
    const steps: ProofStep[] = []
    let i = index
    for (let d = 0; d < this.#levels.length - 1; d++) {
      const level = this.#levels[d] as Uint8Array[]
      const sib = i % 2 === 0 ? i + 1 : i - 1
      const s = level[sib]
      if (s !== undefined) steps.push({ sibling: s, left: sib < i })
      i = Math.floor(i / 2)
    }
    return steps
  }
}

/**
 * Checks that `value` is leaf `index` of a tree of `leafCount` leaves with this root. The index and
 * count fix which steps must exist and on which side, so a proof cannot be replayed for another
 * position.
 */
export function verifyInclusion (root: Uint8Array, value: Uint8Array, index: number, leafCount: number, proof: readonly ProofStep[], hasher: MerkleHasher = sha256Merkle): boolean {
  if (!Number.isInteger(leafCount) || leafCount < 1 || !Number.isInteger(index) || index < 0 || index >= leafCount) return false
  let acc = hasher.leaf(value)
  let i = index
  let n = leafCount
  let used = 0
  while (n > 1) {
    const sib = i % 2 === 0 ? i + 1 : i - 1
    if (sib < n) {
      const step = proof[used++]
      if (step === undefined || step.left !== (sib < i)) return false
      acc = step.left ? hasher.node(step.sibling, acc) : hasher.node(acc, step.sibling)
    }
    i = Math.floor(i / 2)
    n = Math.ceil(n / 2)
  }
  return used === proof.length && Buffer.compare(acc, root) === 0
}
