/**
 * Step 1 of a job's life (docs/protocol.md): who is out there. With a coordinator configured, its
 * checked candidates are dialled; whatever goes wrong with it is a `coordinator` fallback event and
 * the DHT search runs exactly as without one. Resolves with how many workers the announcement should
 * wait to reach.
 */
import { logger } from '@libp2p/logger'
import type { Multiaddr } from '@multiformats/multiaddr'
import { TIMEOUTS, type wire } from '../../../protocols/index.js'
import type { CoordinatorMatch, VerifiedCandidate } from '../../match/index.js'
import type { Emit } from './types.js'

const log = logger('cyx:client:discover')

export interface DiscoverComponents {
  /** Asks a coordinator for checked candidates for this announce (peer/match `matchViaCoordinator`). */
  matchViaCoordinator: (coordinator: Multiaddr, announce: wire.JobAnnounce, o: { capability: string, timeoutMs: number }) => Promise<CoordinatorMatch>
  /** Dials the candidates; resolves with how many are connected. */
  connectCandidates: (candidates: readonly VerifiedCandidate[], o: { timeoutMs: number }) => Promise<number>
  /** Workers advertising `capability` in the DHT (throws when the search fails). */
  findWorkers: (capability: string, o: { signal: AbortSignal }) => Promise<readonly unknown[]>
}

export interface DiscoverRequest {
  readonly capability: string
  /** The announce the coordinator is asked about (built fresh: its bid deadline runs from now). */
  readonly announce: () => wire.JobAnnounce
  readonly coordinator?: Multiaddr
  readonly coordinatorTimeoutMs?: number
  /** How long the DHT search may take (default `TIMEOUTS.dhtLookupMs`, protocols/params.ts). */
  readonly searchTimeoutMs?: number
}

/** How many workers the announcement should reach: the connected candidates, or those the DHT found. */
export async function discoverWorkers (c: DiscoverComponents, r: DiscoverRequest, emit: Emit): Promise<number> {
  if (r.coordinator !== undefined) {
    const m = await c.matchViaCoordinator(r.coordinator, r.announce(), { capability: r.capability, timeoutMs: r.coordinatorTimeoutMs ?? TIMEOUTS.coordinatorMatchMs })
    if (m.ok) {
      const connected = await c.connectCandidates(m.candidates, { timeoutMs: TIMEOUTS.dialMs })
      if (connected > 0) {
        emit({ type: 'coordinator', result: 'matched', candidates: m.candidates.length, connected, elapsedMs: m.elapsedMs })
        return connected
      }
      emit({ type: 'coordinator', result: 'fallback', cause: 'unreachable', reason: `fallback: unreachable: none of the ${m.candidates.length} candidates could be dialled`, elapsedMs: m.elapsedMs })
    } else {
      emit({ type: 'coordinator', result: 'fallback', cause: m.cause, reason: m.reason, elapsedMs: m.elapsedMs })
    }
  }
  const found = await c.findWorkers(r.capability, { signal: AbortSignal.timeout(r.searchTimeoutMs ?? TIMEOUTS.dhtLookupMs) }).catch((e: unknown) => {
    // Not fatal: the announcement then settles for the first subscriber it reaches.
    log('the DHT search for %s workers failed: %s', r.capability, e instanceof Error ? e.message : e)
    return []
  })
  emit({ type: 'workers', found: found.length })
  return found.length
}
