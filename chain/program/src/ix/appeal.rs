//! `appeal()`: the losing party of a resolved (recorded, not yet finalized) round-0 verdict, before
//! `appeal_deadline`, deposits `dispute_bond` tokens (the appeal deposit) into the dispute's vote vault and reopens
//! voting for `voting_window_secs` (no new evidence window: the first round's evidence stands;
//! `submit_evidence` is closed). The appeal round needs `appeal_quorum_multiplier` × the quorum.
//! Round 0's tally moves to `first_for_*` and the current tally restarts at zero: first-round
//! votes do not count in the appeal; they may be withdrawn at once (a first-round voter withdraws
//! before voting again, since its `Vote` PDA is one per wallet). One appeal per dispute.
//!
//! Accounts: 0 appellant (signer, = dispute.client or dispute.worker) · 1 config · 2 dispute
//! (writable) · 3 appellant_token (writable, the appellant's CYXWIZ account) · 4 vote_vault
//! (writable, = dispute.vote_vault) · 5 token_program.

use crate::account::{self, Account, AccountIter, TokenAccount};
use crate::error::{Error, Result};
use crate::event::{self, DisputeAppealed};
use crate::input::Input;
use crate::state::{Config, Dispute, DISPUTE_OPEN, DISPUTE_RESOLVED, SIDE_CLIENT, SIDE_WORKER};
use crate::{cpi, math, require, sys};

pub fn process(input: &Input) -> Result {
    let pid = &input.program_id;
    let mut it = AccountIter::new(input.accounts);
    let appellant = account::signer(it.next()?)?;
    let config = Account::<Config>::load(it.next()?, pid)?;
    let dispute = Account::<Dispute>::load_mut(it.next()?, pid)?;
    let appellant_token_info = it.next()?;
    let vote_vault = it.next()?;
    account::token_program(it.next()?)?;
    crate::args::Args::new(input.data).finish()?;

    let c = config.get();
    let d = dispute.get_mut();
    let side = if &d.client == appellant.key() {
        SIDE_CLIENT
    } else if &d.worker == appellant.key() {
        SIDE_WORKER
    } else {
        return Err(Error::NotAParty);
    };
    require!(d.state == DISPUTE_RESOLVED, Error::InvalidDisputeState);
    require!(d.round == 0, Error::AlreadyAppealed);
    require!(side != d.winner, Error::Unauthorized); // only the loser appeals
    let now = sys::clock().unix_timestamp;
    require!(now < d.appeal_deadline, Error::AppealWindowClosed);
    account::writable(account::address(vote_vault, &d.vote_vault)?)?;
    let token = TokenAccount::load_mut(appellant_token_info, &c.mint)?;
    require!(token.authority() == appellant.key(), Error::ConstraintTokenOwner);

    let deposit = c.params.dispute_bond;
    if deposit > 0 {
        cpi::token_transfer(appellant_token_info, vote_vault, appellant, deposit, None)?;
    }
    d.appeal_deposit = deposit;
    d.first_for_client = d.for_client;
    d.first_for_worker = d.for_worker;
    d.first_winner = d.winner;
    d.for_client = 0;
    d.for_worker = 0;
    d.voters = 0;
    d.round = 1;
    d.appellant = side;
    d.evidence_deadline = now;
    d.voting_deadline = math::add_i64(now, c.params.voting_window_secs)?;
    d.state = DISPUTE_OPEN;

    event::emit(DisputeAppealed { dispute: *dispute.key(), appellant: *appellant.key(), deposit, voting_deadline: d.voting_deadline });
    Ok(())
}
