/**
 * Table tests of the pure rules, built from the design document's worked examples
 * (its numbers are in protocols/params.ts), plus the boundaries our rounding rules decide.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import {
  AmountError, bondOutcome, expectedJury, isDrawn, jurorDeposit, jurorPayout, juryOutcome, juryVerdict, noVerdictOutcome, unavailableOutcome, voteCommitment, cancellationSplit, disputeVerdict, durationMultiplierBps, EMPTY_REPUTATION,
  extendLockForJob, formatTokens, fraudSlashSplit, initialLockUntil, isRepeatedFailure, minimumRegistrationStake,
  parseTokens, progressBps, proRataSplit, quoteJobPrice, reputationComponents, reputationScore,
  reputationTier, requiredStake, settlementSplit, slashRateBps, slashStake, stakeTierFor, takeRateLimit,
  tierMayAccept, timeAccuracyBps, trainingTimeWithinBounds, withdrawalCheck, withdrawableAt,
  applyReputationEvent, DISPUTE, TOKEN, U64_MAX, type ReputationRecord, referenceJobAmount, maturityPaidValue, maturityJobsCounted,
  maturedPoints, valueWeightedPoints, ratingCounts, REPUTATION, recordFailure, NO_FAILURES, SLASHING,
  epochEstimateSeconds, epochFitsNoProgressTimeout, noProgressExpired, ESCROW, handOverSplit, failoverDue, verifiedEpochs, remainingEstimateSeconds
} from '../../../protocols/index.js'

const T = (s: string): bigint => parseTokens(s)
const DAY = 86_400

describe('protocols/rules', () => {
  describe('amounts', () => {
    it('parses and formats decimal token amounts exactly', () => {
      const table: Array<[string, bigint]> = [
        ['73', 73_000_000_000n], ['65.7', 65_700_000_000n], ['7.3', 7_300_000_000n],
        ['0.000000001', 1n], ['1000000000', TOKEN.totalSupply]
      ]
      for (const [text, units] of table) {
        assert.equal(parseTokens(text), units, text)
        assert.equal(formatTokens(units), text)
      }
    })
    it('refuses amounts it cannot represent exactly', () => {
      for (const bad of ['', '-1', '1.0000000001', '1e9', 'abc', '1.', '.5', '99999999999999999999']) {
        assert.throws(() => parseTokens(bad), AmountError, bad)
      }
    })
  })

  describe('pricing (Pricing Model example: ResNet-50 on an RTX 3070)', () => {
    it('7.6/h × 12 h × 0.8 × 1.0 (Gold) = 72.96 → 73', () => {
      const q = quoteJobPrice({ compute: 'consumerGpu', ramGb: 16, vramGb: 8, durationSeconds: 12 * 3600, priority: 'normal', workerTier: 'Gold' })
      assert.equal(q.hourlyRate, T('7.6'))
      assert.equal(q.durationMultiplierBps, 8_000)
      assert.equal(q.unrounded, T('72.96'))
      assert.equal(q.price, T('73'))
      assert.deepEqual(settlementSplit(q.price, 'Gold'), { worker: T('65.7'), platform: T('7.3') })
    })
    it('applies duration bands at their edges', () => {
      const table: Array<[number, number]> = [[0, 10_000], [3599, 10_000], [3600, 9_000], [6 * 3600 - 1, 9_000], [6 * 3600, 8_000], [24 * 3600, 8_000], [24 * 3600 + 1, 7_000]]
      for (const [s, bps] of table) assert.equal(durationMultiplierBps(s), bps, `${s}s`)
    })
    it('applies priority and reputation adjustments, and never prices a job at zero', () => {
      const base = { compute: 'cpu', ramGb: 0, vramGb: 0, durationSeconds: 10 * 3600, priority: 'normal', workerTier: 'Gold' } as const
      assert.equal(quoteJobPrice(base).unrounded, T('4')) // 0.5 × 10 × 0.8
      assert.equal(quoteJobPrice({ ...base, priority: 'critical' }).price, T('8'))
      assert.equal(quoteJobPrice({ ...base, priority: 'low' }).unrounded, T('3.2'))
      assert.equal(quoteJobPrice({ ...base, workerTier: 'Bronze' }).unrounded, T('4.8'))
      assert.equal(quoteJobPrice({ ...base, workerTier: 'Diamond' }).unrounded, T('3.6'))
      const half = quoteJobPrice({ ...base, compute: 'consumerGpu', durationSeconds: 2700 })
      assert.deepEqual([half.unrounded, half.price], [T('1.5'), T('2')]) // halves round up
      const under = quoteJobPrice({ ...base, durationSeconds: 4 * 3600 })
      assert.deepEqual([under.unrounded, under.price], [T('1.8'), T('2')])
      assert.equal(quoteJobPrice({ ...base, durationSeconds: 60 }).price, T('1'))
    })
    it('refuses malformed requests', () => {
      assert.throws(() => quoteJobPrice({ compute: 'cpu', ramGb: 1.5, vramGb: 0, durationSeconds: 1, priority: 'normal', workerTier: 'Gold' }), AmountError)
      assert.throws(() => quoteJobPrice({ compute: 'cpu', ramGb: 1, vramGb: 0, durationSeconds: -1, priority: 'normal', workerTier: 'Gold' }), AmountError)
    })
  })

  describe('settlement', () => {
    it('splits 100 → 90/10, and 92/8 for Diamond', () => {
      assert.deepEqual(settlementSplit(T('100'), 'Silver'), { worker: T('90'), platform: T('10') })
      assert.deepEqual(settlementSplit(T('100'), 'Diamond'), { worker: T('92'), platform: T('8') })
    })
    it('refunds pro rata: 0 % → all, 50 % → half, 100 % → none', () => {
      assert.deepEqual(proRataSplit(T('100'), 0), { worker: 0n, client: T('100') })
      assert.deepEqual(proRataSplit(T('100'), 5_000), { worker: T('50'), client: T('50') })
      assert.deepEqual(proRataSplit(T('100'), 10_000), { worker: T('100'), client: 0n })
      assert.equal(progressBps(1, 3), 3_333)
      assert.equal(progressBps(5, 3), 10_000)
    })
    it('charges a 10 % cancellation fee on top of earned progress, capped at the amount', () => {
      assert.deepEqual(cancellationSplit(T('100'), 0), { worker: T('10'), client: T('90') })
      assert.deepEqual(cancellationSplit(T('100'), 5_000), { worker: T('60'), client: T('40') })
      assert.deepEqual(cancellationSplit(T('100'), 9_500), { worker: T('100'), client: 0n })
    })
    it('after a hand-over, progress counts from the epochs the replaced worker was paid for', () => {
      const table: Array<[done: number, total: number, base: number, bps: number]> = [
        [4, 10, 0, 4_000],
        [4, 10, 4, 0], // the new worker has done nothing yet
        [7, 10, 4, 5_000], // 3 of its 6 epochs
        [5, 10, 4, 1_666], // 1 of 6, floored
        [10, 10, 9, 10_000],
        [12, 10, 9, 10_000] // capped, as without a base
      ]
      for (const [done, total, base, bps] of table) assert.equal(progressBps(done, total, base), bps, `${done}/${total} from ${base}`)
      assert.throws(() => progressBps(3, 10, 4), AmountError) // below the base
      assert.throws(() => progressBps(10, 10, 10), AmountError) // the base is always before the final epoch
      assert.throws(() => progressBps(3, 10, 1.5), AmountError)
    })
    it('a hand-over pays the stalled worker the earned part of a cancellation at the verified progress, no cancellation fee, the platform fee out of it', () => {
      const table: Array<[amount: bigint, verified: number, total: number, tier: 'Bronze' | 'Silver' | 'Gold' | 'Diamond', base: number, worker: bigint, platform: bigint, remaining: bigint]> = [
        [T('100'), 4, 10, 'Silver', 0, T('36'), T('4'), T('60')], // earned 40: 36/4, 60 left
        [T('100'), 4, 10, 'Diamond', 0, T('36.8'), T('3.2'), T('60')], // 8 % for Diamond
        [T('100'), 0, 10, 'Silver', 0, 0n, 0n, T('100')], // nothing verified: paid as a timeout refund pays, nothing
        [T('100'), 9, 10, 'Silver', 0, T('81'), T('9'), T('10')],
        [1_000n, 1, 3, 'Bronze', 0, 300n, 33n, 667n], // progress 3,333 bps: earned floor(333.3) = 333, fee floor(33.3) = 33
        [7n, 1, 3, 'Bronze', 0, 2n, 0n, 5n], // earned floor(2.33) = 2, fee floor(0.2) = 0
        [T('60'), 7, 10, 'Silver', 4, T('27'), T('3'), T('30')], // a second hand-over: 3 of the 6 epochs after the base, of the 60 left
        [T('60'), 4, 10, 'Silver', 4, 0n, 0n, T('60')],
        [U64_MAX, 5, 10, 'Silver', 0, 8_301_034_833_169_298_227n, 922_337_203_685_477_580n, 9_223_372_036_854_775_808n]
      ]
      for (const [amount, verified, total, tier, base, worker, platform, remaining] of table) {
        const s = handOverSplit(amount, verified, total, tier, base)
        assert.deepEqual(s, { worker, platform, remaining }, `${amount} at ${verified}/${total} from ${base}`)
        assert.equal(s.worker + s.platform + s.remaining, amount)
        // The earned part of a cancellation at that progress, less the fee a cancellation adds.
        assert.equal(s.worker + s.platform, proRataSplit(amount, progressBps(verified, total, base)).worker)
      }
      assert.throws(() => handOverSplit(T('100'), 10, 10, 'Silver'), AmountError) // not after the final epoch
      assert.throws(() => handOverSplit(T('100'), 3, 10, 'Silver', 4), AmountError) // not below the base
      assert.throws(() => handOverSplit(-1n, 3, 10, 'Silver'), AmountError)
    })
    it('never creates or loses a base unit (property)', () => {
      fc.assert(fc.property(fc.bigInt({ min: 0n, max: U64_MAX }), fc.integer({ min: 1, max: 1_000 }), fc.nat(), fc.nat(), fc.constantFrom('Bronze', 'Silver', 'Gold', 'Diamond' as const), (amount, total, a, b, tier) => {
        const base = a % total
        const verified = base + (b % (total - base))
        const h = handOverSplit(amount, verified, total, tier, base)
        return h.worker + h.platform + h.remaining === amount && h.worker >= 0n && h.platform >= 0n && (amount === 0n || h.remaining > 0n)
      }))
      fc.assert(fc.property(fc.bigInt({ min: 0n, max: U64_MAX }), fc.integer({ min: 0, max: 10_000 }), fc.constantFrom('Bronze', 'Silver', 'Gold', 'Diamond' as const), (amount, progress, tier) => {
        const s = settlementSplit(amount, tier)
        const r = proRataSplit(amount, progress)
        const c = cancellationSplit(amount, progress)
        return s.worker + s.platform === amount && r.worker + r.client === amount && c.worker + c.client === amount &&
          s.worker >= 0n && s.platform >= 0n && r.client >= 0n && c.client >= 0n
      }))
    })
    it('bounds training time to 0.5×–2× the estimate, ends included', () => {
      assert.equal(trainingTimeWithinBounds(50, 100), true)
      assert.equal(trainingTimeWithinBounds(49, 100), false)
      assert.equal(trainingTimeWithinBounds(200, 100), true)
      assert.equal(trainingTimeWithinBounds(201, 100), false)
    })
    it('no-progress timeout: an epoch is ceil(estimate / epochs), and one longer than the 2 h timeout is refused', () => {
      const H = ESCROW.noProgressTimeoutSeconds
      assert.equal(H, 7_200)
      const table: Array<[estimate: number, epochs: number, perEpoch: number, fits: boolean]> = [
        [3_600, 1, 3_600, true],
        [7_200, 1, 7_200, true], // exactly the timeout fits
        [7_201, 1, 7_201, false],
        [14_400, 2, 7_200, true],
        [14_401, 2, 7_201, false], // rounded up
        [86_400, 12, 7_200, true],
        [86_400, 11, 7_855, false],
        [1, 1_000, 1, true],
        [0, 3, 0, true]
      ]
      for (const [estimate, epochs, perEpoch, fits] of table) {
        assert.equal(epochEstimateSeconds(estimate, epochs), perEpoch, `${estimate} s / ${epochs}`)
        assert.equal(epochFitsNoProgressTimeout(estimate, epochs), fits, `${estimate} s / ${epochs}`)
      }
      assert.equal(epochFitsNoProgressTimeout(600, 1, 599), false)
      assert.throws(() => epochEstimateSeconds(100, 0), AmountError)
      assert.throws(() => epochEstimateSeconds(-1, 1), AmountError)
    })
    it('no-progress timeout: only an accepted escrow short of its final anchor, strictly after max(accepted, last progress) + 2 h', () => {
      const H = ESCROW.noProgressTimeoutSeconds
      const base = { accepted: true, acceptedAt: 1_000, lastProgressAt: 1_000, epochsDone: 0, epochsTotal: 4 }
      const table: Array<[what: string, e: typeof base, now: number, expired: boolean]> = [
        ['accepted, nothing anchored, at the timeout', base, 1_000 + H, false],
        ['accepted, nothing anchored, one second past it', base, 1_000 + H + 1, true],
        ['anchored recently', { ...base, epochsDone: 2, lastProgressAt: 5_000 }, 1_000 + H + 1, false],
        ['anchored, then silent past the timeout', { ...base, epochsDone: 2, lastProgressAt: 5_000 }, 5_000 + H + 1, true],
        ['never accepted', { ...base, accepted: false, acceptedAt: 0, lastProgressAt: 0 }, 10 * H, false],
        ['final epoch anchored', { ...base, epochsDone: 4, lastProgressAt: 2_000 }, 10 * H, false],
        ['last progress before the acceptance (the offer\'s creation)', { ...base, acceptedAt: 3_000, lastProgressAt: 1_000 }, 1_000 + H + 1, false]
      ]
      for (const [what, e, now, expired] of table) assert.equal(noProgressExpired(e, now), expired, what)
      assert.equal(noProgressExpired(base, 1_000 + 61, 60), true)
    })
    it('failover: a client hands over only a worker gone from its session and silent on-chain for the escrow\'s own no-progress timeout', () => {
      const H = 7_200
      const e = { accepted: true, acceptedAt: 1_000, lastProgressAt: 5_000, epochsDone: 2, epochsTotal: 4 }
      const table: Array<[what: string, e: typeof e, now: number, timeout: number, sessionLive: boolean, due: boolean]> = [
        ['gone and silent past the timeout', e, 5_000 + H + 1, H, false, true],
        ['gone, silent exactly the timeout', e, 5_000 + H, H, false, false],
        ['gone but still anchoring (unreachable from here)', { ...e, lastProgressAt: 9_000 }, 5_000 + H + 1, H, false, false],
        ['silent on-chain but still streaming to the client', e, 5_000 + H + 1, H, true, false],
        ['the escrow\'s own, shorter timeout', e, 5_000 + 61, 60, false, true],
        ['final epoch anchored (delivery settles it)', { ...e, epochsDone: 4 }, 10 * H, H, false, false],
        ['an offer never accepted', { ...e, accepted: false }, 10 * H, H, false, false]
      ]
      for (const [what, esc, now, timeout, live, due] of table) {
        assert.equal(failoverDue(esc, now, timeout, live), due, what)
        // The very rule the program's hand_over applies, when the session is gone.
        if (!live) assert.equal(due, noProgressExpired(esc, now, timeout), what)
      }
    })
    it('failover: the epochs paid are the kept checkpoint\'s if it passed its check, no further than the chain anchored, never below the base', () => {
      const table: Array<[what: string, kept: { epoch: number, passed: boolean } | undefined, done: number, base: number, verified: number]> = [
        ['kept and passed', { epoch: 2, passed: true }, 2, 0, 2],
        ['nothing kept', undefined, 3, 0, 0],
        ['kept, failed its spot check', { epoch: 3, passed: false }, 3, 0, 0],
        ['kept beyond what the chain anchored', { epoch: 3, passed: true }, 2, 0, 2],
        ['kept less than the chain anchored', { epoch: 1, passed: true }, 3, 0, 1],
        ['after a hand-over: failed, the base', { epoch: 6, passed: false }, 6, 4, 4],
        ['after a hand-over: kept below the base', { epoch: 3, passed: true }, 6, 4, 4],
        ['after a hand-over: kept and passed', { epoch: 6, passed: true }, 7, 4, 6]
      ]
      for (const [what, kept, epochsDone, epochsBase, verified] of table) assert.equal(verifiedEpochs(kept, { epochsDone, epochsBase }), verified, what)
    })
    it('failover: the rest of the estimate after the verified epochs', () => {
      assert.equal(remainingEstimateSeconds(144, 4, 2), 72)
      assert.equal(remainingEstimateSeconds(60, 3, 1), 40)
      assert.equal(remainingEstimateSeconds(100, 3, 0), 100)
      assert.equal(remainingEstimateSeconds(10, 100, 99), 1) // at least a second
      assert.throws(() => remainingEstimateSeconds(60, 3, 3), AmountError)
      assert.throws(() => remainingEstimateSeconds(0, 3, 1), AmountError)
    })
    it('rate-limits a wallet to 10 jobs per day', () => {
      let w = { windowStart: 0, count: 0 }
      for (let i = 0; i < 10; i++) {
        const r = takeRateLimit(w, 1000 + i)
        assert.equal(r.allowed, true)
        w = r.next
      }
      assert.equal(takeRateLimit(w, 2000).allowed, false)
      assert.equal(takeRateLimit(w, 1000 + DAY - 1).allowed, false)
      const later = takeRateLimit(w, 1000 + DAY)
      assert.deepEqual(later, { allowed: true, next: { windowStart: 1000 + DAY, count: 1 } })
    })
  })

  describe('stake tiers', () => {
    it('requires 50 / 200 / 1,000 / 5,000 staked for jobs < 10, < 50, < 200, ≥ 200', () => {
      const table: Array<[string, string, number]> = [
        ['0', '50', 1_000], ['9.999999999', '50', 1_000], ['10', '200', 1_500], ['49', '200', 1_500],
        ['50', '1000', 2_000], ['199', '1000', 2_000], ['200', '5000', 2_500], ['1000000', '5000', 2_500]
      ]
      for (const [job, stake, slash] of table) {
        assert.equal(requiredStake(T(job)), T(stake), job)
        assert.equal(stakeTierFor(T(job)).slashOnFailureBps, slash, job)
      }
      assert.equal(minimumRegistrationStake(), T('50'))
    })
    it('locks stake 30 days, +7 days per job, then a 14-day cooldown', () => {
      const reg = 1_000_000
      const lock = initialLockUntil(reg)
      assert.equal(lock, reg + 30 * DAY)
      const afterTwoJobs = extendLockForJob(extendLockForJob(lock, reg + DAY), reg + DAY)
      assert.equal(afterTwoJobs, reg + 44 * DAY)
      assert.equal(extendLockForJob(lock, lock + 10 * DAY), lock + 17 * DAY)
      assert.equal(withdrawableAt(lock, reg + DAY), lock + 14 * DAY)
      const s = { lockedUntil: lock, unstakeRequestedAt: reg + DAY, activeJobs: 0 }
      assert.equal(withdrawalCheck({ ...s, unstakeRequestedAt: null }, lock + 100 * DAY), 'not-requested')
      assert.equal(withdrawalCheck({ ...s, activeJobs: 1 }, lock + 100 * DAY), 'active-jobs')
      assert.equal(withdrawalCheck(s, lock + 14 * DAY - 1), 'cooling-down')
      assert.equal(withdrawalCheck(s, lock + 14 * DAY), null)
    })
  })

  describe('slashing (Stake-Based Security example)', () => {
    it('1,000 staked, timeout → 100 slashed: 80 insurance, 20 burned', () => {
      assert.equal(slashRateBps('timeout', T('50')), 1_000)
      assert.deepEqual(slashStake(T('1000'), slashRateBps('timeout', T('50'))), { slashed: T('100'), remaining: T('900'), insurance: T('80'), burned: T('20') })
    })
    it('uses 25 % for an invalid proof, 50 % for fraud, 30 % for repeated failures, the tier rate for a failed job', () => {
      assert.equal(slashRateBps('invalidProof', 1n), 2_500)
      assert.equal(slashRateBps('fraud', 1n), 5_000)
      assert.equal(slashRateBps('repeatedFailures', 1n), 3_000)
      assert.equal(slashRateBps('failedJob', T('100')), 2_000)
      assert.deepEqual(fraudSlashSplit(T('500')), { toClient: T('250'), toTreasury: T('250') })
      assert.deepEqual(fraudSlashSplit(3n), { toClient: 1n, toTreasury: 2n })
    })
    it('counts 3 failures within 7 days as repeated', () => {
      const now = 100 * DAY
      assert.equal(isRepeatedFailure([now - DAY], now), false)
      assert.equal(isRepeatedFailure([now - DAY, now - 2 * DAY], now), true)
      assert.equal(isRepeatedFailure([now - DAY, now - 7 * DAY], now), false)
    })
    it('conserves the stake to the base unit (property)', () => {
      fc.assert(fc.property(fc.bigInt({ min: 0n, max: U64_MAX }), fc.integer({ min: 0, max: 10_000 }), (stake, rate) => {
        const s = slashStake(stake, rate)
        const f = fraudSlashSplit(s.slashed)
        return s.remaining + s.insurance + s.burned === stake && f.toClient + f.toTreasury === s.slashed && s.burned <= s.insurance
      }))
    })
  })

  describe('reputation (Node Reputation System examples)', () => {
    const r = (over: Partial<ReputationRecord>): ReputationRecord => ({ ...EMPTY_REPUTATION, ...over })
    it('scores each component as the document does', () => {
      assert.equal(reputationComponents(r({ jobsAssigned: 100, jobsCompleted: 95 })).completion, 380)
      assert.equal(timeAccuracyBps(110, 100), 9_000)
      assert.equal(timeAccuracyBps(90, 100), 9_000)
      assert.equal(timeAccuracyBps(500, 100), 0)
      assert.equal(reputationComponents(r({ timedJobs: 4, timeAccuracySumBps: 4 * 9_000 })).timeAccuracy, 225)
      assert.equal(reputationComponents(r({ ratings: 2, ratingStarsSum: 9 })).rating, 180)
      assert.equal(reputationComponents(r({ proofsTotal: 7, proofsValid: 7 })).proofQuality, 100)
      assert.equal(reputationComponents(r({ heartbeatsExpected: 100, heartbeatsReceived: 98 })).uptime, 49)
    })
    it('sums the components (934 → Diamond) and starts at 0 (Bronze)', () => {
      const seasoned = r({ paidValue: T('1000'), jobsAssigned: 100, jobsCompleted: 95, timedJobs: 95, timeAccuracySumBps: 95 * 9_000, ratings: 10, ratingStarsSum: 45, proofsTotal: 95, proofsValid: 95, heartbeatsExpected: 100, heartbeatsReceived: 98 })
      assert.equal(reputationScore(seasoned), 934)
      assert.equal(reputationTier(934).name, 'Diamond')
      assert.equal(reputationScore(EMPTY_REPUTATION), 0)
      assert.equal(reputationTier(0).name, 'Bronze')
    })
    it('does not grant Diamond for one perfect job (maturity)', () => {
      const one = r({ paidValue: T('10'), jobsAssigned: 1, jobsCompleted: 1, timedJobs: 1, timeAccuracySumBps: 10_000, ratings: 1, ratingStarsSum: 5, proofsTotal: 1, proofsValid: 1, heartbeatsExpected: 1, heartbeatsReceived: 1 })
      assert.equal(reputationScore(one), 50) // 1000 × 1/20
      // The same perfect job paid less than the reference amount (10 CYXWIZ) matures nothing.
      assert.equal(reputationScore({ ...one, paidValue: T('9.999999999') }), 0)
    })
    it('matures by paid value as well as by jobs: min(assigned, floor(paid / 10 CYXWIZ), 20) jobs count (finding 7)', () => {
      assert.equal(referenceJobAmount(), T('10'))
      assert.equal(maturityPaidValue(), T('200'))
      const table: [jobs: number, paid: string, counted: number][] = [
        [0, '0', 0], [1, '9.999999999', 0], [1, '10', 1], [1, '1000', 1], [20, '20', 2], [20, '199.999999999', 19],
        [20, '200', 20], [100, '1000000', 20], [5, '35', 3]
      ]
      for (const [jobsAssigned, paid, counted] of table) {
        assert.equal(maturityJobsCounted({ jobsAssigned, paidValue: T(paid) }), counted, `${jobsAssigned} jobs, ${paid} paid`)
      }
      assert.equal(maturedPoints(1000, { jobsAssigned: 20, paidValue: T('20') }), 100)
      assert.equal(maturedPoints(999, { jobsAssigned: 20, paidValue: T('30') }), 149) // floor(999 × 3 / 20)
      assert.throws(() => maturityJobsCounted({ jobsAssigned: 1, paidValue: -1n }), AmountError)
    })
    it('weights the successful-job and five-star recoveries by paid value, floored (finding 7)', () => {
      const table: [points: number, amount: string, out: number][] = [
        [10, '0', 0], [10, '0.999999999', 0], [10, '1', 1], [10, '5', 5], [10, '9.999999999', 9], [10, '10', 10], [10, '1000', 10],
        [5, '1', 0], [5, '2', 1], [5, '9', 4], [5, '10', 5], [0, '10', 0]
      ]
      for (const [points, amount, out] of table) assert.equal(valueWeightedPoints(points, T(amount)), out, `${points} × ${amount}`)
      assert.throws(() => valueWeightedPoints(-1, T('1')), AmountError)
      assert.throws(() => valueWeightedPoints(10, -1n), AmountError)
    })
    it('repeated failures: a fixed 7-day window, the third failure in it is repeated (slash 30 %, suspend 30 days) and empties it', () => {
      const D = 86_400
      type Row = [now: number, windowStart: number, failures: number, repeated: boolean]
      const rows: Row[] = [
        [1_000, 1_000, 1, false], [1_000 + D, 1_000, 2, false], [1_000 + 6 * D, 1_000, 0, true], // third within 7 days
        [1_000 + 7 * D, 1_000 + 7 * D, 1, false], [1_000 + 14 * D, 1_000 + 14 * D, 1, false], // window ended: a new one
        [1_000 + 14 * D + 5, 1_000 + 14 * D, 2, false], [1_000 + 13 * D, 1_000 + 13 * D, 1, false] // clock went back: a new one
      ]
      let w = NO_FAILURES
      for (const [now, windowStart, failures, repeated] of rows) {
        const r = recordFailure(w, now)
        assert.deepEqual([r.window.windowStart, r.window.failures, r.repeated], [repeated ? now : windowStart, failures, repeated], String(now))
        assert.equal(r.suspendedUntil, repeated ? now + SLASHING.suspensionSeconds : null)
        w = r.window
      }
      assert.throws(() => recordFailure(NO_FAILURES, 1.5), RangeError)
    })
    it('counts a rating only from a client with a paid history (finding 7)', () => {
      assert.equal(REPUTATION.minRaterPaidJobs, 5)
      for (const [paid, counts] of [[0, false], [4, false], [5, true], [100, true]] as const) assert.equal(ratingCounts(paid), counts, String(paid))
    })
    it('applies penalties and recoveries within 0..1000', () => {
      let adj = 0
      adj = applyReputationEvent(adj, 'successfulJob')
      assert.equal(adj, 10)
      adj = applyReputationEvent(adj, 'timeout')
      assert.equal(adj, -20)
      assert.equal(reputationScore(r({ adjustment: -20 })), 0)
      assert.equal(applyReputationEvent(990, 'uptime30Days'), 1000)
      assert.equal(applyReputationEvent(-950, 'disputeLost'), -1000)
    })
    it('maps scores to tiers and job-size limits', () => {
      const table: Array<[number, string]> = [[0, 'Bronze'], [299, 'Bronze'], [300, 'Silver'], [599, 'Silver'], [600, 'Gold'], [799, 'Gold'], [800, 'Diamond'], [1000, 'Diamond']]
      for (const [s, name] of table) assert.equal(reputationTier(s).name, name, String(s))
      assert.equal(tierMayAccept(reputationTier(0), T('9.999999999')), true)
      assert.equal(tierMayAccept(reputationTier(0), T('10')), false)
      assert.equal(tierMayAccept(reputationTier(300), T('49')), true)
      assert.equal(tierMayAccept(reputationTier(600), T('200')), false)
      assert.equal(tierMayAccept(reputationTier(800), T('1000000')), true)
      assert.throws(() => reputationTier(1001), AmountError)
    })
  })

  describe('disputes (Dispute Resolution Process)', () => {
    it('a jury round decides with at least 3 reveals and a strict majority, else it is redrawn', () => {
      assert.deepEqual(juryVerdict({ votesClient: 2, votesWorker: 1 }), { kind: 'verdict', winner: 'client' })
      assert.deepEqual(juryVerdict({ votesClient: 0, votesWorker: 3 }), { kind: 'verdict', winner: 'worker' })
      assert.deepEqual(juryVerdict({ votesClient: 2, votesWorker: 0 }), { kind: 'redraw', reason: 'too-few-reveals' })
      assert.deepEqual(juryVerdict({ votesClient: 2, votesWorker: 2 }), { kind: 'redraw', reason: 'tie' })
      assert.equal(expectedJury(0), 7n)
      assert.equal(expectedJury(2), 28n)
    })
    it('the terminal rule: a round without a verdict is redrawn until the last of maxJuryRounds, which ends with no verdict', () => {
      const cases: Array<[{ votesClient: number, votesWorker: number, round: number }, ReturnType<typeof juryOutcome>]> = [
        [{ votesClient: 3, votesWorker: 0, round: 0 }, { kind: 'verdict', winner: 'client' }],
        [{ votesClient: 1, votesWorker: 2, round: 3 }, { kind: 'verdict', winner: 'worker' }], // a verdict in the last round stands
        [{ votesClient: 0, votesWorker: 0, round: 0 }, { kind: 'redraw', reason: 'too-few-reveals' }],
        [{ votesClient: 2, votesWorker: 2, round: 2 }, { kind: 'redraw', reason: 'tie' }],
        [{ votesClient: 0, votesWorker: 0, round: 3 }, { kind: 'no-verdict', reason: 'too-few-reveals' }],
        [{ votesClient: 2, votesWorker: 2, round: 3 }, { kind: 'no-verdict', reason: 'tie' }],
        [{ votesClient: 1, votesWorker: 1, round: 9 }, { kind: 'no-verdict', reason: 'too-few-reveals' }]
      ]
      assert.equal(DISPUTE.maxJuryRounds, 4)
      for (const [v, want] of cases) assert.deepEqual(juryOutcome(v), want, JSON.stringify(v))
      assert.deepEqual(juryOutcome({ votesClient: 0, votesWorker: 0, round: 0 }, 3, 1), { kind: 'no-verdict', reason: 'too-few-reveals' })
      assert.throws(() => juryOutcome({ votesClient: 0, votesWorker: 0, round: -1 }), RangeError)
      assert.throws(() => juryOutcome({ votesClient: 0, votesWorker: 0, round: 0 }, 3, 0), RangeError)
    })
    it('no verdict keeps the status quo: delivered → paid as its undisputed claim, else refunded; no slash, ban or reputation; the bond back', () => {
      assert.deepEqual(noVerdictOutcome(true, T('100'), 'Gold'), {
        clientRefund: 0n, workerPayment: T('90'), platformFee: T('10'), slashed: 0n, slashToClient: 0n, slashToTreasury: 0n, reputationDelta: 0, banWorker: false
      })
      assert.deepEqual(noVerdictOutcome(true, T('100'), 'Diamond'), {
        clientRefund: 0n, workerPayment: T('92'), platformFee: T('8'), slashed: 0n, slashToClient: 0n, slashToTreasury: 0n, reputationDelta: 0, banWorker: false
      })
      assert.deepEqual(noVerdictOutcome(false, T('100'), 'Gold'), {
        clientRefund: T('100'), workerPayment: 0n, platformFee: 0n, slashed: 0n, slashToClient: 0n, slashToTreasury: 0n, reputationDelta: 0, banWorker: false
      })
      assert.equal(bondOutcome('client', 'none'), 'returned')
      assert.equal(bondOutcome('worker', 'none'), 'returned')
      // A revealer of the last round gets its deposit back, a silent juror nothing; nobody a share.
      assert.equal(jurorPayout({ deposit: 10n, revealed: true, side: 'client', redrawn: false, noVerdict: true, pool: 7n }), 10n)
      assert.equal(jurorPayout({ deposit: 10n, revealed: false, redrawn: false, noVerdict: true, pool: 7n }), 0n)
    })
    it('draws a node with probability k · stake / total: a 5 % holder ≈ 0.35 per jury of 7; k · stake ≥ total always', () => {
      const node = (i: number): Uint8Array => new Uint8Array(32).fill(i)
      const seed = (r: number): Uint8Array => new Uint8Array(32).fill(255 - r)
      assert.equal(isDrawn(seed(0), node(1), 200n, 1_000n, 0), true)
      assert.equal(isDrawn(seed(0), node(1), 0n, 1_000n, 0), false)
      let drawn = 0
      for (let r = 0; r < 2_000; r++) if (isDrawn(new Uint8Array(32).map((_, k) => (r * 31 + k * 7) & 255), node(3), 5n, 100n, 0)) drawn++
      assert.ok(drawn > 500 && drawn < 900, `≈ 35 % of 2,000 seeds, got ${drawn}`) // binomial(2000, 0.35): 700 ± 21
    })
    it('a juror\'s deposit and payout: the majority shares the pool pro rata, rounded down; silence and the minority forfeit', () => {
      assert.equal(jurorDeposit(T('200')), T('20'))
      assert.equal(jurorPayout({ deposit: 10n, revealed: true, side: 'worker', redrawn: false, winner: 'worker', pool: 7n, majorityDeposits: 30n }), 12n)
      assert.equal(jurorPayout({ deposit: 10n, revealed: true, side: 'client', redrawn: false, winner: 'worker', pool: 7n, majorityDeposits: 30n }), 0n)
      assert.equal(jurorPayout({ deposit: 10n, revealed: false, redrawn: false, winner: 'worker', pool: 7n, majorityDeposits: 30n }), 0n)
      assert.equal(jurorPayout({ deposit: 10n, revealed: true, side: 'client', redrawn: true }), 10n)
      assert.equal(jurorPayout({ deposit: 10n, revealed: false, redrawn: true }), 0n)
      assert.equal(voteCommitment('client', new Uint8Array(32), new Uint8Array(32), new Uint8Array(32)).length, 32)
    })
    it('executes the verdicts: client wins → refund, 50 % slash split 50/50, −200, ban; worker wins → 90/10, +5', () => {
      assert.deepEqual(disputeVerdict('client', T('100'), T('1000'), 'Gold'), {
        clientRefund: T('100'), workerPayment: 0n, platformFee: 0n, slashed: T('500'), slashToClient: T('250'), slashToTreasury: T('250'), reputationDelta: -200, banWorker: true
      })
      assert.deepEqual(disputeVerdict('worker', T('100'), T('1000'), 'Gold'), {
        clientRefund: 0n, workerPayment: T('90'), platformFee: T('10'), slashed: 0n, slashToClient: 0n, slashToTreasury: 0n, reputationDelta: 5, banWorker: false
      })
    })
    it('the claimant\'s bond: back to a winning claimant, to the respondent when the claimant loses (finding 5)', () => {
      assert.equal(bondOutcome('client', 'client'), 'returned')
      assert.equal(bondOutcome('client', 'worker'), 'to-respondent')
      assert.equal(bondOutcome('worker', 'worker'), 'returned')
      assert.equal(bondOutcome('worker', 'client'), 'to-respondent')
      assert.ok(DISPUTE.disputeBond > 0n)
    })
    it('UNAVAILABLE is a ballot of its own (finding 16): a strict majority of ≥ 3 reveals — more than the other two together — decides it; a plurality does not', () => {
      const cases: Array<[{ votesClient: number, votesWorker: number, votesUnavailable: number }, ReturnType<typeof juryVerdict>]> = [
        [{ votesClient: 0, votesWorker: 0, votesUnavailable: 3 }, { kind: 'verdict', winner: 'unavailable' }],
        [{ votesClient: 0, votesWorker: 1, votesUnavailable: 2 }, { kind: 'verdict', winner: 'unavailable' }],
        [{ votesClient: 1, votesWorker: 1, votesUnavailable: 3 }, { kind: 'verdict', winner: 'unavailable' }],
        [{ votesClient: 0, votesWorker: 0, votesUnavailable: 2 }, { kind: 'redraw', reason: 'too-few-reveals' }], // network trouble at two jurors decides nothing
        [{ votesClient: 0, votesWorker: 2, votesUnavailable: 2 }, { kind: 'redraw', reason: 'tie' }],
        [{ votesClient: 1, votesWorker: 1, votesUnavailable: 2 }, { kind: 'redraw', reason: 'tie' }], // a plurality is not a majority
        [{ votesClient: 2, votesWorker: 1, votesUnavailable: 1 }, { kind: 'redraw', reason: 'tie' }],
        [{ votesClient: 3, votesWorker: 0, votesUnavailable: 2 }, { kind: 'verdict', winner: 'client' }],
        [{ votesClient: 0, votesWorker: 3, votesUnavailable: 1 }, { kind: 'verdict', winner: 'worker' }] // a lazy UNAVAILABLE minority
      ]
      for (const [v, want] of cases) assert.deepEqual(juryVerdict(v), want, JSON.stringify(v))
      assert.deepEqual(juryOutcome({ votesClient: 0, votesWorker: 1, votesUnavailable: 3, round: 3 }), { kind: 'verdict', winner: 'unavailable' })
      assert.deepEqual(juryOutcome({ votesClient: 0, votesWorker: 2, votesUnavailable: 2, round: 3 }), { kind: 'no-verdict', reason: 'tie' })
      // The ballot's byte in the commitment: 3 (2 is "no verdict", never a ballot).
      const z = new Uint8Array(32)
      assert.notDeepEqual(voteCommitment('unavailable', z, z, z), voteCommitment('worker', z, z, z))
      assert.deepEqual(voteCommitment('unavailable', z, z, z), new Uint8Array(createHash('sha256').update(Uint8Array.of(3)).update(z).update(z).update(z).digest()))
      // The UNAVAILABLE majority shares the pool; a minority UNAVAILABLE voter forfeits.
      assert.equal(jurorPayout({ deposit: 10n, revealed: true, side: 'unavailable', redrawn: false, winner: 'unavailable', pool: 7n, majorityDeposits: 30n }), 12n)
      assert.equal(jurorPayout({ deposit: 10n, revealed: true, side: 'unavailable', redrawn: false, winner: 'worker', pool: 7n, majorityDeposits: 30n }), 0n)
    })
    it('an UNAVAILABLE verdict: as a worker that never delivered — full refund, the timeout slash (80 % insurance, 20 % burned), the timeout penalty, no ban; the bond as the client\'s win', () => {
      assert.deepEqual(unavailableOutcome(T('100'), T('1000')), {
        clientRefund: T('100'), workerPayment: 0n, platformFee: 0n, slashed: T('100'), slashToClient: 0n, slashToTreasury: 0n,
        slashToInsurance: T('80'), slashBurned: T('20'), reputationDelta: -30, banWorker: false
      })
      assert.equal(bondOutcome('client', 'unavailable'), 'returned')
      assert.equal(bondOutcome('worker', 'unavailable'), 'to-respondent')
    })
  })
})
