/**
 * The client's components, each step's narrow interface together, and the adapter that builds them
 * from a running peer (`PeerNode`), a Solana JSON-RPC connection and the wallet keypair — as
 * `coordinatorHost` builds the coordinator's. Unit tests hand the steps doubles instead.
 */
import { logger } from '@libp2p/logger'
import { multiaddr } from '@multiformats/multiaddr'
import type { Connection, Keypair, PublicKey } from '@solana/web3.js'
import { CID } from 'multiformats/cid'
import { create as createDigest } from 'multiformats/hashes/digest'
import { wire } from '../../../protocols/index.js'
import { loadEvidence, pinEvidence, unpinEvidence } from '../../../storage/index.js'
import { fetchEvidence, verifyEvidence } from '../../evidence/index.js'
import { runJobSession } from '../../job/index.js'
import { connectCandidates, matchViaCoordinator } from '../../match/index.js'
import { announceJob, evidenceFetchComponents, findWorkers, getAdvert, provideEvidence, type BidCollector, type PeerNode } from '../../node/index.js'
import { readConfig, readNode, sendTransaction } from '../chain.js'
import { anchoredCheckpoints, chainTime, readEscrowAccount, revealChallengeAfterAnchor } from '../settlement.js'
import { spotCheck } from '../training.js'
import type { AuctionComponents } from './auction.js'
import type { CheckComponents } from './checks.js'
import type { DiscoverComponents } from './discover.js'
import type { DisputeComponents } from './dispute.js'
import type { KeeperComponents } from './keeper.js'
import type { EscrowComponents } from './escrow.js'
import type { FailoverComponents } from './failover.js'
import type { SessionComponents } from './session.js'
import type { SettleComponents } from './settle.js'

const log = logger('cyx:client')
const { Kind, signMessage } = wire

const RAW_CODEC = 0x55
const SHA2_256 = 0x12

/** Where delivered weights are kept: this peer's blockstore, named by their hash (a restart keeps them). */
export interface WeightsComponents {
  keepWeights: (weightsHash: Uint8Array, weights: Uint8Array) => Promise<void>
  /** The weights kept under this hash (throws when absent). */
  keptWeights: (weightsHash: Uint8Array) => Promise<Uint8Array>
}

export type ClientComponents = DiscoverComponents & AuctionComponents & EscrowComponents & Omit<SessionComponents, 'noteAttempt'> &
CheckComponents & KeeperComponents & DisputeComponents & SettleComponents & WeightsComponents & Pick<FailoverComponents, 'chainNow' | 'verifyInterim'>

/** The CID a delivered weights blob is kept under in the client's blockstore: raw, its SHA-256. */
export function weightsCid (weightsHash: Uint8Array): CID {
  return CID.createV1(RAW_CODEC, createDigest(SHA2_256, weightsHash))
}

async function concatChunks (chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const c of chunks) parts.push(c)
  return new Uint8Array(Buffer.concat(parts))
}

/** The client's components on a running peer: its mesh, its blockstore, the chain through `connection`. */
export function clientComponents (node: PeerNode, connection: Connection, keypair: Keypair, collector: BidCollector): ClientComponents {
  const send = async (ixs: Parameters<typeof sendTransaction>[1]): Promise<string> => await sendTransaction(connection, ixs, [keypair])
  const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }
  // The node as evidence fetching uses it, built once for the keeper's and the check's fetches.
  const mesh = evidenceFetchComponents(node)
  return {
    wallet: keypair.publicKey,
    clock: () => node.clock(),
    now: () => Date.now(),
    sleep,
    // Discovery
    matchViaCoordinator: async (coordinator, announce, o) => await matchViaCoordinator(node, coordinator, announce, { connection, ...o }),
    connectCandidates: async (candidates, o) => await connectCandidates(node, candidates, o),
    findWorkers: async (capability, o) => await findWorkers(node, capability, o),
    // Auction
    openRound: (jobId, windowMs) => collector.open(jobId, windowMs),
    announce: async (announce, o) => await announceJob(node, signMessage(Kind.JOB_ANNOUNCE, announce, node.wallet), o),
    readNode: async (wallet: PublicKey) => await readNode(connection, wallet),
    // Chain
    readConfig: async () => await readConfig(connection),
    send,
    readEscrow: async (escrow) => await readEscrowAccount(connection, escrow),
    revealChallenge: async (escrow, secret) => await revealChallengeAfterAnchor({ connection, keypair, escrow }, secret),
    // Session
    runJobSession: async (worker, o) => await runJobSession(node, worker, o),
    signAward: (award) => signMessage(Kind.AWARD, { ...award, issuedAt: BigInt(node.clock()) }, node.wallet),
    isConnected: (peer) => node.libp2p.getConnections(peer).length > 0,
    refreshAddresses: async (peer, o) => {
      const found = await getAdvert(node, peer, o).catch((e: unknown) => { log.trace('no advert of %s: %s', peer.toString(), e instanceof Error ? e.message : e) })
      if (found === undefined) return
      const addrs = found.advert.addrs.flatMap((a) => { try { return [multiaddr(a)] } catch { return [] } })
      await node.libp2p.peerStore.merge(peer, { multiaddrs: addrs }).catch((e: unknown) => { log.trace('storing the advertised addresses of %s failed: %s', peer.toString(), e instanceof Error ? e.message : e) })
    },
    // Checks: bitswap asks only the peers it knows to serve bitswap, not every connected peer: the
    // worker is made one of them (connected, and identified since it served bitswap: a worker
    // restarted mid-job was identified before it did, issue 17).
    // (`reachHolder`, through evidenceFetchComponents). Then any provider the DHT names (the worker
    // restarted elsewhere, or another peer that kept the evidence), attempt after attempt.
    fetchEvidence: async (cid, holder, o) => await fetchEvidence(mesh, CID.parse(cid), {
      holders: [{ peer: holder.toString() }], signal: o.signal, ...(o.attempts === undefined ? {} : { attempts: o.attempts })
    }),
    // Keeping checkpoints as they arrive (keeper.ts)
    readInterim: async (cid) => {
      const { manifest } = await loadEvidence(node.helia, CID.parse(cid), { offline: true })
      return { specHash: manifest.spec.hash, checkpoints: manifest.checkpoints.length, head: manifest.checkpoints.at(-1)?.chainHash ?? new Uint8Array(32) }
    },
    pin: async (cid) => { await pinEvidence(node.helia, CID.parse(cid)) },
    unpin: async (cid) => { await unpinEvidence(node.helia, CID.parse(cid)) },
    provide: async (cid) => { await provideEvidence(node, CID.parse(cid)) },
    anchoredCheckpoints: async (cid, tier) => await anchoredCheckpoints(node.helia, cid, tier),
    spotCheck: async (delivery, spec, dataset, k, seed) => await spotCheck(node.helia, delivery, spec, dataset, k, seed),
    // Failover (failover.ts)
    chainNow: async () => await chainTime(connection),
    verifyInterim: async (cid, dataset, k, seed) => {
      const v = await verifyEvidence({ cid, peer: { helia: node.helia }, interim: true, checks: k, challengeSeed: seed, dataset })
      return { passed: v.verdict === 'passed', reasons: v.reasons }
    },
    // Weights
    keepWeights: async (hash, weights) => { await node.helia.blockstore.put(weightsCid(hash), weights) },
    keptWeights: async (hash) => {
      const weights = await node.helia.blockstore.get(weightsCid(hash), { offline: true } as never)
      return weights instanceof Uint8Array ? weights : await concatChunks(weights as AsyncIterable<Uint8Array>)
    }
  }
}
