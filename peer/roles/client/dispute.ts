/**
 * Settling by dispute: when the client opens one (`open_dispute`, citing the evidence CID) and the
 * rule that decides it. A check on an optimistic job that did not pass is disputed within the
 * challenge window: left alone, the worker could claim the payment once the window closed. That
 * includes `unavailable` evidence (issue 17, docs/security.md finding 16): the dispute is the
 * request the worker must answer by serving its evidence to the drawn jurors within the evidence
 * and commit windows; a strict majority that still cannot fetch it finds `unavailable`, and the
 * client is refunded. `settle: 'dispute'` disputes whatever the check found; `settle: 'none'`
 * leaves the escrow as it is.
 */
import type { PublicKey, TransactionInstruction } from '@solana/web3.js'
import { openDispute, type ConfigAccount } from '../../../chain/index.js'
import { tokenAccount } from '../chain.js'
import type { SpotCheckReport } from '../training.js'
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

/** Why the client disputes a delivery its check reported on (`disputes`), or undefined when it does not. */
export function disputeClaim (settle: SettleMode, report: Pick<SpotCheckReport, 'passed' | 'verdict' | 'reasons'>, tier: Tier): string | undefined {
  if (!disputes(settle, report.passed, tier)) return undefined
  const why = report.reasons[0] ?? ''
  switch (report.verdict) {
    case 'unavailable': return `the evidence is unavailable after every retry (${why}): the worker must serve it to the drawn jurors within the evidence and commit windows, or the jury finds it unavailable and the client is refunded`
    case 'failed': return `the delivered work failed the client's check: ${why}`
    case 'not-judged': return `the client could not re-execute the work on its machine (${why}); the jury judges it`
    default: return 'disputed by choice (settle: dispute); the check passed'
  }
}

/** Opens a dispute on `escrow` citing the evidence; resolves with the transaction's signature. */
export async function openJobDispute (c: DisputeComponents, escrow: PublicKey, evidenceCid: string): Promise<string> {
  const config = await c.readConfig()
  return await c.send([openDispute({ claimant: c.wallet, claimantToken: tokenAccount(c.wallet, config.mint), escrow, mint: config.mint }, evidenceCid)])
}
