/**
 * Step 6 of a job's life: the delivered work checked. The whole evidence the delivery names is
 * pulled over bitswap (each block bounded and hash-checked as it arrives; most of it is already here,
 * kept checkpoint by checkpoint during training, keeper.ts), from the winner or any provider the DHT
 * names, with retries (peer/evidence `fetchEvidence`); k segments are re-executed from it (the spot
 * check, its seed mixing the worker's final chain head with randomness the worker never saw); and
 * what the chain holds must be this evidence: the escrow's anchored root over its checkpoint
 * commitments and, optimistic tier, the delivered weights hash.
 *
 * Three outcomes, kept apart (issue 17): `passed`; `failed` (blocks arrived and are invalid, a
 * segment does not re-execute, or the chain holds something else); `unavailable` (no holder served
 * every block after every attempt) — not a judgement on the work. Either of the last two is not a
 * pass; what the client does about it is the dispute rule's (dispute.ts).
 */
import { randomBytes } from 'node:crypto'
import { logger } from '@libp2p/logger'
import type { PeerId } from '@libp2p/interface'
import type { PublicKey } from '@solana/web3.js'
import type { EscrowAccount } from '../../../chain/index.js'
import { PROOF, wire, toHex } from '../../../protocols/index.js'
import { isEvidenceError } from '../../../storage/index.js'
import type { EvidenceFetch } from '../../evidence/index.js'
import type { TrainingData } from '../../train/index.js'
import type { AnchoredCheckpoints } from '../settlement.js'
import type { SpotCheckReport } from '../training.js'
import type { Emit, Tier } from './types.js'

const log = logger('cyx:client:checks')

export interface CheckComponents {
  /**
   * Every block of the evidence `cid` into this peer's blockstore, from `holder` or any provider,
   * retried (peer/evidence `fetchEvidence`); throws an `EvidenceError` when what arrives is invalid.
   */
  fetchEvidence: (cid: string, holder: PeerId, o: { signal: AbortSignal, attempts?: number }) => Promise<EvidenceFetch>
  /** The anchored leaves and root of the (local) evidence. */
  anchoredCheckpoints: (evidenceCid: string, tier: Tier) => Promise<AnchoredCheckpoints>
  readEscrow: (escrow: PublicKey) => Promise<EscrowAccount>
  /** Re-executes `k` segments of the (local) evidence chosen by `seed`. */
  spotCheck: (delivery: wire.Delivery, spec: wire.TrainingSpec, dataset: TrainingData, k: number, seed: Uint8Array) => Promise<SpotCheckReport>
}

export interface CheckRequest {
  readonly delivery: wire.Delivery
  readonly worker: PeerId
  readonly spec: wire.TrainingSpec
  readonly dataset: TrainingData
  readonly tier: Tier
  readonly escrow: PublicKey
  /** Segments re-executed (default PROOF.defaultSpotChecks). */
  readonly spotChecks?: number
  /** How long fetching the evidence may take in all, every attempt included, ms (default 180 s). */
  readonly evidenceTimeoutMs?: number
  readonly signal?: AbortSignal
}

/** Whether the escrow on-chain holds this evidence's root (and, optimistic, this delivery). */
export function anchoredRootVerdict (e: Pick<EscrowAccount, 'epochsDone' | 'epochsTotal' | 'progressRoot' | 'delivered' | 'finalWeightsHash'>, root: Uint8Array, delivery: wire.Delivery, tier: Tier): { ok: boolean, reason?: string } {
  if (e.epochsDone !== e.epochsTotal || toHex(e.progressRoot) !== toHex(root)) return { ok: false, reason: 'the root anchored on-chain is not the root of the delivered evidence' }
  if (tier === 'optimistic' && (e.delivered === 0 || toHex(e.finalWeightsHash) !== toHex(delivery.weightsHash))) return { ok: false, reason: 'the delivery on-chain is not the delivered weights' }
  return { ok: true }
}

/** The check's report: fetched, spot-checked and matched against the chain; emits as it goes. */
export async function checkDelivery (c: CheckComponents, r: CheckRequest, emit: Emit): Promise<SpotCheckReport> {
  const seed = wire.sha256(Buffer.concat([r.delivery.finalChainHash, randomBytes(32)]))
  const fetched = await fetchAll(c, r)
  // Stopped (Ctrl-C) while fetching: not a failed fetch to dispute; the job stays delivered.
  r.signal?.throwIfAborted()
  if (fetched.status === 'invalid') return { passed: false, verdict: 'failed', segments: [], reasons: [`the evidence is invalid: ${fetched.error}`] }
  if (fetched.status === 'unavailable') return { passed: false, verdict: 'unavailable', segments: [], reasons: [`the evidence could not be fetched (unavailable, not a verdict on the work): ${fetched.error}`] }
  emit({ type: 'evidence', cid: r.delivery.evidenceCid, blocks: fetched.blocks, bytes: fetched.bytes, ms: fetched.ms })
  let report = await c.spotCheck(r.delivery, r.spec, r.dataset, r.spotChecks ?? PROOF.defaultSpotChecks, seed)
  const anchored = await checkAnchoredRoot(c, r)
  emit({ type: 'anchored-root', ...anchored })
  if (!anchored.ok) report = { ...report, passed: false, verdict: 'failed', reasons: [...report.reasons, anchored.reason ?? 'the anchored root does not match'] }
  return report
}

/** The evidence fetched (invalid blocks are the worker's; anything else that stops the fetch is unavailability). */
async function fetchAll (c: CheckComponents, r: CheckRequest): Promise<{ status: 'fetched', blocks: number, bytes: number, ms: number } | { status: 'invalid', error: string } | { status: 'unavailable', error: string }> {
  const timeout = AbortSignal.timeout(r.evidenceTimeoutMs ?? 180_000)
  const signal = r.signal === undefined ? timeout : AbortSignal.any([r.signal, timeout])
  const startedAt = performance.now()
  try {
    const got = await c.fetchEvidence(r.delivery.evidenceCid, r.worker, { signal })
    if (got.status === 'fetched') return { status: 'fetched', blocks: got.blocks, bytes: got.bytes, ms: Math.round(performance.now() - startedAt) }
    return { status: 'unavailable', error: got.reasons.slice(-3).join('; ') || 'no holder served it' }
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e)
    log.error('fetching the evidence %s ended with an error: %s', r.delivery.evidenceCid, e instanceof Error ? e.stack : e)
    return isEvidenceError(e) && e.code !== 'NOT_FOUND' ? { status: 'invalid', error } : { status: 'unavailable', error }
  }
}

async function checkAnchoredRoot (c: CheckComponents, r: CheckRequest): Promise<{ ok: boolean, root: string, reason?: string }> {
  try {
    const cps = await c.anchoredCheckpoints(r.delivery.evidenceCid, r.tier)
    const verdict = anchoredRootVerdict(await c.readEscrow(r.escrow), cps.root, r.delivery, r.tier)
    return { ...verdict, root: toHex(cps.root) }
  } catch (err) {
    return { ok: false, root: '', reason: `the anchored root could not be checked: ${err instanceof Error ? err.message : String(err)}` }
  }
}
