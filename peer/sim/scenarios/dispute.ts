/**
 * `dispute`: honest workers; the client disputes the delivered (and verified) job anyway; the
 * jurors' checks pass, they vote for the worker, who is paid 90/10, +5 reputation, and gets the
 * client's dispute bond.
 */
import { ESCROW_STATE } from '../../../chain/index.js'
import { DISPUTE, formatTokens } from '../../../protocols/index.js'
import { moved, noKillAfter, nodeAsExpected, type Check, type ExpectInput, type Expectation, type Facts, type Scenario } from '../scenario.js'
import { courtPlan, courtRun, jurorChecks, verdictExpectation } from './court.js'

export const disputeExpectation = (i: ExpectInput): Expectation => verdictExpectation('worker', i)

export function disputeChecks (f: Facts): Check[] {
  const outcome = f.runs[0]?.outcome
  const dispute = f.findings.dispute
  return [
    { name: 'the job was delivered and the client\'s spot checks passed', ok: outcome?.state === 'verified' && outcome.spotCheck?.passed === true },
    { name: 'the client disputed instead of signing complete', ok: outcome?.completeSignature === undefined && outcome?.disputeSignature !== undefined },
    { name: 'every juror\'s own spot checks passed the evidence', ok: dispute !== null && dispute.jurors.length > 0 && dispute.jurors.every((j) => j.verdict === 'worker' && j.side === 'worker') },
    { name: 'the dispute was resolved for the worker', ok: dispute?.winner === 'worker' && f.escrowAfter.state === ESCROW_STATE.resolvedForWorker },
    { name: `the client's ${formatTokens(DISPUTE.disputeBond)} CYXWIZ dispute bond went to the worker it disputed`, ok: dispute?.bond === String(DISPUTE.disputeBond) && dispute.bondTo === 'worker' },
    { name: 'the worker was paid as for a completed job and gained 5 reputation points', ok: nodeAsExpected(f.expectation, f.nodeAfter) && moved(f, f.winnerName) > 0n },
    ...jurorChecks(f)
  ]
}

export const dispute: Scenario = {
  name: 'dispute',
  validate: noKillAfter,
  plan: () => courtPlan(undefined),
  start: courtRun,
  expect: disputeExpectation,
  checks: disputeChecks
}
