/**
 * The program's instructions, declared once as data (`INSTRUCTION_ACCOUNTS`: each account's name,
 * writability and signer flag, in order; arguments in `layout.ts` `ARGS`), and builders
 * (`@solana/web3.js` v1) on top of that table. The Anchor IDL is generated from the same table
 * (`idl.ts`). Every account the program derives is derived here too; any of them can be
 * overridden (the tests pass wrong ones on purpose).
 */
import { PublicKey, SYSVAR_SLOT_HASHES_PUBKEY, SystemProgram, TransactionInstruction, type AccountMeta } from '@solana/web3.js'
import { TOKEN_PROGRAM_ID } from '@solana/spl-token'
import { ARGS, TIER, encode, type InstructionName } from './layout.js'
import { instructionDiscriminator } from './discriminator.js'
import { programIdFromEnv } from './program-id.js'
import { clientStatePda, configPda, disputePda, escrowPda, escrowVaultPda, nodePda, programDataPda, vaultPda, verifyingKeyPda, votePda, voteVaultPda } from './pda.js'
import type { ConfigParams } from './params.js'

/**
 * The program this process talks to, the default of every builder's `programId`: `CYX_PROGRAM_ID`
 * when set, else the address `cyx chain` and the tests load the program at (program-id.ts).
 */
export const CYXWIZ_PROGRAM_ID = programIdFromEnv(process.env)

/**
 * '' read-only, 'w' writable, 's' signer, 'ws' writable signer; 'o' an optional read-only account
 * (last in its list): left out of the instruction when not given (the IDL marks it `optional`).
 */
export type AccountFlags = '' | 'w' | 's' | 'ws' | 'o'
export type AccountList = readonly (readonly [name: string, flags: AccountFlags])[]

/** Fixed program addresses the builders fill in. */
export const FIXED_ADDRESSES: Readonly<Record<string, PublicKey>> = {
  systemProgram: SystemProgram.programId,
  tokenProgram: TOKEN_PROGRAM_ID,
  slotHashes: SYSVAR_SLOT_HASHES_PUBKEY
}

/** Each instruction's accounts, in the order the program reads them (see the ix/*.rs headers). */
export const INSTRUCTION_ACCOUNTS: Readonly<Record<InstructionName, AccountList>> = {
  initialize_config: [['admin', 'ws'], ['config', 'w'], ['mint', ''], ['platformVault', 'w'], ['insuranceVault', 'w'], ['stakeVault', 'w'], ['systemProgram', ''], ['tokenProgram', ''], ['programData', '']],
  update_config: [['admin', 's'], ['config', 'w']],
  register_node: [['owner', 'ws'], ['config', 'w'], ['node', 'w'], ['ownerToken', 'w'], ['stakeVault', 'w'], ['systemProgram', ''], ['tokenProgram', '']],
  heartbeat: [['owner', 's'], ['config', ''], ['node', 'w']],
  request_unstake: [['owner', 's'], ['node', 'w']],
  withdraw_stake: [['owner', 's'], ['config', 'w'], ['node', 'w'], ['ownerToken', 'w'], ['stakeVault', 'w'], ['tokenProgram', '']],
  create_escrow: [['client', 'ws'], ['config', 'w'], ['workerNode', 'w'], ['escrow', 'w'], ['escrowVault', 'w'], ['clientToken', 'w'], ['mint', ''], ['clientState', 'w'], ['systemProgram', ''], ['tokenProgram', ''], ['verifyingKey', 'o']],
  anchor_progress: [['worker', 's'], ['escrow', 'w']],
  complete: [['client', 's'], ['config', ''], ['escrow', 'w'], ['escrowVault', 'w'], ['workerNode', 'w'], ['workerToken', 'w'], ['platformVault', 'w'], ['tokenProgram', '']],
  cancel: [['client', 's'], ['config', ''], ['escrow', 'w'], ['escrowVault', 'w'], ['workerNode', 'w'], ['workerToken', 'w'], ['clientToken', 'w'], ['tokenProgram', ''], ['platformVault', 'w']],
  timeout_refund: [['config', 'w'], ['escrow', 'w'], ['escrowVault', 'w'], ['clientToken', 'w'], ['workerNode', 'w'], ['stakeVault', 'w'], ['insuranceVault', 'w'], ['mint', 'w'], ['tokenProgram', '']],
  rate_worker: [['client', 's'], ['config', ''], ['escrow', 'w'], ['workerNode', 'w'], ['clientState', 'w']],
  close_escrow: [['client', 'ws'], ['config', ''], ['escrow', 'w'], ['escrowVault', 'w'], ['tokenProgram', ''], ['platformVault', 'w']],
  open_dispute: [['claimant', 'ws'], ['config', ''], ['escrow', 'w'], ['dispute', 'w'], ['voteVault', 'w'], ['mint', ''], ['systemProgram', ''], ['tokenProgram', ''], ['claimantToken', 'w']],
  submit_evidence: [['party', 's'], ['dispute', 'w']],
  commit_vote: [['juror', 'ws'], ['config', 'w'], ['dispute', 'w'], ['jurorNode', 'w'], ['vote', 'w'], ['stakeVault', 'w'], ['voteVault', 'w'], ['systemProgram', ''], ['tokenProgram', '']],
  reveal_vote: [['juror', 's'], ['dispute', 'w'], ['vote', 'w']],
  draw_jury: [['dispute', 'w'], ['slotHashes', '']],
  resolve_dispute: [['config', ''], ['dispute', 'w']],
  withdraw_vote: [['juror', 'w'], ['config', 'w'], ['dispute', 'w'], ['jurorNode', 'w'], ['vote', 'w'], ['stakeVault', 'w'], ['voteVault', 'w'], ['tokenProgram', '']],
  set_verifying_key: [['admin', 'ws'], ['config', ''], ['verifyingKey', 'w'], ['systemProgram', '']],
  verify_proof: [['verifyingKey', '']],
  draw_challenge: [['escrow', 'w'], ['slotHashes', ''], ['config', '']],
  complete_zk: [
    ['worker', 's'], ['config', 'w'], ['escrow', 'w'], ['escrowVault', 'w'], ['workerNode', 'w'], ['workerToken', 'w'], ['platformVault', 'w'],
    ['verifyingKey', ''], ['clientToken', 'w'], ['stakeVault', 'w'], ['insuranceVault', 'w'], ['mint', 'w'], ['tokenProgram', '']
  ],
  slash_invalid_proof: [['config', 'w'], ['escrow', 'w'], ['escrowVault', 'w'], ['clientToken', 'w'], ['workerNode', 'w'], ['stakeVault', 'w'], ['insuranceVault', 'w'], ['mint', 'w'], ['tokenProgram', '']],
  finalize_dispute: [['config', 'w'], ['dispute', 'w'], ['escrow', 'w'], ['escrowVault', 'w'], ['workerNode', 'w'], ['clientToken', 'w'], ['workerToken', 'w'], ['platformVault', 'w'], ['stakeVault', 'w'], ['voteVault', 'w'], ['insuranceVault', 'w'], ['mint', 'w'], ['tokenProgram', '']],
  close_dispute: [['claimant', 'w'], ['config', ''], ['dispute', 'w'], ['voteVault', 'w'], ['tokenProgram', ''], ['platformVault', 'w']],
  submit_delivery: [['worker', 's'], ['escrow', 'w']],
  claim_payment: [['worker', 's'], ['config', ''], ['escrow', 'w'], ['escrowVault', 'w'], ['workerNode', 'w'], ['workerToken', 'w'], ['platformVault', 'w'], ['tokenProgram', '']],
  accept_job: [['worker', 's'], ['config', ''], ['workerNode', 'w'], ['escrow', 'w']],
  reveal_challenge: [['escrow', 'w'], ['slotHashes', ''], ['config', '']],
  propose_admin: [['admin', 's'], ['config', 'w']],
  accept_admin: [['newAdmin', 's'], ['config', 'w']],
  set_governance: [['governance', 's'], ['newGovernance', 's'], ['config', 'w']],
  withdraw_treasury: [['governance', 's'], ['config', ''], ['vault', 'w'], ['destination', 'w'], ['tokenProgram', '']],
  hand_over: [
    ['client', 's'], ['config', 'w'], ['escrow', 'w'], ['escrowVault', 'w'], ['workerNode', 'w'], ['workerToken', 'w'], ['platformVault', 'w'],
    ['newWorkerNode', ''], ['stakeVault', 'w'], ['insuranceVault', 'w'], ['mint', 'w'], ['tokenProgram', '']
  ]
}

/**
 * Builds instruction `name` from named accounts (fixed program addresses filled in) and
 * arguments encoded with `ARGS[name]`. Throws if an account is missing (an optional one, flag
 * 'o', is left out).
 */
export function buildInstruction (name: InstructionName, accounts: Readonly<Record<string, PublicKey | undefined>>, args: Readonly<Record<string, unknown>> = {}, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  const keys: AccountMeta[] = []
  for (const [account, flags] of INSTRUCTION_ACCOUNTS[name]) {
    const pubkey = accounts[account] ?? FIXED_ADDRESSES[account]
    if (pubkey === undefined) {
      if (flags === 'o') continue
      throw new Error(`${name}: account ${account} missing`)
    }
    keys.push({ pubkey, isSigner: flags.includes('s'), isWritable: flags.includes('w') })
  }
  const body = encode(ARGS[name], args)
  const data = new Uint8Array(8 + body.length)
  data.set(instructionDiscriminator(name), 0)
  data.set(body, 8)
  return new TransactionInstruction({ programId, keys, data: Buffer.from(data) })
}

const config = (pid: PublicKey): PublicKey => configPda(pid).address

/** An evidence CID as the 64 zero-padded bytes the program stores. */
export function cidBytes (cid: string): Uint8Array {
  const b = new TextEncoder().encode(cid)
  if (b.length > 64) throw new RangeError(`CID longer than 64 bytes: ${cid}`)
  const out = new Uint8Array(64)
  out.set(b)
  return out
}

export interface InitializeConfigAccounts {
  readonly admin: PublicKey
  readonly mint: PublicKey
  readonly config?: PublicKey
  readonly platformVault?: PublicKey
  readonly insuranceVault?: PublicKey
  readonly stakeVault?: PublicKey
  /** The program's ProgramData (default: the loader's PDA of the program id); its upgrade authority must be `admin`. */
  readonly programData?: PublicKey
}

export function initializeConfig (a: InitializeConfigAccounts, params: ConfigParams, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('initialize_config', {
    config: config(programId),
    programData: programDataPda(programId).address,
    platformVault: vaultPda(programId, 'platform').address,
    insuranceVault: vaultPda(programId, 'insurance').address,
    stakeVault: vaultPda(programId, 'stake').address,
    ...a
  }, { params }, programId)
}

/** Replaces Config's parameter block (admin only). Escrows already created keep theirs (`Escrow.terms`). */
export function updateConfig (a: { admin: PublicKey, config?: PublicKey }, params: ConfigParams, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('update_config', { config: config(programId), ...a }, { params }, programId)
}

/** First step of the admin handover: the admin names `newAdmin` (the zero key withdraws a proposal). */
export function proposeAdmin (a: { admin: PublicKey, config?: PublicKey }, newAdmin: PublicKey, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('propose_admin', { config: config(programId), ...a }, { newAdmin }, programId)
}

/** Second step: the proposed key signs and becomes the admin. */
export function acceptAdmin (a: { newAdmin: PublicKey, config?: PublicKey }, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('accept_admin', { config: config(programId), ...a }, {}, programId)
}

/** Moves the treasury key; both the current and the new governance key sign. */
export function setGovernance (a: { governance: PublicKey, newGovernance: PublicKey, config?: PublicKey }, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('set_governance', { config: config(programId), ...a }, {}, programId)
}

export interface WithdrawTreasuryAccounts {
  readonly governance: PublicKey
  /** A CYXWIZ token account owned by `governance`. */
  readonly destination: PublicKey
  /** Which treasury vault (its PDA is derived), unless `vault` is given. */
  readonly from?: 'platform' | 'insurance'
  readonly vault?: PublicKey
  readonly config?: PublicKey
}

/** Governance takes `amount` base units out of the platform (default) or insurance vault. */
export function withdrawTreasury (a: WithdrawTreasuryAccounts, amount: bigint, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  const { from = 'platform', ...accounts } = a
  return buildInstruction('withdraw_treasury', { config: config(programId), vault: vaultPda(programId, from).address, ...accounts }, { amount }, programId)
}

export interface RegisterNodeAccounts {
  readonly owner: PublicKey
  readonly ownerToken: PublicKey
  readonly config?: PublicKey
  readonly node?: PublicKey
  readonly stakeVault?: PublicKey
}

export function registerNode (a: RegisterNodeAccounts, stake: bigint, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('register_node', {
    config: config(programId), node: nodePda(programId, a.owner).address, stakeVault: vaultPda(programId, 'stake').address, ...a
  }, { stake }, programId)
}

export interface NodeOwnerAccounts {
  readonly owner: PublicKey
  readonly config?: PublicKey
  readonly node?: PublicKey
}

export function heartbeat (a: NodeOwnerAccounts, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('heartbeat', { config: config(programId), node: nodePda(programId, a.owner).address, ...a }, {}, programId)
}

export function requestUnstake (a: NodeOwnerAccounts, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('request_unstake', { node: nodePda(programId, a.owner).address, ...a }, {}, programId)
}

export function withdrawStake (a: RegisterNodeAccounts, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('withdraw_stake', {
    config: config(programId), node: nodePda(programId, a.owner).address, stakeVault: vaultPda(programId, 'stake').address, ...a
  }, {}, programId)
}

export interface CreateEscrowAccounts {
  readonly client: PublicKey
  readonly clientToken: PublicKey
  readonly mint: PublicKey
  /** The worker's wallet; its Node PDA is derived unless `workerNode` is given. */
  readonly worker: PublicKey
  readonly workerNode?: PublicKey
  readonly config?: PublicKey
  readonly escrow?: PublicKey
  readonly escrowVault?: PublicKey
  readonly clientState?: PublicKey
  /** zk tier: the key account the escrow pins; derived from `args.circuitId` unless given. */
  readonly verifyingKey?: PublicKey
}

export interface CreateEscrowArgs {
  readonly nonce: bigint
  readonly jobId: Uint8Array
  readonly amount: bigint
  readonly specHash: Uint8Array
  readonly estimatedSeconds: bigint
  readonly timeoutSecs: bigint
  /** Epochs in the job's spec: `anchor_progress` counts towards it. Default 1 (progress is then
   * all or nothing; callers written before progress anchoring keep working). */
  readonly epochsTotal?: number
  /** The spec's verification tier (`TIER`); default optimistic (settled by the client's `complete`). */
  readonly tier?: number
  /** zk tier: the circuit whose verifying key (`["vk", circuitId]`) checks the step proof; the escrow
   * pins that key's SHA-256 at creation (it must be set). Default 0. */
  readonly circuitId?: number
  /** zk tier (required there, refused otherwise): the dataset commitment the step proof's public
   * input `data` must equal — the Poseidon root of the job's batch commitments, a canonical BN254
   * scalar-field element, 32 bytes big-endian. The program refuses zero or a value ≥ r
   * (`InvalidDataCommitment`); it is encoded as given. Optimistic escrows send 32 zero bytes. */
  readonly dataCommitment?: Uint8Array
  /** zk tier (required there, refused otherwise): SHA-256 of a fresh 32-byte secret the client keeps
   * (`challengeCommitment(secret)`) and reveals after the final anchor (`revealChallenge`), which
   * draws the challenged step. The program refuses zero (`InvalidChallengeCommitment`). Optimistic
   * escrows send 32 zero bytes. */
  readonly challengeCommitment?: Uint8Array
}

/** `create_escrow`; for the zk tier the key account `["vk", circuitId]` is passed (derived here) and
 * pinned, and `dataCommitment` and `challengeCommitment` are required (a RangeError without them, or
 * with them on another tier). */
export function createEscrow (a: CreateEscrowAccounts, args: CreateEscrowArgs, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  const escrow = a.escrow ?? escrowPda(programId, a.client, args.nonce).address
  const tier = args.tier ?? TIER.optimistic
  const circuitId = args.circuitId ?? 0
  if (tier === TIER.zk) {
    if (args.dataCommitment === undefined) throw new RangeError('create_escrow: a zk escrow needs a dataCommitment (32 bytes)')
    if (args.dataCommitment.length !== 32) throw new RangeError(`create_escrow: dataCommitment must be 32 bytes, not ${args.dataCommitment.length}`)
    if (args.challengeCommitment === undefined) throw new RangeError('create_escrow: a zk escrow needs a challengeCommitment (SHA-256 of the client\'s secret)')
    if (args.challengeCommitment.length !== 32) throw new RangeError(`create_escrow: challengeCommitment must be 32 bytes, not ${args.challengeCommitment.length}`)
  } else if (args.dataCommitment !== undefined) {
    throw new RangeError('create_escrow: only a zk escrow carries a dataCommitment')
  } else if (args.challengeCommitment !== undefined) {
    throw new RangeError('create_escrow: only a zk escrow carries a challengeCommitment')
  }
  const dataCommitment = args.dataCommitment ?? new Uint8Array(32)
  const challengeCommitment = args.challengeCommitment ?? new Uint8Array(32)
  return buildInstruction('create_escrow', {
    config: config(programId),
    workerNode: nodePda(programId, a.worker).address,
    escrowVault: escrowVaultPda(programId, escrow).address,
    clientState: clientStatePda(programId, a.client).address,
    ...(tier === TIER.zk ? { verifyingKey: verifyingKeyPda(programId, circuitId).address } : {}),
    ...a,
    escrow
  }, { ...args, epochsTotal: args.epochsTotal ?? 1, tier, circuitId, dataCommitment, challengeCommitment }, programId)
}

export function anchorProgress (a: { worker: PublicKey, escrow: PublicKey }, epoch: number, merkleRoot: Uint8Array, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('anchor_progress', a, { epoch, merkleRoot }, programId)
}

/** Accounts of the instructions that settle an escrow between its client and worker. */
export interface SettleAccounts {
  readonly client: PublicKey
  readonly escrow: PublicKey
  readonly worker: PublicKey
  readonly workerToken: PublicKey
  readonly workerNode?: PublicKey
  readonly escrowVault?: PublicKey
  readonly config?: PublicKey
  readonly platformVault?: PublicKey
}
export type CompleteAccounts = SettleAccounts

function settleDefaults (a: { escrow: PublicKey, worker: PublicKey }, programId: PublicKey): Record<string, PublicKey> {
  return {
    config: config(programId),
    escrowVault: escrowVaultPda(programId, a.escrow).address,
    workerNode: nodePda(programId, a.worker).address,
    platformVault: vaultPda(programId, 'platform').address,
    stakeVault: vaultPda(programId, 'stake').address,
    insuranceVault: vaultPda(programId, 'insurance').address
  }
}

export function complete (a: CompleteAccounts, finalWeightsHash: Uint8Array, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('complete', { ...settleDefaults(a, programId), ...a }, { finalWeightsHash }, programId)
}

export function cancel (a: SettleAccounts & { clientToken: PublicKey }, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('cancel', { ...settleDefaults(a, programId), ...a }, {}, programId)
}

export interface TimeoutRefundAccounts {
  readonly escrow: PublicKey
  readonly worker: PublicKey
  readonly clientToken: PublicKey
  readonly mint: PublicKey
  readonly workerNode?: PublicKey
  readonly escrowVault?: PublicKey
  readonly config?: PublicKey
  readonly stakeVault?: PublicKey
  readonly insuranceVault?: PublicKey
}

export function timeoutRefund (a: TimeoutRefundAccounts, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('timeout_refund', { ...settleDefaults(a, programId), ...a }, {}, programId)
}

/** `rate_worker`: counts only on a credited job and from a client with a paid history (its `ClientState`, derived). */
export function rateWorker (a: { client: PublicKey, escrow: PublicKey, worker: PublicKey, workerNode?: PublicKey, config?: PublicKey, clientState?: PublicKey }, stars: number, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('rate_worker', { ...settleDefaults(a, programId), clientState: clientStatePda(programId, a.client).address, ...a }, { stars }, programId)
}

/** `close_escrow`: a token balance left in the vault of a finished escrow (sent there after it was paid out) is swept to the platform vault first. */
export function closeEscrow (a: { client: PublicKey, escrow: PublicKey, escrowVault?: PublicKey, config?: PublicKey, platformVault?: PublicKey }, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('close_escrow', {
    config: config(programId), escrowVault: escrowVaultPda(programId, a.escrow).address, platformVault: vaultPda(programId, 'platform').address, ...a
  }, {}, programId)
}

/**
 * `accept_job`: the escrow's named worker accepts the offer (it checked the amount against its bid
 * and the timeout against its estimate). The deadline restarts from now with the escrow's timeout;
 * only an accepted escrow can be worked on, disputed, timed out or slashed.
 */
export function acceptJob (a: { worker: PublicKey, escrow: PublicKey, workerNode?: PublicKey, config?: PublicKey }, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('accept_job', { config: config(programId), workerNode: nodePda(programId, a.worker).address, ...a }, {}, programId)
}

export interface HandOverAccounts {
  /** The escrow's client (signer). */
  readonly client: PublicKey
  readonly escrow: PublicKey
  /** The stalled worker the escrow names now (its node is derived). */
  readonly worker: PublicKey
  /** The stalled worker's CYXWIZ account: its pay for the verified epochs goes there. */
  readonly workerToken: PublicKey
  readonly mint: PublicKey
  readonly workerNode?: PublicKey
  /** The new worker's node (default: derived from the `newWorker` argument). */
  readonly newWorkerNode?: PublicKey
  readonly escrowVault?: PublicKey
  readonly config?: PublicKey
  readonly platformVault?: PublicKey
  readonly stakeVault?: PublicKey
  readonly insuranceVault?: PublicKey
}

/**
 * `hand_over`: the client moves an accepted, undelivered optimistic escrow whose worker stalled
 * (no progress for longer than the no-progress timeout) to `newWorker`, paying the stalled worker
 * for `verifiedEpochs` as `handOverSplit` says and slashing it as for a timeout; the escrow is then
 * an offer to `newWorker` for what is left, from `verifiedEpochs` on.
 */
export function handOver (a: HandOverAccounts, verifiedEpochs: number, newWorker: PublicKey, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('hand_over', { ...settleDefaults(a, programId), newWorkerNode: nodePda(programId, newWorker).address, ...a }, { verifiedEpochs, newWorker }, programId)
}

export interface OpenDisputeAccounts {
  readonly claimant: PublicKey
  /** The claimant's CYXWIZ account: `dispute_bond` is locked from it in the dispute's vault. */
  readonly claimantToken: PublicKey
  readonly escrow: PublicKey
  readonly mint: PublicKey
  readonly config?: PublicKey
  readonly dispute?: PublicKey
  readonly voteVault?: PublicKey
}

/**
 * `open_dispute`: a party of an accepted escrow disputes it, citing its evidence CID, and locks the
 * Config's `disputeBond` from `claimantToken` (back to it if it wins, to the respondent if it loses).
 */
export function openDispute (a: OpenDisputeAccounts, evidenceCid: string, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  const dispute = a.dispute ?? disputePda(programId, a.escrow).address
  return buildInstruction('open_dispute', {
    config: config(programId), voteVault: voteVaultPda(programId, dispute).address, ...a, dispute
  }, { evidenceCid: cidBytes(evidenceCid) }, programId)
}

export function submitEvidence (a: { party: PublicKey, dispute: PublicKey }, evidenceCid: string, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('submit_evidence', a, { evidenceCid: cidBytes(evidenceCid) }, programId)
}

export interface JurorAccounts {
  /** The drawn node's owner. */
  readonly juror: PublicKey
  readonly dispute: PublicKey
  /** The dispute's current round (the `Vote` PDA is per round). */
  readonly round: number
  readonly config?: PublicKey
  readonly jurorNode?: PublicKey
  readonly vote?: PublicKey
  readonly stakeVault?: PublicKey
  readonly voteVault?: PublicKey
}

function jurorDefaults (a: JurorAccounts, programId: PublicKey): Record<string, PublicKey> {
  return {
    config: config(programId),
    jurorNode: nodePda(programId, a.juror).address,
    vote: votePda(programId, a.dispute, a.juror, a.round).address,
    stakeVault: vaultPda(programId, 'stake').address,
    voteVault: voteVaultPda(programId, a.dispute).address
  }
}

const jurorAccounts = (a: JurorAccounts, programId: PublicKey): Record<string, PublicKey> => {
  const { round: _round, ...rest } = a
  return { ...jurorDefaults(a, programId), ...rest }
}

/** `draw_jury` (anyone): fixes the dispute's current round seed from a slot hash (or re-arms an expired seed slot). */
export function drawJury (a: { readonly dispute: PublicKey }, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('draw_jury', { ...a }, {}, programId)
}

/**
 * `commit_vote`: a node drawn for the round commits `commitment` = SHA-256(side ‖ salt ‖ dispute ‖
 * juror) (`voteCommitment`) and deposits `DISPUTE.jurorRiskBps` of its stake.
 */
export function commitVote (a: JurorAccounts, commitment: Uint8Array, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('commit_vote', jurorAccounts(a, programId), { commitment }, programId)
}

/** `reveal_vote`: the juror opens its commitment within the reveal window; `side` 0 client, 1 worker, 3 unavailable (`SIDE`). */
export function revealVote (a: JurorAccounts, side: number, salt: Uint8Array, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  const all = jurorAccounts(a, programId)
  return buildInstruction('reveal_vote', { juror: a.juror, dispute: a.dispute, vote: all.vote as PublicKey }, { side, salt }, programId)
}

/** `withdraw_vote` (anyone): settles a juror's vote of a finished round back into its stake; the `Vote`'s rent goes to the juror. */
export function withdrawVote (a: JurorAccounts, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('withdraw_vote', jurorAccounts(a, programId), {}, programId)
}

export interface ResolveDisputeAccounts {
  readonly escrow: PublicKey
  readonly worker: PublicKey
  readonly clientToken: PublicKey
  readonly workerToken: PublicKey
  readonly mint: PublicKey
  readonly dispute?: PublicKey
  readonly workerNode?: PublicKey
  readonly escrowVault?: PublicKey
  readonly config?: PublicKey
  readonly platformVault?: PublicKey
  readonly stakeVault?: PublicKey
}

/**
 * `resolve_dispute` (anyone): once the round's reveal window has closed, records the jury's
 * verdict (≥ `minJurors` reveals and a strict majority; no token moves, `finalizeDispute` executes
 * it) or redraws the round with twice the jury. Needs only `escrow` (or `dispute`); it still
 * accepts the full `ResolveDisputeAccounts` of `finalizeDispute`.
 */
export function resolveDispute (a: Partial<ResolveDisputeAccounts> & { readonly escrow: PublicKey }, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('resolve_dispute', {
    config: config(programId), dispute: disputePda(programId, a.escrow).address,
    ...(a.dispute !== undefined ? { dispute: a.dispute } : {}), ...(a.config !== undefined ? { config: a.config } : {})
  }, {}, programId)
}

export type FinalizeDisputeAccounts = ResolveDisputeAccounts & { readonly voteVault?: PublicKey, readonly insuranceVault?: PublicKey }

/**
 * `finalize_dispute` (anyone): executes the jury's recorded verdict (refund and slash, or payment)
 * and pays the claimant's bond to the winner. `mint` (Config's): an unavailable verdict slashes
 * the worker as `timeout_refund` does, burning part of it.
 */
export function finalizeDispute (a: FinalizeDisputeAccounts, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  const dispute = a.dispute ?? disputePda(programId, a.escrow).address
  return buildInstruction('finalize_dispute', {
    ...settleDefaults(a, programId), voteVault: voteVaultPda(programId, dispute).address, ...a, dispute
  }, {}, programId)
}

/** `close_dispute` (anyone): a finalized dispute with every vote withdrawn is closed (tokens sent to its vote vault directly are swept to the platform vault); its and its vault's rent go to `claimant`. */
export function closeDispute (a: { readonly claimant: PublicKey, readonly dispute: PublicKey, readonly config?: PublicKey, readonly voteVault?: PublicKey, readonly platformVault?: PublicKey }, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('close_dispute', {
    config: config(programId), voteVault: voteVaultPda(programId, a.dispute).address, platformVault: vaultPda(programId, 'platform').address, ...a
  }, {}, programId)
}

/**
 * `submit_delivery`: the worker of an optimistic escrow, whose root `anchorProgress` anchored at
 * the final epoch, delivers: the program checks with `sol_poseidon` that the final checkpoint
 * (H_N, S_N) is the last leaf of that root; the challenge window starts. `finalChainHash` is H_N
 * (32 bytes); `finalState` S_N, a field element, 32 bytes big-endian (a float checkpoint's is
 * `fieldToBytes(digestCommitment(stateHash))`); `siblings` the left siblings of the last leaf,
 * leaves first (`lastLeafSiblings`), 32 bytes each, concatenated: as `completeZk`.
 */
export function submitDelivery (a: { worker: PublicKey, escrow: PublicKey }, args: { finalWeightsHash: Uint8Array, finalChainHash: Uint8Array, finalState: Uint8Array, siblings: Uint8Array }, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('submit_delivery', { worker: a.worker, escrow: a.escrow }, { ...args }, programId)
}

/** `claim_payment`: the worker of a delivered optimistic escrow is paid once the challenge window passed with no dispute. */
export function claimPayment (a: Omit<SettleAccounts, 'client'>, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('claim_payment', { ...settleDefaults(a, programId), ...a }, {}, programId)
}

/** Largest key chunk that fits one transaction next to the other accounts and arguments. */
export const VERIFYING_KEY_CHUNK = 800

/**
 * `set_verifying_key` instructions writing the key blob `key` (`toOnChainVerifyingKey`) into
 * `["vk", circuitId]`, in order, `chunk` bytes each; send them in order (one per transaction).
 */
export function setVerifyingKey (a: { admin: PublicKey, config?: PublicKey, verifyingKey?: PublicKey }, circuitId: number, key: Uint8Array, chunk = VERIFYING_KEY_CHUNK, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction[] {
  const out: TransactionInstruction[] = []
  for (let offset = 0; offset < key.length; offset += chunk) {
    out.push(buildInstruction('set_verifying_key', {
      config: config(programId), verifyingKey: verifyingKeyPda(programId, circuitId).address, ...a
    }, { circuitId, totalLen: key.length, offset, chunk: key.subarray(offset, offset + chunk) }, programId))
  }
  return out
}

/** `verify_proof`: succeeds iff `proof` (256 bytes, `toOnChainProof`) verifies for `publicInputs` (32 bytes each). */
export function verifyProof (verifyingKey: PublicKey, proof: Uint8Array, publicInputs: Uint8Array, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('verify_proof', { verifyingKey }, { proof, publicInputs }, programId)
}

/**
 * `draw_challenge`: the fallback draw of a zk escrow's challenged step from the SlotHashes sysvar alone
 * (anyone may send it), once the client's reveal window after the final anchor has passed
 * (`RevealWindowOpen` before). When SlotHashes no longer reaches the escrow's reference slot it
 * succeeds without drawing and re-arms from the current slot (event `ChallengeRearmed`): send it
 * again in a later slot.
 */
export function drawChallenge (escrow: PublicKey, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('draw_challenge', { escrow, config: config(programId) }, {}, programId)
}

/**
 * `reveal_challenge`: reveals the secret whose SHA-256 the zk escrow's client committed to at
 * `create_escrow`, once the final root is anchored; draws the challenged step from it and a slot hash
 * at once (`revealedChallengeStep`). Anyone holding the secret may send it.
 */
export function revealChallenge (escrow: PublicKey, secret: Uint8Array, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  if (secret.length !== 32) throw new RangeError(`reveal_challenge: the secret is 32 bytes, not ${secret.length}`)
  return buildInstruction('reveal_challenge', { escrow, config: config(programId) }, { secret }, programId)
}

export interface CompleteZkAccounts {
  readonly worker: PublicKey
  readonly escrow: PublicKey
  readonly workerToken: PublicKey
  /** The client's token account (refunded when the proof fails) and the CYXWIZ mint (part of a slash is burned). */
  readonly clientToken: PublicKey
  readonly mint: PublicKey
  /** The circuit of the escrow (its `circuitId`): the key account is derived from it. */
  readonly circuitId: number
  readonly verifyingKey?: PublicKey
  readonly workerNode?: PublicKey
  readonly escrowVault?: PublicKey
  readonly config?: PublicKey
  readonly platformVault?: PublicKey
  readonly stakeVault?: PublicKey
  readonly insuranceVault?: PublicKey
}

export interface CompleteZkArgs {
  /** The step proof, 256 bytes (`toOnChainProof`). */
  readonly proof: Uint8Array
  readonly finalWeightsHash: Uint8Array
  /** H_N, the final checkpoint-chain hash, and S_N, the final state commitment (32 bytes each). */
  readonly finalChainHash: Uint8Array
  readonly finalState: Uint8Array
  /** Left siblings of the last leaf, leaves first (`lastLeafSiblings`), 32 bytes each, concatenated. */
  readonly siblings: Uint8Array
}

/**
 * `complete_zk`: the worker of a zk escrow settles it with the challenged step's proof: paid when
 * it verifies; when it does not (and the final leaf's inclusion holds), the transaction succeeds
 * and records the failure at once, as `slash_invalid_proof` would (client refunded, stake slashed).
 */
export function completeZk (a: CompleteZkAccounts, args: CompleteZkArgs, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  const { circuitId, ...accounts } = a
  return buildInstruction('complete_zk', {
    ...settleDefaults(a, programId), verifyingKey: verifyingKeyPda(programId, circuitId).address, ...accounts
  }, { ...args }, programId)
}

/** `slash_invalid_proof`: after the proof deadline of a zk escrow whose challenge was drawn, without a valid proof (anyone may send it). */
export function slashInvalidProof (a: TimeoutRefundAccounts, programId = CYXWIZ_PROGRAM_ID): TransactionInstruction {
  return buildInstruction('slash_invalid_proof', { ...settleDefaults(a, programId), ...a }, {}, programId)
}
