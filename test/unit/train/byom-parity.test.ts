// Parity with PyTorch: the derived step graph, run by the graph engine, replays the float32 PyTorch
// training traces committed in test/fixtures/byom/ (scripts/fixtures/make-byom.py: cnn with SGD
// momentum + weight decay + StepLR, mlp with Adam + cosine and a short last batch, bn-dropout with
// AdamW, training-mode BatchNorm and Dropout). Same initial weights (the ONNX file's), same batches
// (the trace's batchOrder), same Dropout masks (the trace's packed bits, bypassing the seed draw):
// every step's pre-update loss must match within 1e-5 relative, and the final test accuracy exactly.
import { strict as assert } from 'node:assert'
import { readFileSync } from 'node:fs'
import { unzipSync } from 'fflate'
import { GraphTrainingEngine, type MaskSource } from '../../../peer/train/engine-graph.js'
import type { LrSchedule, OptimizerSpec } from '../../../peer/train/autodiff/types.js'
import type { TensorValues } from '../../../peer/train/engine.js'

const DIR = new URL('../../fixtures/byom/', import.meta.url)

interface Reference {
  model: string
  data: string
  loss: 'ce'
  optimizer: OptimizerSpec
  schedule: LrSchedule
  batchSize: number
  steps: number
  stepsPerEpoch: number
  batchOrder: number[][]
  dropoutMasks: Record<string, string[]>
  losses: number[]
  finalTestAccuracy: number
  testCount: number
}

interface NpyArray { readonly shape: number[]; readonly data: Uint8Array | BigInt64Array }

/** The arrays of an .npz archive (uint8 and little-endian int64 only: what the fixtures hold). */
function readNpz (bytes: Uint8Array): Map<string, NpyArray> {
  const out = new Map<string, NpyArray>()
  for (const [file, npy] of Object.entries(unzipSync(bytes))) {
    assert.deepEqual([...npy.subarray(0, 6)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59], `${file}: not an .npy`)
    const major = npy[6] as number
    const view = new DataView(npy.buffer, npy.byteOffset, npy.byteLength)
    const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true)
    const start = major === 1 ? 10 : 12
    const header = new TextDecoder().decode(npy.subarray(start, start + headerLen))
    const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1]
    assert.ok(!/'fortran_order':\s*True/.test(header), `${file}: Fortran order`)
    const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number)
    const body = npy.slice(start + headerLen)
    if (descr === '|u1') out.set(file.replace(/\.npy$/, ''), { shape, data: body })
    else if (descr === '<i8') out.set(file.replace(/\.npy$/, ''), { shape, data: new BigInt64Array(body.buffer, body.byteOffset, body.byteLength / 8) })
    else throw new Error(`${file}: dtype ${String(descr)} not handled`)
  }
  return out
}

function rowsOf (x: NpyArray, y: NpyArray, rows: readonly number[]): { features: Float32Array; labels: Int32Array } {
  const width = x.shape.slice(1).reduce((a, b) => a * b, 1)
  const features = new Float32Array(rows.length * width)
  const labels = new Int32Array(rows.length)
  rows.forEach((r, i) => {
    for (let k = 0; k < width; k++) features[i * width + k] = (x.data[r * width + k] as number) / 255 // float32(u8) / float32(255), correctly rounded
    labels[i] = Number(y.data[r] as bigint)
  })
  return { features, labels }
}

/** numpy.packbits (big-endian bit order) → float32 0/1. */
function unpackMask (b64: string, count: number): Float32Array {
  const bytes = Buffer.from(b64, 'base64')
  assert.equal(bytes.length, Math.ceil(count / 8))
  return Float32Array.from({ length: count }, (_, i) => ((bytes[i >> 3] as number) >> (7 - (i & 7))) & 1)
}

describe('BYOM parity with PyTorch (test/fixtures/byom)', function () {
  this.timeout(300_000)
  const data = readNpz(readFileSync(new URL('parity.npz', DIR)))
  const [xTrain, yTrain, xTest, yTest] = ['x_train', 'y_train', 'x_test', 'y_test'].map((k) => {
    const a = data.get(k)
    if (a === undefined) throw new Error(`parity.npz has no ${k}`)
    return a
  }) as [NpyArray, NpyArray, NpyArray, NpyArray]

  for (const name of ['mlp', 'cnn', 'bn-dropout']) {
    it(`${name}: per-step loss within 1e-5 relative of PyTorch, same final test accuracy`, async () => {
      const ref = JSON.parse(readFileSync(new URL(`${name}.reference.json`, DIR), 'utf8')) as Reference
      const bytes = readFileSync(new URL(ref.model, DIR))
      const masks: MaskSource = (site, step, rows) => {
        const packed = ref.dropoutMasks[site.node]?.[step]
        if (packed === undefined) throw new Error(`the trace has no mask for ${site.node} at step ${step}`)
        const perRow = site.shape.slice(1).reduce<number>((a, d) => a * (d as number), 1)
        return unpackMask(packed, rows * perRow)
      }
      const engine = await GraphTrainingEngine.create(bytes, { loss: ref.loss, optimizer: ref.optimizer.kind, batchSize: ref.batchSize },
        ref.optimizer, ref.schedule, 0, { stepsPerEpoch: ref.stepsPerEpoch, totalSteps: ref.steps }, { masks })
      try {
        assert.equal(engine.graph.dropouts.length, Object.keys(ref.dropoutMasks).length)
        let parameters: readonly TensorValues[] = engine.initialParameters()
        let velocities: readonly TensorValues[] = engine.zeroVelocities()
        const worst = { rel: 0, step: -1 }
        for (let s = 0; s < ref.steps; s++) {
          const rows = ref.batchOrder[s] as number[]
          const { features, labels } = rowsOf(xTrain, yTrain, rows)
          const r = await engine.step(parameters, velocities, { rows: rows.length, features, labels, targets: new Float32Array(0) }, { step: s })
          const expected = ref.losses[s] as number
          const rel = Math.abs(r.loss - expected) / Math.abs(expected)
          if (rel > worst.rel) Object.assign(worst, { rel, step: s })
          if (process.env.PARITY_TRACE === "1") console.log(name, s, rel.toExponential(2))
          assert.ok(rel <= 1e-5, `${name} step ${s}: loss ${r.loss} vs PyTorch ${expected} (relative ${rel.toExponential(2)})`)
          parameters = r.parameters
          velocities = r.velocities
        }
        const test = rowsOf(xTest, yTest, Array.from({ length: ref.testCount }, (_, i) => i))
        const ev = await engine.evaluate(parameters, { rows: ref.testCount, features: test.features, labels: test.labels, targets: new Float32Array(0) })
        assert.equal(ev.correct / ref.testCount, ref.finalTestAccuracy)
        console.log(`      ${name}: ${ref.steps} steps, worst loss deviation ${worst.rel.toExponential(2)} (step ${worst.step}), test accuracy ${ev.correct}/${ref.testCount}`)
      } finally {
        await engine.close()
      }
    })
  }
})
