//! Shown instead of a broken layout when the terminal cannot hold the record.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::theme::Theme;

pub fn render(frame: &mut Frame<'_>, area: Rect, need: (u16, u16), theme: Theme) {
    let lines = vec![
        Line::styled("matchgate needs more room", theme.bad()),
        Line::from(format!(
            "this terminal is {}x{}; the record needs at least {}x{}",
            area.width, area.height, need.0, need.1
        )),
        Line::from("enlarge the window; decisions are paused until the record is fully visible"),
        Line::styled("q quits (everything decided is already saved)", theme.dim()),
    ];
    let top = area.height.saturating_sub(lines.len() as u16) / 2;
    let area = Rect {
        y: area.y + top,
        height: area.height - top,
        ..area
    };
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        area,
    );
}
