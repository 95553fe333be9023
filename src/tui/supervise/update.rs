//! The supervisor's screen's only state changes: each action in, the effects it asks for out.
//! Nothing is shown as saved until the store says it committed.

use super::action::{Action, Command, Effect};
use super::state::{CheckMade, InputFor, Mode, ReasonFor, SuperviseState, TaskKind, Undoable};
use crate::domain::supervision::CheckVerdict;
use crate::domain::{ReasonCode, Verdict};
use crate::tui::state::StatusKind;

pub fn start() -> Vec<Effect> {
    vec![Effect::LoadTasks]
}

pub fn update(state: &mut SuperviseState, action: Action) -> Vec<Effect> {
    match action {
        Action::Command(command) => on_command(state, command),
        Action::Char(c) => on_char(state, c),
        Action::Backspace => {
            if let Mode::TextInput { text, .. } = &mut state.mode {
                text.pop();
            }
            Vec::new()
        }
        Action::Submit => on_submit(state),
        Action::Cancel => {
            state.mode = Mode::Browse;
            Vec::new()
        }
        Action::Resize { width, height } => {
            state.width = width;
            state.height = height;
            Vec::new()
        }
        Action::TasksLoaded(tasks) => on_tasks(state, tasks),
        Action::ItemLoaded(shown) => {
            if state.current_task() == Some(&shown.task) {
                state.shown = Some(*shown);
            }
            Vec::new()
        }
        Action::HeldBy { request_id, holder } => {
            state.set_status(
                StatusKind::Info,
                format!("request {request_id} is held by {holder}; skipped"),
            );
            drop_task(state, request_id)
        }
        Action::Saved {
            text,
            group_id,
            check,
            settles,
        } => {
            state.busy = false;
            state.set_status(StatusKind::Saved, text.clone());
            state.undo.push(Undoable {
                group_id,
                what: text,
                check: check.map(|c| c.0),
            });
            if let Some((decision_id, overturned)) = check {
                state.checks.push(CheckMade {
                    decision_id,
                    overturned,
                });
            }
            match state.shown.as_ref().map(|s| s.task.request_id) {
                Some(request_id) if settles => drop_task(state, request_id),
                _ => Vec::new(),
            }
        }
        Action::Undone(text) => {
            state.busy = false;
            if let Some(decision_id) = state.undoing.take().and_then(|u| u.check)
                && let Some(at) = state
                    .checks
                    .iter()
                    .rposition(|c| c.decision_id == decision_id)
            {
                state.checks.remove(at);
            }
            state.set_status(StatusKind::Saved, text);
            vec![Effect::LoadTasks]
        }
        Action::Failed(message) => {
            state.busy = false;
            // A refused undo stays available.
            if let Some(undo) = state.undoing.take() {
                state.undo.push(undo);
            }
            state.set_status(StatusKind::Error, format!("NOT saved: {message}"));
            Vec::new()
        }
        Action::FiguresLoaded(view) => {
            state.figures = Some(*view);
            Vec::new()
        }
        Action::StoreChanged => {
            if state.busy || state.mode != Mode::Browse {
                Vec::new()
            } else {
                vec![Effect::LoadTasks]
            }
        }
        Action::Terminate => quit(state),
    }
}

fn quit(state: &mut SuperviseState) -> Vec<Effect> {
    state.quit = true;
    vec![Effect::Quit]
}

/// Replaces the queue, keeping the task on screen when it is still there.
fn on_tasks(state: &mut SuperviseState, tasks: Vec<super::state::Task>) -> Vec<Effect> {
    let kept = state
        .current_task()
        .and_then(|t| tasks.iter().position(|n| n == t));
    let first_load = !state.loaded;
    state.loaded = true;
    state.tasks = tasks;
    match kept {
        Some(index) => {
            state.cursor = index;
            Vec::new()
        }
        None => {
            if !first_load && state.shown.is_some() {
                state.set_status(
                    StatusKind::Info,
                    "the item on screen was settled elsewhere; moved on",
                );
            }
            state.cursor = state.cursor.min(state.tasks.len().saturating_sub(1));
            load_current(state)
        }
    }
}

fn load_current(state: &mut SuperviseState) -> Vec<Effect> {
    state.shown = None;
    match state.current_task() {
        Some(task) => vec![Effect::LoadItem(task.clone())],
        None => Vec::new(),
    }
}

/// Removes the request's tasks (done, or held by someone else) and shows the next.
fn drop_task(state: &mut SuperviseState, request_id: i64) -> Vec<Effect> {
    let before = state.tasks.len();
    let cursor_request = state.current_task().map(|t| t.request_id);
    state.tasks.retain(|t| t.request_id != request_id);
    if state.tasks.len() == before {
        return Vec::new();
    }
    if cursor_request == Some(request_id) || state.cursor >= state.tasks.len() {
        state.cursor = state.cursor.min(state.tasks.len().saturating_sub(1));
        load_current(state)
    } else {
        Vec::new()
    }
}

fn refuse(state: &mut SuperviseState, text: &str) -> Vec<Effect> {
    state.set_status(StatusKind::Error, text.to_string());
    Vec::new()
}

fn on_command(state: &mut SuperviseState, command: Command) -> Vec<Effect> {
    match command {
        Command::Quit => return quit(state),
        Command::Help => {
            state.mode = Mode::Help;
            return Vec::new();
        }
        Command::Figures => {
            state.mode = Mode::Figures;
            return vec![Effect::LoadFigures];
        }
        Command::Next | Command::Previous => {
            let len = state.tasks.len();
            if len == 0 {
                return Vec::new();
            }
            let next = if command == Command::Next {
                (state.cursor + 1).min(len - 1)
            } else {
                state.cursor.saturating_sub(1)
            };
            if next == state.cursor {
                return Vec::new();
            }
            state.cursor = next;
            return load_current(state);
        }
        Command::NextCandidate => {
            if let Some(shown) = &mut state.shown {
                shown.candidate = (shown.candidate + 1) % shown.item.candidates.len().max(1);
            }
            return Vec::new();
        }
        Command::Undo => {
            if state.busy {
                return refuse(state, "still saving the last action; wait a moment");
            }
            return match state.undo.pop() {
                Some(last) => {
                    state.busy = true;
                    let group_id = last.group_id;
                    state.undoing = Some(last);
                    vec![Effect::Undo { group_id }]
                }
                None => refuse(state, "nothing of yours to undo in this session"),
            };
        }
        _ => {}
    }
    if state.busy {
        return refuse(state, "still saving the last action; wait a moment");
    }
    let Some(shown) = &state.shown else {
        return refuse(
            state,
            "nothing on screen yet (still loading, or the queue is empty)",
        );
    };
    let kind = shown.task.kind;
    match command {
        Command::Agree | Command::Overturn if !kind.checks_a_decision() => refuse(
            state,
            "no decision is under check here: a approves, r rejects this request",
        ),
        Command::Agree => {
            let decision_id = shown.task.decision_id.unwrap_or_default();
            state.busy = true;
            vec![Effect::Check {
                decision_id,
                verdict: CheckVerdict::Agree,
                note: None,
            }]
        }
        Command::Overturn => {
            state.mode = Mode::ReasonPicker(ReasonFor::Overturn);
            Vec::new()
        }
        Command::Note => {
            state.mode = Mode::TextInput {
                purpose: InputFor::Note,
                text: String::new(),
            };
            Vec::new()
        }
        Command::Approve => match kind {
            TaskKind::Escalated => {
                state.busy = true;
                vec![Effect::Decide {
                    match_id: shown_match(state),
                    verdict: Verdict::Approve,
                    note: None,
                }]
            }
            TaskKind::Override => {
                state.mode = Mode::TextInput {
                    purpose: InputFor::Justification,
                    text: String::new(),
                };
                Vec::new()
            }
            _ => refuse(
                state,
                "a decides escalated requests and overrides; here y agrees, o overturns",
            ),
        },
        Command::Reject => match kind {
            TaskKind::Escalated | TaskKind::Override => {
                state.mode = Mode::ReasonPicker(ReasonFor::Reject);
                Vec::new()
            }
            _ => refuse(
                state,
                "r decides escalated requests and overrides; here y agrees, o overturns",
            ),
        },
        _ => Vec::new(),
    }
}

/// The match the supervisor's decision is about: the one waiting, else the candidate shown.
fn shown_match(state: &SuperviseState) -> i64 {
    let Some(shown) = &state.shown else { return 0 };
    if shown.task.kind == TaskKind::Override
        && let Some(id) = shown.task.match_id
    {
        return id;
    }
    shown
        .item
        .candidates
        .get(shown.candidate)
        .map(|c| c.match_id)
        .unwrap_or_default()
}

fn on_char(state: &mut SuperviseState, c: char) -> Vec<Effect> {
    match &mut state.mode {
        Mode::TextInput { text, .. } => {
            if !c.is_control() {
                text.push(c);
            }
            Vec::new()
        }
        Mode::ReasonPicker(purpose) => {
            let purpose = *purpose;
            let Some(reason) = c
                .to_digit(10)
                .and_then(|d| (d as usize).checked_sub(1))
                .and_then(|i| ReasonCode::PICKABLE.get(i).copied())
            else {
                return Vec::new();
            };
            match purpose {
                ReasonFor::Overturn => {
                    state.mode = Mode::TextInput {
                        purpose: InputFor::OverturnNote(reason),
                        text: String::new(),
                    };
                    Vec::new()
                }
                ReasonFor::Reject => {
                    state.mode = Mode::Browse;
                    state.busy = true;
                    vec![Effect::Decide {
                        match_id: shown_match(state),
                        verdict: Verdict::Reject(reason),
                        note: None,
                    }]
                }
            }
        }
        _ => Vec::new(),
    }
}

fn on_submit(state: &mut SuperviseState) -> Vec<Effect> {
    let Mode::TextInput { purpose, text } = std::mem::take(&mut state.mode) else {
        return Vec::new();
    };
    let note = text.trim().to_string();
    match purpose {
        InputFor::OverturnNote(reason) => {
            if note.is_empty() {
                state.mode = Mode::TextInput { purpose, text };
                return refuse(state, "an overturn needs a note saying what was wrong");
            }
            let decision_id = state
                .shown
                .as_ref()
                .and_then(|s| s.task.decision_id)
                .unwrap_or_default();
            state.busy = true;
            vec![Effect::Check {
                decision_id,
                verdict: CheckVerdict::Overturn(reason),
                note: Some(note),
            }]
        }
        InputFor::Note => {
            if note.is_empty() {
                return Vec::new();
            }
            state.busy = true;
            vec![Effect::Decide {
                match_id: shown_match(state),
                verdict: Verdict::Note,
                note: Some(note),
            }]
        }
        InputFor::Justification => {
            if note.is_empty() {
                state.mode = Mode::TextInput { purpose, text };
                return refuse(state, "an override needs a written justification");
            }
            state.busy = true;
            vec![Effect::Override {
                match_id: shown_match(state),
                justification: note,
            }]
        }
    }
}
