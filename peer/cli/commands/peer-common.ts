/** What `cyx worker`, `cyx client` and `cyx faucet` share: the data dir, the RPC, the node. */
import { homedir } from 'node:os'
import { join } from 'node:path'
import { Connection } from '@solana/web3.js'
import { multiaddr } from '@multiformats/multiaddr'
import { UsageError } from '../command.js'
import type { PeerNode } from '../../node/index.js'
import { toHex } from '../../../protocols/hex.js'

export const DEFAULT_RPC = 'http://127.0.0.1:8899'

/** Options every peer command takes (node:util parseArgs shapes). */
export const PEER_OPTIONS = {
  dir: { type: 'string' },
  keypair: { type: 'string' },
  rpc: { type: 'string' },
  json: { type: 'boolean' }
} as const

export const NODE_OPTIONS = {
  bootstrap: { type: 'string', multiple: true },
  'bootstrap-file': { type: 'string' },
  listen: { type: 'string', multiple: true },
  announce: { type: 'string', multiple: true }
} as const

/** The `NODE_OPTIONS` lines of a command's usage. */
export const NODE_USAGE = `  --bootstrap MADDR  a peer to join the mesh through (repeatable); peers seen before are
                     remembered in DIR/known-peers.json and rejoined through as well
  --bootstrap-file PATH  more bootstrap peers: one multiaddr per line (# comments)
  --listen MADDR     where to listen (repeatable; default /ip4/127.0.0.1/tcp/0)
  --announce MADDR   an address to advertise besides the listen addresses, e.g. a public one the
                     node is reachable at (repeatable)`

/** How many remembered peers a node rejoins through (the most recently seen). */
const KNOWN_PEERS_DIALLED = 8

export interface NodeArgs {
  dir?: string
  keypair?: string
  bootstrap?: string[]
  'bootstrap-file'?: string
  listen?: string[]
  announce?: string[]
}

/** The node's network settings from its flags, checked before anything starts. */
export async function nodeNetwork (values: NodeArgs): Promise<{ bootstrap: string[], listen: string[], announce: string[] }> {
  const bootstrap = multiaddrs(values.bootstrap, 'bootstrap')
  const listen = multiaddrs(values.listen, 'listen')
  const announce = multiaddrs(values.announce, 'announce')
  if (values['bootstrap-file'] !== undefined) {
    const { readBootstrapFile } = await import('../../node/index.js')
    try {
      bootstrap.push(...await readBootstrapFile(values['bootstrap-file']))
    } catch (e) {
      throw new UsageError(`--bootstrap-file: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  return { bootstrap: [...new Set(bootstrap)], listen, announce }
}

/**
 * Starts a peer command's node: the data dir's keys and store, the flags' network settings, the
 * peers remembered in `DIR/known-peers.json` added to the bootstrap list (so a restarted peer
 * rejoins without one), and those it sees from now on remembered. `reserveRelay`: listen on
 * `/p2p-circuit` as well, i.e. hold a reservation on a relay among the peers it connects to, so a
 * peer behind NAT can be reached (a worker; docs/network.md). `throwaway`: a peer for one errand
 * (`cyx dispute show`): keys in memory, a temporary store, no known peers read or written.
 */
export async function startNode (values: NodeArgs, opts: { reserveRelay: boolean, throwaway?: boolean }): Promise<PeerNode> {
  const network = await nodeNetwork(values)
  const { createPeerNode, knownPeerAddrs, loadKnownPeers, trackKnownPeers } = await import('../../node/index.js')
  if (opts.throwaway === true) {
    return await createPeerNode({
      ...(network.listen.length === 0 ? {} : { listen: network.listen }),
      bootstrap: network.bootstrap,
      nat: { reserveRelay: opts.reserveRelay, announce: network.announce }
    })
  }
  const dir = dataDir(values.dir)
  const known = knownPeerAddrs((await loadKnownPeers(dir)).slice(0, KNOWN_PEERS_DIALLED)).map(String)
  const node = await createPeerNode({
    dir,
    ...(values.keypair === undefined ? {} : { keypair: values.keypair }),
    ...(network.listen.length === 0 ? {} : { listen: network.listen }),
    bootstrap: [...new Set([...network.bootstrap, ...known])],
    nat: { reserveRelay: opts.reserveRelay, announce: network.announce }
  })
  await trackKnownPeers(node, dir)
  return node
}

export function dataDir (dir: string | undefined): string {
  return dir ?? join(homedir(), '.cyx')
}

export function rpcUrl (rpc: string | undefined): string {
  const url = rpc ?? DEFAULT_RPC
  try {
    const u = new URL(url)
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http')
  } catch {
    throw new UsageError(`--rpc must be an http(s) URL (got ${url})`)
  }
  return url
}

/** A Connection to the RPC (its WebSocket on the next port, as `cyx chain` serves it). */
export function connect (url: string): Connection {
  return new Connection(url, 'confirmed')
}

export function multiaddrs (values: readonly string[] | undefined, flag: string): string[] {
  return (values ?? []).map((v) => {
    try {
      multiaddr(v)
    } catch {
      throw new UsageError(`--${flag} must be a multiaddr, e.g. /ip4/127.0.0.1/tcp/4001/p2p/12D3Koo… (got ${v})`)
    }
    return v
  })
}

/** A positive decimal token amount as base units (9 decimals): "1.5" → 1_500_000_000n. */
export function tokens (v: string, flag: string): bigint {
  const m = /^(\d{1,10})(?:\.(\d{1,9}))?$/.exec(v)
  if (m === null) throw new UsageError(`--${flag} must be a token amount with at most 9 decimals (got ${v})`)
  return BigInt(m[1]!) * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'))
}

/** JSON with bigints as decimal strings, one line. */
export function jsonLine (v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? toHex(x) : x)
}
