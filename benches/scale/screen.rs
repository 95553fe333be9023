//! The review screen at scale, in process: the store calls its worker makes, through the same
//! `Runtime` the worker thread owns, fed by the same pure `update` a key goes through, with no
//! terminal (the headless session is `session.rs`, shared with the backends bench). Two copies
//! of the databases as imported (before the bench writes its approvals), 10k and the large
//! size, side by side: each repetition runs at one size and then the other (in turn first), so
//! a noisy moment (this machine's fsync takes 0.2 to 5 ms, with other builds running) falls on
//! both; each figure is the median of its repetitions.

use std::path::Path;
use std::time::Instant;

use matchgate::domain::roles::Act;
use matchgate::store::{PageFrom, Store};
use matchgate::tui::action::{Command, Placement};
use matchgate::tui::effect::Effect;

use super::session::{QUERY, Session, filter};

/// Not the import's decider ("bench"), whose history grows with the import's length: the
/// sizes should differ in their queue only.
pub const REVIEWER: &str = "screen";
/// Repetitions of each figure (the median is reported).
const REPS: usize = 7;
/// Moves per repetition: three pages of the queue window.
const MOVES: usize = 300;
/// Saved decisions per repetition.
const DECISIONS: usize = 100;

/// The screen's figures: what, then the median seconds at 10k and at the large size.
pub struct Figures(pub Vec<(String, [f64; 2])>);

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

/// Every figure of the review screen on the databases at `dbs` (10k, then the large size; it
/// writes decisions and claims there: pass copies).
pub fn measure(dbs: [&Path; 2]) -> Figures {
    let mut out = Vec::new();
    let open = timed(|size| drop(open_store(dbs[size])));
    out.push(("open the store".to_string(), open));

    let [mut small, mut large] = dbs.map(open_store);
    let mut s = [
        Session::open(&mut small, REVIEWER),
        Session::open(&mut large, REVIEWER),
    ];
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

    let first = timed(|size| Session::open(&mut open_store(dbs[size]), REVIEWER).close());
    out.push(("open until the first item shows".into(), first));

    let mut s = [
        Session::open(&mut small, REVIEWER),
        Session::open(&mut large, REVIEWER),
    ];
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
            keys[size] += s[size].decide_one(turns[size]);
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

    let search = timed(|size| s[size].search_and_jump());
    out.push((
        format!("search {QUERY:?} typed ({} searches), jump", QUERY.len()),
        search,
    ));
    for session in s {
        session.close();
    }
    Figures(out)
}
