//! The dispute jury (docs/security.md, finding 5): stake-weighted sortition from a slot hash, and
//! the commit–reveal commitment. The TypeScript mirror is `protocols/rules/jury.ts`.

use crate::math;
use crate::pubkey::Pubkey;
use crate::sys::{self, Bytes};

/// The round's seed: SHA-256(slot hash ‖ dispute ‖ round).
pub fn round_seed(slot_hash: &[u8; 32], dispute: &Pubkey, round: u8) -> [u8; 32] {
    sys::sha256(&[Bytes::of(slot_hash), Bytes::of(dispute.as_bytes()), Bytes::of(&[round])])
}

/// The expected jury of `round`: jury_size · 2^round (saturating at u64::MAX).
pub fn expected_jury(jury_size: u16, round: u8) -> u64 {
    if round >= 48 {
        return u64::MAX;
    }
    (jury_size as u64) << round
}

/// Whether `node` (its owner's key) with `stake` is drawn in a round with `seed` and expected jury
/// `k` (`expected_jury`): with x = SHA-256(seed ‖ node)[..8] as a little-endian u64,
/// x / 2^64 < k · stake / total, exactly (in 128 bits from 64-bit halves):
/// x · total < k · stake · 2^64. So the expected jury is k (when every stake is far below total / k).
pub fn is_drawn(seed: &[u8; 32], node: &Pubkey, stake: u64, total: u64, k: u64) -> bool {
    if stake == 0 || total == 0 {
        return false;
    }
    let (ks_hi, ks) = math::mul_wide(k, stake);
    if ks_hi != 0 || ks >= total {
        return true; // probability ≥ 1
    }
    let h = sys::sha256(&[Bytes::of(seed), Bytes::of(node.as_bytes())]);
    let x = u64::from_le_bytes([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]]);
    // x · total < ks · 2^64  ⇔  high word of x · total < ks (the right side's low word is 0).
    let (xt_hi, _) = math::mul_wide(x, total);
    xt_hi < ks
}

/// A juror's commitment: SHA-256(side ‖ salt ‖ dispute ‖ juror).
pub fn commitment(side: u8, salt: &[u8; 32], dispute: &Pubkey, juror: &Pubkey) -> [u8; 32] {
    sys::sha256(&[Bytes::of(&[side]), Bytes::of(salt), Bytes::of(dispute.as_bytes()), Bytes::of(juror.as_bytes())])
}
