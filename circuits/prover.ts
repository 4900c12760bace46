/**
 * Groth16 prover (snarkjs, off the caller's event loop) and verifier (the program's check, in TS).
 */
import { Worker } from 'node:worker_threads'
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { readFileSync } from 'node:fs'
import type { Groth16Proof, VerificationKey } from 'snarkjs'
import { circuitFiles } from './build.js'
import { toOnChainProof, toOnChainPublicInputs, toOnChainVerifyingKey, verifyOnChainBytes } from './onchain.js'

export type { Groth16Proof, VerificationKey } from 'snarkjs'

/** A circuit input: signal name → field element(s) as bigint, safe integer or decimal string. */
export type CircuitInput = Record<string, bigint | number | string | ReadonlyArray<bigint | number | string> | ReadonlyArray<ReadonlyArray<bigint | number | string>>>

export interface ProofResult {
  readonly proof: Groth16Proof
  /** Public signals in the circuit's order, decimal strings. */
  readonly publicSignals: string[]
  /** Wall time inside the worker (witness + proof). */
  readonly seconds: number
}

export class ProofError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ProofError'
  }
}

export interface ProveOptions {
  /**
   * 'thread' (default): a worker thread, single-threaded proving (snarkjs cannot start its own
   * helper threads inside a worker thread). 'process': a child process, proving on all cores.
   */
  readonly isolation?: 'thread' | 'process'
}

type WorkerReply = { ok: true, proof: Groth16Proof, publicSignals: string[], seconds: number } | { ok: false, error: string }

const WORKER = new URL('./prove-worker.mjs', import.meta.url)

/**
 * Proves `input` for the built circuit `circuit` (name of circuits/src/<name>.circom; run
 * `buildCircuits()` first), off the caller's event loop. Rejects with ProofError when the input does
 * not satisfy the circuit (witness generation fails on a false statement).
 */
export async function prove (circuit: string, input: CircuitInput, opts: ProveOptions = {}): Promise<ProofResult> {
  const files = circuitFiles(circuit)
  const job = { input, wasm: files.wasm, zkey: files.zkey }
  const output: string[] = []
  const reply = opts.isolation === 'process' ? await inProcess(job, output) : await inThread(job, output)
  if (!reply.ok) {
    // The witness calculator prints which template's constraint failed: keep it in the error.
    const detail = output.join('').trim()
    throw new ProofError(`${circuit}: ${reply.error}${detail === '' ? '' : `\n${detail}`}`)
  }
  return { proof: reply.proof, publicSignals: reply.publicSignals, seconds: reply.seconds }
}

async function inThread (job: object, output: string[]): Promise<WorkerReply> {
  // `mod`, `type`: the empty script that the web-worker package loads in a worker thread.
  const worker = new Worker(WORKER, { workerData: { job, mod: 'data:text/javascript,', type: 'classic' }, stdout: true, stderr: true })
  worker.stdout.on('data', (d: Buffer) => { output.push(d.toString()) })
  worker.stderr.on('data', (d: Buffer) => { output.push(d.toString()) })
  try {
    return await new Promise<WorkerReply>((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
      worker.once('exit', (code) => { reject(new ProofError(`prover thread exited (${code}) without a result`)) })
    })
  } finally {
    await worker.terminate()
  }
}

async function inProcess (job: object, output: string[]): Promise<WorkerReply> {
  const child = fork(fileURLToPath(WORKER), [], { serialization: 'advanced', execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
  child.stdout?.on('data', (d: Buffer) => { output.push(d.toString()) })
  child.stderr?.on('data', (d: Buffer) => { output.push(d.toString()) })
  try {
    return await new Promise<WorkerReply>((resolve, reject) => {
      child.once('message', (m) => { resolve(m as WorkerReply) })
      child.once('error', reject)
      child.once('exit', (code) => { reject(new ProofError(`prover process exited (${code}) without a result`)) })
      child.send(job)
    })
  } finally {
    if (child.exitCode === null) child.kill()
  }
}

/** The verification key of a built circuit (circuits/build/<name>.vkey.json). */
export function loadVerificationKey (circuit: string): VerificationKey {
  return JSON.parse(readFileSync(circuitFiles(circuit).vkey, 'utf8')) as VerificationKey
}

/**
 * Groth16 verification exactly as the Solana program does it: the key, proof and signals are
 * converted to the on-chain byte layouts and checked with `verifyOnChainBytes` (single-threaded
 * bn128, nothing left running). Returns false, never throws, for a wrong proof, malformed points or
 * public inputs outside the field. The tests check it against snarkjs' own verifier.
 */
export async function verify (vkey: VerificationKey, publicSignals: ReadonlyArray<string | bigint>, proof: Groth16Proof): Promise<boolean> {
  let bytes: [Uint8Array, Uint8Array, Uint8Array]
  try {
    bytes = [toOnChainVerifyingKey(vkey), toOnChainProof(proof), toOnChainPublicInputs(publicSignals)]
  } catch {
    return false
  }
  try {
    return await verifyOnChainBytes(...bytes)
  } catch {
    return false
  }
}

/** Releases snarkjs' shared multi-threaded curve (its worker threads keep a process alive). */
export async function releaseCurve (): Promise<void> {
  const g = globalThis as { curve_bn128?: { terminate (): Promise<void> } | null }
  if (g.curve_bn128 != null) await g.curve_bn128.terminate()
}
