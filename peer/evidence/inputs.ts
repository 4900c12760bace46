/**
 * The inputs a training spec names, as anyone re-running the job needs them: a built-in spec's
 * dataset by id (checked against its hash), or a client-model spec's ONNX file and dataset by CID
 * (fetched through the given Helia: from its own blockstore, or over bitswap from any peer that has
 * the blocks) and checked — the file's and the dataset's SHA-256 against the spec, the model against
 * the supported ops and the spec's batch-memory claim, the data against its limits and row count.
 *
 * Over the network a fetch that stalls (no chunk for `BLOCKS.stallMs`) is begun again: bitswap
 * loses a message now and then under load and never asks again by itself.
 *
 * The worker fetches a job's inputs with it before training, with the dataset's bytes pushed by
 * the client on the job stream (`pushedDataset`: the model and the dataset's manifest still come by
 * CID, and each 1 MiB block of the pushed bytes is checked against the manifest's CID as it
 * arrives — the same bytes bitswap would have fetched, at about four times its speed in the mesh
 * bench); a resumed client and a verifier (`cyx verify`, the client's spot check, a juror) fetch
 * everything by CID before re-executing.
 */
import type { PeerId } from '@libp2p/interface'
import { logger } from '@libp2p/logger'
import { CID } from 'multiformats/cid'
import { BLOCKS, MODEL_LIMITS, wire, toHex } from '../../protocols/index.js'
import {
  DatasetAssembler, EvidenceError, fetchBlob, fetchDataset, isEvidenceError, loadDatasetManifest, putDataset, type BlockAccess, type EvidenceStore, type TensorDataset
} from '../../storage/index.js'
import { assertModelSupported, checkDataset, clientModelData, type ClientModelData, type TrainingData } from '../train/index.js'
import { datasetOfSpec } from './common.js'

const log = logger('cyx:evidence:inputs')

export interface FetchInputsOptions {
  readonly signal?: AbortSignal
  /** Only this peer's blockstore (a client resuming its own job, a verifier with a local store). */
  readonly offline?: boolean
  readonly onProgress?: (what: 'model' | 'dataset', bytesDone: number, bytesTotal: number) => void
  /**
   * Over the network: when no chunk has arrived for this long, the fetch is begun again (what
   * arrived stays in the blockstore) until `signal` ends it (`BLOCKS.stallMs` says why). Default:
   * `BLOCKS.stallMs`; offline fetches never stall.
   */
  readonly stallMs?: number
  /** Told each time a stalled fetch begins again (attempt ≥ 2). */
  readonly onStall?: (attempt: number) => void
  /**
   * Peers known to hold the inputs (the worker's: the job's client). Each input is then fetched in
   * a bitswap session with them — want-lists to those peers only, no provider search per block —
   * which moved a dataset about 40 % faster than a plain fetch in the mesh bench. If the session
   * finds none of them holding the blocks, the fetch runs again the plain way (any connected peer).
   */
  readonly providers?: readonly PeerId[]
  /**
   * The dataset's bytes as the client streams them on the job stream (the worker's case): then
   * only the model and the dataset's manifest are fetched by CID, and the dataset is built from the
   * pushed bytes, each block checked against the manifest as it completes. A pushed stream that
   * breaks is not begun again here (the job session is).
   */
  readonly pushedDataset?: PushedDataset
}

/**
 * The client's dataset as it arrives on the job stream: `receive(bytes)` asks the client for it
 * and yields the bytes of its canonical encoding in order, in runs of any length, ending after the
 * client's end marker, which must name exactly `bytes` bytes (the job protocol's
 * `pushedDatasetOver` is the one implementation). Call it once. The bytes are not checked by the
 * source: `fetchClientInputs` checks them block by block against the dataset's manifest.
 */
export interface PushedDataset {
  receive: (bytes: number) => AsyncIterable<Uint8Array>
}

/** Raised inside an attempt that made no progress for `stallMs`. */
class StalledError extends Error {
  constructor (ms: number) { super(`no block arrived for ${ms} ms`) }
}

/**
 * Runs `run` until it settles without stalling: `run` calls `progressed` as it advances; an attempt
 * with no progress for `stallMs` is aborted through its signal and `run` starts again. Any other
 * failure, or `o.signal` ending, ends it (exported for its unit test).
 */
export async function retryStalled<T> (run: (signal: AbortSignal, progressed: () => void) => Promise<T>, o: { readonly stallMs: number, readonly signal?: AbortSignal, readonly onStall?: (attempt: number) => void }): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1) o.onStall?.(attempt)
    const stalled = new AbortController()
    let timer: NodeJS.Timeout | undefined
    const progressed = (): void => {
      clearTimeout(timer)
      timer = setTimeout(() => { stalled.abort(new StalledError(o.stallMs)) }, o.stallMs)
    }
    progressed()
    try {
      return await run(o.signal === undefined ? stalled.signal : AbortSignal.any([stalled.signal, o.signal]), progressed)
    } catch (e) {
      if (!stalled.signal.aborted || o.signal?.aborted === true) throw e
      log('attempt %d stalled (%s); wanting the rest again', attempt, (stalled.signal.reason as Error).message)
    } finally {
      clearTimeout(timer)
    }
  }
}

/**
 * The model and dataset a client-model spec names, fetched by CID and checked (see the header).
 * Throws with a message saying which input failed; a block nobody has is storage's NOT_FOUND
 * EvidenceError (`isEvidenceError(err, 'NOT_FOUND')`), so callers can tell "unavailable" from "bad".
 */
export async function fetchClientInputs (helia: EvidenceStore, spec: wire.TrainingSpec, o: FetchInputsOptions = {}): Promise<ClientModelData> {
  const cm = spec.clientModel
  if (cm === undefined) throw new Error('the spec trains a built-in model, not a client model')
  if (o.offline === true) return await fetchClientInputsOnce(helia, spec, cm, o, { offline: true, ...(o.signal === undefined ? {} : { signal: o.signal }) }, () => {})
  if (o.pushedDataset !== undefined) return await receiveClientInputs(helia, spec, cm, o.pushedDataset, o)
  const fetch = async (providers: readonly PeerId[]): Promise<ClientModelData> => await retryStalled(async (signal, progressed) => await fetchClientInputsOnce(helia, spec, cm, { ...o, providers }, { signal }, progressed), {
    stallMs: o.stallMs ?? BLOCKS.stallMs, ...(o.signal === undefined ? {} : { signal: o.signal }), ...(o.onStall === undefined ? {} : { onStall: o.onStall })
  })
  const providers = o.providers ?? []
  if (providers.length === 0) return await fetch([])
  try {
    return await fetch(providers)
  } catch (e) {
    if (!isEvidenceError(e, 'NOT_FOUND') || o.signal?.aborted === true) throw e
    log('the named providers do not hold the inputs (%s); fetching from any connected peer', e.message)
    return await fetch([])
  }
}

/**
 * Reads the input under `cid` with `read`: through a bitswap session with `providers` when there
 * are some (closed after), else through the node's blockstore.
 */
async function withBlocks<T> (helia: EvidenceStore, cid: string, providers: readonly PeerId[] | undefined, signal: AbortSignal | undefined, read: (blocks: BlockAccess, root: CID) => Promise<T>): Promise<T> {
  const root = CID.parse(cid)
  if (providers === undefined || providers.length === 0) return await read(helia.blockstore, root)
  const session = helia.blockstore.createSession(root, { providers: providers.map((p) => p.toCID()), ...(signal === undefined ? {} : { signal }) })
  try {
    return await read(session, root)
  } finally {
    session.close()
  }
}

async function fetchClientInputsOnce (helia: EvidenceStore, spec: wire.TrainingSpec, cm: wire.ClientModel, o: FetchInputsOptions, read: { signal?: AbortSignal, offline?: boolean }, progressed: () => void): Promise<ClientModelData> {
  const providers = read.offline === true ? undefined : o.providers
  const model = await fetchModel(helia, spec, cm, providers, read, progressed, o)
  const dataset = await withBlocks(helia, cm.datasetCid, providers, read.signal, async (blocks, root) => await fetchDataset(blocks, root, {
    ...read, expectedSha256: toHex(spec.datasetHash), onProgress: (d, t) => { progressed(); o.onProgress?.('dataset', d, t) }
  }))
  return clientInputs(spec, cm, model, dataset)
}

/** The client's model file by CID, checked against the spec (hash, supported ops, batch memory). */
async function fetchModel (helia: EvidenceStore, spec: wire.TrainingSpec, cm: wire.ClientModel, providers: readonly PeerId[] | undefined, read: { signal?: AbortSignal, offline?: boolean }, progressed: () => void, o: FetchInputsOptions): Promise<Uint8Array> {
  const model = await withBlocks(helia, cm.modelCid, providers, read.signal, async (blocks, root) => await fetchBlob(blocks, root, {
    ...read, expectedSha256: toHex(cm.modelHash), maxBytes: Math.min(MODEL_LIMITS.maxBytes, Number(cm.modelBytes)), onProgress: (d, t) => { progressed(); o.onProgress?.('model', d, t) }
  }))
  const report = assertModelSupported(model, `model ${cm.modelCid}`, { batch: spec.batchSize })
  // The spec's claim is what the worker bid on: a model that needs more than claimed is refused.
  if (BigInt(Math.round(report.memory.totalBytes)) > cm.batchMemoryBytes) throw new Error(`model ${cm.modelCid}: one batch needs ${Math.round(report.memory.totalBytes)} bytes, the spec claims ${cm.batchMemoryBytes}`)
  return model
}

/** The checks of the dataset against the spec that do not depend on where its bytes came from. */
function clientInputs (spec: wire.TrainingSpec, cm: wire.ClientModel, model: Uint8Array, dataset: TensorDataset): ClientModelData {
  checkDataset(dataset)
  if (BigInt(dataset.train.count) !== cm.trainRows) throw new Error(`dataset ${cm.datasetCid}: ${dataset.train.count} training rows, the spec names ${cm.trainRows}`)
  return clientModelData(spec.datasetId, model, dataset, toHex(spec.datasetHash))
}

/**
 * The worker's case (`o.pushedDataset`): the model and the dataset's manifest by CID (begun again
 * when they stall, like any fetch), then the dataset from the bytes the client pushes, checked
 * block by block against the manifest and as a whole against the spec's hash.
 */
async function receiveClientInputs (helia: EvidenceStore, spec: wire.TrainingSpec, cm: wire.ClientModel, pushed: PushedDataset, o: FetchInputsOptions): Promise<ClientModelData> {
  const retrying = async <T>(run: (signal: AbortSignal, progressed: () => void) => Promise<T>): Promise<T> => await retryStalled(run, {
    stallMs: o.stallMs ?? BLOCKS.stallMs, ...(o.signal === undefined ? {} : { signal: o.signal }), ...(o.onStall === undefined ? {} : { onStall: o.onStall })
  })
  // Both by CID at once (each a round trip or two to the client), the model checked before any dataset byte is asked for.
  const [model, manifest] = await Promise.all([
    retrying(async (signal, progressed) => await fetchModel(helia, spec, cm, o.providers, { signal }, progressed, o)),
    retrying(async (signal) => await withBlocks(helia, cm.datasetCid, o.providers, signal, async (blocks, root) => await loadDatasetManifest(blocks, root, { signal })))
  ])
  if (!wire.equalBytes(manifest.sha256, spec.datasetHash)) throw new EvidenceError('HASH_MISMATCH', `the manifest names a dataset with SHA-256 ${toHex(manifest.sha256)}, the spec ${toHex(spec.datasetHash)}`, 'dataset.sha256')
  const assembler = new DatasetAssembler(manifest, { verifyBlocks: true })
  for await (const run of pushed.receive(manifest.bytes)) {
    assembler.add(run)
    o.onProgress?.('dataset', assembler.bytesDone, manifest.bytes)
  }
  return clientInputs(spec, cm, model, assembler.finish())
}

/**
 * Stores a client model's dataset that arrived pushed (not fetched block by block into this peer's
 * blockstore), so that this peer serves the job's inputs by CID like the client: to jurors and the
 * client's checks, and to itself after a restart. The root it stores under must be the spec's.
 */
export async function storeClientDataset (helia: EvidenceStore, spec: wire.TrainingSpec, data: ClientModelData): Promise<void> {
  const cm = spec.clientModel
  if (cm === undefined) throw new Error('the spec trains a built-in model, not a client model')
  const ref = await putDataset(helia.blockstore, data.dataset)
  if (ref.root.toString() !== cm.datasetCid) throw new Error(`the dataset stored as ${ref.root.toString()}, the spec names ${cm.datasetCid}`)
  log('stored the pushed dataset %s (%d bytes)', cm.datasetCid, ref.bytes)
}

/** Whatever `spec` trains on: the built-in dataset by id, or the client's inputs by CID. */
export async function trainingInputsOf (helia: EvidenceStore, spec: wire.TrainingSpec, o: FetchInputsOptions = {}): Promise<TrainingData> {
  return spec.clientModel === undefined ? datasetOfSpec(spec) : await fetchClientInputs(helia, spec, o)
}
