//! The heart of the screen: the request and the shown candidate side by side, field by field,
//! with per-field agreement, the list of candidates, and why the matcher flagged the pair.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::queue_list::position_short;
use super::text::{ValueStyle, safe_spans, value_spans};
use super::theme::Theme;
use crate::domain::Field;
use crate::domain::agreement::{AgreementClass, FieldAgreement, FieldKey, compare_records};
use crate::domain::explain::{Explanation, score_band};
use crate::domain::policy::{Policy, ReviewVisibility};
use crate::domain::text_safety;
use crate::domain::{CandidateMatch, MatchStatus, ReviewItem};
use crate::tui::layout;
use crate::tui::state::{ReviewState, SecondSlot};

const FIELD_WIDTH: usize = 14;
const AGREEMENT_WIDTH: usize = 15;

/// What the comparison shows, from whichever screen shows it (review or supervise).
pub struct ItemPanel<'a> {
    pub item: Option<&'a ReviewItem>,
    /// Which candidate is shown.
    pub shown: usize,
    pub visibility: ReviewVisibility,
    /// The queue position to show before the title (when no queue list shows it).
    pub position: Option<String>,
    /// Shown when there is no item.
    pub empty_text: &'a str,
    pub policy: &'a Policy,
    /// A masked value revealed (audited) for a match.
    pub revealed: Option<&'a (i64, String)>,
}

impl ItemPanel<'_> {
    fn shown_candidate(&self) -> Option<&CandidateMatch> {
        self.item.and_then(|i| i.candidates.get(self.shown))
    }

    fn display_value(&self, match_id: i64, field: Field, value: &str) -> String {
        shown_value(self.policy, self.revealed, match_id, field, value)
    }
}

/// A field's value as a screen may show it: masked fields masked unless revealed.
pub fn shown_value(
    policy: &Policy,
    revealed: Option<&(i64, String)>,
    match_id: i64,
    field: Field,
    value: &str,
) -> String {
    match revealed {
        Some((id, revealed)) if *id == match_id && policy.is_masked(field) => revealed.clone(),
        _ => policy.display_value(field, value),
    }
}

impl ReviewState {
    /// The review screen's comparison panel.
    pub fn item_panel(&self) -> ItemPanel<'_> {
        ItemPanel {
            item: self.shown_item(),
            shown: if self.second_shown().is_some() {
                0
            } else {
                self.shown
            },
            visibility: self.visibility(),
            position: (!layout::queue_list_visible(self)).then(|| position_short(self)),
            empty_text: if self.second == SecondSlot::Looking {
                "Looking for second reviews…"
            } else if self.window.entries.is_empty() {
                "Nothing left in this queue. Press f to change the filter, or q to quit."
            } else {
                "Loading…"
            },
            policy: &self.policy,
            revealed: self.revealed.as_ref(),
        }
    }
}

pub fn render(frame: &mut Frame<'_>, area: Rect, state: &ReviewState, theme: Theme) {
    render_panel(frame, area, &state.item_panel(), theme);
}

/// Draws the comparison of one item.
pub fn render_panel(frame: &mut Frame<'_>, area: Rect, state: &ItemPanel<'_>, theme: Theme) {
    let (Some(item), Some(shown)) = (state.item, state.shown_candidate()) else {
        frame.render_widget(
            Paragraph::new(Line::styled(state.empty_text.to_string(), theme.dim())),
            area,
        );
        return;
    };
    let agreements = compare_records(&item.request, &shown.candidate);
    let [strip, title, table, explanation] = Layout::vertical([
        Constraint::Length(layout::candidate_strip_height(item)),
        Constraint::Length(2),
        Constraint::Length(agreements.len() as u16),
        Constraint::Length(layout::EXPLANATION_HEIGHT),
    ])
    .areas(area);
    candidate_strip(frame, strip, state, item, theme);
    title_lines(frame, title, state, item, shown, theme);
    rows(frame, table, state, shown.match_id, &agreements, theme);
    explain(frame, explanation, state, shown, &agreements, theme);
}

/// The matcher's score with its band, or a placeholder when the two-person rule's blind review
/// hides it from this reviewer until they decide.
fn score_text(state: &ItemPanel<'_>, score: f64) -> String {
    if state.visibility.hide_score {
        "score hidden (blind review)".to_string()
    } else {
        format!("{score:.2} {}", score_band(score))
    }
}

/// The match's status, or nothing on a blind second review (there it is the first verdict).
fn status_text(state: &ItemPanel<'_>, status: MatchStatus) -> &'static str {
    if state.visibility.hide_status {
        "status hidden"
    } else {
        status_word(status)
    }
}

fn status_word(status: MatchStatus) -> &'static str {
    match status {
        MatchStatus::Pending => "○ pending",
        MatchStatus::Approved => "✔ approved",
        MatchStatus::Rejected => "✖ rejected",
        MatchStatus::Deferred => "◔ deferred",
        MatchStatus::Escalated => "▲ escalated",
        MatchStatus::Released => "⇒ released",
    }
}

fn candidate_strip(
    frame: &mut Frame<'_>,
    area: Rect,
    state: &ItemPanel<'_>,
    item: &ReviewItem,
    theme: Theme,
) {
    if area.height == 0 {
        return;
    }
    let width = usize::from(area.width);
    let mut lines = vec![Line::styled(
        format!(
            "{} candidates for this request · Tab shows the next",
            item.candidates.len()
        ),
        theme.title(),
    )];
    for (index, c) in item.candidates.iter().enumerate() {
        let selected = index == state.shown;
        let style = if selected {
            theme.selected()
        } else {
            Style::new()
        };
        let text = format!(
            "{} {}. {:<9} {:<11} {:<11} {} · {}",
            if selected { "▶" } else { " " },
            index + 1,
            c.candidate.id,
            score_text(state, c.score),
            status_text(state, c.status),
            c.candidate.display_name(),
            c.candidate.display_address()
        );
        lines.push(Line::from(safe_spans(&text, width, style, theme)));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn title_lines(
    frame: &mut Frame<'_>,
    area: Rect,
    state: &ItemPanel<'_>,
    item: &ReviewItem,
    shown: &CandidateMatch,
    theme: Theme,
) {
    let width = usize::from(area.width);
    let mut first = String::new();
    if state.visibility.hide_status {
        // A blind second review is not a queue position.
        first.push_str("second review (blind) · ");
    } else if let Some(position) = &state.position {
        first.push_str(&format!("[{position}] "));
    }
    first.push_str(&format!(
        "request {} ↔ candidate {} · {}",
        item.request.id,
        shown.candidate.id,
        score_text(state, shown.score),
    ));
    if !state.visibility.hide_status {
        first.push_str(&format!(" · {}", status_word(shown.status)));
    }
    let visibility = &state.visibility;
    match visibility.progress {
        Some((_, needed)) if visibility.hide_prior_decisions => {
            first.push_str(&format!(
                " · {needed} approvals needed (earlier decisions hidden)"
            ));
        }
        Some((given, needed)) => first.push_str(&format!(" · approvals {given} of {needed}")),
        None => {}
    }
    let col = column_width(width);
    let header = format!(
        "{:<fw$} {:<col$} {:<col$} {}",
        "field",
        "requested",
        "candidate",
        "agreement",
        fw = FIELD_WIDTH,
        col = col
    );
    let lines = vec![
        Line::from(safe_spans(&first, width, theme.title(), theme)),
        Line::styled(
            header,
            theme
                .dim()
                .add_modifier(ratatui::style::Modifier::UNDERLINED),
        ),
    ];
    frame.render_widget(Paragraph::new(lines), area);
}

/// Width of each value column: what is left after the field name and agreement columns.
fn column_width(width: usize) -> usize {
    width.saturating_sub(FIELD_WIDTH + AGREEMENT_WIDTH + 3) / 2
}

fn class_style(class: AgreementClass, theme: Theme) -> Style {
    match class {
        AgreementClass::Exact => theme.good(),
        AgreementClass::Close => theme.warn(),
        AgreementClass::Different | AgreementClass::Invalid => theme.bad(),
        AgreementClass::Missing => theme.dim(),
    }
}

fn rows(
    frame: &mut Frame<'_>,
    area: Rect,
    state: &ItemPanel<'_>,
    match_id: i64,
    agreements: &[FieldAgreement],
    theme: Theme,
) {
    let col = column_width(usize::from(area.width));
    let lines: Vec<Line<'static>> = agreements
        .iter()
        .map(|a| {
            let mut spans = safe_spans(&a.key.label(), FIELD_WIDTH, theme.dim(), theme);
            pad(&mut spans, FIELD_WIDTH + 1);
            for (value, diff) in [
                (&a.requested, &a.requested_diff),
                (&a.candidate, &a.candidate_diff),
            ] {
                let start = width_of(&spans);
                let masked = match (&a.key, value) {
                    (FieldKey::Canonical(f), Some(v)) => Some(state.display_value(match_id, *f, v)),
                    _ => value.clone(),
                };
                match &masked {
                    Some(v) => {
                        let style = ValueStyle {
                            base: Style::new(),
                            diff,
                            theme,
                        };
                        spans.extend(value_spans(v, col, &style).0);
                    }
                    None => spans.push(Span::styled("—", theme.dim())),
                }
                pad(&mut spans, start + col + 1);
            }
            let verdict = match a.class {
                AgreementClass::Missing | AgreementClass::Invalid => {
                    format!("{} {}", a.class.glyph(), a.class.word())
                }
                _ => format!("{} {} {:.2}", a.class.glyph(), a.class.word(), a.score),
            };
            spans.extend(safe_spans(
                &verdict,
                AGREEMENT_WIDTH,
                class_style(a.class, theme),
                theme,
            ));
            Line::from(spans)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

fn width_of(spans: &[Span<'_>]) -> usize {
    spans.iter().map(|s| s.content.width()).sum()
}

fn pad(spans: &mut Vec<Span<'static>>, to: usize) {
    let used = width_of(spans);
    if used < to {
        spans.push(Span::raw(" ".repeat(to - used)));
    }
}

fn explain(
    frame: &mut Frame<'_>,
    area: Rect,
    state: &ItemPanel<'_>,
    shown: &CandidateMatch,
    agreements: &[FieldAgreement],
    theme: Theme,
) {
    let width = usize::from(area.width);
    let explanation = Explanation::from_agreements(agreements);
    // The summary is already escaped; it wraps onto the explanation's lines and is cut after.
    let text = format!(
        "why flagged (matcher {}): {}",
        score_text(state, shown.score),
        explanation.summary()
    );
    let height = usize::from(area.height);
    let mut wrapped = word_wrap(&text, width);
    if wrapped.len() > height {
        let rest = wrapped.split_off(height.saturating_sub(1)).join(" ");
        wrapped.push(text_safety::truncate_to_width(&rest, width).0);
    }
    let lines: Vec<Line<'static>> = wrapped
        .into_iter()
        .map(|l| Line::from(safe_spans(&l, width, Style::new(), theme)))
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// Wraps generated (already escaped) text at spaces; a word longer than the line is hard-wrapped.
fn word_wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let needed = text_safety::display_width(&line)
            + usize::from(!line.is_empty())
            + text_safety::display_width(word);
        if needed > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while text_safety::display_width(&line) > width {
            let mut pieces = text_safety::wrap_to_width(&line, width);
            line = pieces.pop().unwrap_or_default();
            lines.extend(pieces);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::word_wrap;

    #[test]
    fn wraps_at_spaces_within_the_width() {
        assert_eq!(
            word_wrap("agree: given name, surname", 14),
            vec!["agree: given", "name, surname"]
        );
        assert_eq!(word_wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert!(word_wrap("a b c d e f g h", 3).iter().all(|l| l.len() <= 3));
    }
}
