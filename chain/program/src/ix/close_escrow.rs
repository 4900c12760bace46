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

use crate::account;
use crate::accounts;
use crate::ix::shared::VaultAuthority;
use crate::error::{Error, Result};
use crate::input::Input;
use crate::state::{escrow_is_terminal, Config, Escrow};
use crate::require;

accounts! {
    pub struct CloseEscrowAccounts {
        client: signer_mut, config: load(Config), escrow: load_mut(Escrow), vault: info, _: token_program,
        platform_vault: info,
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
