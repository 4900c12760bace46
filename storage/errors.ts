/**
 * The one error type the evidence readers throw. Evidence may come from a hostile peer, so anything
 * wrong with it becomes an `EvidenceError` with a code a caller can act on (refuse, dispute, retry).
 */

export type EvidenceErrorCode =
  | 'NOT_FOUND' // a block the evidence names is not available (locally, or within the timeout)
  | 'TOO_LARGE' // over a size bound; nothing more was read
  | 'MALFORMED' // not a valid encoding of the expected object (bad CBOR, wrong CID kind)
  | 'INVALID_FIELD' // decoded, but a field is missing, of the wrong type, out of range or inconsistent
  | 'HASH_MISMATCH' // bytes do not hash to the CID or digest that names them
  | 'BROKEN_CHAIN' // the checkpoint chain does not recompute from the spec hash
  | 'MERKLE_MISMATCH' // the Merkle leaves or root do not match the chain
  | 'UNSUPPORTED' // a version or scheme this peer does not know
  | 'WRITER_STATE' // the evidence writer was used out of order (a local programming error)

export class EvidenceError extends Error {
  readonly code: EvidenceErrorCode
  /** The offending field's path (e.g. "checkpoints[3].stateHash"), when there is one. */
  readonly field: string | undefined

  constructor (code: EvidenceErrorCode, message: string, field?: string, options?: ErrorOptions) {
    super(field === undefined ? message : `${field}: ${message}`, options)
    this.name = 'EvidenceError'
    this.code = code
    this.field = field
  }
}

export function isEvidenceError (e: unknown, code?: EvidenceErrorCode): e is EvidenceError {
  return e instanceof EvidenceError && (code === undefined || e.code === code)
}
