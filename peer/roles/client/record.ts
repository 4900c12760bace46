/**
 * The client's job record read back as typed facts: what `resume` needs to see a job through after
 * a restart, and the delivery it recorded. The record itself (`JobBook`) stores decimal strings,
 * hex hashes and the escrow's base58 address; this is the one place they are parsed.
 */
import { PublicKey } from '@solana/web3.js'
import { peerIdFromString } from '@libp2p/peer-id'
import type { PeerId } from '@libp2p/interface'
import { wire, toHex, fromHex } from '../../../protocols/index.js'
import { escrowFact } from '../jobs.js'
import type { Winner } from './types.js'

/** What a resumed job stands on, from its record. */
export interface ResumeFacts {
  readonly spec: wire.TrainingSpec
  readonly escrow: PublicKey
  readonly worker: PeerId
  readonly winner: Winner
  readonly datasetId: string
  /** zk tier: the challenge secret kept since the award (absent on an older record). */
  readonly challengeSecret?: Uint8Array
}

/** Parses a record's facts for `resume`; throws saying what is missing or inconsistent. */
export function resumeFactsOf (jobId: string, f: Readonly<Record<string, string>>): ResumeFacts {
  if (f.spec === undefined || f.escrow === undefined || f.worker === undefined || f.workerWallet === undefined || f.price === undefined || f.datasetId === undefined) {
    throw new Error(`job ${jobId} was recorded by an older client without what a resume needs`)
  }
  const spec = wire.TrainingSpec.decode(fromHex(f.spec, { what: `job ${jobId}: spec` }))
  wire.validateTrainingSpec(spec)
  if (toHex(wire.specHash(spec)) !== f.specHash) throw new Error(`job ${jobId}: the recorded spec does not hash to the recorded spec hash`)
  const escrow = escrowFact(f.escrow)
  if (escrow === undefined) throw new Error(`job ${jobId}: the recorded escrow ${JSON.stringify(f.escrow)} is not an address`)
  return {
    spec,
    escrow,
    worker: peerIdFromString(f.worker),
    winner: { peer: f.worker, wallet: f.workerWallet, price: BigInt(f.price), etaSeconds: Number(f.etaSeconds ?? 0) },
    datasetId: f.datasetId,
    ...(f.challengeSecret === undefined ? {} : { challengeSecret: fromHex(f.challengeSecret, { what: `job ${jobId}: challenge secret` }) })
  }
}

/** The delivery a `delivered` record holds; throws naming the first fact it lacks. */
export function recordedDelivery (jobId: string, f: Readonly<Record<string, string>>): wire.Delivery {
  const need = (k: string): string => {
    const v = f[k]
    if (v === undefined) throw new Error(`job ${jobId}: the record lacks ${k}`)
    return v
  }
  return {
    weightsHash: fromHex(need('weightsHash'), { what: `job ${jobId}: weightsHash` }),
    weightsBytes: BigInt(need('weightsBytes')),
    evidenceCid: need('evidenceCid'),
    merkleRoot: fromHex(need('merkleRoot'), { what: `job ${jobId}: merkleRoot` }),
    epochs: Number(need('checkpoints')),
    finalChainHash: fromHex(need('finalChainHash'), { what: `job ${jobId}: finalChainHash` })
  }
}

/** The facts a delivery adds to the record (what `recordedDelivery` reads back). */
export function deliveryFacts (d: wire.Delivery): Record<string, string> {
  return { weightsHash: toHex(d.weightsHash), evidenceCid: d.evidenceCid, merkleRoot: toHex(d.merkleRoot), finalChainHash: toHex(d.finalChainHash), checkpoints: String(d.epochs), weightsBytes: String(d.weightsBytes) }
}
