/**
 * Length-prefixed framing of our protocol streams (unsigned-varint length, then the bytes, as
 * `lpStream` of @libp2p/utils writes them), with errors translated to `WireError` so that every
 * refusal of remote input has one type. Shared by the bid protocol and, later, the job protocol
 * (`MESH.maxJobFrameBytes`).
 */
import type { AbortOptions, Stream } from '@libp2p/interface'
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils'
import type { Uint8ArrayList } from 'uint8arraylist'
import { wire } from '../../protocols/index.js'

const { WireError } = wire

export interface FramedStream {
  /** Reads the next frame; throws a WireError for an oversized, malformed or truncated frame. */
  read: (options?: AbortOptions) => Promise<Uint8Array>
  write: (frame: Uint8Array | Uint8ArrayList, options?: AbortOptions) => Promise<void>
  readonly stream: Stream
}

/** Maps the errors lpStream throws for bad input to WireErrors; other errors (abort, reset) pass. */
export function framingError (e: unknown): unknown {
  const name = e instanceof Error ? e.name : ''
  const message = e instanceof Error ? e.message : String(e)
  switch (name) {
    case 'InvalidDataLengthError': return new WireError('TOO_LARGE', message)
    case 'InvalidMessageLengthError':
    case 'InvalidDataLengthLengthError': return new WireError('MALFORMED', `bad length prefix: ${message}`)
    case 'UnexpectedEOFError':
      // The stream ended where the next frame's length prefix would start: it closed between
      // frames (the peer went away, e.g. its process was killed), which is not bad input.
      if (/(?:while|after) reading 0\/1 bytes/.test(message)) return Object.assign(new Error(`the stream closed: ${message}`), { name: 'StreamClosedError' })
      return new WireError('MALFORMED', `truncated frame: ${message}`)
    case 'StreamBufferError': return new WireError('TOO_LARGE', `sent more than it may have in flight: ${message}`)
    default: return e
  }
}

/**
 * Frames `stream` with frames of at most `maxFrameBytes`. Bytes received but not yet read are
 * capped at `maxBufferedBytes` (default: two frames; lpStream's own default is 4 MiB): a peer that
 * sends more than that ahead of the reader has its stream reset.
 */
export function framed (stream: Stream, maxFrameBytes: number, maxBufferedBytes = 2 * (maxFrameBytes + 16)): FramedStream {
  const lp: LengthPrefixedStream<Stream> = lpStream(stream, { maxDataLength: maxFrameBytes, maxBufferSize: maxBufferedBytes })
  return {
    stream,
    read: async (options) => {
      try {
        return (await lp.read(options)).subarray()
      } catch (e) {
        throw framingError(e)
      }
    },
    write: async (frame, options) => { await lp.write(frame, options) }
  }
}

/**
 * Resolves when `stream` has closed gracefully in both directions; rejects with the reason when it
 * was reset or aborted (by either end) or when `options.signal` fires first.
 */
export async function closed (stream: Stream, options: AbortOptions = {}): Promise<void> {
  if (stream.status === 'closed') return
  if (stream.status === 'reset' || stream.status === 'aborted') throw new Error(`stream ${stream.status}`)
  await new Promise<void>((resolve, reject) => {
    const onClose = (evt: Event): void => {
      cleanup()
      const error = (evt as Event & { error?: Error }).error
      if (error === undefined) resolve()
      else reject(error)
    }
    const onAbort = (): void => {
      cleanup()
      reject(options.signal?.reason ?? new Error('aborted'))
    }
    const cleanup = (): void => {
      stream.removeEventListener('close', onClose)
      options.signal?.removeEventListener('abort', onAbort)
    }
    stream.addEventListener('close', onClose)
    options.signal?.addEventListener('abort', onAbort)
  })
}
