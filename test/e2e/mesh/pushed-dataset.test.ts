/**
 * A client model's dataset on the job stream (/cyx/job/1.1.0, `DataRequest`): two real libp2p
 * nodes, the worker's job service with the real input path (`fetchClientInputs` with the dataset
 * pushed: the model and the manifest by CID over bitswap, every pushed block checked against the
 * manifest), the client's real `runJobSession`. The inputs are the byom fixtures, prepared as the
 * client role prepares them. Training is a test double (`deliverBytes`): this file is about the
 * inputs reaching the worker, not about training (test/e2e/roles/byom.test.ts runs the whole job).
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { fetchClientInputs } from '../../../peer/evidence/index.js'
import { JobRefusedError, runJobSession, startJobService, type DeliveredWork } from '../../../peer/job/index.js'
import { createPeerNode, type PeerNode } from '../../../peer/node/index.js'
import { isClientModelData, prepareClientModelJob, type TrainingData } from '../../../peer/train/index.js'
import { wire } from '../../../protocols/index.js'
import { datasetSegments, type TensorDataset } from '../../../storage/index.js'

const FIXTURES = join(import.meta.dirname, '../../fixtures/byom')

/** The training test double: hands back fixed bytes as the "weights", with a delivery record that matches them. */
async function deliverBytes (epochs: number): Promise<DeliveredWork> {
  const weights = Uint8Array.from(randomBytes(4096))
  const evidence = CID.createV1(raw.code, await sha256.digest(weights)).toString()
  return {
    weights,
    delivery: { weightsHash: Uint8Array.from(wire.sha256(weights)), weightsBytes: BigInt(weights.byteLength), evidenceCid: evidence, merkleRoot: new Uint8Array(32), epochs, finalChainHash: new Uint8Array(32) }
  }
}

describe('job protocol: a client model\'s dataset pushed on the job stream', function () {
  this.timeout(120_000)
  let client: PeerNode
  let worker: PeerNode
  let spec: wire.TrainingSpec
  let dataset: TensorDataset
  /** What the worker's hook got, per job. */
  const received: TrainingData[] = []

  before(async () => {
    client = await createPeerNode({})
    worker = await createPeerNode({ bootstrap: client.multiaddrs() })
    await client.libp2p.dial(worker.peerId)
    const prepared = await prepareClientModelJob({ modelPath: join(FIXTURES, 'cnn.onnx'), dataPath: join(FIXTURES, 'parity.npz'), epochs: 1 }, client.helia.blockstore)
    spec = prepared.spec
    dataset = prepared.data.dataset
    await startJobService<{ from: typeof client.peerId }>(worker, {
      accept: async (_award, _client, from) => ({ from }),
      fetchClientInputs: async (job, s, signal, pushed) => await fetchClientInputs(worker.helia, s, { signal, providers: [job.from], pushedDataset: pushed }),
      run: async (_job, data) => {
        received.push(data)
        return await deliverBytes(spec.epochs)
      }
    })
  })

  after(async () => {
    await Promise.all([client?.stop(), worker?.stop()])
  })

  const award = (): Uint8Array => wire.signMessage(wire.Kind.AWARD, {
    jobId: Uint8Array.from(randomBytes(32)), worker: Uint8Array.from(randomBytes(32)), escrow: Uint8Array.from(randomBytes(32)), amount: 1n,
    specHash: Uint8Array.from(wire.specHash(spec)), spec, issuedAt: BigInt(client.clock())
  }, client.wallet)

  it('delivers the client\'s dataset to the worker bit for bit, the blocks checked against the manifest as they arrive', async () => {
    const result = await runJobSession(client, worker.peerId, { signedAward: award(), dataset: datasetSegments(dataset), signal: AbortSignal.timeout(60_000) })
    assert.equal(result.weights.byteLength, 4096)
    const got = received.at(-1)
    assert.ok(got !== undefined && isClientModelData(got), 'the worker trained on a client model\'s inputs')
    assert.deepEqual(got.dataset.train.x, dataset.train.x)
    assert.deepEqual(got.dataset.train.y, dataset.train.y)
    assert.deepEqual(got.dataset.test.x, dataset.test.x)
    assert.deepEqual(got.dataset.test.y, dataset.test.y)
  })

  it('answers a pushed dataset that is not the one the manifest names with DATA_HASH_MISMATCH, before anything trains', async () => {
    const runs = received.length
    const x = Uint8Array.from(dataset.train.x as Uint8Array)
    x[100] = (x[100] as number) ^ 0xff
    const forged: TensorDataset = { ...dataset, train: { ...dataset.train, x } }
    await assert.rejects(runJobSession(client, worker.peerId, { signedAward: award(), dataset: datasetSegments(forged), signal: AbortSignal.timeout(60_000) }),
      (e: unknown) => e instanceof JobRefusedError && e.code === wire.ErrorCode.DATA_HASH_MISMATCH && /block 0/.test(e.message))
    assert.equal(received.length, runs, 'nothing trained')
  })
})
