//! `commit_vote(commitment)`: a node drawn for the dispute's current round commits to a side
//! (client, worker, or unavailable: `reveal_vote` checks it), `commitment` = SHA-256(side ‖ salt ‖
//! dispute ‖ juror), within the round's commit window (after
//! the evidence window), and moves `juror_risk_bps` of its stake from the stake vault into the
//! dispute's vault as its deposit: forfeited if it does not reveal or reveals with the minority of
//! a decided round. Eligible: an active node, not unstaking, registered before the dispute was
//! opened, neither party, drawn by `jury::is_drawn` (its current stake against the total staked at
//! the opening). One vote per juror and round (the `Vote` PDA ["vote", dispute, juror, round]).
//!
//! Accounts: 0 juror (signer, writable, pays) · 1 config (writable) · 2 dispute (writable) ·
//! 3 juror_node (writable, ["node", juror]) · 4 vote (writable, PDA) · 5 stake_vault (writable) ·
//! 6 vote_vault (writable, = dispute.vote_vault) · 7 system_program · 8 token_program.

use crate::account::{self, Account};
use crate::accounts;
use crate::args::Args;
use crate::cpi::Seeds;
use crate::ix::shared::VaultAuthority;
use crate::error::{Error, Result};
use crate::input::Input;
use crate::state::{Config, Dispute, Node, Vote, DISPUTE_OPEN, NODE_ACTIVE};
use crate::sys::{self, Bytes};
use crate::{jury, math, require, seeds};

accounts! {
    pub struct CommitVoteAccounts {
        juror: signer_mut, config: load_mut(Config), dispute: load_mut(Dispute), node: load_mut(Node),
        vote: info, stake_vault: info, vault: info, _: system_program, _: token_program,
    }
}

pub fn process(input: &Input) -> Result {
    let pid = &input.program_id;
    let CommitVoteAccounts {
        juror, config, dispute, node, vote: vote_info, stake_vault, vault,
    } = CommitVoteAccounts::load(input)?;
    let mut args = Args::new(input.data);
    let commitment = args.bytes32()?;
    args.finish()?;

    // SAFETY: no other borrow of `config`'s data is used while `c` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let c = unsafe { config.get_mut() };
    // SAFETY: no other borrow of `dispute`'s data is used while `d` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let d = unsafe { dispute.get_mut() };
    // SAFETY: no other borrow of `node`'s data is used while `n` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let n = unsafe { node.get_mut() };
    require!(d.state == DISPUTE_OPEN, Error::InvalidDisputeState);
    require!(d.drawn != 0, Error::JuryNotDrawn);
    let now = sys::clock().unix_timestamp;
    require!(now >= d.evidence_deadline, Error::VotingNotOpen);
    require!(now < d.commit_deadline, Error::CommitWindowClosed);
    require!(&n.owner == juror.key(), Error::ConstraintHasOne);
    require!(&d.client != juror.key() && &d.worker != juror.key(), Error::SelfDealing);
    require!(n.status == NODE_ACTIVE && n.unstake_requested == 0 && n.registered_at <= d.opened_at, Error::NotEligible);
    require!(jury::is_drawn(&d.seed, juror.key(), n.stake, d.total_staked, jury::expected_jury(c.params.jury_size, d.round)), Error::NotDrawn);
    account::writable_address(stake_vault, &c.stake_vault)?;
    account::writable_address(vault, &d.vote_vault)?;
    let deposit = math::bps(n.stake, c.params.juror_risk_bps)?;
    require!(deposit > 0, Error::ZeroAmount);

    let dispute_key = dispute.key().as_bytes();
    let round = [d.round];
    let bump = account::expect_pda(vote_info, &[Bytes::of(seeds::VOTE), Bytes::of(dispute_key), Bytes::of(juror.key().as_bytes()), Bytes::of(&round)], pid)?;
    let vote = Account::<Vote>::init(juror, vote_info, pid,
        &Seeds(&[Bytes::of(seeds::VOTE), Bytes::of(dispute_key), Bytes::of(juror.key().as_bytes()), Bytes::of(&round), Bytes::of(&[bump])]))?;
    VaultAuthority::new(config.info, c.bump).transfer(stake_vault, vault, deposit)?;
    n.stake = math::sub(n.stake, deposit)?;
    c.total_staked = math::sub(c.total_staked, deposit)?;

    // SAFETY: no other borrow of `vote`'s data is used while `v` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let v = unsafe { vote.get_mut() };
    v.dispute = *dispute.key();
    v.juror = *juror.key();
    sys::copy(&mut v.commitment, commitment);
    v.deposit = deposit;
    v.bump = bump;
    v.round = d.round;
    d.committed = math::inc_u32(d.committed, 1)?;
    d.open_votes = math::inc_u32(d.open_votes, 1)?;
    d.deposits_committed = math::add(d.deposits_committed, deposit)?;
    d.locked = math::add(d.locked, deposit)?;
    Ok(())
}
