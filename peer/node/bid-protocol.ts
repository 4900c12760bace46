/**
 * `/cyx/bid/1.0.0`: a worker opens a stream to the client and sends one length-prefixed signed
 * `Bid`. The client accepts it by answering one empty frame (a zero length prefix) and closing, or
 * refuses it by resetting the stream. The receipt is explicit because a graceful close alone is
 * ambiguous: a connection closed for any reason ends its streams gracefully too.
 *
 * A refusal of bad input (oversized, malformed, badly signed, for a job that is not open,
 * from a peer the bid does not name) also lowers the sender's misbehaviour score; a banned peer's
 * streams are reset before anything is read. A bid for a round that closed recently (within
 * `MESH.maxAnnounceBidWindowSeconds`, the most any announce lets a worker take) is refused as `LATE`
 * and is no offence: an honest worker on a slow link or a loaded machine sends those.
 *
 * This file is protocol only: which bid wins is policy and lives elsewhere.
 */
import { logger } from '@libp2p/logger'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { MESH, TIMEOUTS, sleep, wire, toHex } from '../../protocols/index.js'
import { framed } from './framing.js'
import { offenceOf } from './misbehaviour.js'
import type { PeerNode } from './node.js'
import { connectionTo } from './streams.js'

const log = logger('cyx:node:bid')

const { Kind, WireError, equalBytes, openSigned } = wire

/*
 * The waits of this protocol, derived from the network assumptions (protocols/params.ts,
 * `NETWORK`, `protocolTimeouts`), where what each waits for is written.
 */
/** How long a bidder has to deliver its one frame after opening the stream (`TIMEOUTS.bidFrameMs`). */
const READ_TIMEOUT_MS = TIMEOUTS.bidFrameMs
/** How long the client's receipt and close may take to go out (`TIMEOUTS.bidReceiptMs`). */
const RECEIPT_TIMEOUT_MS = TIMEOUTS.bidReceiptMs
/** A worker's whole bid, dial to receipt, by default (`TIMEOUTS.bidSendMs`). */
const SEND_TIMEOUT_MS = TIMEOUTS.bidSendMs

/** Most closed rounds remembered for telling a late bid from an unexpected one. */
const CLOSED_ROUNDS_KEPT = 1_024

/** The client's receipt for an accepted bid: one empty frame. */
const BID_RECEIPT = new Uint8Array(0)

export interface ReceivedBid {
  readonly message: wire.Bid
  /** The worker's wallet public key (the bid's signer). */
  readonly signer: Uint8Array
  /** The peer that sent it (authenticated by Noise, and the one the bid names). */
  readonly from: PeerId
  readonly bytes: Uint8Array
  /** Local time of arrival, ms. */
  readonly receivedAt: number
}

/** Raised (to `onRejected`) for a bid that is well-formed but not acceptable now. */
export class BidRefusedError extends Error {
  readonly reason: 'UNEXPECTED_JOB' | 'LATE' | 'DUPLICATE' | 'WRONG_PEER' | 'BANNED'
  constructor (reason: BidRefusedError['reason'], message: string) {
    super(message)
    this.name = 'BidRefusedError'
    this.reason = reason
  }
}

/** One job's bidding round on the client. */
export interface BidRound {
  readonly jobId: Uint8Array
  /** Bids accepted so far, in arrival order. */
  readonly bids: readonly ReceivedBid[]
  /** Resolves with all bids when the round closes (its window ends or `close()` is called). */
  readonly closed: Promise<readonly ReceivedBid[]>
  /** Called for each bid as it is accepted. */
  onBid: (fn: (bid: ReceivedBid) => void) => void
  /** Re-times the round: it closes `ms` from now instead (the announce published may be later than the round's opening). */
  closeIn: (ms: number) => void
  close: () => void
}

export interface BidCollectorOptions {
  /** Told about every refused stream: a WireError for bad bytes, a BidRefusedError otherwise. */
  onRejected?: (peer: PeerId, error: Error) => void
}

export interface BidCollector {
  /** Opens a round for `jobId`: bids for it are accepted for `windowMs` (default: the bid window). */
  open: (jobId: Uint8Array, windowMs?: number) => BidRound
  stop: () => Promise<void>
}

/** Registers the bid protocol handler on `node`; bids are accepted only for rounds it opened. */
export async function startBidCollector (node: PeerNode, options: BidCollectorOptions = {}): Promise<BidCollector> {
  const rounds = new Map<string, { bids: ReceivedBid[], from: Set<string>, listeners: Array<(b: ReceivedBid) => void>, close: () => void }>()
  /** Rounds closed lately, by job id: local ms until which a bid for them is `LATE`, not unexpected. */
  const closed = new Map<string, number>()
  const closedLately = (key: string): boolean => {
    const now = Date.now()
    for (const [k, until] of closed) if (until <= now) closed.delete(k)
    return closed.has(key)
  }

  const refuse = (stream: Stream, peer: PeerId, error: Error, offence: Parameters<PeerNode['misbehaviour']['record']>[1] | undefined): void => {
    if (offence !== undefined) node.misbehaviour.record(peer.toString(), offence)
    stream.abort(error)
    try {
      options.onRejected?.(peer, error)
    } catch {
      // an observer's failure is not the protocol's
    }
  }

  const handler = async (stream: Stream, connection: Connection): Promise<void> => {
    const peer = connection.remotePeer
    if (node.misbehaviour.isBanned(peer.toString())) {
      refuse(stream, peer, new BidRefusedError('BANNED', 'peer is banned for misbehaviour'), undefined)
      return
    }
    const frames = framed(stream, MESH.maxSignedMessageBytes)
    let bytes: Uint8Array
    let opened: wire.Opened<wire.Bid>
    try {
      bytes = await frames.read({ signal: AbortSignal.timeout(READ_TIMEOUT_MS) })
      opened = openSigned(bytes, Kind.BID, node.clock())
    } catch (e) {
      refuse(stream, peer, e instanceof Error ? e : new Error(String(e)), offenceOf(e))
      return
    }
    const { message, signer } = opened
    if (!equalBytes(message.workerPeerId, peer.toMultihash().bytes)) {
      refuse(stream, peer, new WireError('INVALID_FIELD', 'the bid names another worker than its sender', 'workerPeerId'), 'WRONG_PEER')
      return
    }
    const round = rounds.get(toHex(message.jobId))
    if (round === undefined && closedLately(toHex(message.jobId))) {
      refuse(stream, peer, new BidRefusedError('LATE', 'the bidding round for this job has closed'), undefined)
      return
    }
    if (round === undefined) {
      refuse(stream, peer, new BidRefusedError('UNEXPECTED_JOB', 'no open bidding round for this job'), 'UNEXPECTED_JOB')
      return
    }
    if (round.from.has(peer.toString())) {
      refuse(stream, peer, new BidRefusedError('DUPLICATE', 'one bid per worker per job'), 'DUPLICATE')
      return
    }
    round.from.add(peer.toString())
    const bid: ReceivedBid = { message, signer, from: peer, bytes, receivedAt: Date.now() }
    round.bids.push(bid)
    for (const fn of round.listeners) {
      try {
        fn(bid)
      } catch {
        // a listener's failure does not refuse an accepted bid
      }
    }
    // The receipt. If the bidder already went away there is nothing more to say.
    try {
      await frames.write(BID_RECEIPT, { signal: AbortSignal.timeout(RECEIPT_TIMEOUT_MS) })
      await stream.close({ signal: AbortSignal.timeout(RECEIPT_TIMEOUT_MS) })
    } catch (e) {
      stream.abort(e instanceof Error ? e : new Error(String(e)))
    }
  }

  await node.libp2p.handle(MESH.bidProtocol, (stream, connection) => {
    // The handler never throws: whatever a remote peer sends ends in a reset at worst.
    handler(stream, connection).catch((e) => { stream.abort(e instanceof Error ? e : new Error(String(e))) })
  })

  const collector: BidCollector = {
    open: (jobId, windowMs = MESH.bidWindowSeconds * 1000) => {
      const key = toHex(jobId)
      if (rounds.has(key)) throw new Error(`a bidding round for job ${key} is already open`)
      let finish!: (bids: readonly ReceivedBid[]) => void
      const done = new Promise<readonly ReceivedBid[]>((resolve) => { finish = resolve })
      const close = (): void => {
        clearTimeout(timer)
        if (rounds.get(key) === state) {
          rounds.delete(key)
          closed.set(key, Date.now() + MESH.maxAnnounceBidWindowSeconds * 1000)
          while (closed.size > CLOSED_ROUNDS_KEPT) closed.delete(closed.keys().next().value as string)
        }
        finish([...state.bids])
      }
      const state = { bids: [] as ReceivedBid[], from: new Set<string>(), listeners: [] as Array<(b: ReceivedBid) => void>, close }
      closed.delete(key)
      rounds.set(key, state)
      let timer = setTimeout(close, windowMs)
      const closeIn = (ms: number): void => {
        if (rounds.get(key) !== state) return
        clearTimeout(timer)
        timer = setTimeout(close, Math.max(0, ms))
      }
      return { jobId, bids: state.bids, closed: done, onBid: (fn) => { state.listeners.push(fn) }, closeIn, close }
    },
    stop: async () => {
      for (const round of [...rounds.values()]) round.close()
      await node.libp2p.unhandle(MESH.bidProtocol).catch((err: unknown) => { log('unhandling the bid protocol failed: %e', err) })
    }
  }
  node.onStop(collector.stop)
  return collector
}

export class BidNotAcceptedError extends Error {
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'BidNotAcceptedError'
  }
}

/** Tries a bid gets when the connection or stream closes under it before the client answered. */
const BID_ATTEMPTS = 3
/** Pause between those tries (the connection that replaces a closed one is being set up). */
const BID_RETRY_PAUSE_MS = 250

/**
 * Sends one signed bid (bytes from `signMessage`) to the client and resolves when the client has
 * accepted it; rejects with `BidNotAcceptedError` when the client resets the stream.
 */
export async function sendBid (node: PeerNode, client: PeerId | Multiaddr, signedBid: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<void> {
  const signal = options.signal ?? AbortSignal.timeout(SEND_TIMEOUT_MS)
  for (let attempt = 1; ; attempt++) {
    try {
      await sendBidOn(node, client, signedBid, signal)
      return
    } catch (e) {
      // A connection can close under a bid: DCUtR closes a relayed connection as soon as it has
      // made a direct one (docs/network.md), a simultaneous dial is deduplicated, a connection
      // manager prunes. A bid caught so is sent again, on whatever connection replaced it. A
      // refusal by the client, or the time running out, stands.
      if (!(e instanceof ConnectionGoneError) || signal.aborted || attempt >= BID_ATTEMPTS) throw e
      log('the connection to %s closed under a bid (%s); sending it again', e.peer, e.message)
      await sleep(BID_RETRY_PAUSE_MS, signal)
    }
  }
}

/** A bid that failed because its connection closed (not because the client refused it). */
class ConnectionGoneError extends BidNotAcceptedError {
  constructor (message: string, readonly peer: string, options: { cause: unknown }) { super(message, options) }
}

/** What went wrong, in words: libp2p rejects some waits with the stream's or connection's `close` Event, not an Error. */
function describe (e: unknown): string {
  if (e instanceof Error) return e.message
  if (e instanceof Event) return `the ${e.type} event of ${e.target?.constructor.name ?? 'a stream'}`
  return String(e)
}

async function sendBidOn (node: PeerNode, client: PeerId | Multiaddr, signedBid: Uint8Array, signal: AbortSignal): Promise<void> {
  let conn: Connection
  let stream: Stream
  try {
    conn = await connectionTo(node.libp2p, client, { signal })
    stream = await conn.newStream(MESH.bidProtocol, { signal })
  } catch (e) {
    if (signal.aborted) throw e
    // Nothing was sent yet: a dial or a protocol negotiation that fails here met a connection closing.
    throw new ConnectionGoneError(`could not open a bid stream: ${describe(e)}`, client.toString(), { cause: e })
  }
  try {
    const frames = framed(stream, MESH.maxSignedMessageBytes)
    await frames.write(signedBid, { signal })
    await stream.close({ signal })
    const receipt = await frames.read({ signal })
    if (receipt.byteLength !== 0) throw new WireError('MALFORMED', 'a bid receipt is an empty frame')
    // Accepted. Both ends have closed their writing side, so the stream is done; nothing to wait for.
  } catch (e) {
    stream.abort(e instanceof Error ? e : new Error(describe(e)))
    const message = `the client did not accept the bid: ${describe(e)}`
    if (conn.status !== 'open') throw new ConnectionGoneError(message, conn.remotePeer.toString(), { cause: e })
    throw new BidNotAcceptedError(message, { cause: e })
  }
}
