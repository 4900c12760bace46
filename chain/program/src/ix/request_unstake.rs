//! `request_unstake()`: the node owner asks to withdraw its stake. From now on the node takes no
//! new jobs; `withdraw_stake` pays out once the lock and the cooldown after it have passed.
//!
//! Accounts: 0 owner (signer) · 1 node (writable, owner = signer).

use crate::accounts;
use crate::error::{Error, Result};
use crate::event::{self, UnstakeRequested};
use crate::input::Input;
use crate::state::Node;
use crate::{require, sys};

accounts! { pub struct RequestUnstakeAccounts { owner: signer, node: load_mut(Node) } }

pub fn process(input: &Input) -> Result {
    let RequestUnstakeAccounts { owner, node } = RequestUnstakeAccounts::load(input)?;
    crate::args::Args::new(input.data).finish()?;

    // SAFETY: no other borrow of `node`'s data is used while `n` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let n = unsafe { node.get_mut() };
    require!(&n.owner == owner.key(), Error::ConstraintHasOne);
    require!(n.unstake_requested == 0, Error::UnstakeAlreadyRequested);
    let now = sys::clock().unix_timestamp;
    n.unstake_requested = 1;
    n.unstake_requested_at = now;

    event::emit(UnstakeRequested { node: *node.key(), requested_at: now, lock_until: n.lock_until });
    Ok(())
}
