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
 * it: when this node's peer store does not list bitswap for the holder, it identifies the holder
 * again on the open connection, which informs bitswap at once.
 */
import { logger } from '@libp2p/logger'
import { isPeerId, type AbortOptions, type IdentifyResult, type PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { PeerNode } from './node.js'

const log = logger('cyx:node:holder')

/** The bitswap protocol Helia's bitswap (and so every cyxwiz peer) speaks. */
export const BITSWAP_PROTOCOL = '/ipfs/bitswap/1.2.0'

/** How long a connection just opened may take to be identified by libp2p before it is asked itself. */
const IDENTIFY_WAIT_MS = 10_000

/**
 * Connects to `holder` (a peer id, dialled at the addresses the peer store holds for it, or the
 * addresses it is known at) unless a connection is open, and makes sure this node's bitswap counts
 * it among the peers it asks for blocks. Resolves with the holder's peer id; rejects when it cannot
 * be reached or does not serve bitswap.
 */
export async function reachHolder (node: PeerNode, holder: PeerId | Multiaddr[], options: AbortOptions = {}): Promise<PeerId> {
  const { libp2p } = node
  // libp2p identifies each connection it opens by itself (and a peer answers one identify per
  // connection at a time): for a new connection, its answer is awaited rather than asked twice.
  const answers = new Map<string, readonly string[]>()
  const waiting = new Map<string, (protocols: readonly string[]) => void>()
  const onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const { connection, protocols } = evt.detail
    answers.set(connection.id, protocols)
    waiting.get(connection.id)?.(protocols)
  }
  libp2p.addEventListener('peer:identify', onIdentify)
  try {
    const before = new Set(libp2p.getConnections().map((c) => c.id))
    const open = isPeerId(holder) ? libp2p.getConnections(holder).find((c) => c.status === 'open') : undefined
    const connection = open ?? await libp2p.dial(holder, options)
    const peer = connection.remotePeer
    let protocols: readonly string[] | undefined
    if (!before.has(connection.id)) {
      const signal = AbortSignal.any([AbortSignal.timeout(IDENTIFY_WAIT_MS), ...(options.signal === undefined ? [] : [options.signal])])
      protocols = answers.get(connection.id) ?? await new Promise<readonly string[] | undefined>((resolve) => {
        const done = (): void => { resolve(undefined) }
        signal.addEventListener('abort', done, { once: true })
        waiting.set(connection.id, (p) => { signal.removeEventListener('abort', done); resolve(p) })
      })
      options.signal?.throwIfAborted()
    } else {
      const known = (await libp2p.peerStore.get(peer, options).catch(() => undefined))?.protocols ?? []
      if (known.includes(BITSWAP_PROTOCOL)) return peer
      // Identified before it served bitswap: ask it again. The answer updates the peer store and,
      // through libp2p's registrar, tells bitswap that the peer serves it now.
      log('%p was identified without bitswap; identifying it again', peer)
    }
    protocols ??= (await libp2p.services.identify.identify(connection, options)).protocols
    if (!protocols.includes(BITSWAP_PROTOCOL)) throw new Error(`peer ${peer.toString()} does not serve bitswap (${BITSWAP_PROTOCOL})`)
    return peer
  } finally {
    libp2p.removeEventListener('peer:identify', onIdentify)
  }
}
