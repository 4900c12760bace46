/**
 * The checkpoint_inclusion circuit end to end: the TypeScript Poseidon tree and the circuit agree on
 * the root for every tree size and position; honest proofs verify (our program-equivalent verifier
 * and snarkjs' own agree); false statements cannot be proved; tampered inputs and proofs fail.
 * The circuits are built once by buildCircuits() (a no-op when cached, as after scripts/setup.sh).
 */
import assert from 'node:assert/strict'
import * as snarkjs from 'snarkjs'
import {
  CHECKPOINT_TREE_MAX_LEAVES, ProofError, buildCircuits, checkpointInclusionInput, circuitFiles, loadVerificationKey, prove,
  releaseCurve, verify, type CircuitInput, type Groth16Proof, type ProofResult, type VerificationKey
} from '../../../circuits/index.js'
import { BN254_SCALAR_FIELD as R, CheckpointChain, checkpointLeaf, fieldFromBytes, fieldToBytes, poseidonHash } from '../../../protocols/index.js'

const CIRCUIT = 'checkpoint_inclusion'
const commitments = (n: number, salt = 0n): Uint8Array[] => Array.from({ length: n }, (_, i) => fieldToBytes(poseidonHash([BigInt(i), salt])))

async function witnessOk (input: CircuitInput): Promise<boolean> {
  // The witness calculator prints the failing template to the console; keep the test output clean.
  const { log, error } = console
  console.log = console.error = () => {}
  try {
    await snarkjs.wtns.calculate(input, circuitFiles(CIRCUIT).wasm, { type: 'mem' })
    return true
  } catch {
    return false
  } finally {
    console.log = log
    console.error = error
  }
}

describe('circuits: checkpoint_inclusion', function () {
  this.timeout(120_000)
  let vkey: VerificationKey
  let honest: ProofResult
  let values: Uint8Array[]

  before(async function () {
    // Cold machine without setup.sh: the build compiles and runs the development setup (≈ 1 min).
    this.timeout(20 * 60_000)
    await buildCircuits({ log: () => {} })
    vkey = loadVerificationKey(CIRCUIT)
    values = commitments(7)
    honest = await prove(CIRCUIT, checkpointInclusionInput(values, 5).input)
  })
  after(releaseCurve)

  it('agrees with the TypeScript tree on the root for every size 1..32 and every leaf', async function () {
    this.timeout(600_000)
    const sizes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 32]
    for (const n of sizes) {
      const vs = commitments(n, BigInt(n))
      for (let i = 0; i < n; i++) {
        const { input } = checkpointInclusionInput(vs, i)
        assert.ok(await witnessOk(input), `n=${n} i=${i}: circuit rejects the TypeScript root`)
        if (i === n - 1 || i === 0) assert.ok(!(await witnessOk({ ...input, root: (BigInt(input.root as bigint) + 1n) % R })), `n=${n} i=${i}: accepts another root`)
      }
    }
  })

  it('proves and verifies an honest statement; signals are [root, leafCount, leafIndex, commitment]', async () => {
    const { root } = checkpointInclusionInput(values, 5)
    assert.deepEqual(honest.publicSignals, [fieldFromBytes(root), 7n, 5n, fieldFromBytes(values[5] as Uint8Array)].map(String))
    assert.equal(await verify(vkey, honest.publicSignals, honest.proof), true)
    assert.equal(await snarkjs.groth16.verify(vkey, honest.publicSignals, honest.proof), true)
  })

  it('proves inclusion of real checkpoint commitments (chain hash + state commitment)', async () => {
    const chain = new CheckpointChain(new Uint8Array(32).fill(1))
    for (let e = 1; e <= 3; e++) chain.append(new Uint8Array(32).fill(e), { epoch: e, steps: e * 10, loss: 1 / e, accuracy: 0.5 }, 1000 * e)
    const leaves = chain.checkpoints.map((c, i) => checkpointLeaf(c, BigInt(i + 100)))
    const r = await prove(CIRCUIT, checkpointInclusionInput(leaves, 2).input)
    assert.equal(await verify(vkey, r.publicSignals, r.proof), true)
    assert.equal(r.publicSignals[3], fieldFromBytes(leaves[2] as Uint8Array).toString())
  })

  it('cannot prove a false statement (witness generation fails)', async () => {
    const { input } = checkpointInclusionInput(values, 5)
    const falses: CircuitInput[] = [
      { ...input, commitment: fieldFromBytes(values[4] as Uint8Array) }, // another leaf's value at index 5
      { ...input, leafIndex: 4 }, // right value, wrong position
      { ...input, leafIndex: 7 }, // index = count
      { ...input, leafCount: 6 }, // another tree shape
      { ...input, leafCount: 0 },
      { ...input, leafCount: CHECKPOINT_TREE_MAX_LEAVES + 1 },
      { ...input, siblings: [1n, ...(input.siblings as bigint[]).slice(1)] }, // wrong sibling at the leaf level
      { ...input, siblings: [...(input.siblings as bigint[]).slice(0, 2), 1n, 0n, 0n] } // wrong sibling at level 2 (the top of a 7-leaf tree)
    ]
    for (const f of falses) {
      assert.equal(await witnessOk(f), false)
      await assert.rejects(prove(CIRCUIT, f), ProofError)
    }
  })

  it('rejects every tampered public input', async () => {
    for (let k = 0; k < honest.publicSignals.length; k++) {
      for (const delta of [1n, R - 1n]) {
        const signals = [...honest.publicSignals]
        signals[k] = ((BigInt(signals[k] as string) + delta) % R).toString()
        assert.equal(await verify(vkey, signals, honest.proof), false, `signal ${k} + ${delta}`)
        assert.equal(await snarkjs.groth16.verify(vkey, signals, honest.proof), false)
      }
    }
    // A signal at or above r (a non-canonical encoding of a valid one) is refused.
    const wrapped = [...honest.publicSignals]
    wrapped[1] = (BigInt(wrapped[1] as string) + R).toString()
    assert.equal(await verify(vkey, wrapped, honest.proof), false)
  })

  it('rejects tampered proofs: swapped or perturbed points, a proof of another statement', async () => {
    const p = honest.proof
    const other = await prove(CIRCUIT, checkpointInclusionInput(values, 2).input)
    const tampered: Groth16Proof[] = [
      { ...p, pi_a: p.pi_c, pi_c: p.pi_a }, // A and C swapped
      { ...p, pi_a: [p.pi_a[0] as string, ((BigInt(p.pi_a[1] as string) * -1n) % 21888242871839275222246405745257275088696311157297823662689037894645226208583n + 21888242871839275222246405745257275088696311157297823662689037894645226208583n).toString(), '1'] }, // −A
      { ...p, pi_a: [(BigInt(p.pi_a[0] as string) + 1n).toString(), p.pi_a[1] as string, '1'] }, // A off the curve
      { ...p, pi_b: [[p.pi_b[0]?.[1] as string, p.pi_b[0]?.[0] as string], [p.pi_b[1]?.[1] as string, p.pi_b[1]?.[0] as string], ['1', '0']] }, // B with c0/c1 swapped
      { ...p, pi_c: other.proof.pi_c }, // C from another proof
      other.proof // a valid proof, of another statement
    ]
    for (const t of tampered) {
      assert.equal(await verify(vkey, honest.publicSignals, t), false)
      assert.equal(await snarkjs.groth16.verify(vkey, honest.publicSignals, t).catch(() => false), false)
    }
    assert.equal(await verify(vkey, other.publicSignals, other.proof), true)
  })

  it('rejects a proof over another root', async () => {
    const foreign = commitments(7, 99n)
    foreign[5] = values[5] as Uint8Array // the same commitment at the same index, in another tree
    const r = await prove(CIRCUIT, checkpointInclusionInput(foreign, 5).input)
    assert.equal(await verify(vkey, r.publicSignals, r.proof), true)
    assert.notEqual(r.publicSignals[0], honest.publicSignals[0])
    assert.equal(r.publicSignals[3], honest.publicSignals[3])
    assert.equal(await verify(vkey, honest.publicSignals, r.proof), false)
    assert.equal(await verify(vkey, r.publicSignals, honest.proof), false)
  })

  it('proves off the event loop (timers keep firing), in a thread or a child process', async () => {
    for (const isolation of ['thread', 'process'] as const) {
      let ticks = 0
      const timer = setInterval(() => { ticks++ }, 10)
      const t0 = performance.now()
      const r = await prove(CIRCUIT, checkpointInclusionInput(values, 1).input, { isolation })
      const ms = performance.now() - t0
      clearInterval(timer)
      assert.equal(await verify(vkey, r.publicSignals, r.proof), true)
      assert.ok(ticks >= Math.min(10, ms / 40), `${isolation}: only ${ticks} timer ticks in ${Math.round(ms)} ms`)
    }
  })
})
