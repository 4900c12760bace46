//! cyxwiz: the on-chain half of the marketplace. One Solana program, `core` only, no crates,
//! built offline to SBF by `scripts/build-program.ts` and linked by `chain/linker`.
//!
//! Style (after Pinocchio's zero-dependency approach, written from scratch): the entrypoint input
//! is read in place (`input`), accounts are zero-copy views checked in one place (`account`),
//! discriminators, Borsh layouts, errors and events follow Anchor's conventions so that the
//! Anchor TypeScript client and IDL tools understand the program.
//!
//! BPF rules this code lives by (see docs/findings.md): no library calls (no memcpy,
//! no u128, no u64 checked_mul — use `sys` and `math`), no mutable globals, at most 5 arguments
//! per call... of a syscall, and small stack frames.
#![no_std]

pub mod account;
pub mod args;
pub mod cpi;
pub mod disc;
pub mod error;
pub mod event;
pub mod groth16;
pub mod input;
pub mod ix;
pub mod jury;
pub mod math;
pub mod progress;
pub mod pubkey;
pub mod reputation;
pub mod seeds;
pub mod state;
pub mod sys;
pub mod zk;

use input::{AccountInfo, MAX_ACCOUNTS};

/// The program's entrypoint: returns 0 on success, else the error code.
///
/// # Safety
/// Called by the runtime with its serialized input.
#[no_mangle]
pub unsafe extern "C" fn entrypoint(input: *mut u8) -> u64 {
    let mut storage = [AccountInfo::EMPTY; MAX_ACCOUNTS];
    // SAFETY: `input` is the runtime's serialized input (this function's contract), which is
    // `parse`'s precondition.
    let result = match input::parse(input, &mut storage) {
        Ok(parsed) => ix::dispatch(&parsed),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            log_error(e);
            e.code()
        }
    }
}

/// Logs the error like Anchor's "AnchorError ... Error Number: N" line, minus the name.
#[inline(never)]
fn log_error(e: error::Error) {
    sys::log(b"cyxwiz error");
    sys::log_u64s(e.code(), 0, 0, 0, 0);
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    sys::fatal(b"cyxwiz: panic")
}
