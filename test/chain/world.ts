/**
 * Shared set-up of the chain tests: a ledger (chain/ledger) with the program, a 9-decimal CYXWIZ
 * mint, an admin; wallets, nodes and escrows; error and compute-unit assertions; the token-supply
 * bookkeeping the invariant tests check.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { Keypair, type PublicKey, type TransactionInstruction } from '@solana/web3.js'
import type { VerificationKey } from '../../circuits/index.js'
import { buildProgram } from '../../scripts/build-program.js'
import { Ledger, type TxResult } from '../../chain/ledger/index.js'
import {
  PROGRAM_ERRORS, TIER, acceptJob, anchorProgress, challengeCommitment, complete, configParamsFromProtocol, configPda, createEscrow, decodeConfig, decodeDispute,
  decodeEscrow, decodeNode, escrowPda, initializeConfig, lastLeafSiblings, nodePda, registerNode, revealChallenge, setVerifyingKey, submitDelivery,
  type ConfigAccount, type ConfigParams,
  type CreateEscrowArgs, type DisputeAccount, type EscrowAccount, type NodeAccount, type ProgramErrorName
} from '../../chain/client/index.js'
import { MerkleTree, UNITS_PER_TOKEN, checkpointCommitment, digestCommitment, fieldToBytes, poseidonMerkle } from '../../protocols/index.js'

export const TOKEN = UNITS_PER_TOKEN

let programPath: string | undefined
/** Builds the program once per test run (milliseconds when up to date). */
export function program (): string {
  programPath ??= buildProgram({ log: () => {} }).path
  return programPath
}

/**
 * A World whose program holds the step circuit's verifying key under `circuit`, and that key (the
 * circuit keys are built, or found in the cache, first). The circuits load only here, so the
 * chain suites without zk do not pay for them.
 */
export async function zkWorld (circuit: number): Promise<{ w: World, vkey: VerificationKey }> {
  program()
  const { buildCircuits, loadVerificationKey, toOnChainVerifyingKey } = await import('../../circuits/index.js')
  await buildCircuits({ log: () => {} })
  const vkey = loadVerificationKey('checkpoint_step')
  const w = new World().initialize()
  w.setVerifyingKey(circuit, toOnChainVerifyingKey(vkey))
  return { w, vkey }
}

/** Compute units of the first successful run of each instruction, across all test files. */
export const computeUnits = new Map<string, bigint>()

export function expectError (res: TxResult, name: ProgramErrorName): void {
  assert.equal(res.ok, false, `expected ${name}, but the transaction succeeded`)
  assert.equal(res.customError, PROGRAM_ERRORS[name],
    `expected ${name} (${PROGRAM_ERRORS[name]}), got ${res.errorName ?? res.customError ?? 'no custom error'}\n${res.logs.join('\n')}`)
}

/** Asserts success and records the compute units under `name`. */
export function record (name: string, res: TxResult): TxResult {
  assert.ok(res.ok, `${name} failed: ${res.error ?? ''}\n${res.logs.join('\n')}`)
  // One instruction of ours per transaction here; its consumption is the transaction's.
  if (!computeUnits.has(name)) computeUnits.set(name, res.computeUnits)
  return res
}

export const hash = (s: string): Uint8Array => new Uint8Array(createHash('sha256').update(s).digest())

/** Replaces account `index` of an instruction. */
export function withAccount (ix: TransactionInstruction, index: number, pubkey: PublicKey, flags: { isSigner?: boolean, isWritable?: boolean } = {}): TransactionInstruction {
  const meta = ix.keys[index]
  assert.ok(meta, `no account ${index}`)
  ix.keys[index] = { pubkey, isSigner: flags.isSigner ?? meta.isSigner, isWritable: flags.isWritable ?? meta.isWritable }
  return ix
}

export interface Wallet { readonly kp: Keypair, readonly token: PublicKey }

/**
 * A float training run's checkpoints as the optimistic tier anchors them: chain hashes H_E, state
 * hashes, S_E = digestCommitment(stateHash_E) — the last one digestCommitment(weights), the final
 * weights hash its delivery names (finding 4) — leaves C_E = checkpointCommitment(H_E, S_E) as 32
 * bytes, and the Poseidon root of the leaves.
 */
export interface FloatRun {
  readonly chain: Uint8Array[]
  readonly stateHashes: Uint8Array[]
  readonly states: bigint[]
  readonly leaves: Uint8Array[]
  readonly root: Uint8Array
  /** The final weights hash the last leaf commits to. */
  readonly weights: Uint8Array
}

export function floatRun (n: number, seed = 'run', weights: Uint8Array = hash('weights')): FloatRun {
  const chain = Array.from({ length: n }, (_, i) => hash(`chain/${seed}/${i}`))
  const stateHashes = Array.from({ length: n }, (_, i) => hash(`state/${seed}/${i}`))
  const states = stateHashes.map((h, i) => digestCommitment(i === n - 1 ? weights : h))
  const leaves = chain.map((h, i) => fieldToBytes(checkpointCommitment(h, states[i] as bigint)))
  return { chain, stateHashes, states, leaves, root: new MerkleTree(leaves, poseidonMerkle).root, weights }
}

/** `submitDelivery`'s arguments for the final checkpoint of `run` (the honest delivery of `run.weights`). */
export function deliveryArgs (run: FloatRun, finalWeightsHash: Uint8Array = run.weights): { finalWeightsHash: Uint8Array, finalChainHash: Uint8Array, finalState: Uint8Array, siblings: Uint8Array } {
  const last = run.leaves.length - 1
  return { finalWeightsHash, finalChainHash: run.chain[last] as Uint8Array, finalState: fieldToBytes(run.states[last] as bigint), siblings: lastLeafSiblings(run.leaves) }
}

/** The chain tests' `create_escrow` arguments: a 1 h, 10-epoch optimistic job with a 24 h timeout (`over` replaces any). */
export function escrowArgs (nonce: bigint, amount: bigint, over: Partial<CreateEscrowArgs> = {}): CreateEscrowArgs {
  return { nonce, jobId: hash(`job-${nonce}`), amount, specHash: hash('spec'), estimatedSeconds: 3_600n, timeoutSecs: 86_400n, epochsTotal: 10, ...over }
}

/** A ledger with the program, a 9-decimal CYXWIZ mint, and an admin. */
export class World {
  readonly ledger = new Ledger({ programPath: program() })
  readonly pid = this.ledger.programId
  readonly mintAuthority = Keypair.generate()
  readonly admin = this.ledger.fundedKeypair()
  readonly mint = this.ledger.createMint(this.mintAuthority.publicKey, 9)
  readonly params: ConfigParams
  /** Every base unit minted so far (mint supply + burned must always equal it). */
  minted = 0n

  constructor (params: ConfigParams = configParamsFromProtocol()) {
    this.params = params
    // The admin is the program's upgrade authority, as a deployment by it would have recorded.
    this.ledger.embedded.setUpgradeAuthority(this.pid.toBase58(), this.admin.publicKey.toBase58())
  }

  initialize (): this {
    record('initialize_config', this.ledger.send([initializeConfig({ admin: this.admin.publicKey, mint: this.mint }, this.params, this.pid)], [this.admin]))
    return this
  }

  /** A wallet with SOL and a CYXWIZ account holding `tokens` whole tokens. */
  wallet (tokens: bigint): Wallet {
    const kp = this.ledger.fundedKeypair()
    const token = this.ledger.createTokenAccount(this.mint, kp.publicKey)
    if (tokens > 0n) this.mintTo(token, tokens * TOKEN)
    return { kp, token }
  }

  mintTo (token: PublicKey, units: bigint): void {
    this.ledger.mintTo(this.mint, token, this.mintAuthority, units)
    this.minted += units
  }

  register (w: Wallet, stake: bigint): TxResult {
    return this.ledger.send([registerNode({ owner: w.kp.publicKey, ownerToken: w.token }, stake, this.pid)], [w.kp])
  }

  /** A registered worker with `stake` base units staked (and `tokens` whole tokens minted). */
  worker (stake: bigint, tokens = 100n): Wallet {
    const w = this.wallet(tokens)
    record('register_node', this.register(w, stake))
    return w
  }

  escrowArgs (nonce: bigint, amount: bigint, over: Partial<CreateEscrowArgs> = {}): CreateEscrowArgs {
    return escrowArgs(nonce, amount, over)
  }

  /**
   * The secret a zk escrow's client commits to (`challengeCommitment`) and later reveals: here derived
   * from the client and the nonce, so tests can reveal without keeping it (a real client draws it from
   * a CSPRNG and keeps it in its job record).
   */
  challengeSecret (client: PublicKey, nonce: bigint): Uint8Array {
    return hash(`challenge-secret/${client.toBase58()}/${nonce}`)
  }

  /** `create_escrow`; a zk escrow without a `challengeCommitment` gets the one of `challengeSecret(client, nonce)`. */
  createEscrowIx (client: Wallet, worker: PublicKey, args: CreateEscrowArgs): TransactionInstruction {
    const committed = args.tier === TIER.zk && args.challengeCommitment === undefined
      ? { ...args, challengeCommitment: challengeCommitment(this.challengeSecret(client.kp.publicKey, args.nonce)) }
      : args
    return createEscrow({ client: client.kp.publicKey, clientToken: client.token, mint: this.mint, worker }, committed, this.pid)
  }

  /** `reveal_challenge` of a zk escrow with its client's secret (`challengeSecret`), sent by `payer` (default the ledger's payer). */
  reveal (escrow: PublicKey, payer = this.ledger.payer, secret?: Uint8Array): TxResult {
    const e = this.escrowAccount(escrow)
    return this.ledger.send([revealChallenge(escrow, secret ?? this.challengeSecret(e.client, e.nonce), this.pid)], [payer])
  }

  /** Creates an escrow (must succeed) and returns its address: an offer the worker has not accepted. */
  offer (client: Wallet, worker: PublicKey, nonce: bigint, amount: bigint, over: Partial<CreateEscrowArgs> = {}): PublicKey {
    record('create_escrow', this.ledger.send([this.createEscrowIx(client, worker, this.escrowArgs(nonce, amount, over))], [client.kp]))
    return escrowPda(this.pid, client.kp.publicKey, nonce).address
  }

  /** The worker accepts `escrow` (must succeed). */
  accept (worker: Wallet, escrow: PublicKey): void {
    record('accept_job', this.ledger.send([acceptJob({ worker: worker.kp.publicKey, escrow }, this.pid)], [worker.kp]))
  }

  /** Creates an escrow and has its worker accept it (both must succeed); returns its address. */
  escrow (client: Wallet, worker: Wallet, nonce: bigint, amount: bigint, over: Partial<CreateEscrowArgs> = {}): PublicKey {
    const escrow = this.offer(client, worker.kp.publicKey, nonce, amount, over)
    this.accept(worker, escrow)
    return escrow
  }

  /** The worker anchors `run`'s root at its final epoch (= its leaf count; must succeed). */
  anchorFinal (worker: Wallet, escrow: PublicKey, run: FloatRun): void {
    record('anchor_progress', this.ledger.send([anchorProgress({ worker: worker.kp.publicKey, escrow }, run.leaves.length, run.root, this.pid)], [worker.kp]))
  }

  /** The float checkpoints `deliver` anchors and delivers for `escrow` (one per epoch of its spec). */
  deliveryRun (escrow: PublicKey, weights: Uint8Array = hash('weights')): FloatRun {
    return floatRun(this.escrowAccount(escrow).epochsTotal, `deliver/${escrow.toBase58()}`, weights)
  }

  /**
   * The worker delivers `escrow` as an optimistic job must before it is paid: it anchors
   * `deliveryRun(escrow)` at the final epoch (unless that epoch is anchored already) and submits
   * `weights` with the last leaf's proof.
   */
  deliver (worker: Wallet, escrow: PublicKey, weights: Uint8Array = hash('weights')): void {
    const run = this.deliveryRun(escrow, weights)
    const e = this.escrowAccount(escrow)
    if (e.epochsDone < e.epochsTotal) this.anchorFinal(worker, escrow, run)
    record('submit_delivery', this.ledger.send([submitDelivery({ worker: worker.kp.publicKey, escrow }, deliveryArgs(run, weights), this.pid)], [worker.kp]))
  }

  completeIx (client: Wallet, worker: Wallet, escrow: PublicKey): TransactionInstruction {
    return complete({ client: client.kp.publicKey, escrow, worker: worker.kp.publicKey, workerToken: worker.token }, hash('weights'), this.pid)
  }

  private data (key: PublicKey): Uint8Array {
    const a = this.ledger.account(key)
    assert.ok(a, `no account ${key.toBase58()}`)
    return a.data
  }

  config (): ConfigAccount { return decodeConfig(this.data(configPda(this.pid).address)) }
  node (owner: PublicKey): NodeAccount { return decodeNode(this.data(nodePda(this.pid, owner).address)) }
  escrowAccount (key: PublicKey): EscrowAccount { return decodeEscrow(this.data(key)) }
  dispute (key: PublicKey): DisputeAccount { return decodeDispute(this.data(key)) }

  /** The mint's current supply. */
  supply (): bigint {
    return new DataView(this.data(this.mint).buffer, this.data(this.mint).byteOffset).getBigUint64(36, true)
  }

  /**
   * Moves to the next slot as a cluster would: the slot that just ended gets a (random) hash at the
   * front of the SlotHashes sysvar, and the clock's slot advances. Returns that hash.
   */
  nextSlot (): Uint8Array {
    const svm = this.ledger.svm
    const clock = svm.getClock()
    const hash = Keypair.generate().publicKey
    // Slots are unique and descending (LiteSVM starts with an entry for its current slot).
    const older = svm.getSlotHashes().filter((h) => h.slot < clock.slot).map((h) => ({ slot: h.slot, hash: h.hash }))
    svm.setSlotHashes([{ slot: clock.slot, hash: hash.toBase58() }, ...older].slice(0, 512))
    clock.slot = clock.slot + 1n
    svm.setClock(clock)
    return hash.toBytes()
  }

  /** The admin installs verifying key `key` (on-chain bytes) as circuit `circuitId`, in chunks. */
  setVerifyingKey (circuitId: number, key: Uint8Array, chunk?: number): void {
    for (const ix of setVerifyingKey({ admin: this.admin.publicKey }, circuitId, key, chunk, this.pid)) {
      record('set_verifying_key', this.ledger.send([ix], [this.admin]))
    }
  }

  /** Overwrites fields of an account of this program (test set-up: bypasses every rule). */
  patch (key: PublicKey, write: (v: DataView) => void): void {
    const a = this.ledger.account(key)
    assert.ok(a)
    const data = new Uint8Array(a.data)
    write(new DataView(data.buffer))
    this.ledger.setAccount(key, { ...a, data })
  }
}
