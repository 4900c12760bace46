/**
 * A delivery that never reached its client (the link cut as the worker sent it, test/e2e/net/link-cut):
 * the worker's record says `delivered`, the client's retried session sends the same award again,
 * and the worker answers with the same delivery, read back from its sealed evidence: the same
 * weights, nothing retrained, nothing anchored twice. Any other client asking is still refused.
 *
 * The lost first delivery is played by a second session on the same award after a job whose client
 * leaves the escrow as it is (`settle: 'none'`: no early release, no dispute), so the worker's
 * record stays `delivered` and the escrow funded in its challenge window, as after a lost delivery.
 */
import assert from 'node:assert/strict'
import { PublicKey } from '@solana/web3.js'
import { peerIdFromString } from '@libp2p/peer-id'
import { UNITS_PER_TOKEN, wire, toHex, fromHex } from '../../../protocols/index.js'
import { JobRefusedError, runJobSession } from '../../../peer/job/index.js'
import { Client, Worker, jobSpec, type WorkerEvent } from '../../../peer/roles/index.js'
import { generateSpirals } from '../../../peer/train/index.js'
import { until } from '../../fixtures/mesh.js'
import { World } from '../../fixtures/world.js'

const T = UNITS_PER_TOKEN
const { Kind, signMessage } = wire

describe('roles: a delivered job asked again is delivered again', function () {
  this.timeout(120_000)
  let world: World
  let worker: Worker | undefined
  let client: Client | undefined

  before(async () => { world = await World.open() })
  after(async () => {
    await client?.stop()
    await worker?.stop()
    await world?.close()
  })

  it('sends the same weights from its evidence, without training or anchoring again (also when interrupted after sealing, before the delivery)', async () => {
    const clientPeer = await world.peer(100n)
    const workerPeer = await world.peer(50n, clientPeer.node.multiaddrs())
    const events: WorkerEvent[] = []
    worker = await Worker.start({ node: workerPeer.node, connection: world.connection, store: workerPeer.store, pricePerHour: 60n * T, onEvent: (e) => { events.push(e) } })
    client = await Client.start({ node: clientPeer.node, connection: world.connection, store: clientPeer.store, settle: 'none' })
    const outcome = await client.submit({ datasetId: 'spirals', epochs: 2, seed: 3n, maxPrice: 10n * T, estimatedSeconds: 60, bidWindowMs: 1_000 })
    const jobId = outcome.jobId
    assert.equal(outcome.state, 'verified')
    assert.equal((await worker.jobs.get(jobId))?.state, 'delivered')
    const trainedBefore = events.filter((e) => e.type === 'job' && e.state === 'training').length
    const anchoredBefore = events.filter((e) => e.type === 'anchored').length

    const award: wire.Award = {
      jobId: fromHex(jobId), worker: Uint8Array.from(new PublicKey(outcome.winner.wallet).toBytes()), escrow: Uint8Array.from(new PublicKey(outcome.escrow).toBytes()),
      amount: outcome.winner.price, specHash: Uint8Array.from(wire.specHash(outcome.spec)), spec: outcome.spec, issuedAt: BigInt(clientPeer.node.clock())
    }
    const dataset = jobSpec(generateSpirals(), { epochs: 2 }).datasetBytes
    const again = await runJobSession(clientPeer.node, peerIdFromString(outcome.winner.peer), { signedAward: signMessage(Kind.AWARD, award, clientPeer.node.wallet), dataset })
    assert.equal(toHex(again.delivery.weightsHash), toHex(outcome.session.delivery.weightsHash))
    assert.equal(toHex(wire.sha256(again.weights)), toHex(outcome.session.delivery.weightsHash))
    assert.deepEqual(again.weights, outcome.session.weights)
    assert.equal(again.delivery.evidenceCid, outcome.session.delivery.evidenceCid)
    assert.equal(toHex(again.delivery.merkleRoot), toHex(outcome.session.delivery.merkleRoot))
    assert.equal(toHex(again.delivery.finalChainHash), toHex(outcome.session.delivery.finalChainHash))
    assert.equal(again.delivery.epochs, outcome.session.delivery.epochs)
    assert.ok(events.some((e) => e.type === 'redelivered' && e.jobId === jobId), 'the worker said it delivered again')
    assert.equal(events.filter((e) => e.type === 'job' && e.state === 'training').length, trainedBefore, 'nothing trained again')
    assert.equal(events.filter((e) => e.type === 'anchored').length, anchoredBefore, 'nothing anchored again')
    assert.equal((await worker.jobs.get(jobId))?.state, 'delivered')

    // Interrupted after its evidence was sealed and its root anchored, before the delivery reached
    // the client (the link cut in test/e2e/net/link-cut caught a worker there): the record still says
    // `training`. Staged by writing that record back. The worker must deliver the sealed evidence:
    // a new run would time its checkpoints anew, so its root would not be the one anchored.
    const record = (await worker.jobs.get(jobId))!
    await workerPeer.store.jobs.put(`worker/${jobId}`, { ...record, state: 'training' } as unknown as Parameters<typeof workerPeer.store.jobs.put>[1])
    const redeliveredBefore = events.filter((e) => e.type === 'redelivered').length
    const deliveredEvents = (): number => events.filter((e) => e.type === 'job' && e.jobId === jobId && e.state === 'delivered').length
    const deliveredBefore = deliveredEvents()
    const third = await runJobSession(clientPeer.node, peerIdFromString(outcome.winner.peer), { signedAward: signMessage(Kind.AWARD, { ...award, issuedAt: BigInt(clientPeer.node.clock()) }, clientPeer.node.wallet), dataset })
    assert.deepEqual(third.weights, outcome.session.weights)
    assert.equal(third.delivery.evidenceCid, outcome.session.delivery.evidenceCid)
    assert.equal(toHex(third.delivery.merkleRoot), toHex(outcome.session.delivery.merkleRoot))
    assert.equal(events.filter((e) => e.type === 'redelivered').length, redeliveredBefore + 1, 'the sealed evidence went out again')
    // The worker records the delivery once its session has ended (after the client has the weights).
    await until(() => deliveredEvents() > deliveredBefore, 10_000, 'the worker to record the delivery again')
    assert.equal((await worker.jobs.get(jobId))?.state, 'delivered')

    // Another wallet with the same award (signed by itself) is refused: the job is that client's.
    const stranger = await world.peer(10n, workerPeer.node.multiaddrs())
    await assert.rejects(runJobSession(stranger.node, peerIdFromString(outcome.winner.peer), { signedAward: signMessage(Kind.AWARD, award, stranger.node.wallet), dataset }),
      (e: unknown) => e instanceof JobRefusedError)
  })
})
