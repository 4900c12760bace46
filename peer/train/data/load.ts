/**
 * `loadDataset(path, options)`: a client's files in, one checked `TensorDataset` out, whatever the
 * format. Each format reader (npz.ts, npy.ts, csv.ts, idx.ts, images.ts) decodes its files into
 * `RawArray`s; `assemble` below is the one place they become a dataset:
 *
 *   - x of shape [N, ...sampleShape] ([N] alone is [N, 1]). uint8 stays uint8 with normalize
 *     'unit' (x / 255 for the model) unless `options.normalize` says 'none'; float32 stays
 *     float32; float64 and every other numeric dtype are converted to float32 (normalize 'none';
 *     a float64 beyond float32's range becomes ±Inf and is refused by the checks).
 *   - y: integer dtypes → classification (int32 class indices, classCount = max label + 1 over
 *     both splits unless `options.classCount` is given); float dtypes → regression (float32,
 *     targetShape = y's shape without N, [1] for [N]). `options.task` overrides the choice
 *     (float labels used as classes must be whole numbers). [N, 1] class labels are accepted.
 *   - No test arrays: a seeded split, `testFraction` (default 0.2) of the rows, chosen by the
 *     project's PRNG (`prngStream(seed, 'dataset/split')`, seed default 0): the same files and
 *     options give the same split on every machine. Rows keep their file order within each split.
 *   - Then `checkDataset` (shapes, NaN/Inf, label range, limits) before the dataset is returned.
 *
 * Formats (detected from the path, or `options.format`): `.npz` (Keras x_train/y_train[/x_test/y_test]);
 * `.npy` with `options.labelsPath` (and optionally testPath/testLabelsPath); `.csv` with
 * `options.labelColumn` (default 'label'); IDX files (MNIST), a directory holding
 * train-images/train-labels[/t10k-images/t10k-labels] (…-idx?-ubyte, optionally .gz), or an images
 * file with `labelsPath`; a directory of class folders of PNG/JPEG images.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { logger } from '@libp2p/logger'
import { permutation, prngStream } from '../prng.js'
import { checkDataset } from './check.js'
import { parseCsv } from './csv.js'
import { DatasetError } from './errors.js'
import { hasFixedSplit, listClasses, readImageFolder } from './images.js'
import { parseIdx } from './idx.js'
import { parseNpy } from './npy.js'
import { parseNpz } from './npz.js'
import { datasetLimits, isIntegerDtype, product, type DatasetLimits, type DatasetTask, type Normalize, type RawArray, type TensorDataset, type TensorSplit } from './types.js'

const log = logger('cyx:train:data')

export type DatasetFormat = 'npz' | 'npy' | 'csv' | 'idx' | 'images'

export interface LoadDatasetOptions {
  /** Skip detection. */
  readonly format?: DatasetFormat
  /** The labels of `path` (.npy pairs, an IDX images file). */
  readonly labelsPath?: string
  /** A test split given as files (.npy, IDX, CSV): samples here, labels in testLabelsPath (not for CSV). */
  readonly testPath?: string
  readonly testLabelsPath?: string
  /** CSV: the label column's header (default 'label'). */
  readonly labelColumn?: string
  /** Share of rows held out for test when the files give no test split (default 0.2). */
  readonly testFraction?: number
  /** Seed of that split (default 0). */
  readonly seed?: number
  /** Override how x becomes float32 ('unit' only for uint8 samples). */
  readonly normalize?: Normalize
  /** Override the task the labels' dtype implies. */
  readonly task?: 'classification' | 'regression'
  /** Number of classes, when the labels do not reach the last one. */
  readonly classCount?: number
  /** Tighter (or, for tools, other) bounds than DATASET_LIMITS. */
  readonly limits?: Partial<DatasetLimits>
}

interface Parts {
  readonly xTrain: RawArray
  readonly yTrain: RawArray
  readonly xTest?: RawArray
  readonly yTest?: RawArray
  readonly classNames?: readonly string[]
  /** Images: add the channel dimension to IDX's [N, H, W]. */
  readonly addChannel?: boolean
}

// ---------------------------------------------------------------------------------- reading files

async function readBounded (path: string, limits: DatasetLimits, factor = 1): Promise<Uint8Array> {
  const s = await stat(path)
  // Compressed files are bounded again when inflated; this only stops reading an absurd file at all.
  if (s.size > limits.maxBytes * factor + 1024 * 1024) throw new DatasetError('TOO_LARGE', `${path}: ${s.size} bytes is over the dataset limit of ${limits.maxBytes} bytes`)
  return new Uint8Array(await readFile(path))
}

export async function detectFormat (path: string): Promise<DatasetFormat> {
  const s = await stat(path)
  if (s.isDirectory()) return (await findIdx(path)) !== null ? 'idx' : 'images'
  const name = basename(path).toLowerCase()
  if (name.endsWith('.npz')) return 'npz'
  if (name.endsWith('.npy')) return 'npy'
  if (name.endsWith('.csv')) return 'csv'
  if (/idx\d?-ubyte|\.idx\d?(\.gz)?$|-ubyte(\.gz)?$/.test(name)) return 'idx'
  throw new DatasetError('FORMAT', `${path}: unknown dataset format; expected .npz, .npy (with labelsPath), .csv, IDX files (…-idx3-ubyte[.gz]) or a folder of class folders of images`)
}

interface IdxFiles { trainImages: string, trainLabels: string, testImages?: string, testLabels?: string }

async function findIdx (dir: string): Promise<IdxFiles | null> {
  const names = await readdir(dir)
  const find = (set: RegExp, kind: 'images' | 'labels'): string | undefined => {
    const hits = names.filter((n) => set.test(n) && n.includes(kind) && /ubyte|\.idx/.test(n))
    if (hits.length > 1) throw new DatasetError('FORMAT', `${dir}: several IDX ${kind} files match (${hits.join(', ')}); keep one or pass explicit paths`)
    return hits[0] === undefined ? undefined : join(dir, hits[0])
  }
  const trainImages = find(/^train/, 'images')
  const trainLabels = find(/^train/, 'labels')
  if (trainImages === undefined && trainLabels === undefined) return null
  if (trainImages === undefined || trainLabels === undefined) throw new DatasetError('FORMAT', `${dir}: has IDX train ${trainImages === undefined ? 'labels but no train images' : 'images but no train labels'}`)
  const testImages = find(/^(t10k|test)/, 'images')
  const testLabels = find(/^(t10k|test)/, 'labels')
  if ((testImages === undefined) !== (testLabels === undefined)) throw new DatasetError('FORMAT', `${dir}: has IDX test ${testImages === undefined ? 'labels but no test images' : 'images but no test labels'}`)
  return testImages === undefined || testLabels === undefined ? { trainImages, trainLabels } : { trainImages, trainLabels, testImages, testLabels }
}

const need = (value: string | undefined, what: string): string => {
  if (value === undefined) throw new DatasetError('FORMAT', what)
  return value
}

async function readParts (path: string, format: DatasetFormat, o: LoadDatasetOptions, limits: DatasetLimits): Promise<Parts> {
  const pairOf = async (parse: (b: Uint8Array, n: string) => RawArray, factor: number, names: [string, string, string, string], files: { x: string, y: string, xTest?: string, yTest?: string }): Promise<Parts> => {
    if ((files.xTest === undefined) !== (files.yTest === undefined)) throw new DatasetError('FORMAT', 'testPath and testLabelsPath go together')
    const read = async (file: string, name: string): Promise<RawArray> => parse(await readBounded(file, limits, factor), `${name} (${file})`)
    const xTrain = await read(files.x, names[0])
    const yTrain = await read(files.y, names[1])
    if (files.xTest === undefined || files.yTest === undefined) return { xTrain, yTrain }
    return { xTrain, yTrain, xTest: await read(files.xTest, names[2]), yTest: await read(files.yTest, names[3]) }
  }
  const keras: [string, string, string, string] = ['x_train', 'y_train', 'x_test', 'y_test']
  switch (format) {
    case 'npz':
      return parseNpz(await readBounded(path, limits, 1), path, limits)
    case 'npy': {
      const y = need(o.labelsPath, `${path}: a .npy file holds one array; give its labels as labelsPath (--labels y.npy)`)
      return await pairOf((b, n) => parseNpy(b, n, limits), 1, keras, { x: path, y, xTest: o.testPath, yTest: o.testLabelsPath })
    }
    case 'idx': {
      const s = await stat(path)
      const found = s.isDirectory() ? await findIdx(path) : null
      if (s.isDirectory() && found === null) throw new DatasetError('FORMAT', `${path}: no IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, …)`)
      const files: IdxFiles = found ?? { trainImages: path, trainLabels: need(o.labelsPath, `${path}: give the IDX labels file as labelsPath`), testImages: o.testPath, testLabels: o.testLabelsPath }
      const parts = await pairOf((b, n) => parseIdx(b, n, limits), 1, keras, { x: files.trainImages, y: files.trainLabels, xTest: files.testImages, yTest: files.testLabels })
      return { ...parts, addChannel: parts.xTrain.shape.length === 3 }
    }
    case 'csv': {
      const column = o.labelColumn ?? 'label'
      const one = async (file: string, name: string): Promise<{ x: RawArray, y: RawArray, classNames?: readonly string[] }> =>
        parseCsv(new TextDecoder().decode(await readBounded(file, limits, 8)), `${name} ${file}`, column, limits)
      const train = await one(path, 'train')
      if (o.testPath === undefined) return { xTrain: train.x, yTrain: train.y, classNames: train.classNames }
      const test = await one(o.testPath, 'test')
      if ((train.classNames === undefined) !== (test.classNames === undefined)) throw new DatasetError('INVALID', `${path} and ${o.testPath}: one has text labels and the other numbers`)
      if (train.classNames !== undefined && test.classNames !== undefined) {
        // Text labels: index both splits by the union of names, so train and test agree.
        const names = [...new Set([...train.classNames, ...test.classNames])].sort()
        const remap = (y: RawArray, own: readonly string[]): RawArray => ({ ...y, data: Int32Array.from(y.data as Int32Array, (i) => names.indexOf(own[i] as string)) })
        return { xTrain: train.x, yTrain: remap(train.y, train.classNames), xTest: test.x, yTest: remap(test.y, test.classNames), classNames: names }
      }
      return { xTrain: train.x, yTrain: train.y, xTest: test.x, yTest: test.y }
    }
    case 'images': {
      if (await hasFixedSplit(path)) {
        const names = [...new Set([...await listClasses(join(path, 'train')), ...await listClasses(join(path, 'test'))])].sort()
        const train = await readImageFolder(join(path, 'train'), names, limits, 'train')
        const test = await readImageFolder(join(path, 'test'), names, limits, 'test')
        const [xTrain, xTest] = sameChannels(train.x, test.x)
        return { xTrain, yTrain: train.y, xTest, yTest: test.y, classNames: names }
      }
      const all = await readImageFolder(path, await listClasses(path), limits, 'images')
      return { xTrain: all.x, yTrain: all.y, classNames: all.classNames }
    }
  }
}

/** Gray [N,1,H,W] next to RGB [M,3,H,W]: the gray split is widened to three equal channels. */
function sameChannels (a: RawArray, b: RawArray): [RawArray, RawArray] {
  const widen = (r: RawArray): RawArray => {
    const [n, , h, w] = r.shape as [number, number, number, number]
    const out = new Uint8Array(n * 3 * h * w)
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) out.set((r.data as Uint8Array).subarray(i * h * w, (i + 1) * h * w), (i * 3 + c) * h * w)
    return { ...r, shape: [n, 3, h, w], data: out }
  }
  if (a.shape[1] === b.shape[1]) return [a, b]
  return a.shape[1] === 1 ? [widen(a), b] : [a, widen(b)]
}

// ------------------------------------------------------------------------------------ assembling

const toNumber = (v: number | bigint): number => (typeof v === 'bigint' ? Number(v) : v)

/** x as the dataset stores it: uint8 kept, everything else float32. */
function samplesOf (x: RawArray): Uint8Array | Float32Array {
  if (x.dtype === 'uint8') return x.data as Uint8Array
  if (x.dtype === 'float32') return x.data as Float32Array
  const out = new Float32Array(x.data.length)
  const src = x.data
  if (src instanceof BigInt64Array || src instanceof BigUint64Array) for (let i = 0; i < src.length; i++) out[i] = Number(src[i] as bigint)
  else out.set(src)
  return out
}

function labelsOf (y: RawArray, kind: DatasetTask['kind']): Int32Array | Float32Array {
  if (kind === 'regression') {
    if (y.dtype === 'float32') return y.data as Float32Array
    const out = new Float32Array(y.data.length)
    for (let i = 0; i < y.data.length; i++) out[i] = toNumber(y.data[i] as number | bigint)
    return out
  }
  if (y.dtype === 'int32') return y.data as Int32Array
  const out = new Int32Array(y.data.length)
  for (let r = 0; r < y.data.length; r++) {
    const v = toNumber(y.data[r] as number | bigint)
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
      throw new DatasetError('INVALID', `${y.name} row ${r}: label ${String(y.data[r])} is not a class index (a non-negative integer)${isIntegerDtype(y.dtype) ? '' : '; float labels mean regression unless every one is a whole number'}`)
    }
    out[r] = v
  }
  return out
}

function rowsOf (a: RawArray): number {
  return a.shape[0] as number
}

function assemble (parts: Parts, o: LoadDatasetOptions, limits: DatasetLimits): TensorDataset {
  const { xTrain, yTrain, xTest, yTest } = parts
  for (const [x, y] of [[xTrain, yTrain], [xTest, yTest]] as const) {
    if (x === undefined || y === undefined) continue
    if (rowsOf(x) !== rowsOf(y)) throw new DatasetError('INVALID', `${x.name} has ${rowsOf(x)} rows but ${y.name} has ${rowsOf(y)}: the counts must match`)
  }
  const shapeOf = (x: RawArray): number[] => {
    const rest = x.shape.slice(1)
    if (parts.addChannel === true) return [1, ...rest]
    return rest.length === 0 ? [1] : [...rest]
  }
  const sampleShape = shapeOf(xTrain)
  if (xTest !== undefined && JSON.stringify(shapeOf(xTest)) !== JSON.stringify(sampleShape)) {
    throw new DatasetError('INVALID', `${xTest.name} has samples of ${JSON.stringify(shapeOf(xTest))}, ${xTrain.name} of ${JSON.stringify(sampleShape)}: they must be the same`)
  }
  if (product(sampleShape) > limits.maxSampleSize) throw new DatasetError('TOO_LARGE', `${xTrain.name}: samples of ${JSON.stringify(sampleShape)} are ${product(sampleShape)} values (at most ${limits.maxSampleSize})`)
  if (xTest !== undefined && xTest.dtype !== xTrain.dtype && (xTest.dtype === 'uint8' || xTrain.dtype === 'uint8')) {
    throw new DatasetError('INVALID', `${xTrain.name} is ${xTrain.dtype} but ${xTest.name} is ${xTest.dtype}: give both splits one dtype`)
  }
  const rows = rowsOf(xTrain) + (xTest === undefined ? 0 : rowsOf(xTest))
  if (rows > limits.maxRows) throw new DatasetError('TOO_LARGE', `${rows} rows is over the limit of ${limits.maxRows}`)

  const kind: DatasetTask['kind'] = o.task ?? (isIntegerDtype(yTrain.dtype) ? 'classification' : 'regression')
  const targetOf = (y: RawArray): number[] => {
    const rest = y.shape.slice(1)
    if (kind === 'classification') {
      if (rest.length > 1 || (rest.length === 1 && rest[0] !== 1)) throw new DatasetError('INVALID', `${y.name} has shape ${JSON.stringify(y.shape)}; class labels are [N] or [N, 1] (one-hot labels: take argmax first)`)
      return [1]
    }
    return rest.length === 0 ? [1] : [...rest]
  }
  const targetShape = targetOf(yTrain)
  if (yTest !== undefined && JSON.stringify(targetOf(yTest)) !== JSON.stringify(targetShape)) throw new DatasetError('INVALID', `${yTest.name} has targets of ${JSON.stringify(targetOf(yTest))}, ${yTrain.name} of ${JSON.stringify(targetShape)}`)

  const dtype = xTrain.dtype === 'uint8' ? 'uint8' : 'float32'
  const normalize: Normalize = o.normalize ?? (dtype === 'uint8' ? 'unit' : 'none')
  if (normalize === 'unit' && dtype !== 'uint8') throw new DatasetError('INVALID', `normalize 'unit' divides uint8 samples by 255; ${xTrain.name} is ${xTrain.dtype} (stored as float32): use 'none'`)

  let train: TensorSplit = { count: rowsOf(xTrain), x: samplesOf(xTrain), y: labelsOf(yTrain, kind) }
  let test: TensorSplit
  if (xTest !== undefined && yTest !== undefined) {
    test = { count: rowsOf(xTest), x: samplesOf(xTest), y: labelsOf(yTest, kind) }
  } else {
    [train, test] = seededSplit(train, product(sampleShape), kind === 'classification' ? 1 : product(targetShape), o.testFraction ?? 0.2, o.seed ?? 0)
  }

  let task: DatasetTask
  if (kind === 'classification') {
    let max = -1
    for (const y of [train.y, test.y]) for (let i = 0; i < y.length; i++) max = Math.max(max, y[i] as number)
    const classCount = o.classCount ?? parts.classNames?.length ?? max + 1
    task = parts.classNames === undefined ? { kind, classCount } : { kind, classCount, classNames: parts.classNames }
  } else {
    task = { kind, targetShape }
  }
  const ds: TensorDataset = { sampleShape, dtype, normalize, task, train, test }
  checkDataset(ds, limits)
  return ds
}

/** Splits one set of rows into train and test by a seeded permutation; each side keeps file order. */
export function seededSplit (all: TensorSplit, sampleSize: number, targetSize: number, testFraction: number, seed: number): [TensorSplit, TensorSplit] {
  if (!(testFraction > 0 && testFraction < 1)) throw new DatasetError('INVALID', `testFraction ${testFraction}: expected a number between 0 and 1`)
  if (!Number.isSafeInteger(seed) || seed < 0) throw new DatasetError('INVALID', `seed ${seed}: expected a non-negative integer`)
  const n = all.count
  const testCount = Math.round(n * testFraction)
  if (testCount < 1 || testCount >= n) throw new DatasetError('INVALID', `${n} rows with testFraction ${testFraction} leave ${testCount === 0 ? 'an empty test split' : 'an empty train split'}: give more rows, another testFraction, or test arrays`)
  const order = permutation(n, prngStream(seed, 'dataset/split'))
  const testRows = order.subarray(0, testCount).slice().sort()
  const trainRows = order.subarray(testCount).slice().sort()
  const take = (rows: Uint32Array): TensorSplit => {
    const x = new (all.x.constructor as Uint8ArrayConstructor | Float32ArrayConstructor)(rows.length * sampleSize)
    const y = new (all.y.constructor as Int32ArrayConstructor | Float32ArrayConstructor)(rows.length * targetSize)
    rows.forEach((r, i) => {
      x.set(all.x.subarray(r * sampleSize, (r + 1) * sampleSize), i * sampleSize)
      y.set(all.y.subarray(r * targetSize, (r + 1) * targetSize), i * targetSize)
    })
    return { count: rows.length, x, y }
  }
  return [take(trainRows), take(testRows)]
}

/** Reads, converts and checks a client's dataset (see the module header for every rule). */
export async function loadDataset (path: string, options: LoadDatasetOptions = {}): Promise<TensorDataset> {
  const limits = datasetLimits(options.limits)
  const format = options.format ?? await detectFormat(path)
  const ds = assemble(await readParts(path, format, options, limits), options, limits)
  log('loaded %s (%s): %s %s, train %d, test %d', path, format, ds.dtype, JSON.stringify(ds.sampleShape), ds.train.count, ds.test.count)
  return ds
}
