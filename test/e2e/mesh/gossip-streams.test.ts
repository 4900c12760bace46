/**
 * Gossipsub's outbound stream to a peer whose connection closed while the stream was being opened
 * (peer/node/gossip-streams.ts): the race test/e2e/net/nat-job.test.ts hits when DCUtR replaces the
 * relayed connection, made deterministic on 127.0.0.1. The client's first connection to the
 * worker is wrapped so that, once gossipsub's stream on it is negotiated, a second connection
 * opens (DCUtR's direct one in the field) and the first closes before gossipsub gets the stream:
 * gossipsub then holds a stream that is already closed, and, unrepaired, never sends to the worker
 * again although the second connection is open and the worker's subscription is known.
 */
import assert from 'node:assert/strict'
import type { Connection } from '@libp2p/interface'
import { announceJob, createPeerNode, onJobAnnounce, type JobAnnounceEvent, type PeerNode } from '../../../peer/node/index.js'
import { toHex, wire } from '../../../protocols/index.js'
import { jobAnnounce, newJobId } from '../../fixtures/mesh.js'

const { Kind, signMessage } = wire

describe('gossipsub streams: a connection closing while gossipsub opens its stream on it', function () {
  this.timeout(30_000)
  let client: PeerNode
  let worker: PeerNode

  afterEach(async () => {
    await Promise.all([client, worker].map(async (n) => { await n?.stop() }))
  })

  it('a job announce still reaches the worker, over the connection that stayed open', async () => {
    worker = await createPeerNode()
    const heard = new Promise<JobAnnounceEvent>((resolve) => { onJobAnnounce(worker, resolve) })
    client = await createPeerNode()
    const gossip = client.libp2p.services.pubsub.protocols
    let first: Connection | undefined
    let raced = false
    client.libp2p.addEventListener('connection:open', ({ detail: conn }) => {
      if (first !== undefined || !conn.remotePeer.equals(worker.peerId)) return
      first = conn
      const newStream = conn.newStream.bind(conn)
      conn.newStream = async (protocols, options) => {
        const stream = await newStream(protocols, options)
        if (!raced && [protocols].flat().some((p) => gossip.includes(p))) {
          raced = true
          await client.libp2p.dial(worker.multiaddrs()[0]!, { force: true })
          await conn.close()
        }
        return stream
      }
    })
    await client.libp2p.dial(worker.multiaddrs()[0]!)

    const jobId = newJobId()
    const announcement = await announceJob(client, signMessage(Kind.JOB_ANNOUNCE, jobAnnounce(client, jobId), client.wallet))
    const e = await heard
    announcement.stop()
    assert.equal(toHex(e.message.jobId), toHex(jobId))
    // The race happened as staged: the announce went over the second connection.
    assert.ok(raced, 'gossipsub opened its stream on the first connection')
    assert.equal(first?.status, 'closed')
    assert.ok(client.libp2p.getConnections(worker.peerId).some((c) => c.status === 'open' && c !== first))
  })
})
