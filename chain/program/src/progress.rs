//! The no-progress timeout (`ESCROW.noProgressTimeoutSeconds`, the escrow's
//! `terms.no_progress_timeout_secs`), mirroring `protocols/rules/settlement.ts`
//! (`epochEstimateSeconds`, `epochFitsNoProgressTimeout`, `noProgressExpired`).
//!
//! The worker anchors its root after every epoch (`anchor_progress`, which sets
//! `last_progress_at`). An accepted escrow whose worker anchored nothing for longer than the
//! timeout, before its final epoch, is refundable with the timeout slash (`timeout_refund`), as
//! after the deadline. So that an honest worker can always meet it, `accept_job` refuses an escrow
//! whose estimated time per epoch exceeds the timeout.

use crate::error::Result;
use crate::math;
use crate::state::Escrow;

/// The time one epoch of the job is estimated to take: ceil(estimated_seconds / epochs_total)
/// (`create_escrow` refuses 0 epochs; 0 is read as 1).
#[inline(always)]
pub fn epoch_estimate_secs(estimated_seconds: u64, epochs_total: u32) -> u64 {
    let n = if epochs_total == 0 { 1 } else { epochs_total as u64 };
    estimated_seconds / n + (estimated_seconds % n != 0) as u64
}

/// Whether an honest worker can anchor every epoch within the no-progress timeout: the estimated
/// epoch is at most the timeout.
#[inline(always)]
pub fn epoch_fits(estimated_seconds: u64, epochs_total: u32, timeout_secs: i64) -> bool {
    timeout_secs > 0 && epoch_estimate_secs(estimated_seconds, epochs_total) <= timeout_secs as u64
}

/// Whether the escrow's worker stalled: accepted, its final epoch not anchored, and `now` later
/// than max(accepted_at, last_progress_at) + the escrow's no-progress timeout. Never before the
/// acceptance, never after the final anchor (the settlement's own windows and the deadline rule
/// from then on).
#[inline(always)]
pub fn no_progress_expired(e: &Escrow, now: i64) -> Result<bool> {
    if e.accepted == 0 || e.epochs_done >= e.epochs_total {
        return Ok(false);
    }
    let since = if e.last_progress_at > e.accepted_at { e.last_progress_at } else { e.accepted_at };
    Ok(now > math::add_i64(since, e.terms.no_progress_timeout_secs)?)
}
