// checkModel, inferShapes and assertModelSupported against what torch and onnxruntime say about the
// same models: torch-exported fixtures (test/fixtures/models, made by
// scripts/fixtures/make-model-fixtures.py, with torch's own parameter counts in models.json) and
// small graphs built here whose every intermediate value onnxruntime-node is asked for.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import * as ort from 'onnxruntime-node'
import { GraphBuilder, attr } from '../../../peer/train/onnx/graph.js'
import { decodeModel } from '../../../peer/train/onnx/decode.js'
import type { IrAttribute, IrModel, IrNode } from '../../../peer/train/onnx/ir.js'
import {
  assertModelSupported, checkIrModel, checkModel, formatModelReport, inferShapes, ModelCheckError, ModelDecodeError,
  ShapeInferenceError, type ModelReport
} from '../../../peer/train/model/index.js'

const DIR = new URL('../../fixtures/models/', import.meta.url)
const fixture = (file: string): Uint8Array => readFileSync(new URL(file, DIR))
interface TorchRecord { file: string; opset: number; input: number[]; output: number[]; trainable: number; buffers: number }
const TORCH = (JSON.parse(readFileSync(new URL('models.json', DIR), 'utf8')) as { models: TorchRecord[] }).models
const torchRecord = (file: string): TorchRecord => {
  const r = TORCH.find((m) => m.file === file)
  assert.ok(r, `models.json has no record of ${file}; run scripts/fixtures/make-model-fixtures.py`)
  return r
}

/** A deterministic pseudo-random float32 input. */
function randomInput (n: number, seed = 1): Float32Array {
  let s = seed
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648
    return s / 2147483648 * 2 - 1
  })
}

async function runOrt (bytes: Uint8Array, feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<Record<string, ort.Tensor>> {
  // Errors only: onnxruntime warns that ONNX's static inference expected another MaxPool size with
  // ceil_mode, where its kernel (and PyTorch, and inferShapes) drop a last window starting in the padding.
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 })
  try {
    const input: Record<string, ort.Tensor> = {}
    for (const [k, v] of Object.entries(feeds)) input[k] = new ort.Tensor('float32', v.data, v.dims)
    return await session.run(input)
  } finally {
    await session.release()
  }
}

const SUPPORTED_FIXTURES = ['cnn-op14.onnx', 'cnn-op17.onnx', 'branchy-op14.onnx', 'linear-op14.onnx', 'float-data-op14.onnx']

describe('model check: torch-exported fixtures', () => {
  for (const file of [...SUPPORTED_FIXTURES, 'lstm-op14.onnx']) {
    it(`${file}: parameter counts equal torch's sum(p.numel()), input shape with a symbolic batch`, () => {
      const torch = torchRecord(file)
      const r = checkModel(fixture(file))
      assert.equal(r.parameters.trainable, torch.trainable)
      assert.equal(r.parameters.buffers, torch.buffers)
      assert.equal(r.opset, torch.opset)
      assert.equal(r.inputs.length, 1)
      assert.deepEqual(r.inputs[0]?.dims, ['N', ...torch.input])
      assert.deepEqual(r.outputs.map((o) => o.dims), [['N', ...torch.output]])
    })
  }

  for (const file of SUPPORTED_FIXTURES) {
    it(`${file}: supported, and the inferred output shape equals onnxruntime's for a batch of 3`, async () => {
      const bytes = fixture(file)
      const r = checkModel(bytes)
      assert.equal(r.supported, true, formatModelReport(r))
      assert.deepEqual(r.problems, [])
      assert.equal(r.outputs[0]?.inferred, true)
      const model = decodeModel(bytes)
      const input = model.inputs[0]
      assert.ok(input)
      const dims = [3, ...torchRecord(file).input]
      const out = await runOrt(bytes, { [input.name]: { data: randomInput(dims.reduce((a, b) => a * b, 1)), dims } })
      const shapes = inferShapes(model, 3)
      for (const o of model.outputs) assert.deepEqual(shapes.get(o.name)?.dims, out[o.name]?.dims, o.name)
    })
  }

  it('lists the ops with counts', () => {
    const r = checkModel(fixture('cnn-op14.onnx'))
    assert.deepEqual(r.ops.map((o) => [o.opType, o.count, o.supported]).sort(), [
      ['Conv', 1, true], ['Flatten', 1, true], ['Gemm', 1, true], ['MaxPool', 1, true], ['Relu', 1, true]
    ])
    const b = checkModel(fixture('branchy-op14.onnx'))
    assert.equal(b.ops.find((o) => o.opType === 'Conv')?.count, 2)
    for (const op of ['Concat', 'BatchNormalization', 'Pad', 'AveragePool', 'Transpose', 'MatMul', 'Reshape', 'Softmax']) {
      assert.ok(b.ops.some((o) => o.opType === op), op)
    }
    assert.equal(b.parameters.bufferTensors, 2) // bn.running_mean, bn.running_var
  })

  it('FLOPs per sample follow the documented formula (hand-computed for the CNN and the Gemm)', () => {
    // cnn: x[1,1,8,8] → Conv 4×(1×3×3), out [1,4,6,6] = 144 elements: 2·144·9 + 144 (bias) = 2736
    //      Relu 144; MaxPool 2×2 → [1,4,3,3] = 36 elements × 4 = 144; Flatten 0
    //      Gemm [1,36]·[36,10]: 2·1·36·10 + 10 (bias) = 730         total 3754
    assert.equal(checkModel(fixture('cnn-op14.onnx')).flopsPerSample, 2736 + 144 + 144 + 730)
    // linear: Gemm [1,4]·[4,3]: 2·4·3 + 3
    const lin = checkModel(fixture('linear-op14.onnx'))
    assert.equal(lin.flopsPerSample, 27)
    assert.equal(lin.flopsComplete, true)
  })

  it('memory for a batch of B = 2·activations + 4·trainable + buffers (bytes)', () => {
    const r = checkModel(fixture('cnn-op14.onnx'), { batch: 8 })
    // activations per row: x 64 + conv 144 + relu 144 + pool 36 + flatten 36 + y 10 = 434 floats
    const activations = 434 * 4 * 8
    assert.equal(r.memory.activationBytes, activations)
    assert.equal(r.memory.trainableBytes, 410 * 4)
    assert.equal(r.memory.totalBytes, 2 * activations + 4 * 410 * 4)
    assert.equal(r.memory.complete, true)
    const b = checkModel(fixture('branchy-op14.onnx'), { batch: 2 })
    assert.equal(b.memory.bufferBytes, 12 * 4)
    assert.equal(b.memory.totalBytes, 2 * b.memory.activationBytes + 4 * 484 * 4 + 48)
  })

  it('the LSTM model is unsupported: each unsupported op named with its node', () => {
    const r = checkModel(fixture('lstm-op14.onnx'))
    assert.equal(r.supported, false)
    const ops = r.problems.filter((p) => p.kind === 'op')
    assert.ok(ops.some((p) => p.opType === 'LSTM' && p.node === '/lstm/LSTM'))
    assert.deepEqual([...new Set(ops.map((p) => p.opType))].sort(), ['ConstantOfShape', 'Gather', 'LSTM', 'Shape', 'Squeeze', 'Unsqueeze'])
    assert.equal(r.ops.find((o) => o.opType === 'LSTM')?.supported, false)
    assert.equal(r.outputs[0]?.inferred, false) // after the LSTM: the file's declared shape
    assert.equal(r.flopsComplete, false)
  })

  it('assertModelSupported: one message naming every problem and what to do', () => {
    assert.throws(() => assertModelSupported(fixture('lstm-op14.onnx'), 'lstm.onnx'), (e: unknown) => {
      assert.ok(e instanceof ModelCheckError)
      assert.match(e.message, /^lstm\.onnx cannot be trained/)
      assert.match(e.message, /unsupported op LSTM at node \/lstm\/LSTM; /)
      assert.match(e.message, /unsupported op Gather at node \/Gather/)
      assert.match(e.message, /torch\.onnx\.export\(.*opset_version=17\)/)
      assert.match(e.message, /cyx model check lstm\.onnx/)
      assert.equal(e.problems.length, 7)
      return true
    })
    const ok = assertModelSupported(fixture('cnn-op17.onnx'), 'cnn.onnx')
    assert.equal(ok.supported, true)
  })

  it('garbage, truncated and empty files are ModelDecodeErrors', () => {
    const cnn = fixture('cnn-op14.onnx')
    const garbage = Uint8Array.from({ length: 300 }, (_v, i) => (i * 7919 + 13) & 0xff)
    for (const bytes of [garbage, new Uint8Array(0), cnn.subarray(0, 10), cnn.subarray(0, cnn.length / 2), cnn.subarray(0, cnn.length - 3)]) {
      assert.throws(() => checkModel(bytes), ModelDecodeError, `${bytes.length} bytes`)
    }
    assert.throws(() => assertModelSupported(cnn.subarray(0, 100), 'cut.onnx'), (e: unknown) => e instanceof ModelDecodeError && e.message.startsWith('cut.onnx: '))
  })
})

// ---- hand-built IR models: the problems no torch export here produces ----

function node (opType: string, inputs: string[], outputs: string[], name: string, attributes: Record<string, IrAttribute> = {}, domain = ''): IrNode {
  return { name, opType, domain, inputs, outputs, attributes: new Map(Object.entries(attributes)) }
}

function irModel (nodes: IrNode[], over: Partial<IrModel> = {}): IrModel {
  return {
    irVersion: 8,
    opset: 17,
    otherDomains: [],
    producer: 'test',
    graphName: 'g',
    nodes,
    initializers: [],
    inputs: [{ name: 'x', elemType: 1, shape: ['batch', 3, 4] }],
    outputs: [{ name: 'y', elemType: 1, shape: null }],
    valueInfo: [],
    metadata: new Map(),
    ...over
  }
}

const ints = (value: number[]): IrAttribute => ({ kind: 'ints', value })
const int = (value: number): IrAttribute => ({ kind: 'int', value })
const i64 = (name: string, values: number[]) => ({ name, dataType: 7, dims: [values.length], values: BigInt64Array.from(values.map(BigInt)) })

describe('model check: problems of hand-built models', () => {
  const problemsOf = (m: IrModel): ModelReport['problems'] => checkIrModel(m).problems

  it('opset outside 13–17', () => {
    for (const opset of [12, 18]) {
      const p = problemsOf(irModel([node('Relu', ['x'], ['y'], 'r')], { opset }))
      assert.deepEqual(p.map((q) => q.kind), ['opset'])
      assert.match(p[0]?.message ?? '', new RegExp(`opset ${opset} is outside 13–17`))
    }
    assert.deepEqual(problemsOf(irModel([node('Relu', ['x'], ['y'], 'r')], { opset: 13 })), [])
  })

  it('ops from a non-default domain, by op and node', () => {
    const p = problemsOf(irModel([node('Relu', ['x'], ['y'], '/custom/Relu', {}, 'com.microsoft')], { otherDomains: ['com.microsoft'] }))
    assert.equal(p.length, 1)
    assert.equal(p[0]?.kind, 'domain')
    assert.match(p[0]?.message ?? '', /com\.microsoft::Relu at node \/custom\/Relu/)
  })

  it('more than one data input, and a non-float one', () => {
    const p = problemsOf(irModel([node('Add', ['x', 'z'], ['y'], 'a')], {
      inputs: [{ name: 'x', elemType: 1, shape: ['N', 3] }, { name: 'z', elemType: 7, shape: ['N', 3] }]
    }))
    assert.deepEqual(p.map((q) => q.kind).sort(), ['input-type', 'inputs'])
    assert.match(p.find((q) => q.kind === 'inputs')?.message ?? '', /2 data inputs \(x, z\)/)
  })

  it('BatchNormalization exported in training mode', () => {
    const p = problemsOf(irModel([node('BatchNormalization', ['x', 's', 'b', 'm', 'v'], ['y'], '/bn', { training_mode: int(1) })], {
      inputs: [{ name: 'x', elemType: 1, shape: ['N', 3] }],
      initializers: ['s', 'b', 'm', 'v'].map((name) => ({ name, dataType: 1, dims: [3], values: new Float32Array(3) }))
    }))
    assert.deepEqual(p.map((q) => [q.kind, q.node]), [['training-mode', '/bn']])
    assert.match(p[0]?.message ?? '', /model\.eval\(\)/)
  })

  it('subgraph attributes', () => {
    const p = problemsOf(irModel([node('If', ['x'], ['y'], '/if', { then_branch: { kind: 'unsupported', type: 5 } })]))
    assert.ok(p.some((q) => q.kind === 'subgraph' && /node \/if \(If\) has a subgraph attribute then_branch/.test(q.message)))
    assert.ok(p.some((q) => q.kind === 'op' && q.opType === 'If'))
  })

  it('a supported op whose shapes do not fit is a shape problem naming the node', () => {
    const m = irModel([node('Gemm', ['x2', 'w'], ['y'], '/fc/Gemm', { transB: int(1) })], {
      inputs: [{ name: 'x2', elemType: 1, shape: ['N', 5] }],
      initializers: [{ name: 'w', dataType: 1, dims: [3, 4], values: new Float32Array(12) }]
    })
    const p = problemsOf(m)
    assert.equal(p.length, 1)
    assert.equal(p[0]?.node, '/fc/Gemm')
    assert.match(p[0]?.message ?? '', /inner dimensions differ: A gives 5, B gives 4/)
    assert.throws(() => inferShapes(m, 2), ShapeInferenceError)
  })
})

describe('inferShapes', () => {
  it('Reshape with 0 and -1, Flatten, Concat with a symbolic batch', () => {
    const m = irModel([
      node('Reshape', ['x', 's1'], ['r1'], 'r1'), // [N,3,4] → [0,-1] = [N,12]
      node('Reshape', ['x', 's2'], ['r2'], 'r2'), // [N,3,4] → [-1,6] = [2N,6]
      node('Flatten', ['x'], ['f0'], 'f0', { axis: int(0) }), // [1, 12N]
      node('Concat', ['x', 'x'], ['c0'], 'c0', { axis: int(0) }), // [2N,3,4]
      node('Transpose', ['x'], ['t'], 't', { perm: ints([2, 0, 1]) }) // [4,N,3]
    ], { initializers: [i64('s1', [0, -1]), i64('s2', [-1, 6])] })
    const s = inferShapes(m, 'N')
    assert.deepEqual(s.get('r1')?.dims, ['N', 12])
    assert.deepEqual(s.get('r2')?.dims, ['2*N', 6])
    assert.deepEqual(s.get('f0')?.dims, [1, '12*N'])
    assert.deepEqual(s.get('c0')?.dims, ['2*N', 3, 4])
    assert.deepEqual(s.get('t')?.dims, [4, 'N', 3])
    assert.deepEqual(inferShapes(m, 5).get('r2')?.dims, [10, 6])
  })

  it('a Reshape that bakes the example batch size in is refused for a symbolic batch', () => {
    // torch.onnx.export without dynamic_axes writes x.view(x.size(0), -1) as Reshape to [2, 12].
    const m = irModel([node('Reshape', ['x', 's'], ['y'], '/Reshape')], { initializers: [i64('s', [2, 12])] })
    assert.throws(() => inferShapes(m, 'N'), (e: unknown) => e instanceof ShapeInferenceError && /fixes the batch dimension at 2; export with dynamic_axes/.test(e.message))
    assert.deepEqual(inferShapes(m, 2).get('y')?.dims, [2, 12]) // a concrete batch of 2 fits
    assert.equal(checkIrModel(m).problems[0]?.node, '/Reshape')
  })

  it('Conv auto_pad SAME_UPPER and VALID', () => {
    const conv = (autoPad: string): IrModel => irModel([node('Conv', ['x', 'w'], ['y'], 'c', { auto_pad: { kind: 'string', value: autoPad }, strides: ints([2, 2]) })], {
      inputs: [{ name: 'x', elemType: 1, shape: ['N', 2, 7, 8] }],
      initializers: [{ name: 'w', dataType: 1, dims: [5, 2, 3, 3], values: new Float32Array(90) }]
    })
    assert.deepEqual(inferShapes(conv('SAME_UPPER'), 1).get('y')?.dims, [1, 5, 4, 4]) // ceil(7/2), ceil(8/2)
    assert.deepEqual(inferShapes(conv('VALID'), 1).get('y')?.dims, [1, 5, 3, 3]) // floor((7-3)/2)+1, floor((8-3)/2)+1
  })

  it('Reshape with a computed shape is refused with a hint', () => {
    const m = irModel([node('Relu', ['x'], ['s'], 'r'), node('Reshape', ['x', 's'], ['y'], '/Reshape')])
    assert.throws(() => inferShapes(m, 1), (e: unknown) => e instanceof ShapeInferenceError && /\/Reshape.*must be a constant.*reshape\(-1/.test(e.message))
  })

  it('unsupported ops leave their outputs (and what follows) out of the map', () => {
    const m = irModel([node('LSTM', ['x'], ['h'], '/lstm'), node('Relu', ['h'], ['y'], 'r')])
    const s = inferShapes(m, 2)
    assert.equal(s.has('h'), false)
    assert.equal(s.has('y'), false)
    assert.deepEqual(s.get('x')?.dims, [2, 3, 4])
  })
})

/** Graphs built here, every value a graph output, so onnxruntime reports the shapes it computed. */
describe('inferShapes agrees with onnxruntime on every intermediate value', () => {
  interface Case { name: string; input: number[]; build: (g: GraphBuilder, x: string) => string[] }
  const w = (g: GraphBuilder, name: string, dims: number[]): string => g.floatConstant(name, randomInput(dims.reduce((a, b) => a * b, 1), dims.length + 7), dims)
  const cases: Case[] = [
    {
      name: 'Conv with pads, strides, dilations and groups; pools with ceil_mode and pads',
      input: [2, 4, 11, 10],
      build: (g, x) => {
        const c1 = g.op('Conv', [x, w(g, 'w1', [6, 2, 3, 2]), w(g, 'b1', [6])], { group: attr.int(2), pads: attr.ints([1, 0, 2, 1]), strides: attr.ints([2, 3]), dilations: attr.ints([2, 1]) })
        const p1 = g.op('MaxPool', [c1], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]), ceil_mode: attr.int(1) })
        const p2 = g.op('AveragePool', [c1], { kernel_shape: attr.ints([3, 2]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]), ceil_mode: attr.int(1) })
        const p3 = g.op('MaxPool', [x], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]), ceil_mode: attr.int(1) })
        const p4 = g.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), dilations: attr.ints([2, 2]) })
        const gp = g.op('GlobalAveragePool', [p1])
        return [c1, p1, p2, p3, p4, gp]
      }
    },
    {
      name: 'Pad, Flatten, Reshape (0, -1), Transpose, Concat, Gemm (transA), MatMul broadcasting, Softmax',
      input: [3, 2, 5],
      build: (g, x) => {
        const pd = g.op('Pad', [x, g.int64Constant('pads', [0, 1, 2, 0, 0, 1], [6])])
        const fl = g.op('Flatten', [pd], { axis: attr.int(2) })
        const rs = g.op('Reshape', [pd, g.int64Constant('shape', [0, -1], [2])])
        const tr = g.op('Transpose', [pd], { perm: attr.ints([2, 0, 1]) })
        const cc = g.op('Concat', [pd, pd], { axis: attr.int(-1) })
        const ga = g.op('Gemm', [rs, w(g, 'wa', [3, 4])], { transA: attr.int(1) })
        const mm = g.op('MatMul', [pd, w(g, 'wm', [8, 4])])
        const mv = g.op('MatMul', [w(g, 'wv', [3]), pd])
        const sm = g.op('Softmax', [mm], { axis: attr.int(1) })
        const ad = g.op('Add', [mm, w(g, 'bias', [4])])
        return [pd, fl, rs, tr, cc, ga, mm, mv, sm, ad]
      }
    }
  ]
  for (const c of cases) {
    it(c.name, async () => {
      const build = (declare: (name: string) => number): Uint8Array => {
        const g = new GraphBuilder('t')
        const x = g.input('x', c.input)
        for (const o of c.build(g, x)) {
          const rank = declare(o)
          if (rank >= 0) g.output(o, Array.from({ length: rank }, (_v, i) => `${o}_${i}`))
        }
        return g.toModelBytes()
      }
      const shapes = inferShapes(decodeModel(build(() => -1)), c.input[0] as number)
      const bytes = build((o) => {
        const s = shapes.get(o)
        assert.ok(s, `no shape inferred for ${o}`)
        return s.dims.length
      })
      const out = await runOrt(bytes, { x: { data: randomInput(c.input.reduce((a, b) => a * b, 1)), dims: c.input } })
      const outputs = Object.keys(out)
      assert.ok(outputs.length >= 6)
      for (const name of outputs) assert.deepEqual(shapes.get(name)?.dims, out[name]?.dims, name)
    })
  }
})

describe('cyx model check', () => {
  const FILE = new URL('cnn-op14.onnx', DIR).pathname
  const LSTM = new URL('lstm-op14.onnx', DIR).pathname
  async function cyx (...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const { main } = await import('../../../peer/cli/main.js')
    const out: string[] = []
    const err: string[] = []
    const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) })
    return { code, out: out.join('\n'), err: err.join('\n') }
  }

  it('prints the report and exits 0 for a supported model', async () => {
    const r = await cyx('model', 'check', FILE, '--batch', '8')
    assert.equal(r.code, 0, r.err)
    assert.match(r.out, /supported: yes/)
    assert.match(r.out, /x {2}float32 \[N, 1, 8, 8\]/)
    assert.match(r.out, /410 trainable/)
    assert.match(r.out, /batch of 8/)
  })

  it('--json prints the report as one object; exit 1 when unsupported', async () => {
    const r = await cyx('model', 'check', LSTM, '--json')
    assert.equal(r.code, 1)
    const report = JSON.parse(r.out) as ModelReport
    assert.equal(report.supported, false)
    assert.ok(report.problems.some((p) => p.opType === 'LSTM' && p.node === '/lstm/LSTM'))
    assert.equal(report.memory.batch, 32)
  })

  it('usage errors exit 2; a file that is not ONNX exits 1 with a clear error', async () => {
    for (const argv of [['model'], ['model', 'inspect', FILE], ['model', 'check'], ['model', 'check', FILE, FILE], ['model', 'check', FILE, '--batch', '0'], ['model', 'check', FILE, '--bogus'], ['model', 'check', '/nonexistent/m.onnx']]) {
      const r = await cyx(...argv)
      assert.equal(r.code, 2, argv.join(' '))
      assert.match(r.err, /Usage: cyx model check FILE/)
    }
    const missing = await cyx('model', 'check', '/nonexistent/m.onnx')
    assert.match(missing.err, /\/nonexistent\/m\.onnx does not exist/)
    const notOnnx = await cyx('model', 'check', new URL('models.json', DIR).pathname)
    assert.equal(notOnnx.code, 1)
    assert.match(notOnnx.err, /models\.json: not an ONNX model .*torch\.onnx\.export/)
    const help = await cyx('model', 'check', '--help')
    assert.equal(help.code, 0)
    assert.match(help.out, /Exit status: 0/)
  })
})
