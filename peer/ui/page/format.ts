/**
 * Numbers as the page shows them. Token amounts arrive as decimal strings of base units and are
 * shown exactly, never through a float: the whole part as it is (no separators: a number copied
 * from the page is the number on the chain), then the fraction with its trailing zeros cut — the
 * rule of protocols' formatTokens, checked against it in test/unit/ui/page-state.test.ts.
 */

/** `units` base units (a decimal string of a bigint) as tokens with `decimals` decimals, exactly. */
export function formatUnits (units: string, decimals: number): string {
  if (!/^-?\d+$/.test(units)) return '?'
  const neg = units.startsWith('-')
  const digits = (neg ? units.slice(1) : units).replace(/^0+(?=\d)/, '').padStart(decimals + 1, '0')
  const whole = digits.slice(0, digits.length - decimals)
  const frac = digits.slice(digits.length - decimals).replace(/0+$/, '')
  return `${neg && /[1-9]/.test(digits) ? '-' : ''}${whole}${frac === '' ? '' : '.' + frac}`
}

/** Base units to tokens, with the unit. */
export const tokens = (units: string | null | undefined, decimals: number): string =>
  units === null || units === undefined ? '—' : `${formatUnits(units, decimals)} CYXWIZ`

export const percent = (x: number | null | undefined): string => x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(2)} %`

/** A long id or hash, shortened for a table cell (the whole of it in the title). */
export const short = (s: string | null | undefined, n = 10): string => s === null || s === undefined ? '—' : s.length <= n + 1 ? s : `${s.slice(0, n)}…`

export const seconds = (s: number): string => `${s} s`
