import assert from 'node:assert/strict'
import { canReproduce, cpuClassFromCpuinfo, detectCpuClass, type DeterminismProfile } from '../../../peer/train/index.js'

const native: DeterminismProfile = {
  numeric: 'float32',
  runtime: 'onnxruntime-node',
  runtimeVersion: '1.30.0',
  backend: 'cpu',
  arch: 'x64',
  cpuClass: 'x86-64-avx2-fma',
  intraOpThreads: 1,
  graphOptimization: 'all',
  opset: 17
}
const portable: DeterminismProfile = { ...native, runtime: 'onnxruntime-web', backend: 'wasm', cpuClass: 'any' }
const fixed: DeterminismProfile = { ...native, numeric: 'fixed-q16', runtime: 'cyxwiz-fixed', runtimeVersion: 'q16-v1', backend: 'js-integer', cpuClass: 'any', graphOptimization: 'none' }

describe('train/profile: DeterminismProfile', () => {
  it('classifies CPUs by the float kernels onnxruntime would dispatch', () => {
    const table: [string, string, string][] = [
      ['flags\t\t: fpu sse2 sse4_1 avx avx2 fma avx512f avx512dq avx512bw avx512vl\n', 'x64', 'x86-64-avx512'],
      ['flags\t\t: fpu sse2 sse4_1 avx avx2 fma avx512f\n', 'x64', 'x86-64-avx2-fma'],
      ['flags\t\t: fpu sse2 sse4_1 avx avx2 fma\n', 'x64', 'x86-64-avx2-fma'],
      ['flags\t\t: fpu sse2 sse4_1 avx avx2\n', 'x64', 'x86-64-avx'],
      ['flags\t\t: fpu sse2 sse4_1\n', 'x64', 'x86-64-sse4.1'],
      ['flags\t\t: fpu sse2\n', 'x64', 'x86-64-sse2'],
      ['Features\t: fp asimd evtstrm aes sve\n', 'arm64', 'arm64-sve'],
      ['Features\t: fp asimd evtstrm aes\n', 'arm64', 'arm64-neon'],
      ['', 'x64', 'unknown'],
      ['flags : avx2 fma\n', 'riscv64', 'unknown']
    ]
    for (const [cpuinfo, arch, expected] of table) assert.equal(cpuClassFromCpuinfo(cpuinfo, arch), expected, `${arch}: ${cpuinfo}`)
    assert.equal(typeof detectCpuClass(), 'string')
  })

  it('native float reproduces only on the same runtime build and CPU class', () => {
    assert.deepEqual(canReproduce(native, native), { reproducible: true, reasons: [] })
    const noFma = canReproduce({ ...native, cpuClass: 'x86-64-avx' }, native)
    assert.equal(noFma.reproducible, false)
    assert.match(noFma.reasons.join('\n'), /cpuClass/)
    assert.equal(canReproduce({ ...native, runtimeVersion: '1.29.0' }, native).reproducible, false)
    assert.equal(canReproduce({ ...native, arch: 'arm64' }, native).reproducible, false)
    assert.equal(canReproduce({ ...native, intraOpThreads: 4 }, native).reproducible, false)
    const unknown = { ...native, cpuClass: 'unknown' }
    assert.equal(canReproduce(unknown, unknown).reproducible, false)
  })

  it('portable (wasm) and fixed-point results reproduce on any CPU, but not across modes or runtimes', () => {
    assert.equal(canReproduce({ ...portable, arch: 'arm64', cpuClass: 'x' }, portable).reproducible, true)
    assert.equal(canReproduce({ ...fixed, arch: 'arm64' }, fixed).reproducible, true)
    assert.equal(canReproduce(native, portable).reproducible, false)
    assert.equal(canReproduce(portable, native).reproducible, false)
    assert.equal(canReproduce(fixed, native).reproducible, false)
    assert.equal(canReproduce({ ...fixed, runtimeVersion: 'q16-v2' }, fixed).reproducible, false)
  })
})
