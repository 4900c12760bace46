/** The job protocol (/cyx/job/1.0.0) between a client and its awarded worker. */
export { chunkPayload, PayloadAssembler } from './transfer.js'
export type { PayloadFrame } from './transfer.js'
