/**
 * checkpoint_step: the circuit reproduces FixedPointEngine's Q16 step bit for bit, on a private batch
 * of real data (mnist-4x4) bound to the public dataset commitment. The witness comes from the
 * engine's real states; a checkpoint k+1 with one wrong weight, a step on another batch (other rows,
 * labels or batch index), a skipped step, a hyper-parameter change and features outside the
 * circuit's range cannot be proved, even when the anchored root and the data commitment commit to
 * them; honest proofs verify in TypeScript and in snarkjs, and only for their own data commitment.
 */
import assert from 'node:assert/strict'
import * as snarkjs from 'snarkjs'
import {
  CHECKPOINT_STEP_PUBLIC, ProofError, STEP_BATCHES, STEP_LAYERS, buildCircuits, checkpointStepInput, circuitFiles,
  loadVerificationKey, prove, releaseCurve, stepBatchIndex, stepBatchInput, stepDataCommitment, stepStateVector, verify, type CircuitInput, type StepData,
  type StepState, type VerificationKey
} from '../../../circuits/index.js'
import { FixedPointEngine } from '../../../peer/train/index.js'
import { MerkleTree, fieldFromBytes, poseidonMerkle, toField } from '../../../protocols/index.js'
import { commit, engineBatch, oneStep, stepRun, type StepRun } from '../../fixtures/step.js'

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
function inputFor (run: StepRun, k: number, states: StepState[] = run.states, data: StepData = run.data): CircuitInput {
  const { leaves } = commit(states, run.chain)
  return checkpointStepInput(leaves, k, JOB, { chainHash: run.chain[k] as Uint8Array, state: states[k] as StepState },
    { chainHash: run.chain[k + 1] as Uint8Array, state: states[k + 1] as StepState }, data).input
}

/** All 64 training rows as one engine batch (for the loss). */
function allRows (data: StepData): ReturnType<typeof engineBatch> {
  const parts = Array.from({ length: STEP_BATCHES }, (_, b) => engineBatch(data, b))
  const cat = <T extends Float32Array | Uint8Array>(xs: T[], make: (n: number) => T): T => {
    const out = make(xs.reduce((a, x) => a + x.length, 0))
    let at = 0
    for (const x of xs) { out.set(x, at); at += x.length }
    return out
  }
  return {
    rows: parts.reduce((a, p) => a + p.rows, 0),
    features: cat(parts.map((p) => p.features), (n) => new Float32Array(n)),
    targets: cat(parts.map((p) => p.targets), (n) => new Float32Array(n)),
    labels: cat(parts.map((p) => Uint8Array.from(p.labels)), (n) => new Uint8Array(n))
  }
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

  it('the witness run is real training: the loss on the 64 training digits falls over the 8 steps', async () => {
    const engine = await FixedPointEngine.create([...STEP_LAYERS], { learningRate: 0.5, momentum: 0.9 })
    const first = await engine.evaluate(run.states[0]?.parameters as Int32Array[], allRows(run.data))
    const last = await engine.evaluate(run.states[7]?.parameters as Int32Array[], allRows(run.data))
    assert.ok(last.lossSum < first.lossSum, `${last.lossSum} < ${first.lossSum}`)
  })

  it('every step of the run satisfies the circuit: the engine\'s state k+1 is the circuit\'s, bit for bit', async function () {
    this.timeout(300_000)
    for (let k = 0; k + 1 < run.states.length; k++) assert.ok(await witness(inputFor(run, k)), `step ${k}`)
  })

  it('an honest proof verifies, with the program\'s public inputs [job, root, leafCount, step, data], and for no other data', async () => {
    const input = inputFor(run, 3)
    const r = await prove(CIRCUIT, input)
    const data = stepDataCommitment(run.data).root
    assert.deepEqual(CHECKPOINT_STEP_PUBLIC, ['job', 'root', 'leafCount', 'step', 'data'])
    assert.equal(BigInt(input.root as bigint), fieldFromBytes(new MerkleTree(run.leaves, poseidonMerkle).root))
    assert.deepEqual(r.publicSignals, [JOB, BigInt(input.root as bigint), 8n, 3n, data].map(String))
    assert.equal(await verify(vkey, r.publicSignals, r.proof), true)
    assert.equal(await snarkjs.groth16.verify(vkey, r.publicSignals, r.proof), true)
    assert.equal(await verify(vkey, [JOB, BigInt(input.root as bigint), 8n, 4n, data].map(String), r.proof), false)
    assert.equal(await verify(vkey, [JOB, BigInt(input.root as bigint), 8n, 3n, data + 1n].map(String), r.proof), false)
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

  it('a step on other rows, labels or batch, a skipped step, another learning rate and a stale state k+1 cannot be proved', async () => {
    const k = 4
    const sk = run.states[k] as StepState
    const b = engineBatch(run.data, stepBatchIndex(k + 1))
    const otherLabels = { ...b, labels: b.labels.map((l) => (l + 1) % 4), targets: b.targets.map((_, i) => (b.labels[Math.floor(i / 4)] as number + 1) % 4 === i % 4 ? 1 : 0) }
    const otherRow = { ...b, features: b.features.map((x, i) => i === 0 ? x + 2 ** -10 : x) }
    for (const [what, next] of [
      ['labels', await oneStep(sk, otherLabels)],
      ['one feature', await oneStep(sk, otherRow)],
      ['the batch of another index', await oneStep(sk, engineBatch(run.data, stepBatchIndex(k + 2)))],
      ['two steps', await oneStep(await oneStep(sk, b), b)],
      ['no step', sk]
    ] as const) {
      assert.notDeepEqual(stepStateVector(next), stepStateVector(run.states[k + 1] as StepState), what)
      assert.equal(await witness(inputFor(run, k, withState(run, k + 1, next))), false, what)
    }
    const fast = await FixedPointEngine.create([...STEP_LAYERS], { learningRate: 0.25, momentum: 0.9 })
    const r = await fast.step(sk.parameters, sk.velocities, b)
    assert.equal(await witness(inputFor(run, k, withState(run, k + 1, { parameters: r.parameters as Int32Array[], velocities: r.velocities as Int32Array[] }))), false, 'learning rate')
  })

  it('the private batch is the committed one: not another index\'s, not other data, not features outside ±2^15', async () => {
    const k = 2
    const sk = run.states[k] as StepState
    const own = stepBatchIndex(k + 1)
    const other = stepBatchIndex(k + 3)
    // A step honestly trained on batch `other`, with that batch's rows and valid data-tree path: the
    // circuit reads the batch index from the step, so it cannot be proved for step k.
    const onOther = withState(run, k + 1, await oneStep(sk, engineBatch(run.data, other)))
    assert.equal(await witness({ ...inputFor(run, k, onOther), ...stepBatchInput(run.data, other) }), false, 'another index')
    assert.ok(await witness({ ...inputFor(run, k), ...stepBatchInput(run.data, own) }), 'the own batch, given explicitly')
    // Other data (one feature of the batch changed) under the escrow's commitment.
    const changed: StepData = { features: run.data.features.slice(), labels: run.data.labels }
    const at = own * 8 * STEP_LAYERS[0]
    changed.features[at] = (changed.features[at] as number) + 1
    const onChanged = withState(run, k + 1, await oneStep(sk, engineBatch(changed, own)))
    assert.equal(await witness({ ...inputFor(run, k, onChanged, changed), data: stepDataCommitment(run.data).root }), false, 'other data')
    assert.ok(await witness(inputFor(run, k, onChanged, changed)), 'the same step proves under its own data commitment')
    // A feature of 40000 (x ≈ 0.61) committed and trained on honestly: outside the circuit's range.
    const wide: StepData = { features: run.data.features.slice(), labels: run.data.labels }
    wide.features[at] = 40_000
    const onWide = withState(run, k + 1, await oneStep(sk, engineBatch(wide, own)))
    assert.equal(await witness(inputFor(run, k, onWide, wide)), false, 'feature outside [-2^15, 2^15)')
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
    const other = await stepRun(8, 'other', run.data)
    assert.equal(await witness({ ...inputFor(other, 1), root: input.root as bigint }), false)
    assert.ok(await witness(inputFor(other, 1)))
  })
})
