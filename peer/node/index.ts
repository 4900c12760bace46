/**
 * The door of `peer/node`: one libp2p node per peer and the mesh protocols on it.
 * - node: `createPeerNode`, `libp2pOptions` (shared with Helia later), keys in the data dir;
 * - discovery: signed capability adverts in the private DHT, `findWorkers` by capability;
 * - job gossip: `announceJob` / `onJobAnnounce` on `MESH.jobsTopic`;
 * - bids: `startBidCollector` (client) / `sendBid` (worker) on `MESH.bidProtocol`;
 * - streams: `openStream` / `connectionTo`, the connection every cyx stream goes on (not an
 *   AutoNAT dial-back's, which libp2p's own choice can be);
 * - blocks: `reachHolder`, before wanting blocks over bitswap from the one peer that holds them;
 *   `evidenceFetchComponents`, the node as `fetchEvidence` (peer/evidence) uses it;
 * - NAT (docs/network.md): relay limits (`RELAY_DEFAULTS`), known peers remembered across restarts
 *   and bootstrap lists read from a file (known-peers).
 */
export { createPeerNode, DEFAULT_LISTEN, type PeerNode, type PeerNodeConfig } from './node.js'
export { CIRCUIT_LISTEN, libp2pOptions, RELAY_DEFAULTS, type MeshConfig, type MeshServices, type NatConfig, type RelayLimits } from './options.js'
export {
  KNOWN_PEERS_FILE, MAX_KNOWN_PEERS, knownPeerAddrs, loadKnownPeers, parseBootstrapList, parseKnownPeers, readBootstrapFile, rememberPeer, trackKnownPeers, type KnownPeer
} from './known-peers.js'
export { loadOrCreatePeerKey, loadOrCreateWallet, newWalletSecretKey, parseSolanaKeypair, writeSecret, PEER_KEY_FILE, WALLET_FILE, type LoadedWallet } from './identity.js'
export {
  advertKey, advertRecordSigningBytes, cyxRecordSelector, cyxRecordValidator, encodeAdvertRecord, openAdvertRecord, systemClock, ADVERT_RECORD_DOMAIN, DHT_NAMESPACE,
  MAX_ADVERT_RECORD_BYTES, type Clock, type OpenedAdvertRecord
} from './records.js'
export { buildAdvert, capabilityCid, findWorkers, getAdvert, publishAdvert, type AdvertOffer, type FindWorkersOptions, type FoundWorker, type PublishedAdvert } from './discovery.js'
export { announceJob, clientPeerOf, onJobAnnounce, pruneRateWindows, waitForSubscribers, type AnnounceOptions, type Announcement, type JobAnnounceEvent, type JobAnnounceHandler } from './job-gossip.js'
export { BidNotAcceptedError, BidRefusedError, sendBid, startBidCollector, type BidCollector, type BidCollectorOptions, type BidRound, type ReceivedBid } from './bid-protocol.js'
export { closed, framed, framingError, type FramedStream } from './framing.js'
export { BITSWAP_PROTOCOL, reachHolder } from './holder.js'
export { connectionTo, openStream, pickConnection, type ConnectionFacts, type Dialer } from './streams.js'
export { BAN_SCORE, MisbehaviourLedger, offenceOf, type MisbehaviourRecord, type Offence } from './misbehaviour.js'
export { evidenceFetchComponents, provideEvidence } from './evidence-fetch.js'
