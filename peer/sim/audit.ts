/**
 * The sim's audit: every participant's and vault's token balance before and after the run, what
 * the protocol's rules say they must be after (a scenario's expectation, and every further job paid
 * 90/10), their reconciliation to the base unit, and the conservation of the token supply (burned
 * included). Reading the ledger is here; judging what was read is pure.
 */
import { PublicKey } from '@solana/web3.js'
import { getAccount, getMint } from '@solana/spl-token'
import { CYXWIZ_PROGRAM_ID, configPda, decodeConfig } from '../../chain/index.js'
import { settlementSplit, type ReputationTierName } from '../../protocols/index.js'
import type { LocalNetwork } from './network.js'
import type { Check } from './scenario.js'

/** Token balances in base units, by participant name or vault (`platform`, `insurance`, `stake`). */
export type Balances = Readonly<Record<string, bigint>>

/** The mint's supply and what the program has burned. */
export interface Supply { readonly supply: bigint, readonly burned: bigint }

/** A stake slashed and where it went (base units). */
export interface Slashing { readonly slashed: bigint, readonly toInsurance: bigint, readonly burned: bigint, readonly toClient: bigint, readonly toTreasury: bigint }
export const NO_SLASHING: Slashing = { slashed: 0n, toInsurance: 0n, burned: 0n, toClient: 0n, toTreasury: 0n }

/** Every wallet's balance and the program's three vaults. */
export async function snapshot (net: LocalNetwork, wallets: ReadonlyArray<readonly [string, PublicKey]>): Promise<Balances> {
  const b: Record<string, bigint> = {}
  for (const [name, wallet] of wallets) b[name] = await net.tokenBalance(wallet)
  for (const v of ['platform', 'insurance', 'stake'] as const) b[v] = await net.vaultBalance(v)
  return b
}

export async function supplyOf (net: LocalNetwork): Promise<Supply> {
  const supply = (await getMint(net.connection, net.mint, 'confirmed')).supply
  const info = await net.connection.getAccountInfo(configPda(CYXWIZ_PROGRAM_ID).address, 'confirmed')
  return { supply, burned: info === null ? 0n : decodeConfig(info.data).totalBurned }
}

/** Each escrow vault's balance now. */
export async function escrowVaults (net: LocalNetwork, vaults: readonly string[]): Promise<bigint[]> {
  return await Promise.all(vaults.map(async (v) => (await getAccount(net.connection, new PublicKey(v), 'confirmed')).amount))
}

/** `before` moved by `deltas` (each name must be in `before`). */
export function expectBalances (before: Balances, deltas: ReadonlyArray<readonly [string, bigint]>): Balances {
  const expected: Record<string, bigint> = { ...before }
  for (const [k, v] of deltas) {
    if (expected[k] === undefined) throw new Error(`no balance named ${k} to expect a change of`)
    expected[k] += v
  }
  return expected
}

/** A job after the first, settled as the rules say a completed one is (90/10 by the winner's tier). */
export interface PaidJob { readonly amount: bigint, readonly winnerName: string, readonly tier: ReputationTierName }

/** What the jobs after the first move: each paid in full by the client, split worker/platform. */
export function paidJobDeltas (jobs: readonly PaidJob[]): Array<readonly [string, bigint]> {
  return jobs.flatMap((j) => {
    const split = settlementSplit(j.amount, j.tier)
    return [['client', -j.amount], [j.winnerName, split.worker], ['platform', split.platform]] as const
  })
}

/** The report's `balances`, and whether every one is exactly as expected. */
export function reconcile (before: Balances, after: Balances, expected: Balances): { balances: Record<string, { before: string, after: string, expected: string }>, reconciles: boolean } {
  const balances: Record<string, { before: string, after: string, expected: string }> = {}
  for (const k of Object.keys(before)) balances[k] = { before: String(before[k]), after: String(after[k]), expected: String(expected[k]) }
  const reconciles = Object.keys(expected).every((k) => expected[k] === after[k])
  return { balances, reconciles }
}

/** The supply plus what was burned never changes (a burn moves tokens from one to the other). */
export const supplyConserved = (before: Supply, after: Supply): boolean => before.supply + before.burned === after.supply + after.burned

/** The checks every run ends with: the escrow vaults emptied, the balances reconciled, the supply conserved. */
export function ledgerChecks (o: { readonly escrowVaultsAfter: readonly bigint[], readonly reconciles: boolean, readonly supplyConserved: boolean }): Check[] {
  return [
    { name: o.escrowVaultsAfter.length > 1 ? 'every escrow vault is empty' : 'the escrow vault is empty', ok: o.escrowVaultsAfter.every((v) => v === 0n) },
    { name: 'every balance reconciles to the base unit', ok: o.reconciles },
    { name: 'the token supply (burned included) is conserved', ok: o.supplyConserved }
  ]
}
