//! The review screen's reads on a server give what they give on a SQLite file: the same
//! generated file imported into both (`matchgate import`), the same queue states, decisions,
//! overrides, claims and second reviews written into both, then every sort and filter the
//! screen offers walked page by page (forwards and back), the counts, a sample of review items,
//! the batches, second reviews and search compared value for value; records with accents,
//! punctuation inside words and a ZIP+4 are found by the same words on both.

mod support;

use matchgate::domain::claim::Claimant;
use matchgate::domain::{ItemFlags, QueueEntry, QueueFilter, QueueSort, ScoreBand, StateFilter};
use matchgate::store::postgres::{PgStore, PgTarget};
use matchgate::store::{PageFrom, Store};
use support::pg::PgServer;
use support::{run, stderr};

/// Written into both databases after the import (SQLite and PostgreSQL read it alike): queue
/// states of every kind, approvals standing and undone, an overturned approval, an override,
/// live and expired claims by another session, and two second reviews.
const HISTORY: &str = "
UPDATE requests SET queue_rank = 1 WHERE id % 5 = 1;
UPDATE requests SET queue_rank = 2 WHERE id % 7 = 2;
UPDATE requests SET queue_rank = 3 WHERE id % 4 = 3;
INSERT INTO decisions (id, match_id, group_id, reviewer, action, status_before, status_after,
                       decided_at, undoes, checks)
VALUES (1, 2, 1, 'alice', 'approve', 'pending', 'pending', '2026-01-01T00:00:00.000Z', NULL, NULL),
       (2, 4, 2, 'alice', 'approve', 'pending', 'pending', '2026-01-01T00:00:01.000Z', NULL, NULL),
       (3, 4, 3, 'alice', 'undo', 'pending', 'pending', '2026-01-01T00:00:02.000Z', 2, NULL),
       (4, 6, 4, 'bob', 'approve', 'pending', 'pending', '2026-01-01T00:00:03.000Z', NULL, NULL),
       (5, 2, 5, 'bob', 'approve', 'pending', 'pending', '2026-01-01T00:00:04.000Z', NULL, NULL),
       (6, 9, 6, 'carol', 'approve', 'pending', 'approved', '2026-01-01T00:00:05.000Z', NULL, NULL),
       (7, 9, 7, 'sue', 'overturn', 'approved', 'rejected', '2026-01-01T00:00:06.000Z', NULL, 6);
UPDATE matches SET status = 'rejected' WHERE id = 9;
INSERT INTO overrides (match_id, supervisor, justification, created_at)
VALUES (6, 'sue', 'checked by phone', '2026-01-01T00:00:07.000Z');
INSERT INTO claims (request_id, holder, session, claimed_at, expires_ms)
VALUES (10, 'bob', 'bob-1', '2026-01-01T00:00:00.000Z', 4102444800000),
       (11, 'bob', 'bob-1', '2026-01-01T00:00:00.000Z', 1),
       (12, 'alice', 'alice-1', '2026-01-01T00:00:00.000Z', 4102444800000);
INSERT INTO second_reviews (decision_id, request_id, match_id, first_reviewer, drawn_at)
SELECT d.id, m.request_id, m.id, d.reviewer, '2026-01-01T00:00:00.000Z'
  FROM decisions d JOIN matches m ON m.id = d.match_id WHERE d.id IN (1, 4);
";

/// A server and a SQLite file holding the same imported file and the same `HISTORY`.
struct Both {
    server: PgServer,
    _dir: tempfile::TempDir,
    file: std::path::PathBuf,
}

impl Both {
    fn new(test: &str, seed: &str) -> Option<Both> {
        let server = PgServer::start(test)?;
        let dir = tempfile::tempdir().expect("dir");
        let csv = dir.path().join("g.csv");
        let csv = csv.to_str().expect("path");
        let args = [
            "generate",
            "--rows",
            "300",
            "--seed",
            seed,
            "--batches",
            "2",
        ];
        let out = run(&[&args[..], &["--out", csv]].concat());
        assert!(out.status.success(), "{}", stderr(&out));
        let (file, url) = import_both(&server, dir.path(), "team", csv);
        for who in ["alice", "carol"] {
            server.add_login(who, &format!("{who}-pw"));
            let out = run(&["user", "add", who, "--role", "reviewer", "--db", &url]);
            assert!(out.status.success(), "{}", stderr(&out));
        }
        rusqlite::Connection::open(&file)
            .and_then(|c| c.execute_batch(HISTORY))
            .expect("history on SQLite");
        server.psql("team", &format!("SET search_path = matchgate; {HISTORY}"));
        Some(Both {
            server,
            _dir: dir,
            file,
        })
    }

    fn sqlite(&self, claimant: Option<&str>) -> Store {
        let mut store = Store::open(&self.file).expect("open file");
        store.set_claimant(claimant.map(claimant_of));
        store
    }

    /// The owner's connection, or the claimant's own.
    fn server(&self, claimant: Option<&str>) -> PgStore {
        let who = claimant.unwrap_or("postgres");
        let target = PgTarget::parse(&self.server.url(who, "team")).expect("url");
        let mut store = PgStore::open(&target).expect("open server");
        store.set_claimant(claimant.map(claimant_of));
        store
    }
}

/// `csv` imported into a new SQLite file and a new server database, both named `name`.
fn import_both(
    server: &PgServer,
    dir: &std::path::Path,
    name: &str,
    csv: &str,
) -> (std::path::PathBuf, String) {
    let file = dir.join(format!("{name}.db"));
    let url = server.url("postgres", &server.create_database(name));
    let init = run(&["init", "--db", &url]);
    assert!(init.status.success(), "{}", stderr(&init));
    for db in [file.to_str().expect("path"), url.as_str()] {
        let out = run(&["import", "--db", db, csv]);
        assert!(out.status.success(), "import into {db}: {}", stderr(&out));
    }
    (file, url)
}

/// A screen's claimant (on the server, the reviewer is the role connected).
fn claimant_of(reviewer: &str) -> Claimant {
    Claimant {
        reviewer: reviewer.into(),
        session: format!("{reviewer}-screen"),
    }
}

fn every() -> QueueFilter {
    QueueFilter {
        state: StateFilter::All,
        ..QueueFilter::default()
    }
}

/// Every filter the screen offers: each state with nothing else, with each batch, each band
/// and each flag.
fn filters() -> Vec<QueueFilter> {
    let mut out = Vec::new();
    for state in StateFilter::ALL {
        let base = QueueFilter {
            state,
            ..QueueFilter::default()
        };
        out.push(base);
        out.extend([1, 2].map(|b| QueueFilter {
            batch_id: Some(b),
            ..base
        }));
        out.extend(ScoreBand::ALL.map(|band| QueueFilter {
            band: Some(band),
            ..base
        }));
        out.extend(ItemFlags::NAMED.map(|(flag, _)| QueueFilter {
            flag: Some(flag),
            ..base
        }));
    }
    out
}

/// The whole queue under a filter and sort, walked forwards page by page on both backends
/// (pages compared as they come), then backwards from its end; returns the forward walk.
fn walk(sqlite: &Store, pg: &mut PgStore, f: &QueueFilter, sort: QueueSort) -> Vec<QueueEntry> {
    const PAGE: usize = 7;
    let mut all: Vec<QueueEntry> = Vec::new();
    let mut from = PageFrom::Start;
    loop {
        let here = sqlite.queue_page(f, sort, from, PAGE).expect("SQLite page");
        let there = pg.queue_page(f, sort, from, PAGE).expect("server page");
        assert_eq!(there, here, "{f:?} {sort:?} from {from:?}");
        let Some(last) = here.last() else { break };
        from = PageFrom::After(last.key());
        all.extend(here);
    }
    let mut back: Vec<QueueEntry> = Vec::new();
    if let Some(last) = all.last() {
        let mut from = PageFrom::At(last.key());
        let page = pg.queue_page(f, sort, from, 1).expect("server page at");
        assert_eq!(page, vec![last.clone()], "{f:?} {sort:?} at the end");
        back.push(last.clone());
        loop {
            from = PageFrom::Before(back[0].key());
            let here = sqlite.queue_page(f, sort, from, PAGE).expect("SQLite page");
            let there = pg.queue_page(f, sort, from, PAGE).expect("server page");
            assert_eq!(there, here, "{f:?} {sort:?} before {from:?}");
            if here.is_empty() {
                break;
            }
            back.splice(0..0, here);
        }
    }
    assert_eq!(back, all, "{f:?} {sort:?}: backwards is not forwards");
    all
}

#[test]
fn queue_pages_counts_and_items_are_the_same_on_both_backends() {
    let Some(both) = Both::new("queue_pages_counts_and_items_are_the_same", "41") else {
        return;
    };
    let first_of_two: i64 = both
        .server
        .psql(
            "team",
            "SELECT request_id FROM matchgate.matches WHERE id = 2",
        )
        .parse()
        .expect("request of match 2");
    let mut walked = 0;
    for claimant in [None, Some("alice")] {
        let sqlite = both.sqlite(claimant);
        let mut pg = both.server(claimant);
        for filter in filters() {
            let counts = sqlite.queue_counts(&filter).expect("SQLite counts");
            assert_eq!(
                pg.queue_counts(&filter).expect("counts"),
                counts,
                "{filter:?}"
            );
            let expected: u64 = filter.state.states().iter().map(|s| counts.get(*s)).sum();
            for sort in QueueSort::ALL {
                let all = walk(&sqlite, &mut pg, &filter, sort);
                walked += all.len();
                if filter != every() {
                    continue;
                }
                // Alice's screen leaves out what another session holds live (10 by bob, 12 by
                // her own earlier screen) and what she approved as the first of two; not 11,
                // whose claim has expired.
                let ids: Vec<i64> = all.iter().map(|e| e.request_id).collect();
                let mut hidden = vec![10, 12, first_of_two];
                hidden.sort();
                hidden.dedup();
                match claimant {
                    None => {
                        assert_eq!(all.len() as u64, expected, "{sort:?}");
                        assert!(hidden.iter().all(|id| ids.contains(id)), "{sort:?}");
                    }
                    Some(_) => {
                        assert_eq!(all.len() + hidden.len(), expected as usize, "{sort:?}");
                        assert!(hidden.iter().all(|id| !ids.contains(id)), "{sort:?}");
                        assert!(ids.contains(&11), "{sort:?}");
                    }
                }
            }
        }
    }
    assert!(walked > 10_000, "the walks saw only {walked} entries");

    let sqlite = both.sqlite(None);
    let mut pg = both.server(None);
    assert_eq!(
        pg.batches().expect("batches"),
        sqlite.batches().expect("batches")
    );
    let last: i64 = both
        .server
        .psql("team", "SELECT max(id) FROM matchgate.requests")
        .parse()
        .expect("max");
    let mut approvals_seen = 0;
    for id in (1..=last).step_by(9).chain(1..=12) {
        let item = sqlite.review_item(id).expect("SQLite item").expect("item");
        assert_eq!(
            pg.review_item(id).expect("item"),
            Some(item.clone()),
            "request {id}"
        );
        approvals_seen += item
            .candidates
            .iter()
            .map(|c| c.approvals.len())
            .sum::<usize>();
        let entry = sqlite.queue_entry(id).expect("entry");
        assert_eq!(pg.queue_entry(id).expect("entry"), entry, "request {id}");
        let source = &item.request.id;
        assert_eq!(
            pg.request_by_source(source).expect("by source"),
            sqlite.request_by_source(source).expect("by source")
        );
    }
    assert!(
        approvals_seen >= 3,
        "the sample saw {approvals_seen} approvals"
    );
    assert_eq!(pg.review_item(last + 1).expect("none"), None);
    assert_eq!(pg.request_by_source("no such id").expect("none"), None);

    // Second reviews: what carol may take (alice's and bob's first decisions), alice only bob's.
    for who in ["carol", "alice"] {
        let sqlite = both.sqlite(Some(who));
        let mut pg = both.server(Some(who));
        let waiting = sqlite.second_reviews_waiting(who).expect("waiting");
        assert_eq!(pg.second_reviews_waiting(who).expect("waiting"), waiting);
        let page = sqlite.second_reviews_page(who, None, 10).expect("page");
        assert_eq!(pg.second_reviews_page(who, None, 10).expect("page"), page);
        assert_eq!(page.len() as u64, waiting);
        let after = page.first().map(|r| r.key());
        assert_eq!(
            pg.second_reviews_page(who, after, 10).expect("page"),
            sqlite.second_reviews_page(who, after, 10).expect("page")
        );
        for review in &page {
            let one = pg.second_review(who, review.decision_id).expect("one");
            assert_eq!(one.as_ref(), Some(review));
        }
    }
}

#[test]
fn search_finds_the_same_requests_on_both_backends() {
    let Some(both) = Both::new("search_finds_the_same_requests", "7") else {
        return;
    };
    let sqlite = both.sqlite(None);
    let mut pg = both.server(None);
    let every = every();
    let all = sqlite
        .queue_page(&every, QueueSort::Age, PageFrom::Start, 1000)
        .expect("all");
    let mut searched = 0;
    for entry in all.iter().step_by(13) {
        let item = sqlite
            .review_item(entry.request_id)
            .expect("item")
            .expect("item");
        let Some(surname) = item.request.get(matchgate::domain::Field::Surname) else {
            continue;
        };
        let prefix: String = surname.chars().take(3).collect();
        let both_words = format!("{} {prefix}", entry.source_id);
        for (query, filter) in [
            (prefix.as_str(), every),
            (prefix.as_str(), QueueFilter::default()),
            (entry.source_id.as_str(), every),
            (both_words.as_str(), every),
        ] {
            let here = sqlite
                .search_queue(&filter, query, 500)
                .expect("SQLite search");
            let there = pg.search_queue(&filter, query, 500).expect("server search");
            assert_eq!(there, here, "{query:?} {filter:?}");
            if filter == every {
                assert!(
                    here.iter().any(|e| e.request_id == entry.request_id),
                    "{query:?} did not find request {}",
                    entry.source_id
                );
            }
            searched += 1;
        }
    }
    assert!(searched >= 40, "only {searched} searches");
    // Typed syntax is only text; nothing to look for is no hits.
    for query in ["' | !x & (y:*", ";--", "   "] {
        assert_eq!(
            pg.search_queue(&every, query, 20).expect("odd query"),
            sqlite.search_queue(&every, query, 20).expect("odd query"),
            "{query:?}"
        );
    }
    // The screen's own view leaves out what another session holds (request 10).
    let held = sqlite.queue_entry(10).expect("entry").expect("request 10");
    let mut alice = both.server(Some("alice"));
    let hits = alice
        .search_queue(&every, &held.source_id, 20)
        .expect("search");
    assert!(hits.iter().all(|e| e.request_id != 10), "{hits:?}");
    let hits = pg
        .search_queue(&every, &held.source_id, 20)
        .expect("search");
    assert!(hits.iter().any(|e| e.request_id == 10), "{hits:?}");
}

/// Written with accents, punctuation inside words and a ZIP+4, as real records are.
const ODD_RECORDS: &str = "\
request_id,candidate_id,score,req_given_name,req_surname,req_street_number,req_street,req_city,req_state,req_zip,cand_given_name,cand_surname
R-1,C1,0.9,José,O'Brien,12.5,St.Louis Ave,São Paulo,IL,62701,a,b
R-2,C2,0.8,Ann,Smith-Jones,1/2,main@street.com,Winston-Salem,NC,27101-1234,a,b
R_3,C3,0.8,Zoë,Nguyễn,-5,foo/bar,x.y.z,IL,62702,a,b
";

#[test]
fn search_splits_and_folds_words_as_sqlite_does() {
    let Some(server) = PgServer::start("search_splits_and_folds_words") else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let csv = dir.path().join("odd.csv");
    std::fs::write(&csv, ODD_RECORDS).expect("csv");
    let (file, url) = import_both(&server, dir.path(), "odd", csv.to_str().expect("path"));
    let sqlite = Store::open(&file).expect("file");
    let mut pg = PgStore::open(&PgTarget::parse(&url).expect("url")).expect("server");
    for (query, found) in [
        ("jose", &["R-1"][..]),
        ("JOSÉ", &["R-1"]),
        ("louis", &["R-1"]),
        ("sao pau", &["R-1"]),
        ("brien", &["R-1"]),
        ("12 5", &["R-1"]),
        ("1234", &["R-2"]),
        ("street com", &["R-2"]),
        ("jones", &["R-2"]),
        ("salem", &["R-2"]),
        ("zoe nguyen", &["R_3"]),
        ("bar", &["R_3"]),
        ("y", &["R_3"]),
        ("r 3", &["R_3"]),
        ("r", &["R-1", "R-2", "R_3"]),
    ] {
        let here = sqlite.search_queue(&every(), query, 20).expect("SQLite");
        let there = pg.search_queue(&every(), query, 20).expect("server");
        assert_eq!(there, here, "{query:?}");
        let mut ids: Vec<&str> = here.iter().map(|e| e.source_id.as_str()).collect();
        ids.sort();
        assert_eq!(ids, found, "{query:?}");
    }
}
