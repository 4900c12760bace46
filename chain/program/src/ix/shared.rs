//! Handler code several instructions share, written once: the Config PDA signing token moves out
//! of the program's vaults (`VaultAuthority`), the two orders in which a settlement pays a worker
//! and the platform (`Payout`), and the account lists more than one instruction takes
//! (`WorkerEscrowAccounts`, `ReleaseAccounts`); and the rules more than one handler applies: a
//! paid job's split (`settlement`) and whether a worker may take a job (`check_worker_may_take`).
//! The account checks themselves live in `account`.

use crate::account::{self, Account, AccountIter, TokenAccount};
use crate::accounts;
use crate::cpi::{self, Seeds};
use crate::error::Result;
use crate::input::AccountInfo;
use crate::pubkey::Pubkey;
use crate::error::Error;
use crate::state::{Config, ConfigParams, Escrow, Node, NODE_ACTIVE};
use crate::sys::Bytes;
use crate::{math, require, seeds};

/// The reputation tier index that pays the lower platform fee.
pub const DIAMOND_TIER: usize = 3;

/// A completed job's split (`settlementSplit`): the platform takes floor(amount × fee), 8 % for a
/// Diamond-tier worker, 10 % otherwise; the worker the rest. Returns (worker, platform).
///
/// `p` is the escrow's `terms` (the parameters when it was created), never Config's current block.
pub fn settlement(amount: u64, reputation: u16, p: &ConfigParams) -> Result<(u64, u64)> {
    let fee_bps = if p.rep_tier_of(reputation) == DIAMOND_TIER {
        p.diamond_platform_fee_bps
    } else {
        p.platform_fee_bps
    };
    let fee = math::bps(amount, fee_bps)?;
    Ok((math::sub(amount, fee)?, fee))
}

/// The worker may take a job of `amount` now: active, not suspended or leaving, staked for the
/// job's size, in a reputation tier allowed it. Checked at `create_escrow`, again at
/// `accept_job` (the stake or the score may have dropped in between), and for the new worker of
/// a `hand_over`.
pub fn check_worker_may_take(n: &Node, p: &ConfigParams, amount: u64, now: i64) -> Result {
    require!(n.status == NODE_ACTIVE && n.suspended_until <= now && n.unstake_requested == 0, Error::NodeNotActive);
    require!(n.stake >= p.stake_tier_min_stake[p.stake_tier_for(amount)], Error::InsufficientStakeForJob);
    let rep_max = p.rep_tier_max_job[p.rep_tier_of(n.reputation)];
    require!(rep_max == u64::MAX || amount < rep_max, Error::ReputationTierTooLow);
    Ok(())
}

/// The Config PDA as the token authority of every program vault (the escrow vaults, the stake,
/// insurance and platform vaults, the dispute vote vaults): a move out of one is signed with
/// Config's seeds. Built from the account and its stored bump (never by reading Config again:
/// a handler may hold Config's fields mutably while it pays).
#[derive(Clone, Copy)]
pub struct VaultAuthority {
    pub info: AccountInfo,
    pub bump: u8,
}

impl VaultAuthority {
    #[inline(always)]
    pub fn new(info: AccountInfo, bump: u8) -> VaultAuthority {
        VaultAuthority { info, bump }
    }

    /// SPL `Transfer` of `amount` from the vault `from` to `to`, signed by Config.
    pub fn transfer(&self, from: AccountInfo, to: AccountInfo, amount: u64) -> Result {
        let bump = [self.bump];
        let config_seeds = Seeds(&[Bytes::of(seeds::CONFIG), Bytes::of(&bump)]);
        cpi::token_transfer(from, to, self.info, amount, Some(&config_seeds))
    }

    /// SPL `CloseAccount` of the vault `vault` (empty), its rent to `destination`, signed by Config.
    #[inline(always)]
    pub fn close(&self, vault: AccountInfo, destination: AccountInfo) -> Result {
        let bump = [self.bump];
        cpi::token_close_account(vault, destination, self.info, &Seeds(&[Bytes::of(seeds::CONFIG), Bytes::of(&bump)]))
    }

    /// Closes a settled vault of `mint`: what it still holds (dust sent in since, the pool's
    /// rounding remainder) is swept to the platform vault first, then its rent goes to
    /// `destination` (`close_escrow`, `close_dispute`).
    pub fn sweep_and_close(&self, vault: AccountInfo, mint: &Pubkey, platform_vault: AccountInfo, destination: AccountInfo) -> Result {
        let surplus = TokenAccount::load(vault, mint)?.amount();
        if surplus > 0 {
            self.transfer(vault, platform_vault, surplus)?;
        }
        self.close(vault, destination)
    }

    /// SPL `Burn` of `amount` from the vault `from` of `mint`, signed by Config.
    #[inline(always)]
    pub fn burn(&self, from: AccountInfo, mint: AccountInfo, amount: u64) -> Result {
        let bump = [self.bump];
        let config_seeds = Seeds(&[Bytes::of(seeds::CONFIG), Bytes::of(&bump)]);
        cpi::token_burn(from, mint, self.info, amount, &config_seeds)
    }
}

/// Where a settlement pays from and to: the escrow's vault, the worker's token account and the
/// platform vault (checked by the caller), the moves signed by Config.
pub struct Payout {
    pub authority: VaultAuthority,
    pub vault: AccountInfo,
    pub worker_token: AccountInfo,
    pub platform_vault: AccountInfo,
}

impl Payout {
    /// A paid job (`complete`, `claim_payment`, `complete_zk`, a dispute the worker wins or
    /// nobody won after delivery): the worker's part, then the platform fee when there is one.
    #[inline(always)]
    pub fn completed(&self, worker_amount: u64, fee: u64) -> Result {
        self.authority.transfer(self.vault, self.worker_token, worker_amount)?;
        if fee > 0 {
            self.authority.transfer(self.vault, self.platform_vault, fee)?;
        }
        Ok(())
    }

    /// The earned part of an unfinished job (`cancel`, `hand_over`): the platform fee, then the
    /// worker's part, each only when non-zero.
    #[inline(always)]
    pub fn earned(&self, worker_amount: u64, fee: u64) -> Result {
        if fee > 0 {
            self.authority.transfer(self.vault, self.platform_vault, fee)?;
        }
        if worker_amount > 0 {
            self.authority.transfer(self.vault, self.worker_token, worker_amount)?;
        }
        Ok(())
    }
}

accounts! {
    /// The accounts of the worker's own steps on its escrow (`anchor_progress`, `submit_delivery`):
    /// 0 worker (signer) · 1 escrow (writable). The worker is checked against the escrow by the
    /// handler, after its arguments.
    pub struct WorkerEscrowAccounts {
        worker: signer, escrow: load_mut(Escrow),
    }
}

/// The accounts every settlement of an escrow with its worker starts with (`complete`,
/// `claim_payment`, `cancel`, `hand_over`, `complete_zk`): 0 signer (the client or the worker,
/// as the instruction says) · 1 config (writable where the settlement may slash: its totals
/// change) · 2 escrow (writable) · 3 escrow_vault · 4 worker_node (writable) · 5 worker_token.
/// Owners and types are checked here; the vault and the token account against the escrow by each
/// settlement.
pub struct SettlementHead {
    pub signer: AccountInfo,
    pub config: Account<Config>,
    pub escrow: Account<Escrow>,
    pub vault: AccountInfo,
    pub node: Account<Node>,
    pub worker_token: AccountInfo,
}

impl SettlementHead {
    #[inline(always)]
    pub fn load(it: &mut AccountIter, pid: &Pubkey, config_writable: bool) -> Result<SettlementHead> {
        let signer = account::signer(it.next()?)?;
        let config = if config_writable { Account::<Config>::load_mut(it.next()?, pid)? } else { Account::<Config>::load(it.next()?, pid)? };
        let escrow = Account::<Escrow>::load_mut(it.next()?, pid)?;
        let vault = it.next()?;
        let node = Account::<Node>::load_mut(it.next()?, pid)?;
        let worker_token = it.next()?;
        Ok(SettlementHead { signer, config, escrow, vault, node, worker_token })
    }
}

accounts! {
    /// The accounts of a payout to the worker (`complete`, signed by the client; `claim_payment`,
    /// signed by the worker): the settlement's head (config read-only) · 6 platform_vault ·
    /// 7 token_program. The vaults and token account are checked by `complete::release`.
    pub struct ReleaseAccounts {
        head: part(SettlementHead, false), platform_vault: info, _: token_program,
    }
}
