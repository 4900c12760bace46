/** `cyx chain` as a separate process, used by a plain web3.js Connection from this one. */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Connection, Keypair, LAMPORTS_PER_SOL } from '@solana/web3.js'
import { CYXWIZ_PROGRAM_ID } from '../../../chain/index.js'

function startChain (dir: string): Promise<{ child: ChildProcess, rpc: string }> {
  const child = spawn(process.execPath, ['peer/cli/cyx.mjs', 'chain', '--port', '0', '--ledger', dir, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (d) => { stderr += String(d) })
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    lines.once('line', (line) => resolve({ child, rpc: (JSON.parse(line) as { rpc: string }).rpc }))
    child.once('exit', (code) => reject(new Error(`cyx chain exited ${code}: ${stderr}`)))
  })
}

function stop (child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code))
    child.kill('SIGINT')
  })
}

describe('cyx chain (process)', function () {
  this.timeout(60_000)
  const dir = mkdtempSync(join(tmpdir(), 'cyx-chain-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('serves the program to another process, and keeps state across a Ctrl-C restart', async () => {
    const user = Keypair.generate()
    let { child, rpc } = await startChain(dir)
    let connection = new Connection(rpc, 'confirmed')
    const program = await connection.getAccountInfo(CYXWIZ_PROGRAM_ID)
    assert.equal(program?.executable, true)
    await connection.confirmTransaction(await connection.requestAirdrop(user.publicKey, 3 * LAMPORTS_PER_SOL))
    assert.equal(await stop(child), 0, 'Ctrl-C stops cleanly')

    ;({ child, rpc } = await startChain(dir))
    connection = new Connection(rpc, 'confirmed')
    assert.equal(await connection.getBalance(user.publicKey), 3 * LAMPORTS_PER_SOL)
    assert.equal(await stop(child), 0)
  })
})
