// Zero-knowledge benchmark. Prints ONE JSON line for the largest built circuit (today
// checkpoint_inclusion, depth 5): constraints, proveSeconds (median of runs, worker thread and child
// process), verifySeconds, proofBytes (the on-chain proof + its public inputs), verifying-key bytes.
// completeComputeUnits is null until the program verifies proofs on-chain.
// Run: node --import tsx --import ./peer/runtime/node20.mjs scripts/bench/zk.ts [--quick]
import os from 'node:os'
import {
  PROOF_BYTES, buildCircuits, checkpointInclusionInput, loadVerificationKey, prove, toOnChainPublicInputs, toOnChainVerifyingKey, verify
} from '../../circuits/index.js'
import { fieldToBytes, poseidonHash } from '../../protocols/index.js'

const quick = process.argv.includes('--quick')
const runs = quick ? 1 : 5
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] as number }
const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d

const manifest = await buildCircuits({ log: (l) => { process.stderr.write(l + '\n') } })
const circuit = 'checkpoint_inclusion'
const info = manifest.circuits[circuit]
if (info === undefined) throw new Error(`${circuit} is not built`)
const vkey = loadVerificationKey(circuit)
const values = Array.from({ length: 32 }, (_, i) => fieldToBytes(poseidonHash([BigInt(i)])))
const { input } = checkpointInclusionInput(values, 31)

const thread: number[] = []
const proc: number[] = []
const verifyTimes: number[] = []
let signals: string[] = []
for (let i = 0; i < runs; i++) {
  let t = performance.now()
  const r = await prove(circuit, input)
  thread.push((performance.now() - t) / 1000)
  t = performance.now()
  await prove(circuit, input, { isolation: 'process' })
  proc.push((performance.now() - t) / 1000)
  t = performance.now()
  if (!(await verify(vkey, r.publicSignals, r.proof))) throw new Error('an honest proof failed to verify')
  verifyTimes.push((performance.now() - t) / 1000)
  signals = r.publicSignals
}

console.log(JSON.stringify({
  bench: 'zk',
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '?', node: process.version },
  circuit,
  constraints: info.constraints,
  publicInputs: info.publicInputs,
  proveSeconds: round(median(thread)),
  proveSecondsChildProcess: round(median(proc)),
  verifySeconds: round(median(verifyTimes)),
  proofBytes: PROOF_BYTES + toOnChainPublicInputs(signals).length,
  verifyingKeyBytes: toOnChainVerifyingKey(vkey).length,
  zkeyBytes: info.zkeyBytes,
  setup: { compileSeconds: info.compileSeconds, groth16SetupSeconds: info.setupSeconds, ptauPower: manifest.ptau.power, coldBuildSeconds: manifest.buildSeconds },
  completeComputeUnits: null,
  runs
}))
