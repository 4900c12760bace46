//! The settlement of a failed job, shared by `timeout_refund`, `slash_invalid_proof` and
//! `complete_zk` (a proof that fails its Groth16 check): the client gets the whole amount back
//! from the escrow vault, the worker loses a share of its stake (`slash_stake`: 80 % to the
//! insurance vault, 20 % burned), one failed job and a reputation penalty; the escrow ends in a
//! terminal state. Each caller checks its own preconditions first; this checks the accounts it
//! moves tokens between. `refund_undrawn` is the refund without a slash of a zk escrow whose
//! challenge was never drawn. The worker's side alone (`penalise`) is what `hand_over` applies to
//! the stalled worker it replaces.

use crate::account::{self, Account, AccountIter, TokenAccount};
use crate::error::{Error, Result};
use crate::event::{self, StakeSlashed, TimeoutRefunded};
use crate::input::{AccountInfo, Input};
use crate::ix::shared::VaultAuthority;
use crate::state::{Config, Escrow, Node, ESCROW_PROOF_FAILED, ESCROW_TIMED_OUT};
use crate::sys;
use crate::{math, reputation, require};

const BPS: u16 = 10_000;

/// Why the job failed, which fixes the slash rate, the penalty and the end state.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The deadline passed without the work (`timeout_slash_bps`, `penalty_timeout`, TIMED_OUT).
    Timeout,
    /// The worker's step proof failed or never came (`invalid_proof_slash_bps`,
    /// `penalty_invalid_proof`, one more proof counted and not valid, PROOF_FAILED).
    InvalidProof,
}

/// The accounts of a failed job's settlement (one argument: BPF calls take at most five).
pub struct Refund<'a> {
    pub config: &'a Account<Config>,
    pub escrow: &'a Account<Escrow>,
    pub node: &'a Account<Node>,
    pub vault: AccountInfo,
    pub client_token: AccountInfo,
    pub stake_vault: AccountInfo,
    pub insurance_vault: AccountInfo,
    pub mint: AccountInfo,
}

/// The accounts `timeout_refund` and `slash_invalid_proof` take, in their order: 0 config
/// (writable) · 1 escrow (writable) · 2 escrow_vault · 3 client_token · 4 worker_node (writable) ·
/// 5 stake_vault · 6 insurance_vault · 7 mint · 8 token_program; no instruction data.
pub struct RefundAccounts {
    pub config: Account<Config>,
    pub escrow: Account<Escrow>,
    pub node: Account<Node>,
    vault: AccountInfo,
    client_token: AccountInfo,
    stake_vault: AccountInfo,
    insurance_vault: AccountInfo,
    mint: AccountInfo,
}

impl RefundAccounts {
    /// Loads them from the instruction (owners and types checked; the rest by `check_accounts`
    /// and `refund_and_slash`), and refuses instruction data.
    #[inline(never)]
    pub fn load(input: &Input) -> Result<RefundAccounts> {
        let pid = &input.program_id;
        let mut it = AccountIter::new(input.accounts);
        let config = Account::<Config>::load_mut(it.next()?, pid)?;
        let escrow = Account::<Escrow>::load_mut(it.next()?, pid)?;
        let vault = it.next()?;
        let client_token = it.next()?;
        let node = Account::<Node>::load_mut(it.next()?, pid)?;
        let stake_vault = it.next()?;
        let insurance_vault = it.next()?;
        let mint = it.next()?;
        account::token_program(it.next()?)?;
        crate::args::Args::new(input.data).finish()?;
        Ok(RefundAccounts { config, escrow, node, vault, client_token, stake_vault, insurance_vault, mint })
    }

    /// The settlement's view of them.
    pub fn refund(&self) -> Refund<'_> {
        Refund {
            config: &self.config,
            escrow: &self.escrow,
            node: &self.node,
            vault: self.vault,
            client_token: self.client_token,
            stake_vault: self.stake_vault,
            insurance_vault: self.insurance_vault,
            mint: self.mint,
        }
    }
}

/// Checks every account the settlement touches: the node is the escrow's worker's; the vault is
/// the escrow's; the client token account is a writable CYXWIZ account of the escrow's client; the
/// stake and insurance vaults and the mint are Config's, writable. `complete_zk` runs this before
/// it checks the proof, so that no account a worker chose can turn its failing proof into a plain
/// error instead of the settlement.
#[inline(never)]
pub fn check_accounts(r: &Refund) -> Result {
    let c = r.config.get();
    let e = r.escrow.get();
    require!(r.node.get().owner == e.worker, Error::ConstraintHasOne);
    account::writable_address(r.vault, &e.vault)?;
    TokenAccount::load_owned(r.client_token, &c.mint, &e.client)?;
    check_penalty_accounts(&Penalty { config: r.config, node: r.node, stake_vault: r.stake_vault, insurance_vault: r.insurance_vault, mint: r.mint })
}

/// The first half of both refunds: the accounts checked (`check_accounts`), the job accepted by
/// its worker (audit finding 1: an unsolicited escrow must never fail against it; every caller
/// checks this too, this is the last line), and the escrow's whole amount sent back from the vault
/// to the client, signed by Config.
fn refund_client(r: &Refund) -> Result {
    check_accounts(r)?;
    require!(r.escrow.get().accepted != 0, Error::NotAccepted);
    VaultAuthority::new(r.config.info, r.config.get().bump).transfer(r.vault, r.client_token, r.escrow.get().amount)
}

/// Refunds the client, slashes the worker and closes the escrow as `failure` says; emits
/// `TimeoutRefunded` and `StakeSlashed`. The caller has checked that the escrow is funded and
/// that `failure` applies; the accounts are checked here (`check_accounts`). `config`, `escrow`
/// and `node` must be loaded writable.
#[inline(never)]
pub fn refund_and_slash(r: &Refund, failure: Failure) -> Result {
    refund_client(r)?;
    // SAFETY: no other borrow of `r.escrow`'s data is used while `e` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let e = unsafe { r.escrow.get_mut() };
    e.state = match failure {
        Failure::Timeout => ESCROW_TIMED_OUT,
        Failure::InvalidProof => ESCROW_PROOF_FAILED,
    };
    e.completed_at = sys::clock().unix_timestamp;
    event::emit(TimeoutRefunded { escrow: *r.escrow.key(), client: e.client, amount: e.amount });
    let p = Penalty { config: r.config, node: r.node, stake_vault: r.stake_vault, insurance_vault: r.insurance_vault, mint: r.mint };
    penalise(&p, e, failure, e.completed_at)
}

/// The accounts a failed worker's penalty touches: Config (writable: its totals), the worker's
/// node (writable) and the program's stake and insurance vaults and the mint (checked by
/// `check_penalty_accounts`).
pub struct Penalty<'a> {
    pub config: &'a Account<Config>,
    pub node: &'a Account<Node>,
    pub stake_vault: AccountInfo,
    pub insurance_vault: AccountInfo,
    pub mint: AccountInfo,
}

/// The stake and insurance vaults and the mint are Config's, writable.
#[inline(never)]
pub fn check_penalty_accounts(p: &Penalty) -> Result {
    let c = p.config.get();
    account::writable_address(p.stake_vault, &c.stake_vault)?;
    account::writable_address(p.insurance_vault, &c.insurance_vault)?;
    account::writable_address(p.mint, &c.mint)?;
    Ok(())
}

/// The worker's side of a failed job `e` at `now`, as `failure` says (the escrow's own terms,
/// finding 15): its stake slashed (80 % to the insurance vault, 20 % burned), one active job less
/// and one failed more, the penalty, a failure in its repeated-failures window (the count'th slashes
/// again and suspends it); emits `StakeSlashed` (twice on a repeated failure). The escrow is not
/// changed: `refund_and_slash` ends it, `hand_over` moves it to a new worker. The caller checked
/// the accounts (`check_penalty_accounts`) and that the node is the failed worker's.
#[inline(never)]
pub fn penalise(p: &Penalty, e: &Escrow, failure: Failure, now: i64) -> Result {
    let config = p.config;
    // SAFETY: no other borrow of `config`'s data is used while `c` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let c = unsafe { config.get_mut() };
    // SAFETY: no other borrow of `p.node`'s data is used while `n` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let n = unsafe { p.node.get_mut() };
    let (rate, penalty) = match failure {
        // The escrow's own terms (its creation's parameters), not today's Config (finding 15).
        Failure::Timeout => (e.terms.timeout_slash_bps, e.terms.penalty_timeout),
        Failure::InvalidProof => (e.terms.invalid_proof_slash_bps, e.terms.penalty_invalid_proof),
    };
    let insurance_share_bps = e.terms.slash_insurance_share_bps;
    let vaults = Vaults { stake: p.stake_vault, insurance: p.insurance_vault, mint: p.mint, config: config.info };
    let slash = slash_stake(c, n, rate, insurance_share_bps, &vaults)?;

    n.jobs_active = math::dec_u32(n.jobs_active)?;
    n.jobs_failed = math::inc_u32(n.jobs_failed, 1)?;
    if failure == Failure::InvalidProof {
        n.proofs_total = math::inc_u32(n.proofs_total, 1)?;
    }
    reputation::adjust(n, penalty, &c.params)?;

    event::emit(StakeSlashed {
        node: *p.node.key(), slashed: slash.0, to_insurance: slash.1, burned: slash.2, to_client: 0, to_treasury: 0, remaining: n.stake,
    });

    // Repeated failures (`recordFailure`, the escrow's terms): the count'th failure within the
    // window slashes again, from what is left, and suspends the node; the window starts again.
    if record_failure(n, &e.terms, now) {
        let extra = slash_stake(c, n, e.terms.repeated_failures_slash_bps, insurance_share_bps, &vaults)?;
        let until = math::add_i64(now, e.terms.suspension_secs)?;
        if until > n.suspended_until {
            n.suspended_until = until;
        }
        event::emit(StakeSlashed {
            node: *p.node.key(), slashed: extra.0, to_insurance: extra.1, burned: extra.2, to_client: 0, to_treasury: 0, remaining: n.stake,
        });
    }
    Ok(())
}

/// Counts one failure at `now` in the node's fixed window (`recordFailure` in
/// protocols/rules/slashing.ts): a new window when none is open, it has ended, or the clock went
/// back. Returns true when the count reaches `repeated_failures_count` (then the window restarts
/// empty at `now`).
fn record_failure(n: &mut Node, p: &crate::state::ConfigParams, now: i64) -> bool {
    let ends = n.failures_window_start.saturating_add(p.repeated_failures_window_secs);
    if n.failures_in_window == 0 || now < n.failures_window_start || now >= ends {
        n.failures_window_start = now;
        n.failures_in_window = 1;
    } else {
        n.failures_in_window = n.failures_in_window.saturating_add(1);
    }
    if n.failures_in_window >= p.repeated_failures_count as u32 {
        n.failures_window_start = now;
        n.failures_in_window = 0;
        return true;
    }
    false
}

/// Refunds the client of an anchored zk escrow whose challenge was never drawn, without slashing
/// the worker (audit finding 3: a worker is never punished for a challenge that was not drawn):
/// the whole amount back, no stake slashed, no penalty; the job leaves the worker's active jobs
/// and, credited, its assigned ones (neither completed nor failed, as a client's cancel). The
/// escrow ends TIMED_OUT; emits `TimeoutRefunded`. The caller checked the escrow's state.
#[inline(never)]
pub fn refund_undrawn(r: &Refund) -> Result {
    refund_client(r)?;
    let c = r.config.get();
    // SAFETY: no other borrow of `r.escrow`'s data is used while `e` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let e = unsafe { r.escrow.get_mut() };
    // SAFETY: no other borrow of `r.node`'s data is used while `n` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let n = unsafe { r.node.get_mut() };
    e.state = ESCROW_TIMED_OUT;
    e.completed_at = sys::clock().unix_timestamp;
    n.jobs_active = math::dec_u32(n.jobs_active)?;
    if e.credited != 0 {
        n.jobs_assigned = math::dec_u32(n.jobs_assigned)?;
    }
    reputation::refresh(n, &c.params)?;
    event::emit(TimeoutRefunded { escrow: *r.escrow.key(), client: e.client, amount: e.amount });
    Ok(())
}

/// The program's token accounts a slash moves tokens between.
struct Vaults {
    stake: AccountInfo,
    insurance: AccountInfo,
    mint: AccountInfo,
    config: AccountInfo,
}

/// Slashes `rate_bps` of the node's stake (`slashStake`): slashed = floor(stake × rate), burned =
/// floor(slashed × (10,000 − insurance share)), the rest to the insurance vault. Updates the node's
/// stake and the totals in Config. Returns (slashed, to insurance, burned). The vaults and the
/// mint were checked by `check_accounts`.
#[inline(always)] // five arguments and the returned tuple: BPF calls take at most five
fn slash_stake(c: &mut Config, n: &mut Node, rate_bps: u16, insurance_share_bps: u16, v: &Vaults) -> Result<(u64, u64, u64)> {
    let slashed = math::bps(n.stake, rate_bps)?;
    let burned = math::bps(slashed, BPS - insurance_share_bps)?; // share ≤ 10,000: is_valid (the escrow's terms were)
    let insurance = math::sub(slashed, burned)?;
    let authority = VaultAuthority::new(v.config, c.bump);
    if insurance > 0 {
        authority.transfer(v.stake, v.insurance, insurance)?;
    }
    if burned > 0 {
        authority.burn(v.stake, v.mint, burned)?;
    }
    n.stake = math::sub(n.stake, slashed)?;
    c.total_staked = math::sub(c.total_staked, slashed)?;
    c.total_burned = math::add(c.total_burned, burned)?;
    Ok((slashed, insurance, burned))
}
