//! `slash_invalid_proof()`: anyone, once the deadline of a zk escrow has passed with its final
//! root anchored but no valid proof accepted by `complete_zk` (the worker claimed to be done and
//! could not prove the challenged step): the client gets the whole amount back, the worker loses
//! `invalid_proof_slash_bps` (25 %) of its stake (80 % to insurance, 20 % burned, as every slash),
//! one failed job, one more proof counted and not valid, and the invalid-proof penalty (−100).
//! A zk escrow whose final root was never anchored is an ordinary timeout (`timeout_refund`).
//!
//! Accounts: as `timeout_refund`: 0 config (writable) · 1 escrow (writable) · 2 escrow_vault
//! (writable) · 3 client_token (writable) · 4 worker_node (writable) · 5 stake_vault (writable) ·
//! 6 insurance_vault (writable) · 7 mint (writable) · 8 token_program.

use crate::account::{self, Account, AccountIter, TokenAccount};
use crate::cpi::Seeds;
use crate::error::{Error, Result};
use crate::event::{self, StakeSlashed, TimeoutRefunded};
use crate::input::Input;
use crate::ix::timeout_refund::{slash_stake, Vaults};
use crate::state::{Config, Escrow, Node, ESCROW_FUNDED, ESCROW_PROOF_FAILED, TIER_ZK};
use crate::sys::{self, Bytes};
use crate::{cpi, math, reputation, require, seeds};

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
    require!(e.tier == TIER_ZK, Error::InvalidTier);
    require!(e.state == ESCROW_FUNDED, Error::InvalidEscrowState);
    require!(e.epochs_done == e.epochs_total, Error::InvalidEpoch);
    let now = sys::clock().unix_timestamp;
    require!(now > e.deadline, Error::DeadlineNotReached);
    require!(n.owner == e.worker, Error::ConstraintHasOne);
    account::writable(account::address(vault, &e.vault)?)?;
    let client_token = TokenAccount::load_mut(client_token_info, &c.mint)?;
    require!(client_token.authority() == &e.client, Error::ConstraintTokenOwner);

    let bump = [c.bump];
    let config_seeds = Seeds(&[Bytes::of(seeds::CONFIG), Bytes::of(&bump)]);
    cpi::token_transfer(vault, client_token_info, config.info, e.amount, Some(&config_seeds))?;
    let rate = c.params.invalid_proof_slash_bps;
    let slash = slash_stake(c, n, rate, &Vaults { stake: stake_vault, insurance: insurance_vault, mint, config: config.info })?;

    e.state = ESCROW_PROOF_FAILED;
    e.completed_at = now;
    n.jobs_active = math::dec_u32(n.jobs_active)?;
    n.jobs_failed = math::inc_u32(n.jobs_failed, 1)?;
    n.proofs_total = math::inc_u32(n.proofs_total, 1)?;
    reputation::adjust(n, c.params.penalty_invalid_proof, &c.params)?;

    event::emit(TimeoutRefunded { escrow: *escrow.key(), client: e.client, amount: e.amount });
    event::emit(StakeSlashed {
        node: *node.key(), slashed: slash.0, to_insurance: slash.1, burned: slash.2, to_client: 0, to_treasury: 0, remaining: n.stake,
    });
    Ok(())
}
