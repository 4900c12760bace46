//! Checked integer arithmetic for u64 money amounts.
//!
//! `u64::checked_mul` and `u128` cannot be used on BPF: LLVM lowers a 64-bit multiply with an
//! overflow check (and any 128-bit multiply) to the library call `__multi3`, which does not
//! exist there. The 64×64→128 product is computed here from 32-bit halves instead.

use crate::error::{Error, Result};

/// The full 128-bit product of two u64 as (high, low).
#[inline(always)]
pub fn mul_wide(a: u64, b: u64) -> (u64, u64) {
    let (a_lo, a_hi) = (a & 0xffff_ffff, a >> 32);
    let (b_lo, b_hi) = (b & 0xffff_ffff, b >> 32);
    let ll = a_lo * b_lo;
    let lh = a_lo * b_hi;
    let hl = a_hi * b_lo;
    let hh = a_hi * b_hi;
    // Middle column: at most 3·(2^32−1) fits easily in u64.
    let mid = (ll >> 32) + (lh & 0xffff_ffff) + (hl & 0xffff_ffff);
    let lo = (ll & 0xffff_ffff) | (mid << 32);
    let hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    (hi, lo)
}

/// `a * b`, or `ArithmeticOverflow`.
#[inline(always)]
pub fn mul(a: u64, b: u64) -> Result<u64> {
    let (hi, lo) = mul_wide(a, b);
    if hi != 0 { Err(Error::ArithmeticOverflow) } else { Ok(lo) }
}

#[inline(always)]
pub fn add(a: u64, b: u64) -> Result<u64> {
    a.checked_add(b).ok_or(Error::ArithmeticOverflow)
}

#[inline(always)]
pub fn sub(a: u64, b: u64) -> Result<u64> {
    a.checked_sub(b).ok_or(Error::ArithmeticOverflow)
}

#[inline(always)]
pub fn add_i64(a: i64, b: i64) -> Result<i64> {
    a.checked_add(b).ok_or(Error::ArithmeticOverflow)
}

/// `floor(a * b / d)` exactly, with the 128-bit intermediate, for a divisor below 2^32
/// (basis points, counts). Fails when the quotient does not fit in u64 or `d` is 0 or too big.
pub fn mul_div_floor(a: u64, b: u64, d: u64) -> Result<u64> {
    if d == 0 || d > 0xffff_ffff {
        return Err(Error::ArithmeticOverflow);
    }
    let (hi, lo) = mul_wide(a, b);
    if hi >= d {
        return Err(Error::ArithmeticOverflow);
    }
    // Long division by 32-bit digits: every partial remainder is < d < 2^32, so each step's
    // dividend (rem << 32 | digit) fits in u64.
    let digits = [hi >> 32, hi & 0xffff_ffff, lo >> 32, lo & 0xffff_ffff];
    let mut rem: u64 = 0;
    let mut q: [u64; 4] = [0; 4];
    let mut i = 0;
    while i < 4 {
        let cur = (rem << 32) | digits[i];
        q[i] = cur / d;
        rem = cur % d;
        i += 1;
    }
    // hi < d guarantees q[0] = q[1] = 0.
    Ok((q[2] << 32) | q[3])
}

/// `floor(amount * bps / 10_000)`.
#[inline(always)]
pub fn bps(amount: u64, bps: u16) -> Result<u64> {
    mul_div_floor(amount, bps as u64, 10_000)
}

#[inline(always)]
pub fn sub_i64(a: i64, b: i64) -> Result<i64> {
    a.checked_sub(b).ok_or(Error::ArithmeticOverflow)
}

/// `a + b` for counters, or `ArithmeticOverflow`.
#[inline(always)]
pub fn inc_u32(a: u32, b: u32) -> Result<u32> {
    a.checked_add(b).ok_or(Error::ArithmeticOverflow)
}

/// `a - 1` for counters of things that must exist (an active job being finished), or
/// `ArithmeticOverflow` when the invariant is broken.
#[inline(always)]
pub fn dec_u32(a: u32) -> Result<u32> {
    a.checked_sub(1).ok_or(Error::ArithmeticOverflow)
}

/// `floor(min(num, den) × weight / den)`, 0 when `den` is 0: one reputation component
/// (`ratio` in protocols/rules/reputation.ts). The product is formed with the checked `mul`.
#[inline(always)]
pub fn ratio(num: u64, den: u64, weight: u64) -> Result<u64> {
    if den == 0 {
        return Ok(0);
    }
    let n = if num < den { num } else { den };
    Ok(mul(n, weight)? / den)
}

/// `ceil(a × b / d)` for a divisor below 2^32 (a quorum is never short).
pub fn mul_div_ceil(a: u64, b: u64, d: u64) -> Result<u64> {
    let q = mul_div_floor(a, b, d)?;
    let (hi, lo) = mul_wide(a, b);
    // The division was exact iff q × d equals the 128-bit product.
    let (qh, ql) = mul_wide(q, d);
    if qh == hi && ql == lo { Ok(q) } else { add(q, 1) }
}

/// `floor(a * b / d)` exactly for any non-zero 64-bit divisor (bitwise long division of the
/// 128-bit product; no `u128` on BPF). Fails when the quotient does not fit in u64 or `d` is 0.
pub fn mul_div_floor_wide(a: u64, b: u64, d: u64) -> Result<u64> {
    if d == 0 {
        return Err(Error::ArithmeticOverflow);
    }
    let (hi, lo) = mul_wide(a, b);
    if hi >= d {
        return Err(Error::ArithmeticOverflow);
    }
    let mut rem = hi;
    let mut q: u64 = 0;
    let mut i: u32 = 64;
    while i > 0 {
        i -= 1;
        let carry = rem >> 63;
        rem = (rem << 1) | ((lo >> i) & 1);
        q <<= 1;
        if carry == 1 || rem >= d {
            rem = rem.wrapping_sub(d);
            q |= 1;
        }
    }
    Ok(q)
}
