import assert from 'node:assert/strict'
import { permutation, prngStream, splitMix64, streamSeed, Xoshiro128StarStar } from '../../../peer/train/index.js'

describe('train/prng: the seeded generator', () => {
  it('SplitMix64 matches the reference output for state 0', () => {
    assert.equal(splitMix64(0n).value, 0xe220a8397b1dcdafn)
    const second = splitMix64(splitMix64(0n).state).value
    assert.equal(second, 0x6e789e6aa1b965f4n)
  })

  it('xoshiro128** matches the reference C implementation from state {1, 2, 3, 4}', () => {
    const g = Xoshiro128StarStar.fromState([1, 2, 3, 4])
    assert.deepEqual(Array.from({ length: 6 }, () => g.nextUint32()), [11520, 0, 5927040, 70819200, 2031721883, 1637235492])
  })

  it('streams are reproducible and distinct by seed, purpose and index', () => {
    const draw = (seed: number, purpose: string, index: number) => {
      const g = prngStream(seed, purpose, index)
      return Array.from({ length: 4 }, () => g.nextUint32())
    }
    assert.deepEqual(draw(7, 'order', 3), draw(7, 'order', 3))
    assert.notDeepEqual(draw(7, 'order', 3), draw(7, 'order', 4))
    assert.notDeepEqual(draw(7, 'order', 3), draw(8, 'order', 3))
    assert.notDeepEqual(draw(7, 'order', 3), draw(7, 'init', 3))
    assert.throws(() => streamSeed(-1, 'x'))
    assert.throws(() => streamSeed(1.5, 'x'))
  })

  it('nextBelow stays in range and nextUnit in [0, 1)', () => {
    const g = prngStream(1, 'range')
    for (let i = 0; i < 2000; i++) {
      const k = g.nextBelow(7)
      assert.ok(Number.isInteger(k) && k >= 0 && k < 7)
      const u = g.nextUnit()
      assert.ok(u >= 0 && u < 1)
    }
    assert.throws(() => g.nextBelow(0))
  })

  it('permutation is a permutation, seeded', () => {
    const p = permutation(1000, prngStream(2, 'perm'))
    assert.deepEqual(Array.from(p).sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i))
    assert.deepEqual(p, permutation(1000, prngStream(2, 'perm')))
    assert.notDeepEqual(p, permutation(1000, prngStream(3, 'perm')))
  })
})
