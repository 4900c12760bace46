/**
 * chain/client's account readers (`fetchConfig`, `fetchNode`, `fetchEscrow`, `fetchDispute`) on the
 * real embedded ledger with the real program: an initialised Config reads back, an absent account
 * or one another program owns reads as undefined, and a program account of another kind is an
 * `AccountKindError`, never a silently wrong decode. The reader is the ledger behind a
 * `getAccountInfo` adapter, the one call a web3.js Connection makes for it.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Keypair, PublicKey } from '@solana/web3.js'
import {
  AccountKindError, CYXWIZ_PROGRAM_ID, EmbeddedLedger, PROGRAM_SO_PATH, configPda, ensureGenesis, fetchConfig, fetchDispute, fetchEscrow, fetchNode,
  type AccountReader
} from '../../../chain/index.js'

describe('chain/client fetch: the program\'s accounts read once, owner-checked and decoded (issue 16)', function () {
  this.timeout(60_000)
  let dir: string
  let ledger: EmbeddedLedger
  let rpc: AccountReader

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cyx-fetch-'))
    ledger = EmbeddedLedger.open({ dir, programs: [{ programId: CYXWIZ_PROGRAM_ID.toBase58(), path: PROGRAM_SO_PATH }] })
    await ensureGenesis(ledger, dir)
    rpc = {
      getAccountInfo: async (address: PublicKey) => {
        const a = ledger.getAccount(address.toBase58())
        return a === null ? null : { lamports: Number(a.lamports), owner: new PublicKey(a.owner), data: Buffer.from(a.data), executable: a.executable }
      }
    } as unknown as AccountReader
  })
  after(() => { rmSync(dir, { recursive: true, force: true }) })

  it('the Config of an initialised program reads back, with its mint and parameters', async () => {
    const config = await fetchConfig(rpc)
    assert.ok(config !== undefined)
    assert.ok(config.mint instanceof PublicKey)
    assert.ok(config.params.heartbeatIntervalSecs > 0n)
  })

  it('absent accounts, and accounts another program owns, read as undefined', async () => {
    assert.equal(await fetchNode(rpc, Keypair.generate().publicKey), undefined)
    assert.equal(await fetchEscrow(rpc, Keypair.generate().publicKey), undefined)
    // The Config as seen by another program id: not that program's account.
    assert.equal(await fetchConfig(rpc, Keypair.generate().publicKey), undefined)
    // The payer's system account at an escrow address someone named.
    const config = await fetchConfig(rpc)
    assert.equal(await fetchEscrow(rpc, config!.mint), undefined)
  })

  it('a program account of another kind is an AccountKindError naming the address', async () => {
    const configAddress = configPda(CYXWIZ_PROGRAM_ID).address
    await assert.rejects(fetchEscrow(rpc, configAddress), (e: unknown) => e instanceof AccountKindError && e.address === configAddress.toBase58() && /is not a cyxwiz Escrow account/.test(e.message))
    await assert.rejects(fetchDispute(rpc, configAddress), AccountKindError)
  })
})
