/**
 * `timeout`: every worker carries the `vanishAfterAward` fault, so the winner stops its node after
 * the award; the client's job fails (its session is not waited for long). A keeper peer's
 * `timeout_refund` is refused before the deadline; the ledger clock is warped past it and the
 * keeper's second call refunds the client in full and slashes the worker 10 % of its stake (80 %
 * insurance, 20 % burned), −30 reputation.
 */
import { ESCROW_STATE, NODE_STATUS } from '../../../chain/index.js'
import { SLASHING, applyReputationEvent, slashStake } from '../../../protocols/index.js'
import { refundAfterDeadline } from '../court.js'
import type { SimPeer } from '../peers.js'
import { NO_FINDINGS, noKillAfter, nodeAsExpected, unchanged, type Check, type ExpectInput, type Expectation, type Facts, type Scenario } from '../scenario.js'

/** The escrow back to the client; the worker's stake slashed 10 % (80 % insurance, the rest burned), −30 reputation. */
export function timeoutExpectation (i: ExpectInput): Expectation {
  const stake = i.nodeBefore?.stake ?? 0n
  const s = slashStake(stake, SLASHING.timeoutBps)
  return {
    deltas: [['stake', -s.slashed], ['insurance', s.insurance]],
    slashing: { slashed: s.slashed, toInsurance: s.insurance, burned: s.burned, toClient: 0n, toTreasury: 0n },
    node: { stake: s.remaining, adjustment: applyReputationEvent(i.nodeBefore?.adjustment ?? 0, 'timeout'), status: NODE_STATUS.active },
    refund: i.price
  }
}

export function timeoutChecks (f: Facts): Check[] {
  const outcome = f.runs[0]?.outcome
  const timeout = f.findings.timeout
  return [
    { name: 'the worker vanished: nothing was delivered', ok: outcome === undefined },
    { name: 'timeout_refund was refused before the deadline', ok: timeout?.refusedBeforeDeadline === 'DeadlineNotReached' },
    { name: 'a third peer refunded the escrow after the deadline', ok: f.escrowAfter.state === ESCROW_STATE.timedOut },
    { name: 'the client got its money back in full', ok: unchanged(f, 'client') },
    { name: 'the worker was not paid', ok: unchanged(f, f.winnerName) },
    { name: `the worker was slashed ${SLASHING.timeoutBps / 100} % (80 % insurance, 20 % burned) and lost 30 reputation points`, ok: nodeAsExpected(f.expectation, f.nodeAfter) && f.supplyBefore.burned + f.expectation.slashing.burned === f.supplyAfter.burned }
  ]
}

export const timeout: Scenario = {
  name: 'timeout',
  validate: noKillAfter,
  // A vanished worker is not waited for long: the job fails and the escrow waits for its deadline.
  plan: () => ({ faults: { vanishAfterAward: true }, settle: 'complete', client: { resumeWindowMs: 3_000 }, jurors: 0, keeper: true, sameRate: false }),
  start: (ctx) => ({
    // The job ends in the client's error once it was awarded: that is this scenario's outcome.
    mayFail: (r) => r.award !== undefined,
    finish: async (escrows) => {
      const first = escrows[0]
      if (first === undefined) throw new Error('the timeout scenario has no escrow to refund')
      return { ...NO_FINDINGS, timeout: await refundAfterDeadline(ctx.net, ctx.keeper as SimPeer, first.address, ctx.log) }
    }
  }),
  expect: timeoutExpectation,
  checks: timeoutChecks
}
