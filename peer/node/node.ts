/**
 * One cyxwiz peer on the mesh: its Helia node, which owns the peer's one libp2p node (built from
 * `libp2pOptions`, with bitswap on it, so evidence blocks travel between peers by CID), its peer
 * store (level databases), its two keys, its clock and its misbehaviour ledger. Protocol modules
 * (discovery, job gossip, bids, jobs) take a `PeerNode` and register what they need on it;
 * `stop()` undoes all of it, stops Helia (and with it libp2p) and closes the store it opened.
 */
import { logger } from '@libp2p/logger'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ConnectionGater, PeerId, PrivateKey } from '@libp2p/interface'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { wire } from '../../protocols/index.js'
import { createPeerHelia, openPeerStore, type HeliaWithLibp2p, type PeerStore } from '../../storage/index.js'
import { loadOrCreatePeerKey, loadOrCreateWallet, WALLET_FILE } from './identity.js'
import { keepGossipStreams } from './gossip-streams.js'
import { MisbehaviourLedger } from './misbehaviour.js'
import { libp2pOptions, type MeshServices, type NatConfig } from './options.js'
import { systemClock, type Clock } from './records.js'

const log = logger('cyx:node')

export const DEFAULT_LISTEN = ['/ip4/127.0.0.1/tcp/0'] as const

export interface PeerNodeConfig {
  /** The peer's data dir: `peer.key`, (unless `keypair` is given) `wallet.json` and the peer store
   * (unless `store` is given) live here. Without it, both keys are generated in memory and the
   * store lives in a temporary directory removed at stop. */
  dir?: string
  /** An already open peer store to run Helia on (the caller closes it); default: the node opens
   * `<dir>`'s and closes it at stop. */
  store?: PeerStore
  /** Path of the wallet keypair (Solana CLI JSON); created if missing. Default `<dir>/wallet.json`. */
  keypair?: string
  listen?: readonly string[]
  bootstrap?: readonly (Multiaddr | string)[]
  /** A libp2p identity to use instead of `<dir>/peer.key`. */
  privateKey?: PrivateKey
  /** Unix-seconds clock (freshness of signed messages); the system clock by default. */
  clock?: Clock
  gossipHeartbeatMs?: number
  /** Reaching and being reached across NAT: relay reservation, relay service, announced addresses. */
  nat?: NatConfig
}

export interface PeerNode {
  readonly libp2p: Libp2p<MeshServices>
  /** The Helia node that owns `libp2p`: its blockstore is the peer's, networked through bitswap. */
  readonly helia: HeliaWithLibp2p<MeshServices>
  /** The peer's databases (job records, bids, evidence drafts, blocks). */
  readonly store: PeerStore
  readonly peerId: PeerId
  readonly wallet: wire.WalletSigner
  /** Signs with the libp2p peer key (Ed25519): what binds a record, e.g. an advert, to this peer id. */
  peerSign: (data: Uint8Array) => Promise<Uint8Array>
  /** Where the wallet keypair is stored; undefined for an in-memory wallet. */
  readonly walletPath: string | undefined
  readonly clock: Clock
  readonly misbehaviour: MisbehaviourLedger
  /** The addresses others can dial this node on (listen addresses with the peer id). */
  multiaddrs: () => Multiaddr[]
  /** Registers cleanup to run (in reverse order) when the node stops, before libp2p itself. */
  onStop: (fn: () => void | Promise<void>) => void
  stop: () => Promise<void>
}

export async function createPeerNode (config: PeerNodeConfig = {}): Promise<PeerNode> {
  // A throwaway identity when there is no dir: generated here, so the node can sign with it.
  const privateKey = config.privateKey ?? (config.dir === undefined ? await generateKeyPair('Ed25519') : await loadOrCreatePeerKey(config.dir))
  const walletPath = config.keypair ?? (config.dir === undefined ? undefined : join(config.dir, WALLET_FILE))
  const wallet = await loadOrCreateWallet(walletPath)
  const clock = config.clock ?? systemClock

  // The gater needs the ledger and the ledger's ban hook needs the node: tie them after creation.
  let libp2pRef: Libp2p<MeshServices> | undefined
  const misbehaviour = new MisbehaviourLedger((peer) => {
    libp2pRef?.hangUp(peerIdFromString(peer)).catch((err: unknown) => { log('hanging up on a banned peer failed: %e', err) })
  })
  // A banned peer cannot come back through a new connection either.
  const gater: ConnectionGater = {
    denyInboundEncryptedConnection: (peer) => misbehaviour.isBanned(peer.toString()),
    denyOutboundEncryptedConnection: (peer) => misbehaviour.isBanned(peer.toString()),
    denyDialPeer: (peer) => misbehaviour.isBanned(peer.toString())
  }

  const bootstrap = (config.bootstrap ?? []).map((a) => typeof a === 'string' ? multiaddr(a) : a)
  // The store: the caller's, the data dir's, or a throwaway one.
  const tempDir = config.store === undefined && config.dir === undefined ? await mkdtemp(join(tmpdir(), 'cyx-peer-')) : undefined
  const store = config.store ?? await openPeerStore(config.dir ?? tempDir as string)
  const ownStore = config.store === undefined
  const release = async (): Promise<void> => {
    if (ownStore) await store.close().catch((err: unknown) => { log.error('closing the store failed: %e', err) })
    if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true }).catch((err: unknown) => { log.error('removing the temporary directory failed: %e', err) })
  }
  let helia: HeliaWithLibp2p<MeshServices>
  try {
    // Helia builds the peer's one libp2p node from exactly these options and runs bitswap on it.
    helia = await createPeerHelia(store, {
      libp2p: {
        ...libp2pOptions({
          listen: config.listen ?? DEFAULT_LISTEN,
          bootstrap,
          privateKey,
          clock,
          ...(config.nat === undefined ? {} : { nat: config.nat }),
          ...(config.gossipHeartbeatMs === undefined ? {} : { gossipHeartbeatMs: config.gossipHeartbeatMs })
        }),
        connectionGater: gater
      }
    })
  } catch (e) {
    await release()
    throw e
  }
  const libp2p = helia.libp2p
  libp2pRef = libp2p

  // The bootstrap module discovers its peers asynchronously; dialling them now means a node is on
  // the mesh when createPeerNode returns. A peer that is down is not fatal: the module retries.
  await Promise.allSettled(bootstrap.map(async (a) => await libp2p.dial(a)))

  // Gossipsub can keep a dead outbound stream to a peer whose connection closed as the stream
  // opened, and then never send to it again over its other connections (gossip-streams.ts).
  const gossipStreams = keepGossipStreams(libp2p)
  const cleanups: Array<() => void | Promise<void>> = [() => { gossipStreams.stop() }]
  let stopping: Promise<void> | undefined
  return {
    libp2p,
    helia,
    store,
    peerId: libp2p.peerId,
    wallet: wallet.signer,
    peerSign: async (data) => await privateKey.sign(data),
    walletPath: wallet.path,
    clock,
    misbehaviour,
    multiaddrs: () => libp2p.getMultiaddrs(),
    onStop: (fn) => { cleanups.push(fn) },
    stop: async () => {
      stopping ??= (async () => {
        for (const fn of cleanups.reverse()) {
          try {
            await fn()
          } catch {
            // a failing cleanup must not keep the node running
          }
        }
        // Helia stops its libp2p node; the store closes after both.
        await helia.stop().catch((err: unknown) => { log.error('stopping helia after a failed start failed: %e', err) })
        await release()
      })()
      await stopping
    }
  }
}
