//! `update` for blind second reviews: served before the queue (whose item waits meanwhile),
//! shown blind, decided by approve or reject as a second verdict, skipped with `n`, undone with
//! `u`; defer, escalate and notes refused with a word why.

use super::action::{Action, Command, Placement};
use super::effect::Effect;
use super::state::{Mode, ReviewState, SecondSlot, StatusKind};
use super::test_fixtures::{cand, entries, item, second_review, state};
use super::update::update;
use crate::domain::policy::Policy;
use crate::domain::{MatchStatus, QueueState, ReasonCode, Verdict};
use crate::store::DecisionOutcome;

fn ready() -> ReviewState {
    let mut s = state(item(vec![cand(7, "C0000913", 0.93)]));
    s.width = 100;
    s.height = 40;
    s
}

fn found(s: &mut ReviewState, waiting: u64) -> Vec<Effect> {
    update(
        s,
        Action::SecondFound {
            found: Some(Box::new(second_review())),
            waiting,
            policy: Box::new(s.policy.clone()),
        },
    )
}

fn none_found(s: &mut ReviewState) -> Vec<Effect> {
    update(
        s,
        Action::SecondFound {
            found: None,
            waiting: 0,
            policy: Box::new(s.policy.clone()),
        },
    )
}

/// A screen showing the second review of decision 500.
fn showing() -> ReviewState {
    let mut s = ready();
    s.second = SecondSlot::Looking;
    found(&mut s, 3);
    s
}

fn cmd(s: &mut ReviewState, command: Command) -> Vec<Effect> {
    update(s, Action::Command(command))
}

fn outcome(group_id: i64) -> DecisionOutcome {
    DecisionOutcome {
        group_id,
        request_id: 90,
        state_before: QueueState::Done,
        state_after: QueueState::Done,
        changes: vec![(7, MatchStatus::Approved, MatchStatus::Approved)],
    }
}

fn find(prefer: Option<i64>, skip: Vec<i64>, release: Option<i64>) -> Effect {
    Effect::FindSecond {
        prefer,
        skip,
        release,
    }
}

#[test]
fn the_session_looks_for_second_reviews_and_the_queue_item_waits_for_the_answer() {
    let mut s = ready();
    s.window = Default::default();
    s.item = None;
    let effects = update(&mut s, Action::Resumed(None));
    assert_eq!(effects.last(), Some(&find(None, vec![], None)));
    assert_eq!(s.second, SecondSlot::Looking);
    let effects = update(
        &mut s,
        Action::PageLoaded {
            page: entries(),
            placement: Placement::Head,
        },
    );
    assert_eq!(
        effects,
        vec![],
        "no claim on the queue's item while looking"
    );
    assert!(
        s.item_panel().empty_text.contains("second reviews"),
        "the screen says what it waits for"
    );
    // None waiting: the queue's first item is claimed and shown.
    assert_eq!(none_found(&mut s), vec![Effect::LoadItem(42)]);
    assert_eq!(s.second, SecondSlot::Idle);
}

#[test]
fn a_second_review_found_is_shown_blind_in_place_of_the_queue_item() {
    let mut s = showing();
    assert!(s.item.is_none(), "the queue's item is loaded again later");
    assert_eq!(s.second_waiting, 3);
    let shown = s.shown_item().expect("shown");
    assert_eq!(shown.request_id, 90);
    assert_eq!(shown.candidates.len(), 1, "only the reviewed candidate");
    let candidate = s.shown_candidate().expect("candidate");
    assert_eq!(candidate.match_id, 7);
    assert!(candidate.approvals.is_empty(), "nobody's approval shows");
    assert_eq!(candidate.gold, None);
    let seen = s.visibility();
    assert!(seen.hide_score && seen.hide_prior_decisions && seen.hide_status);
    assert_eq!(seen.progress, None);
    assert!(s.refusals().is_empty(), "a second verdict releases nothing");
    // A queue item arriving late (loaded before the lookup) does not replace it.
    update(
        &mut s,
        Action::ItemLoaded(Some(Box::new(item(vec![cand(9, "C9", 0.9)])))),
    );
    assert_eq!(s.shown_item().expect("shown").request_id, 90);
    assert!(s.item.is_none());
}

#[test]
fn a_records_the_second_verdict_and_the_screen_moves_on() {
    let mut s = showing();
    assert_eq!(
        cmd(&mut s, Command::Approve),
        vec![Effect::SecondVerdict {
            decision_id: 500,
            verdict: Verdict::Approve
        }]
    );
    assert_eq!(
        cmd(&mut s, Command::Approve),
        vec![],
        "one verdict at a time"
    );
    let effects = update(&mut s, Action::SecondVerdictSaved(outcome(612)));
    assert_eq!(effects, vec![find(None, vec![], None)]);
    assert_eq!(s.second, SecondSlot::Looking);
    let status = s.status.clone().expect("status");
    assert_eq!(status.kind, StatusKind::Saved);
    assert_eq!(
        status.text,
        "second review: approved request R000090 (saved)"
    );
    let undo = s.undo.last().expect("undo entry");
    assert_eq!((undo.group_id, undo.second), (612, Some(500)));
    assert_eq!(s.second_waiting, 2);
    // Nothing else waiting: back to the queue's item.
    assert_eq!(none_found(&mut s), vec![Effect::LoadItem(42)]);
}

#[test]
fn r_with_a_reason_records_a_second_rejection() {
    let mut s = showing();
    assert_eq!(cmd(&mut s, Command::Reject), vec![]);
    assert_eq!(s.mode, Mode::ReasonPicker);
    assert_eq!(
        update(&mut s, Action::Input('4')),
        vec![Effect::SecondVerdict {
            decision_id: 500,
            verdict: Verdict::Reject(ReasonCode::DifferentPerson)
        }]
    );
    assert_eq!(s.mode, Mode::Browse);
}

#[test]
fn defer_escalate_notes_and_the_release_preview_are_refused_on_a_second_review() {
    for (command, why) in [
        (Command::Defer, "cannot be deferred or escalated"),
        (Command::Escalate, "cannot be deferred or escalated"),
        (Command::Note, "no notes on a second review"),
        (Command::Preview, "releases nothing"),
        (Command::Search, "finish the second review first"),
    ] {
        let mut s = showing();
        assert_eq!(cmd(&mut s, command), vec![], "{command:?}");
        assert_eq!(s.mode, Mode::Browse, "{command:?}: no popup opens");
        assert!(s.in_flight.is_none());
        let status = s.status.clone().expect("status");
        assert_eq!(status.kind, StatusKind::Error);
        assert!(status.text.contains(why), "{command:?}: {}", status.text);
    }
}

#[test]
fn n_skips_the_second_review_for_this_session_and_lets_its_claim_go() {
    let mut s = showing();
    assert_eq!(
        cmd(&mut s, Command::Next),
        vec![find(None, vec![500], Some(90))]
    );
    assert_eq!(s.second, SecondSlot::Looking);
    assert!(s.status.clone().expect("status").text.contains("skipped"));
    // The next lookup still leaves it out.
    found(&mut s, 1);
    assert_eq!(
        cmd(&mut s, Command::Prev),
        vec![find(None, vec![500, 500], Some(90))]
    );
}

#[test]
fn undo_of_a_second_verdict_shows_that_review_again() {
    let mut s = showing();
    cmd(&mut s, Command::Approve);
    update(&mut s, Action::SecondVerdictSaved(outcome(612)));
    none_found(&mut s);
    assert_eq!(
        cmd(&mut s, Command::Undo),
        vec![Effect::Undo { group_id: 612 }]
    );
    let effects = update(&mut s, Action::UndoSaved(outcome(613)));
    assert_eq!(effects, vec![find(Some(500), vec![], None)]);
    assert!(
        s.status
            .clone()
            .expect("status")
            .text
            .contains("undone: your second review (approved) of request R000090")
    );
    assert!(s.undo.is_empty());
}

#[test]
fn after_a_queue_decision_second_reviews_come_before_the_next_item_when_the_policy_draws_them() {
    let mut s = ready();
    s.policy = Policy::default();
    s.policy.quality.double_review_rate = 0.1;
    cmd(&mut s, Command::Approve);
    let effects = update(
        &mut s,
        Action::DecisionSaved {
            outcome: DecisionOutcome {
                group_id: 3,
                request_id: 42,
                state_before: QueueState::Open,
                state_after: QueueState::Done,
                changes: vec![(7, MatchStatus::Pending, MatchStatus::Approved)],
            },
            viewed_ms: 900,
        },
    );
    assert_eq!(effects, vec![find(None, vec![], None)], "{effects:?}");
    assert_eq!(none_found(&mut s), vec![Effect::LoadItem(43)]);
}

#[test]
fn a_failed_lookup_shows_the_queue_rather_than_wait_forever() {
    let mut s = ready();
    s.item = None;
    s.second = SecondSlot::Looking;
    let effects = update(&mut s, Action::StoreFailed("database is locked".into()));
    assert_eq!(effects, vec![Effect::LoadItem(42)]);
    assert_eq!(s.second, SecondSlot::Idle);
}

#[test]
fn keys_are_refused_while_the_lookup_runs() {
    let mut s = ready();
    s.second = SecondSlot::Looking;
    assert_eq!(cmd(&mut s, Command::Approve), vec![]);
    assert!(
        s.status
            .clone()
            .expect("status")
            .text
            .contains("still loading")
    );
}
