/**
 * Test doubles for the roles' step components: plain objects standing in for the mesh, the chain
 * and the stores, so that one step can be run alone, fast, with no ledger and no libp2p node.
 * Every double here is named `…Double` or built by a `double…` function.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Keypair, PublicKey } from '@solana/web3.js'
import type { EscrowAccount, NodeAccount } from '../../../chain/index.js'
import { NODE_STATUS, ESCROW_STATE, TIER, configParamsFromProtocol } from '../../../chain/index.js'
import { UNITS_PER_TOKEN, wire } from '../../../protocols/index.js'
import type { WorkerProfile } from '../../../peer/policy/index.js'

export const T = UNITS_PER_TOKEN

/** A real libp2p peer id (an Ed25519 key): the doubles only stand in for what the peer does. */
export async function peerId (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

export const wallet = (): PublicKey => Keypair.generate().publicKey

export function spec (over: Partial<wire.TrainingSpec> = {}): wire.TrainingSpec {
  return {
    layers: [2, 32, 3], mode: wire.NumericMode.FLOAT32, fracBits: 0, datasetId: 'spirals', datasetHash: new Uint8Array(32).fill(1),
    datasetBytes: 200_000n, epochs: 3, batchSize: 32, learningRateMicros: 50_000, momentumMicros: 900_000, seed: 1n,
    tier: wire.VerificationTier.TIER_OPTIMISTIC, stepsPerSegment: 0, backend: wire.FloatBackend.BACKEND_NATIVE, ...over
  }
}

export const profile = (over: Partial<WorkerProfile> = {}): WorkerProfile => ({
  compute: 'cpu', ramGb: 1, vramGb: 0, pricePerHour: 60n * T, datasets: ['spirals', 'mnist'], maxDatasetBytes: 1 << 20,
  stake: 50n * T, reputation: 0, speedBps: 10_000, capacity: 1, maxBatchMemoryBytes: 1 << 29, ...over
})

/** A Node account as the chain would hold it for an active, staked worker. */
export function nodeAccountDouble (over: Partial<NodeAccount> = {}): NodeAccount {
  return {
    owner: wallet(), stake: 50n * T, registeredAt: 0n, lockUntil: 0n, lastHeartbeat: 0n, unstakeRequestedAt: 0n, suspendedUntil: 0n, totalEarned: 0n,
    timeAccuracySumBps: 0n, jobsAssigned: 0, jobsCompleted: 0, jobsFailed: 0, jobsActive: 0, timedJobs: 0, ratingStarsSum: 0, ratings: 0,
    proofsValid: 0, proofsTotal: 0, heartbeatsReceived: 0, heartbeatsExpected: 0, adjustment: 0, reputation: 0, status: NODE_STATUS.active,
    unstakeRequested: 0, bump: 255, ...over
  } as NodeAccount
}

/** An escrow account as the chain would hold it: funded, optimistic, nothing anchored yet. */
export function escrowAccountDouble (over: Partial<EscrowAccount> = {}): EscrowAccount {
  return {
    state: ESCROW_STATE.funded, tier: TIER.optimistic, epochsDone: 0, epochsTotal: 3, progressRoot: new Uint8Array(32), delivered: 0,
    finalWeightsHash: new Uint8Array(32), challengeStep: 0, accepted: 0, createdAt: 0n, acceptedAt: 0n, deadline: 3_600n, estimatedSeconds: 60n,
    epochsBase: 0, handovers: 0,
    terms: configParamsFromProtocol(),
    ...over
  } as unknown as EscrowAccount
}

/** Resolves the returned promise when called; records each call's arguments. */
export function recorder<A extends unknown[], R> (impl: (...a: A) => R): ((...a: A) => R) & { calls: A[] } {
  const calls: A[] = []
  const fn = ((...a: A): R => { calls.push(a); return impl(...a) }) as ((...a: A) => R) & { calls: A[] }
  fn.calls = calls
  return fn
}
