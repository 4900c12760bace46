// Gradient tests of the autodiff (peer/train/autodiff): for every op of SUPPORTED_OPS, on seeded random
// shapes, strides and paddings, the gradient the derived STEP graph computes is compared with central
// finite differences of the forward model and its loss, both evaluated in float64 by the reference
// evaluator (test/fixtures/onnx-ref64.ts; onnxruntime has no float64 Conv or pooling).
//
// How a gradient is read out of a step graph: each test model is x → Mul(x, S) → Add(·, P) → op(s) → y
// with S and P trainable initializers of x's shape without the batch ([1, …], since only the batch may
// be symbolic), so ∂loss/∂P = Σ_rows ∂loss/∂(op input) and ∂loss/∂S = Σ_rows x·∂loss/∂(op input) (the
// row weights catch batch mix-ups); the op's own weights are initializers too. The step graph is built
// with loss mse (or ce once), optimizer sgd, and fed lr = 1, momentum = 0, weight decay = 0, so each
// parameter's gradient is p − p_next.
//
// Where finite differences are undefined (MaxPool at a tie), the expected gradient is constructed: each
// window's output gradient goes to the FIRST maximum in row-major window order (PyTorch's rule).
// Inputs of kinked ops (Relu, LeakyRelu, MaxPool without ties) are redrawn until every value is farther
// from a kink than the finite-difference step can move it.
import assert from 'node:assert/strict'
import { buildStepGraph, SUPPORTED_OPS, StepFeeds, StepOutputs } from '../../../peer/train/autodiff/index.js'
import { decodeModel } from '../../../peer/train/onnx/decode.js'
import {
  at, evaluate64, f64, i64, onnxModelBytes, size,
  type AttrSpec, type NodeSpec, type Tensor64
} from '../../fixtures/onnx-ref64.js'

// ── seeded randomness ──

/** mulberry32: a tiny seeded PRNG. */
function prng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
type Rng = () => number
const uniform = (rng: Rng, dims: readonly number[], lo = -1, hi = 1): Tensor64 => f64(dims, Array.from({ length: size(dims) }, () => lo + (hi - lo) * rng()))
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!
const intIn = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1))
/** Uniform magnitude in [lo, hi) with a random sign: values kept away from 0. */
const awayFromZero = (rng: Rng, dims: readonly number[], lo = 0.5, hi = 1.5): Tensor64 => f64(dims, Array.from({ length: size(dims) }, () => (rng() < 0.5 ? -1 : 1) * (lo + (hi - lo) * rng())))

// ── the harness ──

interface GradCase {
  /** x's dims, batch first. */
  readonly x: readonly number[]
  /** Nodes reading 'a' (= x·S + P) and producing 'y'. */
  readonly nodes: readonly NodeSpec[]
  /** The op's initializers: float ones are trainable weights, int64 ones constants. */
  readonly inits?: ReadonlyArray<{ readonly name: string; readonly value: Tensor64 }>
  readonly loss?: 'mse' | 'ce'
  /** ce only: what the model's output is (loss.ts): logits (default), probabilities (a Softmax head: −log p[label]) or log-probabilities (a LogSoftmax head: −logp[label]). */
  readonly ceOf?: 'logits' | 'probabilities' | 'logProbabilities'
  /** Fixed values of x, S and P (default: uniform in [−1, 1)); ties need integer-valued a. */
  readonly xValue?: Tensor64
  readonly sValue?: Tensor64
  readonly pValue?: Tensor64
  /** Dropout masks by node name. */
  readonly masks?: ReadonlyMap<string, Tensor64>
  /** Values that must hold for finite differences to be valid (e.g. no input of Relu near 0). */
  readonly guard?: (values: (name: string) => Float64Array) => boolean
  /** Names the guard reads. */
  readonly guardValues?: readonly string[]
  /** Parameters whose true gradient is 0 (a shift that BatchNorm or a softmax over the batch removes): the step must give 0 too. */
  readonly zero?: readonly string[]
}

const H = 1e-6
const REL = 1e-6
/** Absolute floor per unit of loss: central differences carry about 1e-10·|loss| of rounding noise at H = 1e-6. */
const ABS = 1e-8
/** Step loss vs forward loss: the step graph bakes some constants in float32 (Dropout's 1/(1 − ratio)), 6e-8 relative at most. */
const LOSS_REL = 1e-7

interface Outcome {
  /** Step-graph gradient and its expectation (finite differences or constructed), by parameter. */
  readonly grads: Map<string, { actual: Float64Array; expected: Float64Array }>
  readonly loss: { step: number; forward: number }
  readonly zero: readonly string[]
  /** The step's next value of every state tensor, and the inputs it ran on. */
  readonly next: ReadonlyMap<string, Tensor64>
  readonly inputs: { readonly x: Tensor64; readonly params: ReadonlyMap<string, Tensor64> }
}

function modelBytes (c: GradCase): Uint8Array {
  const rest = c.x.slice(1)
  return onnxModelBytes({
    nodes: [
      { op: 'Mul', inputs: ['x', 'S'], outputs: ['xs'], name: 'scale_input' },
      { op: 'Add', inputs: ['xs', 'P'], outputs: ['a'], name: 'shift_input' },
      ...c.nodes
    ],
    inputs: [{ name: 'x', dims: ['N', ...rest] }],
    outputs: [{ name: 'y', dims: null }],
    initializers: [
      { name: 'S', value: f64([1, ...rest], new Array<number>(size(rest)).fill(1)) },
      { name: 'P', value: f64([1, ...rest], new Array<number>(size(rest)).fill(0)) },
      ...(c.inits ?? [])
    ]
  })
}

function mseLoss (y: Tensor64, target: Tensor64): number {
  const yd = y.data as Float64Array; const td = target.data as Float64Array
  let s = 0
  for (let i = 0; i < yd.length; i++) s += (yd[i]! - td[i]!) ** 2
  return s / yd.length
}

/** Mean over rows of −log p[label], with p given by logits, probabilities or log-probabilities. */
function ceLoss (y: Tensor64, labels: Tensor64, of: 'logits' | 'probabilities' | 'logProbabilities'): number {
  const [N, K] = y.dims as [number, number]
  const yd = y.data as Float64Array
  let s = 0
  for (let n = 0; n < N; n++) {
    const row = yd.subarray(n * K, n * K + K)
    const label = Number((labels.data as BigInt64Array)[n])
    if (of === 'probabilities') s -= Math.log(row[label]!)
    else if (of === 'logProbabilities') s -= row[label]!
    else {
      const m = Math.max(...row)
      s += m + Math.log(row.reduce((acc, v) => acc + Math.exp(v - m), 0)) - row[label]!
    }
  }
  return s / N
}

/**
 * Build the case's model and step graph, evaluate the step in float64, and return its gradients
 * beside central finite differences of the forward loss (or, with `expected`, beside a constructed
 * gradient).
 */
function runCase (c: GradCase, rng: Rng, expected?: (v: { x: Tensor64; s: Tensor64; p: Tensor64; dy: Float64Array; y: Tensor64 }) => Map<string, Float64Array>): Outcome {
  const rest = c.x.slice(1)
  const bytes = modelBytes(c)
  const model = decodeModel(bytes)
  const loss = c.loss ?? 'mse'
  const N = c.x[0]!
  const step = buildStepGraph(model, bytes, { loss, optimizer: 'sgd', batchSize: N })

  // Parameter values: S, P and the float inits; draw x, S, P until the guard holds.
  let x!: Tensor64; let s!: Tensor64; let p!: Tensor64
  // State tensors are fed in float64; other float initializers (a Dropout ratio) keep the model's float32 value, as the step graph bakes it.
  const state = new Set(step.initializers.map((t) => t.name))
  const params = new Map<string, Tensor64>()
  for (const init of c.inits ?? []) if (init.value.data instanceof Float64Array && state.has(init.name)) params.set(init.name, init.value)
  for (let attempt = 0; ; attempt++) {
    x = c.xValue ?? uniform(rng, c.x)
    s = c.sValue ?? uniform(rng, [1, ...rest], 0.5, 1.5)
    p = c.pValue ?? uniform(rng, [1, ...rest])
    params.set('S', s); params.set('P', p)
    if (c.guard === undefined) break
    const feeds = new Map([['x', x], ...params])
    const vals = evaluate64(model, feeds, { training: true, ...(c.masks ? { dropoutMasks: c.masks } : {}), outputs: c.guardValues ?? ['a'] })
    if (c.guard((name) => vals.get(name)!.data as Float64Array)) break
    if (attempt > 50) throw new Error('no input drawn satisfies the guard')
  }
  const forward = (ps: ReadonlyMap<string, Tensor64>): Tensor64 =>
    evaluate64(model, new Map([['x', x], ...ps]), { training: true, ...(c.masks ? { dropoutMasks: c.masks } : {}) }).get('y')!
  const y0 = forward(params)
  const target = loss === 'ce'
    ? i64([N], Array.from({ length: N }, () => Math.floor(rng() * y0.dims[1]!)))
    : uniform(rng, y0.dims)
  const lossOf = (y: Tensor64): number => (loss === 'ce' ? ceLoss(y, target, c.ceOf ?? 'logits') : mseLoss(y, target))

  // The step graph in float64.
  const feeds = new Map<string, Tensor64>()
  for (const st of step.initializers) {
    const v = params.get(st.name) ?? (c.inits ?? []).find((i) => i.name === st.name)?.value
    if (v === undefined) throw new Error(`no value for state tensor ${st.name}`)
    feeds.set(st.name, v)
  }
  for (const slot of step.slots) feeds.set(slot.name, f64(slot.dims, new Array<number>(size(slot.dims)).fill(0)))
  feeds.set(StepFeeds.x, x)
  feeds.set(StepFeeds.y, target)
  feeds.set(StepFeeds.lr, f64([], [1]))
  feeds.set(StepFeeds.momentum, f64([], [0]))
  feeds.set(StepFeeds.weightDecay, f64([], [0]))
  for (const d of step.dropouts) {
    const mask = c.masks?.get(d.node)
    if (mask === undefined) throw new Error(`no mask for Dropout ${d.node}`)
    feeds.set(d.maskInput, mask)
  }
  const trainable = step.initializers.filter((t) => t.trainable).map((t) => t.name)
  const out = evaluate64(decodeModel(step.bytes), feeds, { outputs: [StepOutputs.loss, ...step.initializers.map((t) => StepOutputs.next(t.name))] })

  const grads = new Map<string, { actual: Float64Array; expected: Float64Array }>()
  const constructed = expected?.({ x, s, p, y: y0, dy: (() => {
    const yd = y0.data as Float64Array; const td = target.data as Float64Array
    return yd.map((v, i) => (2 * (v - td[i]!)) / yd.length)
  })() })
  for (const name of trainable) {
    const pv = params.get(name)!
    const next = out.get(StepOutputs.next(name))!.data as Float64Array
    const actual = (pv.data as Float64Array).map((v, i) => v - next[i]!)
    let exp: Float64Array
    if (constructed !== undefined) {
      const e = constructed.get(name)
      if (e === undefined) throw new Error(`no constructed gradient for ${name}`)
      exp = e
    } else {
      exp = new Float64Array(actual.length)
      for (let i = 0; i < exp.length; i++) {
        const plus = new Float64Array(pv.data as Float64Array); plus[i] = plus[i]! + H
        const minus = new Float64Array(pv.data as Float64Array); minus[i] = minus[i]! - H
        const lp = lossOf(forward(new Map([...params, [name, { dims: pv.dims, data: plus }]])))
        const lm = lossOf(forward(new Map([...params, [name, { dims: pv.dims, data: minus }]])))
        exp[i] = (lp - lm) / (2 * H)
      }
    }
    grads.set(name, { actual, expected: exp })
  }
  return { grads, loss: { step: Number(out.get(StepOutputs.loss)!.data[0]), forward: lossOf(y0) },
    zero: c.zero ?? [],
    next: new Map(step.initializers.map((t) => [t.name, out.get(StepOutputs.next(t.name))!])),
    inputs: { x, params }
  }
}

/** Largest |actual − expected| / (|expected| + floor) over all parameters, and where: below REL means |actual − expected| < REL·|expected| + ABS·max(1, |loss|). */
function worst (o: Outcome): { err: number; where: string } {
  let err = 0; let where = ''
  const floor = (ABS * Math.max(1, Math.abs(o.loss.forward))) / REL
  for (const [name, { actual, expected }] of o.grads) {
    for (let i = 0; i < actual.length; i++) {
      const e = Math.abs(actual[i]! - expected[i]!) / (Math.abs(expected[i]!) + floor)
      if (e > err || Number.isNaN(e)) { err = Number.isNaN(e) ? Infinity : e; where = `${name}[${i}]: step ${actual[i]}, expected ${expected[i]}` }
    }
  }
  return { err, where }
}

function assertGradients (o: Outcome, what: string): void {
  assert.ok(Math.abs(o.loss.step - o.loss.forward) <= LOSS_REL * Math.max(1, Math.abs(o.loss.forward)), `${what}: step loss ${o.loss.step}, forward loss ${o.loss.forward}`)
  // every parameter got a nonzero gradient somewhere: a test that compares zeros with zeros checks nothing
  for (const [name, { expected }] of o.grads) {
    if (o.zero.includes(name)) assert.ok(expected.every((v) => Math.abs(v) < 1e-8), `${what}: ${name}'s expected gradient was declared zero`)
    else assert.ok(expected.some((v) => Math.abs(v) > 1e-8), `${what}: ${name}'s expected gradient is all zero`)
  }
  const w = worst(o)
  assert.ok(w.err < REL, `${what}: relative error ${w.err.toExponential(2)} at ${w.where}`)
}

/** Register `count` seeded cases of one op. */
const tested = new Set<string>()
function cases (op: string, count: number, make: (rng: Rng, k: number) => GradCase & { label?: string }, first = 0): void {
  tested.add(op)
  for (let k = first; k < first + count; k++) {
    const rng = prng(0x5eed + 7919 * k + op.length * 104729 + op.charCodeAt(0))
    const c = make(rng, k - first)
    it(`${op} #${k}${c.label ? ` (${c.label})` : ''}`, () => {
      assertGradients(runCase(c, rng), `${op} #${k}`)
    })
  }
}

const one = (op: string, inputs: string[], attrs?: Record<string, AttrSpec>, name = 'op'): NodeSpec => ({ op, inputs, outputs: ['y'], name, ...(attrs ? { attrs } : {}) })
const notNear = (points: readonly number[], margin = 1e-4) => (v: (name: string) => Float64Array): boolean =>
  v('a').every((a) => points.every((q) => Math.abs(a - q) > margin))
/** All values of `name` at least `margin` apart (no near-ties for MaxPool). */
const distinct = (name = 'a', margin = 1e-5) => (v: (name: string) => Float64Array): boolean => {
  const s = Array.from(v(name)).sort((p, q) => p - q)
  return s.every((val, i) => i === 0 || val - s[i - 1]! > margin)
}

/** Random 2-D window geometry whose output is at least 1×1. */
function window (rng: Rng, opts: { dilate?: boolean; ceil?: boolean; padsBelowKernel?: boolean } = {}): { h: number; w: number; attrs: Record<string, AttrSpec>; kernel: [number, number]; label: string } {
  for (;;) {
    const kernel: [number, number] = [intIn(rng, 1, 3), intIn(rng, 1, 3)]
    const strides = [intIn(rng, 1, 3), intIn(rng, 1, 2)]
    const dil = opts.dilate ? [intIn(rng, 1, 2), intIn(rng, 1, 2)] : [1, 1]
    const pads = [0, 1, 2, 3].map((i) => intIn(rng, 0, Math.max(0, (opts.padsBelowKernel ? kernel[i % 2]! - 1 : 2))))
    const h = intIn(rng, 3, 7); const w = intIn(rng, 3, 6)
    const ceil = opts.ceil === true && rng() < 0.5
    const ext = [0, 1].map((i) => (kernel[i]! - 1) * dil[i]! + 1)
    if (ext[0]! > h + pads[0]! + pads[2]! || ext[1]! > w + pads[1]! + pads[3]!) continue
    const attrs: Record<string, AttrSpec> = { kernel_shape: at.ints(kernel), strides: at.ints(strides), pads: at.ints(pads) }
    if (opts.dilate) attrs.dilations = at.ints(dil)
    if (ceil) attrs.ceil_mode = at.i(1)
    return { h, w, attrs, kernel, label: `${h}×${w} k${kernel.join('×')} s${strides.join(',')} p${pads.join(',')}${opts.dilate ? ` d${dil.join(',')}` : ''}${ceil ? ' ceil' : ''}` }
  }
}

describe('train/autodiff: step-graph gradients against float64 finite differences', function () {
  this.timeout(120_000)

  describe('linear', () => {
    cases('Gemm', 4, (rng, k) => {
      const K = intIn(rng, 2, 4); const M = intIn(rng, 1, 4)
      const transB = k % 2
      const cShape = pick(rng, [[M], [1, M], [1, 1]])
      const attrs: Record<string, AttrSpec> = { alpha: at.f(pick(rng, [1, 0.5, -1.25])), beta: at.f(pick(rng, [1, 2, 0.75])) }
      if (transB) attrs.transB = at.i(1)
      const withC = k !== 3
      return {
        label: `K${K} M${M} transB ${transB} C [${withC ? cShape.join(',') : '-'}]`,
        x: [3, K],
        nodes: [one('Gemm', withC ? ['a', 'W', 'C'] : ['a', 'W'], attrs)],
        inits: [{ name: 'W', value: uniform(rng, transB ? [M, K] : [K, M]) }, ...(withC ? [{ name: 'C', value: uniform(rng, cShape) }] : [])]
      }
    })
    cases('MatMul', 4, (rng, k) => {
      const K = intIn(rng, 2, 4); const M = intIn(rng, 1, 3)
      const shapes: Array<{ x: number[]; w: number[]; label: string }> = [
        { x: [2, K], w: [K, M], label: '2-D' },
        { x: [2, 3, K], w: [K, M], label: 'batched × matrix' },
        { x: [2, 2, 3, K], w: [2, K, M], label: 'batch broadcast' },
        { x: [2, 3, 2, K], w: [1, K, M], label: 'batch broadcast of a leading 1' }
      ]
      const s = shapes[k]!
      return { label: s.label, x: s.x, nodes: [one('MatMul', ['a', 'W'])], inits: [{ name: 'W', value: uniform(rng, s.w) }] }
    })
  })

  describe('elementwise', () => {
    for (const op of ['Add', 'Sub', 'Mul', 'Div']) {
      cases(op, 4, (rng, k) => {
        const wShape = [[3, 1], [2, 3, 4].slice(1), [1], [1, 3, 4]][k]!
        const weightFirst = k % 2 === 1
        const w = op === 'Div' && !weightFirst ? awayFromZero(rng, wShape) : uniform(rng, wShape)
        return {
          label: `${weightFirst ? 'W op a' : 'a op W'}, W [${wShape.join(',')}]`,
          x: [2, 3, 4],
          nodes: [one(op, weightFirst ? ['W', 'a'] : ['a', 'W'])],
          inits: [{ name: 'W', value: w }],
          // a divisor must stay away from 0: a = x·S + P with |x·S| < 1.5 and |P| ∈ [1.6, 2.5]
          ...(op === 'Div' && weightFirst ? { pValue: awayFromZero(rng, [1, 3, 4], 1.6, 2.5) } : {})
        }
      })
    }
    for (const op of ['Relu', 'Sigmoid', 'Tanh']) {
      cases(op, 2, (rng, k) => ({
        x: k === 0 ? [3, 5] : [2, 2, 3, 2],
        nodes: [one(op, ['a'])],
        ...(op === 'Relu' ? { guard: notNear([0]) } : {}),
        pValue: uniform(rng, k === 0 ? [1, 5] : [1, 2, 3, 2], -2, 2)
      }))
    }
    cases('LeakyRelu', 3, (rng, k) => ({
      label: k === 0 ? 'default alpha' : 'alpha given',
      x: [3, 4],
      nodes: [one('LeakyRelu', ['a'], k === 0 ? undefined : { alpha: at.f(pick(rng, [0.2, 0.05, 1.5])) })],
      guard: notNear([0])
    }))
    for (const op of ['Softmax', 'LogSoftmax']) {
      cases(op, 3, (rng, k) => ({
        label: `axis ${[-1, 1, 0][k]}`,
        x: [3, 3, 4],
        nodes: [one(op, ['a'], { axis: at.i([-1, 1, 0][k]!) })],
        pValue: uniform(rng, [1, 3, 4], -3, 3),
        // over the batch axis, a shift shared by every row changes nothing
        ...(k === 2 ? { zero: ['P'] } : {})
      }))
    }
  })

  describe('convolution and pooling', () => {
    cases('Conv', 8, (rng, k) => {
      const group = pick(rng, [1, 1, 2, 3])
      const Cg = intIn(rng, 1, 2); const Mg = intIn(rng, 1, 2)
      const C = Cg * group; const M = Mg * group
      const win = window(rng, { dilate: true })
      const attrs = { ...win.attrs }
      delete attrs.ceil_mode
      if (group > 1) attrs.group = at.i(group)
      if (k === 6) { delete attrs.pads; attrs.auto_pad = at.s(pick(rng, ['SAME_UPPER', 'SAME_LOWER'])) }
      if (k === 7) { delete attrs.pads; attrs.auto_pad = at.s('VALID') }
      const bias = k % 3 !== 2
      return {
        label: `${win.label} g${group} C${C} M${M}${bias ? ' bias' : ''}${k >= 6 ? ` ${(attrs.auto_pad as { value: string }).value}` : ''}`,
        x: [2, C, win.h, win.w],
        nodes: [one('Conv', bias ? ['a', 'W', 'B'] : ['a', 'W'], attrs)],
        inits: [{ name: 'W', value: uniform(rng, [M, Cg, ...win.kernel]) }, ...(bias ? [{ name: 'B', value: uniform(rng, [M]) }] : [])]
      }
    })
    cases('MaxPool', 6, (rng, k) => {
      const win = k === 0
        ? { h: 4, w: 6, attrs: { kernel_shape: at.ints([2, 2]), strides: at.ints([2, 2]) }, label: 'tiled 2×2/2' }
        : window(rng, { dilate: k >= 3, ceil: k >= 4, padsBelowKernel: true })
      return { label: win.label, x: [2, 2, win.h, win.w], nodes: [one('MaxPool', ['a'], win.attrs)], guard: distinct() }
    })
    cases('AveragePool', 6, (rng, k) => {
      const win = window(rng, { ceil: k >= 4, padsBelowKernel: true })
      const attrs = { ...win.attrs }
      if (k % 2 === 1) attrs.count_include_pad = at.i(1)
      return { label: `${win.label}${k % 2 === 1 ? ' count_include_pad' : ''}`, x: [2, 2, win.h, win.w], nodes: [one('AveragePool', ['a'], attrs)] }
    })
    // fixed geometries the random draws may miss: a ceil_mode window that runs past the input, auto_pad
    cases('MaxPool', 2, (rng, k) => ({
      label: k === 0 ? '5×5 k2 s2 ceil (a partial last window)' : '5×6 k3 s2 auto_pad SAME_UPPER',
      x: [2, 2, 5, k === 0 ? 5 : 6],
      nodes: [one('MaxPool', ['a'], k === 0
        ? { kernel_shape: at.ints([2, 2]), strides: at.ints([2, 2]), ceil_mode: at.i(1) }
        : { kernel_shape: at.ints([3, 3]), strides: at.ints([2, 2]), auto_pad: at.s('SAME_UPPER') })],
      guard: distinct()
    }), 6)
    cases('AveragePool', 2, (rng, k) => ({
      label: `5×6 k2×3 s2 auto_pad ${k === 0 ? 'SAME_LOWER' : 'SAME_UPPER'}`,
      x: [2, 2, 5, 6],
      nodes: [one('AveragePool', ['a'], { kernel_shape: at.ints([2, 3]), strides: at.ints([2, 2]), auto_pad: at.s(k === 0 ? 'SAME_LOWER' : 'SAME_UPPER') })]
    }), 6)
    cases('GlobalAveragePool', 2, (rng, k) => ({ x: k === 0 ? [2, 3, 4, 5] : [3, 1, 2, 2], nodes: [one('GlobalAveragePool', ['a'])] }))
  })

  describe('layout', () => {
    cases('Pad', 3, (rng, k) => {
      const pads = Array.from({ length: 8 }, (_, i) => (i % 4 < 2 ? 0 : intIn(rng, 0, 2)))
      return {
        label: `pads ${pads.join(',')}${k === 1 ? ' constant_value' : ''}`,
        x: [2, 2, 3, 3],
        nodes: [one('Pad', k === 1 ? ['a', 'pads', 'cv'] : ['a', 'pads'], k === 2 ? { mode: at.s('constant') } : undefined)],
        inits: [{ name: 'pads', value: i64([8], pads) }, ...(k === 1 ? [{ name: 'cv', value: f64([], [0.75]) }] : [])]
      }
    })
    // (the autodiff keeps the batch as axis 0: Flatten past axis 1, a Reshape or Transpose that moves the batch, are refused by design)
    cases('Flatten', 2, (rng, k) => ({ label: `axis ${[1, -3][k]}`, x: [2, 3, 2, 2], nodes: [one('Flatten', ['a'], { axis: at.i([1, -3][k]!) })] }))
    cases('Reshape', 2, (rng, k) => ({ x: [2, 3, 4], nodes: [one('Reshape', ['a', 'shape'])], inits: [{ name: 'shape', value: i64(k === 0 ? [3] : [4], k === 0 ? [0, 4, -1] : [-1, 2, 3, 2]) }] }))
    cases('Transpose', 2, (rng, k) => ({ x: k === 0 ? [2, 3, 4] : [2, 3, 4, 2], nodes: [one('Transpose', ['a'], { perm: at.ints(k === 0 ? [0, 2, 1] : [0, 3, 1, 2]) })] }))
    // Concat's operands all carry the batch, so the second is a·W (W [1, …]) rather than W itself.
    cases('Concat', 2, (rng, k) => ({
      label: `axis ${k + 1}${k === 0 ? ', a value used twice' : ''}`,
      x: [2, 3, 2],
      nodes: [
        { op: 'Mul', inputs: ['a', 'W'], outputs: ['aw'], name: 'weigh' },
        one('Concat', k === 0 ? ['aw', 'a', 'a'] : ['a', 'aw'], { axis: at.i(k + 1) })
      ],
      inits: [{ name: 'W', value: uniform(rng, [1, 3, 2]) }]
    }))
    cases('Identity', 1, () => ({ x: [2, 3], nodes: [one('Identity', ['a'])] }))
    cases('Constant', 1, (rng) => ({
      x: [2, 3],
      nodes: [
        { op: 'Constant', inputs: [], outputs: ['k'], name: 'const', attrs: { value: at.t(uniform(rng, [3])) } },
        one('Mul', ['a', 'k'])
      ]
    }))
  })

  describe('normalisation and dropout', () => {
    cases('BatchNormalization', 4, (rng, k) => {
      const C = intIn(rng, 1, 3)
      const x = [[4, C, 2, 3], [5, C], [3, C, 2, 2], [3, C, 4]][k]!
      return {
        label: `training (batch statistics), x [${x.join(',')}]`,
        x,
        // without spatial axes, P shifts each channel by a constant that the batch mean removes
        ...(x.length === 2 ? { zero: ['P'] } : {}),
        nodes: [one('BatchNormalization', ['a', 'gamma', 'beta', 'mean', 'var'], { epsilon: at.f(pick(rng, [1e-5, 1e-3])), momentum: at.f(0.9) })],
        inits: [
          { name: 'gamma', value: uniform(rng, [C], 0.5, 1.5) },
          { name: 'beta', value: uniform(rng, [C]) },
          { name: 'mean', value: uniform(rng, [C]) },
          { name: 'var', value: uniform(rng, [C], 0.5, 2) }
        ]
      }
    })
    it('BatchNormalization training updates the running statistics as PyTorch does (unbiased batch variance)', () => {
      const rng = prng(4242)
      const [N, C, HW] = [4, 2, 3]
      const o = runCase({
        x: [N, C, HW],
        nodes: [one('BatchNormalization', ['a', 'gamma', 'beta', 'mean', 'var'], { momentum: at.f(0.75) })],
        inits: [
          { name: 'gamma', value: uniform(rng, [C], 0.5, 1.5) }, { name: 'beta', value: uniform(rng, [C]) },
          { name: 'mean', value: uniform(rng, [C]) }, { name: 'var', value: uniform(rng, [C], 0.5, 2) }
        ]
      }, rng)
      const { x, params } = o.inputs
      const a = (n: number, c: number, k: number): number => {
        const i = (c * HW) + k
        return (x.data as Float64Array)[n * C * HW + i]! * (params.get('S')!.data as Float64Array)[i]! + (params.get('P')!.data as Float64Array)[i]!
      }
      for (let c = 0; c < C; c++) {
        const vals: number[] = []
        for (let n = 0; n < N; n++) for (let k = 0; k < HW; k++) vals.push(a(n, c, k))
        const mu = vals.reduce((p, q) => p + q, 0) / vals.length
        const unbiased = vals.reduce((p, q) => p + (q - mu) ** 2, 0) / (vals.length - 1)
        const m0 = (params.get('mean')!.data as Float64Array)[c]!; const v0 = (params.get('var')!.data as Float64Array)[c]!
        const mNext = Number(o.next.get('mean')!.data[c]); const vNext = Number(o.next.get('var')!.data[c])
        assert.ok(Math.abs(mNext - (0.75 * m0 + 0.25 * mu)) < 1e-12, `running mean[${c}]: step ${mNext}`)
        assert.ok(Math.abs(vNext - (0.75 * v0 + 0.25 * unbiased)) < 1e-12, `running var[${c}]: step ${vNext}, PyTorch ${0.75 * v0 + 0.25 * unbiased}`)
      }
    })
    cases('Dropout', 1, () => ({
      label: 'no ratio input (0.5)',
      x: [3, 4],
      nodes: [one('Dropout', ['a'], undefined, 'drop')],
      masks: new Map([['drop', f64([3, 4], [1, 0, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1])]])
    }), 2)
    cases('Dropout', 2, (rng, k) => {
      const ratio = [0.5, 0.3][k]!
      const mask = f64([3, 4], Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? 0 : rng() < 0.3 ? 0 : 1)))
      return {
        label: `ratio ${ratio}, mask given`,
        x: [3, 4],
        nodes: [one('Dropout', ['a', 'ratio'], undefined, 'drop')],
        inits: [{ name: 'ratio', value: f64([], [ratio]) }],
        masks: new Map([['drop', mask]])
      }
    })
  })

  describe('compositions and the ce loss', () => {
    it('a CNN chain (Conv → BatchNorm → Relu → MaxPool → Flatten → Gemm) with a value used twice', () => {
      const rng = prng(77)
      const c: GradCase = {
        x: [2, 1, 5, 5],
        nodes: [
          { op: 'Conv', inputs: ['a', 'W1', 'B1'], outputs: ['c1'], name: 'conv', attrs: { pads: at.ints([1, 1, 1, 1]) } },
          { op: 'BatchNormalization', inputs: ['c1', 'g', 'b', 'm', 'v'], outputs: ['bn'], name: 'bn' },
          { op: 'Relu', inputs: ['bn'], outputs: ['r'], name: 'relu' },
          { op: 'Add', inputs: ['r', 'bn'], outputs: ['twice'], name: 'reuse' },
          { op: 'MaxPool', inputs: ['twice'], outputs: ['mp'], name: 'pool', attrs: { kernel_shape: at.ints([2, 2]), strides: at.ints([2, 2]) } },
          { op: 'Flatten', inputs: ['mp'], outputs: ['f'], name: 'flat' },
          { op: 'Gemm', inputs: ['f', 'W2', 'B2'], outputs: ['y'], name: 'fc', attrs: { transB: at.i(1) } }
        ],
        inits: [
          { name: 'W1', value: uniform(rng, [2, 1, 3, 3]) }, { name: 'B1', value: uniform(rng, [2]) },
          { name: 'g', value: uniform(rng, [2], 0.5, 1.5) }, { name: 'b', value: uniform(rng, [2]) },
          { name: 'm', value: f64([2], [0, 0]) }, { name: 'v', value: f64([2], [1, 1]) },
          { name: 'W2', value: uniform(rng, [3, 8]) }, { name: 'B2', value: uniform(rng, [3]) }
        ],
        guardValues: ['bn', 'twice'],
        zero: ['B1'], // a bias before BatchNorm is removed by the batch mean
        guard: (v) => v('bn').every((q) => Math.abs(q) > 1e-4) && distinct('twice')(v)
      }
      assertGradients(runCase(c, rng), 'CNN chain')
    })

    for (const head of ['Gemm logits', 'Softmax', 'LogSoftmax'] as const) {
      it(`ce loss over int64 labels (${head === 'Gemm logits' ? head : `the model ends in ${head}`})`, () => {
        const rng = prng(head.length)
        const nodes: NodeSpec[] = [{ op: 'Gemm', inputs: ['a', 'W', 'B'], outputs: [head === 'Gemm logits' ? 'y' : 'z'], name: 'fc' }]
        if (head !== 'Gemm logits') nodes.push({ op: head, inputs: ['z'], outputs: ['y'], name: 'head', attrs: { axis: at.i(1) } })
        const c: GradCase = {
          x: [4, 3],
          loss: 'ce',
          ceOf: head === 'Softmax' ? 'probabilities' : head === 'LogSoftmax' ? 'logProbabilities' : 'logits',
          nodes,
          inits: [{ name: 'W', value: uniform(rng, [3, 5]) }, { name: 'B', value: uniform(rng, [5]) }]
        }
        assertGradients(runCase(c, rng), `ce ${head}`)
      })
    }
  })

  describe('MaxPool ties: the gradient goes to the first maximum of each window', () => {
    const geometries: Array<{ label: string; h: number; w: number; kernel: number[]; strides: number[]; pads: number[] }> = [
      { label: 'tiled 2×2/2 (ArgMax path)', h: 4, w: 4, kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] },
      { label: 'tiled 2×2/2, odd input cropped', h: 5, w: 5, kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] },
      { label: 'overlapping 3×3/1 with pads (scatter-add path)', h: 4, w: 5, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1] },
      { label: 'disjoint 2×2/3 (MaxUnpool path)', h: 6, w: 6, kernel: [2, 2], strides: [3, 3], pads: [0, 0, 0, 0] },
      { label: 'overlapping 2×3/(1,2) with pads', h: 5, w: 6, kernel: [2, 3], strides: [1, 2], pads: [0, 1, 1, 0] }
    ]
    geometries.forEach((g, k) => {
      it(`${g.label}`, () => {
        const rng = prng(1000 + k)
        const dims = [2, 2, g.h, g.w]
        // values in {0, 1, 2}: most windows hold repeated maxima
        const x = f64(dims, Array.from({ length: size(dims) }, () => Math.floor(3 * rng())))
        const rest = dims.slice(1)
        const c: GradCase = {
          x: dims,
          nodes: [one('MaxPool', ['a'], { kernel_shape: at.ints(g.kernel), strides: at.ints(g.strides), pads: at.ints(g.pads) })],
          xValue: x,
          sValue: f64([1, ...rest], new Array<number>(size(rest)).fill(1)),
          pValue: f64([1, ...rest], new Array<number>(size(rest)).fill(0))
        }
        let ties = 0
        const o = runCase(c, rng, ({ x: xv, dy, y }) => {
          const [N, C] = [dims[0]!, dims[1]!]
          const [oH, oW] = [y.dims[2]!, y.dims[3]!]
          const { kernel, strides, pads } = g
          const dP = new Float64Array(size(rest)); const dS = new Float64Array(size(rest))
          const xd = xv.data as Float64Array
          for (let n = 0; n < N; n++) {
            for (let ch = 0; ch < C; ch++) {
              for (let oh = 0; oh < oH; oh++) {
                for (let ow = 0; ow < oW; ow++) {
                  let best = -Infinity; let at = -1; let count = 0
                  for (let kh = 0; kh < kernel[0]!; kh++) {
                    for (let kw = 0; kw < kernel[1]!; kw++) {
                      const ih = oh * strides[0]! - pads[0]! + kh; const iw = ow * strides[1]! - pads[1]! + kw
                      if (ih < 0 || ih >= g.h || iw < 0 || iw >= g.w) continue
                      const i = (ch * g.h + ih) * g.w + iw
                      const v = xd[n * size(rest) + i]!
                      if (v > best) { best = v; at = i; count = 1 } else if (v === best) count++
                    }
                  }
                  if (count > 1) ties++
                  const d = dy[((n * C + ch) * oH + oh) * oW + ow]!
                  dP[at] = dP[at]! + d
                  dS[at] = dS[at]! + d * xd[n * size(rest) + at]!
                }
              }
            }
          }
          return new Map([['P', dP], ['S', dS]])
        })
        assert.ok(ties > 0, 'the drawn input has no tied window')
        // the constructed gradient differs from "any maximum" and from "the last maximum": check against it exactly (up to rounding)
        assertGradients(o, `MaxPool ties, ${g.label}`)
      })
    })
  })

  it('covers every op of SUPPORTED_OPS', () => {
    const missing = SUPPORTED_OPS.filter((op) => !tested.has(op))
    assert.deepEqual(missing, [], `ops without a gradient test: ${missing.join(', ')}`)
  })
})

