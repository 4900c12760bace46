/**
 * A local cyxwiz network: one embedded ledger served as Solana JSON-RPC on 127.0.0.1 (every peer
 * talks to it through its own web3.js Connection), the CYXWIZ mint and the program's Config, and
 * funded peers. `fund` gives a peer its data dir and funded wallet only (`cyx sim` then starts the
 * peer through a peer host, in its own process or this one: peer/sim/host.ts); `peer` also starts
 * its libp2p node here, for the end-to-end tests. Keys derive from a seed, so a run is reproducible.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { AuthorityType, createMint, getAccount, getMint, getOrCreateAssociatedTokenAccount, mintTo, setAuthority, transfer } from '@solana/spl-token'
import { Connection, Keypair, LAMPORTS_PER_SOL, type PublicKey } from '@solana/web3.js'
import type { Multiaddr } from '@multiformats/multiaddr'
import {
  CYXWIZ_PROGRAM_ID, EmbeddedLedger, LedgerRpcServer, PROGRAM_SO_PATH, configParamsFromProtocol, configPda, decodeConfig,
  deployGenesisProgram, initializeConfig, vaultPda
} from '../../chain/index.js'
import { BPS, TOKEN, UNITS_PER_TOKEN } from '../../protocols/index.js'
import { createPeerNode, type PeerNode } from '../node/index.js'
import { installStepVerifyingKey, sendTransaction } from '../roles/index.js'
import type { PeerStore } from '../../storage/index.js'

export interface LocalPeer {
  readonly name: string
  readonly dir: string
  readonly node: PeerNode
  readonly store: PeerStore
  readonly keypair: Keypair
}

/** The genesis allocations of the fixed supply (`TOKEN.distributionBps`): who funds whom. */
export type Allocation = keyof typeof TOKEN.distributionBps

export interface LocalNetworkOptions {
  /** Seed for every key of the run. */
  readonly seed: number
  /** Where the peers' data dirs go; a fresh temporary directory by default. */
  readonly dir?: string
  /** Leave the data dirs behind at close (for inspection). */
  readonly keep?: boolean
}

export class LocalNetwork {
  readonly ledger: EmbeddedLedger
  readonly server: LedgerRpcServer
  readonly connection: Connection
  readonly mint: PublicKey
  readonly admin: Keypair
  readonly dir: string
  readonly #seed: number
  readonly #keep: boolean
  readonly #peers: LocalPeer[] = []
  /** The wallets holding each genesis allocation (they sign the transfers that fund peers). */
  readonly allocations: Readonly<Record<Allocation, Keypair>>

  private constructor (o: { ledger: EmbeddedLedger, server: LedgerRpcServer, connection: Connection, mint: PublicKey, admin: Keypair, dir: string, seed: number, keep: boolean, allocations: Record<Allocation, Keypair> }) {
    this.allocations = o.allocations
    this.ledger = o.ledger
    this.server = o.server
    this.connection = o.connection
    this.mint = o.mint
    this.admin = o.admin
    this.dir = o.dir
    this.#seed = o.seed
    this.#keep = o.keep
  }

  /** 32 bytes derived from the run's seed and a name. */
  static seedBytes (seed: number, name: string): Uint8Array {
    return new Uint8Array(createHash('sha256').update(`cyx-sim/${seed}/${name}`).digest())
  }

  static async open (o: LocalNetworkOptions): Promise<LocalNetwork> {
    const dir = o.dir ?? await mkdtemp(join(tmpdir(), 'cyx-sim-'))
    await mkdir(dir, { recursive: true })
    // No program handed to LiteSVM: the admin deploys it through the loader below.
    const ledger = EmbeddedLedger.open({ dir: join(dir, 'ledger'), reset: true })
    // A simulated network is a development network: its peers warp the clock (docs/sim.md).
    const server = new LedgerRpcServer(ledger, { dev: true })
    const rpc = await server.listen({ port: 0, wsOnNextPort: true })
    const connection = new Connection(rpc, 'confirmed')
    const admin = Keypair.fromSeed(LocalNetwork.seedBytes(o.seed, 'admin'))
    await connection.confirmTransaction(await connection.requestAirdrop(admin.publicKey, 100 * LAMPORTS_PER_SOL))
    // The network's admin deploys the program through the BPF upgradeable loader, as cyx chain
    // --genesis does, and is its upgrade authority (initialize_config requires it).
    await deployGenesisProgram(ledger, { elf: new Uint8Array(await readFile(PROGRAM_SO_PATH)), authority: admin })
    const mint = await createMint(connection, admin, admin.publicKey, null, 9, Keypair.fromSeed(LocalNetwork.seedBytes(o.seed, 'mint')), { commitment: 'confirmed' })
    await sendTransaction(connection, [initializeConfig({ admin: admin.publicKey, mint }, configParamsFromProtocol())], [admin])
    // The step circuit's (development) verifying key: zk-tier escrows name it.
    await installStepVerifyingKey(connection, admin)
    // Genesis: the whole fixed supply (1,000,000,000 CYXWIZ), split as the design distributes it,
    // then the mint authority is revoked: no token is ever minted again, peers are funded by
    // transfers.
    const allocations = {} as Record<Allocation, Keypair>
    for (const [name, bps] of Object.entries(TOKEN.distributionBps) as Array<[Allocation, number]>) {
      const holder = Keypair.fromSeed(LocalNetwork.seedBytes(o.seed, `genesis/${name}`))
      const account = await getOrCreateAssociatedTokenAccount(connection, admin, mint, holder.publicKey)
      await mintTo(connection, admin, mint, account.address, admin, TOKEN.totalSupply * BigInt(bps) / BigInt(BPS))
      allocations[name] = holder
    }
    await setAuthority(connection, admin, mint, admin, AuthorityType.MintTokens, null)
    return new LocalNetwork({ ledger, server, connection, mint, admin, dir, seed: o.seed, keep: o.keep ?? false, allocations })
  }

  get rpcUrl (): string {
    return this.server.url
  }

  get peers (): readonly LocalPeer[] {
    return this.#peers
  }

  /** A funded peer: SOL for fees, `tokens` whole CYXWIZ transferred from genesis allocation `from`,
   * a libp2p node dialling `bootstrap`. */
  async peer (name: string, tokens: bigint, bootstrap: Multiaddr[] = [], from: Allocation = 'ecosystem'): Promise<LocalPeer> {
    const { dir, keypair, peerKeySeed } = await this.fund(name, tokens, from)
    const privateKey = await generateKeyPairFromSeed('Ed25519', peerKeySeed)
    const node = await createPeerNode({ dir, privateKey, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap })
    // The node opened the peer store of its dir (Helia runs on it); the roles share it.
    const store = node.store
    const p: LocalPeer = { name, dir, node, store, keypair }
    this.#peers.push(p)
    return p
  }

  /**
   * A funded wallet for peer `name`, without its node (which a peer host starts, in this process
   * or its own): the data dir `<dir>/<name>` with `wallet.json` (key from the seed), SOL for fees,
   * `tokens` whole CYXWIZ transferred from genesis allocation `from`, and the seed of its libp2p key.
   */
  async fund (name: string, tokens: bigint, from: Allocation = 'ecosystem'): Promise<{ dir: string, keypair: Keypair, peerKeySeed: Uint8Array }> {
    const dir = join(this.dir, name)
    await mkdir(dir, { recursive: true })
    const keypair = Keypair.fromSeed(LocalNetwork.seedBytes(this.#seed, `${name}/wallet`))
    await writeFile(join(dir, 'wallet.json'), JSON.stringify(Array.from(keypair.secretKey)), { mode: 0o600 })
    // A connection per peer funded: web3.js caches a blockhash for 30 s, and funding hundreds of
    // peers in that time moves the ledger more than a blockhash's 150 slots of validity.
    const connection = new Connection(this.rpcUrl, 'confirmed')
    await connection.confirmTransaction(await connection.requestAirdrop(keypair.publicKey, 10 * LAMPORTS_PER_SOL))
    const account = await getOrCreateAssociatedTokenAccount(connection, this.admin, this.mint, keypair.publicKey)
    if (tokens > 0n) {
      const source = await getOrCreateAssociatedTokenAccount(connection, this.admin, this.mint, this.allocations[from].publicKey)
      await transfer(connection, this.admin, source.address, account.address, this.allocations[from], tokens * UNITS_PER_TOKEN)
    }
    return { dir, keypair, peerKeySeed: LocalNetwork.seedBytes(this.#seed, `${name}/peer`) }
  }

  /**
   * Kills `peer` (its node stops: libp2p, Helia, every stream, the store closes) and starts it again
   * on the same data dir with the same wallet and peer key, on a new port, dialling `bootstrap`:
   * a process restarted on its machine. Whatever ran on the old node must be stopped by the caller
   * first (a role's `stop`). The new peer replaces the old one in `peers`.
   */
  async restart (peer: LocalPeer, bootstrap: Multiaddr[] = []): Promise<LocalPeer> {
    await peer.node.stop()
    const privateKey = await generateKeyPairFromSeed('Ed25519', LocalNetwork.seedBytes(this.#seed, `${peer.name}/peer`))
    const node = await createPeerNode({ dir: peer.dir, privateKey, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap })
    const p: LocalPeer = { name: peer.name, dir: peer.dir, node, store: node.store, keypair: peer.keypair }
    const i = this.#peers.indexOf(peer)
    if (i >= 0) this.#peers[i] = p
    else this.#peers.push(p)
    return p
  }

  async tokenBalance (owner: PublicKey): Promise<bigint> {
    const account = await getOrCreateAssociatedTokenAccount(this.connection, this.admin, this.mint, owner)
    return (await getAccount(this.connection, account.address)).amount
  }

  async vaultBalance (kind: 'platform' | 'insurance' | 'stake'): Promise<bigint> {
    return (await getAccount(this.connection, vaultPda(CYXWIZ_PROGRAM_ID, kind).address)).amount
  }

  /** Mint supply plus everything the program burned: constant unless tokens are minted. */
  async supplyWithBurned (): Promise<bigint> {
    const supply = (await getMint(this.connection, this.mint)).supply
    const info = await this.connection.getAccountInfo(configPda(CYXWIZ_PROGRAM_ID).address)
    const burned = info === null ? 0n : decodeConfig(info.data).totalBurned
    return supply + burned
  }

  async close (): Promise<void> {
    await Promise.allSettled(this.#peers.map(async (p) => { await p.node.stop() }))
    await Promise.allSettled(this.#peers.map(async (p) => { await p.store.close() }))
    await this.server.close()
    this.ledger.close()
    if (!this.#keep) await rm(this.dir, { recursive: true, force: true })
  }
}
