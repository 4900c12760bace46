//! Groth16 verification over BN254 with the `sol_alt_bn128_group_op` syscall, in the byte layouts
//! of `circuits/onchain.ts` (docs/proofs.md):
//!
//!   verifying key : u32 LE n ‖ α (G1) ‖ β (G2) ‖ γ (G2) ‖ δ (G2) ‖ IC_0 … IC_n (G1)
//!   proof         : −A (G1) ‖ B (G2) ‖ C (G1)                       (256 bytes)
//!   inputs        : n field elements, 32 bytes big-endian each, each < r
//!
//! G1 = x ‖ y, G2 = x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0, coordinates big-endian and < q. The check is
//! vk_x = IC_0 + Σ input_i · IC_i (multiplications and additions), then one pairing over
//! (−A ‖ B) ‖ (vk_x ‖ γ) ‖ (C ‖ δ) ‖ (α ‖ β), which must return 1:
//! e(−A, B) · e(vk_x, γ) · e(C, δ) · e(α, β) = 1. `onChainPairingInput` in TypeScript returns the
//! same 768 bytes.

use crate::error::{Error, Result};
use crate::sys;

pub const G1: usize = 64;
pub const G2: usize = 128;
pub const FIELD: usize = 32;
pub const PROOF_LEN: usize = 256;
pub const VK_HEADER: usize = 4;
const ALPHA: usize = VK_HEADER;
const BETA: usize = ALPHA + G1;
const GAMMA: usize = BETA + G2;
const DELTA: usize = GAMMA + G2;
const IC: usize = DELTA + G2; // 452
const PAIRING_LEN: usize = 4 * (G1 + G2);

/// Most public inputs a verifying key may have (`state::VerifyingKey` is sized for it).
pub const VK_MAX_PUBLIC: usize = 16;

/// Size of a verifying key with `n` public inputs.
pub const fn vk_len(n: usize) -> usize {
    IC + G1 * (n + 1)
}

/// The BN254 base-field modulus q (coordinates must be below it), big-endian.
pub const Q: [u8; 32] = [
    0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d, 0x97, 0x81, 0x6a,
    0x91, 0x68, 0x71, 0xca, 0x8d, 0x3c, 0x20, 0x8c, 0x16, 0xd8, 0x7c, 0xfd, 0x47,
];
/// The BN254 scalar-field modulus r (public inputs must be below it), big-endian.
pub const R: [u8; 32] = [
    0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d, 0x28, 0x33, 0xe8,
    0x48, 0x79, 0xb9, 0x70, 0x91, 0x43, 0xe1, 0xf5, 0x93, 0xf0, 0x00, 0x00, 0x01,
];

/// `a` (32 bytes big-endian at `at`) < `m`.
#[inline(never)]
pub fn below(b: &[u8], at: usize, m: &[u8; 32]) -> bool {
    let mut i = 0;
    while i < 32 {
        let (x, y) = (b[at + i], m[i]);
        if x != y {
            return x < y;
        }
        i += 1;
    }
    false
}

/// Every coordinate of `count` consecutive coordinates from `at` is < q.
fn coordinates_ok(b: &[u8], at: usize, count: usize) -> bool {
    let mut k = 0;
    while k < count {
        if !below(b, at + k * FIELD, &Q) {
            return false;
        }
        k += 1;
    }
    true
}

/// The number of public inputs of a well-formed key, or `InvalidVerifyingKey`.
pub fn vk_inputs(vk: &[u8]) -> Result<usize> {
    if vk.len() < vk_len(0) {
        return Err(Error::InvalidVerifyingKey);
    }
    let n = u32::from_le_bytes([vk[0], vk[1], vk[2], vk[3]]) as usize;
    if n > VK_MAX_PUBLIC || vk.len() != vk_len(n) {
        return Err(Error::InvalidVerifyingKey);
    }
    Ok(n)
}

/// Verifies `proof` for `inputs` (32·n bytes) under `vk`. `Ok(())` for a valid proof,
/// `InvalidProof` for any proof or input that does not verify (a non-canonical input ≥ r, a
/// coordinate ≥ q, a point off the curve, a failed pairing), `InvalidVerifyingKey` for a key
/// that is malformed or whose input count differs from `inputs`.
pub fn verify(vk: &[u8], proof: &[u8; PROOF_LEN], inputs: &[u8]) -> Result {
    let n = vk_inputs(vk)?;
    if inputs.len() != n * FIELD {
        return Err(Error::InvalidVerifyingKey);
    }
    // Canonical encodings only: the syscall would reduce or reject them inconsistently.
    let mut i = 0;
    while i < n {
        if !below(inputs, i * FIELD, &R) {
            return Err(Error::InvalidProof);
        }
        i += 1;
    }
    if !coordinates_ok(proof, 0, PROOF_LEN / FIELD) {
        return Err(Error::InvalidProof);
    }
    let vk_x = linear_combination(vk, inputs)?;
    pairing(vk, proof, &vk_x)
}

/// vk_x = IC_0 + Σ input_i · IC_i.
#[inline(never)]
fn linear_combination(vk: &[u8], inputs: &[u8]) -> Result<[u8; G1]> {
    let n = inputs.len() / FIELD;
    let mut acc = [0u8; G1];
    sys::copy(&mut acc, &vk[IC..IC + G1]);
    let mut mul_in = [0u8; G1 + FIELD];
    let mut add_in = [0u8; 2 * G1];
    let mut product = [0u8; G1];
    let mut i = 0;
    while i < n {
        let ic = IC + (i + 1) * G1;
        sys::copy(&mut mul_in[..G1], &vk[ic..ic + G1]);
        sys::copy(&mut mul_in[G1..], &inputs[i * FIELD..(i + 1) * FIELD]);
        if !sys::bn128(sys::BN128_MUL, &mul_in, &mut product) {
            return Err(Error::InvalidVerifyingKey);
        }
        sys::copy(&mut add_in[..G1], &acc);
        sys::copy(&mut add_in[G1..], &product);
        if !sys::bn128(sys::BN128_ADD, &add_in, &mut acc) {
            return Err(Error::InvalidVerifyingKey);
        }
        i += 1;
    }
    Ok(acc)
}

/// The pairing check over the 768 bytes (−A ‖ B) ‖ (vk_x ‖ γ) ‖ (C ‖ δ) ‖ (α ‖ β).
#[inline(never)]
fn pairing(vk: &[u8], proof: &[u8; PROOF_LEN], vk_x: &[u8; G1]) -> Result {
    let mut buf = [0u8; PAIRING_LEN];
    const P: usize = G1 + G2;
    sys::copy(&mut buf[..P], &proof[..P]); // −A ‖ B
    sys::copy(&mut buf[P..P + G1], vk_x);
    sys::copy(&mut buf[P + G1..2 * P], &vk[GAMMA..GAMMA + G2]);
    sys::copy(&mut buf[2 * P..2 * P + G1], &proof[P..P + G1]); // C
    sys::copy(&mut buf[2 * P + G1..3 * P], &vk[DELTA..DELTA + G2]);
    sys::copy(&mut buf[3 * P..3 * P + G1], &vk[ALPHA..ALPHA + G1]);
    sys::copy(&mut buf[3 * P + G1..4 * P], &vk[BETA..BETA + G2]);
    let mut out = [0u8; 32];
    if !sys::bn128_pairing(&buf, &mut out) {
        return Err(Error::InvalidProof);
    }
    let mut one = [0u8; 32];
    one[31] = 1;
    if sys::equal(&out, &one) { Ok(()) } else { Err(Error::InvalidProof) }
}
