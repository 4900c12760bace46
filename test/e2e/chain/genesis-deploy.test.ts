/**
 * `cyx chain --genesis` deploys the program the way a cluster takes one — a buffer, its writes and
 * DeployWithMaxDataLen through the BPF upgradeable loader — so the ledger holds a ProgramData
 * account whose upgrade authority is the genesis admin, and only that key could initialise the
 * Config. A job's instructions then run on it, across a Ctrl-C restart; a rebuilt program is
 * upgraded through the loader (Upgrade, signed by the admin) at the next start.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { createMint, getAssociatedTokenAddressSync } from '@solana/spl-token'
import { Connection, Keypair, LAMPORTS_PER_SOL, PublicKey } from '@solana/web3.js'
import {
  BPF_LOADER_UPGRADEABLE_ID, CYXWIZ_PROGRAM_ID, EmbeddedLedger, GENESIS_FILE, LedgerRpcServer, PROGRAM_SO_PATH, acceptJob, configParamsFromProtocol,
  createEscrow, deployGenesisProgram, ensureGenesis, escrowPda, fetchConfig, fetchEscrow, fetchNode, initializeConfig, ledgerDeployRpc,
  readDeployedProgram, registerNode, sendAndConfirm
} from '../../../chain/index.js'
import { STAKE_TIERS, UNITS_PER_TOKEN } from '../../../protocols/index.js'

const elf = new Uint8Array(readFileSync(PROGRAM_SO_PATH))

interface Started { child: ChildProcess, rpc: string, program: string }

function startChain (dir: string): Promise<Started> {
  const child = spawn(process.execPath, ['peer/cli/cyx.mjs', 'chain', '--genesis', '--dev', '--port', '0', '--ledger', dir, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (d) => { stderr += String(d) })
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const j = JSON.parse(line) as { rpc: string, program: string }
      resolve({ child, rpc: j.rpc, program: j.program })
    })
    child.once('exit', (code) => { reject(new Error(`cyx chain exited ${code}: ${stderr}`)) })
  })
}

function stop (child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => { resolve(code) })
    child.kill('SIGINT')
  })
}

async function faucet (rpc: string, owner: PublicKey, tokens: bigint): Promise<void> {
  const res = await fetch(rpc, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'cyx_faucet', params: [owner.toBase58(), String(tokens * UNITS_PER_TOKEN), String(5 * LAMPORTS_PER_SOL)] })
  })
  const body = await res.json() as { error?: unknown }
  assert.equal(body.error, undefined, JSON.stringify(body))
}

describe('cyx chain --genesis: the program deployed through the BPF upgradeable loader', function () {
  this.timeout(120_000)
  const dirs: string[] = []
  const tempDir = (): string => { const d = mkdtempSync(join(tmpdir(), 'cyx-genesis-')); dirs.push(d); return d }
  after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }) })

  it('holds a ProgramData with the genesis admin as upgrade authority, its Config, and runs a job across a restart', async () => {
    const dir = tempDir()
    let chain = await startChain(dir)
    try {
      assert.equal(chain.program, 'deployed')
      const admin = Keypair.fromSecretKey(Uint8Array.from((JSON.parse(readFileSync(join(dir, GENESIS_FILE), 'utf8')) as { admin: number[] }).admin))
      let connection = new Connection(chain.rpc, 'confirmed')

      const account = await connection.getAccountInfo(CYXWIZ_PROGRAM_ID)
      assert.ok(account !== null)
      assert.ok(account.owner.equals(BPF_LOADER_UPGRADEABLE_ID), `the program account is owned by ${account.owner.toBase58()}`)
      assert.equal(account.executable, true)
      const deployed = await readDeployedProgram(connection, CYXWIZ_PROGRAM_ID)
      assert.ok(deployed !== undefined)
      const programData = await connection.getAccountInfo(new PublicKey(deployed.programData))
      assert.ok(programData !== null && programData.owner.equals(BPF_LOADER_UPGRADEABLE_ID))
      assert.equal(deployed.upgradeAuthority, admin.publicKey.toBase58())
      assert.ok(Buffer.from(deployed.elf.subarray(0, elf.length)).equals(Buffer.from(elf)), 'the ProgramData holds the built ELF')
      assert.equal(deployed.maxDataLen, 2 * elf.length, 'room for upgrades, as cyx program deploy leaves')
      const config = await fetchConfig(connection)
      assert.equal(config?.admin.toBase58(), admin.publicKey.toBase58())

      // A job's first instructions on the deployed program: a worker stakes, a client offers it a
      // job, the worker accepts.
      const worker = Keypair.generate()
      const client = Keypair.generate()
      await faucet(chain.rpc, worker.publicKey, 1_000n)
      await faucet(chain.rpc, client.publicKey, 100n)
      const mint = config!.mint
      const stake = STAKE_TIERS[0]!.minStake
      await sendAndConfirm(connection, [registerNode({ owner: worker.publicKey, ownerToken: getAssociatedTokenAddressSync(mint, worker.publicKey) }, stake)], [worker])
      assert.equal((await fetchNode(connection, worker.publicKey))?.stake, stake)
      const nonce = 1n
      const escrow = escrowPda(CYXWIZ_PROGRAM_ID, client.publicKey, nonce).address
      await sendAndConfirm(connection, [createEscrow({ client: client.publicKey, clientToken: getAssociatedTokenAddressSync(mint, client.publicKey), mint, worker: worker.publicKey }, {
        nonce, jobId: new Uint8Array(32).fill(7), amount: UNITS_PER_TOKEN, specHash: new Uint8Array(32).fill(8), estimatedSeconds: 3_600n, timeoutSecs: 86_400n, epochsTotal: 10
      })], [client])
      await sendAndConfirm(connection, [acceptJob({ worker: worker.publicKey, escrow })], [worker])
      assert.equal((await fetchEscrow(connection, escrow))?.amount, UNITS_PER_TOKEN)

      assert.equal(await stop(chain.child), 0, 'Ctrl-C stops cleanly')
      chain = await startChain(dir)
      assert.equal(chain.program, 'unchanged', 'a restart finds the deployed program and leaves it')
      connection = new Connection(chain.rpc, 'confirmed')
      assert.equal((await readDeployedProgram(connection, CYXWIZ_PROGRAM_ID))?.upgradeAuthority, admin.publicKey.toBase58())
      // The program still runs after the restart: a second offer.
      await sendAndConfirm(connection, [createEscrow({ client: client.publicKey, clientToken: getAssociatedTokenAddressSync(mint, client.publicKey), mint, worker: worker.publicKey }, {
        nonce: 2n, jobId: new Uint8Array(32).fill(9), amount: UNITS_PER_TOKEN, specHash: new Uint8Array(32).fill(8), estimatedSeconds: 3_600n, timeoutSecs: 86_400n, epochsTotal: 10
      })], [client])
      assert.ok(await fetchEscrow(connection, escrowPda(CYXWIZ_PROGRAM_ID, client.publicKey, 2n).address) !== undefined)
    } finally {
      assert.equal(await stop(chain.child), 0)
    }
  })

  it('only the upgrade authority the loader recorded may initialise the Config', async () => {
    const ledger = EmbeddedLedger.open({})
    const server = new LedgerRpcServer(ledger, { dev: true })
    const connection = new Connection(await server.listen({ port: 0 }), 'confirmed')
    try {
      const deployer = Keypair.generate()
      ledger.airdrop(deployer.publicKey.toBase58(), 100n * BigInt(LAMPORTS_PER_SOL))
      const d = await deployGenesisProgram(ledger, { elf, authority: deployer })
      assert.equal(d.upgradeAuthority, deployer.publicKey.toBase58())
      const mint = await createMint(connection, deployer, deployer.publicKey, null, 9)
      const stranger = Keypair.generate()
      ledger.airdrop(stranger.publicKey.toBase58(), BigInt(LAMPORTS_PER_SOL))
      await assert.rejects(
        sendAndConfirm(connection, [initializeConfig({ admin: stranger.publicKey, mint }, configParamsFromProtocol())], [stranger]),
        (e: unknown) => /custom program error: 0x17d4/.test(String((e as { logs?: string[] }).logs ?? e) + String(e)))
      await sendAndConfirm(connection, [initializeConfig({ admin: deployer.publicKey, mint }, configParamsFromProtocol())], [deployer])
      assert.equal((await fetchConfig(connection))?.admin.toBase58(), deployer.publicKey.toBase58())
    } finally {
      await server.close()
    }
  })

  it('upgrades a rebuilt program through the loader at the next start, signed by the genesis admin', async () => {
    const dir = tempDir()
    let ledger = EmbeddedLedger.open({ dir })
    assert.equal((await ensureGenesis(ledger, dir, { elf })).program, 'deployed')
    ledger.close()
    // Another build: the same code with bytes after its end (the loader ignores them), so the
    // ProgramData must change and the program must still run.
    const rebuilt = new Uint8Array(elf.length + 64).fill(0x5a)
    rebuilt.set(elf)
    ledger = EmbeddedLedger.open({ dir })
    const before = await readDeployedProgram(ledgerDeployRpc(ledger), CYXWIZ_PROGRAM_ID)
    const genesis = await ensureGenesis(ledger, dir, { elf: rebuilt })
    assert.equal(genesis.program, 'upgraded')
    const after = await readDeployedProgram(ledgerDeployRpc(ledger), CYXWIZ_PROGRAM_ID)
    assert.ok(after !== undefined && before !== undefined)
    assert.ok(Buffer.from(after.elf.subarray(0, rebuilt.length)).equals(Buffer.from(rebuilt)))
    assert.ok(after.slot > before.slot, 'the ProgramData records the upgrade\'s slot')
    assert.equal(after.upgradeAuthority, genesis.faucet?.admin.publicKey.toBase58())
    assert.equal((await ensureGenesis(ledger, dir, { elf: rebuilt })).program, 'unchanged')
    // The upgraded program runs: a node registers.
    const server = new LedgerRpcServer(ledger, { dev: true, faucet: genesis.faucet! })
    const connection = new Connection(await server.listen({ port: 0 }), 'confirmed')
    try {
      const worker = Keypair.generate()
      await faucet(server.url, worker.publicKey, 100n)
      const stake = STAKE_TIERS[0]!.minStake
      await sendAndConfirm(connection, [registerNode({ owner: worker.publicKey, ownerToken: getAssociatedTokenAddressSync(genesis.faucet!.mint, worker.publicKey) }, stake)], [worker])
      assert.equal((await fetchNode(connection, worker.publicKey))?.stake, stake)
    } finally {
      await server.close()
    }
  })
})
