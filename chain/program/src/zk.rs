//! The zero-knowledge tier's on-chain pieces besides Groth16 itself (docs/proofs.md):
//! checkpoint commitments and the Poseidon Merkle tree with `sol_poseidon`, the field element that
//! stands for the job (the escrow's address), the challenge (the client's revealed secret mixed
//! with a slot hash, or the SlotHashes fallback), and the step proof's public inputs (with the
//! escrow's dataset commitment).

use crate::error::{Error, Result};
use crate::event::{self, ChallengeDrawn};
use crate::groth16::{self, FIELD};
use crate::math;
use crate::pubkey::Pubkey;
use crate::state::{ConfigParams, Escrow, ESCROW_FUNDED, TIER_ZK};
use crate::sys::{self, Bytes};

/// Public inputs of the step circuit, in order: [job, root, leafCount, step, data] (`data`: the
/// escrow's dataset commitment, `Escrow::data_commitment`).
pub const STEP_PUBLIC_INPUTS: usize = 5;
/// Depth of the circuits' trees: at most 32 checkpoints.
pub const MAX_LEAVES: u32 = 32;

/// `cyxwiz/checkpoint/poseidon/v1` as a big-endian integer (CHECKPOINT_DOMAIN).
const CHECKPOINT_DOMAIN: [u8; 32] = [
    0x00, 0x00, 0x00, 0x63, 0x79, 0x78, 0x77, 0x69, 0x7a, 0x2f, 0x63, 0x68, 0x65, 0x63, 0x6b, 0x70, 0x6f, 0x69, 0x6e,
    0x74, 0x2f, 0x70, 0x6f, 0x73, 0x65, 0x69, 0x64, 0x6f, 0x6e, 0x2f, 0x76, 0x31,
];

/// `cyxwiz/digest/poseidon/v1` as a big-endian integer (DIGEST_DOMAIN).
const DIGEST_DOMAIN: [u8; 32] = [
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x63, 0x79, 0x78, 0x77, 0x69, 0x7a, 0x2f, 0x64, 0x69, 0x67, 0x65, 0x73, 0x74,
    0x2f, 0x70, 0x6f, 0x73, 0x65, 0x69, 0x64, 0x6f, 0x6e, 0x2f, 0x76, 0x31,
];

/// The SlotHashes sysvar, `SysvarS1otHashes111111111111111111111111111`.
pub const SLOT_HASHES_ID: Pubkey = Pubkey([
    6, 167, 213, 23, 25, 47, 10, 175, 198, 242, 101, 227, 251, 119, 204, 122, 218, 130, 197, 41, 208, 190, 59, 19, 110,
    45, 0, 85, 32, 0, 0, 0,
]);
/// SlotHashes keeps the hashes of the last 512 slots, newest first.
const SLOT_HASHES_MAX: u64 = 512;
const SLOT_HASH_ENTRY: usize = 8 + 32;

/// The step proof's `job` public input: the escrow's address (32 bytes big-endian) with the top
/// three bits cleared (< 2^253 < r), so a proof is bound to one escrow, never to a job id a client
/// may reuse (audit finding 13). `escrowField` in chain/client/zk.ts.
pub fn job_field(escrow: &Pubkey) -> [u8; 32] {
    let mut f = [0u8; 32];
    sys::copy(&mut f, escrow.as_bytes());
    f[0] &= 0x1f;
    f
}

/// Whether 32 bytes are a canonical field element (< r).
#[inline(always)]
pub fn is_field(b: &[u8; 32]) -> bool {
    groth16::below(b, 0, &groth16::R)
}

/// C = Poseidon(CHECKPOINT_DOMAIN, hi(H), lo(H), S) (`checkpointCommitment`).
pub fn checkpoint_commitment(chain_hash: &[u8; 32], state: &[u8; 32]) -> Result<[u8; 32]> {
    let mut hi = [0u8; 32];
    let mut lo = [0u8; 32];
    sys::copy(&mut hi[16..], &chain_hash[..16]);
    sys::copy(&mut lo[16..], &chain_hash[16..]);
    sys::poseidon(&[Bytes::of(&CHECKPOINT_DOMAIN), Bytes::of(&hi), Bytes::of(&lo), Bytes::of(state)]).ok_or(Error::InvalidInclusion)
}

/// Poseidon(DIGEST_DOMAIN, hi(d), lo(d)) of a 32-byte digest, hi/lo its first and last 16 bytes
/// (`digestCommitment`): how a float checkpoint's state enters its leaf, and how the optimistic
/// tier's final leaf commits to the delivered weights hash.
pub fn digest_commitment(digest: &[u8; 32]) -> Result<[u8; 32]> {
    let mut hi = [0u8; 32];
    let mut lo = [0u8; 32];
    sys::copy(&mut hi[16..], &digest[..16]);
    sys::copy(&mut lo[16..], &digest[16..]);
    sys::poseidon(&[Bytes::of(&DIGEST_DOMAIN), Bytes::of(&hi), Bytes::of(&lo)]).ok_or(Error::InvalidInclusion)
}

/// The root of the Poseidon tree of `count` leaves whose last leaf holds `value`, from the
/// siblings on its path (32 bytes each, leaves first): leaf = Poseidon(value), node =
/// Poseidon(left, right), an odd level promotes its last node. The last node of a level has a
/// (left) sibling exactly when the level's count is even. Every sibling must be used.
pub fn last_leaf_root(value: &[u8; 32], count: u32, siblings: &[u8]) -> Result<[u8; 32]> {
    require_len(siblings)?;
    let mut cur = sys::poseidon(&[Bytes::of(value)]).ok_or(Error::InvalidInclusion)?;
    let mut n = count;
    let mut used = 0usize;
    while n > 1 {
        if n % 2 == 0 {
            let at = used * FIELD;
            if at + FIELD > siblings.len() {
                return Err(Error::InvalidInclusion);
            }
            let next = sys::poseidon(&[Bytes::of(&siblings[at..at + FIELD]), Bytes::of(&cur)]).ok_or(Error::InvalidInclusion)?;
            cur = next;
            used += 1;
        }
        n = (n + 1) / 2;
    }
    if used * FIELD != siblings.len() {
        return Err(Error::InvalidInclusion);
    }
    Ok(cur)
}

#[inline(always)]
fn require_len(siblings: &[u8]) -> Result {
    if siblings.len() % FIELD != 0 { Err(Error::InvalidInclusion) } else { Ok(()) }
}

/// The SlotHashes entry that fixes a fallback challenge: the oldest one whose slot is ≥
/// `anchor_slot` (the reference slot: the one in which the final root was anchored, or a re-arm's,
/// whose hash nobody knew when that transaction was sent). Fails with `ChallengeNotReady` while no
/// such slot has a hash yet, `ChallengeExpired` when the sysvar no longer reaches back to it (the
/// caller then re-arms: `draw_challenge`). Returns (slot, hash).
pub fn challenge_entry(data: &[u8], anchor_slot: u64) -> Result<(u64, [u8; 32])> {
    if data.len() < 8 {
        return Err(Error::ChallengeNotReady);
    }
    let count = read_u64(data, 0);
    let mut found: Option<usize> = None;
    let mut boundary = false;
    let mut i: u64 = 0;
    while i < count {
        let at = 8 + (i as usize) * SLOT_HASH_ENTRY;
        if at + SLOT_HASH_ENTRY > data.len() {
            break;
        }
        if read_u64(data, at) >= anchor_slot {
            found = Some(at);
        } else {
            boundary = true;
            break;
        }
        i += 1;
    }
    let at = found.ok_or(Error::ChallengeNotReady)?;
    // Without an older entry the list must be complete (not yet full), else the real first
    // entry after the anchor may already have been dropped.
    if !boundary && count >= SLOT_HASHES_MAX {
        return Err(Error::ChallengeExpired);
    }
    let mut hash = [0u8; 32];
    sys::copy(&mut hash, &data[at + 8..at + SLOT_HASH_ENTRY]);
    Ok((read_u64(data, at), hash))
}

/// The newest SlotHashes entry (slot, hash): the hash of the latest slot before this one.
pub fn newest_entry(data: &[u8]) -> Result<(u64, [u8; 32])> {
    if data.len() < 8 + SLOT_HASH_ENTRY || read_u64(data, 0) == 0 {
        return Err(Error::ChallengeNotReady);
    }
    let mut hash = [0u8; 32];
    sys::copy(&mut hash, &data[16..8 + SLOT_HASH_ENTRY]);
    Ok((read_u64(data, 8), hash))
}

#[inline(always)]
fn read_u64(d: &[u8], at: usize) -> u64 {
    u64::from_le_bytes([d[at], d[at + 1], d[at + 2], d[at + 3], d[at + 4], d[at + 5], d[at + 6], d[at + 7]])
}

/// The challenged step k in [0, leaves − 2]: u64 LE of SHA-256(slot hash ‖ escrow ‖ root)[..8]
/// mod (leaves − 1). The proof then covers leaves k and k + 1 (`challengeStep` in TypeScript).
pub fn challenge_step(slot_hash: &[u8; 32], escrow: &Pubkey, root: &[u8; 32], leaves: u32) -> Result<u32> {
    if leaves < 2 {
        return Err(Error::InvalidEpoch);
    }
    let seed = sys::sha256(&[Bytes::of(slot_hash), Bytes::of(escrow.as_bytes()), Bytes::of(root)]);
    let x = read_u64(&seed, 0);
    Ok((x % (leaves as u64 - 1)) as u32)
}

/// The challenged step drawn from the client's revealed secret: u64 LE of SHA-256(slot hash ‖
/// secret ‖ escrow ‖ root)[..8] mod (leaves − 1) (`revealedChallengeStep` in TypeScript). The
/// secret was committed at `create_escrow`, before the worker chose its root, and is unknown to
/// the worker until revealed, after the final anchor; the slot hash keeps the client from fixing
/// the step alone. Inlined: with its result it has six arguments, and SBF passes at most five.
#[inline(always)]
pub fn revealed_challenge_step(slot_hash: &[u8; 32], secret: &[u8; 32], escrow: &Pubkey, root: &[u8; 32], leaves: u32) -> Result<u32> {
    if leaves < 2 {
        return Err(Error::InvalidEpoch);
    }
    let seed = sys::sha256(&[Bytes::of(slot_hash), Bytes::of(secret), Bytes::of(escrow.as_bytes()), Bytes::of(root)]);
    let x = read_u64(&seed, 0);
    Ok((x % (leaves as u64 - 1)) as u32)
}

/// The checks both ways of drawing a challenge share: a zk escrow, funded, its final root
/// anchored, its challenge not drawn yet.
pub fn require_drawable(e: &Escrow) -> Result {
    if e.tier != TIER_ZK {
        return Err(Error::InvalidTier);
    }
    if e.state != ESCROW_FUNDED {
        return Err(Error::InvalidEscrowState);
    }
    if e.epochs_done != e.epochs_total {
        return Err(Error::ChallengeNotReady);
    }
    if e.challenged != 0 {
        return Err(Error::ChallengeAlreadyDrawn);
    }
    Ok(())
}

/// When the client's reveal window ends and the slot-hash fallback may draw: the final anchor
/// (the escrow's last progress, `last_progress_at`) plus `reveal_window_secs`.
pub fn reveal_deadline(e: &Escrow, p: &ConfigParams) -> Result<i64> {
    math::add_i64(e.last_progress_at, p.reveal_window_secs)
}

/// After this an anchored zk escrow whose challenge nobody drew is refunded to its client without
/// a slash (`timeout_refund`): the escrow's deadline, and at least `prove_window_secs` after the
/// reveal window, during which the worker could draw by the fallback.
pub fn undrawn_expiry(e: &Escrow, p: &ConfigParams) -> Result<i64> {
    let t = math::add_i64(reveal_deadline(e, p)?, p.prove_window_secs)?;
    Ok(if t > e.deadline { t } else { e.deadline })
}

/// What a challenge drawn now fixes. One argument: SBF calls take at most five in registers.
pub struct Draw<'a> {
    pub escrow: &'a Pubkey,
    pub slot: u64,
    pub step: u32,
    pub revealed: bool,
    pub now: i64,
    pub prove_window_secs: i64,
}

/// Records a drawn challenge: the step, its slot, the worker's proving window (`proof_deadline` =
/// max(deadline, now + prove window): a worker is never slashed without it), and emits
/// `ChallengeDrawn`.
pub fn record_draw(e: &mut Escrow, d: &Draw) -> Result {
    let window_end = math::add_i64(d.now, d.prove_window_secs)?;
    e.challenge_step = d.step;
    e.challenge_slot = d.slot;
    e.challenged = 1;
    e.revealed = d.revealed as u8;
    e.proof_deadline = if window_end > e.deadline { window_end } else { e.deadline };
    event::emit(ChallengeDrawn { escrow: *d.escrow, slot: d.slot, step: d.step as u64, revealed: d.revealed as u64, proof_deadline: e.proof_deadline });
    Ok(())
}

/// The step proof's public inputs, recomputed from the escrow: [job, root, leafCount, step, data]
/// (each 32 bytes big-endian: the escrow's address as a field (`job_field`), the anchored root,
/// the leaf count and the challenged step as integers, the escrow's dataset commitment).
/// `stepPublicInputs` in TypeScript. Inlined: with its result buffer it has six arguments, and SBF
/// passes at most five in registers.
#[inline(always)]
pub fn step_inputs(escrow: &Pubkey, root: &[u8; 32], leaves: u32, step: u32, data_commitment: &[u8; 32]) -> [u8; STEP_PUBLIC_INPUTS * FIELD] {
    let mut out = [0u8; STEP_PUBLIC_INPUTS * FIELD];
    sys::copy(&mut out[..FIELD], &job_field(escrow));
    sys::copy(&mut out[FIELD..2 * FIELD], root);
    let l = leaves.to_be_bytes();
    let s = step.to_be_bytes();
    let mut k = 0;
    while k < 4 {
        out[3 * FIELD - 4 + k] = l[k];
        out[4 * FIELD - 4 + k] = s[k];
        k += 1;
    }
    sys::copy(&mut out[4 * FIELD..5 * FIELD], data_commitment);
    out
}
