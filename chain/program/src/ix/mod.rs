//! Instruction handlers, one module each. Dispatch is on the Anchor instruction discriminator.

pub mod accept_job;
pub mod anchor_progress;
pub mod claim_payment;
pub mod close_dispute;
pub mod finalize_dispute;
pub mod submit_delivery;
pub mod cancel;
pub mod close_escrow;
pub mod complete;
pub mod create_escrow;
pub mod hand_over;
pub mod heartbeat;
pub mod initialize_config;
pub mod open_dispute;
pub mod rate_worker;
pub mod refund;
pub mod register_node;
pub mod request_unstake;
pub mod resolve_dispute;
pub mod submit_evidence;
pub mod timeout_refund;
pub mod update_config;
pub mod commit_vote;
pub mod reveal_vote;
pub mod draw_jury;
pub mod set_verifying_key;
pub mod verify_proof;
pub mod draw_challenge;
pub mod reveal_challenge;
pub mod complete_zk;
pub mod slash_invalid_proof;
pub mod withdraw_stake;
pub mod withdraw_vote;
pub mod propose_admin;
pub mod accept_admin;
pub mod set_governance;
pub mod withdraw_treasury;

pub mod shared;

use crate::disc;
use crate::error::{Error, Result};
use crate::input::Input;

macro_rules! tags {
    ($($name:ident = $s:literal),* $(,)?) => {
        $(pub const $name: u64 = disc::as_u64(disc::instruction($s));)*
    };
}

tags! {
    INITIALIZE_CONFIG = "initialize_config",
    UPDATE_CONFIG = "update_config",
    REGISTER_NODE = "register_node",
    HEARTBEAT = "heartbeat",
    REQUEST_UNSTAKE = "request_unstake",
    WITHDRAW_STAKE = "withdraw_stake",
    CREATE_ESCROW = "create_escrow",
    ANCHOR_PROGRESS = "anchor_progress",
    COMPLETE = "complete",
    CANCEL = "cancel",
    TIMEOUT_REFUND = "timeout_refund",
    RATE_WORKER = "rate_worker",
    CLOSE_ESCROW = "close_escrow",
    OPEN_DISPUTE = "open_dispute",
    SUBMIT_EVIDENCE = "submit_evidence",
    COMMIT_VOTE = "commit_vote",
    REVEAL_VOTE = "reveal_vote",
    DRAW_JURY = "draw_jury",
    RESOLVE_DISPUTE = "resolve_dispute",
    WITHDRAW_VOTE = "withdraw_vote",
    SET_VERIFYING_KEY = "set_verifying_key",
    VERIFY_PROOF = "verify_proof",
    DRAW_CHALLENGE = "draw_challenge",
    COMPLETE_ZK = "complete_zk",
    SLASH_INVALID_PROOF = "slash_invalid_proof",
    FINALIZE_DISPUTE = "finalize_dispute",
    CLOSE_DISPUTE = "close_dispute",
    SUBMIT_DELIVERY = "submit_delivery",
    CLAIM_PAYMENT = "claim_payment",
    ACCEPT_JOB = "accept_job",
    REVEAL_CHALLENGE = "reveal_challenge",
    PROPOSE_ADMIN = "propose_admin",
    ACCEPT_ADMIN = "accept_admin",
    SET_GOVERNANCE = "set_governance",
    WITHDRAW_TREASURY = "withdraw_treasury",
    HAND_OVER = "hand_over",
}

pub fn dispatch(input: &Input) -> Result {
    let d = input.data;
    if d.len() < 8 {
        return Err(Error::InstructionMissing);
    }
    let tag = u64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]);
    match tag {
        INITIALIZE_CONFIG => initialize_config::process(input),
        UPDATE_CONFIG => update_config::process(input),
        REGISTER_NODE => register_node::process(input),
        HEARTBEAT => heartbeat::process(input),
        REQUEST_UNSTAKE => request_unstake::process(input),
        WITHDRAW_STAKE => withdraw_stake::process(input),
        CREATE_ESCROW => create_escrow::process(input),
        ANCHOR_PROGRESS => anchor_progress::process(input),
        COMPLETE => complete::process(input),
        CANCEL => cancel::process(input),
        TIMEOUT_REFUND => timeout_refund::process(input),
        RATE_WORKER => rate_worker::process(input),
        CLOSE_ESCROW => close_escrow::process(input),
        OPEN_DISPUTE => open_dispute::process(input),
        SUBMIT_EVIDENCE => submit_evidence::process(input),
        COMMIT_VOTE => commit_vote::process(input),
        REVEAL_VOTE => reveal_vote::process(input),
        DRAW_JURY => draw_jury::process(input),
        RESOLVE_DISPUTE => resolve_dispute::process(input),
        WITHDRAW_VOTE => withdraw_vote::process(input),
        SET_VERIFYING_KEY => set_verifying_key::process(input),
        VERIFY_PROOF => verify_proof::process(input),
        DRAW_CHALLENGE => draw_challenge::process(input),
        COMPLETE_ZK => complete_zk::process(input),
        SLASH_INVALID_PROOF => slash_invalid_proof::process(input),
        FINALIZE_DISPUTE => finalize_dispute::process(input),
        CLOSE_DISPUTE => close_dispute::process(input),
        SUBMIT_DELIVERY => submit_delivery::process(input),
        CLAIM_PAYMENT => claim_payment::process(input),
        ACCEPT_JOB => accept_job::process(input),
        REVEAL_CHALLENGE => reveal_challenge::process(input),
        PROPOSE_ADMIN => propose_admin::process(input),
        ACCEPT_ADMIN => accept_admin::process(input),
        SET_GOVERNANCE => set_governance::process(input),
        WITHDRAW_TREASURY => withdraw_treasury::process(input),
        HAND_OVER => hand_over::process(input),
        _ => Err(Error::InstructionFallbackNotFound),
    }
}
