//! `timeout_refund()`: anyone, once the deadline has passed on a funded escrow: the client gets
//! the full amount back, the worker loses `timeout_slash_bps` of its stake (`slashStake`: 80 % to
//! the insurance vault, 20 % burned by an SPL `Burn`), one failed job and the timeout penalty.
//!
//! Accounts: 0 config (writable) · 1 escrow (writable) · 2 escrow_vault (writable) ·
//! 3 client_token (writable, of escrow.client) · 4 worker_node (writable) · 5 stake_vault
//! (writable) · 6 insurance_vault (writable) · 7 mint (writable, = config.mint) · 8 token_program.

use crate::account::{self, Account, AccountIter, TokenAccount};
use crate::error::{Error, Result};
use crate::event::{self, StakeSlashed, TimeoutRefunded};
use crate::input::{AccountInfo, Input};
use crate::state::{Config, Escrow, Node, ESCROW_FUNDED, ESCROW_TIMED_OUT, TIER_ZK};
use crate::cpi::Seeds;
use crate::sys::{self, Bytes};
use crate::{cpi, math, reputation, require, seeds};

const BPS: u16 = 10_000;

pub fn process(input: &Input) -> Result {
    let pid = &input.program_id;
    let mut it = AccountIter::new(input.accounts);
    let config = Account::<Config>::load_mut(it.next()?, pid)?;
    let escrow = Account::<Escrow>::load_mut(it.next()?, pid)?;
    let vault = it.next()?;
    let client_token_info = it.next()?;
    let node = Account::<Node>::load_mut(it.next()?, pid)?;
    let stake_vault = it.next()?;
    let insurance_vault = it.next()?;
    let mint = it.next()?;
    account::token_program(it.next()?)?;
    crate::args::Args::new(input.data).finish()?;

    let c = config.get_mut();
    let e = escrow.get_mut();
    let n = node.get_mut();
    require!(e.state == ESCROW_FUNDED, Error::InvalidEscrowState);
    let now = sys::clock().unix_timestamp;
    require!(now > e.deadline, Error::DeadlineNotReached);
    require!(n.owner == e.worker, Error::ConstraintHasOne);
    // A delivered optimistic job is settled by `claim_payment` or a dispute, not by a timeout.
    require!(e.delivered == 0, Error::InvalidEscrowState);
    // A zk worker that anchored its final root owes a proof: `slash_invalid_proof` settles it.
    require!(!(e.tier == TIER_ZK && e.epochs_done == e.epochs_total), Error::ProofRequired);
    account::writable(account::address(vault, &e.vault)?)?;
    let client_token = TokenAccount::load_mut(client_token_info, &c.mint)?;
    require!(client_token.authority() == &e.client, Error::ConstraintTokenOwner);

    let bump = [c.bump];
    let config_seeds = Seeds(&[Bytes::of(seeds::CONFIG), Bytes::of(&bump)]);
    cpi::token_transfer(vault, client_token_info, config.info, e.amount, Some(&config_seeds))?;
    let rate = c.params.timeout_slash_bps;
    let slash = slash_stake(c, n, rate, &Vaults { stake: stake_vault, insurance: insurance_vault, mint, config: config.info })?;

    e.state = ESCROW_TIMED_OUT;
    e.completed_at = now;
    n.jobs_active = math::dec_u32(n.jobs_active)?;
    n.jobs_failed = math::inc_u32(n.jobs_failed, 1)?;
    reputation::adjust(n, c.params.penalty_timeout, &c.params)?;

    event::emit(TimeoutRefunded { escrow: *escrow.key(), client: e.client, amount: e.amount });
    event::emit(StakeSlashed {
        node: *node.key(), slashed: slash.0, to_insurance: slash.1, burned: slash.2, to_client: 0, to_treasury: 0, remaining: n.stake,
    });
    Ok(())
}

/// The program's token accounts a slash moves tokens between.
pub struct Vaults {
    pub stake: AccountInfo,
    pub insurance: AccountInfo,
    pub mint: AccountInfo,
    pub config: AccountInfo,
}

/// Slashes `rate_bps` of the node's stake (`slashStake`): slashed = floor(stake × rate), burned =
/// floor(slashed × (10,000 − insurance share)), the rest to the insurance vault. Updates the node's
/// stake and the totals in Config. Returns (slashed, to insurance, burned).
pub fn slash_stake(c: &mut Config, n: &mut Node, rate_bps: u16, v: &Vaults) -> Result<(u64, u64, u64)> {
    account::writable(account::address(v.stake, &c.stake_vault)?)?;
    account::writable(account::address(v.insurance, &c.insurance_vault)?)?;
    account::writable(account::address(v.mint, &c.mint)?)?;
    let slashed = math::bps(n.stake, rate_bps)?;
    let burned = math::bps(slashed, BPS - c.params.slash_insurance_share_bps)?; // share ≤ 10,000: is_valid
    let insurance = math::sub(slashed, burned)?;
    let bump = [c.bump];
    let config_seeds = Seeds(&[Bytes::of(seeds::CONFIG), Bytes::of(&bump)]);
    if insurance > 0 {
        cpi::token_transfer(v.stake, v.insurance, v.config, insurance, Some(&config_seeds))?;
    }
    if burned > 0 {
        cpi::token_burn(v.stake, v.mint, v.config, burned, &config_seeds)?;
    }
    n.stake = math::sub(n.stake, slashed)?;
    c.total_staked = math::sub(c.total_staked, slashed)?;
    c.total_burned = math::add(c.total_burned, burned)?;
    Ok((slashed, insurance, burned))
}
