/**
 * Benchmarks that cannot rot: every bench of scripts/bench (as run-all finds them, so a new one is
 * checked as soon as its file exists) runs in `--smoke` mode as its own process, the way
 * `npm run bench` runs it, and must exit 0 with exactly one line on stdout: a JSON object naming
 * the bench, carrying `smoke: true` and the keys its readers rely on. No timing is asserted: smoke
 * sizes measure nothing, they prove the bench still runs against today's code.
 * The benches run one after another (each measures the machine).
 */
import assert from 'node:assert/strict'
import { benchNames, runBench } from '../../../scripts/bench/run-all.js'

/** Top-level keys each known bench's line must carry (a bench not listed here: `bench` only). */
const EXPECTED: Record<string, string[]> = {
  byom: ['model', 'steps', 'transfer'],
  chain: ['program_bytes', 'compute_units'],
  'cold-start': ['firstPaidSeconds', 'totalSeconds', 'steps', 'directSetup'],
  coordinator: ['workers', 'withCoordinatorMs', 'meshOnlyMs', 'candidates', 'submissionToAwardMs'],
  evidence: ['evidenceMBps', 'plainMBps', 'overheadRatio', 'storeOnlyRatio', 'sealMs', 'loadMBps'],
  mesh: ['transferRatio', 'transfer', 'targets', 'awardLatencyMs', 'announceToAllBidsMs'],
  train: ['stepsPerSec', 'ratios', 'evidence'],
  zk: ['constraints', 'proveSeconds', 'verifySeconds', 'proofBytes', 'completeComputeUnits', 'verifyProofComputeUnits']
}

const PER_BENCH_MS = 240_000

describe('benchmarks (smoke)', function () {
  const names = benchNames()

  it('finds every bench the package scripts name', () => {
    for (const known of Object.keys(EXPECTED)) assert.ok(names.includes(known), `scripts/bench/${known}.ts is missing`)
  })

  for (const name of names) {
    it(`${name} --smoke prints one JSON line and exits 0`, async function () {
      this.timeout(PER_BENCH_MS + 10_000)
      const r = await runBench(name, { smoke: true, timeoutMs: PER_BENCH_MS })
      const tail = r.stderr.split('\n').slice(-30).join('\n')
      assert.equal(r.code, 0, `${name} exited ${r.signal ?? r.code}; stderr ends:\n${tail}`)
      const lines = r.stdout.split('\n').filter((l) => l.trim() !== '')
      assert.equal(lines.length, 1, `${name} printed ${lines.length} lines on stdout:\n${r.stdout}`)
      let out: Record<string, unknown>
      try {
        out = JSON.parse(lines[0] as string) as Record<string, unknown>
      } catch (e) {
        assert.fail(`${name}: stdout is not JSON (${String(e)}): ${lines[0]}`)
      }
      assert.equal(out.bench, name)
      assert.equal(out.smoke, true, `${name} ignored --smoke`)
      for (const key of EXPECTED[name] ?? []) assert.ok(key in out, `${name}: no "${key}" in ${lines[0]}`)
    })
  }
})
