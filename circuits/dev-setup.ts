/**
 * A development-only Groth16 setup computed directly from freshly sampled secrets, without a
 * universal Powers of Tau: the circuit's proving key in snarkjs' `.zkey` format (which unmodified
 * snarkjs proves with) and nothing else.
 *
 * Why this is hand-written: snarkjs (and every other maintained tool for BN254 we can use here) only
 * makes a Groth16 key from a prepared Powers of Tau (`powersoftau new → contribute → prepare phase2
 * → zkey new → zkey contribute`). Preparing the 2^16 Powers of Tau alone took 1,780 s of a newcomer's
 * first `npm run sim` (issue 20), and that universal setup buys nothing for a single-party
 * development key whose builder knows every secret anyway. Knowing τ, α, β, γ, δ, the key is a few
 * field sums per signal and one fixed-base multiplication per point. Only that setup math is here:
 * the curve arithmetic (fixed-base multiplication, affine conversion, point encoding) is ffjavascript's
 * WebAssembly, through the curve snarkjs itself uses (`snarkjs.curves`), run on its worker threads;
 * the field arithmetic is native bigint. The file container is the iden3 binary format snarkjs reads
 * (magic, version, sections of id u32 + size u64), a few lines with node:fs. The r1cs file is read
 * the same way (its layout: iden3/r1csfile's format description).
 *
 * The key (what snarkjs' zkey_new followed by one zkey_contribute would hold, with the same secrets):
 *   domain: n = 2^p ≥ constraints + public + 1, ω = Fr.w[p]; constraint c sits at ω^c and public
 *   signal s (0 = the constant one) adds A[constraints + s][s] = 1, as snarkjs does;
 *   L_i(τ) = (τ^n − 1)/n · ω^i/(τ − ω^i) (the Lagrange basis at τ);
 *   a_s, b_s, c_s = Σ_c A|B|C[c][s] · L_c(τ);
 *   A_s = a_s·G1, B1_s = b_s·G1, B2_s = b_s·G2, IC_s = (β a_s + α b_s + c_s)/γ · G1 (s ≤ public),
 *   C_s = (β a_s + α b_s + c_s)/δ · G1 (s > public), H_j = L'_{2j+1}(τ)/δ · G1 for j < n with L' the
 *   Lagrange basis of the domain of size 2n (snarkjs' prover evaluates A·B − C on the odd coset);
 *   the header holds α·G1, β·G1, β·G2, γ·G2, δ·G1, δ·G2; the coefficient section the A and B matrix
 *   entries times R² (snarkjs' Montgomery pre-scaling).
 * The secrets live only in this function's locals and are dropped when it returns — which is exactly
 * the trust a single-party development setup asks for: whoever controls the machine while it runs
 * could keep them and forge proofs. NOT for real value; docs/proofs.md has the ceremony path.
 */
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'

/** BN254 (alt_bn128) scalar field order r and base field order q. */
export const FR = 21888242871839275222246405745257275088548364400416034343698204186575808495617n
export const FQ = 21888242871839275222246405745257275088696311157297823662689037894645226208583n
/** A 2^28-th primitive root of unity of Fr, the one snarkjs' FFT uses (ffjavascript's Fr.w[28]). */
const ROOT_OF_UNITY_28 = 19103219067921713944291392827692070036145651957329286315305642004821462161904n
const TWO_ADICITY = 28

/** Written into the contributions section's hash, so that the key says what made it. */
export const DIRECT_SETUP_ID = 'cyxwiz direct development Groth16 setup v1 (no Powers of Tau)'

const mod = (a: bigint): bigint => {
  const m = a % FR
  return m < 0n ? m + FR : m
}

function pow (b: bigint, e: bigint): bigint {
  let r = 1n
  let x = mod(b)
  while (e > 0n) {
    if ((e & 1n) === 1n) r = r * x % FR
    x = x * x % FR
    e >>= 1n
  }
  return r
}

const inv = (a: bigint): bigint => {
  if (mod(a) === 0n) throw new Error('inverse of zero')
  return pow(a, FR - 2n)
}

/** A uniformly random nonzero element of Fr (64 random bytes reduced: bias < 2^-250). */
export function randomFr (): bigint {
  for (;;) {
    const v = mod(BigInt('0x' + randomBytes(64).toString('hex')))
    if (v !== 0n) return v
  }
}

/** The primitive 2^p-th root of unity of snarkjs' domain of size 2^p. */
export function rootOfUnity (power: number): bigint {
  if (!Number.isInteger(power) || power < 0 || power > TWO_ADICITY) throw new RangeError(`no 2^${power}-th root of unity in Fr`)
  let w = ROOT_OF_UNITY_28
  for (let i = TWO_ADICITY; i > power; i--) w = w * w % FR
  return w
}

/**
 * The Lagrange basis of the size-`size` domain (generator `omega`) evaluated at `tau`, for the
 * indices `first, first + step, …` (count of them): L_i(τ) = (τ^n − 1)/n · ω^i / (τ − ω^i).
 * One inversion for all of them (Montgomery's batch trick).
 */
export function lagrangeAt (tau: bigint, size: number, omega: bigint, first: number, step: number, count: number): bigint[] {
  const n = BigInt(size)
  const z = mod(pow(tau, n) - 1n)
  if (z === 0n) throw new Error('τ lies in the evaluation domain; sample again')
  const factor = z * inv(n) % FR
  const points: bigint[] = new Array<bigint>(count)
  const wStep = pow(omega, BigInt(step))
  let w = pow(omega, BigInt(first))
  for (let k = 0; k < count; k++) { points[k] = w; w = w * wStep % FR }
  // Batch inversion of (τ − ω^i).
  const prefix: bigint[] = new Array<bigint>(count)
  let acc = 1n
  for (let k = 0; k < count; k++) { prefix[k] = acc; acc = acc * mod(tau - points[k]!) % FR }
  let accInv = inv(acc)
  const out: bigint[] = new Array<bigint>(count)
  for (let k = count - 1; k >= 0; k--) {
    const d = mod(tau - points[k]!)
    out[k] = factor * points[k]! % FR * (accInv * prefix[k]! % FR) % FR
    accInv = accInv * d % FR
  }
  return out
}

/** The parts of an r1cs file the setup needs. */
export interface R1cs {
  readonly nVars: number
  readonly nPublic: number
  readonly nConstraints: number
  /** Per constraint, the A, B and C linear combinations as [signal, coefficient] pairs. */
  readonly constraints: ReadonlyArray<readonly [ReadonlyArray<readonly [number, bigint]>, ReadonlyArray<readonly [number, bigint]>, ReadonlyArray<readonly [number, bigint]>]>
}

function leBigInt (buf: Buffer, at: number, n8: number): bigint {
  let v = 0n
  for (let i = n8 - 8; i >= 0; i -= 8) v = (v << 64n) | buf.readBigUInt64LE(at + i)
  return v
}

/** Reads an iden3 r1cs file (header section 1, constraints section 2). */
export function readR1cs (file: string): R1cs {
  const buf = readFileSync(file)
  if (buf.toString('latin1', 0, 4) !== 'r1cs') throw new Error(`${file} is not an r1cs file`)
  const nSections = buf.readUInt32LE(8)
  const sections = new Map<number, { at: number, size: number }>()
  let at = 12
  for (let s = 0; s < nSections; s++) {
    const type = buf.readUInt32LE(at)
    const size = Number(buf.readBigUInt64LE(at + 4))
    if (!sections.has(type)) sections.set(type, { at: at + 12, size })
    at += 12 + size
  }
  const head = sections.get(1)
  const body = sections.get(2)
  if (head === undefined || body === undefined) throw new Error(`${file} lacks its header or constraints section`)
  let o = head.at
  const n8 = buf.readUInt32LE(o); o += 4
  if (n8 !== 32 || leBigInt(buf, o, n8) !== FR) throw new Error(`${file} is not over the BN254 scalar field`)
  o += n8
  const nVars = buf.readUInt32LE(o); o += 4
  const nOutputs = buf.readUInt32LE(o); o += 4
  const nPubInputs = buf.readUInt32LE(o); o += 4
  o += 4 // private inputs
  o += 8 // labels
  const nConstraints = buf.readUInt32LE(o)
  const constraints: Array<[Array<[number, bigint]>, Array<[number, bigint]>, Array<[number, bigint]>]> = []
  o = body.at
  const readLc = (): Array<[number, bigint]> => {
    const count = buf.readUInt32LE(o); o += 4
    const lc: Array<[number, bigint]> = []
    for (let i = 0; i < count; i++) {
      const signal = buf.readUInt32LE(o)
      lc.push([signal, leBigInt(buf, o + 4, 32)])
      o += 36
    }
    return lc
  }
  for (let c = 0; c < nConstraints; c++) constraints.push([readLc(), readLc(), readLc()])
  if (o !== body.at + body.size) throw new Error(`${file}: constraints section has ${body.size} bytes, read ${o - body.at}`)
  return { nVars, nPublic: nOutputs + nPubInputs, nConstraints, constraints }
}

/** snarkjs' domain power for an r1cs: 2^p ≥ constraints + public signals + 1. */
export function domainPower (r: Pick<R1cs, 'nConstraints' | 'nPublic'>): number {
  return Math.floor(Math.log2(r.nConstraints + r.nPublic)) + 1
}

/**
 * The slice of ffjavascript's bn128 (from `snarkjs.curves.getCurveFromName('bn128', { singleThread:
 * true })`) this module drives: its WebAssembly exports and memory, on the calling thread.
 */
type Export = (...args: number[]) => number
export interface SetupCurve {
  tm: { memory: { buffer: ArrayBuffer, grow (pages: number): number }, instance: { exports: Record<string, unknown> }, u8: Uint8Array, u32: Uint32Array }
  G1: { g: Uint8Array, toRprLEM (buf: Uint8Array, at: number, p: Uint8Array): void }
  G2: { g: Uint8Array, toRprLEM (buf: Uint8Array, at: number, p: Uint8Array): void }
}

const G1_BYTES = 64
const G2_BYTES = 128
/** Fixed-base window: 8 bits, 32 windows cover a 254-bit scalar. */
const WINDOW = 8
const WINDOWS = 32
const DIGITS = 1 << WINDOW
/** Points converted to affine at a time. */
const CHUNK = 1024

function scalarLE (v: bigint, out: Uint8Array, at: number): void {
  let x = v
  for (let i = 0; i < 32; i++) { out[at + i] = Number(x & 0xffn); x >>= 8n }
}

/**
 * Fixed-base multiplication by the generator with a precomputed window table (d · 2^(8w) · G for
 * every window w and digit d): 32 mixed additions per point instead of ~380 group operations.
 * Runs in the curve's WebAssembly memory, in a region past everything ffjavascript allocated (the
 * memory is grown for it; the curve must be a single-thread instance of its own).
 */
class FixedBase {
  private readonly ex: Record<string, Export>
  private readonly sA: number
  private readonly sP: number
  private readonly pre: string
  private readonly table: number
  private readonly row: number
  private readonly acc: [number, number]
  private readonly out: number

  constructor (private readonly curve: SetupCurve, group: 'G1' | 'G2') {
    this.ex = curve.tm.instance.exports as Record<string, Export>
    this.pre = group === 'G1' ? 'g1m' : 'g2m'
    this.sA = group === 'G1' ? G1_BYTES : G2_BYTES
    this.sP = this.sA / 2 * 3
    const need = WINDOWS * DIGITS * this.sA + DIGITS * this.sP + 2 * this.sP + CHUNK * this.sP + 3 * this.sP + 64
    const mem = curve.tm.memory
    const start = (mem.buffer.byteLength + 63) & ~63
    const pages = Math.ceil((start + need - mem.buffer.byteLength) / 65536)
    mem.grow(pages)
    // ffjavascript's views of the memory were detached by the growth: renew them.
    curve.tm.u8 = new Uint8Array(mem.buffer)
    curve.tm.u32 = new Uint32Array(mem.buffer)
    this.table = start
    this.row = this.table + WINDOWS * DIGITS * this.sA
    this.acc = [this.row + DIGITS * this.sP, this.row + DIGITS * this.sP + this.sP]
    this.out = this.acc[1] + this.sP
    const base = this.out + CHUNK * this.sP
    const tmp = base + this.sA
    const G = curve[group]
    const g = new Uint8Array(this.sA)
    G.toRprLEM(g, 0, G.g)
    this.u8().set(g, base)
    const f = (name: string): Export => this.fn(name)
    for (let w = 0; w < WINDOWS; w++) {
      // row[d] = d · base (projective), then the whole row to affine into the table.
      f('zero')(this.row)
      for (let d = 1; d < DIGITS; d++) f('addMixed')(this.row + (d - 1) * this.sP, base, this.row + d * this.sP)
      f('batchToAffine')(this.row, DIGITS, this.table + w * DIGITS * this.sA)
      // next base = 256 · base = row[255] + base
      f('addMixed')(this.row + (DIGITS - 1) * this.sP, base, tmp)
      f('toAffine')(tmp, base)
    }
  }

  private u8 (): Uint8Array { return new Uint8Array(this.curve.tm.memory.buffer) }
  private fn (name: string): Export {
    const e = this.ex[`${this.pre}_${name}`]
    if (typeof e !== 'function') throw new Error(`ffjavascript's curve lacks ${this.pre}_${name}`)
    return e
  }

  /** `scalars[i]·G`, affine, in snarkjs' LEM encoding (zero scalars: the point at infinity). */
  times (scalars: readonly bigint[], onChunk: (done: number) => void): Uint8Array {
    const res = new Uint8Array(scalars.length * this.sA)
    const zero = this.fn('zero')
    const addMixed = this.fn('addMixed')
    const toAffine = this.fn('batchToAffine')
    const bytes = new Uint8Array(32)
    for (let first = 0; first < scalars.length; first += CHUNK) {
      const n = Math.min(CHUNK, scalars.length - first)
      for (let i = 0; i < n; i++) {
        scalarLE(scalars[first + i]!, bytes, 0)
        let cur = 0
        zero(this.acc[0])
        for (let w = 0; w < WINDOWS; w++) {
          const d = bytes[w]!
          if (d === 0) continue
          addMixed(this.acc[cur]!, this.table + (w * DIGITS + d) * this.sA, this.acc[1 - cur]!)
          cur = 1 - cur
        }
        const u8 = this.u8()
        u8.copyWithin(this.out + i * this.sP, this.acc[cur]!, this.acc[cur]! + this.sP)
      }
      toAffine(this.out, n, this.out)
      res.set(this.u8().subarray(this.out, this.out + n * this.sA), first * this.sA)
      onChunk(first + n)
    }
    return res
  }
}

function u32 (v: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32LE(v)
  return b
}

function fieldLE (v: bigint): Buffer {
  const b = Buffer.alloc(32)
  scalarLE(v, b, 0)
  return b
}

/** The iden3 binary container: magic, version 1, the sections (id u32, size u64, bytes). */
function binFile (magic: string, sections: ReadonlyArray<readonly [number, readonly Uint8Array[]]>): Buffer {
  const parts: Uint8Array[] = [Buffer.from(magic, 'latin1'), u32(1), u32(sections.length)]
  for (const [id, body] of sections) {
    const size = body.reduce((s, b) => s + b.length, 0)
    const h = Buffer.alloc(12)
    h.writeUInt32LE(id, 0)
    h.writeBigUInt64LE(BigInt(size), 4)
    parts.push(h, ...body)
  }
  return Buffer.concat(parts)
}

export interface DirectSetupResult {
  readonly nVars: number
  readonly nPublic: number
  readonly nConstraints: number
  readonly power: number
  /** Seconds spent in the field arithmetic and in the curve multiplications. */
  readonly fieldSeconds: number
  readonly curveSeconds: number
  readonly zkeyBytes: number
}

export interface DirectSetupOptions {
  /** Progress lines (each section as it completes). */
  readonly log?: (line: string) => void
  /** Name shown in progress lines. */
  readonly name?: string
}

const secondsSince = (t0: number): number => Math.round((performance.now() - t0) / 100) / 10

/**
 * Writes a Groth16 proving key for `r1csFile` to `zkeyFile` from freshly sampled τ, α, β, γ, δ
 * (development only: single party).
 */
export async function directDevSetup (r1csFile: string, zkeyFile: string, opts: DirectSetupOptions = {}): Promise<DirectSetupResult> {
  const log = opts.log ?? (() => {})
  const name = opts.name ?? r1csFile
  const tField = performance.now()
  const r1cs = readR1cs(r1csFile)
  const { nVars, nPublic, nConstraints } = r1cs
  const power = domainPower(r1cs)
  if (power >= TWO_ADICITY) throw new Error(`${name}: a domain of 2^${power} is too big for BN254`)
  const n = 2 ** power

  // The toxic waste. Sampled here, dropped on return.
  const tau = randomFr()
  const alpha = randomFr()
  const beta = randomFr()
  const gamma = randomFr()
  const delta = randomFr()

  const L = lagrangeAt(tau, n, rootOfUnity(power), 0, 1, nConstraints + nPublic + 1)
  const a: bigint[] = new Array<bigint>(nVars).fill(0n)
  const b: bigint[] = new Array<bigint>(nVars).fill(0n)
  const c: bigint[] = new Array<bigint>(nVars).fill(0n)
  const R2 = mod((1n << 256n) % FR * ((1n << 256n) % FR))
  let nCoefs = nPublic + 1
  for (const [lA, lB] of r1cs.constraints) nCoefs += lA.length + lB.length
  const coefs = Buffer.alloc(4 + nCoefs * 44)
  coefs.writeUInt32LE(nCoefs, 0)
  let coefAt = 4
  const coef = (matrix: number, constraint: number, signal: number, value: bigint): void => {
    coefs.writeUInt32LE(matrix, coefAt)
    coefs.writeUInt32LE(constraint, coefAt + 4)
    coefs.writeUInt32LE(signal, coefAt + 8)
    scalarLE(value * R2 % FR, coefs, coefAt + 12)
    coefAt += 44
  }
  for (let k = 0; k < nConstraints; k++) {
    const [lA, lB, lC] = r1cs.constraints[k]!
    const lk = L[k]!
    for (const [s, v] of lA) { a[s] = (a[s]! + v * lk) % FR; coef(0, k, s, v) }
    for (const [s, v] of lB) { b[s] = (b[s]! + v * lk) % FR; coef(1, k, s, v) }
    for (const [s, v] of lC) c[s] = (c[s]! + v * lk) % FR
  }
  for (let s = 0; s <= nPublic; s++) {
    a[s] = (a[s]! + L[nConstraints + s]!) % FR
    coef(0, nConstraints + s, s, 1n)
  }
  const gammaInv = inv(gamma)
  const deltaInv = inv(delta)
  const ic: bigint[] = []
  const cs: bigint[] = []
  for (let s = 0; s < nVars; s++) {
    const v = (beta * a[s]! + alpha * b[s]! + c[s]!) % FR
    if (s <= nPublic) ic.push(v * gammaInv % FR)
    else cs.push(v * deltaInv % FR)
  }
  const h = lagrangeAt(tau, 2 * n, rootOfUnity(power + 1), 1, 2, n).map((v) => v * deltaInv % FR)
  const fieldSeconds = secondsSince(tField)

  const tCurve = performance.now()
  const g1Total = 3 + ic.length + 2 * nVars + cs.length + n
  let g1Done = 0
  let lastReport = performance.now()
  const progress = (section: string) => (done: number): void => {
    if (performance.now() - lastReport < 10_000) return
    lastReport = performance.now()
    log(`[circuits] ${name}: direct setup, ${section} ${done} points (${section === 'B2' ? `G2, ${Math.round(100 * done / nVars)}` : `G1, ${Math.round(100 * (g1Done + done) / g1Total)}`} %), ${secondsSince(tCurve)} s`)
  }
  const snarkjs = await import('snarkjs')
  // A single-thread curve of its own: FixedBase grows its WebAssembly memory.
  const curve = await snarkjs.curves.getCurveFromName('bn128', { singleThread: true }) as unknown as SetupCurve & { terminate (): Promise<void> }
  let head1: Uint8Array, head2: Uint8Array, sIC: Uint8Array, sA: Uint8Array, sB1: Uint8Array, sB2: Uint8Array, sC: Uint8Array, sH: Uint8Array
  try {
    const fb1 = new FixedBase(curve, 'G1')
    const g1 = (section: string, scalars: readonly bigint[]): Uint8Array => {
      const r = fb1.times(scalars, progress(section))
      g1Done += scalars.length
      return r
    }
    head1 = g1('header', [alpha, beta, delta])
    sIC = g1('IC', ic)
    sA = g1('A', a)
    sB1 = g1('B1', b)
    sC = g1('C', cs)
    sH = g1('H', h)
    const fb2 = new FixedBase(curve, 'G2')
    head2 = fb2.times([beta, gamma, delta], () => {})
    sB2 = fb2.times(b, progress('B2'))
  } finally {
    await curve.terminate()
  }
  const curveSeconds = secondsSince(tCurve)

  const header = [
    u32(32), fieldLE(FQ), u32(32), fieldLE(FR),
    u32(nVars), u32(nPublic), u32(n),
    head1.subarray(0, G1_BYTES), // α·G1
    head1.subarray(G1_BYTES, 2 * G1_BYTES), // β·G1
    head2.subarray(0, G2_BYTES), // β·G2
    head2.subarray(G2_BYTES, 2 * G2_BYTES), // γ·G2
    head1.subarray(2 * G1_BYTES, 3 * G1_BYTES), // δ·G1
    head2.subarray(2 * G2_BYTES, 3 * G2_BYTES) // δ·G2
  ]
  // Section 10 (contributions): a 64-byte hash naming the key, and no phase-2 contributions.
  const idHash = createHash('sha512')
  idHash.update(DIRECT_SETUP_ID)
  for (const part of [...header, sIC, sA, sB1, sB2, sC, sH]) idHash.update(part)
  const file = binFile('zkey', [
    [1, [u32(1)]], // Groth16
    [2, header],
    [3, [sIC]],
    [4, [coefs]],
    [5, [sA]],
    [6, [sB1]],
    [7, [sB2]],
    [8, [sC]],
    [9, [sH]],
    [10, [idHash.digest(), u32(0)]]
  ])
  writeFileSync(zkeyFile, file)
  return { nVars, nPublic, nConstraints, power, fieldSeconds, curveSeconds, zkeyBytes: file.length }
}
