//! The one place the review state changes: `update(state, action) -> effects`. Pure: no clock,
//! no terminal, no database; effects say what the runtime should do next. Split by concern:
//! [`browse`] (keys on the item, deciding), [`popups`] (the modes with keys of their own),
//! [`window`] (the queue window and its paging), [`team`] (claims and other sessions' work),
//! [`second`] (blind second reviews, served before the queue).

mod browse;
mod popups;
mod second;
mod team;
mod window;

use super::action::Action;
use super::effect::Effect;
use super::state::{Mode, ReviewState, SecondSlot, StatusKind};
use crate::store::PageFrom;

pub use popups::{FilterOption, filter_options};

/// The longest note or search text accepted (characters).
pub const MAX_INPUT: usize = 500;

/// The effects that open the screen: first this reviewer's claims from an earlier session, then
/// counts and the first page (see [`team`]).
pub fn start() -> Vec<Effect> {
    team::resume()
}

pub fn update(state: &mut ReviewState, action: Action) -> Vec<Effect> {
    let mut effects = apply(state, action);
    second::hold_back_queue(state, &mut effects);
    effects
}

fn apply(state: &mut ReviewState, action: Action) -> Vec<Effect> {
    match action {
        Action::Command(command) => popups::on_command(state, command),
        Action::Input(c) => browse::on_input(state, c),
        Action::Backspace => {
            match &mut state.mode {
                Mode::TextInput { text, .. } => {
                    text.pop();
                }
                Mode::Search { query, .. } => {
                    query.pop();
                    return browse::search(state);
                }
                _ => {}
            }
            vec![]
        }
        Action::Resize { width, height } => {
            state.width = width;
            state.height = height;
            vec![]
        }
        Action::PageLoaded { page, placement } => window::on_page(state, page, placement),
        Action::ContextLoaded { policy, holds } => {
            state.policy = policy;
            state.holds = holds;
            vec![]
        }
        Action::Revealed { match_id, value } => {
            match value {
                Some(value) => {
                    state.revealed = Some((match_id, value));
                    state.set_status(
                        StatusKind::Info,
                        "TIN revealed; the reveal is recorded in the audit log",
                    );
                }
                None => state.set_status(StatusKind::Info, "this candidate has no TIN to reveal"),
            }
            vec![]
        }
        Action::PreviewLoaded { row, refusals } => {
            state.mode = Mode::Preview { row, refusals };
            vec![]
        }
        Action::CountsLoaded(counts) => {
            state.counts = counts;
            vec![]
        }
        // Loaded for the queue before a second review took the screen (and the claim): it is
        // loaded again when the queue comes back.
        Action::ItemLoaded(_) | Action::ItemRefreshed(_) if state.second_shown().is_some() => {
            vec![]
        }
        Action::ItemLoaded(item) => {
            let still_current = match (&item, state.window.current()) {
                (Some(item), Some(entry)) => item.request_id == entry.request_id,
                _ => false,
            };
            let left_queue = item
                .as_ref()
                .is_some_and(|i| !state.filter.state.states().contains(&i.state));
            if still_current && left_queue {
                // Decided in another session after this window was loaded.
                return team::moved_on(state);
            }
            if still_current {
                state.revealed = None;
                state.item = item.map(|b| *b);
                state.shown = state.item.as_ref().map_or(0, |i| i.first_open_candidate());
            } else if item.is_none() {
                state.item = None;
            }
            vec![]
        }
        Action::DecisionSaved { outcome, viewed_ms } => browse::on_saved(state, outcome, viewed_ms),
        Action::UndoSaved(outcome) => {
            let Some(undone) = state.undo.pop() else {
                return vec![];
            };
            if let Some(first) = undone.second {
                return second::on_undone(state, &undone, first);
            }
            // The undone item is shown next; a second review on screen is offered again later.
            state.second = SecondSlot::Idle;
            // Undo always reverts the session's latest decision, which is the log's last entry.
            if state.session.training {
                state.training_log.pop();
            }
            state.counts = state
                .counts
                .moved(outcome.state_before, outcome.state_after);
            state.set_status(
                StatusKind::Saved,
                format!(
                    "undone: {} of request {} (saved)",
                    browse::verdict_word(undone.verdict),
                    undone.entry.source_id
                ),
            );
            state.mode = Mode::Browse;
            let mut key = undone.entry.key();
            key.state = outcome.state_after;
            window::jump(state, PageFrom::At(key))
        }
        Action::NoteSaved => {
            state.set_status(StatusKind::Saved, "note saved");
            state.in_flight = None;
            vec![]
        }
        Action::StoreFailed(message) => {
            let mut effects = vec![];
            if state.second == SecondSlot::Looking {
                // The lookup failed: show the queue rather than wait for it forever.
                state.second = SecondSlot::Idle;
                effects = second::show_queue(state);
            }
            state.failed = state.in_flight.take();
            let retry = if state.failed.is_some() {
                " — press the key again to retry"
            } else {
                ""
            };
            state.set_status(StatusKind::Error, format!("NOT saved: {message}{retry}"));
            effects
        }
        Action::SecondFound {
            found,
            waiting,
            policy,
        } => second::on_found(state, found, waiting, *policy),
        Action::SecondWaiting(waiting) => {
            state.second_waiting = waiting;
            vec![]
        }
        Action::SecondVerdictSaved(outcome) => second::on_saved(state, outcome),
        Action::Resumed(entry) => team::on_resumed(state, entry),
        Action::ItemHeld { request_id, holder } => team::on_held(state, request_id, &holder),
        Action::StoreChanged {
            moves,
            truncated,
            batches,
        } => team::on_changed(state, &moves, truncated, batches),
        Action::WindowRefreshed(page) => team::on_window_refreshed(state, page),
        Action::ItemRefreshed(item) => team::on_item_refreshed(state, item),
        Action::Terminate => {
            state.quit = true;
            vec![Effect::Quit]
        }
        Action::SearchResults { query, hits } => {
            if let Mode::Search {
                query: current,
                hits: shown,
                selected,
            } = &mut state.mode
                && *current == query
            {
                *shown = hits;
                *selected = 0;
            }
            vec![]
        }
    }
}
