//! A team on one database: decisions per second with 1 and 4 concurrent reviewers (each its own
//! connection, taking the next unclaimed item from the queue, claiming it and deciding it, as the
//! screen does), and the longest commit wait any of them saw. The floor, measured in the same
//! run, is one durable commit of one row into a bare table on the same disk (`synchronous=FULL`,
//! WAL): a decision cannot be cheaper than that.
//!
//! `cargo bench --bench team` (about 30 s). With `MATCHGATE_BENCH_IMPORT_ROWS=1280000` it also
//! imports that many generated rows into the same file while one reviewer decides, and reports
//! the longest commit wait the reviewer saw during the import.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use matchgate::domain::claim::{ClaimOutcome, Claimant};
use matchgate::domain::{Decision, QueueFilter, QueueSort, ReasonCode, Verdict};
use matchgate::generate::{GenerateConfig, write_csv};
use matchgate::import::{FlaggedReader, Format, ImportOptions, OnBadRow};
use matchgate::store::{PageFrom, Store};

const REQUESTS: u64 = 20_000;
const RUN_FOR: Duration = Duration::from_secs(5);

fn generated(rows: u64, seed: u64) -> Vec<u8> {
    let mut csv = Vec::new();
    write_csv(
        &GenerateConfig {
            rows,
            seed,
            batches: 3,
        },
        &mut csv,
    )
    .expect("generate");
    csv
}

fn import(path: &Path, csv: &[u8]) {
    let (mut store, _) = Store::create(path).expect("create");
    let reader = FlaggedReader::new(csv, "bench.csv", Format::Csv, &ImportOptions::default())
        .expect("reader");
    let report = store
        .import_matches(reader, OnBadRow::Abort, |e| panic!("{e}"))
        .expect("import");
    assert!(report.committed);
}

/// What one reviewer did.
#[derive(Default)]
struct Tally {
    decisions: u64,
    waits: Vec<Duration>,
}

/// One reviewer's loop: next item, claim, decide (reject: no gate stands in its way), until
/// `stop`. The wait measured is the decision's commit, the one a reviewer waits for.
fn reviewer(path: &Path, name: &str, stop: &AtomicBool) -> Tally {
    let mut store = Store::open(path).expect("open");
    store.set_claimant(Some(Claimant {
        reviewer: name.into(),
        session: format!("bench-{name}"),
    }));
    let mut tally = Tally::default();
    while !stop.load(Ordering::Relaxed) {
        let page = store
            .queue_page(
                &QueueFilter::default(),
                QueueSort::Score,
                PageFrom::Start,
                1,
            )
            .expect("page");
        let Some(entry) = page.first() else { break };
        if store.claim(entry.request_id).expect("claim") != ClaimOutcome::Claimed {
            continue;
        }
        let item = store
            .review_item(entry.request_id)
            .expect("item")
            .expect("exists");
        let Some(open) = item.candidates.iter().find(|c| c.status.is_open()) else {
            continue;
        };
        let started = Instant::now();
        store
            .record_decision(
                &Decision {
                    match_id: open.match_id,
                    reviewer: name.into(),
                    verdict: Verdict::Reject(ReasonCode::DifferentPerson),
                    note: None,
                    viewed_ms: 1,
                },
                &format!("bench-{name}"),
            )
            .expect("decision");
        tally.waits.push(started.elapsed());
        tally.decisions += 1;
    }
    store.release_claims().expect("release");
    tally
}

fn team_run(path: &Path, reviewers: usize) -> (f64, Duration, Duration) {
    let stop = AtomicBool::new(false);
    let started = Instant::now();
    let tallies: Vec<Tally> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..reviewers)
            .map(|i| {
                let stop = &stop;
                scope.spawn(move || reviewer(path, &format!("r{i}"), stop))
            })
            .collect();
        std::thread::sleep(RUN_FOR);
        stop.store(true, Ordering::Relaxed);
        handles
            .into_iter()
            .map(|h| h.join().expect("reviewer"))
            .collect()
    });
    let elapsed = started.elapsed().as_secs_f64();
    let decisions: u64 = tallies.iter().map(|t| t.decisions).sum();
    let mut waits: Vec<Duration> = tallies.into_iter().flat_map(|t| t.waits).collect();
    waits.sort();
    let p99 = waits
        .get(waits.len() * 99 / 100)
        .copied()
        .unwrap_or_default();
    let max = waits.last().copied().unwrap_or_default();
    (decisions as f64 / elapsed, p99, max)
}

/// One durable single-row commit into a bare table, per second.
fn floor(dir: &Path) -> f64 {
    let conn = rusqlite::Connection::open(dir.join("floor.db")).expect("open");
    conn.pragma_update(None, "journal_mode", "WAL")
        .expect("wal");
    conn.pragma_update(None, "synchronous", "FULL")
        .expect("full");
    conn.execute_batch("CREATE TABLE t (x INTEGER)")
        .expect("table");
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < RUN_FOR {
        conn.execute_batch("BEGIN IMMEDIATE; INSERT INTO t VALUES (1); COMMIT;")
            .expect("commit");
        n += 1;
    }
    n as f64 / started.elapsed().as_secs_f64()
}

fn fresh(dir: &Path, name: &str, csv: &[u8]) -> PathBuf {
    let path = dir.join(name);
    import(&path, csv);
    path
}

fn main() {
    // `cargo test --benches` runs bench targets with --bench absent; stay quick then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let dir = tempfile::tempdir_in(".").expect("tempdir");
    let csv = generated(REQUESTS, 7);
    let commits = floor(dir.path());
    println!(
        "{:<44} {:>10} {:>10} {:>8}",
        "figure", "value", "floor", "ratio"
    );
    println!(
        "{:<44} {:>10.0} {:>10} {:>8}",
        "floor: durable 1-row commits/s", commits, "", ""
    );
    for reviewers in [1, 4] {
        let path = fresh(dir.path(), &format!("team{reviewers}.db"), &csv);
        let (rate, p99, max) = team_run(&path, reviewers);
        println!(
            "{:<44} {:>10.0} {:>10.0} {:>7.2}x",
            format!("decisions/s, {reviewers} reviewer(s) (claim+decide)"),
            rate,
            commits,
            rate / commits
        );
        println!(
            "{:<44} {:>10.1} ms",
            format!("  p99 commit wait, {reviewers} reviewer(s)"),
            p99.as_secs_f64() * 1e3
        );
        println!(
            "{:<44} {:>10.1} ms",
            format!("  longest commit wait, {reviewers} reviewer(s)"),
            max.as_secs_f64() * 1e3
        );
    }
    if let Some(rows) = std::env::var("MATCHGATE_BENCH_IMPORT_ROWS")
        .ok()
        .and_then(|r| r.parse::<u64>().ok())
    {
        let path = fresh(dir.path(), "import.db", &csv);
        let big = generated(rows, 11);
        let stop = AtomicBool::new(false);
        let (tally, import_secs) = std::thread::scope(|scope| {
            let decider = scope.spawn(|| reviewer(&path, "during-import", &stop));
            let started = Instant::now();
            let (mut store, _) = Store::create(&path).expect("open");
            let reader = FlaggedReader::new(
                big.as_slice(),
                "big.csv",
                Format::Csv,
                &ImportOptions::default(),
            )
            .expect("reader");
            store
                .import_matches(reader, OnBadRow::Abort, |e| panic!("{e}"))
                .expect("import");
            let secs = started.elapsed().as_secs_f64();
            stop.store(true, Ordering::Relaxed);
            (decider.join().expect("decider"), secs)
        });
        let max = tally.waits.iter().max().copied().unwrap_or_default();
        println!(
            "{:<44} {:>10.1} ms  ({} decisions during a {rows}-row import of {import_secs:.1} s)",
            "longest commit wait during the import",
            max.as_secs_f64() * 1e3,
            tally.decisions
        );
    }
}
