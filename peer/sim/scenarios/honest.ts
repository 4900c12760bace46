/**
 * `honest`: every job is paid 90/10 — an optimistic job after its challenge window (the client
 * checks within it and lets it run; the window is passed by warping the ledger clock and the worker
 * claims), a zk job by `complete_zk` verifying the worker's Groth16 proof on-chain.
 */
import { ESCROW_STATE } from '../../../chain/index.js'
import { NO_FINDINGS, noKillAfter, type Check, type ExpectInput, type Expectation, type Facts, type Scenario } from '../scenario.js'
import { paidSplit } from './shared.js'

/** What a completed job moves: the price from the client, 90/10 to the winner and the platform. */
export function honestExpectation (i: ExpectInput): Expectation {
  return paidSplit(i)
}

export function honestChecks (f: Facts): Check[] {
  const checks: Check[] = []
  const check = (name: string, ok: boolean): void => { checks.push({ name, ok }) }
  for (const [k, r] of f.runs.entries()) {
    const paid = f.escrowStatesAfter[k] === ESCROW_STATE.completed
    const how = f.settledHow(r.outcome?.jobId ?? '')
    if (r.outcome?.tier === 'zk') {
      check(`the ${r.job.name} job: the worker's Groth16 proof of step ${r.outcome.zk?.challengeStep ?? '?'} was verified on-chain by complete_zk, which paid it`, r.outcome.state === 'completed' && r.outcome.zk?.verifiedOnChain === true && paid && how === 'proved')
    } else if (f.settle === 'window') {
      check(`the ${r.job.name} job: spot checks passed within the challenge window; the worker claimed its payment after it`, r.outcome?.state === 'verified' && r.outcome.spotCheck?.passed === true && paid && how === 'claimed')
    } else {
      check(`the ${r.job.name} job completed and was paid`, r.outcome?.state === 'completed' && paid)
    }
    if (r.job.request.datasetId === 'mnist') check('the MNIST model reached at least 90 % test accuracy', (r.lastMetrics?.testAccuracy ?? 0) >= 0.9)
    if (r.job.name === 'cnn') check('the client\'s own CNN, returned as its ONNX file, measured at least 96 % test accuracy by the client', (r.outcome?.trainedModel?.testAccuracy ?? 0) >= 0.96)
  }
  return checks
}

export const honest: Scenario = {
  name: 'honest',
  validate: noKillAfter,
  plan: () => ({ settle: 'window', client: {}, jurors: 0, keeper: false, sameRate: false }),
  start: () => ({ finish: async () => await Promise.resolve(NO_FINDINGS) }),
  expect: honestExpectation,
  checks: honestChecks
}
