//! `set_governance()`: hands the treasury key (`Config.governance`, the only key that may
//! `withdraw_treasury`) to a new key. Signed by the current governance key and by the new one in
//! the same transaction, so the role can only go to a key somebody holds (no typo loses the
//! treasury), and the admin alone can neither take it nor give it away.
//!
//! Accounts: 0 governance (signer, = config.governance) · 1 new_governance (signer) ·
//! 2 config (writable).

use crate::account::{self, Account, AccountIter};
use crate::error::{Error, Result};
use crate::event::{self, GovernanceChanged};
use crate::input::{AccountInfo, Input};
use crate::require;
use crate::state::Config;

/// The accounts, in the header's order (owners and types checked here; the rest by `process`).
pub struct SetGovernanceAccounts {
    pub governance: AccountInfo,
    pub new_governance: AccountInfo,
    pub config: Account<Config>,
}

impl SetGovernanceAccounts {
    #[inline(always)]
    pub fn load(input: &Input) -> Result<SetGovernanceAccounts> {
        let pid = &input.program_id;
        let mut it = AccountIter::new(input.accounts);
        let governance = account::signer(it.next()?)?;
        let new_governance = account::signer(it.next()?)?;
        let config = Account::<Config>::load_mut(it.next()?, pid)?;
        Ok(SetGovernanceAccounts { governance, new_governance, config })
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
