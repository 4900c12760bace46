/**
 * `cyx train`: train a job locally with its Helia evidence, the trained model and a CAR export.
 *
 * Two modes, exactly one per call:
 *   - `--dataset mnist|spirals`: the built-in MLP on a built-in dataset (the exported model is an
 *     inference graph built from the trained weights);
 *   - `--model FILE --data FILE|DIR` (bring your own model): the client's ONNX file on the client's
 *     data. Everything goes through `prepareClientModelJob`, the one path every command uses to check
 *     a model and its data, so bad input is refused before any training with the same messages as
 *     `cyx client submit`. The deliverable is the client's own file with the trained initializers
 *     written in (`trainedModelFile`), evaluated with onnxruntime on the test split.
 */
import { writeFile, rename } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { wire as Wire } from '../../../protocols/index.js'
import type { TrainProgress, TrainWithEvidenceResult } from '../../evidence/index.js'
import type { Dataset, PreparedClientModel, ScheduleRequest } from '../../train/index.js'
import type { TensorDataset } from '../../../storage/index.js'
import { booleanOptions, parseCommandArgs, stringOptions, toJson, UsageError, type Command } from '../command.js'
import { fromHex, toHex } from '../../../protocols/hex.js'
import { CLIENT_MODEL_OPTIONS } from './client-model-args.js'

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

function progressLine (p: TrainProgress, mse = false): string {
  const width = 20
  const done = Math.round((p.segment / p.segments) * width)
  const m = p.metrics
  const bar = `[${'#'.repeat(done)}${'.'.repeat(width - done)}] segment ${p.segment}/${p.segments}  epoch ${Number(m.epoch.toFixed(2))}  `
  if (mse) return bar + `loss ${m.trainLoss.toFixed(6)}  test loss ${m.testLoss.toFixed(6)}`
  return bar + `loss ${m.trainLoss.toFixed(4)}  accuracy ${(m.trainAccuracy * 100).toFixed(2)} %  test accuracy ${(m.testAccuracy * 100).toFixed(2)} %`
}

async function writeAtomic (path: string, bytes: Uint8Array | string): Promise<void> {
  await writeFile(`${path}.partial`, bytes)
  await rename(`${path}.partial`, path)
}

/** Options of BYOM mode only (refused with --dataset), and of --dataset mode only (refused with --model). */
const CLIENT_MODEL_ONLY = ['loss', 'optimizer', 'momentum', 'weight-decay', 'schedule', 'step-epochs', 'gamma', 'label-column', 'normalize'] as const
const BUILT_IN_ONLY = ['layers', 'fixed-point', 'portable'] as const

type Values = Record<string, string | boolean | undefined>

function oneOf<T extends string> (name: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--${name} must be ${allowed.join(', ').replace(/, ([^,]*)$/, ' or $1')} (got ${JSON.stringify(v)})`)
  return v as T
}

/** The schedule the flags ask for (`step`: every --step-epochs epochs, times --gamma; `cosine`: down to 0). */
function scheduleArg (values: Values, epochs: number): ScheduleRequest | undefined {
  const kind = oneOf('schedule', values.schedule as string | undefined, ['constant', 'step', 'cosine'] as const)
  if (kind !== 'step' && (values['step-epochs'] !== undefined || values.gamma !== undefined)) throw new UsageError('--step-epochs and --gamma go with --schedule step')
  if (kind === undefined) return undefined
  if (kind === 'constant') return { kind }
  if (kind === 'cosine') return { kind, minLearningRateMicros: 0 }
  return {
    kind,
    stepEpochs: wholeArg('step-epochs', values['step-epochs'] as string | undefined, Math.max(1, Math.ceil(epochs / 3)), 1, 10_000),
    gammaMicros: microsArg('gamma', values.gamma as string | undefined, 100_000, 1, 1_000_000)
  }
}

/** The wire spec as JSON: hashes as hex (bigints are decimal strings through toJson). */
function specJson (spec: Wire.TrainingSpec): unknown {
  const hexed = (v: unknown): unknown => {
    if (v instanceof Uint8Array) return toHex(v)
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, hexed(x)]))
    return v
  }
  return hexed(spec)
}

export const trainCommand: Command = {
  name: 'train',
  usage: `Usage: cyx train --dataset mnist|spirals --epochs N [--layers 784,64,10] [--batch 64] [--lr 0.05]
                 [--seed S] [--fixed-point] [--portable] [--out DIR] [--json]
       cyx train --model FILE.onnx --data FILE|DIR --epochs N [--loss ce|mse] [--optimizer sgd|adam|adamw]
                 [--lr X] [--momentum M] [--weight-decay W] [--schedule constant|step|cosine]
                 [--step-epochs E] [--gamma G] [--batch B] [--seed S] [--label-column C]
                 [--normalize unit|none] [--out DIR] [--json]

Trains on one CPU thread, one checkpoint per epoch. Every checkpoint (weights and optimizer state) is
hashed into the checkpoint chain and stored as evidence in DIR's Helia blockstore as soon as its
epoch ends; rerun the same command after a crash and it resumes from the last stored checkpoint,
ending with the same hashes. Then it seals the evidence, exports it as DIR/${CAR_FILE}, writes the
trained model as DIR/${MODEL_FILE} (evaluated with onnxruntime on the test split) and writes
DIR/${TRAIN_RESULT_FILE}. Give exactly one of --dataset and --model/--data.

--dataset: an MLP (SGD with momentum 0.9, softmax cross-entropy) on a built-in dataset; ${MODEL_FILE}
is its forward pass. Check the evidence with "cyx verify --evidence DIR".

--model/--data (bring your own model): your ONNX file (torch.onnx.export) trained on your data
(.npz with x_train/y_train[/x_test/y_test], .npy, CSV, IDX or an image folder). The model and the
data are checked against each other before anything runs (supported ops, input shape vs samples,
labels vs the output's classes, NaN/Inf, size limits): a problem exits 1 with what to fix.
${MODEL_FILE} is YOUR file with the trained weights written in, every other byte unchanged.

Options:
  --dataset ID       mnist (real digits) or spirals (synthetic, fast)
  --model FILE       your ONNX model (one data input, one output)
  --data FILE|DIR    your dataset (with --model)
  --epochs N         1..10000
  --layers L         (--dataset) layer sizes, input first (default: mnist 784,64,10; spirals 16,32,3)
  --batch B          batch size 1..65536 (default: --dataset 64, --model 32)
  --lr R             learning rate, at most 6 decimals (default: --dataset 0.05; --model adam/adamw
                     0.001, sgd 0.01)
  --loss L           (--model) ce (classification, default) or mse (regression)
  --optimizer O      (--model) sgd, adam (default) or adamw
  --momentum M       (--model, sgd) momentum 0..1 (default 0.9)
  --weight-decay W   (--model) weight decay (default 0)
  --schedule S       (--model) learning-rate schedule: constant (default), step or cosine (to 0)
  --step-epochs E    (--schedule step) epochs between decays (default: a third of the epochs)
  --gamma G          (--schedule step) decay factor 0..1 (default 0.1)
  --label-column C   (--model, CSV data) the label column's header (default label)
  --normalize N      (--model) unit (uint8 / 255) or none (plain cast); default from the data
  --seed S           data order and initial weights (0..2^53-1, default 1)
  --fixed-point      (--dataset) exact integer Q16 arithmetic (bit-exact on every CPU)
  --portable         (--dataset) float32 on onnxruntime-web (wasm): the same bits on every CPU
  --out DIR          output and evidence store (default ./cyx-train-out)
  --json             one JSON object on stdout instead of the progress lines
  -h, --help`,
  async run (argv, io) {
    const { values } = parseCommandArgs(argv, {
      ...CLIENT_MODEL_OPTIONS,
      ...stringOptions('dataset', 'epochs', 'layers', 'momentum', 'weight-decay', 'schedule', 'step-epochs', 'gamma', 'normalize', 'seed', 'out'),
      ...booleanOptions('fixed-point', 'portable', 'json')
    })
    const clientModel = values.model !== undefined || values.data !== undefined
    if (clientModel && values.dataset !== undefined) throw new UsageError('give either --dataset or --model with --data, not both')
    if (!clientModel && values.dataset === undefined) throw new UsageError('--dataset is required (mnist or spirals), or --model FILE with --data FILE|DIR to train your own model')
    for (const k of clientModel ? BUILT_IN_ONLY : CLIENT_MODEL_ONLY) {
      if (values[k] !== undefined) throw new UsageError(`--${k} applies to ${clientModel ? '--dataset' : '--model/--data'} only`)
    }
    return clientModel ? await trainClientModel(values, io) : await trainBuiltIn(values, io)
  }
}

/**
 * What both modes finish with: the CAR of the sealed evidence, exported from DIR's store. A client
 * model's inputs (its ONNX file and dataset, as the blocks their CIDs in the spec name) are put in
 * the store too, so that `cyx verify --evidence DIR` can re-execute the job from DIR alone.
 */
/** The report fields every training run shares: what the evidence commits to. */
function runFields (result: TrainWithEvidenceResult): Pick<TrainWithEvidenceResult, 'evidenceCid' | 'specHash' | 'merkleRoot' | 'chainHead' | 'finalWeightsHash' | 'checkpoints' | 'resumedFrom' | 'metrics'> {
  const { evidenceCid, specHash, merkleRoot, chainHead, finalWeightsHash, checkpoints, resumedFrom, metrics } = result
  return { evidenceCid, specHash, merkleRoot, chainHead, finalWeightsHash, checkpoints, resumedFrom, metrics }
}

/** The files a run leaves in OUT. */
function outputFiles (out: string, car: { bytes: number, blocks: number }): { dir: string, model: string, car: string, carBytes: number, carBlocks: number, result: string } {
  return { dir: out, model: join(out, MODEL_FILE), car: join(out, CAR_FILE), carBytes: car.bytes, carBlocks: car.blocks, result: join(out, TRAIN_RESULT_FILE) }
}

async function exportEvidenceCar (out: string, evidenceCid: string, inputs?: { model: Uint8Array, dataset: TensorDataset }): Promise<{ bytes: number, blocks: number }> {
  const [{ CID }, { createPeerHelia, exportCar, openPeerStore, putBlob, putDataset }] = await Promise.all([import('multiformats/cid'), import('../../../storage/index.js')])
  const store = await openPeerStore(out)
  try {
    const helia = await createPeerHelia(store)
    try {
      if (inputs !== undefined) {
        await putBlob(helia.blockstore, inputs.model)
        await putDataset(helia.blockstore, inputs.dataset)
      }
      return await exportCar(helia, CID.parse(evidenceCid), join(out, CAR_FILE), { offline: true })
    } finally {
      await helia.stop()
    }
  } finally {
    await store.close()
  }
}

function outDir (values: Values): string {
  if (values.out === '') throw new UsageError('--out must name a directory')
  return resolve((values.out as string | undefined) ?? 'cyx-train-out')
}

/** `--dataset`: the built-in MLP. */
async function trainBuiltIn (values: Values, io: Parameters<Command['run']>[1]): Promise<number> {
  const json = values.json === true
  // The engine, storage and the evidence room load here, not with the CLI: other commands stay quick.
  const [{ wire }, { datasetBytes, trainWithEvidence }, train] = await Promise.all([
    import('../../../protocols/index.js'), import('../../evidence/index.js'), import('../../train/index.js')
  ])
  const { createEngine, evaluateInferenceModel, exportInferenceModel, loadDatasetById, Q16_FRACTION_BITS } = train
  if (values.dataset !== 'mnist' && values.dataset !== 'spirals') throw new UsageError(`--dataset must be mnist or spirals (got ${JSON.stringify(values.dataset)})`)
  const epochs = wholeArg('epochs', values.epochs as string | undefined, undefined, 1, 10_000)
  const batch = wholeArg('batch', values.batch as string | undefined, 64, 1, 65_536)
  const lrMicros = microsArg('lr', values.lr as string | undefined, 50_000, 1, 10_000_000)
  const seed = wholeArg('seed', values.seed as string | undefined, 1, 0, Number.MAX_SAFE_INTEGER)
  const fixed = values['fixed-point'] === true
  const portable = values.portable === true
  if (fixed && portable) throw new UsageError('--fixed-point and --portable exclude each other (fixed point is exact on every CPU already)')
  const out = outDir(values)
  const dataset = loadDatasetById(values.dataset)
  const layers = layersArg(values.layers as string | undefined, dataset)

  const wireSpec: Wire.TrainingSpec = {
    layers,
    mode: fixed ? wire.NumericMode.FIXED_POINT : wire.NumericMode.FLOAT32,
    fracBits: fixed ? Q16_FRACTION_BITS : 0,
    datasetId: dataset.id,
    datasetHash: fromHex(dataset.contentHash, { what: 'dataset content hash', bytes: 32 }),
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

  const result = await trainWithEvidence({ wireSpec, dataset, dir: out, onProgress: progressTo(io, json, out, false) })

  // The deliverable model (forward pass only), evaluated by onnxruntime on the test split.
  const engine = await createEngine(result.spec)
  let model: Uint8Array
  try {
    model = exportInferenceModel(result.spec, engine.decodeParameters(result.final.parameters), fromHex(result.specHash, { what: 'spec hash' }))
  } finally {
    await engine.close()
  }
  const exported = await evaluateInferenceModel(model, dataset.test, dataset.featureCount)
  await writeAtomic(join(out, MODEL_FILE), model)
  const car = await exportEvidenceCar(out, result.evidenceCid)

  const report = {
    ...runFields(result),
    testAccuracy: result.metrics.testAccuracy,
    exportedModelAccuracy: exported.accuracy,
    profile: result.profile,
    spec: { ...wireSpec, datasetHash: toHex(wireSpec.datasetHash) },
    files: outputFiles(out, car)
  }
  await writeAtomic(join(out, TRAIN_RESULT_FILE), toJson(report) + '\n')
  if (json) io.out(toJson(report))
  else {
    summary(io, report, `${(report.testAccuracy * 100).toFixed(2)} % (exported model: ${(exported.accuracy * 100).toFixed(2)} %)`, car.bytes)
    io.out(`verify with         cyx verify --evidence ${out}`)
  }
  return 0
}

/** `--model/--data`: the client's own model on the client's own data. */
async function trainClientModel (values: Values, io: Parameters<Command['run']>[1]): Promise<number> {
  const json = values.json === true
  if (values.model === undefined || values.model === '') throw new UsageError('--data needs --model FILE.onnx (your model)')
  if (values.data === undefined || values.data === '') throw new UsageError('--model needs --data FILE|DIR (your dataset)')
  const epochs = wholeArg('epochs', values.epochs as string | undefined, undefined, 1, 10_000)
  const loss = oneOf('loss', values.loss as string | undefined, ['ce', 'mse'] as const)
  const optimizer = oneOf('optimizer', values.optimizer as string | undefined, ['sgd', 'adam', 'adamw'] as const)
  if (values.momentum !== undefined && optimizer !== 'sgd') throw new UsageError('--momentum goes with --optimizer sgd (adam and adamw keep their own moments)')
  const normalize = oneOf('normalize', values.normalize as string | undefined, ['unit', 'none'] as const)
  const seed = wholeArg('seed', values.seed as string | undefined, 1, 0, Number.MAX_SAFE_INTEGER)
  const out = outDir(values)
  const labelColumn = values['label-column'] as string | undefined
  if (labelColumn === '') throw new UsageError('--label-column must name a column')
  const request = {
    modelPath: resolve(values.model as string),
    dataPath: resolve(values.data as string),
    data: { ...(labelColumn !== undefined ? { labelColumn } : {}), ...(normalize !== undefined ? { normalize } : {}) },
    loss,
    optimizer,
    learningRateMicros: values.lr === undefined ? undefined : microsArg('lr', values.lr as string, 0, 1, 10_000_000),
    momentumMicros: values.momentum === undefined ? undefined : microsArg('momentum', values.momentum as string, 0, 0, 1_000_000),
    weightDecayMicros: values['weight-decay'] === undefined ? undefined : microsArg('weight-decay', values['weight-decay'] as string, 0, 0, 1_000_000),
    schedule: scheduleArg(values, epochs),
    batchSize: values.batch === undefined ? undefined : wholeArg('batch', values.batch as string, undefined, 1, 65_536),
    epochs,
    seed: BigInt(seed)
  }

  const [{ trainWithEvidence }, { prepareClientModelJob, trainedModelFile, evaluateModelFile }] = await Promise.all([
    import('../../evidence/index.js'), import('../../train/index.js')
  ])
  // Every check (model, data, the two together) before anything is trained or written; its errors
  // are the user's to fix and reach them as "cyx train: <message>", exit 1.
  const prepared: PreparedClientModel = await prepareClientModelJob(request)
  const mse = (loss ?? 'ce') === 'mse'
  if (!json) {
    io.err(`model  ${request.modelPath}: ${prepared.report.parameters.trainable} trainable parameters in ${prepared.report.parameters.trainableTensors} tensors`)
    io.err(`data   ${request.dataPath}: ${prepared.dataset.train.count} train / ${prepared.dataset.test.count} test rows, samples [${prepared.dataset.sampleShape.join(', ')}]`)
  }
  const result = await trainWithEvidence({ wireSpec: prepared.spec, dataset: prepared.data, dir: out, onProgress: progressTo(io, json, out, mse) })

  // The deliverable: the client's own file with the trained initializers, run as the client will run it.
  const names = prepared.stepGraph.initializers.map((t) => t.name)
  const model = trainedModelFile(prepared.data, names, result.final.parameters as Float32Array[])
  const evaluation = await evaluateModelFile(model, prepared.dataset)
  await writeAtomic(join(out, MODEL_FILE), model)
  const car = await exportEvidenceCar(out, result.evidenceCid, { model: prepared.model, dataset: prepared.dataset })

  const report = {
    ...runFields(result),
    /** The written model file's accuracy on the test split (classification; null for mse). */
    testAccuracy: evaluation.accuracy ?? null,
    /** The written model file's mean squared error on the test split (mse; null for ce). */
    testLoss: evaluation.loss ?? null,
    testRows: evaluation.rows,
    profile: result.profile,
    model: { cid: prepared.modelCid.toString(), bytes: prepared.model.byteLength, parameters: prepared.report.parameters.trainable, stepGraphHash: prepared.stepGraph.hash },
    dataset: { cid: prepared.datasetCid.toString(), train: prepared.dataset.train.count, test: prepared.dataset.test.count, sampleShape: prepared.dataset.sampleShape },
    spec: specJson(prepared.spec),
    files: outputFiles(out, car)
  }
  await writeAtomic(join(out, TRAIN_RESULT_FILE), toJson(report) + '\n')
  if (json) io.out(toJson(report))
  else {
    summary(io, report, evaluation.accuracy !== undefined
      ? `${(evaluation.accuracy * 100).toFixed(2)} % (${MODEL_FILE}, ${evaluation.rows} test rows)`
      : `mean squared error ${(evaluation.loss as number).toPrecision(6)} (${MODEL_FILE}, ${evaluation.rows} test rows)`, car.bytes)
  }
  return 0
}

function progressTo (io: Parameters<Command['run']>[1], json: boolean, out: string, mse: boolean): (p: TrainProgress) => void {
  let first = true
  return (p) => {
    if (json) return
    if (first && p.segment > 1) io.err(`resumed: checkpoints 1..${p.segment - 1} were already stored in ${out}`)
    first = false
    io.err(progressLine(p, mse))
  }
}

function summary (io: Parameters<Command['run']>[1], report: { evidenceCid: string, specHash: string, merkleRoot: string, chainHead: string, finalWeightsHash: string, checkpoints: number, resumedFrom: number, files: { model: string, car: string, result: string } }, test: string, carBytes: number): void {
  io.out(`evidence CID        ${report.evidenceCid}`)
  io.out(`spec hash           ${report.specHash}`)
  io.out(`Merkle root         ${report.merkleRoot}`)
  io.out(`chain head          ${report.chainHead}`)
  io.out(`final weights hash  ${report.finalWeightsHash}`)
  io.out(`test accuracy       ${test}`)
  io.out(`checkpoints         ${report.checkpoints}${report.resumedFrom > 0 ? ` (resumed after ${report.resumedFrom})` : ''}`)
  io.out(`files               ${report.files.model}, ${report.files.car} (${carBytes} bytes), ${report.files.result}`)
}
