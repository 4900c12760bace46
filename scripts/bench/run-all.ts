/**
 * Runs every benchmark of this folder, one after another (they measure the machine: never two at
 * once), each in its own process: stdout gets their JSON lines, one per bench, in order.
 *
 *   npx tsx scripts/bench/run-all.ts [--smoke] [NAME …]      (npm run bench; npm run bench -- --smoke)
 *
 * A bench is any `*.ts` file here that is not a helper (HELPERS): a new bench (such as `byom.ts`)
 * is picked up by dropping its file in this folder, with nothing to register — as long as it keeps
 * the contract of `common.ts` (import it first, `emit` one JSON line, honour `--smoke`), which
 * test/e2e/bench/smoke.test.ts checks for every bench this file lists.
 * Exits 1 if any bench failed (the others still run); its stderr passes through.
 */
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url))
/** Files of this folder that are not benches (mesh-netem*: the `--netem` part of mesh.ts). */
export const HELPERS = new Set(['common.ts', 'run-all.ts', 'mesh-netem.ts', 'mesh-netem-peer.ts'])

/** The benches, by name (the file name without `.ts`), sorted. */
export function benchNames (): string[] {
  return readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !HELPERS.has(f))
    .map((f) => basename(f, '.ts'))
    .sort()
}

export interface BenchRun { name: string, code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string, ms: number }

/** Runs one bench in a child process (`node --import tsx`, from the repository root). */
export async function runBench (name: string, opts: { smoke?: boolean, args?: readonly string[], timeoutMs?: number, echoStderr?: boolean } = {}): Promise<BenchRun> {
  const root = join(BENCH_DIR, '..', '..')
  const argv = ['--import', 'tsx', join(BENCH_DIR, `${name}.ts`), ...(opts.smoke === true ? ['--smoke'] : []), ...(opts.args ?? [])]
  const t0 = performance.now()
  const child = spawn(process.execPath, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d
    if (opts.echoStderr === true) process.stderr.write(d)
  })
  const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => { child.kill('SIGKILL') }, opts.timeoutMs)
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.on('close', (c, s) => { resolve([c, s]) })
  })
  clearTimeout(timer)
  return { name, code, signal, stdout, stderr, ms: performance.now() - t0 }
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]
if (isMain) {
  const smoke = process.argv.includes('--smoke')
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'))
  const all = benchNames()
  const unknown = wanted.filter((n) => !all.includes(n))
  if (unknown.length > 0) {
    process.stderr.write(`unknown bench: ${unknown.join(', ')} (known: ${all.join(', ')})\n`)
    process.exit(2)
  }
  let failed = 0
  for (const name of wanted.length > 0 ? wanted : all) {
    const r = await runBench(name, { smoke, echoStderr: true })
    if (r.code === 0) process.stdout.write(r.stdout.endsWith('\n') ? r.stdout : `${r.stdout}\n`)
    else {
      failed++
      process.stderr.write(`[bench] ${name} failed (${r.signal ?? `exit ${r.code}`})\n`)
    }
  }
  process.exit(failed > 0 ? 1 : 0)
}
