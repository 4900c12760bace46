//! `verify_proof(proof, public_inputs)`: checks a Groth16 proof against a verifying key account,
//! changing nothing. Succeeds for a valid proof, fails with `InvalidProof` otherwise. Anyone may
//! call it (an on-chain attestation that a statement holds, e.g. a checkpoint's inclusion).
//!
//! Accounts: 0 verifying_key.

use crate::accounts;
use crate::args::Args;
use crate::error::Result;
use crate::groth16::{self, FIELD, PROOF_LEN};
use crate::input::Input;
use crate::state::VerifyingKey;

accounts! { pub struct VerifyProofAccounts { vk: load(VerifyingKey) } }

pub fn process(input: &Input) -> Result {
    let VerifyProofAccounts { vk } = VerifyProofAccounts::load(input)?;
    let mut args = Args::new(input.data);
    let proof = args.take::<PROOF_LEN>()?;
    let inputs = args.vec_of(FIELD as u8)?;
    args.finish()?;
    groth16::verify(vk.get().key()?, proof, inputs)
}
