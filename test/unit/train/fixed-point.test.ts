import assert from 'node:assert/strict'
import {
  expQ16,
  FixedPointEngine,
  FixedPointRangeError,
  floorDiv,
  generateSpirals,
  initialParameters,
  prngStream,
  Q16_ONE,
  reexecuteSegment,
  sameBits,
  train,
  Trainer,
  trainingSpec,
  type TrainingSpec
} from '../../../peer/train/index.js'

// An independent BigInt transcription of the documented integer step (fixed-point.ts header): if the
// engine's number arithmetic ever rounded, or the engine drifted from its documentation, this differs.
const ONE = 65536n
const fdiv = (a: bigint, b: bigint): bigint => {
  const q = a / b
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q
}
function expQ(d: bigint): bigint {
  let t = ONE + fdiv(d, 16n)
  if (t < 0n) t = 0n
  for (let i = 0; i < 4; i++) t = fdiv(t * t, ONE)
  return t
}
function bigIntStep(layers: number[], W: bigint[][], V: bigint[][], X: bigint[][], labels: number[], LR: bigint, MU: bigint) {
  const n = X.length
  const L = layers.length - 1
  const Z: bigint[][][] = []
  const H: bigint[][][] = [X]
  for (let l = 1; l <= L; l++) {
    const [fi, fo] = [layers[l - 1]!, layers[l]!]
    const w = W[2 * (l - 1)]!
    const b = W[2 * (l - 1) + 1]!
    const z = H[l - 1]!.map((row) => Array.from({ length: fo }, (_, c) => fdiv(row.reduce((s, a, i) => s + a * w[i * fo + c]!, 0n), ONE) + b[c]!))
    void fi
    Z.push(z)
    if (l < L) H.push(z.map((r) => r.map((v) => (v > 0n ? v : 0n))))
  }
  let G = Z[L - 1]!.map((row, r) => {
    const max = row.reduce((m, v) => (v > m ? v : m))
    const e = row.map((v) => expQ(v - max))
    const sum = e.reduce((s, v) => s + v, 0n)
    return e.map((v, c) => fdiv(v * ONE, sum) - (c === labels[r] ? ONE : 0n))
  })
  const grads: bigint[][] = []
  for (let l = L; l >= 1; l--) {
    const [fi, fo] = [layers[l - 1]!, layers[l]!]
    const h = H[l - 1]!
    const gw: bigint[] = []
    for (let i = 0; i < fi; i++) for (let c = 0; c < fo; c++) gw.push(fdiv(h.reduce((s, row, r) => s + row[i]! * G[r]![c]!, 0n), ONE * BigInt(n)))
    grads[2 * (l - 1)] = gw
    grads[2 * (l - 1) + 1] = Array.from({ length: fo }, (_, c) => fdiv(G.reduce((s, row) => s + row[c]!, 0n), BigInt(n)))
    if (l > 1) {
      const w = W[2 * (l - 1)]!
      G = G.map((row, r) => Array.from({ length: fi }, (_, i) => (Z[l - 2]![r]![i]! > 0n ? fdiv(row.reduce((s, g, c) => s + g * w[i * fo + c]!, 0n), ONE) : 0n)))
    }
  }
  const Vn = V.map((v, p) => v.map((vk, k) => fdiv(MU * vk, ONE) + grads[p]![k]!))
  const Wn = W.map((w, p) => w.map((wk, k) => wk - fdiv(LR * Vn[p]![k]!, ONE)))
  return { W: Wn, V: Vn }
}

const spirals = generateSpirals()
const spiralsSpec = (numeric: 'float32' | 'fixed-q16', extra: Partial<Parameters<typeof trainingSpec>[0]> = {}): TrainingSpec =>
  trainingSpec({ layers: [16, 32, 3], learningRate: 0.1, momentum: 0.9, batchSize: 32, epochs: 30, seed: 5, dataset: { id: 'spirals', contentHash: spirals.contentHash }, numeric, ...extra })

describe('train/fixed-point: exact integer Q16 mode', () => {
  it('floorDiv rounds toward −∞ exactly, also where the float quotient would round up', () => {
    const table: [number, number, number][] = [
      [7, 2, 3], [-7, 2, -4], [-8, 2, -4], [0, 5, 0], [-1, 65536, -1], [65535, 65536, 0],
      [2 ** 52 - 1, 2 ** 20, 2 ** 32 - 1], [-(2 ** 52) + 1, 2 ** 20, -(2 ** 32)], [9007199254740991, 3, 3002399751580330]
    ]
    for (const [a, b, q] of table) assert.equal(floorDiv(a, b), q, `${a} / ${b}`)
    const rng = prngStream(1, 'floordiv')
    for (let i = 0; i < 500; i++) {
      const a = (rng.nextUint32() * 2 ** 20 + rng.nextUint32()) * (rng.nextUnit() < 0.5 ? -1 : 1)
      const b = 1 + rng.nextBelow(1 << 24)
      assert.equal(BigInt(floorDiv(a, b)), fdiv(BigInt(a), BigInt(b)))
    }
  })

  it('exp_q: exp(0) = ONE, monotone, within 3% of e^d on [−4, 0], 0 far below', () => {
    assert.equal(expQ16(0), Q16_ONE)
    let previous = 0
    for (let d = -20 * Q16_ONE; d <= 0; d += 997) {
      const e = expQ16(d)
      assert.ok(e >= previous)
      previous = e
      if (d >= -4 * Q16_ONE) assert.ok(Math.abs(e / Q16_ONE - Math.exp(d / Q16_ONE)) < 0.03, `d = ${d / Q16_ONE}`)
    }
    assert.equal(expQ16(-20 * Q16_ONE), 0)
  })

  it('one engine step equals the BigInt transcription of the documented algorithm, bit for bit', async () => {
    const layers = [5, 4, 3, 3]
    const engine = await FixedPointEngine.create(layers, { learningRate: 0.3, momentum: 0.75 })
    const rng = prngStream(11, 'fixed-step')
    const params = engine.encodeParameters(initialParameters(layers, 2)) as Int32Array[]
    const vels = params.map((p) => Int32Array.from(p, () => Math.floor((rng.nextUnit() - 0.5) * 20000)))
    params.forEach((p) => p.forEach((_, k) => (p[k] = p[k]! + Math.floor((rng.nextUnit() - 0.5) * 3000)))) // biases non-zero too
    const n = 7 // not a power of two
    const features = Float32Array.from({ length: n * 5 }, () => 3 * (rng.nextUnit() - 0.5))
    const labels = Uint8Array.from({ length: n }, () => rng.nextBelow(3))
    const targets = new Float32Array(n * 3)
    labels.forEach((c, r) => (targets[r * 3 + c] = 1))
    let W: Int32Array[] = params
    let V: Int32Array[] = vels
    let Wb = params.map((p) => Array.from(p, BigInt))
    let Vb = vels.map((v) => Array.from(v, BigInt))
    const X = Array.from({ length: n }, (_, r) => Array.from(features.subarray(r * 5, r * 5 + 5), (v) => BigInt(Math.floor(v * 65536))))
    for (let s = 0; s < 3; s++) {
      const out = await engine.step(W, V, { rows: n, features, targets, labels })
      const ref = bigIntStep(layers, Wb, Vb, X, Array.from(labels), BigInt(engine.learningRateQ), BigInt(engine.momentumQ))
      out.parameters.forEach((p, i) => assert.deepEqual(Array.from(p, BigInt), ref.W[i], `step ${s}, parameter ${i}`))
      out.velocities.forEach((v, i) => assert.deepEqual(Array.from(v, BigInt), ref.V[i], `step ${s}, velocity ${i}`))
      assert.ok(!sameBits(out.parameters, W))
      W = out.parameters as Int32Array[]
      V = out.velocities as Int32Array[]
      Wb = ref.W
      Vb = ref.V
    }
  })

  it('trains spirals to within 2 points of float32 accuracy, deterministically, and re-executes a segment', async () => {
    const fixed = await train(spiralsSpec('fixed-q16'), spirals)
    const float = await train(spiralsSpec('float32'), spirals)
    const fixedAcc = fixed.checkpoints.at(-1)!.metrics.testAccuracy
    const floatAcc = float.checkpoints.at(-1)!.metrics.testAccuracy
    assert.ok(fixedAcc >= 0.95, `fixed-point test accuracy ${fixedAcc}`)
    assert.ok(Math.abs(fixedAcc - floatAcc) <= 0.02, `fixed ${fixedAcc} vs float ${floatAcc}`)
    assert.ok(fixed.final.parameters.every((p) => p instanceof Int32Array))
    assert.equal(fixed.profile.backend, 'js-integer')

    const again = await train(spiralsSpec('fixed-q16', { epochs: 4 }), spirals)
    assert.ok(sameBits(again.final.parameters, fixed.checkpoints[3]!.state.parameters))

    const trainer = await Trainer.open(fixed.spec, spirals)
    try {
      const check = await reexecuteSegment(trainer, { ...fixed.profile, arch: 'arm64' }, fixed.checkpoints[9]!.state, fixed.checkpoints[10]!)
      assert.deepEqual(check, { segment: 11, judged: true, passed: true, reasons: [] })
      const params = [...fixed.checkpoints[10]!.state.parameters]
      const w = (params[0] as Int32Array).slice()
      w[0] = w[0]! + 1
      params[0] = w
      const tampered = await reexecuteSegment(trainer, fixed.profile, fixed.checkpoints[9]!.state, { ...fixed.checkpoints[10]!, state: { ...fixed.checkpoints[10]!.state, parameters: params } })
      assert.equal(tampered.passed, false)
    } finally {
      await trainer.close()
    }
  })

  it('refuses to leave the Q16 range instead of wrapping or saturating', async () => {
    await assert.rejects(train(spiralsSpec('fixed-q16', { learningRate: 3000, momentum: 0.99, epochs: 3 }), spirals), FixedPointRangeError)
    // A learning rate below 2^-16 would be 0 in Q16: refused rather than silently not training.
    await assert.rejects(FixedPointEngine.create([16, 3], { learningRate: 1e-6, momentum: 0 }), FixedPointRangeError)
  })
})
