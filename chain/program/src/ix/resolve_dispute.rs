//! `resolve_dispute()`: anyone, once the voting window has closed. Quorum is 5 % of the mint's
//! current supply, rounded up (`quorumVotes`); a strict majority of a quorate vote wins, otherwise
//! the respondent does (`tallyDispute`). The verdict (`disputeVerdict`):
//! - client wins: full refund; `fraud_slash_bps` of the stake slashed, floor(50 %) of it to the
//!   client and the rest to the treasury (the platform vault); −200 reputation; permanent ban;
//! - worker wins: paid as a completed job (90/10, 92/8 for Diamond); +5 reputation.
//!
//! Accounts: 0 config (writable) · 1 dispute (writable) · 2 escrow (writable, = dispute.escrow) ·
//! 3 escrow_vault (writable) · 4 worker_node (writable) · 5 client_token (writable) ·
//! 6 worker_token (writable) · 7 platform_vault (writable) · 8 stake_vault (writable) · 9 mint ·
//! 10 token_program.

use crate::account::{self, Account, AccountIter, Mint, TokenAccount};
use crate::error::{Error, Result};
use crate::event::{self, DisputeResolved, StakeSlashed};
use crate::input::Input;
use crate::state::{
    Config, Dispute, Escrow, Node, DISPUTE_OPEN, DISPUTE_RESOLVED, ESCROW_DISPUTED, ESCROW_RESOLVED_CLIENT,
    ESCROW_RESOLVED_WORKER, NODE_BANNED, SIDE_CLIENT, SIDE_WORKER,
};
use crate::cpi::Seeds;
use crate::sys::{self, Bytes};
use crate::{cpi, math, reputation, require, seeds};

pub fn process(input: &Input) -> Result {
    let pid = &input.program_id;
    let mut it = AccountIter::new(input.accounts);
    let config = Account::<Config>::load_mut(it.next()?, pid)?;
    let dispute = Account::<Dispute>::load_mut(it.next()?, pid)?;
    let escrow = Account::<Escrow>::load_mut(it.next()?, pid)?;
    let vault = it.next()?;
    let node = Account::<Node>::load_mut(it.next()?, pid)?;
    let client_token_info = it.next()?;
    let worker_token_info = it.next()?;
    let platform_vault = it.next()?;
    let stake_vault = it.next()?;
    let mint_info = it.next()?;
    account::token_program(it.next()?)?;
    crate::args::Args::new(input.data).finish()?;

    let c = config.get_mut();
    let d = dispute.get_mut();
    let e = escrow.get_mut();
    let n = node.get_mut();
    require!(&d.escrow == escrow.key() && n.owner == e.worker, Error::ConstraintHasOne);
    require!(d.state == DISPUTE_OPEN && e.state == ESCROW_DISPUTED, Error::InvalidDisputeState);
    require!(sys::clock().unix_timestamp >= d.voting_deadline, Error::VotingNotEnded);
    account::writable(account::address(vault, &e.vault)?)?;
    account::writable(account::address(platform_vault, &c.platform_vault)?)?;
    account::writable(account::address(stake_vault, &c.stake_vault)?)?;
    account::address(mint_info, &c.mint)?;
    let client_token = TokenAccount::load_mut(client_token_info, &c.mint)?;
    require!(client_token.authority() == &e.client, Error::ConstraintTokenOwner);
    let worker_token = TokenAccount::load_mut(worker_token_info, &c.mint)?;
    require!(worker_token.authority() == &e.worker, Error::ConstraintTokenOwner);

    let quorum = math::mul_div_ceil(Mint::load(mint_info)?.supply(), c.params.dispute_quorum_bps as u64, 10_000)?;
    let cast = math::add(d.for_client, d.for_worker)?;
    let respondent = if d.claimant == SIDE_CLIENT { SIDE_WORKER } else { SIDE_CLIENT };
    let winner = if cast < quorum || d.for_client == d.for_worker {
        respondent
    } else if d.for_client > d.for_worker {
        SIDE_CLIENT
    } else {
        SIDE_WORKER
    };

    let bump = [c.bump];
    let config_seeds = Seeds(&[Bytes::of(seeds::CONFIG), Bytes::of(&bump)]);
    let p = &c.params;
    if winner == SIDE_CLIENT {
        cpi::token_transfer(vault, client_token_info, config.info, e.amount, Some(&config_seeds))?;
        let slashed = math::bps(n.stake, p.fraud_slash_bps)?;
        let to_client = math::bps(slashed, p.client_wins_slash_to_client_bps)?;
        let to_treasury = math::sub(slashed, to_client)?;
        if to_client > 0 {
            cpi::token_transfer(stake_vault, client_token_info, config.info, to_client, Some(&config_seeds))?;
        }
        if to_treasury > 0 {
            cpi::token_transfer(stake_vault, platform_vault, config.info, to_treasury, Some(&config_seeds))?;
        }
        n.stake = math::sub(n.stake, slashed)?;
        c.total_staked = math::sub(c.total_staked, slashed)?;
        n.status = NODE_BANNED;
        n.jobs_failed = math::inc_u32(n.jobs_failed, 1)?;
        let penalty = c.params.penalty_dispute_lost;
        reputation::adjust(n, penalty, &c.params)?;
        e.state = ESCROW_RESOLVED_CLIENT;
        event::emit(StakeSlashed { node: *node.key(), slashed, to_insurance: 0, burned: 0, to_client, to_treasury, remaining: n.stake });
    } else {
        let (worker_amount, fee) = super::complete::settlement(e.amount, n.reputation, c)?;
        cpi::token_transfer(vault, worker_token_info, config.info, worker_amount, Some(&config_seeds))?;
        if fee > 0 {
            cpi::token_transfer(vault, platform_vault, config.info, fee, Some(&config_seeds))?;
        }
        n.jobs_completed = math::inc_u32(n.jobs_completed, 1)?;
        n.total_earned = math::add(n.total_earned, worker_amount)?;
        reputation::adjust(n, p.reward_dispute_won, p)?;
        e.state = ESCROW_RESOLVED_WORKER;
    }
    n.jobs_active = math::dec_u32(n.jobs_active)?;
    e.completed_at = sys::clock().unix_timestamp;
    d.state = DISPUTE_RESOLVED;
    d.winner = winner;

    event::emit(DisputeResolved { dispute: *dispute.key(), escrow: *escrow.key(), for_client: d.for_client, for_worker: d.for_worker, quorum, winner: winner as u64 });
    Ok(())
}
