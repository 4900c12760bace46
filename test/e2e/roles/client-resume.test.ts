/**
 * A client stopped right after the weights were delivered (before it checked them) resumes from its
 * record: the delivered weights come back from its blockstore under their hash, the evidence is
 * fetched and spot-checked as if nothing had happened, and the job is paid. (A client killed during
 * training resumes through `cyx client resume`: test/e2e/cli/network-cli.test.ts.)
 */
import assert from 'node:assert/strict'
import { PublicKey } from '@solana/web3.js'
import { ESCROW_STATE, decodeEscrow } from '../../../chain/index.js'
import { UNITS_PER_TOKEN, wire, toHex } from '../../../protocols/index.js'
import { Client, Worker, type ClientJobEvent } from '../../../peer/roles/index.js'
import { World } from '../../fixtures/world.js'

const T = UNITS_PER_TOKEN

describe('roles: a client stopped after delivery resumes from its record', function () {
  this.timeout(120_000)
  let world: World
  let worker: Worker
  let client: Client | undefined

  before(async () => { world = await World.open() })
  after(async () => {
    await client?.stop()
    await worker?.stop()
    await world?.close()
  })

  it('keeps the delivered weights, checks the evidence on resume and pays', async () => {
    const clientPeer = await world.peer(100n)
    const workerPeer = await world.peer(50n, clientPeer.node.multiaddrs())
    worker = await Worker.start({ node: workerPeer.node, connection: world.connection, store: workerPeer.store, pricePerHour: 60n * T })
    const first = await Client.start({ node: clientPeer.node, connection: world.connection, store: clientPeer.store })
    client = first
    const stop = new AbortController()
    let jobId = ''
    const seen: ClientJobEvent[] = []
    await assert.rejects(first.submit({
      datasetId: 'spirals', epochs: 2, seed: 3n, maxPrice: 10n * T, estimatedSeconds: 60, bidWindowMs: 1_000, signal: stop.signal,
      onProgress: (e) => {
        seen.push(e)
        if (e.type === 'state') {
          jobId = e.jobId
          if (e.state === 'delivered') stop.abort()
        }
      }
    }), (e: unknown) => (e as Error).name === 'AbortError')
    // Stopped, not failed: the record stays where it was, and nothing was checked or signed.
    const record = await first.jobs.get(jobId)
    assert.equal(record?.state, 'delivered')
    assert.ok(!seen.some((e) => e.type === 'spot-check'))
    await first.stop()

    const second = await Client.start({ node: clientPeer.node, connection: world.connection, store: clientPeer.store })
    client = second
    const events: ClientJobEvent[] = []
    const outcome = await second.resume(jobId, { onProgress: (e) => { events.push(e) } })
    assert.equal(outcome.state, 'completed')
    assert.equal(outcome.spotCheck?.passed, true)
    assert.ok(events.some((e) => e.type === 'evidence'))
    // The weights the first run received, from the blockstore, still hash to the delivery's hash.
    assert.equal(toHex(wire.sha256(outcome.session.weights)), record?.facts.weightsHash)
    const info = await world.connection.getAccountInfo(new PublicKey(outcome.escrow), 'confirmed')
    assert.equal(decodeEscrow(info!.data).state, ESCROW_STATE.completed)
    assert.equal((await second.jobs.get(jobId))?.state, 'completed')
    // A finished job cannot be resumed again.
    await assert.rejects(second.resume(jobId), /only an escrowed, running, delivered or verified job/)
  })
})
