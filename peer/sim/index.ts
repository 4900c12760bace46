/** `cyx sim`: local cyxwiz networks for researchers (today: every peer in one process). */
export { runSimulation } from './run.js'
export type { SimOptions, SimReport } from './run.js'
export { LocalNetwork } from './network.js'
export type { LocalPeer, LocalNetworkOptions } from './network.js'
