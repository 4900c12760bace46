/**
 * The line codec between `cyx sim` and its peer hosts (peer/sim/host.ts), the same in both modes:
 * one JSON object per line, lossless for what the roles emit — a bigint travels as
 * `{"$big":"<decimal>"}`, bytes (Uint8Array, Buffer) as `{"$hex":"<hex>"}`, an Error as
 * `{"$error":{name,message,logs}}` — so any event or result a role emits, present or future,
 * crosses the boundary with its types intact and nothing here lists its fields.
 */
import { fromHex, toHex } from '../../protocols/index.js'

/** What a process host prefixes its protocol lines with on stdout (anything else is noise). */
export const LINE_PREFIX = '@cyx-sim '

export interface ErrorShape { readonly name: string, readonly message: string, readonly logs?: readonly string[] }

function errorShape (e: Error): ErrorShape {
  const logs = (e as { logs?: unknown }).logs
  return { name: e.name, message: e.message, ...(Array.isArray(logs) ? { logs: logs.map(String) } : {}) }
}

/** An Error rebuilt from its shape (with `logs`, as web3.js's SendTransactionError carries them). */
export function reviveError (s: ErrorShape): Error {
  const e = new Error(s.message)
  e.name = s.name
  if (s.logs !== undefined) Object.assign(e, { logs: [...s.logs] })
  return e
}

export function encode (value: unknown): string {
  return JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
    // Buffer's toJSON ran before the replacer: read the original from the holder.
    const raw = key === '' ? v : (this as Record<string, unknown>)[key]
    if (typeof raw === 'bigint') return { $big: raw.toString() }
    if (raw instanceof Uint8Array) return { $hex: toHex(raw) }
    if (raw instanceof Error) return { $error: errorShape(raw) }
    return v
  })
}

export function decode<T = unknown> (line: string): T {
  return JSON.parse(line, (_k, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>
      const keys = Object.keys(o)
      if (keys.length === 1) {
        if (typeof o.$big === 'string') return BigInt(o.$big)
        if (typeof o.$hex === 'string') return fromHex(o.$hex, { what: 'sim line $hex' })
        if (o.$error !== undefined) return reviveError(o.$error as ErrorShape)
      }
    }
    return v
  }) as T
}
