//! The review queue's pages and search, through the screens' interface, on a SQLite file and on
//! a PostgreSQL server alike (each test runs on both): keyset pages agree with an independently
//! computed order in every direction, a page can start at a key, and search treats queries as
//! text. Then the file's own: an old file's search index is rebuilt with short prefixes.

mod support;

use matchgate::domain::{
    ItemFlags, QueueFilter, QueueSort, ReasonCode, ScoreBand, StateFilter, Verdict,
};
use matchgate::store::PageFrom;
use support::backend::{Backend, Kind};
use support::queue::{decide, generated, walk_backward, walk_forward};

on_both!(
    keyset_pages_match_the_true_order_for_every_sort_and_filter,
    page_at_a_key_starts_with_that_request,
    search_finds_requests_by_name_prefix_and_id_and_ignores_query_syntax,
);

/// Every request as (id, batch, score, rank, flags), read with plain SQL: the truth pages are
/// checked against.
fn all_requests(backend: &Backend) -> Vec<(i64, i64, f64, i64, i64)> {
    let int = |v: &String| v.parse::<i64>().expect("integer");
    backend
        .rows("SELECT id, batch_id, top_score, queue_rank, flags FROM requests")
        .iter()
        .map(|r| {
            let score = r[2].parse::<f64>().expect("score");
            (int(&r[0]), int(&r[1]), score, int(&r[3]), int(&r[4]))
        })
        .collect()
}

fn expected_order(backend: &Backend, filter: &QueueFilter, sort: QueueSort) -> Vec<i64> {
    let states: Vec<i64> = filter.state.states().iter().map(|s| s.rank()).collect();
    let mut rows: Vec<_> = all_requests(backend)
        .into_iter()
        .filter(|(_, batch, score, rank, flags)| {
            states.contains(rank)
                && filter.batch_id.is_none_or(|b| b == *batch)
                && filter.band.is_none_or(|band| {
                    let (lo, hi) = band.range();
                    *score >= lo && *score < hi
                })
                && filter.flag.is_none_or(|f| (*flags as u32) & f.0 != 0)
        })
        .collect();
    rows.sort_by(|a, b| {
        let rank = a.3.cmp(&b.3);
        let within = match (sort, filter.batch_id) {
            (QueueSort::Score, _) => b.2.total_cmp(&a.2).then(b.0.cmp(&a.0)),
            (QueueSort::Age, _) | (QueueSort::Batch, Some(_)) => a.0.cmp(&b.0),
            (QueueSort::Batch, None) => a.1.cmp(&b.1).then(a.0.cmp(&b.0)),
        };
        rank.then(within)
    });
    rows.into_iter().map(|r| r.0).collect()
}

fn keyset_pages_match_the_true_order_for_every_sort_and_filter(kind: Kind) {
    let Some((backend, mut store)) = generated(kind, "keyset_pages", 400) else {
        return;
    };
    // Move some requests to other queue states so paging crosses state boundaries.
    let sample = store
        .queue_page(&QueueFilter::default(), QueueSort::Age, PageFrom::Start, 40)
        .expect("page");
    for (i, entry) in sample.iter().enumerate() {
        let item = store
            .review_item(entry.request_id)
            .expect("item")
            .expect("exists");
        let verdict = match i % 4 {
            0 => Verdict::Defer,
            1 => Verdict::Escalate,
            2 => Verdict::Reject(ReasonCode::Other),
            _ => continue,
        };
        decide(&mut store, item.candidates[0].match_id, "rev", verdict).expect("decide");
    }
    let batches = store.batches().expect("batches");
    let mut filters = vec![QueueFilter::default()];
    for state in StateFilter::ALL {
        filters.push(QueueFilter {
            state,
            ..QueueFilter::default()
        });
    }
    filters.push(QueueFilter {
        state: StateFilter::All,
        batch_id: Some(batches[1].0),
        ..QueueFilter::default()
    });
    filters.push(QueueFilter {
        band: Some(ScoreBand::Medium),
        ..QueueFilter::default()
    });
    filters.push(QueueFilter {
        state: StateFilter::All,
        flag: Some(ItemFlags::SEVERAL_CANDIDATES),
        ..QueueFilter::default()
    });
    for filter in &filters {
        for sort in QueueSort::ALL {
            let truth = expected_order(&backend, filter, sort);
            assert!(
                !truth.is_empty() || filter.state == StateFilter::Escalated,
                "{filter:?}"
            );
            for page in [1, 7, 50] {
                assert_eq!(
                    walk_forward(&mut store, filter, sort, page),
                    truth,
                    "forward {filter:?} {sort:?} page {page}"
                );
            }
            assert_eq!(
                walk_backward(&mut store, filter, sort, 9),
                truth,
                "backward {filter:?} {sort:?}"
            );
            let counts = store.queue_counts(filter).expect("counts");
            let in_filter: u64 = filter.state.states().iter().map(|s| counts.get(*s)).sum();
            assert_eq!(in_filter, truth.len() as u64, "counts {filter:?}");
        }
    }
}

fn page_at_a_key_starts_with_that_request(kind: Kind) {
    let Some((_backend, mut store)) = generated(kind, "page_at_a_key", 120) else {
        return;
    };
    let filter = QueueFilter::default();
    let all = store
        .queue_page(&filter, QueueSort::Score, PageFrom::Start, 1000)
        .expect("all");
    let target = &all[37];
    let page = store
        .queue_page(&filter, QueueSort::Score, PageFrom::At(target.key()), 5)
        .expect("at");
    assert_eq!(page[0].request_id, target.request_id);
    assert_eq!(
        page.iter().map(|e| e.request_id).collect::<Vec<_>>(),
        all[37..42].iter().map(|e| e.request_id).collect::<Vec<_>>()
    );
}

fn search_finds_requests_by_name_prefix_and_id_and_ignores_query_syntax(kind: Kind) {
    let Some((_backend, mut store)) = generated(kind, "search_finds", 150) else {
        return;
    };
    let filter = QueueFilter {
        state: StateFilter::All,
        ..QueueFilter::default()
    };
    let some = store
        .queue_page(&filter, QueueSort::Age, PageFrom::Start, 1)
        .expect("page")[0]
        .clone();
    let item = store
        .review_item(some.request_id)
        .expect("item")
        .expect("exists");
    let surname = item
        .request
        .get(matchgate::domain::Field::Surname)
        .expect("surname");
    let prefix: String = surname.chars().take(3).collect();
    let hits = store
        .search_queue(&filter, &prefix.to_lowercase(), 20)
        .expect("search");
    assert!(!hits.is_empty());
    assert!(
        hits.iter()
            .all(|h| h.name.to_lowercase().contains(&prefix.to_lowercase())
                || h.source_id.to_lowercase().contains(&prefix.to_lowercase())),
        "{hits:?}"
    );
    let by_id = store
        .search_queue(&filter, &item.request.id, 20)
        .expect("search");
    assert!(by_id.iter().any(|h| h.request_id == item.request_id));
    for hostile in [
        "\"",
        "a OR b",
        "NEAR(a b)",
        "*",
        "'; DROP TABLE requests; --",
        "^x",
        "a & !b | c:*",
    ] {
        store
            .search_queue(&filter, hostile, 20)
            .expect("hostile query is just text");
    }
    assert!(
        store
            .search_queue(&filter, "zzzzqqqq", 20)
            .expect("search")
            .is_empty()
    );
}

/// A version 5 file gets the search index with one- and two-letter prefixes on open, rebuilt
/// from its requests: a one-letter search finds what was there before.
#[test]
fn a_version_5_file_gets_its_search_index_rebuilt_with_short_prefixes() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("v5.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("test setup");
        for sql in &matchgate::store::schema::MIGRATIONS[..5] {
            conn.execute_batch(sql).expect("test setup");
        }
        conn.execute_batch(
            "PRAGMA user_version = 5;
             PRAGMA application_id = 1296515412;
             INSERT INTO batches (id, name, created_at) VALUES (1, 'b', '2026-01-01');
             INSERT INTO requests (id, batch_id, source_id, given_name, surname, top_score,
                                   candidate_count, imported_at)
                  VALUES (1, 1, 'R1', 'Margaret', 'Rodriguez', 0.9, 1, '2026-01-01'),
                         (2, 1, 'R2', 'Walter', 'Nguyen', 0.8, 1, '2026-01-01');
             INSERT INTO request_search (rowid, text)
                  VALUES (1, 'R1 Margaret Rodriguez'), (2, 'R2 Walter Nguyen');",
        )
        .expect("test setup");
    }
    let store = matchgate::store::Store::open(&path).expect("migrated");
    assert_eq!(store.schema_version().expect("version"), 6);
    let found = |query: &str| -> Vec<String> {
        store
            .search_queue(&matchgate::domain::QueueFilter::default(), query, 10)
            .expect("search")
            .into_iter()
            .map(|e| e.source_id)
            .collect()
    };
    assert_eq!(found("m"), ["R1"]);
    assert_eq!(found("ng"), ["R2"]);
    assert_eq!(found("margaret r"), ["R1"]);
    let sql: String = rusqlite::Connection::open(&path)
        .expect("open")
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'request_search'",
            [],
            |r| r.get(0),
        )
        .expect("schema");
    assert!(sql.contains("prefix = '1 2'"), "{sql}");
}
