/**
 * The zk tier of the escrow on-chain: the escrow pins the SHA-256 of its circuit's verifying key at
 * creation; the worker anchors the Poseidon root of its checkpoint commitments, the client's
 * `reveal_challenge` fixes step k from its committed secret and a slot hash after that, and
 * `complete_zk` pays only for a proof (circuit `checkpoint_step`: checkpoints k and k+1 are in the
 * root and k+1 is exactly one Q16 training step from k, on the private batch the escrow's data
 * commitment names) whose public inputs the program builds from the escrow — [job = the escrow's
 * address, root, leafCount, k, data] — under the pinned key, and only when the final checkpoint is the last leaf of the
 * root (`sol_poseidon`). The checkpoints are a real FixedPointEngine run. Every failing-proof case of
 * issue 7 is refused by the TypeScript verifier and, on-chain, recorded at once: `complete_zk`
 * succeeds with the invalid-proof settlement (client refunded, 25 % slash, −100 reputation), each
 * case on its own escrow and worker. A failed inclusion stays a plain error; `slash_invalid_proof`
 * settles a worker that never proves.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { Keypair, type PublicKey } from '@solana/web3.js'
import {
  ProofError, checkpointStepInput, stepDataCommitment, fromOnChainProof, fromOnChainPublicInputs, prove, releaseCurve, toOnChainProof,
  toOnChainVerifyingKey, verify, type ProofResult, type VerificationKey
} from '../../../circuits/index.js'
import { BN254_BASE_FIELD, MerkleTree, fieldFromBytes, fieldToBytes, poseidonMerkle, REPUTATION, SLASHING } from '../../../protocols/index.js'
import { commit, stepRun, type StepRun } from '../../fixtures/step.js'
import {
  ESCROW_STATE, TIER, anchorProgress, revealedChallengeStep, completeZk, drawChallenge, fieldOffset, ESCROW, escrowField, lastLeafSiblings, parseEvents,
  escrowPda, setVerifyingKey, slashInvalidProof, stepPublicInputs, timeoutRefund, vaultPda, verifyingKeyPda
} from '../../../chain/client/index.js'
import { TOKEN, computeUnits, expectError, hash, record, withAccount, zkWorld, type World, type Wallet } from '../../fixtures/world.js'

const CIRCUIT = 1
const LEAVES = 6
const AMOUNT = 5n * TOKEN
/** A dataset commitment for escrows whose data no proof reads (any nonzero field element). */
const DATA = fieldToBytes(7n)

const sha256 = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest())

/** 32 bytes big-endian of any value below 2^256 (a coordinate that need not be below q). */
function fieldToBytesQ (v: bigint): Uint8Array {
  const out = new Uint8Array(32)
  for (let i = 31, x = v; i >= 0; i--, x >>= 8n) out[i] = Number(x & 0xffn)
  return out
}

interface Job {
  readonly escrow: PublicKey
  /** The escrow's worker (its own wallet in every case that ends in a slash). */
  readonly worker: Wallet
  /** The escrow's client (its own wallet with its own worker: clients are rate-limited per day). */
  readonly client: Wallet
  readonly jobId: Uint8Array
  /** The worker's fixed-point run: H_E, the states and S_E of each checkpoint, the commitments C_E (the leaves). */
  readonly run: StepRun
  readonly chain: Uint8Array[]
  readonly states: bigint[]
  readonly leaves: Uint8Array[]
  readonly root: Uint8Array
}

describe('chain/program: the zk tier (reveal_challenge, complete_zk, slash_invalid_proof)', function () {
  this.timeout(120_000)
  let w: World
  let vkey: VerificationKey
  let sharedWorker: Wallet
  let sharedClient: Wallet
  let nonce = 0n

  before(async function () {
    this.timeout(30 * 60_000)
    ;({ w, vkey } = await zkWorld(CIRCUIT))
    sharedWorker = w.worker(50_000n * TOKEN, 60_000n)
    sharedClient = w.wallet(1_000n)
  })
  after(releaseCurve)

  /** A zk escrow whose worker (`over.worker`, else the shared one) anchored the final Poseidon root of `LEAVES` checkpoints. */
  async function job (over: { leaves?: number, timeoutSecs?: bigint, run?: StepRun, worker?: Wallet, client?: Wallet, dataCommitment?: Uint8Array } = {}): Promise<Job> {
    nonce++
    const n = over.leaves ?? LEAVES
    const jobId = hash(`zk-job-${nonce}`)
    const worker = over.worker ?? sharedWorker
    const client = over.client ?? sharedClient
    const run = over.run ?? await stepRun(n, `zk-job-${nonce}`)
    // The client commits to the training data (the run's own, unless a case says otherwise).
    const dataCommitment = over.dataCommitment ?? stepDataCommitment(run.data).rootBytes
    const escrow = w.escrow(client, worker, nonce, AMOUNT, {
      jobId, tier: TIER.zk, circuitId: CIRCUIT, epochsTotal: n, timeoutSecs: over.timeoutSecs ?? 86_400n, estimatedSeconds: 600n, dataCommitment
    })
    const { chain, stateCommitments: states, leaves } = run
    const root = new MerkleTree(leaves, poseidonMerkle).root
    // An intermediate anchor (the first half's root), then the final one.
    const half = Math.floor(n / 2)
    record('anchor_progress', w.ledger.send([anchorProgress({ worker: worker.kp.publicKey, escrow }, half, new MerkleTree(leaves.slice(0, half), poseidonMerkle).root, w.pid)], [worker.kp]))
    record('anchor_progress', w.ledger.send([anchorProgress({ worker: worker.kp.publicKey, escrow }, n, root, w.pid)], [worker.kp]))
    return { escrow, worker, client, jobId, run, chain, states, leaves, root }
  }

  /** A worker of its own: a case that ends in a slash leaves the others' stakes alone. */
  const ownWorker = (): Wallet => w.worker(50_000n * TOKEN, 60_000n)

  /** The client reveals its secret after the anchor's slot ended: the challenge is drawn. */
  function draw (j: Job): number {
    const slotHash = w.nextSlot()
    record('reveal_challenge', w.reveal(j.escrow))
    const e = w.escrowAccount(j.escrow)
    assert.equal(e.challenged, 1)
    assert.equal(e.revealed, 1)
    // The program's draw, recomputed: the client's secret with the hash of the anchoring slot (the oldest at or after it).
    assert.equal(e.challengeStep, revealedChallengeStep(slotHash, w.challengeSecret(e.client, e.nonce), j.escrow, j.root, j.leaves.length))
    return e.challengeStep
  }

  /** The worker's proof of `step`, from its own run (or another run `over.run`, anchored nowhere). */
  async function proveStep (j: Job, step: number, over: { escrow?: PublicKey, run?: StepRun } = {}): Promise<ProofResult> {
    const run = over.run ?? j.run
    const at = (i: number): { chainHash: Uint8Array, state: StepRun['states'][number] } => ({ chainHash: run.chain[i] as Uint8Array, state: run.states[i] as StepRun['states'][number] })
    return await prove('checkpoint_step', checkpointStepInput(run.leaves, step, fieldFromBytes(escrowField(over.escrow ?? j.escrow)), at(step), at(step + 1), run.data).input)
  }

  function completeIx (j: Job, proof: Uint8Array, over: { chain?: Uint8Array, siblings?: Uint8Array } = {}): ReturnType<typeof completeZk> {
    const last = j.leaves.length - 1
    return completeZk({ worker: j.worker.kp.publicKey, escrow: j.escrow, workerToken: j.worker.token, clientToken: j.client.token, mint: w.mint, circuitId: CIRCUIT }, {
      proof,
      finalWeightsHash: hash('weights'),
      finalChainHash: over.chain ?? (j.chain[last] as Uint8Array),
      finalState: fieldToBytes(j.states[last] as bigint),
      siblings: over.siblings ?? lastLeafSiblings(j.leaves)
    }, w.pid)
  }

  /** What the program checks the proof against, as snarkjs public signals. */
  const expectedSignals = (j: Job, step: number): string[] => fromOnChainPublicInputs(stepPublicInputs(j.escrow, j.root, j.leaves.length, step, w.escrowAccount(j.escrow).dataCommitment))

  const send = (j: Job, ix: ReturnType<typeof completeZk>): ReturnType<World['ledger']['send']> => w.ledger.send([ix], [j.worker.kp])

  /**
   * `complete_zk` with a failing proof succeeds and records the failure, exactly as
   * `slash_invalid_proof` would: the worker is not paid, the client gets the whole amount back,
   * the worker loses `SLASHING.invalidProofBps` of its stake (part burned), 100 reputation, one
   * failed job, one more proof counted and not valid; the escrow ends PROOF_FAILED, with the same events.
   */
  function slashedOnChain (j: Job, proof: Uint8Array): void {
    const owner = j.worker.kp.publicKey
    const n0 = w.node(owner)
    const workerBefore = w.ledger.tokenBalance(j.worker.token)
    const clientBefore = w.ledger.tokenBalance(j.client.token)
    const insuranceBefore = w.ledger.tokenBalance(vaultPda(w.pid, 'insurance').address)
    const supply0 = w.supply()
    const res = record('complete_zk (failing proof)', send(j, completeIx(j, proof)))
    const n1 = w.node(owner)
    const slashed = n0.stake * BigInt(SLASHING.invalidProofBps) / 10_000n
    const burned = slashed * BigInt(10_000 - SLASHING.insuranceShareBps) / 10_000n
    assert.equal(n1.stake, n0.stake - slashed)
    assert.equal(w.ledger.tokenBalance(j.worker.token), workerBefore, 'the worker is not paid')
    assert.equal(w.ledger.tokenBalance(j.client.token) - clientBefore, AMOUNT, 'the client is refunded')
    assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'insurance').address) - insuranceBefore, slashed - burned)
    assert.equal(supply0 - w.supply(), burned)
    assert.equal(n1.adjustment, Math.max(n0.adjustment + REPUTATION.penalties.invalidProof, -REPUTATION.maxScore))
    assert.equal(n1.proofsTotal, n0.proofsTotal + 1)
    assert.equal(n1.proofsValid, n0.proofsValid)
    assert.equal(n1.jobsFailed, n0.jobsFailed + 1)
    assert.equal(n1.jobsActive, n0.jobsActive - 1)
    assert.equal(n1.jobsCompleted, n0.jobsCompleted)
    const e = w.escrowAccount(j.escrow)
    assert.equal(e.state, ESCROW_STATE.proofFailed)
    assert.equal(e.completedAt, w.ledger.unixTime())
    const events = parseEvents(res.logs)
    assert.deepEqual(events.map((ev) => ev.name), ['TimeoutRefunded', 'StakeSlashed'])
    assert.equal(events[0]?.data.amount, AMOUNT)
    assert.equal(events[1]?.data.slashed, slashed)
    assert.equal(events[1]?.data.burned, burned)
    // Recorded once: nothing more can settle this escrow.
    expectError(send(j, completeIx(j, proof)), 'InvalidEscrowState')
    expectError(w.ledger.send([slashInvalidProof({ escrow: j.escrow, worker: owner, clientToken: j.client.token, mint: w.mint }, w.pid)], [w.ledger.payer]), 'InvalidEscrowState')
  }

  /** The TypeScript verifier refuses proof bytes `p` for what the program checks (`expectedSignals`). */
  async function tsRefuses (signals: string[], p: Uint8Array): Promise<boolean> {
    try {
      return !(await verify(vkey, signals, fromOnChainProof(p)))
    } catch {
      return true
    }
  }

  /** Refused by the TypeScript verifier, and slashed on-chain. */
  async function refused (j: Job, r: ProofResult, step: number): Promise<void> {
    assert.equal(await verify(vkey, expectedSignals(j, step), r.proof), false)
    slashedOnChain(j, toOnChainProof(r.proof))
  }

  it('an honest proof of the challenged step verifies in TypeScript and on-chain, and complete_zk pays 90/10', async () => {
    const j = await job()
    const k = draw(j)
    const r = await proveStep(j, k)
    assert.deepEqual(r.publicSignals, expectedSignals(j, k))
    assert.equal(await verify(vkey, r.publicSignals, r.proof), true)
    const before = w.ledger.tokenBalance(j.worker.token)
    const n0 = w.node(j.worker.kp.publicKey)
    // The escrow pinned the key it was created under.
    assert.deepEqual(w.escrowAccount(j.escrow).vkHash, sha256(toOnChainVerifyingKey(vkey)))
    record('complete_zk', send(j, completeIx(j, toOnChainProof(r.proof))))
    assert.equal(w.ledger.tokenBalance(j.worker.token) - before, 45n * TOKEN / 10n)
    const e = w.escrowAccount(j.escrow)
    assert.equal(e.state, ESCROW_STATE.completed)
    assert.deepEqual(e.finalWeightsHash, hash('weights'))
    const n1 = w.node(j.worker.kp.publicKey)
    assert.equal(n1.proofsValid, n0.proofsValid + 1)
    assert.equal(n1.proofsTotal, n0.proofsTotal + 1)
    assert.equal(n1.jobsCompleted, n0.jobsCompleted + 1)
    assert.equal(n1.stake, n0.stake)
    // Paid once.
    expectError(send(j, completeIx(j, toOnChainProof(r.proof))), 'InvalidEscrowState')
  })

  describe('every forged or misdirected proof is refused off-chain and slashed on-chain at once (each on its own escrow)', () => {
    /** The job every other case's inclusion and honest proofs come from (its worker is never slashed). */
    let j: Job
    let k: number
    let honest: ProofResult
    before(async function () {
      this.timeout(120_000)
      j = await job()
      k = draw(j)
      honest = await proveStep(j, k)
    })

    /** A fresh job of a worker of its own, its challenge drawn. */
    async function fresh (over: { run?: StepRun, dataCommitment?: Uint8Array } = {}): Promise<{ f: Job, fk: number }> {
      const f = await job({ ...over, worker: ownWorker(), client: w.wallet(100n) })
      return { f, fk: draw(f) }
    }

    it('a proof for another escrow (the job\'s public input is the escrow\'s address)', async () => {
      const { f, fk } = await fresh()
      await refused(f, await proveStep(f, fk, { escrow: j.escrow }), fk)
    })

    it('a proof over another root (another honest run of the same model, same job and step)', async () => {
      const { f, fk } = await fresh()
      await refused(f, await proveStep(f, fk, { run: await stepRun(LEAVES, 'another run') }), fk)
    })

    it('a step with one wrong weight: the worker cannot prove it; the proof it can make instead is slashed', async () => {
      // A worker that anchored checkpoints whose step k -> k+1 is not the exact Q16 step: weight 0 of
      // checkpoint i is off by i units, so checkpoint k+1 is one unit off whichever k is drawn.
      const forgedStates = j.run.states.map((s, i) => ({ parameters: [Int32Array.from(s.parameters[0] as Int32Array, (v, x) => x === 0 ? v + i : v), s.parameters[1] as Int32Array], velocities: s.velocities }))
      const forged = { ...j.run, states: forgedStates, ...commit(forgedStates, j.run.chain) }
      const { f, fk } = await fresh({ run: forged })
      await assert.rejects(proveStep(f, fk), ProofError)
      // Its honest neighbour's proof (same job, same step, another root) is refused.
      await refused(f, await proveStep(f, fk, { run: j.run }), fk)
    })

    it('a proof on other training data than the escrow commits to (an honest run on changed data)', async () => {
      // The client funded the job for mnist-4x4; the worker trained (and proves) on data with one
      // feature changed in every batch: its proof is for another data commitment.
      const changed = { features: j.run.data.features.map((v, i) => i % 128 === 0 ? v + 1 : v), labels: j.run.data.labels }
      const other = await stepRun(LEAVES, 'changed data', changed)
      const { f, fk } = await fresh({ run: other, dataCommitment: stepDataCommitment(j.run.data).rootBytes })
      await refused(f, await proveStep(f, fk), fk)
    })

    it('a proof for a step other than the challenged one', async () => {
      const { f, fk } = await fresh()
      await refused(f, await proveStep(f, (fk + 1) % (LEAVES - 1)), fk)
    })

    it('a tampered proof (C off the curve); the settlement\'s accounts are checked before the proof, so none can dodge it', async () => {
      const { f, fk } = await fresh()
      const p = toOnChainProof((await proveStep(f, fk)).proof)
      p[255] = (p[255] as number) ^ 1 // C.y
      assert.ok(await tsRefuses(expectedSignals(f, fk), p))
      const n0 = w.node(f.worker.kp.publicKey)
      // Accounts that would make the settlement fail are refused up front (nothing recorded).
      expectError(send(f, withAccount(completeIx(f, p), 8, sharedWorker.token)), 'ConstraintTokenOwner')
      expectError(send(f, withAccount(completeIx(f, p), 8, f.client.token, { isWritable: false })), 'ConstraintMut')
      expectError(send(f, withAccount(completeIx(f, p), 9, vaultPda(w.pid, 'stake').address, { isWritable: false })), 'ConstraintMut')
      expectError(send(f, withAccount(completeIx(f, p), 10, sharedClient.token)), 'ConstraintAddress')
      expectError(send(f, withAccount(completeIx(f, p), 11, Keypair.generate().publicKey)), 'ConstraintAddress')
      expectError(send(f, withAccount(completeIx(f, p), 1, w.ledger.payer.publicKey)), 'AccountOwnedByWrongProgram')
      assert.equal(w.escrowAccount(f.escrow).state, ESCROW_STATE.funded)
      assert.equal(w.node(f.worker.kp.publicKey).stake, n0.stake)
      slashedOnChain(f, p)
    })

    it('a tampered proof (A in place of C)', async () => {
      const { f, fk } = await fresh()
      const good = toOnChainProof((await proveStep(f, fk)).proof)
      const swapped = new Uint8Array(good)
      swapped.set(good.subarray(0, 64), 192)
      assert.ok(await tsRefuses(expectedSignals(f, fk), swapped))
      slashedOnChain(f, swapped)
    })

    it('a tampered proof (a coordinate not below q)', async () => {
      const { f, fk } = await fresh()
      const p = toOnChainProof((await proveStep(f, fk)).proof)
      p.set(fieldToBytesQ(BN254_BASE_FIELD), 224) // C.y = q
      assert.ok(await tsRefuses(expectedSignals(f, fk), p))
      slashedOnChain(f, p)
    })

    it('a tampered public input: the program uses the escrow\'s own fields (here a patched challenge step), never the caller\'s', async () => {
      const { f, fk } = await fresh()
      const r = await proveStep(f, fk)
      const at = 8 + fieldOffset(ESCROW, 'challengeStep')
      const patched = (fk + 1) % (LEAVES - 1)
      w.patch(f.escrow, (v) => { v.setUint32(at, patched, true) })
      assert.equal(w.escrowAccount(f.escrow).challengeStep, patched)
      assert.equal(await verify(vkey, fromOnChainPublicInputs(stepPublicInputs(f.escrow, f.root, f.leaves.length, patched, w.escrowAccount(f.escrow).dataCommitment)), r.proof), false)
      slashedOnChain(f, toOnChainProof(r.proof))
    })

    it('a final checkpoint that is not the last leaf of the anchored root fails the sol_poseidon check: a plain error, nothing recorded', () => {
      const p = toOnChainProof(honest.proof)
      const n0 = w.node(j.worker.kp.publicKey)
      expectError(send(j, completeIx(j, p, { chain: hash('other weights') })), 'InvalidInclusion')
      expectError(send(j, completeIx(j, p, { siblings: lastLeafSiblings(j.leaves).subarray(32) })), 'InvalidInclusion')
      // Even with a bad proof: the inclusion is checked first, and its failure records nothing.
      expectError(send(j, completeIx(j, new Uint8Array(256), { chain: hash('other weights') })), 'InvalidInclusion')
      assert.equal(w.escrowAccount(j.escrow).state, ESCROW_STATE.funded)
      const n1 = w.node(j.worker.kp.publicKey)
      assert.equal(n1.stake, n0.stake)
      assert.equal(n1.proofsTotal, n0.proofsTotal)
    })

    it('the honest proof still pays afterwards', () => {
      record('complete_zk', send(j, completeIx(j, toOnChainProof(honest.proof))))
      assert.equal(w.escrowAccount(j.escrow).state, ESCROW_STATE.completed)
    })
  })

  it('the verifying key is pinned per escrow: replacing it cannot change what a funded escrow pays for', async () => {
    const key = toOnChainVerifyingKey(vkey)
    const other = new Uint8Array(key)
    other[other.length - 1] = (other[other.length - 1] as number) ^ 1 // IC_5.y (the last point): another statement
    const own = w.wallet(100n)
    const j = await job({ client: own })
    assert.deepEqual(w.escrowAccount(j.escrow).vkHash, sha256(key))
    const k = draw(j)
    const r = await proveStep(j, k)
    const n0 = w.node(j.worker.kp.publicKey)

    // The admin can no longer replace or rewrite a complete key (audit finding 6: a new key is a
    // new circuit id), chunk by chunk or from the start.
    for (const ix of setVerifyingKey({ admin: w.admin.publicKey }, CIRCUIT, other, 400, w.pid)) expectError(w.ledger.send([ix], [w.admin]), 'VerifyingKeyImmutable')
    // Were the key's bytes changed anyway (a test patch, bypassing every rule), the escrow's pinned
    // hash still refuses them: the funded escrow neither pays nor slashes under another key.
    const vkAddress = verifyingKeyPda(w.pid, CIRCUIT).address
    const saved = w.ledger.account(vkAddress)
    assert.ok(saved)
    w.patch(vkAddress, (v) => { v.setUint8(8 + 16 + key.length - 1, (v.getUint8(8 + 16 + key.length - 1)) ^ 1) })
    expectError(send(j, completeIx(j, toOnChainProof(r.proof))), 'VerifyingKeyChanged')
    expectError(send(j, completeIx(j, new Uint8Array(256))), 'VerifyingKeyChanged')
    assert.equal(w.escrowAccount(j.escrow).state, ESCROW_STATE.funded)
    assert.equal(w.node(j.worker.kp.publicKey).stake, n0.stake)

    // The original key back: the escrow's statement holds again and the honest proof pays.
    w.ledger.setAccount(vkAddress, saved)
    record('complete_zk', send(j, completeIx(j, toOnChainProof(r.proof))))
    assert.equal(w.escrowAccount(j.escrow).state, ESCROW_STATE.completed)
  })

  it('create_escrow pins an existing, complete key of the escrow\'s circuit: no key, a wrong account or none is refused', () => {
    const own = w.wallet(100n)
    const args = (over = {}): ReturnType<World['escrowArgs']> => w.escrowArgs(++nonce, TOKEN, { tier: TIER.zk, circuitId: 7, epochsTotal: 3, dataCommitment: DATA, ...over })
    const create = (ix: ReturnType<World['createEscrowIx']>): ReturnType<World['ledger']['send']> => w.ledger.send([ix], [own.kp])
    // Circuit 7 has no key.
    expectError(create(w.createEscrowIx(own, sharedWorker.kp.publicKey, args())), 'VerifyingKeyNotSet')
    // Circuit 1's key account named for circuit 7, or an arbitrary account.
    expectError(create(withAccount(w.createEscrowIx(own, sharedWorker.kp.publicKey, args()), 10, verifyingKeyPda(w.pid, CIRCUIT).address)), 'ConstraintSeeds')
    expectError(create(withAccount(w.createEscrowIx(own, sharedWorker.kp.publicKey, args({ circuitId: CIRCUIT })), 10, Keypair.generate().publicKey)), 'ConstraintSeeds')
    // No key account at all.
    const none = w.createEscrowIx(own, sharedWorker.kp.publicKey, args({ circuitId: CIRCUIT }))
    none.keys.pop()
    expectError(create(none), 'AccountNotEnoughKeys')
    // The optimistic tier needs none and pins nothing.
    const opt = w.createEscrowIx(own, sharedWorker.kp.publicKey, args({ tier: TIER.optimistic, dataCommitment: undefined }))
    assert.equal(opt.keys.length, 10)
    w.ledger.mustSend([opt], [own.kp])
    assert.deepEqual(w.escrowAccount(escrowPda(w.pid, own.kp.publicKey, nonce).address).vkHash, new Uint8Array(32))
  })

  it('the tier\'s rules: no client `complete`, canonical roots, a challenge only after the final anchor and once', async () => {
    const j = await job({ leaves: 3 })
    expectError(w.ledger.send([w.completeIx(sharedClient, sharedWorker, j.escrow)], [sharedClient.kp]), 'InvalidTier')
    expectError(send(j, completeIx(j, new Uint8Array(256))), 'ChallengeNotReady')
    // Within the client's reveal window only its secret draws (the fallback waits).
    expectError(w.ledger.send([drawChallenge(j.escrow, w.pid)], [w.ledger.payer]), 'RevealWindowOpen')
    draw(j)
    w.nextSlot()
    expectError(w.ledger.send([drawChallenge(j.escrow, w.pid)], [w.ledger.payer]), 'ChallengeAlreadyDrawn')
    expectError(w.reveal(j.escrow), 'ChallengeAlreadyDrawn')

    nonce++
    const e2 = w.escrow(sharedClient, sharedWorker, nonce, TOKEN, { tier: TIER.zk, circuitId: CIRCUIT, epochsTotal: 4, dataCommitment: DATA })
    expectError(w.ledger.send([anchorProgress({ worker: sharedWorker.kp.publicKey, escrow: e2 }, 1, new Uint8Array(32).fill(0xff), w.pid)], [sharedWorker.kp]), 'NonCanonicalField')
    w.nextSlot()
    expectError(w.ledger.send([drawChallenge(e2, w.pid)], [w.ledger.payer]), 'ChallengeNotReady') // final root not anchored
    expectError(w.reveal(e2), 'ChallengeNotReady') // nor can the secret draw before it
    nonce++
    const res = w.ledger.send([w.createEscrowIx(sharedClient, sharedWorker.kp.publicKey, w.escrowArgs(nonce, TOKEN, { tier: TIER.zk, circuitId: CIRCUIT, epochsTotal: 1, dataCommitment: DATA }))], [sharedClient.kp])
    expectError(res, 'InvalidEpoch') // nothing to challenge
    const opt = w.escrow(sharedClient, sharedWorker, ++nonce, TOKEN)
    expectError(w.ledger.send([drawChallenge(opt, w.pid)], [w.ledger.payer]), 'InvalidTier')
  })

  it('slash_invalid_proof: past the deadline without a valid proof, the worker loses 25 % and 100 reputation, the client is refunded', async () => {
    const j = await job({ timeoutSecs: 3_600n })
    draw(j)
    const slash = (): ReturnType<typeof slashInvalidProof> =>
      slashInvalidProof({ escrow: j.escrow, worker: sharedWorker.kp.publicKey, clientToken: sharedClient.token, mint: w.mint }, w.pid)
    expectError(w.ledger.send([slash()], [w.ledger.payer]), 'DeadlineNotReached')
    w.ledger.warp(3_601n)
    // Too late to prove; and a timeout is not how a worker that claimed the final root leaves.
    expectError(w.ledger.send([completeIx(j, new Uint8Array(256))], [sharedWorker.kp]), 'DeadlinePassed')
    expectError(w.ledger.send([timeoutRefund({ escrow: j.escrow, worker: sharedWorker.kp.publicKey, clientToken: sharedClient.token, mint: w.mint }, w.pid)], [w.ledger.payer]), 'ProofRequired')
    const n0 = w.node(sharedWorker.kp.publicKey)
    const clientBefore = w.ledger.tokenBalance(sharedClient.token)
    const supply0 = w.supply()
    record('slash_invalid_proof', w.ledger.send([slash()], [w.ledger.payer]))
    const n1 = w.node(sharedWorker.kp.publicKey)
    const slashed = n0.stake * BigInt(SLASHING.invalidProofBps) / 10_000n
    assert.equal(n1.stake, n0.stake - slashed)
    assert.equal(n1.adjustment, Math.max(n0.adjustment + REPUTATION.penalties.invalidProof, -REPUTATION.maxScore))
    assert.equal(n1.jobsFailed, n0.jobsFailed + 1)
    assert.equal(n1.proofsTotal, n0.proofsTotal + 1)
    assert.equal(n1.proofsValid, n0.proofsValid)
    assert.equal(w.ledger.tokenBalance(sharedClient.token) - clientBefore, 5n * TOKEN)
    assert.ok(w.supply() < supply0, 'part of the slash is burned')
    assert.equal(w.escrowAccount(j.escrow).state, ESCROW_STATE.proofFailed)
    expectError(w.ledger.send([slash()], [w.ledger.payer]), 'InvalidEscrowState')
  })

  it('a zk escrow whose final root was never anchored times out as usual', () => {
    nonce++
    const e = w.escrow(sharedClient, sharedWorker, nonce, TOKEN, { tier: TIER.zk, circuitId: CIRCUIT, epochsTotal: 4, timeoutSecs: 600n, estimatedSeconds: 100n, dataCommitment: DATA })
    w.ledger.warp(601n)
    expectError(w.ledger.send([slashInvalidProof({ escrow: e, worker: sharedWorker.kp.publicKey, clientToken: sharedClient.token, mint: w.mint }, w.pid)], [w.ledger.payer]), 'InvalidEpoch')
    record('timeout_refund', w.ledger.send([timeoutRefund({ escrow: e, worker: sharedWorker.kp.publicKey, clientToken: sharedClient.token, mint: w.mint }, w.pid)], [w.ledger.payer]))
  })

  describe('costs', () => {
    it('compute units', () => {
      const cu = computeUnits.get('complete_zk')
      const failing = computeUnits.get('complete_zk (failing proof)')
      assert.ok(cu !== undefined && cu <= 200_000n, `complete_zk ${String(cu)} CU`)
      assert.ok(failing !== undefined && failing <= 200_000n, `complete_zk (failing proof) ${String(failing)} CU`)
      console.log(`      complete_zk: ${String(cu)} CU (a failing proof, slashed: ${String(failing)} CU); reveal_challenge: ${String(computeUnits.get('reveal_challenge'))} CU; slash_invalid_proof: ${String(computeUnits.get('slash_invalid_proof'))} CU`)
    })
  })
})
