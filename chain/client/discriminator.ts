/** Anchor's 8-byte discriminators, as the program computes them at compile time (`disc.rs`). */
import { createHash } from 'node:crypto'

const first8 = (s: string): Uint8Array => new Uint8Array(createHash('sha256').update(s).digest().subarray(0, 8))

/** `sha256("global:<snake_case_name>")[..8]` */
export const instructionDiscriminator = (name: string): Uint8Array => first8(`global:${name}`)
/** `sha256("account:<Name>")[..8]` */
export const accountDiscriminator = (name: string): Uint8Array => first8(`account:${name}`)
/** `sha256("event:<Name>")[..8]` */
export const eventDiscriminator = (name: string): Uint8Array => first8(`event:${name}`)

export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i])
