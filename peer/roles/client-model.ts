/**
 * Bring your own model in the roles: a client-model job's inputs (the client's ONNX file and its
 * dataset) named by CID in the spec, fetched and checked — by the worker over bitswap from the client
 * (or any peer that has the blocks), by a resumed client from its own blockstore — and the trained
 * model the client gets back: its own file with the delivered weights in place of the initializers.
 */
import { CID } from 'multiformats/cid'
import { MODEL_LIMITS, wire } from '../../protocols/index.js'
import { decodeState, fetchBlob, fetchDataset, type EvidenceStore } from '../../storage/index.js'
import { assertModelSupported, checkDataset, clientModelData, stateLayoutOf, trainedModelFile, trainingSpecFromWire, type ClientModelData, type TrainingData } from '../train/index.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

export interface FetchInputsOptions {
  readonly signal?: AbortSignal
  /** Only this peer's blockstore (a client resuming its own job). */
  readonly offline?: boolean
  readonly onProgress?: (what: 'model' | 'dataset', bytesDone: number, bytesTotal: number) => void
}

/**
 * The model and dataset a client-model spec names, fetched by CID and checked: the file's and the
 * dataset's SHA-256 against the spec, the model against the supported ops, the data against its
 * limits (NaN/Inf, labels). Throws with a message saying which input failed.
 */
export async function fetchClientInputs (helia: EvidenceStore, spec: wire.TrainingSpec, o: FetchInputsOptions = {}): Promise<ClientModelData> {
  const cm = spec.clientModel
  if (cm === undefined) throw new Error('the spec trains a built-in model, not a client model')
  const read = { ...(o.signal === undefined ? {} : { signal: o.signal }), ...(o.offline === true ? { offline: true } : {}) }
  const model = await fetchBlob(helia.blockstore, CID.parse(cm.modelCid), {
    ...read, expectedSha256: hex(cm.modelHash), maxBytes: Math.min(MODEL_LIMITS.maxBytes, Number(cm.modelBytes)), onProgress: (d, t) => { o.onProgress?.('model', d, t) }
  })
  const report = assertModelSupported(model, `model ${cm.modelCid}`, { batch: spec.batchSize })
  // The spec's claim is what the worker bid on: a model that needs more than claimed is refused.
  if (BigInt(Math.round(report.memory.totalBytes)) > cm.batchMemoryBytes) throw new Error(`model ${cm.modelCid}: one batch needs ${Math.round(report.memory.totalBytes)} bytes, the spec claims ${cm.batchMemoryBytes}`)
  const dataset = await fetchDataset(helia.blockstore, CID.parse(cm.datasetCid), {
    ...read, expectedSha256: hex(spec.datasetHash), onProgress: (d, t) => { o.onProgress?.('dataset', d, t) }
  })
  checkDataset(dataset)
  if (BigInt(dataset.train.count) !== cm.trainRows) throw new Error(`dataset ${cm.datasetCid}: ${dataset.train.count} training rows, the spec names ${cm.trainRows}`)
  return clientModelData(spec.datasetId, model, dataset, hex(spec.datasetHash))
}

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
