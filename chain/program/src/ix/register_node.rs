//! `register_node(stake: u64)`: a worker creates its `Node` PDA and moves `stake` tokens from its
//! token account into the program's stake vault (a CPI into SPL Token, signed by the worker).
//! The stake must reach the smallest stake tier's minimum; the stake is locked for
//! `stake_min_lock_secs`.
//!
//! Accounts: 0 owner (signer, writable, pays) · 1 config (writable) · 2 node (writable, PDA
//! ["node", owner]) · 3 owner_token (writable, CYXWIZ token account of owner) · 4 stake_vault
//! (writable, = config.stake_vault) · 5 system_program · 6 token_program.

use crate::account::{self, Account, TokenAccount};
use crate::accounts;
use crate::args::Args;
use crate::error::{Error, Result};
use crate::event::{self, NodeRegistered};
use crate::input::Input;
use crate::state::{Config, Node, NODE_ACTIVE};
use crate::cpi::Seeds;
use crate::sys::{self, Bytes};
use crate::{cpi, math, require, seeds};

accounts! {
    pub struct RegisterNodeAccounts {
        owner: signer_mut, config: load_mut(Config), node: info, owner_token: info, stake_vault: info,
        _: system_program, _: token_program,
    }
}

pub fn process(input: &Input) -> Result {
    let pid = &input.program_id;
    let RegisterNodeAccounts {
        owner, config, node: node_info, owner_token: owner_token_info, stake_vault,
    } = RegisterNodeAccounts::load(input)?;

    let mut args = Args::new(input.data);
    let stake = args.u64()?;
    args.finish()?;

    // SAFETY: no other borrow of `config`'s data is used while `c` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let c = unsafe { config.get_mut() };
    require!(stake >= c.params.min_stake(), Error::StakeBelowMinimum);
    TokenAccount::load_owned(owner_token_info, &c.mint, owner.key())?;
    account::writable_address(stake_vault, &c.stake_vault)?;

    let bump = account::expect_pda(node_info, &[Bytes::of(seeds::NODE), Bytes::of(owner.key().as_bytes())], pid)?;
    let node = Account::<Node>::init(owner, node_info, pid,
        &Seeds(&[Bytes::of(seeds::NODE), Bytes::of(owner.key().as_bytes()), Bytes::of(&[bump])]))?;

    cpi::token_transfer(owner_token_info, stake_vault, owner, stake, None)?;

    let now = sys::clock().unix_timestamp;
    let lock_until = math::add_i64(now, c.params.stake_min_lock_secs)?;
    // SAFETY: no other borrow of `node`'s data is used while `n` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let n = unsafe { node.get_mut() };
    n.owner = *owner.key();
    n.stake = stake;
    n.registered_at = now;
    n.lock_until = lock_until;
    n.last_heartbeat = now;
    n.status = NODE_ACTIVE;
    n.bump = bump;
    c.total_staked = math::add(c.total_staked, stake)?;
    c.node_count = math::add(c.node_count, 1)?;

    event::emit(NodeRegistered { node: *node_info.key(), owner: *owner.key(), stake, lock_until });
    Ok(())
}
