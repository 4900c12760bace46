/**
 * Step 4 of a job's life: the winning price goes into an escrow on-chain naming the winner
 * (`create_escrow`). The escrow's terms are a pure function of the job (`escrowTerms`); the worker
 * checks every one of them against its award before it accepts.
 */
import type { PublicKey, TransactionInstruction } from '@solana/web3.js'
import { CYXWIZ_PROGRAM_ID, TIER, challengeCommitment, createEscrow, escrowPda, type ConfigAccount, type CreateEscrowArgs } from '../../../chain/index.js'
import { ESCROW, PROOF, wire } from '../../../protocols/index.js'
import { escrowNonce, tokenAccount } from '../chain.js'
import { checkpointCount } from '../spec.js'
import type { Tier } from './types.js'

export interface EscrowComponents {
  /** The client's wallet (it signs and pays). */
  readonly wallet: PublicKey
  readConfig: () => Promise<ConfigAccount>
  /** Sends a transaction signed by the client's wallet and waits for its confirmation. */
  send: (ixs: TransactionInstruction[]) => Promise<string>
}

export interface EscrowRequest {
  readonly jobId: Uint8Array
  readonly spec: wire.TrainingSpec
  readonly tier: Tier
  readonly amount: bigint
  readonly estimatedSeconds: number
  /** zk tier: the dataset commitment the step proofs' batches are bound to. */
  readonly dataCommitment?: Uint8Array
  /** zk tier: the secret whose SHA-256 the escrow carries (revealed after the final anchor). */
  readonly challengeSecret?: Uint8Array
}

/** The `create_escrow` arguments of a job: one anchored leaf per checkpoint, the tier's circuit. */
export function escrowTerms (r: EscrowRequest): CreateEscrowArgs {
  return {
    nonce: escrowNonce(r.jobId),
    jobId: r.jobId,
    amount: r.amount,
    specHash: wire.specHash(r.spec),
    estimatedSeconds: BigInt(r.estimatedSeconds),
    timeoutSecs: BigInt(ESCROW.timeoutSeconds),
    // The anchored root's leaves: one per checkpoint the run seals.
    epochsTotal: checkpointCount(r.spec),
    tier: r.tier === 'zk' ? TIER.zk : TIER.optimistic,
    circuitId: r.tier === 'zk' ? PROOF.stepCircuitId : 0,
    // zk: the step proofs' private batches are bound to this commitment (the public input `data`).
    ...(r.tier === 'zk' && r.dataCommitment !== undefined ? { dataCommitment: r.dataCommitment } : {}),
    ...(r.challengeSecret === undefined ? {} : { challengeCommitment: challengeCommitment(r.challengeSecret) })
  }
}

/** The escrow's address for this client and job (a PDA of the client and the job's nonce). */
export function escrowAddress (client: PublicKey, jobId: Uint8Array): PublicKey {
  return escrowPda(CYXWIZ_PROGRAM_ID, client, escrowNonce(jobId)).address
}

/** Creates the escrow naming `worker`; resolves with its address. */
export async function openEscrow (c: EscrowComponents, worker: PublicKey, r: EscrowRequest): Promise<PublicKey> {
  const config = await c.readConfig()
  await c.send([createEscrow({ client: c.wallet, clientToken: tokenAccount(c.wallet, config.mint), mint: config.mint, worker }, escrowTerms(r))])
  return escrowAddress(c.wallet, r.jobId)
}
