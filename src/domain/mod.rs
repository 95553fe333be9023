//! The domain core: records, field comparison, decisions and release policy. It knows no
//! terminal and no SQL, so every rule here is a plain function with plain tests.

pub mod decision;
pub mod field;
pub mod flagged;
pub mod reason;
pub mod status;

pub use decision::{Decision, DecisionAction, Verdict};
pub use field::{Field, Record};
pub use flagged::{BatchInfo, FlaggedMatch, Gold};
pub use reason::ReasonCode;
pub use status::{MatchStatus, QueueState};
