/**
 * The door of the linker room: turns the one relocatable BPF object that `llc-22` writes for the
 * on-chain program into an SBPF v0 shared object that the Solana loader (and LiteSVM) accepts.
 * Hand-written, because nothing available offline links BPF: `ld.lld` refuses e_machine 247 and
 * no npm package or apt tool ships an SBF linker. See `link.ts` for the format it writes.
 */
export { linkSbpfV0, LinkError, KNOWN_SYSCALLS, MM_PROGRAM_START } from './link.js'
export type { LinkOptions, LinkResult, LinkedSection } from './link.js'
export { Elf64File, ElfFormatError } from './elf.js'
export type { ElfHeader, ProgramHeader, SectionHeader, ElfSymbol, ElfRel, DynamicEntry } from './elf.js'
export * as elf from './elf.js'
