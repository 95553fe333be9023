//! Keys on the item: deciding, notes, undo, moving, and what a decision's commit changes.

use crate::domain::training::{TrainingRecord, feedback};
use crate::domain::{QueueSort, ReasonCode, Verdict};

use super::super::action::Command;
use super::super::effect::Effect;
use super::super::layout;
use super::super::state::{
    InFlight, InputPurpose, Mode, ReviewState, SecondSlot, StatusKind, UndoEntry,
};
use super::MAX_INPUT;
use super::window::{move_cursor, settle_cursor};

pub(super) fn on_browse(state: &mut ReviewState, command: Command) -> Vec<Effect> {
    if let Some(effects) = super::second::on_command(state, command) {
        return effects;
    }
    if command.is_decision()
        && let Some(refusal) = decision_refusal(state)
    {
        state.set_status(StatusKind::Error, refusal);
        return vec![];
    }
    match command {
        Command::Approve => decide(state, Verdict::Approve, None),
        Command::Reject => {
            state.mode = Mode::ReasonPicker;
            vec![]
        }
        Command::Defer => decide(state, Verdict::Defer, None),
        Command::Escalate => text_input(state, InputPurpose::Escalate),
        Command::Note => {
            if state.shown_item().is_some() {
                text_input(state, InputPurpose::Note)
            } else {
                vec![]
            }
        }
        Command::Undo => match state.undo.last() {
            Some(last) => vec![Effect::Undo {
                group_id: last.group_id,
            }],
            None => {
                state.set_status(StatusKind::Info, "nothing to undo in this session");
                vec![]
            }
        },
        Command::Next => move_cursor(state, true),
        Command::Prev => move_cursor(state, false),
        Command::NextCandidate => {
            if let Some(item) = &state.item
                && !item.candidates.is_empty()
            {
                state.shown = (state.shown + 1) % item.candidates.len();
            }
            vec![]
        }
        Command::Search => {
            state.mode = Mode::Search {
                query: String::new(),
                hits: Vec::new(),
                selected: 0,
            };
            vec![]
        }
        Command::Filter => {
            state.mode = Mode::Filter { selected: 0 };
            vec![]
        }
        Command::Sort => {
            let selected = QueueSort::ALL
                .iter()
                .position(|s| *s == state.sort)
                .unwrap_or(0);
            state.mode = Mode::Sort { selected };
            vec![]
        }
        Command::Detail => {
            if state.item.is_some() {
                state.mode = Mode::Detail;
            }
            vec![]
        }
        Command::ToggleQueue => {
            state.show_queue = !state.show_queue;
            vec![]
        }
        Command::Help => {
            state.mode = Mode::Help;
            vec![]
        }
        Command::Reveal => match state.shown_candidate() {
            Some(c) => vec![Effect::Reveal {
                match_id: c.match_id,
            }],
            None => vec![],
        },
        Command::Preview => match state.shown_candidate() {
            Some(c) => vec![Effect::Preview {
                match_id: c.match_id,
            }],
            None => vec![],
        },
        Command::Scoreboard => {
            if state.session.training {
                state.mode = Mode::Scoreboard;
            }
            vec![]
        }
        Command::TourNext => {
            if let Some(step) = state.tour_step {
                state.tour_step = (step + 1 < crate::tui::tour::CAPTIONS.len()).then_some(step + 1);
            }
            vec![]
        }
        Command::Cancel => {
            state.tour_step = None;
            vec![]
        }
        Command::Confirm | Command::Quit => vec![],
    }
}

/// Why a decision key is not accepted right now, if it is not.
fn decision_refusal(state: &ReviewState) -> Option<String> {
    if state.in_flight.is_some() {
        return Some("still saving the previous decision".into());
    }
    let looking = state.second == SecondSlot::Looking;
    if state.shown_item().is_none() && (looking || state.window.current().is_some()) {
        // Between items (e.g. one just skipped because another screen holds it): a key must
        // never land on an item the reviewer has not seen.
        return Some("the next item is still loading; nothing was decided".into());
    }
    let candidate = state.shown_candidate()?;
    let (need_w, need_h) = layout::required_size(state);
    if state.width < need_w || state.height < need_h {
        return Some(format!(
            "the record is not fully visible: enlarge the terminal to at least {need_w}x{need_h} to decide"
        ));
    }
    if state.second_shown().is_some() {
        // The match was decided (its status is the first verdict); the second verdict is on it.
        return None;
    }
    // Escalated items are a supervisor's to decide; the store checks the rules again.
    let supervisor_on_escalated = candidate.status == crate::domain::MatchStatus::Escalated
        && state.policy.is_supervisor(&state.session.reviewer);
    if !candidate.status.is_open() && !supervisor_on_escalated {
        return Some(format!(
            "this candidate is already {}; choose another with Tab or move on",
            candidate.status
        ));
    }
    None
}

fn text_input(state: &mut ReviewState, purpose: InputPurpose) -> Vec<Effect> {
    state.mode = Mode::TextInput {
        purpose,
        text: String::new(),
    };
    vec![]
}

pub(super) fn on_input(state: &mut ReviewState, c: char) -> Vec<Effect> {
    match &mut state.mode {
        Mode::ReasonPicker => {
            let reason = c
                .to_digit(10)
                .and_then(|d| u8::try_from(d).ok())
                .and_then(ReasonCode::from_digit);
            match reason {
                Some(reason) => {
                    state.mode = Mode::Browse;
                    decide(state, Verdict::Reject(reason), None)
                }
                None => vec![],
            }
        }
        Mode::TextInput { text, .. } => {
            if !c.is_control() && text.chars().count() < MAX_INPUT {
                text.push(c);
            }
            vec![]
        }
        Mode::Search { query, .. } => {
            if !c.is_control() && query.chars().count() < MAX_INPUT {
                query.push(c);
                return search(state);
            }
            vec![]
        }
        _ => vec![],
    }
}

pub(super) fn search(state: &ReviewState) -> Vec<Effect> {
    match &state.mode {
        Mode::Search { query, .. } if !query.trim().is_empty() => vec![Effect::Search {
            filter: state.filter,
            query: query.clone(),
        }],
        _ => vec![],
    }
}

/// Sends a decision on the shown candidate to the store.
pub(super) fn decide(
    state: &mut ReviewState,
    verdict: Verdict,
    note: Option<String>,
) -> Vec<Effect> {
    if state.second_shown().is_some() {
        return super::second::decide(state, verdict);
    }
    let (Some(entry), Some(candidate)) = (state.window.current(), state.shown_candidate()) else {
        return vec![];
    };
    let match_id = candidate.match_id;
    state.in_flight = Some(InFlight {
        entry: entry.clone(),
        verdict,
        note: note.clone(),
        candidate_id: candidate.candidate.id.clone(),
        gold: candidate.gold,
        gold_note: candidate.gold_note.clone(),
        second: None,
    });
    state.failed = None;
    state.set_status(StatusKind::Info, "saving…");
    vec![Effect::Decide {
        match_id,
        verdict,
        note,
    }]
}

pub(super) fn on_saved(
    state: &mut ReviewState,
    outcome: crate::store::DecisionOutcome,
    viewed_ms: u64,
) -> Vec<Effect> {
    let Some(done) = state.in_flight.take() else {
        return vec![];
    };
    if state.session.training {
        state.training_log.push(TrainingRecord {
            request_id: done.entry.source_id.clone(),
            candidate_id: done.candidate_id.clone(),
            verdict: done.verdict,
            gold: done.gold,
            gold_note: done.gold_note.clone(),
            seconds: viewed_ms as f64 / 1000.0,
        });
        if let Some(gold) = done.gold {
            state.mode = Mode::Feedback(feedback(&done.verdict, gold, done.gold_note.as_deref()));
        }
    }
    state.counts = state
        .counts
        .moved(outcome.state_before, outcome.state_after);
    // Under the two-person rule a first approval leaves the match pending: say so.
    let first_of_two = done.verdict == Verdict::Approve
        && outcome
            .changes
            .iter()
            .any(|(_, _, after)| *after == crate::domain::MatchStatus::Pending);
    let word = if first_of_two {
        "first approval recorded (a second reviewer must approve) for".to_string()
    } else {
        verdict_word(done.verdict)
    };
    state.set_status(
        StatusKind::Saved,
        format!("{word} request {} (saved)", done.entry.source_id),
    );
    state.undo.push(UndoEntry {
        group_id: outcome.group_id,
        entry: done.entry.clone(),
        verdict: done.verdict,
        second: None,
    });
    // Only a rejection of one of several candidates keeps the reviewer on the request (to judge
    // the others); a first approval under the two-person rule moves on to the next item.
    let stays = matches!(done.verdict, Verdict::Reject(_))
        && outcome.state_after == outcome.state_before
        && state.filter.state.states().contains(&outcome.state_after);
    if stays {
        // Still waiting here (another candidate is open): show it again, refreshed.
        return vec![Effect::LoadItem(outcome.request_id)];
    }
    // Auto-advance: the decided request leaves this place in the queue.
    if let Some(pos) = state
        .window
        .entries
        .iter()
        .position(|e| e.request_id == outcome.request_id)
    {
        state.window.entries.remove(pos);
        if pos < state.window.cursor {
            state.window.cursor -= 1;
        }
    }
    state.item = None;
    let mut effects = settle_cursor(state);
    // Blind second reviews come before the next item of the queue.
    if super::second::worth_looking(state) {
        effects.push(super::second::look(state, None, None));
    }
    effects
}

pub(super) fn verdict_word(verdict: Verdict) -> String {
    match verdict {
        Verdict::Approve => "approved".into(),
        Verdict::Reject(reason) => format!("rejected ({})", reason.code()),
        Verdict::Defer => "deferred".into(),
        Verdict::Escalate => "escalated".into(),
        Verdict::Note => "noted".into(),
    }
}
