/**
 * The one in-memory shape of a client's dataset, and the helpers the trainer reads it through.
 *
 * `TensorDataset` itself is defined in storage/dataset.ts (storage sits below peer, and the
 * content-addressed form must name exactly this shape); it is re-exported here so the training
 * code has one place to import it from. Summary:
 *   - `x`: count × prod(sampleShape) values, row-major, in `dtype` ('uint8' or 'float32');
 *   - `normalize`: how x becomes float32 for the model: 'unit' = uint8 / 255, 'none' = a plain cast;
 *   - `y`: Int32Array of class indices (classification) or Float32Array of count × prod(targetShape)
 *     values (regression).
 *
 * Also here: the intermediate `RawArray` every format reader produces (a typed array with its
 * NumPy-style dtype and shape), which load.ts turns into a TensorDataset in one place.
 */
import { DATASET_LIMITS } from '../../../protocols/index.js'
import type { TensorDataset, TensorSplit } from '../../../storage/index.js'
import { DatasetError } from './errors.js'

export type { TensorDataset, TensorSplit, SampleDtype, TargetDtype, Normalize, DatasetTask } from '../../../storage/index.js'

/** The bounds a dataset is checked against (DATASET_LIMITS by default; tests and workers may tighten them). */
export type DatasetLimits = { readonly [K in keyof typeof DATASET_LIMITS]: number }

export function datasetLimits (overrides?: Partial<DatasetLimits>): DatasetLimits {
  return { ...DATASET_LIMITS, ...overrides }
}

/** Element types the readers decode (NumPy names). */
export type RawDtype = 'bool' | 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'int64' | 'uint64' | 'float32' | 'float64'

export type RawData = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | BigInt64Array | BigUint64Array | Float32Array | Float64Array

/** One decoded array of a file, before it becomes part of a dataset. `name` is what errors call it (e.g. "x_train"). */
export interface RawArray {
  readonly name: string
  readonly dtype: RawDtype
  /** C order; shape[0] is the row count. */
  readonly shape: readonly number[]
  readonly data: RawData
}

export const isIntegerDtype = (d: RawDtype): boolean => d !== 'float32' && d !== 'float64'

export const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

/** Values in one sample. */
export function sampleSize (ds: Pick<TensorDataset, 'sampleShape'>): number {
  return product(ds.sampleShape)
}

/** Values in one row of y: 1 (a class index) or prod(targetShape). */
export function targetSize (ds: Pick<TensorDataset, 'task'>): number {
  return ds.task.kind === 'classification' ? 1 : product(ds.task.targetShape)
}

function splitOf (ds: TensorDataset, split: 'train' | 'test'): TensorSplit {
  return split === 'train' ? ds.train : ds.test
}

/**
 * Gathers `rows` of a split's x into `out` (rows.length × sampleSize) as float32, applying the
 * dataset's normalization ('unit': uint8 / 255). The trainer's batch assembly.
 */
export function copyRowsAsFloat32 (ds: TensorDataset, split: 'train' | 'test', rows: Uint32Array, out: Float32Array): void {
  const s = splitOf(ds, split)
  const size = sampleSize(ds)
  if (out.length < rows.length * size) throw new RangeError(`copyRowsAsFloat32: out holds ${out.length} values, ${rows.length} rows of ${size} need ${rows.length * size}`)
  const scale = ds.normalize === 'unit' ? 1 / 255 : 1
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as number
    if (r >= s.count) throw new RangeError(`copyRowsAsFloat32: row ${r} of ${split} (it has ${s.count})`)
    const src = s.x.subarray(r * size, (r + 1) * size)
    const at = i * size
    if (scale === 1) out.set(src, at)
    else for (let j = 0; j < size; j++) out[at + j] = (src[j] as number) * scale
  }
}

/**
 * Gathers `rows` of a split's y into `out`: class indices into an Int32Array (classification) or
 * rows.length × prod(targetShape) values into a Float32Array (regression).
 */
export function copyTargets (ds: TensorDataset, split: 'train' | 'test', rows: Uint32Array, out: Int32Array | Float32Array): void {
  const s = splitOf(ds, split)
  const size = targetSize(ds)
  const want = ds.task.kind === 'classification' ? Int32Array : Float32Array
  if (!(out instanceof want)) throw new TypeError(`copyTargets: a ${ds.task.kind} dataset's targets go into a ${want.name}`)
  if (out.length < rows.length * size) throw new RangeError(`copyTargets: out holds ${out.length} values, ${rows.length} rows of ${size} need ${rows.length * size}`)
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as number
    if (r >= s.count) throw new RangeError(`copyTargets: row ${r} of ${split} (it has ${s.count})`)
    out.set(s.y.subarray(r * size, (r + 1) * size), i * size)
  }
}

/** Throws TOO_LARGE unless `bytes` fit the limit; `what` names the array or file. */
export function assertWithinBytes (bytes: number, limits: DatasetLimits, what: string): void {
  if (bytes > limits.maxBytes) throw new DatasetError('TOO_LARGE', `${what}: ${bytes} bytes is over the dataset limit of ${limits.maxBytes} bytes`)
}
