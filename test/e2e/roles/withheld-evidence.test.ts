/**
 * A worker that withholds its evidence after delivery (docs/security.md, finding 16; issue 17), end
 * to end on real libp2p peers and the embedded ledger: the worker trains and delivers honestly
 * (root anchored, delivery on-chain), then stops serving its evidence (the `withholdEvidence` fault:
 * its sealed root block deleted). The client's check is `unavailable`, so it disputes with that
 * claim; three other staked workers — nothing but `Worker.start` — are drawn, cannot fetch the
 * evidence, fetch again while the commit window leaves time for it (no vote meanwhile), and once the
 * clock passes their last retry vote UNAVAILABLE by their juror duty; the verdict refunds the
 * client with its bond and slashes the worker at the timeout rate. The test does only what a party
 * or anyone does: draw the jury, pass the windows (the ledger clock), resolve and finalize.
 */
import assert from 'node:assert/strict'
import { PublicKey } from '@solana/web3.js'
import { CYXWIZ_PROGRAM_ID, DISPUTE_STATE, ESCROW_STATE, SIDE, decodeEscrow, disputePda, drawJury, fetchDispute, finalizeDispute, resolveDispute, type DisputeAccount } from '../../../chain/index.js'
import { DISPUTE, UNITS_PER_TOKEN, jurorDeposit, unavailableOutcome } from '../../../protocols/index.js'
import { Client, Worker, readNode, sendTransaction, tokenAccount, type WorkerEvent } from '../../../peer/roles/index.js'
import { eventually } from '../../fixtures/wait.js'
import { World, type WorldPeer } from '../../fixtures/world.js'

const T = UNITS_PER_TOKEN
const STAKE = 50n * T

describe('e2e roles: a worker that withholds its evidence after delivery is found UNAVAILABLE and the client refunded', function () {
  this.timeout(300_000)
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
    worker = await Worker.start({ node: workerPeer.node, connection: world.connection, store: workerPeer.store, pricePerHour: 60n * T, settlementPollMs: 100, jurorPollMs: 100, heartbeatMs: false, faults: { withholdEvidence: true }, onEvent: (e) => { workerEvents.push(e) } })
    // Three dear workers (never the winner), each drawn in every round (7 × 50 ≥ 200 staked); one
    // short fetch attempt each: what is left unavailable after it is their finding.
    for (let i = 0; i < 3; i++) {
      const peer = await world.peer(50n, clientPeer.node.multiaddrs())
      const events: WorkerEvent[] = []
      jurors.push({ peer, events, worker: await Worker.start({ node: peer.node, connection: world.connection, store: peer.store, pricePerHour: 5_000n * T, jurorPollMs: 100, jurorFetch: { attempts: 1, attemptTimeoutMs: 4_000 }, heartbeatMs: false, onEvent: (e) => { events.push(e) } }) })
    }
    // The default settle ('complete'): the client disputes only because its check says unavailable.
    client = await Client.start({ node: clientPeer.node, connection: world.connection, store: clientPeer.store, evidenceTimeoutMs: 6_000 })
  })

  after(async () => {
    await client?.stop()
    await Promise.allSettled([worker, ...jurors.map((j) => j.worker)].map(async (w) => { await w?.stop() }))
    await world?.close()
  })

  const of = <K extends WorkerEvent['type']>(events: WorkerEvent[], type: K): Array<Extract<WorkerEvent, { type: K }>> =>
    events.filter((e): e is Extract<WorkerEvent, { type: K }> => e.type === type)

  it('client check unavailable → dispute → the juror duties vote UNAVAILABLE → the client refunded with its bond, the worker slashed at the timeout rate', async () => {
    const clientBefore = await world.balance(clientPeer.keypair.publicKey)
    const outcome = await client.submit({ datasetId: 'spirals', epochs: 2, stepsPerSegment: 20, seed: 3n, maxPrice: 10n * T, estimatedSeconds: 60, bidWindowMs: 1_000 })
    assert.equal(outcome.winner.wallet, worker.wallet.toBase58(), 'the cheap worker won the job')
    assert.equal(outcome.spotCheck?.verdict, 'unavailable', 'the withheld evidence could not be fetched')
    assert.equal(outcome.state, 'rejected')
    assert.ok(outcome.disputeSignature !== undefined, 'the client disputed')
    assert.match(outcome.disputeReason ?? '', /unavailable after every retry/)
    const escrow = new PublicKey(outcome.escrow)
    const e = decodeEscrow((await world.connection.getAccountInfo(escrow, 'confirmed'))!.data)
    assert.equal(e.delivered, 1, 'the delivery is on-chain: left alone, the claim window would pay the worker')
    const address = disputePda(CYXWIZ_PROGRAM_ID, escrow).address
    const read = async (): Promise<DisputeAccount> => {
      const d = await fetchDispute(world.connection, address)
      assert.ok(d !== undefined, 'the dispute exists')
      return d
    }
    const stakeBefore = (await readNode(world.connection, worker.wallet))?.stake ?? 0n
    let d = await read()
    // The worker answers the request with the CID it delivered (its juror duty), but does not serve it.
    await eventually(() => of(workerEvents, 'dispute-answered')[0], 30_000, `the worker's answer (its events: ${workerEvents.map((x) => x.type).join(', ')})`)
    world.warpPast(d.evidenceDeadline)
    await sendTransaction(world.connection, [drawJury({ dispute: address })], [clientPeer.keypair])
    d = await read()
    assert.equal(d.drawn, 1)

    // Each juror fetches and finds nothing whole: no vote yet, it fetches again while the commit
    // window leaves time for it (the worker serves through the commit window).
    const eventsOf = (j: { events: WorkerEvent[] }): string => j.events.map((x) => x.type === 'juror-failed' || x.type === 'juror-abstained' ? JSON.stringify(x) : x.type).join(', ')
    const retrying = []
    for (const j of jurors) retrying.push(await eventually(() => of(j.events, 'juror-retrying')[0], 120_000, `a juror's failed fetch round (its events: ${eventsOf(j)})`))
    for (const j of jurors) assert.deepEqual(of(j.events, 'juror-committed'), [], 'no vote while a retry fits in the commit window')
    for (const r of retrying) assert.ok(r.retryAt <= r.lastRetryAt && r.lastRetryAt < d.commitDeadline)
    // The clock passes the last retry any round leaves: every retry failed, each commits UNAVAILABLE.
    world.warpPast(retrying.reduce((a, r) => (r.lastRetryAt > a ? r.lastRetryAt : a), 0n))
    for (const j of jurors) await eventually(() => of(j.events, 'juror-committed')[0], 120_000, `a juror's commit (its events: ${eventsOf(j)})`)
    for (const j of jurors) {
      const [committed] = of(j.events, 'juror-committed')
      assert.equal(committed?.side, 'unavailable')
      assert.deepEqual(committed?.segments, [], 'nothing re-executed')
      assert.deepEqual(of(j.events, 'juror-abstained'), [])
    }
    d = await read()
    world.warpPast(d.commitDeadline)
    for (const j of jurors) await eventually(() => of(j.events, 'juror-revealed')[0], 30_000, 'a juror\'s reveal')
    d = await read()
    assert.deepEqual([d.revealed, d.votesUnavailable, d.votesWorker, d.votesClient], [3, 3, 0, 0])

    world.warpPast(d.revealDeadline)
    await sendTransaction(world.connection, [resolveDispute({ escrow })], [clientPeer.keypair])
    d = await read()
    assert.equal(d.state, DISPUTE_STATE.resolved)
    assert.equal(d.winner, SIDE.unavailable)
    await sendTransaction(world.connection, [finalizeDispute({ escrow, worker: e.worker, clientToken: tokenAccount(e.client, world.mint), workerToken: tokenAccount(e.worker, world.mint), mint: world.mint })], [clientPeer.keypair])

    const out = unavailableOutcome(e.amount, stakeBefore)
    assert.equal(decodeEscrow((await world.connection.getAccountInfo(escrow, 'confirmed'))!.data).state, ESCROW_STATE.resolvedForClient)
    assert.equal(await world.balance(clientPeer.keypair.publicKey), clientBefore, 'the client has its payment and its bond back')
    const node = await readNode(world.connection, worker.wallet)
    assert.equal(node?.stake, stakeBefore - out.slashed, 'slashed at the timeout rate')
    assert.equal(out.slashed, stakeBefore / 10n)
    // The jurors, all in the majority, settle their deposits back.
    for (const j of jurors) {
      const settled = await eventually(() => of(j.events, 'juror-settled')[0], 30_000, 'a juror\'s settlement')
      assert.deepEqual([settled.by, settled.returned], ['self', jurorDeposit(STAKE)])
    }
  })
})
