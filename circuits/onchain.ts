/**
 * Byte layouts the Solana program consumes (the groth16-solana conventions; see docs/proofs.md):
 *
 *   field element / coordinate : 32 bytes, big-endian
 *   G1 point                   : x ‖ y                          (64 bytes; (0,0) is the identity)
 *   G2 point                   : x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0       (128 bytes; snarkjs lists [c0, c1])
 *   proof (256 bytes)          : −A (G1: x ‖ q − y) ‖ B (G2) ‖ C (G1)
 *   public inputs (32·n bytes) : each signal, big-endian, < r, in the circuit's order
 *   verifying key              : u32 LE nPublic ‖ α (G1) ‖ β (G2) ‖ γ (G2) ‖ δ (G2) ‖ IC_0 … IC_n (G1)
 *                                (452 + 64·(n+1) bytes)
 *
 * The program checks e(−A, B) · e(vk_x, γ) · e(C, δ) · e(α, β) = 1 with
 * vk_x = IC_0 + Σ input_i · IC_i, i.e. one `sol_alt_bn128_pairing` over the 768 bytes that
 * `onChainPairingInput` returns. `verifyOnChainBytes` runs exactly that computation in TypeScript
 * (ffjavascript's bn128, single-threaded) from the bytes alone.
 */
import { BN254_BASE_FIELD, BN254_SCALAR_FIELD } from '../protocols/index.js'
import type { Groth16Proof, VerificationKey } from 'snarkjs'

export const PROOF_BYTES = 256
export const G1_BYTES = 64
export const G2_BYTES = 128
export const PUBLIC_INPUT_BYTES = 32
export const VK_HEADER_BYTES = 4
/** Size of the verifying-key blob for a circuit with n public inputs. */
export const verifyingKeyBytes = (nPublic: number): number => VK_HEADER_BYTES + G1_BYTES + 3 * G2_BYTES + G1_BYTES * (nPublic + 1)

const Q = BN254_BASE_FIELD
const R = BN254_SCALAR_FIELD

function be32 (v: bigint, what: string, modulus: bigint = Q): Uint8Array {
  if (v < 0n || v >= modulus) throw new RangeError(`${what}: ${v} is out of range`)
  const out = new Uint8Array(32)
  let x = v
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(x & 0xffn)
    x >>= 8n
  }
  return out
}

function readBe32 (b: Uint8Array, at: number): bigint {
  let v = 0n
  for (let i = 0; i < 32; i++) v = (v << 8n) | BigInt(b[at + i] as number)
  return v
}

function big (s: string | undefined, what: string): bigint {
  if (s === undefined) throw new TypeError(`${what} is missing`)
  return BigInt(s)
}

function g1Bytes (p: readonly string[], what: string, negate = false): Uint8Array {
  if (big(p[2], `${what}.z`) !== 1n) throw new RangeError(`${what} must be affine (z = 1)`)
  const x = big(p[0], `${what}.x`)
  let y = big(p[1], `${what}.y`)
  if (negate && y !== 0n) y = Q - y
  const out = new Uint8Array(G1_BYTES)
  out.set(be32(x, `${what}.x`), 0)
  out.set(be32(y, `${what}.y`), 32)
  return out
}

function g2Bytes (p: readonly (readonly string[])[], what: string): Uint8Array {
  const [x, y, z] = p
  if (x === undefined || y === undefined || z === undefined || big(z[0], `${what}.z`) !== 1n || big(z[1], `${what}.z`) !== 0n) throw new RangeError(`${what} must be an affine G2 point`)
  const out = new Uint8Array(G2_BYTES)
  out.set(be32(big(x[1], `${what}.x.c1`), `${what}.x.c1`), 0)
  out.set(be32(big(x[0], `${what}.x.c0`), `${what}.x.c0`), 32)
  out.set(be32(big(y[1], `${what}.y.c1`), `${what}.y.c1`), 64)
  out.set(be32(big(y[0], `${what}.y.c0`), `${what}.y.c0`), 96)
  return out
}

function g1FromBytes (b: Uint8Array, at: number, negate = false): string[] {
  const x = readBe32(b, at)
  let y = readBe32(b, at + 32)
  if (negate && y !== 0n) y = Q - y
  return [x.toString(), y.toString(), '1']
}

function g2FromBytes (b: Uint8Array, at: number): string[][] {
  return [
    [readBe32(b, at + 32).toString(), readBe32(b, at).toString()],
    [readBe32(b, at + 96).toString(), readBe32(b, at + 64).toString()],
    ['1', '0']
  ]
}

/** The 256-byte proof the program takes: −A ‖ B ‖ C. */
export function toOnChainProof (proof: Groth16Proof): Uint8Array {
  if (proof.protocol !== 'groth16' || proof.curve !== 'bn128') throw new TypeError('a bn128 Groth16 proof is required')
  const out = new Uint8Array(PROOF_BYTES)
  out.set(g1Bytes(proof.pi_a, 'proof.A', true), 0)
  out.set(g2Bytes(proof.pi_b, 'proof.B'), G1_BYTES)
  out.set(g1Bytes(proof.pi_c, 'proof.C'), G1_BYTES + G2_BYTES)
  return out
}

/** The snarkjs proof back from its on-chain bytes (A un-negated). */
export function fromOnChainProof (b: Uint8Array): Groth16Proof {
  if (b.byteLength !== PROOF_BYTES) throw new RangeError(`a proof is ${PROOF_BYTES} bytes (got ${b.byteLength})`)
  return { pi_a: g1FromBytes(b, 0, true), pi_b: g2FromBytes(b, G1_BYTES), pi_c: g1FromBytes(b, G1_BYTES + G2_BYTES), protocol: 'groth16', curve: 'bn128' }
}

/** Public signals as 32-byte big-endian field elements, concatenated. */
export function toOnChainPublicInputs (signals: ReadonlyArray<string | bigint>): Uint8Array {
  const out = new Uint8Array(PUBLIC_INPUT_BYTES * signals.length)
  signals.forEach((s, i) => { out.set(be32(BigInt(s), `public input ${i}`, R), i * PUBLIC_INPUT_BYTES) })
  return out
}

export function fromOnChainPublicInputs (b: Uint8Array): string[] {
  if (b.byteLength % PUBLIC_INPUT_BYTES !== 0) throw new RangeError('public inputs are a multiple of 32 bytes')
  const out: string[] = []
  for (let at = 0; at < b.byteLength; at += PUBLIC_INPUT_BYTES) out.push(readBe32(b, at).toString())
  return out
}

/** The verifying-key blob: u32 LE nPublic ‖ α ‖ β ‖ γ ‖ δ ‖ IC_0..IC_n. */
export function toOnChainVerifyingKey (vkey: VerificationKey): Uint8Array {
  if (vkey.protocol !== 'groth16' || vkey.curve !== 'bn128') throw new TypeError('a bn128 Groth16 verification key is required')
  const n = vkey.nPublic
  if (!Number.isInteger(n) || n < 0 || vkey.IC.length !== n + 1) throw new RangeError(`the key has ${vkey.IC.length} IC points for ${n} public inputs`)
  const out = new Uint8Array(verifyingKeyBytes(n))
  new DataView(out.buffer).setUint32(0, n, true)
  let at = VK_HEADER_BYTES
  out.set(g1Bytes(vkey.vk_alpha_1, 'alpha'), at); at += G1_BYTES
  out.set(g2Bytes(vkey.vk_beta_2, 'beta'), at); at += G2_BYTES
  out.set(g2Bytes(vkey.vk_gamma_2, 'gamma'), at); at += G2_BYTES
  out.set(g2Bytes(vkey.vk_delta_2, 'delta'), at); at += G2_BYTES
  vkey.IC.forEach((p, i) => { out.set(g1Bytes(p, `IC[${i}]`), at + i * G1_BYTES) })
  return out
}

export function fromOnChainVerifyingKey (b: Uint8Array): VerificationKey {
  if (b.byteLength < VK_HEADER_BYTES) throw new RangeError('verifying key too short')
  const n = new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0, true)
  if (b.byteLength !== verifyingKeyBytes(n)) throw new RangeError(`a verifying key with ${n} public inputs is ${verifyingKeyBytes(n)} bytes (got ${b.byteLength})`)
  let at = VK_HEADER_BYTES
  const alpha = g1FromBytes(b, at); at += G1_BYTES
  const beta = g2FromBytes(b, at); at += G2_BYTES
  const gamma = g2FromBytes(b, at); at += G2_BYTES
  const delta = g2FromBytes(b, at); at += G2_BYTES
  const IC: string[][] = []
  for (let i = 0; i <= n; i++) IC.push(g1FromBytes(b, at + i * G1_BYTES))
  return { protocol: 'groth16', curve: 'bn128', nPublic: n, vk_alpha_1: alpha, vk_beta_2: beta, vk_gamma_2: gamma, vk_delta_2: delta, IC }
}

// ---- the program's computation, in TypeScript, from bytes ----

type Curve = import('ffjavascript').Bn128
let curvePromise: Promise<Curve> | undefined
/** ffjavascript's bn128 in single-thread mode (no worker threads to release). */
async function curve (): Promise<Curve> {
  curvePromise ??= import('ffjavascript').then(async (m) => await m.buildBn128(true))
  return await curvePromise
}

function parseG1 (c: Curve, b: Uint8Array, at: number): Uint8Array | null {
  const x = readBe32(b, at)
  const y = readBe32(b, at + 32)
  if (x >= Q || y >= Q) return null
  if (x === 0n && y === 0n) return c.G1.zero
  const p = c.G1.fromObject([x, y, 1n])
  return c.G1.isValid(p) ? p : null
}

function parseG2 (c: Curve, b: Uint8Array, at: number): Uint8Array | null {
  const x1 = readBe32(b, at)
  const x0 = readBe32(b, at + 32)
  const y1 = readBe32(b, at + 64)
  const y0 = readBe32(b, at + 96)
  if (x0 >= Q || x1 >= Q || y0 >= Q || y1 >= Q) return null
  const p = c.G2.fromObject([[x0, x1], [y0, y1], [1n, 0n]])
  return c.G2.isValid(p) ? p : null
}

function encodeG1 (c: Curve, p: Uint8Array): Uint8Array {
  const out = new Uint8Array(G1_BYTES)
  const [x, y, z] = c.G1.toObject(c.G1.toAffine(p)) as bigint[]
  if (z === 0n) return out // identity: (0, 0)
  out.set(be32(x as bigint, 'x'), 0)
  out.set(be32(y as bigint, 'y'), 32)
  return out
}

/**
 * vk_x = IC_0 + Σ input_i · IC_i as 64 bytes, or null if the inputs do not match the key (wrong
 * count, an input ≥ r, an IC point off the curve).
 */
export async function onChainVkX (vk: Uint8Array, inputs: Uint8Array): Promise<Uint8Array | null> {
  const c = await curve()
  const key = splitKey(vk)
  if (key === null || inputs.byteLength !== key.n * PUBLIC_INPUT_BYTES) return null
  let acc = parseG1(c, vk, key.icAt)
  if (acc === null) return null
  for (let i = 0; i < key.n; i++) {
    const s = readBe32(inputs, i * PUBLIC_INPUT_BYTES)
    if (s >= R) return null
    const ic = parseG1(c, vk, key.icAt + (i + 1) * G1_BYTES)
    if (ic === null) return null
    acc = c.G1.add(acc, c.G1.timesScalar(ic, s))
  }
  return encodeG1(c, acc)
}

function splitKey (vk: Uint8Array): { n: number, icAt: number } | null {
  if (vk.byteLength < VK_HEADER_BYTES) return null
  const n = new DataView(vk.buffer, vk.byteOffset, vk.byteLength).getUint32(0, true)
  if (vk.byteLength !== verifyingKeyBytes(n)) return null
  return { n, icAt: VK_HEADER_BYTES + G1_BYTES + 3 * G2_BYTES }
}

/**
 * The 768-byte input of `sol_alt_bn128_pairing` for this proof: (−A, B) ‖ (vk_x, γ) ‖ (C, δ) ‖ (α, β),
 * each pair G1 (64) ‖ G2 (128). Null when the bytes are malformed.
 */
export async function onChainPairingInput (vk: Uint8Array, proof: Uint8Array, inputs: Uint8Array): Promise<Uint8Array | null> {
  if (proof.byteLength !== PROOF_BYTES) return null
  const vkX = await onChainVkX(vk, inputs)
  if (vkX === null) return null
  const alpha = VK_HEADER_BYTES
  const beta = alpha + G1_BYTES
  const gamma = beta + G2_BYTES
  const delta = gamma + G2_BYTES
  const out = new Uint8Array(4 * (G1_BYTES + G2_BYTES))
  const pair = (i: number, g1: Uint8Array, g2: Uint8Array): void => {
    out.set(g1, i * 192)
    out.set(g2, i * 192 + 64)
  }
  pair(0, proof.subarray(0, 64), proof.subarray(64, 192))
  pair(1, vkX, vk.subarray(gamma, gamma + G2_BYTES))
  pair(2, proof.subarray(192, 256), vk.subarray(delta, delta + G2_BYTES))
  pair(3, vk.subarray(alpha, alpha + G1_BYTES), vk.subarray(beta, beta + G2_BYTES))
  return out
}

/**
 * The program's check, from bytes only: parse and range-check every coordinate and input, compute
 * vk_x, and test e(−A,B)·e(vk_x,γ)·e(C,δ)·e(α,β) = 1. Independent of snarkjs' verifier.
 */
export async function verifyOnChainBytes (vk: Uint8Array, proof: Uint8Array, inputs: Uint8Array): Promise<boolean> {
  const pairing = await onChainPairingInput(vk, proof, inputs)
  if (pairing === null) return false
  const c = await curve()
  const pts: Uint8Array[] = []
  for (let i = 0; i < 4; i++) {
    const g1 = parseG1(c, pairing, i * 192)
    const g2 = parseG2(c, pairing, i * 192 + 64)
    if (g1 === null || g2 === null) return false
    pts.push(g1, g2)
  }
  return await c.pairingEq(...pts)
}
