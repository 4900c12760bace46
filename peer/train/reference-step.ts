// A plain-TypeScript float implementation of the same step the ONNX graph computes (graphs.ts has the
// maths). Not used for training: it is the independent reference the graph is tested against, and the
// "plain TypeScript loop" the benchmark compares with. Accumulates in float64, stores float32.
import type { LayerSizes } from './mlp.js'
import { rowArgMax } from './argmax.js'

export interface ReferenceStepResult {
  parameters: Float32Array[]
  velocities: Float32Array[]
  loss: number
  correct: number
}

export function referenceStep(
  layers: LayerSizes,
  parameters: readonly Float32Array[],
  velocities: readonly Float32Array[],
  x: Float32Array,
  labels: Uint8Array,
  learningRate: number,
  momentum: number
): ReferenceStepResult {
  const n = labels.length
  const depth = layers.length - 1
  const z: Float64Array[] = []
  const h: Float64Array[] = [Float64Array.from(x)]
  for (let l = 1; l <= depth; l++) {
    const fi = layers[l - 1] as number
    const fo = layers[l] as number
    const w = parameters[2 * (l - 1)] as Float32Array
    const b = parameters[2 * (l - 1) + 1] as Float32Array
    const input = h[l - 1] as Float64Array
    const out = new Float64Array(n * fo)
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < fo; c++) out[r * fo + c] = b[c] as number
      for (let i = 0; i < fi; i++) {
        const a = input[r * fi + i] as number
        if (a === 0) continue
        for (let c = 0; c < fo; c++) out[r * fo + c] = (out[r * fo + c] as number) + a * (w[i * fo + c] as number)
      }
    }
    z.push(out)
    if (l < depth) h.push(out.map((v) => (v > 0 ? v : 0)))
  }
  const classes = layers[depth] as number
  const logits = z[depth - 1] as Float64Array
  let g = new Float64Array(n * classes)
  let lossSum = 0
  let correct = 0
  for (let r = 0; r < n; r++) {
    const best = rowArgMax(logits, r, classes)
    const max = logits[r * classes + best] as number
    let sum = 0
    for (let c = 0; c < classes; c++) sum += Math.exp((logits[r * classes + c] as number) - max)
    const label = labels[r] as number
    if (best === label) correct++
    lossSum -= (logits[r * classes + label] as number) - max - Math.log(sum)
    for (let c = 0; c < classes; c++) {
      const p = Math.exp((logits[r * classes + c] as number) - max) / sum
      g[r * classes + c] = (p - (c === label ? 1 : 0)) / n
    }
  }
  const grads: Float64Array[] = new Array<Float64Array>(2 * depth)
  for (let l = depth; l >= 1; l--) {
    const fi = layers[l - 1] as number
    const fo = layers[l] as number
    const input = h[l - 1] as Float64Array
    const gw = new Float64Array(fi * fo)
    const gb = new Float64Array(fo)
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < fo; c++) gb[c] = (gb[c] as number) + (g[r * fo + c] as number)
      for (let i = 0; i < fi; i++) {
        const a = input[r * fi + i] as number
        if (a === 0) continue
        for (let c = 0; c < fo; c++) gw[i * fo + c] = (gw[i * fo + c] as number) + a * (g[r * fo + c] as number)
      }
    }
    grads[2 * (l - 1)] = gw
    grads[2 * (l - 1) + 1] = gb
    if (l > 1) {
      const w = parameters[2 * (l - 1)] as Float32Array
      const zPrev = z[l - 2] as Float64Array
      const dh = new Float64Array(n * fi)
      for (let r = 0; r < n; r++) {
        for (let i = 0; i < fi; i++) {
          if (!((zPrev[r * fi + i] as number) > 0)) continue
          let s = 0
          for (let c = 0; c < fo; c++) s += (g[r * fo + c] as number) * (w[i * fo + c] as number)
          dh[r * fi + i] = s
        }
      }
      g = dh
    }
  }
  const lr = Math.fround(learningRate)
  const mu = Math.fround(momentum)
  const nextV = velocities.map((v, i) => {
    const grad = grads[i] as Float64Array
    return Float32Array.from(v, (vk, k) => mu * vk + (grad[k] as number))
  })
  const nextP = parameters.map((p, i) => {
    const v = nextV[i] as Float32Array
    return Float32Array.from(p, (pk, k) => pk - lr * (v[k] as number))
  })
  return { parameters: nextP, velocities: nextV, loss: lossSum / n, correct }
}
