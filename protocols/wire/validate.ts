/**
 * Validators: a decoded message is used only after its validator accepts it. Each one checks
 * presence, lengths, ranges, enum membership and internal consistency (hashes that name other
 * fields), and throws `WireError('INVALID_FIELD' | 'HASH_MISMATCH', …, field)` otherwise.
 * Freshness against a clock is checked by `checkFresh`, with `now` passed in: this file is pure.
 */
import { createHash } from 'node:crypto'
import { DATASET_LIMITS, MESH, MODEL_LIMITS, PROOF, REPUTATION } from '../params.js'
import { WireError } from './errors.js'
import {
  Bid, CapabilityAdvert, CheckpointNotice, DataChunk, DataEnd, Delivery, DeterminismProfile, Error as WireErrorMessage,
  ErrorCode, FloatBackend, GpuClass, Hardware, JobAnnounce, Metrics, NumericMode, Priority, TrainingSpec, VerificationTier, Award, ResumePoint,
  ClientModel, LossKind, OptimizerKind, ScheduleKind
} from './messages.js'

export const HASH_BYTES = 32
export const JOB_ID_BYTES = 32
export const PUBKEY_BYTES = 32
export const SIGNATURE_BYTES = 64
/** Largest peer id (a multihash) a message may carry. */
export const MAX_PEER_ID_BYTES = 64
const MAX_ADDRS = 16
const MAX_ADDR_BYTES = 256
const MAX_LAYERS = 16
const MAX_LAYER_WIDTH = 4_096
const MAX_EPOCHS = 10_000
const MAX_CID_CHARS = 128
const U32_MAX = 0xffff_ffff

// The field checks below are shared with the other validators of this folder (coordinator.ts).

/** Refuses `field` with an `INVALID_FIELD` WireError. */
export function fail (field: string, message: string): never {
  throw new WireError('INVALID_FIELD', message, field)
}

function bytesExactly (field: string, v: Uint8Array | undefined, n: number): void {
  if (v === undefined || v.byteLength !== n) fail(field, `must be ${n} bytes (got ${v?.byteLength ?? 'none'})`)
}

export function bytesWithin (field: string, v: Uint8Array | undefined, min: number, max: number): void {
  if (v === undefined || v.byteLength < min || v.byteLength > max) fail(field, `must be ${min}..${max} bytes (got ${v?.byteLength ?? 'none'})`)
}

export function intWithin (field: string, v: number | undefined, min: number, max: number): void {
  if (v === undefined || !Number.isInteger(v) || v < min || v > max) fail(field, `must be an integer ${min}..${max} (got ${String(v)})`)
}

export function bigWithin (field: string, v: bigint | undefined, min: bigint, max: bigint): void {
  if (typeof v !== 'bigint' || v < min || v > max) fail(field, `must be ${min}..${max} (got ${String(v)})`)
}

function text (field: string, v: string | undefined, pattern: RegExp, what: string): void {
  if (typeof v !== 'string' || !pattern.test(v)) fail(field, `must be ${what}`)
}

function oneOf<T extends string> (field: string, v: T | undefined, allowed: readonly T[]): void {
  if (v === undefined || !allowed.includes(v)) fail(field, `must be one of ${allowed.join(', ')} (got ${String(v)})`)
}

function present<T> (field: string, v: T | undefined): asserts v is T {
  if (v === undefined || v === null) fail(field, 'is required')
}

const PRINTABLE_64 = /^[\x20-\x7e]{1,64}$/
const PRINTABLE_0_64 = /^[\x20-\x7e]{0,64}$/
const CAPABILITY_KEY = /^[a-z0-9][a-z0-9:._-]{0,31}$/
const DATASET_ID = /^[a-z0-9][a-z0-9-]{0,31}$/
const CID_TEXT = new RegExp(`^[a-zA-Z0-9]{1,${MAX_CID_CHARS}}$`)
/** Largest 64-bit value on the wire (sfixed64 fields hold 0..2^63-1; see messages.proto). */
export const WIRE_U64_MAX = (1n << 63n) - 1n

export function sha256 (bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest())
}

export function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  let diff = 0
  for (let i = 0; i < a.byteLength; i++) diff |= (a[i] as number) ^ (b[i] as number)
  return diff === 0
}

/** The job's spec hash: SHA-256 of the protobuf encoding of its `TrainingSpec`. */
export function specHash (spec: TrainingSpec): Uint8Array {
  return sha256(TrainingSpec.encode(spec))
}

export function validateCapabilityKey (field: string, v: string | undefined): void {
  text(field, v, CAPABILITY_KEY, 'a capability key like "cpu" or "gpu:any"')
}

export function validateProfile (p: DeterminismProfile | undefined, field = 'profile'): asserts p is DeterminismProfile {
  present(field, p)
  text(`${field}.runtime`, p.runtime, PRINTABLE_64, '1..64 printable characters')
  text(`${field}.runtimeVersion`, p.runtimeVersion, PRINTABLE_64, '1..64 printable characters')
  text(`${field}.backend`, p.backend, PRINTABLE_64, '1..64 printable characters')
  text(`${field}.cpuClass`, p.cpuClass, PRINTABLE_64, '1..64 printable characters')
}

function validateHardware (h: Hardware | undefined, field = 'hardware'): void {
  present(field, h)
  intWithin(`${field}.cpuCores`, h.cpuCores, 1, 4_096)
  intWithin(`${field}.ramGb`, h.ramGb, 0, 1 << 20)
  oneOf(`${field}.gpuClass`, h.gpuClass, Object.values(GpuClass) as GpuClass[])
  text(`${field}.gpuModel`, h.gpuModel, PRINTABLE_0_64, 'at most 64 printable characters')
  intWithin(`${field}.vramGb`, h.vramGb, 0, 1 << 20)
  if (h.gpuClass === GpuClass.GPU_NONE && h.vramGb !== 0) fail(`${field}.vramGb`, 'must be 0 without a GPU')
}

function validateAddrs (field: string, addrs: Uint8Array[] | undefined): void {
  present(field, addrs)
  if (addrs.length > MAX_ADDRS) fail(field, `at most ${MAX_ADDRS} addresses`)
  addrs.forEach((a, i) => bytesWithin(`${field}[${i}]`, a, 1, MAX_ADDR_BYTES))
}

export function validateTrainingSpec (s: TrainingSpec | undefined, field = 'spec'): asserts s is TrainingSpec {
  present(field, s)
  if (s.clientModel !== undefined) {
    validateClientModel(s.clientModel, `${field}.clientModel`)
    if (s.layers.length !== 0) fail(`${field}.layers`, 'must be empty for a client model')
    if (s.mode !== NumericMode.FLOAT32 || s.tier !== VerificationTier.TIER_OPTIMISTIC) fail(`${field}.tier`, 'a client model trains in FLOAT32 on the optimistic tier (the zk circuits prove only their fixed model)')
  } else {
    if (s.layers.length < 2 || s.layers.length > MAX_LAYERS) fail(`${field}.layers`, `must list 2..${MAX_LAYERS} layer sizes`)
    s.layers.forEach((n, i) => intWithin(`${field}.layers[${i}]`, n, 1, MAX_LAYER_WIDTH))
    if ((s.layers[s.layers.length - 1] as number) < 2) fail(`${field}.layers`, 'the last layer must have at least 2 classes')
  }
  oneOf(`${field}.mode`, s.mode, Object.values(NumericMode) as NumericMode[])
  if (s.mode === NumericMode.FIXED_POINT) intWithin(`${field}.fracBits`, s.fracBits, 1, 32)
  else intWithin(`${field}.fracBits`, s.fracBits, 0, 0)
  text(`${field}.datasetId`, s.datasetId, DATASET_ID, 'a dataset name of lowercase letters, digits and dashes')
  bytesExactly(`${field}.datasetHash`, s.datasetHash, HASH_BYTES)
  bigWithin(`${field}.datasetBytes`, s.datasetBytes, 1n, BigInt(s.clientModel !== undefined ? DATASET_LIMITS.maxBytes : MESH.maxDatasetBytes))
  intWithin(`${field}.epochs`, s.epochs, 1, MAX_EPOCHS)
  intWithin(`${field}.batchSize`, s.batchSize, 1, 65_536)
  intWithin(`${field}.learningRateMicros`, s.learningRateMicros, 1, 10_000_000)
  intWithin(`${field}.momentumMicros`, s.momentumMicros, 0, 999_999)
  bigWithin(`${field}.seed`, s.seed, 0n, WIRE_U64_MAX)
  oneOf(`${field}.tier`, s.tier, Object.values(VerificationTier) as VerificationTier[])
  if (s.tier === VerificationTier.TIER_ZK && s.mode !== NumericMode.FIXED_POINT) fail(`${field}.tier`, 'zk jobs must train in FIXED_POINT mode')
  intWithin(`${field}.stepsPerSegment`, s.stepsPerSegment, 0, 1_000_000)
  oneOf(`${field}.backend`, s.backend, Object.values(FloatBackend) as FloatBackend[])
  if (s.mode === NumericMode.FIXED_POINT && s.backend !== FloatBackend.BACKEND_NATIVE) fail(`${field}.backend`, 'applies to FLOAT32 jobs only')
}

/** A client model's fields: hashes, CIDs, sizes and the optimizer's integers. */
export function validateClientModel (m: ClientModel, field: string): void {
  bytesExactly(`${field}.modelHash`, m.modelHash, HASH_BYTES)
  text(`${field}.modelCid`, m.modelCid, CID_TEXT, 'a CID')
  bigWithin(`${field}.modelBytes`, m.modelBytes, 1n, BigInt(MODEL_LIMITS.maxBytes))
  bytesExactly(`${field}.stepGraphHash`, m.stepGraphHash, HASH_BYTES)
  text(`${field}.datasetCid`, m.datasetCid, CID_TEXT, 'a CID')
  oneOf(`${field}.loss`, m.loss, Object.values(LossKind) as LossKind[])
  oneOf(`${field}.optimizer`, m.optimizer, Object.values(OptimizerKind) as OptimizerKind[])
  intWithin(`${field}.weightDecayMicros`, m.weightDecayMicros, 0, 1_000_000)
  const adam = m.optimizer !== OptimizerKind.OPTIMIZER_SGD
  intWithin(`${field}.beta1Micros`, m.beta1Micros, adam ? 1 : 0, adam ? 999_999 : 0)
  intWithin(`${field}.beta2Micros`, m.beta2Micros, adam ? 1 : 0, adam ? 999_999 : 0)
  intWithin(`${field}.epsilonPicos`, m.epsilonPicos, adam ? 1 : 0, adam ? 1_000_000_000 : 0)
  oneOf(`${field}.schedule`, m.schedule, Object.values(ScheduleKind) as ScheduleKind[])
  const step = m.schedule === ScheduleKind.SCHEDULE_STEP
  intWithin(`${field}.scheduleStepEpochs`, m.scheduleStepEpochs, step ? 1 : 0, step ? MAX_EPOCHS : 0)
  intWithin(`${field}.scheduleGammaMicros`, m.scheduleGammaMicros, step ? 1 : 0, step ? 1_000_000 : 0)
  bigWithin(`${field}.trainRows`, m.trainRows, 1n, BigInt(DATASET_LIMITS.maxRows))
  bigWithin(`${field}.flopsPerSample`, m.flopsPerSample, 0n, WIRE_U64_MAX)
  bigWithin(`${field}.batchMemoryBytes`, m.batchMemoryBytes, 0n, WIRE_U64_MAX)
  intWithin(`${field}.minLearningRateMicros`, m.minLearningRateMicros, 0, m.schedule === ScheduleKind.SCHEDULE_COSINE ? 10_000_000 : 0)
}

export function validateCapabilityAdvert (a: CapabilityAdvert): CapabilityAdvert {
  bytesWithin('peerId', a.peerId, 1, MAX_PEER_ID_BYTES)
  validateAddrs('addrs', a.addrs)
  validateHardware(a.hardware)
  bigWithin('pricePerHour', a.pricePerHour, 1n, WIRE_U64_MAX)
  validateProfile(a.profile)
  if (a.capabilities.length < 1 || a.capabilities.length > 16) fail('capabilities', 'must list 1..16 capability keys')
  a.capabilities.forEach((c, i) => { validateCapabilityKey(`capabilities[${i}]`, c) })
  bigWithin('issuedAt', a.issuedAt, 1n, WIRE_U64_MAX)
  bigWithin('expiresAt', a.expiresAt, a.issuedAt + 1n, a.issuedAt + BigInt(2 * MESH.advertTtlSeconds))
  return a
}

export function validateJobAnnounce (j: JobAnnounce): JobAnnounce {
  bytesExactly('jobId', j.jobId, JOB_ID_BYTES)
  bytesExactly('specHash', j.specHash, HASH_BYTES)
  validateTrainingSpec(j.spec)
  if (!equalBytes(j.specHash, specHash(j.spec))) throw new WireError('HASH_MISMATCH', 'does not match the spec it announces', 'specHash')
  bigWithin('maxPrice', j.maxPrice, 1n, WIRE_U64_MAX)
  intWithin('estimatedSeconds', j.estimatedSeconds, 1, MESH.maxEstimatedSeconds)
  oneOf('priority', j.priority, Object.values(Priority) as Priority[])
  bytesWithin('clientPeerId', j.clientPeerId, 1, MAX_PEER_ID_BYTES)
  validateAddrs('clientAddrs', j.clientAddrs)
  bigWithin('issuedAt', j.issuedAt, 1n, WIRE_U64_MAX)
  bigWithin('bidDeadline', j.bidDeadline, j.issuedAt + 1n, j.issuedAt + BigInt(MESH.maxAnnounceBidWindowSeconds))
  if (j.resume !== undefined) validateResumePoint(j.resume, j.spec)
  return j
}

/** Most hand-overs one escrow can count (its `handovers` is a u8 on-chain). */
const MAX_HANDOVERS = 255

/**
 * Failover's resume point (issue 21): which hand-over, the epoch training resumes after and the
 * checkpoint's interim manifest by CID. Only the optimistic tier is handed over (the program refuses
 * a zk escrow); epoch 0 (nothing verified) names no checkpoint, any later epoch names one.
 */
export function validateResumePoint (r: ResumePoint, spec: TrainingSpec, field = 'resume'): ResumePoint {
  if (spec.tier !== VerificationTier.TIER_OPTIMISTIC) fail(`${field}`, 'only an optimistic job is handed over to another worker')
  intWithin(`${field}.handover`, r.handover, 1, MAX_HANDOVERS)
  intWithin(`${field}.epoch`, r.epoch, 0, PROOF.maxCheckpoints)
  if (r.epoch === 0) {
    if (r.checkpointCid !== '') fail(`${field}.checkpointCid`, 'must be empty when no epoch is resumed')
  } else text(`${field}.checkpointCid`, r.checkpointCid, CID_TEXT, 'a CID')
  return r
}

export function validateBid (b: Bid): Bid {
  bytesExactly('jobId', b.jobId, JOB_ID_BYTES)
  bytesWithin('workerPeerId', b.workerPeerId, 1, MAX_PEER_ID_BYTES)
  bigWithin('price', b.price, 1n, WIRE_U64_MAX)
  intWithin('etaSeconds', b.etaSeconds, 1, MESH.maxEstimatedSeconds * 2)
  bigWithin('stake', b.stake, 0n, WIRE_U64_MAX)
  intWithin('reputation', b.reputation, 0, REPUTATION.maxScore)
  bigWithin('issuedAt', b.issuedAt, 1n, WIRE_U64_MAX)
  validateProfile(b.profile)
  return b
}

export function validateAward (a: Award): Award {
  bytesExactly('jobId', a.jobId, JOB_ID_BYTES)
  bytesExactly('worker', a.worker, PUBKEY_BYTES)
  bytesExactly('escrow', a.escrow, PUBKEY_BYTES)
  bigWithin('amount', a.amount, 1n, WIRE_U64_MAX)
  bytesExactly('specHash', a.specHash, HASH_BYTES)
  validateTrainingSpec(a.spec)
  if (!equalBytes(a.specHash, specHash(a.spec))) throw new WireError('HASH_MISMATCH', 'does not match the awarded spec', 'specHash')
  bigWithin('issuedAt', a.issuedAt, 1n, WIRE_U64_MAX)
  if (a.resume !== undefined) validateResumePoint(a.resume, a.spec)
  return a
}

/** A data or weights chunk: bounded (its bytes are checked as part of the whole payload, against
 * the hash the receiver expects: `PayloadAssembler`). */
export function validateChunk (c: DataChunk, field = 'chunk'): DataChunk {
  intWithin(`${field}.index`, c.index, 0, U32_MAX)
  bytesWithin(`${field}.data`, c.data, 1, MESH.maxChunkBytes)
  return c
}

export function validateDataEnd (e: DataEnd, maxBytes: number, field = 'end'): DataEnd {
  intWithin(`${field}.chunks`, e.chunks, 1, U32_MAX)
  bigWithin(`${field}.totalBytes`, e.totalBytes, 1n, BigInt(maxBytes))
  bytesExactly(`${field}.sha256`, e.sha256, HASH_BYTES)
  return e
}

export function validateMetrics (m: Metrics): Metrics {
  intWithin('metrics.totalEpochs', m.totalEpochs, 1, MAX_EPOCHS)
  intWithin('metrics.epoch', m.epoch, 0, m.totalEpochs)
  intWithin('metrics.step', m.step, 0, U32_MAX)
  if (!Number.isFinite(m.loss) || m.loss < 0) fail('metrics.loss', 'must be a finite non-negative number')
  for (const k of ['trainAccuracy', 'testAccuracy'] as const) {
    if (!Number.isFinite(m[k]) || m[k] < 0 || m[k] > 1) fail(`metrics.${k}`, 'must be a fraction 0..1')
  }
  bigWithin('metrics.timestamp', m.timestamp, 0n, WIRE_U64_MAX)
  return m
}

export function validateCheckpointNotice (c: CheckpointNotice): CheckpointNotice {
  intWithin('checkpoint.epoch', c.epoch, 1, MAX_EPOCHS)
  bytesExactly('checkpoint.chainHash', c.chainHash, HASH_BYTES)
  bytesExactly('checkpoint.merkleRoot', c.merkleRoot, HASH_BYTES)
  if (c.cid !== '') text('checkpoint.cid', c.cid, CID_TEXT, 'a CID string')
  return c
}

export function validateDelivery (d: Delivery): Delivery {
  bytesExactly('delivery.weightsHash', d.weightsHash, HASH_BYTES)
  bigWithin('delivery.weightsBytes', d.weightsBytes, 1n, BigInt(MESH.maxWeightsBytes))
  text('delivery.evidenceCid', d.evidenceCid, CID_TEXT, 'a CID string')
  bytesExactly('delivery.merkleRoot', d.merkleRoot, HASH_BYTES)
  intWithin('delivery.epochs', d.epochs, 1, MAX_EPOCHS)
  bytesExactly('delivery.finalChainHash', d.finalChainHash, HASH_BYTES)
  return d
}

export function validateErrorMessage (e: WireErrorMessage): WireErrorMessage {
  oneOf('error.code', e.code, Object.values(ErrorCode) as ErrorCode[])
  if (typeof e.message !== 'string' || e.message.length > 512) fail('error.message', 'must be at most 512 characters')
  return e
}

/**
 * Freshness of a signed message at `now` (unix seconds): not issued more than the allowed clock
 * skew in the future, not older than `maxAgeSeconds`, and not past `expiresAt` when it has one.
 */
export function checkFresh (issuedAt: bigint, now: number, maxAgeSeconds: number, expiresAt?: bigint): void {
  const t = BigInt(now)
  if (issuedAt > t + BigInt(MESH.maxClockSkewSeconds)) throw new WireError('STALE', 'issued in the future', 'issuedAt')
  if (issuedAt + BigInt(maxAgeSeconds + MESH.maxClockSkewSeconds) < t) throw new WireError('STALE', 'too old', 'issuedAt')
  if (expiresAt !== undefined && expiresAt <= t) throw new WireError('STALE', 'expired', 'expiresAt')
}
