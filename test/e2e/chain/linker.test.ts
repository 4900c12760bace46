/**
 * The SBPF v0 linker: a hand-assembled relocatable BPF object goes in, and the ELF it writes is
 * read back field by field; the same output is then executed by the real SBPF loader in LiteSVM.
 */
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { LiteSVM, FailedTransactionMetadata } from 'litesvm'
import { address, getTransactionDecoder } from '@solana/kit'
import { Keypair, TransactionInstruction, TransactionMessage, VersionedTransaction } from '@solana/web3.js'
import { Elf64File, LinkError, MM_PROGRAM_START, elf, linkSbpfV0 } from '../../../chain/linker/index.js'
import { buildProgram } from '../../../scripts/build-program.js'

// ------------------------------------------------------------------------------------------------
// A tiny assembler and relocatable-object writer, enough to feed the linker what llc writes.

const insn = (opc: number, dst = 0, src = 0, off = 0, imm = 0): Uint8Array => {
  const b = new Uint8Array(8)
  const v = new DataView(b.buffer)
  b[0] = opc
  b[1] = (src << 4) | dst
  v.setInt16(2, off, true)
  v.setInt32(4, imm, true)
  return b
}
const lddw = (dst: number, imm: number): Uint8Array[] => [insn(0x18, dst, 0, 0, imm), insn(0x00)]
const mov64 = (dst: number, imm: number): Uint8Array => insn(0xb7, dst, 0, 0, imm)
const ldxdw = (dst: number, src: number, off: number): Uint8Array => insn(0x79, dst, src, off)
const call = (): Uint8Array => insn(0x85, 0, 1, 0, -1)
const exit = (): Uint8Array => insn(0x95)
const code = (...parts: (Uint8Array | Uint8Array[])[]): Uint8Array => {
  const flat = parts.flatMap(p => Array.isArray(p) ? p : [p])
  const out = new Uint8Array(flat.length * 8)
  flat.forEach((p, i) => out.set(p, i * 8))
  return out
}

interface Sec {
  name: string
  type: number
  flags: number
  data: Uint8Array
  link?: number
  info?: number
  align?: number
  entsize?: number
}
interface Sym { name: string, bind: number, type: number, shndx: number, value?: number, size?: number }
interface Rel { section: string, offset: number, type: number, sym: string }

/** Writes an ET_REL, EM_BPF object with `progbits` sections, symbols and REL relocations. */
function writeObject (progbits: Sec[], symbols: Sym[], rels: Rel[], machine = elf.EM_BPF): Uint8Array {
  const enc = new TextEncoder()
  const sections: Sec[] = [{ name: '', type: elf.SHT_NULL, flags: 0, data: new Uint8Array(0) }, ...progbits]
  const indexOf = (name: string): number => sections.findIndex(s => s.name === name)
  // Symbols: the null symbol and section symbols (locals) first, then the given ones.
  const strtab: number[] = [0]
  const strOff = (n: string): number => { if (n === '') return 0; const o = strtab.length; strtab.push(...enc.encode(n), 0); return o }
  const allSyms: (Sym & { nameOff: number })[] = [{ name: '', bind: 0, type: 0, shndx: 0, nameOff: 0 }]
  for (let i = 1; i < sections.length; i++) {
    allSyms.push({ name: sections[i]!.name, bind: elf.STB_LOCAL, type: elf.STT_SECTION, shndx: i, nameOff: 0 })
  }
  const firstGlobal = allSyms.length
  for (const s of symbols) allSyms.push({ ...s, nameOff: strOff(s.name) })
  const symIndex = (name: string): number => {
    const i = allSyms.findIndex((s, k) => k > 0 && s.name === name)
    if (i < 0) throw new Error(`no symbol ${name}`)
    return i
  }
  const symtab = new Uint8Array(allSyms.length * elf.SYM_SIZE)
  const sv = new DataView(symtab.buffer)
  allSyms.forEach((s, i) => {
    const o = i * elf.SYM_SIZE
    sv.setUint32(o, s.nameOff, true)
    symtab[o + 4] = (s.bind << 4) | s.type
    sv.setUint16(o + 6, s.shndx, true)
    sv.setBigUint64(o + 8, BigInt(s.value ?? 0), true)
    sv.setBigUint64(o + 16, BigInt(s.size ?? 0), true)
  })
  const relSections: Sec[] = []
  for (const target of new Set(rels.map(r => r.section))) {
    const mine = rels.filter(r => r.section === target)
    const data = new Uint8Array(mine.length * elf.REL_SIZE)
    const rv = new DataView(data.buffer)
    mine.forEach((r, i) => {
      rv.setBigUint64(i * 16, BigInt(r.offset), true)
      rv.setBigUint64(i * 16 + 8, (BigInt(symIndex(r.sym)) << 32n) | BigInt(r.type), true)
    })
    relSections.push({ name: `.rel${target}`, type: elf.SHT_REL, flags: 0, data, info: indexOf(target), align: 8, entsize: 16 })
  }
  sections.push(...relSections)
  const symtabIndex = sections.length
  sections.push({ name: '.symtab', type: elf.SHT_SYMTAB, flags: 0, data: symtab, link: symtabIndex + 1, info: firstGlobal, align: 8, entsize: 24 })
  sections.push({ name: '.strtab', type: elf.SHT_STRTAB, flags: 0, data: Uint8Array.from(strtab) })
  for (const s of relSections) s.link = symtabIndex
  const shstr: number[] = [0]
  const shNames = sections.map(s => { if (s.name === '') return 0; const o = shstr.length; shstr.push(...enc.encode(s.name), 0); return o })
  const shstrIndex = sections.length
  shNames.push(shstr.length)
  shstr.push(...enc.encode('.shstrtab'), 0)
  sections.push({ name: '.shstrtab', type: elf.SHT_STRTAB, flags: 0, data: Uint8Array.from(shstr) })

  let off = elf.EHDR_SIZE
  const offsets = sections.map(s => { off = Math.ceil(off / 8) * 8; const o = off; off += s.data.length; return o })
  const shoff = Math.ceil(off / 8) * 8
  const out = new Uint8Array(shoff + sections.length * elf.SHDR_SIZE)
  const v = new DataView(out.buffer)
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0)
  v.setUint16(16, elf.ET_REL, true)
  v.setUint16(18, machine, true)
  v.setUint32(20, 1, true)
  v.setBigUint64(40, BigInt(shoff), true)
  v.setUint16(52, elf.EHDR_SIZE, true)
  v.setUint16(54, elf.PHDR_SIZE, true)
  v.setUint16(58, elf.SHDR_SIZE, true)
  v.setUint16(60, sections.length, true)
  v.setUint16(62, shstrIndex, true)
  sections.forEach((s, i) => {
    out.set(s.data, offsets[i]!)
    const o = shoff + i * elf.SHDR_SIZE
    v.setUint32(o, shNames[i]!, true)
    v.setUint32(o + 4, s.type, true)
    v.setBigUint64(o + 8, BigInt(s.flags), true)
    v.setBigUint64(o + 24, BigInt(i === 0 ? 0 : offsets[i]!), true)
    v.setBigUint64(o + 32, BigInt(s.data.length), true)
    v.setUint32(o + 40, s.link ?? 0, true)
    v.setUint32(o + 44, s.info ?? 0, true)
    v.setBigUint64(o + 48, BigInt(s.align ?? 1), true)
    v.setBigUint64(o + 56, BigInt(s.entsize ?? 0), true)
  })
  return out
}

const AX = elf.SHF_ALLOC | elf.SHF_EXECINSTR
const A = elf.SHF_ALLOC
const G = elf.STB_GLOBAL

/**
 * entrypoint: log "hello" (rodata+0) · call helper (in another text section) · return 0.
 * helper: load the pointer stored at rodata+8 (an absolute relocation to rodata+0) · log it ·
 * call sol_memcpy_ with n = 0 · return. rodata+16 holds a pointer to `helper` itself.
 */
function sampleObject (): Uint8Array {
  const text = code(lddw(1, 0), mov64(2, 5), call(), call(), mov64(0, 0), exit())
  const helper = code(lddw(1, 8), ldxdw(1, 1, 0), mov64(2, 5), call(), mov64(3, 0), call(), exit())
  const rodata = new Uint8Array(24)
  rodata.set(new TextEncoder().encode('hello'), 0)
  return writeObject([
    { name: '.text', type: elf.SHT_PROGBITS, flags: AX, data: text, align: 8 },
    { name: '.text.helper', type: elf.SHT_PROGBITS, flags: AX, data: helper, align: 8 },
    { name: '.rodata', type: elf.SHT_PROGBITS, flags: A, data: rodata, align: 8 }
  ], [
    { name: 'entrypoint', bind: G, type: elf.STT_FUNC, shndx: 1, value: 0, size: text.length },
    { name: 'helper', bind: G, type: elf.STT_FUNC, shndx: 2, value: 0, size: helper.length },
    { name: 'sol_log_', bind: G, type: elf.STT_NOTYPE, shndx: 0 },
    { name: 'sol_memcpy_', bind: G, type: elf.STT_NOTYPE, shndx: 0 }
  ], [
    { section: '.text', offset: 0, type: elf.R_BPF_64_64, sym: '.rodata' },
    { section: '.text', offset: 24, type: elf.R_BPF_64_32, sym: 'sol_log_' },
    { section: '.text', offset: 32, type: elf.R_BPF_64_32, sym: 'helper' },
    { section: '.text.helper', offset: 0, type: elf.R_BPF_64_64, sym: '.rodata' },
    { section: '.text.helper', offset: 32, type: elf.R_BPF_64_32, sym: 'sol_log_' },
    { section: '.text.helper', offset: 48, type: elf.R_BPF_64_32, sym: 'sol_memcpy_' },
    { section: '.rodata', offset: 8, type: elf.R_BPF_64_ABS64, sym: '.rodata' },
    { section: '.rodata', offset: 16, type: elf.R_BPF_64_ABS64, sym: 'helper' }
  ])
}

const u32 = (b: Uint8Array, o: number): number => new DataView(b.buffer, b.byteOffset).getUint32(o, true)
const i32 = (b: Uint8Array, o: number): number => new DataView(b.buffer, b.byteOffset).getInt32(o, true)
const u64 = (b: Uint8Array, o: number): bigint => new DataView(b.buffer, b.byteOffset).getBigUint64(o, true)
const lddwValue = (b: Uint8Array, o: number): bigint => BigInt(u32(b, o + 4)) | (BigInt(u32(b, o + 12)) << 32n)

describe('chain/linker: SBPF v0 shared object', () => {
  const linked = linkSbpfV0(sampleObject())
  const out = new Elf64File(linked.so)
  const sec = (name: string): elf.SectionHeader => {
    const s = out.section(name)
    assert.ok(s, `section ${name} present`)
    return s
  }

  it('writes an ET_DYN EM_BPF header for SBPF v0 with the entrypoint at the start of .text', () => {
    const h = out.header
    assert.deepEqual([...h.ident.subarray(0, 8)], [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0])
    assert.equal(h.type, elf.ET_DYN)
    assert.equal(h.machine, 247)
    assert.equal(h.version, 1)
    assert.equal(h.flags, 0, 'e_flags 0 selects SBPF v0')
    assert.equal(h.ehsize, 64)
    assert.equal(h.phentsize, 56)
    assert.equal(h.shentsize, 64)
    assert.equal(h.entry, BigInt(sec('.text').offset))
    assert.equal(linked.entry, sec('.text').offset)
    assert.equal(out.sections[h.shstrndx]?.name, '.shstrtab')
  })

  it('lays sections out in order, each address equal to its file offset', () => {
    assert.deepEqual(out.sections.map(s => s.name),
      ['', '.text', '.rodata', '.dynsym', '.dynstr', '.rel.dyn', '.dynamic', '.shstrtab'])
    let end = 0
    for (const s of out.sections.slice(1)) {
      assert.ok(s.offset >= end, `${s.name} starts after the previous section`)
      end = s.offset + s.size
      if ((s.flags & BigInt(elf.SHF_ALLOC)) !== 0n) assert.equal(s.addr, BigInt(s.offset), `${s.name} address == offset`)
    }
    assert.ok(Number(out.header.shoff) >= end, 'section headers follow the sections')
    assert.equal(sec('.text').size, 7 * 8 + 8 * 8, 'both text sections joined (56 + 64 bytes)')
    assert.equal(sec('.text').flags, BigInt(AX))
    assert.equal(sec('.rodata').flags, BigInt(A))
    assert.equal(sec('.rodata').size, 24)
    const loads = out.programHeaders.filter(p => p.type === elf.PT_LOAD)
    assert.equal(loads[0]?.offset, BigInt(sec('.text').offset))
    assert.equal(loads[0]?.flags, elf.PF_R | elf.PF_X)
    assert.equal(loads[1]?.offset, BigInt(sec('.rodata').offset))
    assert.equal(out.programHeaders.find(p => p.type === elf.PT_DYNAMIC)?.offset, BigInt(sec('.dynamic').offset))
  })

  it('resolves rodata loads and rodata pointers to absolute program addresses', () => {
    const text = out.data(sec('.text'))
    const rodata = sec('.rodata')
    assert.equal(lddwValue(text, 0), MM_PROGRAM_START + BigInt(rodata.offset), 'entrypoint loads rodata+0')
    assert.equal(lddwValue(text, 56), MM_PROGRAM_START + BigInt(rodata.offset) + 8n, 'helper loads rodata+8 (addend kept)')
    const ro = out.data(rodata)
    assert.equal(new TextDecoder().decode(ro.subarray(0, 5)), 'hello')
    assert.equal(u64(ro, 8), MM_PROGRAM_START + BigInt(rodata.offset), 'pointer to rodata+0')
    assert.equal(u64(ro, 16), MM_PROGRAM_START + BigInt(sec('.text').offset + 56), 'pointer to helper')
  })

  it('resolves internal calls to pc-relative immediates and leaves syscalls as call -1', () => {
    const text = out.data(sec('.text'))
    // entrypoint insn 4 (offset 32) calls helper at insn 7 (offset 56): imm = 7 - (4 + 1) = 2.
    assert.equal(i32(text, 32 + 4), 2)
    assert.equal(i32(text, 24 + 4), -1, 'sol_log_ from entrypoint')
    assert.equal(i32(text, 56 + 32 + 4), -1, 'sol_log_ from helper')
    assert.equal(i32(text, 56 + 48 + 4), -1, 'sol_memcpy_ from helper')
  })

  it('lists the entrypoint and each syscall once in .dynsym/.dynstr', () => {
    const syms = out.symbols(sec('.dynsym'))
    assert.deepEqual(syms.map(s => s.name), ['', 'entrypoint', 'sol_log_', 'sol_memcpy_'])
    const [, entry, log, memcpy] = syms
    assert.equal(entry?.type, elf.STT_FUNC)
    assert.equal(entry?.bind, elf.STB_GLOBAL)
    assert.equal(entry?.value, BigInt(sec('.text').offset))
    assert.equal(entry?.shndx, 1)
    for (const s of [log, memcpy]) {
      assert.equal(s?.shndx, elf.SHN_UNDEF)
      assert.equal(s?.type, elf.STT_NOTYPE)
      assert.equal(s?.value, 0n)
    }
    assert.equal(new TextDecoder().decode(out.data(sec('.dynstr'))), '\0entrypoint\0sol_log_\0sol_memcpy_\0')
    assert.deepEqual(linked.syscalls, ['sol_log_', 'sol_memcpy_'])
  })

  it('emits one R_BPF_64_32 dynamic relocation per syscall site, found through .dynamic', () => {
    const rels = out.rels(sec('.rel.dyn'))
    const text = sec('.text').offset
    assert.deepEqual(rels.map(r => [Number(r.offset) - text, r.type, r.sym]), [
      [24, elf.R_BPF_64_32, 2],
      [56 + 32, elf.R_BPF_64_32, 2],
      [56 + 48, elf.R_BPF_64_32, 3]
    ])
    const dyn = new Map(out.dynamic().map(d => [Number(d.tag), d.value]))
    assert.equal(dyn.get(elf.DT_REL), BigInt(sec('.rel.dyn').offset))
    assert.equal(dyn.get(elf.DT_RELSZ), 48n)
    assert.equal(dyn.get(elf.DT_RELENT), 16n)
    assert.equal(dyn.get(elf.DT_SYMTAB), BigInt(sec('.dynsym').offset))
    assert.equal(dyn.get(elf.DT_STRTAB), BigInt(sec('.dynstr').offset))
    assert.equal(dyn.get(elf.DT_STRSZ), BigInt(sec('.dynstr').size))
    assert.equal(linked.relocations, 3)
  })

  it('is accepted and run by the SBPF loader in LiteSVM', () => {
    const svm = new LiteSVM()
    const programId = Keypair.generate().publicKey
    svm.addProgram(address(programId.toBase58()), linked.so)
    const payer = Keypair.generate()
    svm.airdrop(address(payer.publicKey.toBase58()), 1_000_000_000n as Parameters<LiteSVM['airdrop']>[1])
    const msg = new TransactionMessage({
      payerKey: payer.publicKey,
      recentBlockhash: svm.latestBlockhash(),
      instructions: [new TransactionInstruction({ programId, keys: [], data: Buffer.alloc(0) })]
    }).compileToV0Message()
    const tx = new VersionedTransaction(msg)
    tx.sign([payer])
    const res = svm.sendTransaction(getTransactionDecoder().decode(tx.serialize()) as Parameters<LiteSVM['sendTransaction']>[0])
    assert.ok(!(res instanceof FailedTransactionMetadata), res.toString())
    assert.equal(res.logs().filter(l => l === 'Program log: hello').length, 2, res.logs().join('\n'))
  })

  it('always emits a non-empty .rodata and omits .rel.dyn when nothing calls a syscall', () => {
    const so = linkSbpfV0(writeObject(
      [{ name: '.text', type: elf.SHT_PROGBITS, flags: AX, data: code(mov64(0, 0), exit()), align: 8 }],
      [{ name: 'entrypoint', bind: G, type: elf.STT_FUNC, shndx: 1, value: 0, size: 16 }], [])).so
    const f = new Elf64File(so)
    assert.ok((f.section('.rodata')?.size ?? 0) > 0)
    assert.equal(f.section('.rel.dyn'), undefined)
    assert.equal(f.dynamic().some(d => d.tag === BigInt(elf.DT_REL)), false)
  })

  describe('refuses what SBPF v0 cannot load, with a clear error', () => {
    const entry = { name: 'entrypoint', bind: G, type: elf.STT_FUNC, shndx: 1, value: 0, size: 16 }
    const text = { name: '.text', type: elf.SHT_PROGBITS, flags: AX, data: code(mov64(0, 0), exit()), align: 8 }

    it('a writable .data section (mutable global)', () => {
      const obj = writeObject([text, { name: '.data', type: elf.SHT_PROGBITS, flags: A | elf.SHF_WRITE, data: new Uint8Array(8), align: 8 }], [entry], [])
      assert.throws(() => linkSbpfV0(obj), (e: unknown) => e instanceof LinkError && /writable section \.data/.test(e.message))
    })

    it('a .bss section', () => {
      const obj = writeObject([text, { name: '.bss', type: elf.SHT_NOBITS, flags: A | elf.SHF_WRITE, data: new Uint8Array(0), align: 8 }], [entry], [])
      // A NOBITS section has no file bytes but a size: patch sh_size of .bss (section 2) to 16.
      const v = new DataView(obj.buffer)
      const shoff = Number(v.getBigUint64(40, true))
      v.setBigUint64(shoff + 2 * 64 + 32, 16n, true)
      assert.throws(() => linkSbpfV0(obj), (e: unknown) => e instanceof LinkError && /writable section \.bss/.test(e.message))
    })

    it('a library call the BPF backend cannot provide (memcpy), naming the syscall to use', () => {
      const obj = writeObject([{ ...text, data: code(call(), exit()) }],
        [entry, { name: 'memcpy', bind: G, type: elf.STT_NOTYPE, shndx: 0 }],
        [{ section: '.text', offset: 0, type: elf.R_BPF_64_32, sym: 'memcpy' }])
      assert.throws(() => linkSbpfV0(obj), (e: unknown) => e instanceof LinkError && /memcpy.*sol_memcpy_/.test(e.message))
    })

    it('a missing entrypoint and a non-BPF object', () => {
      const noEntry = writeObject([text], [{ ...entry, name: 'main' }], [])
      assert.throws(() => linkSbpfV0(noEntry), /entrypoint symbol entrypoint is not defined/)
      const x86 = writeObject([text], [entry], [], 62)
      assert.throws(() => linkSbpfV0(x86), /not a BPF object/)
    })
  })

  it('links the real program object to the same bytes the build wrote (deterministic)', () => {
    buildProgram({ log: () => {} }) // incremental: a no-op when the program is up to date
    const dir = fileURLToPath(new URL('../../../chain/program/build/', import.meta.url))
    assert.ok(existsSync(`${dir}cyxwiz.o`))
    const again = linkSbpfV0(readFileSync(`${dir}cyxwiz.o`))
    assert.deepEqual(Buffer.from(again.so), readFileSync(`${dir}cyxwiz.so`))
  })
})
