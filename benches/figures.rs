//! `cargo bench --bench figures`: the supervisors' figures (`Store::reviewer_figures`, what
//! `matchgate stats --reviewers` prints) over a million decision-history rows by 20 reviewers,
//! beside two floors measured in the same run on the same file: `SELECT count(*) FROM decisions`
//! and a plain `SELECT reviewer, count(*) FROM decisions GROUP BY reviewer`.
//!
//! The history is written with SQL (the reading path is under test, not the deciding): 930,000
//! checkable decisions over 60 days (60% approvals), 1% of them undone, 40,000 supervisors'
//! checks (one in ten an overturn), 20,000 blind second verdicts with their second reviews, and
//! notes to make up 1,000,000 rows. It is built once under `target/figures/` (FIGURES_ROWS
//! changes the size). Besides criterion's report it prints the ratios of medians of the same
//! runs. Timings are wall clock on a shared machine: read the ratios.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use matchgate::generate::{GenerateConfig, write_csv};
use matchgate::import::{FlaggedReader, Format, ImportOptions, OnBadRow};
use matchgate::store::Store;

fn rows() -> i64 {
    std::env::var("FIGURES_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

/// The benchmark database, built unless it is already there.
fn database() -> PathBuf {
    let n = rows();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/figures");
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join(format!("figures-{n}.db"));
    if path.exists() {
        return path;
    }
    let building = dir.join(format!("building-{n}.db"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", building.display()));
    }
    eprintln!("building {n} decisions in {}", path.display());
    let (mut store, _) = Store::create(&building).expect("create");
    let mut csv = Vec::new();
    write_csv(
        &GenerateConfig {
            rows: 50_000,
            seed: 11,
            batches: 4,
        },
        &mut csv,
    )
    .expect("generate");
    let reader = FlaggedReader::new(
        &csv[..],
        "bench.csv",
        Format::Csv,
        &ImportOptions::default(),
    )
    .expect("reader");
    store
        .import_matches(reader, OnBadRow::Abort, |e| panic!("{e}"))
        .expect("import");
    drop(store);
    let decided = n * 93 / 100;
    let checks = n / 25;
    let seconds = n / 50;
    let conn = rusqlite::Connection::open(&building).expect("open");
    conn.execute_batch(&format!(
        "PRAGMA synchronous = OFF;
         BEGIN;
         CREATE TEMP TABLE m (k INTEGER PRIMARY KEY, id INTEGER NOT NULL);
         INSERT INTO m (id) SELECT id FROM matches ORDER BY id;
         -- Checkable decisions, one every 5.2 s (spread over 60 days), 20 reviewers.
         WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {decided})
         INSERT INTO decisions (id, match_id, group_id, reviewer, action, status_before,
                                status_after, reason_code, decided_at, viewed_ms, spot_draw,
                                second_draw, session)
         SELECT i, (SELECT id FROM m WHERE k = 1 + i % (SELECT max(k) FROM m)), i,
                'reviewer ' || (i % 20),
                CASE WHEN i % 10 < 6 THEN 'approve' ELSE 'reject' END, 'pending',
                CASE WHEN i % 10 < 6 THEN 'approved' ELSE 'rejected' END,
                CASE WHEN i % 10 < 6 THEN NULL ELSE 'dob_conflict' END,
                strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || (i * 52 / 10) || ' seconds'),
                1000 + abs(random() % 90000), abs(random() % 9007199254740992),
                abs(random() % 9007199254740992), 'bench'
           FROM seq;
         -- 1% undone.
         INSERT INTO decisions (match_id, group_id, reviewer, action, status_before, status_after,
                                decided_at, viewed_ms, undoes, session)
         SELECT match_id, id, reviewer, 'undo', status_after, status_before, decided_at, 0, id,
                'bench'
           FROM decisions WHERE id % 100 = 7;
         -- Supervisors' checks: one in ten overturns.
         INSERT INTO decisions (match_id, group_id, reviewer, action, status_before, status_after,
                                reason_code, note, decided_at, viewed_ms, checks, session)
         SELECT match_id, id, 'supervisor ' || (id % 3),
                CASE WHEN id % 10 = 3 THEN 'overturn' ELSE 'agree' END, status_after,
                status_after, CASE WHEN id % 10 = 3 THEN 'name_only' END, 'checked',
                decided_at, 20000, id, 'bench'
           FROM decisions WHERE id <= {decided} AND id % ({decided} / {checks}) = 1;
         -- Blind second verdicts and the second reviews they close.
         CREATE TEMP TABLE firsts AS
         SELECT id, match_id, reviewer, action, decided_at FROM decisions
          WHERE id <= {decided} AND id % ({decided} / {seconds}) = 2;
         INSERT INTO decisions (match_id, group_id, reviewer, action, status_before, status_after,
                                reason_code, decided_at, viewed_ms, checks, session)
         SELECT match_id, id, 'reviewer ' || ((id + 1) % 20),
                CASE WHEN (action = 'approve') = (id % 7 != 0) THEN 'second_approve'
                     ELSE 'second_reject' END,
                'pending', 'pending', NULL, decided_at, 15000, id, 'bench'
           FROM firsts;
         INSERT INTO second_reviews (decision_id, request_id, match_id, first_reviewer, drawn_at,
                                     done_by)
         SELECT f.id, (SELECT request_id FROM matches WHERE id = f.match_id), f.match_id,
                f.reviewer, f.decided_at, d.id
           FROM firsts f JOIN decisions d ON d.checks = f.id AND d.action LIKE 'second_%';
         -- Notes make up the rest.
         WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq
                                    WHERE i < {n} - (SELECT count(*) FROM decisions))
         INSERT INTO decisions (match_id, group_id, reviewer, action, status_before, status_after,
                                note, decided_at, viewed_ms, session)
         SELECT 1 + i % 1000, i, 'reviewer ' || (i % 20), 'note', 'pending', 'pending', 'seen',
                '2026-03-01T00:00:00.000Z', 0, 'bench' FROM seq;
         -- Matches where their decisions left them (roughly: the point is the reading).
         UPDATE matches SET status = CASE WHEN id % 10 < 6 THEN 'approved'
                                          WHEN id % 10 < 9 THEN 'rejected' ELSE 'pending' END;
         COMMIT;
         ANALYZE;"
    ))
    .expect("build the history");
    let total: i64 = conn
        .query_row("SELECT count(*) FROM decisions", [], |r| r.get(0))
        .expect("count");
    drop(conn);
    std::fs::rename(&building, &path).expect("rename");
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", building.display()));
    }
    eprintln!("built: {total} decision-history rows");
    path
}

fn median_of(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn figures(c: &mut Criterion) {
    let path = database();
    let store = Store::open(&path).expect("open");
    let conn = rusqlite::Connection::open(&path).expect("open");
    let count = || -> i64 {
        conn.query_row("SELECT count(*) FROM decisions", [], |r| r.get(0))
            .expect("count")
    };
    let group_by = || -> Vec<(String, i64)> {
        conn.prepare_cached("SELECT reviewer, count(*) FROM decisions GROUP BY reviewer")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    let report = || store.reviewer_figures(None).expect("figures");
    let week = "2026-02-23T00:00:00.000Z";
    let recent = || store.reviewer_figures(Some(week)).expect("figures");
    let sample = report();
    println!(
        "{} decision-history rows; {} standing decisions by {} reviewers, {} spot-checked, {} second reviews",
        count(),
        sample.overall.decisions,
        sample.reviewers.len(),
        sample.overall.spot_checked,
        sample.pooled.items
    );

    let mut group = c.benchmark_group("figures");
    group.sample_size(10);
    group.bench_function("floor: count(*) FROM decisions", |b| {
        b.iter(|| black_box(count()))
    });
    group.bench_function("floor: GROUP BY reviewer over decisions", |b| {
        b.iter(|| black_box(group_by()))
    });
    group.bench_function("reviewer_figures(None)", |b| b.iter(|| black_box(report())));
    group.bench_function("reviewer_figures(since a week before the end)", |b| {
        b.iter(|| black_box(recent()))
    });
    group.finish();

    // The ratios, from medians of the same number of runs, interleaved with nothing else.
    let runs = 7;
    let floor_count = median_of(runs, || {
        black_box(count());
    });
    let floor_group = median_of(runs, || {
        black_box(group_by());
    });
    let all = median_of(runs, || {
        black_box(report());
    });
    let week_all = median_of(runs, || {
        black_box(recent());
    });
    println!(
        "\nfigure (median of {runs})                       time       / count(*)   / GROUP BY reviewer"
    );
    for (name, t) in [
        ("floor: count(*) FROM decisions", floor_count),
        ("floor: GROUP BY reviewer", floor_group),
        ("reviewer_figures(None)", all),
        ("reviewer_figures(since the last week)", week_all),
    ] {
        println!(
            "{name:<44} {:>8.1} ms {:>10.2}x {:>10.2}x",
            t.as_secs_f64() * 1000.0,
            t.as_secs_f64() / floor_count.as_secs_f64(),
            t.as_secs_f64() / floor_group.as_secs_f64()
        );
    }
}

criterion_group!(benches, figures);
criterion_main!(benches);
