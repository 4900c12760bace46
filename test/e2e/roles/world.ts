/** The roles' test world: a `LocalNetwork` (peer/sim) with a fresh seed per run, and short names. */
import { randomInt } from 'node:crypto'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Connection, PublicKey } from '@solana/web3.js'
import { LocalNetwork, type LocalPeer } from '../../../peer/sim/index.js'

export type TestPeer = LocalPeer

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

  get mint (): PublicKey {
    return this.net.mint
  }

  /** A funded peer: SOL for fees and `tokens` whole CYXWIZ. */
  async peer (tokens: bigint, bootstrap: Multiaddr[] = []): Promise<TestPeer> {
    return await this.net.peer(`peer-${++this.#count}`, tokens, bootstrap)
  }

  async balance (owner: PublicKey): Promise<bigint> {
    return await this.net.tokenBalance(owner)
  }

  async platformBalance (): Promise<bigint> {
    return await this.net.vaultBalance('platform')
  }

  async close (): Promise<void> {
    await this.net.close()
  }
}
