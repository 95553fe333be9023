//! The figures' SQL on hand-written histories: the exact median for odd and even counts (undone
//! decisions and "not chosen" rows left out), and the query plans of every statement, so an
//! index lost from the schema or a query rewritten past it fails here.

use super::super::Store;
use super::super::plans_tests::plans_of;
use crate::generate::{GenerateConfig, write_csv};
use crate::import::{FlaggedReader, Format, ImportOptions, OnBadRow};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut store, _) = Store::create(&dir.path().join("f.db")).expect("create");
    let mut csv = Vec::new();
    write_csv(
        &GenerateConfig {
            rows: 60,
            seed: 5,
            batches: 2,
        },
        &mut csv,
    )
    .expect("generate");
    let reader = FlaggedReader::new(&csv[..], "f.csv", Format::Csv, &ImportOptions::default())
        .expect("reader");
    store
        .import_matches(reader, OnBadRow::Abort, |e| panic!("{e}"))
        .expect("import");
    (dir, store)
}

/// Appends a history row directly (the figures, not the write path, are under test).
#[allow(clippy::too_many_arguments)]
fn row(
    store: &Store,
    id: i64,
    reviewer: &str,
    action: &str,
    at: &str,
    viewed_ms: i64,
    checkable: bool,
    undoes: Option<i64>,
    checks: Option<i64>,
) {
    store
        .conn
        .execute(
            "INSERT INTO decisions (id, match_id, group_id, reviewer, action, status_before,
                 status_after, decided_at, viewed_ms, undoes, checks, spot_draw)
             VALUES (?1, ?1, ?1, ?2, ?3, 'pending', 'pending', ?4, ?5, ?6, ?7, ?8)",
            rusqlite::params![
                id,
                reviewer,
                action,
                at,
                viewed_ms,
                undoes,
                checks,
                checkable.then_some(7)
            ],
        )
        .expect("insert");
}

const DAY: &str = "2026-03-02T09:00:00.000Z";

#[test]
fn median_is_the_middle_row_for_odd_counts_and_the_mean_of_two_for_even() {
    let (_dir, store) = store();
    // ann: 3 decisions (odd) plus one undone and a "not chosen" row, neither counted.
    for (id, ms) in [(1, 3000), (2, 1000), (3, 2000)] {
        row(&store, id, "ann", "approve", DAY, ms, true, None, None);
    }
    row(&store, 4, "ann", "reject", DAY, 900_000, true, None, None);
    row(&store, 5, "ann", "undo", DAY, 0, false, Some(4), None);
    row(&store, 6, "ann", "reject", DAY, 800_000, false, None, None);
    // bob: 4 decisions (even).
    for (id, ms) in [(7, 1000), (8, 4000), (9, 2000), (10, 3500)] {
        row(&store, id, "bob", "reject", DAY, ms, true, None, None);
    }
    assert_eq!(
        store.median_seconds(Some("ann"), "", 3).expect("ann"),
        Some(2.0)
    );
    assert_eq!(
        store.median_seconds(Some("bob"), "", 4).expect("bob"),
        Some(2.75)
    );
    assert_eq!(store.median_seconds(Some("cy"), "", 0).expect("cy"), None);
    let report = store.reviewer_figures(None).expect("figures");
    let medians: Vec<(&str, Option<f64>, u64)> = report
        .reviewers
        .iter()
        .map(|r| {
            (
                r.reviewer.as_str(),
                r.figures.median_seconds,
                r.figures.decisions,
            )
        })
        .collect();
    assert_eq!(
        medians,
        [("ann", Some(2.0), 3), ("bob", Some(2.75), 4)],
        "the undone decision and the closing row are not decisions"
    );
    // Everyone: 1000 1000 2000 2000 3000 3500 4000 (7, odd) -> 2000 ms.
    assert_eq!(report.overall.decisions, 7);
    assert_eq!(report.overall.median_seconds, Some(2.0));
    // Since a later instant: only bob's later decision.
    row(
        &store,
        11,
        "bob",
        "approve",
        "2026-03-03T10:00:00.000Z",
        6000,
        true,
        None,
        None,
    );
    let later = store
        .reviewer_figures(Some("2026-03-03T00:00:00.000Z"))
        .expect("since");
    assert_eq!(later.overall.decisions, 1);
    assert_eq!(later.overall.median_seconds, Some(6.0));
}

fn uses(plan: &[String], index: &str) -> bool {
    plan.iter().any(|l| l.contains(index))
}

#[test]
fn every_figure_is_read_over_an_index() {
    let (_dir, mut store) = store();
    for id in 1..=6 {
        let who = if id % 2 == 0 { "ann" } else { "bob" };
        row(&store, id, who, "approve", DAY, 1000 * id, true, None, None);
    }
    row(&store, 7, "sue", "agree", DAY, 10, false, None, Some(1));
    row(&store, 8, "sue", "overturn", DAY, 10, false, None, Some(2));
    let plans = plans_of(&mut store, |s| {
        s.reviewer_figures(Some("2026-01-01T00:00:00.000Z"))
            .expect("figures");
    });
    assert!(plans.len() >= 9, "every figure ran: {plans:#?}");
    for (sql, plan) in &plans {
        let scans_table = plan.iter().any(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words.first() == Some(&"SCAN")
                && !l.contains("USING")
                && words.get(1).is_some_and(|t| {
                    [
                        "decisions",
                        "d",
                        "c",
                        "s2",
                        "u",
                        "m",
                        "r",
                        "matches",
                        "requests",
                    ]
                    .contains(t)
                })
        });
        assert!(!scans_table, "a full table scan in {sql}\n{plan:#?}");
        if sql.contains("GROUP BY d.reviewer ORDER BY d.reviewer") {
            assert!(
                uses(plan, "COVERING INDEX decisions_figures"),
                "decision counts read the figures index alone: {plan:#?}"
            );
        }
        if sql.contains("LIMIT 1 OFFSET") {
            assert!(
                uses(plan, "COVERING INDEX decisions_figures")
                    || uses(plan, "COVERING INDEX decisions_viewed"),
                "the median reads an index in viewed_ms order: {plan:#?}"
            );
        }
        if sql.contains("c.checks IS NOT NULL") {
            assert!(
                uses(plan, "decisions_by_checks"),
                "checks are found through their partial index: {plan:#?}"
            );
        }
        if sql.contains("u.undoes") {
            assert!(
                uses(plan, "decisions_by_undoes"),
                "an undo is looked up by index: {plan:#?}"
            );
        }
        if sql.contains("GROUP BY m.batch_id, m.status") {
            assert!(
                uses(plan, "COVERING INDEX matches_by_batch_status"),
                "{plan:#?}"
            );
        }
    }
}

/// The median walks the index past undone rows instead of probing each row: on many random
/// histories (ties, undone rows anywhere, odd and even counts) it equals the median computed
/// naively from the standing rows.
#[test]
fn median_skipping_undone_rows_equals_the_naive_median() {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |m: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % m
    };
    for round in 0..40 {
        let (_dir, store) = store();
        let n = 1 + next(30) as i64;
        let mut standing = Vec::new();
        let mut id = 1;
        for _ in 0..n {
            let ms = 100 * next(8) as i64;
            let action = if next(2) == 0 { "approve" } else { "reject" };
            row(&store, id, "ann", action, DAY, ms, true, None, None);
            if next(4) == 0 {
                row(&store, id + 1, "ann", "undo", DAY, 0, false, Some(id), None);
                id += 2;
            } else {
                standing.push(ms);
                id += 1;
            }
        }
        standing.sort();
        let expected = match standing.len() {
            0 => None,
            len if len % 2 == 1 => Some(standing[len / 2] as f64 / 1000.0),
            len => Some((standing[len / 2 - 1] + standing[len / 2]) as f64 / 2000.0),
        };
        let count = standing.len() as u64;
        for who in [Some("ann"), None] {
            assert_eq!(
                store.median_seconds(who, "", count).expect("median"),
                expected,
                "round {round}: {standing:?}"
            );
        }
    }
}
