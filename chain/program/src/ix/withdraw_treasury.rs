//! `withdraw_treasury(amount)`: the governance key takes `amount` base units out of the platform
//! vault (fees, sweeps, forfeited deposits, the treasury's share of fraud slashes) or the insurance
//! vault (the insured share of slashes) into its own CYXWIZ token account. Nothing else can: the
//! signer must be `Config.governance` (`Unauthorized`), the source one of those two vaults
//! (`NotATreasuryVault`: never the stake vault or an escrow's), the destination a token account of
//! Config's mint (`ConstraintTokenMint`) whose owner is the governance key (`ConstraintTokenOwner`),
//! the amount non-zero (`ZeroAmount`) and at most the vault's balance (`InsufficientTreasury`).
//! No program rule pays out of either vault, so a withdrawal cannot leave an escrow or a stake
//! unpaid.
//!
//! Accounts: 0 governance (signer, = config.governance) · 1 config · 2 vault (writable,
//! = config.platform_vault or config.insurance_vault) · 3 destination (writable, CYXWIZ account
//! owned by governance) · 4 token_program.

use crate::account::TokenAccount;
use crate::accounts;
use crate::args::Args;
use crate::ix::shared::VaultAuthority;
use crate::error::{Error, Result};
use crate::event::{self, TreasuryWithdrawn};
use crate::input::Input;
use crate::state::Config;
use crate::{math, require};

accounts! {
    pub struct WithdrawTreasuryAccounts {
        governance: signer, config: load(Config), vault: info, destination: info, _: token_program,
    }
}

pub fn process(input: &Input) -> Result {
    let WithdrawTreasuryAccounts {
        governance, config, vault: vault_info, destination: destination_info,
    } = WithdrawTreasuryAccounts::load(input)?;
    let mut args = Args::new(input.data);
    let amount = args.u64()?;
    args.finish()?;

    let c = config.get();
    require!(&c.governance == governance.key(), Error::Unauthorized);
    require!(vault_info.key() == &c.platform_vault || vault_info.key() == &c.insurance_vault, Error::NotATreasuryVault);
    let vault = TokenAccount::load_mut(vault_info, &c.mint)?;
    TokenAccount::load_owned(destination_info, &c.mint, governance.key())?;
    require!(amount > 0, Error::ZeroAmount);
    let balance = vault.amount();
    require!(amount <= balance, Error::InsufficientTreasury);

    VaultAuthority::new(config.info, c.bump).transfer(vault_info, destination_info, amount)?;

    event::emit(TreasuryWithdrawn { vault: *vault_info.key(), destination: *destination_info.key(), amount, remaining: math::sub(balance, amount)? });
    Ok(())
}
