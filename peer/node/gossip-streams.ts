/**
 * Keeps gossipsub able to send to every peer it is connected to: a dead outbound stream left in
 * its registry is dropped and the peer handed to gossipsub again on a connection that is open.
 *
 * Why. Gossipsub (@libp2p/gossipsub 17) keeps one outbound stream per peer (`streamsOutbound`),
 * opens one only when none is registered, and forgets it when the stream emits `close`. When the
 * connection the stream is being opened on closes while it is being opened, `newStream` can still
 * resolve with a stream that is already closed: its `close` event has fired before gossipsub
 * listens for it, so the dead stream stays registered for good. Every later attempt to open one
 * (the next connection's identify, the peer's own inbound stream on it) is skipped because "a
 * stream exists", and nothing published reaches that peer while the peer's subscriptions, learnt
 * on its inbound stream, stay known. Seen in test/e2e/net/nat-job.test.ts about one run in two: the
 * public client reaches the NATed worker through the relay, gossipsub starts its stream on that
 * relayed connection, DCUtR's direct connection arrives and the relayed one closes 15 ms later,
 * the stream opening resolves 40 ms after that; the client then published its job announce two
 * hundred times to "no recipient" over an open direct connection, and got no bid.
 *
 * Repair. At each gossipsub heartbeat, a registered outbound stream that is not an open outbound
 * stream of gossipsub's protocols on any open connection to its peer is removed from the registry,
 * and identify is run again on the connection our streams go on (`pickConnection`: open,
 * unlimited, direct first, the oldest; not a short-lived AutoNAT dial-back): its `peer:identify`
 * makes the registrar hand the connection to gossipsub (`onConnect`), which opens a new stream
 * there and sends our subscriptions on it. A peer without such a connection is left to gossipsub's
 * own disconnect handling. A failed identify is retried at the next heartbeats (a few times).
 *
 * Upstream: libp2p/js-libp2p#3531 (in 17.1.1) forgets a stream that closes after it was registered,
 * not one that closed before; ChainSafe/js-libp2p-gossipsub#534 (checking that the registered
 * stream is open before skipping) would cover this case and make the repair unnecessary.
 */
import { logger } from '@libp2p/logger'
import type { Connection } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import { TIMEOUTS } from '../../protocols/index.js'
import type { MeshServices } from './options.js'
import { pickConnection } from './streams.js'

/**
 * The part of gossipsub's router the repair reads and edits: its registry of outbound streams,
 * a public field of the GossipSub class (17.x) that the service's interface does not declare.
 */
interface OutboundRegistry {
  readonly streamsOutbound: Map<string, unknown>
}

function registryOf (pubsub: MeshServices['pubsub']): OutboundRegistry {
  const streams = (pubsub as unknown as Partial<OutboundRegistry>).streamsOutbound
  // A gossipsub that renamed it must fail here, at the node's start, not stay silently unrepaired.
  if (!(streams instanceof Map)) throw new Error('gossipsub exposes no streamsOutbound registry: the outbound-stream repair (peer/node/gossip-streams.ts) needs updating')
  return { streamsOutbound: streams }
}

const log = logger('cyx:node:gossip-streams')

/** Identify attempts on one peer's connection before the repair gives up on that peer. */
export const GOSSIP_REATTACH_ATTEMPTS = 3
/** How long one identify run for the repair may take (`TIMEOUTS.identifyMs`, protocols/params.ts). */
const IDENTIFY_TIMEOUT_MS = TIMEOUTS.identifyMs

/** Whether `conn` carries an open outbound stream of one of gossipsub's protocols. */
function hasGossipStream (conn: Connection, protocols: readonly string[]): boolean {
  return conn.streams.some((s) => s.direction === 'outbound' && s.status === 'open' && protocols.includes(s.protocol ?? ''))
}

export interface GossipStreamRepair {
  /** One pass over gossipsub's registry (what each heartbeat runs); the peers handed back. */
  sweep: () => string[]
  stop: () => void
}

/** Starts the repair on `libp2p`'s gossipsub (see the module header); `stop` ends it. */
export function keepGossipStreams (libp2p: Libp2p<MeshServices>): GossipStreamRepair {
  const pubsub = libp2p.services.pubsub
  const { streamsOutbound } = registryOf(pubsub)
  /** Peers whose dead stream was dropped, with the identify attempts made for them since. */
  const attempts = new Map<string, number>()
  const inFlight = new Set<string>()

  const reattach = (id: string, conn: Connection): void => {
    const n = (attempts.get(id) ?? 0) + 1
    attempts.set(id, n)
    inFlight.add(id)
    log('gossipsub has no live outbound stream to %s: identifying it again on %a (attempt %d)', id, conn.remoteAddr, n)
    libp2p.services.identify.identify(conn, { signal: AbortSignal.timeout(IDENTIFY_TIMEOUT_MS) })
      .catch((err: unknown) => { log.error('re-identifying %s for gossipsub failed: %e', id, err) })
      .finally(() => { inFlight.delete(id) })
  }

  const sweep = (): string[] => {
    const handed: string[] = []
    const byPeer = new Map<string, Connection[]>()
    for (const c of libp2p.getConnections()) {
      const id = c.remotePeer.toString()
      byPeer.set(id, [...(byPeer.get(id) ?? []), c])
    }
    const open = (id: string): Connection[] => (byPeer.get(id) ?? []).filter((c) => c.status === 'open')
    // Dead streams still registered: dropped, and the peer handed back on a usable connection.
    for (const id of [...streamsOutbound.keys()]) {
      const conns = open(id)
      if (conns.some((c) => hasGossipStream(c, pubsub.protocols))) {
        attempts.delete(id)
        continue
      }
      const conn = pickConnection(conns)
      if (conn === undefined || inFlight.has(id)) continue
      streamsOutbound.delete(id)
      attempts.delete(id)
      reattach(id, conn)
      handed.push(id)
    }
    // Repairs whose identify failed, or whose stream did not come: tried again a few times.
    for (const [id, n] of attempts) {
      if (streamsOutbound.has(id) || inFlight.has(id)) continue
      const conn = pickConnection(open(id))
      if (conn === undefined || !pubsub.getPeers().some((p) => p.toString() === id) || n >= GOSSIP_REATTACH_ATTEMPTS) {
        if (n >= GOSSIP_REATTACH_ATTEMPTS) log.error('gossipsub still has no outbound stream to %s after %d identify runs: left to gossipsub', id, n)
        attempts.delete(id)
        continue
      }
      reattach(id, conn)
      handed.push(id)
    }
    return handed
  }

  const onHeartbeat = (): void => { sweep() }
  pubsub.addEventListener('gossipsub:heartbeat', onHeartbeat)
  return { sweep, stop: () => { pubsub.removeEventListener('gossipsub:heartbeat', onHeartbeat) } }
}
