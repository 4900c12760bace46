//! `draw_challenge()`: anyone, on a zk escrow whose final checkpoint root is anchored, once a slot
//! after the anchoring has a hash: fixes the challenged step k from the SlotHashes sysvar. The
//! entry used is the oldest with slot ≥ the anchoring slot (`zk::challenge_entry`), so neither
//! the worker (who anchored the root before that hash existed) nor whoever calls this chooses it;
//! k = SHA-256(slot hash ‖ escrow ‖ root)[..8] (u64 LE) mod (leaves − 1). The worker then proves
//! the step between checkpoints k and k + 1 (`complete_zk`).
//!
//! Accounts: 0 escrow (writable) · 1 slot_hashes (the SlotHashes sysvar).

use crate::account::{self, Account, AccountIter};
use crate::error::{Error, Result};
use crate::event::{self, ChallengeDrawn};
use crate::input::Input;
use crate::state::{Escrow, ESCROW_FUNDED, TIER_ZK};
use crate::{require, sys, zk};

pub fn process(input: &Input) -> Result {
    let pid = &input.program_id;
    let mut it = AccountIter::new(input.accounts);
    let escrow = Account::<Escrow>::load_mut(it.next()?, pid)?;
    let slot_hashes = account::address(it.next()?, &zk::SLOT_HASHES_ID)?;
    crate::args::Args::new(input.data).finish()?;

    let e = escrow.get_mut();
    require!(e.tier == TIER_ZK, Error::InvalidTier);
    require!(e.state == ESCROW_FUNDED, Error::InvalidEscrowState);
    require!(e.epochs_done == e.epochs_total, Error::ChallengeNotReady);
    require!(e.challenged == 0, Error::ChallengeAlreadyDrawn);
    require!(sys::clock().slot > e.final_anchor_slot, Error::ChallengeNotReady);
    let (slot, hash) = zk::challenge_entry(slot_hashes.data(), e.final_anchor_slot)?;
    let step = zk::challenge_step(&hash, escrow.key(), &e.progress_root, e.epochs_total)?;
    e.challenge_step = step;
    e.challenge_slot = slot;
    e.challenged = 1;
    event::emit(ChallengeDrawn { escrow: *escrow.key(), slot, step: step as u64 });
    Ok(())
}
