/**
 * The coordinator's host on a peer node: what `Coordinator.start` (coordinator/) needs from the
 * peer room — the libp2p node (protocol handlers, framing, gossip, the DHT and its advert records,
 * the misbehaviour ledger), the Node-account reads through Solana JSON-RPC, and the client's award
 * policy — as the `CoordinatorHost` interface the coordinator declares.
 */
import type { PeerId } from '@libp2p/interface'
import type { Connection, PublicKey } from '@solana/web3.js'
import type { CoordinatorHost } from '../../coordinator/index.js'
import { advertKey, capabilityCid, framed, onJobAnnounce, openAdvertRecord, type PeerNode } from '../node/index.js'
import { rankBids } from '../policy/index.js'
import { chainFactsReader } from './ledger.js'

export interface CoordinatorHostOptions {
  /** Solana JSON-RPC to read stake and reputation from (read only). */
  readonly connection: Connection
  readonly programId?: PublicKey
}

/** The `CoordinatorHost` of a coordinator running on `node`. */
export function coordinatorHost (node: PeerNode, o: CoordinatorHostOptions): CoordinatorHost {
  const dht = (): PeerNode['libp2p']['services']['dht'] => node.libp2p.services.dht
  return {
    peerId: node.peerId,
    wallet: node.wallet,
    clock: () => node.clock(),
    multiaddrs: () => node.multiaddrs(),
    misbehaviour: node.misbehaviour,
    handle: async (protocol, handler) => {
      await node.libp2p.handle(protocol, handler)
      return async () => { await node.libp2p.unhandle(protocol) }
    },
    framed: (stream, maxFrameBytes) => framed(stream, maxFrameBytes),
    onJobAnnounce: (handler) => onJobAnnounce(node, async (e) => { await handler(e.message) }),
    findProviders: async function * (capability, { signal }): AsyncGenerator<PeerId> {
      for await (const ev of dht().findProviders(await capabilityCid(capability), { signal })) {
        if (ev.name !== 'PROVIDER') continue
        for (const p of ev.providers) yield p.id
      }
    },
    getAdvertRecord: async (peer, { signal }) => {
      let best: Uint8Array | undefined
      try {
        for await (const ev of dht().get(advertKey(peer.toString()), { signal })) if (ev.name === 'VALUE') best = ev.value
      } catch {
        // kad-dht may throw after yielding a value; it is still opened (and checked) by the caller
      }
      return best
    },
    openAdvertRecord: (peer, record, now) => openAdvertRecord(advertKey(peer.toString()), record, now),
    readChainFacts: chainFactsReader(o.connection, o.programId),
    rankBids,
    onStop: (fn) => { node.onStop(fn) }
  }
}
