/** Program-derived addresses, mirroring `chain/program/src/seeds.rs`. */
import { PublicKey } from '@solana/web3.js'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

export type VaultKind = 'platform' | 'insurance' | 'stake'

export interface Pda {
  readonly address: PublicKey
  readonly bump: number
}

function find (seeds: Uint8Array[], programId: PublicKey): Pda {
  const [address, bump] = PublicKey.findProgramAddressSync(seeds, programId)
  return { address, bump }
}

export const u64le = (n: bigint): Uint8Array => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, n, true)
  return b
}

/** `["config"]`: the configuration, also the token authority of every program vault. */
export const configPda = (programId: PublicKey): Pda => find([enc('config')], programId)
/** `["vault", kind]`: the platform-fee, insurance-pool and stake vaults (SPL token accounts). */
export const vaultPda = (programId: PublicKey, kind: VaultKind): Pda => find([enc('vault'), enc(kind)], programId)
/** `["node", owner]`: a worker's registration. */
export const nodePda = (programId: PublicKey, owner: PublicKey): Pda => find([enc('node'), owner.toBytes()], programId)
/** `["escrow", client, nonce u64 LE]`: a job's escrow. */
export const escrowPda = (programId: PublicKey, client: PublicKey, nonce: bigint): Pda =>
  find([enc('escrow'), client.toBytes(), u64le(nonce)], programId)
/** `["escrow_vault", escrow]`: the escrow's token vault. */
export const escrowVaultPda = (programId: PublicKey, escrow: PublicKey): Pda =>
  find([enc('escrow_vault'), escrow.toBytes()], programId)
/** `["client", client]`: a client wallet's rate-limit window. */
export const clientStatePda = (programId: PublicKey, client: PublicKey): Pda => find([enc('client'), client.toBytes()], programId)
/** `["dispute", escrow]`: the dispute over an escrow. */
export const disputePda = (programId: PublicKey, escrow: PublicKey): Pda => find([enc('dispute'), escrow.toBytes()], programId)
/** `["vote_vault", dispute]`: the token vault holding a dispute's votes. */
export const voteVaultPda = (programId: PublicKey, dispute: PublicKey): Pda => find([enc('vote_vault'), dispute.toBytes()], programId)
/** `["vote", dispute, juror, round u8]`: one juror's vote in one round of a dispute. */
export const votePda = (programId: PublicKey, dispute: PublicKey, juror: PublicKey, round: number): Pda =>
  find([enc('vote'), dispute.toBytes(), juror.toBytes(), Uint8Array.of(round)], programId)
/** `["vk", circuitId u32 LE]`: a Groth16 verifying key set by the admin. */
export const verifyingKeyPda = (programId: PublicKey, circuitId: number): Pda => {
  const id = new Uint8Array(4)
  new DataView(id.buffer).setUint32(0, circuitId, true)
  return find([enc('vk'), id], programId)
}

/** The BPF upgradeable loader (loader v3), which holds deployed programs and their upgrade authority. */
export const BPF_LOADER_UPGRADEABLE_ID = new PublicKey('BPFLoaderUpgradeab1e11111111111111111111111')
/** The loader's PDA `[program]`: a program's ProgramData (its ELF and upgrade authority). */
export const programDataPda = (programId: PublicKey): Pda => find([programId.toBytes()], BPF_LOADER_UPGRADEABLE_ID)
