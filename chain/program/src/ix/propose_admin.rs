//! `propose_admin(new_admin)`: the first step of the admin handover (audit finding 15). The admin
//! names the key that may take the role; nothing else changes — the admin keeps every power until
//! that key signs `accept_admin`. Proposing again replaces the proposal; proposing the zero key
//! withdraws it. A mistyped key therefore never receives the role: it cannot sign the acceptance.
//!
//! Accounts: 0 admin (signer, = config.admin) · 1 config (writable).

use crate::accounts;
use crate::args::Args;
use crate::error::{Error, Result};
use crate::event::{self, AdminProposed};
use crate::input::Input;
use crate::pubkey::Pubkey;
use crate::require;
use crate::state::Config;

accounts! { pub struct ProposeAdminAccounts { admin: signer, config: load_mut(Config) } }

pub fn process(input: &Input) -> Result {
    let ProposeAdminAccounts { admin, config } = ProposeAdminAccounts::load(input)?;
    let mut args = Args::new(input.data);
    let proposed = Pubkey::read(args.bytes32()?);
    args.finish()?;

    // SAFETY: no other borrow of `config`'s data is used while `c` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let c = unsafe { config.get_mut() };
    require!(&c.admin == admin.key(), Error::Unauthorized);
    c.pending_admin = proposed;

    event::emit(AdminProposed { config: *config.key(), admin: c.admin, proposed });
    Ok(())
}
