//! `slash_invalid_proof()`: anyone, once a zk escrow's challenge was drawn and its worker's
//! proving window has passed (`proof_deadline` = max(deadline, drawn at + `prove_window_secs`))
//! with no valid proof accepted by `complete_zk` (the worker claimed to be done and could not
//! prove the challenged step): the client gets the whole amount back, the worker loses
//! `invalid_proof_slash_bps` (25 %) of its stake (80 % to insurance, 20 % burned, as every slash),
//! one failed job, one more proof counted and not valid, and the invalid-proof penalty (−100)
//! (`refund::refund_and_slash`, `Failure::InvalidProof`; `complete_zk` applies the same settlement
//! at once to a proof that fails). A zk escrow whose final root was never anchored is an ordinary
//! timeout (`timeout_refund`). One whose challenge was never drawn (the client did not reveal and
//! nobody drew by the fallback) is never slashed (`ChallengeNotDrawn`): a worker is punished only
//! for a step it was asked to prove and had its whole proving window for (audit finding 3);
//! `timeout_refund` refunds such an escrow's client without a slash.
//!
//! Accounts: as `timeout_refund`: 0 config (writable) · 1 escrow (writable) · 2 escrow_vault
//! (writable) · 3 client_token (writable) · 4 worker_node (writable) · 5 stake_vault (writable) ·
//! 6 insurance_vault (writable) · 7 mint (writable) · 8 token_program.

use crate::error::{Error, Result};
use crate::input::Input;
use crate::ix::refund::{refund_and_slash, Failure, RefundAccounts};
use crate::state::{ESCROW_FUNDED, TIER_ZK};
use crate::{require, sys};

pub fn process(input: &Input) -> Result {
    let a = RefundAccounts::load(input)?;
    let (escrow, node) = (&a.escrow, &a.node);
    let e = escrow.get();
    require!(e.tier == TIER_ZK, Error::InvalidTier);
    require!(e.state == ESCROW_FUNDED, Error::InvalidEscrowState);
    require!(e.accepted != 0, Error::NotAccepted);
    require!(e.epochs_done == e.epochs_total, Error::InvalidEpoch);
    require!(e.challenged != 0, Error::ChallengeNotDrawn);
    require!(sys::clock().unix_timestamp > e.proof_deadline, Error::DeadlineNotReached);
    require!(node.get().owner == e.worker, Error::ConstraintHasOne);

    refund_and_slash(&a.refund(), Failure::InvalidProof)
}
