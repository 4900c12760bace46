/** `cyx sim`: local cyxwiz networks for researchers (today: every peer in one process). */
export { JUROR_TOKENS, SCENARIOS, runSimulation } from './run.js'
export type { NodeView, ScenarioName, SimOptions, SimReport } from './run.js'
export { carryDispute, refundAfterDeadline, programError } from './court.js'
export type { CourtOptions, DisputeReport, JurorReport, TimeoutReport } from './court.js'
export { LocalNetwork } from './network.js'
export type { Allocation, LocalPeer, LocalNetworkOptions } from './network.js'
