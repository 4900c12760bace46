/**
 * The worker's bidding policy: given an announced job and what the worker is (its hardware class,
 * its own hourly rate, what it has staked and its on-chain reputation), whether to bid and at what
 * price and ETA. Pure: no clock, no I/O; the worker role feeds it facts read from the chain.
 */
import {
  BPS, PRICING, divRoundHalfUp, quoteJobPrice, reputationTier, requiredStake, tierMayAccept,
  type ComputeClass, type Priority, type ReputationTierName, wire
} from '../../protocols/index.js'

/** What a worker sells and what it stands on. */
export interface WorkerProfile {
  readonly compute: ComputeClass
  readonly ramGb: number
  readonly vramGb: number
  /** The worker's own rate for its whole machine, base units per hour. */
  readonly pricePerHour: bigint
  /** Dataset ids it can load (the engine's registry, or fewer). */
  readonly datasets: readonly string[]
  /** Largest dataset it accepts, bytes. */
  readonly maxDatasetBytes: number
  /** Stake held on-chain, base units. */
  readonly stake: bigint
  /** On-chain reputation score, 0..1000. */
  readonly reputation: number
  /** ETA relative to the client's estimate, bps (10,000 = as estimated; 5,000 = twice as fast). */
  readonly speedBps: number
  /** Jobs it will run at once. */
  readonly capacity: number
  /** Most memory one batch of a client model may need (the model check's estimate), bytes. */
  readonly maxBatchMemoryBytes: number
  /** The owner paused bidding: no bid and no new award, whatever the job (default false). */
  readonly paused?: boolean
}

/** The parts of an announcement the policy judges. */
export interface JobOffer {
  readonly spec: wire.TrainingSpec
  readonly maxPrice: bigint
  readonly estimatedSeconds: number
  readonly priority: wire.Priority
}

export type BidRefusal =
  | 'unsupported-dataset' // the worker cannot load the dataset the spec names
  | 'dataset-too-large' // the spec's dataset is over the worker's bound
  | 'above-max-price' // the worker's price is more than the client will pay
  | 'tier-too-low' // the worker's reputation tier may not take a job of this amount
  | 'stake-too-low' // the worker's stake is under the minimum for a job of this amount
  | 'busy' // the worker already runs as many jobs as it will
  | 'model-too-large' // a client model whose batch would not fit the worker's memory
  | 'client-bids-pending' // the worker already has MESH.maxPendingBidsPerClient bids pending on this client's jobs
  | 'paused' // the worker's owner paused bidding (`cyx worker pause`, the live page)
  | 'client-unfunded' // the announcing wallet does not hold the price this worker would bid (or it could not be read)

export type BidDecision =
  | { readonly bid: true, readonly price: bigint, readonly etaSeconds: number, readonly tier: ReputationTierName }
  | { readonly bid: false, readonly reason: BidRefusal }

const PRIORITY: Record<wire.Priority, Priority> = {
  [wire.Priority.PRIORITY_LOW]: 'low',
  [wire.Priority.PRIORITY_NORMAL]: 'normal',
  [wire.Priority.PRIORITY_HIGH]: 'high',
  [wire.Priority.PRIORITY_CRITICAL]: 'critical'
}

export function priorityName (p: wire.Priority): Priority {
  return PRIORITY[p] ?? 'normal'
}

/**
 * The worker's price for a job. The design's pricing model (`quoteJobPrice`) gives the reference
 * price of the job on the worker's resources at the table rate, with the duration, priority and
 * reputation multipliers. A worker names its own hourly rate in its advert, so its price is the
 * reference price scaled by (own rate / table rate), then rounded half-up to the pricing quantum
 * with a minimum of one quantum, exactly like the reference price. A worker asking the table rate
 * bids exactly `quoteJobPrice(...).price`.
 */
export function workerPrice (w: Pick<WorkerProfile, 'compute' | 'ramGb' | 'vramGb' | 'pricePerHour' | 'reputation'>, job: Pick<JobOffer, 'estimatedSeconds' | 'priority'>): { price: bigint, tier: ReputationTierName } {
  const tier = reputationTier(w.reputation).name
  const quote = quoteJobPrice({
    compute: w.compute, ramGb: w.ramGb, vramGb: w.vramGb, durationSeconds: job.estimatedSeconds, priority: priorityName(job.priority), workerTier: tier
  })
  const q = PRICING.roundingQuantum
  // Recompute the exact fraction (as quoteJobPrice does) with the worker's rate instead of the
  // table's: rounding once at the end keeps the result independent of the order of operations.
  const bps = BigInt(BPS)
  const numerator = w.pricePerHour * BigInt(job.estimatedSeconds) * BigInt(quote.durationMultiplierBps) * BigInt(quote.priorityMultiplierBps) * BigInt(BPS + quote.reputationAdjustmentBps)
  const denominator = 3_600n * bps * bps * bps
  let price = divRoundHalfUp(numerator, denominator * q) * q
  if (price < q) price = q
  return { price, tier }
}

/**
 * Whether and what to bid. `activeJobs`: jobs the worker is running now plus the bids it has out
 * whose award may still come (a one-slot machine that bid on job A does not also bid on job B
 * announced at the same moment: if both were awarded, it would have to refuse one after its client
 * had escrowed the price).
 */
export function decideBid (w: WorkerProfile, job: JobOffer, activeJobs: number): BidDecision {
  if (w.paused === true) return { bid: false, reason: 'paused' }
  if (activeJobs >= w.capacity) return { bid: false, reason: 'busy' }
  // A client model brings its own data (fetched by CID); a built-in job names a registry dataset.
  if (job.spec.clientModel === undefined && !w.datasets.includes(job.spec.datasetId)) return { bid: false, reason: 'unsupported-dataset' }
  if (job.spec.datasetBytes > BigInt(w.maxDatasetBytes)) return { bid: false, reason: 'dataset-too-large' }
  if (job.spec.clientModel !== undefined && job.spec.clientModel.batchMemoryBytes > BigInt(w.maxBatchMemoryBytes)) return { bid: false, reason: 'model-too-large' }
  const { price, tier } = workerPrice(w, job)
  if (price > job.maxPrice) return { bid: false, reason: 'above-max-price' }
  if (!tierMayAccept(reputationTier(w.reputation), price)) return { bid: false, reason: 'tier-too-low' }
  if (w.stake < requiredStake(price)) return { bid: false, reason: 'stake-too-low' }
  // Rounded up: a worker promising less time than it needs is scored better and then late.
  const eta = Math.max(1, Math.ceil((job.estimatedSeconds * w.speedBps) / BPS))
  return { bid: true, price, etaSeconds: eta, tier }
}

/**
 * Whether a worker takes an award it did not bid on (or for more than it bid): only when the
 * amount pays at least what it would have bid for the same job now. The escrow was checked first.
 */
export function acceptsDirectAward (w: WorkerProfile, job: Omit<JobOffer, 'maxPrice'>, amount: bigint, activeJobs: number): BidDecision {
  return decideBid(w, { ...job, maxPrice: amount }, activeJobs)
}

/**
 * Proof of funds (issue 15, finding 8): a worker bids only for a client whose wallet holds, when
 * the announce arrives, at least the price the worker would bid (what the escrow will lock). An
 * announce costs nothing to send, so without this a fresh wallet with a few lamports could make
 * every worker reserve a slot; with it, each wallet that idles workers must hold their price in
 * CYXWIZ. A balance that could not be read (`undefined`) funds nothing.
 */
export function clientFundsCover (balance: bigint | undefined, price: bigint): boolean {
  return balance !== undefined && balance >= price
}
