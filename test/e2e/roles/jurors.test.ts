/**
 * Workers as jurors, by themselves (docs/security.md §5, the juror duty: peer/roles/worker/juror-duty.ts),
 * on real libp2p peers and the embedded ledger: a client disputes an honest optimistic job; three
 * other staked workers — nothing but `Worker.start` — see that the round's jury drew them, fetch
 * the evidence by CID over bitswap, re-run spot checks with their own challenges, commit within
 * the commit window (the ballot kept in their peer store first), reveal within the reveal window
 * and, once the verdict is executed, settle their votes back into their stakes. The test does only
 * what a party or anyone does: draw the jury, pass the windows (the ledger clock), resolve and
 * finalize.
 */
import assert from 'node:assert/strict'
import { PublicKey } from '@solana/web3.js'
import { CYXWIZ_PROGRAM_ID, DISPUTE_STATE, ESCROW_STATE, SIDE, decodeEscrow, disputePda, drawJury, fetchDispute, finalizeDispute, resolveDispute, voteVaultPda, type DisputeAccount } from '../../../chain/index.js'
import { DISPUTE, UNITS_PER_TOKEN, jurorDeposit, settlementSplit } from '../../../protocols/index.js'
import { Client, Worker, readNode, sendTransaction, tokenAccount, type KeptBallot, type WorkerEvent } from '../../../peer/roles/index.js'
import { eventually } from '../../fixtures/wait.js'
import { World, type WorldPeer } from '../../fixtures/world.js'

const T = UNITS_PER_TOKEN
const STAKE = 50n * T

describe('roles: staked workers serve as jurors on their own', function () {
  this.timeout(180_000)
  let world: World
  let clientPeer: WorldPeer
  let client: Client
  let worker: Worker
  const workerEvents: WorkerEvent[] = []
  const jurors: Array<{ peer: WorldPeer, worker: Worker, events: WorkerEvent[] }> = []

  before(async () => {
    world = await World.open()
    clientPeer = await world.peer(100n + DISPUTE.disputeBond / UNITS_PER_TOKEN)
    const workerPeer = await world.peer(50n, clientPeer.node.multiaddrs())
    worker = await Worker.start({ node: workerPeer.node, connection: world.connection, store: workerPeer.store, pricePerHour: 60n * T, settlementPollMs: 100, jurorPollMs: 100, heartbeatMs: false, onEvent: (e) => { workerEvents.push(e) } })
    // Three more workers, too dear to win the job (their bids exceed its max price): each stakes
    // 50 CYXWIZ at start, so with the job's worker 7 × 50 ≥ the 200 staked in all — the sortition
    // draws each of them in every round (the job's worker is a party: never a juror).
    for (let i = 0; i < 3; i++) {
      const peer = await world.peer(50n, clientPeer.node.multiaddrs())
      const events: WorkerEvent[] = []
      jurors.push({ peer, events, worker: await Worker.start({ node: peer.node, connection: world.connection, store: peer.store, pricePerHour: 5_000n * T, jurorPollMs: 100, heartbeatMs: false, onEvent: (e) => { events.push(e) } }) })
    }
    client = await Client.start({ node: clientPeer.node, connection: world.connection, store: clientPeer.store, settle: 'dispute' })
  })

  after(async () => {
    await client?.stop()
    await Promise.allSettled([worker, ...jurors.map((j) => j.worker)].map(async (w) => { await w?.stop() }))
    await world?.close()
  })

  const of = <K extends WorkerEvent['type']>(events: WorkerEvent[], type: K): Array<Extract<WorkerEvent, { type: K }>> =>
    events.filter((e): e is Extract<WorkerEvent, { type: K }> => e.type === type)

  it('a client disputes an honest job; three drawn workers judge, commit, reveal and settle by themselves; the worker wins', async () => {
    const outcome = await client.submit({ datasetId: 'spirals', epochs: 2, stepsPerSegment: 20, seed: 3n, maxPrice: 10n * T, estimatedSeconds: 60, bidWindowMs: 1_000 })
    assert.equal(outcome.winner.wallet, worker.wallet.toBase58(), 'the cheap worker won the job')
    assert.ok(outcome.disputeSignature !== undefined, 'the client disputed')
    const escrow = new PublicKey(outcome.escrow)
    const address = disputePda(CYXWIZ_PROGRAM_ID, escrow).address
    const read = async (): Promise<DisputeAccount> => {
      const d = await fetchDispute(world.connection, address)
      assert.ok(d !== undefined, 'the dispute exists')
      return d
    }
    const workerBefore = await world.balance(worker.wallet)
    let d = await read()

    // The evidence window: no jury yet, nobody acts.
    await new Promise((resolve) => setTimeout(resolve, 500))
    for (const j of jurors) assert.deepEqual(of(j.events, 'juror-drawn'), [])
    // It passes; anyone (here the client) draws the round's jury.
    world.warpPast(d.evidenceDeadline)
    await sendTransaction(world.connection, [drawJury({ dispute: address })], [clientPeer.keypair])
    d = await read()
    assert.equal(d.drawn, 1)

    // Each juror worker sees it was drawn, judges the evidence and commits on its own.
    for (const j of jurors) await eventually(() => of(j.events, 'juror-committed')[0], 60_000, 'a juror\'s commit')
    for (const j of jurors) {
      const [drawn] = of(j.events, 'juror-drawn')
      assert.deepEqual([drawn?.dispute, drawn?.round, drawn?.cid], [address.toBase58(), 0, outcome.session.delivery.evidenceCid])
      const [committed] = of(j.events, 'juror-committed')
      assert.equal(committed?.side, 'worker', 'its own spot checks passed')
      assert.ok((committed?.segments.length ?? 0) > 0, 'it re-ran segments')
      assert.equal(committed?.deposit, jurorDeposit(STAKE))
      // The ballot is in the peer store (level), for a restart to reveal.
      const kept = await j.peer.store.ballots.get(`${address.toBase58()}/0`) as unknown as KeptBallot | undefined
      assert.equal(kept?.state, 'committed')
      assert.equal((await readNode(world.connection, j.worker.wallet))?.stake, STAKE - jurorDeposit(STAKE))
    }
    assert.deepEqual(of(workerEvents, 'juror-drawn'), [], 'a party is never a juror')
    d = await read()
    assert.equal(d.committed, 3)

    // The commit window passes: each reveals what it kept.
    world.warpPast(d.commitDeadline)
    for (const j of jurors) await eventually(() => of(j.events, 'juror-revealed')[0], 30_000, 'a juror\'s reveal')
    d = await read()
    assert.deepEqual([d.revealed, d.votesWorker, d.votesClient], [3, 3, 0])

    // The reveal window passes; anyone resolves and finalizes: the worker wins.
    world.warpPast(d.revealDeadline)
    await sendTransaction(world.connection, [resolveDispute({ escrow })], [clientPeer.keypair])
    d = await read()
    assert.equal(d.state, DISPUTE_STATE.resolved)
    assert.equal(d.winner, SIDE.worker)
    const e = decodeEscrow((await world.connection.getAccountInfo(escrow, 'confirmed'))!.data)
    await sendTransaction(world.connection, [finalizeDispute({ escrow, worker: e.worker, clientToken: tokenAccount(e.client, world.mint), workerToken: tokenAccount(e.worker, world.mint), mint: world.mint })], [clientPeer.keypair])

    // Each juror settles its vote: the deposit back into its stake (all with the majority: no forfeits).
    for (const j of jurors) {
      const settled = await eventually(() => of(j.events, 'juror-settled')[0], 30_000, 'a juror\'s settlement')
      assert.deepEqual([settled.by, settled.returned], ['self', jurorDeposit(STAKE)])
      await eventually(async () => await j.peer.store.ballots.get(`${address.toBase58()}/0`) === undefined ? true : undefined, 5_000, 'the ballot forgotten')
      assert.equal((await readNode(world.connection, j.worker.wallet))?.stake, STAKE)
      assert.deepEqual(of(j.events, 'juror-failed'), [])
    }
    d = await read()
    assert.equal(d.state, DISPUTE_STATE.finalized)
    assert.equal(d.openVotes, 0)
    const vault = await world.connection.getTokenAccountBalance(voteVaultPda(CYXWIZ_PROGRAM_ID, address).address, 'confirmed')
    assert.equal(vault.value.amount, '0', 'every deposit came back out of the vote vault')
    assert.equal(decodeEscrow((await world.connection.getAccountInfo(escrow, 'confirmed'))!.data).state, ESCROW_STATE.resolvedForWorker)
    // The worker is paid as for the job, and takes the client's bond.
    assert.equal(await world.balance(worker.wallet), workerBefore + settlementSplit(e.amount, 'Bronze').worker + DISPUTE.disputeBond)
  })
})
