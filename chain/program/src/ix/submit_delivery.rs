//! `submit_delivery(final_weights_hash, merkle_root)`: the worker of a funded optimistic escrow,
//! before its deadline, records its delivery (the final weights hash and the checkpoint-chain
//! root). This starts the challenge window (`challenge_window_secs`): within it the client or the
//! worker may `open_dispute` (the client's spot checks failing); once it has passed with no
//! dispute, the worker may `claim_payment`. The client's `complete` stays possible at any time
//! before; `cancel` and `timeout_refund` no longer apply to a delivered escrow.
//!
//! Accounts: 0 worker (signer, = escrow.worker) · 1 escrow (writable).

use crate::account::{self, Account, AccountIter};
use crate::args::Args;
use crate::error::{Error, Result};
use crate::input::Input;
use crate::state::{Escrow, ESCROW_FUNDED, TIER_OPTIMISTIC};
use crate::{require, sys};

pub fn process(input: &Input) -> Result {
    let pid = &input.program_id;
    let mut it = AccountIter::new(input.accounts);
    let worker = account::signer(it.next()?)?;
    let escrow = Account::<Escrow>::load_mut(it.next()?, pid)?;
    let mut args = Args::new(input.data);
    let final_weights_hash = args.bytes32()?;
    let merkle_root = args.bytes32()?;
    args.finish()?;

    let e = escrow.get_mut();
    require!(&e.worker == worker.key(), Error::ConstraintHasOne);
    require!(e.tier == TIER_OPTIMISTIC, Error::InvalidTier);
    require!(e.state == ESCROW_FUNDED, Error::InvalidEscrowState);
    require!(e.delivered == 0, Error::AlreadyDelivered);
    let now = sys::clock().unix_timestamp;
    require!(now <= e.deadline, Error::DeadlinePassed);
    sys::copy(&mut e.final_weights_hash, final_weights_hash);
    sys::copy(&mut e.progress_root, merkle_root);
    e.delivered = 1;
    e.delivered_at = now;
    Ok(())
}
