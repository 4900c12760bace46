//! `set_verifying_key(circuit_id, total_len, offset, chunk)`: the admin (later the DAO) writes a
//! Groth16 verifying key (the `circuits/onchain.ts` layout) into the account
//! `["vk", circuit_id (u32 LE)]`, creating it on first use. Chunks go in order: a chunk at offset 0
//! starts the key over (its first 4 bytes, nPublic, must agree with `total_len`), every later one
//! must start where the previous ended. The key is usable once all `total_len` bytes are written,
//! and from then on immutable (`VerifyingKeyImmutable`; audit finding 6: rewriting a key under a
//! running job changed what its proof had to satisfy). A changed circuit gets a new circuit id.
//!
//! Accounts: 0 admin (writable signer, = config.admin, pays the account) · 1 config ·
//! 2 verifying_key (writable) · 3 system_program.

use crate::account::{self, Account};
use crate::accounts;
use crate::args::Args;
use crate::cpi::Seeds;
use crate::error::{Error, Result};
use crate::groth16;
use crate::input::Input;
use crate::pubkey::SYSTEM_PROGRAM_ID;
use crate::state::{Config, VerifyingKey, VK_MAX_BYTES, VK_MAX_PUBLIC};
use crate::sys::{self, Bytes};
use crate::{require, seeds};

accounts! {
    pub struct SetVerifyingKeyAccounts {
        admin: signer_mut, config: load(Config), vk: info, _: system_program,
    }
}

pub fn process(input: &Input) -> Result {
    let pid = &input.program_id;
    let SetVerifyingKeyAccounts { admin, config, vk: vk_info } = SetVerifyingKeyAccounts::load(input)?;

    let mut args = Args::new(input.data);
    let circuit_id = args.u32()?;
    let total_len = args.u32()?;
    let offset = args.u32()?;
    let chunk = args.vec_u8()?;
    args.finish()?;

    require!(&config.get().admin == admin.key(), Error::Unauthorized);
    let id_le = circuit_id.to_le_bytes();
    let vk = if vk_info.owner() == &SYSTEM_PROGRAM_ID && vk_info.data_len() == 0 {
        let bump = account::expect_pda(vk_info, &[Bytes::of(seeds::VK), Bytes::of(&id_le)], pid)?;
        let a = Account::<VerifyingKey>::init(admin, vk_info, pid, &Seeds(&[Bytes::of(seeds::VK), Bytes::of(&id_le), Bytes::of(&[bump])]))?;
        // SAFETY: no other borrow of `a`'s data is used while `k` lives; accounts never
        // alias and no CPI can write a program account (`Account::get_mut`'s contract).
        let k = unsafe { a.get_mut() };
        k.circuit_id = circuit_id;
        k.bump = bump;
        a
    } else {
        let a = Account::<VerifyingKey>::load_mut(vk_info, pid)?;
        // Key accounts are only created at ["vk", id] holding that id.
        require!(a.get().circuit_id == circuit_id, Error::ConstraintSeeds);
        a
    };
    // SAFETY: no other borrow of `vk`'s data is used while `k` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let k = unsafe { vk.get_mut() };
    // A complete key never changes: escrows pin it, and a new circuit is a new id.
    require!(!(k.len != 0 && k.written == k.len), Error::VerifyingKeyImmutable);
    if offset == 0 {
        require!(chunk.len() >= groth16::VK_HEADER, Error::InvalidVerifyingKey);
        let n = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]) as usize;
        require!(n <= VK_MAX_PUBLIC && total_len as usize == groth16::vk_len(n), Error::InvalidVerifyingKey);
        k.len = total_len;
        k.written = 0;
    }
    require!(offset == k.written && total_len == k.len, Error::InvalidVerifyingKey);
    let end = offset as usize + chunk.len();
    require!(end <= k.len as usize && end <= VK_MAX_BYTES, Error::InvalidVerifyingKey);
    sys::copy(&mut k.data[offset as usize..end], chunk);
    k.written = end as u32;
    Ok(())
}
