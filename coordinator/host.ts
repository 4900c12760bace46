/**
 * What the coordinator needs from the peer it runs on, declared here and supplied by the peer room
 * (`coordinatorHost` in peer/match builds one from a libp2p `PeerNode`, the Solana connection and
 * the award policy; `cyx coordinator` passes it to `Coordinator.start`). The service itself only
 * speaks the protocols: it never reaches into the node, the chain or the policy directly.
 */
import type { Connection as StreamConnection, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { wire } from '../protocols/index.js'
import type { ChainFactsReader } from './ledger.js'
import type { BidRanker } from './rank.js'

/** Length-prefixed frames on a stream; bad input (oversized, malformed, truncated) throws a WireError. */
export interface Frames {
  read: (options?: { signal?: AbortSignal }) => Promise<Uint8Array>
  write: (frame: Uint8Array, options?: { signal?: AbortSignal }) => Promise<void>
}

/** What a refused input counts as in the peer's misbehaviour score. */
export type Offence = wire.WireErrorCode | 'WRONG_PEER' | 'STREAM_ERROR'

/** An advert record from the DHT, opened: the advert, its wallet signer, and the wallet-signed envelope. */
export interface OpenedAdvert extends wire.Opened<wire.CapabilityAdvert> {
  /** The wallet-signed advert envelope inside the record, as the worker signed it. */
  readonly signedAdvert: Uint8Array
}

export interface CoordinatorHost {
  /** The coordinator's libp2p identity (what its `MatchResult` names). */
  readonly peerId: PeerId
  /** The wallet that signs match results (and nothing financial). */
  readonly wallet: wire.WalletSigner
  /** Unix seconds (freshness of signed messages). */
  clock: () => number
  /** The addresses others can dial the coordinator on. */
  multiaddrs: () => Multiaddr[]
  /** The peer's misbehaviour ledger: refused input scores its sender down, a banned peer is refused unread. */
  readonly misbehaviour: {
    isBanned: (peer: string) => boolean
    record: (peer: string, offence: Offence) => unknown
  }
  /** Serves `protocol` with `handler`; resolves with the function that stops serving it. */
  handle: (protocol: string, handler: (stream: Stream, connection: StreamConnection) => void) => Promise<() => Promise<void>>
  /** Frames a stream with frames of at most `maxFrameBytes`. */
  framed: (stream: Stream, maxFrameBytes: number) => Frames
  /** Follows job announcements on gossipsub (each valid, new one once); returns the unsubscribe. */
  onJobAnnounce: (handler: (announce: wire.JobAnnounce) => Promise<void>) => () => void
  /** The DHT providers of a capability key (may repeat a peer or include this one; may throw). */
  findProviders: (capability: string, options: { signal: AbortSignal }) => AsyncIterable<PeerId>
  /** The DHT's advert record of `peer`, unopened (the last value found), or undefined. */
  getAdvertRecord: (peer: PeerId, options: { signal: AbortSignal }) => Promise<Uint8Array | undefined>
  /** Opens `peer`'s advert record at `now`: its signatures, freshness and binding to `peer`; throws a WireError otherwise. */
  openAdvertRecord: (peer: PeerId, record: Uint8Array, now: number) => OpenedAdvert
  /** Reads stake, reputation and status of wallets on-chain (the coordinator caches them). */
  readChainFacts: ChainFactsReader
  /** The client's award policy, by which candidates are ranked. */
  rankBids: BidRanker
  /** Registers cleanup to run when the peer stops. */
  onStop: (fn: () => void | Promise<void>) => void
}
