/**
 * Which segments a verifier re-executes. Given a challenge seed the worker could not know in
 * advance, pick k distinct segments of 1..N:
 *   candidate_j = 1 + (u64(SHA256("cyxwiz/spot-check/v1" ‖ seed ‖ u32 j)[0..8]) mod N), j = 0, 1, …
 * skipping repeats, rejecting draws at or above the largest multiple of N below 2^64 (no modulo
 * bias). Returned in ascending order.
 */
import { createHash } from 'node:crypto'

const DOMAIN = new TextEncoder().encode('cyxwiz/spot-check/v1')

export function selectSpotChecks (seed: Uint8Array, segments: number, k: number): number[] {
  if (!Number.isInteger(segments) || segments < 1) throw new RangeError(`segments must be a positive integer (got ${segments})`)
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer (got ${k})`)
  const want = Math.min(k, segments)
  const n = BigInt(segments)
  const limit = ((1n << 64n) / n) * n
  const picked = new Set<number>()
  const counter = new Uint8Array(4)
  for (let j = 0; picked.size < want; j++) {
    new DataView(counter.buffer).setUint32(0, j, true)
    const d = createHash('sha256').update(DOMAIN).update(seed).update(counter).digest()
    const x = d.readBigUInt64LE(0)
    if (x >= limit) continue
    picked.add(Number(x % n) + 1)
  }
  return [...picked].sort((a, b) => a - b)
}
