/**
 * The data folder's door: a client's dataset loaded from its files (npz, npy, CSV, IDX, image
 * folders), checked, and the one shape the trainer and storage/dataset.ts share.
 */
export { loadDataset, detectFormat, seededSplit } from './load.js'
export type { LoadDatasetOptions, DatasetFormat } from './load.js'
export { checkDataset, checkDatasetForModel } from './check.js'
export type { ModelTensorShape } from './check.js'
export { DatasetError, isDatasetError } from './errors.js'
export type { DatasetErrorCode } from './errors.js'
export { sampleSize, targetSize, copyRowsAsFloat32, copyTargets, datasetLimits } from './types.js'
export type { TensorDataset, TensorSplit, SampleDtype, TargetDtype, Normalize, DatasetTask, DatasetLimits, RawArray, RawDtype } from './types.js'
export { parseNpy, encodeNpy } from './npy.js'
export { parseNpz } from './npz.js'
export { parseIdx, encodeIdxUint8 } from './idx.js'
