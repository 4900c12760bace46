//! `submit_evidence(evidence_cid)`: either party records (or replaces) its evidence CID while the
//! evidence window is open.
//!
//! Accounts: 0 party (signer, = dispute.client or dispute.worker) · 1 dispute (writable).

use crate::accounts;
use crate::args::Args;
use crate::error::{Error, Result};
use crate::input::Input;
use crate::state::{Dispute, DISPUTE_OPEN};
use crate::{require, sys};

accounts! { pub struct SubmitEvidenceAccounts { party: signer, dispute: load_mut(Dispute) } }

pub fn process(input: &Input) -> Result {
    let SubmitEvidenceAccounts { party, dispute } = SubmitEvidenceAccounts::load(input)?;
    let mut args = Args::new(input.data);
    let cid = args.bytes64()?;
    args.finish()?;

    // SAFETY: no other borrow of `dispute`'s data is used while `d` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let d = unsafe { dispute.get_mut() };
    require!(d.state == DISPUTE_OPEN, Error::InvalidDisputeState);
    require!(sys::clock().unix_timestamp < d.evidence_deadline, Error::EvidenceWindowClosed);
    if &d.client == party.key() {
        sys::copy(&mut d.client_evidence, cid);
    } else if &d.worker == party.key() {
        sys::copy(&mut d.worker_evidence, cid);
    } else {
        return Err(Error::NotAParty);
    }
    Ok(())
}
