/**
 * Job pricing (design document: Token Economics → Pricing Model).
 *
 *   price = Σ(resource rate per hour) × hours × duration multiplier × priority multiplier
 *           × (1 + reputation adjustment)
 *
 * computed exactly as one fraction of integers, then rounded half-up to `PRICING.roundingQuantum`
 * (one whole token) with a minimum of one quantum. Worked example: 7.6/h × 12 h × 0.8 = 72.96 → 73.
 */
import { BPS, PRICING, type ComputeClass, type Priority, type ReputationTierName } from '../params.js'
import { AmountError, divRoundHalfUp } from './amount.js'
import { reputationTierByName } from './reputation.js'

export interface ResourceRequest {
  readonly compute: ComputeClass
  /** Whole gigabytes of RAM. */
  readonly ramGb: number
  /** Whole gigabytes of GPU memory. */
  readonly vramGb: number
  /** Estimated training time in whole seconds. */
  readonly durationSeconds: number
  readonly priority: Priority
  /** The worker's reputation tier (its price adjustment applies). */
  readonly workerTier: ReputationTierName
}

export interface PriceQuote {
  /** Sum of the resource rates, base units per hour. */
  readonly hourlyRate: bigint
  readonly durationMultiplierBps: number
  readonly priorityMultiplierBps: number
  readonly reputationAdjustmentBps: number
  /** The exact price before rounding, floored to a base unit (for display). */
  readonly unrounded: bigint
  /** What the client escrows. */
  readonly price: bigint
}

function assertWhole (n: number, what: string, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new AmountError(`${what} must be a whole number 0..${max} (got ${n})`)
}

/** Base units per hour for the requested resources. */
export function hourlyRate (r: Pick<ResourceRequest, 'compute' | 'ramGb' | 'vramGb'>): bigint {
  const compute = PRICING.computePerHour[r.compute]
  if (compute === undefined) throw new AmountError(`unknown compute class "${String(r.compute)}"`)
  assertWhole(r.ramGb, 'ramGb', 1 << 20)
  assertWhole(r.vramGb, 'vramGb', 1 << 20)
  return compute + BigInt(r.ramGb) * PRICING.ramPerGbHour + BigInt(r.vramGb) * PRICING.vramPerGbHour
}

/** Duration discount: < 1 h 1.0×, [1 h, 6 h) 0.9×, [6 h, 24 h] 0.8×, > 24 h 0.7×. */
export function durationMultiplierBps (seconds: number): number {
  assertWhole(seconds, 'durationSeconds')
  for (const band of PRICING.durationMultipliers) {
    if (band.maxSeconds === null) return band.bps
    if (band.inclusive ? seconds <= band.maxSeconds : seconds < band.maxSeconds) return band.bps
  }
  /* c8 ignore next */
  throw new AmountError('duration bands must end with an unbounded band')
}

export function quoteJobPrice (r: ResourceRequest): PriceQuote {
  const rate = hourlyRate(r)
  const d = durationMultiplierBps(r.durationSeconds)
  const p = PRICING.priorityMultiplierBps[r.priority]
  if (p === undefined) throw new AmountError(`unknown priority "${String(r.priority)}"`)
  const adj = reputationTierByName(r.workerTier).priceAdjustmentBps
  const bps = BigInt(BPS)
  const numerator = rate * BigInt(r.durationSeconds) * BigInt(d) * BigInt(p) * BigInt(BPS + adj)
  const denominator = 3_600n * bps * bps * bps
  const q = PRICING.roundingQuantum
  let price = divRoundHalfUp(numerator, denominator * q) * q
  if (price < q) price = q
  return {
    hourlyRate: rate,
    durationMultiplierBps: d,
    priorityMultiplierBps: p,
    reputationAdjustmentBps: adj,
    unrounded: numerator / denominator,
    price
  }
}
