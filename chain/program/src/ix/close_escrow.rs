//! `close_escrow()`: the client closes a finished escrow and its token vault; the rent of both
//! returns to the client. A completed job can no longer be rated afterwards.
//!
//! Every end state paid the vault out in full, so any balance left is tokens someone sent to the
//! vault afterwards (audit finding 9: one base unit used to block the close forever, as SPL
//! `CloseAccount` refuses a non-empty account). That surplus is swept to the platform vault (the
//! treasury) before the vault is closed.
//!
//! Accounts: 0 client (signer, writable) · 1 config · 2 escrow (writable) · 3 escrow_vault
//! (writable, = escrow.vault) · 4 token_program · 5 platform_vault (writable, = config.platform_vault).

use crate::account::{self, Account, AccountIter};
use crate::ix::shared::VaultAuthority;
use crate::error::{Error, Result};
use crate::input::{AccountInfo, Input};
use crate::state::{escrow_is_terminal, Config, Escrow};
use crate::require;

/// The accounts, in the header's order (owners and types checked here; the rest by `process`).
pub struct CloseEscrowAccounts {
    pub client: AccountInfo,
    pub config: Account<Config>,
    pub escrow: Account<Escrow>,
    pub vault: AccountInfo,
    pub platform_vault: AccountInfo,
}

impl CloseEscrowAccounts {
    #[inline(always)]
    pub fn load(input: &Input) -> Result<CloseEscrowAccounts> {
        let pid = &input.program_id;
        let mut it = AccountIter::new(input.accounts);
        let client = account::signer_mut(it.next()?)?;
        let config = Account::<Config>::load(it.next()?, pid)?;
        let escrow = Account::<Escrow>::load_mut(it.next()?, pid)?;
        let vault_info = it.next()?;
        account::token_program(it.next()?)?;
        let platform_vault = it.next()?;
        Ok(CloseEscrowAccounts { client, config, escrow, vault: vault_info, platform_vault })
    }
}

pub fn process(input: &Input) -> Result {
    let CloseEscrowAccounts { client, config, escrow, vault: vault_info, platform_vault } = CloseEscrowAccounts::load(input)?;
    crate::args::Args::new(input.data).finish()?;

    let c = config.get();
    let e = escrow.get();
    require!(&e.client == client.key(), Error::ConstraintHasOne);
    require!(escrow_is_terminal(e.state), Error::EscrowNotFinished);
    account::writable_address(vault_info, &e.vault)?;
    account::writable_address(platform_vault, &c.platform_vault)?;
    // Every terminal state paid the vault out in full: what is left was sent in since (dust).
    VaultAuthority::new(config.info, c.bump).sweep_and_close(vault_info, &c.mint, platform_vault, client)?;
    account::close(escrow.info, client)
}
