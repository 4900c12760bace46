/**
 * The door of `coordinator/`: the optional matchmaker, run by `cyx coordinator`. It indexes signed
 * capability adverts (registered over `COORDINATOR.registerProtocol` or crawled from the DHT) and
 * job announcements, reads stake and reputation from the ledger (cached), and answers
 * `MESH.matchProtocol` with a signed ranking plus the adverts it came from. It never holds funds or
 * signs anything financial; peers work without it, and the client side (`matchViaCoordinator` in
 * peer/match) checks every claim and falls back to the mesh when anything is off.
 *
 * It imports only `protocols` and `storage`: the libp2p node, the chain reads and the award
 * policy reach it through a `CoordinatorHost`, which the peer room builds (peer/match's
 * `coordinatorHost`).
 */
export { Coordinator, CoordinatorRefusal, STATUS_FILE, quantile, type CoordinatorOptions, type CoordinatorStatus } from './service.js'
export type { CoordinatorHost, Frames, Offence, OpenedAdvert } from './host.js'
export { ChainFactsCache, type ChainFacts, type ChainFactsReader } from './ledger.js'
export { envelopeHash, estimatedPrice, rankWorkers, type BidRanker, type IndexedWorker, type PolicyBid, type RankedWorker } from './rank.js'
export { INDEX_DB, openCoordinatorStore, type CoordinatorStore } from './store.js'
export { readStatus } from './status.js'
