//! `claim_payment()`: the worker of a delivered optimistic escrow, once the challenge window
//! (`delivered_at + challenge_window_secs`) has passed with no dispute opened (a dispute moves the
//! escrow to `ESCROW_DISPUTED`, which this refuses), is paid exactly as by `complete` (90/10,
//! 92/8 for Diamond; reputation updated) against the final weights hash it delivered.
//!
//! Accounts: 0 worker (signer, = escrow.worker) · 1 config · 2 escrow (writable) · 3 escrow_vault
//! (writable) · 4 worker_node (writable) · 5 worker_token (writable) · 6 platform_vault
//! (writable) · 7 token_program.

use crate::error::{Error, Result};
use crate::input::Input;
use crate::ix::shared::{ReleaseAccounts, SettlementHead};
use crate::state::{ESCROW_FUNDED, TIER_OPTIMISTIC};
use crate::{math, require, sys};
use super::complete::{release, Release};

pub fn process(input: &Input) -> Result {
    let ReleaseAccounts { head: SettlementHead { signer: worker, config, escrow, vault, node, worker_token }, platform_vault } =
        ReleaseAccounts::load(input)?;
    crate::args::Args::new(input.data).finish()?;

    let e = escrow.get();
    require!(&e.worker == worker.key(), Error::ConstraintHasOne);
    require!(e.tier == TIER_OPTIMISTIC, Error::InvalidTier);
    require!(e.state == ESCROW_FUNDED, Error::InvalidEscrowState);
    require!(e.delivered != 0, Error::NotDelivered);
    let closes = math::add_i64(e.delivered_at, e.terms.challenge_window_secs)?;
    require!(sys::clock().unix_timestamp >= closes, Error::ChallengeWindowOpen);
    let hash = e.final_weights_hash;
    release(&Release { config: &config, escrow: &escrow, node: &node, vault, worker_token, platform_vault }, &hash)
}
