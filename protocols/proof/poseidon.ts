/**
 * Poseidon over BN254 (circomlib's parameters), the hash that circuits, TypeScript and the on-chain
 * program (`sol_poseidon`, BN254 x5, big-endian) all compute identically; and, built on it, the
 * checkpoint commitments and the Poseidon Merkle tree that the worker anchors on-chain.
 *
 * Field elements travel as 32-byte big-endian integers below r (the BN254 scalar field order);
 * a signed integer x is the field element x mod r (a negative x is r − |x|).
 *
 *   leaf  = Poseidon(value)           (1 input, width 2)
 *   node  = Poseidon(left, right)     (2 inputs, width 3)
 *   tree shape: protocols/proof/merkle.ts (an odd node is promoted unchanged)
 *
 * Different widths are different permutations (their own round constants and MDS matrix), which
 * separates leaves from inner nodes as the 0x00/0x01 prefixes do in the SHA-256 tree.
 *
 * Checkpoint commitment, the value of leaf E−1 (0-based) of the anchored tree:
 *   C_E = Poseidon(CHECKPOINT_DOMAIN, hi(H_E), lo(H_E), S_E)
 * with hi/lo the first/last 16 bytes of the SHA-256 chain hash H_E read as big-endian integers,
 * and S_E the state commitment: for exact-integer (fixed-q16) training the Poseidon vector
 * commitment of the whole integer state (weights, then velocities, in layout order; see
 * `poseidonVectorCommitment`), which a step circuit can open; 0 for a float job, whose state is
 * committed only through H_E.
 *
 * The implementation is the reference Poseidon permutation (as circomlibjs' reference build) in
 * plain bigint arithmetic, synchronous, with circomlibjs' own constants read on first use; tests
 * check it against circomlibjs and against the circuits.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { MerkleHasher } from './merkle.js'
import type { Checkpoint } from './checkpoint.js'

/** r, the BN254 scalar field order (the field of circom signals and Poseidon). */
export const BN254_SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n
/** q, the BN254 base field order (curve point coordinates). */
export const BN254_BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583n

const R = BN254_SCALAR_FIELD
/** Most inputs circomlib's Poseidon takes (`sol_poseidon` takes at most 12). */
export const POSEIDON_MAX_INPUTS = 16
const N_ROUNDS_F = 8
const N_ROUNDS_P = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68]

function asciiField (s: string): bigint {
  let v = 0n
  for (const b of new TextEncoder().encode(s)) v = (v << 8n) | BigInt(b)
  return v
}

/** Domain constant of checkpoint commitments: the ASCII bytes "cyxwiz/checkpoint/poseidon/v1" as a big-endian integer. */
export const CHECKPOINT_DOMAIN = asciiField('cyxwiz/checkpoint/poseidon/v1')
/** Domain constant of vector commitments: the ASCII bytes "cyxwiz/vector/poseidon/v1" as a big-endian integer. */
export const VECTOR_DOMAIN = asciiField('cyxwiz/vector/poseidon/v1')
/** Domain constant of digest commitments: the ASCII bytes "cyxwiz/digest/poseidon/v1" as a big-endian integer. */
export const DIGEST_DOMAIN = asciiField('cyxwiz/digest/poseidon/v1')
/** Domain constant of training-batch commitments: the ASCII bytes "cyxwiz/batch/poseidon/v1" as a big-endian integer. */
export const BATCH_DOMAIN = asciiField('cyxwiz/batch/poseidon/v1')
/** Values absorbed per Poseidon call in a vector commitment (12 inputs: the chain value + 11). */
export const VECTOR_CHUNK = 11

interface Constants { readonly c: bigint[], readonly m: bigint[][] }
let raw: { C: string[][], M: string[][][] } | undefined
const perWidth = new Map<number, Constants>()

function constantsFor (t: number): Constants {
  let k = perWidth.get(t)
  if (k === undefined) {
    if (raw === undefined) {
      // circomlibjs does not export its constants module; read the data file next to its build.
      const main = createRequire(import.meta.url).resolve('circomlibjs')
      const text = readFileSync(join(dirname(main), '..', 'src', 'poseidon_constants.js'), 'utf8')
      raw = JSON.parse(text.replace(/^\s*export\s+default\s*/, '').replace(/;?\s*$/, '')) as { C: string[][], M: string[][][] }
    }
    const c = (raw.C[t - 2] as string[]).map((x) => BigInt(x))
    const m = (raw.M[t - 2] as string[][]).map((row) => row.map((x) => BigInt(x)))
    k = { c, m }
    perWidth.set(t, k)
  }
  return k
}

function pow5 (a: bigint): bigint {
  const a2 = (a * a) % R
  return (((a2 * a2) % R) * a) % R
}

/** Poseidon of 1..16 field elements (circomlib's `Poseidon(n)`; `sol_poseidon` for n ≤ 12). */
export function poseidonHash (inputs: readonly bigint[]): bigint {
  if (inputs.length < 1 || inputs.length > POSEIDON_MAX_INPUTS) throw new RangeError(`Poseidon takes 1..${POSEIDON_MAX_INPUTS} inputs (got ${inputs.length})`)
  for (const x of inputs) if (typeof x !== 'bigint' || x < 0n || x >= R) throw new RangeError('Poseidon inputs must be field elements 0 <= x < r')
  const t = inputs.length + 1
  const { c, m } = constantsFor(t)
  const nP = N_ROUNDS_P[t - 2] as number
  let state = [0n, ...inputs]
  for (let r = 0; r < N_ROUNDS_F + nP; r++) {
    for (let i = 0; i < t; i++) state[i] = ((state[i] as bigint) + (c[r * t + i] as bigint)) % R
    if (r < N_ROUNDS_F / 2 || r >= N_ROUNDS_F / 2 + nP) state = state.map(pow5)
    else state[0] = pow5(state[0] as bigint)
    const next = new Array<bigint>(t)
    for (let i = 0; i < t; i++) {
      const row = m[i] as bigint[]
      let acc = 0n
      for (let j = 0; j < t; j++) acc += (row[j] as bigint) * (state[j] as bigint)
      next[i] = acc % R
    }
    state = next
  }
  return state[0] as bigint
}

/** A signed integer as a field element: x mod r (negatives become r − |x|). */
export function toField (x: number | bigint): bigint {
  if (typeof x === 'number' && !Number.isSafeInteger(x)) throw new RangeError(`${x} is not a safe integer`)
  const v = BigInt(x) % R
  return v < 0n ? v + R : v
}

/** A field element as a signed integer in (−r/2, r/2]: the inverse of `toField` for small values. */
export function fromField (v: bigint): bigint {
  if (v < 0n || v >= R) throw new RangeError('not a field element')
  return v > R / 2n ? v - R : v
}

/** 32-byte big-endian encoding of a field element. */
export function fieldToBytes (v: bigint): Uint8Array {
  if (v < 0n || v >= R) throw new RangeError('not a field element (0 <= v < r)')
  const out = new Uint8Array(32)
  let x = v
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(x & 0xffn)
    x >>= 8n
  }
  return out
}

/** Reads a 32-byte big-endian field element; rejects other lengths and values >= r. */
export function fieldFromBytes (b: Uint8Array): bigint {
  if (b.byteLength !== 32) throw new RangeError(`a field element is 32 bytes (got ${b.byteLength})`)
  let v = 0n
  for (const x of b) v = (v << 8n) | BigInt(x)
  if (v >= R) throw new RangeError('not a canonical field element (>= r)')
  return v
}

/** A 32-byte digest as two field elements: [first 16 bytes, last 16 bytes], big-endian. */
export function digestToFields (d: Uint8Array): [bigint, bigint] {
  if (d.byteLength !== 32) throw new RangeError(`a digest is 32 bytes (got ${d.byteLength})`)
  let hi = 0n
  let lo = 0n
  for (let i = 0; i < 16; i++) hi = (hi << 8n) | BigInt(d[i] as number)
  for (let i = 16; i < 32; i++) lo = (lo << 8n) | BigInt(d[i] as number)
  return [hi, lo]
}

/**
 * Poseidon commitment to a vector of signed integers (e.g. a Q16 training state):
 *   acc_0 = Poseidon(VECTOR_DOMAIN, n)
 *   acc_j = Poseidon(acc_{j−1}, v_{11(j−1)+1} … v_{11j})   (the last chunk zero-padded to 11)
 * The length in acc_0 makes the zero padding unambiguous; each call has 12 inputs, so the program
 * could recompute it with `sol_poseidon` too.
 */
export function poseidonVectorCommitment (values: ArrayLike<number | bigint>): bigint {
  let acc = poseidonHash([VECTOR_DOMAIN, BigInt(values.length)])
  for (let at = 0; at < values.length; at += VECTOR_CHUNK) {
    const chunk: bigint[] = [acc]
    for (let i = 0; i < VECTOR_CHUNK; i++) chunk.push(at + i < values.length ? toField(values[at + i] as number | bigint) : 0n)
    acc = poseidonHash(chunk)
  }
  return acc
}

/** S_E for an integer state: the vector commitment of all tensors' values, concatenated in order. */
export function poseidonStateCommitment (tensors: ReadonlyArray<Int32Array | BigInt64Array>): bigint {
  const all: Array<number | bigint> = []
  for (const t of tensors) for (let i = 0; i < t.length; i++) all.push(t[i] as number | bigint)
  return poseidonVectorCommitment(all)
}

/**
 * S_E for a float checkpoint (optimistic tier): Poseidon(DIGEST_DOMAIN, hi(d), lo(d)) of its 32-byte
 * SHA-256 state hash `d` (protocols/proof/checkpoint.ts `stateHash`). A float state is too large to
 * commit field by field; its digest is what the chain and the evidence already name.
 */
export function digestCommitment (digest: Uint8Array): bigint {
  const [hi, lo] = digestToFields(digest)
  return poseidonHash([DIGEST_DOMAIN, hi, lo])
}

/**
 * B = Poseidon(BATCH_DOMAIN, V(X ‖ Y)) of one training batch: its integer (Q16) features, row-major,
 * then its labels, under the vector commitment V above. The leaves of a dataset commitment (the
 * step circuit's public input `data` is the Poseidon Merkle root of a dataset's batch commitments).
 */
export function batchCommitment (features: ArrayLike<number>, labels: ArrayLike<number>): bigint {
  const values: number[] = []
  for (let i = 0; i < features.length; i++) values.push(features[i] as number)
  for (let i = 0; i < labels.length; i++) values.push(labels[i] as number)
  return poseidonHash([BATCH_DOMAIN, poseidonVectorCommitment(values)])
}

/** C_E = Poseidon(CHECKPOINT_DOMAIN, hi(H_E), lo(H_E), S_E) as a field element. */
export function checkpointCommitment (chainHash: Uint8Array, stateCommitment: bigint = 0n): bigint {
  if (stateCommitment < 0n || stateCommitment >= R) throw new RangeError('the state commitment must be a field element')
  const [hi, lo] = digestToFields(chainHash)
  return poseidonHash([CHECKPOINT_DOMAIN, hi, lo, stateCommitment])
}

/** The 32-byte leaf value of checkpoint `c` in the anchored Poseidon tree. */
export function checkpointLeaf (c: Checkpoint, stateCommitment: bigint = 0n): Uint8Array {
  return fieldToBytes(checkpointCommitment(c.hash, stateCommitment))
}

/**
 * The Poseidon `MerkleHasher`: values and hashes are 32-byte big-endian field elements, exactly the
 * bytes `sol_poseidon` takes and returns (BN254 x5, big-endian).
 */
export const poseidonMerkle: MerkleHasher = {
  leaf: (v) => fieldToBytes(poseidonHash([fieldFromBytes(v)])),
  node: (l, r) => fieldToBytes(poseidonHash([fieldFromBytes(l), fieldFromBytes(r)]))
}
