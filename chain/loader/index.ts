/**
 * Deploying programs the way a validator takes them: through the BPF upgradeable loader (v3), with
 * a buffer, chunked writes and a ProgramData account that records the upgrade authority.
 */
export {
  BPF_LOADER_UPGRADEABLE_ID, BUFFER_METADATA_SIZE, PROGRAM_ACCOUNT_SIZE, PROGRAMDATA_METADATA_SIZE,
  decodeProgramAccount, decodeProgramData, deployWithMaxDataLen, initializeBuffer, programDataAddress, setAuthority, upgrade, writeBuffer
} from './instructions.js'
export { DEPLOY_WRITE_CONCURRENCY, DeployError, MAX_PROGRAM_DATA, PACKET_DATA_SIZE, checkElf, deployProgram, readDeployedProgram, upgradeProgram, writeChunkSize } from './deploy.js'
export type { DeployOptions, DeployProgress, DeployRpc, DeployedProgram, Deployment, UpgradeOptions } from './deploy.js'
