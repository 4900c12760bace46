/**
 * The optimistic tier's challenge window (issue 7) as real SBF in LiteSVM: the worker anchors the
 * Poseidon root of its float checkpoints (leaf C_E = checkpointCommitment(H_E,
 * digestCommitment(stateHash_E))) at the final epoch, then records its delivery with
 * `submit_delivery(final_weights_hash, final_chain_hash, final_state, siblings)`: the program
 * checks with `sol_poseidon` that the final checkpoint is the last leaf of the anchored root. That
 * starts a window of `PROOF.challengeWindowSeconds` (mirrored into Config as `challengeWindowSecs`);
 * a dispute opened within it freezes the escrow; with none, the worker is paid by `claim_payment`
 * once it closes. The client's `complete` stays possible earlier.
 */
import assert from 'node:assert/strict'
import type { PublicKey } from '@solana/web3.js'
import {
  ESCROW_STATE, SIDE, TIER, anchorProgress, cancel, claimPayment, configParamsFromProtocol, disputePda, finalizeDispute, openDispute,
  submitDelivery, timeoutRefund, vaultPda
} from '../../../chain/client/index.js'
import {
  BN254_SCALAR_FIELD, DISPUTE, MerkleTree, PROOF, STAKE_TIERS, checkpointCommitment, digestCommitment, disputeVerdict, fieldToBytes,
  poseidonMerkle, reputationTier
} from '../../../protocols/index.js'
import { Court } from './jury.js'
import { TOKEN, World, deliveryArgs, expectError, floatRun, hash, program, record, withAccount, type FloatRun, type Wallet } from '../../fixtures/world.js'

const stake = STAKE_TIERS[1]?.minStake ?? 0n
const window = BigInt(PROOF.challengeWindowSeconds)

function setup (): { w: World, worker: Wallet, client: Wallet } {
  const w = new World().initialize()
  return { w, worker: w.worker(stake, 300n), client: w.wallet(100n + DISPUTE.disputeBond / TOKEN) }
}

/** The checkpoints of a job of `World.escrowArgs`' 10 epochs. */
const run: FloatRun = floatRun(10)

/** The worker anchors `run` at the final epoch and delivers it (must succeed). */
function deliver (w: World, worker: Wallet, escrow: PublicKey): void {
  w.anchorFinal(worker, escrow, run)
  w.ledger.mustSend([submitDelivery({ worker: worker.kp.publicKey, escrow }, deliveryArgs(run), w.pid)], [worker.kp])
}

describe('chain/program: optimistic tier challenge window', () => {
  before(function () {
    this.timeout(600_000)
    program()
  })

  it('Config carries the window from protocols/params.ts (24 h)', () => {
    assert.equal(PROOF.challengeWindowSeconds, 86_400)
    assert.equal(configParamsFromProtocol().challengeWindowSecs, window)
    const { w } = setup()
    assert.equal(w.config().params.challengeWindowSecs, window)
  })

  it('the worker delivers and is paid by claim_payment once the window closed with no dispute', () => {
    const { w, worker, client } = setup()
    const amount = 5n * TOKEN + 3n
    const escrow = w.escrow(client, worker, 1n, amount)
    const claim = () => claimPayment({ escrow, worker: worker.kp.publicKey, workerToken: worker.token }, w.pid)
    expectError(w.ledger.send([claim()], [worker.kp]), 'NotDelivered')
    w.anchorFinal(worker, escrow, run)
    const byClient = withAccount(submitDelivery({ worker: worker.kp.publicKey, escrow }, deliveryArgs(run), w.pid), 0, client.kp.publicKey, { isSigner: true })
    expectError(w.ledger.send([byClient], [client.kp]), 'ConstraintHasOne')

    record('submit_delivery', w.ledger.send([submitDelivery({ worker: worker.kp.publicKey, escrow }, deliveryArgs(run), w.pid)], [worker.kp]))
    const e = w.escrowAccount(escrow)
    assert.equal(e.delivered, 1)
    assert.equal(e.deliveredAt, w.ledger.unixTime())
    assert.deepEqual(e.finalWeightsHash, hash('weights'))
    assert.deepEqual(e.progressRoot, run.root)
    expectError(w.ledger.send([submitDelivery({ worker: worker.kp.publicKey, escrow }, deliveryArgs(run, hash('other')), w.pid)], [worker.kp]), 'AlreadyDelivered')

    expectError(w.ledger.send([claim()], [worker.kp]), 'ChallengeWindowOpen')
    w.ledger.warp(window - 1n)
    expectError(w.ledger.send([claim()], [worker.kp]), 'ChallengeWindowOpen')
    // Delivered: the client can no longer cancel its way out of paying.
    expectError(w.ledger.send([cancel({ client: client.kp.publicKey, escrow, worker: worker.kp.publicKey, workerToken: worker.token, clientToken: client.token }, w.pid)], [client.kp]), 'InvalidEscrowState')
    w.ledger.warp(1n)
    // Only the worker claims.
    expectError(w.ledger.send([withAccount(claim(), 0, client.kp.publicKey, { isSigner: true })], [client.kp]), 'ConstraintHasOne')

    const node = w.node(worker.kp.publicKey)
    const pay = disputeVerdict('worker', amount, node.stake, reputationTier(node.reputation).name)
    const before = w.ledger.tokenBalance(worker.token)
    record('claim_payment', w.ledger.send([claim()], [worker.kp]))
    assert.equal(w.ledger.tokenBalance(worker.token) - before, pay.workerPayment)
    assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address), pay.platformFee)
    const done = w.escrowAccount(escrow)
    assert.equal(done.state, ESCROW_STATE.completed)
    assert.deepEqual(done.finalWeightsHash, hash('weights'))
    const after = w.node(worker.kp.publicKey)
    assert.equal(after.jobsCompleted, node.jobsCompleted + 1)
    assert.equal(after.jobsActive, node.jobsActive - 1)
    expectError(w.ledger.send([claim()], [worker.kp]), 'InvalidEscrowState') // no double payment
  })

  it('a dispute opened within the window blocks the claim; the dispute settles the job', () => {
    const { w, worker, client } = setup()
    const jurors = [w.worker(stake, 300n), w.worker(stake, 300n), w.worker(stake, 300n)]
    const amount = 2n * TOKEN
    const escrow = w.escrow(client, worker, 1n, amount)
    deliver(w, worker, escrow)
    w.ledger.warp(window / 2n)
    w.ledger.mustSend([openDispute({ claimant: client.kp.publicKey, claimantToken: client.token, escrow, mint: w.mint }, 'bafy-failed-spot-check', w.pid)], [client.kp])
    w.ledger.warp(window)
    const claim = claimPayment({ escrow, worker: worker.kp.publicKey, workerToken: worker.token }, w.pid)
    expectError(w.ledger.send([claim], [worker.kp]), 'InvalidEscrowState')
    // A drawn jury re-checks the delivery and finds for the worker; the verdict is executed.
    new Court(w, escrow).round(new Map(jurors.map((j) => [j, 'worker' as const])), jurors)
    assert.equal(w.dispute(disputePda(w.pid, escrow).address).winner, SIDE.worker)
    w.ledger.mustSend([finalizeDispute({ escrow, worker: worker.kp.publicKey, clientToken: client.token, workerToken: worker.token, mint: w.mint }, w.pid)], [w.ledger.payer])
    assert.equal(w.escrowAccount(escrow).state, ESCROW_STATE.resolvedForWorker)
    expectError(w.ledger.send([claim], [worker.kp]), 'InvalidEscrowState')
  })

  it('the client may complete earlier; past the window: no dispute, no timeout, only the claim; delivery only in time and only for optimistic jobs', () => {
    const { w, worker, client } = setup()
    // Early acceptance by the client.
    const early = w.escrow(client, worker, 1n, TOKEN)
    deliver(w, worker, early)
    w.ledger.mustSend([w.completeIx(client, worker, early)], [client.kp])
    assert.equal(w.escrowAccount(early).state, ESCROW_STATE.completed)

    // A short job delivered in time whose window outlasts its deadline.
    const late = w.escrow(client, worker, 2n, TOKEN, { timeoutSecs: 1_000n, estimatedSeconds: 500n })
    const tooLate = w.escrow(client, worker, 3n, TOKEN, { timeoutSecs: 1_000n, estimatedSeconds: 500n })
    deliver(w, worker, late)
    w.anchorFinal(worker, tooLate, run)
    w.ledger.warp(1_001n)
    // Within the window a dispute is still possible past the deadline (checked on a fresh copy below); a delivery is not.
    expectError(w.ledger.send([submitDelivery({ worker: worker.kp.publicKey, escrow: tooLate }, deliveryArgs(run), w.pid)], [worker.kp]), 'DeadlinePassed')
    expectError(w.ledger.send([timeoutRefund({ escrow: late, worker: worker.kp.publicKey, clientToken: client.token, mint: w.mint }, w.pid)], [w.ledger.payer]), 'InvalidEscrowState')
    w.ledger.warp(window)
    expectError(w.ledger.send([openDispute({ claimant: client.kp.publicKey, claimantToken: client.token, escrow: late, mint: w.mint }, 'too-late', w.pid)], [client.kp]), 'DeadlinePassed')
    w.ledger.mustSend([claimPayment({ escrow: late, worker: worker.kp.publicKey, workerToken: worker.token }, w.pid)], [worker.kp])
    assert.equal(w.escrowAccount(late).state, ESCROW_STATE.completed)
    // The undelivered one times out as before.
    w.ledger.mustSend([timeoutRefund({ escrow: tooLate, worker: worker.kp.publicKey, clientToken: client.token, mint: w.mint }, w.pid)], [w.ledger.payer])

    // Past the deadline but within the window, the client can still dispute.
    const { w: w2, worker: worker2, client: client2 } = setup()
    const e2 = w2.escrow(client2, worker2, 1n, TOKEN, { timeoutSecs: 1_000n, estimatedSeconds: 500n })
    deliver(w2, worker2, e2)
    w2.ledger.warp(1_001n)
    w2.ledger.mustSend([openDispute({ claimant: client2.kp.publicKey, claimantToken: client2.token, escrow: e2, mint: w2.mint }, 'spot-check-failed', w2.pid)], [client2.kp])
    assert.equal(w2.escrowAccount(e2).state, ESCROW_STATE.disputed)

    // A zk escrow is settled by its proof, not by a delivery (its key must be set to create it).
    w.setVerifyingKey(1, testVerifyingKey())
    const zkRun = floatRun(3, 'zk')
    const zk = w.escrow(client, worker, 4n, TOKEN, { tier: TIER.zk, circuitId: 1, epochsTotal: 3, dataCommitment: testDataCommitment() })
    w.anchorFinal(worker, zk, zkRun)
    expectError(w.ledger.send([submitDelivery({ worker: worker.kp.publicKey, escrow: zk }, deliveryArgs(zkRun), w.pid)], [worker.kp]), 'InvalidTier')
    expectError(w.ledger.send([claimPayment({ escrow: zk, worker: worker.kp.publicKey, workerToken: worker.token }, w.pid)], [worker.kp]), 'InvalidTier')
  })

  it('submit_delivery checks with sol_poseidon that the final checkpoint is the last leaf of the root anchored at the final epoch', () => {
    const { w, worker, client } = setup()
    const escrow = w.escrow(client, worker, 1n, TOKEN)
    const send = (args: ReturnType<typeof deliveryArgs>): ReturnType<World['ledger']['send']> =>
      w.ledger.send([submitDelivery({ worker: worker.kp.publicKey, escrow }, args, w.pid)], [worker.kp])
    const honest = deliveryArgs(run)

    // Nothing anchored yet, then only an intermediate epoch: no final root to check against.
    expectError(send(honest), 'FinalRootNotAnchored')
    w.ledger.mustSend([anchorProgress({ worker: worker.kp.publicKey, escrow }, 5, new MerkleTree(run.leaves.slice(0, 5), poseidonMerkle).root, w.pid)], [worker.kp])
    expectError(send(honest), 'FinalRootNotAnchored')
    w.anchorFinal(worker, escrow, run)

    // The leaves are what the worker's float run commits: C_E = Poseidon(domain, H_E, digestCommitment(stateHash_E)).
    // The last leaf's state commitment is the delivered weights' (finding 4).
    assert.deepEqual(run.leaves[8], fieldToBytes(checkpointCommitment(run.chain[8] as Uint8Array, digestCommitment(run.stateHashes[8] as Uint8Array))))
    assert.deepEqual(run.leaves[9], fieldToBytes(checkpointCommitment(run.chain[9] as Uint8Array, digestCommitment(run.weights))))
    // A wrong final chain hash (another checkpoint's, or the last one's with one bit flipped).
    expectError(send({ ...honest, finalChainHash: run.chain[8] as Uint8Array }), 'InvalidInclusion')
    const flipped = new Uint8Array(honest.finalChainHash)
    flipped[31] = (flipped[31] as number) ^ 1
    expectError(send({ ...honest, finalChainHash: flipped }), 'InvalidInclusion')
    // A wrong state: S_N that is not the weights' commitment (another digest's, 0 = H_N alone, a
    // value that is no field element) — or other weights with their own commitment, not in the root.
    expectError(send({ ...honest, finalState: fieldToBytes(digestCommitment(hash('other state'))) }), 'WeightsNotCommitted')
    expectError(send({ ...honest, finalState: new Uint8Array(32) }), 'WeightsNotCommitted')
    expectError(send({ ...honest, finalState: fieldToBytes(BN254_SCALAR_FIELD - 1n).map((b, i) => i === 0 ? 0xff : b) }), 'WeightsNotCommitted')
    expectError(send({ ...honest, finalWeightsHash: hash('other weights'), finalState: fieldToBytes(digestCommitment(hash('other weights'))) }), 'InvalidInclusion')
    // Wrong siblings: one changed, one missing, one too many, none.
    const bad = new Uint8Array(honest.siblings)
    bad[63] = (bad[63] as number) ^ 1
    expectError(send({ ...honest, siblings: bad }), 'InvalidInclusion')
    expectError(send({ ...honest, siblings: honest.siblings.subarray(32) }), 'InvalidInclusion')
    expectError(send({ ...honest, siblings: new Uint8Array([...honest.siblings, ...new Uint8Array(32)]) }), 'InvalidInclusion')
    expectError(send({ ...honest, siblings: new Uint8Array(0) }), 'InvalidInclusion')
    // Not the last leaf: checkpoint 8 with its own (valid) path is no proof of the final one.
    const eight = new MerkleTree(run.leaves, poseidonMerkle).prove(8)
    expectError(send({ ...honest, finalWeightsHash: run.stateHashes[8] as Uint8Array, finalChainHash: run.chain[8] as Uint8Array, finalState: fieldToBytes(run.states[8] as bigint), siblings: new Uint8Array(eight.flatMap((st) => [...st.sibling])) }), 'InvalidInclusion')
    // Another run's honest final checkpoint (its own siblings) against this root.
    expectError(send(deliveryArgs(floatRun(10, 'another run'))), 'InvalidInclusion')
    assert.equal(w.escrowAccount(escrow).delivered, 0)

    // The honest delivery passes.
    w.ledger.mustSend([submitDelivery({ worker: worker.kp.publicKey, escrow }, honest, w.pid)], [worker.kp])
    const e = w.escrowAccount(escrow)
    assert.equal(e.delivered, 1)
    assert.deepEqual(e.progressRoot, run.root)
    // Anchoring stops at the final epoch: the delivered root cannot be replaced afterwards.
    expectError(w.ledger.send([anchorProgress({ worker: worker.kp.publicKey, escrow }, 10, floatRun(10, 'later').root, w.pid)], [worker.kp]), 'InvalidEpoch')

    // One checkpoint: the root is the leaf's hash and there are no siblings.
    const single = floatRun(1, 'single')
    const one = w.escrow(client, worker, 2n, TOKEN, { epochsTotal: 1 })
    w.anchorFinal(worker, one, single)
    assert.equal(deliveryArgs(single).siblings.length, 0)
    w.ledger.mustSend([submitDelivery({ worker: worker.kp.publicKey, escrow: one }, deliveryArgs(single), w.pid)], [worker.kp])
    assert.equal(w.escrowAccount(one).delivered, 1)
  })
})

/** A well-formed key blob for the step circuit's 5 public inputs (its points need not be valid: nothing verifies with it here). */
function testVerifyingKey (): Uint8Array {
  const key = new Uint8Array(452 + 64 * 6)
  new DataView(key.buffer).setUint32(0, 5, true)
  return key
}

/** A zk escrow's dataset commitment: any canonical non-zero field element. */
function testDataCommitment (): Uint8Array {
  const data = new Uint8Array(32)
  data[31] = 7
  return data
}
