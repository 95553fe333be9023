//! Untrusted values turned into spans: every unsafe character becomes its visible escape (styled
//! apart so it cannot pass for typed text), differing characters are marked, and the result is
//! cut to a display width with an ellipsis. No record byte reaches the terminal raw: every
//! record value on screen goes through here.

use ratatui::style::Style;
use ratatui::text::Span;

use crate::domain::text_safety;

use super::theme::Theme;

/// How one value is drawn.
pub struct ValueStyle<'a> {
    pub base: Style,
    /// Char indices (into the raw value) to mark as differing.
    pub diff: &'a [usize],
    pub theme: Theme,
}

/// Spans for `raw` in at most `width` columns; the bool says whether it was cut.
pub fn value_spans(raw: &str, width: usize, style: &ValueStyle<'_>) -> (Vec<Span<'static>>, bool) {
    let segments = text_safety::display_segments_marked(raw, style.diff);
    let (segments, cut) = text_safety::truncate_segments(&segments, width);
    let last = segments.len().saturating_sub(1);
    let spans = segments
        .into_iter()
        .enumerate()
        .map(|(index, segment)| {
            let piece = if cut && index == last {
                style.theme.dim()
            } else if segment.escaped {
                style.theme.escaped()
            } else if segment.marked {
                style.base.patch(style.theme.diff())
            } else {
                style.base
            };
            Span::styled(segment.text, piece)
        })
        .collect();
    (merge(spans), cut)
}

/// Plain safe text (no diff marks) cut to a width, as one string of spans.
pub fn safe_spans(raw: &str, width: usize, base: Style, theme: Theme) -> Vec<Span<'static>> {
    value_spans(
        raw,
        width,
        &ValueStyle {
            base,
            diff: &[],
            theme,
        },
    )
    .0
}

/// Adjacent spans with the same style become one (smaller buffers, tidier snapshots).
fn merge(spans: Vec<Span<'static>>) -> Vec<Span<'static>> {
    let mut out: Vec<Span<'static>> = Vec::new();
    for span in spans {
        match out.last_mut() {
            Some(last) if last.style == span.style => {
                let text = format!("{}{}", last.content, span.content);
                *last = Span::styled(text, span.style);
            }
            _ => out.push(span),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(spans: &[Span<'_>]) -> String {
        spans.iter().map(|s| s.content.as_ref()).collect()
    }

    fn plain(raw: &str, width: usize) -> (String, bool) {
        let theme = Theme { color: false };
        let (spans, cut) = value_spans(
            raw,
            width,
            &ValueStyle {
                base: Style::new(),
                diff: &[],
                theme,
            },
        );
        (text(&spans), cut)
    }

    #[test]
    fn short_values_pass_whole() {
        assert_eq!(plain("Springfield", 20), ("Springfield".to_string(), false));
        assert_eq!(plain("Springfield", 11), ("Springfield".to_string(), false));
    }

    #[test]
    fn long_values_end_in_an_ellipsis_within_the_width() {
        let (shown, cut) = plain("Springfield", 8);
        assert!(cut);
        assert_eq!(shown, "Springf…");
        let (shown, cut) = plain("東京都千代田区", 7);
        assert!(cut);
        assert!(text_safety::display_width(&shown) <= 7, "{shown:?}");
        assert!(shown.ends_with('…'));
    }

    #[test]
    fn control_characters_never_pass_raw() {
        let (shown, _) = plain("A\u{1b}[2JB\u{202e}C", 60);
        assert!(!shown.contains('\u{1b}'));
        assert!(!shown.contains('\u{202e}'));
        assert!(shown.starts_with('A') && shown.ends_with('C'), "{shown:?}");
    }
}
