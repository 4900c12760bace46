//! `accept_admin()`: the second step of the admin handover. Signed by the key the admin proposed
//! (`propose_admin`), it becomes the admin and the proposal is cleared; the previous admin loses
//! the role in the same instruction. Any other signer is `Unauthorized`; with nothing proposed,
//! `NoPendingAdmin`.
//!
//! Accounts: 0 new_admin (signer, = config.pending_admin) · 1 config (writable).

use crate::accounts;
use crate::error::{Error, Result};
use crate::event::{self, AdminAccepted};
use crate::input::Input;
use crate::pubkey::Pubkey;
use crate::require;
use crate::state::Config;

accounts! { pub struct AcceptAdminAccounts { new_admin: signer, config: load_mut(Config) } }

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
