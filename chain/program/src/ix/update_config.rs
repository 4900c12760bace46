//! `update_config(params, new_admin)`: the admin replaces the parameter block (checked like at
//! initialisation) and may hand the admin role over (later: to a DAO).
//!
//! Accounts: 0 admin (signer, = config.admin) · 1 config (writable).

use crate::account::{self, Account, AccountIter};
use crate::args::Args;
use crate::error::{Error, Result};
use crate::event::{self, ConfigUpdated};
use crate::input::Input;
use crate::pubkey::Pubkey;
use crate::state::{Config, CONFIG_PARAMS_LEN};
use crate::{require, sys};

pub fn process(input: &Input) -> Result {
    let pid = &input.program_id;
    let mut it = AccountIter::new(input.accounts);
    let admin = account::signer(it.next()?)?;
    let config = Account::<Config>::load_mut(it.next()?, pid)?;
    let mut args = Args::new(input.data);
    let params = args.raw(CONFIG_PARAMS_LEN)?;
    let new_admin = Pubkey::read(args.bytes32()?);
    args.finish()?;

    let c = config.get_mut();
    require!(&c.admin == admin.key(), Error::Unauthorized);
    require!(!new_admin.is_zero(), Error::InvalidParameters);
    // Written in place, then checked: an invalid block fails the instruction, which undoes the write.
    let dst = unsafe { core::slice::from_raw_parts_mut(&mut c.params as *mut _ as *mut u8, CONFIG_PARAMS_LEN) };
    sys::copy(dst, params);
    require!(c.params.is_valid(), Error::InvalidParameters);
    c.admin = new_admin;

    event::emit(ConfigUpdated { config: *config.key(), admin: new_admin });
    Ok(())
}
