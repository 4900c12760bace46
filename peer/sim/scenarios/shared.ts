/** What more than one scenario shares: a kill point, a completed job's split, a reference run. */
import { join } from 'node:path'
import { rm } from 'node:fs/promises'
import { settlementSplit } from '../../../protocols/index.js'
import { trainWithEvidence } from '../../evidence/index.js'
import { NO_SLASHING } from '../audit.js'
import type { LocalNetwork } from '../network.js'
import type { SimJobOutcome } from '../peers.js'
import type { ExpectInput, Expectation } from '../scenario.js'

/**
 * The checkpoint a `crash` (or `failover`) run's winner is killed after: `killAfter` (1 … epochs − 1:
 * at least one segment is left to train after the restart), by default half-way (epochs ≥ 2, one
 * segment per epoch).
 */
export function crashCheckpoint (epochs: number, killAfter?: number): number {
  if (killAfter === undefined) return Math.max(1, Math.floor(epochs / 2))
  if (!Number.isInteger(killAfter) || killAfter < 1 || killAfter >= epochs) throw new Error(`the crash scenario kills the worker after a checkpoint 1..${epochs - 1} of ${epochs} epochs (got ${killAfter})`)
  return killAfter
}

/** What a job paid by `complete` (or a claim, or a proof) moves: the price from the client, the split to the winner and the platform. */
export function paidSplit (i: Pick<ExpectInput, 'winnerName' | 'price' | 'tier'>): Expectation {
  const split = settlementSplit(i.price, i.tier)
  return { deltas: [['client', -i.price], [i.winnerName, split.worker], ['platform', split.platform]], slashing: NO_SLASHING, refund: 0n }
}

/** The final weights hash of an uninterrupted honest run of the job's spec, trained here in a scratch dir. */
export async function referenceRun (net: LocalNetwork, outcome: SimJobOutcome): Promise<string> {
  const dir = join(net.dir, 'reference')
  const reference = await trainWithEvidence({ wireSpec: outcome.spec, dir })
  await rm(dir, { recursive: true, force: true })
  return reference.finalWeightsHash
}
