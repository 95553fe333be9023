//! Drawing the review screen from state alone (`&ReviewState`): nothing here changes state or
//! touches the store.

pub mod comparison;
mod footer;
mod header;
pub(crate) mod popups;
mod queue_list;
pub mod text;
pub(crate) mod theme;
mod too_small;
mod training;

pub use comparison::{ItemPanel, render_panel, shown_value};
pub use theme::Theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use super::keymap::Keymap;
use super::layout;
use super::state::ReviewState;

pub fn render(frame: &mut Frame<'_>, state: &ReviewState, keymap: &Keymap) {
    let theme = Theme {
        color: !state.session.no_color,
    };
    let area = frame.area();
    let need = layout::required_size(state);
    if area.width < layout::MIN_WIDTH
        || area.height < layout::MIN_HEIGHT
        || area.width < need.0
        || area.height < need.1
    {
        too_small::render(frame, area, need, theme);
        return;
    }
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(layout::header_height(state)),
        Constraint::Min(0),
        Constraint::Length(layout::FOOTER_HEIGHT),
    ])
    .areas(area);
    header::render(frame, header, state, theme);
    if layout::queue_list_visible(state) {
        let [list, main] = Layout::horizontal([
            Constraint::Length(layout::QUEUE_LIST_WIDTH),
            Constraint::Min(0),
        ])
        .spacing(1)
        .areas(body);
        queue_list::render(frame, list, state, theme);
        comparison::render(frame, main, state, theme);
    } else {
        comparison::render(frame, body, state, theme);
    }
    if let Some(step) = state.tour_step {
        training::tour_caption(frame, body, step, theme);
    }
    footer::render(frame, footer, state, keymap, theme);
    popups::render(frame, state, keymap, theme);
}

#[cfg(test)]
mod tests;
