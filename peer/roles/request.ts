/**
 * What a job request may ask for — the dataset, the tier and the epochs — checked once, by one
 * function, at each boundary that takes a request: `cyx client submit` and the live page's form,
 * `cyx sim` and its jobs, and `Client.submit`. Pure: no I/O.
 *
 * The rules: a built-in dataset (spirals, mnist, mnist-4x4) or the client's own model; the tier
 * defaults to zk on mnist-4x4 and to optimistic otherwise; the zk tier trains only on data in the
 * step circuit's shape (mnist-4x4) for 1..ZK_MAX_EPOCHS epochs (its checkpoints fill the circuits'
 * tree); a client model is optimistic only; any other job has 1..`maxEpochs` epochs.
 */
import { CHECKPOINT_TREE_MAX_LEAVES, STEP_BATCH_ROWS, STEP_TRAIN_ROWS } from '../../circuits/index.js'
import { DATASET_IDS, type DatasetId } from '../train/index.js'

/** The dataset zk-tier jobs train on by default: MNIST 0–3 at 4×4 pixels, in the step circuit's shape. */
export const ZK_DATASET_ID = 'mnist-4x4'
/** Steps (= checkpoints = anchored leaves) in one epoch of a zk-tier job. */
export const ZK_STEPS_PER_EPOCH = STEP_TRAIN_ROWS / STEP_BATCH_ROWS
/** Most epochs of a zk-tier job: its checkpoints must fit the circuits' tree. */
export const ZK_MAX_EPOCHS = CHECKPOINT_TREE_MAX_LEAVES / ZK_STEPS_PER_EPOCH

export type Tier = 'optimistic' | 'zk'

/** The most epochs of an optimistic job, unless a boundary asks for fewer (the sim keeps runs short). */
export const MAX_JOB_EPOCHS = 1000

/** A request as it arrives: strings from a command line or a form, or values from code. */
export interface JobRequestInput {
  /** A built-in dataset id; absent with `clientModel`, or when `defaultDataset` picks one. */
  readonly dataset?: string | undefined
  readonly tier?: string | undefined
  readonly epochs?: string | number | undefined
  /** The request brings its own model and data (checked elsewhere: clientModelArgs, prepareClientModelJob). */
  readonly clientModel?: boolean
}

export interface JobRequestRules {
  /** Most epochs of a job outside the zk tier (default MAX_JOB_EPOCHS). */
  readonly maxEpochs?: number
  /** The tier when none is given (default: zk on mnist-4x4, optimistic otherwise). */
  readonly defaultTier?: (dataset: DatasetId) => Tier
  /** The dataset when none is given (default: none — the dataset is required). */
  readonly defaultDataset?: (tier: Tier | undefined) => DatasetId
  /** The epochs when none are given (default: none — epochs are required). */
  readonly defaultEpochs?: (dataset: DatasetId | 'client') => number
  /** How a field is named in errors: `--epochs` on a command line (default: the field's name). */
  readonly name?: (field: JobRequestField) => string
}

export type JobRequestField = 'dataset' | 'tier' | 'epochs' | 'model'

/** A refused request: `field` says which input to change, the message how. */
export class JobRequestError extends RangeError {
  constructor (readonly field: JobRequestField, message: string) {
    super(message)
    this.name = 'JobRequestError'
  }
}

/** A checked request: what `jobSpec` and `Client.submit` build the job from. */
export type JobRequestFacts =
  | { readonly datasetId: DatasetId, readonly tier: Tier, readonly epochs: number }
  | { readonly datasetId: 'client', readonly tier: 'optimistic', readonly epochs: number }

const isDatasetId = (d: string): d is DatasetId => (DATASET_IDS as readonly string[]).includes(d)

/** The tier a dataset gets when the request names none (the CLI's and the sim's default). */
export const defaultTierOf = (dataset: DatasetId): Tier => dataset === ZK_DATASET_ID ? 'zk' : 'optimistic'

/**
 * The epochs rule alone, for a request already past the other checks (`jobSpec`): 1..ZK_MAX_EPOCHS
 * on the zk tier, 1..`maxEpochs` otherwise. Throws a `JobRequestError`.
 */
export function checkEpochs (tier: Tier, given: string | number | undefined, maxEpochs = MAX_JOB_EPOCHS, name: (field: JobRequestField) => string = (f) => f): number {
  const [lo, hi] = tier === 'zk' ? [1, ZK_MAX_EPOCHS] : [1, maxEpochs]
  const n = typeof given === 'number' ? given : given === undefined || given.trim() === '' ? NaN : Number(given)
  if (!Number.isInteger(n) || n < lo || n > hi) {
    const why = tier === 'zk' ? ` (${ZK_STEPS_PER_EPOCH} steps an epoch; its checkpoints fill the circuits' tree)` : ''
    throw new JobRequestError('epochs', `${name('epochs')} must be a whole number ${lo}..${hi} for the ${tier} tier${why} (got ${given ?? 'nothing'})`)
  }
  return n
}

/** Checks a job request; throws a `JobRequestError` naming the field and what to give instead. */
export function parseJobRequest (input: JobRequestInput, rules: JobRequestRules = {}): JobRequestFacts {
  const name = rules.name ?? ((f: JobRequestField) => f)
  const maxEpochs = rules.maxEpochs ?? MAX_JOB_EPOCHS
  const epochsOf = (tier: Tier, dataset: DatasetId | 'client'): number => checkEpochs(tier, input.epochs ?? rules.defaultEpochs?.(dataset), maxEpochs, name)
  const tier = input.tier
  if (tier !== undefined && tier !== 'optimistic' && tier !== 'zk') throw new JobRequestError('tier', `${name('tier')} must be optimistic or zk (got ${tier})`)
  if (input.clientModel === true) {
    if (input.dataset !== undefined || tier === 'zk') {
      throw new JobRequestError('model', `${name('model')} is a job on your own model: leave out ${name('dataset')}; it is verified on the optimistic tier (the zk tier proves only its fixed circuit model)`)
    }
    return { datasetId: 'client', tier: 'optimistic', epochs: epochsOf('optimistic', 'client') }
  }
  const dataset = input.dataset ?? rules.defaultDataset?.(tier)
  if (dataset === undefined || !isDatasetId(dataset)) {
    throw new JobRequestError('dataset', `${name('dataset')} must be ${DATASET_IDS.join(', ')} (got ${dataset ?? 'nothing'}), or ${name('model')} for your own model`)
  }
  const t = tier ?? (rules.defaultTier ?? defaultTierOf)(dataset)
  if (t === 'zk' && dataset !== ZK_DATASET_ID) {
    throw new JobRequestError('dataset', `the zk tier trains on data in the step circuit's shape: ${ZK_DATASET_ID} (16 features, 4 classes, 64 rows); use ${name('dataset')} ${ZK_DATASET_ID} (got ${dataset})`)
  }
  return { datasetId: dataset, tier: t, epochs: epochsOf(t, dataset) }
}
