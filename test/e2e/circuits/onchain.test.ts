/**
 * The byte layouts the Solana program consumes (docs/proofs.md): sizes and field order pinned,
 * round trips, and the program's pairing check e(−A,B)·e(vk_x,γ)·e(C,δ)·e(α,β) = 1 recomputed from
 * the bytes alone (ffjavascript bn128), agreeing with snarkjs' verifier.
 */
import assert from 'node:assert/strict'
import * as snarkjs from 'snarkjs'
import {
  PROOF_BYTES, buildCircuits, checkpointInclusionInput, fromOnChainProof, fromOnChainPublicInputs, fromOnChainVerifyingKey,
  loadVerificationKey, onChainPairingInput, onChainVkX, prove, releaseCurve, toOnChainProof, toOnChainPublicInputs,
  toOnChainVerifyingKey, verifyOnChainBytes, verifyingKeyBytes, type ProofResult, type VerificationKey
} from '../../../circuits/index.js'
import { BN254_BASE_FIELD as Q, BN254_SCALAR_FIELD as R, fieldToBytes, poseidonHash } from '../../../protocols/index.js'

const be = (b: Uint8Array, at: number): bigint => BigInt('0x' + Buffer.from(b.subarray(at, at + 32)).toString('hex'))
/** 32 big-endian bytes of any value below 2^256 (no field check, unlike fieldToBytes). */
const raw32 = (v: bigint): Uint8Array => Uint8Array.from(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'))

describe('circuits: on-chain byte layouts', function () {
  this.timeout(120_000)
  let vkey: VerificationKey
  let r: ProofResult
  let vkB: Uint8Array
  let proofB: Uint8Array
  let inB: Uint8Array

  before(async function () {
    this.timeout(20 * 60_000)
    await buildCircuits({ log: () => {} })
    vkey = loadVerificationKey('checkpoint_inclusion')
    const values = Array.from({ length: 12 }, (_, i) => fieldToBytes(poseidonHash([BigInt(i), 7n])))
    r = await prove('checkpoint_inclusion', checkpointInclusionInput(values, 11).input)
    vkB = toOnChainVerifyingKey(vkey)
    proofB = toOnChainProof(r.proof)
    inB = toOnChainPublicInputs(r.publicSignals)
  })
  after(releaseCurve)

  it('pins the proof layout: −A (x ‖ q−y) ‖ B (x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0) ‖ C, big-endian', () => {
    const p = r.proof
    assert.equal(proofB.length, PROOF_BYTES)
    assert.equal(be(proofB, 0), BigInt(p.pi_a[0] as string))
    assert.equal(be(proofB, 32), Q - BigInt(p.pi_a[1] as string))
    assert.equal(be(proofB, 64), BigInt(p.pi_b[0]?.[1] as string))
    assert.equal(be(proofB, 96), BigInt(p.pi_b[0]?.[0] as string))
    assert.equal(be(proofB, 128), BigInt(p.pi_b[1]?.[1] as string))
    assert.equal(be(proofB, 160), BigInt(p.pi_b[1]?.[0] as string))
    assert.equal(be(proofB, 192), BigInt(p.pi_c[0] as string))
    assert.equal(be(proofB, 224), BigInt(p.pi_c[1] as string))
  })

  it('pins the verifying-key and public-input layouts', () => {
    assert.equal(vkB.length, verifyingKeyBytes(4))
    assert.equal(vkB.length, 4 + 64 + 3 * 128 + 5 * 64)
    assert.equal(new DataView(vkB.buffer, vkB.byteOffset).getUint32(0, true), 4)
    assert.equal(be(vkB, 4), BigInt(vkey.vk_alpha_1[0] as string))
    assert.equal(be(vkB, 68), BigInt(vkey.vk_beta_2[0]?.[1] as string)) // β.x.c1 first
    assert.equal(be(vkB, 196 + 96), BigInt(vkey.vk_gamma_2[1]?.[0] as string)) // γ.y.c0 last
    assert.equal(be(vkB, 452 + 4 * 64 + 32), BigInt(vkey.IC[4]?.[1] as string)) // IC_4.y
    assert.equal(inB.length, 4 * 32)
    r.publicSignals.forEach((s, i) => { assert.equal(be(inB, i * 32), BigInt(s)) })
  })

  it('round-trips proof, key and inputs through the bytes', async () => {
    assert.deepEqual(fromOnChainProof(proofB), r.proof)
    const vk2 = fromOnChainVerifyingKey(vkB)
    for (const k of ['nPublic', 'vk_alpha_1', 'vk_beta_2', 'vk_gamma_2', 'vk_delta_2', 'IC'] as const) assert.deepEqual(vk2[k], vkey[k], k)
    assert.deepEqual(fromOnChainPublicInputs(inB), r.publicSignals)
    assert.equal(await snarkjs.groth16.verify(vk2, fromOnChainPublicInputs(inB), fromOnChainProof(proofB)), true)
    assert.throws(() => toOnChainPublicInputs([R.toString()]), RangeError)
    assert.throws(() => fromOnChainVerifyingKey(vkB.subarray(0, vkB.length - 1)), RangeError)
  })

  it('satisfies the pairing equation from the converted bytes, and the 768-byte syscall input is consistent', async () => {
    assert.equal(await verifyOnChainBytes(vkB, proofB, inB), true)
    const pairing = await onChainPairingInput(vkB, proofB, inB)
    assert.ok(pairing !== null)
    assert.equal(pairing.length, 768)
    assert.deepEqual(pairing.subarray(0, 192), proofB.subarray(0, 192)) // (−A, B)
    assert.deepEqual(pairing.subarray(192, 256), await onChainVkX(vkB, inB)) // vk_x
    assert.deepEqual(pairing.subarray(256, 384), vkB.subarray(196, 324)) // γ
    assert.deepEqual(pairing.subarray(384, 448), proofB.subarray(192, 256)) // C
    assert.deepEqual(pairing.subarray(448, 576), vkB.subarray(324, 452)) // δ
    assert.deepEqual(pairing.subarray(576, 768), vkB.subarray(4, 196)) // α ‖ β
  })

  it('fails on any corrupted byte region, on inputs ≥ r and on wrong lengths (as snarkjs does)', async () => {
    const flip = (b: Uint8Array, at: number): Uint8Array => { const c = Uint8Array.from(b); c[at] = (c[at] as number) ^ 1; return c }
    for (const at of [31, 63, 95, 127, 159, 191, 223, 255]) {
      const bad = flip(proofB, at)
      assert.equal(await verifyOnChainBytes(vkB, bad, inB), false, `proof byte ${at}`)
      const ok = await snarkjs.groth16.verify(vkey, r.publicSignals, fromOnChainProof(bad)).catch(() => false)
      assert.equal(ok, false)
    }
    for (const at of [35, 100, 250, 400, 460, 700]) assert.equal(await verifyOnChainBytes(flip(vkB, at), proofB, inB), false, `key byte ${at}`)
    for (const at of [31, 63, 95, 127]) assert.equal(await verifyOnChainBytes(vkB, proofB, flip(inB, at)), false, `input byte ${at}`)
    // An input replaced by itself + r: same value mod r, but not canonical: refused.
    const wrapped = Uint8Array.from(inB)
    wrapped.set(raw32(be(inB, 32) + R), 32)
    assert.equal(await verifyOnChainBytes(vkB, proofB, wrapped), false)
    assert.equal(await verifyOnChainBytes(vkB, proofB, inB.subarray(0, 96)), false)
    assert.equal(await verifyOnChainBytes(vkB, proofB.subarray(0, 255), inB), false)
    // A not negated: the equation fails.
    const unNegated = Uint8Array.from(proofB)
    unNegated.set(raw32(Q - be(proofB, 32)), 32)
    assert.equal(await verifyOnChainBytes(vkB, unNegated, inB), false)
  })
})
