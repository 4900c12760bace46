// Minimal type declarations for the untyped zero-knowledge packages, only what circuits/ uses.

declare module 'snarkjs' {
  export interface Groth16Proof {
    pi_a: string[]
    pi_b: string[][]
    pi_c: string[]
    protocol: string
    curve: string
  }
  export interface VerificationKey {
    protocol: string
    curve: string
    nPublic: number
    vk_alpha_1: string[]
    vk_beta_2: string[][]
    vk_gamma_2: string[][]
    vk_delta_2: string[][]
    IC: string[][]
    [k: string]: unknown
  }
  export interface Logger {
    debug (msg: string): void
    info (msg: string): void
    warn (msg: string): void
    error (msg: string): void
  }
  export const groth16: {
    fullProve (input: Record<string, unknown>, wasmFile: string, zkeyFile: string, logger?: Logger): Promise<{ proof: Groth16Proof, publicSignals: string[] }>
    verify (vkey: VerificationKey, publicSignals: readonly (string | bigint)[], proof: Groth16Proof, logger?: Logger): Promise<boolean>
  }
  export const wtns: {
    calculate (input: Record<string, unknown>, wasmFile: string, out: { type: 'mem' } | string): Promise<unknown>
  }
  export const powersOfTau: {
    newAccumulator (curve: unknown, power: number, fileName: string, logger?: Logger): Promise<unknown>
    contribute (oldPtau: string, newPtau: string, name: string, entropy: string, logger?: Logger): Promise<unknown>
    preparePhase2 (oldPtau: string, newPtau: string, logger?: Logger): Promise<unknown>
  }
  export const zKey: {
    newZKey (r1cs: string, ptau: string, zkey: string, logger?: Logger): Promise<unknown>
    contribute (oldZkey: string, newZkey: string, name: string, entropy: string, logger?: Logger): Promise<unknown>
    exportVerificationKey (zkey: string, logger?: Logger): Promise<VerificationKey>
  }
  export const curves: {
    getCurveFromName (name: string, options?: { singleThread?: boolean }): Promise<{ terminate (): Promise<void> }>
  }
}

declare module 'ffjavascript' {
  /** An affine or projective point in the curve's internal (Montgomery) representation. */
  export type Point = Uint8Array
  export interface Group {
    fromObject (o: readonly unknown[]): Point
    toObject (p: Point): unknown[]
    toAffine (p: Point): Point
    neg (p: Point): Point
    add (a: Point, b: Point): Point
    timesScalar (p: Point, s: bigint | Uint8Array): Point
    isValid (p: Point): boolean
    eq (a: Point, b: Point): boolean
    zero: Point
  }
  export interface Bn128 {
    G1: Group
    G2: Group
    q: bigint
    r: bigint
    pairingEq (...points: Point[]): Promise<boolean> | boolean
    terminate (): Promise<void>
  }
  export function buildBn128 (singleThread?: boolean): Promise<Bn128>
}

declare module 'circomlibjs' {
  export interface PoseidonFn {
    (inputs: readonly (bigint | number | string)[]): Uint8Array
    F: { toObject (e: Uint8Array): bigint }
  }
  export function buildPoseidon (): Promise<PoseidonFn>
}
