//! Hot paths: importing generated rows; and the review screen's calls (a keyset page, the
//! counts, an item, a search, a claim, a decision) at two sizes, 10k matches and the large
//! queue (the scale benchmark's 1.28M database when it is there). The full 1.28M-row import is
//! `cargo bench --bench scale` (one run takes over a minute, too long for criterion).

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use matchgate::domain::claim::Claimant;
use matchgate::domain::{Decision, QueueFilter, QueueSort, Verdict};
use matchgate::generate::{GenerateConfig, write_csv};
use matchgate::import::{FlaggedReader, Format, ImportOptions, OnBadRow};
use matchgate::store::{PageFrom, Store};

fn generated(rows: u64) -> Vec<u8> {
    let mut csv = Vec::new();
    write_csv(
        &GenerateConfig {
            rows,
            seed: 7,
            batches: 3,
        },
        &mut csv,
    )
    .expect("generate");
    csv
}

fn import_into(store: &mut Store, csv: &[u8]) {
    let reader = FlaggedReader::new(csv, "bench.csv", Format::Csv, &ImportOptions::default())
        .expect("reader");
    let report = store
        .import_matches(reader, OnBadRow::Abort, |e| panic!("{e}"))
        .expect("import");
    assert!(report.committed);
}

fn import(c: &mut Criterion) {
    const ROWS: u64 = 20_000;
    let csv = generated(ROWS);
    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS));
    group.bench_function("20k generated rows into a new database", |b| {
        b.iter_with_setup(
            || {
                let dir = tempfile::tempdir().expect("tempdir");
                let (store, _) = Store::create(&dir.path().join("b.db")).expect("create");
                (dir, store)
            },
            |(_dir, mut store)| import_into(&mut store, &csv),
        );
    });
    group.finish();
}

/// A queue to read: generated rows imported into a new database.
fn imported(dir: &Path, rows: u64) -> PathBuf {
    let path = dir.join(format!("q{rows}.db"));
    let (mut store, _) = Store::create(&path).expect("create");
    import_into(&mut store, &generated(rows));
    path
}

/// The large queue: a copy of the scale benchmark's 1.28M database when it left one (the copy
/// takes this bench's writes), else `QUEUE_ROWS` (default 200,000) generated here. Returns the
/// database and what it holds.
fn large(dir: &Path) -> (PathBuf, String) {
    let scale = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/scale/m1280000.db");
    let copy = dir.join("large.db");
    let checkpointed = scale.exists()
        && rusqlite::Connection::open(&scale)
            .and_then(|c| c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)"))
            .is_ok();
    if checkpointed && std::fs::copy(&scale, &copy).is_ok() {
        return (copy, "1.28M matches (target/scale/m1280000.db)".into());
    }
    let rows = std::env::var("QUEUE_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    println!("no target/scale/m1280000.db (run `cargo bench --bench scale`): {rows} rows instead");
    (imported(dir, rows), format!("{rows} generated matches"))
}

/// The review screen's hot paths on one queue, with a screen's claimant set (its pages leave
/// out what other sessions hold).
fn queue_at(c: &mut Criterion, db: &Path, label: &str) {
    let mut store = Store::open(db).expect("open");
    store.set_claimant(Some(Claimant {
        reviewer: "bench".into(),
        session: "criterion".into(),
    }));
    let filter = QueueFilter::default();
    let counts = store.queue_counts(&filter).expect("counts");
    let half = (counts.total() / 2).max(1) as usize;
    let middle = store
        .queue_page(&filter, QueueSort::Score, PageFrom::Start, half)
        .expect("page")
        .last()
        .map(|e| e.key())
        .expect("entries");
    let first = store
        .queue_page(&filter, QueueSort::Age, PageFrom::Start, 1)
        .expect("page")[0]
        .clone();
    let item = store
        .review_item(first.request_id)
        .expect("item")
        .expect("exists");
    let mut group = c.benchmark_group(format!("queue of {label}"));
    group.bench_function("first page", |b| {
        b.iter(|| black_box(store.queue_page(&filter, QueueSort::Score, PageFrom::Start, 100)))
    });
    group.bench_function(format!("page after the {half}th request"), |b| {
        b.iter(|| {
            black_box(store.queue_page(&filter, QueueSort::Score, PageFrom::After(middle), 100))
        })
    });
    group.bench_function("counts", |b| {
        b.iter(|| black_box(store.queue_counts(&filter)))
    });
    group.bench_function("review item", |b| {
        b.iter(|| black_box(store.review_item(first.request_id)))
    });
    group.bench_function("search", |b| {
        b.iter(|| black_box(store.search_queue(&filter, "jim", 20)))
    });
    group.sample_size(20);
    group.bench_function("claim (a durable commit)", |b| {
        b.iter(|| store.claim(first.request_id).expect("claim"))
    });
    group.bench_function("decide and undo (two durable commits)", |b| {
        let candidate = item
            .candidates
            .iter()
            .find(|c| c.status.is_open())
            .expect("an open candidate");
        let decision = Decision {
            match_id: candidate.match_id,
            reviewer: "bench".into(),
            verdict: Verdict::Defer,
            note: None,
            viewed_ms: 1,
        };
        b.iter(|| {
            let outcome = store
                .record_decision(&decision, "criterion")
                .expect("decide");
            store
                .undo_group(outcome.group_id, "bench", "criterion")
                .expect("undo");
        })
    });
    group.finish();
    store.release_claims().expect("release");
}

fn queue(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let small = imported(dir.path(), 10_000);
    queue_at(c, &small, "10k matches");
    let (large, label) = large(dir.path());
    queue_at(c, &large, &label);
}

criterion_group!(benches, import, queue);
criterion_main!(benches);
