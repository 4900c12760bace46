/**
 * `/cyx/job/1.1.0`: one stream per job between the client and its awarded worker, carrying
 * length-prefixed `JobMessage` frames of at most `MESH.maxJobFrameBytes`.
 *
 *   client                                   worker
 *   Award (signed by the client's wallet) →
 *                                            checks the escrow on-chain (hooks.accept)
 *                                      ←     Error(ESCROW_INVALID | UNAVAILABLE) and close, or
 *                                      ←     Metrics(epoch 0): accepted, send the data
 *   DataChunk … DataEnd                  →   bounded, in order; the whole against the spec's hash
 *                                      ←     (meanwhile Metrics(epoch 0) again every interval)
 *                                      ←     Metrics (at least every PROOF.metricsIntervalSeconds),
 *                                            CheckpointNotice per segment
 *                                      ←     Delivery, then weightsChunk … weightsEnd
 *   (checks the weights against the Delivery's hash) both close.
 *
 * The explicit acceptance (Metrics for epoch 0) exists because streams have no backpressure
 * towards the sender: a client streaming its dataset before the worker has checked the chain would
 * fill the worker's read buffer with data it may refuse. The periodic metrics also keep the stream
 * alive past yamux's idle timeout during long segments.
 *
 * Defence: a frame that is oversized, malformed, of the wrong kind for the phase, or badly signed
 * resets the stream and lowers the sender's misbehaviour score; a banned peer's streams are reset
 * before anything is read. Every handler catches everything: nothing a remote peer sends can
 * throw out of this file. What to accept and how to train is not decided here (hooks).
 */
import { logger } from '@libp2p/logger'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { MESH, PEER_MEMORY, PROOF, TIMEOUTS, wire } from '../../protocols/index.js'
import { framed, offenceOf, openStream, type FramedStream, type Offence, type PeerNode } from '../node/index.js'
import type { Dataset, TrainingData } from '../train/index.js'
import { isEvidenceError } from '../../storage/index.js'
import type { PushedDataset } from '../evidence/index.js'
import { decodeDataset } from './dataset-codec.js'
import { chunkPayload, PayloadAssembler } from './transfer.js'

const log = logger('cyx:job')

const { ErrorCode, Kind, WireError, decodeJobMessage, encodeJobFrame, openEnvelope } = wire

/**
 * Bytes received ahead of the reader before the stream is reset: 16 frames (~4 MiB, lpStream's
 * own default). Senders stream chunks without waiting, so this must absorb a burst while the
 * reader hashes; it bounds the memory one stream can take.
 */
export const JOB_BUFFER_BYTES = 16 * MESH.maxJobFrameBytes
/*
 * The waits on this stream, derived from the network assumptions (protocols/params.ts, `NETWORK`,
 * `protocolTimeouts`): what each waits for is written there.
 */
/** The client's dial of the job stream (`TIMEOUTS.jobDialMs`). */
const JOB_DIAL_TIMEOUT_MS = TIMEOUTS.jobDialMs
/** The award must arrive this soon after the stream opens (`TIMEOUTS.awardMs`). */
const AWARD_TIMEOUT_MS = TIMEOUTS.awardMs
/** The worker's answer to an award (its ledger calls) must arrive this soon (`TIMEOUTS.acceptMs`). */
const ACCEPT_TIMEOUT_MS = TIMEOUTS.acceptMs
/** Longest silence tolerated once a job runs: three missed metrics intervals and the last frame's
 * crossing (`TIMEOUTS.jobIdleMs`). */
export const JOB_IDLE_TIMEOUT_MS = TIMEOUTS.jobIdleMs
/** How often the worker checks whether a heartbeat metrics frame is due: a local timer's
 * granularity (a heartbeat goes out up to two ticks early), not a network wait. */
const HEARTBEAT_TICK_MS = 500
/** After closing our end, how long the remote has to close its end before the stream is reset;
 * also an Error frame's send (`TIMEOUTS.lingerMs`: a frame of `MESH.maxJobFrameBytes` at the floor rate). */
const LINGER_MS = TIMEOUTS.lingerMs

/** The other end answered with an Error frame. */
export class JobRefusedError extends Error {
  readonly code: wire.ErrorCode
  constructor (code: wire.ErrorCode, message: string) {
    super(`${code}: ${message}`)
    this.name = 'JobRefusedError'
    this.code = code
  }
}

/** Thrown by a worker's hooks to answer with an Error frame of `code`. */
export class JobRefusal extends Error {
  readonly code: wire.ErrorCode
  constructor (code: wire.ErrorCode, message: string) {
    super(message)
    this.name = 'JobRefusal'
    this.code = code
  }
}

/** Frames of one job stream: writes are serialized (heartbeats and progress race otherwise). */
export class JobChannel {
  readonly stream: Stream
  readonly #frames: FramedStream
  #writing: Promise<void> = Promise.resolve()

  constructor (stream: Stream) {
    this.stream = stream
    this.#frames = framed(stream, MESH.maxJobFrameBytes, JOB_BUFFER_BYTES)
  }

  async send (m: wire.JobMessage, signal?: AbortSignal): Promise<void> {
    const bytes = encodeJobFrame(m)
    const next = this.#writing.then(async () => { await this.#frames.write(bytes, signal === undefined ? {} : { signal }) })
    // A failed write fails this call; the queue goes on for the next.
    this.#writing = next.catch((err: unknown) => { log.trace('a queued write failed (its caller got the error): %e', err) })
    await next
  }

  /** The next frame, decoded and validated; a WireError for bad bytes. */
  async receive (signal: AbortSignal): Promise<wire.JobMessage> {
    return decodeJobMessage(await this.#frames.read({ signal }))
  }

  /** Closes our end gracefully (unsent frames are delivered) and resets the stream if the
   * remote does not close its end soon after. */
  async finish (): Promise<void> {
    await this.#writing
    try {
      await this.stream.close({ signal: AbortSignal.timeout(LINGER_MS) })
    } catch (e) {
      this.stream.abort(e instanceof Error ? e : new Error(String(e)))
      return
    }
    const timer = setTimeout(() => { this.stream.abort(new Error('the remote end did not close')) }, LINGER_MS)
    timer.unref()
    this.stream.addEventListener('close', () => { clearTimeout(timer) }, { once: true })
  }
}

const asError = (e: unknown): Error => e instanceof Error ? e : new Error(String(e))

/** The Error-frame code answering a refused input. */
function errorCodeFor (e: unknown): wire.ErrorCode {
  if (e instanceof JobRefusal) return e.code
  // A client-model dataset whose bytes do not match its manifest (checked as they arrive).
  if (isEvidenceError(e, 'HASH_MISMATCH')) return ErrorCode.DATA_HASH_MISMATCH
  if (wire.isWireError(e)) {
    switch (e.code) {
      case 'HASH_MISMATCH': return ErrorCode.DATA_HASH_MISMATCH
      case 'TOO_LARGE': return ErrorCode.TOO_LARGE
      case 'BAD_SIGNATURE': return ErrorCode.BAD_SIGNATURE
      default: return ErrorCode.MALFORMED
    }
  }
  return ErrorCode.INTERNAL
}

function errorFrame (code: wire.ErrorCode, message: string): wire.JobMessage {
  return { error: { code, message: message.slice(0, 512) } }
}

function payloadName (m: wire.JobMessage): string {
  return Object.keys(m).find((k) => m[k as keyof wire.JobMessage] !== undefined) ?? 'nothing'
}

// ------------------------------------------------------------------------------------ worker

/** Progress the worker's training reports; each call becomes a frame to the client. */
export interface TrainingProgress {
  metrics: (m: Omit<wire.Metrics, 'timestamp'>) => void
  checkpoint: (c: wire.CheckpointNotice) => void
}

export interface DeliveredWork {
  readonly delivery: wire.Delivery
  /** The final weights; their SHA-256 must be `delivery.weightsHash`. */
  readonly weights: Uint8Array
}

/**
 * How a session ended. `interrupted`: the stream went away (the client's connection dropped, or
 * this service stopped) before the job was delivered, rather than the job failing: the job can be
 * resumed when the client comes back with the same award.
 */
export type SessionOutcome = { readonly ok: true } | { readonly ok: false, readonly error: Error, readonly interrupted: boolean }

export interface JobServiceHooks<J> {
  /**
   * Decides on an opened award before anything else happens (the escrow check). Returns the job,
   * or throws a `JobRefusal` whose code is answered to the client.
   */
  accept: (award: wire.Award, client: Uint8Array, from: PeerId) => Promise<J>
  /**
   * A client-model job (`spec.clientModel`): this hook gets its inputs and checks them against the
   * spec. The model and the dataset's manifest come by CID (over bitswap, from the client or any
   * peer holding them); the dataset's bytes come on this stream from the client, asked for through
   * `dataset` once the hook holds the manifest (so it can check each block as it arrives). Without
   * the hook, such jobs are refused.
   */
  fetchClientInputs?: (job: J, spec: wire.TrainingSpec, signal: AbortSignal, dataset: PushedDataset) => Promise<TrainingData>
  /** Called once the dataset arrived whole and matched the spec's hash, with how long it took. */
  received?: (job: J, transfer: Transfer) => void | Promise<void>
  /** Trains and returns what to deliver. `signal` fires when the client's stream goes away. */
  run: (job: J, dataset: TrainingData, progress: TrainingProgress, signal: AbortSignal) => Promise<DeliveredWork>
  /** Called once for every accepted job when its session ends, however it ends. */
  finished?: (job: J, outcome: SessionOutcome) => void | Promise<void>
}

export interface JobServiceOptions {
  /** Told about every refused stream: a WireError for bad bytes, a JobRefusal for a refused award. */
  onRejected?: (peer: PeerId, error: Error) => void
}

export interface JobService {
  /** Sessions running now. */
  readonly active: () => number
  stop: () => Promise<void>
}

/** Registers the worker's side of /cyx/job/1.1.0 on `node`. */
export async function startJobService<J> (node: PeerNode, hooks: JobServiceHooks<J>, options: JobServiceOptions = {}): Promise<JobService> {
  const sessions = new Set<AbortController>()

  const notify = (peer: PeerId, error: Error): void => {
    try {
      options.onRejected?.(peer, error)
    } catch {
      // an observer's failure is not the protocol's
    }
  }
  /** Refuses remote input: score, reset, tell. */
  const refuse = (stream: Stream, peer: PeerId, error: Error, offence: Offence | undefined): void => {
    if (offence !== undefined) node.misbehaviour.record(peer.toString(), offence)
    stream.abort(error)
    notify(peer, error)
  }
  /** Answers with an Error frame, then closes (the frame is delivered before the close). */
  const answer = async (ch: JobChannel, code: wire.ErrorCode, message: string): Promise<void> => {
    try {
      await ch.send(errorFrame(code, message), AbortSignal.timeout(LINGER_MS))
      await ch.finish()
    } catch (e) {
      ch.stream.abort(asError(e))
    }
  }

  const handler = async (stream: Stream, connection: Connection): Promise<void> => {
    const peer = connection.remotePeer
    if (node.misbehaviour.isBanned(peer.toString())) {
      refuse(stream, peer, new JobRefusal(ErrorCode.UNAVAILABLE, 'peer is banned for misbehaviour'), undefined)
      return
    }
    const ch = new JobChannel(stream)
    let award: wire.Award
    let spec: wire.TrainingSpec
    let client: Uint8Array
    try {
      const first = await ch.receive(AbortSignal.timeout(AWARD_TIMEOUT_MS))
      if (first.award === undefined) throw new WireError('INVALID_FIELD', `a job starts with its award, not ${payloadName(first)}`, 'award')
      const opened = openEnvelope(first.award, Kind.AWARD, node.clock())
      award = opened.message
      // validateAward (inside openEnvelope) has checked the spec is there and hashes to specHash.
      spec = award.spec as wire.TrainingSpec
      client = opened.signer
    } catch (e) {
      refuse(stream, peer, asError(e), offenceOf(e))
      return
    }

    let job: J
    try {
      job = await hooks.accept(award, client, peer)
    } catch (e) {
      // A refused award is not misbehaviour: the client may be honest and early (escrow not yet
      // visible at our commitment) or mistaken. It gets a typed answer.
      notify(peer, asError(e))
      await answer(ch, errorCodeFor(e), asError(e).message)
      return
    }

    const session = new AbortController()
    sessions.add(session)
    stream.addEventListener('close', () => { session.abort(new Error('the job stream closed')) }, { once: true })
    let outcome: SessionOutcome = { ok: true }
    const totalEpochs = spec.epochs
    let last: Omit<wire.Metrics, 'timestamp'> = { epoch: 0, totalEpochs, step: 0, loss: 0, trainAccuracy: 0, testAccuracy: 0 }
    let lastSentAt = Date.now()
    const sendMetrics = (m: Omit<wire.Metrics, 'timestamp'>): Promise<void> => {
      last = m
      lastSentAt = Date.now()
      return ch.send({ metrics: { ...m, timestamp: BigInt(node.clock()) } })
    }
    let heartbeat: NodeJS.Timeout | undefined
    try {
      await sendMetrics(last) // accepted: send the data
      // Heartbeats: the last metrics again whenever nothing was sent for most of an interval —
      // from the acceptance on, so the client's idle timeout does not run out while its own
      // dataset is still streaming in (31 MB at 15 Mbit/s takes longer than three intervals).
      heartbeat = setInterval(() => {
        if (Date.now() - lastSentAt >= PROOF.metricsIntervalSeconds * 1000 - 2 * HEARTBEAT_TICK_MS) sendMetrics(last).catch((err: unknown) => { log('a heartbeat failed: %e', err) })
      }, HEARTBEAT_TICK_MS)

      let dataset: TrainingData
      const acceptedAt = performance.now()
      try {
        if (spec.clientModel !== undefined) {
          if (hooks.fetchClientInputs === undefined) throw new JobRefusal(ErrorCode.UNAVAILABLE, 'this worker does not train client models')
          // The client's bytes are checked against the spec's hashes by the hook: a mismatch is not
          // misbehaviour on this stream (the blocks may have come from any peer).
          dataset = await hooks.fetchClientInputs(job, spec, session.signal, pushedDatasetOver(ch, spec, session.signal))
        } else {
          dataset = await receiveDataset(ch, spec, session.signal)
        }
      } catch (e) {
        clearInterval(heartbeat) // the Error frame is the last this stream carries
        if (session.signal.aborted && !wire.isWireError(e)) throw e
        if (spec.clientModel === undefined) node.misbehaviour.record(peer.toString(), offenceOf(e))
        notify(peer, asError(e))
        await answer(ch, errorCodeFor(e), asError(e).message)
        outcome = { ok: false, error: asError(e), interrupted: false }
        return
      }
      await hooks.received?.(job, { bytes: Number(spec.datasetBytes), ms: Math.round(performance.now() - acceptedAt) })
      const pending: Array<Promise<void>> = []
      const progress: TrainingProgress = {
        metrics: (m) => { pending.push(sendMetrics(m).catch((err: unknown) => { log('sending metrics failed: %e', err) })) },
        checkpoint: (c) => { pending.push(ch.send({ checkpoint: c }).catch((err: unknown) => { log('sending a checkpoint failed: %e', err) })) }
      }
      const work = await hooks.run(job, dataset, progress, session.signal)
      clearInterval(heartbeat)
      await Promise.all(pending)
      if (!wire.equalBytes(wire.sha256(work.weights), work.delivery.weightsHash) || BigInt(work.weights.byteLength) !== work.delivery.weightsBytes) {
        throw new Error('internal: the weights do not match their delivery record')
      }
      await ch.send({ delivery: work.delivery }, session.signal)
      // Their hash was checked just above: no second pass over the weights.
      for (const f of chunkPayload(work.weights, MESH.maxChunkBytes, work.delivery.weightsHash)) {
        await ch.send(f.chunk !== undefined ? { weightsChunk: f.chunk } : { weightsEnd: f.end }, session.signal)
      }
      await ch.finish()
    } catch (e) {
      outcome = { ok: false, error: asError(e), interrupted: session.signal.aborted }
      if (!session.signal.aborted) await answer(ch, ErrorCode.INTERNAL, 'the worker failed to run the job')
      else stream.abort(asError(e))
    } finally {
      clearInterval(heartbeat)
      sessions.delete(session)
      try {
        await hooks.finished?.(job, outcome)
      } catch {
        // the hook's failure must not escape the handler
      }
    }
  }

  await node.libp2p.handle(MESH.jobProtocol, (stream, connection) => {
    handler(stream, connection).catch((e) => { stream.abort(asError(e)) })
  })
  const service: JobService = {
    active: () => sessions.size,
    stop: async () => {
      for (const s of sessions) s.abort(new Error('the job service stopped'))
      await node.libp2p.unhandle(MESH.jobProtocol).catch((err: unknown) => { log('unhandling the job protocol failed: %e', err) })
    }
  }
  node.onStop(service.stop)
  return service
}

/**
 * The worker's `PushedDataset` on a job stream: `receive` sends a `DataRequest` and yields the
 * `DataChunk`s' bytes (up to `MESH.maxChunkBytes` each) until the `DataEnd`, which must name exactly
 * the bytes and chunks that came and the spec's dataset hash. Exported for the mesh bench too.
 */
export function pushedDatasetOver (ch: JobChannel, spec: wire.TrainingSpec, signal: AbortSignal): PushedDataset {
  return { receive: (bytes) => requestDataset(ch, spec, bytes, signal) }
}

/**
 * Asks the client for its dataset and yields the bytes as they come (`PushedDataset`); every
 * refusal of the frames is a WireError.
 */
async function * requestDataset (ch: JobChannel, spec: wire.TrainingSpec, bytes: number, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  if (!Number.isSafeInteger(bytes) || bytes < 1 || BigInt(bytes) !== spec.datasetBytes) throw new RangeError(`the dataset is ${spec.datasetBytes} bytes by the spec, not ${bytes}`)
  await ch.send({ dataRequest: {} }, signal)
  let received = 0
  let chunks = 0
  while (true) {
    const m = await ch.receive(AbortSignal.any([signal, AbortSignal.timeout(JOB_IDLE_TIMEOUT_MS)]))
    if (m.dataChunk !== undefined) {
      if (m.dataChunk.index !== chunks) throw new WireError('INVALID_FIELD', `expected chunk ${chunks}, got ${m.dataChunk.index}`, 'chunk.index')
      if (received + m.dataChunk.data.byteLength > bytes) throw new WireError('TOO_LARGE', `the dataset exceeds its ${bytes} bytes`, 'chunk.data')
      received += m.dataChunk.data.byteLength
      chunks++
      yield m.dataChunk.data
    } else if (m.dataEnd !== undefined) {
      const end = m.dataEnd
      if (end.chunks !== chunks || end.totalBytes !== BigInt(received) || received !== bytes) throw new WireError('INVALID_FIELD', `the end names ${end.chunks} chunks and ${end.totalBytes} bytes; ${chunks} and ${received} of ${bytes} arrived`, 'end')
      if (!wire.equalBytes(end.sha256, spec.datasetHash)) throw new WireError('HASH_MISMATCH', 'the end marker names another dataset than the spec', 'end.sha256')
      return
    } else {
      throw new WireError('INVALID_FIELD', `expected dataset frames, got ${payloadName(m)}`, 'payload')
    }
  }
}

/** Reads DataChunk… DataEnd and decodes the dataset; every refusal of the bytes is a WireError. */
async function receiveDataset (ch: JobChannel, spec: wire.TrainingSpec, signal: AbortSignal): Promise<Dataset> {
  const bound = Math.min(Number(spec.datasetBytes), MESH.maxDatasetBytes)
  const assembler = new PayloadAssembler(bound, spec.datasetHash)
  while (true) {
    const m = await ch.receive(AbortSignal.any([signal, AbortSignal.timeout(JOB_IDLE_TIMEOUT_MS)]))
    if (m.dataChunk !== undefined) assembler.add(m.dataChunk)
    else if (m.dataEnd !== undefined) return decodeDataset(spec.datasetId, assembler.finish(m.dataEnd))
    else throw new WireError('INVALID_FIELD', `expected dataset frames, got ${payloadName(m)}`, 'payload')
  }
}

// ------------------------------------------------------------------------------------ client

export interface JobSessionOptions {
  /** The award as `signMessage(Kind.AWARD, award, wallet)` returned it. */
  readonly signedAward: Uint8Array
  /**
   * The dataset's bytes, one buffer or parts sent one after another; their SHA-256 is the spec's
   * dataset hash. A built-in dataset's encoding (`encodeDataset`) is streamed as soon as the worker
   * accepts; a client model's dataset (its canonical encoding, `datasetSegments`) when the worker
   * asks for it (`DataRequest`), having fetched the model and the dataset's manifest by CID.
   */
  readonly dataset: Uint8Array | readonly Uint8Array[]
  readonly onAccepted?: () => void
  readonly onMetrics?: (m: wire.Metrics) => void
  readonly onCheckpoint?: (c: wire.CheckpointNotice) => void
  readonly onDelivery?: (d: wire.Delivery) => void
  readonly signal?: AbortSignal
  /** Longest silence from the worker once it accepted (default `JOB_IDLE_TIMEOUT_MS`). */
  readonly idleTimeoutMs?: number
}

/**
 * How long one leg of a job's payload took, timed by its receiver (milliseconds): the dataset from
 * the worker's acceptance (which the client answers by streaming it) to its last byte; the weights
 * from their delivery record, sent just before them, to their last byte. Reported, never a rule.
 */
export interface Transfer { readonly bytes: number, readonly ms: number }

export interface JobSessionResult {
  readonly delivery: wire.Delivery
  readonly weights: Uint8Array
  /** The weights' leg, as this client timed it (absent where no session carried them). */
  readonly weightsTransfer?: Transfer
  readonly metrics: readonly wire.Metrics[]
  readonly checkpoints: readonly wire.CheckpointNotice[]
}

const observe = <T>(fn: ((x: T) => void) | undefined, x: T): void => {
  try {
    fn?.(x)
  } catch {
    // an observer's failure does not fail the job
  }
}

/**
 * The client's side of one job: sends the award, streams the dataset once the worker accepted,
 * reports progress, and returns the delivery with the weights checked against its hash. Rejects
 * with `JobRefusedError` when the worker answers with an Error frame, a `WireError` when the
 * worker sends bad frames (the worker's score drops), or the stream's error.
 */
export async function runJobSession (node: PeerNode, worker: PeerId | Multiaddr, options: JobSessionOptions): Promise<JobSessionResult> {
  const outer = options.signal ?? new AbortController().signal
  const idle = options.idleTimeoutMs ?? JOB_IDLE_TIMEOUT_MS
  const stream = await openStream(node.libp2p, worker, MESH.jobProtocol, { signal: AbortSignal.any([outer, AbortSignal.timeout(JOB_DIAL_TIMEOUT_MS)]) })
  const ch = new JobChannel(stream)
  const remote = (): string | undefined => {
    // The peer id of the worker, for its score: known when `worker` is a PeerId, otherwise from the address.
    if (typeof (worker as PeerId).toMultihash === 'function') return worker.toString()
    return (worker as Multiaddr).getComponents().find((c) => c.name === 'p2p')?.value
  }
  const penalise = (e: unknown): void => {
    const who = remote()
    if (who !== undefined && wire.isWireError(e)) node.misbehaviour.record(who, offenceOf(e))
  }
  const metrics: wire.Metrics[] = []
  const checkpoints: wire.CheckpointNotice[] = []
  let writer: Promise<void> | undefined
  try {
    const signedAward = wire.Signed.decode(options.signedAward)
    await ch.send({ award: signedAward }, outer)
    const first = await ch.receive(AbortSignal.any([outer, AbortSignal.timeout(ACCEPT_TIMEOUT_MS)]))
    if (first.error !== undefined) throw new JobRefusedError(first.error.code, first.error.message)
    if (first.metrics === undefined || first.metrics.epoch !== 0) throw new WireError('INVALID_FIELD', `expected the acceptance (metrics for epoch 0), got ${payloadName(first)}`, 'payload')
    observe(options.onAccepted, undefined)

    // Stream the dataset while reading: the worker may refuse a chunk at any point. A built-in
    // dataset goes at once; a client model's when the worker asks for it.
    const awarded = wire.Award.decode(signedAward.body).spec
    const sendDataset = (): Promise<void> => {
      const w = (async () => {
        // The spec names the dataset's hash: the end marker carries it, with no second pass over the
        // bytes (a dataset that is not the spec's is refused by the worker all the same).
        const datasetHash = awarded?.datasetHash
        for (const f of chunkPayload(options.dataset, MESH.maxChunkBytes, datasetHash?.byteLength === 32 ? datasetHash : undefined)) {
          await ch.send(f.chunk !== undefined ? { dataChunk: f.chunk } : { dataEnd: f.end }, outer)
        }
      })()
      w.catch((err: unknown) => { log.trace('the dataset writer failed (the reader reports it): %e', err) }) // its failure also ends the stream, which the reader reports
      return w
    }
    const clientModel = awarded?.clientModel !== undefined
    if (!clientModel) writer = sendDataset()

    let delivery: wire.Delivery | undefined
    let weights: PayloadAssembler | undefined
    let deliveredAt = 0
    while (true) {
      const m = await ch.receive(AbortSignal.any([outer, AbortSignal.timeout(idle)]))
      if (m.error !== undefined) throw new JobRefusedError(m.error.code, m.error.message)
      if (delivery === undefined) {
        if (m.metrics !== undefined) {
          // The latest frames only (finding 12): a worker cannot grow the client's memory with them.
          metrics.push(m.metrics)
          if (metrics.length > PEER_MEMORY.maxSessionFrames) metrics.shift()
          observe(options.onMetrics, m.metrics)
        } else if (m.checkpoint !== undefined) {
          checkpoints.push(m.checkpoint)
          if (checkpoints.length > PEER_MEMORY.maxSessionFrames) checkpoints.shift()
          observe(options.onCheckpoint, m.checkpoint)
        } else if (m.dataRequest !== undefined) {
          if (!clientModel || writer !== undefined) throw new WireError('INVALID_FIELD', clientModel ? 'a second request for the dataset' : 'a request for a built-in dataset, which was sent already', 'dataRequest')
          writer = sendDataset()
        } else if (m.delivery !== undefined) {
          delivery = m.delivery
          deliveredAt = performance.now()
          weights = new PayloadAssembler(Number(delivery.weightsBytes), delivery.weightsHash)
          observe(options.onDelivery, delivery)
        } else {
          throw new WireError('INVALID_FIELD', `unexpected ${payloadName(m)} before the delivery`, 'payload')
        }
      } else if (m.weightsChunk !== undefined) {
        weights!.add(m.weightsChunk)
      } else if (m.weightsEnd !== undefined) {
        const bytes = weights!.finish(m.weightsEnd)
        const weightsTransfer = { bytes: bytes.byteLength, ms: Math.round(performance.now() - deliveredAt) }
        await writer
        await ch.finish()
        return { delivery, weights: bytes, weightsTransfer, metrics, checkpoints }
      } else {
        throw new WireError('INVALID_FIELD', `unexpected ${payloadName(m)} after the delivery`, 'payload')
      }
    }
  } catch (e) {
    penalise(e)
    stream.abort(asError(e))
    throw e
  }
}
