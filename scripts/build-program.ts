/**
 * Builds the on-chain program `chain/program/` into `chain/program/build/cyxwiz.so`, offline:
 *
 *   cargo (Debian's rustc-web 1.96, `-Zbuild-std=core`, target bpfel-unknown-none, fat LTO)
 *     → libcyxwiz.a holding one LLVM bitcode member
 *     → llc-22 -march=bpfel -mcpu=v2 → a relocatable BPF object (build/cyxwiz.o)
 *     → our SBPF v0 linker (chain/linker) → build/cyxwiz.so
 *
 * Incremental: a SHA-256 over the program sources, the linker sources, this script and the
 * toolchain versions is kept in build/cyxwiz.stamp; nothing runs when it matches. `--force`
 * rebuilds anyway. Run: `node --import tsx --import ./peer/runtime/node20.mjs scripts/build-program.ts`.
 *
 * The toolchain must be Debian's (/usr/bin), never a rustup Rust that may also be installed in
 * ~/.cargo/bin: rustup's rustc has a different LLVM than llc-22, and its std sources are not the
 * vendored ones `.cargo/config.toml` points at.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { linkSbpfV0 } from '../chain/linker/index.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const PROGRAM_DIR = join(root, 'chain/program')
export const BUILD_DIR = join(PROGRAM_DIR, 'build')
export const PROGRAM_SO = join(BUILD_DIR, 'cyxwiz.so')
const TARGET_DIR = join(PROGRAM_DIR, 'target')
const STAMP = join(BUILD_DIR, 'cyxwiz.stamp')

const TOOLS = { cargo: '/usr/bin/cargo', rustc: '/usr/bin/rustc', llc: 'llc-22', ar: 'llvm-ar-22' } as const
/** Debian packages that provide the tools (rust-web-llvm brings llvm-22, i.e. llc-22 and llvm-ar-22). */
const APT_PACKAGES = 'rustc-web rust-web-src cargo-web rust-web-llvm'

export interface BuildOptions {
  readonly force?: boolean
  readonly log?: (line: string) => void
}

export interface BuildResult {
  readonly path: string
  readonly rebuilt: boolean
  readonly hash: string
}

function listFiles (dir: string): string[] {
  if (!existsSync(dir)) return []
  const out: string[] = []
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...listFiles(p))
    else out.push(p)
  }
  return out
}

function tool (cmd: string, args: string[], env?: NodeJS.ProcessEnv, cwd?: string): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', env: env ?? process.env, cwd: cwd ?? root, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 })
  } catch (e) {
    const err = e as { code?: string, stderr?: string | Buffer, message: string }
    if (err.code === 'ENOENT') {
      throw new Error(`${cmd} not found: install the Debian packages ${APT_PACKAGES} (scripts/setup.sh does)`)
    }
    const stderr = err.stderr !== undefined ? String(err.stderr) : ''
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${stderr.trim() || err.message}`)
  }
}

function buildEnv (): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  env.PATH = `/usr/bin:${env.PATH ?? ''}`
  env.RUSTC = TOOLS.rustc
  env.RUSTC_BOOTSTRAP = '1'
  env.RUSTFLAGS = '-C target-cpu=v2'
  env.CARGO_TARGET_DIR = TARGET_DIR
  delete env.RUSTUP_TOOLCHAIN
  delete env.CARGO_BUILD_TARGET
  return env
}

/** The fingerprint of everything that determines the output. */
export function programHash (): string {
  const h = createHash('sha256')
  const inputs = [
    ...listFiles(join(PROGRAM_DIR, 'src')),
    join(PROGRAM_DIR, 'Cargo.toml'),
    join(PROGRAM_DIR, '.cargo/config.toml'),
    ...listFiles(join(root, 'chain/linker')),
    fileURLToPath(import.meta.url)
  ]
  for (const f of inputs) {
    if (!existsSync(f)) continue
    h.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0')
  }
  const env = buildEnv()
  h.update(tool(TOOLS.rustc, ['-vV'], env))
  h.update(tool(TOOLS.llc, ['--version'], env).split('\n').slice(0, 3).join('\n'))
  return h.digest('hex')
}

/** Builds the program when its sources or the toolchain changed; returns the .so path. */
export function buildProgram (options: BuildOptions = {}): BuildResult {
  const log = options.log ?? ((line: string) => console.log(line))
  const hash = programHash()
  if (options.force !== true && existsSync(PROGRAM_SO) && existsSync(STAMP) &&
      readFileSync(STAMP, 'utf8').trim() === hash) {
    log(`[build:program] program up to date (${relative(root, PROGRAM_SO)})`)
    return { path: PROGRAM_SO, rebuilt: false, hash }
  }
  const started = Date.now()
  const env = buildEnv()
  mkdirSync(BUILD_DIR, { recursive: true })

  log('[build:program] cargo build (core only, bpfel-unknown-none, fat LTO)…')
  tool(TOOLS.cargo, [
    'build', '--manifest-path', join(PROGRAM_DIR, 'Cargo.toml'),
    '-Zbuild-std=core,compiler_builtins', '--target', 'bpfel-unknown-none', '--release', '--offline', '--quiet'
  ], { ...env, CARGO_TERM_COLOR: 'never' }, PROGRAM_DIR) // cwd: cargo reads .cargo/config.toml from there
  const lib = join(TARGET_DIR, 'bpfel-unknown-none/release/libcyxwiz.a')
  const members = tool(TOOLS.ar, ['t', lib], env).split('\n').filter(m => m.trim() !== '')
  if (members.length !== 1 || members[0] === undefined) {
    throw new Error(`expected one LLVM bitcode member in ${lib}, found ${members.length}: ${members.join(', ')}`)
  }
  const bitcode = join(BUILD_DIR, 'cyxwiz.bc')
  writeFileSync(bitcode, execFileSync(TOOLS.ar, ['p', lib, members[0]], { env, maxBuffer: 256 << 20 }))

  log('[build:program] llc-22 → relocatable BPF object…')
  const object = join(BUILD_DIR, 'cyxwiz.o')
  tool(TOOLS.llc, [
    '-march=bpfel', '-mcpu=v2', '-O2', '-filetype=obj', '-bpf-stack-size=4096', '-relocation-model=static',
    bitcode, '-o', object
  ], env)

  log('[build:program] linking SBPF v0 shared object…')
  const linked = linkSbpfV0(readFileSync(object))
  const tmp = `${PROGRAM_SO}.tmp`
  writeFileSync(tmp, linked.so)
  renameSync(tmp, PROGRAM_SO)
  writeFileSync(STAMP, hash + '\n')
  const text = linked.sections.find(s => s.name === '.text')?.size ?? 0
  log(`[build:program] built ${relative(root, PROGRAM_SO)}: ${linked.so.length} bytes, ` +
    `${text / 8} instructions, syscalls ${linked.syscalls.join(' ')} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
  return { path: PROGRAM_SO, rebuilt: true, hash }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    buildProgram({ force: process.argv.includes('--force') })
  } catch (e) {
    console.error(`[build:program] error: ${(e as Error).message}`)
    process.exit(1)
  }
}
