// A labelled classification dataset as the training loop sees it, and its content hash.
//
// Canonical encoding hashed by `datasetContentHash` (SHA-256, lowercase hex):
//   "cyxwiz/dataset/v1" ‖ 0x00
//   ‖ u32 LE featureCount ‖ u32 LE classCount ‖ u32 LE trainCount ‖ u32 LE testCount
//   ‖ train features (trainCount × featureCount float32 LE, row-major) ‖ train labels (u8 each)
//   ‖ test features (float32 LE) ‖ test labels (u8)
// The id is deliberately not hashed: the hash names the bytes, the id only says where they came from.
import { createHash } from 'node:crypto'
import { endianness } from 'node:os'

export interface DatasetSplit {
  readonly count: number
  /** count × featureCount, row-major. */
  readonly features: Float32Array
  /** Class index of each row, in [0, classCount). */
  readonly labels: Uint8Array
}

export interface Dataset {
  readonly id: string
  readonly featureCount: number
  readonly classCount: number
  readonly train: DatasetSplit
  readonly test: DatasetSplit
  /** SHA-256 hex of the canonical encoding above. */
  readonly contentHash: string
}

export function validateSplit(split: DatasetSplit, featureCount: number, classCount: number, name: string): void {
  if (split.features.length !== split.count * featureCount) throw new Error(`${name}: ${split.features.length} feature values for ${split.count} rows of ${featureCount}`)
  if (split.labels.length !== split.count) throw new Error(`${name}: ${split.labels.length} labels for ${split.count} rows`)
  for (const label of split.labels) if (label >= classCount) throw new Error(`${name}: label ${label} outside ${classCount} classes`)
}

function float32LittleEndian(values: Float32Array): Uint8Array {
  if (endianness() === 'LE') return new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
  const out = new Uint8Array(values.byteLength)
  const view = new DataView(out.buffer)
  values.forEach((v, i) => view.setFloat32(i * 4, v, true))
  return out
}

export function datasetContentHash(d: Omit<Dataset, 'contentHash' | 'id'>): string {
  validateSplit(d.train, d.featureCount, d.classCount, 'train')
  validateSplit(d.test, d.featureCount, d.classCount, 'test')
  const header = Buffer.alloc(16)
  header.writeUInt32LE(d.featureCount, 0)
  header.writeUInt32LE(d.classCount, 4)
  header.writeUInt32LE(d.train.count, 8)
  header.writeUInt32LE(d.test.count, 12)
  return createHash('sha256')
    .update('cyxwiz/dataset/v1\0')
    .update(header)
    .update(float32LittleEndian(d.train.features))
    .update(d.train.labels)
    .update(float32LittleEndian(d.test.features))
    .update(d.test.labels)
    .digest('hex')
}

export function makeDataset(id: string, d: Omit<Dataset, 'contentHash' | 'id'>): Dataset {
  return { id, ...d, contentHash: datasetContentHash(d) }
}

/** Refuse a dataset whose bytes are not the ones the job spec names. */
export function assertDatasetHash(dataset: Dataset, expectedHash: string): void {
  const actual = datasetContentHash(dataset)
  if (actual !== expectedHash.toLowerCase()) {
    throw new DatasetHashMismatchError(dataset.id, expectedHash, actual)
  }
}

export class DatasetHashMismatchError extends Error {
  constructor(readonly datasetId: string, readonly expected: string, readonly actual: string) {
    super(`dataset ${datasetId}: content hash ${actual} does not match the spec's ${expected}`)
    this.name = 'DatasetHashMismatchError'
  }
}
