/** `cyx train`: train a job locally with its Helia evidence, the inference model and a CAR export. */
import { writeFile, rename } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { wire as Wire } from '../../../protocols/index.js'
import type { TrainProgress } from '../../evidence/index.js'
import type { Dataset } from '../../train/index.js'
import { parseCommandArgs, toJson, UsageError, type Command } from '../command.js'

/** What `cyx train` leaves in its output dir, besides the peer store (peer.db, blocks, datastore). */
export const TRAIN_RESULT_FILE = 'train.json'
export const MODEL_FILE = 'model.onnx'
export const CAR_FILE = 'evidence.car'

const DEFAULT_LAYERS: Record<string, readonly number[]> = { mnist: [784, 64, 10], spirals: [16, 32, 3] }

export function wholeArg (name: string, v: string | undefined, dflt: number | undefined, min: number, max: number): number {
  if (v === undefined) {
    if (dflt === undefined) throw new UsageError(`--${name} is required`)
    return dflt
  }
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number ${min}..${max} (got ${JSON.stringify(v)})`)
  const n = Number(v)
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number ${min}..${max} (got ${v})`)
  return n
}

/** A decimal with at most 6 fraction digits, as millionths (the wire spec's unit), exactly. */
function microsArg (name: string, v: string | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt
  const m = /^(\d+)(?:\.(\d{1,6}))?$/.exec(v)
  if (m === null) throw new UsageError(`--${name} must be a decimal number with at most 6 decimals (got ${JSON.stringify(v)})`)
  const micros = Number(m[1]) * 1_000_000 + Number((m[2] ?? '').padEnd(6, '0'))
  if (!Number.isSafeInteger(micros) || micros < min || micros > max) throw new UsageError(`--${name} must be in ${min / 1e6}..${max / 1e6} (got ${v})`)
  return micros
}

function layersArg (v: string | undefined, dataset: Dataset): number[] {
  const layers = v === undefined ? [...(DEFAULT_LAYERS[dataset.id] as number[])] : v.split(',').map((x) => x.trim())
    .map((x) => {
      if (!/^\d+$/.test(x) || Number(x) < 1 || Number(x) > 4096) throw new UsageError(`--layers must be comma-separated sizes 1..4096, like 784,64,10 (got ${JSON.stringify(v)})`)
      return Number(x)
    })
  if (layers.length < 2 || layers.length > 16) throw new UsageError(`--layers needs 2..16 sizes (got ${layers.length})`)
  if (layers[0] !== dataset.featureCount) throw new UsageError(`--layers must start with ${dataset.featureCount}, the feature count of ${dataset.id} (got ${layers[0]})`)
  if (layers.at(-1) !== dataset.classCount) throw new UsageError(`--layers must end with ${dataset.classCount}, the class count of ${dataset.id} (got ${layers.at(-1)})`)
  return layers
}

function progressLine (p: TrainProgress): string {
  const width = 20
  const done = Math.round((p.segment / p.segments) * width)
  const m = p.metrics
  return `[${'#'.repeat(done)}${'.'.repeat(width - done)}] segment ${p.segment}/${p.segments}  epoch ${Number(m.epoch.toFixed(2))}  ` +
    `loss ${m.trainLoss.toFixed(4)}  accuracy ${(m.trainAccuracy * 100).toFixed(2)} %  test accuracy ${(m.testAccuracy * 100).toFixed(2)} %`
}

async function writeAtomic (path: string, bytes: Uint8Array | string): Promise<void> {
  await writeFile(`${path}.partial`, bytes)
  await rename(`${path}.partial`, path)
}

export const trainCommand: Command = {
  name: 'train',
  usage: `Usage: cyx train --dataset mnist|spirals --epochs N [--layers 784,64,10] [--batch 64] [--lr 0.05]
                 [--seed S] [--fixed-point] [--portable] [--out DIR] [--json]

Trains an MLP (SGD with momentum 0.9, softmax cross-entropy) on one CPU thread, one checkpoint per
epoch. Every checkpoint (weights and optimizer state) is hashed into the checkpoint chain and stored
as evidence in DIR's Helia blockstore as soon as its epoch ends; rerun the same command after a
crash and it resumes from the last stored checkpoint, ending with the same hashes. Then it seals the
evidence, exports it as DIR/${CAR_FILE}, exports the trained model as DIR/${MODEL_FILE} (forward
pass only, evaluated with onnxruntime) and writes DIR/${TRAIN_RESULT_FILE}. Check it with
"cyx verify --evidence DIR".

Options:
  --dataset ID     mnist (real digits) or spirals (synthetic, fast)
  --epochs N       1..10000
  --layers L       layer sizes, input first (default: mnist 784,64,10; spirals 16,32,3)
  --batch B        batch size 1..65536 (default 64)
  --lr R           learning rate, at most 6 decimals (default 0.05)
  --seed S         data order and initial weights (0..2^53-1, default 1)
  --fixed-point    exact integer Q16 arithmetic (bit-exact on every CPU)
  --portable       float32 on onnxruntime-web (wasm): the same bits on every CPU
  --out DIR        output and evidence store (default ./cyx-train-out)
  --json           one JSON object on stdout instead of the progress lines
  -h, --help`,
  async run (argv, io) {
    const { values } = parseCommandArgs(argv, {
      dataset: { type: 'string' },
      epochs: { type: 'string' },
      layers: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      seed: { type: 'string' },
      'fixed-point': { type: 'boolean' },
      portable: { type: 'boolean' },
      out: { type: 'string' },
      json: { type: 'boolean' }
    })
    const json = values.json === true
    // The engine, storage and the evidence room load here, not with the CLI: other commands stay quick.
    const [{ CID }, { wire }, { createPeerHelia, exportCar, openPeerStore }, { datasetBytes, trainWithEvidence }, train] = await Promise.all([
      import('multiformats/cid'), import('../../../protocols/index.js'), import('../../../storage/index.js'), import('../../evidence/index.js'), import('../../train/index.js')
    ])
    const { createEngine, evaluateInferenceModel, exportInferenceModel, loadDatasetById, Q16_FRACTION_BITS } = train
    if (values.dataset === undefined) throw new UsageError('--dataset is required (mnist or spirals)')
    if (values.dataset !== 'mnist' && values.dataset !== 'spirals') throw new UsageError(`--dataset must be mnist or spirals (got ${JSON.stringify(values.dataset)})`)
    const epochs = wholeArg('epochs', values.epochs, undefined, 1, 10_000)
    const batch = wholeArg('batch', values.batch, 64, 1, 65_536)
    const lrMicros = microsArg('lr', values.lr, 50_000, 1, 10_000_000)
    const seed = wholeArg('seed', values.seed, 1, 0, Number.MAX_SAFE_INTEGER)
    const fixed = values['fixed-point'] === true
    const portable = values.portable === true
    if (fixed && portable) throw new UsageError('--fixed-point and --portable exclude each other (fixed point is exact on every CPU already)')
    if (values.out === '') throw new UsageError('--out must name a directory')
    const out = resolve(values.out ?? 'cyx-train-out')
    const dataset = loadDatasetById(values.dataset)
    const layers = layersArg(values.layers, dataset)

    const wireSpec: Wire.TrainingSpec = {
      layers,
      mode: fixed ? wire.NumericMode.FIXED_POINT : wire.NumericMode.FLOAT32,
      fracBits: fixed ? Q16_FRACTION_BITS : 0,
      datasetId: dataset.id,
      datasetHash: Uint8Array.from(Buffer.from(dataset.contentHash, 'hex')),
      datasetBytes: datasetBytes(dataset),
      epochs,
      batchSize: batch,
      learningRateMicros: lrMicros,
      momentumMicros: 900_000,
      seed: BigInt(seed),
      tier: wire.VerificationTier.TIER_OPTIMISTIC,
      stepsPerSegment: 0,
      backend: portable ? wire.FloatBackend.BACKEND_PORTABLE : wire.FloatBackend.BACKEND_NATIVE
    }
    try {
      const validate: (s: Wire.TrainingSpec) => void = wire.validateTrainingSpec
      validate(wireSpec)
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err))
    }

    let first = true
    const result = await trainWithEvidence({
      wireSpec,
      dataset,
      dir: out,
      onProgress: (p) => {
        if (json) return
        if (first && p.segment > 1) io.err(`resumed: checkpoints 1..${p.segment - 1} were already stored in ${out}`)
        first = false
        io.err(progressLine(p))
      }
    })

    // The deliverable model (forward pass only), evaluated by onnxruntime on the test split.
    const engine = await createEngine(result.spec)
    let model: Uint8Array
    try {
      model = exportInferenceModel(result.spec, engine.decodeParameters(result.final.parameters), Buffer.from(result.specHash, 'hex'))
    } finally {
      await engine.close()
    }
    const exported = await evaluateInferenceModel(model, dataset.test, dataset.featureCount)
    await writeAtomic(join(out, MODEL_FILE), model)

    const store = await openPeerStore(out)
    let car
    try {
      const helia = await createPeerHelia(store)
      try {
        car = await exportCar(helia, CID.parse(result.evidenceCid), join(out, CAR_FILE), { offline: true })
      } finally {
        await helia.stop()
      }
    } finally {
      await store.close()
    }

    const report = {
      evidenceCid: result.evidenceCid,
      specHash: result.specHash,
      merkleRoot: result.merkleRoot,
      chainHead: result.chainHead,
      finalWeightsHash: result.finalWeightsHash,
      checkpoints: result.checkpoints,
      resumedFrom: result.resumedFrom,
      metrics: result.metrics,
      testAccuracy: result.metrics.testAccuracy,
      exportedModelAccuracy: exported.accuracy,
      profile: result.profile,
      spec: { ...wireSpec, datasetHash: Buffer.from(wireSpec.datasetHash).toString('hex') },
      files: { dir: out, model: join(out, MODEL_FILE), car: join(out, CAR_FILE), carBytes: car.bytes, carBlocks: car.blocks, result: join(out, TRAIN_RESULT_FILE) }
    }
    await writeAtomic(join(out, TRAIN_RESULT_FILE), toJson(report) + '\n')
    if (json) io.out(toJson(report))
    else {
      io.out(`evidence CID        ${report.evidenceCid}`)
      io.out(`spec hash           ${report.specHash}`)
      io.out(`Merkle root         ${report.merkleRoot}`)
      io.out(`chain head          ${report.chainHead}`)
      io.out(`final weights hash  ${report.finalWeightsHash}`)
      io.out(`test accuracy       ${(report.testAccuracy * 100).toFixed(2)} % (exported model: ${(exported.accuracy * 100).toFixed(2)} %)`)
      io.out(`checkpoints         ${report.checkpoints}${report.resumedFrom > 0 ? ` (resumed after ${report.resumedFrom})` : ''}`)
      io.out(`files               ${report.files.model}, ${report.files.car} (${car.bytes} bytes), ${report.files.result}`)
      io.out(`verify with         cyx verify --evidence ${out}`)
    }
    return 0
  }
}
