/**
 * `cheat`: every worker carries `fabricateSegments` (trains segment 1, fabricates the rest with a
 * consistent chain); the client's spot checks fail, it does not sign `complete` and opens a dispute;
 * three jurors fetch the evidence over bitswap, re-run spot checks, find it false and vote for the
 * client; `resolve_dispute` refunds the client and slashes the cheater 50 % (half to the client,
 * half to the platform treasury), −200 reputation, banned.
 */
import { ESCROW_STATE } from '../../../chain/index.js'
import { DISPUTE, SLASHING, formatTokens } from '../../../protocols/index.js'
import { noKillAfter, nodeAsExpected, unchanged, type Check, type ExpectInput, type Expectation, type Facts, type Scenario } from '../scenario.js'
import { courtPlan, courtRun, jurorChecks, verdictExpectation } from './court.js'

export const cheatExpectation = (i: ExpectInput): Expectation => verdictExpectation('client', i)

export function cheatChecks (f: Facts): Check[] {
  const outcome = f.runs[0]?.outcome
  const dispute = f.findings.dispute
  return [
    { name: 'the client\'s spot checks caught the fabricated segments', ok: outcome?.state === 'rejected' && outcome.spotCheck?.passed === false },
    { name: 'the client did not sign complete', ok: outcome?.completeSignature === undefined && outcome?.disputeSignature !== undefined },
    { name: 'every juror\'s own spot checks failed the evidence', ok: dispute !== null && dispute.jurors.length > 0 && dispute.jurors.every((j) => j.verdict === 'client' && j.side === 'client') },
    { name: 'the dispute was resolved for the client', ok: dispute?.winner === 'client' && f.escrowAfter.state === ESCROW_STATE.resolvedForClient },
    { name: `the client's ${formatTokens(DISPUTE.disputeBond)} CYXWIZ dispute bond came back to it`, ok: dispute?.bond === String(DISPUTE.disputeBond) && dispute.bondTo === 'client' },
    { name: 'the cheater was never paid', ok: unchanged(f, f.winnerName) },
    { name: `the cheater was slashed ${SLASHING.fraudBps / 100} %, lost 200 reputation points and was banned`, ok: nodeAsExpected(f.expectation, f.nodeAfter) },
    ...jurorChecks(f)
  ]
}

export const cheat: Scenario = {
  name: 'cheat',
  validate: noKillAfter,
  plan: () => courtPlan({ fabricateSegments: { honest: 1 } }),
  start: courtRun,
  expect: cheatExpectation,
  checks: cheatChecks
}
