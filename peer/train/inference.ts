// The deliverable: a trained model as a standalone inference ONNX file, and a check that runs it.
import * as ort from 'onnxruntime-node'
import type { DatasetSplit } from './datasets/index.js'
import { sessionOptions } from './engine-ort.js'
import { buildInferenceModel, StepNames } from './graphs.js'
import { mlpLayers, type TrainingSpec } from './spec.js'
import { toHex } from '../../protocols/index.js'
import { rowArgMax } from './argmax.js'

/**
 * Inference model bytes for float32 parameters of `spec`'s MLP. `specHash` (the job's wire spec
 * hash, `wire.specHash`), when given, goes in the model's metadata as hex.
 */
export function exportInferenceModel(spec: TrainingSpec, parameters: readonly Float32Array[], specHash?: Uint8Array): Uint8Array {
  return buildInferenceModel(mlpLayers(spec), parameters, {
    ...(specHash === undefined ? {} : { 'cyxwiz.spec_hash': toHex(specHash) }),
    'cyxwiz.layers': mlpLayers(spec).join(','),
    'cyxwiz.dataset': `${spec.dataset.id}:${spec.dataset.contentHash}`
  })
}

/** Load an inference model with onnxruntime and measure its accuracy on a split (argmax of logits). */
export async function evaluateInferenceModel(
  model: Uint8Array,
  split: DatasetSplit,
  featureCount: number
): Promise<{ correct: number; rows: number; accuracy: number }> {
  const session = await ort.InferenceSession.create(model, sessionOptions())
  try {
    const x = new ort.Tensor('float32', split.features, [split.count, featureCount])
    const out = await session.run({ [StepNames.x]: x })
    const logits = out[StepNames.logits]
    if (!logits) throw new Error('inference model produced no logits')
    const data = logits.data as Float32Array
    const classes = logits.dims[1] as number
    let correct = 0
    for (let r = 0; r < split.count; r++) {
      if (rowArgMax(data, r, classes) === split.labels[r]) correct++
    }
    return { correct, rows: split.count, accuracy: correct / split.count }
  } finally {
    await session.release()
  }
}
