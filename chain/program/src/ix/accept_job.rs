//! `accept_job()`: the escrow's named worker accepts the offer a client's `create_escrow` made.
//! Until this signature the escrow exposes the worker to nothing: no deadline, no
//! `timeout_refund`, no dispute, no slash — so nobody can fund an escrow naming a worker who never
//! agreed to it and then slash that worker for not doing it (audit finding 1).
//!
//! The worker accepts before the offer expires (`now <= deadline`, else `DeadlinePassed`), once
//! (`AlreadyAccepted`), only a funded escrow (`InvalidEscrowState`), and only while it may still
//! take a job of that size (active, staked and reputed enough, as `create_escrow` checks). The
//! deadline restarts from the acceptance with the escrow's timeout (`deadline − created_at`), so
//! a client cannot eat the worker's time by letting the offer sit. The job then counts as
//! assigned in the worker's record (reputation credit only from `rep_credit_min_amount`), one
//! more active job, and extends the stake lock by `stake_lock_per_active_job_secs`
//! (`extendLockForJob`).
//!
//! The job's estimated time per epoch, ceil(estimated_seconds / epochs_total), must not exceed
//! the escrow's no-progress timeout (`EpochExceedsNoProgressTimeout`): the worker anchors once per
//! epoch, and an escrow with no anchor for longer than the timeout is refundable with a slash
//! (`timeout_refund`), so an epoch longer than it would slash an honest worker.
//!
//! The worker checks the escrow's terms off-chain before signing (amount against its bid, the
//! timeout against its own estimate: `peer/roles/worker.ts`).
//!
//! Accounts: 0 worker (signer, = escrow.worker) · 1 config · 2 worker_node (writable, owner =
//! worker) · 3 escrow (writable).

use crate::accounts;
use crate::error::{Error, Result};
use crate::event::{self, JobAccepted};
use crate::input::Input;
use crate::ix::shared::check_worker_may_take;
use crate::state::{Config, Escrow, Node, ESCROW_FUNDED};
use crate::{math, progress, reputation, require, sys};

accounts! {
    pub struct AcceptJobAccounts {
        worker: signer, config: load(Config), node: load_mut(Node), escrow: load_mut(Escrow),
    }
}

pub fn process(input: &Input) -> Result {
    let AcceptJobAccounts { worker, config, node, escrow } = AcceptJobAccounts::load(input)?;
    crate::args::Args::new(input.data).finish()?;

    let p = &config.get().params;
    // SAFETY: no other borrow of `escrow`'s data is used while `e` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let e = unsafe { escrow.get_mut() };
    // SAFETY: no other borrow of `node`'s data is used while `n` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let n = unsafe { node.get_mut() };
    require!(&e.worker == worker.key(), Error::ConstraintHasOne);
    // Node accounts are only created at ["node", owner] holding that owner.
    require!(&n.owner == worker.key(), Error::ConstraintHasOne);
    require!(e.state == ESCROW_FUNDED, Error::InvalidEscrowState);
    require!(e.accepted == 0, Error::AlreadyAccepted);
    let now = sys::clock().unix_timestamp;
    require!(now <= e.deadline, Error::DeadlinePassed);
    check_worker_may_take(n, p, e.amount, now)?;
    require!(
        progress::epoch_fits(e.estimated_seconds, e.epochs_total, e.terms.no_progress_timeout_secs),
        Error::EpochExceedsNoProgressTimeout
    );

    // The timeout the client chose (create_escrow set deadline = created_at + timeout), from now.
    let timeout = math::sub_i64(e.deadline, e.created_at)?;
    e.deadline = math::add_i64(now, timeout)?;
    e.accepted = 1;
    e.accepted_at = now;
    e.last_progress_at = now;

    n.jobs_active = math::inc_u32(n.jobs_active, 1)?;
    e.credited = (e.amount >= p.rep_credit_min_amount) as u8;
    if e.credited != 0 {
        n.jobs_assigned = math::inc_u32(n.jobs_assigned, 1)?;
    }
    // extendLockForJob: 7 more days from the later of the current lock and now.
    n.lock_until = math::add_i64(if n.lock_until > now { n.lock_until } else { now }, p.stake_lock_per_active_job_secs)?;
    reputation::refresh(n, p)?;

    event::emit(JobAccepted { escrow: *escrow.key(), worker: e.worker, deadline: e.deadline });
    Ok(())
}
