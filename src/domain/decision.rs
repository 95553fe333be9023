//! What a reviewer or supervisor can do to a match, as recorded in the append-only history.

use std::fmt;
use std::str::FromStr;

use super::reason::ReasonCode;
use super::status::MatchStatus;

/// The kind of a history event in `decisions.action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DecisionAction {
    Approve,
    Reject,
    Defer,
    Escalate,
    /// A note on the item; the status does not change.
    Note,
    /// Reverts an earlier event (named in `decisions.undoes`).
    Undo,
    /// A supervisor found the decision named in `decisions.checks` right.
    Agree,
    /// A supervisor found the decision named in `decisions.checks` wrong (see
    /// [`crate::domain::supervision`] for what that changes).
    Overturn,
    /// A second reviewer's blind verdict on a decided match: approve.
    SecondApprove,
    /// A second reviewer's blind verdict on a decided match: reject.
    SecondReject,
}

impl DecisionAction {
    pub const ALL: [DecisionAction; 10] = [
        DecisionAction::Approve,
        DecisionAction::Reject,
        DecisionAction::Defer,
        DecisionAction::Escalate,
        DecisionAction::Note,
        DecisionAction::Undo,
        DecisionAction::Agree,
        DecisionAction::Overturn,
        DecisionAction::SecondApprove,
        DecisionAction::SecondReject,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DecisionAction::Approve => "approve",
            DecisionAction::Reject => "reject",
            DecisionAction::Defer => "defer",
            DecisionAction::Escalate => "escalate",
            DecisionAction::Note => "note",
            DecisionAction::Undo => "undo",
            DecisionAction::Agree => "agree",
            DecisionAction::Overturn => "overturn",
            DecisionAction::SecondApprove => "second_approve",
            DecisionAction::SecondReject => "second_reject",
        }
    }
}

impl fmt::Display for DecisionAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DecisionAction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DecisionAction::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| format!("unknown decision action {s:?}"))
    }
}

/// A reviewer's decision on the candidate shown for a request, before it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub match_id: i64,
    pub reviewer: String,
    pub verdict: Verdict,
    pub note: Option<String>,
    /// How long the item was on screen before the decision, in milliseconds.
    pub viewed_ms: u64,
}

/// The decision proper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Release the shown candidate's address; sibling candidates are closed as not chosen.
    Approve,
    /// Do not release the shown candidate's address.
    Reject(ReasonCode),
    /// Put the whole request aside; it comes back after the pending items.
    Defer,
    /// Hand the whole request to a supervisor.
    Escalate,
    /// Record a note only.
    Note,
}

impl Verdict {
    pub fn action(self) -> DecisionAction {
        match self {
            Verdict::Approve => DecisionAction::Approve,
            Verdict::Reject(_) => DecisionAction::Reject,
            Verdict::Defer => DecisionAction::Defer,
            Verdict::Escalate => DecisionAction::Escalate,
            Verdict::Note => DecisionAction::Note,
        }
    }

    pub fn reason(self) -> Option<ReasonCode> {
        match self {
            Verdict::Reject(r) => Some(r),
            _ => None,
        }
    }

    /// The status the decided match ends in, or None when the status does not change.
    pub fn status_after(self) -> Option<MatchStatus> {
        match self {
            Verdict::Approve => Some(MatchStatus::Approved),
            Verdict::Reject(_) => Some(MatchStatus::Rejected),
            Verdict::Defer => Some(MatchStatus::Deferred),
            Verdict::Escalate => Some(MatchStatus::Escalated),
            Verdict::Note => None,
        }
    }
}
