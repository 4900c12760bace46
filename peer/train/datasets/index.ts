// Dataset registry: the ids a TrainingSpec may name, and loading that checks the spec's hash.
import { assertDatasetHash, type Dataset } from './dataset.js'
import { loadMnist } from './mnist.js'
import { generateSpirals } from './spirals.js'
import { loadMnist4x4 } from './mnist-4x4.js'

/** `mnist-4x4` is MNIST 0–3 in the checkpoint_step circuit's shape: what zk-tier jobs train on by default. */
export type DatasetId = 'mnist' | 'spirals' | 'mnist-4x4'
export const DATASET_IDS: readonly DatasetId[] = ['mnist', 'spirals', 'mnist-4x4']

export function loadDatasetById(id: string): Dataset {
  switch (id) {
    case 'mnist':
      return loadMnist()
    case 'spirals':
      return generateSpirals()
    case 'mnist-4x4':
      return loadMnist4x4()
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
export { loadMnist4x4 } from './mnist-4x4.js'
