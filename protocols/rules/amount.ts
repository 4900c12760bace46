/**
 * Token amounts: `bigint` base units (9 decimals), never floats.
 *
 * Rounding rule for every share computed here: `mulBps` rounds DOWN (floor); the caller gives the
 * remainder to one named party, so the parts of a split always sum to the whole.
 */
import { BPS, TOKEN_DECIMALS, UNITS_PER_TOKEN } from '../params.js'

/** Largest value of an on-chain u64. */
export const U64_MAX = (1n << 64n) - 1n

export class AmountError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'AmountError'
  }
}

/** Throws unless `amount` is a valid token amount: an integer in 0..u64::MAX. */
export function assertAmount (amount: bigint, what = 'amount'): bigint {
  if (typeof amount !== 'bigint') throw new AmountError(`${what} must be a bigint of base units`)
  if (amount < 0n) throw new AmountError(`${what} must not be negative (got ${amount})`)
  if (amount > U64_MAX) throw new AmountError(`${what} exceeds u64 (got ${amount})`)
  return amount
}

/** Throws unless `bps` is an integer in 0..max (default 0..10,000). */
export function assertBps (bps: number, what = 'bps', max = BPS): number {
  if (!Number.isInteger(bps) || bps < 0 || bps > max) {
    throw new AmountError(`${what} must be an integer 0..${max} basis points (got ${bps})`)
  }
  return bps
}

/** floor(amount × bps / 10,000). Rounds down; the caller assigns the remainder. */
export function mulBps (amount: bigint, bps: number): bigint {
  assertAmount(amount)
  if (!Number.isInteger(bps) || bps < 0) throw new AmountError(`bps must be a non-negative integer (got ${bps})`)
  return (amount * BigInt(bps)) / BigInt(BPS)
}

/** round(n / d) with halves rounded up, for non-negative n and positive d. */
export function divRoundHalfUp (n: bigint, d: bigint): bigint {
  if (d <= 0n || n < 0n) throw new AmountError('divRoundHalfUp takes n >= 0 and d > 0')
  return (2n * n + d) / (2n * d)
}

/**
 * Parses a decimal token amount ("73", "65.7", "0.000000001") into base units. Refuses more than
 * 9 decimals rather than rounding them away, and anything that is not a plain decimal number.
 */
export function parseTokens (text: string): bigint {
  const m = /^(\d{1,19})(?:\.(\d{1,9}))?$/.exec(text.trim())
  if (m === null) {
    throw new AmountError(`"${text}" is not a token amount: write a decimal number with at most ${TOKEN_DECIMALS} decimals, e.g. 12.5`)
  }
  const whole = BigInt(m[1] as string)
  const frac = BigInt((m[2] ?? '').padEnd(TOKEN_DECIMALS, '0'))
  return assertAmount(whole * UNITS_PER_TOKEN + frac, 'token amount')
}

/** Formats base units as a decimal token amount without trailing zeros ("65.7", "73"). */
export function formatTokens (units: bigint): string {
  const neg = units < 0n
  const abs = neg ? -units : units
  const whole = abs / UNITS_PER_TOKEN
  const frac = (abs % UNITS_PER_TOKEN).toString().padStart(TOKEN_DECIMALS, '0').replace(/0+$/, '')
  return `${neg ? '-' : ''}${whole}${frac === '' ? '' : '.' + frac}`
}
