/**
 * The coordinator suites' world: the embedded ledger served over JSON-RPC with the mint and the
 * program's Config (peer/sim's `LocalNetwork`), and peers built here — a funded wallet, optionally
 * staked on-chain with `register_node`, and a real libp2p node on 127.0.0.1.
 */
import { randomInt } from 'node:crypto'
import { getAssociatedTokenAddressSync } from '@solana/spl-token'
import { Keypair, Transaction, sendAndConfirmTransaction, type Connection } from '@solana/web3.js'
import type { Multiaddr } from '@multiformats/multiaddr'
import { registerNode } from '../../../chain/index.js'
import { MESH, UNITS_PER_TOKEN, minimumRegistrationStake, wire } from '../../../protocols/index.js'
import { buildAdvert, type PeerNode } from '../../../peer/node/index.js'
import { LocalNetwork } from '../../../peer/sim/index.js'
import { cpuHardware, profile, spec } from '../../fixtures/mesh.js'

export interface WorldPeer {
  readonly name: string
  readonly node: PeerNode
  readonly keypair: Keypair
}

export class World {
  readonly net: LocalNetwork
  #count = 0

  private constructor (net: LocalNetwork) {
    this.net = net
  }

  static async open (): Promise<World> {
    return new World(await LocalNetwork.open({ seed: randomInt(2 ** 31) }))
  }

  get connection (): Connection {
    return this.net.connection
  }

  /** A peer (peer/sim's: SOL for fees, `tokens` CYXWIZ, a libp2p node); `stake` base units staked
   * on-chain with `register_node` (0: none). */
  async peer (o: { tokens?: bigint, stake?: bigint, bootstrap?: Multiaddr[] } = {}): Promise<WorldPeer> {
    const name = `coord-peer-${++this.#count}`
    const p = await this.net.peer(name, o.tokens ?? 100n, o.bootstrap ?? [])
    const stake = o.stake ?? 0n
    if (stake > 0n) {
      const ix = registerNode({ owner: p.keypair.publicKey, ownerToken: getAssociatedTokenAddressSync(this.net.mint, p.keypair.publicKey) }, stake)
      await sendAndConfirmTransaction(this.connection, new Transaction().add(ix), [p.keypair], { commitment: 'confirmed' })
    }
    return { name, node: p.node, keypair: p.keypair }
  }

  /** A staked worker (the lowest tier's stake). */
  async worker (bootstrap: Multiaddr[] = []): Promise<WorldPeer> {
    return await this.peer({ stake: minimumRegistrationStake(), bootstrap })
  }

  async close (): Promise<void> {
    await this.net.close()
  }
}

/** A worker's signed advert at `pricePerHour` base units, offering `capabilities`. */
export function signedAdvert (node: PeerNode, pricePerHour: bigint, capabilities: string[] = ['cpu'], wallet: wire.WalletSigner = node.wallet): Uint8Array {
  const advert = buildAdvert(node, { hardware: cpuHardware(), pricePerHour, profile: profile(), capabilities })
  return wire.signMessage(wire.Kind.CAPABILITY_ADVERT, advert, wallet)
}

/** A valid announce by `client` (600 s estimated, max price 5 CYXWIZ). */
export function announce (client: PeerNode, over: Partial<wire.JobAnnounce> = {}): wire.JobAnnounce {
  const s = spec()
  const now = client.clock()
  return {
    jobId: Uint8Array.from(Buffer.alloc(32, randomInt(256))).map(() => randomInt(256)),
    specHash: Uint8Array.from(wire.specHash(s)),
    spec: s,
    maxPrice: 5n * UNITS_PER_TOKEN,
    estimatedSeconds: 600,
    priority: wire.Priority.PRIORITY_NORMAL,
    clientPeerId: Uint8Array.from(client.peerId.toMultihash().bytes),
    clientAddrs: client.multiaddrs().slice(0, 4).map((a) => Uint8Array.from(a.bytes)),
    issuedAt: BigInt(now),
    bidDeadline: BigInt(now + MESH.bidWindowSeconds),
    ...over
  }
}

/** A throwaway in-memory wallet (e.g. a forger's). */
export function throwawayWallet (): wire.WalletSigner {
  return wire.walletSignerFromSecretKey(Keypair.generate().secretKey)
}
