/**
 * The program in a second, independent runtime: solana-bankrun (Agave's program-test 1.18, a
 * validator's bank and its BPF upgradeable loader, shipped as an npm binary), next to the LiteSVM
 * every other chain test uses.
 *
 * Nothing is handed to bankrun up front: the hand-linked ELF (`npm run build:program`) reaches it
 * only through `deployProgram` (chain/loader), the code `cyx program deploy` runs — buffer, chunked
 * writes, read-back, DeployWithMaxDataLen — so a real loader's verifier accepts it. `BanksRpc`
 * below stands in for the JSON-RPC transport only; the bank behind it is the real runtime. Then
 * one job's lifecycle runs there with chain/client's builders and the LiteSVM tests' arguments
 * (world.ts): initialize_config by the upgrade authority only, register_node with stake,
 * create_escrow, accept_job, anchor_progress epoch by epoch, submit_delivery, and the payment —
 * the client's `complete` for one job, `claim_payment` after the challenge window for another.
 *
 * The steps share one bank and run in order, all after the deployment in one slot (see `warp`).
 * Behaviour only: bankrun's compute-unit counts differ from LiteSVM's (another runtime version), so
 * none is asserted or recorded.
 *
 * solana-bankrun is deprecated upstream and pinned (0.4.0): it stays in this one file.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { getBase58Decoder } from '@solana/kit'
import {
  ACCOUNT_SIZE, MINT_SIZE, TOKEN_PROGRAM_ID, createInitializeAccount3Instruction, createInitializeMint2Instruction, createMintToInstruction
} from '@solana/spl-token'
import {
  ComputeBudgetProgram, Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram, Transaction, VersionedTransaction, type AccountInfo, type BlockheightBasedTransactionConfirmationStrategy,
  type RpcResponseAndContext, type SignatureResult, type TransactionInstruction
} from '@solana/web3.js'
import { Clock, start, type BanksClient, type ProgramTestContext } from 'solana-bankrun'
import {
  ESCROW_STATE, acceptJob, anchorProgress, claimPayment, complete, configParamsFromProtocol, configPda, createEscrow, customErrorFromLogs,
  decodeConfig, decodeEscrow, decodeNode, errorName, escrowPda, escrowVaultPda, initializeConfig, nodePda, registerNode, submitDelivery, vaultPda
} from '../../../chain/client/index.js'
import type { TxResult } from '../../../chain/ledger/index.js'
import { deployProgram, readDeployedProgram, type DeployProgress, type DeployRpc } from '../../../chain/loader/index.js'
import { MerkleTree, PROOF, STAKE_TIERS, poseidonMerkle, reputationTier, settlementSplit } from '../../../protocols/index.js'
import { TOKEN, deliveryArgs, escrowArgs, expectError, floatRun, hash, program, type FloatRun } from '../../fixtures/world.js'

const base58 = getBase58Decoder()

/**
 * A test double of the JSON-RPC transport, nothing more: the six calls `deployProgram` makes
 * (`DeployRpc`), answered by bankrun's BanksClient. A transaction the bank refuses throws at
 * `sendRawTransaction`, as a failed preflight does over RPC; one it took is confirmed.
 */
class BanksRpc implements DeployRpc {
  constructor (private readonly banks: BanksClient) {}

  async getAccountInfo (key: PublicKey): Promise<AccountInfo<Buffer> | null> {
    const a = await this.banks.getAccount(key)
    return a === null ? null : { ...a, data: Buffer.from(a.data) }
  }

  async getMinimumBalanceForRentExemption (bytes: number): Promise<number> {
    return Number((await this.banks.getRent()).minimumBalance(BigInt(bytes)))
  }

  async getBalance (key: PublicKey): Promise<number> {
    return Number(await this.banks.getBalance(key))
  }

  async getLatestBlockhash (): Promise<{ blockhash: string, lastValidBlockHeight: number }> {
    const latest = await this.banks.getLatestBlockhash()
    assert.ok(latest !== null, 'bankrun has no blockhash')
    return { blockhash: latest[0], lastValidBlockHeight: Number(latest[1]) }
  }

  async sendRawTransaction (raw: Buffer): Promise<string> {
    const tx = VersionedTransaction.deserialize(raw)
    const res = await this.banks.tryProcessTransaction(tx)
    if (res.result !== null) throw new Error(`${res.result}\n${(res.meta?.logMessages ?? []).join('\n')}`)
    return base58.decode(tx.signatures[0] as Uint8Array)
  }

  async confirmTransaction (strategy: BlockheightBasedTransactionConfirmationStrategy): Promise<RpcResponseAndContext<SignatureResult>> {
    const status = await this.banks.getTransactionStatus(strategy.signature)
    assert.ok(status !== null, `bankrun has no status for ${strategy.signature}`)
    return { context: { slot: Number(status.slot) }, value: { err: status.err ?? null } }
  }
}

/** The bank, its payer, and what the steps below create in it. */
interface Bank {
  readonly context: ProgramTestContext
  readonly banks: BanksClient
  readonly rpc: BanksRpc
  /** Transactions sent by `send`. */
  sent: number
}

interface Wallet { readonly kp: Keypair, readonly token: PublicKey }

/**
 * Signs with `signers` (the first pays the fee) and processes; never throws on a refused transaction.
 * Every transaction runs in the same slot (see `warp`), so each carries a compute-unit limit of its
 * own: a transaction identical to an earlier one (a claim retried once the window closed) would be
 * a duplicate, which the bank never lands.
 */
async function send (bank: Bank, ixs: TransactionInstruction[], signers: Keypair[]): Promise<TxResult> {
  const unique = ComputeBudgetProgram.setComputeUnitLimit({ units: 200_000 - ++bank.sent })
  const [blockhash] = (await bank.banks.getLatestBlockhash()) ?? ['']
  const tx = new Transaction({ feePayer: (signers[0] as Keypair).publicKey, recentBlockhash: blockhash }).add(unique, ...ixs)
  tx.sign(...signers)
  const res = await bank.banks.tryProcessTransaction(tx)
  const logs = res.meta?.logMessages ?? []
  const computeUnits = res.meta?.computeUnitsConsumed ?? 0n
  if (res.result === null) return { ok: true, logs, computeUnits }
  const customError = customErrorFromLogs(logs)
  const name = customError === undefined ? undefined : errorName(customError)
  return { ok: false, logs, computeUnits, error: res.result, ...(customError === undefined ? {} : { customError }), ...(name === undefined ? {} : { errorName: name }) }
}

async function mustSend (bank: Bank, ixs: TransactionInstruction[], signers: Keypair[], what: string): Promise<void> {
  const res = await send(bank, ixs, signers)
  assert.ok(res.ok, `${what} failed: ${res.error ?? ''}\n${res.logs.join('\n')}`)
}

async function data (bank: Bank, key: PublicKey): Promise<Uint8Array> {
  const a = await bank.banks.getAccount(key)
  assert.ok(a !== null, `no account ${key.toBase58()}`)
  return a.data
}

async function tokenBalance (bank: Bank, account: PublicKey): Promise<bigint> {
  const d = await data(bank, account)
  return new DataView(d.buffer, d.byteOffset).getBigUint64(64, true)
}

/**
 * Moves the bank's clock `seconds` ahead, in the same slot. Not by warping slots: in this runtime
 * (program-test 1.18), once a slot after a loader deployment's is rooted (each warp roots the slot
 * before its target), invoking the deployed program never returns — reproduced with SPL Token's
 * ELF deployed the same way, so a runtime matter, not this program's. Programs loaded at genesis
 * are not affected; LiteSVM and `cyx chain` are not either.
 */
async function warp (bank: Bank, seconds: bigint): Promise<void> {
  const c = await bank.banks.getClock()
  bank.context.setClock(new Clock(c.slot, c.epochStartTimestamp, c.epoch, c.leaderScheduleEpoch, c.unixTimestamp + seconds))
}

describe('chain/program in solana-bankrun: deployed through the upgradeable loader, one job\'s lifecycle', function () {
  this.timeout(120_000)
  let bank: Bank
  const payer = (): Keypair => bank.context.payer
  const admin = Keypair.generate()
  const programKey = Keypair.generate()
  const pid = programKey.publicKey
  const mintAuthority = Keypair.generate()
  const mint = Keypair.generate()
  let worker: Wallet
  let client: Wallet
  const minStake = STAKE_TIERS[0]?.minStake ?? 0n

  /** A wallet with 1 SOL and a CYXWIZ account holding `tokens` whole tokens. */
  async function wallet (tokens: bigint): Promise<Wallet> {
    const kp = Keypair.generate()
    const token = Keypair.generate()
    const rent = await bank.rpc.getMinimumBalanceForRentExemption(ACCOUNT_SIZE)
    await mustSend(bank, [
      SystemProgram.transfer({ fromPubkey: payer().publicKey, toPubkey: kp.publicKey, lamports: LAMPORTS_PER_SOL }),
      SystemProgram.createAccount({ fromPubkey: payer().publicKey, newAccountPubkey: token.publicKey, lamports: rent, space: ACCOUNT_SIZE, programId: TOKEN_PROGRAM_ID }),
      createInitializeAccount3Instruction(token.publicKey, mint.publicKey, kp.publicKey),
      createMintToInstruction(mint.publicKey, token.publicKey, mintAuthority.publicKey, tokens * TOKEN)
    ], [payer(), token, mintAuthority], 'a wallet')
    return { kp, token: token.publicKey }
  }

  const escrowAccount = async (escrow: PublicKey) => decodeEscrow(await data(bank, escrow))

  /** The worker anchors `run` epoch by epoch (each epoch's root is that of its leaves so far), an epoch's estimate apart. */
  async function anchorEpochs (escrow: PublicKey, run: FloatRun): Promise<void> {
    const e = await escrowAccount(escrow)
    const epochSeconds = e.estimatedSeconds / BigInt(e.epochsTotal)
    for (let epoch = 1; epoch <= run.leaves.length; epoch++) {
      await warp(bank, epochSeconds)
      const root = new MerkleTree(run.leaves.slice(0, epoch), poseidonMerkle).root
      await mustSend(bank, [anchorProgress({ worker: worker.kp.publicKey, escrow }, epoch, root, pid)], [worker.kp], `anchor_progress ${epoch}`)
      const anchored = await escrowAccount(escrow)
      assert.equal(anchored.epochsDone, epoch)
      assert.deepEqual(anchored.progressRoot, root)
    }
  }

  /** create_escrow by the client and accept_job by the worker; returns the escrow. */
  async function acceptedEscrow (nonce: bigint, amount: bigint): Promise<PublicKey> {
    const before = await tokenBalance(bank, client.token)
    await mustSend(bank, [createEscrow({ client: client.kp.publicKey, clientToken: client.token, mint: mint.publicKey, worker: worker.kp.publicKey }, escrowArgs(nonce, amount), pid)], [client.kp], 'create_escrow')
    const escrow = escrowPda(pid, client.kp.publicKey, nonce).address
    assert.equal(before - await tokenBalance(bank, client.token), amount)
    assert.equal(await tokenBalance(bank, escrowVaultPda(pid, escrow).address), amount, 'the escrow vault holds the amount')
    await mustSend(bank, [acceptJob({ worker: worker.kp.publicKey, escrow }, pid)], [worker.kp], 'accept_job')
    const e = await escrowAccount(escrow)
    assert.equal(e.accepted, 1)
    assert.equal(e.state, ESCROW_STATE.funded)
    return escrow
  }

  before(async () => {
    // program-test logs every instruction at debug level unless RUST_LOG says otherwise.
    process.env.RUST_LOG ??= 'error'
    const context = await start([], [])
    bank = { context, banks: context.banksClient, rpc: new BanksRpc(context.banksClient), sent: 0 }
    await mustSend(bank, [SystemProgram.transfer({ fromPubkey: payer().publicKey, toPubkey: admin.publicKey, lamports: 10 * LAMPORTS_PER_SOL })], [payer()], 'funding the admin')
  })

  it('deploys the built ELF through the BPF upgradeable loader, as cyx program deploy does', async () => {
    const elf = new Uint8Array(readFileSync(program()))
    assert.equal(await bank.rpc.getAccountInfo(pid), null, 'nothing at the program address before the loader puts it there')
    const stages: DeployProgress['stage'][] = []
    const d = await deployProgram(bank.rpc, { payer: admin, program: programKey, elf, onProgress: (p) => stages.push(p.stage) })
    assert.deepEqual(stages.filter((s, i, a) => a.indexOf(s) === i), ['buffer', 'write', 'verify', 'deploy'])
    assert.equal(d.upgradeAuthority, admin.publicKey.toBase58())

    const deployed = await readDeployedProgram(bank.rpc, pid)
    // (Not its `executable` flag: this runtime deploys with deprecate_executable_meta_update_in_bpf_loader
    // active, so the loader leaves the flag unset; what counts is that the program runs, below.)
    assert.ok(deployed !== undefined)
    assert.equal(deployed.upgradeAuthority, admin.publicKey.toBase58())
    assert.ok(Buffer.from(deployed.elf.subarray(0, elf.length)).equals(Buffer.from(elf)), 'the ProgramData holds the ELF byte for byte')
    // A program deployed in a slot is usable from the next one (the loader's visibility delay).
    bank.context.warpToSlot(await bank.banks.getSlot() + 1n)
  })

  it('initialize_config: the upgrade authority only', async () => {
    const rent = await bank.rpc.getMinimumBalanceForRentExemption(MINT_SIZE)
    await mustSend(bank, [
      SystemProgram.createAccount({ fromPubkey: payer().publicKey, newAccountPubkey: mint.publicKey, lamports: rent, space: MINT_SIZE, programId: TOKEN_PROGRAM_ID }),
      createInitializeMint2Instruction(mint.publicKey, 9, mintAuthority.publicKey, null)
    ], [payer(), mint], 'the CYXWIZ mint')

    const stranger = Keypair.generate()
    await mustSend(bank, [SystemProgram.transfer({ fromPubkey: payer().publicKey, toPubkey: stranger.publicKey, lamports: LAMPORTS_PER_SOL })], [payer()], 'funding a stranger')
    const params = configParamsFromProtocol()
    expectError(await send(bank, [initializeConfig({ admin: stranger.publicKey, mint: mint.publicKey }, params, pid)], [stranger]), 'NotUpgradeAuthority')
    await mustSend(bank, [initializeConfig({ admin: admin.publicKey, mint: mint.publicKey }, params, pid)], [admin], 'initialize_config')
    const config = decodeConfig(await data(bank, configPda(pid).address))
    assert.equal(config.admin.toBase58(), admin.publicKey.toBase58())
    assert.equal(config.mint.toBase58(), mint.publicKey.toBase58())
    assert.deepEqual(config.params, params)
  })

  it('register_node stakes the worker\'s tokens', async () => {
    worker = await wallet(100n)
    client = await wallet(1_000n)
    await mustSend(bank, [registerNode({ owner: worker.kp.publicKey, ownerToken: worker.token }, minStake, pid)], [worker.kp], 'register_node')
    const node = decodeNode(await data(bank, nodePda(pid, worker.kp.publicKey).address))
    assert.equal(node.stake, minStake)
    assert.equal(await tokenBalance(bank, worker.token), 100n * TOKEN - minStake)
    assert.equal(await tokenBalance(bank, vaultPda(pid, 'stake').address), minStake)
  })

  it('a job: create_escrow, accept_job, anchor_progress epoch by epoch, submit_delivery, complete pays the worker its split', async () => {
    const amount = 5n * TOKEN + 3n
    const escrow = await acceptedEscrow(1n, amount)
    const run = floatRun(10)
    await anchorEpochs(escrow, run)
    // An epoch anchored again is refused (monotonic, no replay).
    expectError(await send(bank, [anchorProgress({ worker: worker.kp.publicKey, escrow }, 10, run.root, pid)], [worker.kp]), 'InvalidEpoch')
    await mustSend(bank, [submitDelivery({ worker: worker.kp.publicKey, escrow }, deliveryArgs(run), pid)], [worker.kp], 'submit_delivery')
    const delivered = await escrowAccount(escrow)
    assert.equal(delivered.delivered, 1)
    assert.deepEqual(delivered.finalWeightsHash, run.weights)

    const node = decodeNode(await data(bank, nodePda(pid, worker.kp.publicKey).address))
    const split = settlementSplit(amount, reputationTier(node.reputation).name)
    const [workerBefore, platformBefore] = [await tokenBalance(bank, worker.token), await tokenBalance(bank, vaultPda(pid, 'platform').address)]
    await mustSend(bank, [complete({ client: client.kp.publicKey, escrow, worker: worker.kp.publicKey, workerToken: worker.token }, hash('weights'), pid)], [client.kp], 'complete')
    assert.equal(await tokenBalance(bank, worker.token) - workerBefore, split.worker)
    assert.equal(await tokenBalance(bank, vaultPda(pid, 'platform').address) - platformBefore, split.platform)
    assert.equal(await tokenBalance(bank, escrowVaultPda(pid, escrow).address), 0n, 'the escrow vault is emptied')
    assert.equal((await escrowAccount(escrow)).state, ESCROW_STATE.completed)
    assert.equal(decodeNode(await data(bank, nodePda(pid, worker.kp.publicKey).address)).jobsCompleted, node.jobsCompleted + 1)
  })

  it('another job: claim_payment is refused while the challenge window is open, and pays the worker once it closed', async () => {
    const amount = 2n * TOKEN + 1n
    const escrow = await acceptedEscrow(2n, amount)
    const run = floatRun(10, 'second')
    await anchorEpochs(escrow, run)
    await mustSend(bank, [submitDelivery({ worker: worker.kp.publicKey, escrow }, deliveryArgs(run), pid)], [worker.kp], 'submit_delivery')
    const claim = claimPayment({ escrow, worker: worker.kp.publicKey, workerToken: worker.token }, pid)
    expectError(await send(bank, [claim], [worker.kp]), 'ChallengeWindowOpen')

    await warp(bank, BigInt(PROOF.challengeWindowSeconds))
    const node = decodeNode(await data(bank, nodePda(pid, worker.kp.publicKey).address))
    const split = settlementSplit(amount, reputationTier(node.reputation).name)
    const before = await tokenBalance(bank, worker.token)
    await mustSend(bank, [claimPayment({ escrow, worker: worker.kp.publicKey, workerToken: worker.token }, pid)], [worker.kp], 'claim_payment')
    assert.equal(await tokenBalance(bank, worker.token) - before, split.worker)
    assert.equal(await tokenBalance(bank, escrowVaultPda(pid, escrow).address), 0n, 'the escrow vault is emptied')
    assert.equal((await escrowAccount(escrow)).state, ESCROW_STATE.completed)
    expectError(await send(bank, [claimPayment({ escrow, worker: worker.kp.publicKey, workerToken: worker.token }, pid)], [worker.kp]), 'InvalidEscrowState')
  })
})
