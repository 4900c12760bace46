/**
 * The peer's Helia node, built so that it contacts nothing public.
 *
 * `createHelia()` from helia 7 is the wrong entry point for us: it wraps the node in an HTTP block
 * broker (public trustless gateways), delegated routing (delegated-ipfs.dev) and a libp2p node with
 * the public bootstrap list. Instead we start from `createHeliaLight` (no routers, no block brokers,
 * codecs raw + dag-pb, sha2-256) and add only:
 *   - the dag-cbor codec, so pins and other DAG walks can traverse evidence manifests;
 *   - optionally, a libp2p node created from exactly the options given (`withLibp2pLight`: no
 *     defaults merged in) and bitswap on it (`withBitswap`), so other peers can fetch our blocks and
 *     we theirs, with the message timeouts and send queue of `BLOCKS` (protocols/params.ts).
 *
 * Without `libp2p` the node is a blockstore with a CID-aware API: enough for a worker writing
 * evidence, `cyx verify` on a local directory, CAR import/export and tests.
 *
 * Ownership: Helia creates and owns the libp2p node (withLibp2pLight always calls `createLibp2p`
 * itself; helia 7 cannot adopt an already-started node). So the mesh room passes its libp2p
 * *options* here and reaches the node afterwards as `helia.libp2p`. The node's identity is loaded
 * from (or created in) the peer store's datastore unless the options carry a `privateKey`.
 */
import { withBitswap } from '@helia/bitswap'
import { withLibp2pLight, type CreateLibp2pOptions, type HeliaWithLibp2p } from '@helia/libp2p'
import * as dagCbor from '@ipld/dag-cbor'
import { createHeliaLight, type Helia } from 'helia'
import type { ServiceMap } from '@libp2p/interface'
import { BLOCKS } from '../protocols/index.js'
import type { PeerStore } from './peer-store.js'

export type { Helia, HeliaWithLibp2p, CreateLibp2pOptions }

export interface PeerHeliaOptions<S extends ServiceMap = ServiceMap> {
  /**
   * The complete libp2p configuration (transports, encrypters, muxers, addresses, services). It is
   * used as given. Bitswap needs the `identify` service (it learns peers' protocols through it).
   */
  libp2p: CreateLibp2pOptions<S>
}

/** A started Helia on the peer store's blockstore and datastore, with no networking at all. */
export async function createPeerHelia (store: Pick<PeerStore, 'blockstore' | 'datastore'>): Promise<Helia>
/** A started Helia that also runs `options.libp2p` and serves/fetches blocks over bitswap. */
export async function createPeerHelia<S extends ServiceMap> (store: Pick<PeerStore, 'blockstore' | 'datastore'>, options: PeerHeliaOptions<S>): Promise<HeliaWithLibp2p<S>>
export async function createPeerHelia<S extends ServiceMap> (store: Pick<PeerStore, 'blockstore' | 'datastore'>, options?: PeerHeliaOptions<S>): Promise<Helia | HeliaWithLibp2p<S>> {
  const helia = createHeliaLight({
    blockstore: store.blockstore,
    datastore: store.datastore,
    codecs: [dagCbor]
  })
  if (options === undefined) return await helia.start()
  // withLibp2pLight fills privateKey, nodeInfo and datastore into the options object: give it a copy.
  // Bitswap's message timeouts and per-peer send queue from BLOCKS (params.ts says why its defaults lose blocks).
  const networked = withBitswap(withLibp2pLight(helia, { ...options.libp2p }), {
    messageSendTimeout: BLOCKS.messageTimeoutMs,
    messageReceiveTimeout: BLOCKS.messageTimeoutMs,
    sendBlocksMaxQueueLength: BLOCKS.sendQueueLength
  })
  return await networked.start()
}
