/**
 * The checkpoint chain: one hash per training segment, each committing to the one before.
 *
 *   H_0 = SHA256("cyxwiz/checkpoint/v1/genesis" ‖ specHash)
 *   H_E = SHA256("cyxwiz/checkpoint/v1" ‖ H_{E-1} ‖ SHA256(state_E) ‖ metrics_E ‖ t_E)
 *
 * Canonical byte encodings (all integers little-endian):
 *   state_E   = u32 tensorCount ‖ per tensor: u8 dtype ‖ u32 elementCount ‖ raw LE elements
 *               (the whole training state after segment E: weights, then optimizer state, in the
 *               order the engine lists them; dtype 1 = float32, 2 = int32, 3 = int64)
 *   metrics_E = u32 epoch ‖ u64 steps ‖ f64 loss ‖ f64 accuracy   (IEEE-754 bits, as computed)
 *   t_E       = u64 milliseconds since the Unix epoch when the worker sealed the checkpoint
 *
 * The state appears through its SHA-256 digest so evidence can name each checkpoint's state by
 * hash, and a verifier holding W_E can check it without the rest of the chain. Including the
 * optimizer state matters: re-executing a segment needs it, so it must be committed too.
 */
import { createHash } from 'node:crypto'

export type TensorDtype = 'float32' | 'int32' | 'int64'
const DTYPE_CODE: Record<TensorDtype, number> = { float32: 1, int32: 2, int64: 3 }

export interface StateTensor {
  readonly dtype: TensorDtype
  readonly data: Float32Array | Int32Array | BigInt64Array
}

export interface CheckpointMetrics {
  /** Segment number E, 1-based. */
  readonly epoch: number
  /** Optimizer steps taken since the start of training, after this segment. */
  readonly steps: number
  readonly loss: number
  readonly accuracy: number
}

export interface Checkpoint {
  readonly metrics: CheckpointMetrics
  /** SHA-256 of the canonical state encoding. */
  readonly stateHash: Uint8Array
  /** Sealing time, Unix milliseconds. */
  readonly timeMs: number
  /** H_E. */
  readonly hash: Uint8Array
}

const GENESIS_DOMAIN = new TextEncoder().encode('cyxwiz/checkpoint/v1/genesis')
const LINK_DOMAIN = new TextEncoder().encode('cyxwiz/checkpoint/v1')

function sha (...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return new Uint8Array(h.digest())
}

function expectedArray (dtype: TensorDtype): string {
  return dtype === 'float32' ? 'Float32Array' : dtype === 'int32' ? 'Int32Array' : 'BigInt64Array'
}

/** The canonical encoding of a training state (see the file comment). */
export function encodeState (tensors: readonly StateTensor[]): Uint8Array {
  let size = 4
  for (const t of tensors) size += 1 + 4 + t.data.byteLength
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  view.setUint32(0, tensors.length, true)
  let at = 4
  for (const t of tensors) {
    if (t.data.constructor.name !== expectedArray(t.dtype)) throw new TypeError(`a ${t.dtype} tensor must hold a ${expectedArray(t.dtype)}`)
    out[at] = DTYPE_CODE[t.dtype]
    view.setUint32(at + 1, t.data.length, true)
    at += 5
    // Typed arrays are in platform byte order; write little-endian explicitly so the encoding is
    // the same on every machine.
    const src = t.data
    if (src instanceof Float32Array) for (let i = 0; i < src.length; i++, at += 4) view.setFloat32(at, src[i] as number, true)
    else if (src instanceof Int32Array) for (let i = 0; i < src.length; i++, at += 4) view.setInt32(at, src[i] as number, true)
    else for (let i = 0; i < src.length; i++, at += 8) view.setBigInt64(at, src[i] as bigint, true)
  }
  return out
}

export function stateHash (tensors: readonly StateTensor[]): Uint8Array {
  return sha(encodeState(tensors))
}

export function encodeMetrics (m: CheckpointMetrics): Uint8Array {
  if (!Number.isInteger(m.epoch) || m.epoch < 1 || m.epoch > 0xffff_ffff) throw new RangeError(`epoch must be an integer 1..2^32-1 (got ${m.epoch})`)
  if (!Number.isSafeInteger(m.steps) || m.steps < 0) throw new RangeError(`steps must be a non-negative safe integer (got ${m.steps})`)
  const out = new Uint8Array(28)
  const v = new DataView(out.buffer)
  v.setUint32(0, m.epoch, true)
  v.setBigUint64(4, BigInt(m.steps), true)
  v.setFloat64(12, m.loss, true)
  v.setFloat64(20, m.accuracy, true)
  return out
}

function u64le (n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`time must be a non-negative safe integer of milliseconds (got ${n})`)
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true)
  return out
}

/** H_0: binds the chain to the job it trains. */
export function genesisHash (specHash: Uint8Array): Uint8Array {
  if (specHash.byteLength !== 32) throw new RangeError('specHash must be 32 bytes')
  return sha(GENESIS_DOMAIN, specHash)
}

/** H_E from H_{E-1} and segment E's state digest, metrics and sealing time. */
export function linkHash (previous: Uint8Array, stateDigest: Uint8Array, metrics: CheckpointMetrics, timeMs: number): Uint8Array {
  if (previous.byteLength !== 32 || stateDigest.byteLength !== 32) throw new RangeError('hashes must be 32 bytes')
  return sha(LINK_DOMAIN, previous, stateDigest, encodeMetrics(metrics), u64le(timeMs))
}

/**
 * A growing chain of checkpoints. `append` enforces consecutive segment numbers; `verify` recomputes
 * every link from the genesis.
 */
export class CheckpointChain {
  readonly genesis: Uint8Array
  readonly #checkpoints: Checkpoint[] = []

  constructor (specHash: Uint8Array, checkpoints: readonly Checkpoint[] = []) {
    this.genesis = genesisHash(specHash)
    for (const c of checkpoints) this.append(c.stateHash, c.metrics, c.timeMs)
  }

  get length (): number {
    return this.#checkpoints.length
  }

  get head (): Uint8Array {
    return this.#checkpoints.at(-1)?.hash ?? this.genesis
  }

  get checkpoints (): readonly Checkpoint[] {
    return this.#checkpoints
  }

  /** H_{E} for E = 0..length. */
  hashAt (epoch: number): Uint8Array {
    if (epoch === 0) return this.genesis
    const c = this.#checkpoints[epoch - 1]
    if (c === undefined) throw new RangeError(`no checkpoint ${epoch} (chain has ${this.length})`)
    return c.hash
  }

  append (digest: Uint8Array, metrics: CheckpointMetrics, timeMs: number): Checkpoint {
    if (metrics.epoch !== this.length + 1) throw new RangeError(`checkpoint ${metrics.epoch} does not follow ${this.length}`)
    const c: Checkpoint = { metrics, stateHash: digest, timeMs, hash: linkHash(this.head, digest, metrics, timeMs) }
    this.#checkpoints.push(c)
    return c
  }
}

/** Recomputes a claimed chain; returns the first segment whose hash does not follow, or null. */
export function firstBrokenLink (specHash: Uint8Array, claimed: readonly Checkpoint[]): number | null {
  let prev = genesisHash(specHash)
  for (let i = 0; i < claimed.length; i++) {
    const c = claimed[i] as Checkpoint
    if (c.metrics.epoch !== i + 1) return i + 1
    const h = linkHash(prev, c.stateHash, c.metrics, c.timeMs)
    if (Buffer.compare(h, c.hash) !== 0) return i + 1
    prev = h
  }
  return null
}
