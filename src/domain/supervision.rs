//! The rules of a supervisor's check: who may check a decision, and what overturning one does.
//! The store applies them in the check's transaction; the screen and the training scoreboard
//! describe them with the same words.

use super::reason::ReasonCode;
use super::status::MatchStatus;
use super::{Decision, DecisionAction};

/// A supervisor's verdict on a decision under check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckVerdict {
    /// The decision was right.
    Agree,
    /// The decision was wrong, for this reason.
    Overturn(ReasonCode),
}

impl CheckVerdict {
    pub fn action(self) -> DecisionAction {
        match self {
            CheckVerdict::Agree => DecisionAction::Agree,
            CheckVerdict::Overturn(_) => DecisionAction::Overturn,
        }
    }

    pub fn reason(self) -> Option<ReasonCode> {
        match self {
            CheckVerdict::Agree => None,
            CheckVerdict::Overturn(r) => Some(r),
        }
    }
}

/// A supervisor's check of one decision, before it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The decision under check (its history row id).
    pub decision_id: i64,
    pub supervisor: String,
    pub verdict: CheckVerdict,
    pub note: Option<String>,
    pub viewed_ms: u64,
}

/// What overturning a decision does to its match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverturnEffect {
    /// An approval not yet released is withdrawn: the match is rejected with the supervisor's
    /// reason, so it can no longer be exported. It does not go back to review, because the next
    /// reviewer could approve the same wrong candidate again; the candidates the approval had
    /// closed as "not chosen" go back to review instead, since one of them may be the person.
    Withdraw,
    /// The first of two approvals, not final yet: it no longer counts; the match stays open.
    WithdrawFirstApproval,
    /// An approval already released cannot be taken back: it is flagged for recall
    /// (`matchgate recall --overturned`) and its status stays `released`.
    FlagForRecall,
    /// A rejection was wrong: the match goes back to review.
    BackToReview,
}

impl OverturnEffect {
    /// The match's status after the overturn.
    pub fn status_after(self, now: MatchStatus) -> MatchStatus {
        match self {
            OverturnEffect::Withdraw => MatchStatus::Rejected,
            OverturnEffect::BackToReview => MatchStatus::Pending,
            OverturnEffect::WithdrawFirstApproval | OverturnEffect::FlagForRecall => now,
        }
    }

    /// One line for the screen and the audit log.
    pub fn describe(self) -> &'static str {
        match self {
            OverturnEffect::Withdraw => {
                "approval withdrawn: the match is rejected and cannot be exported; candidates it had closed go back to review"
            }
            OverturnEffect::WithdrawFirstApproval => {
                "first approval withdrawn: it no longer counts towards the two approvals"
            }
            OverturnEffect::FlagForRecall => {
                "the address was already released: flagged for recall (matchgate recall --overturned)"
            }
            OverturnEffect::BackToReview => "rejection overturned: the match goes back to review",
        }
    }
}

/// What overturning `action` does to a match that is now `now`; Err says why it cannot be
/// overturned (the match moved on since the decision).
pub fn overturn_effect(action: DecisionAction, now: MatchStatus) -> Result<OverturnEffect, String> {
    use MatchStatus::*;
    match (action, now) {
        (DecisionAction::Approve, Released) => Ok(OverturnEffect::FlagForRecall),
        (DecisionAction::Approve, Approved) => Ok(OverturnEffect::Withdraw),
        (DecisionAction::Approve, Pending | Deferred | Escalated) => {
            Ok(OverturnEffect::WithdrawFirstApproval)
        }
        (DecisionAction::Reject, Rejected) => Ok(OverturnEffect::BackToReview),
        (DecisionAction::Approve | DecisionAction::Reject, _) => Err(format!(
            "the match is now {now}: it changed after this decision, so there is nothing to overturn"
        )),
        (other, _) => Err(format!(
            "a {other} is not a verdict; only approvals and rejections are checked"
        )),
    }
}

/// Whether `supervisor` may check a decision `decided_by` made: never their own.
pub fn may_check(supervisor: &str, decided_by: &str) -> Result<(), String> {
    if supervisor == decided_by {
        Err(format!(
            "{supervisor} made this decision; a supervisor never checks their own decisions (another supervisor must)"
        ))
    } else {
        Ok(())
    }
}

/// A reviewer's decision turned into the blind verdict a second reviewer gives instead.
pub fn second_verdict(decision: &Decision) -> Option<DecisionAction> {
    match decision.verdict.action() {
        DecisionAction::Approve => Some(DecisionAction::SecondApprove),
        DecisionAction::Reject => Some(DecisionAction::SecondReject),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_overturn_path_is_named() {
        use MatchStatus::*;
        let cases = [
            (
                DecisionAction::Approve,
                Released,
                Ok(OverturnEffect::FlagForRecall),
            ),
            (
                DecisionAction::Approve,
                Approved,
                Ok(OverturnEffect::Withdraw),
            ),
            (
                DecisionAction::Approve,
                Pending,
                Ok(OverturnEffect::WithdrawFirstApproval),
            ),
            (
                DecisionAction::Reject,
                Rejected,
                Ok(OverturnEffect::BackToReview),
            ),
        ];
        for (action, now, expected) in cases {
            assert_eq!(overturn_effect(action, now), expected, "{action} on {now}");
        }
        assert!(overturn_effect(DecisionAction::Reject, Pending).is_err());
        assert!(overturn_effect(DecisionAction::Approve, Rejected).is_err());
        assert!(overturn_effect(DecisionAction::Defer, Deferred).is_err());
    }

    #[test]
    fn statuses_after_an_overturn() {
        assert_eq!(
            OverturnEffect::Withdraw.status_after(MatchStatus::Approved),
            MatchStatus::Rejected
        );
        assert_eq!(
            OverturnEffect::BackToReview.status_after(MatchStatus::Rejected),
            MatchStatus::Pending
        );
        assert_eq!(
            OverturnEffect::FlagForRecall.status_after(MatchStatus::Released),
            MatchStatus::Released
        );
    }

    #[test]
    fn nobody_checks_their_own_decision() {
        assert!(may_check("sam", "sam").is_err());
        assert!(may_check("sam", "ann").is_ok());
    }
}
