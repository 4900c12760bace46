/**
 * One cyxwiz peer on the mesh: its libp2p node (built from `libp2pOptions`), its two keys, its
 * clock and its misbehaviour ledger. Protocol modules (discovery, job gossip, bids) take a
 * `PeerNode` and register what they need on it; `stop()` undoes all of it.
 */
import { join } from 'node:path'
import type { ConnectionGater, PeerId, PrivateKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import { wire } from '../../protocols/index.js'
import { loadOrCreatePeerKey, loadOrCreateWallet, WALLET_FILE } from './identity.js'
import { MisbehaviourLedger } from './misbehaviour.js'
import { libp2pOptions, type MeshServices } from './options.js'
import { systemClock, type Clock } from './records.js'

export const DEFAULT_LISTEN = ['/ip4/127.0.0.1/tcp/0'] as const

export interface PeerNodeConfig {
  /** The peer's data dir: `peer.key` and (unless `keypair` is given) `wallet.json` live here. Without
   * it, both keys are generated in memory and forgotten at exit. */
  dir?: string
  /** Path of the wallet keypair (Solana CLI JSON); created if missing. Default `<dir>/wallet.json`. */
  keypair?: string
  listen?: readonly string[]
  bootstrap?: readonly (Multiaddr | string)[]
  /** A libp2p identity to use instead of `<dir>/peer.key`. */
  privateKey?: PrivateKey
  /** Unix-seconds clock (freshness of signed messages); the system clock by default. */
  clock?: Clock
  gossipHeartbeatMs?: number
}

export interface PeerNode {
  readonly libp2p: Libp2p<MeshServices>
  readonly peerId: PeerId
  readonly wallet: wire.WalletSigner
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
  const privateKey = config.privateKey ?? (config.dir === undefined ? undefined : await loadOrCreatePeerKey(config.dir))
  const walletPath = config.keypair ?? (config.dir === undefined ? undefined : join(config.dir, WALLET_FILE))
  const wallet = await loadOrCreateWallet(walletPath)
  const clock = config.clock ?? systemClock

  // The gater needs the ledger and the ledger's ban hook needs the node: tie them after creation.
  let libp2pRef: Libp2p<MeshServices> | undefined
  const misbehaviour = new MisbehaviourLedger((peer) => {
    libp2pRef?.hangUp(peerIdFromString(peer)).catch(() => {})
  })
  // A banned peer cannot come back through a new connection either.
  const gater: ConnectionGater = {
    denyInboundEncryptedConnection: (peer) => misbehaviour.isBanned(peer.toString()),
    denyOutboundEncryptedConnection: (peer) => misbehaviour.isBanned(peer.toString()),
    denyDialPeer: (peer) => misbehaviour.isBanned(peer.toString())
  }

  const bootstrap = (config.bootstrap ?? []).map((a) => typeof a === 'string' ? multiaddr(a) : a)
  const libp2p = await createLibp2p({
    ...libp2pOptions({
      listen: config.listen ?? DEFAULT_LISTEN,
      bootstrap,
      ...(privateKey === undefined ? {} : { privateKey }),
      clock,
      ...(config.gossipHeartbeatMs === undefined ? {} : { gossipHeartbeatMs: config.gossipHeartbeatMs })
    }),
    connectionGater: gater
  })
  libp2pRef = libp2p

  // The bootstrap module discovers its peers asynchronously; dialling them now means a node is on
  // the mesh when createPeerNode returns. A peer that is down is not fatal: the module retries.
  await Promise.allSettled(bootstrap.map(async (a) => await libp2p.dial(a)))

  const cleanups: Array<() => void | Promise<void>> = []
  let stopping: Promise<void> | undefined
  return {
    libp2p,
    peerId: libp2p.peerId,
    wallet: wallet.signer,
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
        await libp2p.stop()
      })()
      await stopping
    }
  }
}
