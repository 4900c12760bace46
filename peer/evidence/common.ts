/**
 * What training and verification agree on: how an engine checkpoint becomes an evidence checkpoint
 * (and back), how a determinism profile is stored, and what "the final weights hash" is.
 */
import { stateHash, wire, toHex } from '../../protocols/index.js'
import type { CheckpointInput, CheckpointRecord, EvidenceManifest, ProfileRecord } from '../../storage/index.js'
import {
  checkpointStateTensors,
  loadVerifiedDataset,
  type Checkpoint,
  type Dataset,
  type DeterminismProfile,
  type Schedule,
  type SegmentMetrics,
  type TrainingState
} from '../train/index.js'

/**
 * The final weights hash of a training state: SHA-256 of the canonical state encoding
 * (protocols/proof `encodeState`) of the parameters alone (W1, b1, W2, ...; no optimizer state).
 * A worker's `Delivery.weightsHash` and the escrow's completion hash are this value.
 */
export function weightsHash (state: TrainingState): Uint8Array {
  return stateHash(checkpointStateTensors(state).slice(0, state.parameters.length))
}

/** Metrics the chain does not hash but the evidence's metrics log keeps (and spot checks compare). */
export const LOG_TEST_LOSS = 'testLoss'
export const LOG_TEST_ACCURACY = 'testAccuracy'

/**
 * An engine checkpoint as evidence stores it: the whole state (weights, then velocities), the four
 * numbers the chain hashes (segment, steps, train loss, train accuracy), the test metrics in the log.
 */
export function checkpointInput (checkpoint: Checkpoint, timeMs: number): CheckpointInput {
  const m = checkpoint.metrics
  return {
    metrics: { epoch: checkpoint.segment.index, steps: m.step, loss: m.trainLoss, accuracy: m.trainAccuracy },
    timeMs,
    state: checkpointStateTensors(checkpoint.state),
    log: { [LOG_TEST_LOSS]: m.testLoss, [LOG_TEST_ACCURACY]: m.testAccuracy }
  }
}

/** The metrics a stored checkpoint claims for segment `index`, in the engine's shape. */
export function claimedMetrics (manifest: EvidenceManifest, index: number, schedule: Schedule): SegmentMetrics {
  const record = manifest.checkpoints[index - 1] as CheckpointRecord
  const log = manifest.metricsLog[index - 1]?.values ?? {}
  return {
    segment: index,
    step: record.steps,
    epoch: record.steps / schedule.stepsPerEpoch,
    trainLoss: record.loss,
    trainAccuracy: record.accuracy,
    // A missing value can never equal a re-executed (finite) one.
    testLoss: log[LOG_TEST_LOSS] ?? Number.NaN,
    testAccuracy: log[LOG_TEST_ACCURACY] ?? Number.NaN
  }
}

/** A profile as evidence stores it (a flat record). */
export function profileRecord (profile: DeterminismProfile): ProfileRecord {
  return { ...profile }
}

const PROFILE_STRINGS = ['numeric', 'runtime', 'runtimeVersion', 'backend', 'arch', 'cpuClass', 'graphOptimization'] as const
const PROFILE_NUMBERS = ['intraOpThreads', 'opset'] as const

/** The recorded profile of evidence, or the reason it is not a determinism profile this peer knows. */
export function profileFromRecord (record: ProfileRecord): DeterminismProfile | string {
  for (const k of PROFILE_STRINGS) if (typeof record[k] !== 'string') return `the recorded profile has no ${k}`
  for (const k of PROFILE_NUMBERS) if (typeof record[k] !== 'number') return `the recorded profile has no ${k}`
  return Object.fromEntries([...PROFILE_STRINGS, ...PROFILE_NUMBERS].map((k) => [k, record[k]])) as unknown as DeterminismProfile
}

/** Two profiles with the same entries. */
export function sameProfile (a: ProfileRecord, b: ProfileRecord): boolean {
  const keys = Object.keys(a).sort()
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k])
}

/**
 * Length of the dataset's canonical encoding (the bytes its content hash names, as the job protocol
 * transfers them): the wire spec's `datasetBytes`.
 */
export function datasetBytes (dataset: Dataset): bigint {
  const rows = dataset.train.count + dataset.test.count
  return BigInt('cyxwiz/dataset/v1\0'.length + 16) + BigInt(rows) * BigInt(dataset.featureCount * 4 + 1)
}

/** The dataset a wire spec names, loaded by id (mnist, spirals) and checked against its hash. */
export function datasetOfSpec (spec: wire.TrainingSpec): Dataset {
  if (spec.clientModel !== undefined) throw new Error('a client-model job trains on the client\'s own dataset, fetched by its CID: pass it as `dataset`')
  return loadVerifiedDataset(spec.datasetId, toHex(spec.datasetHash))
}
