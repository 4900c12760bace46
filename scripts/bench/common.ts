/**
 * What every benchmark shares. Import it FIRST (`import { bench } from './common.js'`): ES modules
 * evaluate their imports in order, so the Node 20 polyfill (`Promise.withResolvers`, which libp2p,
 * noise, yamux and helia call) is installed before any other module of the bench runs, and every
 * bench runs the obvious way: `npx tsx scripts/bench/NAME.ts [--smoke]`.
 *
 * The contract (checked by test/e2e/bench/smoke.test.ts for every bench in this folder):
 * - stdout carries exactly ONE line, a JSON object with `bench` naming the bench, written by
 *   `emit`. Anything else a bench or a library prints through `console.log`/`console.info` goes to
 *   stderr, so that line stays the only one.
 * - `--smoke` runs a tiny size that finishes in seconds (`smoke` is true, and the object carries
 *   `smoke: true`): it proves the bench still runs, its numbers mean nothing.
 * - ratios are against a baseline measured in the same run, never against a remembered number.
 */
import '../../peer/runtime/node20.mjs'

/** True under `--smoke`: the tiny size. */
export const smoke = process.argv.includes('--smoke')

/** The arguments after the script, without flags (`--smoke`, `--netem`, …): each bench's own positional arguments. */
export const args = process.argv.slice(2).filter((a) => !a.startsWith('--'))

const writeStdout = process.stdout.write.bind(process.stdout)
console.log = (...a: unknown[]): void => { console.error(...a) }
console.info = (...a: unknown[]): void => { console.error(...a) }

let emitted = false

/** Prints the bench's one JSON line (once; a second call is a bug in the bench). */
export function emit (result: { bench: string } & Record<string, unknown>): void {
  if (emitted) throw new Error(`${result.bench}: emit called twice`)
  emitted = true
  writeStdout(JSON.stringify(smoke ? { ...result, smoke: true } : result) + '\n')
}

/** `emit`, then exit 0 once stdout is flushed (for benches whose peers leave handles open). */
export async function emitAndExit (result: { bench: string } & Record<string, unknown>): Promise<never> {
  emit(result)
  await new Promise<void>((resolve) => { process.stdout.write('', () => { resolve() }) })
  process.exit(0)
}
