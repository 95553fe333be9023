//! The figures view of the supervisor's screen: each lot (reviewer-day) with its checks and, under
//! the Z1.4 plan, where it stands.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::store::{Store, StoreResult};
use crate::tui::view::Theme;
use crate::tui::view::popups::frame_popup;
use crate::tui::view::text::safe_spans;

/// The figures as lines, computed on the worker thread.
pub fn lines(store: &Store, since_day: &str) -> StoreResult<Vec<String>> {
    let mut out = vec![format!(
        "lots since {since_day} (one reviewer's decisions on one UTC day)"
    )];
    for (reviewer, day) in store.lot_days(since_day)? {
        let lot = store.lot(&reviewer, &day)?;
        out.push(super::worker::lot_line(&lot));
    }
    Ok(out)
}

pub fn render(frame: &mut Frame<'_>, area: Rect, figures: Option<&[String]>, theme: Theme) {
    let width = usize::from(area.width.saturating_sub(2));
    let lines: Vec<Line<'static>> = match figures {
        None => vec![Line::raw("Loading…")],
        Some(lines) => lines
            .iter()
            .map(|l| Line::from(safe_spans(l, width, ratatui::style::Style::new(), theme)))
            .collect(),
    };
    frame_popup(
        frame,
        area,
        "Reviewers' figures · any key closes",
        lines,
        theme,
    );
}
