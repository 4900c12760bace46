/**
 * The door of `peer/roles`: the worker and the client, built on the mesh (peer/node), the job
 * protocol (peer/job), the policies (peer/policy), training with evidence (peer/evidence) and the
 * chain (a web3.js Connection to any Solana JSON-RPC).
 */
export { Worker, Bidder, JobRunner, Settler, JurorDuty, EvidenceRefusedError, evidenceRefusal, submitDisputeEvidence, settledFacts, slotReleaseAt, type BidderComponents, type JurorDutyComponents, type KeptBallot, type RunnerComponents, type SettlerComponents, type WorkerEvent, type WorkerOptions,
  WORKER_CONTROL_FILE, WorkerControlError, controlPrice, parseWorkerControl, readWorkerControl, updateWorkerControl, watchWorkerControl, writeWorkerControl, type WorkerControl } from './worker/index.js'
export { WorkerVanishedError, runWithFaults, type FaultyRunContext, type WorkerFaults } from './faults.js'
export { Client, NoEligibleBidError, ClientActionError, progressText, type ProgressStyle, cancelJob, dirActionComponents, disputeJob, rateJob, type ClientActionComponents, type ClientJobEvent, type ClientOptions, type JobOutcome, type JobRequest } from './client/index.js'
export { JobBook, IllegalTransitionError, escrowFact, type ClientJobState, type JobRecord, type WorkerJobState } from './jobs.js'
export { workerFactsOf, workerFactsRecord, type WorkerFactsUpdate, type WorkerJobFacts } from './worker/facts.js'
export { checkEscrow, escrowNonce, nodeIsActive, readConfig, readNode, sendTransaction, tokenAccount, walletKeypair } from './chain.js'
export { jobSpec, type SpecRequest } from './spec.js'
export { checkEpochs, defaultTierOf, JobRequestError, MAX_JOB_EPOCHS, parseJobRequest, type JobRequestFacts, type JobRequestField, type JobRequestInput, type JobRequestRules } from './request.js'
export { runWithEvidence, spotCheck, weightsBytes, type SpotCheckReport } from './training.js'
export { installStepVerifyingKey } from './verifying-keys.js'
export { anchoredCheckpoints, readEscrowAccount, type AnchoredCheckpoints } from './settlement.js'
export { checkpointCount, specTier, zkDataCommitment, ZK_DATASET_ID, ZK_MAX_EPOCHS, ZK_STEPS_PER_EPOCH } from './spec.js'
export { trainedModelBytes, clientModelRequest } from './client-model.js'
export type { ClientModelArgs } from './client-model.js'
