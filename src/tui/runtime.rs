//! The edge of the review screen: performs effects against the store, turns terminal events into
//! actions, and owns the loop. Everything else in `tui` is pure.

use std::collections::VecDeque;
use std::time::Instant;

use crossterm::event::{Event, KeyEventKind};
use ratatui::{Terminal, backend::Backend};

use super::action::Action;
use super::effect::Effect;
use super::keymap::Keymap;
use super::state::{PAGE_SIZE, ReviewState};
use super::update::{start, update};
use super::view;
use crate::domain::{Decision, Field, Verdict};
use crate::store::Store;

/// How many search hits the search popup lists.
pub const SEARCH_HITS: usize = 20;

/// Performs effects for one reviewer's session.
pub struct Runtime<'a> {
    store: &'a mut Store,
    reviewer: String,
    session_id: String,
    /// When the current item appeared, to record how long the reviewer looked.
    shown_at: Instant,
}

impl<'a> Runtime<'a> {
    pub fn new(store: &'a mut Store, reviewer: String) -> Self {
        let session_id = format!("{}-{}", crate::store::now_utc(), std::process::id());
        Runtime {
            store,
            reviewer,
            session_id,
            shown_at: Instant::now(),
        }
    }

    /// Does what the effect says and reports the outcomes as actions (None for Quit).
    pub fn perform(&mut self, effect: Effect) -> Option<Vec<Action>> {
        let failed = |e: crate::store::StoreError| Action::StoreFailed(e.to_string());
        let action = match effect {
            Effect::Quit => return None,
            Effect::LoadPage {
                filter,
                sort,
                from,
                placement,
            } => match self.store.queue_page(&filter, sort, from, PAGE_SIZE) {
                Ok(page) => Action::PageLoaded { page, placement },
                Err(e) => failed(e),
            },
            Effect::LoadCounts(filter) => match self.store.queue_counts(&filter) {
                Ok(counts) => Action::CountsLoaded(counts),
                Err(e) => failed(e),
            },
            Effect::LoadItem(request_id) => match self.load_item(request_id) {
                Ok(actions) => {
                    self.shown_at = Instant::now();
                    return Some(actions);
                }
                Err(e) => failed(e),
            },
            Effect::Reveal { match_id } => {
                match self
                    .store
                    .record_reveal(match_id, Field::Tin, &self.reviewer)
                {
                    Ok(value) => Action::Revealed { match_id, value },
                    Err(e) => failed(e),
                }
            }
            Effect::Preview { match_id } => match self.store.release_preview(match_id) {
                Ok((row, refusals)) => Action::PreviewLoaded { row, refusals },
                Err(e) => failed(e),
            },
            Effect::Decide {
                match_id,
                verdict,
                note,
            } => {
                let viewed_ms = self.shown_at.elapsed().as_millis() as u64;
                let decision = Decision {
                    match_id,
                    reviewer: self.reviewer.clone(),
                    verdict,
                    note,
                    viewed_ms,
                };
                match self.store.record_decision(&decision, &self.session_id) {
                    Ok(_) if verdict == Verdict::Note => Action::NoteSaved,
                    Ok(outcome) => Action::DecisionSaved { outcome, viewed_ms },
                    Err(e) => failed(e),
                }
            }
            Effect::Undo { group_id } => {
                match self
                    .store
                    .undo_group(group_id, &self.reviewer, &self.session_id)
                {
                    Ok(outcome) => Action::UndoSaved(outcome),
                    Err(e) => failed(e),
                }
            }
            Effect::Search { filter, query } => {
                match self.store.search_queue(&filter, &query, SEARCH_HITS) {
                    Ok(hits) => Action::SearchResults { query, hits },
                    Err(e) => failed(e),
                }
            }
        };
        Some(vec![action])
    }

    /// The item with the policy and the holds on its batch, which decide what may be released.
    fn load_item(&self, request_id: i64) -> Result<Vec<Action>, crate::store::StoreError> {
        let item = self.store.review_item(request_id)?;
        let policy = self.store.policy()?;
        let holds = match &item {
            Some(item) => self.store.active_holds(item.batch_id)?,
            None => Vec::new(),
        };
        Ok(vec![
            Action::ContextLoaded { policy, holds },
            Action::ItemLoaded(item.map(Box::new)),
        ])
    }
}

/// Runs the screen until the reviewer quits. `next_event` blocks for the next terminal event;
/// tests pass a scripted one.
pub fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    state: &mut ReviewState,
    keymap: &Keymap,
    runtime: &mut Runtime<'_>,
    mut next_event: impl FnMut() -> std::io::Result<Option<Event>>,
) -> anyhow::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let size = terminal.size()?;
    let mut effects: VecDeque<Effect> = VecDeque::new();
    effects.extend(update(
        state,
        Action::Resize {
            width: size.width,
            height: size.height,
        },
    ));
    effects.extend(start(state));
    loop {
        while let Some(effect) = effects.pop_front() {
            let Some(actions) = runtime.perform(effect) else {
                return Ok(());
            };
            for action in actions {
                effects.extend(update(state, action));
            }
        }
        terminal.draw(|frame| view::render(frame, state, keymap))?;
        let Some(event) = next_event()? else {
            return Ok(());
        };
        let action = match event {
            // Only presses: some terminals also report releases, which would act twice.
            Event::Key(key) if key.kind == KeyEventKind::Press => keymap.action(&state.mode, &key),
            Event::Resize(width, height) => Some(Action::Resize { width, height }),
            _ => None,
        };
        if let Some(action) = action {
            effects.extend(update(state, action));
        }
    }
}
