//! The supervisor's screen without a terminal or a store: its pure update, action by action, and
//! snapshots of what it draws.

use ratatui::{Terminal, backend::TestBackend};

use super::action::{Action, Command, Effect};
use super::state::{InputFor, Mode, ReasonFor, Shown, SuperviseState, Task, TaskKind};
use super::update::update;
use crate::domain::policy::Policy;
use crate::domain::supervision::CheckVerdict;
use crate::domain::{DecisionAction, MatchStatus, ReasonCode, Verdict};
use crate::store::DecisionUnderCheck;
use crate::tui::state::StatusKind;
use crate::tui::test_fixtures::{cand, item};

fn task(kind: TaskKind, request_id: i64) -> Task {
    let checks = kind.checks_a_decision();
    Task {
        kind,
        request_id,
        source_id: format!("R{request_id:06}"),
        match_id: Some(request_id * 10),
        decision_id: checks.then_some(request_id * 100),
        reviewer: Some("ann".into()),
        why: "spot-check rate · lot ann 2026-12-02".into(),
    }
}

fn shown(task: Task) -> Shown {
    let under_check = task.decision_id.map(|id| DecisionUnderCheck {
        decision_id: id,
        match_id: 7,
        request_id: task.request_id,
        reviewer: "ann".into(),
        action: DecisionAction::Approve,
        reason_code: None,
        note: Some("all agree".into()),
        decided_at: "2026-12-02T09:14:03.120Z".into(),
        viewed_ms: 4_200,
        status_now: MatchStatus::Approved,
        second: None,
    });
    Shown {
        task,
        item: item(vec![cand(7, "C0000913", 0.93)]),
        candidate: 0,
        under_check,
        waiting: None,
        lot: Some(
            "lot ann 2026-12-02: 412 decisions, 3 checked (1 overturned); Z1.4 checked 3/50, overturns 1/1 allowed, open"
                .into(),
        ),
        policy: Policy::default(),
        holds: Vec::new(),
    }
}

/// A state with these tasks loaded and the first one on screen.
fn with_tasks(tasks: Vec<Task>) -> SuperviseState {
    let mut state = SuperviseState::new("sam".into(), "team.db".into(), true);
    let effects = update(&mut state, Action::TasksLoaded(tasks.clone()));
    assert_eq!(effects, vec![Effect::LoadItem(tasks[0].clone())]);
    update(
        &mut state,
        Action::ItemLoaded(Box::new(shown(tasks[0].clone()))),
    );
    state
}

fn key(state: &mut SuperviseState, command: Command) -> Vec<Effect> {
    update(state, Action::Command(command))
}

fn type_text(state: &mut SuperviseState, text: &str) {
    for c in text.chars() {
        update(state, Action::Char(c));
    }
}

#[test]
fn agreeing_sends_one_check_and_waits_for_the_commit() {
    let mut state = with_tasks(vec![
        task(TaskKind::SpotCheck, 1),
        task(TaskKind::SpotCheck, 2),
    ]);
    let effects = key(&mut state, Command::Agree);
    assert_eq!(
        effects,
        vec![Effect::Check {
            decision_id: 100,
            verdict: CheckVerdict::Agree,
            note: None
        }]
    );
    assert!(state.busy);
    assert!(
        key(&mut state, Command::Agree).is_empty(),
        "no second write while one is in flight"
    );
    // Shown as saved only when the store says so; then the next task loads.
    let effects = update(
        &mut state,
        Action::Saved {
            text: "saved: agreed with decision 100".into(),
            group_id: 55,
            check: Some((100, false)),
            settles: true,
        },
    );
    assert_eq!(
        effects,
        vec![Effect::LoadItem(task(TaskKind::SpotCheck, 2))]
    );
    assert_eq!(
        state.status.as_ref().map(|s| s.kind),
        Some(StatusKind::Saved)
    );
    assert_eq!(state.tasks.len(), 1);
    assert_eq!(state.checks.len(), 1);
}

#[test]
fn an_overturn_takes_a_reason_digit_and_a_note_it_cannot_skip() {
    let mut state = with_tasks(vec![task(TaskKind::SpotCheck, 1)]);
    assert!(key(&mut state, Command::Overturn).is_empty());
    assert_eq!(state.mode, Mode::ReasonPicker(ReasonFor::Overturn));
    update(&mut state, Action::Char('4'));
    assert_eq!(
        state.mode,
        Mode::TextInput {
            purpose: InputFor::OverturnNote(ReasonCode::DifferentPerson),
            text: String::new()
        }
    );
    assert!(update(&mut state, Action::Submit).is_empty());
    assert_eq!(
        state.status.as_ref().map(|s| s.kind),
        Some(StatusKind::Error)
    );
    type_text(&mut state, "the father");
    let effects = update(&mut state, Action::Submit);
    assert_eq!(
        effects,
        vec![Effect::Check {
            decision_id: 100,
            verdict: CheckVerdict::Overturn(ReasonCode::DifferentPerson),
            note: Some("the father".into())
        }]
    );
    assert_eq!(state.mode, Mode::Browse);
}

#[test]
fn escalations_and_overrides_are_decided_not_checked() {
    let mut state = with_tasks(vec![
        task(TaskKind::Escalated, 1),
        task(TaskKind::Override, 2),
    ]);
    assert!(key(&mut state, Command::Agree).is_empty());
    assert_eq!(
        state.status.as_ref().map(|s| s.kind),
        Some(StatusKind::Error)
    );
    assert_eq!(
        key(&mut state, Command::Approve),
        vec![Effect::Decide {
            match_id: 7,
            verdict: Verdict::Approve,
            note: None
        }]
    );
    update(&mut state, Action::Failed("the gates refuse".into()));
    assert!(!state.busy);
    key(&mut state, Command::Next);
    update(
        &mut state,
        Action::ItemLoaded(Box::new(shown(task(TaskKind::Override, 2)))),
    );
    // An override needs a written justification, for the match waiting (not the one shown).
    key(&mut state, Command::Approve);
    assert!(update(&mut state, Action::Submit).is_empty());
    type_text(&mut state, "confirmed with the county");
    assert_eq!(
        update(&mut state, Action::Submit),
        vec![Effect::Override {
            match_id: 20,
            justification: "confirmed with the county".into()
        }]
    );
}

#[test]
fn undo_takes_back_the_last_check_and_a_refused_undo_stays_available() {
    let mut state = with_tasks(vec![
        task(TaskKind::SpotCheck, 1),
        task(TaskKind::SpotCheck, 2),
    ]);
    key(&mut state, Command::Agree);
    update(
        &mut state,
        Action::Saved {
            text: "saved".into(),
            group_id: 55,
            check: Some((100, false)),
            settles: true,
        },
    );
    assert_eq!(
        key(&mut state, Command::Undo),
        vec![Effect::Undo { group_id: 55 }]
    );
    update(&mut state, Action::Failed("later decisions".into()));
    assert_eq!(state.undo.len(), 1, "the refused undo can be tried again");
    assert_eq!(
        key(&mut state, Command::Undo),
        vec![Effect::Undo { group_id: 55 }]
    );
    assert_eq!(
        update(&mut state, Action::Undone("undone".into())),
        vec![Effect::LoadTasks]
    );
    assert!(state.checks.is_empty(), "an undone check no longer counts");
    assert!(key(&mut state, Command::Undo).is_empty());
}

#[test]
fn a_task_held_by_someone_else_or_settled_elsewhere_is_skipped() {
    let mut state = with_tasks(vec![
        task(TaskKind::SpotCheck, 1),
        task(TaskKind::SpotCheck, 2),
    ]);
    let effects = update(
        &mut state,
        Action::HeldBy {
            request_id: 1,
            holder: "sue".into(),
        },
    );
    assert_eq!(
        effects,
        vec![Effect::LoadItem(task(TaskKind::SpotCheck, 2))]
    );
    assert_eq!(
        update(&mut state, Action::StoreChanged),
        vec![Effect::LoadTasks]
    );
    let effects = update(&mut state, Action::TasksLoaded(Vec::new()));
    assert!(effects.is_empty());
    assert!(state.shown.is_none());
}

fn draw(state: &SuperviseState, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| super::view::render(frame, state))
        .expect("draw");
    terminal
}

#[test]
fn spot_check_screen_140x36() {
    let state = with_tasks(vec![
        task(TaskKind::Escalated, 3),
        task(TaskKind::SpotCheck, 1),
        task(TaskKind::SpotCheck, 2),
    ]);
    let mut state = state;
    key(&mut state, Command::Next);
    update(
        &mut state,
        Action::ItemLoaded(Box::new(shown(task(TaskKind::SpotCheck, 1)))),
    );
    insta::assert_snapshot!(draw(&state, 140, 36).backend());
}

#[test]
fn overturn_reason_popup_100x30() {
    let mut state = with_tasks(vec![task(TaskKind::SpotCheck, 1)]);
    key(&mut state, Command::Overturn);
    insta::assert_snapshot!(draw(&state, 100, 30).backend());
}

#[test]
fn help_lists_every_key_100x30() {
    let mut state = with_tasks(vec![task(TaskKind::SpotCheck, 1)]);
    key(&mut state, Command::Help);
    insta::assert_snapshot!(draw(&state, 100, 30).backend());
}

#[test]
fn figures_view_draws_the_rates_as_bars_100x34() {
    use crate::store::{Figures, FiguresReport, ReviewerFigures};
    let mut state = with_tasks(vec![task(TaskKind::SpotCheck, 1)]);
    key(&mut state, Command::Figures);
    let figures = |decisions, approvals, checked, overturned| Figures {
        decisions,
        approvals,
        rejections: decisions - approvals,
        approval_rate: Some(approvals as f64 / decisions as f64),
        median_seconds: Some(6.5),
        active_hours: 2,
        decisions_per_hour: Some(decisions as f64 / 2.0),
        spot_checked: checked,
        overturned,
        overturn_rate: Some(overturned as f64 / checked as f64),
        overturn_interval: None,
    };
    let view = super::figures::FiguresView {
        report: FiguresReport {
            reviewers: vec![
                ReviewerFigures {
                    reviewer: "ann".into(),
                    figures: figures(40, 30, 10, 1),
                },
                ReviewerFigures {
                    reviewer: "bob".into(),
                    figures: figures(20, 5, 8, 4),
                },
            ],
            overall: figures(60, 35, 18, 5),
            ..FiguresReport::default()
        },
        lots: vec!["lot ann 2026-12-02: 40 decisions, 10 checked (1 overturned)".into()],
    };
    update(&mut state, Action::FiguresLoaded(Box::new(view)));
    insta::assert_snapshot!(draw(&state, 100, 34).backend());
}
