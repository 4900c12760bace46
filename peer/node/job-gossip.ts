/**
 * Job announcements on gossipsub topic `MESH.jobsTopic`.
 *
 * Receiving: a topic validator opens every message before gossipsub forwards or delivers it:
 * the signed `JobAnnounce` must verify (`openSigned`), name the gossip author's peer id as its
 * client (gossipsub's StrictSign authenticates the author, so announcements cannot be replayed
 * under another peer's name), be new (dedup by job id) and within its wallet's rate limit
 * (`takeRateLimit`: 10 jobs a day). Bad messages are rejected, which also lowers the sender's
 * gossipsub score; duplicates and rate-limited ones are ignored (neither delivered nor forwarded).
 *
 * Sending: a publish made before any subscriber is known reaches nobody (gossipsub only sends to
 * peers whose subscriptions it has seen), so `announceJob` waits for subscribers first and then
 * re-announces during the bid window for workers that join late; receivers dedup by job id.
 */
import { logger } from '@libp2p/logger'
import { TopicValidatorResult, type Message } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromMultihash } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { ESCROW, MESH, PEER_MEMORY, takeRateLimit, wire, type RateLimitWindow, toHex } from '../../protocols/index.js'
import { offenceOf } from './misbehaviour.js'
import type { PeerNode } from './node.js'

const log = logger('cyx:node:jobs')

const { Kind, WireError, equalBytes, openSigned } = wire

export interface JobAnnounceEvent {
  readonly message: wire.JobAnnounce
  /** The client's wallet public key (the announce's signer). */
  readonly signer: Uint8Array
  /** The peer that authored the gossip message: the client, whose bid protocol to answer. */
  readonly from: PeerId
  /** The signed bytes as received, e.g. to keep as evidence. */
  readonly bytes: Uint8Array
}

export type JobAnnounceHandler = (event: JobAnnounceEvent) => void | Promise<void>

/** Pause between publishes while too few subscribers have been reached. */
const PUBLISH_RETRY_MS = 25

/** Per-node receive state: one topic validator feeds every handler. */
interface JobGossip {
  readonly handlers: Set<JobAnnounceHandler>
  /** Job ids seen, with the unix second after which they can be forgotten. */
  readonly seen: Map<string, number>
  readonly rate: Map<string, RateLimitWindow>
  readonly opened: WeakMap<Message, JobAnnounceEvent>
  readonly onMessage: (evt: CustomEvent<Message>) => void
}

const states = new WeakMap<PeerNode, JobGossip>()

/** Who authored a gossip message; StrictSign guarantees `from` on every accepted message. */
function authorOf (msg: Message): PeerId {
  if (msg.type !== 'signed') throw new WireError('INVALID_FIELD', 'job announcements must be gossip-signed', 'from')
  return msg.from
}

function forget (seen: Map<string, number>, now: number): void {
  for (const [id, until] of seen) if (until < now) seen.delete(id)
}

/**
 * Bounds the per-wallet rate windows (issue 15 finding 12): past `max` wallets, the windows that
 * have ended are dropped (they would start afresh anyway), then, if still too many, the oldest
 * ones. Dropping a live window only resets that wallet's count (at worst ten more announces from
 * it); refusing new wallets instead would let fresh wallets shut honest clients out for a day.
 */
export function pruneRateWindows (rate: Map<string, RateLimitWindow>, now: number, max: number): void {
  if (rate.size <= max) return
  for (const [w, r] of rate) if (now >= r.windowStart + ESCROW.rateLimitWindowSeconds || now < r.windowStart) rate.delete(w)
  if (rate.size <= max) return
  const oldest = [...rate].sort((a, b) => a[1].windowStart - b[1].windowStart)
  for (const [w] of oldest.slice(0, rate.size - max)) rate.delete(w)
}

function setUp (node: PeerNode): JobGossip {
  const existing = states.get(node)
  if (existing !== undefined) return existing
  const pubsub = node.libp2p.services.pubsub
  const state: JobGossip = {
    handlers: new Set(),
    seen: new Map(),
    rate: new Map(),
    opened: new WeakMap(),
    onMessage: (evt) => {
      const event = state.opened.get(evt.detail)
      if (event === undefined) return // not ours (another topic) or not validated by us
      for (const h of state.handlers) {
        // A handler's failure is the handler's: it must not stop delivery to the others.
        Promise.resolve().then(async () => { await h(event) }).catch((err: unknown) => { log.error('a job-announce handler failed: %e', err) })
      }
    }
  }

  pubsub.topicValidators.set(MESH.jobsTopic, (propagationSource, msg) => {
    const now = node.clock()
    let event: JobAnnounceEvent
    try {
      const from = authorOf(msg)
      const { message, signer } = openSigned(msg.data, Kind.JOB_ANNOUNCE, now)
      if (!equalBytes(message.clientPeerId, from.toMultihash().bytes)) {
        throw new WireError('INVALID_FIELD', 'the announce names another client than its gossip author', 'clientPeerId')
      }
      event = { message, signer, from, bytes: msg.data }
    } catch (e) {
      node.misbehaviour.record(propagationSource.toString(), offenceOf(e))
      return TopicValidatorResult.Reject
    }
    // A failover's re-auction (issue 21) is a round of its own for the same job: one per hand-over.
    const resume = event.message.resume
    const jobId = resume === undefined ? toHex(event.message.jobId) : `${toHex(event.message.jobId)}/${resume.handover}`
    forget(state.seen, now)
    if (state.seen.has(jobId)) return TopicValidatorResult.Ignore
    const wallet = toHex(event.signer)
    const { allowed, next } = takeRateLimit(state.rate.get(wallet) ?? { windowStart: now, count: 0 }, now)
    if (!allowed) return TopicValidatorResult.Ignore
    state.rate.set(wallet, next)
    pruneRateWindows(state.rate, now, PEER_MEMORY.maxRateLimitedWallets)
    // Remembered until it can no longer be accepted anyway (expired, plus the allowed clock skew).
    state.seen.set(jobId, Number(event.message.bidDeadline) + MESH.maxClockSkewSeconds)
    state.opened.set(msg, event)
    return TopicValidatorResult.Accept
  })
  pubsub.addEventListener('message', state.onMessage)
  pubsub.subscribe(MESH.jobsTopic)
  states.set(node, state)
  node.onStop(() => { tearDown(node) })
  return state
}

function tearDown (node: PeerNode): void {
  const state = states.get(node)
  if (state === undefined) return
  const pubsub = node.libp2p.services.pubsub
  pubsub.removeEventListener('message', state.onMessage)
  pubsub.topicValidators.delete(MESH.jobsTopic)
  pubsub.unsubscribe(MESH.jobsTopic)
  states.delete(node)
}

/**
 * Subscribes to job announcements. The handler sees each valid, new, within-rate-limit
 * announcement once. Returns a function that removes the handler (and unsubscribes after the last).
 */
export function onJobAnnounce (node: PeerNode, handler: JobAnnounceHandler): () => void {
  const state = setUp(node)
  state.handlers.add(handler)
  return () => {
    state.handlers.delete(handler)
    if (state.handlers.size === 0) tearDown(node)
  }
}

/** Resolves once `topic` has at least `n` known subscribers, or rejects after `timeoutMs`. */
export async function waitForSubscribers (node: PeerNode, n: number, timeoutMs: number, topic: string = MESH.jobsTopic): Promise<number> {
  const pubsub = node.libp2p.services.pubsub
  const count = (): number => pubsub.getSubscribers(topic).length
  if (count() >= n) return count()
  return await new Promise<number>((resolve, reject) => {
    const check = (): void => {
      if (count() < n) return
      done()
      resolve(count())
    }
    const timer = setTimeout(() => {
      done()
      reject(new Error(`only ${count()} of ${n} subscribers to ${topic} after ${timeoutMs} ms`))
    }, timeoutMs)
    const done = (): void => {
      clearTimeout(timer)
      pubsub.removeEventListener('subscription-change', check)
    }
    pubsub.addEventListener('subscription-change', check)
  })
}

export interface AnnounceOptions {
  /** Wait until this many peers are known to subscribe to the jobs topic (default 1). */
  minSubscribers?: number
  /** How long to wait for them (default 5 s): until then the announcement fails if they are not
   * known, and is re-sent while fewer than that many were reached. */
  waitMs?: number
  /** Re-publish this often until the bid deadline, for late subscribers; 0 = never (default 1000). */
  reannounceEveryMs?: number
}

export interface Announcement {
  readonly jobId: Uint8Array
  /** Peers the announcement was sent to before returning. */
  readonly recipients: number
  /** Stops re-announcing. */
  stop: () => void
}

/**
 * Publishes a signed `JobAnnounce` (bytes from `signMessage`) on the jobs topic. The announcement
 * is opened locally first: a malformed one would only get this node rejected by its peers.
 */
export async function announceJob (node: PeerNode, signedAnnounce: Uint8Array, options: AnnounceOptions = {}): Promise<Announcement> {
  const { message } = openSigned(signedAnnounce, Kind.JOB_ANNOUNCE, node.clock())
  if (!equalBytes(message.clientPeerId, node.peerId.toMultihash().bytes)) {
    throw new WireError('INVALID_FIELD', 'an announce must name the publishing peer as its client', 'clientPeerId')
  }
  const minSubscribers = options.minSubscribers ?? 1
  const waitMs = options.waitMs ?? 5_000
  const giveUpAt = Date.now() + waitMs
  await waitForSubscribers(node, minSubscribers, waitMs)
  const pubsub = node.libp2p.services.pubsub
  // Knowing a subscriber is not enough: gossipsub sends only to peers it has an outbound stream to,
  // which may open a moment after their subscription arrived. Publish again until enough peers
  // were actually sent the announcement (receivers drop the repeats by job id).
  const recipients = new Set<string>()
  while (true) {
    for (const p of (await pubsub.publish(MESH.jobsTopic, signedAnnounce)).recipients) recipients.add(p.toString())
    if (recipients.size >= minSubscribers || Date.now() >= giveUpAt) break
    await new Promise((resolve) => setTimeout(resolve, PUBLISH_RETRY_MS))
  }

  const every = options.reannounceEveryMs ?? 1_000
  const deadlineMs = Number(message.bidDeadline) * 1000
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  const stop = (): void => {
    stopped = true
    clearTimeout(timer)
  }
  const again = (): void => {
    // The node's clock, not Date.now(): the deadline is in the same (possibly simulated) time.
    if (stopped || node.clock() * 1000 + every >= deadlineMs) return
    timer = setTimeout(() => {
      pubsub.publish(MESH.jobsTopic, signedAnnounce).catch((err: unknown) => { log('re-announcing failed: %e', err) }).finally(again)
    }, every)
    timer.unref()
  }
  if (every > 0) again()
  node.onStop(stop)
  return { jobId: message.jobId, recipients: recipients.size, stop }
}

/** The peer id an announce names as its client. */
export function clientPeerOf (announce: wire.JobAnnounce): PeerId {
  return peerIdFromMultihash(Digest.decode(announce.clientPeerId))
}
