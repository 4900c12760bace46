/**
 * A client job's progress as text: one line per event, the same words wherever a job is watched —
 * `cyx client submit|resume` (peer/cli/commands/client.ts, peer ids and base units) and `cyx sim`'s
 * log (peer/sim, its peers by name and amounts in CYXWIZ). Which events a caller shows is its own
 * business; the words are this function's.
 */
import type { ClientJobEvent } from './types.js'

/** How a line names peers and amounts (by default: as they are, and in base units). */
export interface ProgressStyle {
  readonly peer?: (id: string) => string
  readonly amount?: (units: bigint) => string
}

const baseUnits = (units: bigint): string => `${units} base units`

/** The line for one event; undefined for the start-of-run metrics (epoch 0), which say nothing yet. */
export function progressText (e: ClientJobEvent, style: ProgressStyle = {}): string | undefined {
  const peer = style.peer ?? ((id: string) => id)
  const amount = style.amount ?? baseUnits
  switch (e.type) {
    case 'state': return e.state === 'announced' ? `job ${e.jobId} announced` : `job ${e.state}`
    case 'workers': return `${e.found} worker adverts found in the DHT`
    case 'coordinator': return e.result === 'matched'
      ? `coordinator matched ${e.candidates} candidates (${e.connected} connected) in ${e.elapsedMs} ms`
      : `coordinator not used, ${e.reason}; using the DHT and gossipsub`
    case 'bid': return `bid from ${peer(e.from)}: ${amount(e.price)}, ETA ${e.etaSeconds} s`
    case 'award': return `award → ${peer(e.worker)} at ${amount(e.price)}, escrow ${e.escrow}`
    case 'metrics': return e.metrics.epoch > 0 ? `epoch ${e.metrics.epoch}/${e.metrics.totalEpochs}: loss ${e.metrics.loss.toFixed(4)}, test accuracy ${(e.metrics.testAccuracy * 100).toFixed(2)} %` : undefined
    case 'checkpoint': return `checkpoint ${e.checkpoint.epoch} announced (chain ${Buffer.from(e.checkpoint.chainHash).toString('hex').slice(0, 12)}…)`
    case 'checkpoint-kept': return `checkpoint ${e.epoch}'s evidence kept here (${e.blocks} blocks, pinned)`
    case 'reconnecting': return `session lost (${e.error}); reconnecting, attempt ${e.attempt}`
    case 'weights': return `weights received (${e.bytes} bytes in ${e.ms} ms)`
    case 'evidence': return `evidence ${e.cid}: ${e.blocks} blocks, ${e.bytes} bytes over bitswap in ${e.ms} ms`
    case 'anchored-root': return e.ok ? `the root anchored on-chain is the evidence's (${e.root.slice(0, 16)}…)` : `the anchored root does NOT match: ${e.reason ?? ''}`
    case 'zk': return e.verifiedOnChain ? `the program verified the worker's proof of step ${e.challengeStep} and paid it` : `the worker's proof was not verified (escrow state ${e.escrowState})`
    case 'spot-check': return e.report.verdict === 'unavailable'
      ? `the evidence is UNAVAILABLE (not a verdict on the work): ${e.report.reasons[0] ?? ''}`
      : `spot checks ${e.report.passed ? 'passed' : 'FAILED'} (segments ${e.report.segments.join(', ')})${e.report.passed ? '' : `: ${e.report.reasons[0] ?? ''}`}`
    case 'stalled': return `worker ${peer(e.worker)} stalled past the no-progress timeout; its kept checkpoint ${e.kept} ${e.checkpointPassed ? 'passed' : 'FAILED'} the spot check: ${e.verifiedEpochs} epochs verified, ${amount(e.remaining)} left to re-auction`
    case 'handed-over': return `escrow handed over (hand_over ${e.signature}): ${peer(e.from)} paid ${amount(e.firstWorker)} (platform ${amount(e.platform)}) for ${e.verifiedEpochs} epochs and slashed; ${peer(e.to)} continues from epoch ${e.verifiedEpochs} for ${amount(e.remaining)}`
  }
}
