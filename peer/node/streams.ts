/**
 * Opening a stream of one of our protocols to a peer, on the connection to it that stays: every
 * place that opens a cyx stream (the job session, bids, the coordinator's protocols) goes through
 * `openStream`, never through libp2p's `dialProtocol` or `dial(peer)` + `newStream`.
 *
 * Why. With a connection open, libp2p (3.x) answers `dialProtocol(peer)` and `dial(peer)` with one
 * of the open connections, chosen by `findExistingConnection` in its connection manager: it sorts
 * the peer's connections, in place, with a comparator that is not consistent (`a.direct ? -1 :
 * b.direct ? 1 : 0`), so with two direct connections it returns the newest, and on the next call,
 * the array being reversed by the last sort, the oldest. The newest direct connection is often one
 * about to close: an AutoNAT v2 dial-back (the verifying peer opens a second connection with
 * `force: true` to the address under test, sends the nonce on it, and closes it as soon as the
 * answer arrives, at once and on both ends), or the loser of a simultaneous dial. A stream opened
 * on it dies with it, "Unexpected EOF" mid-transfer. Seen in the mesh-netem bench (the weights leg
 * between two public peers, whose AutoNAT verifies each other's addresses when they connect).
 * Public peers hit it: AutoNAT v2 dials back only public addresses.
 *
 * The rule (`pickConnection`): among the open connections without limits (a limited relayed
 * connection carries none of our protocols), a direct one before a relayed one (DCUtR's direct
 * connection replaces the relayed one), and among those the oldest: the one both peers kept, that
 * every short-lived connection to the same peer is younger than. A peer with none is dialled.
 */
import { logger } from '@libp2p/logger'
import type { AbortOptions, Connection, PeerId, Stream } from '@libp2p/interface'
import { isPeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'

const log = logger('cyx:node:streams')

/** What `pickConnection` reads of a connection. */
export type ConnectionFacts = Pick<Connection, 'status' | 'limits' | 'remoteAddr' | 'timeline'>

/** A relayed connection: its remote address goes through a relay (`/p2p-circuit`). */
const isRelayed = (c: ConnectionFacts): boolean => c.remoteAddr.getComponents().some((p) => p.name === 'p2p-circuit')

/**
 * The connection our streams go on, of a peer's connections: open, without limits; direct before
 * relayed; the oldest of those. Undefined when none qualifies (the peer is to be dialled).
 */
export function pickConnection<C extends ConnectionFacts> (conns: readonly C[]): C | undefined {
  const usable = conns.filter((c) => c.status === 'open' && c.limits === undefined)
  const direct = usable.filter((c) => !isRelayed(c))
  return [...(direct.length > 0 ? direct : usable)].sort((a, b) => a.timeline.open - b.timeline.open)[0]
}

/** The peer id a target names: itself, or an address's `/p2p/` part (the last one, after a relay's). */
function peerOf (target: PeerId | Multiaddr): PeerId | undefined {
  if (isPeerId(target)) return target
  const id = target.getComponents().filter((c) => c.name === 'p2p').at(-1)?.value
  return id === undefined ? undefined : peerIdFromString(id)
}

/** The node as `connectionTo` and `openStream` use it. */
export type Dialer = Pick<Libp2p, 'getConnections' | 'dial'>

/**
 * The connection to open our streams on to `target` (a peer id, or an address, with or without
 * `/p2p/`): `pickConnection`'s of the peer's open connections, else one dialled now. Rejects as
 * `dial` does.
 */
export async function connectionTo (libp2p: Dialer, target: PeerId | Multiaddr, options: AbortOptions = {}): Promise<Connection> {
  const peer = peerOf(target)
  const open = peer === undefined ? undefined : pickConnection(libp2p.getConnections(peer))
  if (open !== undefined) return open
  const dialled = await libp2p.dial(target, options)
  log.trace('no usable connection to %s: dialled %a', target.toString(), dialled.remoteAddr)
  return dialled
}

/** A stream of `protocol` to `target`, on `connectionTo`'s connection. Rejects as `dial` and `newStream` do. */
export async function openStream (libp2p: Dialer, target: PeerId | Multiaddr, protocol: string, options: AbortOptions = {}): Promise<Stream> {
  return await (await connectionTo(libp2p, target, options)).newStream(protocol, options)
}
