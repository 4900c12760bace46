/**
 * Benchmarks that cannot rot: every bench of scripts/bench (as run-all finds them, so a new one is
 * checked as soon as its file exists) runs in `--smoke` mode as its own process, the way
 * `npm run bench` runs it, and must exit 0 with exactly one line on stdout: a JSON object naming
 * the bench, carrying `smoke: true` and the keys its readers rely on. No timing is asserted: smoke
 * sizes measure nothing, they prove the bench still runs against today's code.
 * The benches run one after another (each measures the machine).
 * Then the mesh bench's impaired-link part (`--netem-only`: two network namespaces over a
 * 20 Mbit/s link, scripts/bench/mesh-netem.ts), which needs root: where it cannot build its
 * namespaces it reports `skipped`, and this fails with its reason (CI runs as root), as the
 * multi-host tests do.
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

  it('mesh --smoke --netem-only measures every path over both link conditions (root: network namespaces)', async function () {
    this.timeout(PER_BENCH_MS + 10_000)
    const r = await runBench('mesh', { smoke: true, args: ['--netem-only'], timeoutMs: PER_BENCH_MS })
    assert.equal(r.code, 0, `mesh --netem-only exited ${r.signal ?? r.code}; stderr ends:\n${r.stderr.split('\n').slice(-30).join('\n')}`)
    const lines = r.stdout.split('\n').filter((l) => l.trim() !== '')
    assert.equal(lines.length, 1, r.stdout)
    const out = JSON.parse(lines[0] as string) as { bench: string, smoke: boolean, netem?: Record<string, unknown> }
    assert.equal(out.bench, 'mesh')
    assert.equal(out.smoke, true)
    const netem = out.netem
    assert.ok(netem !== undefined, `no "netem" in ${lines[0]}`)
    assert.equal(netem.skipped, undefined, `the netem part could not run: ${String(netem.skipped)}`)
    const conditions = netem.conditions as Record<string, Record<string, unknown>>
    for (const c of ['rateOnly', 'lossy']) {
      for (const key of ['tcpMBps', 'libp2pRawMBps', 'weightsMBps', 'datasetFramesMBps']) {
        const v = conditions[c]?.[key]
        assert.ok(typeof v === 'number' && v > 0, `${c}.${key}: ${String(v)}`)
      }
    }
    // The lossy legs crossed the impaired link: its delay line dropped packets (1 % of ~2,000).
    const lost = (conditions.lossy?.delayLine as { lost?: number } | undefined)?.lost
    assert.ok(lost !== undefined && lost > 0, `packets lost in the lossy condition: ${JSON.stringify(conditions.lossy?.delayLine)}`)
    for (const c of ['rateOnly', 'lossy']) assert.ok(c in (netem.targets as object), JSON.stringify(netem.targets))
  })
})
