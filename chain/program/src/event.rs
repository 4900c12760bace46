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
