//! `heartbeat()`: the node owner reports that its node is up. Feeds the uptime component of the
//! reputation record: each heartbeat is one received, and the periods of `heartbeat_interval_secs`
//! since the previous one are the heartbeats that were expected (a gap of an hour at a 2-minute
//! interval expects 30, receives 1). A heartbeat sooner than one interval after the previous one
//! is refused, so sending many cannot paper over a gap.
//!
//! Accounts: 0 owner (signer) · 1 config · 2 node (writable, owner = signer).

use crate::accounts;
use crate::error::{Error, Result};
use crate::input::Input;
use crate::state::{Config, Node};
use crate::{math, reputation, require, sys};

accounts! { pub struct HeartbeatAccounts { owner: signer, config: load(Config), node: load_mut(Node) } }

pub fn process(input: &Input) -> Result {
    let HeartbeatAccounts { owner, config, node } = HeartbeatAccounts::load(input)?;
    crate::args::Args::new(input.data).finish()?;

    let p = &config.get().params;
    // SAFETY: no other borrow of `node`'s data is used while `n` lives; accounts never
    // alias and no CPI can write a program account (`Account::get_mut`'s contract).
    let n = unsafe { node.get_mut() };
    require!(&n.owner == owner.key(), Error::ConstraintHasOne);
    let now = sys::clock().unix_timestamp;
    let elapsed = math::sub_i64(now, n.last_heartbeat)?;
    require!(elapsed >= p.heartbeat_interval_secs, Error::HeartbeatTooSoon);
    // ≥ 1 (elapsed ≥ interval > 0); a gap longer than 2^32 intervals saturates the counter.
    // Unsigned: BPF has no signed division, and both are positive here.
    let periods = elapsed as u64 / p.heartbeat_interval_secs as u64;
    let periods = if periods > u32::MAX as u64 { u32::MAX } else { periods as u32 };
    n.heartbeats_expected = n.heartbeats_expected.saturating_add(periods);
    n.heartbeats_received = math::inc_u32(n.heartbeats_received, 1)?;
    n.last_heartbeat = now;
    reputation::refresh(n, p)
}
