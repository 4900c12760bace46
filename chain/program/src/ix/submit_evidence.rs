//! `submit_evidence(evidence_cid)`: either party records (or replaces) its evidence CID while the
//! evidence window is open.
//!
//! Accounts: 0 party (signer, = dispute.client or dispute.worker) · 1 dispute (writable).

use crate::account::{self, Account, AccountIter};
use crate::args::Args;
use crate::error::{Error, Result};
use crate::input::{AccountInfo, Input};
use crate::state::{Dispute, DISPUTE_OPEN};
use crate::{require, sys};

/// The accounts, in the header's order (owners and types checked here; the rest by `process`).
pub struct SubmitEvidenceAccounts {
    pub party: AccountInfo,
    pub dispute: Account<Dispute>,
}

impl SubmitEvidenceAccounts {
    #[inline(always)]
    pub fn load(input: &Input) -> Result<SubmitEvidenceAccounts> {
        let pid = &input.program_id;
        let mut it = AccountIter::new(input.accounts);
        let party = account::signer(it.next()?)?;
        let dispute = Account::<Dispute>::load_mut(it.next()?, pid)?;
        Ok(SubmitEvidenceAccounts { party, dispute })
    }
}

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
