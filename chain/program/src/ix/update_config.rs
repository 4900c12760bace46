//! `update_config(params)`: the admin replaces the parameter block (checked like at
//! initialisation). Escrows already created keep the block they were created under
//! (`Escrow.terms`): a change of fee, slash rate or window applies to new escrows only. The admin
//! role itself moves in two steps (`propose_admin`, `accept_admin`).
//!
//! Accounts: 0 admin (signer, = config.admin) · 1 config (writable).

use crate::accounts;
use crate::args::Args;
use crate::error::{Error, Result};
use crate::event::{self, ConfigUpdated};
use crate::input::Input;
use crate::state::{Config, CONFIG_PARAMS_LEN};
use crate::{require, sys};

accounts! { pub struct UpdateConfigAccounts { admin: signer, config: load_mut(Config) } }

pub fn process(input: &Input) -> Result {
    let UpdateConfigAccounts { admin, config } = UpdateConfigAccounts::load(input)?;
    let mut args = Args::new(input.data);
    let params = args.raw(CONFIG_PARAMS_LEN)?;
    args.finish()?;

    // SAFETY: no other borrow of `config`'s data is used while `c` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let c = unsafe { config.get_mut() };
    require!(&c.admin == admin.key(), Error::Unauthorized);
    // Written in place, then checked: an invalid block fails the instruction, which undoes the write.
    // SAFETY: `c.params` is a padding-free repr(C) `ConfigParams` of exactly CONFIG_PARAMS_LEN
    // bytes (asserted in state.rs) of plain integers, valid for any bytes; the slice is the only
    // borrow of it until `sys::copy` returns.
    let dst = unsafe { core::slice::from_raw_parts_mut(&mut c.params as *mut _ as *mut u8, CONFIG_PARAMS_LEN) };
    sys::copy(dst, params);
    require!(c.params.is_valid(), Error::InvalidParameters);

    event::emit(ConfigUpdated { config: *config.key(), admin: c.admin });
    Ok(())
}
