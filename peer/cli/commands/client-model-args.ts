/**
 * The bring-your-own-model flags `cyx client submit` and `cyx sim` share, parsed once into the
 * request `prepareClientModelJob` (peer/train/prepare.ts) takes; the checks of the files themselves
 * happen there, before anything is spent.
 */
import { resolve } from 'node:path'
import { UsageError } from '../command.js'

export const CLIENT_MODEL_OPTIONS = {
  model: { type: 'string' },
  data: { type: 'string' },
  loss: { type: 'string' },
  optimizer: { type: 'string' },
  lr: { type: 'string' },
  batch: { type: 'string' },
  'label-column': { type: 'string' }
} as const

export const CLIENT_MODEL_USAGE = `  --model FILE       your own ONNX model (opset 13-17, e.g. torch.onnx.export in eval mode);
                     check it first with "cyx model check FILE". Optimistic tier only.
  --data FILE|DIR    your dataset: .npz (x_train, y_train[, x_test, y_test]), .npy, CSV,
                     IDX files or a folder of images with one sub-folder per class
  --loss L           ce (default) or mse
  --optimizer O      adam (default), adamw or sgd (momentum 0.9)
  --lr R             learning rate (default 0.005 with a cosine schedule to 0)
  --batch B          batch size (default 32)
  --label-column C   CSV: the label column (default label)`

import type { ClientModelArgs } from '../../roles/index.js'
export type { ClientModelArgs } from '../../roles/index.js'

type Values = { readonly [K in keyof typeof CLIENT_MODEL_OPTIONS]?: string }

/** undefined when neither --model nor --data is given; a UsageError when only one is. */
export function clientModelArgs (v: Values): ClientModelArgs | undefined {
  if (v.model === undefined && v.data === undefined) {
    for (const k of ['loss', 'optimizer', 'lr', 'batch', 'label-column'] as const) if (v[k] !== undefined) throw new UsageError(`--${k} applies to --model/--data jobs`)
    return undefined
  }
  if (v.model === undefined || v.data === undefined) throw new UsageError('--model and --data go together: your ONNX model and the dataset to train it on')
  const loss = v.loss ?? 'ce'
  if (loss !== 'ce' && loss !== 'mse') throw new UsageError(`--loss must be ce or mse (got ${loss})`)
  const optimizer = v.optimizer ?? 'adam'
  if (optimizer !== 'sgd' && optimizer !== 'adam' && optimizer !== 'adamw') throw new UsageError(`--optimizer must be sgd, adam or adamw (got ${optimizer})`)
  const lr = /^(\d+)(?:\.(\d{1,6}))?$/.exec(v.lr ?? '0.005')
  const micros = lr === null ? NaN : Number(lr[1]) * 1_000_000 + Number((lr[2] ?? '').padEnd(6, '0'))
  if (!(micros >= 1 && micros <= 10_000_000)) throw new UsageError(`--lr must be a decimal in 0.000001..10 with at most 6 decimals (got ${v.lr})`)
  const batch = Number(v.batch ?? '32')
  if (!Number.isInteger(batch) || batch < 1 || batch > 65_536) throw new UsageError(`--batch must be a whole number 1..65536 (got ${v.batch})`)
  return { modelPath: resolve(v.model), dataPath: resolve(v.data), loss, optimizer, learningRateMicros: micros, batchSize: batch, ...(v['label-column'] === undefined ? {} : { labelColumn: v['label-column'] }) }
}
