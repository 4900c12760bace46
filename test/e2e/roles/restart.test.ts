/**
 * A worker killed during training and restarted on the same data dir and keys (a new process in
 * all but name: a new libp2p node on a new port, a new Worker over the reopened store) finds its
 * unfinished job, and when the client's session comes back with the same award, resumes training
 * from the last checkpoint its draft stored, delivers the same final weights an uninterrupted run
 * produces, and is paid.
 */
import { logger } from '@libp2p/logger'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { UNITS_PER_TOKEN, toHex } from '../../../protocols/index.js'
import { createPeerNode, type PeerNode } from '../../../peer/node/index.js'
import { trainWithEvidence } from '../../../peer/evidence/index.js'
import { Client, JobBook, Worker, jobSpec, type ClientJobEvent, type WorkerEvent } from '../../../peer/roles/index.js'
import { generateSpirals } from '../../../peer/train/index.js'
import { openPeerStore } from '../../../storage/index.js'
import { World } from '../../fixtures/world.js'

const log = logger('cyx:test:restart')

const T = UNITS_PER_TOKEN
const EPOCHS = 30

describe('roles: a worker restarted mid-job', function () {
  this.timeout(120_000)
  let world: World
  let client: Client
  const nodes: PeerNode[] = []
  const workers: Worker[] = []
  let reference: string

  before(async () => {
    world = await World.open()
    // What an uninterrupted run of the same spec delivers.
    const dir = await mkdtemp(join(tmpdir(), 'cyx-restart-ref-'))
    try {
      reference = (await trainWithEvidence({ wireSpec: jobSpec(generateSpirals(), { epochs: EPOCHS }).spec, dir })).finalWeightsHash
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  after(async () => {
    await client?.stop()
    for (const w of workers) await w.stop().catch((err: unknown) => { log('stopping a worker failed: %e', err) })
    for (const n of nodes) await n.stop().catch((err: unknown) => { log('stopping a node failed: %e', err) })
    await world?.close()
  })

  it('resumes from its last stored checkpoint, delivers the same final weights hash and is paid', async () => {
    const clientPeer = await world.peer(100n)
    // A funded wallet in its own data dir; the peer key is the dir's own `peer.key`.
    const funded = await world.peer(50n)
    await funded.node.stop()
    const events: WorkerEvent[] = []
    const startWorker = async (): Promise<Worker> => {
      const node = await createPeerNode({ dir: funded.dir, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: clientPeer.node.multiaddrs() })
      nodes.push(node)
      const w = await Worker.start({ node, connection: world.connection, store: node.store, pricePerHour: 100n * T, onEvent: (e) => { events.push(e) } })
      workers.push(w)
      return w
    }
    const first = await startWorker()
    const firstAddrs = first.node.multiaddrs().map(String)
    client = await Client.start({ node: clientPeer.node, connection: world.connection, store: clientPeer.store, resumeWindowMs: 60_000 })
    const clientBefore = await world.balance(client.wallet)
    const workerBefore = await world.balance(first.wallet)

    let kill!: () => void
    const killNow = new Promise<void>((resolve) => { kill = resolve })
    const progress: ClientJobEvent[] = []
    const submitted = client.submit({
      datasetId: 'spirals', epochs: EPOCHS, maxPrice: 5n * T, estimatedSeconds: 60, bidWindowMs: 1_000,
      onProgress: (e) => {
        progress.push(e)
        if (e.type === 'checkpoint' && e.checkpoint.epoch === 2) kill()
      }
    })
    submitted.catch((err: unknown) => { log.trace('the submission failed (awaited below): %e', err) })
    await killNow
    // Killed during training: the worker and its node go down (the store closes with the node).
    await first.stop()
    await first.node.stop()
    const store = await openPeerStore(funded.dir)
    const unfinished = await JobBook.worker(store).unfinished().finally(async () => { await store.close() })
    assert.equal(unfinished.length, 1)
    assert.equal(unfinished[0]!.state, 'training')

    // The same dir and keys, a new node (another port) and a new Worker.
    const second = await startWorker()
    assert.equal(second.node.peerId.toString(), first.node.peerId.toString())
    assert.notDeepEqual(second.node.multiaddrs().map(String), firstAddrs)
    const outcome = await submitted

    assert.equal(outcome.state, 'completed', JSON.stringify(outcome.spotCheck?.reasons))
    assert.equal(toHex(outcome.session.delivery.weightsHash), reference)
    assert.equal(outcome.session.delivery.epochs, EPOCHS)
    assert.equal(outcome.spotCheck?.passed, true)
    assert.ok(events.some((e) => e.type === 'resumable' && e.jobId === outcome.jobId))
    assert.ok(events.some((e) => e.type === 'resumed' && e.jobId === outcome.jobId))
    assert.ok(progress.some((e) => e.type === 'reconnecting'))
    // Resumed, not restarted: after the reconnect the first checkpoint is past the ones the client
    // already saw, and the notices add up to no more than the run's segments.
    const afterReconnect = progress.slice(progress.findIndex((e) => e.type === 'reconnecting'))
    const firstResumed = afterReconnect.find((e) => e.type === 'checkpoint')
    assert.ok(firstResumed?.type === 'checkpoint' && firstResumed.checkpoint.epoch > 2, 'training restarted from scratch')
    assert.ok(progress.filter((e) => e.type === 'checkpoint').length <= EPOCHS)

    // Paid 90/10 (a new worker: bronze), and both records closed.
    assert.equal(await world.balance(client.wallet), clientBefore - outcome.winner.price)
    assert.equal(await world.balance(second.wallet), workerBefore + outcome.winner.price * 9n / 10n)
    assert.ok(['delivered', 'settled'].includes((await second.jobs.get(outcome.jobId))?.state ?? ''))
    assert.equal((await client.jobs.get(outcome.jobId))?.state, 'completed')
  })
})
