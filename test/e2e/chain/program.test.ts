/**
 * The cyxwiz program as real SBF bytecode in LiteSVM, with the real SPL Token program:
 * initialize_config, register_node, create_escrow, complete — the happy paths, and the wrong
 * signer / PDA / mint / owner / state of each. Compute units of every successful instruction are
 * printed once at the end.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { Keypair, PublicKey, SystemProgram } from '@solana/web3.js'
import { TOKEN_PROGRAM_ID } from '@solana/spl-token'
import {
  ACCOUNT_SIZE, ESCROW_STATE, NODE, NODE_STATUS, accountDiscriminator, complete, createEscrow, decodeConfig, decodeEscrow,
  decodeNode, escrowPda, escrowVaultPda, eventDiscriminator, fieldOffset, initializeConfig, instructionDiscriminator,
  nodePda, parseEvents, programDataPda, registerNode, configPda, vaultPda, U64_MAX, type ConfigParams
} from '../../../chain/client/index.js'
import { STAKE_TIERS, SETTLEMENT, STAKE_LOCK } from '../../../protocols/index.js'
import { TOKEN, World, computeUnits, expectError, program, record, withAccount } from '../../fixtures/world.js'

describe('chain/program: the cyxwiz program as SBF in LiteSVM', () => {
  before(function () {
    this.timeout(600_000) // a clean build takes 15-25 s on 2 cores; an up-to-date one, milliseconds
    program()
  })

  after(() => {
    const line = [...computeUnits].map(([k, v]) => `${k} ${v} CU`).join(', ')
    console.log(`      compute units so far: ${line}`)
  })

  describe('discriminators and layouts', () => {
    it('instruction discriminators are sha256("global:<name>")[..8] (the program dispatches on them)', () => {
      const expected = createHash('sha256').update('global:register_node').digest().subarray(0, 8)
      assert.deepEqual(Buffer.from(instructionDiscriminator('register_node')), expected)
      // An unknown discriminator reaches the program's fallback.
      const w = new World()
      const ix = registerNode({ owner: w.admin.publicKey, ownerToken: w.mint }, 1n, w.pid)
      ix.data = Buffer.from([...instructionDiscriminator('no_such_instruction'), ...ix.data.subarray(8)])
      expectError(w.ledger.send([ix], [w.admin]), 'InstructionFallbackNotFound')
      const short = registerNode({ owner: w.admin.publicKey, ownerToken: w.mint }, 1n, w.pid)
      short.data = short.data.subarray(0, 4)
      expectError(w.ledger.send([short], [w.admin]), 'InstructionMissing')
    })
  })

  describe('initialize_config', () => {
    it('creates Config and the three vaults from protocols/params.ts', () => {
      const w = new World()
      const res = w.ledger.send([initializeConfig({ admin: w.admin.publicKey, mint: w.mint }, w.params, w.pid)], [w.admin])
      record('initialize_config', res)
      const config = w.ledger.account(configPda(w.pid).address)
      assert.ok(config)
      assert.ok(config.owner.equals(w.pid))
      assert.equal(config.data.length, ACCOUNT_SIZE.Config)
      assert.equal(config.data.length, 608)
      assert.deepEqual(config.data.subarray(0, 8), accountDiscriminator('Config'))
      const c = decodeConfig(config.data)
      assert.ok(c.admin.equals(w.admin.publicKey))
      assert.ok(c.mint.equals(w.mint))
      assert.deepEqual(c.params, w.params, 'every parameter stored as sent')
      assert.equal(c.params.stakeTierMinStake[0], STAKE_TIERS[0]?.minStake)
      assert.equal(c.params.platformFeeBps, SETTLEMENT.platformFeeBps)
      assert.equal(c.mintDecimals, 9)
      assert.equal(c.bump, configPda(w.pid).bump)
      for (const kind of ['platform', 'insurance', 'stake'] as const) {
        const vault = vaultPda(w.pid, kind).address
        const key = kind === 'platform' ? c.platformVault : kind === 'insurance' ? c.insuranceVault : c.stakeVault
        assert.ok(key.equals(vault), `${kind} vault recorded`)
        const acc = w.ledger.account(vault)
        assert.ok(acc !== null && acc.owner.equals(TOKEN_PROGRAM_ID), `${kind} vault is an SPL token account`)
        assert.ok(new PublicKey(acc.data.subarray(0, 32)).equals(w.mint), `${kind} vault holds CYXWIZ`)
        assert.ok(w.ledger.tokenAuthority(vault).equals(configPda(w.pid).address), `${kind} vault's authority is Config`)
      }
      const events = parseEvents(res.logs)
      assert.equal(events.length, 1)
      assert.equal(events[0]?.name, 'ConfigInitialized')
      assert.ok((events[0]?.data.admin as PublicKey).equals(w.admin.publicKey))
      const dataLine = res.logs.find(l => l.startsWith('Program data: '))
      assert.ok(dataLine)
      assert.deepEqual(Buffer.from(dataLine.slice(14), 'base64').subarray(0, 8), Buffer.from(eventDiscriminator('ConfigInitialized')))
    })

    it('refuses an admin that did not sign', () => {
      const w = new World()
      const payer = w.ledger.fundedKeypair()
      const ix = initializeConfig({ admin: w.admin.publicKey, mint: w.mint }, w.params, w.pid)
      withAccount(ix, 0, w.admin.publicKey, { isSigner: false })
      expectError(w.ledger.send([ix], [payer]), 'AccountNotSigner')
    })

    it('refuses a config address that is not the ["config"] PDA', () => {
      const w = new World()
      const ix = initializeConfig({ admin: w.admin.publicKey, mint: w.mint, config: nodePda(w.pid, w.admin.publicKey).address }, w.params, w.pid)
      expectError(w.ledger.send([ix], [w.admin]), 'ConstraintSeeds')
      const swapped = initializeConfig({ admin: w.admin.publicKey, mint: w.mint, stakeVault: vaultPda(w.pid, 'insurance').address, insuranceVault: vaultPda(w.pid, 'stake').address }, w.params, w.pid)
      expectError(w.ledger.send([swapped], [w.admin]), 'ConstraintSeeds')
    })

    it('refuses a mint with other than 9 decimals, and a mint not owned by the Token program', () => {
      const w = new World()
      const sixDecimals = w.ledger.createMint(w.mintAuthority.publicKey, 6)
      expectError(w.ledger.send([initializeConfig({ admin: w.admin.publicKey, mint: sixDecimals }, w.params, w.pid)], [w.admin]), 'ConstraintMintDecimals')
      // A byte-for-byte copy of the real mint, owned by the System program instead.
      const real = w.ledger.account(w.mint)
      assert.ok(real)
      const fake = Keypair.generate().publicKey
      w.ledger.setAccount(fake, { ...real, owner: SystemProgram.programId })
      expectError(w.ledger.send([initializeConfig({ admin: w.admin.publicKey, mint: fake }, w.params, w.pid)], [w.admin]), 'AccountOwnedByWrongProgram')
    })

    it('refuses anyone but the program\'s upgrade authority (issue 18): a stranger racing the deployer, a forged ProgramData, an immutable program', () => {
      const w = new World()
      const stranger = w.ledger.fundedKeypair()
      expectError(w.ledger.send([initializeConfig({ admin: stranger.publicKey, mint: w.mint }, w.params, w.pid)], [stranger]), 'NotUpgradeAuthority')
      // A look-alike ProgramData naming the stranger, at another address or not owned by the loader.
      const real = w.ledger.account(programDataPda(w.pid).address)
      assert.ok(real)
      const forged = Uint8Array.from(real.data)
      forged.set(stranger.publicKey.toBytes(), 13)
      const elsewhere = Keypair.generate().publicKey
      w.ledger.setAccount(elsewhere, { ...real, data: forged })
      expectError(w.ledger.send([initializeConfig({ admin: stranger.publicKey, mint: w.mint, programData: elsewhere }, w.params, w.pid)], [stranger]), 'NotUpgradeAuthority')
      w.ledger.setAccount(programDataPda(w.pid).address, { ...real, data: forged, owner: SystemProgram.programId })
      expectError(w.ledger.send([initializeConfig({ admin: stranger.publicKey, mint: w.mint }, w.params, w.pid)], [stranger]), 'NotUpgradeAuthority')
      w.ledger.setAccount(programDataPda(w.pid).address, real)
      // Made immutable before initialisation: nobody can initialise it, the deployer included.
      w.ledger.embedded.setUpgradeAuthority(w.pid.toBase58(), undefined)
      expectError(w.ledger.send([initializeConfig({ admin: w.admin.publicKey, mint: w.mint }, w.params, w.pid)], [w.admin]), 'NotUpgradeAuthority')
      assert.equal(w.ledger.account(configPda(w.pid).address), null, 'no Config was created')
      w.ledger.embedded.setUpgradeAuthority(w.pid.toBase58(), w.admin.publicKey.toBase58())
      w.initialize()
    })

    it('refuses a mint with a freeze authority (its holder could freeze every vault)', () => {
      const w = new World()
      const freezable = w.ledger.createMint(w.mintAuthority.publicKey, 9, undefined, w.mintAuthority.publicKey)
      expectError(w.ledger.send([initializeConfig({ admin: w.admin.publicKey, mint: freezable }, w.params, w.pid)], [w.admin]), 'MintHasFreezeAuthority')
    })

    it('refuses inconsistent parameters, a second initialisation, and a wrong Token program', () => {
      const w = new World()
      const bad: ConfigParams = { ...w.params, platformFeeBps: 10_001 }
      expectError(w.ledger.send([initializeConfig({ admin: w.admin.publicKey, mint: w.mint }, bad, w.pid)], [w.admin]), 'InvalidParameters')
      const unordered: ConfigParams = { ...w.params, stakeTierMinStake: [5n, 4n, 6n, 7n] }
      expectError(w.ledger.send([initializeConfig({ admin: w.admin.publicKey, mint: w.mint }, unordered, w.pid)], [w.admin]), 'InvalidParameters')
      const wrongProgram = withAccount(initializeConfig({ admin: w.admin.publicKey, mint: w.mint }, w.params, w.pid), 7, w.pid, { isWritable: false })
      expectError(w.ledger.send([wrongProgram], [w.admin]), 'InvalidProgramId')
      w.initialize()
      const again = w.ledger.send([initializeConfig({ admin: w.admin.publicKey, mint: w.mint }, w.params, w.pid)], [w.admin])
      expectError(again, 'AccountAlreadyInitialized')
    })
  })

  describe('register_node', () => {
    const minStake = STAKE_TIERS[0]?.minStake ?? 0n

    it('creates the Node PDA and moves the stake into the stake vault by CPI', () => {
      const w = new World()
      w.initialize()
      const worker = w.wallet(100n)
      const before = w.ledger.unixTime()
      const res = w.register(worker, minStake)
      record('register_node', res)
      const node = w.ledger.account(nodePda(w.pid, worker.kp.publicKey).address)
      assert.ok(node !== null && node.owner.equals(w.pid))
      assert.equal(node.data.length, ACCOUNT_SIZE.Node)
      const n = decodeNode(node.data)
      assert.ok(n.owner.equals(worker.kp.publicKey))
      assert.equal(n.stake, minStake)
      assert.equal(n.registeredAt, before)
      assert.equal(n.lockUntil, before + BigInt(STAKE_LOCK.minLockSeconds))
      assert.equal(n.status, NODE_STATUS.active)
      assert.equal(n.reputation, 0)
      assert.equal(n.bump, nodePda(w.pid, worker.kp.publicKey).bump)
      assert.equal(w.ledger.tokenBalance(worker.token), 100n * TOKEN - minStake)
      assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'stake').address), minStake)
      const c = decodeConfig(w.ledger.account(configPda(w.pid).address)?.data ?? new Uint8Array())
      assert.equal(c.totalStaked, minStake)
      assert.equal(c.nodeCount, 1n)
      const [ev] = parseEvents(res.logs)
      assert.equal(ev?.name, 'NodeRegistered')
      assert.equal(ev?.data.stake, minStake)
      assert.ok((ev?.data.node as PublicKey).equals(nodePda(w.pid, worker.kp.publicKey).address))
    })

    it('refuses a stake below the smallest tier minimum', () => {
      const w = new World()
      w.initialize()
      expectError(w.register(w.wallet(100n), minStake - 1n), 'StakeBelowMinimum')
    })

    it('refuses an owner that did not sign', () => {
      const w = new World()
      w.initialize()
      const worker = w.wallet(100n)
      const ix = withAccount(registerNode({ owner: worker.kp.publicKey, ownerToken: worker.token }, minStake, w.pid), 0, worker.kp.publicKey, { isSigner: false })
      expectError(w.ledger.send([ix], [w.ledger.payer]), 'AccountNotSigner')
    })

    it('refuses a node address that is not ["node", owner]', () => {
      const w = new World()
      w.initialize()
      const worker = w.wallet(100n)
      const other = Keypair.generate().publicKey
      const ix = registerNode({ owner: worker.kp.publicKey, ownerToken: worker.token, node: nodePda(w.pid, other).address }, minStake, w.pid)
      expectError(w.ledger.send([ix], [worker.kp]), 'ConstraintSeeds')
    })

    it('refuses a token account of another mint', () => {
      const w = new World()
      w.initialize()
      const worker = w.wallet(0n)
      const otherMint = w.ledger.createMint(w.mintAuthority.publicKey, 9)
      const otherToken = w.ledger.createTokenAccount(otherMint, worker.kp.publicKey)
      w.ledger.mintTo(otherMint, otherToken, w.mintAuthority, 100n * TOKEN)
      expectError(w.ledger.send([registerNode({ owner: worker.kp.publicKey, ownerToken: otherToken }, minStake, w.pid)], [worker.kp]), 'ConstraintTokenMint')
    })

    it('refuses a token account of another owner, and a Config not owned by the program', () => {
      const w = new World()
      w.initialize()
      const worker = w.wallet(0n)
      const victim = w.wallet(100n)
      expectError(w.ledger.send([registerNode({ owner: worker.kp.publicKey, ownerToken: victim.token }, minStake, w.pid)], [worker.kp]), 'ConstraintTokenOwner')
      // A copy of the real Config under another owner must not pass for it.
      const real = w.ledger.account(configPda(w.pid).address)
      assert.ok(real)
      const fake = Keypair.generate().publicKey
      w.ledger.setAccount(fake, { ...real, owner: SystemProgram.programId })
      const own = w.wallet(100n)
      expectError(w.ledger.send([registerNode({ owner: own.kp.publicKey, ownerToken: own.token, config: fake }, minStake, w.pid)], [own.kp]), 'AccountOwnedByWrongProgram')
    })

    it('refuses a stake vault other than the one in Config, and a second registration', () => {
      const w = new World()
      w.initialize()
      const worker = w.wallet(200n)
      const ix = registerNode({ owner: worker.kp.publicKey, ownerToken: worker.token, stakeVault: vaultPda(w.pid, 'insurance').address }, minStake, w.pid)
      expectError(w.ledger.send([ix], [worker.kp]), 'ConstraintAddress')
      record('register_node', w.register(worker, minStake))
      expectError(w.register(worker, minStake), 'AccountAlreadyInitialized')
    })

    it('still registers when someone pre-funded the Node address (no griefing by a lamport transfer)', () => {
      const w = new World()
      w.initialize()
      const worker = w.wallet(100n)
      const node = nodePda(w.pid, worker.kp.publicKey).address
      w.ledger.airdrop(node, 1_000_000n) // rent-exempt for an empty account, below a Node's rent
      const res = w.register(worker, minStake)
      assert.ok(res.ok, res.logs.join('\n'))
      assert.equal(decodeNode(w.ledger.account(node)?.data ?? new Uint8Array()).stake, minStake)
    })
  })

  describe('create_escrow and complete', () => {
    const minStake = STAKE_TIERS[0]?.minStake ?? 0n
    const hash = (s: string): Uint8Array => new Uint8Array(createHash('sha256').update(s).digest())

    function setup (): { w: World, worker: { kp: Keypair, token: PublicKey }, client: { kp: Keypair, token: PublicKey } } {
      const w = new World()
      w.initialize()
      const worker = w.wallet(100n)
      record('register_node', w.register(worker, minStake))
      const client = w.wallet(100n)
      return { w, worker, client }
    }

    const escrowArgs = (nonce: bigint, amount: bigint) => ({
      nonce, jobId: hash(`job-${nonce}`), amount, specHash: hash('spec'), estimatedSeconds: 3_600n, timeoutSecs: 86_400n
    })

    it('locks the payment in a PDA vault, then pays 90 % to the worker and 10 % to the platform', () => {
      const { w, worker, client } = setup()
      const amount = 5n * TOKEN
      const res = w.ledger.send([createEscrow({ client: client.kp.publicKey, clientToken: client.token, mint: w.mint, worker: worker.kp.publicKey }, escrowArgs(1n, amount), w.pid)], [client.kp])
      record('create_escrow', res)
      const escrow = escrowPda(w.pid, client.kp.publicKey, 1n).address
      const vault = escrowVaultPda(w.pid, escrow).address
      assert.equal(w.ledger.tokenBalance(vault), amount)
      assert.ok(w.ledger.tokenAuthority(vault).equals(configPda(w.pid).address))
      assert.equal(w.ledger.tokenBalance(client.token), 95n * TOKEN)
      const e = decodeEscrow(w.ledger.account(escrow)?.data ?? new Uint8Array())
      assert.ok(e.client.equals(client.kp.publicKey))
      assert.ok(e.worker.equals(worker.kp.publicKey))
      assert.equal(e.amount, amount)
      assert.equal(e.state, ESCROW_STATE.funded)
      assert.equal(e.deadline, e.createdAt + 86_400n)
      assert.deepEqual(e.jobId, hash('job-1'))
      assert.equal(e.accepted, 0)
      // An offer: the worker's record is untouched until it accepts.
      assert.equal(decodeNode(w.ledger.account(nodePda(w.pid, worker.kp.publicKey).address)?.data ?? new Uint8Array()).jobsActive, 0)
      assert.equal(parseEvents(res.logs)[0]?.name, 'EscrowCreated')
      w.ledger.warp(100n)
      w.accept(worker, escrow)
      const accepted = decodeEscrow(w.ledger.account(escrow)?.data ?? new Uint8Array())
      assert.equal(accepted.accepted, 1)
      assert.equal(accepted.acceptedAt, e.createdAt + 100n)
      assert.equal(accepted.deadline, accepted.acceptedAt + 86_400n, 'the deadline counts from the acceptance')
      assert.equal(decodeNode(w.ledger.account(nodePda(w.pid, worker.kp.publicKey).address)?.data ?? new Uint8Array()).jobsActive, 1)

      // The client pays only a delivery the program checked (submit_delivery), for those weights.
      const pay = (weights: Uint8Array): ReturnType<typeof w.ledger.send> => w.ledger.send([complete({ client: client.kp.publicKey, escrow, worker: worker.kp.publicKey, workerToken: worker.token }, weights, w.pid)], [client.kp])
      expectError(pay(hash('weights')), 'NotDelivered')
      w.deliver(worker, escrow)
      expectError(pay(hash('other weights')), 'WeightsHashMismatch')
      const done = pay(hash('weights'))
      record('complete', done)
      const fee = amount * BigInt(SETTLEMENT.platformFeeBps) / 10_000n
      assert.equal(w.ledger.tokenBalance(worker.token), 100n * TOKEN - minStake + amount - fee)
      assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address), fee)
      assert.equal(w.ledger.tokenBalance(vault), 0n)
      const after = decodeEscrow(w.ledger.account(escrow)?.data ?? new Uint8Array())
      assert.equal(after.state, ESCROW_STATE.completed)
      assert.deepEqual(after.finalWeightsHash, hash('weights'))
      const n = decodeNode(w.ledger.account(nodePda(w.pid, worker.kp.publicKey).address)?.data ?? new Uint8Array())
      assert.equal(n.jobsActive, 0)
      assert.equal(n.jobsCompleted, 1)
      assert.equal(n.totalEarned, amount - fee)
      const [ev] = parseEvents(done.logs)
      assert.equal(ev?.name, 'PaymentReleased')
      assert.equal(ev?.data.workerAmount, amount - fee)
      assert.equal(ev?.data.platformFee, fee)

      // Replay: a completed escrow cannot pay twice.
      const replay = w.ledger.send([complete({ client: client.kp.publicKey, escrow, worker: worker.kp.publicKey, workerToken: worker.token }, hash('weights'), w.pid)], [client.kp])
      expectError(replay, 'InvalidEscrowState')
    })

    it('refuses complete by anyone but the escrow client, and payment to another wallet', () => {
      const { w, worker, client } = setup()
      w.ledger.mustSend([createEscrow({ client: client.kp.publicKey, clientToken: client.token, mint: w.mint, worker: worker.kp.publicKey }, escrowArgs(7n, 2n * TOKEN), w.pid)], [client.kp])
      const escrow = escrowPda(w.pid, client.kp.publicKey, 7n).address
      w.accept(worker, escrow)
      const intruder = w.wallet(0n)
      w.deliver(worker, escrow, hash('w'))
      expectError(w.ledger.send([complete({ client: intruder.kp.publicKey, escrow, worker: worker.kp.publicKey, workerToken: worker.token }, hash('w'), w.pid)], [intruder.kp]), 'ConstraintHasOne')
      expectError(w.ledger.send([complete({ client: client.kp.publicKey, escrow, worker: worker.kp.publicKey, workerToken: intruder.token }, hash('w'), w.pid)], [client.kp]), 'ConstraintTokenOwner')
    })

    it('refuses a job larger than the worker\'s stake or reputation tier allows, self-dealing, and a wrong escrow PDA', () => {
      const { w, worker, client } = setup()
      const base = { client: client.kp.publicKey, clientToken: client.token, mint: w.mint, worker: worker.kp.publicKey }
      // 10 tokens: stake tier 2 needs 200 staked (the worker has 50).
      expectError(w.ledger.send([createEscrow(base, escrowArgs(1n, 10n * TOKEN), w.pid)], [client.kp]), 'InsufficientStakeForJob')
      // A worker with enough stake but reputation 0 (Bronze: jobs below 10 tokens only).
      const rich = w.wallet(1_000n)
      w.ledger.mustSend([registerNode({ owner: rich.kp.publicKey, ownerToken: rich.token }, 200n * TOKEN, w.pid)], [rich.kp])
      expectError(w.ledger.send([createEscrow({ ...base, worker: rich.kp.publicKey }, escrowArgs(2n, 10n * TOKEN), w.pid)], [client.kp]), 'ReputationTierTooLow')
      // The worker paying itself.
      expectError(w.ledger.send([createEscrow({ client: worker.kp.publicKey, clientToken: worker.token, mint: w.mint, worker: worker.kp.publicKey }, escrowArgs(3n, TOKEN), w.pid)], [worker.kp]), 'SelfDealing')
      // An escrow address for another nonce.
      const wrong = createEscrow({ ...base, escrow: escrowPda(w.pid, client.kp.publicKey, 99n).address }, escrowArgs(4n, TOKEN), w.pid)
      expectError(w.ledger.send([wrong], [client.kp]), 'ConstraintSeeds')
      expectError(w.ledger.send([createEscrow(base, escrowArgs(5n, 0n), w.pid)], [client.kp]), 'ZeroAmount')
      expectError(w.ledger.send([createEscrow(base, { ...escrowArgs(6n, TOKEN), timeoutSecs: 8n * 86_400n }, w.pid)], [client.kp]), 'InvalidTimeout')
      const otherMint = w.ledger.createMint(w.mintAuthority.publicKey, 9)
      expectError(w.ledger.send([createEscrow({ ...base, mint: otherMint }, escrowArgs(8n, TOKEN), w.pid)], [client.kp]), 'ConstraintAddress')
    })

    it('splits an amount near u64::MAX exactly (128-bit fee arithmetic), at the Diamond fee', () => {
      const { w, worker, client } = setup()
      // Make the worker Diamond with the top stake tier (stake is only read here). The score is
      // recomputed from the record by every instruction, so the record is what gets set: an
      // adjustment of +900 alone scores 900. The stored score is set too, for create_escrow's
      // tier check, which reads the score before the job is counted.
      w.patch(nodePda(w.pid, worker.kp.publicKey).address, (v) => {
        v.setBigUint64(8 + fieldOffset(NODE, 'stake'), STAKE_TIERS[3]?.minStake ?? 0n, true)
        v.setInt16(8 + fieldOffset(NODE, 'adjustment'), 900, true)
        v.setUint16(8 + fieldOffset(NODE, 'reputation'), 900, true)
      })
      const mintData = w.ledger.account(w.mint)?.data
      assert.ok(mintData)
      const supply = new DataView(mintData.buffer, mintData.byteOffset).getBigUint64(36, true)
      const amount = U64_MAX - supply // every token the mint can still issue
      w.ledger.mintTo(w.mint, client.token, w.mintAuthority, amount)
      w.ledger.mustSend([createEscrow({ client: client.kp.publicKey, clientToken: client.token, mint: w.mint, worker: worker.kp.publicKey }, escrowArgs(1n, amount), w.pid)], [client.kp])
      const escrow = escrowPda(w.pid, client.kp.publicKey, 1n).address
      w.accept(worker, escrow)
      const before = w.ledger.tokenBalance(worker.token)
      w.deliver(worker, escrow, hash('w'))
      w.ledger.mustSend([complete({ client: client.kp.publicKey, escrow, worker: worker.kp.publicKey, workerToken: worker.token }, hash('w'), w.pid)], [client.kp])
      const fee = amount * BigInt(SETTLEMENT.diamondPlatformFeeBps) / 10_000n
      assert.ok(amount * BigInt(SETTLEMENT.diamondPlatformFeeBps) > U64_MAX, 'the product really exceeds 64 bits')
      assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'platform').address), fee)
      assert.equal(w.ledger.tokenBalance(worker.token) - before, amount - fee)
    })
  })
})
