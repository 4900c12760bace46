/**
 * The owner's actions after the fact, through the roles the CLI and the live page use: a worker
 * paused bids on nothing and takes no job, resumed at a new price it bids that price; a client
 * rates the worker of a completed job once, disputes a delivered optimistic job it did not pay
 * (`settle: 'none'`) citing the recorded evidence, and cancels a job it stopped mid-training (the
 * escrow refunded, the record `cancelled`). What cannot succeed is refused before anything is
 * signed, with the reason.
 */
import assert from 'node:assert/strict'
import { PublicKey } from '@solana/web3.js'
import { ESCROW_STATE, decodeEscrow } from '../../../chain/index.js'
import { ESCROW, UNITS_PER_TOKEN } from '../../../protocols/index.js'
import { Client, ClientActionError, NoEligibleBidError, Worker, type WorkerEvent } from '../../../peer/roles/index.js'
import { World } from '../../fixtures/world.js'
import { eventually } from '../../fixtures/wait.js'

const T = UNITS_PER_TOKEN

describe('roles: the owner\'s actions (pause, price, rate, dispute, cancel)', function () {
  this.timeout(120_000)
  let world: World
  let worker: Worker | undefined
  const clients: Client[] = []

  before(async () => { world = await World.open() })
  after(async () => {
    for (const c of clients) await c.stop()
    await worker?.stop()
    await world?.close()
  })

  const escrowState = async (address: string): Promise<number> => decodeEscrow((await world.connection.getAccountInfo(new PublicKey(address), 'confirmed'))!.data).state

  it('pauses and prices a worker; rates, disputes and cancels jobs', async () => {
    const payer = await world.peer(100n)
    const holder = await world.peer(300n, payer.node.multiaddrs())
    const workerPeer = await world.peer(50n, payer.node.multiaddrs())
    const events: WorkerEvent[] = []
    worker = await Worker.start({ node: workerPeer.node, connection: world.connection, store: workerPeer.store, pricePerHour: 60n * T, onEvent: (e) => { events.push(e) } })
    const a = await Client.start({ node: payer.node, connection: world.connection, store: payer.store })
    const b = await Client.start({ node: holder.node, connection: world.connection, store: holder.store, settle: 'none' })
    clients.push(a, b)
    // A 3 s bid window (the protocol's default): a worker reads the client's balance from the
    // ledger before it decides, and late in a full suite's process 1 s was too short twice.
    const job = { datasetId: 'spirals', epochs: 2, seed: 3n, maxPrice: 10n * T, estimatedSeconds: 60, bidWindowMs: 3_000 }

    // An epoch longer than the no-progress timeout (2 epochs of 2 h + 1 s each): refused before any announce.
    await assert.rejects(a.submit({ ...job, estimatedSeconds: 2 * ESCROW.noProgressTimeoutSeconds + 2 }), /estimated at 7201 s, longer than the no-progress timeout \(7200 s\)/)
    assert.ok(!events.some((e) => e.type === 'bid-decision'), 'nothing was announced')

    // A fresh wallet holding no CYXWIZ announces: the worker does not bid (proof of funds).
    const fresh = await world.peer(0n, payer.node.multiaddrs())
    const unfunded = await Client.start({ node: fresh.node, connection: world.connection, store: fresh.store })
    clients.push(unfunded)
    await assert.rejects(unfunded.submit(job), (e: unknown) => e instanceof NoEligibleBidError)
    // The worker's decision may come after the client's bid window closed (it reads the client's
    // balance from the ledger first; under load that outlasts a 1 s window).
    await eventually(() => events.find((e) => e.type === 'bid-decision' && !e.decision.bid && e.decision.reason === 'client-unfunded'), 30_000, 'the worker to say why it did not bid (client-unfunded)')

    // Paused: no bid on anything.
    assert.deepEqual(await worker.setControl({ paused: true }), { paused: true, pricePerHour: 60n * T })
    await assert.rejects(a.submit(job), (e: unknown) => e instanceof NoEligibleBidError)
    await eventually(() => events.find((e) => e.type === 'bid-decision' && !e.decision.bid && e.decision.reason === 'paused'), 30_000, 'the worker to say why it did not bid (paused)')
    // Resumed at 120/h: bids 2 CYXWIZ for the minute (policy table: 120/h → 2).
    await worker.setControl({ paused: false, pricePerHour: 120n * T })
    assert.ok(events.some((e) => e.type === 'control' && !e.paused && e.pricePerHour === 120n * T))
    const paid = await a.submit(job)
    assert.equal(paid.state, 'completed')
    assert.equal(paid.winner.price, 2n * T)

    // Rated once; a second rating, or cancelling what is paid, is refused before anything is signed.
    const rated = await a.rate(paid.jobId, 5)
    assert.equal(rated.stars, 5)
    await assert.rejects(a.rate(paid.jobId, 4), (e: unknown) => e instanceof ClientActionError && /already rated/.test(e.message))
    await assert.rejects(a.cancel(paid.jobId), (e: unknown) => e instanceof ClientActionError && /completed, not funded: there is nothing to cancel/.test(e.message))
    await assert.rejects(a.rate('ff'.repeat(32), 5), /no job f+ in this client's records/)

    // Delivered and not paid (settle: none): disputed, citing the recorded evidence; not cancellable.
    const unpaid = await b.submit(job)
    assert.equal(unpaid.state, 'verified')
    await assert.rejects(b.cancel(unpaid.jobId), /was delivered: it can no longer be cancelled/)
    await assert.rejects(b.rate(unpaid.jobId, 5), /only a completed job's worker can be rated/)
    const before = await world.balance(b.wallet)
    const disputed = await b.dispute(unpaid.jobId)
    assert.equal(disputed.evidenceCid, unpaid.session.delivery.evidenceCid)
    assert.equal(await escrowState(unpaid.escrow), ESCROW_STATE.disputed)
    assert.ok(before - await world.balance(b.wallet) > 0n, 'the dispute bond was locked')

    // Stopped mid-training, then cancelled: the escrow is cancelled and the record says so.
    const stop = new AbortController()
    let jobId = ''
    await assert.rejects(b.submit({
      ...job, epochs: 40, signal: stop.signal,
      onProgress: (e) => {
        if (e.type === 'state') jobId = e.jobId
        if (e.type === 'metrics') stop.abort()
      }
    }), (e: unknown) => (e as Error).name === 'AbortError')
    const stopped = await b.jobs.get(jobId)
    assert.equal(stopped?.state, 'running')
    const cancelled = await b.cancel(jobId)
    assert.match(cancelled.signature, /^[1-9A-HJ-NP-Za-km-z]{64,88}$/)
    assert.equal(await escrowState(stopped!.facts.escrow!), ESCROW_STATE.cancelled)
    assert.equal((await b.jobs.get(jobId))?.state, 'cancelled')
    await assert.rejects(b.cancel(jobId), /cancelled, not funded/)
  })
})
