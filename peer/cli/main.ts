/**
 * `cyx`: one binary for every role. This file only dispatches; each command lives in commands/.
 * Only commands that work are listed.
 */
import { UsageError, type Command, type CommandIo } from './command.js'

/** The commands, listed without loading them: each loads its modules only when it runs, so
 * `cyx params` or `cyx --help` do not pay for libp2p, onnxruntime or LiteSVM. */
interface CommandEntry {
  readonly name: string
  /** One line for `cyx --help`. */
  readonly summary: string
  readonly load: () => Promise<Command>
  /** Not in `cyx --help`: internal to another command. */
  readonly hidden?: boolean
}

const COMMANDS: readonly CommandEntry[] = [
  { name: 'chain', summary: 'serve the embedded ledger (real SVM, cyxwiz program, SPL Token) as Solana JSON-RPC on 127.0.0.1', load: async () => (await import('./commands/chain.js')).chainCommand },
  { name: 'coordinator', summary: 'serve optional fast matchmaking (signed rankings of staked workers; holds no funds); "status" reports it', load: async () => (await import('./commands/coordinator.js')).coordinatorCommand },
  { name: 'client', summary: 'submit a training job (auction, escrow, live progress, checks, payment); status, cancel, rate', load: async () => (await import('./commands/client.js')).clientCommand },
  { name: 'dispute', summary: 'open, show (evidence fetched over bitswap and spot-checked here), vote, resolve, appeal, finalize a dispute', load: async () => (await import('./commands/dispute.js')).disputeCommand },
  { name: 'evidence', summary: 'fetch (and pin) training evidence by CID from any holder, with retries; exit 3 when unavailable', load: async () => (await import('./commands/evidence.js')).evidenceCommand },
  { name: 'faucet', summary: 'CYXWIZ and SOL for a wallet from a local ledger started with cyx chain --genesis --dev', load: async () => (await import('./commands/faucet.js')).faucetCommand },
  { name: 'model', summary: 'check an ONNX model you bring: shapes, parameters, FLOPs, memory, and whether cyxwiz can train it', load: async () => (await import('./commands/model.js')).modelCommand },
  { name: 'params', summary: 'print every protocol parameter (fees, stake tiers, slashing, reputation, pricing, windows)', load: async () => (await import('./commands/params.js')).paramsCommand },
  { name: 'program', summary: 'deploy the program through the BPF upgradeable loader, initialise its Config, show what a ledger holds', load: async () => (await import('./commands/program.js')).programCommand },
  { name: 'relay', summary: 'run a public peer offering circuit relay and bootstrap, so workers behind NAT can be reached', load: async () => (await import('./commands/relay.js')).relayCommand },
  { name: 'sim', summary: 'run a local network: an auction, a job trained, spot-checked and paid on the embedded ledger', load: async () => (await import('./commands/sim.js')).simCommand },
  { name: 'sim-peer', summary: 'internal to cyx sim: one peer of a simulated network, driven over stdin/stdout', hidden: true, load: async () => (await import('./commands/sim-peer.js')).simPeerCommand },
  { name: 'ui', summary: 'serve a live page for the local peer (jobs, escrows, balance, stake) on 127.0.0.1, with a token', load: async () => (await import('./commands/ui.js')).uiCommand },
  { name: 'train', summary: 'train a model locally, storing re-executable evidence (Helia), the ONNX model and a CAR', load: async () => (await import('./commands/train.js')).trainCommand },
  { name: 'verify', summary: 'spot-check training evidence: re-execute segments chosen by a challenge seed', load: async () => (await import('./commands/verify.js')).verifyCommand },
  { name: 'worker', summary: 'run a worker: stake, advertise, bid, train with evidence, deliver; resumes interrupted jobs', load: async () => (await import('./commands/worker.js')).workerCommand }
]

const VERSION = '0.1.0'

function help (): string {
  const width = Math.max(...COMMANDS.filter((c) => c.hidden !== true).map((c) => c.name.length))
  return `cyx ${VERSION}: the cyxwiz peer (a decentralized marketplace for training ML models)

Usage: cyx <command> [options]

Commands:
${COMMANDS.filter((c) => c.hidden !== true).map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run "cyx <command> --help" for a command's options.

Environment:
  CYX_PROGRAM_ID  the address of the cyxwiz program every command talks to (default: where
                  "cyx chain" puts it); set it for a program deployed with "cyx program deploy"`
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
  const entry = COMMANDS.find((c) => c.name === name)
  if (entry === undefined) {
    io.err(`cyx: unknown command "${name}"\n\n${help()}`)
    return 2
  }
  if ((process.env.CYX_PROGRAM_ID ?? '') !== '') {
    // Checked here, before a command imports the chain client (which reads it at import); loaded
    // only when set, so --help and the commands stay as quick to start as before.
    const { programIdFromEnv, ProgramIdError } = await import('../../chain/client/program-id.js')
    try {
      programIdFromEnv(process.env)
    } catch (e) {
      if (!(e instanceof ProgramIdError)) throw e
      io.err(`cyx ${name}: ${e.message}`)
      return 2
    }
  }
  const command = await entry.load()
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
