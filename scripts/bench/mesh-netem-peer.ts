/**
 * One end of the mesh bench's impaired link (scripts/bench/mesh-netem.ts starts two, each in its
 * own network namespace: the `client` on the public host, the `worker` behind the link): a cyx
 * peer node that moves the bench's payload over each path when told to, and says when the other
 * end had all of it.
 *
 * Both ends derive the SAME payload from the seed (an AES-256-CTR keystream: incompressible, 16 MiB
 * in milliseconds), so no payload crosses the control channel and each receiver checks what it got
 * against the payload's SHA-256. Control is JSON lines: commands on stdin, events on stdout
 * (everything else goes to stderr). Times are `process.hrtime` in ms: CLOCK_MONOTONIC, one clock
 * for every process of the machine whatever its network namespace, so the bench subtracts a
 * sender's `t0` (just before its first write) from the receiver's `t1` (when it holds every byte,
 * checked) — each leg timed from the first byte sent to the last byte received and checked.
 *
 *   node --import tsx scripts/bench/mesh-netem-peer.ts <listen-ip6> <tcp-port> <p2p-port> <bytes> <seed>
 *
 * Commands: `{"op":"dial","addr":MULTIADDR}` (→ `{"dialed":PEER}`), `{"op":"send","path":P,"host":IP6,
 * "port":N,"peer":ID}` with P one of `tcp` (a plain socket to host:port), `libp2pRaw` (the bare
 * libp2p stream: TCP + Noise + yamux, no framing), `weights` and `dataset` (/cyx/job frames, as
 * scripts/bench/mesh.ts's `jobProtocolMs`) (→ `{"sent":P,"t0":MS}` once the receiver acknowledged),
 * `{"op":"stop"}`. Events: `{"ready":{"peerId","tcpPort"}}`, `{"received":P,"t1":MS,"bytes":N}`,
 * `{"error":MESSAGE}`.
 */
import '../../peer/runtime/node20.mjs'
import { createCipheriv, createHash } from 'node:crypto'
import { once } from 'node:events'
import { connect, createServer, type Socket } from 'node:net'
import { createInterface } from 'node:readline'
import type { Stream } from '@libp2p/interface'
import { logger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { JobChannel, PayloadAssembler, chunkPayload } from '../../peer/job/index.js'
import { createPeerNode, openStream } from '../../peer/node/index.js'
import { MESH } from '../../protocols/index.js'

const log = logger('cyx:bench:mesh-netem-peer')
const writeStdout = process.stdout.write.bind(process.stdout)
console.log = (...a: unknown[]): void => { console.error(...a) }
console.info = (...a: unknown[]): void => { console.error(...a) }
const say = (event: Record<string, unknown>): void => { writeStdout(JSON.stringify(event) + '\n') }
const now = (): number => Number(process.hrtime.bigint()) / 1e6

export type NetemPath = 'tcp' | 'libp2pRaw' | 'weights' | 'dataset'
const RAW_PROTOCOL = '/cyx/bench/raw/1.0.0'
const SLICE = 256 * 1024
/** A leg that has not finished in this long has failed (16 MiB at 20 Mbit/s takes ~7 s). */
const LEG_TIMEOUT_MS = 600_000

/** `bytes` of AES-256-CTR keystream keyed by the seed: the same payload in every process. */
function benchPayload (bytes: number, seed: string): Uint8Array {
  const key = createHash('sha256').update(`cyx-bench-netem:${seed}`).digest()
  const c = createCipheriv('aes-256-ctr', key, Buffer.alloc(16))
  return new Uint8Array(c.update(Buffer.alloc(bytes)))
}

async function main (): Promise<void> {
  const [host, tcpPortArg, p2pPortArg, bytesArg, seed] = process.argv.slice(2)
  if (host === undefined || seed === undefined) throw new Error('usage: mesh-netem-peer.ts <listen-ip6> <tcp-port> <p2p-port> <bytes> <seed>')
  const payload = benchPayload(Number(bytesArg), seed)
  const sha256 = new Uint8Array(createHash('sha256').update(payload).digest())
  const n = payload.byteLength

  const node = await createPeerNode({ listen: [`/ip6/${host}/tcp/${Number(p2pPortArg)}`] })

  // The receiving side of every path: count (raw) or assemble and check (frames), then acknowledge.
  const server = createServer((socket: Socket) => {
    socket.on('error', (err) => { log('receiving socket: %e', err) }) // the sender destroys its end once acknowledged
    let got = 0
    socket.on('data', (b: Buffer) => {
      got += b.byteLength
      if (got === n) {
        say({ received: 'tcp', t1: now(), bytes: got })
        socket.end(Buffer.of(1))
      }
    })
  })
  server.listen(Number(tcpPortArg), host)
  await once(server, 'listening')
  await node.libp2p.handle(RAW_PROTOCOL, (stream: Stream) => {
    void (async () => {
      let got = 0
      for await (const b of stream) {
        got += b.byteLength
        if (got >= n) break
      }
      say({ received: 'libp2pRaw', t1: now(), bytes: got })
      stream.send(Uint8Array.of(1))
      await stream.close()
    })().catch((err: unknown) => { say({ error: `receiving libp2pRaw: ${String(err)}` }); stream.abort(err as Error) })
  })
  await node.libp2p.handle(MESH.jobProtocol, (stream: Stream) => {
    void (async () => {
      const ch = new JobChannel(stream)
      const assembler = new PayloadAssembler(n, sha256)
      let path: NetemPath | undefined
      while (true) {
        const m = await ch.receive(AbortSignal.timeout(LEG_TIMEOUT_MS))
        const chunk = m.dataChunk ?? m.weightsChunk
        const end = m.dataEnd ?? m.weightsEnd
        path = m.dataChunk !== undefined || m.dataEnd !== undefined ? 'dataset' : 'weights'
        if (chunk !== undefined) assembler.add(chunk)
        else if (end !== undefined) {
          assembler.finish(end) // the whole checked against the payload's hash
          break
        } else throw new Error('unexpected frame')
      }
      say({ received: path, t1: now(), bytes: n })
      await ch.send({ metrics: { epoch: 0, totalEpochs: 1, step: 0, loss: 0, trainAccuracy: 0, testAccuracy: 0, timestamp: BigInt(node.clock()) } })
      await ch.finish()
    })().catch((err: unknown) => { say({ error: `receiving job frames: ${String(err)}` }); stream.abort(err as Error) })
  }, { maxInboundStreams: 4 })

  /** A stream to `peer` as the product opens its own (peer/node/streams.ts): on the connection
   * that stays, not on an AutoNAT v2 dial-back that closes right after. */
  const open = async (peer: string, protocol: string): Promise<Stream> =>
    await openStream(node.libp2p, peerIdFromString(peer), protocol, { signal: AbortSignal.timeout(60_000) })

  const send = {
    tcp: async (c: Command): Promise<number> => {
      const socket = connect({ host: c.host!, port: c.port! })
      socket.on('error', (err) => { log('sending socket: %e', err) })
      await once(socket, 'connect')
      socket.setNoDelay(true)
      const acked = once(socket, 'data')
      const t0 = now()
      for (let at = 0; at < n; at += SLICE) {
        if (!socket.write(payload.subarray(at, at + SLICE))) await once(socket, 'drain')
      }
      await acked
      socket.destroy()
      return t0
    },
    libp2pRaw: async (c: Command): Promise<number> => {
      const stream = await open(c.peer!, RAW_PROTOCOL)
      const t0 = now()
      for (let at = 0; at < n; at += SLICE) {
        if (!stream.send(payload.subarray(at, at + SLICE))) await stream.onDrain()
      }
      for await (const _ of stream) break // the receiver's one-byte acknowledgement
      stream.abort(new Error('done'))
      return t0
    },
    frames: async (c: Command, as: 'dataset' | 'weights'): Promise<number> => {
      const stream = await open(c.peer!, MESH.jobProtocol)
      const ch = new JobChannel(stream)
      const t0 = now()
      for (const f of chunkPayload(payload, MESH.maxChunkBytes, sha256)) {
        await ch.send(as === 'dataset'
          ? (f.chunk !== undefined ? { dataChunk: f.chunk } : { dataEnd: f.end })
          : (f.chunk !== undefined ? { weightsChunk: f.chunk } : { weightsEnd: f.end }))
      }
      const ack = await ch.receive(AbortSignal.timeout(LEG_TIMEOUT_MS))
      if (ack.metrics === undefined) throw new Error(`${as}: the receiver refused the payload: ${ack.error?.message ?? 'no acknowledgement'}`)
      await ch.finish()
      return t0
    }
  }

  say({ ready: { peerId: node.peerId.toString(), tcpPort: Number(tcpPortArg) } })
  for await (const line of createInterface({ input: process.stdin })) {
    const c = JSON.parse(line) as Command
    try {
      if (c.op === 'stop') break
      if (c.op === 'dial') {
        const conn = await node.libp2p.dial(multiaddr(c.addr!), { signal: AbortSignal.timeout(60_000) })
        say({ dialed: conn.remotePeer.toString() })
      } else if (c.op === 'send') {
        const t0 = c.path === 'tcp' ? await send.tcp(c)
          : c.path === 'libp2pRaw' ? await send.libp2pRaw(c)
            : await send.frames(c, c.path === 'dataset' ? 'dataset' : 'weights')
        say({ sent: c.path, t0 })
      } else throw new Error(`unknown command ${line}`)
    } catch (e) {
      say({ error: `${line}: ${e instanceof Error ? e.message : String(e)}` })
    }
  }
  server.close()
  await node.stop()
}

interface Command { op: 'dial' | 'send' | 'stop', addr?: string, path?: NetemPath, host?: string, port?: number, peer?: string }

main().then(() => { process.exit(0) }, (err: unknown) => {
  say({ error: err instanceof Error ? err.stack ?? err.message : String(err) })
  process.exit(1)
})
