/**
 * `cyx`: one binary for every role. This file only dispatches; each command lives in commands/.
 * Only commands that work are listed.
 */
import { chainCommand } from './commands/chain.js'
import { paramsCommand } from './commands/params.js'
import { simCommand } from './commands/sim.js'
import { UsageError, type Command, type CommandIo } from './command.js'

const COMMANDS: readonly Command[] = [chainCommand, paramsCommand, simCommand]

const VERSION = '0.1.0'

function help (): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return `cyx ${VERSION}: the cyxwiz peer (a decentralized marketplace for training ML models)

Usage: cyx <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run "cyx <command> --help" for a command's options.`
}

const stdio: CommandIo = {
  out: (t) => { process.stdout.write(t + '\n') },
  err: (t) => { process.stderr.write(t + '\n') }
}

export async function main (argv: string[], io: CommandIo = stdio): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(help())
    return 0
  }
  if (name === '--version' || name === '-V') {
    io.out(VERSION)
    return 0
  }
  const command = COMMANDS.find((c) => c.name === name)
  if (command === undefined) {
    io.err(`cyx: unknown command "${name}"\n\n${help()}`)
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage)
    return 0
  }
  try {
    return await command.run(rest, io)
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`cyx ${command.name}: ${e.message}\n\n${command.usage}`)
      return 2
    }
    io.err(`cyx ${command.name}: ${e instanceof Error ? e.message : String(e)}`)
    return 1
  }
}
