/**
 * A client's dataset in (peer/train/data): every format from small files this test writes into a
 * temp dir (npz through fflate, npy, IDX, PNG through pngjs, JPEG through jpeg-js, CSV), the seeded
 * split, the checks on bad input (each error names the array and row), the dataset-vs-model
 * check, and the float32 batch helpers.
 */
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { zipSync } from 'fflate'
import jpeg from 'jpeg-js'
import { PNG } from 'pngjs'
import {
  checkDataset, checkDatasetForModel, copyRowsAsFloat32, copyTargets, DatasetError, encodeIdxUint8, encodeNpy, loadDataset,
  type DatasetErrorCode, type TensorDataset
} from '../../../peer/train/data/index.js'
import { datasetRootFor } from '../../../storage/index.js'

const fails = (code: DatasetErrorCode, pattern: RegExp) => (e: unknown): boolean => {
  assert.ok(e instanceof DatasetError, `expected a DatasetError, got ${String(e)}`)
  assert.equal(e.code, code, e.message)
  assert.match(e.message, pattern)
  return true
}

/** Deterministic values (an LCG's high bits). */
function values (n: number, seed: number, scale: number): number[] {
  let s = seed >>> 0
  return Array.from({ length: n }, () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return Math.floor((s / 2 ** 32) * scale) })
}

function png (width: number, height: number, rgb: (x: number, y: number) => [number, number, number]): Buffer {
  const img = new PNG({ width, height })
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = rgb(x, y)
      const at = 4 * (y * width + x)
      img.data[at] = r; img.data[at + 1] = g; img.data[at + 2] = b; img.data[at + 3] = 255
    }
  }
  return PNG.sync.write(img)
}

function jpg (width: number, height: number, rgb: [number, number, number]): Uint8Array {
  const data = Buffer.alloc(width * height * 4)
  for (let p = 0; p < width * height; p++) data.set([...rgb, 255], 4 * p)
  return jpeg.encode({ width, height, data }, 95).data
}

describe('peer/train/data: loading a client dataset', function () {
  this.timeout(60_000)
  let dir: string
  const at = (name: string): string => join(dir, name)

  before(async () => { dir = await mkdtemp(join(tmpdir(), 'cyx-data-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  describe('formats', () => {
    it('reads a Keras .npz with test arrays: uint8 images stay uint8 with normalize unit, int64 labels are classes', async () => {
      const xTrain = Uint8Array.from(values(10 * 16, 1, 256))
      const xTest = Uint8Array.from(values(4 * 16, 2, 256))
      await writeFile(at('keras.npz'), zipSync({
        'x_train.npy': encodeNpy('uint8', [10, 1, 4, 4], xTrain),
        'y_train.npy': encodeNpy('int64', [10], BigInt64Array.from(values(10, 3, 3), BigInt)),
        'x_test.npy': encodeNpy('uint8', [4, 1, 4, 4], xTest),
        'y_test.npy': encodeNpy('int64', [4], BigInt64Array.of(0n, 1n, 2n, 4n))
      }))
      const ds = await loadDataset(at('keras.npz'))
      assert.deepEqual(ds.sampleShape, [1, 4, 4])
      assert.equal(ds.dtype, 'uint8')
      assert.equal(ds.normalize, 'unit')
      assert.deepEqual(ds.task, { kind: 'classification', classCount: 5 }) // max label 4 (in y_test) + 1
      assert.equal(ds.train.count, 10)
      assert.equal(ds.test.count, 4)
      assert.deepEqual([...ds.train.x], [...xTrain])
      assert.deepEqual([...ds.test.y], [0, 1, 2, 4])
      const noUnit = await loadDataset(at('keras.npz'), { normalize: 'none', classCount: 8 })
      assert.equal(noUnit.normalize, 'none')
      assert.deepEqual(noUnit.task, { kind: 'classification', classCount: 8 })
    })

    it('splits a train-only, deflated .npz by seed: deterministic, 20 % by default, float64 converted to float32', async () => {
      const n = 50
      const x = Float64Array.from(values(n * 3, 4, 1000), (v) => v / 7)
      await writeFile(at('train-only.npz'), zipSync({
        'x_train.npy': encodeNpy('float64', [n, 3], x),
        'y_train.npy': encodeNpy('int32', [n], Int32Array.from({ length: n }, (_, i) => i % 2))
      }, { level: 6 }))
      const a = await loadDataset(at('train-only.npz'), { seed: 7 })
      const b = await loadDataset(at('train-only.npz'), { seed: 7 })
      const c = await loadDataset(at('train-only.npz'), { seed: 8 })
      assert.equal(a.dtype, 'float32')
      assert.equal(a.normalize, 'none')
      assert.ok(a.train.x instanceof Float32Array)
      assert.equal(a.test.count, 10)
      assert.equal(a.train.count, 40)
      assert.deepEqual([...a.test.x], [...b.test.x])
      assert.deepEqual([...a.test.y], [...b.test.y])
      assert.equal((await datasetRootFor(a)).root.toString(), (await datasetRootFor(b)).root.toString())
      assert.notDeepEqual([...a.test.x], [...c.test.x])
      // Every row lands in exactly one split, converted to float32 and in file order.
      const rowsOf = (ds: TensorDataset): string[] => [...ds.train.x, ...ds.test.x].reduce<string[]>((acc, v, i) => { if (i % 3 === 0) acc.push(''); acc[acc.length - 1] += `${v},`; return acc }, [])
      const want = Array.from({ length: n }, (_, r) => [0, 1, 2].map((k) => `${Math.fround(x[r * 3 + k] as number)},`).join(''))
      assert.deepEqual(rowsOf(a).sort(), want.slice().sort())
      assert.equal((await loadDataset(at('train-only.npz'), { testFraction: 0.5 })).test.count, 25)
    })

    it('reads .npy pairs: float labels are regression targets with their shape', async () => {
      await writeFile(at('x.npy'), encodeNpy('float32', [6, 2], Float32Array.from({ length: 12 }, (_, i) => i / 4)))
      await writeFile(at('y.npy'), encodeNpy('float32', [6, 2], Float32Array.from({ length: 12 }, (_, i) => -i)))
      await writeFile(at('xt.npy'), encodeNpy('float32', [2, 2], Float32Array.of(1, 2, 3, 4)))
      await writeFile(at('yt.npy'), encodeNpy('float32', [2, 2], Float32Array.of(5, 6, 7, 8)))
      const ds = await loadDataset(at('x.npy'), { labelsPath: at('y.npy'), testPath: at('xt.npy'), testLabelsPath: at('yt.npy') })
      assert.deepEqual(ds.task, { kind: 'regression', targetShape: [2] })
      assert.deepEqual([...ds.test.y], [5, 6, 7, 8])
      assert.deepEqual([...ds.train.y.subarray(0, 4)], [-0, -1, -2, -3])
      await assert.rejects(loadDataset(at('x.npy')), fails('FORMAT', /labelsPath/))
    })

    it('reads CSV with a named label column: numeric features, text labels become sorted class names', async () => {
      const lines = ['sepal,species,petal']
      for (let i = 0; i < 20; i++) lines.push(`${i / 10},${['virginica', 'setosa', 'versicolor'][i % 3] as string},${-i}`)
      await writeFile(at('iris.csv'), lines.join('\n') + '\n')
      const ds = await loadDataset(at('iris.csv'), { labelColumn: 'species', seed: 1 })
      assert.deepEqual(ds.sampleShape, [2])
      assert.deepEqual(ds.task, { kind: 'classification', classCount: 3, classNames: ['setosa', 'versicolor', 'virginica'] })
      assert.equal(ds.train.count + ds.test.count, 20)
      // Row 0 (virginica, sepal 0, petal 0) is class 2 in whichever split holds it.
      const all = [...ds.train.y, ...ds.test.y]
      assert.equal(all.filter((c) => c === 2).length, 7)
      await writeFile(at('ints.csv'), 'a,b,label\n' + Array.from({ length: 10 }, (_, i) => `${i},${i * 2},${i % 4}`).join('\n'))
      assert.deepEqual((await loadDataset(at('ints.csv'))).task, { kind: 'classification', classCount: 4 })
      await assert.rejects(loadDataset(at('iris.csv')), fails('FORMAT', /no label column "label"; the columns are "sepal", "species", "petal"/))
      await writeFile(at('bad.csv'), 'a,label\n1,0\n2,1\nx,0\n')
      await assert.rejects(loadDataset(at('bad.csv')), fails('INVALID', /data row 3 \(line 4\), column "a": "x" is not a finite number/))
    })

    it('reads an IDX directory (MNIST names, one file gzipped) as [1, H, W] uint8', async () => {
      await mkdir(at('mnist'))
      const images = Uint8Array.from(values(12 * 5 * 4, 9, 256))
      await writeFile(at('mnist/train-images-idx3-ubyte.gz'), gzipSync(encodeIdxUint8([12, 5, 4], images)))
      await writeFile(at('mnist/train-labels-idx1-ubyte'), encodeIdxUint8([12], Uint8Array.from(values(12, 10, 10))))
      await writeFile(at('mnist/t10k-images-idx3-ubyte'), encodeIdxUint8([3, 5, 4], new Uint8Array(60).fill(9)))
      await writeFile(at('mnist/t10k-labels-idx1-ubyte'), encodeIdxUint8([3], Uint8Array.of(9, 0, 1)))
      const ds = await loadDataset(at('mnist'))
      assert.deepEqual(ds.sampleShape, [1, 5, 4])
      assert.equal(ds.normalize, 'unit')
      assert.equal(ds.train.count, 12)
      assert.deepEqual([...ds.train.x], [...images])
      assert.deepEqual([...ds.test.y], [9, 0, 1])
      assert.equal(ds.task.kind === 'classification' && ds.task.classCount, 10)
      // Explicit paths: images file plus labelsPath.
      const explicit = await loadDataset(at('mnist/t10k-images-idx3-ubyte'), { labelsPath: at('mnist/t10k-labels-idx1-ubyte'), testFraction: 1 / 3 })
      assert.equal(explicit.train.count + explicit.test.count, 3)
    })

    it('reads a folder of class folders: grayscale PNG → [1, H, W] with exact pixels, RGB PNG and JPEG → [3, H, W]', async () => {
      for (const [c, shade] of [['zero', 10], ['one', 200]] as const) {
        await mkdir(at(`gray/${c}`), { recursive: true })
        for (let i = 0; i < 5; i++) await writeFile(at(`gray/${c}/${i}.png`), png(3, 2, (x, y) => { const v = shade + x + 3 * y + i; return [v, v, v] }))
      }
      const gray = await loadDataset(at('gray'), { seed: 3 })
      assert.deepEqual(gray.sampleShape, [1, 2, 3])
      assert.deepEqual(gray.task, { kind: 'classification', classCount: 2, classNames: ['one', 'zero'] })
      // Every row of either split is one file's pixels: class 'zero' (index 1) file i holds 10 + i + (x + 3y).
      const rows = (['train', 'test'] as const).flatMap((name) => [...Array(gray[name].count).keys()].map((r) => [gray[name].y[r], ...gray[name].x.subarray(r * 6, r * 6 + 6)].join(',')))
      const want = (['one', 'zero'] as const).flatMap((c, k) => [0, 1, 2, 3, 4].map((i) => [k, ...[0, 1, 2, 3, 4, 5].map((p) => (c === 'one' ? 200 : 10) + p + i)].join(',')))
      assert.deepEqual(rows.sort(), want.sort())

      await mkdir(at('rgb/cat'), { recursive: true })
      await mkdir(at('rgb/dog'), { recursive: true })
      for (let i = 0; i < 4; i++) await writeFile(at(`rgb/cat/${i}.png`), png(8, 8, () => [250, 0, 0]))
      for (let i = 0; i < 4; i++) await writeFile(at(`rgb/dog/${i}.jpg`), jpg(8, 8, [0, 0, 250]))
      const rgb = await loadDataset(at('rgb'), { testFraction: 0.25 })
      assert.deepEqual(rgb.sampleShape, [3, 8, 8])
      const first = (ds: TensorDataset, split: 'train' | 'test', cls: number): Uint8Array => {
        const s = ds[split]
        const r = [...s.y].indexOf(cls)
        return s.x.subarray(r * 192, r * 192 + 192) as Uint8Array
      }
      const cat = first(rgb, 'train', 0)
      assert.deepEqual([cat[0], cat[64], cat[128]], [250, 0, 0]) // channel-first: R plane, G plane, B plane
      const dog = first(rgb, 'train', 1)
      assert.ok((dog[0] as number) < 10 && (dog[128] as number) > 240, `JPEG blue pixel decoded as ${dog[0]},${dog[64]},${dog[128]}`)

      await mkdir(at('sizes/a'), { recursive: true })
      await writeFile(at('sizes/a/1.png'), png(4, 4, () => [1, 1, 1]))
      await writeFile(at('sizes/a/2.png'), png(5, 4, () => [1, 1, 1]))
      await assert.rejects(loadDataset(at('sizes')), fails('INVALID', /2\.png is 5×4, but .*1\.png is 4×4: all images must have one size/))
    })
  })

  describe('bad input is refused with a message that says where', () => {
    const keras = (x: Float32Array, y: Int32Array, rows: number): Uint8Array => zipSync({
      'x_train.npy': encodeNpy('float32', [rows, 2], x),
      'y_train.npy': encodeNpy('int32', [y.length], y),
      'x_test.npy': encodeNpy('float32', [1, 2], Float32Array.of(0, 0)),
      'y_test.npy': encodeNpy('int32', [1], Int32Array.of(0))
    })

    it('a truncated .npz', async () => {
      const whole = keras(new Float32Array(20), new Int32Array(10), 10)
      await writeFile(at('truncated.npz'), whole.subarray(0, whole.length - 40))
      await assert.rejects(loadDataset(at('truncated.npz')), fails('CORRUPT', /truncated\.npz: not a readable \.npz \(zip\) archive, truncated or corrupt/))
    })

    it('a truncated .npy inside an intact archive', async () => {
      const x = encodeNpy('float32', [10, 2], new Float32Array(20))
      await writeFile(at('short-member.npz'), zipSync({ 'x_train.npy': x.subarray(0, x.length - 8), 'y_train.npy': encodeNpy('int32', [10], new Int32Array(10)) }))
      await assert.rejects(loadDataset(at('short-member.npz')), fails('CORRUPT', /x_train: truncated \.npy: shape \[10,2\] of float32 needs 80 data bytes, the file has 72/))
    })

    it('NaN in x_train row 3', async () => {
      const x = new Float32Array(20)
      x[3 * 2 + 1] = Number.NaN
      await writeFile(at('nan.npz'), keras(x, new Int32Array(10), 10))
      await assert.rejects(loadDataset(at('nan.npz')), fails('INVALID', /^x_train row 3 \(value 1 of the row\) is NaN/))
    })

    it('a label outside classCount', async () => {
      const y = new Int32Array(10)
      y[6] = 5
      await writeFile(at('labels.npz'), keras(new Float32Array(20), y, 10))
      await assert.rejects(loadDataset(at('labels.npz'), { classCount: 3 }), fails('INVALID', /^y_train row 6 is class 5, outside 0\.\.2 \(classCount 3\)/))
      const negative = Int32Array.from({ length: 10 }, (_, i) => (i === 2 ? -1 : 0))
      await writeFile(at('negative.npz'), keras(new Float32Array(20), negative, 10))
      await assert.rejects(loadDataset(at('negative.npz')), fails('INVALID', /^y_train row 2 is class -1/))
    })

    it('fortran_order True', async () => {
      await writeFile(at('fortran.npy'), encodeNpy('float32', [2, 2], new Float32Array(4), { fortranOrder: true }))
      await writeFile(at('fortran-y.npy'), encodeNpy('int32', [2], new Int32Array(2)))
      await assert.rejects(loadDataset(at('fortran.npy'), { labelsPath: at('fortran-y.npy') }), fails('UNSUPPORTED', /x_train .*fortran_order is True; only C order is read/))
    })

    it('mismatched row counts', async () => {
      await writeFile(at('mismatch.npz'), keras(new Float32Array(20), new Int32Array(9), 10))
      await assert.rejects(loadDataset(at('mismatch.npz')), fails('INVALID', /x_train has 10 rows but .*y_train has 9: the counts must match/))
    })

    it('over the size limit (a small override), from the header, before the data is copied', async () => {
      await writeFile(at('big.npz'), keras(new Float32Array(200), new Int32Array(100), 100))
      await assert.rejects(loadDataset(at('big.npz'), { limits: { maxBytes: 500 } }), fails('TOO_LARGE', /over the dataset limit of 500 bytes/))
      await assert.rejects(loadDataset(at('big.npz'), { limits: { maxRows: 50 } }), fails('TOO_LARGE', /101 rows is over the limit of 50/))
    })

    it('an empty split, big-endian and float16 dtypes', async () => {
      await writeFile(at('empty.npz'), zipSync({
        'x_train.npy': encodeNpy('float32', [2, 2], new Float32Array(4)), 'y_train.npy': encodeNpy('int32', [2], new Int32Array(2)),
        'x_test.npy': encodeNpy('float32', [0, 2], new Float32Array(0)), 'y_test.npy': encodeNpy('int32', [0], new Int32Array(0))
      }))
      await assert.rejects(loadDataset(at('empty.npz')), fails('INVALID', /^test split is empty/))
      const be = encodeNpy('float32', [1, 1], new Float32Array(1))
      const f16 = Uint8Array.from(be)
      be.set(new TextEncoder().encode("'>f4'"), be.indexOf(0x27, 20)) // the descr value's opening quote
      await writeFile(at('be.npy'), be)
      await writeFile(at('be-y.npy'), encodeNpy('int32', [1], new Int32Array(1)))
      await assert.rejects(loadDataset(at('be.npy'), { labelsPath: at('be-y.npy') }), fails('UNSUPPORTED', /big-endian dtype >f4/))
      f16.set(new TextEncoder().encode("'<f2'"), f16.indexOf(0x27, 20))
      await writeFile(at('f16.npy'), f16)
      await assert.rejects(loadDataset(at('f16.npy'), { labelsPath: at('be-y.npy') }), fails('UNSUPPORTED', /dtype <f2/))
    })
  })

  describe('checks against a model, and the batch helpers', () => {
    const ds: TensorDataset = {
      sampleShape: [1, 2, 2],
      dtype: 'uint8',
      normalize: 'unit',
      task: { kind: 'classification', classCount: 3 },
      train: { count: 2, x: Uint8Array.of(0, 51, 102, 255, 10, 20, 30, 40), y: Int32Array.of(2, 0) },
      test: { count: 1, x: Uint8Array.of(1, 2, 3, 4), y: Int32Array.of(1) }
    }

    it('accepts a fitting model, with symbolic batch and class dimensions', () => {
      checkDataset(ds)
      checkDatasetForModel(ds, { shape: ['N', 1, 2, 2] }, { shape: ['N', 3] }, 'ce')
      checkDatasetForModel(ds, { shape: [null, 1, 2, 2] }, { shape: [null, 'classes'] }, 'ce')
      checkDatasetForModel(ds, { shape: ['N', 1, 2, 2] }, { shape: ['N', 10] }, 'ce') // more outputs than classes is fine
    })

    it('says what to change when it does not fit', () => {
      assert.throws(() => checkDatasetForModel(ds, { shape: ['N', 4] }, { shape: ['N', 3] }, 'ce'),
        fails('MODEL_MISMATCH', /samples of \[4\] .* dataset's samples are \[1, 2, 2\]: flatten the dataset's samples to \[4\] or give the model an input of \[batch, 1, 2, 2\]/))
      assert.throws(() => checkDatasetForModel(ds, { shape: ['N', 1, 2, 2] }, { shape: ['N', 2] }, 'ce'),
        fails('MODEL_MISMATCH', /outputs 2 classes, the dataset has 3 .*at least 3 outputs/))
      assert.throws(() => checkDatasetForModel(ds, { shape: ['N', 1, 2, 2] }, { shape: ['N', 3] }, 'mse'), fails('MODEL_MISMATCH', /\('mse'\) needs regression targets, but the dataset has 3 classes: use 'ce'/))
      const reg: TensorDataset = { ...ds, task: { kind: 'regression', targetShape: [2] }, train: { ...ds.train, y: new Float32Array(4) }, test: { ...ds.test, y: new Float32Array(2) } }
      checkDataset(reg)
      checkDatasetForModel(reg, { shape: ['N', 1, 2, 2] }, { shape: ['N', 2] }, 'mse')
      assert.throws(() => checkDatasetForModel(reg, { shape: ['N', 1, 2, 2] }, { shape: ['N', 3] }, 'mse'), fails('MODEL_MISMATCH', /outputs \[3\] per sample .* targets are \[2\]/))
      assert.throws(() => checkDatasetForModel(reg, { shape: ['N', 1, 2, 2] }, { shape: ['N', 2] }, 'ce'), fails('MODEL_MISMATCH', /'ce'.*needs class labels/))
    })

    it('copies rows as float32 with the normalization applied, and their targets', () => {
      const out = new Float32Array(8)
      copyRowsAsFloat32(ds, 'train', Uint32Array.of(1, 0), out)
      assert.deepEqual([...out], [10, 20, 30, 40, 0, 51, 102, 255].map((v) => Math.fround(v * (1 / 255))))
      const none = new Float32Array(4)
      copyRowsAsFloat32({ ...ds, normalize: 'none' }, 'test', Uint32Array.of(0), none)
      assert.deepEqual([...none], [1, 2, 3, 4])
      const y = new Int32Array(2)
      copyTargets(ds, 'train', Uint32Array.of(1, 0), y)
      assert.deepEqual([...y], [0, 2])
      assert.throws(() => copyTargets(ds, 'train', Uint32Array.of(0), new Float32Array(1)), /Int32Array/)
      assert.throws(() => copyRowsAsFloat32(ds, 'test', Uint32Array.of(1), none), /row 1 of test/)
    })
  })
})
