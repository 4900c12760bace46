//! The reputation score, computed on-chain from the record in `Node` by the formula of
//! `protocols/rules/reputation.ts` (`reputationScore`), with the same integer floors:
//!
//!   component  = floor(min(num, den) × weight / den), 0 without data
//!   sum        = completion + time accuracy + rating + proof quality + uptime
//!   matured    = floor(sum × min(assigned, floor(paid_value / ref), m) / m), ref the first
//!                reputation tier's job cap (10 CYXWIZ): a job counts towards maturity only per
//!                reference amount paid (audit finding 7, `maturedPoints`)
//!   score      = clamp(matured + adjustment, 0, max)
//!
//! Every product is below 2^63 (counts are u32, weights u16, ref ≤ 2^48), and goes through `math`.

use crate::error::Result;
use crate::math;
use crate::state::{ConfigParams, Node};

const BPS: u64 = 10_000;

/// The score of `n`'s record under `p`.
pub fn score(n: &Node, p: &ConfigParams) -> Result<u16> {
    let w = &p.rep_weights;
    let completion = math::ratio(n.jobs_completed as u64, n.jobs_assigned as u64, w[0] as u64)?;
    let time = math::ratio(n.time_accuracy_sum_bps, math::mul(n.timed_jobs as u64, BPS)?, w[1] as u64)?;
    let rating = math::ratio(n.rating_stars_sum as u64, math::mul(n.ratings as u64, p.max_stars as u64)?, w[2] as u64)?;
    let proof = math::ratio(n.proofs_valid as u64, n.proofs_total as u64, w[3] as u64)?;
    let uptime = math::ratio(n.heartbeats_received as u64, n.heartbeats_expected as u64, w[4] as u64)?;
    let sum = math::add(math::add(math::add(completion, time)?, math::add(rating, proof)?)?, uptime)?;
    let m = p.rep_maturity_jobs as u64; // > 0: ConfigParams::is_valid
    let assigned = n.jobs_assigned as u64;
    let paid_jobs = n.paid_value / p.rep_tier_max_job[0]; // ref > 0: is_valid
    let mut counted = if assigned < m { assigned } else { m };
    if paid_jobs < counted {
        counted = paid_jobs;
    }
    let matured = math::mul(sum, counted)? / m;
    // matured ≤ 5 × 65,535, far inside i64.
    let total = matured as i64 + n.adjustment as i64;
    let max = p.rep_max_score as i64;
    Ok(if total < 0 { 0 } else if total > max { max as u16 } else { total as u16 })
}

/// Recomputes and stores `n.reputation`. Every instruction that changes the record calls this.
#[inline(always)]
pub fn refresh(n: &mut Node, p: &ConfigParams) -> Result {
    n.reputation = score(n, p)?;
    Ok(())
}

/// Adds a penalty or recovery to the adjustment, kept within ±rep_max_score
/// (`applyReputationEvent`), and refreshes the score.
pub fn adjust(n: &mut Node, delta: i16, p: &ConfigParams) -> Result {
    let max = p.rep_max_score as i32;
    let a = n.adjustment as i32 + delta as i32; // i32: cannot overflow for two i16
    n.adjustment = (if a > max { max } else if a < -max { -max } else { a }) as i16;
    refresh(n, p)
}

/// A recovery's `points` weighted by the job's paid `amount`: floor(points × min(amount, ref) /
/// ref), ref the first reputation tier's job cap (`valueWeightedPoints`). Non-negative points only.
pub fn value_weighted(points: i16, amount: u64, p: &ConfigParams) -> i16 {
    if points <= 0 {
        return points;
    }
    let r = p.rep_tier_max_job[0]; // 0 < r ≤ 2^48: is_valid, so a × points < 2^63
    let a = if amount < r { amount } else { r };
    match math::mul(a, points as u64) {
        Ok(x) => (x / r) as i16, // ≤ points
        Err(_) => points,
    }
}

/// One job's time accuracy in bps: max(0, 10,000 − floor(|actual − estimated| × 10,000 /
/// estimated)) (`timeAccuracyBps`). `estimated` is positive and below 2^32 (create_escrow bounds it
/// by the escrow timeout), so `mul_div_floor` applies.
pub fn time_accuracy_bps(actual: u64, estimated: u64) -> Result<u64> {
    let deviation = if actual > estimated { actual - estimated } else { estimated - actual };
    if deviation >= estimated {
        return Ok(0);
    }
    Ok(BPS - math::mul_div_floor(deviation, BPS, estimated)?)
}
