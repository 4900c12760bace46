//! `draw_challenge()`: the fallback draw of a zk escrow's challenge, from a slot hash alone, for
//! when the client never revealed its secret (`reveal_challenge`, the normal way). Anyone may send
//! it, once the final root is anchored and the client's reveal window has passed
//! (`reveal_window_secs` after the final anchor; before it `RevealWindowOpen`: with the secret
//! unrevealed nobody, the worker included, can draw).
//!
//! It reads the SlotHashes sysvar: the oldest entry whose slot is ≥ the escrow's reference slot
//! (`challenge_ref_slot`: the final anchor's slot, whose hash did not exist when the root was sent;
//! `zk::challenge_entry`), k = SHA-256(slot hash ‖ escrow ‖ root)[..8] (u64 LE) mod (leaves − 1).
//! The worker then proves the step between checkpoints k and k + 1 (`complete_zk`) before
//! `proof_deadline` = max(deadline, now + `prove_window_secs`).
//!
//! Re-arm: when the sysvar no longer reaches back to the reference slot (512 slots passed — on a
//! ledger whose slots advance per transaction, ~512 cheap transactions do it; audit finding 3) the
//! call succeeds without drawing and moves the reference slot to the current one (event
//! `ChallengeRearmed`), whose hash does not exist yet; a call in a later slot draws. The challenge
//! can therefore always be drawn; expiry no longer strands it.
//!
//! Accounts: 0 escrow (writable) · 1 slot_hashes (the SlotHashes sysvar) · 2 config.

use crate::accounts;
use crate::input::Input;
use crate::error::{Error, Result};
use crate::event::{self, ChallengeRearmed};
use crate::state::{Config, Escrow};
use crate::{require, sys, zk};

accounts! {
    /// The accounts both draws take (`draw_challenge`, `reveal_challenge`): 0 escrow (writable) ·
    /// 1 slot_hashes (the SlotHashes sysvar, by address) · 2 config.
    #[inline(never)]
    pub struct DrawAccounts {
        escrow: load_mut(Escrow), slot_hashes: address(&zk::SLOT_HASHES_ID), config: load(Config),
    }
}

pub fn process(input: &Input) -> Result {
    let DrawAccounts { escrow, slot_hashes, config } = DrawAccounts::load(input)?;
    crate::args::Args::new(input.data).finish()?;

    let _ = &config; // checked (a program Config account); the windows are the escrow's own terms
    // SAFETY: no other borrow of `escrow`'s data is used while `e` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let e = unsafe { escrow.get_mut() };
    zk::require_drawable(e)?;
    let clock = sys::clock();
    // The client's secret draws first: the fallback only once its window has passed.
    require!(clock.unix_timestamp >= zk::reveal_deadline(e, &e.terms)?, Error::RevealWindowOpen);
    let prove_window_secs = e.terms.prove_window_secs;
    require!(clock.slot > e.challenge_ref_slot, Error::ChallengeNotReady);
    match zk::challenge_entry(slot_hashes.data(), e.challenge_ref_slot) {
        Ok((slot, hash)) => {
            let step = zk::challenge_step(&hash, escrow.key(), &e.progress_root, e.epochs_total)?;
            zk::record_draw(e, &zk::Draw { escrow: escrow.key(), slot, step, revealed: false, now: clock.unix_timestamp, prove_window_secs })
        }
        Err(Error::ChallengeExpired) => {
            // Re-arm from this slot: its hash did not exist when this transaction was sent.
            e.challenge_ref_slot = clock.slot;
            event::emit(ChallengeRearmed { escrow: *escrow.key(), slot: clock.slot });
            Ok(())
        }
        Err(other) => Err(other),
    }
}
