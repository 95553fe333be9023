//! The footer: the status line (what was saved, what failed) and key hints generated from the
//! keymap that handles the keys, so hints never drift from behaviour.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::text::safe_spans;
use super::theme::Theme;
use crate::tui::action::Command;
use crate::tui::keymap::{Context, Keymap};
use crate::tui::state::{Mode, ReviewState, StatusKind};

/// The commands hinted in the footer per context, in order of importance.
fn hinted(mode: &Mode, second: bool) -> &'static [Command] {
    match mode {
        // A second review takes a verdict or a skip; nothing else of the queue applies.
        Mode::Browse if second => &[
            Command::Approve,
            Command::Reject,
            Command::Next,
            Command::Undo,
            Command::Detail,
            Command::Help,
            Command::Quit,
        ],
        Mode::Browse => &[
            Command::Approve,
            Command::Reject,
            Command::Defer,
            Command::Escalate,
            Command::Note,
            Command::Undo,
            Command::NextCandidate,
            Command::Next,
            Command::Prev,
            Command::Search,
            Command::Filter,
            Command::Sort,
            Command::Detail,
            Command::Help,
            Command::Quit,
        ],
        Mode::ReasonPicker
        | Mode::Help
        | Mode::Detail
        | Mode::Scoreboard
        | Mode::Preview { .. } => &[Command::Cancel],
        Mode::Feedback(_) => &[],
        _ => &[
            Command::Confirm,
            Command::Next,
            Command::Prev,
            Command::Cancel,
        ],
    }
}

pub fn render(
    frame: &mut Frame<'_>,
    area: Rect,
    state: &ReviewState,
    keymap: &Keymap,
    theme: Theme,
) {
    let width = usize::from(area.width);
    let status = match &state.status {
        Some(status) => {
            let glyph = match status.kind {
                StatusKind::Saved => "✔ ",
                StatusKind::Error => "✖ ",
                StatusKind::Info => "· ",
            };
            Line::from(safe_spans(
                &format!(" {glyph}{}", status.text),
                width,
                theme.status(status.kind),
                theme,
            ))
        }
        None => Line::from(""),
    };
    let context = Context::of(&state.mode);
    let mut hints: Vec<Span<'static>> = vec![Span::raw(" ")];
    let mut used = 1;
    let extra = match state.mode {
        Mode::ReasonPicker => Some(("1-9", "reason")),
        Mode::TextInput { .. } | Mode::Search { .. } => Some(("type", "text")),
        Mode::Feedback(_) => Some(("any key", "to continue")),
        _ => None,
    };
    let mut items: Vec<(String, &'static str)> = Vec::new();
    if let Some((key, label)) = extra {
        items.push((key.to_string(), label));
    }
    let mut hinted = hinted(&state.mode, state.second_shown().is_some()).to_vec();
    if state.session.training && state.mode == Mode::Browse {
        hinted.insert(hinted.len() - 2, Command::Scoreboard);
    }
    for command in &hinted {
        if let Some(key) = keymap.keys_for(context, *command).first() {
            items.push((key.to_string(), command.label()));
        }
    }
    for (key, label) in items {
        let w = key.width() + label.width() + 3;
        if used + w > width {
            break;
        }
        used += w;
        hints.push(Span::styled(key, theme.key()));
        hints.push(Span::styled(format!(" {label}  "), theme.dim()));
    }
    frame.render_widget(Paragraph::new(vec![status, Line::from(hints)]), area);
}
