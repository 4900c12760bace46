/**
 * The job rules (peer/roles/request.ts): one table for what `cyx client submit`, the live page's
 * form, `cyx sim` and `Client.submit` accept and refuse. Pure: no mesh, no ledger.
 */
import assert from 'node:assert/strict'
import { JobRequestError, MAX_JOB_EPOCHS, ZK_DATASET_ID, ZK_MAX_EPOCHS, ZK_STEPS_PER_EPOCH, checkEpochs, parseJobRequest, type JobRequestFacts, type JobRequestField, type JobRequestInput, type JobRequestRules } from '../../../peer/roles/index.js'
import { CHECKPOINT_TREE_MAX_LEAVES, STEP_BATCH_ROWS, STEP_TRAIN_ROWS } from '../../../circuits/index.js'

const cli: JobRequestRules = { name: (f) => f === 'model' ? '--model/--data' : `--${f}` }
const sim: JobRequestRules = { ...cli, maxEpochs: 50, defaultDataset: (t) => t === 'zk' ? ZK_DATASET_ID : 'spirals', defaultEpochs: (d) => d === 'client' ? 5 : d === 'spirals' ? 3 : 4 }

describe('roles/request: parseJobRequest', () => {
  const accepted: Array<[string, JobRequestInput, JobRequestRules, JobRequestFacts]> = [
    ['spirals, optimistic by default', { dataset: 'spirals', epochs: '3' }, cli, { datasetId: 'spirals', tier: 'optimistic', epochs: 3 }],
    ['mnist at the epoch bound', { dataset: 'mnist', epochs: String(MAX_JOB_EPOCHS) }, cli, { datasetId: 'mnist', tier: 'optimistic', epochs: MAX_JOB_EPOCHS }],
    ['mnist-4x4 is zk by default', { dataset: 'mnist-4x4', epochs: '1' }, cli, { datasetId: 'mnist-4x4', tier: 'zk', epochs: 1 }],
    ['mnist-4x4 at the zk bound', { dataset: 'mnist-4x4', tier: 'zk', epochs: ZK_MAX_EPOCHS }, cli, { datasetId: 'mnist-4x4', tier: 'zk', epochs: ZK_MAX_EPOCHS }],
    ['mnist-4x4 optimistic when asked, past the zk bound', { dataset: 'mnist-4x4', tier: 'optimistic', epochs: 10 }, cli, { datasetId: 'mnist-4x4', tier: 'optimistic', epochs: 10 }],
    ['a client model', { clientModel: true, epochs: '7' }, cli, { datasetId: 'client', tier: 'optimistic', epochs: 7 }],
    ['a client model, tier optimistic given', { clientModel: true, tier: 'optimistic', epochs: 2 }, cli, { datasetId: 'client', tier: 'optimistic', epochs: 2 }],
    ['the roles: mnist-4x4 stays optimistic when the caller defaults so', { dataset: 'mnist-4x4', tier: 'optimistic', epochs: 2 }, {}, { datasetId: 'mnist-4x4', tier: 'optimistic', epochs: 2 }],
    ['sim: nothing given → spirals, its default epochs', {}, sim, { datasetId: 'spirals', tier: 'optimistic', epochs: 3 }],
    ['sim: --tier zk alone → mnist-4x4', { tier: 'zk' }, sim, { datasetId: 'mnist-4x4', tier: 'zk', epochs: 4 }],
    ['sim: a client model, default epochs', { clientModel: true }, sim, { datasetId: 'client', tier: 'optimistic', epochs: 5 }]
  ]
  for (const [what, input, rules, expected] of accepted) {
    it(`accepts ${what}`, () => { assert.deepEqual(parseJobRequest(input, rules), expected) })
  }

  const refused: Array<[string, JobRequestInput, JobRequestRules, JobRequestField, RegExp]> = [
    ['no dataset', { epochs: '3' }, cli, 'dataset', /^--dataset must be mnist, spirals, mnist-4x4 \(got nothing\), or --model\/--data for your own model$/],
    ['an unknown dataset', { dataset: 'cifar', epochs: '3' }, cli, 'dataset', /--dataset must be .*\(got cifar\)/],
    ['an unknown tier', { dataset: 'spirals', tier: 'fast', epochs: '3' }, cli, 'tier', /^--tier must be optimistic or zk \(got fast\)$/],
    ['zk on spirals', { dataset: 'spirals', tier: 'zk', epochs: '3' }, cli, 'dataset', /the zk tier trains on data in the step circuit's shape: mnist-4x4 .*; use --dataset mnist-4x4 \(got spirals\)$/],
    ['zk past its epochs', { dataset: 'mnist-4x4', epochs: String(ZK_MAX_EPOCHS + 1) }, cli, 'epochs', new RegExp(`^--epochs must be a whole number 1\\.\\.${ZK_MAX_EPOCHS} for the zk tier \\(${ZK_STEPS_PER_EPOCH} steps an epoch`)],
    ['no epochs', { dataset: 'spirals' }, cli, 'epochs', /^--epochs must be a whole number 1\.\.1000 for the optimistic tier \(got nothing\)$/],
    ['zero epochs', { dataset: 'spirals', epochs: '0' }, cli, 'epochs', /\(got 0\)$/],
    ['fractional epochs', { dataset: 'spirals', epochs: '2.5' }, cli, 'epochs', /\(got 2\.5\)$/],
    ['blank epochs', { dataset: 'spirals', epochs: ' ' }, cli, 'epochs', /must be a whole number/],
    ['epochs past the bound', { dataset: 'mnist', epochs: String(MAX_JOB_EPOCHS + 1) }, cli, 'epochs', /1\.\.1000/],
    ['a client model with a dataset', { clientModel: true, dataset: 'spirals', epochs: '3' }, cli, 'model', /^--model\/--data is a job on your own model: leave out --dataset; it is verified on the optimistic tier/],
    ['a client model on the zk tier', { clientModel: true, tier: 'zk', epochs: '3' }, cli, 'model', /zk tier proves only its fixed circuit model/],
    ['sim: past its shorter bound', { dataset: 'spirals', epochs: '51' }, sim, 'epochs', /1\.\.50 for the optimistic tier/],
    ['sim: zk on mnist', { tier: 'zk', dataset: 'mnist' }, sim, 'dataset', /the zk tier trains on data in the step circuit's shape: mnist-4x4/],
    ['the roles\' names: plain field names', { dataset: 'mnist-4x4', tier: 'zk', epochs: 9 }, {}, 'epochs', /^epochs must be a whole number 1\.\.4 for the zk tier/]
  ]
  for (const [what, input, rules, field, message] of refused) {
    it(`refuses ${what}`, () => {
      assert.throws(() => parseJobRequest(input, rules), (e: unknown) => {
        assert.ok(e instanceof JobRequestError && e instanceof RangeError, String(e))
        assert.equal(e.field, field)
        assert.match(e.message, message)
        return true
      })
    })
  }

  it('has the zk bounds of the circuits (one checkpoint a step, all in one tree)', () => {
    assert.equal(ZK_STEPS_PER_EPOCH, STEP_TRAIN_ROWS / STEP_BATCH_ROWS)
    assert.equal(ZK_MAX_EPOCHS * ZK_STEPS_PER_EPOCH, CHECKPOINT_TREE_MAX_LEAVES)
    assert.equal(checkEpochs('zk', ZK_MAX_EPOCHS), ZK_MAX_EPOCHS)
    assert.throws(() => checkEpochs('zk', ZK_MAX_EPOCHS + 1), JobRequestError)
  })
})
