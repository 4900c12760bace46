// The `zk-step` dataset: the four Q16 rows and labels compiled into the `checkpoint_step` circuit
// (circuits/step.ts), as a Dataset. A zk-tier job trains on exactly these rows (one full batch per
// step) so that any training step of it can be proved in Groth16; the test split is the same four
// rows (the circuit's model has nothing else to be measured on). Features are X / 65536 exactly, so
// the fixed-point engine's Q16 conversion gives back the circuit's integers.
import { STEP_DATA_Q16, STEP_LABELS, STEP_LAYERS } from '../../../circuits/index.js'
import { makeDataset, type Dataset, type DatasetSplit } from './dataset.js'

let cached: Dataset | undefined

export function loadZkStep (): Dataset {
  if (cached !== undefined) return cached
  const split = (): DatasetSplit => ({
    count: STEP_DATA_Q16.length,
    features: Float32Array.from(STEP_DATA_Q16.flat(), (v) => v / 65536),
    labels: Uint8Array.from(STEP_LABELS)
  })
  cached = makeDataset('zk-step', { featureCount: STEP_LAYERS[0], classCount: STEP_LAYERS[1], train: split(), test: split() })
  return cached
}
