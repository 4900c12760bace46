/**
 * The dataset as it travels on /cyx/job/1.1.0: exactly the canonical encoding that
 * `datasetContentHash` (peer/train) hashes, so the SHA-256 of the bytes received IS the spec's
 * dataset hash and the transfer needs no second hash. Decoding is strict: the bytes come from the
 * network and every count is checked against the length before anything is allocated.
 */
import { wire } from '../../protocols/index.js'
import { makeDataset, type Dataset } from '../train/index.js'

const MAGIC = new TextEncoder().encode('cyxwiz/dataset/v1\0')
const HEADER_BYTES = MAGIC.byteLength + 16
const MAX_FEATURES = 4_096
const MAX_CLASSES = 256

function f32le (values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4)
  const v = new DataView(out.buffer)
  values.forEach((x, i) => v.setFloat32(i * 4, x, true))
  return out
}

export function encodeDataset (d: Dataset): Uint8Array {
  const parts = [f32le(d.train.features), d.train.labels, f32le(d.test.features), d.test.labels]
  const out = new Uint8Array(HEADER_BYTES + parts.reduce((n, p) => n + p.byteLength, 0))
  out.set(MAGIC, 0)
  const v = new DataView(out.buffer)
  v.setUint32(MAGIC.byteLength, d.featureCount, true)
  v.setUint32(MAGIC.byteLength + 4, d.classCount, true)
  v.setUint32(MAGIC.byteLength + 8, d.train.count, true)
  v.setUint32(MAGIC.byteLength + 12, d.test.count, true)
  let at = HEADER_BYTES
  for (const p of parts) { out.set(p, at); at += p.byteLength }
  return out
}

const bad = (message: string): wire.WireError => new wire.WireError('MALFORMED', message, 'dataset')

/** Decodes dataset bytes received for `id`; every refusal is a `WireError`. */
export function decodeDataset (id: string, bytes: Uint8Array): Dataset {
  if (bytes.byteLength < HEADER_BYTES || !wire.equalBytes(bytes.subarray(0, MAGIC.byteLength), MAGIC)) throw bad('not a cyxwiz/dataset/v1 encoding')
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const features = v.getUint32(MAGIC.byteLength, true)
  const classes = v.getUint32(MAGIC.byteLength + 4, true)
  const train = v.getUint32(MAGIC.byteLength + 8, true)
  const test = v.getUint32(MAGIC.byteLength + 12, true)
  if (features < 1 || features > MAX_FEATURES) throw bad(`feature count ${features} outside 1..${MAX_FEATURES}`)
  if (classes < 2 || classes > MAX_CLASSES) throw bad(`class count ${classes} outside 2..${MAX_CLASSES}`)
  if (train < 1 || test < 1) throw bad('both splits need rows')
  const rowBytes = features * 4 + 1
  if (bytes.byteLength !== HEADER_BYTES + (train + test) * rowBytes) throw bad(`length ${bytes.byteLength} does not match ${train}+${test} rows of ${features} features`)
  let at = HEADER_BYTES
  const floats = (n: number): Float32Array => {
    const out = new Float32Array(n)
    for (let i = 0; i < n; i++, at += 4) out[i] = v.getFloat32(at, true)
    return out
  }
  const labels = (n: number): Uint8Array => {
    const out = Uint8Array.from(bytes.subarray(at, at + n))
    at += n
    for (const l of out) if (l >= classes) throw bad(`label ${l} outside ${classes} classes`)
    return out
  }
  const trainFeatures = floats(train * features)
  const trainLabels = labels(train)
  const testFeatures = floats(test * features)
  const testLabels = labels(test)
  return makeDataset(id, {
    featureCount: features,
    classCount: classes,
    train: { count: train, features: trainFeatures, labels: trainLabels },
    test: { count: test, features: testFeatures, labels: testLabels }
  })
}
