// Exact integer fixed-point training ('fixed-q16'): the same MLP, loss and optimizer as the float
// graphs, computed in integers, so a step is reproduced bit for bit on every CPU and JavaScript engine,
// and is an integer algorithm a zero-knowledge circuit can prove.
//
// FORMAT. A real v is the integer V = floor(v · 2^16) ("Q16", ONE = 65536). Parameters and velocities
// are stored as int32 (|v| < 32768); a step whose result leaves that range throws FixedPointRangeError
// (nothing saturates silently). Inputs: X = floor(x · ONE) of the float32 feature; targets Y = ONE on
// the true class, 0 elsewhere. Hyper-parameters: LR = floor(lr · ONE), MU = floor(momentum · ONE).
// Initial parameters: floor(w · ONE) of the float init (init.ts).
//
// ROUNDING. Every division is floor division (toward −∞), written ⌊a / b⌋ below, on exact integers.
// Intermediates are JavaScript numbers holding integers; every matrix product first checks
// max|A| · max|B| · k < 2^53, which makes all its products and partial sums exact (else it throws).
//
// ONE STEP on a batch of n rows (l = 1..L, H_0 = X):
//   Z_l = ⌊H_{l−1}·W_l / ONE⌋ + B_l;            H_l = max(Z_l, 0) for l < L
//   softmax per row: D_j = Z_Lj − max_j Z_Lj (≤ 0);  E_j = exp_q(D_j);  P_j = ⌊E_j · ONE / Σ_j E_j⌋
//     exp_q(D) = T⁽⁴⁾ where T⁽⁰⁾ = max(0, ONE + ⌊D / 16⌋), T⁽ⁱ⁺¹⁾ = ⌊T⁽ⁱ⁾ · T⁽ⁱ⁾ / ONE⌋
//     (i.e. e^d ≈ (1 + d/16)^16, four squarings; E of the row's max is exactly ONE, so Σ E ≥ ONE)
//   G_L = P − Y  (row-summed gradient of the cross-entropy w.r.t. the logits, not yet divided by n)
//   for l = L..1:  gW_l = ⌊H_{l−1}ᵀ·G_l / (ONE · n)⌋;  gB_l = ⌊Σ_rows G_l / n⌋
//                  G_{l−1} = ⌊G_l·W_lᵀ / ONE⌋ where Z_{l−1} > 0, else 0      (l > 1)
//   V' = ⌊MU · V / ONE⌋ + g;   W' = W − ⌊LR · V' / ONE⌋        (for every parameter, W and B alike)
// Dividing by n once, at the weight gradients, keeps the low bits the per-row gradients would lose.
//
// METRICS. "loss" in this mode is the mean probability error 1 − p(true class) = Σ(ONE − P_true)/(ONE·n)
// (an exact rational, one IEEE division), not cross-entropy: a logarithm is not an integer operation.
// A prediction is right when the first maximal logit is the true class.
import { parameterLayout, type LayerSizes, type ParameterInfo } from './mlp.js'
import { ONNX_OPSET } from './onnx/graph.js'
import type { DeterminismProfile } from './profile.js'
import type { Batch, EvaluationResult, StepResult, TensorValues, TrainingEngine } from './engine.js'
import { rowArgMax } from './argmax.js'

export const Q16_FRACTION_BITS = 16
export const Q16_ONE = 1 << Q16_FRACTION_BITS
export const EXP_SQUARINGS = 4
/** Version of the integer algorithm above; part of the determinism profile. */
export const FIXED_POINT_ALGORITHM_VERSION = 'q16-v1'

const INT32_MIN = -0x80000000
const INT32_MAX = 0x7fffffff
const EXACT_LIMIT = 2 ** 53

export class FixedPointRangeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FixedPointRangeError'
  }
}

/** ⌊a / b⌋ for integers a and b > 0 with |a| < 2^53, exact (the float quotient is corrected). */
export function floorDiv(a: number, b: number): number {
  let q = Math.floor(a / b)
  if (q * b > a) q -= 1
  else if ((q + 1) * b <= a) q += 1
  return q
}

/** Q16 of a float: ⌊v · ONE⌋ (exact for float32 inputs). */
export function toQ16(v: number): number {
  return Math.floor(v * Q16_ONE)
}

export function expQ16(d: number): number {
  let t = Math.max(0, Q16_ONE + floorDiv(d, 16))
  for (let i = 0; i < EXP_SQUARINGS; i++) t = floorDiv(t * t, Q16_ONE)
  return t
}

function maxAbs(a: Float64Array | Int32Array): number {
  let m = 0
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i] as number)
    if (v > m) m = v
  }
  return m
}

function assertExact(a: Float64Array | Int32Array, b: Float64Array | Int32Array, k: number, what: string): void {
  if (maxAbs(a) * maxAbs(b) * k >= EXACT_LIMIT) throw new FixedPointRangeError(`${what}: values too large for exact integer accumulation`)
}

/** ⌊(A·B) / div⌋, A [n×k], B [k×m] row-major. */
function matmulFloor(a: Float64Array | Int32Array, b: Float64Array | Int32Array, n: number, k: number, m: number, div: number, what: string): Float64Array {
  assertExact(a, b, k, what)
  const out = new Float64Array(n * m)
  const acc = new Float64Array(m)
  for (let r = 0; r < n; r++) {
    acc.fill(0)
    for (let i = 0; i < k; i++) {
      const av = a[r * k + i] as number
      if (av === 0) continue
      const row = i * m
      for (let c = 0; c < m; c++) acc[c] = (acc[c] as number) + av * (b[row + c] as number)
    }
    for (let c = 0; c < m; c++) out[r * m + c] = floorDiv(acc[c] as number, div)
  }
  return out
}

/** ⌊(Aᵀ·B) / div⌋, A [n×k], B [n×m] → [k×m]. */
function matmulTransAFloor(a: Float64Array | Int32Array, b: Float64Array, n: number, k: number, m: number, div: number, what: string): Float64Array {
  assertExact(a, b, n, what)
  const acc = new Float64Array(k * m)
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < k; i++) {
      const av = a[r * k + i] as number
      if (av === 0) continue
      const row = i * m
      for (let c = 0; c < m; c++) acc[row + c] = (acc[row + c] as number) + av * (b[r * m + c] as number)
    }
  }
  for (let i = 0; i < acc.length; i++) acc[i] = floorDiv(acc[i] as number, div)
  return acc
}

/** ⌊(A·Bᵀ) / div⌋, A [n×m], B [k×m] → [n×k]. */
function matmulTransBFloor(a: Float64Array, b: Int32Array, n: number, m: number, k: number, div: number, what: string): Float64Array {
  assertExact(a, b, m, what)
  const out = new Float64Array(n * k)
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < k; i++) {
      let s = 0
      for (let c = 0; c < m; c++) s += (a[r * m + c] as number) * (b[i * m + c] as number)
      out[r * k + i] = floorDiv(s, div)
    }
  }
  return out
}

function toInt32(values: Float64Array, what: string): Int32Array {
  const out = new Int32Array(values.length)
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number
    if (v < INT32_MIN || v > INT32_MAX) throw new FixedPointRangeError(`${what}: ${v / Q16_ONE} is outside the Q16 int32 range`)
    out[i] = v
  }
  return out
}

function asInt(values: TensorValues, name: string): Int32Array {
  if (!(values instanceof Int32Array)) throw new Error(`${name}: the fixed-point engine takes Int32Array (Q16) tensors`)
  return values
}

interface ForwardPass {
  /** Z_l, l = 1..L */
  readonly z: Float64Array[]
  /** H_l, l = 0..L−1 (H_0 = X) */
  readonly h: Float64Array[]
  /** P per row, Q16 */
  readonly probabilities: Float64Array
  readonly correct: number
  /** Σ over rows of ONE − P_true */
  readonly errorSum: number
}

export function fixedPointProfile(): DeterminismProfile {
  return {
    numeric: 'fixed-q16',
    runtime: 'cyxwiz-fixed',
    runtimeVersion: FIXED_POINT_ALGORITHM_VERSION,
    backend: 'js-integer',
    arch: process.arch,
    cpuClass: 'any',
    intraOpThreads: 1,
    graphOptimization: 'none',
    opset: ONNX_OPSET
  }
}

export class FixedPointEngine implements TrainingEngine {
  readonly profile = fixedPointProfile()
  private readonly layout: ParameterInfo[]
  readonly learningRateQ: number
  readonly momentumQ: number

  private constructor(readonly layers: LayerSizes, optimizer: { learningRate: number; momentum: number }) {
    this.layout = parameterLayout(layers)
    this.learningRateQ = toQ16(optimizer.learningRate)
    this.momentumQ = toQ16(optimizer.momentum)
    if (this.learningRateQ < 1) throw new FixedPointRangeError(`learning rate ${optimizer.learningRate} rounds to 0 in Q16`)
  }

  static async create(layers: LayerSizes, optimizer: { learningRate: number; momentum: number }): Promise<FixedPointEngine> {
    return new FixedPointEngine(layers, optimizer)
  }

  encodeParameters(parameters: readonly Float32Array[]): TensorValues[] {
    return parameters.map((p, i) => toInt32(Float64Array.from(p, toQ16), this.layout[i]?.name ?? '?'))
  }

  decodeParameters(parameters: readonly TensorValues[]): Float32Array[] {
    return parameters.map((p, i) => Float32Array.from(asInt(p, this.layout[i]?.name ?? '?'), (v) => v / Q16_ONE))
  }

  zeroVelocities(): TensorValues[] {
    return this.layout.map((p) => new Int32Array(p.size))
  }

  private forward(params: readonly Int32Array[], batch: Batch): ForwardPass {
    const n = batch.rows
    const depth = this.layers.length - 1
    const x = Float64Array.from(batch.features, toQ16)
    const z: Float64Array[] = []
    const h: Float64Array[] = [x]
    let input = x
    for (let l = 1; l <= depth; l++) {
      const fanIn = this.layers[l - 1] as number
      const fanOut = this.layers[l] as number
      const w = params[2 * (l - 1)] as Int32Array
      const b = params[2 * (l - 1) + 1] as Int32Array
      const zl = matmulFloor(input, w, n, fanIn, fanOut, Q16_ONE, `layer ${l} forward`)
      for (let r = 0; r < n; r++) for (let c = 0; c < fanOut; c++) zl[r * fanOut + c] = (zl[r * fanOut + c] as number) + (b[c] as number)
      z.push(zl)
      if (l < depth) {
        input = zl.map((v) => (v > 0 ? v : 0))
        h.push(input)
      }
    }
    const classes = this.layers[depth] as number
    const logits = z[depth - 1] as Float64Array
    const probabilities = new Float64Array(n * classes)
    let correct = 0
    let errorSum = 0
    const e = new Float64Array(classes)
    for (let r = 0; r < n; r++) {
      const best = rowArgMax(logits, r, classes)
      const max = logits[r * classes + best] as number
      let sum = 0
      for (let c = 0; c < classes; c++) {
        e[c] = expQ16((logits[r * classes + c] as number) - max)
        sum += e[c] as number
      }
      for (let c = 0; c < classes; c++) probabilities[r * classes + c] = floorDiv((e[c] as number) * Q16_ONE, sum)
      const label = batch.labels[r] as number
      if (best === label) correct++
      errorSum += Q16_ONE - (probabilities[r * classes + label] as number)
    }
    return { z, h, probabilities, correct, errorSum }
  }

  async step(parameters: readonly TensorValues[], velocities: readonly TensorValues[], batch: Batch): Promise<StepResult> {
    const params = parameters.map((p, i) => asInt(p, this.layout[i]?.name ?? '?'))
    const vels = velocities.map((v, i) => asInt(v, `velocity of ${this.layout[i]?.name ?? '?'}`))
    const n = batch.rows
    const depth = this.layers.length - 1
    const fwd = this.forward(params, batch)
    const classes = this.layers[depth] as number

    // G_L = P − Y
    let g: Float64Array = new Float64Array(n * classes)
    for (let r = 0; r < n; r++) {
      const label = batch.labels[r] as number
      for (let c = 0; c < classes; c++) g[r * classes + c] = (fwd.probabilities[r * classes + c] as number) - (c === label ? Q16_ONE : 0)
    }

    const grads: Float64Array[] = new Array<Float64Array>(this.layout.length)
    for (let l = depth; l >= 1; l--) {
      const fanIn = this.layers[l - 1] as number
      const fanOut = this.layers[l] as number
      const hPrev = fwd.h[l - 1] as Float64Array
      grads[2 * (l - 1)] = matmulTransAFloor(hPrev, g, n, fanIn, fanOut, Q16_ONE * n, `layer ${l} weight gradient`)
      const gb = new Float64Array(fanOut)
      for (let r = 0; r < n; r++) for (let c = 0; c < fanOut; c++) gb[c] = (gb[c] as number) + (g[r * fanOut + c] as number)
      grads[2 * (l - 1) + 1] = gb.map((v) => floorDiv(v, n))
      if (l > 1) {
        const dh = matmulTransBFloor(g, params[2 * (l - 1)] as Int32Array, n, fanOut, fanIn, Q16_ONE, `layer ${l} backward`)
        const zPrev = fwd.z[l - 2] as Float64Array
        for (let i = 0; i < dh.length; i++) if (!((zPrev[i] as number) > 0)) dh[i] = 0
        g = dh
      }
    }

    const nextParams: Int32Array[] = []
    const nextVels: Int32Array[] = []
    this.layout.forEach((p, i) => {
      const w = params[i] as Int32Array
      const v = vels[i] as Int32Array
      const grad = grads[i] as Float64Array
      const vNext = new Float64Array(p.size)
      const wNext = new Float64Array(p.size)
      for (let k = 0; k < p.size; k++) {
        vNext[k] = floorDiv(this.momentumQ * (v[k] as number), Q16_ONE) + (grad[k] as number)
        wNext[k] = (w[k] as number) - floorDiv(this.learningRateQ * (vNext[k] as number), Q16_ONE)
      }
      nextVels.push(toInt32(vNext, `velocity of ${p.name}`))
      nextParams.push(toInt32(wNext, p.name))
    })
    return { parameters: nextParams, velocities: nextVels, loss: fwd.errorSum / (Q16_ONE * n), correct: fwd.correct }
  }

  async evaluate(parameters: readonly TensorValues[], batch: Batch): Promise<EvaluationResult> {
    const params = parameters.map((p, i) => asInt(p, this.layout[i]?.name ?? '?'))
    const fwd = this.forward(params, batch)
    return { lossSum: fwd.errorSum / Q16_ONE, correct: fwd.correct, rows: batch.rows }
  }

  async close(): Promise<void> {}
}
