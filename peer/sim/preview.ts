/**
 * The simulation preview: one process, no mesh yet. It runs the parts of a job's life that exist,
 * for real and end to end: the embedded ledger with the cyxwiz program served as Solana JSON-RPC
 * (driven through an ordinary web3.js Connection, as separate peers will drive it), the CYXWIZ
 * mint, a staked worker, a priced job escrowed on-chain, training with onnxruntime-node, the
 * checkpoint chain and its Merkle root, the client's re-execution spot checks, and payment 90/10
 * by the program. Balances are read before and after and must reconcile to the base unit.
 *
 * What it does not do yet (and says so in its output): separate peer processes, the libp2p
 * auction and job protocol, Helia evidence, zero-knowledge proofs, failure scenarios.
 */
import { createHash } from 'node:crypto'
import { Connection, Keypair, LAMPORTS_PER_SOL, PublicKey, Transaction, sendAndConfirmTransaction, type TransactionInstruction } from '@solana/web3.js'
import { createMint, getMint, getOrCreateAssociatedTokenAccount, mintTo, getAccount } from '@solana/spl-token'
import {
  CYXWIZ_PROGRAM_ID, EmbeddedLedger, LedgerRpcServer, PROGRAM_SO_PATH, complete, configParamsFromProtocol, createEscrow,
  escrowPda, escrowVaultPda, initializeConfig, registerNode, vaultPda, decodeEscrow, ESCROW_STATE
} from '../../chain/index.js'
import {
  CheckpointChain, MerkleTree, UNITS_PER_TOKEN, formatTokens, minimumRegistrationStake, quoteJobPrice,
  selectSpotChecks, settlementSplit, stateHash, wire
} from '../../protocols/index.js'
import {
  Trainer, checkpointStateTensors, generateSpirals, reexecuteSegment, train, trainingSpecFromWire,
  type Checkpoint, type TrainingState
} from '../train/index.js'

export interface PreviewOptions {
  readonly epochs: number
  readonly seed: number
  readonly spotChecks: number
  readonly log: (line: string) => void
}

export interface PreviewReport {
  readonly scenario: 'preview'
  readonly notYet: readonly string[]
  readonly jobs: ReadonlyArray<{
    id: string
    tier: 'optimistic'
    state: string
    worker: string
    amount: string
    settlement: { worker: string, platform: string, refund: string }
    training: { epochs: number, testAccuracy: number, finalWeightsHash: string }
    proof: { merkleRoot: string, chainHead: string, spotChecks: { passed: number, total: number, segments: number[] } }
  }>
  readonly chain: { rpc: string, programId: string, transactions: ReadonlyArray<{ step: string, signature: string, computeUnits: number }> }
  readonly balances: Record<string, { before: string, after: string }>
  readonly supplyConserved: boolean
  readonly ok: boolean
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** Deterministic keypairs from the run's seed, so a run is reproducible. */
function keypair (seed: number, name: string): Keypair {
  return Keypair.fromSeed(createHash('sha256').update(`cyx-sim/${seed}/${name}`).digest())
}

function weightsHash (state: TrainingState): Uint8Array {
  return stateHash(checkpointStateTensors(state).slice(0, state.parameters.length))
}

export async function runPreview (opts: PreviewOptions): Promise<PreviewReport> {
  const log = opts.log
  const ledger = EmbeddedLedger.open({ programs: [{ programId: CYXWIZ_PROGRAM_ID.toBase58(), path: PROGRAM_SO_PATH }] })
  const server = new LedgerRpcServer(ledger)
  const rpc = await server.listen({ port: 0, wsOnNextPort: true })
  const connection = new Connection(rpc, 'confirmed')
  const transactions: Array<{ step: string, signature: string, computeUnits: number }> = []
  const send = async (step: string, ixs: TransactionInstruction[], signers: Keypair[]): Promise<void> => {
    const signature = await sendAndConfirmTransaction(connection, new Transaction().add(...ixs), signers, { commitment: 'confirmed' })
    transactions.push({ step, signature, computeUnits: ledger.getTransaction(signature)?.computeUnits ?? 0 })
  }
  try {
    log(`ledger: LiteSVM + cyxwiz program ${CYXWIZ_PROGRAM_ID.toBase58()} served at ${rpc}`)
    const admin = keypair(opts.seed, 'admin')
    const client = keypair(opts.seed, 'client')
    const worker = keypair(opts.seed, 'worker')
    for (const k of [admin, client, worker]) await connection.confirmTransaction(await connection.requestAirdrop(k.publicKey, 10 * LAMPORTS_PER_SOL))

    const mint = await createMint(connection, admin, admin.publicKey, null, 9, keypair(opts.seed, 'mint'), { commitment: 'confirmed' })
    await send('initialize_config', [initializeConfig({ admin: admin.publicKey, mint }, configParamsFromProtocol())], [admin])
    const clientToken = (await getOrCreateAssociatedTokenAccount(connection, admin, mint, client.publicKey)).address
    const workerToken = (await getOrCreateAssociatedTokenAccount(connection, admin, mint, worker.publicKey)).address
    await mintTo(connection, admin, mint, clientToken, admin, 100n * UNITS_PER_TOKEN)
    const stake = minimumRegistrationStake()
    await mintTo(connection, admin, mint, workerToken, admin, stake)
    log(`mint: CYXWIZ ${mint.toBase58()}; client funded with 100, worker with ${formatTokens(stake)} to stake`)
    await send('register_node', [registerNode({ owner: worker.publicKey, ownerToken: workerToken }, stake)], [worker])
    log(`worker ${worker.publicKey.toBase58()} registered with ${formatTokens(stake)} CYXWIZ staked`)

    const accounts = {
      client: clientToken,
      worker: workerToken,
      platform: vaultPda(CYXWIZ_PROGRAM_ID, 'platform').address,
      insurance: vaultPda(CYXWIZ_PROGRAM_ID, 'insurance').address,
      stake: vaultPda(CYXWIZ_PROGRAM_ID, 'stake').address
    }
    const balanceOf = async (a: PublicKey): Promise<bigint> => (await getAccount(connection, a)).amount
    const before: Record<string, bigint> = {}
    for (const [k, a] of Object.entries(accounts)) before[k] = await balanceOf(a)
    const supplyBefore = (await getMint(connection, mint)).supply

    // The job: spirals (16-D, 3 classes), a 16-32-3 MLP in float32, one checkpoint per epoch.
    const dataset = generateSpirals()
    const wireSpec: wire.TrainingSpec = {
      layers: [16, 32, 3],
      mode: wire.NumericMode.FLOAT32,
      fracBits: 0,
      datasetId: dataset.id,
      datasetHash: Uint8Array.from(Buffer.from(dataset.contentHash, 'hex')),
      datasetBytes: BigInt(dataset.train.count + dataset.test.count) * 17n * 4n,
      epochs: opts.epochs,
      batchSize: 32,
      learningRateMicros: 50_000,
      momentumMicros: 900_000,
      seed: BigInt(opts.seed),
      tier: wire.VerificationTier.TIER_OPTIMISTIC,
      stepsPerSegment: 0,
      backend: wire.FloatBackend.BACKEND_NATIVE
    }
    const specHash = wire.specHash(wireSpec)
    const spec = trainingSpecFromWire(wireSpec)
    const estimatedSeconds = 60
    const quote = quoteJobPrice({ compute: 'cpu', ramGb: 1, vramGb: 0, durationSeconds: estimatedSeconds, priority: 'normal', workerTier: 'Bronze' })
    const jobId = Uint8Array.from(createHash('sha256').update(`cyx-sim/${opts.seed}/job/1`).digest())
    const nonce = 1n
    const escrow = escrowPda(CYXWIZ_PROGRAM_ID, client.publicKey, nonce).address
    await send('create_escrow', [createEscrow({ client: client.publicKey, clientToken, mint, worker: worker.publicKey }, {
      nonce, jobId, amount: quote.price, specHash, estimatedSeconds: BigInt(estimatedSeconds), timeoutSecs: 86_400n
    })], [client])
    log(`job ${hex(jobId)}: priced ${formatTokens(quote.price)} CYXWIZ (${formatTokens(quote.unrounded)} before rounding), escrowed at ${escrow.toBase58()}`)

    // The worker checks the escrow before it starts anything.
    const onChain = decodeEscrow((await connection.getAccountInfo(escrow))?.data ?? new Uint8Array())
    if (!onChain.worker.equals(worker.publicKey) || onChain.amount !== quote.price || hex(onChain.specHash) !== hex(specHash) || onChain.state !== ESCROW_STATE.funded) {
      throw new Error('the escrow on-chain does not match the job')
    }
    const escrowBalance = await balanceOf(escrowVaultPda(CYXWIZ_PROGRAM_ID, escrow).address)

    // Training, with a checkpoint chain over every segment.
    const chain = new CheckpointChain(specHash)
    let epoch = 0
    const run = await train(spec, dataset, {
      onCheckpoint: (c: Checkpoint) => {
        epoch = c.segment.index
        chain.append(stateHash(checkpointStateTensors(c.state)), { epoch: c.segment.index, steps: c.metrics.step, loss: c.metrics.trainLoss, accuracy: c.metrics.trainAccuracy }, Date.now())
        log(`  epoch ${epoch}/${opts.epochs}: loss ${c.metrics.trainLoss.toFixed(4)}, test accuracy ${(c.metrics.testAccuracy * 100).toFixed(2)} %`)
      }
    })
    const tree = new MerkleTree(chain.checkpoints.map((c) => c.hash))
    const finalHash = weightsHash(run.final)
    const last = run.checkpoints.at(-1) as Checkpoint

    // The client's spot checks: re-execute k segments chosen by a seed the worker did not know
    // while training, and compare bit for bit under a matching determinism profile.
    const challenge = createHash('sha256').update(`cyx-sim/${opts.seed}/challenge`).update(chain.head).digest()
    const segments = selectSpotChecks(challenge, run.checkpoints.length, opts.spotChecks)
    const verifier = await Trainer.open(spec, dataset)
    let passed = 0
    try {
      for (const e of segments) {
        const beforeState = e === 1 ? run.initial : (run.checkpoints[e - 2] as Checkpoint).state
        const check = await reexecuteSegment(verifier, run.profile, beforeState, run.checkpoints[e - 1] as Checkpoint)
        const linkOk = Buffer.compare(chain.hashAt(e), chain.checkpoints[e - 1]?.hash ?? new Uint8Array()) === 0
        if (check.judged && check.passed && linkOk) passed++
        log(`  spot check segment ${e}: ${check.judged ? (check.passed ? 'passed' : `FAILED (${check.reasons.join('; ')})`) : `not judged (${check.reasons.join('; ')})`}`)
      }
    } finally {
      await verifier.close()
    }
    const weightsOk = hex(finalHash) === hex(weightsHash(last.state))
    const allPassed = passed === segments.length && weightsOk

    let state = 'delivered'
    if (allPassed) {
      await send('complete', [complete({ client: client.publicKey, escrow, worker: worker.publicKey, workerToken }, finalHash)], [client])
      state = 'completed'
      log(`client accepted weights ${hex(finalHash).slice(0, 16)}…; the program paid the worker and the platform`)
    } else {
      log('spot checks failed: the client does not sign complete')
    }

    const after: Record<string, bigint> = {}
    for (const [k, a] of Object.entries(accounts)) after[k] = await balanceOf(a)
    const supplyAfter = (await getMint(connection, mint)).supply
    const expected = settlementSplit(quote.price, 'Bronze')
    const reconciles = state === 'completed' &&
      after.client === (before.client as bigint) - quote.price &&
      after.worker === (before.worker as bigint) + expected.worker &&
      after.platform === (before.platform as bigint) + expected.platform &&
      after.stake === before.stake && escrowBalance === quote.price
    const supplyConserved = supplyBefore === supplyAfter
    const balances: Record<string, { before: string, after: string }> = {}
    for (const k of Object.keys(accounts)) balances[k] = { before: String(before[k]), after: String(after[k]) }
    return {
      scenario: 'preview',
      notYet: ['separate peer processes and the libp2p auction/job protocol', 'Helia evidence', 'zk tier (Groth16 on-chain)', 'failure scenarios'],
      jobs: [{
        id: hex(jobId),
        tier: 'optimistic',
        state,
        worker: worker.publicKey.toBase58(),
        amount: String(quote.price),
        settlement: { worker: String((after.worker as bigint) - (before.worker as bigint)), platform: String((after.platform as bigint) - (before.platform as bigint)), refund: '0' },
        training: { epochs: run.checkpoints.length, testAccuracy: last.metrics.testAccuracy, finalWeightsHash: hex(finalHash) },
        proof: { merkleRoot: hex(tree.root), chainHead: hex(chain.head), spotChecks: { passed, total: segments.length, segments } }
      }],
      chain: { rpc, programId: CYXWIZ_PROGRAM_ID.toBase58(), transactions },
      balances,
      supplyConserved,
      ok: reconciles && supplyConserved
    }
  } finally {
    await server.close()
    ledger.close()
  }
}
