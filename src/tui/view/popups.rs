//! Popups drawn over the main screen: help, reason picker, filter and sort menus, text input,
//! search, and the full-value detail view.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::queue_list::state_glyph;
use super::text::safe_spans;
use super::theme::Theme;
use crate::domain::{Field, QueueSort, ReasonCode};
use crate::tui::keymap::{Context, Keymap};
use crate::tui::state::{InputPurpose, Mode, ReviewState};
use crate::tui::update::filter_options;

/// A centred rectangle of at most the given size.
pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

pub(crate) fn frame_popup(
    frame: &mut Frame<'_>,
    area: Rect,
    title: &str,
    lines: Vec<Line<'static>>,
    theme: Theme,
) {
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" {title} "), theme.title()));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

pub fn render(frame: &mut Frame<'_>, state: &ReviewState, keymap: &Keymap, theme: Theme) {
    let area = frame.area();
    match &state.mode {
        Mode::Browse => {}
        Mode::Help => help(frame, area, keymap, theme),
        Mode::ReasonPicker => reason_picker(frame, area, "Reject · why?", theme),
        Mode::Filter { selected } => {
            let options = filter_options(state);
            let mut lines = Vec::new();
            let mut group = "";
            for (index, option) in options.iter().enumerate() {
                let (g, label) = option.label();
                if g != group {
                    group = g;
                    lines.push(Line::styled(g.to_string(), theme.title()));
                }
                let mark = if option.is_active(&state.filter) {
                    "●"
                } else {
                    "○"
                };
                let style = if index == *selected {
                    theme.selected()
                } else {
                    ratatui::style::Style::new()
                };
                let mut spans = vec![Span::styled(format!("  {mark} "), style)];
                spans.extend(safe_spans(&label, 40, style, theme));
                lines.push(Line::from(spans));
            }
            let height = lines.len() as u16 + 2;
            frame_popup(
                frame,
                centered(area, 50, height),
                "Filter · Enter applies",
                lines,
                theme,
            );
        }
        Mode::Sort { selected } => {
            let lines = QueueSort::ALL
                .iter()
                .enumerate()
                .map(|(index, sort)| {
                    let mark = if *sort == state.sort { "●" } else { "○" };
                    let style = if index == *selected {
                        theme.selected()
                    } else {
                        ratatui::style::Style::new()
                    };
                    Line::styled(format!("  {mark} by {}", sort.label()), style)
                })
                .collect();
            frame_popup(frame, centered(area, 30, 5), "Sort", lines, theme);
        }
        Mode::TextInput { purpose, text } => {
            let title = match purpose {
                InputPurpose::Escalate => "Escalate to a supervisor · note (optional)",
                InputPurpose::Note => "Note on this item",
            };
            let popup = centered(area, 70, 5);
            let width = usize::from(popup.width.saturating_sub(4));
            // Show the end of a long note: that is where the cursor is.
            let skip = text.chars().count().saturating_sub(width.saturating_sub(1));
            let tail: String = text.chars().skip(skip).collect();
            let mut spans = safe_spans(&tail, width, ratatui::style::Style::new(), theme);
            spans.push(Span::styled("▏", theme.key()));
            let lines = vec![
                Line::from(spans),
                Line::styled("Enter saves · Esc cancels", theme.dim()),
            ];
            frame_popup(frame, popup, title, lines, theme);
        }
        Mode::Search {
            query,
            hits,
            selected,
        } => {
            let popup = centered(area, 76, 16);
            let width = usize::from(popup.width.saturating_sub(2));
            let mut spans = vec![Span::styled("/ ", theme.key())];
            spans.extend(safe_spans(
                query,
                width.saturating_sub(3),
                ratatui::style::Style::new(),
                theme,
            ));
            spans.push(Span::styled("▏", theme.key()));
            let mut lines = vec![Line::from(spans)];
            if hits.is_empty() && !query.trim().is_empty() {
                lines.push(Line::styled("no match in this queue", theme.dim()));
            }
            for (index, hit) in hits.iter().enumerate() {
                let style = if index == *selected {
                    theme.selected()
                } else {
                    ratatui::style::Style::new()
                };
                let text = format!(
                    "{:<9} {:.2} {:<8} {}",
                    hit.source_id,
                    hit.top_score,
                    state_glyph(hit.state),
                    hit.name
                );
                lines.push(Line::from(safe_spans(&text, width, style, theme)));
            }
            frame_popup(
                frame,
                popup,
                "Search names, addresses, ids · Enter jumps",
                lines,
                theme,
            );
        }
        Mode::Detail => detail(frame, area, state, theme),
        Mode::Feedback(feedback) => super::training::feedback(frame, feedback, theme),
        Mode::Scoreboard => super::training::scoreboard(frame, state, theme),
        Mode::Preview { row, refusals } => preview(frame, area, row, refusals, theme),
    }
}

fn help(frame: &mut Frame<'_>, area: Rect, keymap: &Keymap, theme: Theme) {
    const CELL: usize = 30;
    let mut sections: Vec<(&str, Vec<(String, &str)>)> = Vec::new();
    for (context, title) in [
        (Context::Browse, "Main screen"),
        (Context::Popup, "Popups and menus"),
        (Context::Input, "Typing a note or a search"),
    ] {
        let entries = keymap
            .commands(context)
            .into_iter()
            .map(|(command, keys)| {
                let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
                (keys.join(" "), command.label())
            })
            .collect();
        sections.push((title, entries));
    }
    sections.push((
        "Reason picker",
        vec![("1-9".into(), "choose a reason"), ("Esc".into(), "cancel")],
    ));
    let one_column: usize = sections.iter().map(|(_, e)| e.len() + 1).sum();
    // Two entries a line when one a line would not fit the terminal.
    let per_line = if one_column + 2 > usize::from(area.height) {
        2
    } else {
        1
    };
    let cell = |(keys, label): &(String, &str)| {
        vec![
            Span::styled(format!("  {keys:<12}"), theme.key()),
            Span::raw(format!("{label:<w$}", w = CELL - 14)),
        ]
    };
    let mut lines = Vec::new();
    for (title, entries) in &sections {
        lines.push(Line::styled(title.to_string(), theme.title()));
        for chunk in entries.chunks(per_line) {
            lines.push(Line::from(chunk.iter().flat_map(cell).collect::<Vec<_>>()));
        }
    }
    let width = (CELL * per_line + 2) as u16;
    let height = lines.len() as u16 + 2;
    frame_popup(
        frame,
        centered(area, width, height),
        "Help · Esc closes",
        lines,
        theme,
    );
}

pub(crate) fn reason_picker(frame: &mut Frame<'_>, area: Rect, title: &str, theme: Theme) {
    let mut lines: Vec<Line<'static>> = ReasonCode::PICKABLE
        .iter()
        .map(|reason| {
            Line::from(vec![
                Span::styled(format!(" {} ", reason.digit().unwrap_or(0)), theme.key()),
                Span::raw(reason.label()),
            ])
        })
        .collect();
    lines.push(Line::styled(" Esc cancels", theme.dim()));
    let height = lines.len() as u16 + 2;
    frame_popup(frame, centered(area, 50, height), title, lines, theme);
}

fn detail(frame: &mut Frame<'_>, area: Rect, state: &ReviewState, theme: Theme) {
    let (Some(item), Some(shown)) = (state.shown_item(), state.shown_candidate()) else {
        return;
    };
    let popup = centered(
        area,
        area.width.saturating_sub(4),
        area.height.saturating_sub(2),
    );
    let width = usize::from(popup.width.saturating_sub(2)).max(10);
    let mut lines = Vec::new();
    let mut push = |label: String, side: &str, value: &str| {
        // Extra-field names come from the import file: as untrusted as the values.
        let mut spans = safe_spans(
            &format!("{label} ({side}): "),
            usize::MAX / 2,
            theme.dim(),
            theme,
        );
        // Wrapping is done by the paragraph; here the value is only escaped, never cut.
        spans.extend(safe_spans(
            value,
            usize::MAX / 2,
            ratatui::style::Style::new(),
            theme,
        ));
        lines.push(Line::from(spans));
    };
    push("Request id".into(), "requested", &item.request.id);
    push("Candidate id".into(), "candidate", &shown.candidate.id);
    for field in Field::ALL {
        if let Some(v) = item.request.get(field) {
            push(field.label().into(), "requested", v);
        }
        if let Some(v) = shown.candidate.get(field) {
            let v = state.display_value(shown.match_id, field, v);
            push(field.label().into(), "candidate", &v);
        }
    }
    for (key, value) in &item.request.extra {
        push(key.clone(), "requested", value);
    }
    for (key, value) in &shown.candidate.extra {
        push(key.clone(), "candidate", value);
    }
    let _ = width;
    frame_popup(frame, popup, "Full values · Esc closes", lines, theme);
}

/// The release preview: exactly the fields an export would send for this candidate, and what
/// stands in the way of releasing it now.
fn preview(
    frame: &mut Frame<'_>,
    area: Rect,
    row: &crate::domain::policy::ReleaseRow,
    refusals: &[crate::domain::policy::Refusal],
    theme: Theme,
) {
    let width = usize::from(area.width.min(76).saturating_sub(2));
    let mut lines = vec![Line::styled(
        "An export would send exactly these fields (never a TIN, date of birth or name):",
        theme.dim(),
    )];
    let fields = [
        ("request_id", &row.request_id),
        ("batch", &row.batch),
        ("street_number", &row.street_number),
        ("street", &row.street),
        ("unit", &row.unit),
        ("city", &row.city),
        ("state", &row.state),
        ("zip", &row.zip),
    ];
    for (name, value) in fields {
        let mut spans = vec![Span::styled(format!("  {name:<14}"), theme.key())];
        spans.extend(safe_spans(
            value,
            width.saturating_sub(16),
            ratatui::style::Style::new(),
            theme,
        ));
        lines.push(Line::from(spans));
    }
    if refusals.is_empty() {
        lines.push(Line::styled(
            "Nothing blocks this release now.",
            theme.good(),
        ));
    } else {
        lines.push(Line::styled("It cannot be released now:", theme.bad()));
        for refusal in refusals {
            lines.push(Line::from(safe_spans(
                &format!("  {refusal}"),
                usize::MAX / 2,
                theme.bad(),
                theme,
            )));
        }
    }
    // Refusal lines wrap; leave them room.
    let height = lines.len() as u16 + 2 + refusals.len() as u16;
    frame_popup(
        frame,
        centered(area, 76, height),
        "Release preview · Esc closes",
        lines,
        theme,
    );
}
