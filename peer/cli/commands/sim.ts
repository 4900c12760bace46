/** `cyx sim`: a local network, a real job auctioned, trained, checked and paid (peer/sim/run.ts). */
import { resolve } from 'node:path'
import { CLIENT_MODEL_OPTIONS, CLIENT_MODEL_USAGE, clientModelArgs } from './client-model-args.js'
import { CLIENT_MODEL_EPOCHS, DEFAULT_EPOCHS, FAILOVER_EPOCHS, SCENARIOS, runSimulation, type ScenarioName, type SimReport } from '../../sim/index.js'
import { SimUiSource, UiFeed, UiServer } from '../../ui/index.js'
import { booleanOptions, parseCommandArgs, stringOptions, UsageError, type Command } from '../command.js'
import { flagName, submitRequest } from './client.js'
import { JobRequestError, ZK_DATASET_ID, parseJobRequest } from '../../roles/index.js'

/** Most epochs of a job in `cyx sim` (a local run is kept short; the job rules allow more). */
const SIM_MAX_EPOCHS = 50

function wholeArg (name: string, v: string | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt
  const n = Number(v)
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number ${min}..${max} (got ${v})`)
  return n
}

export const simCommand: Command = {
  name: 'sim',
  usage: `Usage: cyx sim [--scenario honest|timeout|cheat|dispute|crash|failover [--kill-after K]] [--workers 3] [--seed 7]
               [--dataset mnist|spirals|mnist-4x4] [--tier optimistic|zk] [--epochs N]
               [--model FILE --data FILE|DIR [--loss ce|mse] [--optimizer adam|adamw|sgd]
                [--lr R] [--batch B] [--label-column C] [--out DIR]]
               [--in-process] [--dir DIR] [--keep] [--json]
               [--ui [--ui-port N] [--linger S]]

Starts the embedded ledger (the cyxwiz program as real SBF in LiteSVM, served as Solana JSON-RPC),
the CYXWIZ mint, N staked workers at different prices and one client, each a libp2p node on
127.0.0.1 with its own data dir and its own OS process (this binary, run as "cyx sim-peer"; with
--in-process every peer runs in this process, the same peer host driven over an in-memory channel).
With no flags the client submits three jobs at once:
  - an MNIST MLP in float, optimistic tier: workers bid, the best-scored bid is escrowed on-chain,
    the dataset and live metrics travel over /cyx/job/1.1.0, the worker trains with
    onnxruntime-node, keeps evidence in Helia, anchors the Poseidon root of its checkpoints and
    submits its delivery on-chain (the program checks the final checkpoint is the root's last
    leaf); the client hash-checks the weights, fetches the evidence over bitswap, re-executes
    spot-checked segments within the challenge window and lets it run; the window is passed by
    warping the ledger clock and the worker claims its payment, 90/10;
  - a small exact-integer model, zk tier: the program draws the challenged step after the root
    is anchored, the worker proves it in Groth16 and complete_zk verifies the proof on-chain
    before paying;
  - bring your own model: a small CNN exported from PyTorch (a committed ONNX file) on the
    MNIST digits (a committed .npz), 5 epochs: the worker fetches both by CID over bitswap,
    trains the derived step graph, the client spot-checks by re-execution, pays, and gets its
    own ONNX file back with the trained weights (at least 96 % test accuracy, measured by the
    client).
Exits 0 only if both jobs were paid (MNIST at ≥ 90 % test accuracy) and every balance reconciles
to the base unit with the token supply unchanged. --dataset/--tier narrow the run to one job. The
other scenarios run one job (spirals unless --dataset/--tier say otherwise). The log shows each
peer's events, prefixed by its name.

Scenarios (each exits 0 exactly when the system behaved as it must; docs/sim.md):
  honest   (default) every job is paid 90/10 (optimistic: after the window; zk: by its proof).
  timeout  the winner vanishes mid-training; after the deadline (ledger clock warped) a keeper peer
           calls timeout_refund: client refunded in full, worker slashed 10 % (80 % insurance,
           20 % burned), -30 reputation.
  cheat    the winner trains one segment and fabricates the rest; the client's spot checks catch
           it, it disputes instead of paying; three jurors fetch the evidence over bitswap, re-run
           the checks, vote for the client: refunded, cheater slashed 50 %, banned, never paid.
  dispute  the client disputes an honest delivered job; the jurors' checks pass, they vote for the
           worker: paid 90/10, +5 reputation; the jurors withdraw their votes.
  crash    the winner is killed half-way through training (right after a stored checkpoint; or
           after checkpoint K with --kill-after K) and restarted on the same dir and keys, on a new
           port (a SIGKILL of its process); the client's session retries, the worker resumes from
           its checkpoint: same final weights hash as an uninterrupted run; the client fetches the
           evidence from the restarted worker over bitswap, checks it and pays 90/10.
           Needs --epochs 2 or more.
  failover the winner is killed (SIGKILL) after checkpoint 2 of 4 (or K with --kill-after K) and
           never restarts; the ledger clock is warped past the escrow's no-progress timeout; the
           client sees the stall, spot-checks the checkpoint it kept, re-auctions the rest and
           hands the escrow over (hand_over: the first worker paid for the verified epochs and
           slashed as for a timeout); another worker fetches the checkpoint over bitswap and
           finishes the same chain: same final weights hash as an uninterrupted run, the split
           exact to the base unit. Optimistic tier, 2 workers or more; default 4 epochs (every
           worker asks the same rate, so the rest finds a bid at whole-CYXWIZ prices).

The ledger stays in this process (it is the chain, served as JSON-RPC to every peer; its clock is
warped from here). Ctrl-C (SIGINT) or SIGTERM stops every peer process cleanly, then the ledger.
Not yet: a zk model larger than the step circuit's 16×4 logistic regression on 64 rows.

Options:
  --scenario S which scenario (default honest)
  --kill-after K
               crash, failover: the winner is killed right after checkpoint K (1..epochs-1;
               default half-way, floor(epochs/2))
  --workers N  workers (1..20, default 3; with --in-process up to 500)
  --dataset D  one job on mnist, spirals or mnist-4x4 (MNIST 0-3 at 4x4: zk tier by default)
  --tier T     one job of this tier: optimistic (default dataset spirals) or zk (mnist-4x4)
  --epochs N   training epochs, zk: steps (1..50; default mnist 4, spirals 3, zk 6, --model 5)
  One job on your own model and data instead (optimistic tier; the client checks both before
  anything is escrowed, the worker fetches them by CID over bitswap):
${CLIENT_MODEL_USAGE}
  --out DIR          where the client writes the trained model, DIR/<job id>.onnx (default:
                     the run's dir, models/)
  --seed S     makes keys and data order reproducible (default 7)
  --in-process every peer in this process instead of one process each (the same peer host and
               line protocol; for larger networks, though all share one event loop: docs/sim.md)
  --dir DIR    where the peers' data dirs go (default: a temporary directory)
  --keep       leave the data dirs for inspection
  --json       one JSON object on stdout; the log goes to stderr instead
  --ui         serve the live page of the run (network, auctions, jobs, money) on 127.0.0.1 and
               print its address, ui: http://127.0.0.1:PORT/#token=…, on stderr (docs/ui.md)
  --ui-port N  its port (default: any free one)
  --linger S   keep the page, the peers and the ledger up S seconds after the run (0..86400,
               default 0; Ctrl-C ends it early, with the run's exit code)
  -h, --help`,
  async run (argv, io) {
    const { values } = parseCommandArgs(argv, {
      ...CLIENT_MODEL_OPTIONS,
      ...stringOptions('scenario', 'kill-after', 'workers', 'epochs', 'dataset', 'tier', 'out', 'seed', 'dir', 'ui-port', 'linger'),
      ...booleanOptions('keep', 'in-process', 'json', 'ui')
    })
    const json = values.json === true
    const scenario = values.scenario ?? 'honest'
    if (!(SCENARIOS as readonly string[]).includes(scenario)) throw new UsageError(`--scenario must be one of ${SCENARIOS.join(', ')} (got ${scenario})`)
    const clientModel = clientModelArgs(values)
    // The job rules (the roles' parseJobRequest, as for `cyx client submit`), on the run's first
    // job: the dataset given (or mnist-4x4 for the zk tier, else spirals) or the client's model.
    let job
    try {
      job = parseJobRequest({ dataset: values.dataset, tier: values.tier, epochs: values.epochs, clientModel: clientModel !== undefined }, {
        maxEpochs: SIM_MAX_EPOCHS,
        name: flagName,
        defaultDataset: (t) => t === 'zk' ? ZK_DATASET_ID : 'spirals',
        defaultEpochs: (d) => d === 'client' ? CLIENT_MODEL_EPOCHS : DEFAULT_EPOCHS[d]
      })
    } catch (e) {
      throw e instanceof JobRequestError ? new UsageError(e.message) : e
    }
    const dataset = values.dataset === undefined || job.datasetId === 'client' ? undefined : job.datasetId
    const tier = values.tier === undefined ? undefined : job.tier
    const epochs = values.epochs === undefined ? undefined : job.epochs
    if (scenario === 'crash' && job.epochs < 2) throw new UsageError('--scenario crash needs --epochs 2 or more (the worker is killed half-way)')
    if (scenario === 'failover' && (job.epochs < 2 || job.tier === 'zk' || job.datasetId === 'client')) throw new UsageError('--scenario failover needs a built-in optimistic job of --epochs 2 or more')
    const scenarioEpochs = scenario === 'failover' && values.epochs === undefined ? FAILOVER_EPOCHS : job.epochs
    let killAfter: number | undefined
    if (values['kill-after'] !== undefined) {
      if (scenario !== 'crash' && scenario !== 'failover') throw new UsageError('--kill-after is for --scenario crash or failover')
      killAfter = wholeArg('kill-after', values['kill-after'], 1, 1, scenarioEpochs - 1)
    }
    if (values.out !== undefined && values.out === '') throw new UsageError('--out must name a directory')
    const inProcess = values['in-process'] === true
    const workers = wholeArg('workers', values.workers, 3, scenario === 'failover' ? 2 : 1, inProcess ? 500 : 20)
    const ui = values.ui === true
    if (!ui && (values['ui-port'] !== undefined || values.linger !== undefined)) throw new UsageError('--ui-port and --linger go with --ui')
    const uiPort = wholeArg('ui-port', values['ui-port'], 0, 0, 65_535)
    const linger = wholeArg('linger', values.linger, 0, 0, 86_400)
    // Ctrl-C or SIGTERM: every peer is stopped (cleanly, then by force), the ledger closed.
    // The live page: a feed the run's observer fills, served until the linger is over.
    const source = ui ? new SimUiSource(new UiFeed(), { submitRequest }) : undefined
    const server = source === undefined ? undefined : await UiServer.start({ feed: source.feed, actions: source.actions, port: uiPort })
    if (server !== undefined) io.err(`ui: ${server.url}`)
    const abort = new AbortController()
    const onSignal = (sig: string): void => {
      if (!abort.signal.aborted) io.err(`cyx sim: ${sig}: stopping every peer…`)
      abort.abort()
    }
    const onInt = (): void => { onSignal('SIGINT') }
    const onTerm = (): void => { onSignal('SIGTERM') }
    process.on('SIGINT', onInt)
    process.on('SIGTERM', onTerm)
    const print = (r: SimReport): void => {
      if (json) io.out(JSON.stringify(r, null, 2))
      else io.out(`${r.ok ? 'OK' : 'FAILED'}. Not yet in the simulation: ${r.notYet.join('; ')}.`)
    }
    // With --ui the report is printed before the linger (the network still up behind the page).
    let held: SimReport | undefined
    const hold = async (r: SimReport): Promise<void> => {
      held = r
      print(r)
      await source?.report(r, linger)
      if (linger === 0) return
      if (!json) io.err(`cyx sim: the page stays up ${linger} s (Ctrl-C ends it)`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, linger * 1000)
        abort.signal.addEventListener('abort', () => { clearTimeout(t); resolve() }, { once: true })
      })
    }
    let report
    try {
      report = await runSimulation({
        scenario: scenario as ScenarioName,
        ...(killAfter === undefined ? {} : { killAfter }),
        workers,
        ...(epochs === undefined ? {} : { epochs }),
        ...(dataset === undefined ? {} : { dataset }),
        ...(tier === undefined ? {} : { tier }),
        ...(clientModel === undefined ? {} : { clientModel }),
        ...(values.out === undefined ? {} : { out: resolve(values.out) }),
        seed: wholeArg('seed', values.seed, 7, 0, 2 ** 31),
        mode: inProcess ? 'in-process' : 'processes',
        ...(values.dir === undefined ? {} : { dir: values.dir }),
        keep: values.keep === true,
        signal: abort.signal,
        // With --json the log still tells a watcher (and a failed test) how far the run got.
        log: json ? io.err : io.out,
        ...(source === undefined ? {} : { observe: source.observer, hold })
      })
    } catch (e) {
      // Ctrl-C during the linger: the run was over, its report printed.
      if (held !== undefined) return held.ok ? 0 : 1
      if (!abort.signal.aborted) throw e
      io.err('cyx sim: interrupted; every peer stopped')
      // Whatever a library left open must not keep an interrupted run alive.
      setTimeout(() => { process.exit(130) }, 2_000).unref()
      return 130
    } finally {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      source?.close()
      await server?.close()
    }
    if (held === undefined) print(report)
    return report.ok ? 0 : 1
  }
}
