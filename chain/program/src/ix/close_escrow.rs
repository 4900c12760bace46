//! `close_escrow()`: the client closes a finished escrow and its (empty) token vault; the rent of
//! both returns to the client. A completed job can no longer be rated afterwards.
//!
//! Accounts: 0 client (signer, writable) · 1 config · 2 escrow (writable) · 3 escrow_vault
//! (writable, = escrow.vault) · 4 token_program.

use crate::account::{self, Account, AccountIter, TokenAccount};
use crate::error::{Error, Result};
use crate::input::Input;
use crate::state::{escrow_is_terminal, Config, Escrow};
use crate::cpi::Seeds;
use crate::sys::Bytes;
use crate::{cpi, require, seeds};

pub fn process(input: &Input) -> Result {
    let pid = &input.program_id;
    let mut it = AccountIter::new(input.accounts);
    let client = account::signer_mut(it.next()?)?;
    let config = Account::<Config>::load(it.next()?, pid)?;
    let escrow = Account::<Escrow>::load_mut(it.next()?, pid)?;
    let vault_info = it.next()?;
    account::token_program(it.next()?)?;
    crate::args::Args::new(input.data).finish()?;

    let c = config.get();
    let e = escrow.get();
    require!(&e.client == client.key(), Error::ConstraintHasOne);
    require!(escrow_is_terminal(e.state), Error::EscrowNotFinished);
    account::writable(account::address(vault_info, &e.vault)?)?;
    // Every terminal state paid the vault out in full; SPL CloseAccount would refuse otherwise.
    require!(TokenAccount::load(vault_info, &c.mint)?.amount() == 0, Error::InvalidEscrowState);

    let bump = [c.bump];
    cpi::token_close_account(vault_info, client, config.info, &Seeds(&[Bytes::of(seeds::CONFIG), Bytes::of(&bump)]))?;
    account::close(escrow.info, client)
}
