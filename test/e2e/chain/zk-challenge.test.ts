/**
 * Issue 15, findings 2, 3 and 13: the zk tier's challenge and the proof's binding, each exploit run
 * as the attacker would against the real program, asserting that it fails and that no balance
 * moved (docs/security.md).
 *
 * - 2: the challenge was drawn from one slot hash, which a worker could compute before anchoring
 *   (the embedded ledger's slot hash is the SHA-256 of the previous blockhash) and grind by free
 *   transactions. Now the client commits to a secret at `create_escrow` and reveals it after the
 *   final anchor (`reveal_challenge`): the step depends on the secret, and nobody but the secret
 *   draws within the reveal window.
 * - 3: ~512 cheap transactions after the final anchor pushed its slot out of SlotHashes: the
 *   challenge could no longer be drawn and the honest worker was slashed 25 % at the deadline. Now
 *   `draw_challenge` re-arms, and `slash_invalid_proof` needs a drawn challenge and the worker's
 *   whole proving window after the draw; an undrawn challenge refunds the client without a slash.
 * - 13: the proof's `job` input was the client's job id, which two escrows can share. Now it is
 *   the escrow's address.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { Connection, Keypair, PublicKey } from '@solana/web3.js'
import {
  checkpointStepInput, fromOnChainPublicInputs, prove, releaseCurve, stepDataCommitment, toOnChainProof,
  verify, type ProofResult, type VerificationKey
} from '../../../circuits/index.js'
import { MerkleTree, PROOF, SLASHING, fieldFromBytes, fieldToBytes, poseidonMerkle } from '../../../protocols/index.js'
import { stepRun, type StepRun } from '../../fixtures/step.js'
import {
  ACCOUNT_SIZE, ARGS, ESCROW, ESCROW_STATE, TIER, configParamsFromProtocol, layoutSize, anchorProgress, challengeCommitment, challengeStep, completeZk, drawChallenge, escrowField, escrowPda, fieldOffset,
  lastLeafSiblings, parseEvents, revealChallenge, revealDeadline, revealedChallengeStep, slashInvalidProof, stepPublicInputs, timeoutRefund,
  undrawnExpiry, vaultPda, verifyProof, verifyingKeyPda
} from '../../../chain/client/index.js'
import { EmbeddedLedger, LedgerRpcServer } from '../../../chain/rpc/index.js'
import { proveAndComplete, revealChallengeAfterAnchor, type AnchoredCheckpoints } from '../../../peer/roles/settlement.js'
import { createAssociatedTokenAccountIdempotentInstruction, getAssociatedTokenAddressSync } from '@solana/spl-token'
import { TOKEN, expectError, hash, record, zkWorld, type World, type Wallet } from '../../fixtures/world.js'

const CIRCUIT = 1
const LEAVES = 6
const AMOUNT = 5n * TOKEN
const STAKE = 50_000n * TOKEN
/** A 32-byte hash as SlotHashes lists it (base58), and back. */
const b58 = (h: Uint8Array): string => new PublicKey(h).toBase58()
const unb58 = (s: string): Uint8Array => new PublicKey(s).toBytes()
const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return new Uint8Array(h.digest())
}

/** Every balance an attack could move: the given token accounts, the program's vaults, the supply. */
function balances (w: World, accounts: readonly PublicKey[]): bigint[] {
  const vaults = (['platform', 'insurance', 'stake'] as const).map((k) => vaultPda(w.pid, k).address)
  return [...accounts, ...vaults].map((a) => w.ledger.tokenBalance(a)).concat([w.supply()])
}

interface Job {
  readonly escrow: PublicKey
  readonly worker: Wallet
  readonly client: Wallet
  readonly run: StepRun
  readonly root: Uint8Array
}

describe('chain/zk-challenge: the zk challenge cannot be predicted, stranded or moved to another escrow (issue 15)', function () {
  this.timeout(300_000)
  let w: World
  let vkey: VerificationKey
  let run: StepRun
  let nonce = 100n

  before(async function () {
    this.timeout(30 * 60_000)
    ;({ w, vkey } = await zkWorld(CIRCUIT))
    run = await stepRun(LEAVES, 'zk-challenge')
  })
  after(releaseCurve)

  /** A zk escrow of a worker and a client of their own, accepted, its final root anchored (the honest run's). */
  function job (over: { timeoutSecs?: bigint, worker?: Wallet, client?: Wallet, jobId?: Uint8Array, challengeCommitment?: Uint8Array } = {}): Job {
    const worker = over.worker ?? w.worker(STAKE, 60_000n)
    const client = over.client ?? w.wallet(100n)
    const n = ++nonce
    const escrow = w.escrow(client, worker, n, AMOUNT, {
      jobId: over.jobId ?? hash(`zk-challenge-${n}`), tier: TIER.zk, circuitId: CIRCUIT, epochsTotal: LEAVES, timeoutSecs: over.timeoutSecs ?? 86_400n,
      estimatedSeconds: 600n, dataCommitment: stepDataCommitment(run.data).rootBytes,
      ...(over.challengeCommitment === undefined ? {} : { challengeCommitment: over.challengeCommitment })
    })
    const root = new MerkleTree(run.leaves, poseidonMerkle).root
    record('anchor_progress', w.ledger.send([anchorProgress({ worker: worker.kp.publicKey, escrow }, LEAVES, root, w.pid)], [worker.kp]))
    return { escrow, worker, client, run, root }
  }

  async function proveStep (j: Job, step: number, escrow = j.escrow): Promise<ProofResult> {
    const at = (i: number): { chainHash: Uint8Array, state: StepRun['states'][number] } => ({ chainHash: run.chain[i] as Uint8Array, state: run.states[i] as StepRun['states'][number] })
    return await prove('checkpoint_step', checkpointStepInput(run.leaves, step, fieldFromBytes(escrowField(escrow)), at(step), at(step + 1), run.data).input)
  }

  function completeIx (j: Job, proof: Uint8Array): ReturnType<typeof completeZk> {
    return completeZk({ worker: j.worker.kp.publicKey, escrow: j.escrow, workerToken: j.worker.token, clientToken: j.client.token, mint: w.mint, circuitId: CIRCUIT }, {
      proof, finalWeightsHash: hash('weights'), finalChainHash: run.chain[LEAVES - 1] as Uint8Array, finalState: fieldToBytes(run.stateCommitments[LEAVES - 1] as bigint), siblings: lastLeafSiblings(run.leaves)
    }, w.pid)
  }

  const refundAccounts = (j: Job): Parameters<typeof slashInvalidProof>[0] => ({ escrow: j.escrow, worker: j.worker.kp.publicKey, clientToken: j.client.token, mint: w.mint })
  const involved = (j: Job): PublicKey[] => [j.worker.token, j.client.token]

  /** Ends the current slot with hash `h` at the front of SlotHashes (as `World.nextSlot`, but a chosen hash). */
  function slotWithHash (h: Uint8Array): void {
    const svm = w.ledger.svm
    const clock = svm.getClock()
    const older = svm.getSlotHashes().filter((s) => s.slot < clock.slot).map((s) => ({ slot: s.slot, hash: s.hash }))
    svm.setSlotHashes([{ slot: clock.slot, hash: b58(h) }, ...older].slice(0, 512))
    clock.slot = clock.slot + 1n
    svm.setClock(clock)
  }

  it('the reveal and proving windows are protocols/params.ts\'s, as the program runs them (one source); the escrow layout is the program\'s', () => {
    assert.equal(configParamsFromProtocol().revealWindowSecs, BigInt(PROOF.revealWindowSeconds))
    assert.equal(configParamsFromProtocol().proveWindowSecs, BigInt(PROOF.proveWindowSeconds))
    const p = w.config().params
    assert.equal(p.revealWindowSecs, BigInt(PROOF.revealWindowSeconds))
    assert.equal(p.proveWindowSecs, BigInt(PROOF.proveWindowSeconds))
    // What the program does with them: the fallback opens exactly at the end of the reveal window,
    // and a draw (here after the escrow's deadline) leaves exactly the proving window.
    const j = job({ timeoutSecs: 600n })
    const e0 = w.escrowAccount(j.escrow)
    w.nextSlot()
    w.ledger.warp(e0.lastProgressAt + BigInt(PROOF.revealWindowSeconds) - 1n - w.ledger.unixTime())
    expectError(w.ledger.send([drawChallenge(j.escrow, w.pid)], [w.ledger.payer]), 'RevealWindowOpen')
    w.ledger.warp(1n)
    record('draw_challenge', w.ledger.send([drawChallenge(j.escrow, w.pid)], [w.ledger.payer]))
    const e = w.escrowAccount(j.escrow)
    assert.equal(e.challenged, 1)
    assert.equal(e.proofDeadline, w.ledger.unixTime() + BigInt(PROOF.proveWindowSeconds))
    assert.equal(layoutSize(ESCROW), 792)
    assert.equal(ACCOUNT_SIZE.Escrow, 8 + 792)
    assert.equal(w.ledger.account(j.escrow)?.data.length, ACCOUNT_SIZE.Escrow)
  })

  describe('finding 2: the worker can neither predict nor grind its challenged step', () => {
    it('knowing every slot hash in advance, the worker still cannot draw before the client\'s reveal window ends, and the step the reveal draws depends on the secret', () => {
      const attacker = w.ledger.fundedKeypair()
      const j = job()
      const before = balances(w, involved(j))
      // The old attack: the worker knows (here: is handed) each next slot hash and, with it, the step
      // `draw_challenge` would take; it pushes slots until one gives a step it can prove, then draws.
      for (let i = 0; i < 16; i++) {
        const h = w.nextSlot()
        const predicted = challengeStep(h, j.escrow, j.root, LEAVES)
        assert.ok(predicted >= 0 && predicted < LEAVES - 1)
        for (const who of [j.worker.kp, attacker]) expectError(w.ledger.send([drawChallenge(j.escrow, w.pid)], [who]), 'RevealWindowOpen')
      }
      assert.equal(w.escrowAccount(j.escrow).challenged, 0)
      // A guessed secret is refused (the commitment is the SHA-256 of 32 random bytes).
      expectError(w.ledger.send([revealChallenge(j.escrow, hash('a guess'), w.pid)], [attacker]), 'InvalidChallengeSecret')
      assert.deepEqual(balances(w, involved(j)), before, 'no token moved')

      // The client reveals: the step mixes its secret with the slot hash.
      const h = w.nextSlot()
      const e0 = w.escrowAccount(j.escrow)
      const secret = w.challengeSecret(e0.client, e0.nonce)
      const res = record('reveal_challenge', w.reveal(j.escrow))
      const e = w.escrowAccount(j.escrow)
      assert.equal(e.challenged, 1)
      assert.equal(e.revealed, 1)
      // The anchor's slot was followed by the 16 pushed ones: the hash fixed is the first after the anchor.
      const first = w.ledger.svm.getSlotHashes().filter((s) => s.slot >= e.challengeRefSlot).at(-1)
      assert.ok(first !== undefined && first.slot === e.challengeSlot)
      assert.equal(e.challengeStep, revealedChallengeStep(unb58(first.hash), secret, j.escrow, j.root, LEAVES))
      const events = parseEvents(res.logs)
      assert.deepEqual(events.map((ev) => ev.name), ['ChallengeDrawn'])
      assert.equal(events[0]?.data.revealed, 1n)
      assert.equal(events[0]?.data.proofDeadline, e.proofDeadline)
      // For the hash the worker knew, the escrow and the root it chose, the step still ranges over
      // the steps as the secret does: without the secret it is not predictable.
      const steps = new Set(Array.from({ length: 64 }, (_, i) => revealedChallengeStep(h, hash(`secret ${i}`), j.escrow, j.root, LEAVES)))
      assert.equal(steps.size, LEAVES - 1, `steps drawn over 64 secrets: ${[...steps].join(',')}`)
      assert.deepEqual(balances(w, involved(j)), before, 'no token moved')
    })

    it('only the secret the client committed to reveals, once the final root is anchored, once; anyone holding it may send it', () => {
      const stranger = w.ledger.fundedKeypair()
      const worker = w.worker(STAKE, 60_000n)
      const client = w.wallet(100n)
      const n = ++nonce
      const escrow = w.escrow(client, worker, n, AMOUNT, { tier: TIER.zk, circuitId: CIRCUIT, epochsTotal: LEAVES, estimatedSeconds: 600n, dataCommitment: stepDataCommitment(run.data).rootBytes })
      const secret = w.challengeSecret(client.kp.publicKey, n)
      assert.deepEqual(w.escrowAccount(escrow).challengeCommitment, challengeCommitment(secret))
      const before = balances(w, [worker.token, client.token])
      // Before the final anchor the secret draws nothing (and stays unrevealed: the transaction fails).
      expectError(w.ledger.send([revealChallenge(escrow, secret, w.pid)], [client.kp]), 'ChallengeNotReady')
      const root = new MerkleTree(run.leaves, poseidonMerkle).root
      record('anchor_progress', w.ledger.send([anchorProgress({ worker: worker.kp.publicKey, escrow }, LEAVES, root, w.pid)], [worker.kp]))
      w.nextSlot()
      const wrong = new Uint8Array(secret)
      wrong[31] = (wrong[31] as number) ^ 1
      expectError(w.ledger.send([revealChallenge(escrow, wrong, w.pid)], [client.kp]), 'InvalidChallengeSecret')
      // The commitment itself is no secret.
      expectError(w.ledger.send([revealChallenge(escrow, challengeCommitment(secret), w.pid)], [stranger]), 'InvalidChallengeSecret')
      assert.equal(w.escrowAccount(escrow).challenged, 0)
      // Revealing is all the instruction does: a stranger given the secret may send it (the client's signature is not needed).
      record('reveal_challenge', w.ledger.send([revealChallenge(escrow, secret, w.pid)], [stranger]))
      assert.equal(w.escrowAccount(escrow).revealed, 1)
      expectError(w.ledger.send([revealChallenge(escrow, secret, w.pid)], [client.kp]), 'ChallengeAlreadyDrawn')
      w.ledger.warp(BigInt(PROOF.revealWindowSeconds))
      expectError(w.ledger.send([drawChallenge(escrow, w.pid)], [worker.kp]), 'ChallengeAlreadyDrawn')
      assert.deepEqual(balances(w, [worker.token, client.token]), before, 'no token moved')
    })

    it('create_escrow: a zk escrow carries a non-zero challenge commitment, an optimistic one none', () => {
      const worker = w.worker(STAKE, 60_000n)
      const client = w.wallet(100n)
      const zkArgs = (over = {}): ReturnType<World['escrowArgs']> => w.escrowArgs(++nonce, TOKEN, { tier: TIER.zk, circuitId: CIRCUIT, epochsTotal: 3, dataCommitment: fieldToBytes(7n), ...over })
      const at = 8 + fieldOffset(ARGS.create_escrow, 'challengeCommitment')
      const send = (ix: ReturnType<World['createEscrowIx']>): ReturnType<World['ledger']['send']> => w.ledger.send([ix], [client.kp])
      expectError(send(w.createEscrowIx(client, worker.kp.publicKey, zkArgs({ challengeCommitment: new Uint8Array(32) }))), 'InvalidChallengeCommitment')
      // Left out, as a client written before the commitment would send it.
      const old = w.createEscrowIx(client, worker.kp.publicKey, zkArgs())
      old.data = old.data.subarray(0, at)
      expectError(send(old), 'InvalidChallengeCommitment')
      // An optimistic escrow has no challenge to commit to.
      const opt = w.createEscrowIx(client, worker.kp.publicKey, w.escrowArgs(++nonce, TOKEN))
      opt.data[at + 31] = 1
      expectError(send(opt), 'InvalidChallengeCommitment')
      // The builder refuses the same mistakes before anything is sent.
      const build = (args: object): unknown => w.createEscrowIx(client, worker.kp.publicKey, { ...w.escrowArgs(1n, TOKEN), ...args })
      assert.throws(() => build({ tier: TIER.zk, circuitId: CIRCUIT, dataCommitment: fieldToBytes(7n), challengeCommitment: new Uint8Array(31) }), RangeError)
      assert.throws(() => build({ challengeCommitment: new Uint8Array(32) }), RangeError)
      const ok = record('create_escrow', send(w.createEscrowIx(client, worker.kp.publicKey, zkArgs())))
      assert.ok(ok.ok)
    })

    // The embedded ledger (chain/rpc/ledger.ts) used to file LiteSVM's next blockhash — the SHA-256
    // of the previous one — as each slot's hash; it now draws them from crypto.randomBytes.
    it('the old attack on the embedded ledger: the next slot hash is no longer SHA-256 of the latest blockhash', () => {
      const L = EmbeddedLedger.open({})
      const payer = Keypair.generate().publicKey.toBase58()
      L.airdrop(payer, 1_000_000_000n)
      let predicted = 0
      const filed: string[] = []
      for (let i = 0; i < 32; i++) {
        const guess = b58(sha256(unb58(L.svm.latestBlockhash())))
        L.airdrop(payer, 1n)
        const newest = L.svm.getSlotHashes()[0]
        assert.ok(newest !== undefined)
        if (newest.hash === guess) predicted++
        filed.push(newest.hash)
      }
      assert.equal(predicted, 0)
      // Each slot's hash is not a function of the one before it either (no SHA-256 chain of slot
      // hashes), and no two repeat.
      for (let i = 1; i < filed.length; i++) {
        assert.notEqual(filed[i], b58(sha256(unb58(filed[i - 1] as string))), `slot hash ${i} is SHA-256 of the previous one`)
      }
      assert.equal(new Set(filed).size, filed.length)
      L.close()
    })
  })

  describe('finding 3: pushing the anchor out of SlotHashes neither strands the challenge nor gets the worker slashed', () => {
    it('512+ cheap transactions after the final anchor, then slash_invalid_proof: refused; the draw re-arms (twice), the honest worker proves and is paid', async () => {
      const attacker = w.ledger.fundedKeypair()
      const j = job({ timeoutSecs: 600n })
      const e0 = w.escrowAccount(j.escrow)
      const stake0 = w.node(j.worker.kp.publicKey).stake
      // The griefer's free transactions, through the ledger's own transaction path: one slot each.
      const push = (n: number): void => { for (let i = 0; i < n; i++) w.ledger.embedded.airdrop(attacker.publicKey.toBase58(), 1n) }
      push(520)
      assert.ok(!w.ledger.svm.getSlotHashes().some((s) => s.slot === e0.finalAnchorSlot), 'the anchor\'s slot is out of SlotHashes')
      // Past the escrow's deadline, the client silent: no slash, no refund yet, nothing moves.
      w.ledger.warp(601n)
      const before = balances(w, involved(j))
      expectError(w.ledger.send([slashInvalidProof(refundAccounts(j), w.pid)], [attacker]), 'ChallengeNotDrawn')
      expectError(w.ledger.send([timeoutRefund(refundAccounts(j), w.pid)], [attacker]), 'DeadlineNotReached')
      expectError(w.ledger.send([drawChallenge(j.escrow, w.pid)], [attacker]), 'RevealWindowOpen')
      assert.deepEqual(balances(w, involved(j)), before, 'no token moved')

      // The reveal window passes: the fallback re-arms from the current slot (nothing drawn yet) ...
      w.ledger.warp(revealDeadline(e0, w.params) - w.ledger.unixTime())
      const rearm = record('draw_challenge (re-arm)', w.ledger.send([drawChallenge(j.escrow, w.pid)], [j.worker.kp]))
      const e1 = w.escrowAccount(j.escrow)
      assert.equal(e1.challenged, 0)
      assert.ok(e1.challengeRefSlot > e0.challengeRefSlot)
      assert.deepEqual(parseEvents(rearm.logs).map((ev) => [ev.name, ev.data.slot]), [['ChallengeRearmed', e1.challengeRefSlot]])
      // ... the griefer pushes it out again: the next call re-arms again; a later one draws.
      push(520)
      w.ledger.send([drawChallenge(j.escrow, w.pid)], [j.worker.kp])
      const e2 = w.escrowAccount(j.escrow)
      assert.equal(e2.challenged, 0)
      assert.ok(e2.challengeRefSlot > e1.challengeRefSlot)
      push(1)
      record('draw_challenge', w.ledger.send([drawChallenge(j.escrow, w.pid)], [attacker]))
      const e = w.escrowAccount(j.escrow)
      assert.equal(e.challenged, 1)
      assert.equal(e.revealed, 0)
      const entry = w.ledger.svm.getSlotHashes().find((s) => s.slot === e.challengeSlot)
      assert.ok(entry !== undefined && e.challengeSlot >= e2.challengeRefSlot)
      assert.equal(e.challengeStep, challengeStep(unb58(entry.hash), j.escrow, j.root, LEAVES))
      assert.equal(e.proofDeadline, w.ledger.unixTime() + w.params.proveWindowSecs, 'the whole proving window, past the escrow deadline')
      assert.ok(e.proofDeadline > e.deadline)

      // Inside the proving window nobody can slash; the worker proves and is paid.
      w.ledger.warp(w.params.proveWindowSecs - 1n)
      expectError(w.ledger.send([slashInvalidProof(refundAccounts(j), w.pid)], [attacker]), 'DeadlineNotReached')
      const r = await proveStep(j, e.challengeStep)
      const workerBefore = w.ledger.tokenBalance(j.worker.token)
      record('complete_zk', w.ledger.send([completeIx(j, toOnChainProof(r.proof))], [j.worker.kp]))
      assert.equal(w.escrowAccount(j.escrow).state, ESCROW_STATE.completed)
      assert.equal(w.ledger.tokenBalance(j.worker.token) - workerBefore, AMOUNT * 9n / 10n)
      assert.equal(w.node(j.worker.kp.publicKey).stake, stake0, 'never slashed')
    })

    it('a challenge revealed after the deadline leaves the worker its proving window; without a proof after it, the worker is slashed as before', () => {
      const j = job({ timeoutSecs: 600n })
      w.ledger.warp(601n)
      w.nextSlot()
      record('reveal_challenge', w.reveal(j.escrow))
      const e = w.escrowAccount(j.escrow)
      assert.equal(e.proofDeadline, w.ledger.unixTime() + w.params.proveWindowSecs)
      const before = balances(w, involved(j))
      w.ledger.warp(w.params.proveWindowSecs)
      expectError(w.ledger.send([slashInvalidProof(refundAccounts(j), w.pid)], [w.ledger.payer]), 'DeadlineNotReached')
      expectError(w.ledger.send([timeoutRefund(refundAccounts(j), w.pid)], [w.ledger.payer]), 'ProofRequired')
      assert.deepEqual(balances(w, involved(j)), before)
      w.ledger.warp(1n)
      // Too late to prove now; the slash applies.
      expectError(w.ledger.send([completeIx(j, new Uint8Array(256))], [j.worker.kp]), 'DeadlinePassed')
      const stake0 = w.node(j.worker.kp.publicKey).stake
      record('slash_invalid_proof', w.ledger.send([slashInvalidProof(refundAccounts(j), w.pid)], [w.ledger.payer]))
      assert.equal(w.node(j.worker.kp.publicKey).stake, stake0 - stake0 * BigInt(SLASHING.invalidProofBps) / 10_000n)
      assert.equal(w.escrowAccount(j.escrow).state, ESCROW_STATE.proofFailed)
    })

    it('a challenge nobody drew: once the worker could have drawn it, the client is refunded in full and the worker is not slashed', () => {
      const j = job({ timeoutSecs: 600n })
      const e0 = w.escrowAccount(j.escrow)
      const n0 = w.node(j.worker.kp.publicKey)
      const expiry = undrawnExpiry(e0, w.params)
      assert.equal(expiry, revealDeadline(e0, w.params) + w.params.proveWindowSecs)
      w.ledger.warp(expiry - w.ledger.unixTime())
      expectError(w.ledger.send([timeoutRefund(refundAccounts(j), w.pid)], [w.ledger.payer]), 'DeadlineNotReached')
      w.ledger.warp(1n)
      expectError(w.ledger.send([slashInvalidProof(refundAccounts(j), w.pid)], [w.ledger.payer]), 'ChallengeNotDrawn')
      const client0 = w.ledger.tokenBalance(j.client.token)
      const supply0 = w.supply()
      const insurance0 = w.ledger.tokenBalance(vaultPda(w.pid, 'insurance').address)
      const res = record('timeout_refund (undrawn)', w.ledger.send([timeoutRefund(refundAccounts(j), w.pid)], [w.ledger.payer]))
      assert.deepEqual(parseEvents(res.logs).map((ev) => ev.name), ['TimeoutRefunded'])
      assert.equal(w.ledger.tokenBalance(j.client.token) - client0, AMOUNT)
      assert.equal(w.supply(), supply0, 'nothing burned')
      assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'insurance').address), insurance0)
      const n1 = w.node(j.worker.kp.publicKey)
      assert.equal(n1.stake, n0.stake)
      assert.equal(n1.adjustment, n0.adjustment)
      assert.equal(n1.jobsFailed, n0.jobsFailed)
      assert.equal(n1.proofsTotal, n0.proofsTotal)
      assert.equal(n1.jobsActive, n0.jobsActive - 1)
      assert.equal(n1.jobsAssigned, n0.jobsAssigned - 1, 'neither completed nor failed')
      assert.equal(w.escrowAccount(j.escrow).state, ESCROW_STATE.timedOut)
    })
  })

  describe('finding 13: a proof is bound to its escrow, not to a job id', () => {
    it('one proof for two escrows with the same job id, root, data and step: it verifies for its own escrow only', async () => {
      const worker = w.worker(STAKE, 60_000n)
      const client = w.wallet(100n)
      const jobId = hash('the same job, funded twice')
      // The slot hash both reveals will take, and secrets for which both escrows draw the same step:
      // everything but the escrow's address is then the same for the two.
      const h = hash('slot hash')
      const [na, nb] = [nonce + 1n, nonce + 2n]
      const [a, b] = [escrowPda(w.pid, client.kp.publicKey, na).address, escrowPda(w.pid, client.kp.publicKey, nb).address]
      const secretA = hash('secret a')
      const k = revealedChallengeStep(h, secretA, a, new MerkleTree(run.leaves, poseidonMerkle).root, LEAVES)
      let i = 0
      while (revealedChallengeStep(h, hash(`secret b ${i}`), b, new MerkleTree(run.leaves, poseidonMerkle).root, LEAVES) !== k) i++
      const secretB = hash(`secret b ${i}`)
      const A = job({ worker, client, jobId, challengeCommitment: challengeCommitment(secretA) })
      const B = job({ worker, client, jobId, challengeCommitment: challengeCommitment(secretB) })
      assert.ok(A.escrow.equals(a) && B.escrow.equals(b))
      slotWithHash(h)
      record('reveal_challenge', w.reveal(a, client.kp, secretA))
      record('reveal_challenge', w.reveal(b, client.kp, secretB))
      const [ea, eb] = [w.escrowAccount(a), w.escrowAccount(b)]
      assert.deepEqual(ea.jobId, eb.jobId)
      assert.equal(ea.challengeStep, k)
      assert.equal(eb.challengeStep, k)
      const inputs = (e: PublicKey): Uint8Array => stepPublicInputs(e, A.root, LEAVES, k, ea.dataCommitment)
      // Only the `job` input (the escrow's address) tells the two apart: with the job id there, one proof fitted both.
      assert.deepEqual(inputs(a).subarray(32), inputs(b).subarray(32))
      assert.notDeepEqual(inputs(a).subarray(0, 32), inputs(b).subarray(0, 32))

      const r = await proveStep(A, k)
      const proof = toOnChainProof(r.proof)
      assert.equal(await verify(vkey, fromOnChainPublicInputs(inputs(a)), r.proof), true)
      assert.equal(await verify(vkey, fromOnChainPublicInputs(inputs(b)), r.proof), false)
      // verify_proof (changes nothing) with each escrow's inputs.
      record('verify_proof', w.ledger.send([verifyProof(verifyingKeyPda(w.pid, CIRCUIT).address, proof, inputs(a), w.pid)], [w.ledger.payer]))
      expectError(w.ledger.send([verifyProof(verifyingKeyPda(w.pid, CIRCUIT).address, proof, inputs(b), w.pid)], [w.ledger.payer]), 'InvalidProof')

      // The worker tries to be paid twice for one proof: A pays, B records the failing proof (the
      // client refunded in full, the worker slashed) — it gains nothing from B.
      const worker0 = w.ledger.tokenBalance(worker.token)
      const client0 = w.ledger.tokenBalance(client.token)
      const stake0 = w.node(worker.kp.publicKey).stake
      record('complete_zk', w.ledger.send([completeIx(A, proof)], [worker.kp]))
      record('complete_zk (failing proof)', w.ledger.send([completeIx(B, proof)], [worker.kp]))
      assert.equal(w.escrowAccount(a).state, ESCROW_STATE.completed)
      assert.equal(w.escrowAccount(b).state, ESCROW_STATE.proofFailed)
      assert.equal(w.ledger.tokenBalance(worker.token) - worker0, AMOUNT * 9n / 10n, 'paid for escrow A only')
      assert.equal(w.ledger.tokenBalance(client.token) - client0, AMOUNT, 'escrow B refunded')
      assert.equal(w.node(worker.kp.publicKey).stake, stake0 - stake0 * BigInt(SLASHING.invalidProofBps) / 10_000n)
    })
  })

  describe('the roles (peer/roles/settlement.ts): each side tolerates the other\'s absence', () => {
    let server: LedgerRpcServer
    let connection: Connection
    before(async () => {
      server = new LedgerRpcServer(w.ledger.embedded)
      connection = new Connection(await server.listen({ port: 0 }), 'confirmed')
    })
    after(async () => { await server.close() })

    /** A job whose worker and client are paid to and refunded from their associated token accounts, as the roles are. */
    function roleJob (): Job {
      const worker = w.worker(STAKE, 60_000n)
      const client = w.wallet(100n)
      for (const who of [worker, client]) {
        w.ledger.mustSend([createAssociatedTokenAccountIdempotentInstruction(w.ledger.payer.publicKey, getAssociatedTokenAddressSync(w.mint, who.kp.publicKey), who.kp.publicKey, w.mint)], [w.ledger.payer])
      }
      const j = job({ worker, client })
      // One transaction through the ledger's own path: the RPC's blockhash window knows the latest blockhash again.
      w.ledger.embedded.airdrop(w.ledger.payer.publicKey.toBase58(), 1n)
      return j
    }
    const checkpoints = (j: Job): AnchoredCheckpoints => ({ tier: 'zk', chain: run.chain, stateCommitments: run.stateCommitments, leaves: run.leaves, root: j.root, states: run.states, data: run.data })
    const ata = (j: Job): PublicKey => getAssociatedTokenAddressSync(w.mint, j.worker.kp.publicKey)

    it('the client reveals from its secret once the final root is anchored; the worker proves at once and is paid', async () => {
      const j = roleJob()
      const e0 = w.escrowAccount(j.escrow)
      const c = { connection, keypair: j.client.kp, escrow: j.escrow }
      const wrong = hash('not the secret')
      await assert.rejects(revealChallengeAfterAnchor(c, wrong), /not the one this escrow commits to/)
      const signature = await revealChallengeAfterAnchor(c, w.challengeSecret(e0.client, e0.nonce))
      assert.ok(signature !== undefined)
      assert.equal(w.escrowAccount(j.escrow).revealed, 1)
      assert.equal(await revealChallengeAfterAnchor(c, w.challengeSecret(e0.client, e0.nonce)), undefined, 'nothing left to reveal')
      const r = await proveAndComplete({ connection, keypair: j.worker.kp, escrow: j.escrow }, checkpoints(j), hash('weights'), { pollMs: 50 })
      assert.equal(r.how, 'proved')
      assert.equal(w.escrowAccount(j.escrow).state, ESCROW_STATE.completed)
      assert.equal(w.ledger.tokenBalance(ata(j)), AMOUNT * 9n / 10n)
    })

    it('a client that never reveals: the worker waits out the reveal window, draws by the fallback, proves and is paid', async () => {
      const j = roleJob()
      const e0 = w.escrowAccount(j.escrow)
      let step: number | undefined
      const settled = proveAndComplete({ connection, keypair: j.worker.kp, escrow: j.escrow }, checkpoints(j), hash('weights'), { pollMs: 50, onChallenge: (k) => { step = k } })
      // The worker waits (within the reveal window it does not even try to draw) ...
      await new Promise((resolve) => setTimeout(resolve, 500))
      assert.equal(w.escrowAccount(j.escrow).challenged, 0)
      assert.equal(step, undefined)
      // ... until the ledger's clock passes the window.
      w.ledger.warp(revealDeadline(e0, w.params) - w.ledger.unixTime())
      const r = await settled
      assert.equal(r.how, 'proved')
      const e = w.escrowAccount(j.escrow)
      assert.equal(e.revealed, 0)
      assert.equal(step, e.challengeStep)
      assert.equal(e.state, ESCROW_STATE.completed)
      assert.equal(w.ledger.tokenBalance(ata(j)), AMOUNT * 9n / 10n)
    })
  })
})
