//! The queue window: a bounded slice of the queue around the cursor, paged in from the store.

use crate::domain::QueueEntry;
use crate::store::PageFrom;

use super::super::action::Placement;
use super::super::effect::Effect;
use super::super::state::{Mode, PAGE_SIZE, ReviewState, StatusKind, WINDOW_MAX};

/// After the window shrank: load the entry under the cursor, or the next page when it ran out.
pub(super) fn settle_cursor(state: &mut ReviewState) -> Vec<Effect> {
    let window = &mut state.window;
    if window.cursor >= window.entries.len() {
        if !window.at_end {
            return vec![load_after_last(state)];
        }
        window.cursor = window.entries.len().saturating_sub(1);
    }
    let mut effects = Vec::new();
    if let Some(entry) = state.window.current() {
        effects.push(Effect::LoadItem(entry.request_id));
    }
    if state
        .window
        .entries
        .len()
        .saturating_sub(state.window.cursor)
        < 5
        && !state.window.at_end
    {
        effects.push(load_after_last(state));
    }
    effects
}

pub(super) fn load_after_last(state: &ReviewState) -> Effect {
    let from = match state.window.entries.last() {
        Some(last) => PageFrom::After(last.key()),
        None => PageFrom::Start,
    };
    Effect::LoadPage {
        filter: state.filter,
        sort: state.sort,
        from,
        placement: if state.window.entries.is_empty() {
            Placement::Head
        } else {
            Placement::Append
        },
    }
}

pub(super) fn move_cursor(state: &mut ReviewState, forward: bool) -> Vec<Effect> {
    let window = &mut state.window;
    if forward {
        if window.cursor + 1 < window.entries.len() {
            window.cursor += 1;
        } else if !window.at_end && !window.entries.is_empty() {
            window.pending_move = 1;
            return vec![load_after_last(state)];
        } else {
            state.set_status(StatusKind::Info, "end of the queue");
            return vec![];
        }
    } else if window.cursor > 0 {
        window.cursor -= 1;
    } else if !window.at_start {
        let Some(first) = window.entries.first() else {
            return vec![];
        };
        window.pending_move = -1;
        return vec![Effect::LoadPage {
            filter: state.filter,
            sort: state.sort,
            from: PageFrom::Before(first.key()),
            placement: Placement::Prepend,
        }];
    } else {
        state.set_status(StatusKind::Info, "start of the queue");
        return vec![];
    }
    state.item = None;
    state
        .window
        .current()
        .map(|e| vec![Effect::LoadItem(e.request_id)])
        .unwrap_or_default()
}

pub(super) fn on_page(
    state: &mut ReviewState,
    page: Vec<QueueEntry>,
    placement: Placement,
) -> Vec<Effect> {
    let full = page.len() >= PAGE_SIZE;
    let window = &mut state.window;
    match placement {
        Placement::Head | Placement::Replace => {
            window.entries = page;
            window.cursor = 0;
            window.at_end = !full;
            window.pending_move = 0;
            let head = placement == Placement::Head;
            window.at_start = head;
            window.offset = head.then_some(0);
        }
        Placement::Append => {
            window.at_end = !full;
            window.entries.extend(page);
            if window.pending_move > 0 && window.cursor + 1 < window.entries.len() {
                window.cursor += 1;
                state.item = None;
            }
            window.pending_move = 0;
            let excess = window.entries.len().saturating_sub(WINDOW_MAX);
            let excess = excess.min(window.cursor);
            if excess > 0 {
                window.entries.drain(..excess);
                window.cursor -= excess;
                window.offset = window.offset.map(|o| o + excess as u64);
                window.at_start = false;
            }
        }
        Placement::Prepend => {
            let added = page.len();
            window.at_start = !full;
            window.offset = window.offset.map(|o| o.saturating_sub(added as u64));
            window.entries.splice(0..0, page);
            window.cursor += added;
            if window.pending_move < 0 && window.cursor > 0 {
                window.cursor -= 1;
                state.item = None;
            }
            window.pending_move = 0;
            let keep = WINDOW_MAX.max(window.cursor + 1);
            if window.entries.len() > keep {
                window.entries.truncate(keep);
                window.at_end = false;
            }
        }
    }
    let needs_item = match (&state.item, state.window.current()) {
        (Some(item), Some(entry)) => item.request_id != entry.request_id,
        (None, Some(_)) => true,
        _ => false,
    };
    if state.window.entries.is_empty() {
        state.item = None;
        if state.session.training
            && state.window.at_end
            && state.mode == Mode::Browse
            && !state.training_log.is_empty()
        {
            state.mode = Mode::Scoreboard;
        }
    }
    match state.window.current() {
        Some(entry) if needs_item => vec![Effect::LoadItem(entry.request_id)],
        _ => vec![],
    }
}

/// Reloads counts and the queue from its head (after a filter or sort change).
pub(super) fn reload(state: &ReviewState) -> Vec<Effect> {
    vec![
        Effect::LoadCounts(state.filter),
        Effect::LoadPage {
            filter: state.filter,
            sort: state.sort,
            from: PageFrom::Start,
            placement: Placement::Head,
        },
    ]
}

/// Opens the queue at a given key (search hit, undone item); its position is not known then.
pub(super) fn jump(state: &mut ReviewState, from: PageFrom) -> Vec<Effect> {
    state.window = Default::default();
    state.window.at_start = false;
    state.item = None;
    vec![Effect::LoadPage {
        filter: state.filter,
        sort: state.sort,
        from,
        placement: Placement::Replace,
    }]
}

pub(super) fn step(selected: usize, len: usize, forward: bool) -> usize {
    if len == 0 {
        0
    } else if forward {
        (selected + 1) % len
    } else {
        (selected + len - 1) % len
    }
}
