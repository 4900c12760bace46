/**
 * Size bounds of stored evidence. Every reader of untrusted evidence checks against these before it
 * allocates or walks anything. (Candidates for `protocols/params.ts`; kept here until the protocol
 * room takes them, because they bound a storage format rather than a rule of the market.)
 */
import { MESH, PROOF } from '../protocols/index.js'

export const EVIDENCE_LIMITS = {
  /** State chunks are raw blocks of at most 1 MiB: the usual IPFS block size, well under
   * bitswap's 2 MiB block and 4 MiB message limits. */
  chunkBytes: 1024 * 1024,
  /** Largest block any evidence reader accepts (manifest, state index or chunk). */
  maxBlockBytes: 2 * 1024 * 1024,
  /** Largest manifest block. It travels as one bitswap block, so it must stay under maxBlockBytes. */
  maxManifestBytes: 2 * 1024 * 1024,
  /** Largest encoded training state: weights plus optimizer state (momentum velocities are the
   * same size as the weights), plus the encoding's headers. */
  maxStateBytes: 2 * MESH.maxWeightsBytes + 64 * 1024,
  /** Tensors in one state (weights and velocities of every layer). */
  maxStateTensors: 1024,
  /** Checkpoints in one evidence bundle. ~200 bytes each in the manifest, so 4,096 fit in 1 MiB. */
  maxCheckpoints: PROOF.maxCheckpoints,
  /** The job spec bytes carried in the manifest. */
  maxSpecBytes: 64 * 1024,
  /** Labels such as the spec encoding name and Merkle scheme. */
  maxLabelChars: 64,
  /** Determinism-profile entries and the length of each string value. */
  maxProfileEntries: 32,
  maxProfileValueChars: 256,
  /** Named metrics per metrics-log entry. */
  maxMetricsPerEntry: 32,
  /** A whole CAR file accepted by importCar. */
  maxCarBytes: 4 * 1024 * 1024 * 1024
} as const
