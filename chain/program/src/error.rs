//! Error codes. Structural checks use Anchor's framework codes (so Anchor clients and explorers
//! name them); the program's own errors start at 6000 like an Anchor `#[error_code]` enum. The
//! TypeScript mirror is `chain/client/errors.ts`; keep the two in step.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u32)]
pub enum Error {
    // Anchor framework codes.
    InstructionMissing = 100,
    InstructionFallbackNotFound = 101,
    InstructionDidNotDeserialize = 102,
    ConstraintMut = 2000,
    ConstraintHasOne = 2001,
    ConstraintOwner = 2004,
    ConstraintSeeds = 2006,
    ConstraintAddress = 2012,
    ConstraintTokenMint = 2014,
    ConstraintTokenOwner = 2015,
    ConstraintMintDecimals = 2018,
    AccountDiscriminatorMismatch = 3002,
    AccountDidNotDeserialize = 3003,
    AccountNotEnoughKeys = 3005,
    AccountOwnedByWrongProgram = 3007,
    InvalidProgramId = 3008,
    AccountNotSigner = 3010,
    // cyxwiz errors.
    InvalidParameters = 6000,
    StakeBelowMinimum = 6001,
    ArithmeticOverflow = 6002,
    DuplicateAccount = 6003,
    UnsupportedRent = 6004,
    AccountAlreadyInitialized = 6005,
    ZeroAmount = 6006,
    NodeNotActive = 6007,
    InsufficientStakeForJob = 6008,
    ReputationTierTooLow = 6009,
    InvalidEscrowState = 6010,
    InvalidTimeout = 6011,
    RateLimited = 6012,
    InvalidMint = 6013,
    SelfDealing = 6014,
    CpiFailed = 6015,
    InvalidEstimate = 6016,
    InvalidEpoch = 6017,
    DeadlineNotReached = 6018,
    AlreadyRated = 6019,
    InvalidStars = 6020,
    UnstakeNotRequested = 6021,
    UnstakeAlreadyRequested = 6022,
    ActiveJobs = 6023,
    StakeLocked = 6024,
    HeartbeatTooSoon = 6025,
    Unauthorized = 6026,
    EscrowNotFinished = 6027,
    NotAParty = 6028,
    EvidenceWindowClosed = 6029,
    VotingNotOpen = 6030,
    VotingNotEnded = 6031,
    InvalidSide = 6032,
    InvalidDisputeState = 6033,
    DeadlinePassed = 6034,
    InvalidProof = 6035,
    InvalidVerifyingKey = 6036,
    InvalidTier = 6037,
    ChallengeNotReady = 6038,
    /// No longer returned: an expired SlotHashes entry re-arms the draw (`draw_challenge`).
    ChallengeExpired = 6039,
    ChallengeAlreadyDrawn = 6040,
    InvalidInclusion = 6041,
    NonCanonicalField = 6042,
    ProofRequired = 6043,
    AppealWindowClosed = 6044,
    AlreadyAppealed = 6045,
    AppealWindowOpen = 6046,
    NotDelivered = 6047,
    ChallengeWindowOpen = 6048,
    AlreadyDelivered = 6049,
    VotesOutstanding = 6050,
    /// zk tier: the key account ["vk", circuit_id] no longer hashes to the key pinned at
    /// `create_escrow` (the admin replaced or is rewriting it).
    VerifyingKeyChanged = 6051,
    /// zk tier: `create_escrow` names a circuit whose verifying key is not (completely) set.
    VerifyingKeyNotSet = 6052,
    /// Optimistic tier: `submit_delivery` before the worker anchored the final epoch's root.
    FinalRootNotAnchored = 6053,
    /// zk tier: `create_escrow`'s dataset commitment is missing, zero or not a canonical field
    /// element (≥ r); or a non-zk escrow carries a non-zero one.
    InvalidDataCommitment = 6054,
    /// Optimistic tier: the client's `complete` names other weights than the worker delivered
    /// (`submit_delivery`).
    WeightsHashMismatch = 6055,
    /// The escrow is still an offer: its worker has not signed `accept_job` (no work, deadline,
    /// dispute or slash before that).
    NotAccepted = 6056,
    /// `accept_job` on an escrow already accepted.
    AlreadyAccepted = 6057,
    /// `create_escrow` below `min_escrow_amount`.
    AmountBelowMinimum = 6058,
    /// `set_verifying_key` on a key that is complete (or a chunk that would rewrite written bytes):
    /// a key, once set, never changes — a new circuit gets a new id.
    VerifyingKeyImmutable = 6059,
    /// zk tier: `create_escrow` without a non-zero `challenge_commitment` (the SHA-256 of the
    /// client's secret), or a non-zk escrow with one.
    InvalidChallengeCommitment = 6060,
    /// `reveal_challenge` with a secret whose SHA-256 is not the escrow's `challenge_commitment`.
    InvalidChallengeSecret = 6061,
    /// The slot-hash fallback `draw_challenge` before the client's reveal window has passed
    /// (`reveal_window_secs` after the final anchor): until then only the secret draws.
    RevealWindowOpen = 6062,
    /// `slash_invalid_proof` on an escrow whose challenge was never drawn: a worker is slashed only
    /// for a drawn challenge it did not prove within its proving window (`timeout_refund` refunds
    /// the client without a slash instead).
    ChallengeNotDrawn = 6063,
    /// `submit_delivery` whose final leaf's state commitment is not the digest commitment of the
    /// delivered final weights hash (audit finding 4): the weights the client pays for must be the
    /// ones the anchored checkpoint chain ends with.
    WeightsNotCommitted = 6064,
    /// `commit_vote` before `draw_jury` fixed the current round's seed.
    JuryNotDrawn = 6065,
    /// `draw_jury` when the current round's seed is already fixed.
    JuryAlreadyDrawn = 6066,
    /// `commit_vote` by a node the current round's sortition did not draw.
    NotDrawn = 6067,
    /// `commit_vote` by a party, a node registered after the opening, or an inactive or unstaking node.
    NotEligible = 6068,
    /// `commit_vote` after the round's commit window.
    CommitWindowClosed = 6069,
    /// `reveal_vote` whose side and salt do not hash to the commitment.
    InvalidReveal = 6070,
    /// `reveal_vote` twice.
    AlreadyRevealed = 6071,
    /// `accept_admin` when no admin handover was proposed (`propose_admin`), or signed by a key
    /// other than the proposed one is `Unauthorized`.
    NoPendingAdmin = 6080,
    /// `withdraw_treasury` from an account that is neither Config's platform vault nor its
    /// insurance vault (the stake vault holds the workers' stakes and is never withdrawable).
    NotATreasuryVault = 6081,
    /// `withdraw_treasury` of more than the vault holds.
    InsufficientTreasury = 6082,
    /// `initialize_config` not signed by the program's upgrade authority (as its ProgramData
    /// records it), or with an account that is not this program's ProgramData: otherwise whoever
    /// sends the first transaction after a deploy becomes admin and picks the mint.
    NotUpgradeAuthority = 6100,
    /// `initialize_config` with a mint that has a freeze authority: its holder could freeze every
    /// vault, escrow and stake of the program.
    MintHasFreezeAuthority = 6101,
    /// `accept_job` of an escrow whose estimated time per epoch, ceil(estimated_seconds /
    /// epochs_total), exceeds its no-progress timeout (`terms.no_progress_timeout_secs`): an
    /// honest worker anchoring once per epoch could not meet it (`progress::epoch_fits`).
    EpochExceedsNoProgressTimeout = 6102,
    /// `hand_over` while the escrow's worker is not stalled: it anchored progress within the
    /// no-progress timeout, or its final epoch is anchored (`progress::no_progress_expired`).
    WorkerNotStalled = 6103,
    /// `hand_over` to the worker it would replace.
    InvalidNewWorker = 6104,
}

impl Error {
    /// The program's return value: `ProgramError::Custom(code)`.
    #[inline(always)]
    pub const fn code(self) -> u64 {
        self as u32 as u64
    }
}

pub type Result<T = ()> = core::result::Result<T, Error>;

/// `require!(cond, Error::X)` returns the error when `cond` is false.
#[macro_export]
macro_rules! require {
    ($cond:expr, $err:expr) => {
        if !($cond) {
            return Err($err);
        }
    };
}
