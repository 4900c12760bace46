/**
 * The SBPF v0 linker: one relocatable BPF object (ELF64, EM_BPF, from `llc-22 -march=bpfel
 * -mcpu=v2 -relocation-model=static`) in, one Solana-loadable shared object out.
 *
 * Why hand-written: there is no SBF linker available offline. `ld.lld` refuses the input
 * ("unsupported e_machine value: 247"), Solana's own toolchain (platform-tools, bpf-linker) cannot
 * be installed here, and no npm package links BPF. The job is small because the input is a single
 * object produced by fat LTO, so there is nothing to merge but its own sections.
 *
 * What the SBPF v0 loader (`solana-sbpf`, `Executable::load_with_lenient_parser`) needs, and so
 * what this writes:
 * - ET_DYN, EM_BPF, e_flags = 0 (SBPF v0), ELFOSABI_NONE;
 * - exactly one `.text`, and every section's address equal to its file offset;
 * - read-only data in `.rodata` (never empty: an empty one fails with "invalid section header"),
 *   no writable `.data`/`.bss` (the loader refuses them: no mutable globals);
 * - `ld_imm64` loads of data resolved here to absolute VM addresses (0x1_0000_0000 + offset, the
 *   program region), pointers inside `.rodata` likewise;
 * - calls between the program's own functions resolved here to pc-relative immediates (the
 *   loader registers every `call imm` with imm != -1 as an internal call);
 * - only syscalls left to the loader: `call -1` plus an `R_BPF_64_32` dynamic relocation against
 *   the syscall's name in `.dynsym`, found through `.dynamic` (DT_REL/DT_RELSZ/DT_RELENT,
 *   DT_SYMTAB, DT_STRTAB);
 * - e_entry = the address of the entrypoint symbol.
 */
import {
  DF_TEXTREL, DT_FLAGS, DT_NULL, DT_REL, DT_RELCOUNT, DT_RELENT, DT_RELSZ, DT_STRSZ, DT_STRTAB, DT_SYMENT, DT_SYMTAB,
  DT_TEXTREL, DYN_SIZE, EHDR_SIZE, EM_BPF, ET_DYN, ET_REL, Elf64File, ElfFormatError, PF_R, PF_W, PF_X, PHDR_SIZE,
  PT_DYNAMIC, PT_LOAD, R_BPF_64_32, R_BPF_64_64, R_BPF_64_ABS32, R_BPF_64_ABS64, R_BPF_64_NODYLD32, R_BPF_NONE, REL_SIZE,
  SHDR_SIZE, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHN_ABS, SHN_UNDEF, SHT_DYNAMIC, SHT_DYNSYM, SHT_NOBITS, SHT_PROGBITS,
  SHT_REL, SHT_RELA, SHT_STRTAB, SHT_SYMTAB, STB_GLOBAL, STT_FUNC, STT_NOTYPE, SYM_SIZE,
  type ElfSymbol, type SectionHeader
} from './elf.js'

/** Where the SBPF VM maps the program's read-only region (text and rodata). */
export const MM_PROGRAM_START = 0x1_0000_0000n

/** Syscalls that the Solana runtime registers (agave's `create_program_runtime_environment_v1`). */
export const KNOWN_SYSCALLS: ReadonlySet<string> = new Set([
  'abort', 'sol_panic_', 'sol_log_', 'sol_log_64_', 'sol_log_compute_units_', 'sol_log_pubkey', 'sol_log_data',
  'sol_create_program_address', 'sol_try_find_program_address',
  'sol_sha256', 'sol_keccak256', 'sol_blake3', 'sol_secp256k1_recover', 'sol_poseidon',
  'sol_curve_validate_point', 'sol_curve_group_op', 'sol_curve_multiscalar_mul',
  'sol_alt_bn128_group_op', 'sol_alt_bn128_compression', 'sol_big_mod_exp',
  'sol_get_clock_sysvar', 'sol_get_epoch_schedule_sysvar', 'sol_get_fees_sysvar', 'sol_get_rent_sysvar',
  'sol_get_last_restart_slot', 'sol_get_epoch_rewards_sysvar', 'sol_get_sysvar', 'sol_get_epoch_stake',
  'sol_memcpy_', 'sol_memmove_', 'sol_memcmp_', 'sol_memset_',
  'sol_invoke_signed_c', 'sol_invoke_signed_rust', 'sol_set_return_data', 'sol_get_return_data',
  'sol_get_processed_sibling_instruction', 'sol_get_stack_height', 'sol_remaining_compute_units'
])

/** Library calls the upstream BPF backend emits but nothing provides, with what to use instead. */
const LIBCALL_HINTS: Readonly<Record<string, string>> = {
  memcpy: 'use the sol_memcpy_ syscall (a variable-length copy_from_slice lowers to memcpy)',
  memmove: 'use the sol_memmove_ syscall',
  memset: 'use the sol_memset_ syscall',
  memcmp: 'use the sol_memcmp_ syscall',
  bcmp: 'use the sol_memcmp_ syscall (slice equality lowers to bcmp)',
  __multi3: 'u128 multiplication (also u64 checked_mul): use the hand-written 64x64->128 helper',
  __udivti3: 'u128 division is not available on BPF',
  __umodti3: 'u128 remainder is not available on BPF'
}

export class LinkError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'LinkError'
  }
}

export interface LinkOptions {
  /** Name of the entrypoint symbol; default `entrypoint`. */
  readonly entrypoint?: string
  /** Undefined symbols allowed as syscalls; default `KNOWN_SYSCALLS`. */
  readonly syscalls?: ReadonlySet<string>
}

export interface LinkedSection {
  readonly name: string
  /** File offset, which is also the section's address. */
  readonly offset: number
  readonly size: number
}

export interface LinkResult {
  /** The shared object, ready for `LiteSVM.addProgram` or deployment by the BPF loader. */
  readonly so: Uint8Array
  /** e_entry: the address (= file offset) of the entrypoint. */
  readonly entry: number
  readonly sections: readonly LinkedSection[]
  /** Syscalls the program calls, in `.dynsym` order. */
  readonly syscalls: readonly string[]
  /** Number of dynamic relocations (one per syscall call site). */
  readonly relocations: number
}

const align = (n: number, a: number): number => a <= 1 ? n : Math.ceil(n / a) * a

/** Places parts one after another from `cursor`, each at its section's alignment (at least `minAlign`); returns the end. */
function placeParts (parts: Part[], cursor: number, minAlign: number): number {
  for (const p of parts) {
    cursor = align(cursor, Math.max(minAlign, Number(p.section.addralign)))
    p.base = cursor
    cursor += p.section.size
  }
  return cursor
}

interface Part { readonly section: SectionHeader, base: number }

/** Links one relocatable BPF object into an SBPF v0 shared object. */
export function linkSbpfV0 (object: Uint8Array, options: LinkOptions = {}): LinkResult {
  const entryName = options.entrypoint ?? 'entrypoint'
  const allowedSyscalls = options.syscalls ?? KNOWN_SYSCALLS
  let elf: Elf64File
  try {
    elf = new Elf64File(object)
  } catch (e) {
    if (e instanceof ElfFormatError) throw new LinkError(`input is not a readable ELF64 object: ${e.message}`)
    throw e
  }
  if (elf.header.type !== ET_REL) throw new LinkError(`input is not a relocatable object (e_type ${elf.header.type}, want ET_REL)`)
  if (elf.header.machine !== EM_BPF) throw new LinkError(`input is not a BPF object (e_machine ${elf.header.machine}, want ${EM_BPF})`)

  // 1. Classify the input sections.
  const textParts: Part[] = []
  const rodataParts: Part[] = []
  for (const s of elf.sections) {
    const alloc = (s.flags & BigInt(SHF_ALLOC)) !== 0n
    if (!alloc) continue
    const write = (s.flags & BigInt(SHF_WRITE)) !== 0n
    const exec = (s.flags & BigInt(SHF_EXECINSTR)) !== 0n
    if (write || s.type === SHT_NOBITS) {
      if (s.size === 0) continue
      throw new LinkError(
        `writable section ${s.name} (${s.size} bytes) is not supported: SBPF v0 programs have no mutable ` +
        'globals (a `static mut`, a non-const `static` with interior mutability, or a zero-initialised ' +
        'static put data in .data/.bss); keep all state in accounts or on the stack')
    }
    if (s.type !== SHT_PROGBITS) throw new LinkError(`unsupported allocated section ${s.name} of type ${s.type}`)
    if (exec) {
      if (s.size % 8 !== 0) throw new LinkError(`code section ${s.name} is ${s.size} bytes, not a whole number of instructions`)
      textParts.push({ section: s, base: 0 })
    } else {
      rodataParts.push({ section: s, base: 0 })
    }
  }
  if (textParts.length === 0) throw new LinkError('input has no code (.text) section')

  const symtabHeader = elf.sections.find(s => s.type === SHT_SYMTAB)
  if (symtabHeader === undefined) throw new LinkError('input has no symbol table')
  const symbols = elf.symbols(symtabHeader)

  // 2. Lay out .text and .rodata (address == file offset).
  const phnum = 4
  let cursor = EHDR_SIZE + phnum * PHDR_SIZE
  cursor = align(cursor, 8)
  const textOffset = cursor
  cursor = placeParts(textParts, cursor, 8)
  const textSize = cursor - textOffset
  cursor = align(cursor, 8)
  const rodataOffset = cursor
  cursor = placeParts(rodataParts, cursor, 1)
  // Never empty: the loader rejects a zero-sized .rodata.
  let rodataSize = Math.max(cursor - rodataOffset, 8)
  rodataSize = align(rodataSize, 8)
  const textEnd = rodataOffset + rodataSize

  const placed = new Map<number, Part>()
  for (const p of [...textParts, ...rodataParts]) placed.set(p.section.index, p)
  const isText = (index: number): boolean => textParts.some(p => p.section.index === index)

  // The image of .text and .rodata, patched in place by the relocations below.
  const image = new Uint8Array(textEnd - textOffset)
  for (const p of placed.values()) image.set(elf.data(p.section), p.base - textOffset)
  const iv = new DataView(image.buffer)

  // 3. Dynamic symbols: entrypoint, then each syscall in order of first use.
  const syscalls: string[] = []
  const dynRels: { offset: number, sym: number }[] = []
  const syscallIndex = (name: string): number => {
    let i = syscalls.indexOf(name)
    if (i < 0) { syscalls.push(name); i = syscalls.length - 1 }
    return 2 + i // 0: null symbol, 1: entrypoint
  }

  const symbolName = (sym: ElfSymbol): string => {
    if (sym.name !== '') return sym.name
    const sec = elf.sections[sym.shndx]
    return sec !== undefined ? sec.name : '(unnamed)'
  }
  /** The address (= file offset) of a defined symbol. */
  const addressOf = (sym: ElfSymbol): number => {
    if (sym.shndx === SHN_ABS) return Number(sym.value)
    const part = placed.get(sym.shndx)
    if (part === undefined) {
      const sec = elf.sections[sym.shndx]
      throw new LinkError(`symbol ${symbolName(sym)} lies in section ${sec?.name ?? sym.shndx}, which is not part of the program`)
    }
    return part.base + Number(sym.value)
  }

  // 4. Apply relocations.
  for (const rs of elf.sections) {
    if (rs.type !== SHT_REL && rs.type !== SHT_RELA) continue
    const target = placed.get(rs.info)
    if (target === undefined) continue // debug info, BTF, ...
    if (rs.type === SHT_RELA) throw new LinkError(`unexpected RELA section ${rs.name}: BPF objects use REL`)
    for (const r of elf.rels(rs)) {
      if (r.type === R_BPF_NONE) continue
      const sym = symbols[r.sym]
      if (sym === undefined) throw new LinkError(`relocation in ${rs.name} refers to missing symbol #${r.sym}`)
      const where = target.base + Number(r.offset) // file offset of the patched bytes
      const at = where - textOffset
      const inText = isText(target.section.index)
      const undefinedSym = sym.shndx === SHN_UNDEF
      const describe = `${r.type} at ${target.section.name}+0x${r.offset.toString(16)} against ${symbolName(sym)}`
      switch (r.type) {
        case R_BPF_64_64: {
          if (!inText || iv.getUint8(at) !== 0x18) throw new LinkError(`R_BPF_64_64 ${describe} is not on an ld_imm64 instruction`)
          if (undefinedSym) throw new LinkError(`undefined data symbol ${sym.name} (loaded at ${target.section.name}+0x${r.offset.toString(16)})`)
          const addend = BigInt(iv.getUint32(at + 4, true))
          const vm = MM_PROGRAM_START + BigInt(addressOf(sym)) + addend
          iv.setUint32(at + 4, Number(vm & 0xffffffffn), true)
          iv.setUint32(at + 12, Number(vm >> 32n), true)
          break
        }
        case R_BPF_64_32: {
          if (!inText || iv.getUint8(at) !== 0x85) throw new LinkError(`R_BPF_64_32 ${describe} is not on a call instruction`)
          if (undefinedSym) {
            if (!allowedSyscalls.has(sym.name)) {
              const hint = LIBCALL_HINTS[sym.name]
              throw new LinkError(`undefined function ${sym.name}` + (hint !== undefined
                ? `: BPF has no library calls; ${hint}`
                : ': it is neither defined in the program nor a known Solana syscall'))
            }
            iv.setInt32(at + 4, -1, true)
            dynRels.push({ offset: where, sym: syscallIndex(sym.name) })
          } else {
            if (!isText(sym.shndx)) throw new LinkError(`call ${describe}: the target is not code`)
            const imm = iv.getInt32(at + 4, true)
            const targetInsn = addressOf(sym) / 8 + imm + 1
            const rel = targetInsn - (where / 8 + 1)
            if (targetInsn < textOffset / 8 || targetInsn >= (textOffset + textSize) / 8) {
              throw new LinkError(`call ${describe} lands outside .text`)
            }
            iv.setInt32(at + 4, rel, true)
          }
          break
        }
        case R_BPF_64_ABS64: {
          if (undefinedSym) throw new LinkError(`undefined data symbol ${sym.name} (pointer at ${target.section.name}+0x${r.offset.toString(16)})`)
          const addend = iv.getBigUint64(at, true)
          iv.setBigUint64(at, MM_PROGRAM_START + BigInt(addressOf(sym)) + addend, true)
          break
        }
        case R_BPF_64_ABS32:
        case R_BPF_64_NODYLD32:
          throw new LinkError(`32-bit absolute relocation ${describe}: a program address does not fit in 32 bits`)
        default:
          throw new LinkError(`unsupported relocation type ${describe}`)
      }
    }
  }

  // 5. The entrypoint.
  const entrySym = symbols.find(s => s.name === entryName && s.shndx !== SHN_UNDEF)
  if (entrySym === undefined) throw new LinkError(`entrypoint symbol ${entryName} is not defined`)
  if (!isText(entrySym.shndx)) throw new LinkError(`entrypoint symbol ${entryName} is not in code`)
  const entry = addressOf(entrySym)

  // 6. Dynamic sections.
  const enc = new TextEncoder()
  const dynstrParts: number[] = [0]
  const strOffset = (name: string): number => {
    const off = dynstrParts.length
    dynstrParts.push(...enc.encode(name), 0)
    return off
  }
  const entryNameOff = strOffset(entryName)
  const syscallNameOffs = syscalls.map(strOffset)
  const dynstr = Uint8Array.from(dynstrParts)

  cursor = textEnd
  cursor = align(cursor, 8)
  const dynsymOffset = cursor
  const dynsymCount = 2 + syscalls.length
  cursor += dynsymCount * SYM_SIZE
  const dynstrOffset = cursor
  cursor += dynstr.length
  cursor = align(cursor, 8)
  const relOffset = cursor
  const relSize = dynRels.length * REL_SIZE
  cursor += relSize
  cursor = align(cursor, 8)
  const dynamicEntries: [number, number][] = []
  if (dynRels.length > 0) {
    dynamicEntries.push([DT_FLAGS, DF_TEXTREL], [DT_REL, relOffset], [DT_RELSZ, relSize], [DT_RELENT, REL_SIZE],
      [DT_RELCOUNT, 0])
  }
  dynamicEntries.push([DT_SYMTAB, dynsymOffset], [DT_SYMENT, SYM_SIZE], [DT_STRTAB, dynstrOffset], [DT_STRSZ, dynstr.length])
  if (dynRels.length > 0) dynamicEntries.push([DT_TEXTREL, 0])
  dynamicEntries.push([DT_NULL, 0])
  const dynamicOffset = cursor
  const dynamicSize = dynamicEntries.length * DYN_SIZE
  cursor += dynamicSize

  const shNames = ['', '.text', '.rodata', '.dynsym', '.dynstr', ...(dynRels.length > 0 ? ['.rel.dyn'] : []), '.dynamic', '.shstrtab']
  const shstrParts: number[] = []
  const shNameOff = new Map<string, number>()
  for (const n of shNames) {
    if (shNameOff.has(n)) continue
    shNameOff.set(n, shstrParts.length)
    shstrParts.push(...enc.encode(n), 0)
  }
  const shstrtab = Uint8Array.from(shstrParts)
  const shstrOffset = cursor
  cursor += shstrtab.length
  cursor = align(cursor, 8)
  const shoff = cursor
  const shnum = shNames.length
  const total = shoff + shnum * SHDR_SIZE

  // 7. Write the file.
  const out = new Uint8Array(total)
  const v = new DataView(out.buffer)
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0) // magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT, ELFOSABI_NONE
  v.setUint16(16, ET_DYN, true)
  v.setUint16(18, EM_BPF, true)
  v.setUint32(20, 1, true)
  v.setBigUint64(24, BigInt(entry), true)
  v.setBigUint64(32, BigInt(EHDR_SIZE), true)
  v.setBigUint64(40, BigInt(shoff), true)
  v.setUint32(48, 0, true) // e_flags 0: SBPF v0
  v.setUint16(52, EHDR_SIZE, true)
  v.setUint16(54, PHDR_SIZE, true)
  v.setUint16(56, phnum, true)
  v.setUint16(58, SHDR_SIZE, true)
  v.setUint16(60, shnum, true)
  v.setUint16(62, shnum - 1, true)

  const phdr = (i: number, type: number, flags: number, offset: number, size: number): void => {
    const o = EHDR_SIZE + i * PHDR_SIZE
    v.setUint32(o, type, true)
    v.setUint32(o + 4, flags, true)
    v.setBigUint64(o + 8, BigInt(offset), true)
    v.setBigUint64(o + 16, BigInt(offset), true)
    v.setBigUint64(o + 24, BigInt(offset), true)
    v.setBigUint64(o + 32, BigInt(size), true)
    v.setBigUint64(o + 40, BigInt(size), true)
    v.setBigUint64(o + 48, BigInt(type === PT_LOAD ? 0x1000 : 8), true)
  }
  phdr(0, PT_LOAD, PF_R | PF_X, textOffset, textSize)
  phdr(1, PT_LOAD, PF_R, rodataOffset, rodataSize)
  phdr(2, PT_LOAD, PF_R, dynsymOffset, dynamicOffset + dynamicSize - dynsymOffset)
  phdr(3, PT_DYNAMIC, PF_R | PF_W, dynamicOffset, dynamicSize)

  out.set(image, textOffset)

  const sym = (index: number, name: number, info: number, shndx: number, value: number, size: number): void => {
    const o = dynsymOffset + index * SYM_SIZE
    v.setUint32(o, name, true)
    out[o + 4] = info
    out[o + 5] = 0
    v.setUint16(o + 6, shndx, true)
    v.setBigUint64(o + 8, BigInt(value), true)
    v.setBigUint64(o + 16, BigInt(size), true)
  }
  sym(1, entryNameOff, (STB_GLOBAL << 4) | STT_FUNC, 1, entry, Number(entrySym.size))
  syscallNameOffs.forEach((off, i) => sym(2 + i, off, (STB_GLOBAL << 4) | STT_NOTYPE, SHN_UNDEF, 0, 0))
  out.set(dynstr, dynstrOffset)
  dynRels.forEach((r, i) => {
    const o = relOffset + i * REL_SIZE
    v.setBigUint64(o, BigInt(r.offset), true)
    v.setBigUint64(o + 8, (BigInt(r.sym) << 32n) | BigInt(R_BPF_64_32), true)
  })
  dynamicEntries.forEach(([tag, value], i) => {
    const o = dynamicOffset + i * DYN_SIZE
    v.setBigUint64(o, BigInt(tag), true)
    v.setBigUint64(o + 8, BigInt(value), true)
  })
  out.set(shstrtab, shstrOffset)

  const sections: LinkedSection[] = []
  let shIndex = 1
  const shdr = (name: string, type: number, flags: number, offset: number, size: number, link: number, info: number,
    alignment: number, entsize: number): void => {
    const o = shoff + shIndex * SHDR_SIZE
    v.setUint32(o, shNameOff.get(name) ?? 0, true)
    v.setUint32(o + 4, type, true)
    v.setBigUint64(o + 8, BigInt(flags), true)
    v.setBigUint64(o + 16, BigInt(flags & SHF_ALLOC ? offset : 0), true)
    v.setBigUint64(o + 24, BigInt(offset), true)
    v.setBigUint64(o + 32, BigInt(size), true)
    v.setUint32(o + 40, link, true)
    v.setUint32(o + 44, info, true)
    v.setBigUint64(o + 48, BigInt(alignment), true)
    v.setBigUint64(o + 56, BigInt(entsize), true)
    sections.push({ name, offset, size })
    shIndex++
  }
  const dynstrIndex = 4
  const dynsymIndex = 3
  shdr('.text', SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, textOffset, textSize, 0, 0, 8, 0)
  shdr('.rodata', SHT_PROGBITS, SHF_ALLOC, rodataOffset, rodataSize, 0, 0, 8, 0)
  shdr('.dynsym', SHT_DYNSYM, SHF_ALLOC, dynsymOffset, dynsymCount * SYM_SIZE, dynstrIndex, 1, 8, SYM_SIZE)
  shdr('.dynstr', SHT_STRTAB, SHF_ALLOC, dynstrOffset, dynstr.length, 0, 0, 1, 0)
  if (dynRels.length > 0) shdr('.rel.dyn', SHT_REL, SHF_ALLOC, relOffset, relSize, dynsymIndex, 0, 8, REL_SIZE)
  shdr('.dynamic', SHT_DYNAMIC, SHF_ALLOC | SHF_WRITE, dynamicOffset, dynamicSize, dynstrIndex, 0, 8, DYN_SIZE)
  shdr('.shstrtab', SHT_STRTAB, 0, shstrOffset, shstrtab.length, 0, 0, 1, 0)

  return { so: out, entry, sections, syscalls, relocations: dynRels.length }
}
