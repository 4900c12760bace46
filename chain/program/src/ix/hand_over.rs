//! `hand_over(verified_epochs, new_worker)`: the client moves a funded, accepted, undelivered
//! optimistic escrow whose worker stalled to a new worker (failover, issue 21). The escrow's client
//! signs it, and only once the current worker stalled: no `anchor_progress` for longer than the
//! escrow's no-progress timeout, its final epoch not anchored (`progress::no_progress_expired`;
//! else `WorkerNotStalled`), so never while the worker anchors its progress.
//!
//! The stalled worker is paid for the `verified_epochs` the client verified (base ≤
//! `verified_epochs` ≤ `epochs_done`, else `InvalidEpoch`; base = `epochs_base`, the epochs an
//! earlier hand-over already paid for) as a cancellation at that progress pays its earned part
//! (`handOverSplit`): earned = floor(amount × progress), progress = floor((verified − base) ×
//! 10,000 / (total − base)) (`cancel::epochs_progress`, `cancel::pro_rata`), of which the
//! platform fee of a completed job (10 %, 8 % for a Diamond worker: `shared::settlement`) goes
//! to the platform vault and the rest to the worker. Not the cancellation fee: that pays a worker
//! for the capacity a client's change of mind wasted, and this worker failed the job. The worker
//! is then penalised exactly as by a timeout (`refund::penalise`, `Failure::Timeout`: the
//! escrow's `timeout_slash_bps` of its stake, 80 % to insurance and 20 % burned, one failed job,
//! the timeout penalty, a failure in its repeated-failures window). `verified_epochs` is the
//! client's word: at 0 the worker is paid nothing, as `timeout_refund` (which anyone may call on
//! this escrow) would pay it.
//!
//! The rest stays in the escrow, for the new worker: `amount` −= earned (the vault then holds
//! exactly the new amount), `worker = new_worker`, the escrow an offer again (`accepted = 0`,
//! `accepted_at = 0`, `credited = 0`) whose `accept_job` restarts the deadline; the offer expires
//! after the escrow's timeout (`created_at = now`, `deadline = now + timeout`, the timeout being
//! the first acceptance's `deadline − accepted_at`). `epochs_done = epochs_base =
//! verified_epochs`: the new worker continues from the verified checkpoint (its next anchor must
//! be above it), and a later cancel pays it pro rata for the epochs after the base only, out of
//! what is left. The progress root is zeroed: the root the stalled worker anchored may be of a
//! later epoch than the verified one, and nothing settles against a root before the final epoch.
//! `handovers` counts the hand-overs. The replaced worker's late `anchor_progress`,
//! `submit_delivery`, `claim_payment` (and the client's `cancel` or `complete` naming it) are
//! refused: `escrow.worker` is no longer it (`ConstraintHasOne`).
//!
//! The new worker must not be the stalled one (`InvalidNewWorker`) nor the client
//! (`SelfDealing`), and must be a registered node that may take a job of the new amount now —
//! active, not suspended or unstaking, staked and reputed enough (`check_worker_may_take`, as
//! `create_escrow` checks; `accept_job` checks it again). Nothing exposes it before its
//! `accept_job` (finding 1): until then the client may `cancel` the offer in full.
//!
//! zk tier: refused (`InvalidTier`). A zk escrow's settlement draws one step of the whole anchored
//! chain and slashes its worker 25 % when it cannot prove it: after a hand-over the new worker
//! would answer for steps the stalled worker computed, and the reveal and proving windows run from
//! one worker's final anchor. A stalled zk worker's client uses `timeout_refund` instead.
//!
//! Accounts: 0 client (signer, = escrow.client) · 1 config (writable) · 2 escrow (writable) ·
//! 3 escrow_vault (writable) · 4 worker_node (writable, of escrow.worker) · 5 worker_token
//! (writable, of escrow.worker) · 6 platform_vault (writable, = config.platform_vault) ·
//! 7 new_worker_node (of new_worker) · 8 stake_vault (writable) · 9 insurance_vault (writable) ·
//! 10 mint (writable, = config.mint) · 11 token_program.

use crate::account::{self, TokenAccount};
use crate::accounts;
use crate::args::Args;
use crate::error::{Error, Result};
use crate::event::{self, EscrowHandedOver};
use crate::input::Input;
use crate::ix::cancel::{epochs_progress, pro_rata};
use crate::ix::refund::{check_penalty_accounts, penalise, Failure, Penalty};
use crate::ix::shared::{check_worker_may_take, settlement, Payout, SettlementHead, VaultAuthority};
use crate::pubkey::Pubkey;
use crate::state::{Node, ESCROW_FUNDED, TIER_OPTIMISTIC};
use crate::sys;
use crate::{math, progress, require};

accounts! {
    pub struct HandOverAccounts {
        /// 0 client · 1 config (writable) · 2 escrow · 3 escrow_vault · 4 worker_node · 5 worker_token.
        head: part(SettlementHead, true), platform_vault: info, new_node: load(Node), stake_vault: info,
        insurance_vault: info, mint: info, _: token_program,
    }
}

pub fn process(input: &Input) -> Result {
    let HandOverAccounts {
        head: SettlementHead { signer: client, config, escrow, vault, node, worker_token: worker_token_info },
        platform_vault, new_node, stake_vault, insurance_vault, mint,
    } = HandOverAccounts::load(input)?;
    let mut args = Args::new(input.data);
    let verified = args.u32()?;
    let new_worker = Pubkey::read(args.bytes32()?);
    args.finish()?;

    // SAFETY: no other borrow of `escrow`'s data is used while `e` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let e = unsafe { escrow.get_mut() };
    require!(&e.client == client.key(), Error::ConstraintHasOne);
    require!(e.state == ESCROW_FUNDED, Error::InvalidEscrowState);
    require!(e.tier == TIER_OPTIMISTIC, Error::InvalidTier);
    // An offer is the client's to `cancel` in full; there is no worker to replace.
    require!(e.accepted != 0, Error::NotAccepted);
    // A delivered job is settled by `complete`, `claim_payment` or a dispute.
    require!(e.delivered == 0, Error::AlreadyDelivered);
    let now = sys::clock().unix_timestamp;
    // Never while the worker anchors its progress (false from its final anchor on).
    require!(progress::no_progress_expired(e, now)?, Error::WorkerNotStalled);
    require!(verified >= e.epochs_base && verified <= e.epochs_done, Error::InvalidEpoch);
    require!(new_worker != e.worker, Error::InvalidNewWorker);
    require!(new_worker != e.client, Error::SelfDealing);
    require!(node.get().owner == e.worker, Error::ConstraintHasOne);
    // Node accounts are only created at ["node", owner] holding that owner.
    require!(new_node.get().owner == new_worker, Error::ConstraintHasOne);

    let mint_key = config.get().mint;
    account::writable_address(vault, &e.vault)?;
    TokenAccount::load_owned(worker_token_info, &mint_key, &e.worker)?;
    account::writable(account::address(platform_vault, &config.get().platform_vault)?)?;
    let penalty = Penalty { config: &config, node: &node, stake_vault, insurance_vault, mint };
    check_penalty_accounts(&penalty)?;

    // The stalled worker's pay: the earned part of a cancellation at the verified progress, the
    // platform fee of a completed job out of it (with its reputation before the penalty).
    let progress = epochs_progress(verified, e.epochs_total, e.epochs_base)?;
    let earned = pro_rata(e.amount, progress)?;
    let (worker_amount, platform_fee) = settlement(earned, node.get().reputation, &e.terms)?;
    // verified < total (the final epoch is not anchored): progress < 100 %, so remaining > 0.
    let remaining = math::sub(e.amount, earned)?;
    check_worker_may_take(new_node.get(), &config.get().params, remaining, now)?;

    let authority = VaultAuthority::new(config.info, config.get().bump);
    Payout { authority, vault, worker_token: worker_token_info, platform_vault }.earned(worker_amount, platform_fee)?;
    // SAFETY: no other borrow of `node`'s data is used while `n` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let n = unsafe { node.get_mut() };
    n.total_earned = math::add(n.total_earned, worker_amount)?;
    // (The penalty recomputes the worker's score.)
    penalise(&penalty, e, Failure::Timeout, now)?;

    // The escrow is an offer to the new worker, for what is left, from the verified epoch.
    let from_worker = e.worker;
    let timeout = math::sub_i64(e.deadline, e.accepted_at)?; // accept_job: deadline = accepted_at + timeout
    e.amount = remaining;
    e.worker = new_worker;
    e.accepted = 0;
    e.accepted_at = 0;
    e.last_progress_at = 0;
    e.credited = 0;
    e.created_at = now;
    e.deadline = math::add_i64(now, timeout)?;
    e.epochs_done = verified;
    e.epochs_base = verified;
    e.progress_root = [0; 32];
    e.handovers = e.handovers.checked_add(1).ok_or(Error::ArithmeticOverflow)?;

    event::emit(EscrowHandedOver {
        escrow: *escrow.key(), client: e.client, from_worker, to_worker: new_worker, worker_amount, platform_fee, remaining,
        verified_epochs: verified as u64,
    });
    Ok(())
}
