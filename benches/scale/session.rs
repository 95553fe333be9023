//! A review session without a terminal, on either backend: a key goes through the pure
//! `update`, its effects through the worker's `Runtime` (which holds a `dyn ReviewStore`: a
//! SQLite file's `Store` or a server's `PgStore`) in the order the worker thread performs them,
//! until none is outstanding, as a scripted session waits for the screen. Shared by the scale
//! bench (two sizes) and the backends bench (two backends).

use std::collections::VecDeque;

use matchgate::domain::{QueueFilter, StateFilter};
use matchgate::store::ReviewStore;
use matchgate::tui::action::{Action, Command};
use matchgate::tui::effect::Effect;
use matchgate::tui::runtime::Runtime;
use matchgate::tui::state::{ReviewState, SessionInfo};
use matchgate::tui::update::{start, update};

/// Typed a character at a time, each one a search, then Enter jumps to the first hit.
pub const QUERY: &str = "margaret rod";

/// What the worker reported for the keys of one step.
#[derive(Default)]
pub struct Seen {
    pub saved: usize,
    pub failed: Vec<String>,
    pub hits: Option<usize>,
}

pub struct Session<'s> {
    pub state: ReviewState,
    pub runtime: Runtime<'s>,
}

impl<'s> Session<'s> {
    /// What `matchgate review` does once the store is open: the state, the worker, the first
    /// effects (resume, counts, first page, the item claimed and shown, second reviews).
    pub fn open(store: &'s mut dyn ReviewStore, reviewer: &str) -> Session<'s> {
        let batches = store.batches().expect("batches");
        let session = SessionInfo {
            db_label: "bench".into(),
            reviewer: reviewer.into(),
            training: false,
            no_color: false,
        };
        let mut state = ReviewState::new(session, batches, filter());
        // Room for any record: a decision is refused while the record is not fully visible.
        let mut first = update(
            &mut state,
            Action::Resize {
                width: 200,
                height: 60,
            },
        );
        first.extend(start());
        let mut s = Session {
            state,
            runtime: Runtime::new(store, reviewer.into()),
        };
        s.settle(first);
        assert!(s.state.item.is_some(), "the screen opened on an item");
        s
    }

    pub fn key(&mut self, action: Action) -> Seen {
        let effects = update(&mut self.state, action);
        self.settle(effects)
    }

    pub fn command(&mut self, command: Command) -> Seen {
        self.key(Action::Command(command))
    }

    fn settle(&mut self, effects: Vec<Effect>) -> Seen {
        let mut queue: VecDeque<Effect> = effects.into();
        let mut seen = Seen::default();
        while let Some(effect) = queue.pop_front() {
            for action in self.runtime.perform(effect) {
                match &action {
                    Action::DecisionSaved { .. } => seen.saved += 1,
                    Action::StoreFailed(why) => seen.failed.push(why.clone()),
                    Action::SearchResults { hits, .. } => seen.hits = Some(hits.len()),
                    _ => {}
                }
                queue.extend(update(&mut self.state, action));
            }
        }
        seen
    }

    /// One decision saved on the shown item: approve, defer and reject in turn (an approval
    /// the release rules refuse is followed by a reject). Returns the keys it took.
    pub fn decide_one(&mut self, turn: usize) -> usize {
        let reject = |s: &mut Session<'_>| {
            s.command(Command::Reject);
            s.key(Action::Input('4'))
        };
        let (seen, keys) = match turn % 3 {
            0 => match self.command(Command::Approve) {
                seen if seen.saved == 1 => (seen, 1),
                _ => (reject(self), 3),
            },
            1 => (self.command(Command::Defer), 1),
            _ => (reject(self), 2),
        };
        assert_eq!(
            seen.saved,
            1,
            "a decision was saved; the store said {:?}, the screen {:?}",
            seen.failed,
            self.state.status.as_ref().map(|l| &l.text)
        );
        keys
    }

    /// `QUERY` typed into the search a character at a time, then Enter on the first hit.
    pub fn search_and_jump(&mut self) {
        self.command(Command::Search);
        let mut hits = None;
        for c in QUERY.chars() {
            hits = self.key(Action::Input(c)).hits.or(hits);
        }
        assert!(hits.is_some_and(|n| n > 0), "the search found {QUERY:?}");
        self.command(Command::Confirm);
        assert!(self.state.item.is_some(), "the hit is shown");
    }

    /// Quit: the worker gives the session's claims back.
    pub fn close(mut self) {
        self.runtime.finish();
    }
}

/// The reviewer's queue: open, then deferred.
pub fn filter() -> QueueFilter {
    QueueFilter {
        state: StateFilter::ToDo,
        ..QueueFilter::default()
    }
}
