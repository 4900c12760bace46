/**
 * The Anchor IDL `chain/idl/cyxwiz.json`: the committed file equals the one generated from the
 * client's declarations (scripts/gen-idl.ts), and `@coral-xyz/anchor`'s `BorshAccountsCoder` /
 * `BorshEventCoder` decode, with that IDL, every account type and every event the program
 * produces in a scenario that touches all of them — to the same values as our own decoders.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import anchor, { type Idl } from '@coral-xyz/anchor'
import { Connection, Keypair, LAMPORTS_PER_SOL, PublicKey, Transaction, sendAndConfirmTransaction } from '@solana/web3.js'
import { createMint } from '@solana/spl-token'
import { EmbeddedLedger, LedgerRpcServer } from '../../../chain/rpc/index.js'
import {
  ACCOUNTS, EVENTS, INSTRUCTION_ACCOUNTS, accountDiscriminator, anchorProgress, cancel, decodeAccount, generateIdl,
  initializeConfig, instructionDiscriminator, openDispute, parseEvents, rateWorker, registerNode, requestUnstake,
  acceptJob, timeoutRefund, updateConfig, proposeAdmin, acceptAdmin, setGovernance, withdrawTreasury, drawJury, withdrawStake, escrowPda, configPda, configParamsFromProtocol,
  setVerifyingKey, drawChallenge, TIER, finalizeDispute, handOver,
  type AccountName, type Decoded
} from '../../../chain/client/index.js'
import { snakeCase } from '../../../chain/client/idl.js'
import { IDL_PATH, idlText } from '../../../scripts/gen-idl.js'
import { DISPUTE, ESCROW, PROOF, STAKE_TIERS } from '../../../protocols/index.js'
import { TOKEN, World, hash, program, type Wallet } from '../../fixtures/world.js'
import { Court } from './jury.js'

// Anchor is CommonJS; Node's ESM loader does not see its named exports.
const { BN, BorshAccountsCoder, BorshEventCoder } = anchor

/** A comparable form: bigints and BNs as decimal strings, keys as base58, bytes as number arrays, snake_case keys, no padding. */
function norm (v: unknown): unknown {
  if (typeof v === 'bigint' || typeof v === 'number') return String(v)
  if (BN.isBN(v)) return (v as { toString: () => string }).toString()
  if (v instanceof PublicKey) return v.toBase58()
  if (v instanceof Uint8Array) return [...v].map(String)
  if (Array.isArray(v)) return v.map(norm)
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) if (!k.startsWith('_')) out[snakeCase(k)] = norm(x)
    return out
  }
  return v
}

describe('chain/idl: the Anchor IDL', () => {
  before(function () {
    this.timeout(600_000)
    program()
  })

  it('the committed chain/idl/cyxwiz.json is the generated one (run scripts/gen-idl.ts after changing a layout)', () => {
    assert.equal(readFileSync(IDL_PATH, 'utf8'), idlText())
  })

  it('describes every instruction with its discriminator, accounts and arguments', () => {
    const idl = generateIdl()
    assert.equal(idl.instructions.length, Object.keys(INSTRUCTION_ACCOUNTS).length)
    const create = idl.instructions.find((i) => i.name === 'create_escrow')
    assert.ok(create)
    assert.deepEqual(create.discriminator, [...instructionDiscriminator('create_escrow')])
    assert.deepEqual(create.accounts.map((a) => a.name), ['client', 'config', 'worker_node', 'escrow', 'escrow_vault', 'client_token', 'mint', 'client_state', 'system_program', 'token_program', 'verifying_key'])
    // The key account a zk escrow pins is optional (the optimistic tier reads none).
    assert.deepEqual(create.accounts.at(-1), { name: 'verifying_key', optional: true })
    assert.deepEqual(create.args.map((a) => a.name), ['nonce', 'job_id', 'amount', 'spec_hash', 'estimated_seconds', 'timeout_secs', 'epochs_total', 'tier', 'circuit_id', 'data_commitment', 'challenge_commitment'])
    assert.deepEqual(idl.accounts?.find((a) => a.name === 'Node')?.discriminator, [...accountDiscriminator('Node')])
  })

  it('decodes every account type and every event of a full scenario with Anchor\'s coders', function () {
    this.timeout(60_000)
    const idl = JSON.parse(readFileSync(IDL_PATH, 'utf8')) as Idl
    const accounts = new BorshAccountsCoder(idl)
    const events = new BorshEventCoder(idl)
    const w = new World()
    const logs: string[] = []
    const run = (ix: Parameters<World['ledger']['mustSend']>[0], signers: Parameters<World['ledger']['mustSend']>[1]): void => {
      logs.push(...w.ledger.mustSend(ix, signers).logs)
    }
    run([initializeConfig({ admin: w.admin.publicKey, mint: w.mint }, w.params, w.pid)], [w.admin])
    const worker = w.wallet(300n)
    run([registerNode({ owner: worker.kp.publicKey, ownerToken: worker.token }, STAKE_TIERS[1]?.minStake ?? 0n, w.pid)], [worker.kp])
    const client = w.wallet(100n + DISPUTE.disputeBond / TOKEN)
    const owner = worker.kp.publicKey
    const create = (nonce: bigint, over = {}): PublicKey => {
      run([w.createEscrowIx(client, owner, w.escrowArgs(nonce, TOKEN, over))], [client.kp])
      const escrow = escrowPda(w.pid, client.kp.publicKey, nonce).address
      run([acceptJob({ worker: owner, escrow }, w.pid)], [worker.kp])
      return escrow
    }
    const e1 = create(1n)
    run([anchorProgress({ worker: owner, escrow: e1 }, 2, hash('root'), w.pid)], [worker.kp])
    w.deliver(worker as Wallet, e1)
    run([w.completeIx(client, worker as Wallet, e1)], [client.kp])
    run([rateWorker({ client: client.kp.publicKey, escrow: e1, worker: owner }, 4, w.pid)], [client.kp])
    const e2 = create(2n)
    run([cancel({ client: client.kp.publicKey, escrow: e2, worker: owner, workerToken: worker.token, clientToken: client.token }, w.pid)], [client.kp])
    const e3 = create(3n, { timeoutSecs: 600n, estimatedSeconds: 100n })
    w.ledger.warp(601n)
    run([timeoutRefund({ escrow: e3, worker: owner, clientToken: client.token, mint: w.mint }, w.pid)], [w.ledger.payer])
    // Failover: the worker stalls on e20 after one epoch; the client hands it over to a second node.
    const e20 = create(20n)
    run([anchorProgress({ worker: owner, escrow: e20 }, 1, hash('root'), w.pid)], [worker.kp])
    const second = w.wallet(100n)
    run([registerNode({ owner: second.kp.publicKey, ownerToken: second.token }, STAKE_TIERS[0]?.minStake ?? 0n, w.pid)], [second.kp])
    w.ledger.warp(BigInt(ESCROW.noProgressTimeoutSeconds) + 1n)
    run([handOver({ client: client.kp.publicKey, escrow: e20, worker: owner, workerToken: worker.token, mint: w.mint }, 1, second.kp.publicKey, w.pid)], [client.kp])
    // Three staked jurors (with the worker's stake, 7 × 200 ≥ the total: all drawn each round).
    const jurors = [w.wallet(300n), w.wallet(300n), w.wallet(300n)]
    for (const j of jurors) run([registerNode({ owner: j.kp.publicKey, ownerToken: j.token }, STAKE_TIERS[1]?.minStake ?? 0n, w.pid)], [j.kp])
    const e4 = create(4n)
    run([openDispute({ claimant: client.kp.publicKey, claimantToken: client.token, escrow: e4, mint: w.mint }, 'bafy-evidence', w.pid)], [client.kp])
    const court = new Court(w, e4)
    const jurorRound = (voting: readonly Wallet[]): void => {
      court.toCommit()
      w.nextSlot()
      run([drawJury({ dispute: court.dispute }, w.pid)], [w.ledger.payer])
      for (const j of voting) run([court.commitIx(j, 'client')], [j.kp])
      court.toReveal()
      for (const j of voting) run([court.revealIx(j, 'client')], [j.kp])
      court.toResolution()
      run([court.resolveIx()], [w.ledger.payer])
    }
    jurorRound(jurors.slice(0, 1)) // one reveal: redrawn
    jurorRound(jurors) // three for the client: the verdict
    run([finalizeDispute({ escrow: e4, worker: owner, clientToken: client.token, workerToken: worker.token, mint: w.mint }, w.pid)], [w.ledger.payer])
    run([court.withdrawIx(jurors[0] as Wallet, 0)], [w.ledger.payer]) // round 1's votes stay, for the account decode below
    run([updateConfig({ admin: w.admin.publicKey }, w.params, w.pid)], [w.admin])
    run([requestUnstake({ owner }, w.pid)], [worker.kp])
    w.ledger.warp(BigInt(86_400 * 90)) // past 30 days + 4 jobs × 7 days + the 14-day cooldown
    run([withdrawStake({ owner, ownerToken: worker.token }, w.pid)], [worker.kp])
    // The zk tier: a verifying key account (a well-formed blob; its points do not matter here) and a drawn challenge.
    const key = new Uint8Array(452 + 64 * 6)
    key[0] = 5
    for (const ix of setVerifyingKey({ admin: w.admin.publicKey }, 1, key, 400, w.pid)) run([ix], [w.admin])
    const worker2 = w.wallet(300n)
    run([registerNode({ owner: worker2.kp.publicKey, ownerToken: worker2.token }, STAKE_TIERS[1]?.minStake ?? 0n, w.pid)], [worker2.kp])
    run([w.createEscrowIx(client, worker2.kp.publicKey, w.escrowArgs(5n, TOKEN, { tier: TIER.zk, circuitId: 1, epochsTotal: 3, dataCommitment: new Uint8Array(32).fill(7, 31) }))], [client.kp])
    const e5 = escrowPda(w.pid, client.kp.publicKey, 5n).address
    run([acceptJob({ worker: worker2.kp.publicKey, escrow: e5 }, w.pid)], [worker2.kp])
    run([anchorProgress({ worker: worker2.kp.publicKey, escrow: e5 }, 3, new Uint8Array(32).fill(7), w.pid)], [worker2.kp])
    // No reveal: past the client's reveal window the slot-hash fallback draws; with the anchor's
    // slot gone from SlotHashes (513 slots later) its first call re-arms, the next one draws.
    w.ledger.warp(BigInt(PROOF.revealWindowSeconds))
    for (let i = 0; i < 513; i++) w.nextSlot()
    run([drawChallenge(e5, w.pid)], [w.ledger.payer])
    w.nextSlot()
    run([drawChallenge(e5, w.pid)], [w.ledger.payer])
    // Another, its secret revealed by the client.
    run([w.createEscrowIx(client, worker2.kp.publicKey, w.escrowArgs(6n, TOKEN, { tier: TIER.zk, circuitId: 1, epochsTotal: 3, dataCommitment: new Uint8Array(32).fill(7, 31) }))], [client.kp])
    const e6 = escrowPda(w.pid, client.kp.publicKey, 6n).address
    run([acceptJob({ worker: worker2.kp.publicKey, escrow: e6 }, w.pid)], [worker2.kp])
    run([anchorProgress({ worker: worker2.kp.publicKey, escrow: e6 }, 3, new Uint8Array(32).fill(7), w.pid)], [worker2.kp])
    const revealed = w.reveal(e6)
    assert.ok(revealed.ok, revealed.logs.join('\n'))
    logs.push(...revealed.logs)
    // Finding 15: the treasury key moves (both keys sign) and takes a fee out; the admin role moves in two steps.
    const gov = w.wallet(0n)
    run([setGovernance({ governance: w.admin.publicKey, newGovernance: gov.kp.publicKey }, w.pid)], [w.admin, gov.kp])
    run([withdrawTreasury({ governance: gov.kp.publicKey, destination: gov.token }, 1n, w.pid)], [gov.kp])
    const admin2 = w.ledger.fundedKeypair()
    run([proposeAdmin({ admin: w.admin.publicKey }, admin2.publicKey, w.pid)], [w.admin])
    run([acceptAdmin({ newAdmin: admin2.publicKey }, w.pid)], [admin2])

    // Every event, decoded by Anchor and by us, to the same values.
    const seenEvents = new Set<string>()
    const ours = parseEvents(logs)
    const theirs = logs.filter((l) => l.startsWith('Program data: ')).map((l) => events.decode(l.slice('Program data: '.length)))
    assert.equal(theirs.length, ours.length)
    theirs.forEach((ev, i) => {
      assert.ok(ev !== null, 'Anchor decodes the event')
      assert.equal(ev.name, ours[i]?.name)
      assert.deepEqual(norm(ev.data), norm(ours[i]?.data))
      seenEvents.add(ev.name)
    })
    assert.deepEqual([...seenEvents].sort(), Object.keys(EVENTS).sort(), 'the scenario emits every event')

    // Every account of the program, decoded by Anchor and by us.
    const seenAccounts = new Set<string>()
    for (const { account } of w.ledger.embedded.getProgramAccounts(w.pid.toBase58())) {
      const data = Buffer.from(account.data)
      const name = (Object.keys(ACCOUNTS) as AccountName[]).find((n) => data.subarray(0, 8).equals(Buffer.from(accountDiscriminator(n))))
      assert.ok(name, 'a known discriminator')
      const decoded: Decoded = decodeAccount(name, account.data)
      assert.deepEqual(norm(accounts.decode(name, data)), norm(decoded), name)
      seenAccounts.add(name)
    }
    assert.deepEqual([...seenAccounts].sort(), Object.keys(ACCOUNTS).sort(), 'the scenario leaves every account type')
  })

  it('a plain web3.js Connection over the JSON-RPC reads the Config account and decodes it with the IDL', async function () {
    this.timeout(60_000)
    const idl = JSON.parse(readFileSync(IDL_PATH, 'utf8')) as Idl
    const ledger = EmbeddedLedger.open({ programs: [{ programId: idl.address, path: program() }] })
    const server = new LedgerRpcServer(ledger)
    const connection = new Connection(await server.listen({ port: 0 }), 'confirmed')
    try {
      const admin = Keypair.generate()
      ledger.setUpgradeAuthority(idl.address, admin.publicKey.toBase58())
      await connection.confirmTransaction(await connection.requestAirdrop(admin.publicKey, 10 * LAMPORTS_PER_SOL))
      const mint = await createMint(connection, admin, admin.publicKey, null, 9)
      const params = configParamsFromProtocol()
      const pid = new PublicKey(idl.address)
      await sendAndConfirmTransaction(connection, new Transaction().add(initializeConfig({ admin: admin.publicKey, mint }, params, pid)), [admin])
      const info = await connection.getAccountInfo(configPda(pid).address)
      assert.ok(info !== null && info.owner.equals(pid))
      const config = new BorshAccountsCoder(idl).decode('Config', info.data) as { admin: PublicKey, mint: PublicKey, params: Record<string, unknown> }
      assert.ok(config.admin.equals(admin.publicKey))
      assert.ok(config.mint.equals(mint))
      assert.equal(String(config.params.platform_fee_bps), String(params.platformFeeBps))
    } finally {
      await server.close()
    }
  })
})
