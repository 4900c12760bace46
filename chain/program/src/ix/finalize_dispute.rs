//! `finalize_dispute()`: anyone, once `resolve_dispute` recorded the jury's verdict, executes it
//! (`disputeVerdict`); there is no appeal (a round without a verdict is redrawn instead):
//! - client wins: full refund; `fraud_slash_bps` of the stake slashed, floor(50 %) of it to the
//!   client and the rest to the treasury (the platform vault); −200 reputation; permanent ban;
//! - worker wins: paid as a completed job (90/10, 92/8 for Diamond); +5 reputation.
//! - no verdict (the last jury round, `max_jury_rounds`, ended without one; `SIDE_NONE`): the
//!   status quo the dispute froze (`noVerdictOutcome`): a delivered optimistic escrow is paid to the
//!   worker as its undisputed claim would have been (90/10, 92/8 for Diamond), any other escrow is
//!   refunded to the client in full; no slash, no ban, no reputation change, not counted as a
//!   completed job. A jury failure rewards neither side.
//! - unavailable (`SIDE_UNAVAILABLE`, finding 16: the jury could not fetch the evidence after the
//!   evidence and commit windows, the worker's time to serve it): the worker is treated as one that
//!   never delivered (`unavailableOutcome`): the client refunded in full, the worker slashed at the
//!   escrow's `timeout_slash_bps` with `timeout_refund`'s shares, failed job, penalty and repeated-
//!   failures count (`refund::penalise`, `Failure::Timeout`); no ban.
//! The claimant's bond held in the dispute's vault goes back to the claimant if it won or if there
//! was no verdict, to the respondent otherwise (`bondOutcome`); an unavailable verdict counts as
//! the client's win there (the worker could not show its evidence). The jurors' deposits are
//! settled by `withdraw_vote`.
//!
//! Accounts: 0 config (writable) · 1 dispute (writable) · 2 escrow (writable, = dispute.escrow) ·
//! 3 escrow_vault (writable) · 4 worker_node (writable) · 5 client_token (writable) ·
//! 6 worker_token (writable) · 7 platform_vault (writable) · 8 stake_vault (writable) ·
//! 9 vote_vault (writable, = dispute.vote_vault) · 10 insurance_vault (writable) ·
//! 11 mint (writable, = config.mint) · 12 token_program.

use crate::account::{self, TokenAccount};
use crate::accounts;
use crate::error::{Error, Result};
use crate::event::{self, DisputeFinalized, StakeSlashed};
use crate::input::Input;
use crate::state::{
    Config, Dispute, Escrow, Node, DISPUTE_FINALIZED, DISPUTE_RESOLVED, ESCROW_DISPUTED, ESCROW_RESOLVED_CLIENT,
    ESCROW_RESOLVED_WORKER, NODE_BANNED, SIDE_CLIENT, SIDE_NONE, SIDE_UNAVAILABLE,
};
use crate::ix::refund::{penalise, Failure, Penalty};
use crate::ix::shared::{settlement, Payout, VaultAuthority};
use crate::sys;
use crate::{math, reputation, require};

accounts! {
    pub struct FinalizeDisputeAccounts {
        config: load_mut(Config), dispute: load_mut(Dispute), escrow: load_mut(Escrow), vault: info,
        node: load_mut(Node), client_token: info, worker_token: info, platform_vault: info, stake_vault: info,
        vote_vault: info, insurance_vault: info, mint: info, _: token_program,
    }
}

pub fn process(input: &Input) -> Result {
    let FinalizeDisputeAccounts {
        config, dispute, escrow, vault, node, client_token: client_token_info, worker_token: worker_token_info, platform_vault, stake_vault, vote_vault,
        insurance_vault, mint,
    } = FinalizeDisputeAccounts::load(input)?;
    crate::args::Args::new(input.data).finish()?;

    // SAFETY: no other borrow of `config`'s data is used while `c` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let c = unsafe { config.get_mut() };
    // SAFETY: no other borrow of `dispute`'s data is used while `d` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let d = unsafe { dispute.get_mut() };
    // SAFETY: no other borrow of `escrow`'s data is used while `e` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let e = unsafe { escrow.get_mut() };
    // SAFETY: no other borrow of `node`'s data is used while `n` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let n = unsafe { node.get_mut() };
    require!(&d.escrow == escrow.key() && n.owner == e.worker, Error::ConstraintHasOne);
    require!(d.state == DISPUTE_RESOLVED && e.state == ESCROW_DISPUTED, Error::InvalidDisputeState);
    let now = sys::clock().unix_timestamp;
    account::writable_address(vault, &e.vault)?;
    account::writable_address(platform_vault, &c.platform_vault)?;
    account::writable_address(stake_vault, &c.stake_vault)?;
    account::writable_address(vote_vault, &d.vote_vault)?;
    account::writable_address(insurance_vault, &c.insurance_vault)?;
    account::writable_address(mint, &c.mint)?;
    TokenAccount::load_owned(client_token_info, &c.mint, &e.client)?;
    TokenAccount::load_owned(worker_token_info, &c.mint, &e.worker)?;

    let authority = VaultAuthority::new(config.info, c.bump);
    let payout = Payout { authority, vault, worker_token: worker_token_info, platform_vault };
    // Slash rates, fee and penalties from the escrow's own terms (its creation's parameters).
    let p = &e.terms;
    let winner = d.winner;
    if winner == SIDE_CLIENT {
        authority.transfer(vault, client_token_info, e.amount)?;
        let slashed = math::bps(n.stake, p.fraud_slash_bps)?;
        let to_client = math::bps(slashed, p.client_wins_slash_to_client_bps)?;
        let to_treasury = math::sub(slashed, to_client)?;
        if to_client > 0 {
            authority.transfer(stake_vault, client_token_info, to_client)?;
        }
        if to_treasury > 0 {
            authority.transfer(stake_vault, platform_vault, to_treasury)?;
        }
        n.stake = math::sub(n.stake, slashed)?;
        c.total_staked = math::sub(c.total_staked, slashed)?;
        n.status = NODE_BANNED;
        n.jobs_failed = math::inc_u32(n.jobs_failed, 1)?;
        let penalty = p.penalty_dispute_lost;
        reputation::adjust(n, penalty, &c.params)?;
        e.state = ESCROW_RESOLVED_CLIENT;
        event::emit(StakeSlashed { node: *node.key(), slashed, to_insurance: 0, burned: 0, to_client, to_treasury, remaining: n.stake });
    } else if winner == SIDE_UNAVAILABLE {
        // As a worker that never delivered: `timeout_refund`'s refund and slash. `penalise` takes
        // the job off the worker's active ones itself; `c` and `n` are not used after it on this
        // path (it borrows Config and the node anew).
        authority.transfer(vault, client_token_info, e.amount)?;
        e.state = ESCROW_RESOLVED_CLIENT;
        let penalty = Penalty { config: &config, node: &node, stake_vault, insurance_vault, mint };
        penalise(&penalty, e, Failure::Timeout, now)?;
    } else if winner == SIDE_NONE {
        if e.delivered != 0 {
            let (worker_amount, fee) = settlement(e.amount, n.reputation, p)?;
            payout.completed(worker_amount, fee)?;
            n.total_earned = math::add(n.total_earned, worker_amount)?;
            e.state = ESCROW_RESOLVED_WORKER;
        } else {
            authority.transfer(vault, client_token_info, e.amount)?;
            e.state = ESCROW_RESOLVED_CLIENT;
        }
    } else {
        let (worker_amount, fee) = settlement(e.amount, n.reputation, p)?;
        payout.completed(worker_amount, fee)?;
        n.total_earned = math::add(n.total_earned, worker_amount)?;
        if e.credited != 0 {
            n.jobs_completed = math::inc_u32(n.jobs_completed, 1)?;
            n.paid_value = math::add(n.paid_value, e.amount)?;
            reputation::adjust(n, p.reward_dispute_won, &c.params)?;
        }
        e.state = ESCROW_RESOLVED_WORKER;
    }

    // The claimant's bond: back to it if it won, to the respondent (the other party) otherwise.
    // Unavailable evidence is the worker's loss here: the client's side.
    let bond = d.bond;
    let (mut bond_returned, mut bond_to_respondent) = (0u64, 0u64);
    if bond > 0 {
        let bond_side = if winner == SIDE_UNAVAILABLE { SIDE_CLIENT } else { winner };
        let to_client = if winner == SIDE_NONE { d.claimant == SIDE_CLIENT } else { bond_side == SIDE_CLIENT };
        let to = if to_client { client_token_info } else { worker_token_info };
        authority.transfer(vote_vault, to, bond)?;
        if bond_side == d.claimant || winner == SIDE_NONE {
            bond_returned = bond;
        } else {
            bond_to_respondent = bond;
        }
        d.bond = 0;
    }

    if winner != SIDE_UNAVAILABLE {
        // SAFETY: as above; on the unavailable path `penalise` did this (and `n` is not used).
        let n = unsafe { node.get_mut() };
        n.jobs_active = math::dec_u32(n.jobs_active)?;
    }
    e.completed_at = now;
    d.state = DISPUTE_FINALIZED;

    event::emit(DisputeFinalized { dispute: *dispute.key(), escrow: *escrow.key(), winner: winner as u64, bond_returned, bond_to_respondent });
    Ok(())
}
