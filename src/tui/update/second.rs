//! Blind second reviews, served before the queue. After the session starts and after each
//! decision that moves on, the screen looks for an open second review this reviewer may take
//! (someone else's decision, not held by another screen); while one is looked for or shown the
//! queue's item waits. On a second review only approve and reject count, recorded as the second
//! verdict; `n`/`p` skip it for this session; the screen moves on after the verdict.

use crate::domain::Verdict;
use crate::domain::policy::Policy;
use crate::store::DecisionOutcome;

use super::super::action::Command;
use super::super::effect::Effect;
use super::super::state::{
    InFlight, Mode, ReviewState, SecondShown, SecondSlot, StatusKind, UndoEntry,
};
use super::browse::verdict_word;

/// How many skipped second reviews a session remembers (the oldest is offered again after).
const SKIPPED_MAX: usize = 200;

/// Whether second reviews may be waiting: the policy draws them, or some were counted.
pub(super) fn worth_looking(state: &ReviewState) -> bool {
    state.policy.quality.double_review_rate > 0.0 || state.second_waiting > 0
}

/// Looks for the next second review (`prefer`'s first); the queue's item waits meanwhile.
pub(super) fn look(state: &mut ReviewState, prefer: Option<i64>, release: Option<i64>) -> Effect {
    state.second = SecondSlot::Looking;
    Effect::FindSecond {
        prefer,
        skip: state.second_skipped.clone(),
        release,
    }
}

/// While a second review is looked for or shown, the queue's item is neither claimed nor loaded
/// (a claim would take the second review's away); it is loaded when the queue is shown again.
pub(super) fn hold_back_queue(state: &ReviewState, effects: &mut Vec<Effect>) {
    if state.second != SecondSlot::Idle {
        effects.retain(|e| !matches!(e, Effect::LoadItem(_) | Effect::RefreshItem(_)));
    }
}

pub(super) fn on_found(
    state: &mut ReviewState,
    found: Option<Box<SecondShown>>,
    waiting: u64,
    policy: Policy,
) -> Vec<Effect> {
    state.second_waiting = waiting;
    state.policy = policy;
    match found {
        Some(shown) => {
            // The queue's claim went to the second review: its item is loaded again later.
            state.item = None;
            state.holds.clear();
            state.revealed = None;
            state.second = SecondSlot::Showing(shown);
            vec![]
        }
        None => {
            state.second = SecondSlot::Idle;
            show_queue(state)
        }
    }
}

/// Back to the queue: its current item, loaded (and claimed) again if it is not on hand.
pub(super) fn show_queue(state: &mut ReviewState) -> Vec<Effect> {
    match (state.window.current(), &state.item) {
        (Some(entry), Some(item)) if item.request_id == entry.request_id => vec![],
        (Some(entry), _) => {
            state.item = None;
            vec![Effect::LoadItem(entry.request_id)]
        }
        (None, _) => vec![],
    }
}

/// Keys on a second review that differ from the queue's; None: the key works as usual.
pub(super) fn on_command(state: &mut ReviewState, command: Command) -> Option<Vec<Effect>> {
    let shown = state.second_shown()?;
    let decision_id = shown.review.decision_id;
    let request_id = shown.review.request_id;
    let refuse = |state: &mut ReviewState, text: &str| {
        state.set_status(StatusKind::Error, text);
        Some(vec![])
    };
    match command {
        Command::Defer | Command::Escalate => refuse(
            state,
            "a second review cannot be deferred or escalated: approve (a) or reject (r) it, or n to skip it",
        ),
        Command::Note => refuse(
            state,
            "no notes on a second review: approve (a) or reject (r) it, or n to skip it",
        ),
        Command::Preview => refuse(
            state,
            "no release preview on a second review: its verdict releases nothing",
        ),
        Command::Search | Command::Filter | Command::Sort => refuse(
            state,
            "finish the second review first (a or r), or n to skip it",
        ),
        Command::NextCandidate => Some(vec![]),
        Command::Next | Command::Prev => {
            if state.in_flight.is_some() {
                return refuse(state, "still saving the previous decision");
            }
            state.second_skipped.push(decision_id);
            if state.second_skipped.len() > SKIPPED_MAX {
                state.second_skipped.remove(0);
            }
            state.set_status(
                StatusKind::Info,
                "second review skipped; it stays open for another reviewer",
            );
            Some(vec![look(state, None, Some(request_id))])
        }
        _ => None,
    }
}

/// Sends the second verdict on the review shown; only an approval or a rejection is one.
pub(super) fn decide(state: &mut ReviewState, verdict: Verdict) -> Vec<Effect> {
    let Some(shown) = state.second_shown() else {
        return vec![];
    };
    if !matches!(verdict, Verdict::Approve | Verdict::Reject(_)) {
        state.set_status(
            StatusKind::Error,
            "a second review is an approval or a rejection; nothing was saved",
        );
        return vec![];
    }
    let decision_id = shown.review.decision_id;
    state.in_flight = Some(InFlight {
        entry: shown.entry.clone(),
        verdict,
        note: None,
        candidate_id: shown.item.candidates[0].candidate.id.clone(),
        gold: None,
        gold_note: None,
        second: Some(decision_id),
    });
    state.failed = None;
    state.mode = Mode::Browse;
    state.set_status(StatusKind::Info, "saving…");
    vec![Effect::SecondVerdict {
        decision_id,
        verdict,
    }]
}

/// The second verdict is committed: say so, remember it for undo, and move on.
pub(super) fn on_saved(state: &mut ReviewState, outcome: DecisionOutcome) -> Vec<Effect> {
    let Some(done) = state.in_flight.take() else {
        return vec![];
    };
    state.set_status(
        StatusKind::Saved,
        format!(
            "second review: {} request {} (saved)",
            verdict_word(done.verdict),
            done.entry.source_id
        ),
    );
    state.undo.push(UndoEntry {
        group_id: outcome.group_id,
        entry: done.entry,
        verdict: done.verdict,
        second: done.second,
    });
    state.second_waiting = state.second_waiting.saturating_sub(1);
    vec![look(state, None, None)]
}

/// A second verdict was undone: its review is open again, and shown again.
pub(super) fn on_undone(state: &mut ReviewState, undone: &UndoEntry, first: i64) -> Vec<Effect> {
    state.set_status(
        StatusKind::Saved,
        format!(
            "undone: your second review ({}) of request {} (saved)",
            verdict_word(undone.verdict),
            undone.entry.source_id
        ),
    );
    state.mode = Mode::Browse;
    state.second_skipped.retain(|id| *id != first);
    vec![look(state, Some(first), None)]
}
