//! Instruction handlers, one module each. Dispatch is on the Anchor instruction discriminator.

pub mod complete;
pub mod create_escrow;
pub mod initialize_config;
pub mod register_node;

use crate::disc;
use crate::error::{Error, Result};
use crate::input::Input;

pub const INITIALIZE_CONFIG: u64 = disc::as_u64(disc::instruction("initialize_config"));
pub const REGISTER_NODE: u64 = disc::as_u64(disc::instruction("register_node"));
pub const CREATE_ESCROW: u64 = disc::as_u64(disc::instruction("create_escrow"));
pub const COMPLETE: u64 = disc::as_u64(disc::instruction("complete"));

pub fn dispatch(input: &Input) -> Result {
    let d = input.data;
    if d.len() < 8 {
        return Err(Error::InstructionMissing);
    }
    let tag = u64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]);
    match tag {
        INITIALIZE_CONFIG => initialize_config::process(input),
        REGISTER_NODE => register_node::process(input),
        CREATE_ESCROW => create_escrow::process(input),
        COMPLETE => complete::process(input),
        _ => Err(Error::InstructionFallbackNotFound),
    }
}
