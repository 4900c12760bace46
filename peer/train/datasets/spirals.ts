// A seeded synthetic classification set for fast tests: K interleaved 2-D spiral arms (the CS231n
// construction) embedded in D dimensions by a fixed random linear map, plus uniform noise.
//
// Generation, for the stream rng = prngStream(seed, "spirals"), in this order:
//   1. Embedding E (D × 2), row-major: E[d][j] = 2u − 1.
//   2. Training rows, then test rows; within each, class k = 0..K−1, point i = 0..n−1:
//        t = i / n,  r = t,  θ = 4t + 2πk/K + 0.2·(2u − 1)
//        p = (r·sin θ, r·cos θ);  feature d = E[d]·p + 0.05·(2u − 1)   (one u per feature)
//   Values are rounded to float32. sin/cos are the engine's (V8 uses fdlibm ports, software-exact);
//   the content hash guards against an engine that computes other bits: the load is then refused.
import { makeDataset, type Dataset, type DatasetSplit } from './dataset.js'
import { prngStream, type Xoshiro128StarStar } from '../prng.js'

export interface SpiralsParams {
  readonly seed: number
  readonly dimensions: number
  readonly classes: number
  readonly trainPerClass: number
  readonly testPerClass: number
}

/** The `spirals` dataset id names exactly these parameters. */
export const SPIRALS_DEFAULT: SpiralsParams = { seed: 1, dimensions: 16, classes: 3, trainPerClass: 600, testPerClass: 200 }

function generateSplit(rng: Xoshiro128StarStar, embedding: Float64Array, p: SpiralsParams, perClass: number): DatasetSplit {
  const count = perClass * p.classes
  const features = new Float32Array(count * p.dimensions)
  const labels = new Uint8Array(count)
  let row = 0
  for (let k = 0; k < p.classes; k++) {
    for (let i = 0; i < perClass; i++) {
      const t = i / perClass
      const theta = 4 * t + (2 * Math.PI * k) / p.classes + 0.2 * (2 * rng.nextUnit() - 1)
      const px = t * Math.sin(theta)
      const py = t * Math.cos(theta)
      for (let d = 0; d < p.dimensions; d++) {
        const e0 = embedding[2 * d] as number
        const e1 = embedding[2 * d + 1] as number
        features[row * p.dimensions + d] = e0 * px + e1 * py + 0.05 * (2 * rng.nextUnit() - 1)
      }
      labels[row++] = k
    }
  }
  return { count, features, labels }
}

export function generateSpirals(params: SpiralsParams = SPIRALS_DEFAULT, id = 'spirals'): Dataset {
  const rng = prngStream(params.seed, 'spirals')
  const embedding = new Float64Array(params.dimensions * 2)
  for (let i = 0; i < embedding.length; i++) embedding[i] = 2 * rng.nextUnit() - 1
  const train = generateSplit(rng, embedding, params, params.trainPerClass)
  const test = generateSplit(rng, embedding, params, params.testPerClass)
  return makeDataset(id, { featureCount: params.dimensions, classCount: params.classes, train, test })
}
