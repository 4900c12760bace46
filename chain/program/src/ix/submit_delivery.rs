//! `submit_delivery(final_weights_hash, final_chain_hash, final_state, siblings)`: the worker of a
//! funded optimistic escrow, before its deadline, records its delivery. The checkpoint chain it
//! delivers is the one it anchored: `anchor_progress` must already be at the final epoch
//! (`epochs_done == epochs_total`, else `FinalRootNotAnchored`), and the final checkpoint must be
//! the LAST leaf of that anchored Poseidon root, checked here with `sol_poseidon` exactly as step 1
//! of `complete_zk`: C_N = Poseidon(CHECKPOINT_DOMAIN, hi(H_N), lo(H_N), S_N) from the final chain
//! hash H_N and state commitment S_N (a field element; for a float checkpoint the digest
//! commitment of its state hash), hashed up the tree of `epochs_total` leaves with `siblings`
//! (the left siblings of the last leaf, leaves first), must equal `escrow.progress_root`
//! (`InvalidInclusion` otherwise).
//!
//! The final leaf also binds the delivered weights (audit finding 4): an optimistic run's last
//! state commitment S_N is the digest commitment of the final weights hash,
//! S_N = Poseidon(DIGEST_DOMAIN, hi(W), lo(W)) with W = `final_weights_hash` (SHA-256 of the
//! canonical encoding of the final parameters), checked here (`WeightsNotCommitted`). H_N already
//! commits to the whole final state (weights and optimizer) through the chain's state hash, so the
//! weights the client pays for are the ones the anchored, re-executable chain ends with: a worker
//! cannot anchor one chain and deliver other bytes.
//!
//! This starts the challenge window (`challenge_window_secs`): within it the client or the worker
//! may `open_dispute` (the client's spot checks failing); once it has passed with no dispute, the
//! worker may `claim_payment`. The client's `complete` stays possible at any time before; `cancel`
//! and `timeout_refund` no longer apply to a delivered escrow.
//!
//! Accounts: 0 worker (signer, = escrow.worker) · 1 escrow (writable).

use crate::args::Args;
use crate::error::{Error, Result};
use crate::groth16::FIELD;
use crate::input::Input;
use crate::ix::shared::WorkerEscrowAccounts;
use crate::state::{ESCROW_FUNDED, TIER_OPTIMISTIC};
use crate::{require, sys, zk};

pub fn process(input: &Input) -> Result {
    let WorkerEscrowAccounts { worker, escrow } = WorkerEscrowAccounts::load(input)?;
    let mut args = Args::new(input.data);
    let final_weights_hash = args.bytes32()?;
    let final_chain_hash = args.bytes32()?;
    let final_state = args.bytes32()?;
    let siblings = args.vec_of(FIELD as u8)?;
    args.finish()?;

    // SAFETY: no other borrow of `escrow`'s data is used while `e` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let e = unsafe { escrow.get_mut() };
    require!(&e.worker == worker.key(), Error::ConstraintHasOne);
    require!(e.tier == TIER_OPTIMISTIC, Error::InvalidTier);
    require!(e.state == ESCROW_FUNDED, Error::InvalidEscrowState);
    require!(e.delivered == 0, Error::AlreadyDelivered);
    let now = sys::clock().unix_timestamp;
    require!(now <= e.deadline, Error::DeadlinePassed);
    require!(e.epochs_done == e.epochs_total, Error::FinalRootNotAnchored);

    // The delivered weights are the final leaf's state (finding 4).
    require!(sys::equal(&zk::digest_commitment(final_weights_hash)?, final_state), Error::WeightsNotCommitted);
    // The final checkpoint is the last leaf of the anchored root.
    let leaf = zk::checkpoint_commitment(final_chain_hash, final_state)?;
    let root = zk::last_leaf_root(&leaf, e.epochs_total, siblings)?;
    require!(sys::equal(&root, &e.progress_root), Error::InvalidInclusion);

    sys::copy(&mut e.final_weights_hash, final_weights_hash);
    e.delivered = 1;
    e.delivered_at = now;
    Ok(())
}
