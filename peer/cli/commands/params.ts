/** `cyx params`: every protocol parameter, from protocols/params.ts. */
import { formatTokens, PARAMS } from '../../../protocols/index.js'
import { parseCommandArgs, toJson, type Command } from '../command.js'

/** Flattens the parameter tree to dotted keys; token amounts (bigint) are shown as CYXWIZ. */
function flatten (value: unknown, prefix: string, out: Array<[string, string]>): void {
  if (typeof value === 'bigint') out.push([prefix, `${formatTokens(value)} CYXWIZ (${value} base units)`])
  else if (value === null) out.push([prefix, 'none'])
  else if (Array.isArray(value)) value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out))
  else if (typeof value === 'object') for (const [k, v] of Object.entries(value as object)) flatten(v, prefix === '' ? k : `${prefix}.${k}`, out)
  else out.push([prefix, String(value)])
}

export const paramsCommand: Command = {
  name: 'params',
  usage: `Usage: cyx params [--json]

Prints every parameter of the cyxwiz protocol, as defined once in protocols/params.ts and mirrored
into the on-chain Config account. Amounts are CYXWIZ (9 decimals); ratios are basis points
(10000 = 100 %); durations are seconds.

Options:
  --json    one JSON object; token amounts as strings of base units
  -h, --help`,
  async run (argv, io) {
    const { values } = parseCommandArgs(argv, { json: { type: 'boolean' } })
    if (values.json === true) {
      io.out(toJson(PARAMS))
      return 0
    }
    const rows: Array<[string, string]> = []
    flatten(PARAMS, '', rows)
    const width = Math.max(...rows.map(([k]) => k.length))
    io.out(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n'))
    return 0
  }
}
