//! `create_escrow(nonce, job_id, amount, spec_hash, estimated_seconds, timeout_secs, epochs_total,
//! [tier, circuit_id, [data_commitment, [challenge_commitment]]])`:
//! the client locks `amount` tokens for a job awarded to a registered worker. Creates the `Escrow`
//! PDA ["escrow", client, nonce] and its token vault ["escrow_vault", escrow] (token authority
//! `Config`), then moves the tokens by CPI. The worker must be active, hold the stake the job's
//! size requires, and be in a reputation tier allowed that size. The client may open at most
//! `jobs_per_wallet_per_day` escrows per fixed window (its `ClientState` PDA ["client", client],
//! created on its first job).
//!
//! The escrow is an offer until its worker signs `accept_job`: nothing here touches the worker's
//! record (assigned and active jobs, stake lock) and no deadline runs against it yet — `deadline`
//! is set to `now + timeout_secs` as the offer's expiry and restarted from the acceptance. Until
//! then only the client may take the tokens back (`cancel`, in full, no fee, no slash). The
//! amount must be at least `min_escrow_amount` (`AmountBelowMinimum`) and the timeout at least
//! `min_escrow_timeout_secs` (`InvalidTimeout`): no dust offers, no deadline nobody can meet.
//!
//! zk tier: the escrow pins its verifying key. Account 10 is the key account
//! `["vk", circuit_id]`; it must hold a complete key (else `VerifyingKeyNotSet`), and the escrow
//! records the SHA-256 of its bytes (`vk_hash`), which `complete_zk` checks again: replacing the
//! key later cannot change the statement this escrow pays for. The optimistic tier reads no
//! account 10 (a client may omit it, or pass any placeholder as Anchor does for a missing
//! optional account).
//!
//! zk tier: the escrow also records the client's dataset commitment (`data_commitment`: the
//! Poseidon root of the job's batch commitments, the step proof's public input `data`). It must be
//! a canonical, non-zero field element (else `InvalidDataCommitment`). An optimistic escrow
//! carries none: its commitment, if sent at all, must be zero (the client always encodes the
//! 32 bytes; older clients omit them, or all three trailing arguments).
//!
//! zk tier: the escrow records the client's `challenge_commitment`, the SHA-256 of a fresh 32-byte
//! secret (non-zero, else `InvalidChallengeCommitment`; an optimistic escrow must carry zero or
//! omit it). After the worker anchors its final root the client reveals the secret
//! (`reveal_challenge`) and the challenged step is drawn from it and a slot hash: the worker,
//! who chose its root without knowing the secret, cannot predict or grind its step (audit
//! finding 2). If the client never reveals, `draw_challenge` draws from a slot hash alone once
//! `reveal_window_secs` have passed.
//!
//! Accounts: 0 client (signer, writable, pays) · 1 config (writable) · 2 worker_node (writable)
//! · 3 escrow (writable, PDA) · 4 escrow_vault (writable, PDA) · 5 client_token (writable) ·
//! 6 mint (= config.mint) · 7 client_state (writable, PDA) · 8 system_program · 9 token_program
//! · 10 verifying_key (zk tier only, optional otherwise).

use crate::account::{self, Account, TokenAccount};
use crate::accounts;
use crate::args::Args;
use crate::error::{Error, Result};
use crate::event::{self, EscrowCreated};
use crate::input::{AccountInfo, Input};
use crate::ix::shared::check_worker_may_take;
use crate::state::{ClientState, Config, ConfigParams, Escrow, Node, VerifyingKey, ESCROW_FUNDED, TIER_OPTIMISTIC, TIER_ZK};
use crate::cpi::Seeds;
use crate::sys::{self, Bytes};
use crate::{cpi, math, require, seeds, zk};

accounts! {
    /// The accounts, in the header's order: owners and types of the existing ones checked, the PDAs
    /// to create and the token accounts by `process`; the verifying key (account 10) is read only for
    /// the zk tier, after the arguments (`AccountNotEnoughKeys` then if it is missing).
    pub struct CreateEscrowAccounts {
        client: signer_mut, config: load_mut(Config),
        // Writable in the account list (older clients); only read: the worker's record changes at `accept_job`.
        node: load(Node), escrow: info, vault: info, client_token: info, mint: info, client_state: info,
        _: system_program, _: token_program, verifying_key: optional,
    }
}

pub fn process(input: &Input) -> Result {
    let pid = &input.program_id;
    let CreateEscrowAccounts {
        client, config, node, escrow: escrow_info, vault: vault_info, client_token: client_token_info, mint: mint_info,
        client_state: client_state_info, verifying_key,
    } = CreateEscrowAccounts::load(input)?;

    let mut args = Args::new(input.data);
    let nonce = args.u64()?;
    let job_id = args.bytes32()?;
    let amount = args.u64()?;
    let spec_hash = args.bytes32()?;
    let estimated_seconds = args.u64()?;
    let timeout_secs = args.i64()?;
    let epochs_total = args.u32()?;
    // Optional trailing arguments (older clients omit them): the spec's verification tier and,
    // for zk, the circuit whose key checks the step proof, then the dataset commitment (absent
    // reads as zero).
    let (tier, circuit_id) = if args.is_empty() { (TIER_OPTIMISTIC, 0) } else { (args.u8()?, args.u32()?) };
    let zero = [0u8; 32];
    let data_commitment = if args.is_empty() { &zero } else { args.bytes32()? };
    let challenge_commitment = if args.is_empty() { &zero } else { args.bytes32()? };
    args.finish()?;
    require!(tier == TIER_OPTIMISTIC || tier == TIER_ZK, Error::InvalidTier);
    // A zk job needs a step to challenge (two checkpoints) and fits the circuits' tree.
    require!(tier != TIER_ZK || (epochs_total >= 2 && epochs_total <= zk::MAX_LEAVES), Error::InvalidEpoch);
    // zk: the data the proof's batches are bound to, a canonical non-zero field element; the
    // optimistic tier carries none.
    let committed = !sys::equal(data_commitment, &zero);
    require!(if tier == TIER_ZK { committed && zk::is_field(data_commitment) } else { !committed }, Error::InvalidDataCommitment);
    // zk: the SHA-256 of the client's secret, revealed after the final anchor to draw the
    // challenge (`reveal_challenge`); the optimistic tier has no challenge to draw.
    let has_challenge_commitment = !sys::equal(challenge_commitment, &zero);
    require!(has_challenge_commitment == (tier == TIER_ZK), Error::InvalidChallengeCommitment);
    let vk_hash = if tier == TIER_ZK {
        pinned_key_hash(verifying_key.ok_or(Error::AccountNotEnoughKeys)?, pid, circuit_id)?
    } else {
        [0u8; 32]
    };

    // SAFETY: no other borrow of `config`'s data is used while `c` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let c = unsafe { config.get_mut() };
    let p = &c.params;
    require!(amount > 0, Error::ZeroAmount);
    require!(amount >= p.min_escrow_amount, Error::AmountBelowMinimum);
    require!(timeout_secs >= p.min_escrow_timeout_secs && timeout_secs <= p.escrow_timeout_secs, Error::InvalidTimeout);
    // The job must be expected to finish before its deadline; this also bounds the estimate below
    // 2^32, which the time-accuracy arithmetic relies on.
    require!(estimated_seconds > 0 && estimated_seconds <= timeout_secs as u64, Error::InvalidEstimate);
    require!(epochs_total > 0, Error::InvalidEpoch);
    account::address(mint_info, &c.mint)?;
    TokenAccount::load_owned(client_token_info, &c.mint, client.key())?;

    let now = sys::clock().unix_timestamp;
    let n = node.get();
    require!(&n.owner != client.key(), Error::SelfDealing);
    check_worker_may_take(n, p, amount, now)?;

    take_rate_limit(client, client_state_info, pid, p, now)?;

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
    // SAFETY: no other borrow of `escrow`'s data is used while `e` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let e = unsafe { escrow.get_mut() };
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
    e.last_progress_at = now;
    e.epochs_total = epochs_total;
    e.tier = tier;
    e.circuit_id = circuit_id;
    sys::copy(&mut e.vk_hash, &vk_hash);
    sys::copy(&mut e.data_commitment, data_commitment);
    sys::copy(&mut e.challenge_commitment, challenge_commitment);
    e.state = ESCROW_FUNDED;
    e.bump = escrow_bump;
    e.vault_bump = vault_bump;
    e.accepted = 0;
    // The parameters this escrow settles under, whatever `update_config` does later (finding 15).
    e.terms = *p;

    c.escrow_count = math::add(c.escrow_count, 1)?;

    event::emit(EscrowCreated { escrow: *escrow_info.key(), client: *client.key(), worker: n.owner, job_id: *job_id, amount, deadline });
    Ok(())
}

/// SHA-256 of the complete verifying key in `info`, which must be `["vk", circuit_id]`.
/// `VerifyingKeyNotSet` when no key was ever written there or its chunks are incomplete.
#[inline(never)]
fn pinned_key_hash(info: AccountInfo, pid: &crate::pubkey::Pubkey, circuit_id: u32) -> Result<[u8; 32]> {
    if info.owner() != pid {
        // Not created yet: the right address (else `ConstraintSeeds`) holds no key.
        let id_le = circuit_id.to_le_bytes();
        account::expect_pda(info, &[Bytes::of(seeds::VK), Bytes::of(&id_le)], pid)?;
        return Err(Error::VerifyingKeyNotSet);
    }
    let vk = Account::<VerifyingKey>::load(info, pid)?;
    let k = vk.get();
    // Key accounts are only created at ["vk", id] holding that id.
    require!(k.circuit_id == circuit_id, Error::ConstraintSeeds);
    let key = k.key().map_err(|_| Error::VerifyingKeyNotSet)?;
    Ok(sys::sha256(&[Bytes::of(key)]))
}

/// The client's rate limit (`takeRateLimit`): a fixed window that starts at the first job after
/// the previous window ended (or if the clock went back); at most `jobs_per_wallet_per_day` jobs
/// in it. Creates the client's `ClientState` PDA on its first job.
fn take_rate_limit(client: AccountInfo, info: AccountInfo, pid: &crate::pubkey::Pubkey, p: &ConfigParams, now: i64) -> Result {
    let (state, created) = if info.owner() == &crate::pubkey::SYSTEM_PROGRAM_ID && info.data_len() == 0 {
        let bump = account::expect_pda(info, &[Bytes::of(seeds::CLIENT), Bytes::of(client.key().as_bytes())], pid)?;
        let s = Account::<ClientState>::init(client, info, pid,
            &Seeds(&[Bytes::of(seeds::CLIENT), Bytes::of(client.key().as_bytes()), Bytes::of(&[bump])]))?;
        // SAFETY: no other borrow of `s`'s data is used while `cs` lives; accounts never
        // alias and no CPI can write a program account (`Account::get_mut`'s contract).
        let cs = unsafe { s.get_mut() };
        cs.client = *client.key();
        cs.bump = bump;
        (s, true)
    } else {
        (Account::<ClientState>::load_mut(info, pid)?, false)
    };
    // SAFETY: no other borrow of `state`'s data is used while `cs` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let cs = unsafe { state.get_mut() };
    // ClientState accounts are only ever created at ["client", client] holding that client, so
    // the stored key ties a loaded one to its seeds.
    require!(created || &cs.client == client.key(), Error::ConstraintSeeds);
    let window_end = math::add_i64(cs.window_start, p.rate_limit_window_secs)?;
    if cs.jobs_in_window == 0 || now >= window_end || now < cs.window_start {
        cs.window_start = now;
        cs.jobs_in_window = 0;
    }
    require!(cs.jobs_in_window < p.jobs_per_wallet_per_day as u32, Error::RateLimited);
    cs.jobs_in_window = math::inc_u32(cs.jobs_in_window, 1)?;
    Ok(())
}
