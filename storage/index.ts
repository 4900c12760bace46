/**
 * The storage room's door: the peer's level databases, its Helia node, and evidence bundles
 * (publish, pin, fetch, verify, CAR files). Other rooms import only from here.
 */
export { openPeerStore, Table } from './peer-store.js'
export type { PeerStore, JsonValue, JsonObject } from './peer-store.js'
export { createPeerHelia } from './helia.js'
export type { Helia, HeliaWithLibp2p, CreateLibp2pOptions, PeerHeliaOptions } from './helia.js'
export { EvidenceError, isEvidenceError } from './errors.js'
export type { EvidenceErrorCode } from './errors.js'
export { EVIDENCE_LIMITS } from './limits.js'
export {
  EvidenceWriter, publishEvidence, loadEvidence, loadCheckpointState, evidenceBlocks, pinEvidence, unpinEvidence
} from './evidence.js'
export type { Evidence, EvidenceInit, CheckpointInput, EvidenceWriterOptions, EvidenceReader, EvidenceStore } from './evidence.js'
export {
  validateManifest, validateStateIndex, merkleCommitment, evidenceSpec, evidenceTrainingSpec,
  EVIDENCE_TYPE, EVIDENCE_VERSION, STATE_INDEX_TYPE, STATE_ENCODING, SPEC_ENCODING, MERKLE_SCHEME_SHA256
} from './manifest.js'
export type { EvidenceManifest, EvidenceSpec, CheckpointRecord, MetricsLogEntry, MerkleCommitment, ProfileRecord, StateRef, StateIndex } from './manifest.js'
export { exportCar, importCar } from './car.js'
export type { CarSummary } from './car.js'
export { decodeState } from './state-codec.js'
export type { BlockAccess, ReadOptions } from './blocks.js'
export {
  putDataset, fetchDataset, datasetRootFor, loadDatasetManifest, validateDatasetManifest, decodeDatasetManifest, DATASET_TYPE, DATASET_VERSION,
  DatasetAssembler, datasetSegments
} from './dataset.js'
export type {
  TensorDataset, TensorSplit, SampleDtype, TargetDtype, Normalize, DatasetTask, DatasetManifest, DatasetRef, FetchDatasetOptions
} from './dataset.js'
export { putBlob, blobRootFor, fetchBlob, BLOB_TYPE, BLOB_VERSION } from './blob.js'
export type { BlobRef, FetchBlobOptions } from './blob.js'
