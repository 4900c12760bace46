//! `complete_zk(proof, final_weights_hash, final_chain_hash, final_state, siblings)`: the worker
//! of a zk escrow settles it with the proof of the challenged step. The program checks
//!
//! 0. the verifying key `["vk", escrow.circuit_id]` still hashes (SHA-256 of its bytes) to the
//!    one pinned at `create_escrow` (else `VerifyingKeyChanged`: an admin replacing a key cannot
//!    change the statement a funded escrow pays for);
//! 1. the final checkpoint is the last leaf of the anchored root, with `sol_poseidon`:
//!    C_N = Poseidon(CHECKPOINT_DOMAIN, hi(H_N), lo(H_N), S_N) from the chain hash H_N and the
//!    state commitment S_N, hashed up the tree with `siblings` (the left siblings of the last
//!    leaf, leaves first); a failure is a plain error (`InvalidInclusion`), nothing recorded;
//! 2. the Groth16 proof under that key for the public inputs the program builds from the escrow
//!    itself: [the escrow's address as a field (`zk::job_field`: a proof is bound to this escrow,
//!    never to a job id another escrow may share), anchored root, leaf count = epochs_total,
//!    challenged step, dataset commitment = data_commitment (fixed by the client at
//!    `create_escrow`)]. Nothing the caller sends enters them; a key whose input count is not 5 is
//!    `InvalidVerifyingKey`.
//!
//! A proof that verifies pays the worker (like `complete`: 90/10, 92/8 for Diamond; one more
//! valid proof). A proof that does not (a wrong proof, a point off the curve, a coordinate ≥ q)
//! is recorded at once: the instruction succeeds and applies `slash_invalid_proof`'s settlement
//! (`refund::refund_and_slash`, `Failure::InvalidProof`): the client is refunded, the worker
//! loses `invalid_proof_slash_bps` of its stake and the invalid-proof penalty, one more proof
//! counted and not valid, the escrow ends PROOF_FAILED. Only the escrow's worker signs this, so
//! only a worker's own bad proof is ever punished. The accounts that settlement needs are checked
//! before the proof (`refund::check_accounts`), whatever its outcome, so a worker cannot choose
//! accounts that would make a failing proof a plain error.
//!
//! Only after the challenge was drawn (`reveal_challenge` or `draw_challenge`) and not after the
//! escrow's `proof_deadline` = max(deadline, drawn at + `prove_window_secs`) (then
//! `slash_invalid_proof` applies): a challenge drawn late still leaves the worker its proving
//! window.
//!
//! Accounts: 0 worker (signer, = escrow.worker) · 1 config (writable) · 2 escrow (writable) ·
//! 3 escrow_vault (writable) · 4 worker_node (writable) · 5 worker_token (writable) ·
//! 6 platform_vault (writable) · 7 verifying_key · 8 client_token (writable, of escrow.client) ·
//! 9 stake_vault (writable) · 10 insurance_vault (writable) · 11 mint (writable) ·
//! 12 token_program.

use crate::accounts;
use crate::args::Args;
use crate::error::{Error, Result};
use crate::groth16::{self, FIELD, PROOF_LEN};
use crate::input::Input;
use crate::ix::complete::{release, Release};
use crate::ix::shared::SettlementHead;
use crate::ix::refund::{check_accounts, refund_and_slash, Failure, Refund};
use crate::state::{VerifyingKey, ESCROW_FUNDED, TIER_ZK};
use crate::sys::{self, Bytes};
use crate::{math, require, zk};

accounts! {
    pub struct CompleteZkAccounts {
        /// 0 worker · 1 config (writable) · 2 escrow · 3 escrow_vault · 4 worker_node · 5 worker_token.
        head: part(SettlementHead, true), platform_vault: info, vk: load(VerifyingKey), client_token: info,
        stake_vault: info, insurance_vault: info, mint: info, _: token_program,
    }
}

pub fn process(input: &Input) -> Result {
    let CompleteZkAccounts {
        head: SettlementHead { signer: worker, config, escrow, vault, node, worker_token },
        platform_vault, vk, client_token, stake_vault, insurance_vault, mint,
    } = CompleteZkAccounts::load(input)?;

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
    require!(sys::clock().unix_timestamp <= e.proof_deadline, Error::DeadlinePassed);
    // The accounts a failing proof's settlement needs, checked before the proof is: a worker
    // cannot pick accounts that would turn its failing proof into a plain error.
    let refund = Refund { config: &config, escrow: &escrow, node: &node, vault, client_token, stake_vault, insurance_vault, mint };
    check_accounts(&refund)?;
    let k = vk.get();
    // Key accounts exist only at ["vk", id] holding that id, so the stored id names the PDA.
    require!(k.circuit_id == e.circuit_id, Error::InvalidVerifyingKey);
    // 0. The key the escrow was created under: a key being rewritten or replaced is refused.
    let key = k.key().map_err(|_| Error::VerifyingKeyChanged)?;
    require!(sys::equal(&sys::sha256(&[Bytes::of(key)]), &e.vk_hash), Error::VerifyingKeyChanged);

    // 1. The final checkpoint is the last leaf of the anchored root.
    let leaf = zk::checkpoint_commitment(final_chain_hash, final_state)?;
    let root = zk::last_leaf_root(&leaf, e.epochs_total, siblings)?;
    require!(sys::equal(&root, &e.progress_root), Error::InvalidInclusion);

    // 2. The challenged step, proved for the escrow's own public inputs.
    let inputs = zk::step_inputs(escrow.key(), &e.progress_root, e.epochs_total, e.challenge_step, &e.data_commitment);
    match groth16::verify(key, proof, &inputs) {
        Ok(()) => {
            // SAFETY: no other borrow of `node`'s data is used while `n` lives; accounts never
            // alias and no CPI can write a program account (`Account::get_mut`'s contract).
            let n = unsafe { node.get_mut() };
            if e.credited != 0 {
                n.proofs_total = math::inc_u32(n.proofs_total, 1)?;
                n.proofs_valid = math::inc_u32(n.proofs_valid, 1)?;
            }
            release(&Release { config: &config, escrow: &escrow, node: &node, vault, worker_token, platform_vault }, final_weights_hash)
        }
        // The worker's proof failed: recorded on-chain now, as `slash_invalid_proof` would later.
        Err(Error::InvalidProof) => refund_and_slash(&refund, Failure::InvalidProof),
        Err(other) => Err(other),
    }
}
