/**
 * Small checks for decoded dag-cbor from untrusted peers. Each returns the value with its type
 * narrowed or throws an `EvidenceError` naming the field, so validators read as a list of fields.
 */
import { CID } from 'multiformats/cid'
import { assertEvidenceCid } from './blocks.js'
import { EvidenceError } from './errors.js'

const invalid = (field: string, why: string): never => { throw new EvidenceError('INVALID_FIELD', why, field) }

function isPlainMap (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && CID.asCID(value) === null
}

/** A map with exactly these keys: unknown keys are refused so a manifest has one encoding. */
export function exactMap (value: unknown, field: string, keys: readonly string[]): Record<string, unknown> {
  if (!isPlainMap(value)) return invalid(field, 'expected a map')
  const present = Object.keys(value)
  const extra = present.filter((k) => !keys.includes(k))
  if (extra.length > 0) invalid(field, `unexpected key ${JSON.stringify(extra[0]?.slice(0, 64))}`)
  for (const k of keys) if (!(k in value)) invalid(`${field}.${k}`, 'missing')
  return value
}

/** A map of at most `maxEntries` entries with keys matching `keyPattern`. */
export function boundedMap (value: unknown, field: string, maxEntries: number, keyPattern: RegExp): Record<string, unknown> {
  if (!isPlainMap(value)) return invalid(field, 'expected a map')
  const keys = Object.keys(value)
  if (keys.length > maxEntries) throw new EvidenceError('TOO_LARGE', `${keys.length} entries (at most ${maxEntries})`, field)
  for (const k of keys) if (!keyPattern.test(k)) invalid(field, `key ${JSON.stringify(k.slice(0, 64))} is not allowed`)
  return value
}

export function integer (value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) return invalid(field, `expected an integer in ${min}..${max}`)
  return value
}

export function finiteNumber (value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return invalid(field, 'expected a finite number')
  return value
}

export function boolean (value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') return invalid(field, 'expected a boolean')
  return value
}

export function label (value: unknown, field: string, maxChars: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxChars) return invalid(field, `expected a non-empty string of at most ${maxChars} characters`)
  return value
}

export function bytes (value: unknown, field: string, length: { exactly: number } | { atMost: number }): Uint8Array {
  if (!(value instanceof Uint8Array)) return invalid(field, 'expected bytes')
  if ('exactly' in length && value.byteLength !== length.exactly) invalid(field, `expected ${length.exactly} bytes, got ${value.byteLength}`)
  if ('atMost' in length && value.byteLength > length.atMost) throw new EvidenceError('TOO_LARGE', `${value.byteLength} bytes (at most ${length.atMost})`, field)
  return value
}

export function cid (value: unknown, field: string, codec: number): CID {
  const c = CID.asCID(value)
  if (c === null) return invalid(field, 'expected a CID link')
  assertEvidenceCid(c, codec, field)
  return c
}

export function list (value: unknown, field: string, maxLength: number): readonly unknown[] {
  if (!Array.isArray(value)) return invalid(field, 'expected a list')
  if (value.length > maxLength) throw new EvidenceError('TOO_LARGE', `${value.length} items (at most ${maxLength})`, field)
  return value
}
