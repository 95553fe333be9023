//! Where a match stands, and where a request stands in the review queue.

use std::fmt;
use std::str::FromStr;

/// The state of one match (request × candidate). Stored as lower-case text in `matches.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MatchStatus {
    /// Waiting for a reviewer.
    Pending,
    /// A reviewer approved releasing the candidate's address.
    Approved,
    /// A reviewer rejected it (or approved a sibling candidate instead).
    Rejected,
    /// Put aside; it comes back after the pending items.
    Deferred,
    /// Handed to a supervisor.
    Escalated,
    /// Exported: the address has gone out.
    Released,
}

impl MatchStatus {
    pub const ALL: [MatchStatus; 6] = [
        MatchStatus::Pending,
        MatchStatus::Approved,
        MatchStatus::Rejected,
        MatchStatus::Deferred,
        MatchStatus::Escalated,
        MatchStatus::Released,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MatchStatus::Pending => "pending",
            MatchStatus::Approved => "approved",
            MatchStatus::Rejected => "rejected",
            MatchStatus::Deferred => "deferred",
            MatchStatus::Escalated => "escalated",
            MatchStatus::Released => "released",
        }
    }

    /// Still waiting for a reviewer's decision (pending or deferred).
    pub fn is_open(self) -> bool {
        matches!(self, MatchStatus::Pending | MatchStatus::Deferred)
    }
}

impl fmt::Display for MatchStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown match status {0:?}")]
pub struct UnknownStatus(pub String);

impl FromStr for MatchStatus {
    type Err = UnknownStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MatchStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UnknownStatus(s.to_string()))
    }
}

/// Where a request (with all its candidates) stands in the review queue. Stored as an integer in
/// `requests.queue_rank` so the queue's order "open first, then deferred" is an index order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum QueueState {
    /// At least one candidate is pending.
    Open = 0,
    /// Nothing pending, at least one deferred.
    Deferred = 1,
    /// Nothing open, at least one escalated to a supervisor.
    Escalated = 2,
    /// Every candidate decided.
    Done = 3,
}

impl QueueState {
    pub const ALL: [QueueState; 4] = [
        QueueState::Open,
        QueueState::Deferred,
        QueueState::Escalated,
        QueueState::Done,
    ];

    /// The state of a request whose candidates have these statuses.
    pub fn of(statuses: impl IntoIterator<Item = MatchStatus>) -> QueueState {
        statuses
            .into_iter()
            .map(|s| match s {
                MatchStatus::Pending => QueueState::Open,
                MatchStatus::Deferred => QueueState::Deferred,
                MatchStatus::Escalated => QueueState::Escalated,
                _ => QueueState::Done,
            })
            .min()
            .unwrap_or(QueueState::Done)
    }

    pub fn rank(self) -> i64 {
        self as i64
    }

    pub fn from_rank(rank: i64) -> Option<QueueState> {
        QueueState::ALL.into_iter().find(|s| s.rank() == rank)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            QueueState::Open => "open",
            QueueState::Deferred => "deferred",
            QueueState::Escalated => "escalated",
            QueueState::Done => "done",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_text_round_trips() {
        for s in MatchStatus::ALL {
            assert_eq!(s.as_str().parse::<MatchStatus>(), Ok(s));
        }
        assert!("maybe".parse::<MatchStatus>().is_err());
    }

    #[test]
    fn queue_state_takes_the_most_open_candidate() {
        use MatchStatus::*;
        assert_eq!(QueueState::of([Rejected, Pending]), QueueState::Open);
        assert_eq!(QueueState::of([Deferred, Rejected]), QueueState::Deferred);
        assert_eq!(QueueState::of([Escalated, Approved]), QueueState::Escalated);
        assert_eq!(QueueState::of([Approved, Rejected]), QueueState::Done);
        assert_eq!(QueueState::of([]), QueueState::Done);
    }
}
