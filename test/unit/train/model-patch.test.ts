// writeTrainedModel: the client's own bytes with only float initializer values replaced. Checked
// byte by byte against the original outside the patched ranges, run in onnxruntime-node with the
// new values against hand computations, and on the refusals, some of them on models encoded here by
// hand (unknown fields, external data, unpacked float_data) that no exporter in this repo writes.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import * as ort from 'onnxruntime-node'
import { decodeModel } from '../../../peer/train/onnx/decode.js'
import { GraphBuilder } from '../../../peer/train/onnx/graph.js'
import { assertModelSupported, checkModel, locateInitializers, ModelCheckError, ModelPatchError, writeTrainedModel } from '../../../peer/train/model/index.js'

// A Node Buffer, as a command reading the file gets it (its slice() is a view: the writer must copy).
const fixture = (file: string): Uint8Array => readFileSync(new URL(`../../fixtures/models/${file}`, import.meta.url))

async function run (bytes: Uint8Array, x: Float32Array, dims: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 })
  try {
    const out = await session.run({ x: new ort.Tensor('float32', x, dims) })
    const y = out[session.outputNames[0] as string]
    assert.ok(y)
    return y.data as Float32Array
  } finally {
    await session.release()
  }
}

function values (n: number, f: (i: number) => number): Float32Array {
  return Float32Array.from({ length: n }, (_v, i) => f(i))
}

/** Every byte outside the patched payloads equals the original; inside, the new floats. */
function assertOnlyPayloadsChanged (original: Uint8Array, patched: Uint8Array, newValues: ReadonlyMap<string, Float32Array>): void {
  assert.equal(patched.length, original.length)
  const mask = new Uint8Array(original.length)
  for (const l of locateInitializers(original)) {
    const v = newValues.get(l.name)
    if (v === undefined || l.payload === null) continue
    mask.fill(1, l.payload.offset, l.payload.offset + l.payload.length)
    const view = new DataView(patched.buffer, patched.byteOffset + l.payload.offset, l.payload.length)
    for (let i = 0; i < v.length; i++) assert.equal(view.getFloat32(i * 4, true), v[i], `${l.name}[${i}]`)
  }
  let differing = 0
  for (let i = 0; i < original.length; i++) {
    if (mask[i] === 0) assert.equal(patched[i], original[i], `byte ${i} outside every patched payload changed`)
    else if (patched[i] !== original[i]) differing++
  }
  assert.ok(differing > 0, 'the patch changed nothing')
}

describe('writeTrainedModel', () => {
  it('locates every initializer of a torch export with its raw_data range', () => {
    const cnn = fixture('cnn-op14.onnx')
    const locs = locateInitializers(cnn)
    assert.deepEqual(locs.map((l) => [l.name, l.dataType, l.dims, l.payload?.field, l.payload?.length]), [
      ['conv.weight', 1, [4, 1, 3, 3], 'raw_data', 144],
      ['conv.bias', 1, [4], 'raw_data', 16],
      ['fc.weight', 1, [10, 36], 'raw_data', 1440],
      ['fc.bias', 1, [10], 'raw_data', 40]
    ])
    // The ranges hold what the decoder reads.
    const ir = decodeModel(cnn)
    for (const l of locs) {
      const p = l.payload
      assert.ok(p)
      const floats = new Float32Array(new Uint8Array(cnn.subarray(p.offset, p.offset + p.length)).buffer)
      assert.deepEqual(floats, ir.initializers.find((t) => t.name === l.name)?.values)
    }
  })

  it('CNN: every byte outside the weights is the original; the new weights decode back', () => {
    const cnn = fixture('cnn-op14.onnx')
    const ir = decodeModel(cnn)
    const next = new Map(ir.initializers.map((t, k) => [t.name, values(t.dims.reduce((a, b) => a * b, 1), (i) => Math.sin(i + k * 100))]))
    const patched = writeTrainedModel(cnn, next)
    assertOnlyPayloadsChanged(cnn, patched, next)
    for (const t of decodeModel(patched).initializers) assert.deepEqual(t.values, next.get(t.name))
    assert.deepEqual(cnn, fixture('cnn-op14.onnx'), 'the original was modified')
    assert.equal(checkModel(patched).supported, true)
  })

  it('CNN with every weight zero and a bias pattern computes the pattern in onnxruntime', async () => {
    const cnn = fixture('cnn-op14.onnx')
    const bias = values(10, (i) => i * 0.25 - 1)
    const patched = writeTrainedModel(cnn, new Map([
      ['conv.weight', new Float32Array(36)], ['conv.bias', new Float32Array(4)], ['fc.weight', new Float32Array(360)], ['fc.bias', bias]
    ]))
    const x = values(2 * 64, (i) => Math.cos(i))
    const before = await run(cnn, x, [2, 1, 8, 8])
    const y = await run(patched, x, [2, 1, 8, 8])
    assert.deepEqual(y, Float32Array.from([...bias, ...bias]))
    assert.notDeepEqual(before, y)
  })

  it('Gemm: new W and b give x·Wᵀ + b, computed by hand', async () => {
    const lin = fixture('linear-op14.onnx')
    const w = Float32Array.from([1, 2, 0, -1, 0.5, 0, 0, 0, -2, 1, 1, 1]) // [3, 4]
    const b = Float32Array.from([0.5, -1, 2])
    const patched = writeTrainedModel(lin, new Map([['fc.weight', w], ['fc.bias', b]]))
    assertOnlyPayloadsChanged(lin, patched, new Map([['fc.weight', w], ['fc.bias', b]]))
    const x = Float32Array.from([1, 2, 3, 4, -1, 0, 0.5, 2])
    const expected: number[] = []
    for (let r = 0; r < 2; r++) {
      for (let o = 0; o < 3; o++) {
        let s = b[o] as number
        for (let i = 0; i < 4; i++) s += (x[r * 4 + i] as number) * (w[o * 4 + i] as number)
        expected.push(s)
      }
    }
    // Row 0: [1+4+0-4+0.5, 0.5-1, -2+2+3+4+2] = [1.5, -0.5, 9]; row 1: [-1+0+0-2+0.5, -0.5-1, 2+0+0.5+2+2]
    assert.deepEqual(expected, [1.5, -0.5, 9, -2.5, -1.5, 6.5])
    assert.deepEqual(Array.from(await run(patched, x, [2, 4])), expected)
  })

  it('patches packed float_data (field 4) too', async () => {
    const fd = fixture('float-data-op14.onnx')
    assert.deepEqual(locateInitializers(fd).map((l) => l.payload?.field), ['float_data', 'float_data'])
    const w = Float32Array.from([1, 0, 0, 1, 1, 1]) // [3, 2]
    const b = Float32Array.from([0, 10, 100])
    const next = new Map([['W', w], ['B', b]])
    const patched = writeTrainedModel(fd, next)
    assertOnlyPayloadsChanged(fd, patched, next)
    assert.deepEqual(Array.from(await run(patched, Float32Array.from([2, 3]), [1, 2])), [2, 13, 105])
  })

  it('a subset of names leaves the others as they were', () => {
    const cnn = fixture('cnn-op14.onnx')
    const next = new Map([['fc.bias', values(10, (i) => i)]])
    const patched = writeTrainedModel(cnn, next)
    assertOnlyPayloadsChanged(cnn, patched, next)
  })

  describe('refusals', () => {
    const cnn = fixture('cnn-op14.onnx')
    const refuses = (bytes: Uint8Array, v: Map<string, Float32Array>, pattern: RegExp): void => {
      assert.throws(() => writeTrainedModel(bytes, v), (e: unknown) => e instanceof ModelPatchError && pattern.test(e.message))
    }

    it('a name the model lacks, listing the names it has', () => {
      refuses(cnn, new Map([['fc.weights', new Float32Array(360)]]), /no initializer named "fc\.weights".*"conv\.weight", "conv\.bias", "fc\.weight", "fc\.bias"/)
    })

    it('a value count that differs from the tensor', () => {
      refuses(cnn, new Map([['fc.bias', new Float32Array(9)]]), /fc\.bias has 10 values \(dims 10\), got 9/)
    })

    it('a non-float initializer', () => {
      const g = new GraphBuilder('g')
      const x = g.input('x', ['N', 6])
      g.output(g.op('Reshape', [x, g.int64Constant('shape', [-1, 3], [2])], {}, 'y'), ['M', 3])
      refuses(g.toModelBytes(), new Map([['shape', new Float32Array(2)]]), /shape has data type 7, not float32/)
    })

    it('external data, unpacked float_data and duplicate names (hand-encoded models)', () => {
      const ext = model([tensor('w', [2], { external: true })])
      refuses(ext, new Map([['w', new Float32Array(2)]]), /external file.*save_as_external_data=False/)
      const unpacked = model([tensor('w', [2], { unpacked: [1, 2] })])
      refuses(unpacked, new Map([['w', new Float32Array(2)]]), /float_data unpacked/)
      const twice = model([tensor('w', [2], { raw: [1, 2] }), tensor('w', [2], { raw: [3, 4] })])
      refuses(twice, new Map([['w', new Float32Array(2)]]), /appears more than once/)
    })

    it('bytes that are not a model', () => {
      refuses(new Uint8Array([0x3a, 0x05, 0x01]), new Map(), /past the end|truncated/)
      refuses(new Uint8Array([0x08, 0x07]), new Map(), /no ONNX graph/)
    })
  })

  it('fields this schema does not know survive, and the model still decodes', () => {
    const original = model([tensor('w', [2], { raw: [1, 2], unknown: true })], true)
    const next = new Map([['w', Float32Array.from([7, 8])]])
    const patched = writeTrainedModel(original, next)
    assertOnlyPayloadsChanged(original, patched, next)
    assert.deepEqual(decodeModel(patched).initializers[0]?.values, Float32Array.from([7, 8]))
  })

  it('checkModel and assertModelSupported refuse external data by initializer name', () => {
    const ext = model([tensor('w', [2], { external: true })])
    for (const check of [() => checkModel(ext), () => assertModelSupported(ext, 'big.onnx')]) {
      assert.throws(check, (e: unknown) => e instanceof ModelCheckError && e.problems[0]?.kind === 'external-data' && /initializer w keeps its data in an external file/.test(e.message))
    }
  })
})

// ---- a minimal protobuf writer for hand-made ModelProtos ----

function varint (n: number): number[] {
  const out: number[] = []
  while (n >= 0x80) { out.push((n & 0x7f) | 0x80); n = Math.floor(n / 128) }
  out.push(n)
  return out
}
const len = (field: number, payload: number[]): number[] => [...varint(field * 8 + 2), ...varint(payload.length), ...payload]
const vint = (field: number, n: number): number[] => [...varint(field * 8), ...varint(n)]
const str = (field: number, s: string): number[] => len(field, [...Buffer.from(s, 'utf8')])
const f32 = (xs: number[]): number[] => [...new Uint8Array(Float32Array.from(xs).buffer)]

function tensor (name: string, dims: number[], data: { raw?: number[]; unpacked?: number[]; external?: boolean; unknown?: boolean }): number[] {
  const out = [...dims.flatMap((d) => vint(1, d)), ...vint(2, 1), ...str(8, name)]
  if (data.raw) out.push(...len(9, f32(data.raw)))
  if (data.unpacked) for (const v of data.unpacked) out.push(...varint(4 * 8 + 5), ...f32([v]))
  if (data.external) out.push(...len(13, [...str(1, 'location'), ...str(2, 'weights.bin')]), ...vint(14, 1))
  if (data.unknown) out.push(...str(50, 'a TensorProto field from a future ONNX'))
  return out
}

/** y = Relu(x + w) with the given initializers (the first named 'w' is the one the node reads). */
function model (initializers: number[][], unknown = false): Uint8Array {
  const valueInfo = (name: string): number[] => [...str(1, name), ...len(2, len(1, [...vint(1, 1), ...len(2, len(1, str(2, 'N')))]))]
  const graph = [
    ...len(1, [...str(1, 'x'), ...str(1, 'w'), ...str(2, 's'), ...str(3, 'add'), ...str(4, 'Add')]),
    ...len(1, [...str(1, 's'), ...str(2, 'y'), ...str(3, 'relu'), ...str(4, 'Relu')]),
    ...str(2, 'g'),
    ...initializers.flatMap((t) => len(5, t)),
    ...len(11, valueInfo('x')),
    ...len(12, valueInfo('y')),
    ...(unknown ? str(99, 'a GraphProto field from a future ONNX') : [])
  ]
  return Uint8Array.from([
    ...vint(1, 8), ...str(2, 'hand'), ...len(7, graph), ...len(8, [...str(1, ''), ...vint(2, 17)]),
    ...(unknown ? str(120, 'a ModelProto field from a future ONNX') : [])
  ])
}
