/**
 * The worker's side of settlement on-chain, for both verification tiers (issue #7):
 *
 * - the anchored checkpoints: every checkpoint's commitment C_E = Poseidon(CHECKPOINT_DOMAIN,
 *   hi(H_E), lo(H_E), S_E) — S_E the Poseidon vector commitment of the exact Q16 state (zk tier) or
 *   the digest commitment of the float state's SHA-256 (optimistic tier; the last leaf the digest
 *   commitment of the final weights hash instead, audit finding 4) — is a leaf of the Poseidon
 *   Merkle tree whose root the worker anchors with `anchor_progress` at the final epoch (before it,
 *   after every checkpoint, the commitment of the chain head: `progressRootAt`). Both the
 *   circuits and the program (`sol_poseidon`) hash these leaves;
 * - optimistic: `submit_delivery` proves on-chain that the final checkpoint is the last leaf of
 *   that root and starts the challenge window; `claim_payment` once it has passed undisputed;
 * - zk: the client reveals the secret it committed to at `create_escrow` once it sees the final
 *   anchor (`revealChallengeAfterAnchor`, `reveal_challenge`), which fixes step k from the secret
 *   and a slot hash; a worker whose client stays silent past the reveal window draws by the
 *   slot-hash fallback (`draw_challenge`). The worker proves in Groth16 that checkpoint k+1 is
 *   exactly one step from checkpoint k (`checkpoint_step`, its `job` input the escrow's address),
 *   and `complete_zk` pays after verifying that proof on-chain.
 *
 * Everything here is read from the sealed evidence in the worker's Helia, so a restarted worker
 * settles a delivered job exactly as it would have before the restart.
 */
import { PublicKey, type Connection, type Keypair } from '@solana/web3.js'
import { CID } from 'multiformats/cid'
import { checkpointStepInput, prove, stepData, toOnChainProof, type StepData, type StepState } from '../../circuits/index.js'
import {
  ESCROW_STATE, TIER, anchorProgress, challengeCommitment, claimPayment, completeZk, fetchEscrow, drawChallenge, escrowField,
  lastLeafSiblings, revealChallenge, revealDeadline, submitDelivery, type EscrowAccount
} from '../../chain/index.js'
import { MerkleTree, checkpointCommitment, digestCommitment, fieldFromBytes, fieldToBytes, poseidonMerkle, poseidonStateCommitment, stateHash, wire, sleep } from '../../protocols/index.js'
import { evidenceTrainingSpec, loadCheckpointState, loadEvidence, type EvidenceManifest, type EvidenceStore } from '../../storage/index.js'
import { datasetOfSpec, fetchClientInputs } from '../evidence/index.js'
import { stateLayoutOf, trainingSpecFromWire } from '../train/index.js'
import { readConfig, sendTransaction, tokenAccount } from './chain.js'

/** The checkpoints as the chain sees them: one Poseidon leaf each, and their root. */
export interface AnchoredCheckpoints {
  readonly tier: 'optimistic' | 'zk'
  /** H_E of each checkpoint (E = 1..N at index E − 1). */
  readonly chain: readonly Uint8Array[]
  /** S_E of each checkpoint. */
  readonly stateCommitments: readonly bigint[]
  /** C_E as 32 bytes: the leaves. */
  readonly leaves: readonly Uint8Array[]
  readonly root: Uint8Array
  /** zk tier: the exact Q16 states (parameters then velocities), for the step proof. */
  readonly states?: readonly StepState[]
  /** zk tier: the training data as the step circuit reads it (its batches are the proof's private rows). */
  readonly data?: StepData
}

/** The Poseidon leaves and root of the sealed evidence `evidenceCid` (read locally, offline). */
export async function anchoredCheckpoints (evidence: EvidenceStore, evidenceCid: string, tier: 'optimistic' | 'zk'): Promise<AnchoredCheckpoints> {
  const { manifest } = await loadEvidence(evidence, CID.parse(evidenceCid), { offline: true })
  const chain = manifest.checkpoints.map((c) => c.chainHash)
  let stateCommitments: bigint[]
  let states: StepState[] | undefined
  let data: StepData | undefined
  if (tier === 'zk') {
    // The spec in the evidence names the dataset (by id and content hash) the job trained on.
    data = stepData(datasetOfSpec(evidenceTrainingSpec(manifest.spec)))
    states = []
    for (let e = 1; e <= manifest.checkpoints.length; e++) {
      const tensors = await loadCheckpointState(evidence, manifest, e, { offline: true })
      const ints = tensors.map((t) => {
        if (!(t.data instanceof Int32Array)) throw new Error(`checkpoint ${e} is not an integer (Q16) state: a zk job trains in the exact mode`)
        return t.data
      })
      const half = ints.length / 2
      states.push({ parameters: ints.slice(0, half), velocities: ints.slice(half) })
    }
    stateCommitments = states.map((s) => poseidonStateCommitment([...s.parameters, ...s.velocities] as Int32Array[]))
  } else {
    // S_E = digestCommitment(stateHash_E), except the last leaf, which commits to the delivered
    // weights: S_N = digestCommitment(weightsHash(W_N)) (audit finding 4; `submit_delivery` checks
    // it against the final weights hash). H_N still commits to the whole final state.
    stateCommitments = manifest.checkpoints.map((c) => digestCommitment(c.stateHash))
    if (stateCommitments.length > 0) stateCommitments[stateCommitments.length - 1] = digestCommitment(await finalWeightsHash(evidence, manifest))
  }
  const leaves = chain.map((h, i) => fieldToBytes(checkpointCommitment(h, stateCommitments[i] as bigint)))
  const root = new MerkleTree(leaves, poseidonMerkle).root
  return { tier, chain, stateCommitments, leaves, root, ...(states === undefined ? {} : { states }), ...(data === undefined ? {} : { data }) }
}

/**
 * `weightsHash(W_N)` of the evidence's final checkpoint: SHA-256 of the canonical encoding of its
 * parameter tensors (the state's first `parameters.length` tensors in the model's layout; a client
 * model's layout comes from its step graph, so its model is read from the same store).
 */
export async function finalWeightsHash (evidence: EvidenceStore, manifest: EvidenceManifest): Promise<Uint8Array> {
  const wireSpec = evidenceTrainingSpec(manifest.spec)
  const spec = trainingSpecFromWire(wireSpec)
  const layout = stateLayoutOf(spec, wireSpec.clientModel === undefined ? undefined : await fetchClientInputs(evidence, wireSpec, { offline: true }))
  const tensors = await loadCheckpointState(evidence, manifest, manifest.checkpoints.length, { offline: true })
  return stateHash(tensors.slice(0, layout.parameters.length))
}

export async function readEscrowAccount (connection: Connection, escrow: PublicKey): Promise<EscrowAccount> {
  const found = await fetchEscrow(connection, escrow)
  if (found === undefined) throw new Error(`no escrow at ${escrow.toBase58()}`)
  return found
}

/**
 * Failover (issue 21): the escrow names another worker now — its client handed the job over
 * (`hand_over`) after this worker stalled. Every later anchor, delivery or claim of this worker would
 * be refused on-chain (`ConstraintHasOne`): the job is over for it, not to be retried.
 */
export class JobReplacedError extends Error {
  constructor (readonly escrow: string, readonly by: string) {
    super(`replaced: the client handed escrow ${escrow} over to worker ${by} (hand_over) after this worker stalled; its anchors and delivery would be refused on-chain`)
    this.name = 'JobReplacedError'
  }
}

/** Throws a JobReplacedError when the funded escrow `e` at `address` names a worker other than `me`. */
export function assertStillWorker (e: Pick<EscrowAccount, 'state' | 'worker'>, address: PublicKey, me: PublicKey): void {
  if (e.state === ESCROW_STATE.funded && !e.worker.equals(me)) throw new JobReplacedError(address.toBase58(), e.worker.toBase58())
}

export interface SettlementContext {
  readonly connection: Connection
  readonly keypair: Keypair
  readonly escrow: PublicKey
}

/**
 * Anchors the final root (unless this root is already anchored at the final epoch: a resumed
 * settlement). Returns the signature, or undefined when nothing had to be sent.
 */
export async function anchorFinalRoot (c: SettlementContext, cps: AnchoredCheckpoints): Promise<string | undefined> {
  const e = await readEscrowAccount(c.connection, c.escrow)
  assertStillWorker(e, c.escrow, c.keypair.publicKey)
  if (e.epochsTotal !== cps.leaves.length) throw new Error(`the escrow is for ${e.epochsTotal} checkpoints, the evidence has ${cps.leaves.length}`)
  if (e.epochsDone === e.epochsTotal) {
    if (Buffer.from(e.progressRoot).equals(Buffer.from(cps.root))) return undefined
    throw new Error('another root is anchored at the final epoch of this escrow')
  }
  return await sendTransaction(c.connection, [anchorProgress({ worker: c.keypair.publicKey, escrow: c.escrow }, cps.leaves.length, cps.root)], [c.keypair])
}

/**
 * The root the worker anchors at an intermediate epoch e (before the final one): the Poseidon
 * checkpoint commitment of its chain head, C(H_e) = Poseidon(CHECKPOINT_DOMAIN, hi(H_e), lo(H_e), 0).
 * A canonical field element (the zk tier's `anchor_progress` requires one), committing through the
 * hash chain to every checkpoint 1..e; known from the checkpoint alone, so a resumed run anchors the
 * same. Settlement never reads it: the final anchor replaces it with the Merkle root.
 */
export function progressRootAt (chainHash: Uint8Array): Uint8Array {
  return fieldToBytes(checkpointCommitment(chainHash))
}

/**
 * Anchors `root` at the intermediate epoch `epoch` (the no-progress timeout: the worker anchors after
 * every checkpoint). Nothing is sent (undefined) when the escrow is no longer a running job, the
 * epoch is anchored already (a landed retry, a resumed run) or it is the final one, which only the
 * final anchor (`anchorFinalRoot`, with the Merkle root) may take.
 */
export async function anchorProgressRoot (c: SettlementContext, epoch: number, root: Uint8Array): Promise<string | undefined> {
  const e = await readEscrowAccount(c.connection, c.escrow)
  assertStillWorker(e, c.escrow, c.keypair.publicKey)
  if (e.state !== ESCROW_STATE.funded || e.accepted === 0 || epoch <= e.epochsDone || epoch >= e.epochsTotal) return undefined
  return await sendTransaction(c.connection, [anchorProgress({ worker: c.keypair.publicKey, escrow: c.escrow }, epoch, root)], [c.keypair])
}

const last = <T>(a: readonly T[]): T => a[a.length - 1] as T

/** Optimistic tier: `submit_delivery` with the final leaf's inclusion (unless already delivered). */
export async function submitOptimisticDelivery (c: SettlementContext, cps: AnchoredCheckpoints, finalWeightsHash: Uint8Array): Promise<string | undefined> {
  const e = await readEscrowAccount(c.connection, c.escrow)
  assertStillWorker(e, c.escrow, c.keypair.publicKey)
  if (e.delivered !== 0) return undefined
  return await sendTransaction(c.connection, [submitDelivery({ worker: c.keypair.publicKey, escrow: c.escrow }, {
    finalWeightsHash,
    finalChainHash: last(cps.chain),
    finalState: fieldToBytes(last(cps.stateCommitments)),
    siblings: lastLeafSiblings(cps.leaves)
  })], [c.keypair])
}

/** The ledger's clock (unix seconds), as the program sees it. */
export async function chainTime (connection: Connection): Promise<number> {
  const t = await connection.getBlockTime(await connection.getSlot('confirmed'))
  if (t === null) throw new Error('the RPC gave no block time')
  return t
}

export type SettleResult =
  | { readonly how: 'claimed' | 'proved', readonly signature: string, readonly challengeStep?: number, readonly proveSeconds?: number }
  /** The escrow left `funded` some other way (the client completed, a dispute, a refund). */
  | { readonly how: 'ended', readonly escrowState: number }

export interface SettleOptions {
  /** How often the escrow and the clock are polled, ms (default 10 s). */
  readonly pollMs?: number
  readonly signal?: AbortSignal
  /** Called once the challenge is drawn, before the (seconds-long) proof. */
  readonly onChallenge?: (step: number) => void
}

/**
 * Optimistic tier: waits until the challenge window after `submit_delivery` has passed and claims
 * the payment — or returns as soon as the escrow is no longer funded (the client signed `complete`,
 * or a dispute was opened: the court decides then).
 */
export async function claimAfterWindow (c: SettlementContext, o: SettleOptions = {}): Promise<SettleResult> {
  const config = await readConfig(c.connection)
  for (;;) {
    o.signal?.throwIfAborted()
    const e = await readEscrowAccount(c.connection, c.escrow)
    if (e.state !== ESCROW_STATE.funded) return { how: 'ended', escrowState: e.state }
    // The window is the escrow's own (its creation's parameters), as the program reads it.
    if (e.delivered !== 0 && await chainTime(c.connection) >= Number(e.deliveredAt) + Number(e.terms.challengeWindowSecs)) {
      const signature = await sendTransaction(c.connection, [claimPayment({
        escrow: c.escrow, worker: c.keypair.publicKey, workerToken: tokenAccount(c.keypair.publicKey, config.mint)
      })], [c.keypair])
      return { how: 'claimed', signature }
    }
    await sleep(o.pollMs ?? 10_000, o.signal)
  }
}

/**
 * zk tier, the client's side: once the worker's final root is anchored, reveals the secret the
 * client committed to at `create_escrow` (`reveal_challenge`), which draws the challenged step at
 * once. Returns the signature, or undefined when there is nothing to reveal: not a zk escrow, no
 * longer funded, the final root not anchored yet, or the challenge already drawn (by an earlier
 * reveal, or by the worker's fallback after the reveal window). A secret that does not match the
 * escrow's commitment is an error (never sent: it could only fail).
 */
export async function revealChallengeAfterAnchor (c: SettlementContext, secret: Uint8Array): Promise<string | undefined> {
  const e = await readEscrowAccount(c.connection, c.escrow)
  if (e.tier !== TIER.zk || e.state !== ESCROW_STATE.funded || e.epochsDone !== e.epochsTotal || e.challenged !== 0) return undefined
  if (!wire.equalBytes(challengeCommitment(secret), e.challengeCommitment)) throw new Error('the recorded challenge secret is not the one this escrow commits to')
  return await sendTransaction(c.connection, [revealChallenge(c.escrow, secret)], [c.keypair])
}

/**
 * zk tier, the worker's side: waits for the challenge (the client's `reveal_challenge`, normally
 * moments after the final anchor); once the client's reveal window has passed without it, draws it
 * by the slot-hash fallback (`draw_challenge`, re-armed by the program when SlotHashes no longer
 * reaches the anchor: then sent again in a later slot). Then proves the challenged step from the
 * evidence's own states and sends `complete_zk`, which verifies the proof on-chain and pays.
 * Returns early when the escrow is no longer funded.
 */
export async function proveAndComplete (c: SettlementContext, cps: AnchoredCheckpoints, finalWeightsHash: Uint8Array, o: SettleOptions = {}): Promise<SettleResult> {
  if (cps.states === undefined || cps.data === undefined) throw new Error('a zk settlement needs the exact states and the training data')
  const config = await readConfig(c.connection)
  let e = await readEscrowAccount(c.connection, c.escrow)
  if (e.tier !== TIER.zk) throw new Error('not a zk escrow')
  for (let failures = 0; e.challenged === 0;) {
    o.signal?.throwIfAborted()
    if (e.state !== ESCROW_STATE.funded) return { how: 'ended', escrowState: e.state }
    // The client's secret draws first; the fallback only once its reveal window has passed.
    if (e.epochsDone === e.epochsTotal && BigInt(await chainTime(c.connection)) >= revealDeadline(e, e.terms)) {
      try {
        await sendTransaction(c.connection, [drawChallenge(c.escrow)], [c.keypair])
        failures = 0
      } catch (err) {
        // No slot hash after the reference slot yet (a real cluster: wait for the next slot).
        if (++failures >= 30) throw err
      }
    }
    await sleep(Math.min(o.pollMs ?? 1_000, 1_000), o.signal)
    e = await readEscrowAccount(c.connection, c.escrow)
  }
  if (e.state !== ESCROW_STATE.funded) return { how: 'ended', escrowState: e.state }
  const k = e.challengeStep
  o.onChallenge?.(k)
  const states = cps.states
  const at = (i: number): { chainHash: Uint8Array, state: StepState } => ({ chainHash: cps.chain[i] as Uint8Array, state: states[i] as StepState })
  // The proof's `job` input is the escrow's address: it cannot be reused for another escrow.
  const { input, data } = checkpointStepInput(cps.leaves, k, fieldFromBytes(escrowField(c.escrow)), at(k), at(k + 1), cps.data)
  // The program takes `data` from the escrow: a proof over other data could only fail (and be slashed).
  if (!wire.equalBytes(fieldToBytes(data), e.dataCommitment)) throw new Error('the escrow commits to other training data than this job\'s dataset: not proving')
  // A child process, not a worker thread: there snarkjs uses every core (56k constraints: 5.8 s
  // against 8.1 s in a thread on 2 cores, scripts/bench/zk.ts), and the event loop stays free either way.
  const proof = await prove('checkpoint_step', input, { isolation: 'process' })
  const signature = await sendTransaction(c.connection, [completeZk({
    worker: c.keypair.publicKey,
    escrow: c.escrow,
    workerToken: tokenAccount(c.keypair.publicKey, config.mint),
    // A proof that fails is settled on the spot (slash, client refunded): the client's account too.
    clientToken: tokenAccount(e.client, config.mint),
    mint: config.mint,
    circuitId: e.circuitId
  }, {
    proof: toOnChainProof(proof.proof),
    finalWeightsHash,
    finalChainHash: last(cps.chain),
    finalState: fieldToBytes(last(cps.stateCommitments)),
    siblings: lastLeafSiblings(cps.leaves)
  })], [c.keypair])
  return { how: 'proved', signature, challengeStep: k, proveSeconds: proof.seconds }
}
