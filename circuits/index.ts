/**
 * The circuits room: circom sources (circuits/src), their incremental development-only build
 * (cached by content hash in ~/.cache/cyxwiz, installed into circuits/build), the Groth16 prover
 * (off the event loop) and verifier, witness inputs, and the byte layouts the Solana program reads.
 * Other rooms import this room only through this file. See docs/proofs.md.
 */
export { buildCircuits, powersOfTau, setupMethod, type SetupMethod, circuitFiles, circuitSources, circuitsHash, cacheRoot, readBuildManifest, readR1csHeader, requiredPower, CIRCUITS_SCRIPT_VERSION, DEV_SETUP_LABEL, type CircuitInfo, type CircuitManifest, type CircuitFiles, type BuildOptions } from './build.js'
export { prove, verify, loadVerificationKey, releaseCurve, ProofError, type CircuitInput, type ProofResult, type ProveOptions, type Groth16Proof, type VerificationKey } from './prover.js'
export { checkpointInclusionInput, checkpointPairInput, CHECKPOINT_TREE_DEPTH, CHECKPOINT_TREE_MAX_LEAVES, CHECKPOINT_INCLUSION_PUBLIC, CHECKPOINT_PAIR_PUBLIC } from './inputs.js'
export { toOnChainProof, fromOnChainProof, toOnChainPublicInputs, fromOnChainPublicInputs, toOnChainVerifyingKey, fromOnChainVerifyingKey, onChainVkX, onChainPairingInput, verifyOnChainBytes, verifyingKeyBytes, PROOF_BYTES, G1_BYTES, G2_BYTES, PUBLIC_INPUT_BYTES } from './onchain.js'
export {
  checkpointStepInput, stepBatchInput, stepData, stepBatchIndex, stepBatchRows, stepDataCommitment, stepStateVector, STEP_LAYERS, STEP_OPTIMIZER, STEP_BATCH_ROWS, STEP_BATCHES,
  STEP_DATA_DEPTH, STEP_TRAIN_ROWS, STEP_FEATURE_MIN, STEP_FEATURE_MAX, STEP_PARAMETERS, CHECKPOINT_STEP_PUBLIC, type StepState, type StepData, type StepDataSource
} from './step.js'
