/** The one error type every wire decoder throws: anything a remote peer sends becomes this or a value. */

export type WireErrorCode =
  | 'TOO_LARGE' // over the message's size bound; nothing was decoded
  | 'MALFORMED' // not a valid protobuf encoding of the expected message
  | 'INVALID_FIELD' // decoded, but a field is missing, out of range or inconsistent
  | 'BAD_SIGNATURE' // the signature does not verify for the claimed signer
  | 'WRONG_KIND' // a signed message of another kind than expected
  | 'STALE' // issued too far in the past or future, or expired
  | 'HASH_MISMATCH' // a hash in the message does not match the bytes it names

export class WireError extends Error {
  readonly code: WireErrorCode
  /** The offending field's path (e.g. "spec.layers[2]"), when there is one. */
  readonly field: string | undefined

  constructor (code: WireErrorCode, message: string, field?: string) {
    super(field === undefined ? message : `${field}: ${message}`)
    this.name = 'WireError'
    this.code = code
    this.field = field
  }
}

export function isWireError (e: unknown): e is WireError {
  return e instanceof WireError
}
