//! `initialize_config(params: ConfigParams)`: the admin creates the `Config` PDA and the three
//! program vaults (platform, insurance, stake), all token accounts of the CYXWIZ mint whose token
//! authority is `Config`.
//!
//! Accounts: 0 admin (signer, writable, pays) · 1 config (writable, PDA ["config"]) ·
//! 2 mint (SPL mint, 9 decimals) · 3 platform_vault, 4 insurance_vault, 5 stake_vault (writable,
//! PDAs ["vault", "platform" | "insurance" | "stake"]) · 6 system_program · 7 token_program ·
//! 8 program_data (this program's ProgramData under the BPF upgradeable loader).
//!
//! Only the program's upgrade authority may call it (else the first transaction after a deploy
//! picks the admin and the mint), and the mint must have no freeze authority.
//! The admin is also the first governance key (`Config.governance`, `set_governance`).

use crate::account::{self, Account, Mint};
use crate::accounts;
use crate::args::Args;
use crate::error::{Error, Result};
use crate::event::{self, ConfigInitialized};
use crate::input::Input;
use crate::require;
use crate::seeds;
use crate::state::{Config, CONFIG_PARAMS_LEN};
use crate::cpi::Seeds;
use crate::sys::{self, Bytes};

/// The CYXWIZ mint has 9 decimals.
pub const TOKEN_DECIMALS: u8 = 9;

accounts! {
    pub struct InitializeConfigAccounts {
        admin: signer_mut, config: info, mint: info, platform_vault: info, insurance_vault: info,
        stake_vault: info, _: system_program, _: token_program, _: upgrade_authority(admin),
    }
}

pub fn process(input: &Input) -> Result {
    let pid = &input.program_id;
    let InitializeConfigAccounts {
        admin, config: config_info, mint: mint_info, platform_vault, insurance_vault, stake_vault,
    } = InitializeConfigAccounts::load(input)?;

    let mut args = Args::new(input.data);
    let params = args.raw(CONFIG_PARAMS_LEN)?;
    args.finish()?;

    let mint = Mint::load(mint_info)?;
    require!(mint.decimals() == TOKEN_DECIMALS, Error::ConstraintMintDecimals);
    require!(!mint.has_freeze_authority(), Error::MintHasFreezeAuthority);

    let config_bump = account::expect_pda(config_info, &[Bytes::of(seeds::CONFIG)], pid)?;
    let platform_bump = account::expect_pda(platform_vault, &[Bytes::of(seeds::VAULT), Bytes::of(seeds::PLATFORM)], pid)?;
    let insurance_bump = account::expect_pda(insurance_vault, &[Bytes::of(seeds::VAULT), Bytes::of(seeds::INSURANCE)], pid)?;
    let stake_bump = account::expect_pda(stake_vault, &[Bytes::of(seeds::VAULT), Bytes::of(seeds::STAKE)], pid)?;

    let config = Account::<Config>::init(admin, config_info, pid, &Seeds(&[Bytes::of(seeds::CONFIG), Bytes::of(&[config_bump])]))?;
    // SAFETY: no other borrow of `config`'s data is used while `c` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let c = unsafe { config.get_mut() };
    // SAFETY: `c.params` is a padding-free repr(C) `ConfigParams` of exactly CONFIG_PARAMS_LEN
    // bytes (asserted in state.rs) of plain integers, valid for any bytes; the slice is the only
    // borrow of it until `sys::copy` returns.
    let dst = unsafe { core::slice::from_raw_parts_mut(&mut c.params as *mut _ as *mut u8, CONFIG_PARAMS_LEN) };
    sys::copy(dst, params);
    require!(c.params.is_valid(), Error::InvalidParameters);

    let authority = config_info.key();
    account::create_token_vault(admin, platform_vault, mint_info, authority,
        &Seeds(&[Bytes::of(seeds::VAULT), Bytes::of(seeds::PLATFORM), Bytes::of(&[platform_bump])]))?;
    account::create_token_vault(admin, insurance_vault, mint_info, authority,
        &Seeds(&[Bytes::of(seeds::VAULT), Bytes::of(seeds::INSURANCE), Bytes::of(&[insurance_bump])]))?;
    account::create_token_vault(admin, stake_vault, mint_info, authority,
        &Seeds(&[Bytes::of(seeds::VAULT), Bytes::of(seeds::STAKE), Bytes::of(&[stake_bump])]))?;

    c.admin = *admin.key();
    // The treasury key starts as the admin's; `set_governance` moves it (no admin can take it back).
    c.governance = *admin.key();
    c.mint = *mint_info.key();
    c.platform_vault = *platform_vault.key();
    c.insurance_vault = *insurance_vault.key();
    c.stake_vault = *stake_vault.key();
    c.bump = config_bump;
    c.platform_vault_bump = platform_bump;
    c.insurance_vault_bump = insurance_bump;
    c.stake_vault_bump = stake_bump;
    c.mint_decimals = TOKEN_DECIMALS;

    event::emit(ConfigInitialized { config: *config_info.key(), admin: *admin.key(), mint: *mint_info.key() });
    Ok(())
}
