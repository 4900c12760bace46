//! Cross-program invocation through `sol_invoke_signed_c`, and the few System and SPL Token
//! instructions the program sends. Account infos handed to the runtime point straight into the
//! input buffer (lamports, data, owner), which is what the runtime expects and updates.

use crate::error::{Error, Result};
use crate::input::AccountInfo;
use crate::pubkey::{Pubkey, SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID};
use crate::sys::{self, Bytes};

const MAX_CPI_ACCOUNTS: usize = 4;

#[repr(C)]
#[derive(Clone, Copy)]
struct SolAccountMeta {
    pubkey: *const Pubkey,
    is_writable: bool,
    is_signer: bool,
}

#[repr(C)]
struct SolInstruction {
    program_id: *const Pubkey,
    accounts: *const SolAccountMeta,
    account_len: u64,
    data: *const u8,
    data_len: u64,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct SolAccountInfo {
    key: *const Pubkey,
    lamports: *mut u64,
    data_len: u64,
    data: *mut u8,
    owner: *const Pubkey,
    rent_epoch: u64,
    is_signer: bool,
    is_writable: bool,
    executable: bool,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct SolSignerSeeds {
    addr: *const Bytes,
    len: u64,
}

/// One account of a CPI: the account, and whether the callee may write it / sees it as signer.
#[derive(Clone, Copy)]
pub struct Meta {
    pub account: AccountInfo,
    pub writable: bool,
    pub signer: bool,
}

impl Meta {
    #[inline(always)]
    pub const fn writable(account: AccountInfo) -> Meta {
        Meta { account, writable: true, signer: false }
    }
    #[inline(always)]
    pub const fn readonly(account: AccountInfo) -> Meta {
        Meta { account, writable: false, signer: false }
    }
    #[inline(always)]
    pub const fn signer(account: AccountInfo, writable: bool) -> Meta {
        Meta { account, writable, signer: true }
    }
}

/// The seeds (bump included) of the one PDA a CPI signs for. Passed by reference: a BPF call
/// takes at most 5 registers and a slice takes 2.
pub struct Seeds<'a>(pub &'a [Bytes]);

/// One cross-program call.
pub struct Cpi<'a> {
    pub program_id: &'a Pubkey,
    pub metas: &'a [Meta],
    pub data: &'a [u8],
    pub signer: Option<&'a Seeds<'a>>,
}

/// Invokes the call, signing for the PDA of `signer` if any.
pub fn invoke(call: &Cpi) -> Result {
    let metas = call.metas;
    if metas.len() > MAX_CPI_ACCOUNTS {
        return Err(Error::CpiFailed);
    }
    let empty_meta = SolAccountMeta { pubkey: core::ptr::null(), is_writable: false, is_signer: false };
    let empty_info = SolAccountInfo {
        key: core::ptr::null(),
        lamports: core::ptr::null_mut(),
        data_len: 0,
        data: core::ptr::null_mut(),
        owner: core::ptr::null(),
        rent_epoch: 0,
        is_signer: false,
        is_writable: false,
        executable: false,
    };
    let mut sol_metas = [empty_meta; MAX_CPI_ACCOUNTS];
    let mut infos = [empty_info; MAX_CPI_ACCOUNTS];
    let mut i = 0;
    while i < metas.len() {
        let m = &metas[i];
        let a = &m.account;
        sol_metas[i] = SolAccountMeta { pubkey: a.key(), is_writable: m.writable, is_signer: m.signer };
        infos[i] = SolAccountInfo {
            key: a.key(),
            lamports: a.lamports_ptr(),
            data_len: a.data_len() as u64,
            data: a.data_ptr(),
            owner: a.owner(),
            rent_epoch: 0,
            is_signer: a.is_signer(),
            is_writable: a.is_writable(),
            executable: a.executable(),
        };
        i += 1;
    }
    let (seeds, n_signers) = match call.signer {
        Some(s) => (SolSignerSeeds { addr: s.0.as_ptr(), len: s.0.len() as u64 }, 1u64),
        None => (SolSignerSeeds { addr: core::ptr::null(), len: 0 }, 0u64),
    };
    let ix = SolInstruction {
        program_id: call.program_id,
        accounts: sol_metas.as_ptr(),
        account_len: metas.len() as u64,
        data: call.data.as_ptr(),
        data_len: call.data.len() as u64,
    };
    // SAFETY: `ix`, `sol_metas`, `infos` and `seeds` are locals in the C layouts the syscall
    // reads (`SolInstruction`, `SolAccountMeta`, `SolAccountInfo`, `SolSignerSeedsC`), alive for
    // the call; the first `metas.len()` entries are filled from live `AccountInfo`s (pointers
    // into the input buffer, which the runtime updates in place after the call) and the data and
    // seed slices are borrowed for the call. No Rust reference to an account's data is used
    // across it: every accessor reads the buffer again afterwards.
    let rc = unsafe {
        sys::sol_invoke_signed_c(
            &ix as *const SolInstruction as *const u8,
            infos.as_ptr() as *const u8,
            metas.len() as u64,
            &seeds as *const SolSignerSeeds as *const u8,
            n_signers,
        )
    };
    // A failing callee aborts the whole transaction before this returns; a non-zero code means
    // the runtime refused the call itself.
    if rc == 0 { Ok(()) } else { Err(Error::CpiFailed) }
}

/// Lamports and space of a new account.
pub struct NewAccount {
    pub lamports: u64,
    pub space: u64,
}

/// System program: CreateAccount (`payer` → `new`, `new` a PDA signed by `signer`).
pub fn system_create_account(payer: AccountInfo, new: AccountInfo, size: &NewAccount, owner: &Pubkey, signer: &Seeds) -> Result {
    let mut data = [0u8; 52];
    data[4..12].copy_from_slice(&size.lamports.to_le_bytes());
    data[12..20].copy_from_slice(&size.space.to_le_bytes());
    data[20..52].copy_from_slice(owner.as_bytes());
    invoke(&Cpi {
        program_id: &SYSTEM_PROGRAM_ID,
        metas: &[Meta::signer(payer, true), Meta::signer(new, true)],
        data: &data,
        signer: Some(signer),
    })
}

/// System program: Transfer lamports from a transaction signer.
pub fn system_transfer(from: AccountInfo, to: AccountInfo, lamports: u64) -> Result {
    let mut data = [0u8; 12];
    data[0] = 2;
    data[4..12].copy_from_slice(&lamports.to_le_bytes());
    invoke(&Cpi { program_id: &SYSTEM_PROGRAM_ID, metas: &[Meta::signer(from, true), Meta::writable(to)], data: &data, signer: None })
}

/// System program: Allocate `space` bytes to a PDA.
pub fn system_allocate(account: AccountInfo, space: u64, signer: &Seeds) -> Result {
    let mut data = [0u8; 12];
    data[0] = 8;
    data[4..12].copy_from_slice(&space.to_le_bytes());
    invoke(&Cpi { program_id: &SYSTEM_PROGRAM_ID, metas: &[Meta::signer(account, true)], data: &data, signer: Some(signer) })
}

/// System program: Assign a PDA to `owner`.
pub fn system_assign(account: AccountInfo, owner: &Pubkey, signer: &Seeds) -> Result {
    let mut data = [0u8; 36];
    data[0] = 1;
    data[4..36].copy_from_slice(owner.as_bytes());
    invoke(&Cpi { program_id: &SYSTEM_PROGRAM_ID, metas: &[Meta::signer(account, true)], data: &data, signer: Some(signer) })
}

/// SPL Token: Transfer `amount` from `source` to `destination`, authorised by `authority`: a
/// transaction signer (`signer` None) or a PDA of this program (`signer` its seeds).
pub fn token_transfer(source: AccountInfo, destination: AccountInfo, authority: AccountInfo, amount: u64, signer: Option<&Seeds>) -> Result {
    let mut data = [0u8; 9];
    data[0] = 3;
    data[1..9].copy_from_slice(&amount.to_le_bytes());
    invoke(&Cpi {
        program_id: &TOKEN_PROGRAM_ID,
        metas: &[Meta::writable(source), Meta::writable(destination), Meta::signer(authority, false)],
        data: &data,
        signer,
    })
}

/// SPL Token: InitializeAccount3 (`account` for `mint`, owned by `authority`).
pub fn token_initialize_account3(account: AccountInfo, mint: AccountInfo, authority: &Pubkey) -> Result {
    let mut data = [0u8; 33];
    data[0] = 18;
    data[1..33].copy_from_slice(authority.as_bytes());
    invoke(&Cpi { program_id: &TOKEN_PROGRAM_ID, metas: &[Meta::writable(account), Meta::readonly(mint)], data: &data, signer: None })
}

/// SPL Token: Burn `amount` from `account` (of `mint`), authorised by the PDA `authority`.
pub fn token_burn(account: AccountInfo, mint: AccountInfo, authority: AccountInfo, amount: u64, signer: &Seeds) -> Result {
    let mut data = [0u8; 9];
    data[0] = 8;
    data[1..9].copy_from_slice(&amount.to_le_bytes());
    invoke(&Cpi {
        program_id: &TOKEN_PROGRAM_ID,
        metas: &[Meta::writable(account), Meta::writable(mint), Meta::signer(authority, false)],
        data: &data,
        signer: Some(signer),
    })
}

/// SPL Token: CloseAccount (an empty `account`; its lamports go to `destination`), authorised by
/// the PDA `authority`.
pub fn token_close_account(account: AccountInfo, destination: AccountInfo, authority: AccountInfo, signer: &Seeds) -> Result {
    invoke(&Cpi {
        program_id: &TOKEN_PROGRAM_ID,
        metas: &[Meta::writable(account), Meta::writable(destination), Meta::signer(authority, false)],
        data: &[9u8],
        signer: Some(signer),
    })
}
