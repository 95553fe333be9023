//! The review screen's store work on both backends, in process: a headless session
//! (`scale/session.rs`) whose worker `Runtime` holds the backend's store as a `dyn ReviewStore`
//! (a file's `Store`, a server's `PgStore`), fed by the same pure `update` a key goes through.
//! Each figure sits beside a plain connection (rusqlite; the postgres crate, connected the way
//! matchgate connects) doing the least the same screen needs: a keyset SELECT of the same page
//! of open requests on the score index, the same count, the full-text index queried for each
//! prefix typed, and per decision a one-row INSERT committed (the same durability: WAL and
//! synchronous=FULL on a scratch file; a scratch database on the same server) and a page read.

use matchgate::domain::roles::Act;
use matchgate::store::postgres::{PgStore, PgTarget};
use matchgate::store::{PageFrom, ReviewStore, Store};
use matchgate::tui::action::{Action, Placement};
use matchgate::tui::effect::Effect;

use super::history::SCREEN;
use super::session::{QUERY, Session, filter};
use super::side::Side;
use super::table::{note, paired, row};

/// Runs of each figure (medians are reported).
const REPS: usize = 5;
/// Keyset pages read forward from the head of the queue.
const PAGES: usize = 20;
/// Keyed decisions per run.
const DECISIONS: usize = 100;

/// The screen's page: the columns of a queue line, open requests by score.
const PAGE_COLUMNS: &str = "SELECT r.id, r.source_id, r.batch_id, r.given_name, r.surname,
       r.top_score, r.queue_rank, r.candidate_count, r.flags FROM requests r
 WHERE r.queue_rank = 0";
const PAGE_ORDER: &str = " ORDER BY r.top_score DESC, r.id DESC LIMIT 100";
const COUNTS: &str = "SELECT r.queue_rank, count(*) FROM requests r GROUP BY r.queue_rank";

/// The screen's store, as `matchgate review` opens it for `SCREEN`.
fn open_store(side: &Side) -> Box<dyn ReviewStore> {
    match side {
        Side::File(path) => {
            let mut store = Store::open(path).expect("open the file");
            store
                .authorize(SCREEN, None, Act::Review)
                .expect("the screen's reviewer may review");
            Box::new(store)
        }
        Side::Server { server, db } => {
            let target = PgTarget::parse(&server.url(SCREEN, db)).expect("url");
            let mut store = PgStore::open(&target).expect("open the server");
            let refusal = store.role_refusal(Act::Review).expect("role");
            assert!(refusal.is_none(), "{refusal:?}");
            Box::new(store)
        }
    }
}

/// A plain connection: the floor's reads on the database, its writes on a scratch one.
enum Plain {
    Lite {
        db: rusqlite::Connection,
        scratch: rusqlite::Connection,
    },
    Pg {
        db: Box<postgres::Client>,
        scratch: Box<postgres::Client>,
        /// Each read's statement, prepared once (as rusqlite's `prepare_cached`).
        cache: Vec<(String, postgres::Statement)>,
    },
}

/// The statement for `sql` on `db`, prepared on first use.
fn prepared(
    db: &mut postgres::Client,
    cache: &mut Vec<(String, postgres::Statement)>,
    sql: &str,
) -> postgres::Statement {
    if let Some((_, statement)) = cache.iter().find(|(text, _)| text == sql) {
        return statement.clone();
    }
    let statement = db.prepare(sql).expect("prepare");
    cache.push((sql.to_string(), statement.clone()));
    statement
}

impl Plain {
    /// Connects as the screen's reviewer (on a server, through matchgate's own connector).
    fn open(side: &Side) -> Plain {
        match side {
            Side::File(path) => {
                let scratch = rusqlite::Connection::open(path.with_file_name("scratch.db"))
                    .expect("scratch file");
                scratch
                    .execute_batch(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
                         CREATE TABLE IF NOT EXISTS w (id INTEGER PRIMARY KEY, at TEXT)",
                    )
                    .expect("scratch table");
                Plain::Lite {
                    db: rusqlite::Connection::open(path).expect("open the file"),
                    scratch,
                }
            }
            Side::Server { server, db } => {
                let connect = |who: &str, db: &str| {
                    PgTarget::parse(&server.url(who, db))
                        .and_then(|t| t.connect())
                        .expect("connect")
                };
                let mut reads = connect(SCREEN, db);
                reads
                    .batch_execute("SET search_path = matchgate")
                    .expect("search path");
                let mut scratch = connect("postgres", "bare");
                scratch
                    .batch_execute(
                        "CREATE TABLE IF NOT EXISTS w (id bigserial PRIMARY KEY, at text)",
                    )
                    .expect("scratch table");
                Plain::Pg {
                    db: Box::new(reads),
                    scratch: Box::new(scratch),
                    cache: Vec::new(),
                }
            }
        }
    }

    /// A page of 100 open requests after `key` (score, id), read column by column; the last
    /// one's key.
    fn page(&mut self, key: Option<(f64, i64)>) -> Option<(f64, i64)> {
        let after = " AND (r.top_score, r.id) < ";
        match self {
            Plain::Lite { db, .. } => {
                let read = |r: &rusqlite::Row<'_>| {
                    let _: (String, i64, Option<String>, Option<String>) =
                        (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
                    let _: (i64, i64, i64) = (r.get(6)?, r.get(7)?, r.get(8)?);
                    Ok((r.get::<_, f64>(5)?, r.get::<_, i64>(0)?))
                };
                let rows: Vec<(f64, i64)> = match key {
                    None => db
                        .prepare_cached(&format!("{PAGE_COLUMNS}{PAGE_ORDER}"))
                        .and_then(|mut s| s.query_map([], read)?.collect()),
                    Some((score, id)) => db
                        .prepare_cached(&format!("{PAGE_COLUMNS}{after}(?1, ?2){PAGE_ORDER}"))
                        .and_then(|mut s| {
                            s.query_map(rusqlite::params![score, id], read)?.collect()
                        }),
                }
                .expect("page");
                rows.last().copied()
            }
            Plain::Pg { db, cache, .. } => {
                let rows = match key {
                    None => {
                        let page = prepared(db, cache, &format!("{PAGE_COLUMNS}{PAGE_ORDER}"));
                        db.query(&page, &[])
                    }
                    Some((score, id)) => {
                        let sql = format!("{PAGE_COLUMNS}{after}($1, $2){PAGE_ORDER}");
                        let page = prepared(db, cache, &sql);
                        db.query(&page, &[&score, &id])
                    }
                }
                .expect("page");
                let keys: Vec<(f64, i64)> = rows
                    .iter()
                    .map(|r| {
                        let _: (String, i64, Option<String>, Option<String>) =
                            (r.get(1), r.get(2), r.get(3), r.get(4));
                        let _: (i64, i64, i64) = (r.get(6), r.get(7), r.get(8));
                        (r.get(5), r.get(0))
                    })
                    .collect();
                keys.last().copied()
            }
        }
    }

    fn counts(&mut self) {
        match self {
            Plain::Lite { db, .. } => {
                let n: Vec<(i64, i64)> = db
                    .prepare_cached(COUNTS)
                    .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
                    .expect("counts");
                assert!(!n.is_empty());
            }
            Plain::Pg { db, cache, .. } => {
                let counts = prepared(db, cache, COUNTS);
                assert!(!db.query(&counts, &[]).expect("counts").is_empty());
            }
        }
    }

    /// The full-text index asked for every word typed so far, each as a word prefix (up to the
    /// 500 hits the screen ranks).
    fn search(&mut self, typed: &str) {
        let words: Vec<&str> = typed
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        match self {
            Plain::Lite { db, .. } => {
                let fts: Vec<String> = words.iter().map(|w| format!("\"{w}\"*")).collect();
                let ids: Vec<i64> = db
                    .prepare_cached(
                        "SELECT r.id FROM request_search s JOIN requests r ON r.id = s.rowid
                          WHERE request_search MATCH ?1 LIMIT 500",
                    )
                    .and_then(|mut s| s.query_map([fts.join(" ")], |r| r.get(0))?.collect())
                    .expect("search");
                assert!(!ids.is_empty(), "{typed:?} found");
            }
            Plain::Pg { db, cache, .. } => {
                let ts: Vec<String> = words.iter().map(|w| format!("'{w}':*")).collect();
                let search = prepared(
                    db,
                    cache,
                    "SELECT r.id FROM request_search s JOIN requests r ON r.id = s.request_id
                      WHERE s.words @@ to_tsquery('simple', $1) LIMIT 500",
                );
                let rows = db.query(&search, &[&ts.join(" & ")]).expect("search");
                assert!(!rows.is_empty(), "{typed:?} found");
            }
        }
    }

    /// One row inserted and committed on the scratch database.
    fn commit_one(&mut self) {
        let at = "2026-01-01T00:00:00.000Z";
        match self {
            Plain::Lite { scratch, .. } => {
                let tx = scratch.transaction().expect("begin");
                tx.execute("INSERT INTO w (at) VALUES (?1)", [at])
                    .expect("insert");
                tx.commit().expect("commit");
            }
            Plain::Pg { scratch, .. } => {
                let mut tx = scratch.transaction().expect("begin");
                tx.execute("INSERT INTO w (at) VALUES ($1)", &[&at])
                    .expect("insert");
                tx.commit().expect("commit");
            }
        }
    }
}

/// The last queue key of the page a `LoadPage` brought, to read the next one after it.
fn next_from(actions: Vec<Action>) -> PageFrom {
    match actions.into_iter().next() {
        Some(Action::PageLoaded { page, .. }) => {
            PageFrom::After(page.last().expect("a full page").key())
        }
        _ => panic!("the page did not load"),
    }
}

/// Every screen figure, on each side in turn.
pub fn measure(sides: &[Side; 2]) {
    note(&format!(
        "review screen, in process through ReviewStore as {SCREEN:?}; floor: a plain connection \
         (rusqlite; postgres crate) reading the same pages/counts/index; per decision a one-row \
         commit and a page; medians of {REPS}"
    ));
    for side in sides {
        let (mg, floor) = paired(
            REPS,
            || {
                let mut store = open_store(side);
                Session::open(store.as_mut(), SCREEN).close();
            },
            || {
                Plain::open(side).page(None);
            },
        );
        row(
            "screen: open until the first item shows",
            side.name(),
            mg,
            floor,
        );
    }
    let mut stores = sides.each_ref().map(open_store);
    let mut plains = sides.each_ref().map(Plain::open);
    let mut s = stores
        .each_mut()
        .map(|store| Session::open(store.as_mut(), SCREEN));
    for (i, side) in sides.iter().enumerate() {
        let (mg, floor) = paired(
            REPS,
            || drop(s[i].runtime.perform(Effect::LoadCounts(filter()))),
            || plains[i].counts(),
        );
        row("screen: queue counts", side.name(), mg, floor);
    }
    let page = |s: &mut Session<'_>, from: PageFrom| {
        let sort = s.state.sort;
        s.runtime.perform(Effect::LoadPage {
            filter: filter(),
            sort,
            from,
            placement: Placement::Head,
        })
    };
    for (i, side) in sides.iter().enumerate() {
        let (mg, floor) = paired(
            REPS,
            || drop(page(&mut s[i], PageFrom::Start)),
            || {
                plains[i].page(None);
            },
        );
        row("screen: first page (100 requests)", side.name(), mg, floor);
    }
    for (i, side) in sides.iter().enumerate() {
        let (mg, floor) = paired(
            REPS,
            || {
                let mut from = PageFrom::Start;
                for _ in 0..PAGES {
                    from = next_from(page(&mut s[i], from));
                }
            },
            || {
                let mut key = None;
                for _ in 0..PAGES {
                    key = Some(plains[i].page(key).expect("a full page"));
                }
            },
        );
        row(
            &format!("screen: {PAGES} pages forward (keyset, 100 each)"),
            side.name(),
            mg,
            floor,
        );
    }
    for (i, side) in sides.iter().enumerate() {
        let (mg, floor) = paired(
            REPS,
            || s[i].search_and_jump(),
            || {
                for typed in 1..=QUERY.len() {
                    plains[i].search(&QUERY[..typed]);
                }
            },
        );
        row(
            &format!("screen: search {QUERY:?} typed, jump"),
            side.name(),
            mg,
            floor,
        );
    }
    for (i, side) in sides.iter().enumerate() {
        let mut turn = 0;
        let (mg, floor) = paired(
            REPS,
            || {
                for _ in 0..DECISIONS {
                    s[i].decide_one(turn);
                    turn += 1;
                }
            },
            || {
                for _ in 0..DECISIONS {
                    plains[i].commit_one();
                    plains[i].page(None);
                }
            },
        );
        row(
            &format!("screen: {DECISIONS} keyed decisions, next item shown"),
            side.name(),
            mg,
            floor,
        );
    }
    for session in s {
        session.close();
    }
}
