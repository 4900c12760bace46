/**
 * The worker's job record read back as typed facts. The record (`JobBook`) stores strings: the
 * client's wallet and the escrow's address as hex, the amount as a decimal, the client's addresses
 * space-separated; this is the one place they are parsed.
 */
import { PublicKey } from '@solana/web3.js'
import { fromHex, isHex } from '../../../protocols/index.js'

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

/** Parses a worker record's facts; a malformed fact reads as absent. */
export function workerFactsOf (f: Readonly<Record<string, string>>): WorkerJobFacts {
  const escrow = ((): PublicKey | undefined => {
    if (f.escrow === undefined || !isHex(f.escrow, 32)) return undefined
    return new PublicKey(fromHex(f.escrow))
  })()
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
