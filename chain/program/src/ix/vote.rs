//! `vote(side, amount)`: a token holder who is not a party votes in the voting window (after the
//! evidence window) by locking `amount` tokens in the dispute's vote vault, 1 base unit = 1 vote.
//! The `Vote` PDA ["vote", dispute, voter] makes it one vote per wallet.
//!
//! Accounts: 0 voter (signer, writable, pays) · 1 config · 2 dispute (writable) · 3 vote
//! (writable, PDA) · 4 voter_token (writable) · 5 vote_vault (writable, = dispute.vote_vault) ·
//! 6 system_program · 7 token_program.

use crate::account::{self, Account, AccountIter, TokenAccount};
use crate::args::Args;
use crate::error::{Error, Result};
use crate::input::Input;
use crate::state::{Config, Dispute, Vote, DISPUTE_OPEN, SIDE_CLIENT, SIDE_WORKER};
use crate::cpi::Seeds;
use crate::sys::{self, Bytes};
use crate::{cpi, math, require, seeds};

pub fn process(input: &Input) -> Result {
    let pid = &input.program_id;
    let mut it = AccountIter::new(input.accounts);
    let voter = account::signer_mut(it.next()?)?;
    let config = Account::<Config>::load(it.next()?, pid)?;
    let dispute = Account::<Dispute>::load_mut(it.next()?, pid)?;
    let vote_info = it.next()?;
    let voter_token_info = it.next()?;
    let vault = it.next()?;
    account::system_program(it.next()?)?;
    account::token_program(it.next()?)?;
    let mut args = Args::new(input.data);
    let side = args.u8()?;
    let amount = args.u64()?;
    args.finish()?;

    let c = config.get();
    let d = dispute.get_mut();
    require!(d.state == DISPUTE_OPEN, Error::InvalidDisputeState);
    let now = sys::clock().unix_timestamp;
    require!(now >= d.evidence_deadline && now < d.voting_deadline, Error::VotingNotOpen);
    require!(&d.client != voter.key() && &d.worker != voter.key(), Error::SelfDealing);
    require!(side == SIDE_CLIENT || side == SIDE_WORKER, Error::InvalidSide);
    require!(amount > 0, Error::ZeroAmount);
    account::writable(account::address(vault, &d.vote_vault)?)?;
    let voter_token = TokenAccount::load_mut(voter_token_info, &c.mint)?;
    require!(voter_token.authority() == voter.key(), Error::ConstraintTokenOwner);

    let dispute_key = dispute.key().as_bytes();
    let bump = account::expect_pda(vote_info, &[Bytes::of(seeds::VOTE), Bytes::of(dispute_key), Bytes::of(voter.key().as_bytes())], pid)?;
    let vote = Account::<Vote>::init(voter, vote_info, pid,
        &Seeds(&[Bytes::of(seeds::VOTE), Bytes::of(dispute_key), Bytes::of(voter.key().as_bytes()), Bytes::of(&[bump])]))?;
    cpi::token_transfer(voter_token_info, vault, voter, amount, None)?;

    let v = vote.get_mut();
    v.dispute = *dispute.key();
    v.voter = *voter.key();
    v.amount = amount;
    v.side = side;
    v.bump = bump;
    v.round = d.round;
    if side == SIDE_CLIENT {
        d.for_client = math::add(d.for_client, amount)?;
    } else {
        d.for_worker = math::add(d.for_worker, amount)?;
    }
    d.locked = math::add(d.locked, amount)?;
    d.voters = math::inc_u32(d.voters, 1)?;
    Ok(())
}
