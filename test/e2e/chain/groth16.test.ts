/**
 * On-chain Groth16 (chain/program/src/groth16.rs) with real snarkjs proofs of the
 * `checkpoint_inclusion` circuit: the admin installs the verifying key in chunks, `verify_proof`
 * accepts the honest proof and refuses a tampered input, a non-canonical input (≥ r), a coordinate
 * ≥ q, a point off the curve, swapped proof points and a proof of another statement — each also
 * refused by the TypeScript check of the same bytes (`verifyOnChainBytes`).
 */
import assert from 'node:assert/strict'
import { Keypair } from '@solana/web3.js'
import {
  buildCircuits, checkpointInclusionInput, loadVerificationKey, prove, releaseCurve, toOnChainProof, toOnChainPublicInputs,
  toOnChainVerifyingKey, verifyOnChainBytes, type ProofResult
} from '../../../circuits/index.js'
import { BN254_BASE_FIELD as Q, BN254_SCALAR_FIELD as R, fieldToBytes, poseidonHash } from '../../../protocols/index.js'
import { decodeVerifyingKey, setVerifyingKey, verifyProof, verifyingKeyPda } from '../../../chain/client/index.js'
import { World, computeUnits, expectError, program, record } from '../../fixtures/world.js'

const be = (b: Uint8Array, at: number): bigint => BigInt('0x' + Buffer.from(b.subarray(at, at + 32)).toString('hex'))
const raw32 = (v: bigint): Uint8Array => Uint8Array.from(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'))
const withWord = (b: Uint8Array, at: number, v: bigint): Uint8Array => {
  const out = new Uint8Array(b)
  out.set(raw32(v), at)
  return out
}

const CIRCUIT = 7

describe('chain/program: on-chain Groth16 verification (sol_alt_bn128_group_op)', function () {
  this.timeout(120_000)
  let w: World
  let vk: Uint8Array
  let honest: ProofResult
  let other: ProofResult
  let proofB: Uint8Array
  let inputsB: Uint8Array

  before(async function () {
    this.timeout(30 * 60_000)
    program()
    await buildCircuits({ log: () => {} })
    vk = toOnChainVerifyingKey(loadVerificationKey('checkpoint_inclusion'))
    const values = Array.from({ length: 12 }, (_, i) => fieldToBytes(poseidonHash([BigInt(i), 11n])))
    honest = await prove('checkpoint_inclusion', checkpointInclusionInput(values, 11).input)
    other = await prove('checkpoint_inclusion', checkpointInclusionInput(values, 10).input)
    proofB = toOnChainProof(honest.proof)
    inputsB = toOnChainPublicInputs(honest.publicSignals)
    w = new World().initialize()
    w.setVerifyingKey(CIRCUIT, vk, 300) // three chunks
  })
  after(releaseCurve)

  const key = (): ReturnType<typeof verifyingKeyPda>['address'] => verifyingKeyPda(w.pid, CIRCUIT).address
  const onChain = (proof: Uint8Array, inputs: Uint8Array): ReturnType<World['ledger']['send']> =>
    w.ledger.send([verifyProof(key(), proof, inputs, w.pid)], [w.ledger.payer])
  /** Refused on-chain with InvalidProof and by the TypeScript check of the same bytes. */
  async function refused (proof: Uint8Array, inputs: Uint8Array): Promise<void> {
    expectError(onChain(proof, inputs), 'InvalidProof')
    assert.equal(await verifyOnChainBytes(vk, proof, inputs), false)
  }

  it('the admin writes the key in order, in chunks; the account holds exactly the blob', () => {
    const a = decodeVerifyingKey(w.ledger.account(key())?.data ?? new Uint8Array())
    assert.equal(a.circuitId, CIRCUIT)
    assert.equal(a.len, vk.length)
    assert.equal(a.written, vk.length)
    assert.deepEqual(a.data.subarray(0, vk.length), vk)
    assert.ok(a.data.subarray(vk.length).every((b) => b === 0))
  })

  it('only the admin sets keys; chunks go in order; a length that disagrees with nPublic is refused', () => {
    const stranger = w.ledger.fundedKeypair()
    const [first] = setVerifyingKey({ admin: stranger.publicKey }, CIRCUIT, vk, 300, w.pid)
    assert.ok(first)
    expectError(w.ledger.send([first], [stranger]), 'Unauthorized')
    const chunks = setVerifyingKey({ admin: w.admin.publicKey }, 8, vk, 300, w.pid)
    expectError(w.ledger.send([chunks[1] as NonNullable<typeof chunks[1]>], [w.admin]), 'InvalidVerifyingKey') // a key starts at offset 0
    record('set_verifying_key', w.ledger.send([chunks[0] as NonNullable<typeof chunks[0]>], [w.admin]))
    expectError(w.ledger.send([chunks[2] as NonNullable<typeof chunks[2]>], [w.admin]), 'InvalidVerifyingKey') // skips a chunk
    // A half-written key verifies nothing.
    expectError(w.ledger.send([verifyProof(verifyingKeyPda(w.pid, 8).address, proofB, inputsB, w.pid)], [w.ledger.payer]), 'InvalidVerifyingKey')
    const wrongLen = setVerifyingKey({ admin: w.admin.publicKey }, 9, vk.subarray(0, vk.length - 64), 2000, w.pid)
    expectError(w.ledger.send(wrongLen, [w.admin]), 'InvalidVerifyingKey')
  })

  it('an honest proof verifies on-chain', async () => {
    assert.equal(await verifyOnChainBytes(vk, proofB, inputsB), true)
    record('verify_proof (4 public inputs)', onChain(proofB, inputsB))
  })

  it('a tampered public input fails', async () => {
    // leafIndex 11 → 10: a true statement, but not the one proved.
    await refused(proofB, withWord(inputsB, 2 * 32, 10n))
    await refused(proofB, withWord(inputsB, 0, be(inputsB, 0) + 1n))
  })

  it('a non-canonical input (the same value + r) fails', async () => {
    const root = be(inputsB, 0)
    assert.ok(root + R < 2n ** 256n)
    await refused(proofB, withWord(inputsB, 0, root + R))
    await refused(proofB, withWord(inputsB, 32, R)) // r itself, ≡ 0
  })

  it('a perturbed proof point fails: off the curve, or a coordinate ≥ q', async () => {
    await refused(withWord(proofB, 32, (be(proofB, 32) + 1n) % Q), inputsB) // −A.y + 1
    await refused(withWord(proofB, 192, (be(proofB, 192) + 1n) % Q), inputsB) // C.x + 1
    await refused(withWord(proofB, 64, (be(proofB, 64) + 1n) % Q), inputsB) // B.x.c1 + 1
    const ax = be(proofB, 0)
    if (ax + Q < 2n ** 256n) await refused(withWord(proofB, 0, ax + Q), inputsB) // the same x, non-canonical
    await refused(withWord(proofB, 224, Q), inputsB)
  })

  it('swapped proofs fail: A and C exchanged, or another statement\'s proof', async () => {
    const swapped = new Uint8Array(proofB)
    swapped.set(proofB.subarray(192, 256), 0)
    swapped.set(proofB.subarray(0, 64), 192)
    await refused(swapped, inputsB)
    await refused(toOnChainProof(other.proof), inputsB)
    // ... which verifies for its own statement.
    record('verify_proof (4 public inputs)', onChain(toOnChainProof(other.proof), toOnChainPublicInputs(other.publicSignals)))
  })

  it('a key for a different input count is refused before any curve work', () => {
    expectError(onChain(proofB, inputsB.subarray(0, 96)), 'InvalidVerifyingKey')
    const ix = verifyProof(Keypair.generate().publicKey, proofB, inputsB, w.pid)
    assert.equal(w.ledger.send([ix], [w.ledger.payer]).ok, false)
  })

  it('costs (compute units)', () => {
    const cu = computeUnits.get('verify_proof (4 public inputs)')
    assert.ok(cu !== undefined && cu < 200_000n, `verify_proof ${String(cu)} CU`)
    console.log(`      verify_proof (4 inputs): ${String(cu)} CU; set_verifying_key chunk: ${String(computeUnits.get('set_verifying_key'))} CU`)
  })
})
