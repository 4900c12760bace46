/**
 * The Poseidon hash, field encodings, checkpoint commitments and Poseidon Merkle tree of
 * protocols/proof/poseidon.ts, checked against circomlibjs (an independent implementation: wasm,
 * optimised constants) and the known circomlib / sol_poseidon vector Poseidon(1, 2).
 */
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { buildPoseidon, type PoseidonFn } from 'circomlibjs'
import {
  BN254_SCALAR_FIELD as R, CHECKPOINT_DOMAIN, CheckpointChain, MerkleTree, VECTOR_DOMAIN, checkpointCommitment, checkpointLeaf,
  digestToFields, fieldFromBytes, fieldToBytes, fromField, poseidonHash, poseidonMerkle, poseidonStateCommitment,
  poseidonVectorCommitment, toField, verifyInclusion, toHex, fromHex
} from '../../../protocols/index.js'

const bigFromHex = (h: string): bigint => BigInt('0x' + h)
const fieldArb = fc.bigInt({ min: 0n, max: R - 1n })

describe('circuits: Poseidon (protocols/proof/poseidon.ts)', () => {
  let ref: PoseidonFn
  before(async () => { ref = await buildPoseidon() })
  const refHash = (xs: readonly bigint[]): bigint => ref.F.toObject(ref(xs))

  it('matches the circomlib / sol_poseidon vector Poseidon(1, 2)', () => {
    assert.equal(poseidonHash([1n, 2n]).toString(16), '115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a')
  })

  it('equals circomlibjs for every width 1..16 on random field elements', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 16 }).chain((n) => fc.array(fieldArb, { minLength: n, maxLength: n })), (xs) => {
      assert.equal(poseidonHash(xs), refHash(xs))
    }), { numRuns: 60 })
    for (const xs of [[0n], [R - 1n], Array.from({ length: 16 }, () => R - 1n)]) assert.equal(poseidonHash(xs), refHash(xs))
  })

  it('rejects non-field inputs and bad widths', () => {
    assert.throws(() => poseidonHash([]), RangeError)
    assert.throws(() => poseidonHash(Array.from({ length: 17 }, () => 1n)), RangeError)
    assert.throws(() => poseidonHash([R]), RangeError)
    assert.throws(() => poseidonHash([-1n]), RangeError)
  })

  it('encodes field elements as 32 big-endian bytes, canonical only', () => {
    fc.assert(fc.property(fieldArb, (v) => {
      const b = fieldToBytes(v)
      assert.equal(b.length, 32)
      assert.equal(bigFromHex(toHex(b)), v)
      assert.equal(fieldFromBytes(b), v)
    }))
    assert.throws(() => fieldFromBytes(fieldToBytes(R - 1n).slice(1)), RangeError)
    assert.throws(() => fieldFromBytes(fromHex(R.toString(16).padStart(64, '0'))), RangeError)
    assert.throws(() => fieldToBytes(R), RangeError)
  })

  it('maps signed integers to field elements (negatives as r − |x|) and back', () => {
    assert.equal(toField(-1), R - 1n)
    assert.equal(toField(-65536n), R - 65536n)
    assert.equal(toField(7), 7n)
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (x) => { assert.equal(fromField(toField(x)), BigInt(x)) }))
  })

  it('splits a digest into two 128-bit big-endian halves', () => {
    const d = Uint8Array.from({ length: 32 }, (_, i) => i + 1)
    const [hi, lo] = digestToFields(d)
    assert.equal(hi, bigFromHex(toHex(d.subarray(0, 16))))
    assert.equal(lo, bigFromHex(toHex(d.subarray(16))))
  })

  it('defines the checkpoint commitment as documented (recomputed with circomlibjs)', () => {
    assert.equal(CHECKPOINT_DOMAIN, bigFromHex(Buffer.from('cyxwiz/checkpoint/poseidon/v1').toString('hex')))
    const chain = new CheckpointChain(new Uint8Array(32))
    const c = chain.append(new Uint8Array(32).fill(9), { epoch: 1, steps: 4, loss: 0.5, accuracy: 0.5 }, 1000)
    const s = poseidonStateCommitment([Int32Array.of(65536, -3), Int32Array.of(0)])
    const expected = refHash([CHECKPOINT_DOMAIN, bigFromHex(toHex(c.hash.subarray(0, 16))), bigFromHex(toHex(c.hash.subarray(16))), s])
    assert.equal(checkpointCommitment(c.hash, s), expected)
    assert.equal(toHex(checkpointLeaf(c, s)), expected.toString(16).padStart(64, '0'))
    assert.notEqual(checkpointCommitment(c.hash, s), checkpointCommitment(c.hash, 0n))
  })

  it('commits to vectors in chunks of 11 behind a length header (recomputed with circomlibjs)', () => {
    const values = Array.from({ length: 23 }, (_, i) => (i % 3 === 0 ? -i : i) * 1000)
    let acc = refHash([VECTOR_DOMAIN, 23n])
    for (let at = 0; at < 23; at += 11) {
      const chunk = Array.from({ length: 11 }, (_, i) => (at + i < 23 ? toField(values[at + i] as number) : 0n))
      acc = refHash([acc, ...chunk])
    }
    assert.equal(poseidonVectorCommitment(values), acc)
    // Zero padding is unambiguous: a trailing zero changes the commitment.
    assert.notEqual(poseidonVectorCommitment([1, 2]), poseidonVectorCommitment([1, 2, 0]))
    assert.notEqual(poseidonVectorCommitment([]), poseidonVectorCommitment([0]))
    assert.equal(poseidonStateCommitment([Int32Array.of(1, -2), Int32Array.of(3)]), poseidonVectorCommitment([1, -2, 3]))
  })

  it('builds Merkle trees of the MerkleTree shape whose proofs verify, and only for the right leaf', () => {
    for (let n = 1; n <= 9; n++) {
      const values = Array.from({ length: n }, (_, i) => fieldToBytes(BigInt(i * 1_000_003 + 17)))
      const tree = new MerkleTree(values, poseidonMerkle)
      // Recompute the root with circomlibjs: leaf = P(v), node = P(l, r), odd node promoted.
      let level = values.map((v) => refHash([fieldFromBytes(v)]))
      while (level.length > 1) {
        const next: bigint[] = []
        for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? refHash([level[i] as bigint, level[i + 1] as bigint]) : level[i] as bigint)
        level = next
      }
      assert.equal(fieldFromBytes(tree.root), level[0])
      for (let i = 0; i < n; i++) {
        const proof = tree.prove(i)
        assert.ok(verifyInclusion(tree.root, values[i] as Uint8Array, i, n, proof, poseidonMerkle))
        assert.ok(!verifyInclusion(tree.root, fieldToBytes(12345n), i, n, proof, poseidonMerkle))
      }
    }
    assert.throws(() => poseidonMerkle.leaf(new Uint8Array(31)), RangeError)
  })
})
