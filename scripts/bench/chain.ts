/**
 * Compute units of every instruction of the cyxwiz program, measured on the real SBF build in
 * LiteSVM (chain/ledger) along one scenario that runs each instruction once: prints ONE JSON line
 * `{"bench":"chain","program_bytes":…,"compute_units":{"initialize_config":…,…}}`.
 *   npx tsx scripts/bench/chain.ts [--smoke]      (npm run bench:chain)
 * `--smoke` is the same run: one instruction each is already seconds.
 * Each transaction holds one instruction of ours, so its consumption is the instruction's
 * (including the CPIs it makes into SPL Token and the System program). Keys come from fixed seeds,
 * so the numbers repeat exactly from run to run.
 */
import { emit } from './common.js'
import { statSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { Keypair, type PublicKey, type TransactionInstruction } from '@solana/web3.js'
import { buildProgram } from '../build-program.js'
import { Ledger } from '../../chain/ledger/index.js'
import {
  SIDE, anchorProgress, cancel, closeEscrow, complete, configParamsFromProtocol, createEscrow, disputePda, escrowPda,
  heartbeat, initializeConfig, openDispute, rateWorker, registerNode, requestUnstake, resolveDispute, submitEvidence,
  timeoutRefund, updateConfig, proposeAdmin, acceptAdmin, setGovernance, withdrawTreasury, drawJury, commitVote, revealVote, decodeDispute, withdrawStake, withdrawVote, INSTRUCTION_ACCOUNTS, finalizeDispute, closeDispute,
  submitDelivery, claimPayment, lastLeafSiblings, acceptJob, handOver
} from '../../chain/client/index.js'
import {
  ESCROW, MerkleTree, voteCommitment, PROOF, STAKE_TIERS, UNITS_PER_TOKEN as TOKEN, checkpointCommitment, digestCommitment, fieldToBytes, poseidonMerkle
} from '../../protocols/index.js'

const hash = (s: string): Uint8Array => new Uint8Array(createHash('sha256').update(s).digest())
const path = buildProgram({ log: () => {} }).path
const L = new Ledger({ programPath: path })
const pid = L.programId
const cu: Record<string, number> = {}
function run (name: string, ix: TransactionInstruction, signers: Keypair[]): void {
  const res = L.mustSend([ix], signers)
  cu[name] ??= Number(res.computeUnits)
}

const mintAuthority = Keypair.generate()
const admin = Keypair.fromSeed(hash('bench-admin'))
L.airdrop(admin.publicKey, 10_000_000_000n)
L.embedded.setUpgradeAuthority(pid.toBase58(), admin.publicKey.toBase58())
const mint = L.createMint(mintAuthority.publicKey, 9)
const params = configParamsFromProtocol()
/** Wallets from fixed seeds: PDA derivation (the bump search, 1,500 CU a step) depends on the
 * keys in the seeds, so random keys would make create_escrow, open_dispute and vote vary by
 * thousands of CU from run to run. */
function wallet (tokens: bigint, name: string): { kp: Keypair, token: PublicKey } {
  const kp = Keypair.fromSeed(hash(`bench-${name}`))
  L.airdrop(kp.publicKey, 10_000_000_000n)
  const token = L.createTokenAccount(mint, kp.publicKey)
  L.mintTo(mint, token, mintAuthority, tokens * TOKEN)
  return { kp, token }
}
run('initialize_config', initializeConfig({ admin: admin.publicKey, mint }, params, pid), [admin])
run('update_config', updateConfig({ admin: admin.publicKey }, params, pid), [admin])
const worker = wallet(1_000n, 'worker')
const owner = worker.kp.publicKey
run('register_node', registerNode({ owner, ownerToken: worker.token }, STAKE_TIERS[1]?.minStake ?? 0n, pid), [worker.kp])
L.warp(BigInt(ESCROW.heartbeatIntervalSeconds))
run('heartbeat', heartbeat({ owner }, pid), [worker.kp])
const client = wallet(1_000n, 'client')
let nonce = 0n
function escrow (over: { timeoutSecs?: bigint } = {}): PublicKey {
  nonce++
  run('create_escrow', createEscrow({ client: client.kp.publicKey, clientToken: client.token, mint, worker: owner }, {
    nonce, jobId: hash(`job${nonce}`), amount: 5n * TOKEN, specHash: hash('spec'), estimatedSeconds: 60n, timeoutSecs: over.timeoutSecs ?? 86_400n, epochsTotal: 10
  }, pid), [client.kp])
  const address = escrowPda(pid, client.kp.publicKey, nonce).address
  // Only an accepted escrow can be worked on, disputed, timed out or slashed.
  run('accept_job', acceptJob({ worker: owner, escrow: address }, pid), [worker.kp])
  return address
}
const settle = (e: PublicKey) => ({ client: client.kp.publicKey, escrow: e, worker: owner, workerToken: worker.token })
/** The optimistic delivery of `e`: 10 float checkpoints (C_E = checkpointCommitment(H_E,
 * digestCommitment(stateHash_E))), their Poseidon root anchored at the final epoch, the last leaf's
 * inclusion checked by submit_delivery. An optimistic `complete` pays only a delivered escrow. */
function deliver (e: PublicKey, tag: string): void {
  const chain = Array.from({ length: 10 }, (_, i) => hash(`${tag}/chain/${i}`))
  // The last checkpoint's state commitment is the final weights' (submit_delivery checks it).
  const states = Array.from({ length: 10 }, (_, i) => digestCommitment(hash(i === 9 ? `${tag}/weights` : `${tag}/state/${i}`)))
  const leaves = chain.map((h, i) => fieldToBytes(checkpointCommitment(h, states[i] as bigint)))
  run('anchor_progress', anchorProgress({ worker: owner, escrow: e }, 10, new MerkleTree(leaves, poseidonMerkle).root, pid), [worker.kp])
  run('submit_delivery', submitDelivery({ worker: owner, escrow: e }, {
    finalWeightsHash: hash(`${tag}/weights`), finalChainHash: chain[9] as Uint8Array, finalState: fieldToBytes(states[9] as bigint), siblings: lastLeafSiblings(leaves)
  }, pid), [worker.kp])
}
const e1 = escrow()
deliver(e1, 'e1')
run('complete', complete(settle(e1), hash('e1/weights'), pid), [client.kp])
run('rate_worker', rateWorker(settle(e1), 5, pid), [client.kp])
run('close_escrow', closeEscrow({ client: client.kp.publicKey, escrow: e1 }, pid), [client.kp])
const e2 = escrow()
run('anchor_progress', anchorProgress({ worker: owner, escrow: e2 }, 3, hash('root'), pid), [worker.kp])
run('cancel', cancel({ ...settle(e2), clientToken: client.token }, pid), [client.kp])
const e3 = escrow({ timeoutSecs: BigInt(ESCROW.minTimeoutSeconds) })
L.warp(BigInt(ESCROW.minTimeoutSeconds) + 1n)
run('timeout_refund', timeoutRefund({ escrow: e3, worker: owner, clientToken: client.token, mint }, pid), [L.payer])
const e4 = escrow()
run('open_dispute', openDispute({ claimant: client.kp.publicKey, claimantToken: client.token, escrow: e4, mint }, 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi', pid), [client.kp])
const dispute = disputePda(pid, e4).address
run('submit_evidence', submitEvidence({ party: owner, dispute }, 'bafybeib-worker-logs', pid), [worker.kp])
// The jury: three staked nodes (with the worker's stake, 7 × 200 ≥ the total: all drawn).
const jurors = [wallet(1_000n, 'juror-1'), wallet(1_000n, 'juror-2'), wallet(1_000n, 'juror-3')]
for (const j of jurors) L.mustSend([registerNode({ owner: j.kp.publicKey, ownerToken: j.token }, STAKE_TIERS[1]?.minStake ?? 0n, pid)], [j.kp])
const nextSlot = (): void => {
  const clock = L.svm.getClock()
  const older = L.svm.getSlotHashes().filter((h) => h.slot < clock.slot).map((h) => ({ slot: h.slot, hash: h.hash }))
  L.svm.setSlotHashes([{ slot: clock.slot, hash: Keypair.generate().publicKey.toBase58() }, ...older].slice(0, 512))
  clock.slot = clock.slot + 1n
  L.svm.setClock(clock)
}
const salt = (j: { kp: Keypair }): Uint8Array => hash(`salt/${j.kp.publicKey.toBase58()}`)
/** One jury round of `voting` for the worker: draw, commit, reveal, resolve. */
function juryRound (disputeKey: PublicKey, escrowKey: PublicKey, voting: typeof jurors, measure: boolean): void {
  const d = decodeDispute(L.account(disputeKey)?.data ?? new Uint8Array())
  if (L.unixTime() < d.commitDeadline) L.warp(d.evidenceDeadline > L.unixTime() ? d.evidenceDeadline - L.unixTime() : 0n)
  nextSlot()
  const send = (name: string, ix: TransactionInstruction, signers: Keypair[]): void => { if (measure) run(name, ix, signers); else L.mustSend([ix], signers) }
  send('draw_jury', drawJury({ dispute: disputeKey }, pid), [L.payer])
  for (const j of voting) {
    send('commit_vote', commitVote({ juror: j.kp.publicKey, dispute: disputeKey, round: d.round }, voteCommitment('worker', salt(j), disputeKey.toBytes(), j.kp.publicKey.toBytes()), pid), [j.kp])
  }
  L.warp(d.commitDeadline - L.unixTime())
  for (const j of voting) send('reveal_vote', revealVote({ juror: j.kp.publicKey, dispute: disputeKey, round: d.round }, SIDE.worker, salt(j), pid), [j.kp])
  L.warp(d.revealDeadline - L.unixTime())
  send('resolve_dispute', resolveDispute({ escrow: escrowKey }, pid), [L.payer])
}
juryRound(dispute, e4, jurors, true)
run('finalize_dispute', finalizeDispute({ escrow: e4, worker: owner, clientToken: client.token, workerToken: worker.token, mint }, pid), [L.payer])
for (const j of jurors) run('withdraw_vote', withdrawVote({ juror: j.kp.publicKey, dispute, round: 0 }, pid), [L.payer])
run('close_dispute', closeDispute({ claimant: client.kp.publicKey, dispute }, pid), [L.payer])
// A stalled worker's escrow handed over to another registered node (juror-1's) for the rest.
const e7 = escrow()
run('anchor_progress', anchorProgress({ worker: owner, escrow: e7 }, 2, hash('root/2'), pid), [worker.kp])
L.warp(BigInt(ESCROW.noProgressTimeoutSeconds) + 1n)
run('hand_over', handOver({ ...settle(e7), mint }, 2, (jurors[0] as { kp: Keypair }).kp.publicKey, pid), [client.kp])
// A round with too few reveals is redrawn (measured apart from a deciding resolve).
const e5 = escrow()
L.mustSend([openDispute({ claimant: client.kp.publicKey, claimantToken: client.token, escrow: e5, mint }, 'bafy-redraw', pid)], [client.kp])
const dispute5 = disputePda(pid, e5).address
const d5 = decodeDispute(L.account(dispute5)?.data ?? new Uint8Array())
L.warp(d5.revealDeadline - L.unixTime())
nextSlot()
run('resolve_dispute (redraw)', resolveDispute({ escrow: e5 }, pid), [L.payer])
juryRound(dispute5, e5, jurors, false)
L.mustSend([finalizeDispute({ escrow: e5, worker: owner, clientToken: client.token, workerToken: worker.token, mint }, pid)], [L.payer])
const e6 = escrow()
deliver(e6, 'e6')
L.warp(BigInt(PROOF.challengeWindowSeconds))
run('claim_payment', claimPayment({ escrow: e6, worker: owner, workerToken: worker.token }, pid), [worker.kp])
run('request_unstake', requestUnstake({ owner }, pid), [worker.kp])
L.warp(86_400n * 90n)
run('withdraw_stake', withdrawStake({ owner, ownerToken: worker.token }, pid), [worker.kp])
const governance = wallet(0n, 'governance')
run('set_governance', setGovernance({ governance: admin.publicKey, newGovernance: governance.kp.publicKey }, pid), [admin, governance.kp])
run('withdraw_treasury', withdrawTreasury({ governance: governance.kp.publicKey, destination: governance.token }, 1n, pid), [governance.kp])
const admin2 = Keypair.fromSeed(hash('bench-admin2'))
L.airdrop(admin2.publicKey, 1_000_000_000n)
run('propose_admin', proposeAdmin({ admin: admin.publicKey }, admin2.publicKey, pid), [admin])
run('accept_admin', acceptAdmin({ newAdmin: admin2.publicKey }, pid), [admin2])

// The zk tier's instructions need real Groth16 proofs and keys: scripts/bench/zk.ts measures them
// (completeComputeUnits). Everything else must be measured here, or the bench fails.
const ZK_INSTRUCTIONS = new Set(['set_verifying_key', 'verify_proof', 'draw_challenge', 'reveal_challenge', 'complete_zk', 'slash_invalid_proof'])
const missing = Object.keys(INSTRUCTION_ACCOUNTS).filter((n) => cu[n] === undefined && !ZK_INSTRUCTIONS.has(n))
if (missing.length > 0) throw new Error(`not measured: ${missing.join(', ')}`)
const ordered = Object.fromEntries(Object.keys(INSTRUCTION_ACCOUNTS).filter((n) => !ZK_INSTRUCTIONS.has(n)).map((n) => [n, cu[n]]))
emit({ bench: 'chain', program_bytes: statSync(path).size, compute_units: ordered, zk_instructions_measured_in: 'scripts/bench/zk.ts' })
