/**
 * Before wanting blocks from the one peer known to hold them (the worker that delivered evidence,
 * the respondent of a dispute), make sure bitswap will ask that peer.
 *
 * Bitswap does not send its wants to every connected peer: it sends them to the peers its topology
 * was told serve `/ipfs/bitswap/1.2.0`, i.e. whose last identify listed it. A connected peer that
 * was identified before it registered bitswap is left out, and a want for a block only it holds
 * waits in vain. That is a restarted peer's case: libp2p redials the peers its persisted peer store
 * tags keep-alive while it starts, before Helia registers bitswap on it (issue 17). Identify push
 * (peer/node/options.ts) corrects the list within about a second; `reachHolder` does not wait for
 * it: it identifies the holder on the connection it will be asked on, which informs bitswap at once.
 */
import { logger } from '@libp2p/logger'
import { isPeerId, type AbortOptions, type Connection, type IdentifyResult, type PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { TIMEOUTS } from '../../protocols/index.js'
import type { PeerNode } from './node.js'
import { connectionTo } from './streams.js'

const log = logger('cyx:node:holder')

/** The bitswap protocol Helia's bitswap (and so every cyxwiz peer) speaks. */
export const BITSWAP_PROTOCOL = '/ipfs/bitswap/1.2.0'

/** How long an identify already under way on a connection is waited for (`TIMEOUTS.identifyMs`, protocols/params.ts). */
const IDENTIFY_WAIT_MS = TIMEOUTS.identifyMs

/**
 * Connects to `holder` (a peer id, dialled at the addresses the peer store holds for it, or the
 * addresses it is known at) unless a connection is open, and makes sure this node's bitswap counts
 * it among the peers it asks for blocks: the holder is identified on that connection, and its
 * answer (what it serves now) reaches bitswap through libp2p's registrar. Resolves with the
 * holder's peer id; rejects when it cannot be reached or does not serve bitswap.
 *
 * The peer store's protocols for the holder are not enough to go by: just after the holder
 * restarted they are still the previous connection's, and an identify under way may replace them
 * with a list the holder sent before it served bitswap.
 */
export async function reachHolder (node: PeerNode, holder: PeerId | Multiaddr[], options: AbortOptions = {}): Promise<PeerId> {
  const { libp2p } = node
  // Each connection's identify answers as they arrive (libp2p's own, at connection open, included).
  const answered = new Map<string, Array<(protocols?: readonly string[]) => void>>()
  const latest = new Map<string, readonly string[]>()
  const onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    latest.set(evt.detail.connection.id, evt.detail.protocols)
    for (const fn of answered.get(evt.detail.connection.id) ?? []) fn(evt.detail.protocols)
  }
  const nextAnswer = async (connection: Connection): Promise<readonly string[] | undefined> => {
    const signal = AbortSignal.any([AbortSignal.timeout(IDENTIFY_WAIT_MS), ...(options.signal === undefined ? [] : [options.signal])])
    return await new Promise<readonly string[] | undefined>((resolve) => {
      const done = (protocols?: readonly string[]): void => { signal.removeEventListener('abort', timedOut); resolve(protocols) }
      const timedOut = (): void => { done() }
      signal.addEventListener('abort', timedOut, { once: true })
      answered.set(connection.id, [...(answered.get(connection.id) ?? []), done])
    })
  }
  libp2p.addEventListener('peer:identify', onIdentify)
  try {
    const before = new Set(libp2p.getConnections().map((c) => c.id))
    const connection = isPeerId(holder) ? await connectionTo(libp2p, holder, options) : await libp2p.dial(holder, options)
    const peer = connection.remotePeer
    let protocols: readonly string[] | undefined
    // A connection this dial opened: libp2p identifies it now, and that answer is current.
    if (!before.has(connection.id)) protocols = latest.get(connection.id) ?? await nextAnswer(connection)
    options.signal?.throwIfAborted()
    if (protocols === undefined) {
      // A peer answers one identify per connection at a time: while another is under way (libp2p's
      // own on a connection the holder opened just now) this one is refused. Then that one's
      // answer is awaited, and the holder asked again: the answer under way may predate what it
      // serves now.
      const again = nextAnswer(connection)
      try {
        protocols = (await libp2p.services.identify.identify(connection, options)).protocols
      } catch (e) {
        options.signal?.throwIfAborted()
        log('identifying %p failed (%s); waiting for the identify under way', peer, e instanceof Error ? e.message : String(e))
        await again
        options.signal?.throwIfAborted()
        protocols = (await libp2p.services.identify.identify(connection, options)).protocols
      }
    }
    if (!protocols.includes(BITSWAP_PROTOCOL)) throw new Error(`peer ${peer.toString()} does not serve bitswap (${BITSWAP_PROTOCOL})`)
    return peer
  } finally {
    libp2p.removeEventListener('peer:identify', onIdentify)
    for (const fns of answered.values()) for (const fn of fns) fn()
  }
}
