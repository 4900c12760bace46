//! `set_governance()`: hands the treasury key (`Config.governance`, the only key that may
//! `withdraw_treasury`) to a new key. Signed by the current governance key and by the new one in
//! the same transaction, so the role can only go to a key somebody holds (no typo loses the
//! treasury), and the admin alone can neither take it nor give it away.
//!
//! Accounts: 0 governance (signer, = config.governance) · 1 new_governance (signer) ·
//! 2 config (writable).

use crate::accounts;
use crate::error::{Error, Result};
use crate::event::{self, GovernanceChanged};
use crate::input::Input;
use crate::require;
use crate::state::Config;

accounts! {
    pub struct SetGovernanceAccounts {
        governance: signer, new_governance: signer, config: load_mut(Config),
    }
}

pub fn process(input: &Input) -> Result {
    let SetGovernanceAccounts { governance, new_governance, config } = SetGovernanceAccounts::load(input)?;
    crate::args::Args::new(input.data).finish()?;

    // SAFETY: no other borrow of `config`'s data is used while `c` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let c = unsafe { config.get_mut() };
    require!(&c.governance == governance.key(), Error::Unauthorized);
    let previous = c.governance;
    c.governance = *new_governance.key();

    event::emit(GovernanceChanged { config: *config.key(), previous, governance: c.governance });
    Ok(())
}
