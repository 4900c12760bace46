/**
 * A verifier's check of a worker's evidence: load and validate it (spec, chain, Merkle root, every
 * block), refuse to judge when this machine cannot reproduce the recorded determinism profile, then
 * re-execute k segments chosen by a challenge seed from the stored state before each, compare bit
 * for bit with the stored checkpoint and its chain hash, and check the final weights hash.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import { genesisHash, linkHash, MerkleTree, selectSpotChecks, stateHash, verifyInclusion, wire, type StateTensor, toHex } from '../../protocols/index.js'
import {
  createPeerHelia,
  evidenceBlocks,
  evidenceTrainingSpec,
  importCar,
  isEvidenceError,
  loadCheckpointState,
  loadEvidence,
  openPeerStore,
  type Evidence,
  type EvidenceStore,
  type Helia,
  type PeerStore,
  type ReadOptions
} from '../../storage/index.js'
import {
  canReproduce,
  reexecuteSegment,
  sameBits,
  Trainer,
  trainingSchedule,
  trainingSpecFromWire,
  trainingStateFromTensors,
  type TrainingData,
  type DeterminismProfile,
  type Schedule,
  type TrainingSpec,
  type TrainingState
} from '../train/index.js'
import { claimedMetrics, profileFromRecord, weightsHash } from './common.js'
import { trainingInputsOf } from './inputs.js'

export interface VerifyEvidenceOptions {
  /** The evidence CID (looked up in the store; over bitswap too when `peer` is a networked node). */
  readonly cid?: string | CID
  /** Or a CAR file of the evidence: imported (validated block by block) into the store first. */
  readonly carPath?: string
  /** The challenge the segments are drawn from (a string is taken as its UTF-8 bytes); default 32 random bytes. */
  readonly challengeSeed?: Uint8Array | string
  /** How many segments to re-execute (at most the evidence's segment count). */
  readonly checks: number
  /**
   * The verifier's data dir (its peer store, opened and closed by the call). With neither `dir` nor
   * `peer`, a CAR is imported into a temporary store that is removed afterwards.
   */
  readonly dir?: string
  /** An already open Helia (e.g. a client's node with bitswap): used as is, not stopped. */
  readonly peer?: { readonly helia: EvidenceStore }
  /** The dataset the spec names; default: loaded by id and checked against the spec's hash. */
  readonly dataset?: TrainingData
  /** The final weights hash the worker claimed (Delivery.weightsHash), hex or bytes; checked when given. */
  readonly expectedWeightsHash?: string | Uint8Array
  /** Walk and re-hash every block of the evidence, not only the states spot-checked (default true). */
  readonly full?: boolean
  /** Called as each spot check finishes. */
  readonly onSegment?: (check: SegmentReport) => void
  /**
   * Judge an interim manifest (a run still training, or stalled: failover, issue 21): it need not be
   * sealed, its checkpoints must be a prefix of the schedule, and its last one is not held to the
   * end of training. Spot checks, the chain, W_0 and every block are checked as for sealed evidence.
   */
  readonly interim?: boolean
}

export interface CheckReport {
  readonly passed: boolean
  readonly reasons: readonly string[]
}

export interface SegmentReport extends CheckReport {
  readonly segment: number
}

export type Verdict =
  /** Every check ran and passed. */
  | 'passed'
  /** The evidence is invalid or a check failed: the work is not what the evidence claims. */
  | 'failed'
  /** No judgement: this machine cannot reproduce the recorded profile, or lacks the evidence or dataset. */
  | 'not-judged'

export interface VerifyReport {
  readonly verdict: Verdict
  /** Why the verdict (the first failures, or why no judgement was made). */
  readonly reasons: readonly string[]
  readonly evidenceCid: string | null
  readonly specHash: string | null
  readonly merkleRoot: string | null
  readonly chainHead: string | null
  readonly segmentCount: number
  /** The challenge seed used, hex (re-run with it to get the same segments). */
  readonly challengeSeed: string
  /** The manifest: spec, chain recomputed from the spec hash, Merkle leaves and root, completeness. */
  readonly evidence: CheckReport
  /** Every block re-hashed and every state checked against its state hash (when `full`). */
  readonly integrity: CheckReport & { readonly blocks: number }
  /** The chain and Merkle root recomputed here, and the checkpoints matching the spec's schedule. */
  readonly chain: CheckReport
  /** The stored W_0 is the one the spec's seed gives. */
  readonly initialState: CheckReport
  readonly profile: { readonly reproducible: boolean, readonly reasons: readonly string[], readonly recorded: unknown, readonly local: DeterminismProfile | null }
  /** Segments drawn from the challenge, in order. */
  readonly selected: readonly number[]
  readonly segments: readonly SegmentReport[]
  readonly finalWeights: CheckReport & { readonly hash: string | null, readonly expected: string | null }
}

const SKIPPED: CheckReport = { passed: false, reasons: ['not checked'] }
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err))

function seedBytes (seed: Uint8Array | string | undefined): Uint8Array {
  if (seed === undefined) return new Uint8Array(randomBytes(32))
  if (typeof seed === 'string') {
    if (seed.length === 0) throw new RangeError('the challenge seed is empty')
    return new TextEncoder().encode(seed)
  }
  if (seed.byteLength === 0) throw new RangeError('the challenge seed is empty')
  return seed
}

function normalizeHash (h: string | Uint8Array | undefined): string | null {
  if (h === undefined) return null
  const text = typeof h === 'string' ? h.toLowerCase() : toHex(h)
  if (!/^[0-9a-f]{64}$/.test(text)) throw new RangeError('the expected weights hash must be 32 bytes (64 hex digits)')
  return text
}

/** Recomputes the chain and the Merkle tree from the manifest, and matches the checkpoints with the schedule. */
function checkChain (evidence: Evidence, schedule: Schedule, interim: boolean): CheckReport {
  const { manifest } = evidence
  const reasons: string[] = []
  let previous = genesisHash(manifest.spec.hash)
  for (const [i, r] of manifest.checkpoints.entries()) {
    const h = linkHash(previous, r.stateHash, { epoch: r.epoch, steps: r.steps, loss: r.loss, accuracy: r.accuracy }, r.timeMs)
    if (Buffer.compare(h, r.chainHash) !== 0) reasons.push(`H_${i + 1} does not follow from H_${i}`)
    previous = r.chainHash
  }
  const leaves = manifest.checkpoints.map((r) => r.chainHash)
  if (leaves.length === 0 || manifest.merkle === null || Buffer.compare(new MerkleTree(leaves).root, manifest.merkle.root) !== 0) reasons.push('the Merkle root does not recompute from H_1..H_N')
  if (!manifest.complete && !interim) reasons.push('the evidence is not sealed (an anchor-point manifest of a run still training)')
  if (interim ? manifest.checkpoints.length > schedule.segments.length : manifest.checkpoints.length !== schedule.segments.length) reasons.push(`${manifest.checkpoints.length} checkpoints, the spec schedules ${schedule.segments.length} segments`)
  manifest.checkpoints.forEach((r, i) => {
    const s = schedule.segments[i]
    if (s !== undefined && r.steps !== s.firstStep + s.stepCount) reasons.push(`checkpoint ${i + 1} is at step ${r.steps}, the schedule ends segment ${i + 1} at ${s.firstStep + s.stepCount}`)
  })
  return { passed: reasons.length === 0, reasons }
}

function describeStateError (err: unknown, what: string): string {
  return `${what}: ${isEvidenceError(err) ? `${err.code} ${err.message}` : message(err)}`
}

/** Re-executes one segment and checks it against the stored checkpoint, its chain hash and Merkle leaf. */
async function checkSegment (
  helia: EvidenceStore, evidence: Evidence, trainer: Trainer, recorded: DeterminismProfile, spec: TrainingSpec, schedule: Schedule,
  initial: TrainingState, index: number, read: ReadOptions
): Promise<SegmentReport> {
  const { manifest } = evidence
  const record = manifest.checkpoints[index - 1]
  const segment = schedule.segments[index - 1]
  if (record === undefined || segment === undefined) return { segment: index, passed: false, reasons: ['no such checkpoint'] }
  let before: TrainingState
  try {
    // W_{E-1}; for E = 1, W_0 is the seed's (the stored W_0 is checked separately).
    before = index === 1 ? initial : trainingStateFromTensors(spec, (manifest.checkpoints[index - 2]?.steps ?? 0), await loadCheckpointState(helia, evidence, index - 1, read), trainer.stateLayout)
  } catch (err) {
    return { segment: index, passed: false, reasons: [describeStateError(err, `W_${index - 1}`)] }
  }
  let claimedTensors: StateTensor[]
  let claimedState: TrainingState
  try {
    claimedTensors = await loadCheckpointState(helia, evidence, index, read)
    claimedState = trainingStateFromTensors(spec, record.steps, claimedTensors, trainer.stateLayout)
  } catch (err) {
    return { segment: index, passed: false, reasons: [describeStateError(err, `W_${index}`)] }
  }
  const check = await reexecuteSegment(trainer, recorded, before, { segment, state: claimedState, metrics: claimedMetrics(manifest, index, schedule) })
  const reasons = [...check.reasons]
  if (!check.judged) return { segment: index, passed: false, reasons: ['not judged', ...reasons] }
  // The stored checkpoint is the one the chain commits to: H_E recomputed from its bits and numbers.
  const previous = index === 1 ? genesisHash(manifest.spec.hash) : (manifest.checkpoints[index - 2]?.chainHash as Uint8Array)
  const h = linkHash(previous, stateHash(claimedTensors), { epoch: index, steps: record.steps, loss: record.loss, accuracy: record.accuracy }, record.timeMs)
  if (Buffer.compare(h, record.chainHash) !== 0) reasons.push(`H_${index} does not commit to the stored checkpoint`)
  const leaves = manifest.checkpoints.map((r) => r.chainHash)
  const tree = new MerkleTree(leaves)
  if (manifest.merkle === null || !verifyInclusion(manifest.merkle.root, record.chainHash, index - 1, leaves.length, tree.prove(index - 1))) reasons.push(`H_${index} is not leaf ${index} under the Merkle root`)
  return { segment: index, passed: reasons.length === 0, reasons }
}

interface OpenedStore {
  readonly helia: EvidenceStore
  close (): Promise<void>
}

async function openStore (options: VerifyEvidenceOptions): Promise<OpenedStore> {
  if (options.peer !== undefined) return { helia: options.peer.helia, close: async () => {} }
  let temp: string | undefined
  let dir = options.dir
  if (dir === undefined) {
    if (options.carPath === undefined) throw new TypeError('verifyEvidence: a CID needs dir or peer to look it up in')
    temp = await mkdtemp(join(tmpdir(), 'cyx-verify-'))
    dir = temp
  }
  let store: PeerStore | undefined
  let node: Helia | undefined
  try {
    store = await openPeerStore(dir)
    node = await createPeerHelia(store)
  } catch (err) {
    await store?.close()
    if (temp !== undefined) await rm(temp, { recursive: true, force: true })
    throw err
  }
  const opened = { store, node }
  return {
    helia: node,
    close: async () => {
      await opened.node.stop()
      await opened.store.close()
      if (temp !== undefined) await rm(temp, { recursive: true, force: true })
    }
  }
}

/**
 * Verifies evidence given by CID or CAR file. Never throws for bad evidence: the report says what
 * failed (verdict 'failed') or why no judgement was made ('not-judged'); it throws only for bad
 * options or a store it cannot open.
 */
export async function verifyEvidence (options: VerifyEvidenceOptions): Promise<VerifyReport> {
  if ((options.cid === undefined) === (options.carPath === undefined)) throw new TypeError('verifyEvidence: give exactly one of cid and carPath')
  if (!Number.isSafeInteger(options.checks) || options.checks < 1) throw new RangeError(`checks must be a positive integer (got ${options.checks})`)
  const seed = seedBytes(options.challengeSeed)
  const expected = normalizeHash(options.expectedWeightsHash)
  let cid: CID | undefined
  if (options.cid !== undefined) {
    try {
      cid = typeof options.cid === 'string' ? CID.parse(options.cid) : options.cid
    } catch (err) {
      throw new RangeError(`not a CID: ${String(options.cid)} (${message(err)})`)
    }
  }

  const base = {
    evidenceCid: cid?.toString() ?? null,
    specHash: null,
    merkleRoot: null,
    chainHead: null,
    segmentCount: 0,
    challengeSeed: toHex(seed),
    evidence: SKIPPED,
    integrity: { ...SKIPPED, blocks: 0 },
    chain: SKIPPED,
    initialState: SKIPPED,
    profile: { reproducible: false, reasons: ['not checked'], recorded: null, local: null },
    selected: [],
    segments: [],
    finalWeights: { ...SKIPPED, hash: null, expected }
  }
  const stop = (verdict: Verdict, reasons: string[], more: Partial<VerifyReport> = {}): VerifyReport => ({ ...base, ...more, verdict, reasons })

  // A store of our own has no network: a missing block is NOT_FOUND at once.
  const read: ReadOptions = { offline: options.peer === undefined }
  const opened = await openStore(options)
  try {
    const { helia } = opened
    // 1. The evidence: imported from a CAR (every block re-hashed, the whole DAG walked) or looked up.
    if (options.carPath !== undefined) {
      try {
        cid = (await importCar(helia, options.carPath)).root
      } catch (err) {
        if (isEvidenceError(err)) return stop('failed', [`the CAR file is not valid evidence: ${err.code} ${err.message}`], { evidence: { passed: false, reasons: [err.message] } })
        return stop('not-judged', [`cannot read the CAR file: ${message(err)}`])
      }
    }
    const evidenceCid = cid as CID
    let evidence: Evidence
    try {
      evidence = await loadEvidence(helia, evidenceCid, read)
    } catch (err) {
      if (isEvidenceError(err, 'NOT_FOUND')) return stop('not-judged', [`evidence not found: ${err.message}`], { evidenceCid: evidenceCid.toString() })
      const why = isEvidenceError(err) ? `${err.code} ${err.message}` : message(err)
      return stop('failed', [`the evidence is invalid: ${why}`], { evidenceCid: evidenceCid.toString(), evidence: { passed: false, reasons: [why] } })
    }
    const { manifest } = evidence
    const wireSpec: wire.TrainingSpec = evidenceTrainingSpec(manifest.spec)
    const known = {
      evidenceCid: evidenceCid.toString(),
      specHash: toHex(manifest.spec.hash),
      merkleRoot: manifest.merkle === null ? null : toHex(manifest.merkle.root),
      chainHead: toHex(manifest.checkpoints.at(-1)?.chainHash ?? new Uint8Array()),
      segmentCount: manifest.checkpoints.length,
      evidence: { passed: true, reasons: [] }
    }
    Object.assign(base, known)

    // 2. Every block, re-hashed (a corrupted or missing state anywhere fails here).
    if (options.full !== false) {
      let blocks = 0
      try {
        for await (const _ of evidenceBlocks(helia, evidenceCid, read)) blocks++
        Object.assign(base, { integrity: { passed: true, reasons: [], blocks } })
      } catch (err) {
        const why = isEvidenceError(err) ? `${err.code} ${err.message}` : message(err)
        if (isEvidenceError(err, 'NOT_FOUND')) return stop('not-judged', [`the evidence is incomplete here: ${why}`], { integrity: { passed: false, reasons: [why], blocks } })
        Object.assign(base, { integrity: { passed: false, reasons: [why], blocks } })
      }
    } else {
      Object.assign(base, { integrity: { passed: true, reasons: ['skipped (full: false)'], blocks: 0 } })
    }

    // 3. What the spec needs: the engine's view, the dataset, the schedule; the chain against it.
    let spec: TrainingSpec
    let dataset: TrainingData
    try {
      spec = trainingSpecFromWire(wireSpec)
    } catch (err) {
      return stop('not-judged', [`cannot run this spec here: ${message(err)}`])
    }
    if (options.dataset !== undefined) dataset = options.dataset
    else {
      // A client model's file and data by CID, from this store (or the network through `peer`).
      try {
        dataset = await trainingInputsOf(helia, wireSpec, read)
      } catch (err) {
        if (isEvidenceError(err, 'NOT_FOUND')) return stop('not-judged', [`the job's inputs are unavailable here: ${err.message}`])
        const why = message(err)
        // Inputs that do not match the spec's hashes were not what the job trained: the evidence
        // itself is not judged wrong for that (the client supplied them); say so and do not judge.
        return stop('not-judged', [`cannot load the job's inputs: ${why}`])
      }
    }
    const schedule = trainingSchedule(spec, dataset.train.count)
    Object.assign(base, { chain: checkChain(evidence, schedule, options.interim === true) })

    // 4. The profile: judge only what this machine can reproduce bit for bit.
    const recorded = profileFromRecord(manifest.profile)
    const trainer = await Trainer.open(spec, dataset)
    try {
      const local = trainer.profile
      if (typeof recorded === 'string') {
        return stop('not-judged', [`cannot judge: ${recorded}`], { profile: { reproducible: false, reasons: [recorded], recorded: manifest.profile, local } })
      }
      const verdict = canReproduce(local, recorded)
      Object.assign(base, { profile: { reproducible: verdict.reproducible, reasons: verdict.reasons, recorded, local } })
      if (!verdict.reproducible) return stop('not-judged', ['cannot judge: this machine cannot reproduce the recorded determinism profile', ...verdict.reasons])

      // 5. W_0: the stored one must be the seed's (the chain does not hash W_0; a worker could start elsewhere).
      const initial = trainer.initialState()
      let initialReport: CheckReport
      if (manifest.initialState === null) initialReport = { passed: true, reasons: ['not stored: derived from the seed'] }
      else {
        try {
          const stored = trainingStateFromTensors(spec, 0, await loadCheckpointState(helia, evidence, 0, read), trainer.stateLayout)
          const same = sameBits(stored.parameters, initial.parameters) && sameBits(stored.velocities, initial.velocities)
          initialReport = same ? { passed: true, reasons: [] } : { passed: false, reasons: ['the stored W_0 is not the seed\'s initial state'] }
        } catch (err) {
          initialReport = { passed: false, reasons: [describeStateError(err, 'W_0')] }
        }
      }
      Object.assign(base, { initialState: initialReport })

      // 6. Spot checks: k segments by the challenge, each re-executed from W_{E-1}.
      const count = manifest.checkpoints.length
      const selected = selectSpotChecks(seed, count, options.checks)
      const segments: SegmentReport[] = []
      for (const index of selected) {
        const report = await checkSegment(helia, evidence, trainer, recorded, spec, schedule, initial, index, read)
        segments.push(report)
        options.onSegment?.(report)
      }
      Object.assign(base, { selected, segments })

      // 7. The final weights: W_N as committed, its weights hash, against the claim when there is one.
      let finalWeights: VerifyReport['finalWeights']
      try {
        const last = manifest.checkpoints.at(-1)
        if (last === undefined) throw new Error('no checkpoints')
        const state = trainingStateFromTensors(spec, last.steps, await loadCheckpointState(helia, evidence, count, read), trainer.stateLayout)
        const hash = toHex(weightsHash(state))
        const reasons: string[] = []
        if (last.steps !== schedule.totalSteps && options.interim !== true) reasons.push(`the last checkpoint is at step ${last.steps}, training ends at ${schedule.totalSteps}`)
        if (expected !== null && expected !== hash) reasons.push(`the final weights hash is ${hash}, the worker claimed ${expected}`)
        finalWeights = { passed: reasons.length === 0, reasons, hash, expected }
      } catch (err) {
        finalWeights = { passed: false, reasons: [describeStateError(err, `W_${count}`)], hash: null, expected }
      }
      Object.assign(base, { finalWeights })
    } finally {
      await trainer.close()
    }

    const report = stop('passed', [])
    const failures = [
      ...(report.integrity.passed ? [] : report.integrity.reasons.map((r) => `integrity: ${r}`)),
      ...(report.chain.passed ? [] : report.chain.reasons.map((r) => `chain: ${r}`)),
      ...(report.initialState.passed ? [] : report.initialState.reasons.map((r) => `W_0: ${r}`)),
      ...report.segments.filter((s) => !s.passed).map((s) => `segment ${s.segment}: ${s.reasons.join('; ')}`),
      ...(report.finalWeights.passed ? [] : report.finalWeights.reasons.map((r) => `final weights: ${r}`))
    ]
    return failures.length === 0 ? report : { ...report, verdict: 'failed', reasons: failures }
  } finally {
    await opened.close()
  }
}
