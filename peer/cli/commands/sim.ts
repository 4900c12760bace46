/** `cyx sim`: a local network, a real job auctioned, trained, checked and paid (peer/sim/run.ts). */
import { runSimulation } from '../../sim/index.js'
import { parseCommandArgs, UsageError, type Command } from '../command.js'

function wholeArg (name: string, v: string | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt
  const n = Number(v)
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number ${min}..${max} (got ${v})`)
  return n
}

export const simCommand: Command = {
  name: 'sim',
  usage: `Usage: cyx sim [--workers 3] [--epochs 3] [--seed 7] [--dir DIR] [--keep] [--json]

Starts the embedded ledger (the cyxwiz program as real SBF in LiteSVM, served as Solana JSON-RPC),
the CYXWIZ mint, N staked workers at different prices and one client, each a libp2p node on
127.0.0.1 with its own data dir. The client submits a spirals job: workers bid, the best-scored bid
is escrowed on-chain, the dataset and live metrics travel over /cyx/job/1.0.0, the worker trains
with onnxruntime-node and keeps evidence in Helia, the client hash-checks the weights, re-executes
spot-checked segments and signs complete; the program pays 90/10. Exits 0 only if the job was paid
and every balance reconciles to the base unit with the token supply unchanged.

Today every peer runs in this one process. Not yet: peers as separate processes, evidence over
bitswap, the MNIST job and the zk tier, the scenarios (cheat, crash, timeout, dispute).

Options:
  --workers N  workers (1..20, default 3)
  --epochs N   training epochs (1..50, default 3)
  --seed S     makes keys and data order reproducible (default 7)
  --dir DIR    where the peers' data dirs go (default: a temporary directory)
  --keep       leave the data dirs for inspection
  --json       one JSON object instead of the log
  -h, --help`,
  async run (argv, io) {
    const { values } = parseCommandArgs(argv, {
      workers: { type: 'string' },
      epochs: { type: 'string' },
      seed: { type: 'string' },
      dir: { type: 'string' },
      keep: { type: 'boolean' },
      json: { type: 'boolean' }
    })
    const json = values.json === true
    const report = await runSimulation({
      workers: wholeArg('workers', values.workers, 3, 1, 20),
      epochs: wholeArg('epochs', values.epochs, 3, 1, 50),
      seed: wholeArg('seed', values.seed, 7, 0, 2 ** 31),
      ...(values.dir === undefined ? {} : { dir: values.dir }),
      keep: values.keep === true,
      log: json ? () => {} : io.out
    })
    if (json) io.out(JSON.stringify(report, null, 2))
    else io.out(`${report.ok ? 'OK' : 'FAILED'}. Not yet in the simulation: ${report.notYet.join('; ')}.`)
    return report.ok ? 0 : 1
  }
}
