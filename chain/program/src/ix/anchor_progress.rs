//! `anchor_progress(epoch, merkle_root)`: the assigned worker anchors the Merkle root of its
//! checkpoint chain at `epoch`. Epochs only move forward and never past the spec's epoch count;
//! the anchored epoch is the progress a cancellation pays pro rata. Not after the deadline: from
//! then on the escrow may be refunded, and late progress must not change what a cancel pays.
//! Each anchor restarts the no-progress timeout (`last_progress_at`; `progress`, `timeout_refund`):
//! the worker role anchors after every checkpoint, the final root before delivery.
//!
//! zk tier: the root is the Poseidon root of the checkpoint commitments (a field element < r),
//! and anchoring the final epoch records the slot after which the challenge is drawn (the
//! reference slot of the fallback draw) and starts the client's reveal window (`reveal_challenge`,
//! `draw_challenge`). The final root can never change afterwards (epochs only move forward).
//!
//! Only on an accepted escrow (`NotAccepted`).
//!
//! Accounts: 0 worker (signer, = escrow.worker) · 1 escrow (writable).

use crate::args::Args;
use crate::error::{Error, Result};
use crate::event::{self, ProgressAnchored};
use crate::input::Input;
use crate::ix::shared::WorkerEscrowAccounts;
use crate::state::{ESCROW_FUNDED, TIER_ZK};
use crate::{require, sys, zk};

pub fn process(input: &Input) -> Result {
    let WorkerEscrowAccounts { worker, escrow } = WorkerEscrowAccounts::load(input)?;

    let mut args = Args::new(input.data);
    let epoch = args.u32()?;
    let root = args.bytes32()?;
    args.finish()?;

    // SAFETY: no other borrow of `escrow`'s data is used while `e` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let e = unsafe { escrow.get_mut() };
    require!(&e.worker == worker.key(), Error::ConstraintHasOne);
    require!(e.state == ESCROW_FUNDED, Error::InvalidEscrowState);
    // Work starts with the worker's acceptance (`accept_job`), which starts the deadline.
    require!(e.accepted != 0, Error::NotAccepted);
    let now = sys::clock().unix_timestamp;
    require!(now <= e.deadline, Error::DeadlinePassed);
    require!(epoch > e.epochs_done && epoch <= e.epochs_total, Error::InvalidEpoch);
    if e.tier == TIER_ZK {
        // The root is a public input of the step proof: a canonical field element.
        require!(zk::is_field(root), Error::NonCanonicalField);
        if epoch == e.epochs_total {
            // The fallback challenge is drawn from the hash of this slot or a later one; the
            // client's reveal window (`reveal_challenge`) runs from now (`last_progress_at`).
            let slot = sys::clock().slot;
            e.final_anchor_slot = slot;
            e.challenge_ref_slot = slot;
        }
    }
    e.epochs_done = epoch;
    sys::copy(&mut e.progress_root, root);
    e.last_progress_at = now;

    event::emit(ProgressAnchored { escrow: *escrow.key(), merkle_root: *root, epoch: epoch as u64, epochs_total: e.epochs_total as u64 });
    Ok(())
}
