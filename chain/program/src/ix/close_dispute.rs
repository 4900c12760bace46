//! `close_dispute()`: anyone, once a dispute is finalized and every juror's vote was settled (each
//! `withdraw_vote` already closed its `Vote` account and returned its rent to the juror), closes
//! the `Dispute` account and its vault; the rent of both returns to the claimant, who paid it in
//! `open_dispute`.
//!
//! With every vote settled and the bond paid out by `finalize_dispute`, a vault holding tokens
//! holds the pool's rounding remainder (each majority juror's share is rounded down) and whatever
//! someone sent to it directly (audit finding 9: one base unit used to block the close forever).
//! That surplus is swept to the platform vault (the treasury) before the vault is closed.
//!
//! Accounts: 0 claimant (writable, = the dispute's claimant wallet) · 1 config · 2 dispute
//! (writable) · 3 vote_vault (writable, = dispute.vote_vault) · 4 token_program · 5 platform_vault
//! (writable, = config.platform_vault).

use crate::account;
use crate::accounts;
use crate::ix::shared::VaultAuthority;
use crate::error::{Error, Result};
use crate::input::Input;
use crate::state::{Config, Dispute, DISPUTE_FINALIZED, SIDE_CLIENT};
use crate::require;

accounts! {
    pub struct CloseDisputeAccounts {
        claimant: writable, config: load(Config), dispute: load_mut(Dispute), vault: info, _: token_program, platform_vault: info,
    }
}

pub fn process(input: &Input) -> Result {
    let CloseDisputeAccounts {
        claimant, config, dispute, vault: vault_info, platform_vault,
    } = CloseDisputeAccounts::load(input)?;
    crate::args::Args::new(input.data).finish()?;

    let c = config.get();
    let d = dispute.get();
    let payer = if d.claimant == SIDE_CLIENT { &d.client } else { &d.worker };
    account::address(claimant, payer)?;
    require!(d.state == DISPUTE_FINALIZED, Error::InvalidDisputeState);
    require!(d.open_votes == 0 && d.locked == 0, Error::VotesOutstanding);
    account::writable_address(vault_info, &d.vote_vault)?;
    require!(d.bond == 0, Error::InvalidDisputeState);
    account::writable_address(platform_vault, &c.platform_vault)?;
    VaultAuthority::new(config.info, c.bump).sweep_and_close(vault_info, &c.mint, platform_vault, claimant)?;
    account::close(dispute.info, claimant)
}
