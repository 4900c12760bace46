//! `accept_admin()`: the second step of the admin handover. Signed by the key the admin proposed
//! (`propose_admin`), it becomes the admin and the proposal is cleared; the previous admin loses
//! the role in the same instruction. Any other signer is `Unauthorized`; with nothing proposed,
//! `NoPendingAdmin`.
//!
//! Accounts: 0 new_admin (signer, = config.pending_admin) · 1 config (writable).

use crate::account::{self, Account, AccountIter};
use crate::error::{Error, Result};
use crate::event::{self, AdminAccepted};
use crate::input::{AccountInfo, Input};
use crate::pubkey::Pubkey;
use crate::require;
use crate::state::Config;

/// The accounts, in the header's order (owners and types checked here; the rest by `process`).
pub struct AcceptAdminAccounts {
    pub new_admin: AccountInfo,
    pub config: Account<Config>,
}

impl AcceptAdminAccounts {
    #[inline(always)]
    pub fn load(input: &Input) -> Result<AcceptAdminAccounts> {
        let pid = &input.program_id;
        let mut it = AccountIter::new(input.accounts);
        let new_admin = account::signer(it.next()?)?;
        let config = Account::<Config>::load_mut(it.next()?, pid)?;
        Ok(AcceptAdminAccounts { new_admin, config })
    }
}

pub fn process(input: &Input) -> Result {
    let AcceptAdminAccounts { new_admin, config } = AcceptAdminAccounts::load(input)?;
    crate::args::Args::new(input.data).finish()?;

    // SAFETY: no other borrow of `config`'s data is used while `c` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let c = unsafe { config.get_mut() };
    require!(!c.pending_admin.is_zero(), Error::NoPendingAdmin);
    require!(&c.pending_admin == new_admin.key(), Error::Unauthorized);
    let previous = c.admin;
    c.admin = *new_admin.key();
    c.pending_admin = Pubkey::ZERO;

    event::emit(AdminAccepted { config: *config.key(), previous, admin: c.admin });
    Ok(())
}
