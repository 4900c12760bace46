/**
 * Borsh layouts of the program's accounts, instruction arguments and events, declared once as
 * data. They mirror `chain/program/src/state.rs` and `event.rs` field for field (the Rust structs
 * are padding-free `#[repr(C)]`, so their memory is their Borsh encoding); the sizes are checked
 * against the accounts the program actually creates in `test/e2e/chain/program.test.ts`. The same
 * tables can later produce the Anchor IDL.
 */
import { PublicKey } from '@solana/web3.js'

export type Scalar = 'u8' | 'u16' | 'i16' | 'u32' | 'u64' | 'i64' | 'pubkey'
/** A named struct inside another (an IDL `defined` type), e.g. `ConfigParams` inside `Config`. */
export interface Defined { readonly name: string, readonly layout: Layout }
/** A Borsh `Vec` (u32 LE count, then the items): of a scalar, or of fixed-size byte arrays. Arguments only. */
export interface VecType { readonly vec: Scalar | { readonly bytes: number } }
export type FieldType = Scalar | { readonly array: readonly [Scalar, number] } | { readonly bytes: number } | { readonly defined: Defined } | VecType
export type Layout = readonly (readonly [name: string, type: FieldType])[]

const SCALAR_SIZE: Readonly<Record<Scalar, number>> = { u8: 1, u16: 2, i16: 2, u32: 4, u64: 8, i64: 8, pubkey: 32 }

const vecItemSize = (t: VecType): number => typeof t.vec === 'string' ? SCALAR_SIZE[t.vec] : t.vec.bytes

/** Encoded size of `t`; a `vec` counts its 4-byte length only (its items depend on the value). */
export function fieldSize (t: FieldType): number {
  if (typeof t === 'string') return SCALAR_SIZE[t]
  if ('vec' in t) return 4
  if ('array' in t) return SCALAR_SIZE[t.array[0]] * t.array[1]
  if ('defined' in t) return layoutSize(t.defined.layout)
  return t.bytes
}

/** Byte offset of field `name` in `layout` (test set-up writes single fields with it). */
export function fieldOffset (layout: Layout, name: string): number {
  let o = 0
  for (const [n, t] of layout) {
    if (n === name) return o
    o += fieldSize(t)
  }
  throw new Error(`no field ${name}`)
}

export function layoutSize (layout: Layout): number {
  return layout.reduce((n, [, t]) => n + fieldSize(t), 0)
}

export type Value = number | bigint | PublicKey | Uint8Array | readonly (number | bigint | PublicKey)[] | Decoded
export interface Decoded { [field: string]: Value }

function readScalar (v: DataView, bytes: Uint8Array, o: number, t: Scalar): number | bigint | PublicKey {
  switch (t) {
    case 'u8': return v.getUint8(o)
    case 'u16': return v.getUint16(o, true)
    case 'i16': return v.getInt16(o, true)
    case 'u32': return v.getUint32(o, true)
    case 'u64': return v.getBigUint64(o, true)
    case 'i64': return v.getBigInt64(o, true)
    case 'pubkey': return new PublicKey(bytes.slice(o, o + 32))
  }
}

function writeScalar (v: DataView, bytes: Uint8Array, o: number, t: Scalar, x: unknown, name: string): void {
  const num = (): number => {
    if (typeof x !== 'number' || !Number.isInteger(x)) throw new TypeError(`${name}: expected an integer number`)
    return x
  }
  const big = (): bigint => {
    if (typeof x === 'bigint') return x
    if (typeof x === 'number' && Number.isSafeInteger(x)) return BigInt(x)
    throw new TypeError(`${name}: expected a bigint`)
  }
  const inRange = (n: number, lo: number, hi: number): number => {
    if (n < lo || n > hi) throw new RangeError(`${name}: ${n} outside ${t}`)
    return n
  }
  switch (t) {
    case 'u8': v.setUint8(o, inRange(num(), 0, 0xff)); return
    case 'u16': v.setUint16(o, inRange(num(), 0, 0xffff), true); return
    case 'i16': v.setInt16(o, inRange(num(), -0x8000, 0x7fff), true); return
    case 'u32': v.setUint32(o, inRange(num(), 0, 0xffffffff), true); return
    case 'u64': {
      const b = big()
      if (b < 0n || b > 0xffffffffffffffffn) throw new RangeError(`${name}: ${b} outside u64`)
      v.setBigUint64(o, b, true)
      return
    }
    case 'i64': {
      const b = big()
      if (b < -(2n ** 63n) || b >= 2n ** 63n) throw new RangeError(`${name}: ${b} outside i64`)
      v.setBigInt64(o, b, true)
      return
    }
    case 'pubkey':
      if (!(x instanceof PublicKey)) throw new TypeError(`${name}: expected a PublicKey`)
      bytes.set(x.toBytes(), o)
  }
}

/** Decodes `layout` from `data` at `offset` (Borsh, little-endian). */
export function decode (layout: Layout, data: Uint8Array, offset = 0): Decoded {
  if (data.length - offset < layoutSize(layout)) {
    throw new RangeError(`need ${layoutSize(layout)} bytes, have ${data.length - offset}`)
  }
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const out: Decoded = {}
  let o = offset
  for (const [name, t] of layout) {
    if (typeof t === 'string') {
      out[name] = readScalar(v, data, o, t)
    } else if ('array' in t) {
      const [s, n] = t.array
      const items: (number | bigint | PublicKey)[] = []
      for (let i = 0; i < n; i++) items.push(readScalar(v, data, o + i * SCALAR_SIZE[s], s))
      out[name] = items
    } else if ('defined' in t) {
      out[name] = decode(t.defined.layout, data, o)
    } else if ('vec' in t) {
      const n = v.getUint32(o, true)
      const size = vecItemSize(t) * n
      if (o + 4 + size > data.length) throw new RangeError(`${name}: vec of ${n} runs past the data`)
      out[name] = data.slice(o + 4, o + 4 + size)
      o += size
    } else {
      out[name] = data.slice(o, o + t.bytes)
    }
    o += fieldSize(t)
  }
  return out
}

/** Encodes `value` with `layout` (Borsh). Fields named `_padding` default to zeros. */
export function encode (layout: Layout, value: Readonly<Record<string, unknown>>): Uint8Array {
  let extra = 0
  for (const [name, t] of layout) {
    if (typeof t === 'object' && 'vec' in t) {
      const x = value[name]
      if (!(x instanceof Uint8Array) || x.length % vecItemSize(t) !== 0) throw new TypeError(`${name}: expected bytes, a multiple of ${vecItemSize(t)}`)
      extra += x.length
    }
  }
  const bytes = new Uint8Array(layoutSize(layout) + extra)
  const v = new DataView(bytes.buffer)
  let o = 0
  for (const [name, t] of layout) {
    const x = value[name]
    if (x === undefined && name.startsWith('_')) { o += fieldSize(t); continue }
    if (typeof t === 'string') {
      writeScalar(v, bytes, o, t, x, name)
    } else if ('array' in t) {
      const [s, n] = t.array
      if (!Array.isArray(x) || x.length !== n) throw new TypeError(`${name}: expected ${n} items`)
      x.forEach((item, i) => writeScalar(v, bytes, o + i * SCALAR_SIZE[s], s, item, `${name}[${i}]`))
    } else if ('defined' in t) {
      if (typeof x !== 'object' || x === null) throw new TypeError(`${name}: expected a ${t.defined.name}`)
      bytes.set(encode(t.defined.layout, x as Record<string, unknown>), o)
    } else if ('vec' in t) {
      // Vec items travel as their flat bytes (checked above).
      const b = x as Uint8Array
      v.setUint32(o, b.length / vecItemSize(t), true)
      bytes.set(b, o + 4)
      o += b.length
    } else {
      if (!(x instanceof Uint8Array) || x.length !== t.bytes) throw new TypeError(`${name}: expected ${t.bytes} bytes`)
      bytes.set(x, o)
    }
    o += fieldSize(t)
  }
  return bytes
}

const arr = (s: Scalar, n: number): FieldType => ({ array: [s, n] })
const bytes = (n: number): { bytes: number } => ({ bytes: n })
const defined = (name: string, layout: Layout): FieldType => ({ defined: { name, layout } })
const vec = (item: Scalar | { bytes: number }): FieldType => ({ vec: item })

/** `state.rs::ConfigParams` (336 bytes). */
export const CONFIG_PARAMS: Layout = [
  ['stakeTierMaxJob', arr('u64', 4)],
  ['stakeTierMinStake', arr('u64', 4)],
  ['repTierMaxJob', arr('u64', 4)],
  ['disputeBond', 'u64'],
  ['escrowTimeoutSecs', 'i64'],
  ['noProgressTimeoutSecs', 'i64'],
  ['heartbeatIntervalSecs', 'i64'],
  ['rateLimitWindowSecs', 'i64'],
  ['stakeMinLockSecs', 'i64'],
  ['stakeLockPerActiveJobSecs', 'i64'],
  ['withdrawalCooldownSecs', 'i64'],
  ['repeatedFailuresWindowSecs', 'i64'],
  ['suspensionSecs', 'i64'],
  ['evidenceWindowSecs', 'i64'],
  ['commitWindowSecs', 'i64'],
  ['juryRevealWindowSecs', 'i64'],
  ['challengeWindowSecs', 'i64'],
  ['minEscrowAmount', 'u64'],
  ['minEscrowTimeoutSecs', 'i64'],
  ['repCreditMinAmount', 'u64'],
  ['revealWindowSecs', 'i64'],
  ['proveWindowSecs', 'i64'],
  ['platformFeeBps', 'u16'],
  ['diamondPlatformFeeBps', 'u16'],
  ['cancellationFeeBps', 'u16'],
  ['timeoutSlashBps', 'u16'],
  ['invalidProofSlashBps', 'u16'],
  ['fraudSlashBps', 'u16'],
  ['repeatedFailuresSlashBps', 'u16'],
  ['slashInsuranceShareBps', 'u16'],
  ['jurorRiskBps', 'u16'],
  ['clientWinsSlashToClientBps', 'u16'],
  ['trainingTimeMinBps', 'u16'],
  ['trainingTimeMaxBps', 'u16'],
  ['stakeTierSlashBps', arr('u16', 4)],
  ['repTierMinScore', arr('u16', 4)],
  ['repWeights', arr('u16', 5)],
  ['repMaxScore', 'u16'],
  ['repMaturityJobs', 'u16'],
  ['jobsPerWalletPerDay', 'u16'],
  ['repeatedFailuresCount', 'u16'],
  ['jurySize', 'u16'],
  ['maxStars', 'u16'],
  ['penaltyFailedJob', 'i16'],
  ['penaltyTimeout', 'i16'],
  ['penaltyInvalidProof', 'i16'],
  ['penaltyDisputeLost', 'i16'],
  ['rewardSuccessfulJob', 'i16'],
  ['rewardFiveStar', 'i16'],
  ['rewardDisputeWon', 'i16'],
  ['rewardUptime', 'i16'],
  ['repMinRaterPaidJobs', 'u16'],
  ['minJurors', 'u16'],
  ['maxJuryRounds', 'u16'],
  ['_padding', bytes(4)]
]

/** `state.rs::Config` after its discriminator (608 bytes). */
export const CONFIG: Layout = [
  ['admin', 'pubkey'],
  ['mint', 'pubkey'],
  ['platformVault', 'pubkey'],
  ['insuranceVault', 'pubkey'],
  ['stakeVault', 'pubkey'],
  /** The key `propose_admin` named, zero when none; it becomes admin by signing `accept_admin`. */
  ['pendingAdmin', 'pubkey'],
  /** The only key `withdraw_treasury` obeys (the admin at initialisation; `set_governance`). */
  ['governance', 'pubkey'],
  ['params', defined('ConfigParams', CONFIG_PARAMS)],
  ['totalStaked', 'u64'],
  ['nodeCount', 'u64'],
  ['escrowCount', 'u64'],
  ['totalBurned', 'u64'],
  ['bump', 'u8'],
  ['platformVaultBump', 'u8'],
  ['insuranceVaultBump', 'u8'],
  ['stakeVaultBump', 'u8'],
  ['mintDecimals', 'u8'],
  ['_padding', bytes(3)]
]

/**
 * `state.rs::Node` after its discriminator (168 bytes). The fields from `timeAccuracySumBps` to
 * `adjustment` (with `jobsAssigned` … `heartbeatsExpected`) are the `ReputationRecord` of
 * protocols/rules/reputation.ts; `reputation` is its score.
 */
export const NODE: Layout = [
  ['owner', 'pubkey'],
  ['stake', 'u64'],
  ['registeredAt', 'i64'],
  ['lockUntil', 'i64'],
  ['lastHeartbeat', 'i64'],
  ['unstakeRequestedAt', 'i64'],
  ['suspendedUntil', 'i64'],
  ['totalEarned', 'u64'],
  ['timeAccuracySumBps', 'u64'],
  ['paidValue', 'u64'],
  ['failuresWindowStart', 'i64'],
  ['jobsAssigned', 'u32'],
  ['jobsCompleted', 'u32'],
  ['jobsFailed', 'u32'],
  ['jobsActive', 'u32'],
  ['timedJobs', 'u32'],
  ['ratingStarsSum', 'u32'],
  ['ratings', 'u32'],
  ['proofsValid', 'u32'],
  ['proofsTotal', 'u32'],
  ['heartbeatsReceived', 'u32'],
  ['heartbeatsExpected', 'u32'],
  ['failuresInWindow', 'u32'],
  ['adjustment', 'i16'],
  ['reputation', 'u16'],
  ['status', 'u8'],
  ['unstakeRequested', 'u8'],
  ['bump', 'u8'],
  ['_padding', bytes(1)]
]

/** `state.rs::Escrow` after its discriminator (792 bytes). `terms` is Config's parameter block when
 * the escrow was created: its settlement's fees, slash rates, penalties and windows (finding 15). */
export const ESCROW: Layout = [
  ['client', 'pubkey'],
  ['worker', 'pubkey'],
  ['vault', 'pubkey'],
  ['jobId', bytes(32)],
  ['specHash', bytes(32)],
  ['finalWeightsHash', bytes(32)],
  ['progressRoot', bytes(32)],
  ['vkHash', bytes(32)],
  ['dataCommitment', bytes(32)],
  ['challengeCommitment', bytes(32)],
  ['nonce', 'u64'],
  ['amount', 'u64'],
  ['estimatedSeconds', 'u64'],
  ['createdAt', 'i64'],
  ['deadline', 'i64'],
  ['completedAt', 'i64'],
  ['lastProgressAt', 'i64'],
  ['finalAnchorSlot', 'u64'],
  ['challengeSlot', 'u64'],
  ['deliveredAt', 'i64'],
  ['acceptedAt', 'i64'],
  ['challengeRefSlot', 'u64'],
  ['proofDeadline', 'i64'],
  ['epochsTotal', 'u32'],
  ['epochsDone', 'u32'],
  ['circuitId', 'u32'],
  ['challengeStep', 'u32'],
  ['epochsBase', 'u32'],
  ['state', 'u8'],
  ['bump', 'u8'],
  ['vaultBump', 'u8'],
  ['rated', 'u8'],
  ['tier', 'u8'],
  ['challenged', 'u8'],
  ['delivered', 'u8'],
  ['accepted', 'u8'],
  ['credited', 'u8'],
  ['revealed', 'u8'],
  ['handovers', 'u8'],
  ['_padding', bytes(1)],
  ['terms', defined('ConfigParams', CONFIG_PARAMS)]
]

/** `state.rs::ClientState` after its discriminator (56 bytes): the rate-limit window and the
 * client's paid history (credited jobs it rated; its ratings count from `repMinRaterPaidJobs` on). */
export const CLIENT_STATE: Layout = [
  ['client', 'pubkey'],
  ['windowStart', 'i64'],
  ['jobsInWindow', 'u32'],
  ['paidJobs', 'u32'],
  ['bump', 'u8'],
  ['_padding', bytes(7)]
]

/** `state.rs::Dispute` after its discriminator (440 bytes). */
export const DISPUTE: Layout = [
  ['escrow', 'pubkey'],
  ['client', 'pubkey'],
  ['worker', 'pubkey'],
  ['voteVault', 'pubkey'],
  ['clientEvidence', bytes(64)],
  ['workerEvidence', bytes(64)],
  ['seed', bytes(32)],
  ['openedAt', 'i64'],
  ['evidenceDeadline', 'i64'],
  ['commitDeadline', 'i64'],
  ['revealDeadline', 'i64'],
  ['resolvedAt', 'i64'],
  ['seedSlot', 'u64'],
  ['totalStaked', 'u64'],
  ['bond', 'u64'],
  ['depositsClient', 'u64'],
  ['depositsWorker', 'u64'],
  ['depositsUnavailable', 'u64'],
  ['depositsCommitted', 'u64'],
  ['locked', 'u64'],
  ['pool', 'u64'],
  ['majorityDeposits', 'u64'],
  ['committed', 'u32'],
  ['revealed', 'u32'],
  ['votesClient', 'u32'],
  ['votesWorker', 'u32'],
  ['votesUnavailable', 'u32'],
  ['openVotes', 'u32'],
  ['claimant', 'u8'],
  ['state', 'u8'],
  ['winner', 'u8'],
  ['bump', 'u8'],
  ['vaultBump', 'u8'],
  ['round', 'u8'],
  ['drawn', 'u8'],
  ['_padding', bytes(1)]
]

/** `state.rs::Vote` after its discriminator (112 bytes): one juror's vote in one round. */
export const VOTE: Layout = [
  ['dispute', 'pubkey'],
  ['juror', 'pubkey'],
  ['commitment', bytes(32)],
  ['deposit', 'u64'],
  ['side', 'u8'],
  ['bump', 'u8'],
  ['round', 'u8'],
  ['revealed', 'u8'],
  ['_padding', bytes(4)]
]

/** Most public inputs a verifying key may have, and the largest key blob (`state.rs`). */
export const VK_MAX_PUBLIC = 16
export const VK_MAX_BYTES = 452 + 64 * (VK_MAX_PUBLIC + 1)

/** `state.rs::VerifyingKey` after its discriminator: a Groth16 key blob (`circuits/onchain.ts` layout) in `data[..len]`. */
export const VERIFYING_KEY: Layout = [
  ['circuitId', 'u32'],
  ['len', 'u32'],
  ['written', 'u32'],
  ['bump', 'u8'],
  ['_padding', bytes(3)],
  ['data', bytes(VK_MAX_BYTES)]
]

/** Every account type of the program, by its Anchor name. */
export const ACCOUNTS = {
  Config: CONFIG, Node: NODE, Escrow: ESCROW, ClientState: CLIENT_STATE, Dispute: DISPUTE, Vote: VOTE, VerifyingKey: VERIFYING_KEY
} as const
export type AccountName = keyof typeof ACCOUNTS

export const NODE_STATUS = { active: 0, suspended: 1, banned: 2 } as const
export const ESCROW_STATE = {
  funded: 0, completed: 1, cancelled: 2, timedOut: 3, disputed: 4, resolvedForClient: 5, resolvedForWorker: 6, proofFailed: 7
} as const
/** The escrow's verification tier (the spec's `VerificationTier`: TIER_OPTIMISTIC = 0, TIER_ZK = 1). */
export const TIER = { optimistic: 0, zk: 1 } as const
/** The states an escrow ends in (its vault is then empty). */
export const TERMINAL_ESCROW_STATES: readonly number[] = [
  ESCROW_STATE.completed, ESCROW_STATE.cancelled, ESCROW_STATE.timedOut, ESCROW_STATE.resolvedForClient, ESCROW_STATE.resolvedForWorker,
  ESCROW_STATE.proofFailed
]
/**
 * `Dispute.winner`/`claimant`, `Vote.side`; `none` only as a winner: the last jury round ended
 * without a verdict; `unavailable` a ballot and a winner, never a claimant: the juror could not
 * fetch the evidence (docs/security.md, finding 16).
 */
export const SIDE = { client: 0, worker: 1, none: 2, unavailable: 3 } as const
/** open: evidence, then jury rounds (draw, commit, reveal; redrawn without a verdict); resolved:
 * the jury's verdict recorded, not executed; finalized: executed by `finalize_dispute`. */
export const DISPUTE_STATE = { open: 0, resolved: 1, finalized: 2 } as const

/** Instruction arguments after the 8-byte discriminator, by instruction name. */
export const ARGS = {
  initialize_config: [['params', defined('ConfigParams', CONFIG_PARAMS)]] as Layout,
  update_config: [['params', defined('ConfigParams', CONFIG_PARAMS)]] as Layout,
  register_node: [['stake', 'u64']] as Layout,
  heartbeat: [] as Layout,
  request_unstake: [] as Layout,
  withdraw_stake: [] as Layout,
  create_escrow: [
    ['nonce', 'u64'], ['jobId', bytes(32)], ['amount', 'u64'], ['specHash', bytes(32)],
    ['estimatedSeconds', 'u64'], ['timeoutSecs', 'i64'], ['epochsTotal', 'u32'], ['tier', 'u8'], ['circuitId', 'u32'],
    ['dataCommitment', bytes(32)], ['challengeCommitment', bytes(32)]
  ] as Layout,
  anchor_progress: [['epoch', 'u32'], ['merkleRoot', bytes(32)]] as Layout,
  complete: [['finalWeightsHash', bytes(32)]] as Layout,
  cancel: [] as Layout,
  timeout_refund: [] as Layout,
  rate_worker: [['stars', 'u8']] as Layout,
  close_escrow: [] as Layout,
  open_dispute: [['evidenceCid', bytes(64)]] as Layout,
  submit_evidence: [['evidenceCid', bytes(64)]] as Layout,
  commit_vote: [['commitment', bytes(32)]] as Layout,
  reveal_vote: [['side', 'u8'], ['salt', bytes(32)]] as Layout,
  draw_jury: [] as Layout,
  resolve_dispute: [] as Layout,
  withdraw_vote: [] as Layout,
  set_verifying_key: [['circuitId', 'u32'], ['totalLen', 'u32'], ['offset', 'u32'], ['chunk', vec('u8')]] as Layout,
  verify_proof: [['proof', bytes(256)], ['publicInputs', vec(bytes(32))]] as Layout,
  draw_challenge: [] as Layout,
  complete_zk: [
    ['proof', bytes(256)], ['finalWeightsHash', bytes(32)], ['finalChainHash', bytes(32)], ['finalState', bytes(32)],
    ['siblings', vec(bytes(32))]
  ] as Layout,
  slash_invalid_proof: [] as Layout,
  finalize_dispute: [] as Layout,
  close_dispute: [] as Layout,
  submit_delivery: [
    ['finalWeightsHash', bytes(32)], ['finalChainHash', bytes(32)], ['finalState', bytes(32)], ['siblings', vec(bytes(32))]
  ] as Layout,
  claim_payment: [] as Layout,
  accept_job: [] as Layout,
  reveal_challenge: [['secret', bytes(32)]] as Layout,
  propose_admin: [['newAdmin', 'pubkey']] as Layout,
  accept_admin: [] as Layout,
  set_governance: [] as Layout,
  withdraw_treasury: [['amount', 'u64']] as Layout,
  hand_over: [['verifiedEpochs', 'u32'], ['newWorker', 'pubkey']] as Layout
} as const
export type InstructionName = keyof typeof ARGS

/** Events after their 8-byte discriminator (`event.rs`). */
export const EVENTS = {
  ConfigInitialized: [['config', 'pubkey'], ['admin', 'pubkey'], ['mint', 'pubkey']] as Layout,
  NodeRegistered: [['node', 'pubkey'], ['owner', 'pubkey'], ['stake', 'u64'], ['lockUntil', 'i64']] as Layout,
  EscrowCreated: [
    ['escrow', 'pubkey'], ['client', 'pubkey'], ['worker', 'pubkey'], ['jobId', bytes(32)], ['amount', 'u64'], ['deadline', 'i64']
  ] as Layout,
  PaymentReleased: [['escrow', 'pubkey'], ['worker', 'pubkey'], ['workerAmount', 'u64'], ['platformFee', 'u64']] as Layout,
  ProgressAnchored: [['escrow', 'pubkey'], ['merkleRoot', bytes(32)], ['epoch', 'u64'], ['epochsTotal', 'u64']] as Layout,
  EscrowCancelled: [
    ['escrow', 'pubkey'], ['client', 'pubkey'], ['workerAmount', 'u64'], ['clientRefund', 'u64'], ['progressBps', 'u64']
  ] as Layout,
  EscrowHandedOver: [
    ['escrow', 'pubkey'], ['client', 'pubkey'], ['fromWorker', 'pubkey'], ['toWorker', 'pubkey'], ['workerAmount', 'u64'], ['platformFee', 'u64'],
    ['remaining', 'u64'], ['verifiedEpochs', 'u64']
  ] as Layout,
  TimeoutRefunded: [['escrow', 'pubkey'], ['client', 'pubkey'], ['amount', 'u64']] as Layout,
  StakeSlashed: [
    ['node', 'pubkey'], ['slashed', 'u64'], ['toInsurance', 'u64'], ['burned', 'u64'], ['toClient', 'u64'],
    ['toTreasury', 'u64'], ['remaining', 'u64']
  ] as Layout,
  WorkerRated: [['escrow', 'pubkey'], ['worker', 'pubkey'], ['stars', 'u64'], ['reputation', 'u64']] as Layout,
  UnstakeRequested: [['node', 'pubkey'], ['requestedAt', 'i64'], ['lockUntil', 'i64']] as Layout,
  StakeWithdrawn: [['node', 'pubkey'], ['owner', 'pubkey'], ['amount', 'u64']] as Layout,
  ConfigUpdated: [['config', 'pubkey'], ['admin', 'pubkey']] as Layout,
  DisputeOpened: [
    ['dispute', 'pubkey'], ['escrow', 'pubkey'], ['claimant', 'pubkey'], ['evidenceDeadline', 'i64'], ['commitDeadline', 'i64'], ['bond', 'u64']
  ] as Layout,
  DisputeResolved: [
    ['dispute', 'pubkey'], ['escrow', 'pubkey'], ['votesClient', 'u64'], ['votesWorker', 'u64'], ['votesUnavailable', 'u64'], ['round', 'u64'], ['winner', 'u64']
  ] as Layout,
  ChallengeDrawn: [['escrow', 'pubkey'], ['slot', 'u64'], ['step', 'u64'], ['revealed', 'u64'], ['proofDeadline', 'i64']] as Layout,
  JuryDrawn: [['dispute', 'pubkey'], ['slot', 'u64'], ['round', 'u64']] as Layout,
  DisputeRedrawn: [['dispute', 'pubkey'], ['round', 'u64'], ['revealed', 'u64'], ['commitDeadline', 'i64']] as Layout,
  VoteSettled: [['dispute', 'pubkey'], ['juror', 'pubkey'], ['deposit', 'u64'], ['returned', 'u64']] as Layout,
  DisputeFinalized: [
    ['dispute', 'pubkey'], ['escrow', 'pubkey'], ['winner', 'u64'], ['bondReturned', 'u64'], ['bondToRespondent', 'u64']
  ] as Layout,
  JobAccepted: [['escrow', 'pubkey'], ['worker', 'pubkey'], ['deadline', 'i64']] as Layout,
  ChallengeRearmed: [['escrow', 'pubkey'], ['slot', 'u64']] as Layout,
  AdminProposed: [['config', 'pubkey'], ['admin', 'pubkey'], ['proposed', 'pubkey']] as Layout,
  AdminAccepted: [['config', 'pubkey'], ['previous', 'pubkey'], ['admin', 'pubkey']] as Layout,
  GovernanceChanged: [['config', 'pubkey'], ['previous', 'pubkey'], ['governance', 'pubkey']] as Layout,
  TreasuryWithdrawn: [['vault', 'pubkey'], ['destination', 'pubkey'], ['amount', 'u64'], ['remaining', 'u64']] as Layout
} as const
export type EventName = keyof typeof EVENTS
