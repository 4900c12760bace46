//! `withdraw_vote()`: once the round it voted in is tallied (the dispute resolved or finalized, or
//! an appeal opened a later round), a voter takes its locked tokens back; the `Vote` account
//! is closed and its rent returned to the voter.
//!
//! Accounts: 0 voter (signer, writable) · 1 config · 2 dispute (writable) · 3 vote (writable) ·
//! 4 voter_token (writable) · 5 vote_vault (writable, = dispute.vote_vault) · 6 token_program.

use crate::account::{self, Account, AccountIter, TokenAccount};
use crate::error::{Error, Result};
use crate::input::Input;
use crate::state::{Config, Dispute, Vote, DISPUTE_OPEN};
use crate::cpi::Seeds;
use crate::sys::Bytes;
use crate::{cpi, math, require, seeds};

pub fn process(input: &Input) -> Result {
    let pid = &input.program_id;
    let mut it = AccountIter::new(input.accounts);
    let voter = account::signer_mut(it.next()?)?;
    let config = Account::<Config>::load(it.next()?, pid)?;
    let dispute = Account::<Dispute>::load_mut(it.next()?, pid)?;
    let vote = Account::<Vote>::load_mut(it.next()?, pid)?;
    let voter_token_info = it.next()?;
    let vault = it.next()?;
    account::token_program(it.next()?)?;
    crate::args::Args::new(input.data).finish()?;

    let c = config.get();
    let d = dispute.get_mut();
    let v = vote.get();
    require!(&v.dispute == dispute.key() && &v.voter == voter.key(), Error::ConstraintHasOne);
    require!(d.state != DISPUTE_OPEN || v.round < d.round, Error::InvalidDisputeState);
    account::writable(account::address(vault, &d.vote_vault)?)?;
    let voter_token = TokenAccount::load_mut(voter_token_info, &c.mint)?;
    require!(voter_token.authority() == voter.key(), Error::ConstraintTokenOwner);

    let amount = v.amount;
    let bump = [c.bump];
    cpi::token_transfer(vault, voter_token_info, config.info, amount, Some(&Seeds(&[Bytes::of(seeds::CONFIG), Bytes::of(&bump)])))?;
    d.locked = math::sub(d.locked, amount)?;
    account::close(vote.info, voter)
}
