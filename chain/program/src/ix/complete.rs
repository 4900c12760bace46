//! `complete(final_weights_hash)`: the client accepts the delivered weights (its signature on
//! this instruction is the acceptance; the zero-knowledge path replaces it later) and the escrow
//! pays out: the worker gets the amount less the platform fee (10 %, 8 % for Diamond-tier
//! workers), the platform vault the fee, by two CPIs into SPL Token signed by the `Config` PDA.
//! The worker's reputation record is updated in the same instruction (no trusted server): one
//! more completed and timed job (time accuracy of accepted→completed against the estimate; only for a
//! job of at least `rep_credit_min_amount`, the escrow's `credited` flag) and the
//! successful-job recovery, then the score is recomputed.
//!
//! Only for the optimistic tier: a zk escrow is paid by `complete_zk` against a proof. And only
//! after the worker's `submit_delivery` (else `NotDelivered`), which proved on-chain with
//! `sol_poseidon` that the final checkpoint is the last leaf of the anchored root, for exactly the
//! weights delivered there (else `WeightsHashMismatch`): the client's early acceptance pays what the
//! program checked, as `claim_payment` after the window does.
//!
//! Accounts: 0 client (signer) · 1 config · 2 escrow (writable) · 3 escrow_vault (writable,
//! = escrow.vault) · 4 worker_node (writable, owner = escrow.worker) · 5 worker_token (writable,
//! CYXWIZ account of the worker) · 6 platform_vault (writable, = config.platform_vault) ·
//! 7 token_program.

use crate::account::{self, Account, TokenAccount};
use crate::args::Args;
use crate::error::{Error, Result};
use crate::event::{self, PaymentReleased};
use crate::input::{AccountInfo, Input};
use crate::state::{Config, Escrow, Node, ESCROW_COMPLETED, ESCROW_FUNDED, TIER_OPTIMISTIC};
use crate::ix::shared::{settlement, Payout, ReleaseAccounts, SettlementHead, VaultAuthority};
use crate::sys;
use crate::{math, reputation, require};

pub fn process(input: &Input) -> Result {
    let ReleaseAccounts { head: SettlementHead { signer: client, config, escrow, vault, node, worker_token }, platform_vault } =
        ReleaseAccounts::load(input)?;

    let mut args = Args::new(input.data);
    let final_weights_hash = args.bytes32()?;
    args.finish()?;

    let e = escrow.get();
    require!(&e.client == client.key(), Error::ConstraintHasOne);
    // zk jobs are paid only against a proof (`complete_zk`).
    require!(e.tier == TIER_OPTIMISTIC, Error::InvalidTier);
    require!(e.state == ESCROW_FUNDED, Error::InvalidEscrowState);
    require!(e.delivered != 0, Error::NotDelivered);
    require!(sys::equal(final_weights_hash, &e.final_weights_hash), Error::WeightsHashMismatch);
    release(&Release { config: &config, escrow: &escrow, node: &node, vault, worker_token, platform_vault }, final_weights_hash)
}

/// The accounts a payout moves tokens between (one argument: BPF calls take at most five).
pub struct Release<'a> {
    pub config: &'a Account<Config>,
    pub escrow: &'a Account<Escrow>,
    pub node: &'a Account<Node>,
    pub vault: AccountInfo,
    pub worker_token: AccountInfo,
    pub platform_vault: AccountInfo,
}

/// Pays a funded escrow out to its worker (amount less the platform fee) and records the
/// completed job in the worker's reputation. Shared by `complete` and `complete_zk`.
pub fn release(r: &Release, final_weights_hash: &[u8; 32]) -> Result {
    let config = r.config;
    let (vault, worker_token_info, platform_vault) = (r.vault, r.worker_token, r.platform_vault);
    let c = config.get();
    // SAFETY: no other borrow of `r.escrow`'s data is used while `e` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let e = unsafe { r.escrow.get_mut() };
    // SAFETY: no other borrow of `r.node`'s data is used while `n` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let n = unsafe { r.node.get_mut() };
    require!(e.state == ESCROW_FUNDED, Error::InvalidEscrowState);
    require!(e.accepted != 0, Error::NotAccepted);
    require!(n.owner == e.worker, Error::ConstraintHasOne);
    account::writable_address(vault, &e.vault)?;
    account::writable_address(platform_vault, &c.platform_vault)?;
    TokenAccount::load_owned(worker_token_info, &c.mint, &e.worker)?;

    // The fee tier is the worker's standing when the job is paid, before this job counts.
    // Fee from the escrow's own terms (its creation's parameters), not today's Config.
    let (worker_amount, fee) = settlement(e.amount, n.reputation, &e.terms)?;
    Payout { authority: VaultAuthority::new(config.info, c.bump), vault, worker_token: worker_token_info, platform_vault }
        .completed(worker_amount, fee)?;

    let now = sys::clock().unix_timestamp;
    e.state = ESCROW_COMPLETED;
    sys::copy(&mut e.final_weights_hash, final_weights_hash);
    e.completed_at = now;

    let p = &c.params;
    let reward = e.terms.reward_successful_job;
    // Timed from the worker's acceptance (the deadline's start). A clock that went backwards
    // counts as an instant job rather than failing the payment.
    let elapsed = math::sub_i64(now, e.accepted_at)?;
    let actual = if elapsed > 0 { elapsed as u64 } else { 0 };
    n.jobs_active = math::dec_u32(n.jobs_active)?;
    n.total_earned = math::add(n.total_earned, worker_amount)?;
    if e.credited != 0 {
        // Reputation credit only for a job worth `rep_credit_min_amount` (fixed at accept_job).
        n.jobs_completed = math::inc_u32(n.jobs_completed, 1)?;
        n.timed_jobs = math::inc_u32(n.timed_jobs, 1)?;
        n.time_accuracy_sum_bps = math::add(n.time_accuracy_sum_bps, reputation::time_accuracy_bps(actual, e.estimated_seconds)?)?;
        // Paid value matures the score, and the recovery is weighted by it (audit finding 7).
        n.paid_value = math::add(n.paid_value, e.amount)?;
        reputation::adjust(n, reputation::value_weighted(reward, e.amount, p), p)?;
    }

    event::emit(PaymentReleased { escrow: *r.escrow.key(), worker: e.worker, worker_amount, platform_fee: fee });
    Ok(())
}

