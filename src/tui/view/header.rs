//! The header: where and who, the batch's requester and legal basis, progress with a gauge, and
//! banners for anything that blocks release.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::text::safe_spans;
use super::theme::Theme;
use crate::tui::layout;
use crate::tui::state::ReviewState;

pub fn render(frame: &mut Frame<'_>, area: Rect, state: &ReviewState, theme: Theme) {
    let width = usize::from(area.width);
    let mut lines = vec![
        title_line(state, theme, width),
        batch_line(state, theme, width),
    ];
    let banners = layout::banners(state);
    if !banners.is_empty() {
        let text = format!(" ⚠ {}", banners.join(" │ ⚠ "));
        lines.push(
            Line::from(safe_spans(&text, width, theme.banner(), theme)).style(theme.banner()),
        );
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn title_line(state: &ReviewState, theme: Theme, width: usize) -> Line<'static> {
    let decided = state.counts.decided();
    let total = state.counts.total();
    let percent = (decided * 100).checked_div(total).unwrap_or(0);
    let gauge_cells = 12usize;
    let filled = (decided as usize * gauge_cells)
        .checked_div(total as usize)
        .unwrap_or(0);
    let gauge = format!(
        "decided {decided}/{total} ▕{}{}▏{percent:>3}%",
        "█".repeat(filled),
        "░".repeat(gauge_cells - filled)
    );
    let mut left = vec![Span::styled(" matchgate ", theme.title())];
    if state.session.training {
        left.push(Span::styled(" TRAINING ", theme.training()));
        left.push(Span::raw(" "));
    }
    let mut who = format!(
        "{} · reviewer {}",
        state.session.db_label, state.session.reviewer
    );
    if state.second_waiting > 0 {
        who.push_str(&format!(
            " · second reviews waiting {}",
            state.second_waiting
        ));
    }
    let left_width: usize = left.iter().map(|s| s.content.width()).sum();
    let room = width.saturating_sub(left_width + gauge.width() + 2);
    left.extend(safe_spans(&who, room, theme.dim(), theme));
    let used: usize = left.iter().map(|s| s.content.width()).sum();
    let pad = width.saturating_sub(used + gauge.width() + 1);
    left.push(Span::raw(" ".repeat(pad)));
    left.push(Span::styled(gauge, theme.good()));
    Line::from(left)
}

fn batch_line(state: &ReviewState, theme: Theme, width: usize) -> Line<'static> {
    let Some(item) = state.shown_item() else {
        let scope = match state.filter.batch_id.and_then(|b| state.batch_name(b)) {
            Some(name) => format!(" batch {name}"),
            None => " all batches".to_string(),
        };
        return Line::from(safe_spans(&scope, width, theme.dim(), theme));
    };
    let batch = &item.batch;
    let text = format!(
        " batch {} · requester {} · basis {}",
        batch.name,
        or_none(&batch.requester),
        or_none(&batch.legal_basis)
    );
    let mut spans = Vec::new();
    if state.second_shown().is_some() {
        spans.push(Span::styled(" SECOND REVIEW (blind) ", theme.training()));
    }
    let used: usize = spans.iter().map(|s| s.content.width()).sum();
    spans.extend(safe_spans(
        &text,
        width.saturating_sub(used),
        ratatui::style::Style::new(),
        theme,
    ));
    Line::from(spans)
}

fn or_none(text: &str) -> &str {
    if text.trim().is_empty() {
        "(none given)"
    } else {
        text
    }
}
