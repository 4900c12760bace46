/**
 * Every number of the cyxwiz protocol, once.
 *
 * Source: the original design document (not carried in this repository), whose section
 * is named above each group. Where the document is ambiguous or silent, the choice made here is
 * written next to the number and marked "(cyxwiz)". The on-chain `Config` account is initialised
 * from these values and a test checks that they agree.
 *
 * Units, everywhere:
 * - token amounts: `bigint` base units; 1 CYXWIZ = 10^9 base units (`UNITS_PER_TOKEN`);
 * - ratios: `number` basis points (bps), 10_000 bps = 100 %, always integers;
 * - durations: `number` seconds, always integers;
 * - reputation: `number` integer points on the 0..1000 scale.
 */

/** Base units in one CYXWIZ: the mint has 9 decimals (Token Economics → CYXWIZ Token Overview). */
export const TOKEN_DECIMALS = 9
export const UNITS_PER_TOKEN = 10n ** 9n
/** 10_000 basis points make 100 %. */
export const BPS = 10_000

const MINUTE = 60
const HOUR = 3_600
const DAY = 86_400

/** Whole tokens to base units, for writing parameters readably. */
const tok = (whole: bigint): bigint => whole * UNITS_PER_TOKEN
/** Tenths of a token to base units (0.1 CYXWIZ steps appear in pricing and voter rewards). */
const tenths = (n: bigint): bigint => (n * UNITS_PER_TOKEN) / 10n

/** Token Economics → CYXWIZ Token Overview. */
export const TOKEN = {
  symbol: 'CYXWIZ',
  decimals: TOKEN_DECIMALS,
  /** Fixed supply: 1,000,000,000 CYXWIZ. */
  totalSupply: tok(1_000_000_000n),
  /** Initial distribution (bps of supply): community 30 %, node operators 25 %, development 20 %,
   * ecosystem 15 %, liquidity 10 %. Recorded for `cyx sim`'s genesis; no rule depends on it. */
  distributionBps: { community: 3_000, nodeOperators: 2_500, development: 2_000, ecosystem: 1_500, liquidity: 1_000 }
} as const

/** Blockchain Integration Points → Payment Flow Integration, and Token Economics → Token Flow. */
export const SETTLEMENT = {
  /** Worker's share of a completed job: 90 %. */
  workerShareBps: 9_000,
  /** Platform fee: 10 % of the escrow. */
  platformFeeBps: 1_000,
  /** Diamond-tier workers pay a lower platform fee: 8 % ("Lower platform fees (8% vs 10%)"). */
  diamondPlatformFeeBps: 800
} as const

/** Payment Flow Integration (escrow) and Security Model → Threat Model (malicious user). */
export const ESCROW = {
  /** An accepted escrow may be refunded by anyone once `accepted_at + timeout` has passed; the
   * longest timeout a client may set is 7 days. */
  timeoutSeconds: 7 * DAY,
  /** (cyxwiz, security) The shortest timeout a client may set: 10 minutes. The deadline counts
   * from the worker's `accept_job`, and the worker refuses a timeout shorter than its estimate. */
  minTimeoutSeconds: 10 * MINUTE,
  /** (cyxwiz, security) The smallest escrow: 1 CYXWIZ, the price floor (`PRICING.minPrice`): no
   * dust offers. */
  minAmount: tok(1n),
  /** A node with no heartbeat for 2 minutes is offline (Payment Flow → Refund triggers). */
  heartbeatIntervalSeconds: 2 * MINUTE,
  /** Stake-Based Security → slashing condition 1: "no progress for 2+ hours" is a timeout. An
   * accepted escrow with no `anchor_progress` for this long before its final epoch is refunded with
   * the timeout slash (`noProgressExpired`, `timeout_refund`); the worker anchors every checkpoint,
   * and `accept_job` refuses an estimated epoch longer than this (`epochFitsNoProgressTimeout`). */
  noProgressTimeoutSeconds: 2 * HOUR,
  /** Cancellation fee: 10 % of the escrow, non-refundable, paid to the worker (cyxwiz: to the
   * worker, who reserved the capacity; the document says only "non-refundable"). */
  cancellationFeeBps: 1_000,
  /** Rate limit: at most 10 jobs per client wallet per day. */
  jobsPerWalletPerDay: 10,
  /** The window the rate limit counts over. */
  rateLimitWindowSeconds: DAY,
  /** Trust and Verification → Proof of Compute, check 5: actual training time must lie within
   * 0.5× .. 2× the estimate. */
  trainingTimeMinBps: 5_000,
  trainingTimeMaxBps: 20_000
} as const

/**
 * Trust and Verification → Stake-Based Security → Minimum Stake Requirements.
 * A job of amount A falls in the first tier whose `maxJobAmount` is greater than A
 * (half-open intervals [0,10), [10,50), [50,200), [200,∞) — cyxwiz: the document's "10-50" and
 * "50-200" overlap at their ends; half-open intervals agree with the reputation tiers' "< 10",
 * "< 50", "< 200" and with its worked example, where a 50-token job needs 1,000 staked).
 * `slashOnFailureBps` is the "slashing risk on failure" of that tier, applied to a failed job.
 */
export interface StakeTier {
  /** Exclusive upper bound of the job amounts in this tier; `null` = no bound. */
  readonly maxJobAmount: bigint | null
  readonly minStake: bigint
  readonly slashOnFailureBps: number
}
export const STAKE_TIERS: readonly StakeTier[] = [
  { maxJobAmount: tok(10n), minStake: tok(50n), slashOnFailureBps: 1_000 },
  { maxJobAmount: tok(50n), minStake: tok(200n), slashOnFailureBps: 1_500 },
  { maxJobAmount: tok(200n), minStake: tok(1_000n), slashOnFailureBps: 2_000 },
  { maxJobAmount: null, minStake: tok(5_000n), slashOnFailureBps: 2_500 }
]

/** Stake-Based Security → Slashing Conditions, and Token Flow → Burn Mechanism. */
export const SLASHING = {
  /** 1. Job timeout: 10 % of stake (the worked example: 1,000 staked → 100 slashed). */
  timeoutBps: 1_000,
  /** 2. Invalid proof of compute: 25 % of stake (and −100 reputation). */
  invalidProofBps: 2_500,
  /** 3. Dispute resolved against the node (fraud): 50 % of stake and a permanent ban. */
  fraudBps: 5_000,
  /** 4. Repeated failures: 3+ failed jobs within 7 days → 30 % and a 30-day suspension. Applied
   * on-chain with a fixed 7-day window per node (`recordFailure`, `refund.rs`): timeouts and invalid
   * proofs count; the third slashes 30 % of what is left and suspends the node. */
  repeatedFailuresBps: 3_000,
  repeatedFailuresCount: 3,
  repeatedFailuresWindowSeconds: 7 * DAY,
  suspensionSeconds: 30 * DAY,
  /** Slashed stake: 80 % to the insurance pool, 20 % burned. */
  insuranceShareBps: 8_000,
  burnShareBps: 2_000
} as const

/** Stake-Based Security → Stake Lock Period. */
export const STAKE_LOCK = {
  /** Minimum lock: 30 days from registration. */
  minLockSeconds: 30 * DAY,
  /** Extended lock: +7 days per active job. */
  perActiveJobSeconds: 7 * DAY,
  /** Withdrawal cooldown: 14 days after the unlock. */
  withdrawalCooldownSeconds: 14 * DAY,
  /** Stake rewards: 5 % APY after 90 days without a slash, paid from platform fees. Recorded; no
   * rule pays it yet (there is no fee-pool distribution in cyxwiz so far). */
  rewardApyBps: 500,
  rewardAfterCleanSeconds: 90 * DAY
} as const

export type ReputationTierName = 'Bronze' | 'Silver' | 'Gold' | 'Diamond'
export interface ReputationTier {
  readonly name: ReputationTierName
  /** Lowest score in the tier (inclusive). */
  readonly minScore: number
  /** Exclusive upper bound of the job amounts the tier may accept; `null` = any size. */
  readonly maxJobAmount: bigint | null
  /** Pricing → Node Reputation Bonus: price adjustment in bps (+20 % Bronze … −10 % Diamond). */
  readonly priceAdjustmentBps: number
}

/** Trust and Verification → Node Reputation System. */
export const REPUTATION = {
  maxScore: 1_000,
  /** Component weights as points of the 1,000-point scale: completion rate 40 %, time accuracy
   * 25 %, user ratings 20 %, proof quality 10 %, uptime 5 %. */
  weights: { completion: 400, timeAccuracy: 250, rating: 200, proofQuality: 100, uptime: 50 },
  /** Ratings are stars 1..5. */
  maxStars: 5,
  /** Tiers, highest last. */
  tiers: [
    { name: 'Bronze', minScore: 0, maxJobAmount: tok(10n), priceAdjustmentBps: 2_000 },
    { name: 'Silver', minScore: 300, maxJobAmount: tok(50n), priceAdjustmentBps: 1_000 },
    { name: 'Gold', minScore: 600, maxJobAmount: tok(200n), priceAdjustmentBps: 0 },
    { name: 'Diamond', minScore: 800, maxJobAmount: null, priceAdjustmentBps: -1_000 }
  ] as readonly ReputationTier[],
  /** Penalties (points). */
  penalties: { failedJob: -50, timeout: -30, invalidProof: -100, disputeLost: -200 },
  /** Recoveries (points). `disputeWon`: "wrongful accusation cleared" (Dispute Resolution, step 4). */
  recoveries: { successfulJob: 10, uptime30Days: 20, fiveStarRating: 5, disputeWon: 5 },
  /** Consistent-uptime bonus period. */
  uptimeBonusPeriodSeconds: 30 * DAY,
  /** Dispute step 4: the client of a frivolous dispute loses 10 points. Recorded; cyxwiz keeps no
   * on-chain client reputation yet. */
  frivolousDisputeClientPenalty: -10,
  /**
   * (cyxwiz) The component formula is scaled by min(jobsAssigned, maturityJobs) / maturityJobs.
   * Without it, one self-dealt job with a perfect record scores 800 (Diamond), which contradicts
   * "Reputation starts at 0 (must earn trust)" (Threat Model → Sybil attack). With 20, the
   * document's worked examples (100 jobs) are unaffected. (Audit finding 7) A job counts towards it
   * only per 10 CYXWIZ paid (the Bronze job cap, `referenceJobAmount`): `maturityJobsCounted`.
   */
  maturityJobs: 20,
  /**
   * (cyxwiz, security) The smallest job amount that earns reputation credit on-chain (counts as
   * assigned and completed, the successful-job and five-star recoveries, its rating, its proof):
   * 1 CYXWIZ, so every credited job pays at least 0.1 CYXWIZ of platform fee and a reputation can
   * no longer be farmed with free dust jobs. Penalties apply to every job. Kept below the Bronze
   * tier's job cap (10 CYXWIZ) so that a new worker can earn credit at all.
   */
  minCreditedJobAmount: tok(1n),
  /**
   * (cyxwiz, security: audit finding 7) A client's rating counts only once that client has this many
   * paid, credited jobs behind it (`ClientState.paid_jobs`, counted as it rates them, with any
   * worker): a fresh wallet's first ratings move nobody's score.
   */
  minRaterPaidJobs: 5
} as const

export type ComputeClass = 'cpu' | 'consumerGpu' | 'datacenterGpu'
export type Priority = 'low' | 'normal' | 'high' | 'critical'

/** Token Economics → Pricing Model. Rates are base units per hour. */
export const PRICING = {
  computePerHour: { cpu: tenths(5n), consumerGpu: tok(2n), datacenterGpu: tok(10n) } as Readonly<Record<ComputeClass, bigint>>,
  ramPerGbHour: tenths(1n),
  vramPerGbHour: tenths(5n),
  /** Duration multiplier by job length: < 1 h 1.0×, 1–6 h 0.9×, 6–24 h 0.8×, > 24 h 0.7×
   * (cyxwiz: intervals [0,1h), [1h,6h), [6h,24h], (24h,∞)). */
  durationMultipliers: [
    { maxSeconds: 1 * HOUR, inclusive: false, bps: 10_000 },
    { maxSeconds: 6 * HOUR, inclusive: false, bps: 9_000 },
    { maxSeconds: 24 * HOUR, inclusive: true, bps: 8_000 },
    { maxSeconds: null, inclusive: false, bps: 7_000 }
  ] as readonly { maxSeconds: number | null, inclusive: boolean, bps: number }[],
  priorityMultiplierBps: { low: 8_000, normal: 10_000, high: 15_000, critical: 20_000 } as Readonly<Record<Priority, number>>,
  /** The worked example rounds 72.96 to 73: prices are rounded half-up to whole tokens. A price
   * is never below one quantum (cyxwiz: a job is never free, and small test jobs cost 1 CYXWIZ). */
  roundingQuantum: tok(1n),
  /**
   * (cyxwiz) A client model's duration estimate: training FLOPs (forward FLOPs per sample × 3 for
   * forward and backward × rows × epochs) over this rate, a conservative single-core CPU rate
   * (the MNIST CNN fixture measured ~12 GFLOP/s through onnxruntime on one core of the CI machine).
   */
  referenceFlopsPerSecond: 2_000_000_000
} as const

/** Security Model → Dispute Resolution Process, with the jury of docs/security.md finding 5 (cyxwiz). */
export const DISPUTE = {
  /**
   * (cyxwiz, audit finding 5) What the claimant locks at `open_dispute`: returned if it wins, paid
   * to the respondent if it loses, so a dispute that freezes the other side's payment is not free.
   */
  disputeBond: tok(100n),
  /** Step 2: evidence submission window. (cyxwiz, finding 5) 24 hours from opening (the document: 48). */
  evidenceWindowSeconds: 24 * HOUR,
  /**
   * (cyxwiz, finding 5; replaces the document's token vote, 7 days, 5 % quorum, and its appeal.)
   * A jury drawn by stake-weighted sortition among the staked nodes commits its votes within
   * `commitWindowSeconds` (after the evidence window, or after a redraw) and reveals them within
   * `revealWindowSeconds` after that.
   */
  commitWindowSeconds: 24 * HOUR,
  revealWindowSeconds: 12 * HOUR,
  /** Round 0's expected jury: a node is drawn with probability jurySize · 2^round · stake / total staked. */
  jurySize: 7,
  /** The fewest revealed votes a verdict needs (with a strict majority); otherwise a redraw with twice the jury. */
  minJurors: 3,
  /**
   * (cyxwiz, finding 5, the terminal rule) The most jury rounds a dispute runs (expected juries 7,
   * 14, 28, 56): when the last one also ends without a verdict (fewer than `minJurors` reveals, or
   * a tie), the dispute resolves with no verdict: the status quo it froze (a delivered optimistic
   * escrow paid as its undisputed claim, any other refunded), the bond back to the claimant, no
   * slash, no reputation change; the forfeits go to the treasury (`juryOutcome`, `noVerdictOutcome`).
   * With 36 h per round after the 24 h evidence window, a dispute ends within 6.5 days.
   */
  maxJuryRounds: 4,
  /** The share of its stake a juror deposits with its committed vote: forfeited if it does not
   * reveal or votes with the minority of a decided round, shared by the majority otherwise. */
  jurorRiskBps: 1_000,
  /** Step 3: correct voters earn 0.1 CYXWIZ from the treasury. Not paid: jurors share the forfeits instead. */
  correctVoteReward: tenths(1n),
  /** Step 4, client wins: full refund; 50 % of the stake slashed (SLASHING.fraudBps), the slashed
   * tokens split 50 % to the client and 50 % to the treasury; −200 reputation; permanent ban. */
  clientWinsSlashToClientBps: 5_000
} as const

/** Complete Workflow → Phase 2 (checkpoint strategy) and Gas Optimization → Merkle checkpoints. */
export const PROOF = {
  /** Live metrics stream at least every 5 seconds. */
  metricsIntervalSeconds: 5,
  /** Progress checkpoints reported every 10 epochs. */
  progressReportEpochs: 10,
  /** The Merkle root of the checkpoint chain is anchored on-chain every 50 epochs (and at the end). */
  merkleAnchorIntervalEpochs: 50,
  /** (cyxwiz) Re-execution spot checks a verifier runs by default. */
  defaultSpotChecks: 2,
  /** (cyxwiz) Checkpoints in one run's evidence (~200 bytes each in its manifest, so 4,096 fit in
   * 1 MiB): the evidence format's bound (storage/limits.ts) and the highest epoch a failover's
   * resume point may name (protocols/wire). */
  maxCheckpoints: 4096,
  /**
   * (cyxwiz) Optimistic tier: after the worker submits its delivery, the client (or any staker)
   * has this long to spot-check the evidence and open a dispute; with none opened, the worker
   * may claim its payment (`claim_payment`). 24 hours.
   */
  challengeWindowSeconds: 86_400,
  /**
   * (cyxwiz, security) zk tier: after the worker anchors its final root, the client has this long
   * to reveal the secret it committed to at `create_escrow` (`reveal_challenge`), which draws the
   * challenged step; only after it may anyone draw from a slot hash alone (`draw_challenge`, the
   * fallback for an absent client). 30 minutes. Config `reveal_window_secs`.
   */
  revealWindowSeconds: 30 * MINUTE,
  /**
   * (cyxwiz, security) zk tier: the least time a worker has to prove its challenged step after
   * the draw. The proof is due by max(escrow deadline, drawn at + this), and `slash_invalid_proof`
   * only applies after that and only to a drawn challenge. 1 hour (a step proof takes seconds).
   * Config `prove_window_secs`.
   */
  proveWindowSeconds: HOUR,
  /**
   * (cyxwiz) The on-chain id of the `checkpoint_step` circuit's verifying key (`["vk", id]`), which
   * zk-tier escrows name. A changed circuit gets a new id, never a rewritten key: 1 was the 4×3 model
   * with its 4 rows compiled in; 2 is the 16×4 model on private batches bound to the escrow's data
   * commitment (five public inputs).
   */
  stepCircuitId: 2
} as const

/** Token Flow → Platform Pool and Burn Mechanism. Recorded; cyxwiz routes the platform fee to
 * one platform account and does not yet split or burn it. */
export const TREASURY = {
  platformPoolBps: { stakingRewards: 4_000, development: 3_000, liquidityMining: 2_000, burn: 1_000 },
  /** "Failed job refunds (partial) → 5% burned". Recorded; not applied (it would take from the
   * refunded client, which the pro-rata rule of Payment Flow does not). */
  failedRefundBurnBps: 500
} as const

/**
 * (cyxwiz) The mesh: wire limits and timings. The design document relied on a central server and
 * has no such numbers; these are ours, chosen from measurements in docs/findings.md.
 */
export const MESH = {
  /** Gossipsub topic for job announcements. */
  jobsTopic: 'cyx/jobs/1',
  dhtProtocol: '/cyx/kad/1.0.0',
  bidProtocol: '/cyx/bid/1.0.0',
  jobProtocol: '/cyx/job/1.1.0',
  matchProtocol: '/cyx/match/1.0.0',
  /** How long a client collects bids after announcing. */
  bidWindowSeconds: 3,
  /** Capability adverts live 1 hour and are refreshed at half-life. */
  advertTtlSeconds: HOUR,
  /** Signed messages older than this (or this far in the future) are refused. */
  maxClockSkewSeconds: 5 * MINUTE,
  /** Dataset and weights travel in chunks of at most 256 KiB, each hash-checked. */
  maxChunkBytes: 256 * 1024,
  /** Largest dataset a worker accepts by default: 256 MiB. */
  maxDatasetBytes: 256 * 1024 * 1024,
  /** Largest final-weights file: 256 MiB. */
  maxWeightsBytes: 256 * 1024 * 1024,
  /** Largest signed gossip/bid message (advert, announce, bid, award envelope). */
  maxSignedMessageBytes: 16 * 1024,
  /** Largest frame of the job protocol: one chunk plus its framing. */
  maxJobFrameBytes: 256 * 1024 + 1024,
  /** Longest job a client may announce (estimated): 30 days. */
  maxEstimatedSeconds: 30 * DAY,
  /** How long after announcing a job its bids may still arrive (and how old a bid or award may be). */
  maxBidWindowSeconds: HOUR,
  /** (security, issue 15 finding 8) The longest bid window an announce may name: its bid deadline is
   * at most this many seconds after it was issued (checked at the wire boundary, `validateJobAnnounce`).
   * A worker's pending bid holds one of its slots until then, so a longer window would let one
   * stake-free announce idle a worker for as long as it named. */
  maxAnnounceBidWindowSeconds: MINUTE,
  /** How long past a bid's deadline the worker keeps its slot for the award (the client ranks,
   * escrows, dials); then the slot is free again, awarded or not. */
  bidAwardGraceSeconds: 5,
  /** How long past an announce's bid deadline (whole seconds) the client still takes a bid: one
   * sent at the deadline is in flight, and the deadline was rounded to the second. */
  bidReceiveGraceMs: 1_000,
  /** (security, finding 8) Most bids a worker has pending on the jobs of one announcing client (peer
   * or wallet): more announces from the same client are not bid on until those are decided. Four
   * lets a client run several jobs at once (the sim runs three) while one client alone cannot hold
   * more than four slots of any worker. */
  maxPendingBidsPerClient: 4
} as const

/**
 * (cyxwiz, security, issue 15 finding 12) Bounds on what a peer keeps in memory about others: the
 * frames of a job session, and the per-peer misbehaviour and per-wallet rate maps, which decay and
 * are capped so that a stream of fresh identities cannot grow them without end.
 */
export const PEER_MEMORY = {
  /** Most metrics frames and most checkpoint notices a client keeps of one session (the latest). */
  maxSessionFrames: 1_024,
  /** A misbehaving peer's score recovers this many points an hour (a ban, at -100, lifts after
   * about a day without new offences); a record back at 0 is forgotten. */
  misbehaviourRecoveryPointsPerHour: 4,
  /** Most peers with a misbehaviour record; beyond it the records of the least-penalised go first. */
  maxMisbehaviourRecords: 4_096,
  /** Most wallets whose announce rate is counted at once; windows that ended are dropped first. */
  maxRateLimitedWallets: 4_096
} as const

/**
 * (cyxwiz) Blocks over bitswap (@helia/bitswap 4, storage/helia.ts; docs/findings.md, "bitswap").
 * Its defaults give a message 10 s to be sent or received whole: a 4 MiB message of 1 MiB chunks,
 * in a process that also trains (the in-process sim: one event loop for every peer), can take
 * longer, and a message given up on is lost for good — bitswap never sends a want again, and the
 * cancel of an aborted want never reaches the peer (so the first want again is swallowed by the
 * peer's stale entry). Hence longer message timeouts, and a fetch that re-wants what stalled.
 */
export const BLOCKS = {
  /** How long one bitswap message may take to send, and to arrive whole. */
  messageTimeoutMs: 60_000,
  /** Messages queued per peer before bitswap drops more (its default, 10, drops under load). */
  sendQueueLength: 64,
  /** A fetch of a client's model or dataset with no new chunk for this long wants the rest again. */
  stallMs: 15_000
} as const

/**
 * (cyxwiz, docs/security.md finding 16) A drawn juror's retries of evidence no holder served
 * (peer/roles/worker/juror-duty.ts, `fetchRetryStep`). The worker's time to serve its evidence is
 * the whole commit window (`DISPUTE.commitWindowSeconds`), so a juror does not give up on a
 * passing outage: it fetches again, with backoff, as long as the window leaves time for one more
 * fetch round, a judgement and the commit (`commitMarginSeconds`), and votes `unavailable` only
 * when every retry failed. Off-chain policy: not part of `PARAMS` (nothing on-chain mirrors it).
 */
export const JUROR = {
  /** How often the juror duty reads the program's disputes (a commit window is 24 h). */
  pollSeconds: 30,
  /** The wait after the first fetch round that found the evidence unavailable, doubling per failed round… */
  retryFirstSeconds: MINUTE,
  /** …up to this: a commit window holds some thirty rounds, and an outage delays a juror by at most an hour. */
  retryMaxSeconds: HOUR,
  /** The longest a juror's re-execution of fetched evidence (`PROOF.defaultSpotChecks` segments) may take before it commits. */
  judgeSeconds: 10 * MINUTE,
  /** The longest a `commit_vote` may take to land: a transaction's blockhash lives 150 slots (60–90 s), so one send and one resend with a fresh blockhash. */
  commitTxSeconds: 3 * MINUTE
} as const

/**
 * (cyxwiz) A client's own dataset (peer/train/data, storage/dataset.ts): bounds checked when it is
 * loaded and again when a worker fetches it by CID, before anything is allocated or spent.
 * `maxBytes` bounds the canonical encoding (x_train ‖ y_train ‖ x_test ‖ y_test), 1 GiB: four
 * times MESH.maxDatasetBytes, the default a worker accepts; a worker may accept less.
 */
export const DATASET_LIMITS = {
  /** Largest canonical encoding (all four arrays, little-endian). */
  maxBytes: 1024 * 1024 * 1024,
  /** Most rows in train and test together. */
  maxRows: 16 * 1024 * 1024,
  /** Most values in one sample (a 3×1024×1024 image is 3,145,728). */
  maxSampleSize: 4 * 1024 * 1024,
  /** Most values in one regression target. */
  maxTargetSize: 65_536,
  /** Most dimensions of a sample or target shape. */
  maxRank: 8,
  /** Most classes of a classification task (and class names recorded). */
  maxClasses: 65_536,
  /** Longest class name, in characters, and all names together (they travel in the manifest). */
  maxClassNameChars: 256,
  maxClassNamesTotalChars: 512 * 1024,
  /** Raw chunks of the canonical encoding: 1 MiB, the evidence chunk size (bitswap's block limit is 2 MiB). */
  chunkBytes: 1024 * 1024,
  /** Largest dataset manifest block: 1,024 chunk CIDs (~40 KB) plus the class names fit within it. */
  maxManifestBytes: 1024 * 1024
} as const

/**
 * (cyxwiz) A client's own ONNX model (peer/train/model): checked before anything is spent, and again
 * by a worker before it bids or trains.
 */
export const MODEL_LIMITS = {
  /** Largest ONNX file (one file, no external data). */
  maxBytes: 256 * 1024 * 1024,
  /** Most graph nodes. */
  maxNodes: 10_000,
  /** Most float parameters (initializers, trainable and buffers). */
  maxParameters: 64 * 1024 * 1024
} as const

/** All parameters, for `cyx params` and the on-chain `Config`. */
export const PARAMS = {
  token: TOKEN,
  settlement: SETTLEMENT,
  escrow: ESCROW,
  stakeTiers: STAKE_TIERS,
  slashing: SLASHING,
  stakeLock: STAKE_LOCK,
  reputation: REPUTATION,
  pricing: PRICING,
  dispute: DISPUTE,
  proof: PROOF,
  treasury: TREASURY,
  mesh: MESH
} as const

/**
 * The optional coordinator (coordinator/, `cyx coordinator`): protocol ids and bounds. Not part of
 * `PARAMS` (nothing on-chain mirrors them). Its match protocol is `MESH.matchProtocol`.
 */
export const COORDINATOR = {
  registerProtocol: '/cyx/coordinator/register/1.0.0',
  /** Most candidates one match answer may list (and a client may ask for). */
  maxCandidates: 32,
  /** Largest frame on the register protocol: one signed advert plus framing. */
  maxRegisterFrameBytes: 16 * 1024 + 256,
  /** Largest match answer: a signed result plus one signed advert per candidate. */
  maxMatchFrameBytes: 33 * (16 * 1024 + 16),
  /** How long on-chain stake and reputation read by the coordinator stay cached. */
  chainCacheSeconds: 30
} as const

/**
 * (cyxwiz, issue 18) The network a peer is expected to work over, once: every protocol timeout on
 * a network path (dials, stream reads, the ledger's RPC answers) is derived from these by
 * `networkWaitMs` and `protocolTimeouts` below, never guessed where it is used. The link issue 18
 * names (80 ms latency each way, 1 % loss, 20 Mbit/s; docs/network.md measures it) is the worst a
 * peer must work over; on a better link every wait is only longer than it needs to be. The values
 * are chosen so that no derived timeout is shorter than the constant it replaced (localhost
 * behaviour unchanged or more lenient).
 */
export interface NetworkAssumptions {
  /** The worst round-trip time between two peers, ms. */
  readonly worstRttMs: number
  /** What one wait budgets for lost packets, ms. */
  readonly lossRecoveryMs: number
  /** What one wait budgets for the other end being busy with its own work, ms. */
  readonly busyPeerMs: number
  /** The slowest transfer rate a payload is expected to move at, bytes per second. */
  readonly minBytesPerSecond: number
  /** Round trips of one ledger RPC call over the worst link, connection set-up included. */
  readonly rpcCallRoundTrips: number
  /** The ledger endpoint's own time to answer one call, ms. */
  readonly rpcEndpointMs: number
  /** Round trips of a libp2p dial, connection set-up to the first protocol's negotiation. */
  readonly dialRoundTrips: number
  /** Each derived wait is this many times its estimate. */
  readonly marginFactor: number
}

export const NETWORK: NetworkAssumptions = {
  /** 160 ms: issue 18's 80 ms each way (the netem harness measured min 160.7 ms, docs/network.md).
   * A relayed path crosses the bad link once as well, so this holds through a relay too. */
  worstRttMs: 160,
  /** 3 s: a lost segment waits out TCP's retransmission timeout, 1 s at first (RFC 6298's initial
   * RTO, and what a lost SYN waits), doubling when the resend is lost too: 1 s + 2 s. At 1 % loss a
   * wait of tens of packets meets one loss often, a lost resend rarely; fast retransmit (one round
   * trip) is the usual, cheaper case. */
  lossRecoveryMs: 3_000,
  /** 2 s: a peer's event loop held by its own work before it answers: a training step between
   * two yields, decrypting and hashing a burst of chunks, and in the in-process sim every peer
   * sharing one loop (BLOCKS: bitswap's own 10 s message timeouts ran out there). */
  busyPeerMs: 2_000,
  /** 62,500 B/s (500 kbit/s): below the slowest any job path was measured on issue 18's link,
   * 0.104 MB/s (the dataset frames over 80 ms + 1 % loss with Reno instead of BBR, docs/network.md);
   * with BBR the same paths reached 1.9–2.1 MB/s. A frame of `MESH.maxJobFrameBytes` takes 4.2 s
   * at this rate. Waits for whole datasets, weights or evidence are not sized by it (a 256 MiB
   * dataset would take 72 minutes): those measure silence (the job stream's idle timeout, bitswap's
   * stall timer), not size. */
  minBytesPerSecond: 62_500,
  /** 4: a ledger read or send on a fresh connection: TCP (1), TLS 1.2 (2), the request (1). With
   * `rpcEndpointMs`, one call's budget is 2.64 s (`rpcCallMs`). */
  rpcCallRoundTrips: 4,
  /** 2 s: a loaded RPC endpoint's own time for one call (a read, a send, or one poll of a
   * transaction's confirmation, which counts as one more call). */
  rpcEndpointMs: 2_000,
  /** 6: TCP (1), multistream-select of the security protocol (1), the Noise XX handshake (1.5),
   * multistream-select of the muxer (1), and of the first protocol on the stream (1), rounded up;
   * identify and a relay hop ride alongside. */
  dialRoundTrips: 6,
  /** 2: the estimate counts one loss recovery and one busy spell; a wait may meet two. */
  marginFactor: 2
}

/** What one network wait consists of: whole or half round trips (a one-way leg is 0.5), bytes at
 * the floor rate, and ledger RPC calls. */
export interface NetworkWait {
  readonly roundTrips?: number
  readonly bytes?: number
  readonly rpcCalls?: number
}

/** The ledger RPC round-trip budget: one call answered over the worst link, ms (no margin). */
export function rpcCallMs (net: NetworkAssumptions = NETWORK): number {
  return net.rpcCallRoundTrips * net.worstRttMs + net.rpcEndpointMs
}

/**
 * How long to wait for `w` over the network `net`, in whole ms: `marginFactor` × (the round trips
 * at the worst RTT + the bytes at the floor rate + the RPC calls (`rpcCallMs`) + one loss recovery
 * + one busy spell of the other end).
 */
export function networkWaitMs (w: NetworkWait, net: NetworkAssumptions = NETWORK): number {
  const estimate = (w.roundTrips ?? 0) * net.worstRttMs +
    ((w.bytes ?? 0) * 1000) / net.minBytesPerSecond +
    (w.rpcCalls ?? 0) * rpcCallMs(net) +
    net.lossRecoveryMs + net.busyPeerMs
  return Math.ceil(net.marginFactor * estimate)
}

/** Every protocol timeout on a network path, ms (see `protocolTimeouts` for what each waits for). */
export interface ProtocolTimeouts {
  readonly dialMs: number
  readonly dhtLookupMs: number
  readonly identifyMs: number
  readonly bidFrameMs: number
  readonly bidReceiptMs: number
  readonly bidSendMs: number
  readonly clientFundsReadMs: number
  readonly jobDialMs: number
  readonly awardMs: number
  readonly acceptMs: number
  readonly jobIdleMs: number
  readonly lingerMs: number
  readonly coordinatorRequestMs: number
  readonly coordinatorAnswerMs: number
  readonly coordinatorRegisterMs: number
  readonly coordinatorMatchMs: number
}

/** Most bytes of one identify message (libp2p's identify `maxMessageSize` default, 8 KiB). */
const IDENTIFY_MESSAGE_BYTES = 8 * 1024
/** Jumps of a DHT walk that each dial a new peer before its query answers. */
const DHT_HOPS = 2

/** The protocol timeouts under the assumptions `net` (table-tested in test/unit/protocols/timeouts.test.ts). */
export function protocolTimeouts (net: NetworkAssumptions = NETWORK): ProtocolTimeouts {
  const wait = (w: NetworkWait): number => networkWaitMs(w, net)
  const dial = net.dialRoundTrips
  return {
    /** A dial to a peer, connected and its first protocol negotiated (connecting matched
     * candidates; a worker dialling a client back). */
    dialMs: wait({ roundTrips: dial }),
    /** A DHT walk (a worker's advert by peer id, providers of a capability): `DHT_HOPS` peers, each
     * dialled and queried. */
    dhtLookupMs: wait({ roundTrips: DHT_HOPS * (dial + 1) }),
    /** One identify run on an open connection: its stream negotiated (1) and the answer (1). */
    identifyMs: wait({ roundTrips: 2, bytes: IDENTIFY_MESSAGE_BYTES }),
    /** The client's read of a bid: one frame of `MESH.maxSignedMessageBytes`, one way, once the
     * bidder's stream opened. */
    bidFrameMs: wait({ roundTrips: 0.5, bytes: MESH.maxSignedMessageBytes }),
    /** The client's receipt (an empty frame) and its close, to the bidder. */
    bidReceiptMs: wait({ roundTrips: 1 }),
    /** A worker's whole bid: the dial, the bid stream's negotiation, the bid's frame and the
     * receipt (the retries after a connection closed under it fit in its slack). */
    bidSendMs: wait({ roundTrips: dial + 2, bytes: MESH.maxSignedMessageBytes }),
    /** A worker's read of an announcing client's balance (proof of funds): one RPC call. */
    clientFundsReadMs: wait({ rpcCalls: 1 }),
    /** The client's dial of the job stream to its awarded worker. */
    jobDialMs: wait({ roundTrips: dial + 1 }),
    /** The award, on the worker, from the job stream's opening: the client's side of the
     * negotiation (1) and one frame of `MESH.maxSignedMessageBytes`. */
    awardMs: wait({ roundTrips: 1, bytes: MESH.maxSignedMessageBytes }),
    /** The worker's answer to an award, on the client: a round trip and the worker's ledger calls
     * (the escrow and its config read, `accept_job`'s blockhash, send and confirmation, a read
     * after a lost confirmation: 6). */
    acceptMs: wait({ roundTrips: 1, rpcCalls: 6 }),
    /** The longest silence on a running job stream: three missed metrics intervals (the worker
     * sends at least one every `PROOF.metricsIntervalSeconds`) plus the last frame's crossing, one
     * way, queued behind a frame of `MESH.maxJobFrameBytes`. */
    jobIdleMs: 3 * PROOF.metricsIntervalSeconds * 1000 + wait({ roundTrips: 0.5, bytes: MESH.maxJobFrameBytes }),
    /** A job stream's close: our unsent bytes (at most a frame of `MESH.maxJobFrameBytes` past the
     * muxer's window) delivered, then the remote's close of its end; also an Error frame's send. */
    lingerMs: wait({ roundTrips: 1, bytes: MESH.maxJobFrameBytes }),
    /** The coordinator's read of a request, once the stream opened: one frame of
     * `COORDINATOR.maxRegisterFrameBytes`, one way. */
    coordinatorRequestMs: wait({ roundTrips: 0.5, bytes: COORDINATOR.maxRegisterFrameBytes }),
    /** The coordinator's answer and close: a frame of up to `COORDINATOR.maxMatchFrameBytes`. */
    coordinatorAnswerMs: wait({ roundTrips: 1, bytes: COORDINATOR.maxMatchFrameBytes }),
    /** A worker's registration with a coordinator, whole: the dial, the request and the answer
     * (each at most `COORDINATOR.maxRegisterFrameBytes`). */
    coordinatorRegisterMs: wait({ roundTrips: dial + 2, bytes: 2 * COORDINATOR.maxRegisterFrameBytes }),
    /** A client's match, whole: the dial, the request, an answer of up to
     * `COORDINATOR.maxMatchFrameBytes`, and the client's own stake reads (2 RPC calls). */
    coordinatorMatchMs: wait({ roundTrips: dial + 2, bytes: COORDINATOR.maxRegisterFrameBytes + COORDINATOR.maxMatchFrameBytes, rpcCalls: 2 })
  }
}

/** The protocol timeouts under `NETWORK`. */
export const TIMEOUTS: ProtocolTimeouts = protocolTimeouts(NETWORK)
