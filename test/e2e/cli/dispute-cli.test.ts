/**
 * `cyx dispute` as people use it, every party its own OS process of the `cyx` binary on 127.0.0.1:
 * `cyx chain --genesis`; a worker that trained with `cyx train` into its data dir and serves it with
 * `cyx worker`; an escrow between a client and that worker; `cyx dispute open` by the client citing
 * the evidence CID, the worker's answer with `cyx dispute evidence` (a non-party's refused before
 * anything is sent), `cyx dispute show` fetching it over bitswap and re-running spot checks; three
 * juror nodes (funded by `cyx faucet`, staked with register_node) drawn by `cyx dispute draw`,
 * each committing with `cyx dispute commit` (its salt kept in its data dir) and revealing with
 * `cyx dispute reveal`; the clock warped past each window with the ledger's `cyx_warp`;
 * `cyx dispute resolve`, `finalize`, each juror's `withdraw` and `close`: the worker is paid and
 * takes the bond, every juror's deposit is back in its stake.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getAccount, getAssociatedTokenAddressSync } from '@solana/spl-token'
import { Connection, Keypair, PublicKey } from '@solana/web3.js'
import { CYXWIZ_PROGRAM_ID, ESCROW_STATE, acceptJob, createEscrow, decodeEscrow, escrowPda, fetchNode, registerNode } from '../../../chain/index.js'
import { DISPUTE, UNITS_PER_TOKEN, settlementSplit } from '../../../protocols/index.js'
import { sendTransaction } from '../../../peer/roles/index.js'
import { cyx, firstJson, type Proc } from '../../fixtures/cyx-process.js'

const T = UNITS_PER_TOKEN

/** Runs one command to its end; its stdout as one JSON object (exit 0 required). */
async function json<T = Record<string, any>> (args: string[]): Promise<T> {
  const t0 = Date.now()
  const p = cyx(args)
  const code = await p.exited
  if (process.env.CYX_TIMING !== undefined) console.error(`${Date.now() - t0} ms: ${args.slice(0, 2).join(' ')}`)
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(code, 0, `cyx ${args.join(' ')} exited ${code}: ${p.stderr.join('\n')}`)
  return JSON.parse(p.lines.join('\n')) as T
}

async function rpcCall (url: string, method: string, params: unknown[]): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  const body = await res.json() as { result?: unknown, error?: { message: string } }
  if (body.error !== undefined) throw new Error(body.error.message)
  return body.result
}

/** Warps the ledger clock to just past `iso`. */
async function warpPast (url: string, iso: string): Promise<void> {
  const { unixTime } = await rpcCall(url, 'cyx_clock', []) as { unixTime: number }
  const seconds = Math.max(0, Math.floor(Date.parse(iso) / 1000) - unixTime + 1)
  await rpcCall(url, 'cyx_warp', [seconds])
}

describe('cyx dispute: open, evidence, show, draw, commit, reveal, resolve, finalize, withdraw, close (one process per party)', function () {
  // About twenty cyx processes run one after another (each a Node start-up): on a loaded 2-core
  // machine that alone took 171 s, so the limit leaves room; nothing here asserts time.
  this.timeout(420_000)
  const dir = mkdtempSync(join(tmpdir(), 'cyx-dispute-'))
  const procs: Proc[] = []
  after(async () => {
    for (const p of procs) if (p.child.exitCode === null) { p.child.kill('SIGINT'); await p.exited }
    rmSync(dir, { recursive: true, force: true })
  })

  it('a client disputes an honest job; three drawn juror nodes commit and reveal for the worker, who is paid and takes the bond', async () => {
    const chain = cyx(['chain', '--genesis', '--dev', '--port', '0', '--ledger', join(dir, 'ledger'), '--json'])
    procs.push(chain)
    const { rpc, mint } = await firstJson<{ rpc: string, mint: string }>(chain, (v) => typeof v.rpc === 'string')
    const connection = new Connection(rpc, 'confirmed')
    const balance = async (owner: PublicKey): Promise<bigint> => (await getAccount(connection, getAssociatedTokenAddressSync(new PublicKey(mint), owner))).amount
    const [W, C] = ['worker', 'client'].map((n) => join(dir, n)) as [string, string]
    const J = [1, 2, 3].map((i) => join(dir, `juror-${i}`))

    // The worker trained into its data dir (its Helia blockstore holds the evidence), then serves it.
    const [trained, , ...jurorWallets] = await Promise.all([
      json<{ evidenceCid: string }>(['train', '--dataset', 'spirals', '--epochs', '2', '--out', W, '--json'])
        .then(async (t) => { await json(['faucet', '--dir', W, '--tokens', '100', '--rpc', rpc, '--json']); return t }),
      json(['faucet', '--dir', C, '--tokens', '200', '--rpc', rpc, '--json']), // the job and the 100-token dispute bond
      ...J.map(async (d) => await json<{ address: string }>(['faucet', '--dir', d, '--tokens', '1000', '--rpc', rpc, '--json']))
    ])
    assert.match(trained.evidenceCid, /^b[a-z2-7]+$/)
    const worker = cyx(['worker', '--dir', W, '--rpc', rpc, '--json'])
    procs.push(worker)
    const ready = await firstJson<{ addrs: string[], wallet: string }>(worker, (v) => v.event === 'ready')
    // Three juror nodes stake all their 1,000 CYXWIZ before the dispute opens: with the worker's
    // stake, 7 × 1,000 ≥ the total staked, so the sortition draws each of them in every round.
    const jurorKeys = J.map((d) => Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(join(d, 'wallet.json'), 'utf8')) as number[])))
    const jurorStake = 1_000n * T
    for (const k of jurorKeys) {
      await sendTransaction(connection, [registerNode({ owner: k.publicKey, ownerToken: getAssociatedTokenAddressSync(new PublicKey(mint), k.publicKey) }, jurorStake)], [k])
    }
    assert.deepEqual(jurorWallets.map((j) => j.address), jurorKeys.map((k) => k.publicKey.toBase58()))

    // A funded escrow from the client to that worker (what an award leaves on-chain).
    const client = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(join(C, 'wallet.json'), 'utf8')) as number[]))
    const workerWallet = new PublicKey(ready.wallet)
    const nonce = 7n
    const amount = 2n * T
    await sendTransaction(connection, [createEscrow({ client: client.publicKey, clientToken: getAssociatedTokenAddressSync(new PublicKey(mint), client.publicKey), mint: new PublicKey(mint), worker: workerWallet }, {
      nonce, jobId: Uint8Array.from(randomBytes(32)), amount, specHash: Uint8Array.from(randomBytes(32)), estimatedSeconds: 60n, timeoutSecs: 3_600n, epochsTotal: 2
    })], [client])
    const escrow = escrowPda(CYXWIZ_PROGRAM_ID, client.publicKey, nonce).address
    // The worker accepts the offer (accept_job): only an accepted escrow can be disputed.
    const workerKeypair = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(join(W, 'wallet.json'), 'utf8')) as number[]))
    await sendTransaction(connection, [acceptJob({ worker: workerWallet, escrow })], [workerKeypair])
    const clientBefore = await balance(client.publicKey)
    const workerBefore = await balance(workerWallet)

    // open: the client disputes, citing the evidence.
    const opened = await json(['dispute', 'open', escrow.toBase58(), '--evidence', trained.evidenceCid, '--dir', C, '--rpc', rpc, '--json'])
    assert.equal(opened.claimant, 'client')
    assert.equal(opened.state, 'open')
    assert.equal(opened.claims.client.evidence, trained.evidenceCid)
    assert.equal(opened.bond, String(DISPUTE.disputeBond))
    assert.equal(await balance(client.publicKey), clientBefore - DISPUTE.disputeBond)
    const id = opened.dispute as string

    // evidence: the worker answers with the evidence it delivered (what a --no-juror worker does by
    // hand; this escrow was made by hand, so its juror duty has no job record to answer from). A
    // juror is no party: refused before anything is sent, saying whose wallet may.
    const stranger = cyx(['dispute', 'evidence', id, '--evidence', trained.evidenceCid, '--dir', J[0]!, '--rpc', rpc])
    assert.equal(await stranger.exited, 1)
    assert.match(stranger.stderr.join('\n'), /is not a party to the dispute: only its client .* or its worker .* cites evidence/)
    const answered = await json(['dispute', 'evidence', id, '--evidence', trained.evidenceCid, '--dir', W, '--rpc', rpc, '--json'])
    assert.deepEqual([answered.party, answered.evidence, answered.claims.worker.evidence], ['worker', trained.evidenceCid, trained.evidenceCid])

    // show: the evidence (cited by both parties) fetched over bitswap from the worker and re-executed here.
    const shown = await json(['dispute', 'show', id, '--bootstrap', ready.addrs[0]!, '--rpc', rpc, '--json'])
    assert.equal(shown.escrow, escrow.toBase58())
    assert.equal(shown.findings.length, 1)
    const f = shown.findings[0]
    assert.equal(f.cid, trained.evidenceCid)
    assert.equal(f.side, 'client+worker')
    assert.ok(f.blocks > 0)
    assert.equal(f.verdict, 'passed', JSON.stringify(f.reasons))
    assert.equal(f.segmentCount, 2)
    assert.ok(f.segments.length > 0)

    // The round's jury is drawn from a slot hash filed after the opening; a commit during the
    // evidence window is refused; after it each juror commits for the side it found.
    const drawn = await json(['dispute', 'draw', id, '--dir', C, '--rpc', rpc, '--json'])
    assert.equal(drawn.jury.drawn, true)
    assert.equal(drawn.round, 0)
    const early = cyx(['dispute', 'commit', id, '--side', 'worker', '--dir', J[0]!, '--rpc', rpc])
    assert.notEqual(await early.exited, 0)
    assert.match(early.stderr.join('\n'), /VotingNotOpen/)
    await warpPast(rpc, shown.windows.evidenceUntil)
    for (const d of J) {
      const c = await json(['dispute', 'commit', id, '--side', 'worker', '--dir', d, '--rpc', rpc, '--json'])
      assert.equal(c.side, 'worker')
      assert.ok(readFileSync(c.saltFile, 'utf8').includes('"side":"worker"'), 'the salt is kept for reveal')
    }
    const deposit = jurorStake / 10n
    for (const k of jurorKeys) assert.equal((await fetchNode(connection, k.publicKey))?.stake, jurorStake - deposit)
    // The reveals open after the commit window; each juror reveals what it kept.
    await warpPast(rpc, shown.windows.commitUntil)
    let revealed: Record<string, any> = {}
    for (const d of J) revealed = await json(['dispute', 'reveal', id, '--dir', d, '--rpc', rpc, '--json'])
    assert.deepEqual([revealed.jury.revealed, revealed.jury.forWorker, revealed.jury.forClient], [3, 3, 0])

    // resolve after the reveal window records the verdict; finalize executes it at once.
    await warpPast(rpc, shown.windows.revealUntil)
    const resolved = await json(['dispute', 'resolve', id, '--dir', C, '--rpc', rpc, '--json'])
    assert.equal(resolved.state, 'resolved')
    assert.equal(resolved.winner, 'worker')
    const finalized = await json(['dispute', 'finalize', id, '--dir', C, '--rpc', rpc, '--json'])
    assert.equal(finalized.state, 'finalized')
    for (const d of J) {
      const withdrawn = await json(['dispute', 'withdraw', id, '--round', '0', '--dir', d, '--rpc', rpc, '--json'])
      assert.equal(withdrawn.state, 'finalized')
    }
    for (const k of jurorKeys) assert.equal((await fetchNode(connection, k.publicKey))?.stake, jurorStake, 'every deposit back in its stake')
    const closed = await json(['dispute', 'close', id, '--dir', C, '--rpc', rpc, '--json'])
    assert.equal(closed.state, 'closed')
    assert.equal(await connection.getAccountInfo(new PublicKey(id), 'confirmed'), null)

    const e = decodeEscrow((await connection.getAccountInfo(escrow, 'confirmed'))!.data)
    assert.equal(e.state, ESCROW_STATE.resolvedForWorker)
    const split = settlementSplit(amount, 'Bronze')
    // The client disputed an honest job and lost: its bond went to the worker.
    assert.equal(finalized.bond, '0')
    assert.equal(await balance(client.publicKey), clientBefore - DISPUTE.disputeBond)
    assert.equal(await balance(workerWallet), workerBefore + split.worker + DISPUTE.disputeBond)
    for (const k of jurorKeys) assert.equal(await balance(k.publicKey), 0n, 'a juror\'s tokens are all in its stake')
  })

  it('refuses bad arguments with exit code 2', async () => {
    const p = cyx(['dispute', 'commit', PublicKey.default.toBase58(), '--side', 'nobody'])
    assert.equal(await p.exited, 2)
    assert.match(p.stderr.join('\n'), /--side must be client, worker or unavailable/)
    const v = cyx(['dispute', 'vote', PublicKey.default.toBase58()])
    assert.equal(await v.exited, 2)
    assert.match(v.stderr.join('\n'), /unknown verb "vote"/)
    // evidence: its arguments are checked before a wallet is read or a ledger reached.
    for (const [args, why] of [
      [[], /--evidence CID is required/],
      [['--evidence', 'not-a-cid'], /--evidence must be a CID \(got not-a-cid\)/]
    ] as const) {
      const e = cyx(['dispute', 'evidence', PublicKey.default.toBase58(), ...args, '--rpc', 'http://127.0.0.1:9'])
      assert.equal(await e.exited, 2)
      assert.match(e.stderr.join('\n'), why)
    }
    const h = cyx(['dispute', '--help'])
    assert.equal(await h.exited, 0)
    assert.match(h.lines.join('\n'), /cyx dispute commit ID --side client\|worker/)
    assert.match(h.lines.join('\n'), /cyx dispute evidence ID --evidence CID/)
  })
})
