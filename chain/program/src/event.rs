//! Events in Anchor's format: one `sol_log_data` slice holding the 8-byte discriminator
//! `sha256("event:<Name>")[..8]` followed by the Borsh encoding of the event, which Anchor's
//! `EventParser` reads from the "Program data: " log lines.

use crate::disc;
use crate::pubkey::Pubkey;
use crate::sys::{self, Bytes};

/// An event: a padding-free `#[repr(C)]` struct (fields ordered by alignment) whose first
/// `LEN` bytes are its Borsh encoding.
pub trait Event: Sized {
    const DISCRIMINATOR: [u8; 8];
    const LEN: usize;
}

#[repr(C)]
struct Framed<E> {
    disc: [u8; 8],
    body: E,
}

pub fn emit<E: Event>(body: E) {
    let framed = Framed { disc: E::DISCRIMINATOR, body };
    let slice = Bytes { addr: &framed as *const Framed<E> as *const u8, len: (8 + E::LEN) as u64 };
    sys::log_data(&[slice]);
}

#[repr(C)]
pub struct ConfigInitialized {
    pub config: Pubkey,
    pub admin: Pubkey,
    pub mint: Pubkey,
}
impl Event for ConfigInitialized {
    const DISCRIMINATOR: [u8; 8] = disc::event("ConfigInitialized");
    const LEN: usize = 96;
}

#[repr(C)]
pub struct NodeRegistered {
    pub node: Pubkey,
    pub owner: Pubkey,
    pub stake: u64,
    pub lock_until: i64,
}
impl Event for NodeRegistered {
    const DISCRIMINATOR: [u8; 8] = disc::event("NodeRegistered");
    const LEN: usize = 80;
}

#[repr(C)]
pub struct EscrowCreated {
    pub escrow: Pubkey,
    pub client: Pubkey,
    pub worker: Pubkey,
    pub job_id: [u8; 32],
    pub amount: u64,
    pub deadline: i64,
}
impl Event for EscrowCreated {
    const DISCRIMINATOR: [u8; 8] = disc::event("EscrowCreated");
    const LEN: usize = 144;
}

#[repr(C)]
pub struct JobAccepted {
    pub escrow: Pubkey,
    pub worker: Pubkey,
    pub deadline: i64,
}
impl Event for JobAccepted {
    const DISCRIMINATOR: [u8; 8] = disc::event("JobAccepted");
    const LEN: usize = 72;
}
const _: () = assert!(core::mem::size_of::<JobAccepted>() == JobAccepted::LEN);

#[repr(C)]
pub struct PaymentReleased {
    pub escrow: Pubkey,
    pub worker: Pubkey,
    pub worker_amount: u64,
    pub platform_fee: u64,
}
impl Event for PaymentReleased {
    const DISCRIMINATOR: [u8; 8] = disc::event("PaymentReleased");
    const LEN: usize = 80;
}

const _: () = assert!(core::mem::size_of::<ConfigInitialized>() == ConfigInitialized::LEN);
const _: () = assert!(core::mem::size_of::<NodeRegistered>() == NodeRegistered::LEN);
const _: () = assert!(core::mem::size_of::<EscrowCreated>() == EscrowCreated::LEN);
const _: () = assert!(core::mem::size_of::<PaymentReleased>() == PaymentReleased::LEN);

#[repr(C)]
pub struct ProgressAnchored {
    pub escrow: Pubkey,
    pub merkle_root: [u8; 32],
    pub epoch: u64,
    pub epochs_total: u64,
}
impl Event for ProgressAnchored {
    const DISCRIMINATOR: [u8; 8] = disc::event("ProgressAnchored");
    const LEN: usize = 80;
}

/// A client's cancellation: the refund and the worker's pro-rata pay plus fee.
#[repr(C)]
pub struct EscrowCancelled {
    pub escrow: Pubkey,
    pub client: Pubkey,
    pub worker_amount: u64,
    pub client_refund: u64,
    pub progress_bps: u64,
}
impl Event for EscrowCancelled {
    const DISCRIMINATOR: [u8; 8] = disc::event("EscrowCancelled");
    const LEN: usize = 88;
}

/// A client's `hand_over` from a stalled worker: what the stalled worker was paid for the verified
/// epochs (and the platform fee out of it), and what stays in the escrow for the new worker.
#[repr(C)]
pub struct EscrowHandedOver {
    pub escrow: Pubkey,
    pub client: Pubkey,
    pub from_worker: Pubkey,
    pub to_worker: Pubkey,
    pub worker_amount: u64,
    pub platform_fee: u64,
    pub remaining: u64,
    pub verified_epochs: u64,
}
impl Event for EscrowHandedOver {
    const DISCRIMINATOR: [u8; 8] = disc::event("EscrowHandedOver");
    const LEN: usize = 160;
}

#[repr(C)]
pub struct TimeoutRefunded {
    pub escrow: Pubkey,
    pub client: Pubkey,
    pub amount: u64,
}
impl Event for TimeoutRefunded {
    const DISCRIMINATOR: [u8; 8] = disc::event("TimeoutRefunded");
    const LEN: usize = 72;
}

/// Stake taken from a node, and where it went (fields that do not apply are 0).
#[repr(C)]
pub struct StakeSlashed {
    pub node: Pubkey,
    pub slashed: u64,
    pub to_insurance: u64,
    pub burned: u64,
    pub to_client: u64,
    pub to_treasury: u64,
    pub remaining: u64,
}
impl Event for StakeSlashed {
    const DISCRIMINATOR: [u8; 8] = disc::event("StakeSlashed");
    const LEN: usize = 80;
}

#[repr(C)]
pub struct WorkerRated {
    pub escrow: Pubkey,
    pub worker: Pubkey,
    pub stars: u64,
    pub reputation: u64,
}
impl Event for WorkerRated {
    const DISCRIMINATOR: [u8; 8] = disc::event("WorkerRated");
    const LEN: usize = 80;
}

#[repr(C)]
pub struct UnstakeRequested {
    pub node: Pubkey,
    pub requested_at: i64,
    pub lock_until: i64,
}
impl Event for UnstakeRequested {
    const DISCRIMINATOR: [u8; 8] = disc::event("UnstakeRequested");
    const LEN: usize = 48;
}

#[repr(C)]
pub struct StakeWithdrawn {
    pub node: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
}
impl Event for StakeWithdrawn {
    const DISCRIMINATOR: [u8; 8] = disc::event("StakeWithdrawn");
    const LEN: usize = 72;
}

#[repr(C)]
pub struct ConfigUpdated {
    pub config: Pubkey,
    pub admin: Pubkey,
}
impl Event for ConfigUpdated {
    const DISCRIMINATOR: [u8; 8] = disc::event("ConfigUpdated");
    const LEN: usize = 64;
}

#[repr(C)]
pub struct DisputeOpened {
    pub dispute: Pubkey,
    pub escrow: Pubkey,
    pub claimant: Pubkey,
    pub evidence_deadline: i64,
    /// The first jury's commit deadline (evidence deadline + commit window).
    pub commit_deadline: i64,
    /// The claimant's bond locked in the dispute's vault.
    pub bond: u64,
}
impl Event for DisputeOpened {
    const DISCRIMINATOR: [u8; 8] = disc::event("DisputeOpened");
    const LEN: usize = 120;
}

#[repr(C)]
pub struct DisputeResolved {
    pub dispute: Pubkey,
    pub escrow: Pubkey,
    /// Revealed votes by side (unavailable: the evidence could not be fetched), and the round
    /// that decided.
    pub votes_client: u64,
    pub votes_worker: u64,
    pub votes_unavailable: u64,
    pub round: u64,
    /// 0 client, 1 worker, 2 no verdict (the last round), 3 unavailable.
    pub winner: u64,
}
impl Event for DisputeResolved {
    const DISCRIMINATOR: [u8; 8] = disc::event("DisputeResolved");
    const LEN: usize = 104;
}

const _: () = assert!(core::mem::size_of::<ProgressAnchored>() == ProgressAnchored::LEN);
const _: () = assert!(core::mem::size_of::<EscrowCancelled>() == EscrowCancelled::LEN);
const _: () = assert!(core::mem::size_of::<EscrowHandedOver>() == EscrowHandedOver::LEN);
const _: () = assert!(core::mem::size_of::<TimeoutRefunded>() == TimeoutRefunded::LEN);
const _: () = assert!(core::mem::size_of::<StakeSlashed>() == StakeSlashed::LEN);
const _: () = assert!(core::mem::size_of::<WorkerRated>() == WorkerRated::LEN);
const _: () = assert!(core::mem::size_of::<UnstakeRequested>() == UnstakeRequested::LEN);
const _: () = assert!(core::mem::size_of::<StakeWithdrawn>() == StakeWithdrawn::LEN);
const _: () = assert!(core::mem::size_of::<ConfigUpdated>() == ConfigUpdated::LEN);
const _: () = assert!(core::mem::size_of::<DisputeOpened>() == DisputeOpened::LEN);
const _: () = assert!(core::mem::size_of::<DisputeResolved>() == DisputeResolved::LEN);

/// zk tier: the challenged step was drawn from the hash of `slot`.
#[repr(C)]
pub struct ChallengeDrawn {
    pub escrow: Pubkey,
    pub slot: u64,
    pub step: u64,
    /// 1 when drawn from the client's revealed secret (`reveal_challenge`), 0 by the fallback.
    pub revealed: u64,
    /// Until when the worker may prove (`Escrow::proof_deadline`).
    pub proof_deadline: i64,
}
impl Event for ChallengeDrawn {
    const DISCRIMINATOR: [u8; 8] = disc::event("ChallengeDrawn");
    const LEN: usize = 64;
}
const _: () = assert!(core::mem::size_of::<ChallengeDrawn>() == ChallengeDrawn::LEN);

/// The SlotHashes sysvar no longer reached back to a zk escrow's reference slot: the fallback draw
/// takes the hash of `slot` (this one, whose hash did not exist when this was sent) or a later one.
#[repr(C)]
pub struct ChallengeRearmed {
    pub escrow: Pubkey,
    pub slot: u64,
}
impl Event for ChallengeRearmed {
    const DISCRIMINATOR: [u8; 8] = disc::event("ChallengeRearmed");
    const LEN: usize = 40;
}
const _: () = assert!(core::mem::size_of::<ChallengeRearmed>() == ChallengeRearmed::LEN);

/// A round's jury seed was fixed from the hash of `slot` (`draw_jury`).
#[repr(C)]
pub struct JuryDrawn {
    pub dispute: Pubkey,
    pub slot: u64,
    pub round: u64,
}
impl Event for JuryDrawn {
    const DISCRIMINATOR: [u8; 8] = disc::event("JuryDrawn");
    const LEN: usize = 48;
}
const _: () = assert!(core::mem::size_of::<JuryDrawn>() == JuryDrawn::LEN);

/// A round ended without a verdict (fewer than `min_jurors` reveals, or a tie): a new jury of
/// twice the expected size is drawn; the evidence stands.
#[repr(C)]
pub struct DisputeRedrawn {
    pub dispute: Pubkey,
    /// The new round, and how many had revealed in the one that ended.
    pub round: u64,
    pub revealed: u64,
    pub commit_deadline: i64,
}
impl Event for DisputeRedrawn {
    const DISCRIMINATOR: [u8; 8] = disc::event("DisputeRedrawn");
    const LEN: usize = 56;
}
const _: () = assert!(core::mem::size_of::<DisputeRedrawn>() == DisputeRedrawn::LEN);

/// A juror's vote was settled (`withdraw_vote`): `returned` went back into its stake (its deposit,
/// plus its share of the pool when it voted with the majority; 0 when it forfeited).
#[repr(C)]
pub struct VoteSettled {
    pub dispute: Pubkey,
    pub juror: Pubkey,
    pub deposit: u64,
    pub returned: u64,
}
impl Event for VoteSettled {
    const DISCRIMINATOR: [u8; 8] = disc::event("VoteSettled");
    const LEN: usize = 80;
}
const _: () = assert!(core::mem::size_of::<VoteSettled>() == VoteSettled::LEN);

/// The final verdict was executed; the claimant's bond returned to it or paid to the respondent.
#[repr(C)]
pub struct DisputeFinalized {
    pub dispute: Pubkey,
    pub escrow: Pubkey,
    /// 0 client, 1 worker.
    pub winner: u64,
    /// The claimant's bond, returned to the claimant (it won) or paid to the respondent (it lost).
    pub bond_returned: u64,
    pub bond_to_respondent: u64,
}
impl Event for DisputeFinalized {
    const DISCRIMINATOR: [u8; 8] = disc::event("DisputeFinalized");
    const LEN: usize = 88;
}
const _: () = assert!(core::mem::size_of::<DisputeFinalized>() == DisputeFinalized::LEN);

/// The admin proposed a new admin (`propose_admin`; the zero key: a proposal withdrawn).
#[repr(C)]
pub struct AdminProposed {
    pub config: Pubkey,
    pub admin: Pubkey,
    pub proposed: Pubkey,
}
impl Event for AdminProposed {
    const DISCRIMINATOR: [u8; 8] = disc::event("AdminProposed");
    const LEN: usize = 96;
}
const _: () = assert!(core::mem::size_of::<AdminProposed>() == AdminProposed::LEN);

/// The proposed admin signed `accept_admin`: the role moved from `previous` to `admin`.
#[repr(C)]
pub struct AdminAccepted {
    pub config: Pubkey,
    pub previous: Pubkey,
    pub admin: Pubkey,
}
impl Event for AdminAccepted {
    const DISCRIMINATOR: [u8; 8] = disc::event("AdminAccepted");
    const LEN: usize = 96;
}
const _: () = assert!(core::mem::size_of::<AdminAccepted>() == AdminAccepted::LEN);

/// The governance key changed (`set_governance`, signed by both keys).
#[repr(C)]
pub struct GovernanceChanged {
    pub config: Pubkey,
    pub previous: Pubkey,
    pub governance: Pubkey,
}
impl Event for GovernanceChanged {
    const DISCRIMINATOR: [u8; 8] = disc::event("GovernanceChanged");
    const LEN: usize = 96;
}
const _: () = assert!(core::mem::size_of::<GovernanceChanged>() == GovernanceChanged::LEN);

/// Governance moved `amount` out of a treasury vault (platform or insurance) to its own account.
#[repr(C)]
pub struct TreasuryWithdrawn {
    pub vault: Pubkey,
    pub destination: Pubkey,
    pub amount: u64,
    /// What the vault holds after the withdrawal.
    pub remaining: u64,
}
impl Event for TreasuryWithdrawn {
    const DISCRIMINATOR: [u8; 8] = disc::event("TreasuryWithdrawn");
    const LEN: usize = 80;
}
const _: () = assert!(core::mem::size_of::<TreasuryWithdrawn>() == TreasuryWithdrawn::LEN);
