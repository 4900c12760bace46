/**
 * Bring your own model in the roles: the trained model the client gets back (its own file with the
 * delivered weights in place of the initializers) and the request a client-model job is built from.
 * The job's inputs, named by CID in the spec, are fetched and checked by the evidence room
 * (`fetchClientInputs`, `trainingInputsOf` in peer/evidence/inputs.ts).
 */
import { wire } from '../../protocols/index.js'
import { decodeState } from '../../storage/index.js'
import { stateLayoutOf, trainedModelFile, trainingSpecFromWire, type TrainingData } from '../train/index.js'

/**
 * The client's trained model: its own ONNX file with every float initializer replaced by the
 * delivered weights (the canonical state encoding of the parameters, in the step graph's order).
 * Every other byte of the file is the client's.
 */
export function trainedModelBytes (spec: wire.TrainingSpec, data: TrainingData, weights: Uint8Array): Uint8Array {
  if (!('model' in data)) throw new Error('a built-in job has no client model file')
  const layout = stateLayoutOf(trainingSpecFromWire(spec), data)
  const tensors = decodeState(weights, layout.parameters.length, 'weights')
  if (tensors.length !== layout.parameters.length) throw new Error(`the weights hold ${tensors.length} tensors, the model has ${layout.parameters.length} initializers`)
  const values = tensors.map((t, i) => {
    const p = layout.parameters[i]!
    if (t.dtype !== 'float32' || t.data.length !== p.size) throw new Error(`weights for ${p.name}: expected ${p.size} float32 values`)
    return t.data as Float32Array
  })
  return trainedModelFile(data, layout.parameters.map((p) => p.name), values)
}

/** A client-model job as the CLI parsed it (peer/cli/commands/client-model-args.ts): files and recipe. */
export interface ClientModelArgs {
  readonly modelPath: string
  readonly dataPath: string
  readonly loss: 'ce' | 'mse'
  readonly optimizer: 'sgd' | 'adam' | 'adamw'
  readonly learningRateMicros: number
  readonly batchSize: number
  readonly labelColumn?: string
}

/** The request the client role takes, with a cosine schedule to 0 (what the sim's CNN job measured best with). */
export function clientModelRequest (a: ClientModelArgs, epochs: number, seed?: bigint): Record<string, unknown> {
  return {
    modelPath: a.modelPath,
    dataPath: a.dataPath,
    ...(a.labelColumn === undefined ? {} : { data: { labelColumn: a.labelColumn } }),
    loss: a.loss,
    optimizer: a.optimizer,
    learningRateMicros: a.learningRateMicros,
    batchSize: a.batchSize,
    schedule: { kind: 'cosine', minLearningRateMicros: 0 },
    epochs,
    ...(seed === undefined ? {} : { seed })
  }
}
