/**
 * Proof-of-compute data. The fixed vectors below were computed independently (Python hashlib and
 * struct) from the encodings documented in protocols/proof/*.ts, so they pin the byte format.
 */
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  CheckpointChain, encodeState, firstBrokenLink, genesisHash, MerkleTree, selectSpotChecks, stateHash, verifyInclusion,
  type Checkpoint, toHex
} from '../../../protocols/index.js'

const SPEC = Uint8Array.from({ length: 32 }, (_, i) => i)
const STATE = [
  { dtype: 'float32' as const, data: Float32Array.of(1.5, -2) },
  { dtype: 'int64' as const, data: BigInt64Array.of(3n, -1n) }
]

describe('protocols/proof', () => {
  describe('checkpoint chain', () => {
    it('matches the documented encoding (independent vectors)', () => {
      assert.equal(toHex(genesisHash(SPEC)), 'b34d5a3bd5bb887802e491352ea4948e6aacbd5da0a8c12ed8804e3bbf1c9c83')
      assert.equal(toHex(stateHash(STATE)), 'dd9958ba5437e45f31b241cd66138407357f040464009d7b9a9e8b11f4ce9f93')
      const chain = new CheckpointChain(SPEC)
      const c = chain.append(stateHash(STATE), { epoch: 1, steps: 10, loss: 0.25, accuracy: 0.75 }, 1_700_000_000_000)
      assert.equal(toHex(c.hash), '8328053e83f5f95a099e284307c23ef7f6864f2a15f8b80c6c9e25c6eb00f08a')
      assert.equal(chain.head, c.hash)
    })

    it('changes with any weight, metric, time or predecessor', () => {
      const base = new CheckpointChain(SPEC)
      base.append(stateHash(STATE), { epoch: 1, steps: 10, loss: 0.25, accuracy: 0.75 }, 5)
      const variants = [
        () => { const c = new CheckpointChain(SPEC); c.append(stateHash([{ dtype: 'float32', data: Float32Array.of(1.5, -2.0000002) }, STATE[1]!]), { epoch: 1, steps: 10, loss: 0.25, accuracy: 0.75 }, 5); return c.head },
        () => { const c = new CheckpointChain(SPEC); c.append(stateHash(STATE), { epoch: 1, steps: 11, loss: 0.25, accuracy: 0.75 }, 5); return c.head },
        () => { const c = new CheckpointChain(SPEC); c.append(stateHash(STATE), { epoch: 1, steps: 10, loss: 0.25, accuracy: 0.75 }, 6); return c.head },
        () => { const c = new CheckpointChain(new Uint8Array(32)); c.append(stateHash(STATE), { epoch: 1, steps: 10, loss: 0.25, accuracy: 0.75 }, 5); return c.head }
      ]
      for (const v of variants) assert.notEqual(toHex(v()), toHex(base.head))
    })

    it('refuses out-of-order segments and finds the first broken link', () => {
      const chain = new CheckpointChain(SPEC)
      assert.throws(() => chain.append(stateHash(STATE), { epoch: 2, steps: 1, loss: 0, accuracy: 0 }, 1), RangeError)
      for (let e = 1; e <= 4; e++) chain.append(stateHash(STATE), { epoch: e, steps: e * 10, loss: 1 / e, accuracy: 0.5 }, e)
      const claimed: Checkpoint[] = [...chain.checkpoints]
      assert.equal(firstBrokenLink(SPEC, claimed), null)
      claimed[2] = { ...claimed[2]!, metrics: { ...claimed[2]!.metrics, loss: 0.1 } }
      assert.equal(firstBrokenLink(SPEC, claimed), 3)
      assert.deepEqual(new CheckpointChain(SPEC, chain.checkpoints).head, chain.head)
    })

    it('refuses a tensor whose array does not match its dtype', () => {
      assert.throws(() => encodeState([{ dtype: 'int32', data: Float32Array.of(1) }]), TypeError)
    })
  })

  describe('Merkle tree', () => {
    const leaves = [1, 2, 3].map((i) => new Uint8Array(32).fill(i))
    it('matches the documented shape (independent vector, odd leaf promoted)', () => {
      assert.equal(toHex(new MerkleTree(leaves).root), 'df896896c799531f1fd1e556cea26a6989ab06853bcbfdd3e4f5097a611f658f')
    })

    it('proves every leaf of trees of 1..33 leaves, and nothing else', () => {
      for (let n = 1; n <= 33; n++) {
        const values = Array.from({ length: n }, (_, i) => new Uint8Array(32).fill(i + 1))
        const tree = new MerkleTree(values)
        for (let i = 0; i < n; i++) {
          const proof = tree.prove(i)
          assert.equal(verifyInclusion(tree.root, values[i]!, i, n, proof), true, `n=${n} i=${i}`)
          if (n > 1) {
            const j = (i + 1) % n
            assert.equal(verifyInclusion(tree.root, values[j]!, i, n, proof), false, 'another value at this index')
            assert.equal(verifyInclusion(tree.root, values[i]!, j, n, proof), false, 'this value at another index')
          }
        }
      }
    })

    it('rejects a tampered proof (property)', () => {
      fc.assert(fc.property(fc.integer({ min: 2, max: 40 }), fc.nat(), fc.nat(), fc.nat({ max: 31 }), (n, ix, stepIx, byte) => {
        const values = Array.from({ length: n }, (_, i) => new Uint8Array(32).fill(i))
        const tree = new MerkleTree(values)
        const i = ix % n
        const proof = tree.prove(i)
        const s = stepIx % proof.length
        const sib = Uint8Array.from(proof[s]!.sibling)
        sib[byte] = (sib[byte] as number) ^ 1
        const bad = proof.map((p, k) => (k === s ? { ...p, sibling: sib } : p))
        return !verifyInclusion(tree.root, values[i]!, i, n, bad) &&
          !verifyInclusion(tree.root, values[i]!, i, n, proof.slice(0, -1)) &&
          !verifyInclusion(tree.root, values[i]!, i, n, [...proof, proof[0]!])
      }))
    })
  })

  describe('spot-check selection', () => {
    it('picks k distinct segments in 1..N, the same for the same seed', () => {
      const seed = new Uint8Array(32).fill(9)
      const a = selectSpotChecks(seed, 20, 5)
      assert.deepEqual(a, selectSpotChecks(seed, 20, 5))
      assert.equal(new Set(a).size, 5)
      assert.ok(a.every((e) => e >= 1 && e <= 20))
      assert.deepEqual(a, [...a].sort((x, y) => x - y))
      assert.notDeepEqual(a, selectSpotChecks(new Uint8Array(32).fill(8), 20, 5))
      assert.deepEqual(selectSpotChecks(seed, 3, 10), [1, 2, 3])
    })
    it('reaches every segment over many seeds', () => {
      const seen = new Set<number>()
      for (let s = 0; s < 200; s++) for (const e of selectSpotChecks(Uint8Array.of(s), 10, 1)) seen.add(e)
      assert.equal(seen.size, 10)
    })
  })
})
