//! `reveal_challenge(secret)`: draws a zk escrow's challenge from the secret its client committed
//! to at `create_escrow` (`challenge_commitment` = SHA-256(secret)), once the final root is
//! anchored and while the challenge is undrawn. Anyone holding the secret may send it (revealing
//! the secret is all it does; the client's role does it right after it sees the final anchor).
//!
//! k = SHA-256(slot hash ‖ secret ‖ escrow ‖ root)[..8] (u64 LE) mod (leaves − 1), where the slot
//! hash is the SlotHashes entry of the fallback (the oldest with slot ≥ the reference slot, fixed
//! once the anchor's slot ended) or, when there is none yet or no longer, the newest entry. The
//! worker chose its root without the secret, so it could not predict k nor grind for it by timing
//! its anchor or by pushing slots (audit finding 2); the slot hash keeps the client from fixing k
//! alone. The worker then has until `proof_deadline` = max(deadline, now + `prove_window_secs`) to
//! prove (`complete_zk`).
//!
//! Accounts: 0 escrow (writable) · 1 slot_hashes (the SlotHashes sysvar) · 2 config.

use crate::args::Args;
use crate::error::{Error, Result};
use crate::input::Input;
use crate::ix::draw_challenge::DrawAccounts;
use crate::sys::{self, Bytes};
use crate::{require, zk};

pub fn process(input: &Input) -> Result {
    let DrawAccounts { escrow, slot_hashes, config } = DrawAccounts::load(input)?;
    let mut args = Args::new(input.data);
    let secret = args.bytes32()?;
    args.finish()?;

    let _ = &config; // checked (a program Config account); the window is the escrow's own terms
    // SAFETY: no other borrow of `escrow`'s data is used while `e` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let e = unsafe { escrow.get_mut() };
    let prove_window_secs = e.terms.prove_window_secs;
    zk::require_drawable(e)?;
    require!(sys::equal(&sys::sha256(&[Bytes::of(secret)]), &e.challenge_commitment), Error::InvalidChallengeSecret);
    let data = slot_hashes.data();
    let (slot, hash) = match zk::challenge_entry(data, e.challenge_ref_slot) {
        Ok(entry) => entry,
        Err(Error::ChallengeNotReady) | Err(Error::ChallengeExpired) => zk::newest_entry(data)?,
        Err(other) => return Err(other),
    };
    let step = zk::revealed_challenge_step(&hash, secret, escrow.key(), &e.progress_root, e.epochs_total)?;
    zk::record_draw(e, &zk::Draw { escrow: escrow.key(), slot, step, revealed: true, now: sys::clock().unix_timestamp, prove_window_secs })
}
