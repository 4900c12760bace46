// Determinism profiles: what a result's bits depend on besides the spec, and whether a verifier can
// reproduce them.
//
// Why: float32 training through native kernels is bit-exact on one machine (across runs, thread counts,
// processes) but not across instruction sets: onnxruntime's MLAS picks a GEMM kernel by CPU features
// (AVX-512F, AVX2+FMA, AVX, SSE; NEON on arm64), and fused multiply-add rounds once where mul+add rounds
// twice. So a native float checkpoint is re-executable only on the same runtime build and kernel class.
// The WebAssembly build (portable backend) computes the same bits everywhere, and integer fixed-point
// arithmetic is exact everywhere.
import { readFileSync } from 'node:fs'
import type { NumericMode } from './spec.js'

export type RuntimeName = 'onnxruntime-node' | 'onnxruntime-web' | 'cyxwiz-fixed'
export type ComputeBackend = 'cpu' | 'wasm' | 'js-integer'

export interface DeterminismProfile {
  readonly numeric: NumericMode
  readonly runtime: RuntimeName
  readonly runtimeVersion: string
  readonly backend: ComputeBackend
  /** process.arch of the machine that ran it. */
  readonly arch: string
  /** Kernel class the runtime dispatches to on this CPU; 'unknown' never matches anything natively. */
  readonly cpuClass: string
  readonly intraOpThreads: number
  readonly graphOptimization: string
  readonly opset: number
}

/**
 * The CPU feature class that decides which float kernels onnxruntime (MLAS) runs, from the flags the
 * kernel reports in /proc/cpuinfo (Linux). Elsewhere we cannot tell, and say 'unknown'.
 */
export function cpuClassFromCpuinfo(cpuinfo: string, arch: string): string {
  const flagLine = cpuinfo.split('\n').find((l) => /^(flags|Features)\s*:/.test(l))
  if (!flagLine) return 'unknown'
  const flags = new Set(flagLine.slice(flagLine.indexOf(':') + 1).trim().split(/\s+/))
  if (arch === 'x64') {
    if (['avx512f', 'avx512bw', 'avx512dq', 'avx512vl'].every((f) => flags.has(f))) return 'x86-64-avx512'
    if (flags.has('avx2') && flags.has('fma')) return 'x86-64-avx2-fma'
    if (flags.has('avx')) return 'x86-64-avx'
    if (flags.has('sse4_1')) return 'x86-64-sse4.1'
    return 'x86-64-sse2'
  }
  if (arch === 'arm64') return flags.has('sve') ? 'arm64-sve' : flags.has('asimd') ? 'arm64-neon' : 'unknown'
  return 'unknown'
}

let localCpuClass: string | undefined

export function detectCpuClass(): string {
  if (localCpuClass === undefined) {
    let cpuinfo = ''
    try {
      cpuinfo = readFileSync('/proc/cpuinfo', 'utf8')
    } catch {
      // not Linux: leave it unknown (native float results from here are then never re-executed elsewhere)
    }
    localCpuClass = cpuClassFromCpuinfo(cpuinfo, process.arch)
  }
  return localCpuClass
}

export interface ReproducibilityVerdict {
  readonly reproducible: boolean
  /** Why not, one line per differing property (empty when reproducible). */
  readonly reasons: readonly string[]
}

/**
 * Can a verifier running under `verifier` re-execute, bit for bit, work recorded under `recorded`?
 * Rules: numeric mode, runtime, its version, backend, opset, graph optimisation and thread count must
 * match always; native float ('cpu' backend) must also match architecture and CPU class, and an
 * 'unknown' CPU class matches nothing. WebAssembly and integer backends are CPU-independent.
 */
export function canReproduce(verifier: DeterminismProfile, recorded: DeterminismProfile): ReproducibilityVerdict {
  const reasons: string[] = []
  const same = (key: keyof DeterminismProfile) => {
    if (verifier[key] !== recorded[key]) reasons.push(`${key}: recorded ${String(recorded[key])}, verifier has ${String(verifier[key])}`)
  }
  same('numeric')
  same('runtime')
  same('runtimeVersion')
  same('backend')
  same('opset')
  if (recorded.backend !== 'js-integer') {
    same('graphOptimization')
    same('intraOpThreads')
  }
  if (recorded.backend === 'cpu') {
    same('arch')
    same('cpuClass')
    if (recorded.cpuClass === 'unknown' || verifier.cpuClass === 'unknown') reasons.push('cpuClass: unknown CPU class cannot be matched for native float kernels')
  }
  return { reproducible: reasons.length === 0, reasons }
}
