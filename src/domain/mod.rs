//! The domain core: records, field comparison, decisions and release policy. It knows no
//! terminal and no SQL, so every rule here is a plain function with plain tests.

pub mod address;
pub mod agreement;
pub mod audit;
pub mod claim;
pub mod currency;
pub mod decision;
pub mod evidence;
pub mod explain;
pub mod field;
pub mod flagged;
pub mod flags;
pub mod masking;
pub mod policy;
pub mod quality;
pub mod queue;
pub mod reason;
pub mod review_item;
pub mod roles;
pub mod status;
pub mod supervision;
pub mod supervision_training;
pub mod text_safety;
pub mod training;
pub mod validity;

pub use decision::{Decision, DecisionAction, Verdict};
pub use field::{Field, Record};
pub use flagged::{BatchInfo, FlaggedMatch, Gold};
pub use flags::ItemFlags;
pub use queue::{
    QueueCounts, QueueEntry, QueueFilter, QueueKey, QueueMove, QueueSort, ScoreBand, StateFilter,
};
pub use reason::ReasonCode;
pub use review_item::{CandidateMatch, ReviewItem};
pub use status::{MatchStatus, QueueState};
