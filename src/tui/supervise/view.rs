//! Drawing the supervisor's screen from its state alone. The request and its candidates are the
//! review screen's own comparison panel; below it, the decision under check.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::keys::{BINDINGS, HINTS, key_of, word};
use super::state::{InputFor, Mode, ReasonFor, SuperviseState, TaskKind};
use crate::domain::policy::{release_check, review_visibility};
use crate::domain::text_safety::escape_for_display;
use crate::tui::view::popups::{centered, frame_popup, reason_picker};
use crate::tui::view::text::safe_spans;
use crate::tui::view::{ItemPanel, Theme, render_panel};

const LIST_WIDTH: u16 = 34;
const DECISION_HEIGHT: u16 = 8;
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 20;

pub fn render(frame: &mut Frame<'_>, state: &SuperviseState) {
    let theme = Theme {
        color: !state.no_color,
    };
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "The supervisor's screen needs {MIN_WIDTH}×{MIN_HEIGHT}; this terminal is {}×{}.",
            area.width, area.height
        );
        frame.render_widget(Paragraph::new(text), area);
        return;
    }
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(0),
        Constraint::Length(2),
    ])
    .areas(area);
    render_header(frame, header, state, theme);
    let main = if area.width >= MIN_WIDTH + LIST_WIDTH {
        let [list, main] = Layout::horizontal([Constraint::Length(LIST_WIDTH), Constraint::Min(0)])
            .spacing(1)
            .areas(body);
        render_list(frame, list, state, theme);
        main
    } else {
        body
    };
    let [panel, decision] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(DECISION_HEIGHT)]).areas(main);
    render_item(frame, panel, state, theme);
    render_decision(frame, decision, state, theme);
    render_footer(frame, footer, state, theme);
    render_popup(frame, area, state, theme);
}

fn render_header(frame: &mut Frame<'_>, area: Rect, state: &SuperviseState, theme: Theme) {
    let width = usize::from(area.width);
    let title = format!(
        "matchgate supervise · {} · supervisor {}",
        state.db_label, state.supervisor
    );
    let counts = format!(
        "to do: {} escalated · {} overrides waiting · {} disagreements · {} spot checks",
        state.count(TaskKind::Escalated),
        state.count(TaskKind::Override),
        state.count(TaskKind::Disagreement),
        state.count(TaskKind::SpotCheck),
    );
    let lines = vec![
        Line::from(safe_spans(&title, width, theme.title(), theme)),
        Line::from(safe_spans(&counts, width, theme.dim(), theme)),
    ];
    frame.render_widget(Paragraph::new(lines), area);
}

fn render_list(frame: &mut Frame<'_>, area: Rect, state: &SuperviseState, theme: Theme) {
    let width = usize::from(area.width);
    let height = usize::from(area.height);
    let first = state.cursor.saturating_sub(height / 2);
    let lines: Vec<Line<'static>> = state
        .tasks
        .iter()
        .enumerate()
        .skip(first)
        .take(height)
        .map(|(index, task)| {
            let text = format!(
                "{} {:<10} {} {}",
                if index == state.cursor { "▶" } else { " " },
                task.kind.label(),
                task.source_id,
                task.reviewer.as_deref().unwrap_or("")
            );
            let style = if index == state.cursor {
                theme.selected()
            } else {
                ratatui::style::Style::new()
            };
            Line::from(safe_spans(&text, width, style, theme))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

fn render_item(frame: &mut Frame<'_>, area: Rect, state: &SuperviseState, theme: Theme) {
    let empty = if !state.loaded {
        "Loading…"
    } else if state.tasks.is_empty() {
        "Nothing to supervise: no escalations, overrides, disagreements or spot checks waiting."
    } else {
        "Loading…"
    };
    let default_policy = crate::domain::policy::Policy::default();
    let (item, shown, policy) = match &state.shown {
        Some(s) => (Some(&s.item), s.candidate, &s.policy),
        None => (None, 0, &default_policy),
    };
    let panel = ItemPanel {
        item,
        shown,
        // A supervisor sees every earlier decision and the score.
        visibility: review_visibility(policy, &[], ""),
        position: Some(format!("{}/{}", state.cursor + 1, state.tasks.len())),
        empty_text: empty,
        policy,
        revealed: None,
    };
    render_panel(frame, area, &panel, theme);
}

fn seconds(ms: i64) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

fn render_decision(frame: &mut Frame<'_>, area: Rect, state: &SuperviseState, theme: Theme) {
    let width = usize::from(area.width);
    let Some(shown) = &state.shown else {
        return;
    };
    let mut lines = vec![Line::from(safe_spans(
        &format!("{} · {}", shown.task.kind.label(), shown.task.why),
        width,
        theme.title(),
        theme,
    ))];
    if let Some(d) = &shown.under_check {
        let text = format!(
            "decision {} under check: {} by {} at {} · reason {}",
            d.decision_id,
            d.action,
            d.reviewer,
            d.decided_at,
            d.reason_code.as_deref().unwrap_or("-"),
        );
        lines.push(Line::from(safe_spans(
            &text,
            width,
            ratatui::style::Style::new(),
            theme,
        )));
        let note = format!(
            "looked {} · match now {} · note: {}",
            seconds(d.viewed_ms),
            d.status_now,
            d.note.as_deref().unwrap_or("-")
        );
        lines.push(Line::from(safe_spans(&note, width, theme.dim(), theme)));
        if let Some((who, action)) = &d.second {
            let text = format!("blind second review by {who}: {action}");
            lines.push(Line::from(safe_spans(&text, width, theme.warn(), theme)));
        }
    }
    if let Some(w) = &shown.waiting {
        let text = format!(
            "{} asked for an override at {} (refused by {}) · note: {}",
            w.reviewer,
            w.asked_at,
            w.rules,
            w.note.as_deref().unwrap_or("-")
        );
        lines.push(Line::from(safe_spans(
            &text,
            width,
            ratatui::style::Style::new(),
            theme,
        )));
    }
    // What the one rule book says of releasing the shown candidate today (it may be stricter
    // than when the decision was made).
    let refusals = release_check(
        &shown.item,
        shown.candidate,
        &state.supervisor,
        &shown.policy,
        &shown.holds,
    );
    let rules = if refusals.is_empty() {
        "release rules today: nothing refuses this candidate".to_string()
    } else {
        let names: Vec<String> = refusals
            .iter()
            .map(|r| format!("[{}] {}", r.rule, r.reason))
            .collect();
        format!("release rules today refuse: {}", names.join("; "))
    };
    let style = if refusals.is_empty() {
        theme.good()
    } else {
        theme.warn()
    };
    lines.push(Line::from(safe_spans(&rules, width, style, theme)));
    if let Some(lot) = &shown.lot {
        lines.push(Line::from(safe_spans(lot, width, theme.dim(), theme)));
    }
    for hold in &shown.holds {
        let text = format!("legal hold #{} on this batch: {}", hold.id, hold.reason);
        lines.push(Line::from(safe_spans(&text, width, theme.bad(), theme)));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn render_footer(frame: &mut Frame<'_>, area: Rect, state: &SuperviseState, theme: Theme) {
    let width = usize::from(area.width);
    let status = match &state.status {
        Some(s) => Line::from(safe_spans(&s.text, width, theme.status(s.kind), theme)),
        None => Line::raw(""),
    };
    let mut hints = Vec::new();
    for command in HINTS {
        hints.push(Span::styled(format!("{} ", key_of(command)), theme.key()));
        hints.push(Span::raw(format!("{}  ", word(command))));
    }
    frame.render_widget(Paragraph::new(vec![status, Line::from(hints)]), area);
}

fn render_popup(frame: &mut Frame<'_>, area: Rect, state: &SuperviseState, theme: Theme) {
    match &state.mode {
        Mode::Browse => {}
        Mode::ReasonPicker(ReasonFor::Overturn) => {
            reason_picker(frame, area, "Overturn · what was wrong?", theme)
        }
        Mode::ReasonPicker(ReasonFor::Reject) => reason_picker(frame, area, "Reject · why?", theme),
        Mode::TextInput { purpose, text } => {
            let title = match purpose {
                InputFor::OverturnNote(_) => "Overturn · note (required)",
                InputFor::Note => "Note on the match",
                InputFor::Justification => "Override · written justification",
            };
            let lines = vec![
                Line::raw(format!("{}▏", escape_for_display(text))),
                Line::styled("Enter saves · Esc cancels", theme.dim()),
            ];
            frame_popup(frame, centered(area, 70, 4), title, lines, theme);
        }
        Mode::Help => {
            let mut lines: Vec<Line<'static>> = BINDINGS
                .iter()
                .map(|(key, _, _, what)| {
                    Line::from(vec![
                        Span::styled(format!(" {key:<4}"), theme.key()),
                        Span::raw(*what),
                    ])
                })
                .collect();
            lines.push(Line::styled(" any key closes", theme.dim()));
            let height = lines.len() as u16 + 2;
            frame_popup(
                frame,
                centered(area, 76, height),
                "Supervisor's keys",
                lines,
                theme,
            );
        }
        Mode::Figures => {
            let popup = centered(
                area,
                area.width.saturating_sub(4),
                area.height.saturating_sub(2),
            );
            super::figures::render(frame, popup, state.figures.as_ref(), theme);
        }
    }
}
