/**
 * The page server's gate, as small pure rules (table-tested in test/unit/ui/guard.test.ts):
 * - Host must name this server on the loopback (127.0.0.1:PORT or localhost:PORT): a page of
 *   another site that rebinds its DNS name to 127.0.0.1 sends its own name and is refused;
 * - Origin, when a browser sends one, must be this server's own: another site's script is refused;
 * - the token (random, 32 bytes, given only in the address printed on stderr) must match, compared
 *   in constant time, for everything but the page's static files, which hold no data.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'

export const newToken = (): string => randomBytes(32).toString('base64url')

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost']

export function hostAllowed (host: string | undefined, port: number): boolean {
  if (host === undefined) return false
  return LOOPBACK_NAMES.some((n) => host.toLowerCase() === `${n}:${port}`)
}

/** No Origin (a same-origin GET, curl) passes; any other origin than this server's is refused. */
export function originAllowed (origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true
  return LOOPBACK_NAMES.some((n) => origin.toLowerCase() === `http://${n}:${port}`)
}

export function tokenMatches (given: string | null | undefined, token: string): boolean {
  if (typeof given !== 'string') return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The token of a request: `Authorization: Bearer T`, or `?token=T` (EventSource and downloads
 * cannot set headers). */
export function requestToken (authorization: string | undefined, url: URL): string | null {
  const m = /^Bearer (\S+)$/.exec(authorization ?? '')
  return m?.[1] ?? url.searchParams.get('token')
}

/** The page's Content-Security-Policy: its own scripts, styles and connections only; no inline
 * script or style element, no frame, no form posting elsewhere, no plugin. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'"
].join('; ')
