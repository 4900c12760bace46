// Bring your own model: what a job on a client's ONNX model trains on, and how the training loop
// reads it. The built-in jobs train the project's MLP on a `Dataset` (datasets/); a client-model job
// trains the client's ONNX file on the client's `TensorDataset` (data/). The trainer and the evidence
// code take either as `TrainingData`; both expose `id`, `contentHash` and the split row counts, which
// is all the schedule and the evidence need.
//
// Batches: the rows a step reads (schedule.ts) are gathered as float32 features (the dataset's
// normalisation applied) and int32 class labels (ce) or float32 targets (mse). Evaluation runs the
// test split in fixed chunks of EVAL_CHUNK_ROWS rows, so memory stays bounded for large test sets and
// the sums are the same bits on every run.
import { createHash } from 'node:crypto'
import { copyRowsAsFloat32, copyTargets, sampleSize, targetSize, type TensorDataset } from './data/types.js'
import type { Dataset } from './datasets/index.js'
import type { Batch } from './engine.js'

/** A client's model file and dataset, as a worker fetched them (both already checked against the spec's hashes). */
export interface ClientModelData {
  readonly kind: 'client-model'
  /** The spec's dataset id (a label; the hashes name the bytes). */
  readonly id: string
  /** SHA-256 hex of the dataset's canonical encoding (storage/dataset.ts): the spec's dataset hash. */
  readonly contentHash: string
  /** The client's ONNX file, byte for byte. */
  readonly model: Uint8Array
  readonly dataset: TensorDataset
  readonly train: { readonly count: number }
  readonly test: { readonly count: number }
}

/** What a job trains on: a built-in dataset (the MLP) or a client's model and data. */
export type TrainingData = Dataset | ClientModelData

export const isClientModelData = (d: TrainingData): d is ClientModelData => (d as ClientModelData).kind === 'client-model'

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** Bundle a model file and a dataset whose canonical SHA-256 is `contentHash` (from putDataset/fetchDataset). */
export function clientModelData (id: string, model: Uint8Array, dataset: TensorDataset, contentHash: string): ClientModelData {
  return { kind: 'client-model', id, contentHash: contentHash.toLowerCase(), model, dataset, train: { count: dataset.train.count }, test: { count: dataset.test.count } }
}

/** Test rows evaluated per engine call. */
export const EVAL_CHUNK_ROWS = 256

/** Gathers a step's rows of a TensorDataset into reusable buffers (one set per batch length). */
export class TensorBatches {
  private readonly buffers = new Map<number, Batch>()
  private readonly size: number
  private readonly targetWidth: number

  constructor (private readonly ds: TensorDataset) {
    this.size = sampleSize(ds)
    this.targetWidth = targetSize(ds)
  }

  private buffer (rows: number, fresh: boolean): Batch {
    const kept = fresh ? undefined : this.buffers.get(rows)
    if (kept !== undefined) return kept
    const classification = this.ds.task.kind === 'classification'
    const b: Batch = {
      rows,
      features: new Float32Array(rows * this.size),
      targets: classification ? new Float32Array(0) : new Float32Array(rows * this.targetWidth),
      labels: classification ? new Int32Array(rows) : new Int32Array(0)
    }
    if (!fresh) this.buffers.set(rows, b)
    return b
  }

  /** The batch of `rows` of `split` (reused buffers for the train split, fresh ones otherwise). */
  assemble (rows: Uint32Array, split: 'train' | 'test' = 'train'): Batch {
    const b = this.buffer(rows.length, split !== 'train')
    copyRowsAsFloat32(this.ds, split, rows, b.features)
    copyTargets(this.ds, split, rows, this.ds.task.kind === 'classification' ? b.labels as Int32Array : b.targets)
    return b
  }

  /** The test split in chunks of EVAL_CHUNK_ROWS rows, in order. */
  * testChunks (): Generator<Batch> {
    const n = this.ds.test.count
    for (let start = 0; start < n; start += EVAL_CHUNK_ROWS) {
      const rows = Uint32Array.from({ length: Math.min(EVAL_CHUNK_ROWS, n - start) }, (_, i) => start + i)
      yield this.assemble(rows, 'test')
    }
  }
}
