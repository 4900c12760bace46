//! `resolve_dispute()`: anyone, once the current round's reveal window has closed. With at least
//! `min_jurors` revealed votes and a strict majority of them (head count: each drawn node one
//! vote; more votes than the other two ballots together) for the client, the worker, or
//! unavailable (the evidence could not be fetched, finding 16), records that verdict (no token
//! moves; `finalize_dispute` executes it, at once).
//! The forfeits are fixed: the pool gains this round's unrevealed and minority deposits, shared by
//! the majority pro rata to their deposits (`withdraw_vote`).
//! Otherwise there is no default verdict: the round is redrawn with twice the expected jury
//! (round + 1), its seed from a slot after this one, new commit and reveal windows from now; the
//! evidence stands. This round's unrevealed deposits join the pool; its revealers get theirs back.
//! The terminal rule: when that round was the last (`round + 1 >= max_jury_rounds`), there is no
//! redraw: the dispute resolves with no verdict (`winner = SIDE_NONE`; `finalize_dispute` then
//! keeps the status quo and returns the bond, `juryOutcome` in `protocols/rules/jury.ts`). Its
//! revealers get their deposits back; the pool (every round's non-revealers) goes to the treasury
//! at `close_dispute`, so a failed jury rewards neither party nor any juror.
//!
//! Accounts: 0 config · 1 dispute (writable).

use crate::accounts;
use crate::error::{Error, Result};
use crate::event::{self, DisputeRedrawn, DisputeResolved};
use crate::input::Input;
use crate::pubkey::Pubkey;
use crate::state::{Config, Dispute, DISPUTE_OPEN, DISPUTE_RESOLVED, SIDE_CLIENT, SIDE_NONE, SIDE_UNAVAILABLE, SIDE_WORKER};
use crate::{math, require, sys};

accounts! { pub struct ResolveDisputeAccounts { config: load(Config), dispute: load_mut(Dispute) } }

pub fn process(input: &Input) -> Result {
    let ResolveDisputeAccounts { config, dispute } = ResolveDisputeAccounts::load(input)?;
    crate::args::Args::new(input.data).finish()?;

    let c = config.get();
    // SAFETY: no other borrow of `dispute`'s data is used while `d` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let d = unsafe { dispute.get_mut() };
    require!(d.state == DISPUTE_OPEN, Error::InvalidDisputeState);
    let clock = sys::clock();
    let now = clock.unix_timestamp;
    require!(now >= d.reveal_deadline, Error::VotingNotEnded);

    let revealed_deposits = math::add(math::add(d.deposits_client, d.deposits_worker)?, d.deposits_unavailable)?;
    let unrevealed = math::sub(d.deposits_committed, revealed_deposits)?;
    if d.revealed >= c.params.min_jurors as u32 {
        if let Some((winner, majority)) = majority_side(d) {
            let minority = math::sub(revealed_deposits, majority)?;
            d.pool = math::add(d.pool, math::add(unrevealed, minority)?)?;
            conclude(d, dispute.key(), &Verdict { winner, majority_deposits: majority, now });
            return Ok(());
        }
    }
    let revealed = d.revealed;
    d.pool = math::add(d.pool, unrevealed)?;
    if d.round as u32 + 1 >= c.params.max_jury_rounds as u32 {
        // The last round without a verdict: no verdict (the pool is nobody's; swept at close).
        conclude(d, dispute.key(), &Verdict { winner: SIDE_NONE, majority_deposits: 0, now });
        return Ok(());
    }
    // No verdict: redraw with twice the expected jury.
    require!(d.round < u8::MAX, Error::ArithmeticOverflow);
    d.round += 1;
    d.drawn = 0;
    d.seed = [0u8; 32];
    d.seed_slot = clock.slot;
    d.commit_deadline = math::add_i64(now, c.params.commit_window_secs)?;
    d.reveal_deadline = math::add_i64(d.commit_deadline, c.params.jury_reveal_window_secs)?;
    d.committed = 0;
    d.revealed = 0;
    d.votes_client = 0;
    d.votes_worker = 0;
    d.votes_unavailable = 0;
    d.deposits_client = 0;
    d.deposits_worker = 0;
    d.deposits_unavailable = 0;
    d.deposits_committed = 0;
    event::emit(DisputeRedrawn { dispute: *dispute.key(), round: d.round as u64, revealed: revealed as u64, commit_deadline: d.commit_deadline });
    Ok(())
}

/// The ballot with a strict majority of the round's revealed votes (more than the other two
/// together; `juryVerdict`), and its deposits; `None` without one (a tie, or no ballot over half).
#[inline(always)]
fn majority_side(d: &Dispute) -> Option<(u8, u64)> {
    let sides = [
        (SIDE_CLIENT, d.votes_client, d.deposits_client),
        (SIDE_WORKER, d.votes_worker, d.deposits_worker),
        (SIDE_UNAVAILABLE, d.votes_unavailable, d.deposits_unavailable),
    ];
    let mut i = 0;
    while i < sides.len() {
        // 2 × votes > revealed, in u64: no overflow from u32 counts.
        if 2 * sides[i].1 as u64 > d.revealed as u64 {
            return Some((sides[i].0, sides[i].2));
        }
        i += 1;
    }
    None
}

/// How a round ends: the winning side (`SIDE_NONE`: no verdict), the majority's deposits, when.
struct Verdict {
    winner: u8,
    majority_deposits: u64,
    now: i64,
}

/// Resolves the dispute `key` with `v` and emits `DisputeResolved` (a verdict, or none after the
/// last round).
#[inline(always)]
fn conclude(d: &mut Dispute, key: &Pubkey, v: &Verdict) {
    d.majority_deposits = v.majority_deposits;
    d.winner = v.winner;
    d.resolved_at = v.now;
    d.state = DISPUTE_RESOLVED;
    event::emit(DisputeResolved {
        dispute: *key, escrow: d.escrow, votes_client: d.votes_client as u64, votes_worker: d.votes_worker as u64,
        votes_unavailable: d.votes_unavailable as u64, round: d.round as u64, winner: v.winner as u64,
    });
}
