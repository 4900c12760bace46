//! `complete_zk(proof, final_weights_hash, final_chain_hash, final_state, siblings)`: the worker
//! of a zk escrow is paid (like `complete`: 90/10, 92/8 for Diamond) only when
//!
//! 1. the final checkpoint is the last leaf of the anchored root, checked here with
//!    `sol_poseidon`: C_N = Poseidon(CHECKPOINT_DOMAIN, hi(H_N), lo(H_N), S_N) from the chain hash
//!    H_N and the state commitment S_N, hashed up the tree with `siblings` (the left siblings of
//!    the last leaf, leaves first);
//! 2. the Groth16 proof verifies under the key `["vk", escrow.circuit_id]` for the public inputs
//!    the program builds from the escrow itself: [job id as a field, anchored root, leaf count =
//!    epochs_total, challenged step]. Nothing the caller sends enters them.
//!
//! Only after `draw_challenge` and not after the deadline (then `slash_invalid_proof` applies).
//!
//! Accounts: 0 worker (signer, = escrow.worker) · 1 config · 2 escrow (writable) · 3 escrow_vault
//! (writable) · 4 worker_node (writable) · 5 worker_token (writable) · 6 platform_vault (writable)
//! · 7 verifying_key · 8 token_program.

use crate::account::{self, Account, AccountIter};
use crate::args::Args;
use crate::error::{Error, Result};
use crate::groth16::{self, FIELD, PROOF_LEN};
use crate::input::Input;
use crate::ix::complete::{release, Release};
use crate::state::{Config, Escrow, Node, VerifyingKey, ESCROW_FUNDED, TIER_ZK};
use crate::{math, require, sys, zk};

pub fn process(input: &Input) -> Result {
    let pid = &input.program_id;
    let mut it = AccountIter::new(input.accounts);
    let worker = account::signer(it.next()?)?;
    let config = Account::<Config>::load(it.next()?, pid)?;
    let escrow = Account::<Escrow>::load_mut(it.next()?, pid)?;
    let vault = it.next()?;
    let node = Account::<Node>::load_mut(it.next()?, pid)?;
    let worker_token = it.next()?;
    let platform_vault = it.next()?;
    let vk = Account::<VerifyingKey>::load(it.next()?, pid)?;
    account::token_program(it.next()?)?;

    let mut args = Args::new(input.data);
    let proof = args.take::<PROOF_LEN>()?;
    let final_weights_hash = args.bytes32()?;
    let final_chain_hash = args.bytes32()?;
    let final_state = args.bytes32()?;
    let siblings = args.vec_of(FIELD as u8)?;
    args.finish()?;

    let e = escrow.get();
    require!(&e.worker == worker.key(), Error::ConstraintHasOne);
    require!(e.tier == TIER_ZK, Error::InvalidTier);
    require!(e.state == ESCROW_FUNDED, Error::InvalidEscrowState);
    require!(e.challenged == 1, Error::ChallengeNotReady);
    require!(sys::clock().unix_timestamp <= e.deadline, Error::DeadlinePassed);
    let k = vk.get();
    // Key accounts exist only at ["vk", id] holding that id, so the stored id names the PDA.
    require!(k.circuit_id == e.circuit_id, Error::InvalidVerifyingKey);

    // 1. The final checkpoint is the last leaf of the anchored root.
    let leaf = zk::checkpoint_commitment(final_chain_hash, final_state)?;
    let root = zk::last_leaf_root(&leaf, e.epochs_total, siblings)?;
    require!(sys::equal(&root, &e.progress_root), Error::InvalidInclusion);

    // 2. The challenged step, proved for the escrow's own public inputs.
    let inputs = zk::step_inputs(&e.job_id, &e.progress_root, e.epochs_total, e.challenge_step);
    groth16::verify(k.key()?, proof, &inputs)?;

    let n = node.get_mut();
    n.proofs_total = math::inc_u32(n.proofs_total, 1)?;
    n.proofs_valid = math::inc_u32(n.proofs_valid, 1)?;
    release(&Release { config: &config, escrow: &escrow, node: &node, vault, worker_token, platform_vault }, final_weights_hash)
}
