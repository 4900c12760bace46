/**
 * The worker's job record as typed facts, both ways. The record (`JobBook`) stores strings: the
 * client's wallet as hex, the escrow's address in base58 as the client's records hold it (records
 * written before hold hex; `escrowFact` reads both), the amount as a decimal,
 * hashes as hex, the client's addresses space-separated; `workerFactsRecord` is the one place they
 * are written and `workerFactsOf` the one place they are read.
 */
import type { PublicKey } from '@solana/web3.js'
import { fromHex, isHex, toHex } from '../../../protocols/index.js'
import { escrowFact } from '../jobs.js'

export interface WorkerJobFacts {
  /** The client's wallet, hex (the award's signer). */
  readonly client?: string
  /** The peer that sent the award. */
  readonly from?: string
  readonly escrow?: PublicKey
  readonly amount?: bigint
  /** The client's listen addresses when the job was accepted (to dial it back after a restart). */
  readonly clientAddrs: readonly string[]
  /** After the anchor: what the settlement needs. */
  readonly tier?: 'optimistic' | 'zk'
  readonly evidenceCid?: string
  readonly weightsHash?: Uint8Array
}

/** What a worker writes of a job (any subset, at each step). */
export interface WorkerFactsUpdate {
  /** The client's wallet (the award's signer). */
  readonly client?: Uint8Array
  readonly from?: string
  readonly escrow?: PublicKey
  readonly amount?: bigint
  readonly clientAddrs?: readonly string[]
  readonly tier?: 'optimistic' | 'zk'
  readonly evidenceCid?: string
  readonly weightsHash?: Uint8Array
  /** The anchored Poseidon root (shown by the live page; the settlement recomputes it from the evidence). */
  readonly root?: Uint8Array
}

/** A worker's facts as the job book stores them (the inverse of `workerFactsOf`). */
export function workerFactsRecord (u: WorkerFactsUpdate): Record<string, string> {
  return {
    ...(u.client === undefined ? {} : { client: toHex(u.client) }),
    ...(u.from === undefined ? {} : { from: u.from }),
    ...(u.escrow === undefined ? {} : { escrow: u.escrow.toBase58() }),
    ...(u.amount === undefined ? {} : { amount: u.amount.toString() }),
    ...(u.clientAddrs === undefined ? {} : { clientAddrs: u.clientAddrs.join(' ') }),
    ...(u.tier === undefined ? {} : { tier: u.tier }),
    ...(u.evidenceCid === undefined ? {} : { evidenceCid: u.evidenceCid }),
    ...(u.weightsHash === undefined ? {} : { weightsHash: toHex(u.weightsHash) }),
    ...(u.root === undefined ? {} : { root: toHex(u.root) })
  }
}

/** Parses a worker record's facts; a malformed fact reads as absent. */
export function workerFactsOf (f: Readonly<Record<string, string>>): WorkerJobFacts {
  const escrow = escrowFact(f.escrow)
  const amount = f.amount !== undefined && /^[0-9]+$/.test(f.amount) ? BigInt(f.amount) : undefined
  return {
    ...(f.client === undefined ? {} : { client: f.client }),
    ...(f.from === undefined ? {} : { from: f.from }),
    ...(escrow === undefined ? {} : { escrow }),
    ...(amount === undefined ? {} : { amount }),
    clientAddrs: (f.clientAddrs ?? '').split(' ').filter((a) => a !== ''),
    ...(f.tier === 'zk' || f.tier === 'optimistic' ? { tier: f.tier } : {}),
    ...(f.evidenceCid === undefined ? {} : { evidenceCid: f.evidenceCid }),
    ...(f.weightsHash === undefined || !isHex(f.weightsHash, 32) ? {} : { weightsHash: fromHex(f.weightsHash) })
  }
}
