/**
 * The jobs `cyx sim` submits and the market they meet: the default run's three jobs (or the one a
 * dataset, tier or client model names), the workers' hourly rates and the bid window.
 */
import { fileURLToPath } from 'node:url'
import { ZK_DATASET_ID, clientModelRequest, parseJobRequest, type ClientModelArgs } from '../roles/index.js'
import { PRICING, UNITS_PER_TOKEN } from '../../protocols/index.js'
import type { ScenarioName } from './scenario.js'

const T = UNITS_PER_TOKEN

/** One job the client submits: a name for the log and the request `Client.submit` takes, as it is
 * (passed through to the client's peer without being read here beyond these fields). */
export interface SimJob {
  readonly name: string
  readonly request: Readonly<Record<string, unknown>> & { readonly datasetId: string, readonly epochs: number, readonly maxPrice: bigint }
}

/** What the jobs are made from (the run's options). */
export interface SimJobOptions {
  readonly epochs?: number
  readonly seed: number
  readonly dataset?: 'mnist' | 'spirals' | 'mnist-4x4'
  readonly tier?: 'optimistic' | 'zk'
  readonly scenario?: ScenarioName
  readonly clientModel?: ClientModelArgs
  readonly workers?: number
  readonly modelOutDir?: string
}

/** Worker i's hourly rate: 50, 75, 100 … CYXWIZ/h in a seed-independent shuffled order, at most
 * 16 distinct rates (up to 425 CYXWIZ/h), so that every worker of a large network may bid under
 * the jobs' max price. */
export function hourlyRate (i: number, n: number): bigint {
  const m = Math.min(n, 16)
  return (50n + 25n * BigInt((i * 7 + 3) % m)) * T
}

/** The bid window: 1.5 s, longer for large networks (60 ms per worker): in one process (hundreds of
 * peers share one event loop) the announcement reaches the last workers late. */
export const bidWindowMs = (workers: number): number => Math.max(1_500, workers * 60)

/**
 * failover: 4 epochs, the winner killed after the 2nd, and an estimate at which the workers' common
 * rate (worker 1's, 50 CYXWIZ/h) prices the job at exactly 2 CYXWIZ: after half the epochs the rest
 * (1 CYXWIZ) is what the same rate bids for half the time. Prices are whole CYXWIZ
 * (`PRICING.roundingQuantum`), so with other splits the rest may round below every bid.
 */
export const FAILOVER_EPOCHS = 4
const FAILOVER_ESTIMATE_SECONDS = Number(2n * PRICING.roundingQuantum * 3_600n / hourlyRate(0, 1))

/** Default epochs: MNIST 4 (≈ 92 % test accuracy), spirals 3, mnist-4x4 4 (zk: 32 steps and anchored checkpoints, ≈ 77 %). */
export const DEFAULT_EPOCHS = { mnist: 4, spirals: 3, 'mnist-4x4': 4 } as const

/**
 * The jobs the client submits, in order; the scenario acts on the first. `honest` with neither a
 * dataset nor a tier: MNIST (optimistic) and zk at once. Otherwise one job: the dataset given (or
 * mnist-4x4 for `--tier zk`, else spirals; mnist-4x4 is proved in the zk tier unless `--tier optimistic`).
 */
/** The default run's third job: a PyTorch-exported MNIST CNN and the MNIST digits, committed fixtures. */
export const DEFAULT_CLIENT_MODEL: ClientModelArgs = {
  modelPath: fileURLToPath(new URL('../../test/fixtures/byom/cnn.onnx', import.meta.url)),
  dataPath: fileURLToPath(new URL('../../test/fixtures/byom/mnist.npz', import.meta.url)),
  loss: 'ce',
  optimizer: 'adam',
  learningRateMicros: 5_000,
  batchSize: 32
}
/** Epochs of a client-model job (the default CNN reaches ≈ 96.8 % in 5). */
export const CLIENT_MODEL_EPOCHS = 5

export function simJobs (o: SimJobOptions): SimJob[] {
  // The job rules are the client's own (the roles' parseJobRequest); the sim adds only its defaults.
  type DatasetId = NonNullable<SimJobOptions['dataset']>
  const rules = {
    defaultDataset: (t: 'optimistic' | 'zk' | undefined): DatasetId => t === 'zk' ? ZK_DATASET_ID : 'spirals',
    defaultEpochs: (d: DatasetId | 'client'): number => d === 'client' ? CLIENT_MODEL_EPOCHS : DEFAULT_EPOCHS[d]
  }
  const byom = (a: ClientModelArgs): SimJob => {
    const { epochs } = parseJobRequest({ dataset: o.dataset, tier: o.tier, epochs: o.epochs, clientModel: true }, rules)
    return {
      name: a === DEFAULT_CLIENT_MODEL ? 'cnn' : 'client-model',
      request: {
        datasetId: 'client', epochs, seed: BigInt(o.seed), maxPrice: 10n * T, bidWindowMs: bidWindowMs(o.workers ?? 3),
        clientModel: clientModelRequest(a, epochs, BigInt(o.seed)),
        ...(o.modelOutDir === undefined ? {} : { modelOutDir: o.modelOutDir })
      }
    }
  }
  if (o.clientModel !== undefined) return [byom(o.clientModel)]
  const failover = o.scenario === 'failover'
  const job = (dataset: DatasetId | undefined, epochs: number | undefined): SimJob => {
    const r = parseJobRequest({ dataset, tier: o.tier, epochs: epochs ?? (failover ? FAILOVER_EPOCHS : undefined) }, rules)
    return {
      name: r.tier === 'zk' ? 'zk' : r.datasetId,
      request: { datasetId: r.datasetId, tier: r.tier, epochs: r.epochs, seed: BigInt(o.seed), maxPrice: 10n * T, estimatedSeconds: failover ? FAILOVER_ESTIMATE_SECONDS : 60, bidWindowMs: bidWindowMs(o.workers ?? 3) }
    }
  }
  if ((o.scenario ?? 'honest') === 'honest' && o.dataset === undefined && o.tier === undefined) return [job('mnist', o.epochs), job(ZK_DATASET_ID, undefined), byom(DEFAULT_CLIENT_MODEL)]
  return [job(o.dataset, o.epochs)]
}
