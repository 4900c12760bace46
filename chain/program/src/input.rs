//! Zero-copy view of the entrypoint input (the loader's aligned serialization):
//!
//! ```text
//! u64 number of accounts
//! per account: u8 duplicate marker (0xff = first occurrence, else index of the original)
//!   first occurrence: u8 is_signer, u8 is_writable, u8 executable, u32 padding,
//!     [32] key, [32] owner, u64 lamports, u64 data_len, data, 10 KiB growth room,
//!     padding to 8, u64 rent_epoch
//!   duplicate: 7 bytes padding
//! u64 instruction data length, instruction data, [32] program id
//! ```
//!
//! An `AccountInfo` is a pointer to the account's header in that buffer: reads and writes go
//! straight to the memory the runtime serialized and will read back, and they see what a CPI
//! changed (the runtime updates the buffer after each CPI).
//!
//! Soundness rests on three facts, cited by the `SAFETY:` notes below and in `account`:
//! (1) every `AccountInfo` but `EMPTY` points to a header `parse` found inside the input buffer,
//! which lives, 8-aligned and unmoved, for the whole instruction; (2) `parse` refuses duplicate
//! accounts, so no two `AccountInfo`s of one instruction share memory; (3) the program is single
//! threaded and holds no reference across a CPI (the runtime rewrites the buffer then, and each
//! accessor reads it again).

use crate::error::{Error, Result};
use crate::pubkey::Pubkey;

/// The most accounts one instruction of this program takes.
pub const MAX_ACCOUNTS: usize = 16;
const NON_DUP_MARKER: u8 = 0xff;
const MAX_PERMITTED_DATA_INCREASE: usize = 10 * 1024;
const BPF_ALIGN_OF_U128: usize = 8;

/// The serialized account header, exactly as the runtime lays it out.
#[repr(C)]
pub struct RawAccount {
    pub duplicate: u8,
    pub is_signer: u8,
    pub is_writable: u8,
    pub executable: u8,
    pub original_data_len: u32,
    pub key: Pubkey,
    pub owner: Pubkey,
    pub lamports: u64,
    pub data_len: u64,
}

#[derive(Clone, Copy)]
pub struct AccountInfo {
    raw: *mut RawAccount,
}

impl AccountInfo {
    #[inline(always)]
    fn raw(&self) -> &RawAccount {
        // SAFETY: `raw` is a header `parse` found in the live input buffer (fact 1; `EMPTY` is
        // never handed out: `Input::accounts` holds only parsed slots), `RawAccount` is `repr(C)`
        // of plain integers and keys valid for any bits, and the header is 8-aligned.
        unsafe { &*self.raw }
    }
    #[inline(always)]
    pub fn key(&self) -> &Pubkey {
        &self.raw().key
    }
    #[inline(always)]
    pub fn owner(&self) -> &Pubkey {
        &self.raw().owner
    }
    #[inline(always)]
    pub fn is_signer(&self) -> bool {
        self.raw().is_signer != 0
    }
    #[inline(always)]
    pub fn is_writable(&self) -> bool {
        self.raw().is_writable != 0
    }
    #[inline(always)]
    pub fn executable(&self) -> bool {
        self.raw().executable != 0
    }
    #[inline(always)]
    pub fn lamports(&self) -> u64 {
        self.raw().lamports
    }
    #[inline(always)]
    pub fn data_len(&self) -> usize {
        self.raw().data_len as usize
    }
    /// Pointer to the account data (8-byte aligned).
    #[inline(always)]
    pub fn data_ptr(&self) -> *mut u8 {
        // SAFETY: the data follows the header in the same buffer (fact 1), so the offset stays in
        // bounds of that allocation.
        unsafe { (self.raw as *mut u8).add(core::mem::size_of::<RawAccount>()) }
    }
    #[inline(always)]
    pub fn data(&self) -> &[u8] {
        // SAFETY: `data_len` bytes of data follow the header in the live buffer (the loader wrote
        // them, with 10 KiB of growth room after), and any bytes are valid `u8`s. Callers hold no
        // `data_mut` borrow of the same account while this one is used (see `data_mut`).
        unsafe { core::slice::from_raw_parts(self.data_ptr(), self.data_len()) }
    }
    /// Mutable access to the data. The entrypoint refuses duplicate accounts, so no two
    /// `AccountInfo`s of one instruction alias (fact 2).
    ///
    /// # Safety
    /// It hands out `&mut` from `&self`: the caller must hold no other borrow of this account's
    /// data (from `data`, `data_mut`, `Account::get`/`get_mut`, `TokenAccount`'s accessors)
    /// while the returned slice is used, and must not use it across a CPI that writes the account.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn data_mut(&self) -> &mut [u8] {
        // SAFETY: the bytes are the account's data in the live buffer (as `data`); exclusivity is
        // the caller's contract above.
        unsafe { core::slice::from_raw_parts_mut(self.data_ptr(), self.data_len()) }
    }
    /// Sets the balance. The runtime accepts the change only for a writable account, and a
    /// decrease only for an account this program owns; `account::close` is the one caller.
    #[inline(always)]
    pub(crate) fn set_lamports(&self, lamports: u64) {
        // SAFETY: a write through the header pointer of the live buffer (fact 1); no reference to
        // the header is held across it (every accessor borrows it only for its own expression).
        unsafe { (*self.raw).lamports = lamports }
    }
    /// Hands the account back to the System program with no data (the runtime allows an owner
    /// change only for a writable, non-executable account of this program whose data is zeroed;
    /// a shrink is always allowed). `account::close` is the one caller.
    #[inline(always)]
    pub(crate) fn reassign_to_system(&self) {
        // SAFETY: as `set_lamports`: plain field writes through the live header pointer.
        unsafe {
            (*self.raw).data_len = 0;
            (*self.raw).owner = crate::pubkey::SYSTEM_PROGRAM_ID;
        }
    }
    #[inline(always)]
    pub(crate) fn lamports_ptr(&self) -> *mut u64 {
        // SAFETY: only forms the field's address in the live header (fact 1); the reference made
        // on the way ends in this expression, and the caller (a CPI's account info) gets a raw
        // pointer, which the runtime writes through during the call.
        unsafe { &mut (*self.raw).lamports as *mut u64 }
    }
}

/// Everything the entrypoint received.
pub struct Input<'a> {
    /// Copied out: it follows the instruction data, so it may be unaligned in the buffer.
    pub program_id: Pubkey,
    pub accounts: &'a [AccountInfo],
    pub data: &'a [u8],
}

/// Parses the input buffer into `storage`. Refuses more than `MAX_ACCOUNTS` accounts and any
/// duplicate account (no instruction of this program takes one account in two roles).
///
/// # Safety
/// `input` must be the pointer the runtime passed to the entrypoint.
pub unsafe fn parse<'a>(input: *mut u8, storage: &'a mut [AccountInfo; MAX_ACCOUNTS]) -> Result<Input<'a>> {
    // SAFETY (the whole body): the runtime's serialization is the layout in the module comment,
    // 8-aligned at `input`; each step reads a field of it or advances past one exactly as the
    // loader wrote it (header, data, growth room, alignment, rent epoch), so every read stays
    // inside the buffer and is aligned (u64 reads at 8-aligned offsets; the program id, which
    // may be unaligned, is read by `Pubkey::read`'s byte copy). The data slice and the
    // `AccountInfo`s live as long as the buffer, i.e. the instruction.
    let mut p = input;
    let n = *(p as *const u64) as usize;
    p = p.add(8);
    if n > MAX_ACCOUNTS {
        return Err(Error::AccountNotEnoughKeys);
    }
    let mut i = 0;
    while i < n {
        let raw = p as *mut RawAccount;
        if (*raw).duplicate != NON_DUP_MARKER {
            return Err(Error::DuplicateAccount);
        }
        storage[i] = AccountInfo { raw };
        let data_len = (*raw).data_len as usize;
        p = p.add(core::mem::size_of::<RawAccount>() + data_len + MAX_PERMITTED_DATA_INCREASE);
        p = ((p as usize + BPF_ALIGN_OF_U128 - 1) & !(BPF_ALIGN_OF_U128 - 1)) as *mut u8;
        p = p.add(8); // rent_epoch
        i += 1;
    }
    let data_len = *(p as *const u64) as usize;
    p = p.add(8);
    let data = core::slice::from_raw_parts(p as *const u8, data_len);
    p = p.add(data_len);
    let program_id = Pubkey::read(&*(p as *const [u8; 32]));
    Ok(Input { program_id, accounts: &storage[..n], data })
}

impl AccountInfo {
    /// A placeholder for unused slots of the account array; never dereferenced.
    pub const EMPTY: AccountInfo = AccountInfo { raw: core::ptr::null_mut() };
}
