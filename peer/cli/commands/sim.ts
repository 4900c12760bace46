/** `cyx sim`: today the single-process preview of a job's life (see peer/sim/preview.ts). */
import { runPreview } from '../../sim/index.js'
import { parseCommandArgs, UsageError, type Command } from '../command.js'

function wholeArg (name: string, v: string | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt
  const n = Number(v)
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number ${min}..${max} (got ${v})`)
  return n
}

export const simCommand: Command = {
  name: 'sim',
  summary: 'run a job end to end on the embedded ledger (preview: one process, no mesh yet)',
  usage: `Usage: cyx sim [--epochs 3] [--seed 7] [--checks 2] [--json]

PREVIEW. Runs, in one process and for real, the parts of a job's life that exist today: the
embedded ledger with the cyxwiz program (driven through Solana JSON-RPC), the CYXWIZ mint, a staked
worker, a priced job escrowed on-chain, training on the spirals dataset with onnxruntime-node, the
checkpoint chain and Merkle root, the client's re-execution spot checks, and payment 90/10 by the
program. Exits 0 only if the job was paid and every balance reconciles to the base unit.

Not yet: separate peer processes and the libp2p auction, Helia evidence, the zk tier, scenarios
(--workers, --scenario, --dataset mnist are refused until they exist).

Options:
  --epochs N   training epochs (1..50, default 3)
  --seed S     makes keys, data order and choices reproducible (default 7)
  --checks K   spot checks the client runs (1..50, default 2)
  --json       one JSON object instead of the human log
  -h, --help`,
  async run (argv, io) {
    const { values } = parseCommandArgs(argv, {
      epochs: { type: 'string' },
      seed: { type: 'string' },
      checks: { type: 'string' },
      json: { type: 'boolean' }
    })
    const json = values.json === true
    const report = await runPreview({
      epochs: wholeArg('epochs', values.epochs, 3, 1, 50),
      seed: wholeArg('seed', values.seed, 7, 0, 2 ** 31),
      spotChecks: wholeArg('checks', values.checks, 2, 1, 50),
      log: json ? () => {} : io.out
    })
    if (json) io.out(JSON.stringify(report, null, 2))
    else {
      const job = report.jobs[0]
      io.out(`\n${report.ok ? 'OK' : 'FAILED'}: job ${job?.state}, worker paid ${job?.settlement.worker} base units, platform ${job?.settlement.platform}; ` +
        `spot checks ${job?.proof.spotChecks.passed}/${job?.proof.spotChecks.total}; supply conserved: ${report.supplyConserved}; ` +
        `${report.chain.transactions.length} program transactions (${report.chain.transactions.map((t) => `${t.step} ${t.computeUnits} CU`).join(', ')}).`)
      io.out(`Not yet in the simulation: ${report.notYet.join('; ')}.`)
    }
    return report.ok ? 0 : 1
  }
}
