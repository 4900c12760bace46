/**
 * The inputs a training spec names, as anyone re-running the job needs them: a built-in spec's
 * dataset by id (checked against its hash), or a client-model spec's ONNX file and dataset by CID
 * (fetched through the given Helia: from its own blockstore, or over bitswap from any peer that has
 * the blocks) and checked — the file's and the dataset's SHA-256 against the spec, the model against
 * the supported ops and the spec's batch-memory claim, the data against its limits and row count.
 *
 * The worker fetches a job's inputs with it before training; a resumed client and a verifier
 * (`cyx verify`, the client's spot check, a juror) with it before re-executing.
 */
import { CID } from 'multiformats/cid'
import { MODEL_LIMITS, wire, toHex } from '../../protocols/index.js'
import { fetchBlob, fetchDataset, type EvidenceStore } from '../../storage/index.js'
import { assertModelSupported, checkDataset, clientModelData, type ClientModelData, type TrainingData } from '../train/index.js'
import { datasetOfSpec } from './common.js'

export interface FetchInputsOptions {
  readonly signal?: AbortSignal
  /** Only this peer's blockstore (a client resuming its own job, a verifier with a local store). */
  readonly offline?: boolean
  readonly onProgress?: (what: 'model' | 'dataset', bytesDone: number, bytesTotal: number) => void
}

/**
 * The model and dataset a client-model spec names, fetched by CID and checked (see the header).
 * Throws with a message saying which input failed; a block nobody has is storage's NOT_FOUND
 * EvidenceError (`isEvidenceError(err, 'NOT_FOUND')`), so callers can tell "unavailable" from "bad".
 */
export async function fetchClientInputs (helia: EvidenceStore, spec: wire.TrainingSpec, o: FetchInputsOptions = {}): Promise<ClientModelData> {
  const cm = spec.clientModel
  if (cm === undefined) throw new Error('the spec trains a built-in model, not a client model')
  const read = { ...(o.signal === undefined ? {} : { signal: o.signal }), ...(o.offline === true ? { offline: true } : {}) }
  const model = await fetchBlob(helia.blockstore, CID.parse(cm.modelCid), {
    ...read, expectedSha256: toHex(cm.modelHash), maxBytes: Math.min(MODEL_LIMITS.maxBytes, Number(cm.modelBytes)), onProgress: (d, t) => { o.onProgress?.('model', d, t) }
  })
  const report = assertModelSupported(model, `model ${cm.modelCid}`, { batch: spec.batchSize })
  // The spec's claim is what the worker bid on: a model that needs more than claimed is refused.
  if (BigInt(Math.round(report.memory.totalBytes)) > cm.batchMemoryBytes) throw new Error(`model ${cm.modelCid}: one batch needs ${Math.round(report.memory.totalBytes)} bytes, the spec claims ${cm.batchMemoryBytes}`)
  const dataset = await fetchDataset(helia.blockstore, CID.parse(cm.datasetCid), {
    ...read, expectedSha256: toHex(spec.datasetHash), onProgress: (d, t) => { o.onProgress?.('dataset', d, t) }
  })
  checkDataset(dataset)
  if (BigInt(dataset.train.count) !== cm.trainRows) throw new Error(`dataset ${cm.datasetCid}: ${dataset.train.count} training rows, the spec names ${cm.trainRows}`)
  return clientModelData(spec.datasetId, model, dataset, toHex(spec.datasetHash))
}

/** Whatever `spec` trains on: the built-in dataset by id, or the client's inputs by CID. */
export async function trainingInputsOf (helia: EvidenceStore, spec: wire.TrainingSpec, o: FetchInputsOptions = {}): Promise<TrainingData> {
  return spec.clientModel === undefined ? datasetOfSpec(spec) : await fetchClientInputs(helia, spec, o)
}
