//! `open_dispute(evidence_cid)`: the client or the worker of a funded, accepted escrow, before its deadline,
//! disputes it (a delivered optimistic escrow: within its challenge window instead). The escrow is
//! frozen (no complete, cancel, timeout or claim) until `finalize_dispute`.
//! Creates the `Dispute` PDA ["dispute", escrow] and its vote vault ["vote_vault", dispute]; the
//! evidence window runs `evidence_window_secs`; the first jury's commit window
//! (`commit_window_secs`) follows it, then its reveal window (`jury_reveal_window_secs`). The
//! dispute records the current slot (`seed_slot`: the jury's seed is a later slot's hash) and
//! `Config.total_staked` (the sortition's denominator; `draw_jury`).
//! The claimant locks `dispute_bond` tokens from its token account in the vote vault (audit
//! finding 5: a dispute freezes the other side's payment, so it is not free): `finalize_dispute`
//! returns the bond to a winning claimant and pays it to the respondent otherwise.
//!
//! Accounts: 0 claimant (signer, writable, pays) · 1 config · 2 escrow (writable) · 3 dispute
//! (writable, PDA) · 4 vote_vault (writable, PDA) · 5 mint (= config.mint) · 6 system_program ·
//! 7 token_program · 8 claimant_token (writable, the claimant's CYXWIZ account).

use crate::account::{self, Account, TokenAccount};
use crate::accounts;
use crate::args::Args;
use crate::error::{Error, Result};
use crate::event::{self, DisputeOpened};
use crate::input::Input;
use crate::state::{Config, Dispute, Escrow, DISPUTE_OPEN, ESCROW_DISPUTED, ESCROW_FUNDED, SIDE_CLIENT, SIDE_WORKER};
use crate::cpi::Seeds;
use crate::sys::{self, Bytes};
use crate::{cpi, math, require, seeds};

accounts! {
    /// The accounts, in the header's order (owners and types of the existing ones checked; the PDAs
    /// to create, the mint and the token account by `process`).
    pub struct OpenDisputeAccounts {
        claimant: signer_mut, config: load(Config), escrow: load_mut(Escrow), dispute: info, vote_vault: info,
        mint: info, _: system_program, _: token_program, claimant_token: info,
    }
}

pub fn process(input: &Input) -> Result {
    let pid = &input.program_id;
    let OpenDisputeAccounts {
        claimant, config, escrow, dispute: dispute_info, vote_vault: vault_info, mint: mint_info, claimant_token: claimant_token_info,
    } = OpenDisputeAccounts::load(input)?;
    let mut args = Args::new(input.data);
    let cid = args.bytes64()?;
    args.finish()?;

    let c = config.get();
    // SAFETY: no other borrow of `escrow`'s data is used while `e` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let e = unsafe { escrow.get_mut() };
    let side = if &e.client == claimant.key() {
        SIDE_CLIENT
    } else if &e.worker == claimant.key() {
        SIDE_WORKER
    } else {
        return Err(Error::NotAParty);
    };
    require!(e.state == ESCROW_FUNDED, Error::InvalidEscrowState);
    // No dispute (and so no fraud slash) over an offer the worker never accepted.
    require!(e.accepted != 0, Error::NotAccepted);
    let now = sys::clock().unix_timestamp;
    if e.delivered != 0 {
        // A delivered optimistic job: disputes only within its challenge window (even past the
        // deadline); after it the worker may claim the payment.
        require!(now < math::add_i64(e.delivered_at, e.terms.challenge_window_secs)?, Error::DeadlinePassed);
    } else {
        require!(now <= e.deadline, Error::DeadlinePassed);
    }
    account::address(mint_info, &c.mint)?;
    TokenAccount::load_owned(claimant_token_info, &c.mint, claimant.key())?;

    let escrow_key = escrow.key().as_bytes();
    let bump = account::expect_pda(dispute_info, &[Bytes::of(seeds::DISPUTE), Bytes::of(escrow_key)], pid)?;
    let vault_bump = account::expect_pda(vault_info, &[Bytes::of(seeds::VOTE_VAULT), Bytes::of(dispute_info.key().as_bytes())], pid)?;
    let dispute = Account::<Dispute>::init(claimant, dispute_info, pid,
        &Seeds(&[Bytes::of(seeds::DISPUTE), Bytes::of(escrow_key), Bytes::of(&[bump])]))?;
    account::create_token_vault(claimant, vault_info, mint_info, config.key(),
        &Seeds(&[Bytes::of(seeds::VOTE_VAULT), Bytes::of(dispute_info.key().as_bytes()), Bytes::of(&[vault_bump])]))?;

    let bond = c.params.dispute_bond;
    if bond > 0 {
        cpi::token_transfer(claimant_token_info, vault_info, claimant, bond, None)?;
    }

    // SAFETY: no other borrow of `dispute`'s data is used while `d` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let d = unsafe { dispute.get_mut() };
    d.bond = bond;
    d.escrow = *escrow.key();
    d.client = e.client;
    d.worker = e.worker;
    d.vote_vault = *vault_info.key();
    if side == SIDE_CLIENT {
        sys::copy(&mut d.client_evidence, cid);
    } else {
        sys::copy(&mut d.worker_evidence, cid);
    }
    d.opened_at = now;
    d.evidence_deadline = math::add_i64(now, c.params.evidence_window_secs)?;
    d.commit_deadline = math::add_i64(d.evidence_deadline, c.params.commit_window_secs)?;
    d.reveal_deadline = math::add_i64(d.commit_deadline, c.params.jury_reveal_window_secs)?;
    d.seed_slot = sys::clock().slot;
    d.total_staked = c.total_staked;
    d.claimant = side;
    d.state = DISPUTE_OPEN;
    d.bump = bump;
    d.vault_bump = vault_bump;
    e.state = ESCROW_DISPUTED;

    event::emit(DisputeOpened {
        dispute: *dispute_info.key(), escrow: *escrow.key(), claimant: *claimant.key(),
        evidence_deadline: d.evidence_deadline, commit_deadline: d.commit_deadline, bond,
    });
    Ok(())
}
