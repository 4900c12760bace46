/**
 * Checks a dataset before anything is spent on it: before it is published, before a job is
 * announced, and by a worker after fetching it. `checkDataset` is the dataset's own consistency
 * (shapes, dtypes, counts, NaN/Inf, label range, empty splits, DATASET_LIMITS); `checkDatasetForModel`
 * is its fit to a model's input, output and loss. Both throw a DatasetError whose message names
 * the array and row, or says what to change.
 */
import { DatasetError } from './errors.js'
import { datasetLimits, product, sampleSize, targetSize, type DatasetLimits, type TensorDataset, type TensorSplit } from './types.js'

const invalid = (message: string): never => { throw new DatasetError('INVALID', message) }
const tooLarge = (message: string): never => { throw new DatasetError('TOO_LARGE', message) }

function checkShape (shape: readonly number[], what: string, maxValues: number, limits: DatasetLimits): void {
  if (shape.length === 0) invalid(`${what} is empty: a sample needs at least one dimension`)
  if (shape.length > limits.maxRank) tooLarge(`${what} ${JSON.stringify(shape)} has ${shape.length} dimensions (at most ${limits.maxRank})`)
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 1)) invalid(`${what} ${JSON.stringify(shape)}: every dimension must be a positive integer`)
  if (product(shape) > maxValues) tooLarge(`${what} ${JSON.stringify(shape)} is ${product(shape)} values (at most ${maxValues})`)
}

/** The first non-finite value of `a`, as "row r, value v" of rows of `rowSize`. */
function firstNonFinite (a: Float32Array, rowSize: number): string | null {
  for (let i = 0; i < a.length; i++) {
    const v = a[i] as number
    if (!Number.isFinite(v)) return `row ${Math.floor(i / rowSize)} (value ${i % rowSize} of the row) is ${String(v)}`
  }
  return null
}

function checkSplit (ds: TensorDataset, name: 'train' | 'test', split: TensorSplit): void {
  const size = sampleSize(ds)
  const tsize = targetSize(ds)
  if (!Number.isSafeInteger(split.count) || split.count < 0) invalid(`${name} split: count ${split.count} is not a row count`)
  if (split.count === 0) invalid(`${name} split is empty: it needs at least one row`)
  const xType = ds.dtype === 'uint8' ? Uint8Array : Float32Array
  if (!(split.x instanceof xType)) invalid(`x_${name} is a ${split.x.constructor.name}, but the dataset's dtype ${ds.dtype} needs a ${xType.name}`)
  if (split.x.length !== split.count * size) invalid(`x_${name} has ${split.x.length} values, but ${split.count} rows of ${JSON.stringify(ds.sampleShape)} need ${split.count * size}`)
  const yType = ds.task.kind === 'classification' ? Int32Array : Float32Array
  if (!(split.y instanceof yType)) invalid(`y_${name} is a ${split.y.constructor.name}, but a ${ds.task.kind} task needs an ${yType.name}`)
  if (split.y.length !== split.count * tsize) invalid(`y_${name} has ${split.y.length} values for ${split.count} rows of x_${name}: the counts differ (each row needs ${tsize})`)
  if (split.x instanceof Float32Array) {
    const bad = firstNonFinite(split.x, size)
    if (bad !== null) invalid(`x_${name} ${bad}: NaN and ±Inf are not allowed`)
  }
  if (ds.task.kind === 'classification') {
    const classCount = ds.task.classCount
    const y = split.y
    for (let r = 0; r < y.length; r++) {
      const v = y[r] as number
      if (v < 0 || v >= classCount) invalid(`y_${name} row ${r} is class ${v}, outside 0..${classCount - 1} (classCount ${classCount}): fix the label or raise classCount`)
    }
  } else {
    const bad = firstNonFinite(split.y as Float32Array, tsize)
    if (bad !== null) invalid(`y_${name} ${bad}: NaN and ±Inf are not allowed`)
  }
}

/** Throws a DatasetError unless `ds` is consistent and within `limits` (DATASET_LIMITS by default). */
export function checkDataset (ds: TensorDataset, overrides?: Partial<DatasetLimits>): void {
  const limits = datasetLimits(overrides)
  checkShape(ds.sampleShape, 'sampleShape', limits.maxSampleSize, limits)
  if (ds.dtype !== 'uint8' && ds.dtype !== 'float32') invalid(`dtype ${String(ds.dtype)}: only uint8 and float32 samples are stored`)
  if (ds.normalize !== 'unit' && ds.normalize !== 'none') invalid(`normalize ${String(ds.normalize)}: expected 'unit' or 'none'`)
  if (ds.normalize === 'unit' && ds.dtype !== 'uint8') invalid("normalize 'unit' divides uint8 samples by 255; float32 samples need normalize 'none'")
  if (ds.task.kind === 'classification') {
    const { classCount, classNames } = ds.task
    if (!Number.isSafeInteger(classCount) || classCount < 1) invalid(`classCount ${classCount}: expected a positive integer`)
    if (classCount > limits.maxClasses) tooLarge(`classCount ${classCount} (at most ${limits.maxClasses})`)
    if (classNames !== undefined) {
      if (classNames.length !== classCount) invalid(`${classNames.length} class names for ${classCount} classes`)
      if (new Set(classNames).size !== classNames.length) invalid('class names must be distinct')
      const long = classNames.find((n) => n.length === 0 || n.length > limits.maxClassNameChars)
      if (long !== undefined) invalid(`class name ${JSON.stringify(long.slice(0, 40))}: names are 1..${limits.maxClassNameChars} characters`)
      if (classNames.reduce((a, n) => a + n.length, 0) > limits.maxClassNamesTotalChars) tooLarge(`class names total over ${limits.maxClassNamesTotalChars} characters`)
    }
  } else if (ds.task.kind === 'regression') {
    checkShape(ds.task.targetShape, 'targetShape', limits.maxTargetSize, limits)
  } else {
    invalid(`task kind ${String((ds.task as { kind: unknown }).kind)}: expected classification or regression`)
  }
  const rows = ds.train.count + ds.test.count
  if (rows > limits.maxRows) tooLarge(`${rows} rows (train ${ds.train.count} + test ${ds.test.count}) is over the limit of ${limits.maxRows}`)
  const bytes = rows * (sampleSize(ds) * (ds.dtype === 'uint8' ? 1 : 4) + targetSize(ds) * 4)
  if (bytes > limits.maxBytes) tooLarge(`the dataset is ${bytes} bytes, over the limit of ${limits.maxBytes}`)
  checkSplit(ds, 'train', ds.train)
  checkSplit(ds, 'test', ds.test)
}

/** A model tensor's shape as ONNX declares it: numbers, or a symbolic name / null for a free dimension. */
export interface ModelTensorShape { readonly shape: ReadonlyArray<number | string | null> }

const fmt = (shape: ReadonlyArray<number | string | null>): string => `[${shape.map((d) => (typeof d === 'number' ? String(d) : d === null ? '?' : d)).join(', ')}]`
const mismatch = (message: string): never => { throw new DatasetError('MODEL_MISMATCH', message) }

/** True when a declared shape (free dims match anything) accepts `actual`. */
function accepts (declared: ReadonlyArray<number | string | null>, actual: readonly number[]): boolean {
  return declared.length === actual.length && declared.every((d, k) => typeof d !== 'number' || d === actual[k])
}

/**
 * Throws a DatasetError (MODEL_MISMATCH) unless `ds` fits a model with this input and output and
 * loss: the sample shape is the input's shape without its batch dimension; with 'ce' the task is
 * classification and the output's class dimension is at least classCount; with 'mse' the task is
 * regression and the output without its batch dimension is the target shape.
 */
export function checkDatasetForModel (ds: TensorDataset, modelInput: ModelTensorShape, modelOutput: ModelTensorShape, loss: 'ce' | 'mse'): void {
  const input = modelInput.shape
  if (input.length < 2) mismatch(`the model input ${fmt(input)} has no batch dimension: expected [batch, ...sample shape]`)
  const perSample = input.slice(1)
  if (!accepts(perSample, ds.sampleShape)) {
    const flat = perSample.length === 1 && typeof perSample[0] === 'number' && perSample[0] === sampleSize(ds)
    mismatch(`the model takes samples of ${fmt(perSample)} (input ${fmt(input)} without the batch dimension), the dataset's samples are ${fmt(ds.sampleShape)}: ` +
      (flat ? `flatten the dataset's samples to [${sampleSize(ds)}] or give the model an input of [batch, ${ds.sampleShape.join(', ')}]` : 'reshape the dataset or change the model\'s input'))
  }
  const output = modelOutput.shape
  if (output.length < 1) mismatch(`the model output ${fmt(output)} has no batch dimension`)
  if (loss === 'ce') {
    if (ds.task.kind !== 'classification') return mismatch(`cross-entropy ('ce') needs class labels, but the dataset has regression targets of ${fmt(ds.task.targetShape)}: use 'mse', or integer labels`)
    if (output.length !== 2) mismatch(`with 'ce' the model output must be [batch, classes], it is ${fmt(output)}`)
    const classes = output[1]
    if (typeof classes === 'number' && classes < ds.task.classCount) {
      mismatch(`the model outputs ${classes} classes, the dataset has ${ds.task.classCount} (labels 0..${ds.task.classCount - 1}): give the model's last layer at least ${ds.task.classCount} outputs`)
    }
    return
  }
  if (ds.task.kind !== 'regression') return mismatch(`mean squared error ('mse') needs regression targets, but the dataset has ${ds.task.classCount} classes: use 'ce', or float targets`)
  const perRow = output.slice(1)
  if (!accepts(perRow, ds.task.targetShape)) {
    mismatch(`the model outputs ${fmt(perRow)} per sample (output ${fmt(output)} without the batch dimension), the dataset's targets are ${fmt(ds.task.targetShape)}: make them the same shape`)
  }
}
