/**
 * The evidence room's door: a worker's training run with its Helia evidence (`trainWithEvidence`)
 * and a verifier's check of such evidence (`verifyEvidence`), gluing peer/train, storage and
 * protocols/proof together. Other code imports only from here.
 *
 *   const r = await trainWithEvidence({ wireSpec, dir })          // or { wireSpec, peer: { helia, drafts } }
 *   r.evidenceCid, r.merkleRoot, r.chainHead, r.finalWeightsHash   // hex / CID strings for Delivery
 *   const v = await verifyEvidence({ cid: r.evidenceCid, dir, challengeSeed, checks: 2 })
 *   v.verdict === 'passed' | 'failed' | 'not-judged'
 */
export { trainWithEvidence } from './train.js'
export type { TrainWithEvidenceOptions, TrainWithEvidenceResult, TrainProgress } from './train.js'
export { verifyEvidence } from './verify.js'
export type { VerifyEvidenceOptions, VerifyReport, SegmentReport, CheckReport, Verdict } from './verify.js'
export { weightsHash, checkpointInput, datasetBytes, datasetOfSpec, profileRecord } from './common.js'
export { fetchClientInputs, storeClientDataset, trainingInputsOf } from './inputs.js'
export type { FetchInputsOptions, PushedDataset } from './inputs.js'
export { fetchEvidence, fetchRoundMs, backoffMs, FETCH_RETRY } from './fetch.js'
export type { EvidenceFetch, EvidenceFetchComponents, FetchEvidenceOptions, Holder } from './fetch.js'
