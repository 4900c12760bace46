//! `timeout_refund()`: anyone, on a funded escrow its worker accepted (`accept_job`; else
//! `NotAccepted` — an unaccepted offer is only the client's to `cancel`), once the deadline has
//! passed or the worker stalled: no `anchor_progress` for longer than the escrow's no-progress
//! timeout (`terms.no_progress_timeout_secs`) since max(accepted_at, last_progress_at), its final
//! epoch not anchored (`progress::no_progress_expired`; else `DeadlineNotReached`). The client gets
//! the full amount back, the worker loses `timeout_slash_bps` of its stake (`slashStake`: 80 % to
//! the insurance vault, 20 % burned by an SPL `Burn`), one failed job and the timeout penalty
//! (`refund::refund_and_slash`, `Failure::Timeout`).
//!
//! zk tier, final root anchored: a drawn challenge is settled by its proof or `slash_invalid_proof`
//! (`ProofRequired`). A challenge nobody drew — the client never revealed its secret and nobody
//! used the fallback — refunds the client in full without slashing the worker
//! (`refund::refund_undrawn`: no stake slashed, no penalty, the job neither failed nor completed),
//! once both the deadline and `prove_window_secs` after the client's reveal window have passed
//! (`zk::undrawn_expiry`); before that the worker can still draw by the fallback.
//!
//! Accounts: 0 config (writable) · 1 escrow (writable) · 2 escrow_vault (writable) ·
//! 3 client_token (writable, of escrow.client) · 4 worker_node (writable) · 5 stake_vault
//! (writable) · 6 insurance_vault (writable) · 7 mint (writable, = config.mint) · 8 token_program.

use crate::error::{Error, Result};
use crate::input::Input;
use crate::ix::refund::{refund_and_slash, refund_undrawn, Failure, RefundAccounts};
use crate::state::{ESCROW_FUNDED, TIER_ZK};
use crate::{progress, require, sys, zk};

pub fn process(input: &Input) -> Result {
    let a = RefundAccounts::load(input)?;
    let (escrow, node) = (&a.escrow, &a.node);
    let e = escrow.get();
    let n = node.get();
    require!(e.state == ESCROW_FUNDED, Error::InvalidEscrowState);
    // An offer the worker never accepted is the client's to `cancel` (in full, no slash).
    require!(e.accepted != 0, Error::NotAccepted);
    let now = sys::clock().unix_timestamp;
    // The deadline, or the no-progress timeout (false from the final anchor on).
    require!(now > e.deadline || progress::no_progress_expired(e, now)?, Error::DeadlineNotReached);
    require!(n.owner == e.worker, Error::ConstraintHasOne);
    // A delivered optimistic job is settled by `claim_payment` or a dispute, not by a timeout.
    require!(e.delivered == 0, Error::InvalidEscrowState);
    if e.tier == TIER_ZK && e.epochs_done == e.epochs_total {
        // (Only past the deadline: the no-progress timeout ends with the final anchor.)
        // A zk worker that anchored its final root owes a proof of a drawn challenge:
        // `slash_invalid_proof` settles it.
        require!(e.challenged == 0, Error::ProofRequired);
        // Nobody drew it: the worker is not slashed, once it had its chance to draw.
        require!(now > zk::undrawn_expiry(e, &e.terms)?, Error::DeadlineNotReached);
        return refund_undrawn(&a.refund());
    }

    refund_and_slash(&a.refund(), Failure::Timeout)
}
