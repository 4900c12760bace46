/** Typed decoders of the program's accounts (discriminator checked, then Borsh). */
import type { PublicKey } from '@solana/web3.js'
import { ACCOUNTS, decode, layoutSize, type AccountName, type Decoded } from './layout.js'
import { accountDiscriminator, sameBytes } from './discriminator.js'
import type { ConfigParams } from './params.js'
import type { ReputationRecord } from '../../protocols/index.js'

export interface ConfigAccount {
  readonly admin: PublicKey
  readonly mint: PublicKey
  readonly platformVault: PublicKey
  readonly insuranceVault: PublicKey
  readonly stakeVault: PublicKey
  /** The key `propose_admin` named (all zeros when none); it becomes admin by signing `accept_admin`. */
  readonly pendingAdmin: PublicKey
  /** The only key that may `withdraw_treasury` (platform and insurance vaults). */
  readonly governance: PublicKey
  readonly params: ConfigParams
  readonly totalStaked: bigint
  readonly nodeCount: bigint
  readonly escrowCount: bigint
  readonly totalBurned: bigint
  readonly bump: number
  readonly platformVaultBump: number
  readonly insuranceVaultBump: number
  readonly stakeVaultBump: number
  readonly mintDecimals: number
}

export interface NodeAccount {
  readonly owner: PublicKey
  readonly stake: bigint
  readonly registeredAt: bigint
  readonly lockUntil: bigint
  readonly lastHeartbeat: bigint
  readonly unstakeRequestedAt: bigint
  readonly suspendedUntil: bigint
  readonly totalEarned: bigint
  readonly timeAccuracySumBps: bigint
  /** Base units paid for the node's credited jobs: matures its score (finding 7). */
  readonly paidValue: bigint
  /** Repeated failures: when the node's failure window started, and the failures in it (`recordFailure`). */
  readonly failuresWindowStart: bigint
  readonly jobsAssigned: number
  readonly jobsCompleted: number
  readonly jobsFailed: number
  readonly jobsActive: number
  readonly timedJobs: number
  readonly ratingStarsSum: number
  readonly ratings: number
  readonly proofsValid: number
  readonly proofsTotal: number
  readonly heartbeatsReceived: number
  readonly heartbeatsExpected: number
  readonly failuresInWindow: number
  readonly adjustment: number
  readonly reputation: number
  readonly status: number
  readonly unstakeRequested: number
  readonly bump: number
}

export interface EscrowAccount {
  readonly client: PublicKey
  readonly worker: PublicKey
  readonly vault: PublicKey
  readonly jobId: Uint8Array
  readonly specHash: Uint8Array
  readonly finalWeightsHash: Uint8Array
  readonly progressRoot: Uint8Array
  /** zk tier: SHA-256 of the verifying key pinned at `create_escrow` (zeros for optimistic). */
  readonly vkHash: Uint8Array
  /** zk tier: the dataset commitment the client fixed at `create_escrow` (the Poseidon root of the
   * job's batch commitments, a canonical field element, 32 bytes big-endian; the step proof's
   * public input `data`). Zeros for optimistic. */
  readonly dataCommitment: Uint8Array
  /** zk tier: SHA-256 of the client's secret (`challengeCommitment`), revealed after the final
   * anchor by `reveal_challenge` to draw the challenge. Zeros for optimistic. */
  readonly challengeCommitment: Uint8Array
  readonly nonce: bigint
  readonly amount: bigint
  readonly estimatedSeconds: bigint
  readonly createdAt: bigint
  readonly deadline: bigint
  readonly completedAt: bigint
  readonly lastProgressAt: bigint
  readonly finalAnchorSlot: bigint
  readonly challengeSlot: bigint
  /** Optimistic tier: when `submit_delivery` started the challenge window. */
  readonly deliveredAt: bigint
  /** When the worker signed `accept_job` (0 before); the deadline counts from it. */
  readonly acceptedAt: bigint
  /** zk tier: the slot whose hash (or a later one's) the fallback `draw_challenge` takes; moved to a
   * later slot when SlotHashes no longer reaches it (a re-arm). */
  readonly challengeRefSlot: bigint
  /** zk tier: the worker's proof is due by this (max(deadline, drawn at + `proveWindowSecs`)); 0 before the draw. */
  readonly proofDeadline: bigint
  readonly epochsTotal: number
  readonly epochsDone: number
  readonly circuitId: number
  readonly challengeStep: number
  /** The epochs a `hand_over` paid a replaced worker for (0 without one): the current worker's
   * progress is (epochsDone − epochsBase) / (epochsTotal − epochsBase). */
  readonly epochsBase: number
  readonly state: number
  readonly bump: number
  readonly vaultBump: number
  readonly rated: number
  /** `TIER`: 0 optimistic, 1 zk. */
  readonly tier: number
  readonly challenged: number
  /** Optimistic tier: 1 once the worker submitted its delivery. */
  readonly delivered: number
  /** 1 once the named worker accepted the job (`accept_job`); before, the escrow is an offer. */
  readonly accepted: number
  /** 1 when the job earns reputation credit (amount ≥ `repCreditMinAmount` at acceptance). */
  readonly credited: number
  /** zk tier: 1 when the challenge was drawn from the client's revealed secret, 0 by the fallback (or not drawn). */
  readonly revealed: number
  /** Optimistic tier: how many times the client handed the job over from a stalled worker (`hand_over`). */
  readonly handovers: number
  /** Config's parameters when the escrow was created: everything that settles it uses these
   * (fees, slash rates, penalties, windows), never a later `update_config` (finding 15). */
  readonly terms: ConfigParams
}

export interface VerifyingKeyAccount {
  readonly circuitId: number
  readonly len: number
  readonly written: number
  readonly bump: number
  readonly data: Uint8Array
}

export interface ClientStateAccount {
  readonly client: PublicKey
  readonly windowStart: bigint
  readonly jobsInWindow: number
  /** Paid, credited jobs this client rated (any worker): its ratings count from `repMinRaterPaidJobs` on. */
  readonly paidJobs: number
  readonly bump: number
}

export interface DisputeAccount {
  readonly escrow: PublicKey
  readonly client: PublicKey
  readonly worker: PublicKey
  readonly voteVault: PublicKey
  readonly clientEvidence: Uint8Array
  readonly workerEvidence: Uint8Array
  /** The current round's jury seed (valid once `drawn` is 1). */
  readonly seed: Uint8Array
  readonly openedAt: bigint
  readonly evidenceDeadline: bigint
  /** The current round's commit and reveal deadlines. */
  readonly commitDeadline: bigint
  readonly revealDeadline: bigint
  readonly resolvedAt: bigint
  readonly seedSlot: bigint
  /** `Config.totalStaked` at the opening: the sortition's denominator. */
  readonly totalStaked: bigint
  /** The claimant's bond held in the vault until finalization (0 after it). */
  readonly bond: bigint
  readonly depositsClient: bigint
  readonly depositsWorker: bigint
  readonly depositsUnavailable: bigint
  readonly depositsCommitted: bigint
  readonly locked: bigint
  readonly pool: bigint
  readonly majorityDeposits: bigint
  readonly committed: number
  readonly revealed: number
  readonly votesClient: number
  readonly votesWorker: number
  readonly votesUnavailable: number
  readonly openVotes: number
  readonly claimant: number
  /** `DISPUTE_STATE`. */
  readonly state: number
  readonly winner: number
  readonly bump: number
  readonly vaultBump: number
  /** 0 the first jury; each redraw adds 1. */
  readonly round: number
  readonly drawn: number
}

export interface VoteAccount {
  readonly dispute: PublicKey
  readonly juror: PublicKey
  readonly commitment: Uint8Array
  readonly deposit: bigint
  readonly side: number
  readonly bump: number
  readonly round: number
  readonly revealed: number
}

/** Total account sizes, discriminator included. */
export const ACCOUNT_SIZE: Readonly<Record<AccountName, number>> = Object.fromEntries(
  Object.entries(ACCOUNTS).map(([name, layout]) => [name, 8 + layoutSize(layout)])) as Record<AccountName, number>

function strip (d: Decoded): Decoded {
  const out: Decoded = {}
  for (const [k, v] of Object.entries(d)) {
    if (k.startsWith('_')) continue
    out[k] = typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v) && !('toBase58' in v) ? strip(v as Decoded) : v
  }
  return out
}

/** Decodes account `name` after checking its size and discriminator. */
export function decodeAccount (name: AccountName, data: Uint8Array): Decoded {
  if (data.length !== ACCOUNT_SIZE[name]) throw new Error(`${name}: ${data.length} bytes, want ${ACCOUNT_SIZE[name]}`)
  if (!sameBytes(data.subarray(0, 8), accountDiscriminator(name))) throw new Error(`${name}: wrong discriminator`)
  return strip(decode(ACCOUNTS[name], data, 8))
}

export const decodeConfig = (data: Uint8Array): ConfigAccount => decodeAccount('Config', data) as unknown as ConfigAccount
export const decodeNode = (data: Uint8Array): NodeAccount => decodeAccount('Node', data) as unknown as NodeAccount
export const decodeEscrow = (data: Uint8Array): EscrowAccount => decodeAccount('Escrow', data) as unknown as EscrowAccount
export const decodeClientState = (data: Uint8Array): ClientStateAccount => decodeAccount('ClientState', data) as unknown as ClientStateAccount
export const decodeDispute = (data: Uint8Array): DisputeAccount => decodeAccount('Dispute', data) as unknown as DisputeAccount
export const decodeVote = (data: Uint8Array): VoteAccount => decodeAccount('Vote', data) as unknown as VoteAccount
export const decodeVerifyingKey = (data: Uint8Array): VerifyingKeyAccount => decodeAccount('VerifyingKey', data) as unknown as VerifyingKeyAccount

/** The `ReputationRecord` (protocols/rules/reputation.ts) a Node account holds. */
export function reputationRecordOf (n: NodeAccount): ReputationRecord {
  return {
    jobsAssigned: n.jobsAssigned,
    jobsCompleted: n.jobsCompleted,
    timeAccuracySumBps: Number(n.timeAccuracySumBps),
    timedJobs: n.timedJobs,
    ratingStarsSum: n.ratingStarsSum,
    ratings: n.ratings,
    proofsValid: n.proofsValid,
    proofsTotal: n.proofsTotal,
    heartbeatsReceived: n.heartbeatsReceived,
    heartbeatsExpected: n.heartbeatsExpected,
    adjustment: n.adjustment,
    paidValue: n.paidValue
  }
}
