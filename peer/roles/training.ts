/**
 * The roles' use of `peer/evidence`: the worker's training run with its Helia evidence, reported as
 * job-protocol progress and turned into a Delivery; the client's spot check of that evidence.
 */
import { MerkleTree, encodeState, wire, toHex, fromHex } from '../../protocols/index.js'
import { CID } from 'multiformats/cid'
import { loadCheckpointState, loadEvidence, type EvidenceStore, type Table } from '../../storage/index.js'
import { trainWithEvidence, verifyEvidence, type VerifyReport } from '../evidence/index.js'
import { checkpointStateTensors, stateLayoutOf, trainingStateFromTensors, trainingSpecFromWire, type TrainingData, type TrainingState } from '../train/index.js'
import type { DeliveredWork, TrainingProgress } from '../job/index.js'

/** The final weights as delivered: the canonical state encoding of the parameters alone, whose
 * SHA-256 is `peer/evidence`'s `weightsHash` (and what the escrow's `complete` records). */
export function weightsBytes (state: TrainingState): Uint8Array {
  return encodeState(checkpointStateTensors(state).slice(0, state.parameters.length))
}

/**
 * Trains with evidence in `evidence` (blocks) and `drafts` (the peer database, so a crash resumes
 * from the last stored checkpoint), reporting metrics and a checkpoint notice per segment. `signal`
 * stops the run at the next segment boundary, leaving the draft to resume from.
 */
export async function runWithEvidence (evidence: EvidenceStore, drafts: Table<Uint8Array>, spec: wire.TrainingSpec, dataset: TrainingData, progress: TrainingProgress, signal?: AbortSignal): Promise<DeliveredWork> {
  const chainHashes: Uint8Array[] = []
  const r = await trainWithEvidence({
    wireSpec: spec,
    dataset,
    peer: { helia: evidence, drafts },
    ...(signal === undefined ? {} : { signal }),
    onProgress: (p) => {
      chainHashes.push(fromHex(p.chainHash))
      progress.metrics({
        epoch: Math.min(spec.epochs, Math.floor(p.metrics.epoch)),
        totalEpochs: spec.epochs,
        step: p.metrics.step,
        loss: p.metrics.trainLoss,
        trainAccuracy: p.metrics.trainAccuracy,
        testAccuracy: p.metrics.testAccuracy
      })
      progress.checkpoint({ epoch: p.segment, chainHash: fromHex(p.chainHash), merkleRoot: Uint8Array.from(new MerkleTree(chainHashes).root), cid: p.manifestCid })
    }
  })
  const weights = weightsBytes(r.final)
  if (toHex(wire.sha256(weights)) !== r.finalWeightsHash) throw new Error('internal: delivered weights differ from the evidence\'s final weights')
  return {
    weights,
    delivery: {
      weightsHash: Uint8Array.from(wire.sha256(weights)),
      weightsBytes: BigInt(weights.byteLength),
      evidenceCid: r.evidenceCid,
      merkleRoot: fromHex(r.merkleRoot),
      epochs: r.checkpoints,
      finalChainHash: fromHex(r.chainHead)
    }
  }
}

/**
 * The work of a job this worker already trained and sealed, read back from its own evidence: the
 * final checkpoint's parameters as weights, the manifest's Merkle root and chain head. For a client
 * that reconnects after the Delivery was sent but never arrived (a link cut as the job ended): the
 * training is not redone, the same bytes go out again. Throws when the evidence's final weights are
 * not the ones the worker anchored (`weightsHash`).
 */
export async function redeliver (evidence: EvidenceStore, evidenceCid: string, spec: wire.TrainingSpec, dataset: TrainingData, weightsHash: Uint8Array): Promise<DeliveredWork> {
  const e = await loadEvidence(evidence, CID.parse(evidenceCid))
  const count = e.manifest.checkpoints.length
  const last = e.manifest.checkpoints.at(-1)
  if (last === undefined || e.manifest.merkle === null) throw new Error(`the evidence ${evidenceCid} has no checkpoints`)
  const parsed = trainingSpecFromWire(spec)
  const state = trainingStateFromTensors(parsed, last.steps, await loadCheckpointState(evidence, e, count), stateLayoutOf(parsed, dataset))
  const weights = weightsBytes(state)
  const hash = Uint8Array.from(wire.sha256(weights))
  if (toHex(hash) !== toHex(weightsHash)) throw new Error(`the evidence's final weights hash to ${toHex(hash)}, the job anchored ${toHex(weightsHash)}`)
  return {
    weights,
    delivery: { weightsHash: hash, weightsBytes: BigInt(weights.byteLength), evidenceCid, merkleRoot: Uint8Array.from(e.manifest.merkle.root), epochs: count, finalChainHash: Uint8Array.from(last.chainHash) }
  }
}

export interface SpotCheckReport {
  readonly passed: boolean
  /** `unavailable`: the evidence could not be fetched — no judgement on the work (issue 17). */
  readonly verdict: VerifyReport['verdict'] | 'unavailable'
  /** Segments re-executed (1-based). */
  readonly segments: readonly number[]
  readonly reasons: readonly string[]
}

/**
 * The client's check of delivered work: the evidence the Delivery names must be valid, match the
 * Delivery (Merkle root, chain head, segment count, final weights) and `k` segments drawn from
 * `seed` (which the worker could not know while training) must re-execute to the same bits.
 */
export async function spotCheck (evidence: EvidenceStore, delivery: wire.Delivery, spec: wire.TrainingSpec, dataset: TrainingData, k: number, seed: Uint8Array): Promise<SpotCheckReport> {
  const v = await verifyEvidence({ cid: delivery.evidenceCid, peer: { helia: evidence }, challengeSeed: seed, checks: k, dataset, expectedWeightsHash: delivery.weightsHash })
  const reasons = [...v.reasons]
  if (v.specHash !== toHex(wire.specHash(spec))) reasons.push('the evidence is for another spec')
  if (v.merkleRoot !== toHex(delivery.merkleRoot)) reasons.push('the evidence\'s Merkle root is not the delivery\'s')
  if (v.chainHead !== toHex(delivery.finalChainHash)) reasons.push('the evidence\'s chain head is not the delivery\'s')
  if (v.segmentCount !== delivery.epochs) reasons.push('the evidence\'s segment count is not the delivery\'s')
  const passed = v.verdict === 'passed' && reasons.length === v.reasons.length
  return { passed, verdict: passed ? 'passed' : v.verdict === 'passed' ? 'failed' : v.verdict, segments: v.selected, reasons }
}
