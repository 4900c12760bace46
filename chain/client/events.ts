/** Anchor-format events from transaction logs: "Program data: base64(disc ‖ borsh)". */
import { EVENTS, decode, type Decoded, type EventName } from './layout.js'
import { eventDiscriminator, sameBytes } from './discriminator.js'

export interface ProgramEvent {
  readonly name: EventName
  readonly data: Decoded
}

const DISCS = (Object.keys(EVENTS) as EventName[]).map(name => [name, eventDiscriminator(name)] as const)

/** Decodes every event of this program found in `logs`. Unknown "Program data" lines are skipped. */
export function parseEvents (logs: readonly string[]): ProgramEvent[] {
  const out: ProgramEvent[] = []
  for (const line of logs) {
    if (!line.startsWith('Program data: ')) continue
    const bytes = new Uint8Array(Buffer.from(line.slice('Program data: '.length).trim(), 'base64'))
    const hit = DISCS.find(([, d]) => sameBytes(d, bytes.subarray(0, 8)))
    if (hit === undefined) continue
    out.push({ name: hit[0], data: decode(EVENTS[hit[0]], bytes, 8) })
  }
  return out
}
