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

/** `--NAME VALUE` options, for parseCommandArgs: `...stringOptions('rpc', 'keypair')`. */
export function stringOptions<const N extends string> (...names: N[]): Record<N, { type: 'string' }> {
  return Object.fromEntries(names.map((n) => [n, { type: 'string' }])) as Record<N, { type: 'string' }>
}

/** `--NAME` switches, for parseCommandArgs: `...booleanOptions('json', 'keep')`. */
export function booleanOptions<const N extends string> (...names: N[]): Record<N, { type: 'boolean' }> {
  return Object.fromEntries(names.map((n) => [n, { type: 'boolean' }])) as Record<N, { type: 'boolean' }>
}

type VerbHandler = (argv: string[], io: CommandIo) => Promise<number>

/**
 * A command of verbs (`cyx client submit …`): the first argument picks the handler, which gets the
 * rest. A missing or unknown verb is a usage error that lists the verbs.
 */
export function verbCommand (name: string, usage: string, verbs: Record<string, VerbHandler>): Command {
  const names = Object.keys(verbs)
  const list = names.length === 1 ? names[0] as string : `${names.slice(0, -1).join(', ')} or ${names.at(-1) as string}`
  return {
    name,
    usage,
    async run (argv, io) {
      const [verb, ...rest] = argv
      const handler = verb === undefined || !Object.hasOwn(verbs, verb) ? undefined : verbs[verb]
      if (handler === undefined) throw new UsageError(verb === undefined ? `a verb is required: ${list}` : `unknown verb "${verb}" (${list})`)
      return await handler(rest, io)
    }
  }
}

/** JSON with bigints written as decimal strings (token amounts are base units). */
export function toJson (value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)
}

/**
 * Resolves on the first SIGINT or SIGTERM (after which the next one has Node's default effect).
 * `options.signal` aborted first: it stops listening and never resolves (a command that failed
 * before it waited leaves no handler behind).
 */
export async function untilSignal (options: { signal?: AbortSignal } = {}): Promise<string> {
  return await new Promise<string>((resolve) => {
    const detach = (): void => {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      options.signal?.removeEventListener('abort', detach)
    }
    const stop = (sig: string): void => {
      detach()
      resolve(sig)
    }
    const onInt = (): void => { stop('SIGINT') }
    const onTerm = (): void => { stop('SIGTERM') }
    if (options.signal?.aborted === true) return
    process.on('SIGINT', onInt)
    process.on('SIGTERM', onTerm)
    options.signal?.addEventListener('abort', detach, { once: true })
  })
}
