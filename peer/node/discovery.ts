/**
 * Finding workers without a server: a worker files its signed `CapabilityAdvert` in the DHT under
 * `/cyx/advert/<peer id>` and announces itself as a provider of one CID per capability key; a client
 * asks the DHT for providers of a capability and fetches and verifies each provider's advert.
 *
 * Provider records are authenticated by the DHT (a node only accepts a provider record from the
 * provider itself); adverts are signed by the wallet and countersigned by the peer key, and the
 * `cyx` validator (records.ts) checks both against the key's peer id.
 */
import type { PeerId } from '@libp2p/interface'
import type { AbortOptions } from '@libp2p/interface'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { MESH, wire } from '../../protocols/index.js'
import type { PeerNode } from './node.js'
import { advertKey, advertRecordSigningBytes, encodeAdvertRecord, openAdvertRecord } from './records.js'

const { Kind, WireError, equalBytes, signMessage } = wire

/** The CID a capability key is provided under: a raw-codec CID of sha256("cyx/capability/<key>"). */
export async function capabilityCid (capability: string): Promise<CID> {
  const digest = await sha256.digest(new TextEncoder().encode(`cyx/capability/${capability}`))
  return CID.createV1(raw.code, digest)
}

export type AdvertOffer = Pick<wire.CapabilityAdvert, 'hardware' | 'pricePerHour' | 'profile' | 'capabilities'>

/**
 * A complete advert for this node: its peer id, its current addresses (at most the 16 the wire
 * allows), and a validity of `MESH.advertTtlSeconds` from now.
 */
export function buildAdvert (node: PeerNode, offer: AdvertOffer, ttlSeconds: number = MESH.advertTtlSeconds): wire.CapabilityAdvert {
  const now = BigInt(node.clock())
  return {
    ...offer,
    peerId: node.peerId.toMultihash().bytes,
    addrs: node.multiaddrs().slice(0, 16).map((a) => a.bytes),
    issuedAt: now,
    expiresAt: now + BigInt(ttlSeconds)
  }
}

export interface PublishedAdvert {
  readonly key: Uint8Array
  /** The wallet-signed advert envelope. */
  readonly signed: Uint8Array
  /** The DHT value: `signed` countersigned by the peer key (an `AdvertRecord`). */
  readonly record: Uint8Array
  /** Remote DHT servers that stored the advert (0 means only this node holds it). */
  readonly storedOn: number
  readonly capabilities: readonly string[]
}

/**
 * Signs `advert` with `wallet`, countersigns it with this node's peer key, stores the record in the
 * DHT under this node's advert key and provides the
 * CID of each capability key. Refreshing is calling it again with a newer `issuedAt`: the `cyx`
 * selector keeps the newest.
 */
export async function publishAdvert (node: PeerNode, advert: wire.CapabilityAdvert, wallet: wire.WalletSigner, options: AbortOptions = {}): Promise<PublishedAdvert> {
  if (!equalBytes(advert.peerId, node.peerId.toMultihash().bytes)) {
    throw new WireError('INVALID_FIELD', 'an advert can only be published by the peer it names', 'peerId')
  }
  const signed = signMessage(Kind.CAPABILITY_ADVERT, advert, wallet)
  const record = encodeAdvertRecord(signed, await node.peerSign(advertRecordSigningBytes(signed)))
  const key = advertKey(node.peerId.toString())
  const dht = node.libp2p.services.dht
  const storedOn = new Set<string>()
  for await (const ev of dht.put(key, record, options)) {
    // kad-dht reports a PUT that a peer refused as a QUERY_ERROR after its PEER_RESPONSE.
    if (ev.name === 'PEER_RESPONSE' && ev.messageName === 'PUT_VALUE' && ev.record !== undefined && equalBytes(ev.record.value, record)) storedOn.add(ev.from.toString())
    if (ev.name === 'QUERY_ERROR') storedOn.delete(ev.from.toString())
  }
  await Promise.all(advert.capabilities.map(async (c) => {
    for await (const _ of dht.provide(await capabilityCid(c), options)) { /* drain the query */ }
  }))
  return { key, signed, record, storedOn: storedOn.size, capabilities: [...advert.capabilities] }
}

export interface FoundWorker {
  readonly peerId: PeerId
  readonly advert: wire.CapabilityAdvert
  /** The advert's signer: the worker's wallet public key. */
  readonly wallet: Uint8Array
  /** The wallet-signed advert envelope (e.g. to hand on to a coordinator). */
  readonly signed: Uint8Array
}

/** Fetches and verifies one peer's advert from the DHT; undefined when none valid is found. */
export async function getAdvert (node: PeerNode, peer: PeerId, options: AbortOptions = {}): Promise<FoundWorker | undefined> {
  const key = advertKey(peer.toString())
  let best: Uint8Array | undefined
  try {
    // `get` yields the selector's choice as its last VALUE event.
    for await (const ev of node.libp2p.services.dht.get(key, options)) {
      if (ev.name === 'VALUE') best = ev.value
    }
  } catch {
    // kad-dht throws when it fails to correct a peer holding an older record; a value it already
    // yielded is still checked below.
  }
  if (best === undefined) return undefined
  try {
    const { message, signer, signedAdvert } = openAdvertRecord(key, best, node.clock())
    return { peerId: peer, advert: message, wallet: signer, signed: signedAdvert }
  } catch {
    return undefined
  }
}

export interface FindWorkersOptions extends AbortOptions {
  /** Stop after this many providers. */
  limit?: number
}

/**
 * Workers offering `capability`: DHT providers of its CID whose advert verifies, is fresh and lists
 * the capability. This node itself is left out.
 */
export async function findWorkers (node: PeerNode, capability: string, options: FindWorkersOptions = {}): Promise<FoundWorker[]> {
  const limit = options.limit ?? 64
  const providers = new Map<string, PeerId>()
  for await (const ev of node.libp2p.services.dht.findProviders(await capabilityCid(capability), options)) {
    if (ev.name !== 'PROVIDER') continue
    for (const p of ev.providers) {
      if (!p.id.equals(node.peerId) && providers.size < limit) providers.set(p.id.toString(), p.id)
    }
    if (providers.size >= limit) break
  }
  const found = await Promise.all([...providers.values()].map(async (p) => await getAdvert(node, p, options)))
  return found.filter((w): w is FoundWorker => w !== undefined && w.advert.capabilities.includes(capability))
}
