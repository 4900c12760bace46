// Dataset registry: the ids a TrainingSpec may name, and loading that checks the spec's hash.
import { assertDatasetHash, type Dataset } from './dataset.js'
import { loadMnist } from './mnist.js'
import { generateSpirals } from './spirals.js'
import { loadZkStep } from './zk-step.js'

/** `zk-step` is the dataset compiled into the checkpoint_step circuit: what zk-tier jobs train on. */
export type DatasetId = 'mnist' | 'spirals' | 'zk-step'
export const DATASET_IDS: readonly DatasetId[] = ['mnist', 'spirals', 'zk-step']

export function loadDatasetById(id: string): Dataset {
  switch (id) {
    case 'mnist':
      return loadMnist()
    case 'spirals':
      return generateSpirals()
    case 'zk-step':
      return loadZkStep()
    default:
      throw new Error(`unknown dataset id ${JSON.stringify(id)} (known: ${DATASET_IDS.join(', ')})`)
  }
}

/** Load a dataset and refuse it unless its content hash is the expected one. */
export function loadVerifiedDataset(id: string, expectedHash: string): Dataset {
  const dataset = loadDatasetById(id)
  assertDatasetHash(dataset, expectedHash)
  return dataset
}

export { assertDatasetHash, datasetContentHash, makeDataset, DatasetHashMismatchError } from './dataset.js'
export type { Dataset, DatasetSplit } from './dataset.js'
export { generateSpirals, SPIRALS_DEFAULT, type SpiralsParams } from './spirals.js'
export { loadMnist } from './mnist.js'
export { loadZkStep } from './zk-step.js'
