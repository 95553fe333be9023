//! Working as a team: claims (an item someone else's screen holds is skipped), a reviewer's
//! return to what they held, and other sessions' commits showing up in this screen.

use crate::domain::{BatchInfo, QueueEntry, QueueMove, ReviewItem};
use crate::store::PageFrom;

use super::super::effect::Effect;
use super::super::state::{ReviewState, SecondSlot, StatusKind};
use super::window::{jump, load_after_last, reload, settle_cursor};

/// The first effect of a session: take back what this reviewer held before.
pub(super) fn resume() -> Vec<Effect> {
    vec![Effect::Resume]
}

pub(super) fn on_resumed(state: &mut ReviewState, entry: Option<QueueEntry>) -> Vec<Effect> {
    // A claim on a request that has left this queue (decided just before a crash) is no place
    // to start.
    // Blind second reviews waiting for this reviewer come first (looked for after the queue's
    // first page is asked for, which shows once none is found).
    let second = super::second::look(state, None, None);
    let Some(entry) = entry.filter(|e| state.filter.state.states().contains(&e.state)) else {
        let mut effects = reload(state);
        effects.push(second);
        return effects;
    };
    state.set_status(
        StatusKind::Info,
        format!(
            "back to request {}: still yours from your last session",
            entry.source_id
        ),
    );
    let mut effects = vec![Effect::LoadCounts(state.filter)];
    effects.extend(jump(state, PageFrom::At(entry.key())));
    effects.push(second);
    effects
}

/// Another screen holds the request: drop it from the window and move on.
pub(super) fn on_held(state: &mut ReviewState, request_id: i64, holder: &str) -> Vec<Effect> {
    let Some(pos) = state
        .window
        .entries
        .iter()
        .position(|e| e.request_id == request_id)
    else {
        return vec![];
    };
    let was_current = pos == state.window.cursor;
    let entry = state.window.entries.remove(pos);
    if pos < state.window.cursor {
        state.window.cursor -= 1;
    }
    if !was_current {
        return vec![];
    }
    state.item = None;
    notice(
        state,
        format!(
            "request {} is on {}'s screen; skipped to the next",
            entry.source_id,
            crate::domain::text_safety::escape_for_display(holder)
        ),
    );
    settle_cursor(state)
}

/// Another session committed: apply its queue moves to the counts, reload the window's entries
/// and the shown item (decided elsewhere? a new hold or policy?), and pick up new batches.
pub(super) fn on_changed(
    state: &mut ReviewState,
    moves: &[QueueMove],
    truncated: bool,
    batches: Vec<(i64, BatchInfo)>,
) -> Vec<Effect> {
    let mut effects = Vec::new();
    let new_batches = batches != state.batches;
    state.batches = batches;
    if truncated || new_batches {
        effects.push(Effect::LoadCounts(state.filter));
    } else {
        state.counts = state.counts.after_moves(moves, &state.filter);
    }
    match state.window.entries.first() {
        Some(first) => effects.push(Effect::RefreshWindow {
            filter: state.filter,
            sort: state.sort,
            from: PageFrom::At(first.key()),
            limit: state.window.entries.len(),
        }),
        // An empty queue may have work again (an import, an undo elsewhere).
        None if new_batches || !moves.is_empty() => effects.push(load_after_last(state)),
        None => {}
    }
    if let (Some(entry), None) = (state.window.current(), &state.in_flight) {
        effects.push(Effect::RefreshItem(entry.request_id));
    }
    // Someone's decision may have opened a second review: counted for the header, and served
    // at once when the queue has nothing on screen (otherwise after the current item).
    if super::second::worth_looking(state) {
        let idle_and_empty = state.second == SecondSlot::Idle
            && state.window.entries.is_empty()
            && state.in_flight.is_none();
        effects.push(if idle_and_empty {
            super::second::look(state, None, None)
        } else {
            Effect::CountSecond
        });
    }
    effects
}

/// The window's entries again: keep the cursor on the same request where it still qualifies.
pub(super) fn on_window_refreshed(state: &mut ReviewState, page: Vec<QueueEntry>) -> Vec<Effect> {
    let current = state.window.current().map(|e| e.request_id);
    let window = &mut state.window;
    let cursor = window.cursor;
    window.entries = page;
    match current.and_then(|id| window.entries.iter().position(|e| e.request_id == id)) {
        Some(pos) => {
            window.cursor = pos;
            vec![]
        }
        // The shown request left this queue (decided elsewhere): the next one takes its place.
        None if current.is_some() => {
            window.cursor = cursor;
            state.item = None;
            settle_cursor(state)
        }
        None => {
            window.cursor = cursor.min(window.entries.len().saturating_sub(1));
            vec![]
        }
    }
}

/// The shown item again: if someone else decided it meanwhile, say so and move on.
pub(super) fn on_item_refreshed(
    state: &mut ReviewState,
    item: Option<Box<ReviewItem>>,
) -> Vec<Effect> {
    let (Some(entry), Some(old)) = (state.window.current(), state.item.as_ref()) else {
        return vec![];
    };
    let Some(new) = item.filter(|i| i.request_id == entry.request_id) else {
        return vec![];
    };
    let was_open = old.candidates.iter().any(|c| c.status.is_open());
    let still_open = new.candidates.iter().any(|c| c.status.is_open());
    if was_open && !still_open && state.in_flight.is_none() {
        return moved_on(state);
    }
    let shown = state.shown.min(new.candidates.len().saturating_sub(1));
    state.item = Some(*new);
    state.shown = shown;
    vec![]
}

/// The current request was decided in another session: say so and show the next one.
pub(super) fn moved_on(state: &mut ReviewState) -> Vec<Effect> {
    let Some(entry) = state.window.current().cloned() else {
        return vec![];
    };
    state
        .window
        .entries
        .retain(|e| e.request_id != entry.request_id);
    state.item = None;
    notice(
        state,
        format!(
            "request {} was decided in another session; moved on",
            entry.source_id
        ),
    );
    settle_cursor(state)
}

/// Says why the screen moved on, without hiding the confirmation of the reviewer's last save.
fn notice(state: &mut ReviewState, text: String) {
    const JOIN: &str = " · then: ";
    match &state.status {
        Some(status) if status.kind == StatusKind::Saved => {
            let saved = status
                .text
                .split(JOIN)
                .next()
                .unwrap_or_default()
                .to_string();
            state.set_status(StatusKind::Saved, format!("{saved}{JOIN}{text}"));
        }
        _ => state.set_status(StatusKind::Info, text),
    }
}
