//! `cancel()`: the client withdraws a funded job.
//!
//! An offer its worker has not accepted (`accept_job`) is withdrawn in full: the client gets the
//! whole amount back, nobody is paid or slashed, and the worker's record is untouched (it never
//! took the job).
//!
//! An accepted job: the worker keeps its pro-rata earnings for the anchored progress plus the
//! cancellation fee, capped at the amount (`cancellationSplit`, with `progressBps` = floor(done ×
//! 10,000 / total); after a `hand_over`, floor((done − base) × 10,000 / (total − base)) of the
//! amount left, base = `epochs_base`, the epochs the replaced worker was paid for); the earned
//! part pays the platform fee as a completed job would (platform =
//! floor(earned × fee), fee 10 %, 8 % for a Diamond worker; audit finding 11: a cancel after the
//! final anchor used to pay the worker 100 % and the platform nothing); the client is refunded the
//! rest. The job no longer counts as assigned in the worker's record: the worker did not fail it,
//! and a client must not be able to lower a worker's completion rate by cancelling.
//!
//! Accounts: 0 client (signer) · 1 config · 2 escrow (writable) · 3 escrow_vault (writable) ·
//! 4 worker_node (writable) · 5 worker_token (writable) · 6 client_token (writable) · 7 token_program
//! · 8 platform_vault (writable, = config.platform_vault).

use crate::account::{self, TokenAccount};
use crate::accounts;
use crate::error::{Error, Result};
use crate::event::{self, EscrowCancelled};
use crate::input::Input;
use crate::ix::shared::{settlement, Payout, SettlementHead, VaultAuthority};
use crate::state::{ESCROW_CANCELLED, ESCROW_FUNDED};
use crate::sys;
use crate::{math, reputation, require};

const BPS: u64 = 10_000;

accounts! {
    pub struct CancelAccounts {
        /// 0 client · 1 config · 2 escrow · 3 escrow_vault · 4 worker_node · 5 worker_token.
        head: part(SettlementHead, false), client_token: info, _: token_program, platform_vault: info,
    }
}

pub fn process(input: &Input) -> Result {
    let CancelAccounts {
        head: SettlementHead { signer: client, config, escrow, vault, node, worker_token: worker_token_info },
        client_token: client_token_info,
        platform_vault,
    } = CancelAccounts::load(input)?;
    crate::args::Args::new(input.data).finish()?;

    let c = config.get();
    // SAFETY: no other borrow of `escrow`'s data is used while `e` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let e = unsafe { escrow.get_mut() };
    // SAFETY: no other borrow of `node`'s data is used while `n` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let n = unsafe { node.get_mut() };
    require!(&e.client == client.key(), Error::ConstraintHasOne);
    require!(e.state == ESCROW_FUNDED, Error::InvalidEscrowState);
    // After `submit_delivery` the client accepts (`complete`) or disputes; it cannot cancel.
    require!(e.delivered == 0, Error::InvalidEscrowState);
    require!(n.owner == e.worker, Error::ConstraintHasOne);
    account::writable_address(vault, &e.vault)?;
    TokenAccount::load_owned(worker_token_info, &c.mint, &e.worker)?;
    TokenAccount::load_owned(client_token_info, &c.mint, &e.client)?;
    account::writable_address(platform_vault, &c.platform_vault)?;
    let authority = VaultAuthority::new(config.info, c.bump);

    if e.accepted == 0 {
        // An offer nobody took: all back to the client, the worker's record untouched.
        authority.transfer(vault, client_token_info, e.amount)?;
        e.state = ESCROW_CANCELLED;
        e.completed_at = sys::clock().unix_timestamp;
        event::emit(EscrowCancelled { escrow: *escrow.key(), client: e.client, worker_amount: 0, client_refund: e.amount, progress_bps: 0 });
        return Ok(());
    }

    // Progress counts from the epochs a hand-over already paid a replaced worker for.
    let progress = epochs_progress(e.epochs_done, e.epochs_total, e.epochs_base)?;
    let (worker_gross, progress, earned) = cancellation_worker_share(e.amount, progress, e.terms.cancellation_fee_bps)?;
    let client_refund = math::sub(e.amount, worker_gross)?;
    // The earned part pays the platform fee as a completed job would (earned ≤ worker_gross).
    let (_, platform_fee) = settlement(earned, n.reputation, &e.terms)?;
    let worker_amount = math::sub(worker_gross, platform_fee)?;
    Payout { authority, vault, worker_token: worker_token_info, platform_vault }.earned(worker_amount, platform_fee)?;
    if client_refund > 0 {
        authority.transfer(vault, client_token_info, client_refund)?;
    }

    e.state = ESCROW_CANCELLED;
    e.completed_at = sys::clock().unix_timestamp;
    n.jobs_active = math::dec_u32(n.jobs_active)?;
    if e.credited != 0 {
        n.jobs_assigned = math::dec_u32(n.jobs_assigned)?;
    }
    n.total_earned = math::add(n.total_earned, worker_amount)?;
    reputation::refresh(n, &c.params)?;

    event::emit(EscrowCancelled { escrow: *escrow.key(), client: e.client, worker_amount, client_refund, progress_bps: progress });
    Ok(())
}

/// The worker's part of a cancelled escrow before the platform fee, the progress in bps, and the
/// earned part: (min(floor(amount × progress) + floor(amount × fee), amount), progress,
/// floor(amount × progress)), progress from `epochs_progress`.
/// (`fee_bps` ≤ 10,000 is guaranteed by `ConfigParams::is_valid`.)
fn cancellation_worker_share(amount: u64, progress: u64, fee_bps: u16) -> Result<(u64, u64, u64)> {
    let earned = pro_rata(amount, progress)?;
    let fee = math::bps(amount, fee_bps)?;
    // Capped at the amount without forming earned + fee, which may exceed u64 near u64::MAX.
    let room = math::sub(amount, fee)?; // fee ≤ amount: fee_bps ≤ 10,000
    let worker = if earned >= room { amount } else { math::add(earned, fee)? };
    Ok((worker, progress, earned))
}

/// The current worker's progress in bps (`progressBps`): floor((done − base) × 10,000 / (total −
/// base)), at most 10,000, where base is the epochs a `hand_over` already paid a replaced worker
/// for (0 without one). `hand_over` keeps base < total and base ≤ done.
#[inline(always)]
pub fn epochs_progress(done: u32, total: u32, base: u32) -> Result<u64> {
    let done = math::sub(done as u64, base as u64)?;
    let total = math::sub(total as u64, base as u64)?;
    require!(total > 0, Error::InvalidEpoch); // total > 0: create_escrow; base < total: hand_over
    let progress = math::mul_div_floor(done, BPS, total)?;
    Ok(if progress > BPS { BPS } else { progress })
}

/// What `progress` bps of `amount` earn (`proRataSplit`): floor(amount × progress / 10,000).
#[inline(always)]
pub fn pro_rata(amount: u64, progress: u64) -> Result<u64> {
    math::mul_div_floor(amount, progress, BPS)
}
