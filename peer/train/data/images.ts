/**
 * A folder of images with one sub-folder per class (`root/cat/001.png`, `root/dog/a.jpg`, …), or
 * `root/train/<class>/…` and `root/test/<class>/…` for a fixed split. PNG through pngjs, JPEG
 * through jpeg-js. Class index = position of the folder name in the sorted (code-point order)
 * list of class folders; the names are recorded in the task. Files in a class folder are read in
 * sorted name order; names starting with '.' are skipped; anything else that is not .png, .jpg or
 * .jpeg is refused.
 *
 * Every image must have the size of the first one. Samples are channel-first uint8: [1, H, W]
 * when every pixel of every image has R = G = B (grayscale, whatever the file's color type), else
 * [3, H, W] (RGB). Alpha is dropped. Memory: decoded images are held as RGB planes until the
 * channel count is known, then copied once into the dataset's array.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import jpeg from 'jpeg-js'
import { PNG } from 'pngjs'
import { DatasetError } from './errors.js'
import type { DatasetLimits, RawArray } from './types.js'

export interface ImageFolderArrays {
  readonly x: RawArray
  readonly y: RawArray
  readonly classNames: readonly string[]
}

const IMAGE = /\.(png|jpe?g)$/i
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

async function subfolders (dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort(byCodePoint)
}

/** True when `dir` holds `train/` and `test/` folders (a fixed split) rather than class folders. */
export async function hasFixedSplit (dir: string): Promise<boolean> {
  const names = await subfolders(dir)
  return names.length === 2 && names[0] === 'test' && names[1] === 'train'
}

export async function listClasses (dir: string): Promise<string[]> {
  const names = await subfolders(dir)
  if (names.length === 0) throw new DatasetError('FORMAT', `${dir}: no class sub-folders (expected one folder of images per class)`)
  return names
}

interface Decoded { readonly width: number, readonly height: number, readonly rgba: Uint8Array }

function decode (bytes: Uint8Array, file: string): Decoded {
  try {
    if (/\.png$/i.test(file)) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
      return { width: png.width, height: png.height, rgba: png.data }
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 })
    return { width: img.width, height: img.height, rgba: img.data }
  } catch (err) {
    throw new DatasetError('CORRUPT', `${file}: not a readable ${/\.png$/i.test(file) ? 'PNG' : 'JPEG'} image (${err instanceof Error ? err.message : String(err)})`, { cause: err })
  }
}

/**
 * Reads `dir/<class>/*` for the given class names (an image split's classes must be the whole
 * list, so train and test agree on indices). `label` names the split in errors.
 */
export async function readImageFolder (dir: string, classNames: readonly string[], limits: DatasetLimits, label: string): Promise<ImageFolderArrays> {
  const planes: Uint8Array[] = []
  const labels: number[] = []
  let first: { file: string, width: number, height: number } | undefined
  let gray = true
  for (const [c, name] of classNames.entries()) {
    const classDir = join(dir, name)
    const exists = await stat(classDir).then((s) => s.isDirectory(), (err: NodeJS.ErrnoException) => { if (err.code === 'ENOENT') return false; throw err })
    if (!exists) continue // a test split may lack a class the train split has
    const files = (await readdir(classDir)).filter((f) => !f.startsWith('.')).sort(byCodePoint)
    for (const f of files) {
      const file = join(classDir, f)
      if (!IMAGE.test(f)) throw new DatasetError('FORMAT', `${file}: not a .png, .jpg or .jpeg file (an image folder holds only images)`)
      const img = decode(await readFile(file), file)
      if (first === undefined) {
        first = { file, width: img.width, height: img.height }
        if (img.width * img.height * 3 > limits.maxSampleSize) throw new DatasetError('TOO_LARGE', `${file}: ${img.width}×${img.height} RGB is ${img.width * img.height * 3} values per sample, over the limit of ${limits.maxSampleSize}`)
      } else if (img.width !== first.width || img.height !== first.height) {
        throw new DatasetError('INVALID', `${file} is ${img.width}×${img.height}, but ${first.file} is ${first.width}×${first.height}: all images must have one size (resize them first)`)
      }
      const hw = img.width * img.height
      if ((planes.length + 1) * hw * 3 > limits.maxBytes * 3) throw new DatasetError('TOO_LARGE', `${label}: the images so far are over the dataset limit of ${limits.maxBytes} bytes`)
      const plane = new Uint8Array(3 * hw)
      for (let p = 0; p < hw; p++) {
        const r = img.rgba[4 * p] as number
        const g = img.rgba[4 * p + 1] as number
        const b = img.rgba[4 * p + 2] as number
        plane[p] = r
        plane[hw + p] = g
        plane[2 * hw + p] = b
        if (r !== g || g !== b) gray = false
      }
      planes.push(plane)
      labels.push(c)
    }
  }
  if (first === undefined) throw new DatasetError('INVALID', `${label}: ${dir} holds no images`)
  const hw = first.width * first.height
  const channels = gray ? 1 : 3
  const x = new Uint8Array(planes.length * channels * hw)
  planes.forEach((p, i) => x.set(channels === 1 ? p.subarray(0, hw) : p, i * channels * hw))
  return {
    x: { name: `${label} images`, dtype: 'uint8', shape: [planes.length, channels, first.height, first.width], data: x },
    y: { name: `${label} labels`, dtype: 'int32', shape: [labels.length], data: Int32Array.from(labels) },
    classNames
  }
}
