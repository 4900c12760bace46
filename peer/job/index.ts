/** The job protocol (/cyx/job/1.1.0) between a client and its awarded worker. */
export { chunkPayload, PayloadAssembler } from './transfer.js'
export type { PayloadFrame } from './transfer.js'
export { decodeDataset, encodeDataset } from './dataset-codec.js'
export {
  JOB_BUFFER_BYTES, JOB_IDLE_TIMEOUT_MS, JobChannel, JobRefusal, JobRefusedError, pushedDatasetOver, runJobSession, startJobService,
  type DeliveredWork, type JobService, type JobServiceHooks, type JobServiceOptions, type JobSessionOptions, type JobSessionResult,
  type SessionOutcome, type TrainingProgress, type Transfer
} from './protocol.js'
