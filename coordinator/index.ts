/**
 * The door of `coordinator/`: the optional matchmaker, run by `cyx coordinator`. It indexes signed
 * capability adverts (registered over `COORDINATOR.registerProtocol` or crawled from the DHT) and
 * job announcements, reads stake and reputation from the ledger (cached), and answers
 * `MESH.matchProtocol` with a signed ranking plus the adverts it came from. It never holds funds or
 * signs anything financial; peers work without it, and the client side (`matchViaCoordinator`)
 * checks every claim and falls back to the mesh when anything is off.
 */
export { Coordinator, CoordinatorRefusal, STATUS_FILE, quantile, type CoordinatorOptions, type CoordinatorStatus } from './service.js'
export {
  RegistrationRefusedError, connectCandidates, matchViaCoordinator, registerWithCoordinator,
  type CoordinatorMatch, type FallbackCause, type MatchOptions, type VerifiedCandidate
} from './client.js'
export { ChainFactsCache, readChainFacts, type ChainFacts } from './ledger.js'
export { envelopeHash, estimatedPrice, rankWorkers, type IndexedWorker, type RankedWorker } from './rank.js'
export { INDEX_DB, openCoordinatorStore, type CoordinatorStore } from './store.js'
export { readStatus } from './status.js'
