//! The supervising scenario's scoreboard: a prepared history of reviewers' decisions, some of
//! them planted mistakes (they disagree with the gold answer), against the trainee supervisor's
//! checks. Pure: the command gathers the decisions and the checks.
//!
//! A planted mistake is caught when it was overturned, missed when it was agreed with or never
//! checked. Overturning a right decision is a false alarm: it costs a reviewer's work (and, for a
//! rejection, sends a settled request back to review) but releases nothing, so it is counted
//! apart from the misses, which are the costly side.

use serde::Serialize;

use super::DecisionAction;
use super::flagged::Gold;

/// One decision of the prepared history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Planted {
    pub decision_id: i64,
    /// The request's id in the scenario file.
    pub request: String,
    pub reviewer: String,
    #[serde(serialize_with = "action_name")]
    pub verdict: DecisionAction,
    #[serde(serialize_with = "gold_name")]
    pub gold: Gold,
    pub gold_note: String,
    /// Whether it was released before the supervisor looked.
    pub released: bool,
}

fn action_name<S: serde::Serializer>(a: &DecisionAction, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(a.as_str())
}

fn gold_name<S: serde::Serializer>(g: &Gold, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(match g {
        Gold::Match => "match",
        Gold::Nonmatch => "nonmatch",
    })
}

impl Planted {
    /// The reviewer's verdict disagrees with the gold answer.
    pub fn is_mistake(&self) -> bool {
        (self.verdict == DecisionAction::Approve) != (self.gold == Gold::Match)
    }

    /// An approval of a non-match that went out.
    pub fn is_false_release(&self) -> bool {
        self.is_mistake() && self.verdict == DecisionAction::Approve && self.released
    }
}

/// What the supervisor made of one decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Judgement {
    /// A mistake, overturned.
    Caught,
    /// A mistake, agreed with.
    MissedAgreed,
    /// A mistake, never checked.
    MissedUnchecked,
    /// A right decision, agreed with.
    RightlyAgreed,
    /// A right decision, overturned.
    FalseAlarm,
    /// A right decision, never checked.
    Unchecked,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupervisionScore {
    pub decisions: Vec<(Planted, Judgement)>,
    pub mistakes: usize,
    pub caught: usize,
    pub false_alarms: usize,
    /// A false release the supervisor did not overturn: nobody will ask for it back.
    pub false_releases_missed: usize,
}

/// Scores the supervisor's checks (decision id, overturned) against the planted history. A
/// decision checked twice (a check undone and made again) counts by its last check.
pub fn score(planted: &[Planted], checks: &[(i64, bool)]) -> SupervisionScore {
    let mut decisions = Vec::new();
    for p in planted {
        let last = checks
            .iter()
            .rev()
            .find(|(id, _)| *id == p.decision_id)
            .map(|(_, overturned)| *overturned);
        let judgement = match (p.is_mistake(), last) {
            (true, Some(true)) => Judgement::Caught,
            (true, Some(false)) => Judgement::MissedAgreed,
            (true, None) => Judgement::MissedUnchecked,
            (false, Some(false)) => Judgement::RightlyAgreed,
            (false, Some(true)) => Judgement::FalseAlarm,
            (false, None) => Judgement::Unchecked,
        };
        decisions.push((p.clone(), judgement));
    }
    let count = |j: Judgement| decisions.iter().filter(|(_, x)| *x == j).count();
    SupervisionScore {
        mistakes: planted.iter().filter(|p| p.is_mistake()).count(),
        caught: count(Judgement::Caught),
        false_alarms: count(Judgement::FalseAlarm),
        false_releases_missed: decisions
            .iter()
            .filter(|(p, j)| p.is_false_release() && *j != Judgement::Caught)
            .count(),
        decisions,
    }
}

impl SupervisionScore {
    /// The scoreboard as a person reads it.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format!(
            "Supervising scoreboard: caught {} of {} planted mistakes; {} false alarm(s).",
            self.caught, self.mistakes, self.false_alarms
        )];
        if self.false_releases_missed > 0 {
            out.push(format!(
                "MISSED {} false release(s): an address that must not have gone out stays out, and no recall was asked for.",
                self.false_releases_missed
            ));
        }
        for (p, j) in &self.decisions {
            let what = match j {
                Judgement::Caught => "caught",
                Judgement::MissedAgreed => "MISSED (you agreed)",
                Judgement::MissedUnchecked => "MISSED (not checked)",
                Judgement::RightlyAgreed => "right, agreed",
                Judgement::FalseAlarm => "FALSE ALARM (you overturned a right decision)",
                Judgement::Unchecked => "right, not checked",
            };
            out.push(format!(
                "  {:<8} {} {:<7} {}: {}",
                p.request,
                p.reviewer,
                p.verdict.as_str(),
                what,
                p.gold_note
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planted(id: i64, verdict: DecisionAction, gold: Gold, released: bool) -> Planted {
        Planted {
            decision_id: id,
            request: format!("R{id}"),
            reviewer: "rae".into(),
            verdict,
            gold,
            gold_note: String::new(),
            released,
        }
    }

    #[test]
    fn mistakes_caught_missed_and_false_alarms() {
        use DecisionAction::{Approve, Reject};
        let history = [
            planted(1, Approve, Gold::Nonmatch, true), // a false release
            planted(2, Reject, Gold::Match, false),    // a wrong rejection
            planted(3, Approve, Gold::Match, true),    // right
            planted(4, Reject, Gold::Nonmatch, false), // right
        ];
        let board = score(&history, &[(1, false), (2, true), (3, true), (1, true)]);
        assert_eq!(
            (board.mistakes, board.caught, board.false_alarms),
            (2, 2, 1)
        );
        assert_eq!(
            board.false_releases_missed, 0,
            "the later check of 1 overturned it"
        );
        assert_eq!(board.decisions[3].1, Judgement::Unchecked);
        let missed = score(&history, &[(1, false)]);
        assert_eq!(missed.false_releases_missed, 1);
        assert_eq!(missed.decisions[0].1, Judgement::MissedAgreed);
        assert_eq!(missed.decisions[1].1, Judgement::MissedUnchecked);
        assert!(missed.lines()[1].starts_with("MISSED 1 false release"));
    }
}
