/**
 * CSV with a header row and a named label column (csv-parse). Every other column is a numeric
 * feature, in header order; features are read as float64 and become float32 like any float64
 * input. Labels: all integers → int64 labels (a classification task unless told otherwise); all
 * numbers → float64 targets (regression); otherwise strings → class names, sorted, with each row's
 * label their index (the names are recorded in the task).
 */
import { parse } from 'csv-parse/sync'
import { DatasetError } from './errors.js'
import type { DatasetLimits, RawArray } from './types.js'

export interface CsvArrays {
  readonly x: RawArray
  readonly y: RawArray
  /** Set when the labels were strings. */
  readonly classNames?: readonly string[]
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const INTEGER = /^[+-]?\d+$/

export function parseCsv (text: string, file: string, labelColumn: string, limits: DatasetLimits): CsvArrays {
  let rows: string[][]
  try {
    rows = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][]
  } catch (err) {
    throw new DatasetError('CORRUPT', `${file}: not valid CSV (${err instanceof Error ? err.message : String(err)})`, { cause: err })
  }
  const header = rows[0]
  if (header === undefined) throw new DatasetError('INVALID', `${file}: empty, expected a header row and data rows`)
  const labelAt = header.indexOf(labelColumn)
  if (labelAt < 0) throw new DatasetError('FORMAT', `${file}: no label column ${JSON.stringify(labelColumn)}; the columns are ${header.map((h) => JSON.stringify(h)).join(', ')} (choose one with labelColumn)`)
  const features = header.map((h, k) => ({ h, k })).filter(({ k }) => k !== labelAt)
  if (features.length === 0) throw new DatasetError('INVALID', `${file}: only the label column, no feature columns`)
  const count = rows.length - 1
  if (count < 1) throw new DatasetError('INVALID', `${file}: a header but no data rows`)
  if (count > limits.maxRows) throw new DatasetError('TOO_LARGE', `${file}: ${count} rows, over the limit of ${limits.maxRows}`)
  if (count * features.length * 4 > limits.maxBytes) throw new DatasetError('TOO_LARGE', `${file}: ${count} × ${features.length} features is over the dataset limit of ${limits.maxBytes} bytes`)
  const x = new Float64Array(count * features.length)
  const labels: string[] = new Array<string>(count)
  for (let r = 0; r < count; r++) {
    const row = rows[r + 1] as string[]
    features.forEach(({ h, k }, j) => {
      const cell = row[k] as string
      if (!NUMBER.test(cell)) throw new DatasetError('INVALID', `${file}: data row ${r + 1} (line ${r + 2}), column ${JSON.stringify(h)}: ${JSON.stringify(cell.slice(0, 40))} is not a finite number`)
      x[r * features.length + j] = Number(cell)
    })
    labels[r] = row[labelAt] as string
  }
  const xArray: RawArray = { name: `${file} features`, dtype: 'float64', shape: [count, features.length], data: x }
  const yName = `${file} column ${JSON.stringify(labelColumn)}`
  if (labels.every((l) => INTEGER.test(l))) {
    return { x: xArray, y: { name: yName, dtype: 'int64', shape: [count], data: BigInt64Array.from(labels, (l) => BigInt(l)) } }
  }
  if (labels.every((l) => NUMBER.test(l))) {
    return { x: xArray, y: { name: yName, dtype: 'float64', shape: [count], data: Float64Array.from(labels, Number) } }
  }
  const empty = labels.findIndex((l) => l === '')
  if (empty >= 0) throw new DatasetError('INVALID', `${file}: data row ${empty + 1} (line ${empty + 2}) has an empty label`)
  const classNames = [...new Set(labels)].sort()
  if (classNames.length > limits.maxClasses) throw new DatasetError('TOO_LARGE', `${file}: ${classNames.length} distinct labels, over the limit of ${limits.maxClasses} classes`)
  const index = new Map(classNames.map((n, i) => [n, i]))
  return { x: xArray, y: { name: yName, dtype: 'int32', shape: [count], data: Int32Array.from(labels, (l) => index.get(l) as number) }, classNames }
}
