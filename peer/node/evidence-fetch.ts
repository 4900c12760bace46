/**
 * A `PeerNode` as the components evidence fetching needs (`peer/evidence/fetch.ts`): its Helia
 * blockstore (bitswap behind it), the DHT's provider records, and `reachHolder` to connect to a
 * holder so that bitswap asks it.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { CID } from 'multiformats/cid'
import type { EvidenceFetchComponents } from '../evidence/fetch.js'
import { reachHolder } from './holder.js'
import type { PeerNode } from './node.js'

/**
 * Announces in the DHT that this node holds `cid` (the provider record other peers' lookups find),
 * within `timeoutMs` (default 30 s). A node alone on the mesh has nobody to tell: that rejects.
 */
export async function provideEvidence (node: PeerNode, cid: CID, timeoutMs = 30_000): Promise<void> {
  await node.libp2p.contentRouting.provide(cid, { signal: AbortSignal.timeout(timeoutMs) })
}

export function evidenceFetchComponents (node: PeerNode): EvidenceFetchComponents {
  return {
    reader: node.helia,
    findProviders: async function * (cid, options) {
      for await (const p of node.libp2p.contentRouting.findProviders(cid, options)) {
        if (p.id.equals(node.peerId)) continue
        // The DHT's answer carries the provider's addresses: keep them for the dial by peer id.
        if (p.multiaddrs.length > 0) await node.libp2p.peerStore.merge(p.id, { multiaddrs: p.multiaddrs })
        yield p.id.toString()
      }
    },
    reach: async (holder, options) => {
      const target = 'peer' in holder ? peerIdFromString(holder.peer) : holder.addrs.map((a) => multiaddr(a))
      return (await reachHolder(node, target, options)).toString()
    }
  }
}
