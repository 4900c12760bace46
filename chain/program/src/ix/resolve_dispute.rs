//! `resolve_dispute()`: anyone, once the current round's voting window has closed, records the
//! round's verdict; no token moves here (`finalize_dispute` executes it, so that an appeal can
//! still overturn it). Quorum is 5 % of the mint's current supply, rounded up, twice that in the
//! appeal round (`quorumVotes`). A strict majority of a quorate vote wins; otherwise the side that
//! must carry the vote has not (`tallyDispute`): in round 0 the respondent wins, in the appeal
//! round the first verdict stands (the appellant is the claimant of the appeal).
//! Round 0's verdict may be appealed by its loser until `appeal_deadline` (resolution time +
//! `appeal_window_secs`); the appeal round's verdict is final at once.
//!
//! Accounts: 0 config · 1 dispute (writable) · 2 mint (= config.mint).

use crate::account::{self, Account, AccountIter, Mint};
use crate::error::{Error, Result};
use crate::event::{self, DisputeResolved};
use crate::input::Input;
use crate::state::{Config, Dispute, DISPUTE_OPEN, DISPUTE_RESOLVED, SIDE_CLIENT, SIDE_WORKER};
use crate::{math, require, sys};

pub fn process(input: &Input) -> Result {
    let pid = &input.program_id;
    let mut it = AccountIter::new(input.accounts);
    let config = Account::<Config>::load(it.next()?, pid)?;
    let dispute = Account::<Dispute>::load_mut(it.next()?, pid)?;
    let mint_info = it.next()?;
    crate::args::Args::new(input.data).finish()?;

    let c = config.get();
    let d = dispute.get_mut();
    require!(d.state == DISPUTE_OPEN, Error::InvalidDisputeState);
    let now = sys::clock().unix_timestamp;
    require!(now >= d.voting_deadline, Error::VotingNotEnded);
    account::address(mint_info, &c.mint)?;

    let appeal = d.round != 0;
    let multiplier = if appeal { c.params.appeal_quorum_multiplier as u64 } else { 1 };
    let quorum_bps = (c.params.dispute_quorum_bps as u64) * multiplier; // < 2^32: no overflow
    let quorum = math::mul_div_ceil(Mint::load(mint_info)?.supply(), quorum_bps, 10_000)?;
    let cast = math::add(d.for_client, d.for_worker)?;
    // The side that carries the vote's burden: the claimant in round 0, the appellant on appeal.
    let burdened = if appeal { d.appellant } else { d.claimant };
    let other = if burdened == SIDE_CLIENT { SIDE_WORKER } else { SIDE_CLIENT };
    let winner = if cast < quorum || d.for_client == d.for_worker {
        other
    } else if d.for_client > d.for_worker {
        SIDE_CLIENT
    } else {
        SIDE_WORKER
    };

    d.winner = winner;
    d.resolved_at = now;
    d.appeal_deadline = if appeal { now } else { math::add_i64(now, c.params.appeal_window_secs)? };
    d.state = DISPUTE_RESOLVED;

    event::emit(DisputeResolved { dispute: *dispute.key(), escrow: d.escrow, for_client: d.for_client, for_worker: d.for_worker, quorum, winner: winner as u64 });
    Ok(())
}
