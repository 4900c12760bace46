/**
 * `cyx train` and `cyx verify` as a user runs them (separate processes through peer/cli/cyx.mjs):
 * the acceptance on spirals, one changed byte of a stored checkpoint, a real SIGKILL mid-run
 * and its resume, and every argument checked.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { createPeerHelia, evidenceTrainingSpec, importCar, loadEvidence, openPeerStore, type Evidence, type Helia, type PeerStore } from '../../../storage/index.js'
import { trainWithEvidence } from '../../../peer/evidence/index.js'
import { main } from '../../../peer/cli/main.js'
import { toHex } from '../../../protocols/index.js'

interface Run { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }

/** Runs cyx; `killOn` (matched against stderr) sends SIGKILL to the process the moment it appears. */
function cyx (args: string[], killOn?: RegExp): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['peer/cli/cyx.mjs', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      if (killOn?.test(stderr) === true && child.exitCode === null) child.kill('SIGKILL')
    })
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

async function inProcess (argv: string[]): Promise<{ code: number, out: string, err: string }> {
  let out = ''
  let err = ''
  const code = await main(argv, { out: (t) => { out += t + '\n' }, err: (t) => { err += t + '\n' } })
  return { code, out, err }
}

async function withStore<T> (dir: string, fn: (store: PeerStore, helia: Helia) => Promise<T>): Promise<T> {
  const store = await openPeerStore(dir)
  const helia = await createPeerHelia(store)
  try {
    return await fn(store, helia)
  } finally {
    await helia.stop()
    await store.close()
  }
}

async function collect (parts: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const all: Uint8Array[] = []
  for await (const p of parts) all.push(p)
  return Uint8Array.from(Buffer.concat(all))
}

describe('cyx train / cyx verify (process)', function () {
  let root: string
  let out: string
  let trained: Record<string, any>

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'cyx-train-cli-'))
    out = join(root, 'out')
    const r = await cyx(['train', '--dataset', 'spirals', '--epochs', '3', '--json', '--out', out])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stderr, '', 'no progress lines in --json mode')
    trained = JSON.parse(r.stdout) as Record<string, any>
  })

  after(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('train --json: evidence CID, root, hashes, accuracy; model.onnx, evidence.car and train.json in DIR', async () => {
    assert.match(trained.evidenceCid, /^bafy/)
    for (const k of ['specHash', 'merkleRoot', 'chainHead', 'finalWeightsHash']) assert.match(trained[k], /^[0-9a-f]{64}$/, k)
    assert.equal(trained.checkpoints, 3)
    assert.equal(trained.resumedFrom, 0)
    assert.equal(trained.exportedModelAccuracy, trained.testAccuracy)
    assert.ok(trained.testAccuracy > 0.6, `test accuracy ${trained.testAccuracy}`)
    assert.deepEqual(trained.spec.layers, [16, 32, 3])
    for (const f of ['model.onnx', 'evidence.car', 'train.json']) assert.ok(existsSync(join(out, f)), f)
    assert.deepEqual(JSON.parse(await readFile(join(out, 'train.json'), 'utf8')), trained)
  })

  it('verify --evidence DIR --checks 2 --json passes, and so does the CAR; the human report lists each segment', async () => {
    const r = await cyx(['verify', '--evidence', out, '--checks', '2', '--json'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const report = JSON.parse(r.stdout) as Record<string, any>
    assert.equal(report.verdict, 'passed')
    assert.equal(report.evidenceCid, trained.evidenceCid)
    assert.equal(report.segments.length, 2)
    assert.ok(report.segments.every((s: { passed: boolean }) => s.passed))
    assert.equal(report.finalWeights.hash, trained.finalWeightsHash)
    assert.equal(report.finalWeights.expected, trained.finalWeightsHash)
    assert.equal(report.merkleRoot, trained.merkleRoot)

    const car = await cyx(['verify', '--evidence', join(out, 'evidence.car'), '--challenge', 'client-7', '--checks', '3'])
    assert.equal(car.code, 0, car.stdout + car.stderr)
    assert.match(car.stdout, /pass {2}segment 1 re-executed from W_0/)
    assert.match(car.stdout, /pass {2}segment 3 re-executed from W_2/)
    assert.match(car.stdout, /PASSED: 3\/3 spot checks/)
  })

  it('changing one byte of a stored checkpoint makes verify fail (exit 1), in the store and in the CAR', async () => {
    const copy = join(root, 'tampered')
    const badCar = join(root, 'bad.car')
    await rm(copy, { recursive: true, force: true })
    // Work on a copy of the output: the CAR re-imported into a fresh store at `copy`.
    await withStore(copy, async (_store, helia) => { await importCar(helia, join(out, 'evidence.car')) })
    await writeFile(join(copy, 'train.json'), JSON.stringify(trained))
    await withStore(copy, async (store, helia) => {
      const evidence: Evidence = await loadEvidence(helia, CID.parse(trained.evidenceCid), { offline: true })
      const index = dagCbor.decode(await collect(store.blockstore.get(evidence.manifest.checkpoints[1]!.stateCid))) as { chunks: CID[] }
      const chunk = await collect(store.blockstore.get(index.chunks[0]!))
      const carBytes = await readFile(join(out, 'evidence.car'))
      const at = carBytes.indexOf(chunk)
      assert.ok(at > 0)
      carBytes[at + 40] = carBytes[at + 40]! ^ 0x01
      await writeFile(badCar, carBytes)
      chunk[40] = chunk[40]! ^ 0x01
      await store.blockstore.put(index.chunks[0]!, chunk)
    })
    const inStore = await cyx(['verify', '--evidence', copy, '--checks', '1', '--json'])
    assert.equal(inStore.code, 1, inStore.stdout + inStore.stderr)
    const report = JSON.parse(inStore.stdout) as Record<string, any>
    assert.equal(report.verdict, 'failed')
    assert.equal(report.integrity.passed, false)
    assert.match(report.reasons.join('\n'), /HASH_MISMATCH/)

    const inCar = await cyx(['verify', '--evidence', badCar, '--checks', '1'])
    assert.equal(inCar.code, 1, inCar.stdout + inCar.stderr)
    assert.match(inCar.stdout, /FAILED: .*HASH_MISMATCH/)
  })

  it('a cyx train killed with SIGKILL mid-run resumes: same final hash and evidence CID as an uninterrupted run', async () => {
    const dir = join(root, 'crash')
    const args = ['train', '--dataset', 'spirals', '--epochs', '8', '--batch', '8', '--layers', '16,8,3', '--seed', '3', '--out', dir]
    const killed = await cyx(args, /segment 2\/8/)
    assert.equal(killed.signal, 'SIGKILL', `the run ended by itself: ${killed.stderr}`)
    assert.ok(!existsSync(join(dir, 'train.json')))
    // Progress: one line per epoch (segment, epoch, loss, accuracy) on stderr.
    assert.match(killed.stderr, /\[#{3}\.{17}\] segment 1\/8 {2}epoch 1 {2}loss \d\.\d{4} {2}accuracy \d+\.\d\d % {2}test accuracy \d+\.\d\d %/)

    const resumed = await cyx(args)
    assert.equal(resumed.code, 0, resumed.stderr)
    assert.match(resumed.stderr, /resumed: checkpoints 1\.\.\d+ were already stored/)
    assert.match(resumed.stderr, /\[#{20}\] segment 8\/8 {2}epoch 8/)
    assert.match(resumed.stdout, /evidence CID +bafy/)
    assert.match(resumed.stdout, /final weights hash +[0-9a-f]{64}/)
    const r = JSON.parse(await readFile(join(dir, 'train.json'), 'utf8')) as Record<string, any>
    assert.ok(r.resumedFrom >= 2 && r.resumedFrom < 8, `resumed from ${r.resumedFrom}`)
    assert.equal(r.checkpoints, 8)

    // An uninterrupted run of the same spec, stamped with the same checkpoint times, seals the same evidence.
    const { spec, times } = await withStore(dir, async (_store, helia) => {
      const { manifest } = await loadEvidence(helia, CID.parse(r.evidenceCid), { offline: true })
      return { spec: evidenceTrainingSpec(manifest.spec), times: manifest.checkpoints.map((c) => c.timeMs) }
    })
    const straight = await trainWithEvidence({ wireSpec: spec, dir: join(root, 'straight'), clock: (e) => times[e - 1]! })
    assert.equal(straight.resumedFrom, 0)
    assert.equal(straight.finalWeightsHash, r.finalWeightsHash)
    assert.equal(straight.evidenceCid, r.evidenceCid)
    assert.equal(straight.chainHead, r.chainHead)

    // And the resumed evidence re-executes, every segment.
    const verified = await cyx(['verify', '--evidence', dir, '--checks', '8', '--json'])
    assert.equal(verified.code, 0, verified.stdout)
    assert.equal((JSON.parse(verified.stdout) as { segments: unknown[] }).segments.length, 8)
  })

  it('checks every argument: clear errors, exit 2, nothing written; --help lists train and verify', async () => {
    const help = await inProcess(['--help'])
    assert.match(help.out, /\n {2}train +train a model locally/)
    assert.match(help.out, /\n {2}verify +spot-check training evidence/)
    const empty = join(root, 'empty')
    await rm(empty, { recursive: true, force: true })
    await mkdir(empty)
    const cases: Array<[string[], RegExp]> = [
      [['train'], /--dataset is required/],
      [['train', '--dataset', 'cifar', '--epochs', '1'], /--dataset must be mnist or spirals/],
      [['train', '--dataset', 'spirals'], /--epochs is required/],
      [['train', '--dataset', 'spirals', '--epochs', '0'], /--epochs must be a whole number 1\.\.10000/],
      [['train', '--dataset', 'spirals', '--epochs', '2.5'], /--epochs must be a whole number/],
      [['train', '--dataset', 'spirals', '--epochs', '1', '--layers', '784,64,10'], /--layers must start with 16/],
      [['train', '--dataset', 'spirals', '--epochs', '1', '--layers', '16,8,4'], /--layers must end with 3/],
      [['train', '--dataset', 'spirals', '--epochs', '1', '--layers', '16,x,3'], /--layers must be comma-separated sizes/],
      [['train', '--dataset', 'spirals', '--epochs', '1', '--layers', '16'], /--layers needs 2\.\.16 sizes/],
      [['train', '--dataset', 'spirals', '--epochs', '1', '--batch', '0'], /--batch must be a whole number 1\.\.65536/],
      [['train', '--dataset', 'spirals', '--epochs', '1', '--lr', '0'], /--lr must be in/],
      [['train', '--dataset', 'spirals', '--epochs', '1', '--lr', '0.0000001'], /--lr must be a decimal number with at most 6 decimals/],
      [['train', '--dataset', 'spirals', '--epochs', '1', '--lr', 'fast'], /--lr must be a decimal/],
      [['train', '--dataset', 'spirals', '--epochs', '1', '--seed', '1.5'], /--seed must be a whole number/],
      [['train', '--dataset', 'spirals', '--epochs', '1', '--fixed-point', '--portable'], /exclude each other/],
      [['train', '--dataset', 'spirals', '--epochs', '1', '--out', ''], /--out must name a directory/],
      [['train', '--dataset', 'spirals', '--epochs', '1', '--bogus'], /Unknown option '--bogus'/],
      [['verify'], /--evidence is required/],
      [['verify', '--evidence', join(root, 'no-such-thing')], /neither a directory, a file nor a CID/],
      [['verify', '--evidence', out, '--checks', '0'], /--checks must be a whole number 1\.\.1000/],
      [['verify', '--evidence', out, '--weights-hash', 'abc'], /--weights-hash must be 64 hex digits/],
      [['verify', '--evidence', out, '--challenge', ''], /--challenge must be 1\.\.1024 characters/],
      [['verify', '--evidence', out, '--store', out], /--store applies to --evidence CID only/],
      [['verify', '--evidence', empty], /not an output dir of "cyx train"/],
      [['verify', '--evidence', trained.evidenceCid], /--store .*cyx-train-out is not a directory/],
      [['verify', '--evidence', trained.evidenceCid, '--store', join(root, 'nowhere')], /is not a directory/]
    ]
    // Run from an empty dir: a refused command must not leave a ./cyx-train-out behind.
    const cwd = process.cwd()
    process.chdir(empty)
    try {
      for (const [argv, message] of cases) {
        const r = await inProcess(argv)
        assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`)
        assert.match(r.err, message, argv.join(' '))
        assert.match(r.err, new RegExp(`Usage: cyx ${argv[0]}`))
      }
    } finally {
      process.chdir(cwd)
    }
    assert.deepEqual(await readdir(empty), [], 'nothing was written')
  })

  it('verify by CID looks in --store; evidence that is not there is not judged (exit 3)', async () => {
    const found = await inProcess(['verify', '--evidence', trained.evidenceCid, '--store', out, '--checks', '1', '--json'])
    assert.equal(found.code, 0, found.out + found.err)
    const absent = 'bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
    const missing = await inProcess(['verify', '--evidence', absent, '--store', out, '--checks', '1', '--json'])
    assert.equal(missing.code, 3, missing.out + missing.err)
    const report = JSON.parse(missing.out) as { verdict: string, reasons: string[] }
    assert.equal(report.verdict, 'not-judged')
    assert.match(report.reasons.join(), /not found/)
  })
})

describe('cyx train --model/--data (bring your own model, process)', function () {
  const cnn = 'test/fixtures/byom/cnn.onnx'
  const mnistNpz = 'test/fixtures/byom/mnist.npz'
  let root: string

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'cyx-train-byom-cli-'))
  })

  after(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('trains the client\'s CNN with evidence: model.onnx is the client\'s file retrained, its test accuracy reported; the CAR holds the evidence', async () => {
    const out = join(root, 'cnn')
    const r = await cyx(['train', '--model', cnn, '--data', mnistNpz, '--epochs', '1', '--lr', '0.005', '--schedule', 'cosine', '--json', '--out', out])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stderr, '', 'no progress lines in --json mode')
    const report = JSON.parse(r.stdout) as Record<string, any>
    assert.match(report.evidenceCid, /^bafy/)
    assert.equal(report.checkpoints, 1)
    assert.equal(report.testRows, 2000)
    assert.equal(report.testLoss, null)
    // The written file's accuracy, measured by onnxruntime, is the trainer's (the CNN has no BatchNorm or Dropout).
    assert.equal(report.testAccuracy, report.metrics.testAccuracy)
    assert.ok(report.testAccuracy > 0.9, `one epoch reaches ${report.testAccuracy}`)
    assert.deepEqual([report.dataset.train, report.dataset.test], [8000, 2000])
    assert.equal(report.spec.clientModel.modelCid, report.model.cid)
    assert.equal(report.spec.clientModel.datasetCid, report.dataset.cid)
    assert.equal(report.spec.clientModel.schedule, 'SCHEDULE_COSINE')
    const original = await readFile(cnn)
    const trained = await readFile(join(out, 'model.onnx'))
    assert.equal(trained.byteLength, original.byteLength)
    assert.notDeepEqual(trained, original)
    assert.deepEqual(JSON.parse(await readFile(join(out, 'train.json'), 'utf8')), report)

    const imported = join(root, 'imported')
    await withStore(imported, async (_store, helia) => {
      const car = await importCar(helia, join(out, 'evidence.car'))
      assert.equal(car.root.toString(), report.evidenceCid)
      assert.equal(car.blocks, report.files.carBlocks)
      const evidence = await loadEvidence(helia, CID.parse(report.evidenceCid), { offline: true })
      assert.equal(evidence.manifest.checkpoints.length, 1)
      assert.equal(toHex(evidenceTrainingSpec(evidence.manifest.spec).clientModel!.modelHash), report.spec.clientModel.modelHash)
    })
  })

  it('verify --evidence DIR re-executes the client model from DIR alone (its store holds the model and data); the bare CAR is not judged: inputs unavailable (exit 3)', async () => {
    const out = join(root, 'cnn') // written by the test above
    const r = await cyx(['verify', '--evidence', out, '--checks', '1', '--challenge', 'byom-cli', '--json'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const report = JSON.parse(r.stdout) as Record<string, any>
    assert.equal(report.verdict, 'passed')
    assert.equal(report.segments.length, 1)
    assert.equal(report.segments[0].passed, true)
    assert.equal(report.finalWeights.passed, true)

    const car = await cyx(['verify', '--evidence', join(out, 'evidence.car'), '--checks', '1', '--json'])
    assert.equal(car.code, 3, car.stdout + car.stderr)
    const notJudged = JSON.parse(car.stdout) as Record<string, any>
    assert.equal(notJudged.verdict, 'not-judged')
    assert.match(notJudged.reasons.join(' '), /inputs are unavailable here/)
  })

  it('bad input exits 1 with what is wrong (no stack trace) and writes nothing', async () => {
    const out = join(root, 'refused')
    const lstm = await cyx(['train', '--model', 'test/fixtures/models/lstm-op14.onnx', '--data', mnistNpz, '--epochs', '1', '--out', out])
    assert.equal(lstm.code, 1, lstm.stderr)
    assert.match(lstm.stderr, /^cyx train: .*lstm-op14\.onnx cannot be trained by cyxwiz: .*unsupported op LSTM/)
    assert.doesNotMatch(lstm.stderr, /\n\s+at /, 'no stack trace')
    const mismatch = await cyx(['train', '--model', 'test/fixtures/models/cnn-op14.onnx', '--data', mnistNpz, '--epochs', '1', '--out', out])
    assert.equal(mismatch.code, 1, mismatch.stderr)
    assert.match(mismatch.stderr, /^cyx train: the model takes samples of \[1, ?8, ?8\].*the dataset's samples are \[1, ?28, ?28\]/)
    assert.doesNotMatch(mismatch.stderr, /\n\s+at /, 'no stack trace')
    assert.equal(existsSync(out), false, 'nothing written')
  })

  it('checks the BYOM arguments: exit 2 with the usage, which documents --model/--data', async () => {
    const help = await inProcess(['train', '--help'])
    assert.match(help.out, /cyx train --model FILE\.onnx --data FILE\|DIR --epochs N/)
    const m = ['train', '--model', cnn, '--data', mnistNpz, '--epochs', '1']
    const cases: Array<[string[], RegExp]> = [
      [['train', '--dataset', 'spirals', '--model', cnn, '--data', mnistNpz, '--epochs', '1'], /either --dataset or --model with --data, not both/],
      [['train', '--model', cnn, '--epochs', '1'], /--model needs --data/],
      [['train', '--data', mnistNpz, '--epochs', '1'], /--data needs --model/],
      [['train', '--model', cnn, '--data', mnistNpz], /--epochs is required/],
      [[...m, '--loss', 'hinge'], /--loss must be ce or mse/],
      [[...m, '--optimizer', 'rmsprop'], /--optimizer must be sgd, adam or adamw/],
      [[...m, '--schedule', 'linear'], /--schedule must be constant, step or cosine/],
      [[...m, '--momentum', '0.9'], /--momentum goes with --optimizer sgd/],
      [[...m, '--optimizer', 'sgd', '--momentum', '1.5'], /--momentum must be in 0\.\.1/],
      [[...m, '--gamma', '0.5'], /--step-epochs and --gamma go with --schedule step/],
      [[...m, '--normalize', 'zscore'], /--normalize must be unit or none/],
      [[...m, '--layers', '784,10'], /--layers applies to --dataset only/],
      [[...m, '--portable'], /--portable applies to --dataset only/],
      [['train', '--dataset', 'spirals', '--epochs', '1', '--optimizer', 'adam'], /--optimizer applies to --model\/--data only/],
      [[...m, '--out', ''], /--out must name a directory/]
    ]
    for (const [argv, message] of cases) {
      const r = await inProcess(argv)
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`)
      assert.match(r.err, message, argv.join(' '))
      assert.match(r.err, /Usage: cyx train/)
    }
  })
})
