// Bring your own model, the deliverable: the client's own ONNX file with the trained weights written
// into it, and a check that runs that file as the client will.
//
// Why the client's file and not an export of our step graph: the client gave us a model from their
// own exporter (names, opset, metadata, graph structure); they should get the same file back with
// only the initializer payloads changed (model/patch.ts `writeTrainedModel` rewrites the values in
// place, every other byte as it was), so it loads wherever the original did.
//
// Why evaluate the written file rather than trust the trainer's metric: the file is what leaves the
// machine. `evaluateModelFile` runs it with onnxruntime-node (one thread, the engine's session
// options) over the dataset's TEST split in fixed chunks, feeding the same float32 rows the trainer
// fed (`copyRowsAsFloat32`, the dataset's normalization applied), and measures argmax accuracy
// (classification) or mean squared error (regression). For a model without train/eval differences
// (no BatchNorm, no Dropout) the accuracy equals the trainer's final testAccuracy.
import * as ort from 'onnxruntime-node'
import type { ClientModelData } from './client-model.js'
import { copyRowsAsFloat32, copyTargets, sampleSize, targetSize, type TensorDataset } from './data/index.js'
import { sessionOptions } from './engine-ort.js'
import { writeTrainedModel } from './model/index.js'
import { rowArgMax } from './argmax.js'

/** Test rows per onnxruntime call in `evaluateModelFile` (memory stays bounded on large test sets). */
export const EVALUATE_CHUNK_ROWS = 256

/**
 * The client's model file with its initializers set to trained `parameters`.
 *
 * `initializerNames` and `parameters` are in the same order: the step graph's
 * (`prepared.stepGraph.initializers.map((t) => t.name)` and `run.final.parameters`, or
 * `stateLayoutOf(spec, data).parameters` names for a state read back from evidence). Every byte of
 * `data.model` outside those initializers' payloads is kept. Throws (ModelPatchError) when a name is
 * not a float32 initializer of the file or a length does not match its dims.
 */
export function trainedModelFile (data: ClientModelData, initializerNames: readonly string[], parameters: readonly ArrayLike<number>[]): Uint8Array {
  if (initializerNames.length !== parameters.length) {
    throw new Error(`trainedModelFile: ${initializerNames.length} initializer names for ${parameters.length} parameter tensors; both come from the step graph, in its order`)
  }
  const values = new Map<string, Float32Array>()
  initializerNames.forEach((name, i) => {
    const p = parameters[i] as ArrayLike<number>
    if (!(p instanceof Float32Array)) throw new TypeError(`trainedModelFile: parameter ${name} is not float32 (a client model trains in float32)`)
    if (values.has(name)) throw new Error(`trainedModelFile: initializer ${name} is named twice`)
    values.set(name, p)
  })
  return writeTrainedModel(data.model, values)
}

/** What `evaluateModelFile` measured on the test split. */
export interface ModelEvaluation {
  /** Fraction of test rows whose argmax output is the label (classification datasets only). */
  readonly accuracy?: number
  /** Mean squared error over every output value of every test row (regression datasets only). */
  readonly loss?: number
  /** Test rows evaluated. */
  readonly rows: number
}

/**
 * Runs an ONNX model file (e.g. `trainedModelFile`'s) with onnxruntime-node over `dataset`'s test split
 * and measures it: argmax accuracy for a classification dataset, mean squared error for a
 * regression one. The model's first input takes [rows, ...sampleShape] float32, its first output
 * gives [rows, classes] (classification) or [rows, ...targetShape] (regression). A fixed batch
 * dimension in the file is honoured (the last chunk is padded, the padding's outputs ignored).
 * Throws when the dataset has no test rows or the model's output does not fit the dataset.
 */
export async function evaluateModelFile (bytes: Uint8Array, dataset: TensorDataset): Promise<ModelEvaluation> {
  const n = dataset.test.count
  if (n === 0) throw new Error('evaluateModelFile: the dataset has no test rows; give test data (or a test fraction) to evaluate on')
  const session = await ort.InferenceSession.create(bytes, sessionOptions())
  try {
    const inputName = session.inputNames[0]
    const outputName = session.outputNames[0]
    if (inputName === undefined || outputName === undefined) throw new Error('evaluateModelFile: the model needs one data input and one output')
    const meta = session.inputMetadata[0]
    const batchDim = meta !== undefined && meta.isTensor ? meta.shape[0] : undefined
    const fixedBatch = typeof batchDim === 'number' && batchDim > 0 ? batchDim : undefined
    const chunk = fixedBatch ?? EVALUATE_CHUNK_ROWS
    const size = sampleSize(dataset)
    const classification = dataset.task.kind === 'classification'
    const width = targetSize(dataset)
    const features = new Float32Array(chunk * size)
    const labels = new Int32Array(chunk)
    const targets = new Float32Array(classification ? 0 : chunk * width)
    let correct = 0
    let squared = 0
    for (let start = 0; start < n; start += chunk) {
      const real = Math.min(chunk, n - start)
      const fed = fixedBatch ?? real
      // Padding rows (fixed batch only) repeat the chunk's first row; their outputs are not counted.
      const rows = Uint32Array.from({ length: fed }, (_, i) => start + (i < real ? i : 0))
      copyRowsAsFloat32(dataset, 'test', rows, features)
      const x = new ort.Tensor('float32', features.subarray(0, fed * size), [fed, ...dataset.sampleShape])
      const out = (await session.run({ [inputName]: x }))[outputName]
      if (out === undefined) throw new Error(`evaluateModelFile: the model produced no ${outputName}`)
      if (out.type !== 'float32') throw new Error(`evaluateModelFile: output ${outputName} is ${out.type}, not float32`)
      const y = out.data as Float32Array
      const perRow = y.length / fed
      if (!Number.isInteger(perRow) || out.dims[0] !== fed) throw new Error(`evaluateModelFile: output ${outputName} has dims [${out.dims.join(', ')}] for ${fed} rows`)
      if (classification) {
        copyTargets(dataset, 'test', rows.subarray(0, real), labels)
        for (let r = 0; r < real; r++) {
          if (rowArgMax(y, r, perRow) === labels[r]) correct++
        }
      } else {
        if (perRow !== width) throw new Error(`evaluateModelFile: output ${outputName} has ${perRow} values per row, the dataset's targets ${width}`)
        copyTargets(dataset, 'test', rows.subarray(0, real), targets)
        for (let k = 0; k < real * width; k++) {
          const d = (y[k] as number) - (targets[k] as number)
          squared += d * d
        }
      }
    }
    return classification ? { accuracy: correct / n, rows: n } : { loss: squared / (n * width), rows: n }
  } finally {
    await session.release()
  }
}
