/**
 * Settling by dispute: when the client opens one (`open_dispute`, citing the evidence CID) and the
 * rule that decides it. A failed check on an optimistic job is disputed within the challenge window:
 * left alone, the worker could claim the payment once the window closed. `settle: 'dispute'` disputes
 * whatever the check found; `settle: 'none'` leaves the escrow as it is.
 */
import type { PublicKey, TransactionInstruction } from '@solana/web3.js'
import { openDispute, type ConfigAccount } from '../../../chain/index.js'
import { tokenAccount } from '../chain.js'
import type { SettleMode, Tier } from './types.js'

export interface DisputeComponents {
  /** The client's wallet: the claimant. */
  readonly wallet: PublicKey
  readConfig: () => Promise<ConfigAccount>
  /** Sends a transaction signed by the client's wallet and waits for its confirmation. */
  send: (ixs: TransactionInstruction[]) => Promise<string>
}

/** Whether the client disputes a delivery whose check `passed` (or not). */
export function disputes (settle: SettleMode, passed: boolean, tier: Tier): boolean {
  return settle === 'dispute' || (!passed && tier === 'optimistic' && settle !== 'none')
}

/** Opens a dispute on `escrow` citing the evidence; resolves with the transaction's signature. */
export async function openJobDispute (c: DisputeComponents, escrow: PublicKey, evidenceCid: string): Promise<string> {
  const config = await c.readConfig()
  return await c.send([openDispute({ claimant: c.wallet, claimantToken: tokenAccount(c.wallet, config.mint), escrow, mint: config.mint }, evidenceCid)])
}
