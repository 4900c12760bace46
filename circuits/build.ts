/**
 * Incremental circuit build: compile → per-circuit Groth16 setup → verification keys.
 *
 * Everything is cached by content hash outside the clone:
 *   <cache>/circuits/<hash>/        r1cs, wasm, zkey, vkey.json of every circuit + manifest.json
 *   <cache>/ptau/dev-bn128-<p>.ptau  prepared Powers of Tau of power p (shared by all hashes)
 * with <cache> = $CYX_CACHE_DIR, else $XDG_CACHE_HOME/cyxwiz, else ~/.cache/cyxwiz, and
 * <hash> = SHA-256 of this script's version, the circom2 / circomlib / snarkjs versions and every file
 * under circuits/src. The artefacts are then linked (or copied) into circuits/build/ (git-ignored).
 *
 * A circuit is every top-level circuits/src/*.circom that declares `component main`; templates
 * shared between circuits live in circuits/src/lib/.
 *
 * Two setup methods (`CYX_CIRCUITS_SETUP`), both part of the content hash, so switching rebuilds:
 *   direct (default)  each circuit's key computed straight from freshly sampled τ, α, β, γ, δ
 *                     (circuits/dev-setup.ts): seconds, no Powers of Tau at all;
 *   ptau              snarkjs' path: a Powers of Tau (the file `CYX_PTAU` names — a public
 *                     ceremony's, for production — else a development one generated and cached
 *                     here, half an hour on 2 cores), `zkey new`, one development contribution.
 *
 * THE DEVELOPMENT SETUP IS SINGLE-PARTY, with either method: this machine samples (direct) or
 * contributes (ptau) the secrets. Whoever controls it while the build runs could keep the toxic
 * waste and forge proofs; see docs/proofs.md for the multi-party ceremony that replaces it.
 */
import { createHash, randomBytes } from 'node:crypto'
import { directDevSetup } from './dev-setup.js'
import { execFile } from 'node:child_process'
import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, copyFileSync, openSync, readSync, closeSync } from 'node:fs'
import { createRequire } from 'node:module'
import { homedir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

/** Bump when this build's outputs change for the same sources. */
export const CIRCUITS_SCRIPT_VERSION = 2
export const DEV_SETUP_LABEL = 'cyxwiz DEVELOPMENT-ONLY single-party setup (NOT a ceremony; do not use for real value)'

export const CIRCUITS_DIR = dirname(fileURLToPath(import.meta.url))
export const CIRCUITS_SRC = join(CIRCUITS_DIR, 'src')
export const CIRCUITS_BUILD = join(CIRCUITS_DIR, 'build')
const REPO_ROOT = dirname(CIRCUITS_DIR)
const require = createRequire(import.meta.url)

export interface CircuitInfo {
  readonly name: string
  /** R1CS constraints after --O2. */
  readonly constraints: number
  readonly publicInputs: number
  readonly privateInputs: number
  readonly outputs: number
  /** Smallest Powers-of-Tau power this circuit fits. */
  readonly power: number
  readonly compileSeconds: number
  readonly setupSeconds: number
  readonly zkeyBytes: number
}

/** How the Groth16 keys are made (module header). */
export type SetupMethod = 'direct' | 'ptau'

/** The setup method this process uses: `CYX_CIRCUITS_SETUP`, default direct. */
export function setupMethod (): SetupMethod {
  const v = process.env.CYX_CIRCUITS_SETUP
  if (v === undefined || v === '' || v === 'direct') return 'direct'
  if (v === 'ptau') return 'ptau'
  throw new Error(`CYX_CIRCUITS_SETUP must be direct or ptau (got ${v})`)
}

/** The ceremony ptau file `CYX_PTAU` names (ptau method only), or null for a development one. */
function ceremonyPtau (): string | null {
  const v = process.env.CYX_PTAU
  if (v === undefined || v === '') return null
  if (!existsSync(v)) throw new Error(`CYX_PTAU names ${v}, which does not exist`)
  return v
}

export interface CircuitManifest {
  readonly hash: string
  readonly scriptVersion: number
  readonly versions: Readonly<Record<string, string>>
  readonly setup: string
  readonly setupMethod: SetupMethod
  readonly createdAt: string
  /** The Powers of Tau used (ptau method); null for the direct setup, which uses none. */
  readonly ptau: { readonly power: number, readonly file: string, readonly generatedSeconds: number | null } | null
  readonly circuits: Readonly<Record<string, CircuitInfo>>
  readonly buildSeconds: number
}

export interface CircuitFiles {
  readonly r1cs: string
  readonly wasm: string
  readonly zkey: string
  readonly vkey: string
}

export function cacheRoot (): string {
  const explicit = process.env.CYX_CACHE_DIR
  if (explicit !== undefined && explicit !== '') return explicit
  const xdg = process.env.XDG_CACHE_HOME
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'cyxwiz')
}

function packageVersion (name: string): string {
  let dir = dirname(require.resolve(name))
  for (;;) {
    const p = join(dir, 'package.json')
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string, version?: string }
      if (pkg.name === name && pkg.version !== undefined) return pkg.version
    }
    const up = dirname(dir)
    if (up === dir) throw new Error(`cannot find the version of ${name}`)
    dir = up
  }
}

function listFiles (dir: string): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...listFiles(p))
    else if (e.isFile()) out.push(p)
  }
  return out.sort()
}

/** Top-level sources that declare `component main`, by circuit name. */
export function circuitSources (): Map<string, string> {
  const mains = new Map<string, string>()
  for (const e of readdirSync(CIRCUITS_SRC, { withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith('.circom')) continue
    const p = join(CIRCUITS_SRC, e.name)
    if (/component\s+main\b/.test(readFileSync(p, 'utf8'))) mains.set(e.name.slice(0, -'.circom'.length), p)
  }
  return new Map([...mains].sort(([a], [b]) => (a < b ? -1 : 1)))
}

/** The content hash naming the cache directory, and the versions that went into it. */
export function circuitsHash (method: SetupMethod = setupMethod()): { hash: string, versions: Record<string, string> } {
  const versions = {
    circom2: packageVersion('circom2'),
    circomlib: packageVersion('circomlib'),
    snarkjs: packageVersion('snarkjs')
  }
  const h = createHash('sha256')
  h.update(`cyxwiz-circuits/v${CIRCUITS_SCRIPT_VERSION}\n`)
  h.update(`setup ${method}\n`)
  const ceremony = method === 'ptau' ? ceremonyPtau() : null
  if (ceremony !== null) {
    const st = statSync(ceremony)
    h.update(`ptau ${ceremony} ${st.size} ${st.mtimeMs}\n`)
  }
  for (const [k, v] of Object.entries(versions)) h.update(`${k}@${v}\n`)
  for (const f of listFiles(CIRCUITS_SRC)) {
    const body = readFileSync(f)
    h.update(`${relative(CIRCUITS_SRC, f)}\n${body.length}\n`)
    h.update(body)
  }
  return { hash: h.digest('hex'), versions }
}

/** Paths of a built circuit's artefacts in circuits/build/. */
export function circuitFiles (name: string): CircuitFiles {
  return {
    r1cs: join(CIRCUITS_BUILD, `${name}.r1cs`),
    wasm: join(CIRCUITS_BUILD, `${name}.wasm`),
    zkey: join(CIRCUITS_BUILD, `${name}.zkey`),
    vkey: join(CIRCUITS_BUILD, `${name}.vkey.json`)
  }
}

export function readBuildManifest (dir: string = CIRCUITS_BUILD): CircuitManifest | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as CircuitManifest
  } catch {
    return null
  }
}

function complete (dir: string, m: CircuitManifest | null, hash: string): m is CircuitManifest {
  if (m === null || m.hash !== hash) return false
  for (const name of Object.keys(m.circuits)) {
    for (const ext of ['r1cs', 'wasm', 'zkey', 'vkey.json']) if (!existsSync(join(dir, `${name}.${ext}`))) return false
  }
  return true
}

/** R1CS header (iden3 binary format): constraint and signal counts. */
export function readR1csHeader (file: string): { constraints: number, publicInputs: number, privateInputs: number, outputs: number, wires: number } {
  const fd = openSync(file, 'r')
  try {
    const head = Buffer.alloc(12)
    readSync(fd, head, 0, 12, 0)
    if (head.toString('latin1', 0, 4) !== 'r1cs') throw new Error(`${file} is not an r1cs file`)
    const sections = head.readUInt32LE(8)
    let at = 12
    for (let s = 0; s < sections; s++) {
      const sh = Buffer.alloc(12)
      readSync(fd, sh, 0, 12, at)
      const type = sh.readUInt32LE(0)
      const size = Number(sh.readBigUInt64LE(4))
      if (type === 1) {
        const body = Buffer.alloc(size)
        readSync(fd, body, 0, size, at + 12)
        const n8 = body.readUInt32LE(0)
        let o = 4 + n8
        const wires = body.readUInt32LE(o); o += 4
        const outputs = body.readUInt32LE(o); o += 4
        const publicInputs = body.readUInt32LE(o); o += 4
        const privateInputs = body.readUInt32LE(o); o += 4
        o += 8 // labels
        const constraints = body.readUInt32LE(o)
        return { constraints, publicInputs, privateInputs, outputs, wires }
      }
      at += 12 + size
    }
    throw new Error(`${file} has no header section`)
  } finally {
    closeSync(fd)
  }
}

/** snarkjs' Groth16 domain: 2^power ≥ constraints + public inputs + outputs + 1 (see zkey_new). */
export function requiredPower (h: { constraints: number, publicInputs: number, outputs: number }): number {
  const n = h.constraints + h.publicInputs + h.outputs
  return Math.floor(Math.log2(n)) + 1
}

const seconds = (t0: number): number => Math.round((performance.now() - t0) / 100) / 10

function devEntropy (what: string): string {
  return `${DEV_SETUP_LABEL} / ${what} / ${randomBytes(32).toString('hex')}`
}

function placeFile (from: string, to: string): void {
  rmSync(to, { force: true })
  try {
    linkSync(from, to)
  } catch {
    copyFileSync(from, to)
  }
}

function install (cacheDir: string, m: CircuitManifest): void {
  rmSync(CIRCUITS_BUILD, { recursive: true, force: true })
  mkdirSync(CIRCUITS_BUILD, { recursive: true })
  for (const name of Object.keys(m.circuits)) {
    for (const ext of ['r1cs', 'wasm', 'zkey', 'vkey.json']) placeFile(join(cacheDir, `${name}.${ext}`), join(CIRCUITS_BUILD, `${name}.${ext}`))
  }
  // The manifest last: its presence with the right hash means the build directory is complete.
  placeFile(join(cacheDir, 'manifest.json'), join(CIRCUITS_BUILD, 'manifest.json'))
}

async function compile (name: string, src: string, outDir: string): Promise<void> {
  const cli = require.resolve('circom2/cli.js')
  const nodeModules = join(REPO_ROOT, 'node_modules')
  try {
    await promisify(execFile)(process.execPath, [cli, src, '--r1cs', '--wasm', '--O2', '-l', nodeModules, '-o', outDir], { cwd: REPO_ROOT, maxBuffer: 64 << 20 })
  } catch (err) {
    const e = err as { stdout?: string, stderr?: string, message: string }
    throw new Error(`circom2 failed on ${name}:\n${e.stdout ?? ''}${e.stderr ?? ''}${e.message}`)
  }
  renameSync(join(outDir, `${name}_js`, `${name}.wasm`), join(outDir, `${name}.wasm`))
  rmSync(join(outDir, `${name}_js`), { recursive: true, force: true })
}

/** A prepared (phase-2-ready) Powers of Tau of at least `power`, generated once and cached. */
export async function powersOfTau (power: number, log: (line: string) => void): Promise<{ file: string, power: number, generatedSeconds: number | null }> {
  const dir = join(cacheRoot(), 'ptau')
  mkdirSync(dir, { recursive: true })
  const cached = readdirSync(dir)
    .map((f) => /^dev-bn128-(\d+)\.ptau$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .filter((p) => p >= power)
    .sort((a, b) => a - b)
  if (cached[0] !== undefined) return { file: join(dir, `dev-bn128-${cached[0]}.ptau`), power: cached[0], generatedSeconds: null }

  const snarkjs = await import('snarkjs')
  const final = join(dir, `dev-bn128-${power}.ptau`)
  const tmp = join(dir, `.tmp-${process.pid}-${power}`)
  mkdirSync(tmp, { recursive: true })
  const t0 = performance.now()
  try {
    log(`[circuits] Powers of Tau 2^${power}: new accumulator`)
    const curve = await snarkjs.curves.getCurveFromName('bn128')
    await snarkjs.powersOfTau.newAccumulator(curve, power, join(tmp, '0.ptau'))
    log(`[circuits] Powers of Tau 2^${power}: development contribution (single party, NOT secure)`)
    await snarkjs.powersOfTau.contribute(join(tmp, '0.ptau'), join(tmp, '1.ptau'), DEV_SETUP_LABEL, devEntropy(`ptau 2^${power}`))
    log(`[circuits] Powers of Tau 2^${power}: prepare phase 2 (the slow step: minutes on 2 cores; once per machine)`)
    // Progress for the newcomer's first set-up: each of the four sections as it starts, and the
    // time spent every 30 s (snarkjs reports only at debug level, per FFT chunk).
    const started = performance.now()
    const sections = ['tauG1', 'tauG2', 'alphaTauG1', 'betaTauG1']
    const progress = {
      debug: (m: string) => {
        const section = /^Starting section: (\w+)/.exec(m)?.[1]
        if (section !== undefined) log(`[circuits] Powers of Tau 2^${power}: prepare phase 2, section ${section} (${sections.indexOf(section) + 1}/${sections.length}), ${seconds(started)} s`)
      },
      info: () => {},
      warn: (m: string) => { log(`[circuits] ${m}`) },
      error: (m: string) => { log(`[circuits] ${m}`) }
    }
    const ticker = setInterval(() => { log(`[circuits] Powers of Tau 2^${power}: prepare phase 2 still running, ${seconds(started)} s`) }, 30_000)
    ticker.unref()
    try {
      await snarkjs.powersOfTau.preparePhase2(join(tmp, '1.ptau'), join(tmp, 'final.ptau'), progress)
    } finally {
      clearInterval(ticker)
    }
    renameSync(join(tmp, 'final.ptau'), final)
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
  const generatedSeconds = seconds(t0)
  log(`[circuits] Powers of Tau 2^${power}: done in ${generatedSeconds} s → ${final}`)
  return { file: final, power, generatedSeconds }
}

/** The ptau method's Powers of Tau: the ceremony file `CYX_PTAU` names, else a development one. */
async function ptauFor (power: number, log: (line: string) => void): Promise<{ file: string, power: number, generatedSeconds: number | null }> {
  const ceremony = ceremonyPtau()
  if (ceremony === null) return await powersOfTau(power, log)
  log(`[circuits] Powers of Tau: ${ceremony} (CYX_PTAU)`)
  return { file: ceremony, power, generatedSeconds: null }
}

export interface BuildOptions {
  /** Progress lines; default console.log. */
  readonly log?: (line: string) => void
}

/**
 * Makes circuits/build/ hold the current circuits' artefacts. A no-op (one line, "circuits up to
 * date") when they are already there; installs from the cache when the cache has them; otherwise
 * compiles and runs the development setup, then caches and installs.
 */
export async function buildCircuits (opts: BuildOptions = {}): Promise<CircuitManifest> {
  const log = opts.log ?? ((line: string) => { console.log(line) })
  const method = setupMethod()
  const { hash, versions } = circuitsHash(method)
  const current = readBuildManifest()
  if (complete(CIRCUITS_BUILD, current, hash)) {
    log('circuits up to date')
    return current
  }
  const cacheDir = join(cacheRoot(), 'circuits', hash)
  const cached = readBuildManifest(cacheDir)
  if (complete(cacheDir, cached, hash)) {
    install(cacheDir, cached)
    log(`circuits up to date (installed from ${cacheDir})`)
    return cached
  }

  const t0 = performance.now()
  const sources = circuitSources()
  if (sources.size === 0) throw new Error(`no circuit with a main component in ${CIRCUITS_SRC}`)
  log(`[circuits] building ${[...sources.keys()].join(', ')} (sources ${hash.slice(0, 12)}; cache ${cacheDir})`)
  const work = `${cacheDir}.partial-${process.pid}`
  rmSync(work, { recursive: true, force: true })
  mkdirSync(work, { recursive: true })
  try {
    const infos: Record<string, { header: ReturnType<typeof readR1csHeader>, power: number, compileSeconds: number }> = {}
    for (const [name, src] of sources) {
      const tc = performance.now()
      log(`[circuits] compiling ${name} (circom2 --O2)`)
      await compile(name, src, work)
      const header = readR1csHeader(join(work, `${name}.r1cs`))
      const power = requiredPower(header)
      infos[name] = { header, power, compileSeconds: seconds(tc) }
      log(`[circuits] ${name}: ${header.constraints} constraints, ${header.publicInputs} public inputs, power ${power}, ${infos[name].compileSeconds} s`)
    }
    const power = Math.max(...Object.values(infos).map((i) => i.power))
    const ptau = method === 'ptau' ? await ptauFor(power, log) : null

    const snarkjs = await import('snarkjs')
    const circuits: Record<string, CircuitInfo> = {}
    for (const [name, info] of Object.entries(infos)) {
      const ts = performance.now()
      if (ptau === null) {
        log(`[circuits] ${name}: direct development Groth16 setup (single party, no Powers of Tau)`)
        await directDevSetup(join(work, `${name}.r1cs`), join(work, `${name}.zkey`), { log, name })
      } else {
        log(`[circuits] ${name}: Groth16 setup with ptau 2^${ptau.power} + development contribution`)
        await snarkjs.zKey.newZKey(join(work, `${name}.r1cs`), ptau.file, join(work, `${name}.0.zkey`))
        await snarkjs.zKey.contribute(join(work, `${name}.0.zkey`), join(work, `${name}.zkey`), DEV_SETUP_LABEL, devEntropy(`zkey ${name}`))
        rmSync(join(work, `${name}.0.zkey`))
      }
      const vkey = await snarkjs.zKey.exportVerificationKey(join(work, `${name}.zkey`))
      writeFileSync(join(work, `${name}.vkey.json`), JSON.stringify(vkey, null, 1) + '\n')
      circuits[name] = {
        name,
        constraints: info.header.constraints,
        publicInputs: info.header.publicInputs,
        privateInputs: info.header.privateInputs,
        outputs: info.header.outputs,
        power: info.power,
        compileSeconds: info.compileSeconds,
        setupSeconds: seconds(ts),
        zkeyBytes: statSync(join(work, `${name}.zkey`)).size
      }
      log(`[circuits] ${name}: setup done in ${circuits[name].setupSeconds} s`)
    }
    const manifest: CircuitManifest = {
      hash,
      scriptVersion: CIRCUITS_SCRIPT_VERSION,
      versions,
      setup: DEV_SETUP_LABEL,
      setupMethod: method,
      createdAt: new Date().toISOString(),
      ptau: ptau === null ? null : { power: ptau.power, file: ptau.file, generatedSeconds: ptau.generatedSeconds },
      circuits,
      buildSeconds: seconds(t0)
    }
    writeFileSync(join(work, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n')
    try {
      renameSync(work, cacheDir)
    } catch (err) {
      // Another process finished the same build first: keep its result.
      if (!complete(cacheDir, readBuildManifest(cacheDir), hash)) throw err
    }
    install(cacheDir, readBuildManifest(cacheDir) as CircuitManifest)
    log(`[circuits] built in ${manifest.buildSeconds} s`)
    return manifest
  } finally {
    rmSync(work, { recursive: true, force: true })
    // snarkjs keeps a multi-threaded curve in a global; release its worker threads.
    const g = globalThis as { curve_bn128?: { terminate (): Promise<void> } | null }
    if (g.curve_bn128 != null) await g.curve_bn128.terminate()
  }
}
