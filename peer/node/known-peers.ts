/**
 * Known peers survive restarts: a node remembers the peers it has been connected to (their peer id
 * and the addresses they listen on, as identify reported them) in `<dir>/known-peers.json`, and a
 * restarted node rejoins through them when it is given no bootstrap list — or in addition to it.
 *
 * libp2p's own peer store is persisted too (peer/node/node.ts runs it on the peer's datastore),
 * but libp2p redials only the peers tagged keep-alive there (the DHT's closest), and only those it
 * still had connections to. This file is the explicit, readable list: small (the most recently
 * seen `MAX_KNOWN_PEERS`), validated when read, rewritten atomically.
 *
 * Bootstrap lists from a file (`--bootstrap-file`) share the format of one multiaddr per line
 * (`#` comments and blank lines ignored); every address must name its peer (`/p2p/<id>`).
 */
import { logger } from '@libp2p/logger'
import type { IdentifyResult, PeerId } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { PeerNode } from './node.js'

const log = logger('cyx:node:known-peers')

export const KNOWN_PEERS_FILE = 'known-peers.json'
/** How many peers are remembered (the most recently seen). */
export const MAX_KNOWN_PEERS = 32
/** How many addresses of one peer are remembered. */
export const MAX_ADDRS_PER_PEER = 8
/** A known-peers file larger than this is refused unread (it is ours; it never grows past ~30 KiB). */
const MAX_FILE_BYTES = 256 * 1024
/** Bootstrap files are read up to this size. */
const MAX_BOOTSTRAP_FILE_BYTES = 64 * 1024

export interface KnownPeer {
  /** The peer id (base58). */
  readonly id: string
  /** Multiaddrs without the `/p2p/<id>` suffix. */
  readonly addrs: readonly string[]
  /** Unix milliseconds it was last seen. */
  readonly seenAt: number
}

/** Parses a known-peers file's JSON; throws on anything that is not one. */
export function parseKnownPeers (text: string): KnownPeer[] {
  const data: unknown = JSON.parse(text)
  if (typeof data !== 'object' || data === null || !Array.isArray((data as { peers?: unknown }).peers)) throw new Error('not a known-peers file: no "peers" array')
  const out: KnownPeer[] = []
  for (const p of (data as { peers: unknown[] }).peers.slice(0, MAX_KNOWN_PEERS)) {
    if (typeof p !== 'object' || p === null) throw new Error('a peer entry is not an object')
    const { id, addrs, seenAt } = p as Record<string, unknown>
    if (typeof id !== 'string' || !/^[1-9A-HJ-NP-Za-km-z]{32,64}$/.test(id)) throw new Error(`a peer id is not base58: ${String(id)}`)
    if (!Array.isArray(addrs) || addrs.some((a) => typeof a !== 'string')) throw new Error(`peer ${id}: "addrs" is not a list of strings`)
    if (typeof seenAt !== 'number' || !Number.isSafeInteger(seenAt)) throw new Error(`peer ${id}: "seenAt" is not an integer`)
    const valid = (addrs as string[]).slice(0, MAX_ADDRS_PER_PEER).filter((a) => {
      try {
        multiaddr(a)
        return true
      } catch {
        return false
      }
    })
    out.push({ id, addrs: valid, seenAt })
  }
  return out
}

/** Dialable addresses of the known peers, each ending in `/p2p/<id>`. */
export function knownPeerAddrs (peers: readonly KnownPeer[]): Multiaddr[] {
  return peers.flatMap((p) => p.addrs.map((a) => multiaddr(`${a}/p2p/${p.id}`)))
}

/** The known peers saved in `dir`; none when the file is missing. A damaged file is reported and
 * ignored (the node still starts with its bootstrap list; the file is rewritten as peers are seen). */
export async function loadKnownPeers (dir: string): Promise<KnownPeer[]> {
  let text: string
  try {
    const buf = await readFile(join(dir, KNOWN_PEERS_FILE))
    if (buf.byteLength > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`)
    text = buf.toString('utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
    log.error('reading %s failed, starting without known peers: %e', KNOWN_PEERS_FILE, e)
    return []
  }
  try {
    return parseKnownPeers(text)
  } catch (e) {
    log.error('%s is damaged, starting without known peers: %e', KNOWN_PEERS_FILE, e)
    return []
  }
}

/** `peers` with `seen` moved to the front (replacing an older entry of the same id), capped. */
export function rememberPeer (peers: readonly KnownPeer[], seen: KnownPeer): KnownPeer[] {
  return [seen, ...peers.filter((p) => p.id !== seen.id)].slice(0, MAX_KNOWN_PEERS)
}

/** A multiaddr without its trailing `/p2p/<id>` (identify's listen addresses usually have none). */
function withoutPeerId (a: Multiaddr, id: string): string {
  const s = a.toString()
  const suffix = `/p2p/${id}`
  return s.endsWith(suffix) ? s.slice(0, -suffix.length) : s
}

/**
 * Keeps `<dir>/known-peers.json` up to date while `node` runs: each peer that identifies itself is
 * remembered with the addresses it listens on (relayed ones included: a peer behind NAT is reached
 * through them). Writes are coalesced (at most one per `debounceMs`) and the last one is flushed when
 * the node stops. Returns the list as loaded, for the caller to rejoin through.
 */
export async function trackKnownPeers (node: PeerNode, dir: string, debounceMs = 1000): Promise<KnownPeer[]> {
  const loaded = await loadKnownPeers(dir)
  let peers = loaded
  let timer: NodeJS.Timeout | undefined
  let writing: Promise<void> = Promise.resolve()
  const file = join(dir, KNOWN_PEERS_FILE)
  const write = (): void => {
    timer = undefined
    const text = JSON.stringify({ peers }, null, 1)
    writing = writing.then(async () => {
      const tmp = `${file}.tmp`
      await writeFile(tmp, text, { mode: 0o600 })
      await rename(tmp, file)
    }).catch((e: unknown) => { log.error('saving %s failed: %e', KNOWN_PEERS_FILE, e) })
  }
  const seen = (peer: PeerId, listenAddrs: readonly Multiaddr[]): void => {
    const id = peer.toString()
    const addrs = listenAddrs.map((a) => withoutPeerId(a, id)).slice(0, MAX_ADDRS_PER_PEER)
    if (addrs.length === 0) return
    peers = rememberPeer(peers, { id, addrs, seenAt: Date.now() })
    timer ??= setTimeout(write, debounceMs)
  }
  const onIdentify = (evt: CustomEvent<IdentifyResult>): void => { seen(evt.detail.peerId, evt.detail.listenAddrs) }
  node.libp2p.addEventListener('peer:identify', onIdentify)
  // Peers identified before this was attached (the bootstrap peers createPeerNode dialled): their
  // addresses as the peer store holds them.
  for (const peer of node.libp2p.getPeers()) {
    try {
      const stored = await node.libp2p.peerStore.get(peer)
      seen(peer, stored.addresses.map((a) => a.multiaddr))
    } catch (e) {
      log('no stored addresses for %p: %e', peer, e)
    }
  }
  node.onStop(async () => {
    node.libp2p.removeEventListener('peer:identify', onIdentify)
    if (timer !== undefined) {
      clearTimeout(timer)
      write()
    }
    await writing
  })
  return loaded
}

/** Reads a bootstrap file: one multiaddr per line, each naming its peer (`/p2p/<id>`). Throws a
 * message naming the line on anything else. */
export async function readBootstrapFile (path: string): Promise<string[]> {
  let text: string
  try {
    const buf = await readFile(path)
    if (buf.byteLength > MAX_BOOTSTRAP_FILE_BYTES) throw new Error(`it is larger than ${MAX_BOOTSTRAP_FILE_BYTES} bytes`)
    text = buf.toString('utf8')
  } catch (e) {
    throw new Error(`cannot read the bootstrap file ${path}: ${e instanceof Error ? e.message : String(e)}`)
  }
  return parseBootstrapList(text, path)
}

/** One multiaddr per line (`#` comments, blank lines ignored), each naming its peer. */
export function parseBootstrapList (text: string, source = 'bootstrap list'): string[] {
  const out: string[] = []
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/#.*/, '').trim()
    if (line === '') continue
    let ma: Multiaddr
    try {
      ma = multiaddr(line)
    } catch {
      throw new Error(`${source}, line ${i + 1}: not a multiaddr: ${line}`)
    }
    if (!ma.getComponents().some((c) => c.name === 'p2p')) throw new Error(`${source}, line ${i + 1}: the address must end in /p2p/<peer id>: ${line}`)
    out.push(line)
  }
  return out
}
