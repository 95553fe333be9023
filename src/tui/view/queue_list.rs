//! The queue: the current item's position and a compact list of nearby items.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::text::safe_spans;
use super::theme::Theme;
use crate::domain::{QueueEntry, QueueState};
use crate::tui::state::ReviewState;

/// How many requests the current queue holds (its filter's states).
fn in_queue(state: &ReviewState) -> u64 {
    state
        .filter
        .state
        .states()
        .iter()
        .map(|s| state.counts.get(*s))
        .sum()
}

/// "Item 12 of 300 · to do · by score": where the reviewer is.
pub fn position_text(state: &ReviewState) -> String {
    let in_queue = in_queue(state);
    let position = match state.window.position() {
        Some(p) => p.to_string(),
        None if state.window.entries.is_empty() => "0".to_string(),
        None => "?".to_string(),
    };
    format!(
        "item {position} of {in_queue} · {} · by {}",
        state.filter.state.label(),
        state.sort.label()
    )
}

/// "12/300 to do": the position in a few columns, for narrow screens.
pub fn position_short(state: &ReviewState) -> String {
    let in_queue = in_queue(state);
    let position = state
        .window
        .position()
        .map_or_else(|| "?".to_string(), |p| p.to_string());
    format!("{position}/{in_queue} {}", state.filter.state.label())
}

pub fn state_glyph(state: QueueState) -> &'static str {
    match state {
        QueueState::Open => "○ open",
        QueueState::Deferred => "◔ defer",
        QueueState::Escalated => "▲ escal",
        QueueState::Done => "● done",
    }
}

/// `blind`: scores are hidden (two-person rule with blind review).
fn entry_line(
    entry: &QueueEntry,
    selected: bool,
    blind: bool,
    width: usize,
    theme: Theme,
) -> Line<'static> {
    let marker = if selected { "▶" } else { " " };
    let head = if blind {
        format!("{marker}{:<8}  ··  ", entry.source_id)
    } else {
        format!("{marker}{:<8} {:.2} ", entry.source_id, entry.top_score)
    };
    let tail = format!(" {}", state_glyph(entry.state));
    let name_width = width.saturating_sub(head.chars().count() + tail.chars().count());
    let base = if selected {
        theme.selected()
    } else {
        ratatui::style::Style::new()
    };
    let mut spans = safe_spans(&head, width, base, theme);
    let mut name = safe_spans(&entry.name, name_width, base, theme);
    let shown: usize = name
        .iter()
        .map(|s| unicode_width::UnicodeWidthStr::width(s.content.as_ref()))
        .sum();
    name.push(Span::styled(
        " ".repeat(name_width.saturating_sub(shown)),
        base,
    ));
    spans.extend(name);
    spans.push(Span::styled(tail, base.patch(theme.dim())));
    Line::from(spans)
}

pub fn render(frame: &mut Frame<'_>, area: Rect, state: &ReviewState, theme: Theme) {
    let block = Block::default()
        .borders(Borders::RIGHT)
        .title(Span::styled(" Queue ", theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = usize::from(inner.height.saturating_sub(1));
    let width = usize::from(inner.width);
    let mut lines = vec![Line::from(safe_spans(
        &position_text(state),
        width,
        theme.dim(),
        theme,
    ))];
    let entries = &state.window.entries;
    // Keep the cursor in view, a little below the top.
    let start = state
        .window
        .cursor
        .saturating_sub(rows / 3)
        .min(entries.len().saturating_sub(rows));
    let blind = state.policy.blind && state.policy.approvals_required >= 2;
    for (index, entry) in entries.iter().enumerate().skip(start).take(rows) {
        lines.push(entry_line(
            entry,
            index == state.window.cursor,
            blind,
            width,
            theme,
        ));
    }
    if entries.is_empty() {
        lines.push(Line::from(Span::styled(" nothing here", theme.dim())));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
