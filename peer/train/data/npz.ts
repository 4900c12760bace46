/**
 * NumPy `.npz` archives in the Keras convention: `x_train`, `y_train` and, optionally, `x_test`,
 * `y_test` (each a `.npy` member, stored or deflated; what `np.savez` / `np.savez_compressed`
 * write). Read with fflate; every member's uncompressed size is checked against the dataset limit
 * before it is inflated, so a zip bomb is refused from its directory. Other members are ignored.
 */
import { unzipSync } from 'fflate'
import { DatasetError } from './errors.js'
import { parseNpy } from './npy.js'
import type { DatasetLimits, RawArray } from './types.js'

export interface NpzArrays {
  readonly xTrain: RawArray
  readonly yTrain: RawArray
  readonly xTest?: RawArray
  readonly yTest?: RawArray
}

const KERAS = ['x_train', 'y_train', 'x_test', 'y_test'] as const

export function parseNpz (bytes: Uint8Array, file: string, limits: DatasetLimits): NpzArrays {
  let total = 0
  const seen: string[] = []
  let members: Record<string, Uint8Array>
  try {
    members = unzipSync(bytes, {
      filter: (f) => {
        seen.push(f.name)
        const key = f.name.replace(/\.npy$/, '')
        if (!(KERAS as readonly string[]).includes(key)) return false
        total += f.originalSize
        if (total > limits.maxBytes) throw new DatasetError('TOO_LARGE', `${file}: its arrays hold ${total}+ bytes uncompressed, over the dataset limit of ${limits.maxBytes} bytes`)
        return true
      }
    })
  } catch (err) {
    if (err instanceof DatasetError) throw err
    throw new DatasetError('CORRUPT', `${file}: not a readable .npz (zip) archive, truncated or corrupt (${err instanceof Error ? err.message : String(err)})`, { cause: err })
  }
  const get = (key: typeof KERAS[number]): RawArray | undefined => {
    const m = members[`${key}.npy`] ?? members[key]
    return m === undefined ? undefined : parseNpy(m, `${file}:${key}`, limits)
  }
  const xTrain = get('x_train')
  const yTrain = get('y_train')
  if (xTrain === undefined || yTrain === undefined) {
    throw new DatasetError('FORMAT', `${file}: expected arrays x_train and y_train (Keras convention; x_test, y_test optional), found ${seen.length === 0 ? 'none' : seen.join(', ')}`)
  }
  const xTest = get('x_test')
  const yTest = get('y_test')
  if ((xTest === undefined) !== (yTest === undefined)) throw new DatasetError('FORMAT', `${file}: has ${xTest === undefined ? 'y_test but no x_test' : 'x_test but no y_test'}; give both or neither`)
  return xTest === undefined || yTest === undefined ? { xTrain, yTrain } : { xTrain, yTrain, xTest, yTest }
}
