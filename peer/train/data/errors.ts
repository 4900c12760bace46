/**
 * The one error the dataset loaders and checks throw. A client's files are untrusted input that a
 * person will fix, so every message says which file or array, which row and what to change; the
 * code lets the CLI choose an exit status and tests tell refusals apart.
 */
export type DatasetErrorCode =
  | 'FORMAT' // not a format we read, or options that do not fit the format (missing labels file, label column)
  | 'CORRUPT' // the bytes are not a valid encoding of the format (truncated, bad header, bad zip)
  | 'UNSUPPORTED' // a valid encoding we refuse (fortran_order, big-endian, float16, structured dtypes)
  | 'TOO_LARGE' // over a DATASET_LIMITS bound; nothing more was read or allocated
  | 'INVALID' // decoded, but inconsistent (mismatched counts, NaN/Inf, label out of range, empty split)
  | 'MODEL_MISMATCH' // the dataset does not fit the model's input, output or loss

export class DatasetError extends Error {
  readonly code: DatasetErrorCode

  constructor (code: DatasetErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'DatasetError'
    this.code = code
  }
}

export function isDatasetError (e: unknown, code?: DatasetErrorCode): e is DatasetError {
  return e instanceof DatasetError && (code === undefined || e.code === code)
}
