/**
 * Deploying the cyxwiz program the way a validator takes one: through the BPF upgradeable loader
 * (buffer, chunked writes, DeployWithMaxDataLen) over JSON-RPC, into the embedded ledger's real
 * loader, at a fresh program address. The deployed program then runs: its Config is initialised
 * and read back at that address.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Connection, Keypair, LAMPORTS_PER_SOL, PublicKey, TransactionMessage, VersionedTransaction } from '@solana/web3.js'
import { createMint } from '@solana/spl-token'
import { PROGRAM_SO_PATH } from '../../../chain/index.js'
import { EmbeddedLedger, LedgerRpcServer } from '../../../chain/rpc/index.js'
import { configParamsFromProtocol, fetchConfig, initializeConfig, sendAndConfirm } from '../../../chain/client/index.js'
import { BPF_LOADER_UPGRADEABLE_ID, DeployError, checkElf, decodeProgramData, deployProgram, readDeployedProgram, setAuthority, writeBuffer, writeChunkSize, PACKET_DATA_SIZE, type DeployProgress } from '../../../chain/loader/index.js'

describe('chain/loader: deploy through the BPF upgradeable loader', function () {
  this.timeout(120_000)
  let dir: string
  let server: LedgerRpcServer
  let connection: Connection
  const elf = new Uint8Array(readFileSync(PROGRAM_SO_PATH))

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cyx-deploy-'))
    // No programs handed to LiteSVM: the only way the program gets on this ledger is the loader.
    server = new LedgerRpcServer(EmbeddedLedger.open({ dir }), { dev: true })
    connection = new Connection(await server.listen({ port: 0 }), 'confirmed')
  })

  after(async () => {
    await server?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  async function funded (sol: number): Promise<Keypair> {
    const k = Keypair.generate()
    const sig = await connection.requestAirdrop(k.publicKey, sol * LAMPORTS_PER_SOL)
    await connection.confirmTransaction(sig, 'confirmed')
    return k
  }

  it('fills every write transaction to the packet limit and no further', () => {
    // The deployment sends version 0 transactions (chain/loader/deploy.ts says why).
    const size = (payer: Keypair, authority: Keypair, bytes: number): number => {
      const tx = new VersionedTransaction(new TransactionMessage({
        payerKey: payer.publicKey, recentBlockhash: Keypair.generate().publicKey.toBase58(), instructions: [writeBuffer(Keypair.generate().publicKey, authority.publicKey, 0, new Uint8Array(bytes))]
      }).compileToV0Message())
      tx.sign(payer === authority ? [payer] : [payer, authority])
      const wire = tx.serialize()
      if (wire.length > PACKET_DATA_SIZE) throw new Error(`Transaction too large: ${wire.length} > ${PACKET_DATA_SIZE}`)
      return wire.length
    }
    const payer = Keypair.generate()
    const authority = Keypair.generate()
    for (const a of [payer, authority]) {
      const chunk = writeChunkSize(payer.publicKey, a.publicKey)
      assert.equal(size(payer, a, chunk), PACKET_DATA_SIZE, `a ${chunk}-byte chunk fills the packet`)
      assert.throws(() => size(payer, a, chunk + 1), new RegExp(`Transaction too large: ${PACKET_DATA_SIZE + 1} > ${PACKET_DATA_SIZE}`))
    }
  })

  it('refuses what is not an SBF program before anything is spent', () => {
    assert.throws(() => checkElf(new TextEncoder().encode('#!/bin/sh\necho not a program\n'.repeat(4)), 1000), DeployError)
    assert.throws(() => checkElf(elf, elf.length - 1), /smaller than the program/)
    assert.throws(() => checkElf(elf, 11 * 1024 * 1024), /exceeds/)
    checkElf(elf, elf.length)
  })

  it('deploys the program, records the upgrade authority, and the program runs at its new address', async () => {
    const payer = await funded(20)
    const program = Keypair.generate()
    const seen: DeployProgress[] = []
    const before = await connection.getBalance(payer.publicKey)
    const d = await deployProgram(connection, { payer, program, elf, onProgress: (p) => seen.push(p) })

    assert.equal(d.programId, program.publicKey.toBase58())
    assert.equal(d.upgradeAuthority, payer.publicKey.toBase58())
    assert.equal(d.bytes, elf.length)
    assert.equal(d.writes, Math.ceil(elf.length / writeChunkSize(payer.publicKey, payer.publicKey)))
    assert.deepEqual(seen.map((p) => p.stage).filter((s, i, a) => a.indexOf(s) === i), ['buffer', 'write', 'verify', 'deploy'])
    assert.deepEqual(seen.find((p) => p.stage === 'verify'), { stage: 'verify', rewrites: 0 })

    const deployed = await readDeployedProgram(connection, program.publicKey)
    assert.ok(deployed !== undefined)
    assert.equal(deployed.executable, true)
    assert.equal(deployed.upgradeAuthority, payer.publicKey.toBase58())
    assert.equal(deployed.maxDataLen, 2 * elf.length)
    assert.ok(Buffer.from(deployed.elf.subarray(0, elf.length)).equals(Buffer.from(elf)), 'the ProgramData holds the ELF byte for byte')
    // The buffer's rent came back: the payer spent the program's and the ProgramData's rent and fees only.
    const spent = before - await connection.getBalance(payer.publicKey)
    const rent = await connection.getMinimumBalanceForRentExemption(36) + await connection.getMinimumBalanceForRentExemption(45 + 2 * elf.length)
    // Fees: the buffer's creation and the deployment carry two signatures each, every write one.
    assert.equal(spent, rent + 5_000 * (4 + d.writes))

    // The program runs at the address it was deployed to, and only its upgrade authority may
    // initialise it (a stranger racing the deployer to initialize_config is refused).
    const mint = await createMint(connection, payer, payer.publicKey, null, 9)
    const stranger = await funded(1)
    await assert.rejects(
      sendAndConfirm(connection, [initializeConfig({ admin: stranger.publicKey, mint }, configParamsFromProtocol(), program.publicKey)], [stranger]),
      (e: unknown) => /custom program error: 0x17d4/.test(String((e as { logs?: string[] }).logs ?? e) + String(e)))
    await sendAndConfirm(connection, [initializeConfig({ admin: payer.publicKey, mint }, configParamsFromProtocol(), program.publicKey)], [payer])
    const config = await fetchConfig(connection, program.publicKey)
    assert.ok(config !== undefined)
    assert.equal(config.admin.toBase58(), payer.publicKey.toBase58())
  })

  it('refuses to deploy over an existing account, and a separate authority signs the writes', async () => {
    const payer = await funded(20)
    const authority = Keypair.generate()
    const program = Keypair.generate()
    const d = await deployProgram(connection, { payer, program, authority, elf, maxDataLen: elf.length })
    assert.equal(d.upgradeAuthority, authority.publicKey.toBase58())
    assert.equal(d.maxDataLen, elf.length)
    await assert.rejects(deployProgram(connection, { payer, program, elf }), /already holds an account \(a deployed program\)/)

    // Making it immutable: the loader drops the authority for good.
    const programData = (await readDeployedProgram(connection, program.publicKey))!.programData
    await sendAndConfirm(connection, [setAuthority(new PublicKey(programData), authority.publicKey, undefined)], [payer, authority])
    const info = await connection.getAccountInfo(new PublicKey(programData))
    assert.ok(info !== null && info.owner.equals(BPF_LOADER_UPGRADEABLE_ID))
    assert.equal(decodeProgramData(info.data).upgradeAuthority, undefined)
  })

  it('sends a write again that the bank refused as AccountInUse (a concurrent write held the buffer)', async () => {
    const payer = await funded(20)
    // A test double of the transport around the real RPC: it refuses the second transaction sent
    // (a buffer write) as a bank does when a concurrent write holds the buffer's lock.
    let sent = 0
    let refused = 0
    const rpc = new Proxy(connection, {
      get: (target, key) => key !== 'sendRawTransaction'
        ? Reflect.get(target, key, target)
        : async (...args: Parameters<Connection['sendRawTransaction']>) => {
          if (++sent === 2) {
            refused++
            throw new Error('Transaction simulation failed: Account in use')
          }
          return await target.sendRawTransaction(...args)
        }
    })
    const program = Keypair.generate()
    const d = await deployProgram(rpc, { payer, program, elf })
    assert.equal(refused, 1)
    assert.equal(d.programId, program.publicKey.toBase58())
    assert.ok((await readDeployedProgram(connection, program.publicKey)) !== undefined)
  })

  it('says what the payer lacks instead of failing half-way', async () => {
    const poor = await funded(0.01)
    await assert.rejects(deployProgram(connection, { payer: poor, program: Keypair.generate(), elf }), /holds 10000000 lamports; deploying \d+ bytes needs about \d+/)
  })
})
