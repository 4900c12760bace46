/**
 * The direct development Groth16 setup (circuits/dev-setup.ts): its field math against known
 * identities, and its key used by unmodified snarkjs (prove, verify) and by the program's check
 * recomputed from the on-chain bytes. The build's keys (every other circuit test, and the zk chain
 * tests that verify proofs in the real program) come from the same function.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as snarkjs from 'snarkjs'
import { buildCircuits, checkpointInclusionInput, circuitFiles, toOnChainProof, toOnChainPublicInputs, toOnChainVerifyingKey, verifyOnChainBytes } from '../../../circuits/index.js'
import { FR, directDevSetup, domainPower, lagrangeAt, randomFr, readR1cs, rootOfUnity } from '../../../circuits/dev-setup.js'
import { fieldToBytes, poseidonHash } from '../../../protocols/index.js'

const pow = (b: bigint, e: bigint): bigint => {
  let r = 1n
  for (let x = b % FR; e > 0n; e >>= 1n, x = x * x % FR) if ((e & 1n) === 1n) r = r * x % FR
  return r
}

describe('circuits: direct development setup', function () {
  this.timeout(10 * 60_000)

  it('uses snarkjs\' roots of unity (ffjavascript Fr.w)', async () => {
    const curve = await snarkjs.curves.getCurveFromName('bn128', { singleThread: true }) as unknown as { Fr: { w: Uint8Array[], toObject (e: Uint8Array): bigint } }
    try {
      for (const p of [1, 11, 16, 17, 28]) assert.equal(rootOfUnity(p), curve.Fr.toObject(curve.Fr.w[p]!), `2^${p}`)
    } finally {
      await (curve as unknown as { terminate (): Promise<void> }).terminate()
    }
    assert.equal(pow(rootOfUnity(16), 1n << 16n), 1n)
    assert.notEqual(pow(rootOfUnity(16), 1n << 15n), 1n)
    assert.throws(() => rootOfUnity(29), RangeError)
  })

  it('evaluates the Lagrange basis at τ: Σ L_i = 1, Σ ω^i L_i = τ, and the odd-coset slice agrees', () => {
    const tau = randomFr()
    const n = 64
    const w = rootOfUnity(6)
    const L = lagrangeAt(tau, n, w, 0, 1, n)
    assert.equal(L.reduce((s, v) => (s + v) % FR, 0n), 1n)
    assert.equal(L.reduce((s, v, i) => (s + v * pow(w, BigInt(i))) % FR, 0n), tau)
    const L2 = lagrangeAt(tau, 2 * n, rootOfUnity(7), 0, 1, 2 * n)
    const odd = lagrangeAt(tau, 2 * n, rootOfUnity(7), 1, 2, n)
    assert.deepEqual(odd, L2.filter((_, i) => i % 2 === 1))
    assert.throws(() => lagrangeAt(w, n, w, 0, 1, n), /domain/)
  })

  it('writes a key unmodified snarkjs proves with; snarkjs and the on-chain check accept it and refuse a tampered input', async () => {
    await buildCircuits({ log: () => {} })
    const files = circuitFiles('checkpoint_inclusion')
    const dir = mkdtempSync(join(tmpdir(), 'cyx-devsetup-'))
    try {
      const zkey = join(dir, 'inclusion.zkey')
      const lines: string[] = []
      const r = await directDevSetup(files.r1cs, zkey, { log: (l) => { lines.push(l) }, name: 'inclusion' })
      const r1cs = readR1cs(files.r1cs)
      assert.equal(r.power, domainPower(r1cs))
      assert.equal(r.nVars, r1cs.nVars)
      const vkey = await snarkjs.zKey.exportVerificationKey(zkey)
      assert.equal(vkey.nPublic, 4)
      const values = Array.from({ length: 7 }, (_, i) => fieldToBytes(poseidonHash([BigInt(i), 3n])))
      const { proof, publicSignals } = await snarkjs.groth16.fullProve(checkpointInclusionInput(values, 5).input, files.wasm, zkey)
      assert.equal(await snarkjs.groth16.verify(vkey, publicSignals, proof), true)
      const vkB = toOnChainVerifyingKey(vkey)
      assert.equal(await verifyOnChainBytes(vkB, toOnChainProof(proof), toOnChainPublicInputs(publicSignals)), true)
      const tampered = [...publicSignals]
      tampered[2] = '4' // another leaf index
      assert.equal(await snarkjs.groth16.verify(vkey, tampered, proof), false)
      assert.equal(await verifyOnChainBytes(vkB, toOnChainProof(proof), toOnChainPublicInputs(tampered)), false)
      // Fresh secrets each time: a second setup gives another key, which refuses the first key's proof.
      const zkey2 = join(dir, 'inclusion2.zkey')
      await directDevSetup(files.r1cs, zkey2)
      assert.notDeepEqual(readFileSync(zkey2).subarray(0, 400), readFileSync(zkey).subarray(0, 400))
      const vkey2 = await snarkjs.zKey.exportVerificationKey(zkey2)
      assert.equal(await snarkjs.groth16.verify(vkey2, publicSignals, proof), false)
    } finally {
      rmSync(dir, { recursive: true, force: true })
      const g = globalThis as { curve_bn128?: { terminate (): Promise<void> } | null }
      if (g.curve_bn128 != null) await g.curve_bn128.terminate()
    }
  })
})
