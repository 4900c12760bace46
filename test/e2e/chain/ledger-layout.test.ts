/**
 * A ledger directory saved by a build whose program accounts had another layout is refused at
 * open, with what to do, instead of failing later on the first account that does not decode.
 * The ledger is the real embedded one with the real program; the "old build" is simulated by
 * rewriting an account the way an older layout left it (shorter), since an old .so is not kept.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { address, lamports } from '@solana/kit'
import { Keypair } from '@solana/web3.js'
import { CYXWIZ_PROGRAM_ID, EmbeddedLedger, PROGRAM_SO_PATH, assertCurrentLayout, ensureGenesis } from '../../../chain/index.js'
import { configPda } from '../../../chain/client/pda.js'


function overwrite (ledger: EmbeddedLedger, addr: string, data: Uint8Array): void {
  const now = ledger.getAccount(addr)
  ledger.svm.setAccount({
    address: address(addr),
    data,
    executable: false,
    lamports: lamports(now?.lamports ?? 10_000_000n),
    programAddress: address(CYXWIZ_PROGRAM_ID.toBase58()),
    space: BigInt(data.length)
  })
}

describe('chain/ledger layout: a ledger saved by another build of the program is refused with what to do', function () {
  this.timeout(60_000)
  const dirs: string[] = []
  const open = async (): Promise<{ ledger: EmbeddedLedger, dir: string }> => {
    const dir = mkdtempSync(join(tmpdir(), 'cyx-layout-'))
    dirs.push(dir)
    const ledger = EmbeddedLedger.open({ dir, programs: [{ programId: CYXWIZ_PROGRAM_ID.toBase58(), path: PROGRAM_SO_PATH }] })
    await ensureGenesis(ledger, dir)
    return { ledger, dir }
  }
  after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }) })

  it('accepts its own genesis, refuses a Config of another size (in the library and in cyx chain)', async () => {
    const { ledger, dir } = await open()
    assertCurrentLayout(ledger)
    const config = configPda(CYXWIZ_PROGRAM_ID).address.toBase58()
    const data = (ledger.getAccount(config)?.data as Uint8Array).slice(0, -16)
    overwrite(ledger, config, data)
    assert.throws(() => { assertCurrentLayout(ledger) }, /another build of the cyxwiz program: its Config .* is \d+ bytes, this build's \d+\. Start a new one: "cyx chain --reset --genesis --ledger /)
    ledger.flush()
    ledger.close()
    const r = spawnSync(process.execPath, ['peer/cli/cyx.mjs', 'chain', '--port', '0', '--ledger', dir], { encoding: 'utf8', timeout: 30_000 })
    assert.equal(r.status, 1, r.stderr)
    assert.match(r.stderr, /another build of the cyxwiz program: its Config/)
    assert.match(r.stderr, /--reset --genesis/)
  })

  it('refuses a program account of a kind this build does not know', async () => {
    const { ledger } = await open()
    const stray = Keypair.generate().publicKey.toBase58()
    overwrite(ledger, stray, new Uint8Array(64).fill(7))
    assert.throws(() => { assertCurrentLayout(ledger) }, new RegExp(`account ${stray} is of a kind this build does not know`))
    ledger.close()
  })
})
