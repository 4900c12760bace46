/** What `cyx worker`, `cyx client` and `cyx faucet` share: the data dir, the RPC, the node. */
import { homedir } from 'node:os'
import { join } from 'node:path'
import { Connection } from '@solana/web3.js'
import { multiaddr } from '@multiformats/multiaddr'
import { UsageError } from '../command.js'

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
  listen: { type: 'string' }
} as const

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
  return JSON.stringify(v, (_k, x: unknown) => typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x)
}

/** Resolves on the first SIGINT or SIGTERM. */
export async function untilSignal (): Promise<string> {
  return await new Promise<string>((resolve) => {
    const stop = (sig: string): void => {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      resolve(sig)
    }
    const onInt = (): void => { stop('SIGINT') }
    const onTerm = (): void => { stop('SIGTERM') }
    process.on('SIGINT', onInt)
    process.on('SIGTERM', onTerm)
  })
}
