//! `withdraw_vote()`: anyone settles a juror's vote once its round is over, paying what it is owed
//! back into its stake (stake vault, `Node.stake`, `Config.total_staked`), closing the `Vote` and
//! returning its rent to the juror:
//! - a round that was redrawn: a revealer gets its deposit back; a non-revealer forfeited it;
//! - the deciding round (the dispute resolved): a revealer with the majority gets its deposit plus
//!   ⌊pool × deposit / majority deposits⌋; a non-revealer or a minority revealer forfeited it.
//! - the last round without a verdict (`SIDE_NONE`, the terminal rule): a revealer gets its
//!   deposit back, a non-revealer forfeited it (the whole pool is then swept to the treasury).
//! The pool's remainder (rounding dust) stays in the vault and is swept to the treasury by
//! `close_dispute`.
//!
//! Accounts: 0 juror (writable, = vote.juror; receives the rent) · 1 config (writable) ·
//! 2 dispute (writable) · 3 juror_node (writable, ["node", juror]) · 4 vote (writable) ·
//! 5 stake_vault (writable) · 6 vote_vault (writable, = dispute.vote_vault) · 7 token_program.

use crate::account;
use crate::accounts;
use crate::ix::shared::VaultAuthority;
use crate::error::{Error, Result};
use crate::event::{self, VoteSettled};
use crate::input::Input;
use crate::state::{Config, Dispute, Node, Vote, DISPUTE_OPEN, SIDE_NONE};
use crate::{math, require};

accounts! {
    pub struct WithdrawVoteAccounts {
        juror: writable, config: load_mut(Config), dispute: load_mut(Dispute), node: load_mut(Node),
        vote: load_mut(Vote), stake_vault: info, vault: info, _: token_program,
    }
}

pub fn process(input: &Input) -> Result {
    let WithdrawVoteAccounts {
        juror, config, dispute, node, vote, stake_vault, vault,
    } = WithdrawVoteAccounts::load(input)?;
    crate::args::Args::new(input.data).finish()?;

    // SAFETY: no other borrow of `config`'s data is used while `c` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let c = unsafe { config.get_mut() };
    // SAFETY: no other borrow of `dispute`'s data is used while `d` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let d = unsafe { dispute.get_mut() };
    // SAFETY: no other borrow of `node`'s data is used while `n` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let n = unsafe { node.get_mut() };
    let v = vote.get();
    require!(&v.dispute == dispute.key() && &v.juror == juror.key() && &n.owner == juror.key(), Error::ConstraintHasOne);
    account::writable_address(stake_vault, &c.stake_vault)?;
    account::writable_address(vault, &d.vote_vault)?;

    let returned = if v.round < d.round {
        if v.revealed != 0 { v.deposit } else { 0 }
    } else {
        require!(d.state != DISPUTE_OPEN, Error::InvalidDisputeState);
        if v.revealed != 0 && d.winner == SIDE_NONE {
            v.deposit // no verdict (the terminal rule): a revealer's deposit back, no share
        } else if v.revealed != 0 && v.side == d.winner {
            math::add(v.deposit, math::mul_div_floor_wide(d.pool, v.deposit, d.majority_deposits)?)?
        } else {
            0
        }
    };
    if returned > 0 {
        VaultAuthority::new(config.info, c.bump).transfer(vault, stake_vault, returned)?;
        n.stake = math::add(n.stake, returned)?;
        c.total_staked = math::add(c.total_staked, returned)?;
    }
    d.locked = math::sub(d.locked, v.deposit)?;
    d.open_votes = math::dec_u32(d.open_votes)?;
    event::emit(VoteSettled { dispute: *dispute.key(), juror: *juror.key(), deposit: v.deposit, returned });
    account::close(vote.info, juror)
}
