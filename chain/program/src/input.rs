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
        unsafe { (self.raw as *mut u8).add(core::mem::size_of::<RawAccount>()) }
    }
    #[inline(always)]
    pub fn data(&self) -> &[u8] {
        unsafe { core::slice::from_raw_parts(self.data_ptr(), self.data_len()) }
    }
    /// Mutable access to the data. The entrypoint refuses duplicate accounts, so no two
    /// `AccountInfo`s of one instruction alias; callers keep at most one live borrow per account.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    pub fn data_mut(&self) -> &mut [u8] {
        unsafe { core::slice::from_raw_parts_mut(self.data_ptr(), self.data_len()) }
    }
    /// Sets the balance. The runtime accepts the change only for a writable account, and a
    /// decrease only for an account this program owns; `account::close` is the one caller.
    #[inline(always)]
    pub(crate) fn set_lamports(&self, lamports: u64) {
        unsafe { (*self.raw).lamports = lamports }
    }
    /// Hands the account back to the System program with no data (the runtime allows an owner
    /// change only for a writable, non-executable account of this program whose data is zeroed;
    /// a shrink is always allowed). `account::close` is the one caller.
    #[inline(always)]
    pub(crate) fn reassign_to_system(&self) {
        unsafe {
            (*self.raw).data_len = 0;
            (*self.raw).owner = crate::pubkey::SYSTEM_PROGRAM_ID;
        }
    }
    #[inline(always)]
    pub(crate) fn lamports_ptr(&self) -> *mut u64 {
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
