/**
 * Bring your own model end to end through the roles: a client's own ONNX CNN (a PyTorch export,
 * committed fixture) and its own MNIST .npz, checked before anything is spent, moved to a worker on a
 * real libp2p mesh (the model and the dataset's manifest by CID over bitswap, the dataset's bytes
 * pushed on the job stream and stored by the worker under the same CIDs), trained, spot-checked by
 * re-execution, paid on the real program over JSON-RPC, and returned as the client's own file with
 * only the initializers changed.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ESCROW_STATE, decodeEscrow } from '../../../chain/index.js'
import { UNITS_PER_TOKEN } from '../../../protocols/index.js'
import { fetchClientInputs } from '../../../peer/evidence/index.js'
import { Client, Worker } from '../../../peer/roles/index.js'
import { locateInitializers } from '../../../peer/train/model/index.js'
import { World, type WorldPeer } from '../../fixtures/world.js'
import { PublicKey } from '@solana/web3.js'

const T = UNITS_PER_TOKEN
const FIXTURES = join(import.meta.dirname, '../../fixtures/byom')

describe('roles: bring your own model (a PyTorch CNN on MNIST digits)', function () {
  this.timeout(240_000)
  let world: World
  let clientPeer: WorldPeer
  let client: Client
  let worker: Worker
  let workerPeer: WorldPeer

  before(async () => {
    world = await World.open()
    clientPeer = await world.peer(100n)
    const w = workerPeer = await world.peer(50n, clientPeer.node.multiaddrs())
    worker = await Worker.start({ node: w.node, connection: world.connection, store: w.store, pricePerHour: 60n * T })
    client = await Client.start({ node: clientPeer.node, connection: world.connection, store: clientPeer.store })
  })

  after(async () => {
    await client?.stop()
    await worker?.stop()
    await world?.close()
  })

  it('refuses an unsupported model before announcing or escrowing anything', async () => {
    const before = await world.balance(client.wallet)
    await assert.rejects(client.submit({
      datasetId: 'client', epochs: 1, maxPrice: 5n * T,
      clientModel: { modelPath: join(FIXTURES, '../models/lstm-op14.onnx'), dataPath: join(FIXTURES, 'parity.npz'), epochs: 1 }
    }), /LSTM/)
    assert.equal(await world.balance(client.wallet), before)
  })

  it('trains the client\'s model on the client\'s data, verified and paid, and returns the client\'s own file', async () => {
    const modelPath = join(FIXTURES, 'cnn.onnx')
    const outcome = await client.submit({
      datasetId: 'client', epochs: 1, maxPrice: 5n * T,
      clientModel: { modelPath, dataPath: join(FIXTURES, 'parity.npz'), epochs: 1, optimizer: 'adam', learningRateMicros: 5_000, batchSize: 32, stepsPerSegment: 4 }
    })
    assert.equal(outcome.state, 'completed')
    assert.equal(outcome.spotCheck?.passed, true, outcome.spotCheck?.reasons.join('; '))
    assert.ok((outcome.spotCheck?.segments.length ?? 0) > 0, 'segments were re-executed')
    const escrow = decodeEscrow((await world.connection.getAccountInfo(new PublicKey(outcome.escrow)))!.data)
    assert.equal(escrow.state, ESCROW_STATE.completed)
    // The dataset came pushed on the job stream, not block by block into the worker's store: the
    // worker stored it under the spec's CIDs, and serves it from there like the client (offline read).
    const held = await fetchClientInputs(workerPeer.node.helia, outcome.spec, { offline: true })
    assert.ok('dataset' in held && held.dataset.train.count === Number(outcome.spec.clientModel!.trainRows))

    // The returned model: the client's bytes outside the initializers' payloads, new weights inside.
    const original = new Uint8Array(readFileSync(modelPath))
    const trained = outcome.trainedModel!.bytes
    assert.equal(trained.byteLength, original.byteLength)
    const inPayload = new Uint8Array(original.byteLength)
    for (const l of locateInitializers(original)) if (l.payload !== null) inPayload.fill(1, l.payload.offset, l.payload.offset + l.payload.length)
    let changed = 0
    for (let i = 0; i < original.byteLength; i++) {
      if (inPayload[i] === 0) assert.equal(trained[i], original[i], `byte ${i} outside the initializers changed`)
      else if (trained[i] !== original[i]) changed++
    }
    assert.ok(changed > 1000, 'the weights were trained')
    // One epoch of 512 digits: well above chance (10 %) on the held-out 256.
    assert.ok((outcome.trainedModel!.testAccuracy ?? 0) > 0.5, `test accuracy ${outcome.trainedModel!.testAccuracy}`)
  })
})
