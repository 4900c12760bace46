//! `timeout_refund()`: anyone, once the deadline has passed on a funded escrow its worker
//! accepted (`accept_job`; else `NotAccepted` — an unaccepted offer is only the client's to `cancel`): the client gets
//! the full amount back, the worker loses `timeout_slash_bps` of its stake (`slashStake`: 80 % to
//! the insurance vault, 20 % burned by an SPL `Burn`), one failed job and the timeout penalty
//! (`refund::refund_and_slash`, `Failure::Timeout`).
//!
//! Accounts: 0 config (writable) · 1 escrow (writable) · 2 escrow_vault (writable) ·
//! 3 client_token (writable, of escrow.client) · 4 worker_node (writable) · 5 stake_vault
//! (writable) · 6 insurance_vault (writable) · 7 mint (writable, = config.mint) · 8 token_program.

use crate::error::{Error, Result};
use crate::input::Input;
use crate::ix::refund::{refund_and_slash, Failure, RefundAccounts};
use crate::state::{ESCROW_FUNDED, TIER_ZK};
use crate::{require, sys};

pub fn process(input: &Input) -> Result {
    let a = RefundAccounts::load(input)?;
    let (escrow, node) = (&a.escrow, &a.node);
    let e = escrow.get();
    let n = node.get();
    require!(e.state == ESCROW_FUNDED, Error::InvalidEscrowState);
    // An offer the worker never accepted is the client's to `cancel` (in full, no slash).
    require!(e.accepted != 0, Error::NotAccepted);
    require!(sys::clock().unix_timestamp > e.deadline, Error::DeadlineNotReached);
    require!(n.owner == e.worker, Error::ConstraintHasOne);
    // A delivered optimistic job is settled by `claim_payment` or a dispute, not by a timeout.
    require!(e.delivered == 0, Error::InvalidEscrowState);
    // A zk worker that anchored its final root owes a proof: `slash_invalid_proof` settles it.
    require!(!(e.tier == TIER_ZK && e.epochs_done == e.epochs_total), Error::ProofRequired);

    refund_and_slash(&a.refund(), Failure::Timeout)
}
