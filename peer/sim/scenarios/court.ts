/**
 * What `cheat` and `dispute` share: the client disputes the delivery instead of paying (it holds the
 * dispute bond for it), three staked juror nodes carry the dispute (peer/sim/court.ts), and the
 * verdict's rules (`disputeVerdict`) say what must have moved.
 */
import { NODE_STATUS } from '../../../chain/index.js'
import { DISPUTE, UNITS_PER_TOKEN, applyReputationEvent, disputeVerdict, type Side } from '../../../protocols/index.js'
import { readNode } from '../../roles/index.js'
import { carryDispute } from '../court.js'
import { NO_FINDINGS, type Check, type ExpectInput, type Expectation, type Facts, type ScenarioContext, type ScenarioPlan, type ScenarioRun } from '../scenario.js'

/**
 * Each juror is a staked node (docs/security.md §5): funded with 1,000 CYXWIZ and staking all of it
 * before the job, so that with the workers' 50 each its chance of being drawn (7 × stake / total
 * staked) is 1 and the three of them sit on the first jury. Which nodes a seed draws, and the
 * redraws, are tested against the program in test/e2e/chain (dispute, security).
 */
export const JUROR_TOKENS = 1_000n
export const JURORS = 3

/** The court scenarios' plan: the workers' own fault (if any), the client disputing, three jurors. */
export function courtPlan (faults: ScenarioPlan['faults']): ScenarioPlan {
  return { ...(faults === undefined ? {} : { faults }), settle: 'dispute', client: {}, jurors: JURORS, keeper: false, sameRate: false }
}

/** After the delivery: the jurors carry the client's dispute to its verdict. */
export function courtRun (ctx: ScenarioContext): ScenarioRun {
  return {
    finish: async (escrows) => {
      const first = escrows[0]
      if (first === undefined) throw new Error('no escrow to dispute')
      const outcome = ctx.runs[0]?.outcome
      const dispute = await carryDispute({ net: ctx.net, escrow: first.address, worker: first.winner, workerCid: outcome?.session.delivery.evidenceCid, jurors: [...ctx.jurors], seed: ctx.seed, openSignature: outcome?.disputeSignature ?? null, log: ctx.log })
      const jurors = await Promise.all(ctx.jurors.map(async (j) => ({ name: j.name, stake: (await readNode(ctx.net.connection, j.wallet))?.stake })))
      return { ...NO_FINDINGS, dispute, jurors }
    }
  }
}

/** What the verdict for `side` moves: refund and slash (client) or payment (worker); the client's bond back to it or to the worker. */
export function verdictExpectation (side: Side, i: ExpectInput): Expectation {
  const stake = i.nodeBefore?.stake ?? 0n
  const v = disputeVerdict(side, i.price, stake, i.tier)
  const deltas: Array<readonly [string, bigint]> = [
    ['client', -i.price + v.clientRefund + v.slashToClient],
    [i.winnerName, v.workerPayment]
  ]
  // The client's bond: back to it when it wins, to the worker (the respondent) when it loses.
  if (side === 'worker') deltas.push(['client', -DISPUTE.disputeBond], [i.winnerName, DISPUTE.disputeBond])
  deltas.push(['platform', v.platformFee + v.slashToTreasury], ['stake', -v.slashed])
  return {
    deltas,
    slashing: { slashed: v.slashed, toInsurance: 0n, burned: 0n, toClient: v.slashToClient, toTreasury: v.slashToTreasury },
    node: { stake: stake - v.slashed, adjustment: applyReputationEvent(i.nodeBefore?.adjustment ?? 0, side === 'client' ? 'disputeLost' : 'disputeWon'), status: v.banWorker ? NODE_STATUS.banned : NODE_STATUS.active },
    refund: v.clientRefund
  }
}

/** Every juror voted with the majority: its deposit back into its stake, its balance untouched. */
export function jurorChecks (f: Facts): Check[] {
  if (f.findings.dispute === null) return []
  const jurors = f.findings.jurors
  return [{
    name: 'every juror\'s deposit came back into its stake (all voted with the majority; no forfeits)',
    ok: f.findings.dispute.voteVaultAfter === '0' && jurors.every((j) => f.after[j.name] === f.before[j.name]) && jurors.every((j) => j.stake === JUROR_TOKENS * UNITS_PER_TOKEN)
  }]
}
