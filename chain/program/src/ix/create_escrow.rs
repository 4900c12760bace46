//! `create_escrow(nonce, job_id, amount, spec_hash, estimated_seconds, timeout_secs)`: the client
//! locks `amount` tokens for a job awarded to a registered worker. Creates the `Escrow` PDA
//! ["escrow", client, nonce] and its token vault ["escrow_vault", escrow] (token authority
//! `Config`), then moves the tokens by CPI. The worker must be active, hold the stake the job's
//! size requires, and be in a reputation tier allowed that size.
//!
//! Accounts: 0 client (signer, writable, pays) · 1 config (writable) · 2 worker_node (writable)
//! · 3 escrow (writable, PDA) · 4 escrow_vault (writable, PDA) · 5 client_token (writable) ·
//! 6 mint (= config.mint) · 7 system_program · 8 token_program.

use crate::account::{self, Account, AccountIter, TokenAccount};
use crate::args::Args;
use crate::error::{Error, Result};
use crate::event::{self, EscrowCreated};
use crate::input::Input;
use crate::state::{Config, Escrow, Node, ESCROW_FUNDED, NODE_ACTIVE};
use crate::cpi::Seeds;
use crate::sys::{self, Bytes};
use crate::{cpi, math, require, seeds};

pub fn process(input: &Input) -> Result {
    let pid = &input.program_id;
    let mut it = AccountIter::new(input.accounts);
    let client = account::signer_mut(it.next()?)?;
    let config = Account::<Config>::load_mut(it.next()?, pid)?;
    let node = Account::<Node>::load_mut(it.next()?, pid)?;
    let escrow_info = it.next()?;
    let vault_info = it.next()?;
    let client_token_info = it.next()?;
    let mint_info = it.next()?;
    account::system_program(it.next()?)?;
    account::token_program(it.next()?)?;

    let mut args = Args::new(input.data);
    let nonce = args.u64()?;
    let job_id = args.bytes32()?;
    let amount = args.u64()?;
    let spec_hash = args.bytes32()?;
    let estimated_seconds = args.u64()?;
    let timeout_secs = args.i64()?;
    args.finish()?;

    let c = config.get_mut();
    let p = &c.params;
    require!(amount > 0, Error::ZeroAmount);
    require!(timeout_secs > 0 && timeout_secs <= p.escrow_timeout_secs, Error::InvalidTimeout);
    account::address(mint_info, &c.mint)?;
    let client_token = TokenAccount::load_mut(client_token_info, &c.mint)?;
    require!(client_token.authority() == client.key(), Error::ConstraintTokenOwner);

    let now = sys::clock().unix_timestamp;
    let n = node.get_mut();
    require!(&n.owner != client.key(), Error::SelfDealing);
    require!(n.status == NODE_ACTIVE && n.suspended_until <= now && n.unstake_requested_at == 0, Error::NodeNotActive);
    require!(n.stake >= p.stake_tier_min_stake[p.stake_tier_for(amount)], Error::InsufficientStakeForJob);
    let rep_max = p.rep_tier_max_job[p.rep_tier_of(n.reputation)];
    require!(rep_max == u64::MAX || amount < rep_max, Error::ReputationTierTooLow);

    let nonce_le = nonce.to_le_bytes();
    let escrow_bump = account::expect_pda(escrow_info,
        &[Bytes::of(seeds::ESCROW), Bytes::of(client.key().as_bytes()), Bytes::of(&nonce_le)], pid)?;
    let vault_bump = account::expect_pda(vault_info, &[Bytes::of(seeds::ESCROW_VAULT), Bytes::of(escrow_info.key().as_bytes())], pid)?;

    let escrow = Account::<Escrow>::init(client, escrow_info, pid,
        &Seeds(&[Bytes::of(seeds::ESCROW), Bytes::of(client.key().as_bytes()), Bytes::of(&nonce_le), Bytes::of(&[escrow_bump])]))?;
    account::create_token_vault(client, vault_info, mint_info, config.key(),
        &Seeds(&[Bytes::of(seeds::ESCROW_VAULT), Bytes::of(escrow_info.key().as_bytes()), Bytes::of(&[vault_bump])]))?;
    cpi::token_transfer(client_token_info, vault_info, client, amount, None)?;

    let deadline = math::add_i64(now, timeout_secs)?;
    let e = escrow.get_mut();
    e.client = *client.key();
    e.worker = n.owner;
    e.vault = *vault_info.key();
    sys::copy(&mut e.job_id, job_id);
    sys::copy(&mut e.spec_hash, spec_hash);
    e.nonce = nonce;
    e.amount = amount;
    e.estimated_seconds = estimated_seconds;
    e.created_at = now;
    e.deadline = deadline;
    e.state = ESCROW_FUNDED;
    e.bump = escrow_bump;
    e.vault_bump = vault_bump;
    n.jobs_active = n.jobs_active.checked_add(1).ok_or(Error::ArithmeticOverflow)?;
    c.escrow_count = math::add(c.escrow_count, 1)?;

    event::emit(EscrowCreated { escrow: *escrow_info.key(), client: *client.key(), worker: n.owner, job_id: *job_id, amount, deadline });
    Ok(())
}
