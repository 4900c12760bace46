// The job's only source of randomness. Everything a spec leaves to chance (data order, initial
// weights, the synthetic dataset) is drawn from here, so that a spec fixes the run bit for bit.
//
// Generator: xoshiro128** 1.1 (Blackman & Vigna, https://prng.di.unimi.it/xoshiro128starstar.c):
// 128-bit state, 32-bit outputs, only 32-bit integer operations (Math.imul, shifts, xor), which are
// exact in JavaScript on every engine and CPU. Its state is filled by SplitMix64 (Steele, Lea &
// Flood 2014; the seeding Vigna recommends), computed with BigInt.
//
// Streams: each use draws from its own stream, seeded by
//   SplitMix64 seed = first 8 bytes (little-endian) of SHA-256("cyxwiz/prng/v1" ‖ 0x00 ‖ purpose ‖ 0x00 ‖ seed as u64 LE ‖ index as u32 LE)
// so e.g. epoch E's data order can be drawn without drawing epochs 1..E−1 first (a verifier re-executes
// one segment alone), and no two purposes share numbers.
import { createHash } from 'node:crypto'

const MASK64 = (1n << 64n) - 1n

/** SplitMix64: returns the next 64-bit output and the advanced state. */
export function splitMix64(state: bigint): { value: bigint; state: bigint } {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64
  let z = next
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64
  return { value: z ^ (z >> 31n), state: next }
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0

export class Xoshiro128StarStar {
  private s0: number
  private s1: number
  private s2: number
  private s3: number

  /** Seeds the 128-bit state with two SplitMix64 outputs (low word first). */
  constructor(seed64: bigint) {
    let st = seed64 & MASK64
    const a = splitMix64(st)
    st = a.state
    const b = splitMix64(st)
    this.s0 = Number(a.value & 0xffffffffn)
    this.s1 = Number(a.value >> 32n)
    this.s2 = Number(b.value & 0xffffffffn)
    this.s3 = Number(b.value >> 32n)
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1 // the all-zero state is a fixed point
  }

  /** A generator in an explicit state (test vectors of the reference implementation use this). */
  static fromState(state: readonly [number, number, number, number]): Xoshiro128StarStar {
    const g = new Xoshiro128StarStar(0n)
    ;[g.s0, g.s1, g.s2, g.s3] = state.map((w) => w >>> 0) as [number, number, number, number]
    return g
  }

  /** Next uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0
    const t = (this.s1 << 9) >>> 0
    this.s2 = (this.s2 ^ this.s0) >>> 0
    this.s3 = (this.s3 ^ this.s1) >>> 0
    this.s1 = (this.s1 ^ this.s2) >>> 0
    this.s0 = (this.s0 ^ this.s3) >>> 0
    this.s2 = (this.s2 ^ t) >>> 0
    this.s3 = rotl(this.s3, 11)
    return result
  }

  /** Uniform in [0, 1) with 24 random bits: exactly representable as float32 and float64. */
  nextUnit(): number {
    return (this.nextUint32() >>> 8) / 16777216
  }

  /** Uniform integer in [0, n) without modulo bias (rejection of the top partial range). */
  nextBelow(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1 || n > 0x100000000) throw new Error(`nextBelow: bad bound ${n}`)
    const limit = Math.floor(0x100000000 / n) * n
    for (;;) {
      const u = this.nextUint32()
      if (u < limit) return u % n
    }
  }
}

/** The SplitMix64 seed of a named stream (see the header for the exact byte string). */
export function streamSeed(seed: number, purpose: string, index = 0): bigint {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`seed must be a non-negative safe integer, got ${seed}`)
  if (!Number.isInteger(index) || index < 0 || index > 0xffffffff) throw new Error(`stream index out of range: ${index}`)
  const tail = Buffer.alloc(12)
  tail.writeBigUInt64LE(BigInt(seed), 0)
  tail.writeUInt32LE(index, 8)
  const digest = createHash('sha256')
    .update('cyxwiz/prng/v1\0')
    .update(purpose)
    .update('\0')
    .update(tail)
    .digest()
  return digest.readBigUInt64LE(0)
}

export function prngStream(seed: number, purpose: string, index = 0): Xoshiro128StarStar {
  return new Xoshiro128StarStar(streamSeed(seed, purpose, index))
}

/** A uniformly random permutation of 0..n−1 (Fisher–Yates, drawing j ∈ [0, i] for i = n−1 down to 1). */
export function permutation(n: number, rng: Xoshiro128StarStar): Uint32Array {
  const out = new Uint32Array(n)
  for (let i = 0; i < n; i++) out[i] = i
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextBelow(i + 1)
    const t = out[i] as number
    out[i] = out[j] as number
    out[j] = t
  }
  return out
}
