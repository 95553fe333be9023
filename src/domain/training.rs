//! Training feedback and the scoreboard: a trainee's decisions checked against the gold answers
//! of a training set. Pure functions, no SQL and no terminal.
//!
//! Scoring choices, made deliberately:
//! - Only approve and reject are judged. Approve on a gold `match` and reject on a gold `nonmatch`
//!   are right; approve on a `nonmatch` is a [`Outcome::FalseRelease`] (an address that must not
//!   go out went out: the error matchgate exists to prevent) and reject on a `match` is a
//!   [`Outcome::MissedMatch`] (a delay, not a harm). The two are counted apart because they do not
//!   cost the same.
//! - The reject reason is not scored: the gold answer says whether to release, not why not, and a
//!   right refusal for a slightly different reason still protects the person.
//! - Defer and escalate are legitimate moves for a reviewer who is unsure, so they are neither
//!   right nor wrong: they are counted ([`Scoreboard::deferred`], [`Scoreboard::escalated`]) and
//!   left out of accuracy. Counting them as wrong would teach trainees to guess.
//! - A note is not a decision: it is not judged and the scoreboard skips it entirely.
//! - Feedback on a deferral does not reveal the answer, because the item comes back later and the
//!   trainee would otherwise decide it knowing the answer.

use serde::{Serialize, Serializer};

use super::decision::Verdict;
use super::flagged::Gold;

/// How one decision compares with the gold answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Approved a match or rejected a non-match.
    Correct,
    /// Approved a gold non-match: an address released that must not be. The costliest error.
    FalseRelease,
    /// Rejected a gold match: the address could have been released.
    MissedMatch,
    /// Put aside; not judged.
    Deferred,
    /// Handed to a supervisor; not judged.
    Escalated,
    /// A note only: not a decision.
    NoteOnly,
}

impl Outcome {
    /// True for outcomes that count toward accuracy.
    pub fn is_judged(self) -> bool {
        matches!(
            self,
            Outcome::Correct | Outcome::FalseRelease | Outcome::MissedMatch
        )
    }

    /// True for a wrong approve or reject.
    pub fn is_error(self) -> bool {
        matches!(self, Outcome::FalseRelease | Outcome::MissedMatch)
    }
}

/// Judges one decision against the gold answer (see the module comment for the rules).
///
/// Every reject counts as a refusal to release, whatever its reason, including
/// [`NotChosen`](super::reason::ReasonCode::NotChosen); callers pass the trainee's own decisions,
/// not the closures matchgate makes for sibling candidates.
pub fn judge(verdict: &Verdict, gold: Gold) -> Outcome {
    match (verdict, gold) {
        (Verdict::Approve, Gold::Match) | (Verdict::Reject(_), Gold::Nonmatch) => Outcome::Correct,
        (Verdict::Approve, Gold::Nonmatch) => Outcome::FalseRelease,
        (Verdict::Reject(_), Gold::Match) => Outcome::MissedMatch,
        (Verdict::Defer, _) => Outcome::Deferred,
        (Verdict::Escalate, _) => Outcome::Escalated,
        (Verdict::Note, _) => Outcome::NoteOnly,
    }
}

/// What a trainee is told right after a decision on a training item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Feedback {
    pub outcome: Outcome,
    #[serde(serialize_with = "gold_name")]
    pub gold: Gold,
    /// Why the gold answer is what it is, from the training set; None when the set has no note
    /// or when the feedback must not reveal the answer (see [`Feedback::reveals_answer`]).
    pub gold_note: Option<String>,
    /// One line for the top of the feedback: right or wrong, and what the right answer means.
    pub headline: String,
}

impl Feedback {
    /// Whether the screen may show the gold answer and its note. False after a deferral: the
    /// item comes back, and it must then be decided without knowing the answer.
    pub fn reveals_answer(&self) -> bool {
        !matches!(self.outcome, Outcome::Deferred | Outcome::NoteOnly)
    }
}

/// The feedback for a decision on an item with a gold answer.
pub fn feedback(verdict: &Verdict, gold: Gold, gold_note: Option<&str>) -> Feedback {
    let outcome = judge(verdict, gold);
    let answer = match gold {
        Gold::Match => "the right answer was to release (same person, address releasable)",
        Gold::Nonmatch => "the right answer was not to release",
    };
    let headline = match (outcome, gold) {
        (Outcome::Correct, Gold::Match) => {
            "✔ Right: this is the same person and the address is releasable.".to_string()
        }
        (Outcome::Correct, Gold::Nonmatch) => "✔ Right: this address must not go out.".to_string(),
        (Outcome::FalseRelease, _) => {
            "✖ FALSE RELEASE — the costliest error: this address must not go out.".to_string()
        }
        (Outcome::MissedMatch, _) => {
            "✖ Missed match: this is the same person and the address was releasable.".to_string()
        }
        (Outcome::Deferred, _) => {
            "⏸ Deferred: not scored. The item comes back after the pending ones.".to_string()
        }
        (Outcome::Escalated, _) => format!("⇪ Escalated: not scored; {answer}."),
        (Outcome::NoteOnly, _) => "✎ Note saved: not a decision.".to_string(),
    };
    let mut fb = Feedback {
        outcome,
        gold,
        gold_note: None,
        headline,
    };
    if fb.reveals_answer() {
        fb.gold_note = gold_note
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(with_rules);
    }
    fb
}

/// The note followed by what the rule book says of every rule it cites (`[dob-conflict]`), so the
/// trainee learns the rule, what satisfies it and who may lift it, from the same text the gates
/// use.
fn with_rules(note: &str) -> String {
    let mut out = note.to_string();
    for rule in super::policy::rulebook::cited_in(note) {
        out.push_str(&format!(
            " Rule {}: satisfied by {}; lifted by {}.",
            rule.name,
            rule.satisfied_by,
            rule.lifted_by.describe()
        ));
    }
    out
}

/// One decision of a training session, as the scoreboard needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingRecord {
    /// The request's id in the training set (`request_id`).
    pub request_id: String,
    /// The candidate's id in the training set (`candidate_id`).
    pub candidate_id: String,
    pub verdict: Verdict,
    /// None for an item without a right answer: counted, not judged.
    pub gold: Option<Gold>,
    pub gold_note: Option<String>,
    /// How long the item was on screen before the decision.
    pub seconds: f64,
}

/// A wrong approve or reject, listed with the explanation the trainee should read.
#[derive(Debug, Clone, PartialEq)]
pub struct MissedItem {
    pub request_id: String,
    pub candidate_id: String,
    /// [`Outcome::FalseRelease`] or [`Outcome::MissedMatch`].
    pub outcome: Outcome,
    pub verdict: Verdict,
    pub gold: Gold,
    pub gold_note: Option<String>,
}

impl Serialize for MissedItem {
    /// `{"request_id", "candidate_id", "outcome", "verdict": "approve"|"reject", "reason":
    /// "dob_conflict"|null, "gold": "match"|"nonmatch", "gold_note": "..."|null}`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shape<'a> {
            request_id: &'a str,
            candidate_id: &'a str,
            outcome: Outcome,
            verdict: &'static str,
            reason: Option<&'static str>,
            gold: &'static str,
            gold_note: Option<&'a str>,
        }
        Shape {
            request_id: &self.request_id,
            candidate_id: &self.candidate_id,
            outcome: self.outcome,
            verdict: self.verdict.action().as_str(),
            reason: self.verdict.reason().map(|r| r.code()),
            gold: self.gold.as_str(),
            gold_note: self.gold_note.as_deref(),
        }
        .serialize(serializer)
    }
}

/// The result of a training session.
///
/// The counts add up: `decisions = judged + deferred + escalated + without_gold`, and
/// `judged = correct + false_releases + missed_matches`.
///
/// As JSON (`--json`), every field by its name, in this order:
///
/// ```json
/// {
///   "decisions": 12, "judged": 10, "correct": 8,
///   "false_releases": 1, "missed_matches": 1,
///   "deferred": 1, "escalated": 1, "without_gold": 0,
///   "accuracy": 0.8, "median_seconds": 14.5,
///   "missed": [
///     { "request_id": "BAS-R07", "candidate_id": "BAS-C07", "outcome": "false_release",
///       "verdict": "approve", "reason": null, "gold": "nonmatch", "gold_note": "DOB conflict: ..." }
///   ]
/// }
/// ```
///
/// `accuracy` (0..=1) is null when nothing was judged, `median_seconds` when there were no
/// decisions. `missed` lists false releases first, then missed matches, each in decision order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scoreboard {
    /// Approve, reject, defer and escalate decisions (notes are not decisions).
    pub decisions: usize,
    /// Approves and rejects on items with a gold answer.
    pub judged: usize,
    pub correct: usize,
    /// Approvals of gold non-matches.
    pub false_releases: usize,
    /// Rejections of gold matches.
    pub missed_matches: usize,
    pub deferred: usize,
    pub escalated: usize,
    /// Approves and rejects on items without a gold answer: counted, not judged.
    pub without_gold: usize,
    /// `correct / judged`; None when nothing was judged.
    pub accuracy: Option<f64>,
    /// The median time on screen over all decisions (the mean of the two middle ones for an even
    /// count); None without decisions. Times that are not finite or are negative (a clock gone
    /// wrong) are left out of the median but the decision still counts.
    pub median_seconds: Option<f64>,
    /// Every wrong approve or reject, with the explanation.
    pub missed: Vec<MissedItem>,
}

impl Scoreboard {
    pub fn from_records(records: &[TrainingRecord]) -> Scoreboard {
        let mut board = Scoreboard::default();
        let mut seconds = Vec::new();
        let mut missed_matches = Vec::new();
        for record in records {
            if matches!(record.verdict, Verdict::Note) {
                continue;
            }
            board.decisions += 1;
            if record.seconds.is_finite() && record.seconds >= 0.0 {
                seconds.push(record.seconds);
            }
            let outcome = match (record.verdict, record.gold) {
                (Verdict::Defer, _) => Outcome::Deferred,
                (Verdict::Escalate, _) => Outcome::Escalated,
                (verdict, Some(gold)) => judge(&verdict, gold),
                (_, None) => {
                    board.without_gold += 1;
                    continue;
                }
            };
            match outcome {
                Outcome::Deferred => board.deferred += 1,
                Outcome::Escalated => board.escalated += 1,
                Outcome::Correct => board.correct += 1,
                Outcome::FalseRelease => board.false_releases += 1,
                Outcome::MissedMatch => board.missed_matches += 1,
                Outcome::NoteOnly => {}
            }
            if let (true, Some(gold)) = (outcome.is_error(), record.gold) {
                let item = MissedItem {
                    request_id: record.request_id.clone(),
                    candidate_id: record.candidate_id.clone(),
                    outcome,
                    verdict: record.verdict,
                    gold,
                    gold_note: record.gold_note.clone(),
                };
                // False releases lead the list: they are the errors a trainee must study first.
                if outcome == Outcome::FalseRelease {
                    board.missed.push(item);
                } else {
                    missed_matches.push(item);
                }
            }
        }
        board.missed.extend(missed_matches);
        board.judged = board.correct + board.false_releases + board.missed_matches;
        board.accuracy = ratio(board.correct, board.judged);
        board.median_seconds = median(&mut seconds);
        board
    }
}

/// `part / whole`, or None for an empty whole.
fn ratio(part: usize, whole: usize) -> Option<f64> {
    // Counts of a training session are far below 2^52, so the conversion is exact.
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The median of finite values: the middle one, or the mean of the two middle ones.
fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

fn gold_name<S: Serializer>(gold: &Gold, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(gold.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reason::ReasonCode;

    const REJECT: Verdict = Verdict::Reject(ReasonCode::DifferentPerson);

    fn rec(id: &str, verdict: Verdict, gold: Option<Gold>, seconds: f64) -> TrainingRecord {
        TrainingRecord {
            request_id: format!("R-{id}"),
            candidate_id: format!("C-{id}"),
            verdict,
            gold,
            gold_note: gold.map(|g| format!("why {id} is {}", g.as_str())),
            seconds,
        }
    }

    #[test]
    fn judge_covers_every_verdict() {
        use Outcome::*;
        assert_eq!(judge(&Verdict::Approve, Gold::Match), Correct);
        assert_eq!(judge(&REJECT, Gold::Nonmatch), Correct);
        assert_eq!(judge(&Verdict::Approve, Gold::Nonmatch), FalseRelease);
        assert_eq!(judge(&REJECT, Gold::Match), MissedMatch);
        for gold in [Gold::Match, Gold::Nonmatch] {
            assert_eq!(judge(&Verdict::Defer, gold), Deferred);
            assert_eq!(judge(&Verdict::Escalate, gold), Escalated);
            assert_eq!(judge(&Verdict::Note, gold), NoteOnly);
        }
        // The reason does not change the judgement.
        for reason in ReasonCode::PICKABLE {
            assert_eq!(judge(&Verdict::Reject(reason), Gold::Nonmatch), Correct);
            assert_eq!(judge(&Verdict::Reject(reason), Gold::Match), MissedMatch);
        }
        assert!(Correct.is_judged() && FalseRelease.is_error() && MissedMatch.is_error());
        assert!(!Deferred.is_judged() && !Escalated.is_judged() && !NoteOnly.is_judged());
        assert!(!Correct.is_error());
    }

    #[test]
    fn feedback_headlines_say_what_happened() {
        let note = Some("Namesake: DOB 23 years apart.");
        let fb = feedback(&Verdict::Approve, Gold::Nonmatch, note);
        assert_eq!(fb.outcome, Outcome::FalseRelease);
        assert!(fb.headline.contains("FALSE RELEASE"), "{}", fb.headline);
        assert!(fb.headline.contains("must not go out"));
        assert_eq!(fb.gold_note.as_deref(), note);

        let fb = feedback(&Verdict::Approve, Gold::Match, Some("same person"));
        assert!(fb.headline.starts_with("✔ Right"));
        assert!(fb.headline.contains("releasable"));

        let fb = feedback(&REJECT, Gold::Nonmatch, None);
        assert_eq!(fb.headline, "✔ Right: this address must not go out.");
        assert_eq!(fb.gold_note, None);

        let fb = feedback(&REJECT, Gold::Match, Some("  typo in surname  "));
        assert!(fb.headline.starts_with("✖ Missed match"));
        assert_eq!(fb.gold_note.as_deref(), Some("typo in surname"));

        let fb = feedback(&Verdict::Escalate, Gold::Nonmatch, Some("stale"));
        assert!(fb.reveals_answer());
        assert!(fb.headline.contains("not to release"), "{}", fb.headline);
        assert_eq!(fb.gold_note.as_deref(), Some("stale"));
    }

    #[test]
    fn feedback_explains_the_rules_a_note_cites_from_the_rule_book() {
        let fb = feedback(
            &Verdict::Approve,
            Gold::Nonmatch,
            Some("Father and son. Rule book: [dob-conflict]."),
        );
        let note = fb.gold_note.expect("note");
        let rule = crate::domain::policy::rulebook::rule("dob-conflict").expect("rule");
        assert!(note.starts_with("Father and son."), "{note}");
        assert!(note.contains("Rule dob-conflict: satisfied by"), "{note}");
        assert!(note.contains(rule.satisfied_by), "{note}");
        assert!(
            note.contains("a supervisor, with a written justification"),
            "{note}"
        );
        let plain = feedback(&Verdict::Approve, Gold::Match, Some("Same person."));
        assert_eq!(plain.gold_note.as_deref(), Some("Same person."));
    }

    #[test]
    fn deferral_feedback_keeps_the_answer_hidden() {
        for gold in [Gold::Match, Gold::Nonmatch] {
            let fb = feedback(&Verdict::Defer, gold, Some("the answer"));
            assert!(!fb.reveals_answer());
            assert_eq!(fb.gold_note, None);
            assert!(!fb.headline.contains("match"), "{}", fb.headline);
            assert!(!fb.headline.contains("release"), "{}", fb.headline);
        }
        assert!(!feedback(&Verdict::Note, Gold::Match, Some("x")).reveals_answer());
    }

    #[test]
    fn scoreboard_counts_and_accuracy() {
        let records = vec![
            rec("1", Verdict::Approve, Some(Gold::Match), 10.0),
            rec("2", Verdict::Approve, Some(Gold::Nonmatch), 4.0),
            rec("3", REJECT, Some(Gold::Match), 30.0),
            rec("4", REJECT, Some(Gold::Nonmatch), 12.0),
            rec("5", Verdict::Defer, Some(Gold::Match), 7.0),
            rec("6", Verdict::Escalate, Some(Gold::Nonmatch), 20.0),
            rec("7", Verdict::Approve, None, 9.0),
            rec("8", Verdict::Note, Some(Gold::Match), 1000.0),
            rec("9", Verdict::Approve, Some(Gold::Nonmatch), 6.0),
            rec("10", Verdict::Escalate, None, 8.0),
        ];
        let b = Scoreboard::from_records(&records);
        assert_eq!(b.decisions, 9, "the note is not a decision");
        assert_eq!(b.judged, 4 + 1);
        assert_eq!(b.correct, 2);
        assert_eq!(b.false_releases, 2);
        assert_eq!(b.missed_matches, 1);
        assert_eq!(b.deferred, 1);
        assert_eq!(b.escalated, 2);
        assert_eq!(b.without_gold, 1);
        assert_eq!(
            b.decisions,
            b.judged + b.deferred + b.escalated + b.without_gold
        );
        assert_eq!(b.accuracy, Some(2.0 / 5.0));
        // Times of the nine decisions: 4 6 7 8 9 10 12 20 30 -> 9.
        assert_eq!(b.median_seconds, Some(9.0));
    }

    #[test]
    fn missed_items_list_false_releases_first_with_their_notes() {
        let records = vec![
            rec("a", REJECT, Some(Gold::Match), 1.0),
            rec("b", Verdict::Approve, Some(Gold::Nonmatch), 1.0),
            rec("c", Verdict::Approve, Some(Gold::Match), 1.0),
            rec("d", Verdict::Approve, Some(Gold::Nonmatch), 1.0),
        ];
        let b = Scoreboard::from_records(&records);
        let view: Vec<(&str, Outcome, Option<&str>)> = b
            .missed
            .iter()
            .map(|m| (m.request_id.as_str(), m.outcome, m.gold_note.as_deref()))
            .collect();
        assert_eq!(
            view,
            vec![
                ("R-b", Outcome::FalseRelease, Some("why b is nonmatch")),
                ("R-d", Outcome::FalseRelease, Some("why d is nonmatch")),
                ("R-a", Outcome::MissedMatch, Some("why a is match")),
            ]
        );
        assert_eq!(b.missed[2].verdict, REJECT);
        assert_eq!(b.missed[2].candidate_id, "C-a");
        assert_eq!(b.accuracy, Some(0.25));
    }

    #[test]
    fn medians_odd_even_empty_and_bad_times() {
        let times = |ts: &[f64]| {
            let records: Vec<TrainingRecord> = ts
                .iter()
                .map(|t| rec("x", Verdict::Approve, Some(Gold::Match), *t))
                .collect();
            Scoreboard::from_records(&records).median_seconds
        };
        assert_eq!(times(&[]), None);
        assert_eq!(times(&[5.0]), Some(5.0));
        assert_eq!(times(&[9.0, 1.0, 5.0]), Some(5.0));
        assert_eq!(times(&[4.0, 1.0]), Some(2.5));
        assert_eq!(times(&[8.0, 2.0, 4.0, 6.0]), Some(5.0));
        assert_eq!(times(&[3.0, f64::NAN, -1.0, f64::INFINITY]), Some(3.0));
        assert_eq!(times(&[f64::NAN]), None);
    }

    #[test]
    fn empty_and_unjudged_sessions_have_no_accuracy() {
        let empty = Scoreboard::from_records(&[]);
        assert_eq!(empty, Scoreboard::default());
        assert_eq!(empty.accuracy, None);
        let unjudged = Scoreboard::from_records(&[
            rec("1", Verdict::Defer, Some(Gold::Match), 2.0),
            rec("2", Verdict::Approve, None, 4.0),
        ]);
        assert_eq!(unjudged.decisions, 2);
        assert_eq!(unjudged.judged, 0);
        assert_eq!(unjudged.accuracy, None);
        assert_eq!(unjudged.median_seconds, Some(3.0));
        assert!(unjudged.missed.is_empty());
    }

    #[test]
    fn all_correct_is_accuracy_one() {
        let b = Scoreboard::from_records(&[
            rec("1", Verdict::Approve, Some(Gold::Match), 2.0),
            rec("2", REJECT, Some(Gold::Nonmatch), 2.0),
        ]);
        assert_eq!(b.accuracy, Some(1.0));
        assert_eq!(b.false_releases + b.missed_matches, 0);
    }

    #[test]
    fn json_shape_is_documented() {
        let b = Scoreboard::from_records(&[
            rec("1", Verdict::Approve, Some(Gold::Nonmatch), 3.0),
            rec(
                "2",
                Verdict::Reject(ReasonCode::DobConflict),
                Some(Gold::Match),
                5.0,
            ),
        ]);
        let json = serde_json::to_value(&b).expect("serialize");
        assert_eq!(
            json,
            serde_json::json!({
                "decisions": 2, "judged": 2, "correct": 0,
                "false_releases": 1, "missed_matches": 1,
                "deferred": 0, "escalated": 0, "without_gold": 0,
                "accuracy": 0.0, "median_seconds": 4.0,
                "missed": [
                    { "request_id": "R-1", "candidate_id": "C-1", "outcome": "false_release",
                      "verdict": "approve", "reason": null, "gold": "nonmatch",
                      "gold_note": "why 1 is nonmatch" },
                    { "request_id": "R-2", "candidate_id": "C-2", "outcome": "missed_match",
                      "verdict": "reject", "reason": "dob_conflict", "gold": "match",
                      "gold_note": "why 2 is match" }
                ]
            })
        );
        let empty = serde_json::to_value(Scoreboard::default()).expect("serialize");
        assert_eq!(empty["accuracy"], serde_json::Value::Null);
        assert_eq!(empty["median_seconds"], serde_json::Value::Null);
        let fb = serde_json::to_value(feedback(&Verdict::Approve, Gold::Match, None))
            .expect("serialize");
        assert_eq!(fb["outcome"], "correct");
        assert_eq!(fb["gold"], "match");
    }
}
