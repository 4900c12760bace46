/**
 * `failover` (issue 21): every worker carries `crashAtCheckpoint`; the winner is killed (SIGKILL)
 * after that checkpoint and never restarts; the ledger clock is warped past the escrow's no-progress
 * timeout; the client (started with `failover`) sees the stall, spot-checks the checkpoint it kept,
 * re-auctions the rest and hands the escrow over (`hand_over`: the first worker paid for the
 * verified epochs and slashed as for a timeout); another worker fetches the checkpoint over bitswap
 * and finishes the same chain. Every worker asks the same rate, so the rest finds a bid.
 */
import { logger } from '@libp2p/logger'
import { PublicKey } from '@solana/web3.js'
import { ESCROW_STATE } from '../../../chain/index.js'
import { SLASHING, applyReputationEvent, handOverSplit, reputationTier, settlementSplit, slashStake } from '../../../protocols/index.js'
import { readNode } from '../../roles/index.js'
import { readEscrow, warpPast } from '../court.js'
import { hex, type FailoverReport } from '../report.js'
import type { SimPeer } from '../peers.js'
import { NO_FINDINGS, moved, type Check, type ExpectInput, type Expectation, type Facts, type FailoverFindings, type JobRun, type Scenario, type ScenarioContext, type ScenarioOptions, type ScenarioRun } from '../scenario.js'
import { crashCheckpoint, referenceRun } from './shared.js'
import { validateKill } from './crash.js'

const debugLog = logger('cyx:sim:failover')

/** The hand-over's money by the rules: the first worker's share of the verified epochs, the second's split of the rest, the first's timeout slash. */
export function handOverShares (ff: Pick<FailoverFindings, 'original' | 'verifiedEpochs' | 'firstTier' | 'firstNodeBefore'>, epochsTotal: number, winnerTier: ExpectInput['tier']): { split: ReturnType<typeof handOverSplit>, second: ReturnType<typeof settlementSplit>, slash: ReturnType<typeof slashStake> } {
  const split = handOverSplit(ff.original, Math.min(ff.verifiedEpochs, epochsTotal - 1), epochsTotal, ff.firstTier)
  return { split, second: settlementSplit(split.remaining, winnerTier), slash: slashStake(ff.firstNodeBefore?.stake ?? 0n, SLASHING.timeoutBps) }
}

/** The client paid the escrow once: the first worker its verified share, the second the completed job's split of the rest; the first slashed 10 %. */
export function failoverExpectation (i: ExpectInput): Expectation {
  const ff = i.findings.failover
  if (ff === null) throw new Error('the failover scenario saw no hand-over to expect')
  const { split, second, slash: s } = handOverShares(ff, i.epochsTotal, i.tier)
  return {
    deltas: [['client', -ff.original], [ff.firstName, split.worker], [i.winnerName, second.worker], ['platform', split.platform + second.platform], ['stake', -s.slashed], ['insurance', s.insurance]],
    slashing: { slashed: s.slashed, toInsurance: s.insurance, burned: s.burned, toClient: 0n, toTreasury: 0n },
    refund: 0n
  }
}

/** The first job's `failover` in the JSON report. */
export function failoverReport (f: Facts): FailoverReport | undefined {
  const ff = f.findings.failover
  if (ff === null) return undefined
  const outcome = f.runs[0]?.outcome
  const fo = outcome?.failover
  const { split, second, slash } = handOverShares(ff, f.escrowAtAward.epochsTotal, f.winnerTier)
  const finalWeightsHash = outcome === undefined ? null : hex(outcome.session.delivery.weightsHash)
  return {
    from: ff.firstName,
    fromWallet: fo?.fromWallet ?? '',
    to: f.winnerName,
    toWallet: fo?.toWallet ?? '',
    killedAtCheckpoint: f.crashAt,
    resumedFromEpoch: ff.verifiedEpochs,
    checkpointCid: fo?.checkpointCid ?? '',
    escrowAmount: String(ff.original),
    firstWorkerPaid: String(moved(f, ff.firstName)),
    secondWorkerPaid: String(moved(f, f.winnerName)),
    platformPaid: String(moved(f, 'platform')),
    expected: { firstWorker: String(split.worker), secondWorker: String(second.worker), platform: String(split.platform + second.platform), remaining: String(split.remaining) },
    firstWorkerSlashed: String(slash.slashed),
    warpedSeconds: ff.killed?.warped ?? 0,
    handOverSignature: fo?.signature ?? '',
    checkpointsAfterHandOver: ff.checkpointsAfterHandOver,
    referenceWeightsHash: ff.referenceWeightsHash ?? '',
    finalWeightsHash,
    sameFinalHash: finalWeightsHash !== null && finalWeightsHash === ff.referenceWeightsHash
  }
}

export function failoverChecks (f: Facts): Check[] {
  const ff = f.findings.failover
  const report = failoverReport(f)
  if (ff === null || report === undefined) return [{ name: 'the failover scenario reported what it saw', ok: false }]
  const crashAt = f.crashAt
  const main = f.runs[0] as JobRun
  const outcome = main.outcome
  const fo = outcome?.failover
  const e = f.escrowAtAward
  const { split, second, slash: s } = handOverShares(ff, e.epochsTotal, f.winnerTier)
  const afterHandOver = ff.checkpointsAfterHandOver
  const first = moved(f, ff.firstName)
  const secondPaid = moved(f, f.winnerName)
  const platform = moved(f, 'platform')
  const spent = -moved(f, 'client')
  return [
    { name: `the winner halted after checkpoint ${crashAt} and was killed there${f.mode === 'processes' ? ' (SIGKILL of its process)' : ''}, never to restart`, ok: ff.killed !== undefined && ff.killed.name === ff.firstName && main.checkpointsSeen.slice(0, crashAt).every((n, k) => n === k + 1) },
    { name: 'the client saw it stalled (no session, no progress anchored for the escrow\'s no-progress timeout) and handed the escrow over to another worker', ok: fo !== undefined && fo.fromWallet !== fo.toWallet && ff.firstIndex >= 0 && e.handovers === 1 },
    { name: `the kept checkpoint ${crashAt} passed its spot check and was paid for: training resumed after it on the new worker`, ok: ff.verifiedEpochs === crashAt && e.epochsBase === crashAt && afterHandOver[0] === crashAt + 1 && afterHandOver.at(-1) === e.epochsTotal && outcome?.session.delivery.epochs === e.epochsTotal },
    { name: 'the final weights hash equals an uninterrupted honest run of the same spec', ok: report.sameFinalHash },
    { name: 'the job completed and the new worker was paid by complete', ok: outcome?.state === 'completed' && f.escrowAfter.state === ESCROW_STATE.completed },
    { name: 'the split is exact to the base unit: the first worker handOverSplit of the verified epochs, the second the completed job\'s split of the rest', ok: first === split.worker && secondPaid === second.worker && platform === split.platform + second.platform },
    { name: 'the client paid the escrow once: both workers and the platform together got at most (here exactly) what it paid', ok: spent === ff.original && first + secondPaid + platform <= spent },
    { name: `the first worker was slashed ${SLASHING.timeoutBps / 100} % as for a timeout (80 % insurance, 20 % burned) and lost 30 reputation points`, ok: ff.firstNodeAfter !== undefined && ff.firstNodeAfter.stake === s.remaining && ff.firstNodeAfter.adjustment === applyReputationEvent(ff.firstNodeBefore?.adjustment ?? 0, 'timeout') && f.supplyBefore.burned + s.burned === f.supplyAfter.burned }
  ]
}

function failoverRun (ctx: ScenarioContext, o: ScenarioOptions): ScenarioRun {
  const crashAt = crashCheckpoint(o.epochs, o.killAfter)
  let killedForGood: Promise<{ name: string, pid: number, warped: number }> | undefined
  let firstAward: { worker: string, price: bigint, escrow: string } | undefined
  let handedOverAfter = -1
  // The first job's winner is killed at its halting checkpoint and never restarts; the ledger clock
  // is then moved past the escrow's no-progress timeout (its own terms), as two hours without an
  // anchor would; the client notices the stall and hands the job over.
  const killForGood = async (r: JobRun, peerId: string, escrow: PublicKey): Promise<{ name: string, pid: number, warped: number }> => {
    const old = ctx.workers.find((p) => p.peerId === peerId) as SimPeer
    // Its anchor of the halting checkpoint is sent in the background, and the client fetches and
    // pins that checkpoint's evidence as its notice arrives: both land first (a worker that dies
    // sooner leaves less verified: it is paid for less and the rest starts earlier).
    const until = Date.now() + 30_000
    while (((await readEscrow(ctx.net, escrow)).epochsDone < crashAt || !r.keptEpochs.includes(crashAt)) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100))
    ctx.log(`  ${old.name} is killed after checkpoint ${crashAt}: ${ctx.mode === 'processes' ? `SIGKILL to its process (pid ${old.pid})` : 'its worker and node stop at once (in-process)'}; it never restarts`)
    await ctx.kill(old)
    const e = await readEscrow(ctx.net, escrow)
    const timeout = e.terms.noProgressTimeoutSecs
    const warped = warpPast(ctx.net, BigInt(Math.max(Number(e.acceptedAt), Number(e.lastProgressAt))) + timeout)
    ctx.log(`  nothing is anchored for the escrow's no-progress timeout (${timeout} s, last progress at epoch ${e.epochsDone}): the ledger clock is warped ${warped} s`)
    return { name: old.name, pid: old.pid, warped }
  }
  return {
    onEvent: (e, r) => {
      if (e.type === 'award') firstAward ??= r.award
      if (e.type === 'handed-over') handedOverAfter = r.checkpointsSeen.length
      if (e.type !== 'checkpoint' || killedForGood !== undefined || r.award === undefined || e.checkpoint.epoch !== crashAt) return
      killedForGood = killForGood(r, r.award.worker, new PublicKey(r.award.escrow))
      killedForGood.catch((err: unknown) => { debugLog.trace('the kill failed (awaited below): %e', err) })
    },
    finish: async () => {
      const main = ctx.runs[0] as JobRun
      const outcome = main.outcome
      const killed = killedForGood === undefined ? undefined : await killedForGood
      // What an uninterrupted honest run of the same spec delivers, as for crash.
      let referenceWeightsHash: string | undefined
      if (outcome !== undefined) {
        referenceWeightsHash = await referenceRun(ctx.net, outcome)
        ctx.log(`  reference: an uninterrupted run of the same spec ends at ${referenceWeightsHash.slice(0, 16)}…; the handed-over run at ${hex(outcome.session.delivery.weightsHash).slice(0, 16)}…`)
      }
      const fo = outcome?.failover
      const firstIndex = ctx.workers.findIndex((w) => w.wallet.toBase58() === fo?.fromWallet)
      const firstNodeBefore = ctx.nodesBefore[firstIndex]
      const failover: FailoverFindings = {
        firstIndex,
        firstName: ctx.workers[firstIndex]?.name ?? '?',
        firstTier: reputationTier(firstNodeBefore?.reputation ?? 0).name,
        firstNodeBefore,
        firstNodeAfter: await readNode(ctx.net.connection, ctx.workers[firstIndex]?.wallet ?? PublicKey.default),
        original: firstAward?.price ?? 0n,
        verifiedEpochs: fo?.resumedFromEpoch ?? 0,
        killed: killed === undefined ? undefined : { name: killed.name, warped: killed.warped },
        checkpointsAfterHandOver: handedOverAfter < 0 ? [] : main.checkpointsSeen.slice(handedOverAfter),
        referenceWeightsHash
      }
      return { ...NO_FINDINGS, failover }
    }
  }
}

export const failover: Scenario = {
  name: 'failover',
  validate: (o) => {
    validateKill('failover', o)
    if (o.tier === 'zk') throw new Error('the failover scenario is the optimistic tier\'s (the program refuses to hand a zk escrow over)')
    crashCheckpoint(o.epochs, o.killAfter)
  },
  plan: (o) => ({ faults: { crashAtCheckpoint: crashCheckpoint(o.epochs, o.killAfter) }, settle: 'complete', client: { failover: true }, jurors: 0, keeper: false, sameRate: true }),
  start: failoverRun,
  expect: failoverExpectation,
  checks: failoverChecks,
  firstJob: (f) => {
    const report = failoverReport(f)
    return report === undefined ? {} : { failover: report }
  }
}
