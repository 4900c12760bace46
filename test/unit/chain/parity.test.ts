/**
 * The Rust program and its TypeScript mirror agree (issue 16 item 4): the error enum in
 * `chain/program/src/error.rs` and `chain/client/errors.ts`, and each instruction's account list
 * as the `ix/*.rs` header documents it and as `chain/client/instructions.ts` sends it (order, names,
 * signer, writable, optional). The IDL is generated from the TypeScript side (`scripts/gen-idl.ts`,
 * checked by test/e2e/chain/idl.test.ts), so these two checks close the loop to the program's sources.
 * No ledger, no build: it reads source files.
 */
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { INSTRUCTION_ACCOUNTS, PROGRAM_ERRORS } from '../../../chain/client/index.js'

const SRC = fileURLToPath(new URL('../../../chain/program/src/', import.meta.url))

/** `Name = code,` lines of `pub enum Error { … }`. */
export function rustErrors (source: string): Map<string, number> {
  const body = /pub enum Error \{([\s\S]*?)\n\}/.exec(source)?.[1]
  if (body === undefined) throw new Error('error.rs: no `pub enum Error { … }`')
  const out = new Map<string, number>()
  for (const m of body.matchAll(/^\s*([A-Z][A-Za-z0-9]*) = (\d+),?\s*$/gm)) out.set(m[1] as string, Number(m[2]))
  return out
}

export interface DocumentedAccount { readonly name: string, readonly signer: boolean, readonly writable: boolean, readonly optional: boolean }

/**
 * The accounts a handler's `//! Accounts: 0 name (notes) · 1 name …` header lists. Notes in
 * parentheses say `signer`, `writable` and `optional`/`only`; their other words (which may hold
 * numbers: "9 decimals") are dropped before the `index name` pairs are read.
 */
export function documentedAccounts (source: string): DocumentedAccount[] | undefined {
  const lines = source.split('\n')
  const start = lines.findIndex((l) => l.startsWith('//!') && l.includes('Accounts:'))
  if (start < 0) return undefined
  const header: string[] = []
  for (const l of lines.slice(start)) {
    if (!l.startsWith('//!') || l.trim() === '//!') break
    header.push(l.replace(/^\/\/!\s?/, ''))
  }
  const joined = header.join(' ')
  const text = joined.slice(joined.indexOf('Accounts:') + 'Accounts:'.length)
  // Accounts are separated by "·"; names sharing one note sit in one segment
  // ("3 platform_vault, 4 insurance_vault, 5 stake_vault (writable, …)").
  const accounts: DocumentedAccount[] = []
  for (const segment of text.split('·')) {
    const note = [...segment.matchAll(/\(([^)]*)\)/g)].map((m) => m[1]).join(' ')
    // A flag is a note item of its own ("signer, writable, pays"; "writable signer, = …"), not a
    // word in a remark ("owner = signer").
    const items = note.split(',').map((i) => i.trim())
    const flags = {
      signer: items.some((i) => i === 'signer' || i === 'writable signer'),
      writable: items.some((i) => i === 'writable' || i === 'writable signer'),
      optional: /\boptional\b|\bonly\b/.test(note)
    }
    for (const m of segment.replace(/\([^)]*\)/g, '').matchAll(/(\d+) ([a-z_]+)/g)) {
      if (Number(m[1]) !== accounts.length) throw new Error(`account ${m[1]} ${m[2]} out of order in "${joined}"`)
      accounts.push({ name: m[2] as string, ...flags })
    }
  }
  return accounts
}

const camel = (snake: string): string => snake.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())

describe('chain: the program and its TypeScript mirror agree', () => {
  it('every error code in error.rs is in chain/client/errors.ts with the same number, and nothing else is', () => {
    const rust = rustErrors(readFileSync(join(SRC, 'error.rs'), 'utf8'))
    assert.ok(rust.size > 50, `read ${rust.size} errors`)
    assert.deepEqual(Object.fromEntries([...rust].sort((a, b) => a[1] - b[1])), Object.fromEntries(Object.entries(PROGRAM_ERRORS).sort((a, b) => a[1] - b[1])))
    const codes = [...rust.values()]
    assert.equal(new Set(codes).size, codes.length, 'no two errors share a code')
  })

  it('reads a header the way it is written (the parser itself)', () => {
    assert.deepEqual(documentedAccounts('//! x\n//!\n//! Accounts: 0 admin (signer, writable, pays) · 1 config (writable, PDA ["config"]) ·\n//! 2 mint (SPL mint, 9 decimals) · 3 a, 4 b (writable) · 5 token_program · 6 vk (zk tier only).\n'), [
      { name: 'admin', signer: true, writable: true, optional: false },
      { name: 'config', signer: false, writable: true, optional: false },
      { name: 'mint', signer: false, writable: false, optional: false },
      { name: 'a', signer: false, writable: true, optional: false },
      { name: 'b', signer: false, writable: true, optional: false },
      { name: 'token_program', signer: false, writable: false, optional: false },
      { name: 'vk', signer: false, writable: false, optional: true }
    ])
    assert.equal(documentedAccounts('//! no header here\n'), undefined)
  })

  it('every instruction\'s accounts, as its ix/*.rs header documents them, are what the client sends', () => {
    const problems: string[] = []
    const files = new Set(readdirSync(join(SRC, 'ix')).filter((f) => f.endsWith('.rs')).map((f) => f.slice(0, -3)))
    for (const [ix, list] of Object.entries(INSTRUCTION_ACCOUNTS)) {
      if (!files.has(ix)) { problems.push(`${ix}: no chain/program/src/ix/${ix}.rs`); continue }
      const documented = documentedAccounts(readFileSync(join(SRC, 'ix', `${ix}.rs`), 'utf8'))
      if (documented === undefined) { problems.push(`${ix}.rs: no "//! Accounts:" header`); continue }
      const sent = list.map(([name, flags]) => ({ name, signer: flags.includes('s'), writable: flags.includes('w'), optional: flags === 'o' }))
      const names = documented.map((d) => camel(d.name))
      if (names.join(',') !== sent.map((s) => s.name).join(',')) {
        problems.push(`${ix}: header ${names.join(', ')} ≠ client ${sent.map((s) => s.name).join(', ')}`)
        continue
      }
      documented.forEach((d, i) => {
        const s = sent[i] as (typeof sent)[number]
        if (d.signer !== s.signer) problems.push(`${ix}.${s.name}: signer in the header ${d.signer}, in the client ${s.signer}`)
        if (d.writable !== s.writable) problems.push(`${ix}.${s.name}: writable in the header ${d.writable}, in the client ${s.writable}`)
        if (d.optional !== s.optional) problems.push(`${ix}.${s.name}: optional in the header ${d.optional}, in the client ${s.optional}`)
      })
    }
    assert.deepEqual(problems, [])
  })
})
