//! The review screen at scale, in process: the store calls its worker makes, through the same
//! `Runtime` the worker thread owns, fed by the same pure `update` a key goes through, with no
//! terminal. Two copies of the databases as imported (before the bench writes its approvals),
//! 10k and the large size, side by side: each repetition runs at one size and then the other
//! (in turn first), so a noisy moment (this machine's fsync takes 0.2 to 5 ms, with other
//! builds running) falls on both; each figure is the median of its repetitions.

use std::collections::VecDeque;
use std::path::Path;
use std::time::Instant;

use matchgate::domain::roles::Act;
use matchgate::domain::{QueueFilter, StateFilter};
use matchgate::store::{PageFrom, Store};
use matchgate::tui::action::{Action, Command, Placement};
use matchgate::tui::effect::Effect;
use matchgate::tui::runtime::Runtime;
use matchgate::tui::state::{ReviewState, SessionInfo};
use matchgate::tui::update::{start, update};

/// Not the import's decider ("bench"), whose history grows with the import's length: the
/// sizes should differ in their queue only.
pub const REVIEWER: &str = "screen";
/// Repetitions of each figure (the median is reported).
const REPS: usize = 7;
/// Moves per repetition: three pages of the queue window.
const MOVES: usize = 300;
/// Saved decisions per repetition.
const DECISIONS: usize = 100;
/// Typed a character at a time, each one a search, then Enter jumps to the first hit.
const QUERY: &str = "margaret rod";

/// The screen's figures: what, then the median seconds at 10k and at the large size.
pub struct Figures(pub Vec<(String, [f64; 2])>);

/// What the worker reported for the keys of one step.
#[derive(Default)]
struct Seen {
    saved: usize,
    failed: Vec<String>,
    hits: Option<usize>,
}

/// A review session without a terminal: a key goes through `update`, its effects through the
/// worker's `Runtime` in the order the worker thread performs them, until none is outstanding
/// (as a scripted session waits for the screen).
struct Session<'s> {
    state: ReviewState,
    runtime: Runtime<'s>,
}

impl<'s> Session<'s> {
    /// What `matchgate review` does once the store is open: the state, the worker, the first
    /// effects (resume, counts, first page, the item claimed and shown, second reviews).
    fn open(store: &'s mut Store) -> Session<'s> {
        let batches = store.batches().expect("batches");
        let session = SessionInfo {
            db_label: "bench".into(),
            reviewer: REVIEWER.into(),
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
            runtime: Runtime::new(store, REVIEWER.into()),
        };
        s.settle(first);
        assert!(s.state.item.is_some(), "the screen opened on an item");
        s
    }

    fn key(&mut self, action: Action) -> Seen {
        let effects = update(&mut self.state, action);
        self.settle(effects)
    }

    fn command(&mut self, command: Command) -> Seen {
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

    /// Quit: the worker gives the session's claims back.
    fn close(mut self) {
        self.runtime.finish();
    }
}

fn filter() -> QueueFilter {
    QueueFilter {
        state: StateFilter::ToDo,
        ..QueueFilter::default()
    }
}

/// The store as the review command opens it: open, the reviewer authorized.
fn open_store(db: &Path) -> Store {
    let mut store = Store::open(db).expect("the screen's store opens");
    store
        .authorize(REVIEWER, None, Act::Review)
        .expect("the screen's reviewer may review");
    store
}

fn median(mut seconds: Vec<f64>) -> f64 {
    seconds.sort_by(f64::total_cmp);
    seconds[seconds.len() / 2]
}

/// Seconds `f(size)` takes at each size (0: 10k, 1: the large one), `REPS` times in turn, as
/// medians.
fn timed(mut f: impl FnMut(usize)) -> [f64; 2] {
    let mut seconds = [Vec::new(), Vec::new()];
    for rep in 0..REPS {
        for size in [rep % 2, 1 - rep % 2] {
            let started = Instant::now();
            f(size);
            seconds[size].push(started.elapsed().as_secs_f64());
        }
    }
    let [small, large] = seconds;
    [median(small), median(large)]
}

/// One decision saved on the shown item: approve, defer and reject in turn (an approval the
/// release rules refuse is followed by a reject). Returns the keys it took.
fn decide_one(s: &mut Session<'_>, turn: usize) -> usize {
    let reject = |s: &mut Session<'_>| {
        s.command(Command::Reject);
        s.key(Action::Input('4'))
    };
    let (seen, keys) = match turn % 3 {
        0 => match s.command(Command::Approve) {
            seen if seen.saved == 1 => (seen, 1),
            _ => (reject(s), 3),
        },
        1 => (s.command(Command::Defer), 1),
        _ => (reject(s), 2),
    };
    assert_eq!(
        seen.saved,
        1,
        "a decision was saved; the store said {:?}, the screen {:?}",
        seen.failed,
        s.state.status.as_ref().map(|l| &l.text)
    );
    keys
}

/// Every figure of the review screen on the databases at `dbs` (10k, then the large size; it
/// writes decisions and claims there: pass copies).
pub fn measure(dbs: [&Path; 2]) -> Figures {
    let mut out = Vec::new();
    let open = timed(|size| drop(open_store(dbs[size])));
    out.push(("open the store".to_string(), open));

    let [mut small, mut large] = dbs.map(open_store);
    let mut s = [Session::open(&mut small), Session::open(&mut large)];
    let counts = timed(|size| {
        s[size].runtime.perform(Effect::LoadCounts(filter()));
    });
    out.push(("queue counts".into(), counts));
    let page = timed(|size| {
        let sort = s[size].state.sort;
        s[size].runtime.perform(Effect::LoadPage {
            filter: filter(),
            sort,
            from: PageFrom::Start,
            placement: Placement::Head,
        });
    });
    out.push(("first keyset page (100 requests)".into(), page));
    let shown = s
        .each_ref()
        .map(|s| s.state.item.as_ref().expect("an item").request_id);
    let item = timed(|size| {
        s[size].runtime.perform(Effect::LoadItem(shown[size]));
    });
    out.push(("the shown item (claim, item, policy, holds)".into(), item));
    for session in s {
        session.close();
    }

    let first = timed(|size| Session::open(&mut open_store(dbs[size])).close());
    out.push(("open until the first item shows".into(), first));

    let mut s = [Session::open(&mut small), Session::open(&mut large)];
    let moves = timed(|size| {
        for _ in 0..MOVES {
            s[size].command(Command::Next);
        }
        assert!(
            s[size].state.item.is_some(),
            "an item is shown after the moves"
        );
    });
    out.push((format!("{MOVES} moves, each item claimed and shown"), moves));

    let mut turns = [0; 2];
    let mut keys = [0; 2];
    let decisions = timed(|size| {
        for _ in 0..DECISIONS {
            keys[size] += decide_one(&mut s[size], turns[size]);
            turns[size] += 1;
        }
    });
    out.push((
        format!("{DECISIONS} keyed decisions, each next item shown"),
        decisions,
    ));
    for size in 0..2 {
        println!(
            "  review screen at {}: {} decisions took {} keys \
             (an approval the release rules refused was followed by a reject)",
            dbs[size].display(),
            turns[size],
            keys[size]
        );
    }

    let search = timed(|size| {
        let s = &mut s[size];
        s.command(Command::Search);
        let mut hits = None;
        for c in QUERY.chars() {
            hits = s.key(Action::Input(c)).hits.or(hits);
        }
        assert!(hits.is_some_and(|n| n > 0), "the search found {QUERY:?}");
        s.command(Command::Confirm);
        assert!(s.state.item.is_some(), "the hit is shown");
    });
    out.push((
        format!("search {QUERY:?} typed ({} searches), jump", QUERY.len()),
        search,
    ));
    for session in s {
        session.close();
    }
    Figures(out)
}
