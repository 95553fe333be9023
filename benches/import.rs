//! Hot paths: importing generated rows, reading one keyset page of a large queue, and committing
//! a decision. The full 1.28M-row import is a documented command in the README (one run takes
//! about 20 s, too long for criterion's repetitions).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
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

fn queue(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut store, _) = Store::create(&dir.path().join("q.db")).expect("create");
    import_into(&mut store, &generated(200_000));
    let filter = QueueFilter::default();
    let middle = store
        .queue_page(&filter, QueueSort::Score, PageFrom::Start, 100_000)
        .expect("page")
        .last()
        .map(|e| e.key())
        .expect("entries");
    let mut group = c.benchmark_group("queue of 200k matches");
    group.bench_function("first page", |b| {
        b.iter(|| black_box(store.queue_page(&filter, QueueSort::Score, PageFrom::Start, 100)))
    });
    group.bench_function("page after the 100,000th request", |b| {
        b.iter(|| {
            black_box(store.queue_page(&filter, QueueSort::Score, PageFrom::After(middle), 100))
        })
    });
    group.bench_function("counts", |b| {
        b.iter(|| black_box(store.queue_counts(&filter)))
    });
    group.bench_function("search", |b| {
        b.iter(|| black_box(store.search_queue(&filter, "jim", 20)))
    });
    group.sample_size(20);
    group.bench_function("decide and undo (two durable commits)", |b| {
        let entry = store
            .queue_page(&filter, QueueSort::Age, PageFrom::Start, 1)
            .expect("page")[0]
            .clone();
        let item = store
            .review_item(entry.request_id)
            .expect("item")
            .expect("exists");
        let decision = Decision {
            match_id: item.candidates[0].match_id,
            reviewer: "bench".into(),
            verdict: Verdict::Defer,
            note: None,
            viewed_ms: 1,
        };
        b.iter(|| {
            let outcome = store.record_decision(&decision, "bench").expect("decide");
            store
                .undo_group(outcome.group_id, "bench", "bench")
                .expect("undo");
        })
    });
    group.finish();
}

criterion_group!(benches, import, queue);
criterion_main!(benches);
