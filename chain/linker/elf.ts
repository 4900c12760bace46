/**
 * A small reader for little-endian ELF64 files: just enough to read the relocatable BPF object
 * llc writes and the SBPF shared object this room writes (the tests read the latter back).
 */

export const EM_BPF = 247
export const ET_REL = 1
export const ET_DYN = 3

export const SHT_NULL = 0
export const SHT_PROGBITS = 1
export const SHT_SYMTAB = 2
export const SHT_STRTAB = 3
export const SHT_RELA = 4
export const SHT_DYNAMIC = 6
export const SHT_NOBITS = 8
export const SHT_REL = 9
export const SHT_DYNSYM = 11

export const SHF_WRITE = 0x1
export const SHF_ALLOC = 0x2
export const SHF_EXECINSTR = 0x4

export const PT_LOAD = 1
export const PT_DYNAMIC = 2
export const PF_X = 1
export const PF_W = 2
export const PF_R = 4

export const STB_LOCAL = 0
export const STB_GLOBAL = 1
export const STT_NOTYPE = 0
export const STT_OBJECT = 1
export const STT_FUNC = 2
export const STT_SECTION = 3
export const SHN_UNDEF = 0
export const SHN_ABS = 0xfff1

export const DT_NULL = 0
export const DT_STRTAB = 5
export const DT_SYMTAB = 6
export const DT_STRSZ = 10
export const DT_SYMENT = 11
export const DT_REL = 17
export const DT_RELSZ = 18
export const DT_RELENT = 19
export const DT_TEXTREL = 22
export const DT_FLAGS = 30
export const DT_RELCOUNT = 0x6ffffffa
export const DF_TEXTREL = 0x4

/** BPF relocation types (LLVM's `ELFRelocs/BPF.def`). */
export const R_BPF_NONE = 0
export const R_BPF_64_64 = 1
export const R_BPF_64_ABS64 = 2
export const R_BPF_64_ABS32 = 3
export const R_BPF_64_NODYLD32 = 4
export const R_BPF_64_32 = 10

// Record sizes of ELF64, in bytes.
export const EHDR_SIZE = 64 // the file header, Elf64_Ehdr
export const PHDR_SIZE = 56 // a program header, Elf64_Phdr
export const SHDR_SIZE = 64 // a section header, Elf64_Shdr
export const SYM_SIZE = 24 // a symbol, Elf64_Sym
export const REL_SIZE = 16 // a relocation without addend, Elf64_Rel
export const DYN_SIZE = 16 // a dynamic entry, Elf64_Dyn

export interface ElfHeader {
  readonly ident: Uint8Array
  readonly type: number
  readonly machine: number
  readonly version: number
  readonly entry: bigint
  readonly phoff: bigint
  readonly shoff: bigint
  readonly flags: number
  readonly ehsize: number
  readonly phentsize: number
  readonly phnum: number
  readonly shentsize: number
  readonly shnum: number
  readonly shstrndx: number
}

export interface ProgramHeader {
  readonly type: number
  readonly flags: number
  readonly offset: bigint
  readonly vaddr: bigint
  readonly paddr: bigint
  readonly filesz: bigint
  readonly memsz: bigint
  readonly align: bigint
}

export interface SectionHeader {
  readonly index: number
  readonly name: string
  readonly nameOffset: number
  readonly type: number
  readonly flags: bigint
  readonly addr: bigint
  readonly offset: number
  readonly size: number
  readonly link: number
  readonly info: number
  readonly addralign: bigint
  readonly entsize: bigint
}

export interface ElfSymbol {
  readonly name: string
  readonly nameOffset: number
  readonly bind: number
  readonly type: number
  readonly other: number
  readonly shndx: number
  readonly value: bigint
  readonly size: bigint
}

export interface ElfRel {
  readonly offset: bigint
  readonly type: number
  readonly sym: number
}

export interface DynamicEntry {
  readonly tag: bigint
  readonly value: bigint
}

export class ElfFormatError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ElfFormatError'
  }
}

function view (bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** Reads a NUL-terminated string at `offset` of a string table. */
export function cString (table: Uint8Array, offset: number): string {
  if (offset < 0 || offset >= table.length) {
    if (offset === 0 && table.length === 0) return ''
    throw new ElfFormatError(`string offset ${offset} outside a string table of ${table.length} bytes`)
  }
  const end = table.indexOf(0, offset)
  if (end < 0) throw new ElfFormatError(`unterminated string at offset ${offset}`)
  return new TextDecoder().decode(table.subarray(offset, end))
}

/** A parsed little-endian ELF64 file. Section and symbol contents are views into `bytes`. */
export class Elf64File {
  readonly header: ElfHeader
  readonly programHeaders: readonly ProgramHeader[]
  readonly sections: readonly SectionHeader[]

  constructor (readonly bytes: Uint8Array) {
    if (bytes.length < EHDR_SIZE) throw new ElfFormatError('file shorter than an ELF header')
    if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
      throw new ElfFormatError('not an ELF file (bad magic)')
    }
    if (bytes[4] !== 2) throw new ElfFormatError('not ELF64 (EI_CLASS != 2)')
    if (bytes[5] !== 1) throw new ElfFormatError('not little-endian (EI_DATA != 1)')
    const v = view(bytes)
    this.header = {
      ident: bytes.slice(0, 16),
      type: v.getUint16(16, true),
      machine: v.getUint16(18, true),
      version: v.getUint32(20, true),
      entry: v.getBigUint64(24, true),
      phoff: v.getBigUint64(32, true),
      shoff: v.getBigUint64(40, true),
      flags: v.getUint32(48, true),
      ehsize: v.getUint16(52, true),
      phentsize: v.getUint16(54, true),
      phnum: v.getUint16(56, true),
      shentsize: v.getUint16(58, true),
      shnum: v.getUint16(60, true),
      shstrndx: v.getUint16(62, true)
    }
    const h = this.header
    const phs: ProgramHeader[] = []
    for (let i = 0; i < h.phnum; i++) {
      const o = Number(h.phoff) + i * PHDR_SIZE
      if (o + PHDR_SIZE > bytes.length) throw new ElfFormatError('program header table out of bounds')
      phs.push({
        type: v.getUint32(o, true),
        flags: v.getUint32(o + 4, true),
        offset: v.getBigUint64(o + 8, true),
        vaddr: v.getBigUint64(o + 16, true),
        paddr: v.getBigUint64(o + 24, true),
        filesz: v.getBigUint64(o + 32, true),
        memsz: v.getBigUint64(o + 40, true),
        align: v.getBigUint64(o + 48, true)
      })
    }
    this.programHeaders = phs
    const raw: Omit<SectionHeader, 'name'>[] = []
    for (let i = 0; i < h.shnum; i++) {
      const o = Number(h.shoff) + i * SHDR_SIZE
      if (o + SHDR_SIZE > bytes.length) throw new ElfFormatError('section header table out of bounds')
      const offset = Number(v.getBigUint64(o + 24, true))
      const size = Number(v.getBigUint64(o + 32, true))
      const type = v.getUint32(o + 4, true)
      if (type !== SHT_NOBITS && type !== SHT_NULL && offset + size > bytes.length) {
        throw new ElfFormatError(`section ${i} extends past the end of the file`)
      }
      raw.push({
        index: i,
        nameOffset: v.getUint32(o, true),
        type,
        flags: v.getBigUint64(o + 8, true),
        addr: v.getBigUint64(o + 16, true),
        offset,
        size,
        link: v.getUint32(o + 40, true),
        info: v.getUint32(o + 44, true),
        addralign: v.getBigUint64(o + 48, true),
        entsize: v.getBigUint64(o + 56, true)
      })
    }
    const shstr = raw[h.shstrndx]
    const names = shstr !== undefined && shstr.type === SHT_STRTAB
      ? bytes.subarray(shstr.offset, shstr.offset + shstr.size)
      : new Uint8Array(0)
    this.sections = raw.map(s => ({ ...s, name: names.length > 0 ? cString(names, s.nameOffset) : '' }))
  }

  section (name: string): SectionHeader | undefined {
    return this.sections.find(s => s.name === name)
  }

  /** The bytes of a section (empty for SHT_NOBITS). */
  data (s: SectionHeader): Uint8Array {
    if (s.type === SHT_NOBITS) return new Uint8Array(0)
    return this.bytes.subarray(s.offset, s.offset + s.size)
  }

  /** Symbols of a SHT_SYMTAB or SHT_DYNSYM section, names resolved through its sh_link. */
  symbols (s: SectionHeader): ElfSymbol[] {
    if (s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM) {
      throw new ElfFormatError(`section ${s.name} is not a symbol table`)
    }
    const strs = this.sections[s.link]
    if (strs === undefined) throw new ElfFormatError(`symbol table ${s.name} links to a missing string table`)
    const strData = this.data(strs)
    const d = this.data(s)
    const v = view(d)
    const out: ElfSymbol[] = []
    for (let o = 0; o + SYM_SIZE <= d.length; o += SYM_SIZE) {
      const nameOffset = v.getUint32(o, true)
      const info = d[o + 4] ?? 0
      out.push({
        name: cString(strData, nameOffset),
        nameOffset,
        bind: info >> 4,
        type: info & 0xf,
        other: d[o + 5] ?? 0,
        shndx: v.getUint16(o + 6, true),
        value: v.getBigUint64(o + 8, true),
        size: v.getBigUint64(o + 16, true)
      })
    }
    return out
  }

  /** Entries of a SHT_REL section. */
  rels (s: SectionHeader): ElfRel[] {
    if (s.type !== SHT_REL) throw new ElfFormatError(`section ${s.name} is not SHT_REL`)
    const d = this.data(s)
    const v = view(d)
    const out: ElfRel[] = []
    for (let o = 0; o + REL_SIZE <= d.length; o += REL_SIZE) {
      const info = v.getBigUint64(o + 8, true)
      out.push({ offset: v.getBigUint64(o, true), type: Number(info & 0xffffffffn), sym: Number(info >> 32n) })
    }
    return out
  }

  /** Entries of the SHT_DYNAMIC section, up to and excluding DT_NULL. */
  dynamic (): DynamicEntry[] {
    const s = this.sections.find(x => x.type === SHT_DYNAMIC)
    if (s === undefined) return []
    const d = this.data(s)
    const v = view(d)
    const out: DynamicEntry[] = []
    for (let o = 0; o + DYN_SIZE <= d.length; o += DYN_SIZE) {
      const tag = v.getBigUint64(o, true)
      if (tag === BigInt(DT_NULL)) break
      out.push({ tag, value: v.getBigUint64(o + 8, true) })
    }
    return out
  }
}
