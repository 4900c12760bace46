/** The sim's scenarios, one module each, by name (the order `cyx sim --help` and errors list them). */
import type { Scenario, ScenarioName } from '../scenario.js'
import { cheat } from './cheat.js'
import { crash } from './crash.js'
import { dispute } from './dispute.js'
import { failover } from './failover.js'
import { honest } from './honest.js'
import { timeout } from './timeout.js'

export const SCENARIO: Readonly<Record<ScenarioName, Scenario>> = { honest, timeout, cheat, dispute, crash, failover }
export const SCENARIOS: readonly ScenarioName[] = ['honest', 'timeout', 'cheat', 'dispute', 'crash', 'failover']
export { JUROR_TOKENS, JURORS } from './court.js'
export { crashCheckpoint } from './shared.js'
