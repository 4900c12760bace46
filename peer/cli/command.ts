/** What every `cyx` sub-command provides, and the argument checking they share. */
import { parseArgs, type ParseArgsConfig } from 'node:util'

export interface Command {
  readonly name: string
  /** Full text for `cyx NAME --help`. */
  readonly usage: string
  /** Runs the command; resolves to the process exit code. */
  run (argv: string[], io: CommandIo): Promise<number>
}

export interface CommandIo {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
}

/** A usage error: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** node:util parseArgs in strict mode, turning its errors into UsageErrors that say what to do. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>> (argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals })
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e))
  }
}

/** JSON with bigints written as decimal strings (token amounts are base units). */
export function toJson (value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)
}
