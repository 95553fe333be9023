//! Query plans under test: every statement the queue, search, export, recall, stats and import
//! paths run is captured as it runs (`Connection::trace`, parameters expanded) and put through
//! `EXPLAIN QUERY PLAN`, so an index lost from the schema, or a query rewritten past it, fails
//! here instead of slowing a million-row database.

use std::sync::{Arc, Mutex};

use rusqlite::trace::{TraceEvent, TraceEventCodes};

use super::{ExportFormat, PageFrom, RecallFilter, Store};
use crate::domain::{ItemFlags, QueueFilter, QueueSort, QueueState};
use crate::generate::{GenerateConfig, write_csv};
use crate::import::{FlaggedReader, Format, ImportOptions, OnBadRow};

/// Tables a full scan of which grows with the data.
const BIG: [&str; 5] = [
    "requests",
    "matches",
    "candidates",
    "decisions",
    "release_items",
];

/// The plan's lines of one statement.
fn plan(store: &Store, sql: &str) -> Vec<String> {
    let mut stmt = store
        .conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap_or_else(|e| panic!("{e}: {sql}"));
    stmt.query_map([], |r| r.get::<_, String>(3))
        .expect("plan")
        .collect::<Result<_, _>>()
        .expect("plan rows")
}

/// Every statement `run` executes, with its plan (the figures' plan tests use it too).
pub(super) fn plans_of(
    store: &mut Store,
    run: impl FnOnce(&mut Store),
) -> Vec<(String, Vec<String>)> {
    let captured = Arc::new(Mutex::new(Vec::new()));
    let sink = captured.clone();
    store
        .conn
        .trace_v2(
            TraceEventCodes::SQLITE_TRACE_STMT,
            Some(move |event: TraceEvent<'_>| {
                if let TraceEvent::Stmt(stmt, sql) = event
                    && let Ok(mut all) = sink.lock()
                {
                    all.push(stmt.expanded_sql().unwrap_or_else(|| sql.to_string()));
                }
            }),
        )
        .expect("trace");
    run(store);
    store
        .conn
        .trace_v2(TraceEventCodes::empty(), None::<fn(TraceEvent<'_>)>)
        .expect("untrace");
    let sqls: Vec<String> = std::mem::take(&mut *captured.lock().expect("lock"));
    sqls.into_iter()
        .filter(|s| {
            let head = s.trim_start().to_ascii_uppercase();
            ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"]
                .iter()
                .any(|k| head.starts_with(k))
        })
        .map(|s| {
            let p = plan(store, &s);
            (s, p)
        })
        .collect()
}

/// A line scanning a big table without an index, if any.
pub(super) fn full_scan(plan: &[String]) -> Option<&String> {
    plan.iter().find(|line| {
        let words: Vec<&str> = line.split_whitespace().collect();
        words.first() == Some(&"SCAN")
            && !line.contains("USING")
            && words
                .get(1)
                .is_some_and(|t| BIG.contains(t) || ["r", "m", "c", "d", "ri", "u"].contains(t))
    })
}

pub(super) fn store_with_releases() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut store, _) = Store::create(&dir.path().join("p.db")).expect("create");
    let mut csv = Vec::new();
    write_csv(
        &GenerateConfig {
            rows: 300,
            seed: 3,
            batches: 2,
        },
        &mut csv,
    )
    .expect("generate");
    let reader = FlaggedReader::new(&csv[..], "p.csv", Format::Csv, &ImportOptions::default())
        .expect("reader");
    store
        .import_matches(reader, OnBadRow::Abort, |e| panic!("{e}"))
        .expect("import");
    // Approvals written directly: the plans, not the gates, are under test here. Each its own
    // group, numbered as the store numbers groups (its first row's id), so a later decision's
    // group is not one of these.
    store
        .conn
        .execute_batch(
            "INSERT INTO decisions (match_id, group_id, reviewer, action, status_before,
                 status_after, decided_at)
             SELECT id, (SELECT coalesce(max(id), 0) FROM decisions)
                        + row_number() OVER (ORDER BY id),
                    'ann', 'approve', 'pending', 'approved', '2026-01-01T00:00:00.000Z'
               FROM matches WHERE id % 3 = 0 ORDER BY id;
             UPDATE matches SET status = 'approved' WHERE id % 3 = 0;",
        )
        .expect("approve");
    let strays: i64 = store
        .conn
        .query_row(
            "SELECT count(*) FROM decisions WHERE group_id != id",
            [],
            |r| r.get(0),
        )
        .expect("groups");
    assert_eq!(strays, 0, "each approval is its own group");
    (dir, store)
}

#[test]
fn queue_and_search_paths_use_their_indexes() {
    let (_dir, mut store) = store_with_releases();
    let plans = plans_of(&mut store, |s| {
        for sort in [QueueSort::Score, QueueSort::Age, QueueSort::Batch] {
            for batch_id in [None, Some(1)] {
                let filter = QueueFilter {
                    batch_id,
                    ..QueueFilter::default()
                };
                let page = s
                    .queue_page(&filter, sort, PageFrom::Start, 5)
                    .expect("page");
                if let Some(last) = page.last() {
                    s.queue_page(&filter, sort, PageFrom::After(last.key()), 5)
                        .expect("next page");
                }
            }
        }
        let flagged = QueueFilter {
            flag: Some(ItemFlags::SEVERAL_CANDIDATES),
            ..QueueFilter::default()
        };
        s.queue_counts(&QueueFilter::default()).expect("counts");
        s.queue_counts(&flagged).expect("counts");
        s.search_queue(&QueueFilter::default(), "smi", 10)
            .expect("search");
        s.batches().expect("batches");
    });
    assert!(plans.len() > 10, "the paths ran their statements");
    for (sql, plan) in &plans {
        assert!(full_scan(plan).is_none(), "full scan in {sql}\n{plan:#?}");
        if sql.contains("FROM requests r WHERE r.queue_rank =") {
            assert!(
                plan.iter().any(|l| l.contains("INDEX requests_")),
                "a queue page pages an index: {sql}\n{plan:#?}"
            );
            assert!(
                !plan.iter().any(|l| l.contains("TEMP B-TREE")),
                "and never sorts: {sql}\n{plan:#?}"
            );
        }
    }
    let _ = QueueState::Open;
}

#[test]
fn export_recall_and_figures_paths_use_their_indexes() {
    let (dir, mut store) = store_with_releases();
    let plans = plans_of(&mut store, |s| {
        s.releasable().expect("dry run");
        s.export_release("ann", &dir.path().join("r.csv"), ExportFormat::Csv)
            .expect("export");
        s.export_decisions("ann", &dir.path().join("d.csv"), ExportFormat::Csv)
            .expect("decisions");
        s.released(&RecallFilter {
            reviewer: Some("ann".into()),
            flag: Some(ItemFlags::INSUFFICIENT_ADDRESS),
            ..RecallFilter::default()
        })
        .expect("recall");
        s.stats().expect("stats");
    });
    let mut saw_gates = false;
    for (sql, plan) in &plans {
        // The two listings of everything read their table once in order; nothing else scans.
        let listing = sql.contains("FROM decisions d JOIN matches m ON m.id = d.match_id")
            || sql.contains("FROM release_items ri");
        if !listing {
            assert!(full_scan(plan).is_none(), "full scan in {sql}\n{plan:#?}");
        }
        if sql.contains("NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.id)") {
            saw_gates = true;
            assert!(
                plan.iter().any(|l| l.contains("decisions_by_undoes")),
                "an undo is looked up by index: {plan:#?}"
            );
        }
        if sql.contains("count(*) AS n FROM matches m") {
            assert!(
                plan.iter()
                    .any(|l| l.contains("COVERING INDEX matches_by_batch_status")),
                "stats count on the covering index: {plan:#?}"
            );
        }
    }
    assert!(saw_gates, "the export re-checked approvals");
}
