//! Account layouts. Each struct is `#[repr(C)]` with its fields ordered by alignment (32-byte keys
//! and u64/i64 first, then u32, u16, u8) and explicit trailing padding, so it has no implicit
//! padding and its memory is exactly its Borsh encoding. The sizes are asserted below; the
//! TypeScript mirror is `chain/client/layout.ts`.

use crate::account::AccountType;
use crate::disc;
use crate::pubkey::Pubkey;

/// Every economic parameter, mirroring `protocols/params.ts`. Passed to `initialize_config` and
/// stored in `Config`. An exclusive job-amount bound of u64::MAX stands for "no bound" (so a job
/// of exactly u64::MAX is still inside it).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ConfigParams {
    /// Stake tiers: exclusive upper bound of job amounts, minimum stake.
    pub stake_tier_max_job: [u64; 4],
    pub stake_tier_min_stake: [u64; 4],
    /// Reputation tiers: exclusive upper bound of job amounts a tier may accept.
    pub rep_tier_max_job: [u64; 4],
    /// What a claimant locks in the dispute's vault at `open_dispute` (`DISPUTE.disputeBond`):
    /// returned if the claimant wins, paid to the respondent if it loses (the slot was
    /// `appeal_deposit`; the Config layout is unchanged).
    pub dispute_bond: u64,
    pub escrow_timeout_secs: i64,
    pub no_progress_timeout_secs: i64,
    pub heartbeat_interval_secs: i64,
    pub rate_limit_window_secs: i64,
    pub stake_min_lock_secs: i64,
    pub stake_lock_per_active_job_secs: i64,
    pub withdrawal_cooldown_secs: i64,
    pub repeated_failures_window_secs: i64,
    pub suspension_secs: i64,
    pub evidence_window_secs: i64,
    /// A jury's commit window after the draw's round opens (`DISPUTE.commitWindowSeconds`; the
    /// slot was `voting_window_secs`).
    pub commit_window_secs: i64,
    /// A jury's reveal window after its commit window (`DISPUTE.revealWindowSeconds`; the slot was
    /// `appeal_window_secs`).
    pub jury_reveal_window_secs: i64,
    /// Optimistic tier: after `submit_delivery`, how long a dispute may be opened before the
    /// worker may `claim_payment` (`PROOF.challengeWindowSeconds`).
    pub challenge_window_secs: i64,
    /// The smallest escrow `create_escrow` accepts (base units; `ESCROW.minAmount`): no dust jobs.
    pub min_escrow_amount: u64,
    /// The shortest escrow timeout `create_escrow` accepts (seconds; `ESCROW.minTimeoutSeconds`).
    /// The deadline itself counts from the worker's `accept_job`.
    pub min_escrow_timeout_secs: i64,
    /// The smallest job amount that earns reputation credit (assigned/completed/timed counts, the
    /// successful-job recovery, ratings; `REPUTATION.minCreditedJobAmount`). Penalties always apply.
    pub rep_credit_min_amount: u64,
    /// zk tier: how long after the final anchor the client alone may draw the challenge, by
    /// revealing its committed secret (`reveal_challenge`); after it anyone may draw it from a slot
    /// hash alone (`draw_challenge`, the fallback). Seconds (`PROOF.revealWindowSeconds`).
    pub reveal_window_secs: i64,
    /// zk tier: the least time a worker has to prove its challenged step after the draw: the
    /// escrow's `proof_deadline` is max(deadline, drawn at + this); no worker is slashed before it,
    /// nor one whose challenge was never drawn. Seconds (`PROOF.proveWindowSeconds`).
    pub prove_window_secs: i64,
    pub platform_fee_bps: u16,
    pub diamond_platform_fee_bps: u16,
    pub cancellation_fee_bps: u16,
    pub timeout_slash_bps: u16,
    pub invalid_proof_slash_bps: u16,
    pub fraud_slash_bps: u16,
    pub repeated_failures_slash_bps: u16,
    pub slash_insurance_share_bps: u16,
    /// The share of a juror's stake it deposits with its committed vote (`DISPUTE.jurorRiskBps`;
    /// the slot was `dispute_quorum_bps`).
    pub juror_risk_bps: u16,
    pub client_wins_slash_to_client_bps: u16,
    pub training_time_min_bps: u16,
    pub training_time_max_bps: u16,
    pub stake_tier_slash_bps: [u16; 4],
    pub rep_tier_min_score: [u16; 4],
    /// Completion, time accuracy, rating, proof quality, uptime (points of `rep_max_score`).
    pub rep_weights: [u16; 5],
    pub rep_max_score: u16,
    pub rep_maturity_jobs: u16,
    pub jobs_per_wallet_per_day: u16,
    pub repeated_failures_count: u16,
    /// The expected jury of round 0 (`DISPUTE.jurySize`; doubled by each redraw; the slot was
    /// `appeal_quorum_multiplier`).
    pub jury_size: u16,
    pub max_stars: u16,
    pub penalty_failed_job: i16,
    pub penalty_timeout: i16,
    pub penalty_invalid_proof: i16,
    pub penalty_dispute_lost: i16,
    pub reward_successful_job: i16,
    pub reward_five_star: i16,
    pub reward_dispute_won: i16,
    pub reward_uptime: i16,
    /// A client's rating counts only once it has this many paid, credited jobs behind it
    /// (`ClientState.paid_jobs`; `REPUTATION.minRaterPaidJobs`). Was 2 bytes of padding.
    pub rep_min_rater_paid_jobs: u16,
    /// The fewest revealed votes a verdict needs (`DISPUTE.minJurors`).
    pub min_jurors: u16,
    /// The most jury rounds a dispute runs (`DISPUTE.maxJuryRounds`): a last round without a
    /// verdict resolves the dispute with no verdict (`SIDE_NONE`) instead of a redraw.
    pub max_jury_rounds: u16,
    pub _padding: [u16; 2],
}

pub const CONFIG_PARAMS_LEN: usize = 336;
const _: () = assert!(core::mem::size_of::<ConfigParams>() == CONFIG_PARAMS_LEN);

const BPS_MAX: u16 = 10_000;

impl ConfigParams {
    /// Internal consistency of a parameter block.
    pub fn is_valid(&self) -> bool {
        let bps = [
            self.platform_fee_bps,
            self.diamond_platform_fee_bps,
            self.cancellation_fee_bps,
            self.timeout_slash_bps,
            self.invalid_proof_slash_bps,
            self.fraud_slash_bps,
            self.repeated_failures_slash_bps,
            self.slash_insurance_share_bps,
            self.juror_risk_bps,
            self.client_wins_slash_to_client_bps,
            self.stake_tier_slash_bps[0],
            self.stake_tier_slash_bps[1],
            self.stake_tier_slash_bps[2],
            self.stake_tier_slash_bps[3],
        ];
        let mut i = 0;
        while i < bps.len() {
            if bps[i] > BPS_MAX {
                return false;
            }
            i += 1;
        }
        if self.diamond_platform_fee_bps > self.platform_fee_bps {
            return false;
        }
        if self.stake_tier_min_stake[0] == 0 || self.training_time_min_bps > self.training_time_max_bps {
            return false;
        }
        let mut t = 1;
        while t < 4 {
            if self.stake_tier_min_stake[t] < self.stake_tier_min_stake[t - 1]
                || self.stake_tier_max_job[t] <= self.stake_tier_max_job[t - 1]
                || self.rep_tier_max_job[t] <= self.rep_tier_max_job[t - 1]
                || self.rep_tier_min_score[t] <= self.rep_tier_min_score[t - 1]
            {
                return false;
            }
            t += 1;
        }
        if self.rep_tier_min_score[3] > self.rep_max_score {
            return false;
        }
        let d = [
            self.escrow_timeout_secs,
            self.no_progress_timeout_secs,
            self.heartbeat_interval_secs,
            self.rate_limit_window_secs,
            self.stake_min_lock_secs,
            self.stake_lock_per_active_job_secs,
            self.withdrawal_cooldown_secs,
            self.repeated_failures_window_secs,
            self.suspension_secs,
            self.evidence_window_secs,
            self.commit_window_secs,
            self.jury_reveal_window_secs,
            self.challenge_window_secs,
            self.min_escrow_timeout_secs,
            self.reveal_window_secs,
            self.prove_window_secs,
        ];
        let mut k = 0;
        while k < d.len() {
            if d[k] <= 0 {
                return false;
            }
            k += 1;
        }
        self.jobs_per_wallet_per_day > 0
            && self.repeated_failures_count > 0
            && self.min_escrow_amount > 0
            && self.min_escrow_timeout_secs <= self.escrow_timeout_secs
            && self.max_stars > 0
            && self.jury_size > 0
            && self.min_jurors > 0
            && self.max_jury_rounds > 0
            && self.juror_risk_bps > 0
            && self.rep_maturity_jobs > 0
            && self.rep_max_score > 0
            && self.rep_max_score <= i16::MAX as u16 // the adjustment is an i16 clamped to ±max
            && self.rep_tier_max_job[0] > 0 // the reference job amount of value-weighted reputation
            && self.rep_tier_max_job[0] <= 1 << 48 // … small enough for `reputation::value_weighted`
    }

    /// The stake tier of a job of `amount`: the first whose (exclusive) bound exceeds it; the
    /// last tier takes everything else.
    pub fn stake_tier_for(&self, amount: u64) -> usize {
        let mut t = 0;
        while t < 3 {
            if amount < self.stake_tier_max_job[t] {
                return t;
            }
            t += 1;
        }
        3
    }

    /// The reputation tier of `score`: the highest whose minimum it reaches.
    pub fn rep_tier_of(&self, score: u16) -> usize {
        let mut r = 3;
        while r > 0 {
            if score >= self.rep_tier_min_score[r] {
                return r;
            }
            r -= 1;
        }
        0
    }

    /// The smallest stake that registers a node (the first tier's minimum).
    #[inline(always)]
    pub fn min_stake(&self) -> u64 {
        self.stake_tier_min_stake[0]
    }
}

/// The one configuration account, PDA `["config"]`. It is also the token authority of every
/// program vault, so vault transfers are signed with `["config", bump]`.
#[repr(C)]
pub struct Config {
    pub admin: Pubkey,
    pub mint: Pubkey,
    pub platform_vault: Pubkey,
    pub insurance_vault: Pubkey,
    pub stake_vault: Pubkey,
    /// The key proposed by `propose_admin`, zero when none: it becomes `admin` only when it signs
    /// `accept_admin` (a two-step handover: a mistyped key never gets the role, and the admin keeps
    /// it until the acceptance). Proposing again replaces it; proposing the zero key cancels.
    pub pending_admin: Pubkey,
    /// The only key that may move tokens out of the platform and insurance vaults
    /// (`withdraw_treasury`, to its own token account). The admin at `initialize_config`; changed
    /// only by `set_governance`, signed by the current and the new key. The admin alone cannot
    /// drain the treasury.
    pub governance: Pubkey,
    pub params: ConfigParams,
    pub total_staked: u64,
    pub node_count: u64,
    pub escrow_count: u64,
    /// Every base unit this program has burned (slashes). Mint supply + this = tokens ever minted,
    /// which is what the supply-conservation tests check.
    pub total_burned: u64,
    pub bump: u8,
    pub platform_vault_bump: u8,
    pub insurance_vault_bump: u8,
    pub stake_vault_bump: u8,
    pub mint_decimals: u8,
    pub _padding: [u8; 3],
}

const _: () = assert!(core::mem::size_of::<Config>() == 7 * 32 + CONFIG_PARAMS_LEN + 4 * 8 + 8);

impl AccountType for Config {
    const DISCRIMINATOR: [u8; 8] = disc::account("Config");
}

pub const NODE_ACTIVE: u8 = 0;
pub const NODE_SUSPENDED: u8 = 1;
pub const NODE_BANNED: u8 = 2;

/// A worker's registration, PDA `["node", owner]`. The middle block is the `ReputationRecord` of
/// `protocols/rules/reputation.ts`, field for field; `reputation` is always the score of that
/// record (`reputation::refresh`), recomputed by every instruction that changes it.
#[repr(C)]
pub struct Node {
    pub owner: Pubkey,
    pub stake: u64,
    pub registered_at: i64,
    pub lock_until: i64,
    pub last_heartbeat: i64,
    pub unstake_requested_at: i64,
    pub suspended_until: i64,
    pub total_earned: u64,
    /// Sum over timed jobs of each job's time accuracy in bps (0..10,000 each).
    pub time_accuracy_sum_bps: u64,
    /// Base units paid for this node's credited jobs (completed, or won in a dispute): the
    /// value-weighted maturity of its score (audit finding 7, `reputation::score`).
    pub paid_value: u64,
    /// Repeated failures (`recordFailure`): when the current failure window started, and the
    /// timeouts and invalid proofs counted in it. Reaching `repeated_failures_count` within
    /// `repeated_failures_window_secs` slashes `repeated_failures_slash_bps` more and suspends the
    /// node for `suspension_secs`; the window then starts again empty.
    pub failures_window_start: i64,
    pub jobs_assigned: u32,
    pub jobs_completed: u32,
    pub jobs_failed: u32,
    pub jobs_active: u32,
    pub timed_jobs: u32,
    pub rating_stars_sum: u32,
    pub ratings: u32,
    pub proofs_valid: u32,
    pub proofs_total: u32,
    pub heartbeats_received: u32,
    pub heartbeats_expected: u32,
    pub failures_in_window: u32,
    /// Running sum of penalties and recoveries, kept within ±rep_max_score.
    pub adjustment: i16,
    pub reputation: u16,
    pub status: u8,
    /// 1 once `request_unstake` ran (a flag, not a zero time: the ledger clock may start at 0).
    pub unstake_requested: u8,
    pub bump: u8,
    pub _padding: [u8; 1],
}

const _: () = assert!(core::mem::size_of::<Node>() == 32 + 10 * 8 + 12 * 4 + 2 + 2 + 3 + 1);

impl AccountType for Node {
    const DISCRIMINATOR: [u8; 8] = disc::account("Node");
}

pub const ESCROW_FUNDED: u8 = 0;
pub const ESCROW_COMPLETED: u8 = 1;
pub const ESCROW_CANCELLED: u8 = 2;
pub const ESCROW_TIMED_OUT: u8 = 3;
pub const ESCROW_DISPUTED: u8 = 4;
/// Dispute resolved for the client (refunded) / for the worker (paid).
pub const ESCROW_RESOLVED_CLIENT: u8 = 5;
pub const ESCROW_RESOLVED_WORKER: u8 = 6;
/// zk tier: a proof that failed `complete_zk`'s Groth16 check, or no valid proof by the deadline
/// (`slash_invalid_proof`); the client was refunded and the worker slashed.
pub const ESCROW_PROOF_FAILED: u8 = 7;

/// Whether an escrow has reached an end state (its vault is then empty and it may be closed).
#[inline(always)]
pub fn escrow_is_terminal(state: u8) -> bool {
    state == ESCROW_COMPLETED
        || state == ESCROW_CANCELLED
        || state == ESCROW_TIMED_OUT
        || state == ESCROW_RESOLVED_CLIENT
        || state == ESCROW_RESOLVED_WORKER
        || state == ESCROW_PROOF_FAILED
}

/// A job's payment, PDA `["escrow", client, nonce (u64 LE)]`; its tokens sit in the vault PDA
/// `["escrow_vault", escrow]`, whose token authority is `Config`.
#[repr(C)]
pub struct Escrow {
    pub client: Pubkey,
    pub worker: Pubkey,
    pub vault: Pubkey,
    pub job_id: [u8; 32],
    pub spec_hash: [u8; 32],
    pub final_weights_hash: [u8; 32],
    /// The root anchored at the last anchored epoch (`anchor_progress`): at the final epoch the
    /// Poseidon Merkle root of the checkpoint commitments (what settlement checks); before it, the
    /// worker role anchors the Poseidon commitment of its chain head H_e, a field element, after
    /// every checkpoint (progress for the no-progress timeout; nothing settles against it).
    pub progress_root: [u8; 32],
    /// zk tier: SHA-256 of the verifying-key bytes of ["vk", circuit_id] when the escrow was
    /// created. `complete_zk` refuses a key that no longer hashes to it: replacing a key cannot
    /// change the statement a funded escrow pays for. Zero for the optimistic tier.
    pub vk_hash: [u8; 32],
    /// zk tier: the Poseidon commitment of the job's training data as the step circuit reads it —
    /// the root of the Poseidon Merkle tree of its batch commitments, a canonical BN254
    /// scalar-field element (< r, non-zero), 32 bytes big-endian — fixed by the client at
    /// `create_escrow`. It is the step proof's public input `data`, so the worker's private
    /// training batches are bound to the data the client funded. Zero for the optimistic tier.
    pub data_commitment: [u8; 32],
    /// zk tier: SHA-256 of a 32-byte secret the client chose at `create_escrow` (non-zero). The
    /// client reveals the secret after the final anchor (`reveal_challenge`), which draws the
    /// challenge from it and a slot hash: the worker, who never saw the secret, can neither predict
    /// nor grind its step. Zero for the optimistic tier.
    pub challenge_commitment: [u8; 32],
    pub nonce: u64,
    pub amount: u64,
    pub estimated_seconds: u64,
    /// When the current offer was made: `create_escrow`, or the `hand_over` that named the current
    /// worker. Until `accept_job` the deadline is the offer's expiry, created_at + the timeout.
    pub created_at: i64,
    pub deadline: i64,
    pub completed_at: i64,
    pub last_progress_at: i64,
    /// zk tier: the slot in which the final root (epoch = epochs_total) was anchored.
    pub final_anchor_slot: u64,
    /// zk tier: the slot whose hash drew the challenge.
    pub challenge_slot: u64,
    /// Optimistic tier: when the worker called `submit_delivery` (its challenge window starts).
    pub delivered_at: i64,
    /// When the worker accepted the job (`accept_job`); 0 before. The deadline counts from it.
    pub accepted_at: i64,
    /// zk tier: the slot whose hash (or the first later one's) the fallback `draw_challenge` takes:
    /// the final anchor's slot, moved to the current slot when the SlotHashes sysvar no longer
    /// reaches back to it (a re-arm: the challenge never becomes undrawable).
    pub challenge_ref_slot: u64,
    /// zk tier: until when the worker may prove (`complete_zk`), set at the draw to
    /// max(deadline, drawn at + `prove_window_secs`); `slash_invalid_proof` only after it.
    pub proof_deadline: i64,
    /// Epochs in the job's spec, and the highest epoch anchored (by this worker, or verified of a
    /// replaced one: `hand_over`). The current worker's progress is (done − base)/(total − base).
    pub epochs_total: u32,
    pub epochs_done: u32,
    /// zk tier: the circuit (VerifyingKey ["vk", circuit_id]) the step proof is checked with.
    pub circuit_id: u32,
    /// zk tier: the challenged step k (the proof covers checkpoints k and k + 1, 0-based leaves).
    pub challenge_step: u32,
    /// The epochs a `hand_over` paid the replaced worker for (0 without one): the current worker
    /// continues from them, and a cancellation pays it pro rata for the epochs after them.
    pub epochs_base: u32,
    pub state: u8,
    pub bump: u8,
    pub vault_bump: u8,
    /// 1 once the client rated the worker for this job.
    pub rated: u8,
    /// The spec's verification tier: TIER_OPTIMISTIC (0, settled by the client's `complete`) or
    /// TIER_ZK (1, settled by `complete_zk` with a proof, or `slash_invalid_proof`).
    pub tier: u8,
    /// zk tier: 1 once `reveal_challenge` or `draw_challenge` fixed `challenge_step`.
    pub challenged: u8,
    /// Optimistic tier: 1 once the worker submitted its delivery (`submit_delivery`).
    pub delivered: u8,
    /// 1 once the named worker signed `accept_job`. Before that the escrow is an offer: no
    /// deadline runs against the worker, nothing can slash it, and only the client may take the
    /// tokens back (`cancel`, in full).
    pub accepted: u8,
    /// 1 when the job earns reputation credit (its amount reached `rep_credit_min_amount` at
    /// `accept_job`; fixed then, so a later parameter change cannot unbalance the record).
    pub credited: u8,
    /// zk tier: 1 when the challenge was drawn from the client's revealed secret
    /// (`reveal_challenge`), 0 when by the slot-hash fallback (`draw_challenge`) or not yet drawn.
    pub revealed: u8,
    /// Optimistic tier: how many times the client handed the job over from a stalled worker to a
    /// new one (`hand_over`).
    pub handovers: u8,
    pub _padding: [u8; 1],
    /// The Config's parameter block when the escrow was created (`create_escrow`). Everything that
    /// settles this escrow reads its fees, slash rates, penalties and windows from here, not from
    /// Config: an admin's `update_config` is never retroactive (audit finding 15). Admission rules
    /// (stake and reputation tiers at `accept_job`), the reputation score's formula and the dispute
    /// process's own parameters (bond, voting windows, quorum) stay Config's.
    pub terms: ConfigParams,
}

pub const ESCROW_LEN: usize = 792;
const _: () = assert!(core::mem::size_of::<Escrow>() == 10 * 32 + 13 * 8 + 5 * 4 + 12 + CONFIG_PARAMS_LEN);
const _: () = assert!(core::mem::size_of::<Escrow>() == ESCROW_LEN);

pub const TIER_OPTIMISTIC: u8 = 0;
pub const TIER_ZK: u8 = 1;

impl AccountType for Escrow {
    const DISCRIMINATOR: [u8; 8] = disc::account("Escrow");
}

/// A client wallet's job counter for the rate limit, PDA `["client", client]`: a fixed window
/// (`takeRateLimit` in protocols/rules/settlement.ts).
#[repr(C)]
pub struct ClientState {
    pub client: Pubkey,
    pub window_start: i64,
    pub jobs_in_window: u32,
    /// Paid, credited jobs of this client that it rated (`rate_worker`), with any worker: its
    /// ratings count only from `rep_min_rater_paid_jobs` on (audit finding 7).
    pub paid_jobs: u32,
    pub bump: u8,
    pub _padding: [u8; 7],
}

const _: () = assert!(core::mem::size_of::<ClientState>() == 32 + 8 + 4 + 4 + 1 + 7);

impl AccountType for ClientState {
    const DISCRIMINATOR: [u8; 8] = disc::account("ClientState");
}

pub const SIDE_CLIENT: u8 = 0;
pub const SIDE_WORKER: u8 = 1;
/// `Dispute.winner` when the last jury round (`max_jury_rounds`) ended without a verdict: neither
/// side won (`finalize_dispute`: the status quo, the bond back to the claimant, no slash).
pub const SIDE_NONE: u8 = 2;
/// A ballot and a verdict: the evidence could not be fetched (docs/security.md, finding 16). As a
/// verdict (a strict majority of at least `min_jurors` reveals) the worker is treated as one that
/// never delivered: the client refunded in full, the worker slashed as by `timeout_refund`.
pub const SIDE_UNAVAILABLE: u8 = 3;
/// Evidence, then rounds of a drawn jury (commit, reveal); a round without a verdict is redrawn.
pub const DISPUTE_OPEN: u8 = 0;
/// A verdict recorded by `resolve_dispute`, not yet executed; `finalize_dispute` executes it.
pub const DISPUTE_RESOLVED: u8 = 1;
/// The verdict executed (`finalize_dispute`): tokens moved, the escrow in its end state.
pub const DISPUTE_FINALIZED: u8 = 2;
pub const CID_LEN: usize = 64;

/// A dispute over a funded escrow, PDA `["dispute", escrow]`. The claimant's bond and the jurors'
/// deposits sit in the vault PDA `["vote_vault", dispute]` (token authority `Config`). The jury is
/// drawn by stake-weighted sortition (`draw_jury`) and votes by commit–reveal (`commit_vote`,
/// `reveal_vote`); docs/security.md, finding 5.
#[repr(C)]
pub struct Dispute {
    pub escrow: Pubkey,
    pub client: Pubkey,
    pub worker: Pubkey,
    pub vote_vault: Pubkey,
    /// Evidence CIDs, UTF-8, zero-padded.
    pub client_evidence: [u8; CID_LEN],
    pub worker_evidence: [u8; CID_LEN],
    /// The current round's seed (valid once `drawn == 1`): SHA-256(slot hash ‖ dispute ‖ round).
    pub seed: [u8; 32],
    pub opened_at: i64,
    pub evidence_deadline: i64,
    /// The current round's windows: commits before `commit_deadline`, reveals from it until
    /// `reveal_deadline`; `resolve_dispute` after it.
    pub commit_deadline: i64,
    pub reveal_deadline: i64,
    pub resolved_at: i64,
    /// The slot whose hash (or the first later one's) seeds the current round's draw; moved to the
    /// current slot when SlotHashes no longer reaches it (a re-arm, as `draw_challenge`).
    pub seed_slot: u64,
    /// `Config.total_staked` at the opening: the draw's denominator.
    pub total_staked: u64,
    /// The claimant's bond held until `finalize_dispute` (0 after it).
    pub bond: u64,
    /// The current round's revealed deposits by side.
    pub deposits_client: u64,
    pub deposits_worker: u64,
    /// The current round's revealed deposits of `SIDE_UNAVAILABLE` votes.
    pub deposits_unavailable: u64,
    /// The current round's committed deposits (revealed or not).
    pub deposits_committed: u64,
    /// Deposits of votes not yet settled by `withdraw_vote`, all rounds.
    pub locked: u64,
    /// Forfeited deposits (non-revealers of every round, the final round's minority): shared by the
    /// final round's majority pro rata to their deposits.
    pub pool: u64,
    /// The final round's majority deposits (the pool's denominator), set at the verdict.
    pub majority_deposits: u64,
    /// The current round's counts.
    pub committed: u32,
    pub revealed: u32,
    pub votes_client: u32,
    pub votes_worker: u32,
    /// `SIDE_UNAVAILABLE` votes: jurors that could not fetch the evidence after every retry.
    pub votes_unavailable: u32,
    /// Votes not yet settled by `withdraw_vote`, all rounds.
    pub open_votes: u32,
    pub claimant: u8,
    pub state: u8,
    /// The verdict (valid once resolved).
    pub winner: u8,
    pub bump: u8,
    pub vault_bump: u8,
    /// 0 the first jury; each redraw adds 1 and doubles the expected jury.
    pub round: u8,
    /// 1 once the current round's jury seed is fixed (`draw_jury`).
    pub drawn: u8,
    pub _padding: [u8; 1],
}

const _: () = assert!(core::mem::size_of::<Dispute>() == 4 * 32 + 2 * CID_LEN + 32 + 5 * 8 + 10 * 8 + 6 * 4 + 7 + 1);

impl AccountType for Dispute {
    const DISCRIMINATOR: [u8; 8] = disc::account("Dispute");
}

/// One juror's vote in one round of one dispute, PDA `["vote", dispute, juror, round]`.
#[repr(C)]
pub struct Vote {
    pub dispute: Pubkey,
    pub juror: Pubkey,
    /// SHA-256(side ‖ salt ‖ dispute ‖ juror), from `commit_vote`.
    pub commitment: [u8; 32],
    /// The stake moved into the vault at the commit (`juror_risk_bps` of the juror's stake).
    pub deposit: u64,
    pub side: u8,
    pub bump: u8,
    pub round: u8,
    /// 1 once `reveal_vote` opened the commitment.
    pub revealed: u8,
    pub _padding: [u8; 4],
}

const _: () = assert!(core::mem::size_of::<Vote>() == 3 * 32 + 8 + 8);

impl AccountType for Vote {
    const DISCRIMINATOR: [u8; 8] = disc::account("Vote");
}

/// Most public inputs a verifying key may have (a property of the verifier: `groth16`), and the
/// largest key blob.
pub use crate::groth16::VK_MAX_PUBLIC;
pub const VK_MAX_BYTES: usize = crate::groth16::vk_len(VK_MAX_PUBLIC);

/// A Groth16 verifying key set by the admin (later the DAO), PDA `["vk", circuit_id (u32 LE)]`.
/// `data[..len]` is the key in the layout of `circuits/onchain.ts` (`toOnChainVerifyingKey`),
/// written in order by one or more `set_verifying_key` chunks; usable once `written == len`.
#[repr(C)]
pub struct VerifyingKey {
    pub circuit_id: u32,
    pub len: u32,
    pub written: u32,
    pub bump: u8,
    pub _padding: [u8; 3],
    pub data: [u8; VK_MAX_BYTES],
}

const _: () = assert!(core::mem::size_of::<VerifyingKey>() == 16 + VK_MAX_BYTES);

impl AccountType for VerifyingKey {
    const DISCRIMINATOR: [u8; 8] = disc::account("VerifyingKey");
}

impl VerifyingKey {
    /// The complete key blob, or `InvalidVerifyingKey` while chunks are missing.
    pub fn key(&self) -> crate::error::Result<&[u8]> {
        let len = self.len as usize;
        if len == 0 || self.written != self.len || len > VK_MAX_BYTES {
            return Err(crate::error::Error::InvalidVerifyingKey);
        }
        Ok(&self.data[..len])
    }
}
