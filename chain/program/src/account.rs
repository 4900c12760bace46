//! Every account check lives here, once: signer, writable, owner, program id, discriminator,
//! PDA seeds, and the SPL Token account/mint views. Instruction handlers only call these.

use core::marker::PhantomData;

use crate::error::{Error, Result};
use crate::input::AccountInfo;
use crate::pubkey::{self, Pubkey, BPF_LOADER_UPGRADEABLE_ID, SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID};
use crate::cpi::{self, NewAccount, Seeds};
use crate::sys::{self, Bytes};
use crate::require;

/// Hands out the instruction's accounts in order.
pub struct AccountIter<'a> {
    list: &'a [AccountInfo],
    next: usize,
}

impl<'a> AccountIter<'a> {
    pub fn new(list: &'a [AccountInfo]) -> Self {
        AccountIter { list, next: 0 }
    }
    #[inline(always)]
    pub fn next(&mut self) -> Result<AccountInfo> {
        let a = *self.list.get(self.next).ok_or(Error::AccountNotEnoughKeys)?;
        self.next += 1;
        Ok(a)
    }
}

/// A transaction signer.
#[inline(always)]
pub fn signer(a: AccountInfo) -> Result<AccountInfo> {
    require!(a.is_signer(), Error::AccountNotSigner);
    Ok(a)
}

/// A writable transaction signer (a payer).
#[inline(always)]
pub fn signer_mut(a: AccountInfo) -> Result<AccountInfo> {
    require!(a.is_signer(), Error::AccountNotSigner);
    require!(a.is_writable(), Error::ConstraintMut);
    Ok(a)
}

#[inline(always)]
pub fn writable(a: AccountInfo) -> Result<AccountInfo> {
    require!(a.is_writable(), Error::ConstraintMut);
    Ok(a)
}

/// The account must be the program `id`.
#[inline(always)]
pub fn program(a: AccountInfo, id: &Pubkey) -> Result<AccountInfo> {
    require!(a.key() == id && a.executable(), Error::InvalidProgramId);
    Ok(a)
}

#[inline(always)]
pub fn system_program(a: AccountInfo) -> Result<AccountInfo> {
    program(a, &SYSTEM_PROGRAM_ID)
}

#[inline(always)]
pub fn token_program(a: AccountInfo) -> Result<AccountInfo> {
    program(a, &TOKEN_PROGRAM_ID)
}

/// The account's key must equal `expected` (an address recorded in state).
#[inline(always)]
pub fn address(a: AccountInfo, expected: &Pubkey) -> Result<AccountInfo> {
    require!(a.key() == expected, Error::ConstraintAddress);
    Ok(a)
}

/// The account's key must equal `expected` and it must be writable (a program vault recorded in
/// state that an instruction moves tokens into or out of).
#[inline(always)]
pub fn writable_address(a: AccountInfo, expected: &Pubkey) -> Result<AccountInfo> {
    writable(address(a, expected)?)
}

// ---------------------------------------------------------------------------------------------
// PDAs

/// Derives the canonical PDA of `seeds` and requires `a` to be it; returns the bump. Used when
/// an account is created (later checks use the bump stored in state).
pub fn expect_pda(a: AccountInfo, seeds: &[Bytes], program_id: &Pubkey) -> Result<u8> {
    let (key, bump) = pubkey::find_program_address(seeds, program_id).ok_or(Error::ConstraintSeeds)?;
    require!(a.key() == &key, Error::ConstraintSeeds);
    Ok(bump)
}

/// Requires `a` to be `create_program_address(seeds_with_bump)`.
pub fn check_pda(a: AccountInfo, seeds_with_bump: &[Bytes], program_id: &Pubkey) -> Result {
    let key = pubkey::create_program_address(seeds_with_bump, program_id).ok_or(Error::ConstraintSeeds)?;
    require!(a.key() == &key, Error::ConstraintSeeds);
    Ok(())
}

/// Creates the PDA `target` (signed by `seeds_with_bump`) with `space` bytes owned by `owner`,
/// rent-exempt, paid by `payer`. Works even if someone sent lamports to the address first.
pub fn create_pda(payer: AccountInfo, target: AccountInfo, space: u64, owner: &Pubkey, seeds: &Seeds) -> Result {
    require!(target.is_writable(), Error::ConstraintMut);
    require!(target.owner() == &SYSTEM_PROGRAM_ID && target.data_len() == 0, Error::AccountAlreadyInitialized);
    let rent = sys::rent_exempt_minimum(space).ok_or(Error::UnsupportedRent)?;
    let have = target.lamports();
    if have == 0 {
        return cpi::system_create_account(payer, target, &NewAccount { lamports: rent, space }, owner, seeds);
    }
    if have < rent {
        cpi::system_transfer(payer, target, rent - have)?;
    }
    cpi::system_allocate(target, space, seeds)?;
    cpi::system_assign(target, owner, seeds)
}

// ---------------------------------------------------------------------------------------------
// Program accounts

/// A type stored in an account of this program: 8-byte discriminator, then the `#[repr(C)]`
/// struct, whose fields are ordered so that it has no padding and is therefore byte-for-byte its
/// Borsh encoding (what Anchor's coder and the IDL describe).
pub trait AccountType: Sized {
    const DISCRIMINATOR: [u8; 8];
    const SPACE: usize = 8 + core::mem::size_of::<Self>();
}

/// A zero-copy view of an account of type `T`, checked on load.
pub struct Account<T: AccountType> {
    pub info: AccountInfo,
    _t: PhantomData<T>,
}

impl<T: AccountType> Account<T> {
    /// Owner is this program, size and discriminator match.
    pub fn load(info: AccountInfo, program_id: &Pubkey) -> Result<Self> {
        require!(info.owner() == program_id, Error::AccountOwnedByWrongProgram);
        require!(info.data_len() == T::SPACE, Error::AccountDidNotDeserialize);
        // SAFETY: the data is 8-aligned (the loader's layout) and, by the size check just made,
        // at least 8 bytes long; any bits are a valid u64.
        let disc = unsafe { *(info.data_ptr() as *const u64) };
        require!(disc == u64::from_le_bytes(T::DISCRIMINATOR), Error::AccountDiscriminatorMismatch);
        Ok(Account { info, _t: PhantomData })
    }

    /// `load`, and the account must be writable.
    pub fn load_mut(info: AccountInfo, program_id: &Pubkey) -> Result<Self> {
        require!(info.is_writable(), Error::ConstraintMut);
        Self::load(info, program_id)
    }

    /// Creates the PDA account `info` (seeds with bump), writes the discriminator and zeroes
    /// the rest; the caller then fills the fields through `get_mut`.
    pub fn init(payer: AccountInfo, info: AccountInfo, program_id: &Pubkey, seeds: &Seeds) -> Result<Self> {
        create_pda(payer, info, T::SPACE as u64, program_id, seeds)?;
        // SAFETY: the account was just created by this instruction and no borrow of its data
        // exists yet; the slice ends before the next write.
        let data = unsafe { info.data_mut() };
        sys::fill(data, 0);
        // SAFETY: `create_pda` gave it `T::SPACE` ≥ 8 bytes, 8-aligned; no borrow of them is live.
        unsafe { *(info.data_ptr() as *mut u64) = u64::from_le_bytes(T::DISCRIMINATOR) };
        Ok(Account { info, _t: PhantomData })
    }

    #[inline(always)]
    pub fn key(&self) -> &Pubkey {
        self.info.key()
    }

    #[inline(always)]
    pub fn get(&self) -> &T {
        // SAFETY: `load`/`init` checked the data has exactly SPACE = 8 + size_of::<T>() bytes;
        // it is 8-aligned, so T (alignment ≤ 8) at offset 8 is aligned, and T is a padding-free
        // repr(C) struct of plain integers and byte arrays, valid for any bit pattern. Callers
        // hold no `get_mut` borrow of this account while this one is used (see `get_mut`).
        unsafe { &*(self.info.data_ptr().add(8) as *const T) }
    }

    /// The fields, writable.
    ///
    /// # Safety
    /// It hands out `&mut T` from `&self` (the handlers pass accounts by shared reference to the
    /// settlement helpers): the caller must hold no other borrow of this account's data (from
    /// `get`, another `get_mut`, `info.data()`) while the returned one is used, and must not use
    /// it across a CPI that writes this account. The entrypoint refuses duplicate accounts, so
    /// borrows of other accounts never alias it.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn get_mut(&self) -> &mut T {
        // SAFETY: as `get` for layout and validity; exclusivity is the caller's contract above.
        unsafe { &mut *(self.info.data_ptr().add(8) as *mut T) }
    }
}

/// Closes a program account: zeroes its data, moves all its lamports to `destination`, and hands
/// it back to the System program with zero data length (audit finding 14: until the transaction
/// ended a closed account stayed program-owned, so a later instruction of the same transaction
/// could still pass it where a program account is expected, or refund it and resurrect it); the
/// runtime then deletes it.
pub fn close(account: AccountInfo, destination: AccountInfo) -> Result {
    require!(account.is_writable() && destination.is_writable(), Error::ConstraintMut);
    let total = crate::math::add(destination.lamports(), account.lamports())?;
    // SAFETY: the caller's views of the closed account are no longer used (it is being closed);
    // the slice lives only for this fill.
    sys::fill(unsafe { account.data_mut() }, 0);
    account.set_lamports(0);
    destination.set_lamports(total);
    account.reassign_to_system();
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// SPL Token

const TOKEN_ACCOUNT_LEN: usize = 165;
const MINT_LEN: usize = 82;
const TOKEN_STATE_INITIALIZED: u8 = 1;

/// A zero-copy SPL Token account: mint [0..32], owner [32..64], amount [64..72], state [108].
#[derive(Clone, Copy)]
pub struct TokenAccount {
    pub info: AccountInfo,
}

impl TokenAccount {
    /// Owned by the Token program, initialised, of `mint`.
    pub fn load(info: AccountInfo, mint: &Pubkey) -> Result<Self> {
        require!(info.owner() == &TOKEN_PROGRAM_ID, Error::AccountOwnedByWrongProgram);
        require!(info.data_len() == TOKEN_ACCOUNT_LEN, Error::AccountDidNotDeserialize);
        let t = TokenAccount { info };
        require!(info.data()[108] == TOKEN_STATE_INITIALIZED, Error::AccountDidNotDeserialize);
        require!(t.mint() == mint, Error::ConstraintTokenMint);
        Ok(t)
    }

    /// `load`, writable.
    pub fn load_mut(info: AccountInfo, mint: &Pubkey) -> Result<Self> {
        require!(info.is_writable(), Error::ConstraintMut);
        Self::load(info, mint)
    }

    /// `load_mut`, and its token owner must be `owner` (a party's account a settlement pays or
    /// takes from).
    #[inline(always)]
    pub fn load_owned(info: AccountInfo, mint: &Pubkey, owner: &Pubkey) -> Result<Self> {
        let t = Self::load_mut(info, mint)?;
        require!(t.authority() == owner, Error::ConstraintTokenOwner);
        Ok(t)
    }

    #[inline(always)]
    pub fn mint(&self) -> &Pubkey {
        // SAFETY: `load` checked 165 bytes of data, 8-aligned: a 32-byte, 8-aligned key at 0.
        unsafe { &*(self.info.data_ptr() as *const Pubkey) }
    }
    #[inline(always)]
    pub fn authority(&self) -> &Pubkey {
        // SAFETY: as `mint`: the key at 32 is in bounds and 8-aligned.
        unsafe { &*(self.info.data_ptr().add(32) as *const Pubkey) }
    }
    #[inline(always)]
    pub fn amount(&self) -> u64 {
        // SAFETY: as `mint`: the u64 at 64 is in bounds and 8-aligned.
        unsafe { *(self.info.data_ptr().add(64) as *const u64) }
    }
}

/// A zero-copy SPL Token mint: supply [36..44] (unaligned), decimals [44], initialised [45].
#[derive(Clone, Copy)]
pub struct Mint {
    pub info: AccountInfo,
}

impl Mint {
    pub fn load(info: AccountInfo) -> Result<Self> {
        require!(info.owner() == &TOKEN_PROGRAM_ID, Error::AccountOwnedByWrongProgram);
        require!(info.data_len() == MINT_LEN, Error::InvalidMint);
        require!(info.data()[45] == 1, Error::InvalidMint);
        Ok(Mint { info })
    }
    #[inline(always)]
    pub fn decimals(&self) -> u8 {
        self.info.data()[44]
    }
    /// The `COption<Pubkey>` freeze authority's tag (u32 at 46) is not `None`.
    #[inline(always)]
    pub fn has_freeze_authority(&self) -> bool {
        self.info.data()[46..50] != [0, 0, 0, 0]
    }
    #[inline(always)]
    pub fn supply(&self) -> u64 {
        // SAFETY: `load` checked 82 bytes of data; bytes 36..44 are in bounds, read unaligned.
        unsafe { core::ptr::read_unaligned(self.info.data_ptr().add(36) as *const u64) }
    }
}

/// Creates the program-owned token vault `vault` (a PDA of this program, signed by
/// `seeds`) for `mint`, with `authority` as its token owner.
pub fn create_token_vault(payer: AccountInfo, vault: AccountInfo, mint: AccountInfo, authority: &Pubkey, seeds: &Seeds) -> Result {
    create_pda(payer, vault, TOKEN_ACCOUNT_LEN as u64, &TOKEN_PROGRAM_ID, seeds)?;
    cpi::token_initialize_account3(vault, mint, authority)
}

/// Requires `program_data` to be this program's ProgramData account (the loader's PDA
/// `[program_id]`, owned by the BPF upgradeable loader) and its recorded upgrade authority to be
/// `signer`. ProgramData layout (bincode of `UpgradeableLoaderState::ProgramData`): tag u32 = 3,
/// slot u64, `Option<Pubkey>` authority (tag byte at 12, key at 13..45). A program made immutable
/// (no authority) refuses everyone.
pub fn expect_upgrade_authority(program_data: AccountInfo, program_id: &Pubkey, signer: &Pubkey) -> Result {
    let (key, _) = pubkey::find_program_address(&[Bytes::of(program_id.as_bytes())], &BPF_LOADER_UPGRADEABLE_ID).ok_or(Error::ConstraintSeeds)?;
    require!(program_data.key() == &key, Error::NotUpgradeAuthority);
    require!(program_data.owner() == &BPF_LOADER_UPGRADEABLE_ID, Error::NotUpgradeAuthority);
    let d = program_data.data();
    require!(d.len() >= 45 && d[0..4] == [3, 0, 0, 0] && d[12] == 1, Error::NotUpgradeAuthority);
    require!(&d[13..45] == signer.as_bytes(), Error::NotUpgradeAuthority);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Instruction account lists

/// Declares an instruction's accounts struct and its `load`, from one list in the header's order
/// (what Anchor's `#[derive(Accounts)]` does, as `macro_rules`):
///
/// ```ignore
/// accounts! {
///     /// The accounts, in the header's order …
///     pub struct AcceptAdminAccounts {
///         new_admin: signer,
///         config: load_mut(Config),
///     }
/// }
/// ```
///
/// gives `pub struct AcceptAdminAccounts { pub new_admin: AccountInfo, pub config: Account<Config> }`
/// and `AcceptAdminAccounts::load(input)`, which takes the accounts one by one with `AccountIter`
/// and checks each by its kind, exactly as the hand-written `let x = account::signer(it.next()?)?;`
/// lines did (the program's bytes are the same). Without a doc comment the struct gets the usual
/// one ("The accounts, in the header's order …"); `load` is `#[inline(always)]` unless an
/// `#[inline(…)]` after the doc comment says otherwise (`DrawAccounts`: two handlers share it).
///
/// Kinds:
///
/// | kind | check | field |
/// | --- | --- | --- |
/// | `info` | none (checked by the handler) | `AccountInfo` |
/// | `signer`, `signer_mut`, `writable` | `signer`, `signer_mut`, `writable` | `AccountInfo` |
/// | `address(expr)` | the key is `expr` (`address`) | `AccountInfo` |
/// | `load(T)`, `load_mut(T)` | `Account::<T>::load`, `load_mut` | `Account<T>` |
/// | `optional` | none; `None` when the list ends here | `Option<AccountInfo>` |
/// | `part(T, args…)` | `T::load(&mut it, program_id, args…)`: several accounts | `T` |
///
/// An entry named `_` is checked and not kept: `_: system_program`, `_: token_program`,
/// `_: upgrade_authority(admin)` (`expect_upgrade_authority` against the earlier field `admin`).
/// Fields are `pub`, in the list's order. A missing account is `AccountNotEnoughKeys`.
#[macro_export]
macro_rules! accounts {
    (
        $(#[doc = $doc:expr])+
        #[inline $($inline:tt)*]
        pub struct $name:ident { $($body:tt)* }
    ) => {
        $crate::accounts!(@munch [[#[inline $($inline)*]] $(#[doc = $doc])+] $name [] [] $($body)*);
    };
    (
        $(#[doc = $doc:expr])+
        pub struct $name:ident { $($body:tt)* }
    ) => {
        $crate::accounts!(@munch [[#[inline(always)]] $(#[doc = $doc])+] $name [] [] $($body)*);
    };
    (pub struct $name:ident { $($body:tt)* }) => {
        $crate::accounts! {
            /// The accounts, in the header's order (owners and types checked here; the rest by `process`).
            pub struct $name { $($body)* }
        }
    };

    // One entry at a time: the fields kept (`[[docs] name kind]`) and every load (`[name kind]`), in order.
    (@munch $meta:tt $name:ident [$($f:tt)*] [$($l:tt)*]
        _ : $kind:ident $(($($arg:tt)*))? $(, $($rest:tt)*)?) => {
        $crate::accounts!(@munch $meta $name [$($f)*] [$($l)* [_ $kind $(($($arg)*))?]] $($($rest)*)?);
    };
    (@munch $meta:tt $name:ident [$($f:tt)*] [$($l:tt)*]
        $(#[$fmeta:meta])* $field:ident : $kind:ident $(($($arg:tt)*))? $(, $($rest:tt)*)?) => {
        $crate::accounts!(@munch $meta $name [$($f)* [[$(#[$fmeta])*] $field $kind $(($($arg)*))?]]
            [$($l)* [$field $kind $(($($arg)*))?]] $($($rest)*)?);
    };
    (@munch [[$($load_attr:tt)*] $($meta:tt)*] $name:ident [$([[$($fmeta:tt)*] $field:ident $($fkind:tt)*])*]
        [$([$lname:tt $($lkind:tt)*])*]) => {
        $($meta)*
        pub struct $name {
            $($($fmeta)* pub $field: $crate::accounts!(@type $($fkind)*),)*
        }

        impl $name {
            $($load_attr)*
            pub fn load(input: &$crate::input::Input) -> $crate::error::Result<$name> {
                let pid = &input.program_id;
                let mut it = $crate::account::AccountIter::new(input.accounts);
                $($crate::accounts!(@let it pid $lname $($lkind)*);)*
                let _ = pid;
                Ok($name { $($field),* })
            }
        }
    };

    (@type info) => { $crate::input::AccountInfo };
    (@type signer) => { $crate::input::AccountInfo };
    (@type signer_mut) => { $crate::input::AccountInfo };
    (@type writable) => { $crate::input::AccountInfo };
    (@type address($($a:tt)*)) => { $crate::input::AccountInfo };
    (@type load($t:ty)) => { $crate::account::Account<$t> };
    (@type load_mut($t:ty)) => { $crate::account::Account<$t> };
    (@type optional) => { Option<$crate::input::AccountInfo> };
    (@type part($t:ty $(, $($a:tt)*)?)) => { $t };

    (@let $it:ident $pid:ident _ system_program) => { $crate::account::system_program($it.next()?)?; };
    (@let $it:ident $pid:ident _ token_program) => { $crate::account::token_program($it.next()?)?; };
    (@let $it:ident $pid:ident _ upgrade_authority($signer:ident)) => {
        $crate::account::expect_upgrade_authority($it.next()?, $pid, $signer.key())?;
    };
    (@let $it:ident $pid:ident $field:ident info) => { let $field = $it.next()?; };
    (@let $it:ident $pid:ident $field:ident signer) => { let $field = $crate::account::signer($it.next()?)?; };
    (@let $it:ident $pid:ident $field:ident signer_mut) => { let $field = $crate::account::signer_mut($it.next()?)?; };
    (@let $it:ident $pid:ident $field:ident writable) => { let $field = $crate::account::writable($it.next()?)?; };
    (@let $it:ident $pid:ident $field:ident address($key:expr)) => {
        let $field = $crate::account::address($it.next()?, $key)?;
    };
    (@let $it:ident $pid:ident $field:ident load($t:ty)) => {
        let $field = $crate::account::Account::<$t>::load($it.next()?, $pid)?;
    };
    (@let $it:ident $pid:ident $field:ident load_mut($t:ty)) => {
        let $field = $crate::account::Account::<$t>::load_mut($it.next()?, $pid)?;
    };
    (@let $it:ident $pid:ident $field:ident optional) => { let $field = $it.next().ok(); };
    (@let $it:ident $pid:ident $field:ident part($t:ty $(, $($a:expr),*)?)) => {
        let $field = <$t>::load(&mut $it, $pid $(, $($a),*)?)?;
    };
}
