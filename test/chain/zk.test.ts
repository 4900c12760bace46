/**
 * The zk tier of the escrow on-chain: the worker anchors the Poseidon root of its checkpoint
 * commitments, `draw_challenge` fixes step k from the SlotHashes sysvar after that, and
 * `complete_zk` pays only for a proof (circuit `checkpoint_step`: checkpoints k and k+1 are in the
 * root and k+1 is exactly one Q16 training step from k) whose public inputs the program builds from
 * the escrow — [job, root, leafCount, k] — and only when the final checkpoint is the last leaf of the
 * root (`sol_poseidon`). The checkpoints are a real FixedPointEngine run. Every failure case of
 * issue 7 fails on-chain and in TypeScript; `slash_invalid_proof` settles a worker that cannot prove.
 */
import assert from 'node:assert/strict'
import type { PublicKey } from '@solana/web3.js'
import {
  ProofError, buildCircuits, checkpointStepInput, fromOnChainPublicInputs, loadVerificationKey, prove, releaseCurve, toOnChainProof,
  toOnChainVerifyingKey, verify, type ProofResult, type VerificationKey
} from '../../circuits/index.js'
import { MerkleTree, fieldFromBytes, fieldToBytes, poseidonMerkle, REPUTATION, SLASHING } from '../../protocols/index.js'
import { commit, stepRun, type StepRun } from '../circuits/step-fixture.js'
import {
  ESCROW_STATE, TIER, anchorProgress, challengeStep, completeZk, drawChallenge, fieldOffset, ESCROW, jobIdField, lastLeafSiblings,
  slashInvalidProof, stepPublicInputs, timeoutRefund
} from '../../chain/client/index.js'
import { TOKEN, World, computeUnits, expectError, hash, program, record, type Wallet } from './world.js'

const CIRCUIT = 1
const LEAVES = 6

interface Job {
  readonly escrow: PublicKey
  readonly jobId: Uint8Array
  /** The worker's fixed-point run: H_E, the states and S_E of each checkpoint, the commitments C_E (the leaves). */
  readonly run: StepRun
  readonly chain: Uint8Array[]
  readonly states: bigint[]
  readonly leaves: Uint8Array[]
  readonly root: Uint8Array
}

describe('chain/program: the zk tier (draw_challenge, complete_zk, slash_invalid_proof)', function () {
  this.timeout(120_000)
  let w: World
  let vkey: VerificationKey
  let worker: Wallet
  let client: Wallet
  let nonce = 0n

  before(async function () {
    this.timeout(30 * 60_000)
    program()
    await buildCircuits({ log: () => {} })
    vkey = loadVerificationKey('checkpoint_step')
    w = new World().initialize()
    w.setVerifyingKey(CIRCUIT, toOnChainVerifyingKey(vkey))
    worker = w.worker(50_000n * TOKEN, 60_000n)
    client = w.wallet(1_000n)
  })
  after(releaseCurve)

  /** A zk escrow whose worker anchored the final Poseidon root of `LEAVES` checkpoints. */
  async function job (over: { leaves?: number, timeoutSecs?: bigint, run?: StepRun } = {}): Promise<Job> {
    nonce++
    const n = over.leaves ?? LEAVES
    const jobId = hash(`zk-job-${nonce}`)
    const escrow = w.escrow(client, worker, nonce, 5n * TOKEN, {
      jobId, tier: TIER.zk, circuitId: CIRCUIT, epochsTotal: n, timeoutSecs: over.timeoutSecs ?? 86_400n, estimatedSeconds: 600n
    })
    const run = over.run ?? await stepRun(n, `zk-job-${nonce}`)
    const { chain, stateCommitments: states, leaves } = run
    const root = new MerkleTree(leaves, poseidonMerkle).root
    // An intermediate anchor (the first half's root), then the final one.
    const half = Math.floor(n / 2)
    record('anchor_progress', w.ledger.send([anchorProgress({ worker: worker.kp.publicKey, escrow }, half, new MerkleTree(leaves.slice(0, half), poseidonMerkle).root, w.pid)], [worker.kp]))
    record('anchor_progress', w.ledger.send([anchorProgress({ worker: worker.kp.publicKey, escrow }, n, root, w.pid)], [worker.kp]))
    return { escrow, jobId, run, chain, states, leaves, root }
  }

  function draw (j: Job): number {
    const slotHash = w.nextSlot()
    record('draw_challenge', w.ledger.send([drawChallenge(j.escrow, w.pid)], [w.ledger.payer]))
    const e = w.escrowAccount(j.escrow)
    assert.equal(e.challenged, 1)
    // The program's draw, recomputed: the hash of the anchoring slot (the oldest at or after it).
    assert.equal(e.challengeStep, challengeStep(slotHash, j.escrow, j.root, j.leaves.length))
    return e.challengeStep
  }

  /** The worker's proof of `step`, from its own run (or another run `over.run`, anchored nowhere). */
  async function proveStep (j: Job, step: number, over: { jobId?: Uint8Array, run?: StepRun } = {}): Promise<ProofResult> {
    const run = over.run ?? j.run
    const at = (i: number): { chainHash: Uint8Array, state: StepRun['states'][number] } => ({ chainHash: run.chain[i] as Uint8Array, state: run.states[i] as StepRun['states'][number] })
    return await prove('checkpoint_step', checkpointStepInput(run.leaves, step, fieldFromBytes(jobIdField(over.jobId ?? j.jobId)), at(step), at(step + 1)).input)
  }

  function completeIx (j: Job, proof: Uint8Array, over: { chain?: Uint8Array, siblings?: Uint8Array } = {}): ReturnType<typeof completeZk> {
    const last = j.leaves.length - 1
    return completeZk({ worker: worker.kp.publicKey, escrow: j.escrow, workerToken: worker.token, circuitId: CIRCUIT }, {
      proof,
      finalWeightsHash: hash('weights'),
      finalChainHash: over.chain ?? (j.chain[last] as Uint8Array),
      finalState: fieldToBytes(j.states[last] as bigint),
      siblings: over.siblings ?? lastLeafSiblings(j.leaves)
    }, w.pid)
  }

  /** What the program checks the proof against, as snarkjs public signals. */
  const expectedSignals = (j: Job, step: number): string[] => fromOnChainPublicInputs(stepPublicInputs(j.jobId, j.root, j.leaves.length, step))

  /** Refused on-chain (InvalidProof, nothing paid) and by the TypeScript verifier. */
  async function refused (j: Job, r: ProofResult, step: number): Promise<void> {
    const before = w.ledger.tokenBalance(worker.token)
    expectError(w.ledger.send([completeIx(j, toOnChainProof(r.proof))], [worker.kp]), 'InvalidProof')
    assert.equal(w.ledger.tokenBalance(worker.token), before)
    assert.equal(w.escrowAccount(j.escrow).state, ESCROW_STATE.funded)
    assert.equal(await verify(vkey, expectedSignals(j, step), r.proof), false)
  }

  it('an honest proof of the challenged step verifies in TypeScript and on-chain, and complete_zk pays 90/10', async () => {
    const j = await job()
    const k = draw(j)
    const r = await proveStep(j, k)
    assert.deepEqual(r.publicSignals, expectedSignals(j, k))
    assert.equal(await verify(vkey, r.publicSignals, r.proof), true)
    const before = w.ledger.tokenBalance(worker.token)
    const n0 = w.node(worker.kp.publicKey)
    record('complete_zk', w.ledger.send([completeIx(j, toOnChainProof(r.proof))], [worker.kp]))
    assert.equal(w.ledger.tokenBalance(worker.token) - before, 45n * TOKEN / 10n)
    const e = w.escrowAccount(j.escrow)
    assert.equal(e.state, ESCROW_STATE.completed)
    assert.deepEqual(e.finalWeightsHash, hash('weights'))
    const n1 = w.node(worker.kp.publicKey)
    assert.equal(n1.proofsValid, n0.proofsValid + 1)
    assert.equal(n1.proofsTotal, n0.proofsTotal + 1)
    assert.equal(n1.jobsCompleted, n0.jobsCompleted + 1)
    // Paid once.
    expectError(w.ledger.send([completeIx(j, toOnChainProof(r.proof))], [worker.kp]), 'InvalidEscrowState')
  })

  describe('every forged or misdirected proof fails, on-chain and off', () => {
    let j: Job
    let k: number
    let honest: ProofResult
    before(async function () {
      this.timeout(120_000)
      j = await job()
      k = draw(j)
      honest = await proveStep(j, k)
    })

    it('a proof for another job', async () => {
      await refused(j, await proveStep(j, k, { jobId: hash('another job') }), k)
    })

    it('a proof over another root (another honest run of the same model, same job and step)', async () => {
      await refused(j, await proveStep(j, k, { run: await stepRun(LEAVES, 'another run') }), k)
    })

    it('a step with one wrong weight: the worker cannot prove it, so nothing is paid until the slash', async () => {
      // A worker that anchored checkpoints whose step k -> k+1 is not the exact Q16 step: weight 0 of
      // checkpoint i is off by i units, so checkpoint k+1 is one unit off whichever k is drawn.
      const forgedStates = j.run.states.map((s, i) => ({ parameters: [Int32Array.from(s.parameters[0] as Int32Array, (v, x) => x === 0 ? v + i : v), s.parameters[1] as Int32Array], velocities: s.velocities }))
      const forged = { ...j.run, states: forgedStates, ...commit(forgedStates, j.run.chain) }
      const f = await job({ run: forged })
      const fk = draw(f)
      await assert.rejects(proveStep(f, fk), ProofError)
      // Its honest neighbour's proof (same job, same step, another root) is refused on-chain.
      await refused(f, await proveStep(f, fk, { run: j.run }), fk)
    })

    it('a proof for a step other than the challenged one', async () => {
      await refused(j, await proveStep(j, (k + 1) % (LEAVES - 1)), k)
    })

    it('a tampered proof', async () => {
      const p = toOnChainProof(honest.proof)
      p[255] = (p[255] as number) ^ 1 // C.y
      expectError(w.ledger.send([completeIx(j, p)], [worker.kp]), 'InvalidProof')
      const swapped = new Uint8Array(p)
      swapped.set(toOnChainProof(honest.proof).subarray(0, 64), 192)
      expectError(w.ledger.send([completeIx(j, swapped)], [worker.kp]), 'InvalidProof')
    })

    it('a tampered public input: the program uses the escrow\'s own fields (here a patched job id), never the caller\'s', async () => {
      const at = 8 + fieldOffset(ESCROW, 'jobId')
      w.patch(j.escrow, (v) => { v.setUint8(at + 31, v.getUint8(at + 31) ^ 1) })
      expectError(w.ledger.send([completeIx(j, toOnChainProof(honest.proof))], [worker.kp]), 'InvalidProof')
      w.patch(j.escrow, (v) => { v.setUint8(at + 31, v.getUint8(at + 31) ^ 1) })
    })

    it('a final checkpoint that is not the last leaf of the anchored root fails the sol_poseidon check', () => {
      const p = toOnChainProof(honest.proof)
      expectError(w.ledger.send([completeIx(j, p, { chain: hash('other weights') })], [worker.kp]), 'InvalidInclusion')
      expectError(w.ledger.send([completeIx(j, p, { siblings: lastLeafSiblings(j.leaves).subarray(32) })], [worker.kp]), 'InvalidInclusion')
    })

    it('the honest proof still pays afterwards', () => {
      record('complete_zk', w.ledger.send([completeIx(j, toOnChainProof(honest.proof))], [worker.kp]))
      assert.equal(w.escrowAccount(j.escrow).state, ESCROW_STATE.completed)
    })
  })

  it('the tier\'s rules: no client `complete`, canonical roots, a challenge only after the final anchor and once', async () => {
    const j = await job({ leaves: 3 })
    expectError(w.ledger.send([w.completeIx(client, worker, j.escrow)], [client.kp]), 'InvalidTier')
    expectError(w.ledger.send([completeIx(j, new Uint8Array(256))], [worker.kp]), 'ChallengeNotReady')
    // Same slot as the anchoring: its hash does not exist yet.
    expectError(w.ledger.send([drawChallenge(j.escrow, w.pid)], [w.ledger.payer]), 'ChallengeNotReady')
    draw(j)
    w.nextSlot()
    expectError(w.ledger.send([drawChallenge(j.escrow, w.pid)], [w.ledger.payer]), 'ChallengeAlreadyDrawn')

    nonce++
    const e2 = w.escrow(client, worker, nonce, TOKEN, { tier: TIER.zk, circuitId: CIRCUIT, epochsTotal: 4 })
    expectError(w.ledger.send([anchorProgress({ worker: worker.kp.publicKey, escrow: e2 }, 1, new Uint8Array(32).fill(0xff), w.pid)], [worker.kp]), 'NonCanonicalField')
    w.nextSlot()
    expectError(w.ledger.send([drawChallenge(e2, w.pid)], [w.ledger.payer]), 'ChallengeNotReady') // final root not anchored
    nonce++
    const res = w.ledger.send([w.createEscrowIx(client, worker.kp.publicKey, w.escrowArgs(nonce, TOKEN, { tier: TIER.zk, circuitId: CIRCUIT, epochsTotal: 1 }))], [client.kp])
    expectError(res, 'InvalidEpoch') // nothing to challenge
    const opt = w.escrow(client, worker, ++nonce, TOKEN)
    expectError(w.ledger.send([drawChallenge(opt, w.pid)], [w.ledger.payer]), 'InvalidTier')
  })

  it('slash_invalid_proof: past the deadline without a valid proof, the worker loses 25 % and 100 reputation, the client is refunded', async () => {
    const j = await job({ timeoutSecs: 3_600n })
    draw(j)
    const slash = (): ReturnType<typeof slashInvalidProof> =>
      slashInvalidProof({ escrow: j.escrow, worker: worker.kp.publicKey, clientToken: client.token, mint: w.mint }, w.pid)
    expectError(w.ledger.send([slash()], [w.ledger.payer]), 'DeadlineNotReached')
    w.ledger.warp(3_601n)
    // Too late to prove; and a timeout is not how a worker that claimed the final root leaves.
    expectError(w.ledger.send([completeIx(j, new Uint8Array(256))], [worker.kp]), 'DeadlinePassed')
    expectError(w.ledger.send([timeoutRefund({ escrow: j.escrow, worker: worker.kp.publicKey, clientToken: client.token, mint: w.mint }, w.pid)], [w.ledger.payer]), 'ProofRequired')
    const n0 = w.node(worker.kp.publicKey)
    const clientBefore = w.ledger.tokenBalance(client.token)
    const supply0 = w.supply()
    record('slash_invalid_proof', w.ledger.send([slash()], [w.ledger.payer]))
    const n1 = w.node(worker.kp.publicKey)
    const slashed = n0.stake * BigInt(SLASHING.invalidProofBps) / 10_000n
    assert.equal(n1.stake, n0.stake - slashed)
    assert.equal(n1.adjustment, Math.max(n0.adjustment + REPUTATION.penalties.invalidProof, -REPUTATION.maxScore))
    assert.equal(n1.jobsFailed, n0.jobsFailed + 1)
    assert.equal(n1.proofsTotal, n0.proofsTotal + 1)
    assert.equal(n1.proofsValid, n0.proofsValid)
    assert.equal(w.ledger.tokenBalance(client.token) - clientBefore, 5n * TOKEN)
    assert.ok(w.supply() < supply0, 'part of the slash is burned')
    assert.equal(w.escrowAccount(j.escrow).state, ESCROW_STATE.proofFailed)
    expectError(w.ledger.send([slash()], [w.ledger.payer]), 'InvalidEscrowState')
  })

  it('a zk escrow whose final root was never anchored times out as usual', () => {
    nonce++
    const e = w.escrow(client, worker, nonce, TOKEN, { tier: TIER.zk, circuitId: CIRCUIT, epochsTotal: 4, timeoutSecs: 100n, estimatedSeconds: 100n })
    w.ledger.warp(101n)
    expectError(w.ledger.send([slashInvalidProof({ escrow: e, worker: worker.kp.publicKey, clientToken: client.token, mint: w.mint }, w.pid)], [w.ledger.payer]), 'InvalidEpoch')
    record('timeout_refund', w.ledger.send([timeoutRefund({ escrow: e, worker: worker.kp.publicKey, clientToken: client.token, mint: w.mint }, w.pid)], [w.ledger.payer]))
  })

  it('costs (compute units)', () => {
    const cu = computeUnits.get('complete_zk')
    assert.ok(cu !== undefined && cu <= 200_000n, `complete_zk ${String(cu)} CU`)
    console.log(`      complete_zk: ${String(cu)} CU; draw_challenge: ${String(computeUnits.get('draw_challenge'))} CU; slash_invalid_proof: ${String(computeUnits.get('slash_invalid_proof'))} CU`)
  })
})
