/**
 * The BPF upgradeable loader's (loader v3) instructions, as `solana program deploy` sends them.
 *
 * Hand-written on purpose: @solana/web3.js 1.x only ships the legacy, non-upgradeable `BpfLoader`,
 * and the official builders (`@solana-program/loader-v3`) target @solana/kit ^6 while this project
 * is on kit 8 (their peer range refuses it). The wire format is small and fixed: each instruction's
 * data is bincode of `UpgradeableLoaderInstruction` — a u32 little-endian variant tag, then the
 * variant's fields (u32/u64 little-endian, a `Vec<u8>` as a u64 length and its bytes). Account
 * orders and sizes follow agave's `solana-loader-v3-interface` (`instruction.rs`, `state.rs`).
 */
import { PublicKey, SYSVAR_CLOCK_PUBKEY, SYSVAR_RENT_PUBKEY, SystemProgram, TransactionInstruction } from '@solana/web3.js'
import { BPF_LOADER_UPGRADEABLE_ID, programDataPda } from '../client/pda.js'

export { BPF_LOADER_UPGRADEABLE_ID }

/** `UpgradeableLoaderState::size_of_buffer_metadata()`: tag u32 + Option<Pubkey> authority. */
export const BUFFER_METADATA_SIZE = 37
/** `UpgradeableLoaderState::size_of_program()`: tag u32 + programdata address. */
export const PROGRAM_ACCOUNT_SIZE = 36
/** `UpgradeableLoaderState::size_of_programdata_metadata()`: tag u32 + slot u64 + Option<Pubkey>. */
export const PROGRAMDATA_METADATA_SIZE = 45

const TAG = { initializeBuffer: 0, write: 1, deployWithMaxDataLen: 2, upgrade: 3, setAuthority: 4 } as const

function tagged (tag: number, rest = 0): Buffer {
  const data = Buffer.alloc(4 + rest)
  data.writeUInt32LE(tag, 0)
  return data
}

/** The ProgramData account of `program`: the PDA `[program]` of the loader. */
export function programDataAddress (program: PublicKey): PublicKey {
  return programDataPda(program).address
}

/** `InitializeBuffer`: accounts 0 buffer (writable, already sized and owned by the loader) · 1 authority. */
export function initializeBuffer (buffer: PublicKey, authority: PublicKey): TransactionInstruction {
  return new TransactionInstruction({
    programId: BPF_LOADER_UPGRADEABLE_ID,
    keys: [{ pubkey: buffer, isSigner: false, isWritable: true }, { pubkey: authority, isSigner: false, isWritable: false }],
    data: tagged(TAG.initializeBuffer)
  })
}

/** `Write { offset: u32, bytes: Vec<u8> }`: accounts 0 buffer (writable) · 1 buffer authority (signer). */
export function writeBuffer (buffer: PublicKey, authority: PublicKey, offset: number, bytes: Uint8Array): TransactionInstruction {
  if (!Number.isInteger(offset) || offset < 0 || offset > 0xffff_ffff) throw new RangeError(`write offset ${offset} is not a u32`)
  const data = tagged(TAG.write, 4 + 8 + bytes.length)
  data.writeUInt32LE(offset, 4)
  data.writeBigUInt64LE(BigInt(bytes.length), 8)
  data.set(bytes, 16)
  return new TransactionInstruction({
    programId: BPF_LOADER_UPGRADEABLE_ID,
    keys: [{ pubkey: buffer, isSigner: false, isWritable: true }, { pubkey: authority, isSigner: true, isWritable: false }],
    data
  })
}

/**
 * `DeployWithMaxDataLen { max_data_len: u64 }`: accounts 0 payer (signer, writable) · 1 programdata
 * (writable, the PDA) · 2 program (writable, already created with `PROGRAM_ACCOUNT_SIZE` bytes and
 * owned by the loader) · 3 buffer (writable; its lamports go to the payer) · 4 rent · 5 clock ·
 * 6 system program · 7 authority (signer: the buffer's authority, which becomes the upgrade authority).
 */
export function deployWithMaxDataLen (a: { payer: PublicKey, program: PublicKey, buffer: PublicKey, authority: PublicKey }, maxDataLen: number): TransactionInstruction {
  const data = tagged(TAG.deployWithMaxDataLen, 8)
  data.writeBigUInt64LE(BigInt(maxDataLen), 4)
  return new TransactionInstruction({
    programId: BPF_LOADER_UPGRADEABLE_ID,
    keys: [
      { pubkey: a.payer, isSigner: true, isWritable: true },
      { pubkey: programDataAddress(a.program), isSigner: false, isWritable: true },
      { pubkey: a.program, isSigner: false, isWritable: true },
      { pubkey: a.buffer, isSigner: false, isWritable: true },
      { pubkey: SYSVAR_RENT_PUBKEY, isSigner: false, isWritable: false },
      { pubkey: SYSVAR_CLOCK_PUBKEY, isSigner: false, isWritable: false },
      { pubkey: SystemProgram.programId, isSigner: false, isWritable: false },
      { pubkey: a.authority, isSigner: true, isWritable: false }
    ],
    data
  })
}

/**
 * `Upgrade`: accounts 0 programdata (writable) · 1 program (writable) · 2 buffer (writable, written
 * by the same authority; its lamports go to the spill account) · 3 spill (writable) · 4 rent ·
 * 5 clock · 6 authority (signer: the upgrade authority the ProgramData records).
 */
export function upgrade (a: { program: PublicKey, buffer: PublicKey, spill: PublicKey, authority: PublicKey }): TransactionInstruction {
  return new TransactionInstruction({
    programId: BPF_LOADER_UPGRADEABLE_ID,
    keys: [
      { pubkey: programDataAddress(a.program), isSigner: false, isWritable: true },
      { pubkey: a.program, isSigner: false, isWritable: true },
      { pubkey: a.buffer, isSigner: false, isWritable: true },
      { pubkey: a.spill, isSigner: false, isWritable: true },
      { pubkey: SYSVAR_RENT_PUBKEY, isSigner: false, isWritable: false },
      { pubkey: SYSVAR_CLOCK_PUBKEY, isSigner: false, isWritable: false },
      { pubkey: a.authority, isSigner: true, isWritable: false }
    ],
    data: tagged(TAG.upgrade)
  })
}

/**
 * `SetAuthority`: accounts 0 buffer or programdata (writable) · 1 current authority (signer) ·
 * 2 new authority (optional; absent makes the program immutable for good).
 */
export function setAuthority (account: PublicKey, current: PublicKey, next: PublicKey | undefined): TransactionInstruction {
  return new TransactionInstruction({
    programId: BPF_LOADER_UPGRADEABLE_ID,
    keys: [
      { pubkey: account, isSigner: false, isWritable: true },
      { pubkey: current, isSigner: true, isWritable: false },
      ...(next === undefined ? [] : [{ pubkey: next, isSigner: false, isWritable: false }])
    ],
    data: tagged(TAG.setAuthority)
  })
}

/** Decodes a `Program` account's data: the address of its ProgramData. */
export function decodeProgramAccount (data: Uint8Array): PublicKey {
  if (data.length < PROGRAM_ACCOUNT_SIZE || Buffer.from(data).readUInt32LE(0) !== 2) throw new Error('not an upgradeable-loader Program account')
  return new PublicKey(data.subarray(4, 36))
}

/** Decodes a `ProgramData` account's metadata. */
export function decodeProgramData (data: Uint8Array): { slot: bigint, upgradeAuthority: PublicKey | undefined, elf: Uint8Array } {
  const b = Buffer.from(data)
  if (b.length < PROGRAMDATA_METADATA_SIZE || b.readUInt32LE(0) !== 3) throw new Error('not an upgradeable-loader ProgramData account')
  const slot = b.readBigUInt64LE(4)
  const upgradeAuthority = b[12] === 1 ? new PublicKey(b.subarray(13, 45)) : undefined
  return { slot, upgradeAuthority, elf: data.subarray(PROGRAMDATA_METADATA_SIZE) }
}
