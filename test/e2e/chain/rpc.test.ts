/**
 * The embedded ledger behind Solana JSON-RPC, driven by unmodified @solana/web3.js and
 * @solana/spl-token clients over HTTP and WebSocket on 127.0.0.1.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Connection, Keypair, LAMPORTS_PER_SOL, SystemProgram, Transaction, sendAndConfirmTransaction, SYSVAR_CLOCK_PUBKEY, SendTransactionError } from '@solana/web3.js'
import { createMint, getOrCreateAssociatedTokenAccount, mintTo, transfer, getAccount, TOKEN_PROGRAM_ID } from '@solana/spl-token'
import { BLOCKHASH_VALIDITY, BLOCKHASH_VALIDITY_SECONDS, EmbeddedLedger, LedgerRpcServer } from '../../../chain/rpc/index.js'

async function rpc (url: string, body: unknown): Promise<any> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) })
  return await r.json()
}

describe('chain/rpc: the embedded ledger over JSON-RPC', function () {
  this.timeout(60_000)
  let dir: string
  let server: LedgerRpcServer
  let url: string
  let connection: Connection
  const payer = Keypair.generate()

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cyx-ledger-'))
    server = new LedgerRpcServer(EmbeddedLedger.open({ dir }), { dev: true })
    url = await server.listen({ port: 0 })
    connection = new Connection(url, 'confirmed')
  })

  after(async () => {
    await server?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves blockhashes, airdrops and confirmations to a plain Connection', async () => {
    const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash()
    assert.equal(typeof blockhash, 'string')
    assert.ok(lastValidBlockHeight > await connection.getBlockHeight())
    const sig = await connection.requestAirdrop(payer.publicKey, 10 * LAMPORTS_PER_SOL)
    const conf = await connection.confirmTransaction({ signature: sig, blockhash, lastValidBlockHeight })
    assert.equal(conf.value.err, null)
    assert.equal(await connection.getBalance(payer.publicKey), 10 * LAMPORTS_PER_SOL)
  })

  it('runs the real SPL Token program: mint, accounts, transfer, balances', async () => {
    const mint = await createMint(connection, payer, payer.publicKey, null, 9)
    const alice = await getOrCreateAssociatedTokenAccount(connection, payer, mint, payer.publicKey)
    const bob = Keypair.generate()
    const bobAta = await getOrCreateAssociatedTokenAccount(connection, payer, mint, bob.publicKey)
    await mintTo(connection, payer, mint, alice.address, payer, 1_000_000_000_000n)
    const sig = await transfer(connection, payer, alice.address, bobAta.address, payer, 250_000_000_000n)
    assert.equal((await getAccount(connection, bobAta.address)).amount, 250_000_000_000n)
    const bal = await connection.getTokenAccountBalance(alice.address)
    assert.equal(bal.value.amount, '750000000000')
    assert.equal(bal.value.decimals, 9)
    const tx = await connection.getTransaction(sig, { maxSupportedTransactionVersion: 0, commitment: 'confirmed' })
    assert.ok(tx?.meta?.logMessages?.some((l) => l.includes('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA')))
    assert.equal(tx?.meta?.err, null)
    const owned = await connection.getProgramAccounts(TOKEN_PROGRAM_ID, {
      filters: [{ dataSize: 165 }, { memcmp: { offset: 0, bytes: mint.toBase58() } }]
    })
    assert.equal(owned.length, 2)
  })

  it('reports a failing transaction with its logs, and refuses a duplicate', async () => {
    const poor = Keypair.generate()
    await connection.confirmTransaction(await connection.requestAirdrop(poor.publicKey, LAMPORTS_PER_SOL))
    const tx = new Transaction().add(SystemProgram.transfer({ fromPubkey: poor.publicKey, toPubkey: payer.publicKey, lamports: 5 * LAMPORTS_PER_SOL }))
    await assert.rejects(sendAndConfirmTransaction(connection, tx, [poor]), (e: unknown) => {
      assert.ok(e instanceof SendTransactionError)
      assert.match(e.message, /simulation failed/i)
      return true
    })
    const ok = new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: poor.publicKey, lamports: 1000 }))
    const { blockhash } = await connection.getLatestBlockhash()
    ok.recentBlockhash = blockhash
    ok.feePayer = payer.publicKey
    ok.sign(payer)
    const raw = ok.serialize()
    await connection.sendRawTransaction(raw)
    await assert.rejects(connection.sendRawTransaction(raw), /AlreadyProcessed/)
  })

  it('answers malformed requests with JSON-RPC errors and keeps serving', async () => {
    assert.equal((await rpc(url, '{not json')).error.code, -32700)
    assert.equal((await rpc(url, { jsonrpc: '2.0', id: 1, method: 'nope' })).error.code, -32601)
    assert.equal((await rpc(url, { jsonrpc: '2.0', id: 2, method: 'getBalance', params: ['not-a-key'] })).error.code, -32602)
    assert.equal((await rpc(url, { jsonrpc: '2.0', id: 3, method: 'sendTransaction', params: ['AAAA', { encoding: 'base64' }] })).error.code, -32002)
    const batch = await rpc(url, [{ jsonrpc: '2.0', id: 4, method: 'getSlot' }, { jsonrpc: '2.0', id: 5, method: 'getHealth' }])
    assert.equal(batch[1].result, 'ok')
    assert.equal(typeof (await connection.getSlot()), 'number')
  })

  it('warps the clock forward on a development ledger (dev: true), and only there', async () => {
    const plain = new LedgerRpcServer(EmbeddedLedger.open({}))
    const plainUrl = await plain.listen({ port: 0, wsOnNextPort: false })
    try {
      const refused = await rpc(plainUrl, { jsonrpc: '2.0', id: 1, method: 'cyx_warp', params: [60] })
      assert.equal(refused.error.code, -32601)
      assert.match(refused.error.message, /--dev/)
    } finally {
      await plain.close()
      plain.ledger.close()
    }
    assert.equal((await rpc(url, { jsonrpc: '2.0', id: 1, method: 'cyx_warp', params: ['60'] })).error.code, -32602, 'seconds must be a number')
    assert.equal((await rpc(url, { jsonrpc: '2.0', id: 1, method: 'cyx_warp', params: [-1] })).error.code, -32602)
    const before = (await connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY))!.data.readBigInt64LE(32)
    const r = await rpc(url, { jsonrpc: '2.0', id: 1, method: 'cyx_warp', params: [7 * 86_400] })
    assert.ok(r.result.unixTime >= Number(before) + 7 * 86_400)
    const after = (await connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY))!.data.readBigInt64LE(32)
    assert.ok(after >= before + 7n * 86_400n)
  })

  it('keeps its state across a restart', async () => {
    const balance = await connection.getBalance(payer.publicKey)
    const slot = await connection.getSlot()
    await server.close()
    server = new LedgerRpcServer(EmbeddedLedger.open({ dir }), { dev: true })
    url = await server.listen({ port: 0 })
    connection = new Connection(url, 'confirmed')
    assert.equal(await connection.getBalance(payer.publicKey), balance)
    assert.ok(await connection.getSlot() >= slot)
    // Still usable after the restart.
    const sig = await connection.requestAirdrop(payer.publicKey, LAMPORTS_PER_SOL)
    await connection.confirmTransaction(sig)
    assert.equal(await connection.getBalance(payer.publicKey), balance + LAMPORTS_PER_SOL)
  })
})

describe('chain/rpc: blockhash validity', () => {
  it('keeps a blockhash valid for 150 slots or 60 ledger seconds, whichever is longer', () => {
    let now = 1_800_000_000_000
    const ledger = EmbeddedLedger.open({ now: () => now })
    const someone = Keypair.generate().publicKey.toBase58()
    const { blockhash } = ledger.latestBlockhash()
    // A burst of 200 transactions within a second: more than 150 slots, but a cluster would have
    // taken 80 s for them, and clients (web3.js reuses a blockhash for 30 s) expect it still valid.
    for (let i = 0; i < 200; i++) ledger.airdrop(someone, 1_000_000n)
    assert.equal(ledger.isBlockhashValid(blockhash), true)
    now += (BLOCKHASH_VALIDITY_SECONDS + 1) * 1000
    ledger.airdrop(someone, 1_000_000n)
    assert.equal(ledger.isBlockhashValid(blockhash), false, 'past both windows it is refused')
    // And the slot rule alone: a blockhash 150 slots old stays valid however much time passed.
    const fresh = ledger.latestBlockhash().blockhash
    now += 3_600_000
    for (let i = 0; i < BLOCKHASH_VALIDITY; i++) ledger.airdrop(someone, 1_000_000n)
    assert.equal(ledger.isBlockhashValid(fresh), true)
    ledger.airdrop(someone, 1_000_000n)
    assert.equal(ledger.isBlockhashValid(fresh), false)
    assert.equal(ledger.isBlockhashValid('11111111111111111111111111111111'), false, 'never issued')
  })
})
