/**
 * checkpoint_step: the circuit reproduces FixedPointEngine's Q16 step bit for bit. The witness comes
 * from the engine's real states; a checkpoint k+1 with one wrong weight, a step on another batch,
 * a skipped step and a hyper-parameter change cannot be proved, even when the anchored root commits
 * to them; honest proofs verify in TypeScript and in snarkjs.
 */
import assert from 'node:assert/strict'
import * as snarkjs from 'snarkjs'
import {
  CHECKPOINT_STEP_PUBLIC, ProofError, buildCircuits, checkpointStepInput, circuitFiles, loadVerificationKey, prove, releaseCurve,
  stepBatch, stepStateVector, verify, type CircuitInput, type StepState, type VerificationKey
} from '../../circuits/index.js'
import { FixedPointEngine } from '../../peer/train/index.js'
import { MerkleTree, fieldFromBytes, poseidonMerkle, toField } from '../../protocols/index.js'
import { commit, oneStep, stepRun, type StepRun } from './step-fixture.js'

const CIRCUIT = 'checkpoint_step'
const JOB = 0x1234_5678_9abcn

async function witness (input: CircuitInput): Promise<boolean> {
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

/** Input for step k of `run`, with `states` (default: the run's) committed in the anchored leaves. */
function inputFor (run: StepRun, k: number, states: StepState[] = run.states): CircuitInput {
  const { leaves } = commit(states, run.chain)
  return checkpointStepInput(leaves, k, JOB, { chainHash: run.chain[k] as Uint8Array, state: states[k] as StepState },
    { chainHash: run.chain[k + 1] as Uint8Array, state: states[k + 1] as StepState }).input
}

const withState = (run: StepRun, i: number, s: StepState): StepState[] => run.states.map((x, j) => j === i ? s : x)

describe('circuits: checkpoint_step (one exact Q16 training step)', function () {
  this.timeout(120_000)
  let vkey: VerificationKey
  let run: StepRun

  before(async function () {
    this.timeout(30 * 60_000)
    await buildCircuits({ log: () => {} })
    vkey = loadVerificationKey(CIRCUIT)
    run = await stepRun(8)
  })
  after(releaseCurve)

  it('the witness run is real training: the loss on the data set falls over the 8 steps', async () => {
    const engine = await FixedPointEngine.create([4, 3], { learningRate: 0.5, momentum: 0.9 })
    const first = await engine.evaluate(run.states[0]?.parameters as Int32Array[], stepBatch())
    const last = await engine.evaluate(run.states[7]?.parameters as Int32Array[], stepBatch())
    assert.ok(last.lossSum < first.lossSum, `${last.lossSum} < ${first.lossSum}`)
  })

  it('every step of the run satisfies the circuit: the engine\'s state k+1 is the circuit\'s, bit for bit', async function () {
    this.timeout(300_000)
    for (let k = 0; k + 1 < run.states.length; k++) assert.ok(await witness(inputFor(run, k)), `step ${k}`)
  })

  it('an honest proof verifies, with the program\'s public inputs [job, root, leafCount, step]', async () => {
    const input = inputFor(run, 3)
    const r = await prove(CIRCUIT, input)
    assert.deepEqual(CHECKPOINT_STEP_PUBLIC, ['job', 'root', 'leafCount', 'step'])
    assert.equal(BigInt(input.root as bigint), fieldFromBytes(new MerkleTree(run.leaves, poseidonMerkle).root))
    assert.deepEqual(r.publicSignals, [JOB, BigInt(input.root as bigint), 8n, 3n].map(String))
    assert.equal(await verify(vkey, r.publicSignals, r.proof), true)
    assert.equal(await snarkjs.groth16.verify(vkey, r.publicSignals, r.proof), true)
    assert.equal(await verify(vkey, [JOB, BigInt(input.root as bigint), 8n, 4n].map(String), r.proof), false)
  })

  it('one wrong weight in checkpoint k+1 (committed in the anchored root) cannot be proved', async () => {
    const k = 2
    const s = run.states[k + 1] as StepState
    for (const [t, i] of [[0, 5], [1, 2]] as const) {
      const w = (s.parameters[t] as Int32Array).slice()
      w[i] = (w[i] as number) + 1
      const forged = withState(run, k + 1, { parameters: s.parameters.map((x, j) => j === t ? w : x), velocities: s.velocities })
      assert.equal(await witness(inputFor(run, k, forged)), false, `tensor ${t} value ${i}`)
    }
    const v = (s.velocities[0] as Int32Array).slice()
    v[0] = (v[0] as number) - 1
    assert.equal(await witness(inputFor(run, k, withState(run, k + 1, { parameters: s.parameters, velocities: [v, s.velocities[1] as Int32Array] }))), false, 'a velocity')
    await assert.rejects(prove(CIRCUIT, inputFor(run, k, withState(run, k + 1, { parameters: s.parameters, velocities: [v, s.velocities[1] as Int32Array] }))), ProofError)
  })

  it('a step on another batch, a skipped step, another learning rate and a stale state k+1 cannot be proved', async () => {
    const k = 4
    const sk = run.states[k] as StepState
    const b = stepBatch()
    const otherLabels = { ...b, labels: Uint8Array.from([1, 1, 2, 0]) }
    const otherRow = { ...b, features: b.features.map((x, i) => i === 0 ? x + 2 ** -10 : x) }
    for (const [what, next] of [
      ['labels', await oneStep(sk, otherLabels)],
      ['one feature', await oneStep(sk, otherRow)],
      ['two steps', await oneStep(await oneStep(sk))],
      ['no step', sk]
    ] as const) {
      assert.notDeepEqual(stepStateVector(next), stepStateVector(run.states[k + 1] as StepState), what)
      assert.equal(await witness(inputFor(run, k, withState(run, k + 1, next))), false, what)
    }
    const fast = await FixedPointEngine.create([4, 3], { learningRate: 0.25, momentum: 0.9 })
    const r = await fast.step(sk.parameters, sk.velocities, b)
    assert.equal(await witness(inputFor(run, k, withState(run, k + 1, { parameters: r.parameters as Int32Array[], velocities: r.velocities as Int32Array[] }))), false, 'learning rate')
  })

  it('refuses states outside int32 and checkpoints outside the anchored root', async () => {
    const input = inputFor(run, 1)
    const stateK = (input.stateK as bigint[]).slice()
    stateK[0] = toField(2 ** 31)
    assert.equal(await witness({ ...input, stateK }), false)
    assert.equal(await witness({ ...input, root: (BigInt(input.root as bigint) + 1n).toString() }), false)
    assert.equal(await witness({ ...input, hiK: BigInt(input.hiK as bigint) ^ 1n }), false)
    assert.equal(await witness({ ...input, step: 2 }), false)
    // A fresh run from another initialisation proves its own steps, not this run's root.
    const other = await stepRun(8, 'other')
    assert.equal(await witness({ ...inputFor(other, 1), root: input.root as bigint }), false)
    assert.ok(await witness(inputFor(other, 1)))
  })
})
