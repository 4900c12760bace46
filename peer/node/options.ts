/**
 * The libp2p configuration of a cyxwiz peer, built in one place. `libp2pOptions` returns plain
 * `Libp2pOptions`, which `createPeerNode` hands to Helia (`createPeerHelia(store, { libp2p })`):
 * Helia creates and owns the peer's one libp2p node and runs bitswap on it.
 *
 * Nothing public is contacted unless configured: no default bootstrap list, no delegated routing, no
 * UPnP, and the DHT speaks our own protocol id so it never joins the IPFS DHT.
 *
 * Peers behind NAT (docs/network.md): every node can dial relayed (`/p2p-circuit`) addresses, runs
 * DCUtR (upgrades a relayed connection to a direct one where the NAT allows) and AutoNAT v2 (which
 * of its addresses others can dial; v1 closes live connections on a dial-back mismatch). A node
 * with `nat.reserveRelay` listens on `/p2p-circuit`: it takes a reservation on a relay it is
 * connected to and is reachable through it. A node with `nat.relayService` offers the relay.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { autoNATv2 } from '@libp2p/autonat-v2'
import { bootstrap } from '@libp2p/bootstrap'
import { circuitRelayServer, circuitRelayTransport, type CircuitRelayService } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify, identifyPush, type Identify, type IdentifyPush } from '@libp2p/identify'
import type { PrivateKey } from '@libp2p/interface'
import { kadDHT, passthroughMapper, type KadDHT } from '@libp2p/kad-dht'
import { ping, type Ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Libp2pOptions } from 'libp2p'
import { MESH } from '../../protocols/index.js'
import { cyxRecordSelector, cyxRecordValidator, DHT_NAMESPACE, systemClock, type Clock } from './records.js'

/** The services every cyxwiz node runs, by the names other modules (and Helia) look them up. */
export type MeshServices = {
  identify: Identify
  identifyPush: IdentifyPush
  ping: Ping
  dht: KadDHT
  pubsub: GossipSub
  dcutr: unknown
  /** Absent on a node with `nat.autonat: false` (a relay with announced addresses). */
  autonat?: unknown
  /** Only on a node offering the relay (`nat.relayService`). */
  relay?: CircuitRelayService
} // a type alias, not an interface: libp2p's ServiceMap constraint needs an index-compatible type

export interface MeshConfig {
  /** Addresses to listen on, e.g. `['/ip4/127.0.0.1/tcp/0']`. */
  listen: readonly string[]
  /** Peers to join the mesh through. Empty: this node waits to be dialled. */
  bootstrap?: readonly (Multiaddr | string)[]
  /** The libp2p identity; libp2p generates a throwaway one when absent. */
  privateKey?: PrivateKey
  /** Gossip topics this node accepts; others are dropped unread. */
  topics?: readonly string[]
  /** Unix-seconds clock for record freshness checks. */
  clock?: Clock
  /** Multiaddrs of hosts exempt from the inbound connection rate limit (default: loopback). */
  allowHosts?: readonly string[]
  /** Milliseconds between gossipsub heartbeats (mesh maintenance); default 1000 as in gossipsub. */
  gossipHeartbeatMs?: number
  /** Reaching and being reached across NAT. */
  nat?: NatConfig
}

/**
 * What a relay allows each relayed connection (circuit). libp2p's default cuts a circuit after
 * 128 KiB or 2 minutes; a relayed connection with any limit is "limited", and libp2p opens streams
 * of a protocol on it only if that protocol opted in (`runOnLimitedConnection`), which the cyx
 * protocols do not: a job session (award, dataset, minutes of metrics, checkpoints, delivery) does
 * not fit in 128 KiB. See `RELAY_DEFAULTS` and docs/network.md for the choice made.
 */
export interface RelayLimits {
  /** Bytes a circuit may carry (both directions together); undefined: no limit. */
  dataBytes?: bigint
  /** Milliseconds a circuit may stay open; undefined: no limit. */
  durationMs?: number
  /** How many peers may hold a reservation at once. */
  maxReservations: number
  /** How long a reservation lasts before the peer must refresh it (milliseconds). */
  reservationTtlMs: number
}

/**
 * The relay `cyx relay` offers unless told otherwise: circuits without a data or duration limit,
 * so the whole job protocol runs over a relayed connection when DCUtR cannot make a direct one
 * (both peers behind NAT), and a bounded number of reservations, which is what bounds the relay's
 * cost. libp2p still prefers a direct connection for new streams as soon as one exists, and DCUtR
 * closes the relayed one after a successful upgrade.
 */
export const RELAY_DEFAULTS: RelayLimits = {
  maxReservations: 64,
  reservationTtlMs: 2 * 60 * 60 * 1000
}

export interface NatConfig {
  /** Listen on `/p2p-circuit`: take a reservation on a relay this node is connected to (a bootstrap
   * peer offering the relay), so peers that cannot dial it directly reach it through the relay. */
  reserveRelay?: boolean
  /** Offer circuit relay v2 to other peers, with these limits. */
  relayService?: RelayLimits
  /**
   * Run AutoNAT v2 (default true). A relay whose operator announces its public address turns it
   * off: it has nothing to learn, and asking peers to verify its address makes each of them open a
   * second connection to it for the dial-back (libp2p's `force: true`) and close it after. Other
   * protocols may pick that connection meanwhile and lose their stream when it closes: seen in the
   * multi-host test as a worker's relay reservation failing with "Unexpected EOF" about one start
   * in three, so the worker stayed unreachable.
   */
  autonat?: boolean
  /** Addresses announced in addition to the listen addresses (e.g. a public address that AutoNAT
   * has not confirmed yet: libp2p withholds unconfirmed public listen addresses). */
  announce?: readonly string[]
}

/** The largest circuit limits: what "no limit" on one side becomes when the other is set. */
const MAX_CIRCUIT_BYTES = 2n ** 63n - 1n
const MAX_CIRCUIT_MS = 2 ** 31 - 1 // a timer's largest delay; the wire field is a uint32

/** The relayed listen address that asks the relay transport for a reservation. */
export const CIRCUIT_LISTEN = '/p2p-circuit'

/**
 * Largest gossipsub RPC frame read from a peer. One frame may batch several messages with control
 * traffic (IHAVE/IWANT lists), so it is a multiple of our 16 KiB signed-message bound, far below
 * gossipsub's 4 MiB default; each message inside is still bounded by `openSigned`.
 */
const GOSSIP_MAX_RPC_BYTES = 256 * 1024

const LOOPBACK_IPS = ['127.0.0.1', '::1']
const LOOPBACK = ['/ip4/127.0.0.1', '/ip6/::1']

export function libp2pOptions (config: MeshConfig): Libp2pOptions<MeshServices> {
  const clock = config.clock ?? systemClock
  const bootstrapList = (config.bootstrap ?? []).map((a) => a.toString())
  const nat = config.nat ?? {}
  const listen = [...config.listen]
  if (nat.reserveRelay === true && !listen.includes(CIRCUIT_LISTEN)) listen.push(CIRCUIT_LISTEN)
  const relay = nat.relayService
  return {
    ...(config.privateKey === undefined ? {} : { privateKey: config.privateKey }),
    addresses: { listen, ...(nat.announce === undefined || nat.announce.length === 0 ? {} : { appendAnnounce: [...nat.announce] }) },
    connectionManager: {
      // libp2p refuses a 6th inbound connection per second from one host. Peers on this machine
      // (several workers, tests, benchmarks) all come from 127.0.0.1, so loopback is exempt;
      // remote hosts keep the limit.
      allow: [...(config.allowHosts ?? LOOPBACK)]
    },
    // A peer busy training (or several on one loaded machine) can answer libp2p's liveness ping
    // late; the default then aborts the connection, and with it a job session or an evidence
    // fetch. Dead peers are still found: by TCP, by the job protocol's idle timeout (metrics at
    // least every 5 s) and by every request's own deadline.
    connectionMonitor: { abortConnectionOnPingFailure: false },
    // The relay transport dials `/p2p-circuit` addresses and, listening on `/p2p-circuit`, reserves
    // a slot on a connected relay (found by identify: peers that serve the relay's hop protocol).
    transports: [tcp(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // @libp2p/bootstrap refuses an empty list, so it is only added when there is someone to dial.
    // createPeerNode dials the list itself at start; the module (after its default 1 s delay, when
    // those connections are normally open already) tags the peers keep-alive and redials them.
    peerDiscovery: bootstrapList.length === 0 ? [] : [bootstrap({ list: bootstrapList })],
    services: {
      identify: identify(),
      // A node's protocols change after it is connected: Helia registers bitswap only once libp2p
      // has started, and the roles register theirs (/cyx/job, /cyx/bid) later still. A restarted
      // peer redials the peers its persisted peer store tags keep-alive (the DHT's closest) during
      // libp2p's start, so they identify it before any of these exist. Identify push tells every
      // connected peer of each change (after a 1 s debounce); without it they kept the first list
      // for as long as the connection lived, and their bitswap never sent wants to the peer
      // (issue 17: a client could not fetch the evidence of a worker restarted mid-job).
      identifyPush: identifyPush(),
      ping: ping(),
      // Hole punching: on a relayed connection both peers dial each other's public addresses at
      // once; on success the relayed connection is closed and the direct one carries on.
      dcutr: dcutr(),
      // Which of this node's public addresses others can dial (private ones are never checked).
      ...(nat.autonat === false ? {} : { autonat: autoNATv2() }),
      ...(relay === undefined
        ? {}
        : {
            relay: circuitRelayServer({
              reservations: {
                maxReservations: relay.maxReservations,
                reservationTtl: relay.reservationTtlMs,
                // libp2p applies both limits or neither (its defaults: 128 KiB, 2 min); a zero cuts
                // the circuit at once, so the one not set gets the largest value the wire carries.
                applyDefaultLimit: relay.dataBytes !== undefined || relay.durationMs !== undefined,
                defaultDataLimit: relay.dataBytes ?? MAX_CIRCUIT_BYTES,
                defaultDurationLimit: relay.durationMs ?? MAX_CIRCUIT_MS
              }
            })
          }),
      dht: kadDHT({
        protocol: MESH.dhtProtocol,
        // A private mesh on loopback or a LAN: every node is dialable, so serve from the start
        // instead of waiting to discover a public address.
        clientMode: false,
        // The default mapper drops private and loopback addresses, which are all we have.
        peerInfoMapper: passthroughMapper,
        validators: { [DHT_NAMESPACE]: cyxRecordValidator(clock) },
        selectors: { [DHT_NAMESPACE]: cyxRecordSelector(clock) }
      }),
      pubsub: gossipsub({
        allowedTopics: [...(config.topics ?? [MESH.jobsTopic])],
        maxInboundDataLength: GOSSIP_MAX_RPC_BYTES,
        // Gossipsub scores down peers sharing an IP beyond 10 (Sybil defence); past ~12 it ignores
        // them entirely. Peers on this machine all share 127.0.0.1, so loopback is exempt.
        scoreParams: { IPColocationFactorWhitelist: new Set(LOOPBACK_IPS) },
        ...(config.gossipHeartbeatMs === undefined ? {} : { heartbeatInterval: config.gossipHeartbeatMs })
      })
    }
  }
}
