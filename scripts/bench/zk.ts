// Zero-knowledge benchmark. Prints ONE JSON line for the circuit that zk escrows are paid against
// (checkpoint_step: checkpoints k and k+1 in the anchored root, depth 5, and k+1 exactly one Q16
// training step of the logistic [16 → 4] model from k on the private batch (k + 1) mod 8 of mnist-4x4,
// bound to the public data commitment; the witness is a real FixedPointEngine run):
// constraints, proveSeconds (median of runs in a child process, as the worker proves; and in a
// worker thread),
// verifySeconds (TypeScript), proofBytes (the on-chain proof + its public inputs), verifying-key
// bytes, and completeComputeUnits: the whole `complete_zk` instruction (last-leaf inclusion with
// sol_poseidon, the pinned key's SHA-256, Groth16 with sol_alt_bn128_group_op, two token transfers,
// the reputation update), measured on the real SBF program in LiteSVM; completeFailingProofComputeUnits:
// `complete_zk` with a proof that fails, settled on the spot (refund, slash with a burn);
// createEscrowComputeUnits: a zk `create_escrow` (which pins the key's SHA-256);
// verifyProofComputeUnits: `verify_proof` alone.
// Run: npx tsx scripts/bench/zk.ts [--quick | --smoke]   (npm run bench:zk)
// `--smoke`: one proof in a child process and one verification (the circuit keys come from set-up,
// cached in ~/.cache/cyxwiz; a machine without them builds them first, which takes long).
import { emit, smoke } from './common.js'
import os from 'node:os'
import {
  PROOF_BYTES, buildCircuits, checkpointStepInput, stepDataCommitment, loadVerificationKey, prove, toOnChainProof, toOnChainPublicInputs,
  toOnChainVerifyingKey, verify
} from '../../circuits/index.js'
import { MerkleTree, fieldFromBytes, fieldToBytes, poseidonMerkle } from '../../protocols/index.js'
import { stepRun } from '../../test/fixtures/step.js'
import {
  ESCROW_STATE, TIER, anchorProgress, completeZk, escrowPda, escrowField, lastLeafSiblings, verifyProof, verifyingKeyPda
} from '../../chain/client/index.js'
import { TOKEN, World, hash } from '../../test/fixtures/world.js'

const quick = process.argv.includes('--quick')
const runs = smoke || quick ? 1 : 5
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] as number }
const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d

const manifest = await buildCircuits({ log: (l) => { process.stderr.write(l + '\n') } })
const circuit = 'checkpoint_step'
const info = manifest.circuits[circuit]
if (info === undefined) throw new Error(`${circuit} is not built`)
const vkey = loadVerificationKey(circuit)

// A zk escrow of 32 checkpoints (the deepest tree) with its final root anchored and challenged.
const LEAVES = 32
const w = new World().initialize()
const CIRCUIT = 1
w.setVerifyingKey(CIRCUIT, toOnChainVerifyingKey(vkey))
const worker = w.worker(50_000n * TOKEN, 60_000n)
const client = w.wallet(100n)
const jobId = hash('bench-zk-job')
const run = await stepRun(LEAVES, 'bench')
const dataCommitment = stepDataCommitment(run.data).rootBytes
const escrow = w.escrow(client, worker, 1n, 5n * TOKEN, { jobId, tier: TIER.zk, circuitId: CIRCUIT, epochsTotal: LEAVES, dataCommitment })
const createCu = w.ledger.mustSend([w.createEscrowIx(client, worker.kp.publicKey, w.escrowArgs(2n, 5n * TOKEN, { jobId: hash('bench-zk-job-2'), tier: TIER.zk, circuitId: CIRCUIT, epochsTotal: LEAVES, dataCommitment }))], [client.kp]).computeUnits
const escrow2 = escrowPda(w.pid, client.kp.publicKey, 2n).address
w.accept(worker, escrow2) // only an accepted escrow can be worked on
const { chain, leaves } = run
const root = new MerkleTree(leaves, poseidonMerkle).root
for (const e of [escrow, escrow2]) w.ledger.mustSend([anchorProgress({ worker: worker.kp.publicKey, escrow: e }, LEAVES, root, w.pid)], [worker.kp])
w.nextSlot()
// The client reveals its secret (committed at create_escrow): the challenge is drawn.
for (const e of [escrow, escrow2]) if (!w.reveal(e).ok) throw new Error('reveal_challenge failed')
const step = w.escrowAccount(escrow).challengeStep
const at = (i: number): { chainHash: Uint8Array, state: (typeof run.states)[number] } => ({ chainHash: chain[i] as Uint8Array, state: run.states[i] as (typeof run.states)[number] })
const { input } = checkpointStepInput(leaves, step, fieldFromBytes(escrowField(escrow)), at(step), at(step + 1), run.data)

const thread: number[] = []
const proc: number[] = []
const verifyTimes: number[] = []
// `--smoke`: one proof, as the worker proves it (child process), no warm-up; that one time stands
// for both proveSeconds and proveSecondsThread, and the verification below is timed once.
const t0 = performance.now()
let last = await prove(circuit, input, smoke ? { isolation: 'process' } : {})
if (smoke) {
  proc.push((performance.now() - t0) / 1000)
  thread.push((performance.now() - t0) / 1000)
  const t = performance.now()
  if (!(await verify(vkey, last.publicSignals, last.proof))) throw new Error('an honest proof failed to verify')
  verifyTimes.push((performance.now() - t) / 1000)
}
for (let i = 0; i < (smoke ? 0 : runs); i++) {
  let t = performance.now()
  last = await prove(circuit, input)
  thread.push((performance.now() - t) / 1000)
  t = performance.now()
  await prove(circuit, input, { isolation: 'process' })
  proc.push((performance.now() - t) / 1000)
  t = performance.now()
  if (!(await verify(vkey, last.publicSignals, last.proof))) throw new Error('an honest proof failed to verify')
  verifyTimes.push((performance.now() - t) / 1000)
}

const proof = toOnChainProof(last.proof)
const verifyCu = w.ledger.mustSend([verifyProof(verifyingKeyPda(w.pid, CIRCUIT).address, proof, toOnChainPublicInputs(last.publicSignals), w.pid)], [w.ledger.payer]).computeUnits
const completeIx = (e: typeof escrow): ReturnType<typeof completeZk> => completeZk({ worker: worker.kp.publicKey, escrow: e, workerToken: worker.token, clientToken: client.token, mint: w.mint, circuitId: CIRCUIT }, {
  proof, finalWeightsHash: hash('weights'), finalChainHash: chain[LEAVES - 1] as Uint8Array, finalState: fieldToBytes(run.stateCommitments[LEAVES - 1] as bigint), siblings: lastLeafSiblings(leaves)
}, w.pid)
const complete = w.ledger.mustSend([completeIx(escrow)], [worker.kp])
// The same proof for the second escrow (its own address is the proof's job input): it fails, and the failure is settled at once.
const failing = w.ledger.mustSend([completeIx(escrow2)], [worker.kp])
if (w.escrowAccount(escrow2).state !== ESCROW_STATE.proofFailed) throw new Error('a failing proof was not settled')

emit({
  bench: 'zk',
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '?', node: process.version },
  circuit,
  constraints: info.constraints,
  publicInputs: info.publicInputs,
  // The worker proves the step in a child process (peer/roles/settlement.ts: every core); a worker
  // thread runs snarkjs' curve on one.
  proveSeconds: round(median(proc)),
  proveSecondsThread: round(median(thread)),
  verifySeconds: round(median(verifyTimes)),
  proofBytes: PROOF_BYTES + toOnChainPublicInputs(last.publicSignals).length,
  verifyingKeyBytes: toOnChainVerifyingKey(vkey).length,
  zkeyBytes: info.zkeyBytes,
  setup: { compileSeconds: info.compileSeconds, groth16SetupSeconds: info.setupSeconds, setupMethod: manifest.setupMethod, ptauPower: manifest.ptau?.power ?? null, coldBuildSeconds: manifest.buildSeconds },
  completeComputeUnits: Number(complete.computeUnits),
  completeFailingProofComputeUnits: Number(failing.computeUnits),
  createEscrowComputeUnits: Number(createCu),
  verifyProofComputeUnits: Number(verifyCu),
  runs
})
