/**
 * `cyx program deploy|init|show` as a user runs them, against `cyx chain` in its own process: the
 * program deployed through the upgradeable loader at a new address, its Config initialised there,
 * a worker run against it with `CYX_PROGRAM_ID`, and what is refused before a fee is spent.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Connection, Keypair, LAMPORTS_PER_SOL, PublicKey } from '@solana/web3.js'
import { createMint, getOrCreateAssociatedTokenAccount, mintTo } from '@solana/spl-token'
import { CYXWIZ_PROGRAM_ID, fetchNode } from '../../../chain/index.js'
import { STAKE_TIERS } from '../../../protocols/index.js'
import { main } from '../../../peer/cli/main.js'

async function runCyx (argv: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  const out: string[] = []
  const err: string[] = []
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) })
  return { code, stdout: out.join('\n'), stderr: err.join('\n') }
}

function startChain (dir: string): Promise<{ child: ChildProcess, rpc: string }> {
  const child = spawn(process.execPath, ['peer/cli/cyx.mjs', 'chain', '--port', '0', '--ledger', dir, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (d) => { stderr += String(d) })
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve({ child, rpc: (JSON.parse(line) as { rpc: string }).rpc }))
    child.once('exit', (code) => reject(new Error(`cyx chain exited ${code}: ${stderr}`)))
  })
}

describe('cyx program (deploy, init, show)', function () {
  this.timeout(180_000)
  let dir: string
  let chain: ChildProcess
  let rpc: string
  let connection: Connection
  const payer = Keypair.generate()
  let payerPath: string
  /** The program deployed by the first test, and its Config's mint. */
  let deployedAt: PublicKey | undefined
  let mint: PublicKey

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cyx-program-'))
    ;({ child: chain, rpc } = await startChain(join(dir, 'ledger')))
    connection = new Connection(rpc, 'confirmed')
    await connection.confirmTransaction(await connection.requestAirdrop(payer.publicKey, 10 * LAMPORTS_PER_SOL), 'confirmed')
    payerPath = join(dir, 'payer.json')
    writeFileSync(payerPath, JSON.stringify(Array.from(payer.secretKey)))
  })

  after(async () => {
    if (chain !== undefined && chain.exitCode === null) {
      await new Promise((resolve) => { chain.once('exit', resolve); chain.kill('SIGINT') })
    }
    rmSync(dir, { recursive: true, force: true })
  })

  it('deploys at a new program keypair, initialises Config there, and shows both', async () => {
    const programKey = join(dir, 'program.json')
    const d = await runCyx(['program', 'deploy', '--rpc', rpc, '--keypair', payerPath, '--program-keypair', programKey, '--json'])
    assert.equal(d.code, 0, d.stderr)
    const deployed = JSON.parse(d.stdout) as { programId: string, upgradeAuthority: string, createdProgramKeypair: boolean, bytes: number, maxDataLen: number }
    assert.equal(deployed.createdProgramKeypair, true)
    assert.equal(statSync(programKey).mode & 0o777, 0o600, 'the new program keypair is private')
    assert.equal(deployed.upgradeAuthority, payer.publicKey.toBase58())
    assert.equal(deployed.maxDataLen, 2 * deployed.bytes)

    // A second deploy at the same address is refused, not half-done.
    const again = await runCyx(['program', 'deploy', '--rpc', rpc, '--keypair', payerPath, '--program-keypair', programKey])
    assert.equal(again.code, 1)
    assert.match(again.stderr, /already holds an account \(a deployed program\)/)

    // init refuses a mint with a freeze authority before spending a fee.
    const frozen = await createMint(connection, payer, payer.publicKey, payer.publicKey, 9)
    const refused = await runCyx(['program', 'init', '--rpc', rpc, '--keypair', payerPath, '--mint', frozen.toBase58(), '--program-id', deployed.programId])
    assert.equal(refused.code, 2)
    assert.match(refused.stderr, /freeze authority/)

    mint = await createMint(connection, payer, payer.publicKey, null, 9)
    deployedAt = new PublicKey(deployed.programId)
    const init = await runCyx(['program', 'init', '--rpc', rpc, '--keypair', payerPath, '--mint', mint.toBase58(), '--program-id', deployed.programId, '--json'])
    assert.equal(init.code, 0, init.stderr)
    assert.equal((JSON.parse(init.stdout) as { admin: string }).admin, payer.publicKey.toBase58())

    const shown = await runCyx(['program', 'show', '--rpc', rpc, '--program-id', deployed.programId, '--json'])
    assert.equal(shown.code, 0, shown.stderr)
    const s = JSON.parse(shown.stdout) as { upgradeableLoader: boolean, upgradeAuthority: string, executable: boolean, config: { admin: string, mint: string } }
    assert.equal(s.upgradeableLoader, true)
    assert.equal(s.executable, true)
    assert.equal(s.upgradeAuthority, payer.publicKey.toBase58())
    assert.deepEqual({ admin: s.config.admin, mint: s.config.mint }, { admin: payer.publicKey.toBase58(), mint: mint.toBase58() })
  })

  it('runs a worker against the program deployed there, with CYX_PROGRAM_ID set: it registers and stakes at that program, not the default', async () => {
    assert.ok(deployedAt !== undefined, 'the deploy test ran first')
    const owner = Keypair.generate()
    const keypairPath = join(dir, 'worker-wallet.json')
    writeFileSync(keypairPath, JSON.stringify(Array.from(owner.secretKey)))
    await connection.confirmTransaction(await connection.requestAirdrop(owner.publicKey, LAMPORTS_PER_SOL), 'confirmed')
    const ata = await getOrCreateAssociatedTokenAccount(connection, payer, mint, owner.publicKey)
    await mintTo(connection, payer, mint, ata.address, payer, STAKE_TIERS[0]!.minStake)
    const worker = spawn(process.execPath, ['peer/cli/cyx.mjs', 'worker', '--dir', join(dir, 'worker'), '--keypair', keypairPath, '--rpc', rpc,
      '--listen', '/ip4/127.0.0.1/tcp/0', '--no-relay', '--no-juror', '--json'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CYX_PROGRAM_ID: deployedAt.toBase58() } })
    let stderr = ''
    worker.stderr?.on('data', (d) => { stderr += String(d) })
    const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve))
    try {
      // Its events up to 'registered'; Ctrl-C then, during its start-up (its advert, the control
      // file), which it finishes before it stops cleanly.
      const events: Array<{ event: string, stake?: string }> = []
      const lines = createInterface({ input: worker.stdout! })
      const drained = new Promise((resolve) => lines.once('close', resolve))
      await new Promise<void>((resolve, reject) => {
        lines.on('line', (line) => {
          events.push(JSON.parse(line) as { event: string, stake?: string })
          if (events.at(-1)!.event === 'registered') resolve()
        })
        void exited.then((code) => { reject(new Error(`cyx worker exited ${code} before it registered: ${stderr}`)) })
      })
      worker.kill('SIGINT')
      assert.equal(await exited, 0, `stopped cleanly: ${stderr}`)
      await drained
      assert.ok(events.some((e) => e.event === 'stopped'), JSON.stringify(events))
      const registered = events.find((e) => e.event === 'registered')
      assert.equal(BigInt(registered?.stake ?? -1), STAKE_TIERS[0]!.minStake)
      const there = await fetchNode(connection, owner.publicKey, deployedAt)
      assert.equal(there?.stake, STAKE_TIERS[0]!.minStake, 'the node and its stake are at the deployed program')
      assert.equal(await fetchNode(connection, owner.publicKey, CYXWIZ_PROGRAM_ID), undefined, 'nothing at the default program')
    } finally {
      if (worker.exitCode === null) worker.kill('SIGINT')
      assert.equal(await exited, 0, stderr)
    }
  })

  it('refuses a CYX_PROGRAM_ID that is not an address before running anything', async () => {
    const r = spawnSync(process.execPath, ['peer/cli/cyx.mjs', 'program', 'show', '--rpc', rpc], { env: { ...process.env, CYX_PROGRAM_ID: 'nope' }, encoding: 'utf8' })
    assert.equal(r.status, 2)
    assert.match(r.stderr, /CYX_PROGRAM_ID must be the base-58 address of a deployed cyxwiz program \(got "nope"\)/)
  })

  it('shows the ledger\'s own program as LiteSVM loads it: under the upgradeable loader, with no upgrade authority', async () => {
    const shown = await runCyx(['program', 'show', '--rpc', rpc, '--json'])
    assert.equal(shown.code, 0, shown.stderr)
    const s = JSON.parse(shown.stdout) as { programId: string, upgradeableLoader: boolean, upgradeAuthority: string, config: unknown }
    assert.equal(s.programId, CYXWIZ_PROGRAM_ID.toBase58())
    assert.equal(s.upgradeableLoader, true)
    assert.equal(s.upgradeAuthority, 'none (immutable)')
    assert.equal(s.config, null)
  })

  it('refuses bad arguments with a usage error', async () => {
    const notElf = join(dir, 'not.so')
    writeFileSync(notElf, 'not a program at all, just text that is long enough to be read as a header'.repeat(2))
    const cases: Array<[string[], RegExp]> = [
      [['program'], /say deploy, init or show/],
      [['program', 'upgrade'], /unknown verb upgrade/],
      [['program', 'deploy', '--rpc', rpc, '--program-keypair', join(dir, 'p2.json')], /--keypair PATH is needed/],
      [['program', 'deploy', '--rpc', rpc, '--keypair', payerPath, '--program-keypair', join(dir, 'p3.json'), '--so', notElf], /not an ELF file/],
      [['program', 'deploy', '--rpc', rpc, '--keypair', notElf, '--program-keypair', join(dir, 'p4.json')], /not JSON/],
      [['program', 'init', '--rpc', rpc, '--keypair', payerPath, '--mint', 'nope'], /--mint must be a base-58 address/]
    ]
    for (const [argv, expected] of cases) {
      const r = await runCyx(argv)
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, expected)
    }
  })
})
