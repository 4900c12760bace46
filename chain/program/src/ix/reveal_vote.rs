//! `reveal_vote(side, salt)`: the juror opens its commitment of the current round within the
//! round's reveal window (from the commit deadline to the reveal deadline): SHA-256(side ‖ salt ‖
//! dispute ‖ juror) must equal it (`InvalidReveal`). The side — client, worker, or unavailable (the
//! juror could not fetch the evidence after every retry; finding 16) — is counted with the juror's
//! deposit; any other value is refused (`InvalidSide`).
//!
//! Accounts: 0 juror (signer) · 1 dispute (writable) · 2 vote (writable, ["vote", dispute, juror, round]).

use crate::accounts;
use crate::args::Args;
use crate::error::{Error, Result};
use crate::input::Input;
use crate::state::{Dispute, Vote, DISPUTE_OPEN, SIDE_CLIENT, SIDE_UNAVAILABLE, SIDE_WORKER};
use crate::{jury, math, require, sys};

accounts! { pub struct RevealVoteAccounts { juror: signer, dispute: load_mut(Dispute), vote: load_mut(Vote) } }

pub fn process(input: &Input) -> Result {
    let RevealVoteAccounts { juror, dispute, vote } = RevealVoteAccounts::load(input)?;
    let mut args = Args::new(input.data);
    let side = args.u8()?;
    let salt = args.bytes32()?;
    args.finish()?;

    // SAFETY: no other borrow of `dispute`'s data is used while `d` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let d = unsafe { dispute.get_mut() };
    // SAFETY: no other borrow of `vote`'s data is used while `v` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let v = unsafe { vote.get_mut() };
    require!(&v.dispute == dispute.key() && &v.juror == juror.key(), Error::ConstraintHasOne);
    require!(d.state == DISPUTE_OPEN && v.round == d.round, Error::InvalidDisputeState);
    let now = sys::clock().unix_timestamp;
    require!(now >= d.commit_deadline && now < d.reveal_deadline, Error::VotingNotOpen);
    require!(v.revealed == 0, Error::AlreadyRevealed);
    require!(side == SIDE_CLIENT || side == SIDE_WORKER || side == SIDE_UNAVAILABLE, Error::InvalidSide);
    require!(jury::commitment(side, salt, dispute.key(), juror.key()) == v.commitment, Error::InvalidReveal);

    v.side = side;
    v.revealed = 1;
    d.revealed = math::inc_u32(d.revealed, 1)?;
    if side == SIDE_CLIENT {
        d.votes_client = math::inc_u32(d.votes_client, 1)?;
        d.deposits_client = math::add(d.deposits_client, v.deposit)?;
    } else if side == SIDE_WORKER {
        d.votes_worker = math::inc_u32(d.votes_worker, 1)?;
        d.deposits_worker = math::add(d.deposits_worker, v.deposit)?;
    } else {
        d.votes_unavailable = math::inc_u32(d.votes_unavailable, 1)?;
        d.deposits_unavailable = math::add(d.deposits_unavailable, v.deposit)?;
    }
    Ok(())
}
