//! `draw_jury()`: anyone fixes the current round's jury seed, SHA-256(slot hash ‖ dispute ‖ round),
//! from the oldest SlotHashes entry whose slot is ≥ the dispute's `seed_slot` (the slot of the
//! opening or of the redraw: its hash did not exist when that transaction was sent, so neither
//! party could choose it). Which nodes are drawn follows from the seed (`jury::is_drawn`); nothing
//! is listed on-chain. When SlotHashes no longer reaches back to `seed_slot` the call succeeds
//! without drawing and moves it to the current slot (a re-arm, as `draw_challenge`).
//!
//! Accounts: 0 dispute (writable) · 1 slot_hashes (the SlotHashes sysvar).

use crate::accounts;
use crate::error::{Error, Result};
use crate::event::{self, JuryDrawn};
use crate::input::Input;
use crate::state::{Dispute, DISPUTE_OPEN};
use crate::{jury, require, sys, zk};

accounts! {
    pub struct DrawJuryAccounts {
        dispute: load_mut(Dispute), slot_hashes: address(&zk::SLOT_HASHES_ID),
    }
}

pub fn process(input: &Input) -> Result {
    let DrawJuryAccounts { dispute, slot_hashes } = DrawJuryAccounts::load(input)?;
    crate::args::Args::new(input.data).finish()?;

    // SAFETY: no other borrow of `dispute`'s data is used while `d` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let d = unsafe { dispute.get_mut() };
    require!(d.state == DISPUTE_OPEN, Error::InvalidDisputeState);
    require!(d.drawn == 0, Error::JuryAlreadyDrawn);
    let clock = sys::clock();
    require!(clock.slot > d.seed_slot, Error::ChallengeNotReady);
    match zk::challenge_entry(slot_hashes.data(), d.seed_slot) {
        Ok((slot, hash)) => {
            d.seed = jury::round_seed(&hash, dispute.key(), d.round);
            d.drawn = 1;
            event::emit(JuryDrawn { dispute: *dispute.key(), slot, round: d.round as u64 });
            Ok(())
        }
        Err(Error::ChallengeExpired) => {
            d.seed_slot = clock.slot;
            event::emit(crate::event::ChallengeRearmed { escrow: *dispute.key(), slot: clock.slot });
            Ok(())
        }
        Err(other) => Err(other),
    }
}
