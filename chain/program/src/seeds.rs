//! PDA seeds, in one place (the TypeScript mirror is `chain/client/pda.ts`).

pub const CONFIG: &[u8] = b"config";
pub const VAULT: &[u8] = b"vault";
pub const PLATFORM: &[u8] = b"platform";
pub const INSURANCE: &[u8] = b"insurance";
pub const STAKE: &[u8] = b"stake";
pub const NODE: &[u8] = b"node";
pub const ESCROW: &[u8] = b"escrow";
pub const ESCROW_VAULT: &[u8] = b"escrow_vault";
pub const CLIENT: &[u8] = b"client";
pub const DISPUTE: &[u8] = b"dispute";
pub const VOTE_VAULT: &[u8] = b"vote_vault";
pub const VOTE: &[u8] = b"vote";
pub const VK: &[u8] = b"vk";
