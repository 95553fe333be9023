//! Everything the review screen shows about one request: its batch, the requested record and
//! every candidate the matcher proposed for it.

use super::field::Record;
use super::flagged::{BatchInfo, Gold};
use super::flags::ItemFlags;
use super::status::{MatchStatus, QueueState};

/// One candidate of a request, with the match's own state.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateMatch {
    pub match_id: i64,
    pub candidate: Record,
    pub score: f64,
    pub status: MatchStatus,
    pub gold: Option<Gold>,
    pub gold_note: Option<String>,
    /// Who has approved this match so far (standing approvals, not undone), in order. With two
    /// approvals required, one name here means "1 of 2".
    pub approvals: Vec<String>,
    /// The supervisor who overrode the address-sufficiency gate for this match, if any.
    pub override_by: Option<String>,
}

/// A request and its candidates, best score first.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewItem {
    pub request_id: i64,
    pub batch_id: i64,
    pub batch: BatchInfo,
    pub request: Record,
    pub state: QueueState,
    pub flags: ItemFlags,
    pub candidates: Vec<CandidateMatch>,
}

impl ReviewItem {
    /// The first candidate still waiting for a decision, else the first one.
    pub fn first_open_candidate(&self) -> usize {
        self.candidates
            .iter()
            .position(|c| c.status.is_open())
            .unwrap_or(0)
    }
}
