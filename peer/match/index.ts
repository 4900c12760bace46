/**
 * The door of `peer/match`: the peers' side of the optional coordinator (coordinator/).
 * - client: `matchViaCoordinator` (a client asks for candidates and checks every claim, falling
 *   back to the mesh when anything is off), `registerWithCoordinator` (a worker offers its signed
 *   advert), `connectCandidates` (dial the matched workers before announcing);
 * - ledger: `readChainFacts`, the batched read of workers' Node accounts both sides rely on;
 * - host: `coordinatorHost`, what `cyx coordinator` hands `Coordinator.start` — this node, the
 *   chain reads and the award policy behind the interface the coordinator declares.
 */
export {
  RegistrationRefusedError, connectCandidates, matchViaCoordinator, registerWithCoordinator,
  type CoordinatorMatch, type FallbackCause, type MatchOptions, type VerifiedCandidate
} from './client.js'
export { chainFactsReader, readChainFacts } from './ledger.js'
export { coordinatorHost, type CoordinatorHostOptions } from './host.js'
