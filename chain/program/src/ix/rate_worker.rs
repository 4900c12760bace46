//! `rate_worker(stars)`: the client rates the worker of a completed job, once. Feeds the rating
//! component (stars summed over ratings), and a top rating adds the five-star recovery, weighted
//! by the job's paid value (`reputation::value_weighted`).
//!
//! A rating counts only on a credited job (the client paid at least `rep_credit_min_amount` for
//! it) and only from a client with a paid history: at least `rep_min_rater_paid_jobs` earlier
//! paid, credited jobs that it rated (`ClientState.paid_jobs`, with any worker). Each credited job
//! rated then joins that history. A fresh wallet's first ratings move nobody's score (audit
//! finding 7).
//!
//! Accounts: 0 client (signer) · 1 config · 2 escrow (writable) · 3 worker_node (writable) ·
//! 4 client_state (writable, PDA ["client", client]).

use crate::account::Account;
use crate::accounts;
use crate::args::Args;
use crate::error::{Error, Result};
use crate::event::{self, WorkerRated};
use crate::input::Input;
use crate::state::{ClientState, Config, Escrow, Node, ESCROW_COMPLETED};
use crate::{math, reputation, require};

accounts! {
    pub struct RateWorkerAccounts {
        client: signer, config: load(Config), escrow: load_mut(Escrow), node: load_mut(Node),
        client_state: info,
    }
}

pub fn process(input: &Input) -> Result {
    let pid = &input.program_id;
    let RateWorkerAccounts { client, config, escrow, node, client_state: client_state_info } = RateWorkerAccounts::load(input)?;
    let mut args = Args::new(input.data);
    let stars = args.u8()?;
    args.finish()?;

    let p = &config.get().params;
    // SAFETY: no other borrow of `escrow`'s data is used while `e` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let e = unsafe { escrow.get_mut() };
    // SAFETY: no other borrow of `node`'s data is used while `n` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let n = unsafe { node.get_mut() };
    require!(&e.client == client.key(), Error::ConstraintHasOne);
    require!(e.state == ESCROW_COMPLETED, Error::InvalidEscrowState);
    require!(e.rated == 0, Error::AlreadyRated);
    require!(stars >= 1 && stars as u16 <= p.max_stars, Error::InvalidStars);
    require!(n.owner == e.worker, Error::ConstraintHasOne);
    let client_state = Account::<ClientState>::load_mut(client_state_info, pid)?;
    // SAFETY: no other borrow of `client_state`'s data is used while `cs` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let cs = unsafe { client_state.get_mut() };
    // ClientState accounts exist only at ["client", client] holding that client (create_escrow).
    require!(&cs.client == client.key(), Error::ConstraintHasOne);

    e.rated = 1;
    // A rating counts only on a job that earned credit: the client paid at least
    // `rep_credit_min_amount` for it (so a rating costs at least that job's platform fee).
    if e.credited == 0 {
        event::emit(WorkerRated { escrow: *escrow.key(), worker: e.worker, stars: stars as u64, reputation: n.reputation as u64 });
        return Ok(());
    }
    // Only from a client with a paid history; this job then joins it.
    let counts = cs.paid_jobs >= p.rep_min_rater_paid_jobs as u32;
    cs.paid_jobs = math::inc_u32(cs.paid_jobs, 1)?;
    if !counts {
        event::emit(WorkerRated { escrow: *escrow.key(), worker: e.worker, stars: stars as u64, reputation: n.reputation as u64 });
        return Ok(());
    }
    n.ratings = math::inc_u32(n.ratings, 1)?;
    n.rating_stars_sum = math::inc_u32(n.rating_stars_sum, stars as u32)?;
    if stars as u16 == p.max_stars {
        reputation::adjust(n, reputation::value_weighted(p.reward_five_star, e.amount, p), p)?;
    } else {
        reputation::refresh(n, p)?;
    }

    event::emit(WorkerRated { escrow: *escrow.key(), worker: e.worker, stars: stars as u64, reputation: n.reputation as u64 });
    Ok(())
}
