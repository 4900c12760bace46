/** Typed decoders of the program's accounts (discriminator checked, then Borsh). */
import type { PublicKey } from '@solana/web3.js'
import { CONFIG, CONFIG_PARAMS, ESCROW, NODE, decode, layoutSize, type Decoded } from './layout.js'
import { accountDiscriminator, sameBytes } from './discriminator.js'
import type { ConfigParams } from './params.js'

export interface ConfigAccount {
  readonly admin: PublicKey
  readonly mint: PublicKey
  readonly platformVault: PublicKey
  readonly insuranceVault: PublicKey
  readonly stakeVault: PublicKey
  readonly params: ConfigParams
  readonly totalStaked: bigint
  readonly nodeCount: bigint
  readonly escrowCount: bigint
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
  readonly jobsCompleted: number
  readonly jobsFailed: number
  readonly jobsActive: number
  readonly ratingCount: number
  readonly ratingSum: number
  readonly onTimeJobs: number
  readonly reputation: number
  readonly status: number
  readonly bump: number
}

export interface EscrowAccount {
  readonly client: PublicKey
  readonly worker: PublicKey
  readonly vault: PublicKey
  readonly jobId: Uint8Array
  readonly specHash: Uint8Array
  readonly finalWeightsHash: Uint8Array
  readonly nonce: bigint
  readonly amount: bigint
  readonly estimatedSeconds: bigint
  readonly createdAt: bigint
  readonly deadline: bigint
  readonly completedAt: bigint
  readonly state: number
  readonly bump: number
  readonly vaultBump: number
}

/** Total account sizes, discriminator included. */
export const ACCOUNT_SIZE = {
  Config: 8 + layoutSize(CONFIG),
  Node: 8 + layoutSize(NODE),
  Escrow: 8 + layoutSize(ESCROW)
} as const

function body (name: keyof typeof ACCOUNT_SIZE, data: Uint8Array): Uint8Array {
  if (data.length !== ACCOUNT_SIZE[name]) throw new Error(`${name}: ${data.length} bytes, want ${ACCOUNT_SIZE[name]}`)
  if (!sameBytes(data.subarray(0, 8), accountDiscriminator(name))) throw new Error(`${name}: wrong discriminator`)
  return data
}

function strip (d: Decoded): Decoded {
  const out: Decoded = {}
  for (const [k, v] of Object.entries(d)) if (!k.startsWith('_')) out[k] = v
  return out
}

export function decodeConfigParams (bytes: Uint8Array): ConfigParams {
  return strip(decode(CONFIG_PARAMS, bytes)) as unknown as ConfigParams
}

export function decodeConfig (data: Uint8Array): ConfigAccount {
  const d = strip(decode(CONFIG, body('Config', data), 8))
  return { ...d, params: decodeConfigParams(d.params as Uint8Array) } as unknown as ConfigAccount
}

export function decodeNode (data: Uint8Array): NodeAccount {
  return strip(decode(NODE, body('Node', data), 8)) as unknown as NodeAccount
}

export function decodeEscrow (data: Uint8Array): EscrowAccount {
  return strip(decode(ESCROW, body('Escrow', data), 8)) as unknown as EscrowAccount
}
