/**
 * The page, bundled in memory when the server starts (esbuild: TypeScript, uPlot and the styles
 * into one script and one stylesheet, a few hundred milliseconds), so that no build step can
 * drift from the sources and nothing is loaded from outside the machine.
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

export interface Asset {
  readonly type: string
  readonly body: Uint8Array
}

export interface PageBundle {
  readonly html: Asset
  readonly js: Asset
  readonly css: Asset
}

const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url))

let cached: Promise<PageBundle> | undefined

export async function bundlePage (): Promise<PageBundle> {
  cached ??= build()
  return await cached
}

async function build (): Promise<PageBundle> {
  const { build: esbuild } = await import('esbuild')
  const r = await esbuild({
    entryPoints: [`${PAGE_DIR}main.ts`],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    minify: true,
    outdir: '/out',
    entryNames: 'app',
    logLevel: 'silent'
  })
  const out = (ext: string): Uint8Array => {
    const f = r.outputFiles.find((o) => o.path.endsWith(ext))
    if (f === undefined) throw new Error(`the page bundle has no ${ext}`)
    return f.contents
  }
  return {
    html: { type: 'text/html; charset=utf-8', body: await readFile(`${PAGE_DIR}index.html`) },
    js: { type: 'text/javascript; charset=utf-8', body: out('.js') },
    css: { type: 'text/css; charset=utf-8', body: out('.css') }
  }
}
