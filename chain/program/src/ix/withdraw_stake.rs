//! `withdraw_stake()`: pays the whole stake back to its owner (`withdrawalCheck`): an unstake must
//! have been requested, no job may be active, and it must be `withdrawal_cooldown_secs` after the
//! later of the lock's end (30 days from registration, +7 days per job assigned) and the request.
//! The Node account stays, with stake 0: its reputation history is not erased by re-registering.
//!
//! Accounts: 0 owner (signer) · 1 config (writable) · 2 node (writable) · 3 owner_token (writable)
//! · 4 stake_vault (writable, = config.stake_vault) · 5 token_program.

use crate::account::{self, TokenAccount};
use crate::accounts;
use crate::ix::shared::VaultAuthority;
use crate::error::{Error, Result};
use crate::event::{self, StakeWithdrawn};
use crate::input::Input;
use crate::state::{Config, Node};
use crate::sys;
use crate::{math, require};

accounts! {
    pub struct WithdrawStakeAccounts {
        owner: signer, config: load_mut(Config), node: load_mut(Node), owner_token: info, stake_vault: info,
        _: token_program,
    }
}

pub fn process(input: &Input) -> Result {
    let WithdrawStakeAccounts {
        owner, config, node, owner_token: owner_token_info, stake_vault,
    } = WithdrawStakeAccounts::load(input)?;
    crate::args::Args::new(input.data).finish()?;

    // SAFETY: no other borrow of `config`'s data is used while `c` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let c = unsafe { config.get_mut() };
    // SAFETY: no other borrow of `node`'s data is used while `n` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let n = unsafe { node.get_mut() };
    require!(&n.owner == owner.key(), Error::ConstraintHasOne);
    require!(n.unstake_requested != 0, Error::UnstakeNotRequested);
    require!(n.jobs_active == 0, Error::ActiveJobs);
    let from = if n.lock_until > n.unstake_requested_at { n.lock_until } else { n.unstake_requested_at };
    let withdrawable_at = math::add_i64(from, c.params.withdrawal_cooldown_secs)?;
    require!(sys::clock().unix_timestamp >= withdrawable_at, Error::StakeLocked);
    let amount = n.stake;
    require!(amount > 0, Error::ZeroAmount); // already withdrawn (or slashed to nothing)
    account::writable_address(stake_vault, &c.stake_vault)?;
    TokenAccount::load_owned(owner_token_info, &c.mint, owner.key())?;

    VaultAuthority::new(config.info, c.bump).transfer(stake_vault, owner_token_info, amount)?;
    n.stake = 0;
    c.total_staked = math::sub(c.total_staked, amount)?;

    event::emit(StakeWithdrawn { node: *node.key(), owner: n.owner, amount });
    Ok(())
}
