/**
 * A stream opened while an AutoNAT v2 dial-back connection is open (peer/node/streams.ts): the
 * race the mesh-netem bench met between two public peers ("Unexpected EOF" on the weights leg),
 * made deterministic on 127.0.0.1, where AutoNAT never dials back (private addresses): the
 * worker opens the second connection itself exactly as AutoNAT v2's server does for a dial-back
 * (`force: true` to the client's address), and closes it once the client's streams are open, as
 * the server does as soon as the dial-back's answer arrives. libp2p's own `dialProtocol` puts a
 * stream on it (its choice alternates between the newest and the oldest direct connection), and
 * that stream dies; `openStream`, which every cyx protocol opens its streams with, does not.
 */
import assert from 'node:assert/strict'
import type { Connection, Stream } from '@libp2p/interface'
import { logger } from '@libp2p/logger'
import { createPeerNode, openStream, type PeerNode } from '../../../peer/node/index.js'

const ECHO = '/cyx/test-echo/1.0.0'
const BYTES = 256 * 1024
const STREAMS = 4
const log = logger('cyx:test:dial-back')

/** Sends BYTES on `stream` and resolves with how many came back (fewer when the stream died). */
async function echo (stream: Stream): Promise<number> {
  let back = 0
  const reader = (async () => {
    try {
      for await (const c of stream) {
        back += c.byteLength
        if (back >= BYTES) break
      }
    } catch (e) {
      log('the stream died while read: %e', e)
    }
  })()
  const chunk = new Uint8Array(16 * 1024).fill(7)
  try {
    for (let sent = 0; sent < BYTES; sent += chunk.byteLength) {
      if (!stream.send(chunk)) await new Promise((resolve) => stream.addEventListener('drain', resolve, { once: true }))
    }
    await reader
    await stream.close()
  } catch (e) {
    log('the stream died while written: %e', e)
  }
  await reader
  return back
}

describe('streams while an AutoNAT v2 dial-back connection is open (loopback)', function () {
  this.timeout(60_000)
  let client: PeerNode
  let worker: PeerNode
  let kept: Connection
  /** The dial-back as the worker (its dialler, and the one that closes it) holds it. */
  let dialBack: Connection

  beforeEach(async () => {
    worker = await createPeerNode()
    client = await createPeerNode()
    await worker.libp2p.handle(ECHO, async (stream) => {
      for await (const chunk of stream) {
        if (!stream.send(chunk)) await new Promise((resolve) => stream.addEventListener('drain', resolve, { once: true }))
      }
      await stream.close()
    })
    kept = await client.libp2p.dial(worker.multiaddrs()[0]!)
    // AutoNAT v2's server: `connectionManager.openConnection(addr, { force: true })`.
    dialBack = await worker.libp2p.dial(client.multiaddrs()[0]!, { force: true })
    const deadline = Date.now() + 10_000
    while (client.libp2p.getConnections(worker.peerId).filter((c) => c.status === 'open').length < 2) {
      if (Date.now() > deadline) throw new Error('the client never saw the dial-back connection')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  })

  afterEach(async () => {
    await Promise.all([client, worker].map(async (n) => { await n?.stop() }))
  })

  /** The worker closes the dial-back as AutoNAT v2's server does (`close` with what is left of its
   * request's deadline, then `abort` if that runs out), while the client's streams carry on. */
  const closeDialBack = async (): Promise<void> => {
    await dialBack.close({ signal: AbortSignal.timeout(3_000) }).catch((e: Error) => { dialBack.abort(e) })
  }

  /** The client's streams on the dial-back connection (the one that is not `kept`). */
  const onDialBack = (): number => client.libp2p.getConnections(worker.peerId)
    .filter((c) => c.id !== kept.id).reduce((n, c) => n + c.streams.filter((s) => s.protocol === ECHO).length, 0)

  it('libp2p\'s own dialProtocol puts a stream on the dial-back, and it dies when the dial-back closes', async () => {
    const streams: Stream[] = []
    for (let i = 0; i < STREAMS; i++) streams.push(await client.libp2p.dialProtocol(worker.peerId, ECHO))
    assert.ok(onDialBack() > 0, 'no stream on the dial-back: libp2p\'s choice of connection changed (peer/node/streams.ts explains the workaround)')
    const [back] = await Promise.all([Promise.all(streams.map(echo)), closeDialBack()])
    assert.ok(back.some((n) => n < BYTES), `every stream survived: ${back.join(', ')}`)
  })

  it('openStream puts every stream on the connection that stays: all survive the dial-back closing', async () => {
    const streams: Stream[] = []
    for (let i = 0; i < STREAMS; i++) streams.push(await openStream(client.libp2p, worker.peerId, ECHO))
    // By address as well (runJobSession and the coordinator's protocols are given addresses).
    streams.push(await openStream(client.libp2p, worker.multiaddrs()[0]!, ECHO))
    assert.equal(onDialBack(), 0)
    const [back] = await Promise.all([Promise.all(streams.map(echo)), closeDialBack()])
    assert.deepEqual(back, streams.map(() => BYTES))
    assert.equal(kept.status, 'open')
  })
})
