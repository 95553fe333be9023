use std::sync::Arc;

use super::*;
use crate::domain::{FlaggedMatch, ItemFlags, QueueFilter, Record};
use crate::store::import_rows::MAX_GROUP_ROWS;

fn row(line: u64, request: &str, candidate: &str, score: f64) -> Result<ImportRow, RowError> {
    Ok(ImportRow {
        line,
        flagged: FlaggedMatch {
            batch: "b".into(),
            request: Record::new(request),
            candidate: Record::new(candidate),
            score,
            gold: None,
            gold_note: None,
        },
        requester: String::new(),
        legal_basis: String::new(),
    })
}

fn bad(line: u64) -> Result<ImportRow, RowError> {
    Err(RowError::new(&Arc::from("f.csv"), line, "bad"))
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = Store::create(&dir.path().join("m.db")).expect("create");
    (dir, store)
}

fn count(store: &Store, sql: &str) -> i64 {
    store.conn.query_row(sql, [], |r| r.get(0)).expect(sql)
}

fn matches(store: &Store) -> i64 {
    count(store, "SELECT count(*) FROM matches")
}

#[test]
fn connection_settings_are_restored_after_an_import() {
    let (_dir, mut store) = store();
    let report = store
        .import_matches([row(2, "r", "c", 0.5)], OnBadRow::Abort, |_| {})
        .expect("import");
    assert!(report.committed);
    assert_eq!(count(&store, "PRAGMA foreign_keys"), 1);
    // FULL is 2: every later decision is durable again.
    assert_eq!(count(&store, "PRAGMA synchronous"), 2);
    // The import's own checkpointing (a WAL hook) is replaced by the automatic one again.
    assert_eq!(
        count(&store, "PRAGMA wal_autocheckpoint"),
        crate::store::WAL_CHECKPOINT_FRAMES
    );
    assert_ne!(
        count(&store, "PRAGMA cache_size"),
        IMPORT_CACHE_KIB,
        "the import's cache size is not left behind"
    );
    assert_eq!(
        count(&store, "SELECT count(*) FROM imports WHERE state = 'done'"),
        1
    );
}

#[test]
fn a_bad_row_leaves_nothing_unless_skipping() {
    let rows = || [row(2, "r1", "c1", 0.5), bad(3), row(4, "r2", "c2", 0.6)];
    let (_dir, mut store) = store();
    let mut seen = Vec::new();
    let report = store
        .import_matches(rows(), OnBadRow::Abort, |e| seen.push(e.line))
        .expect("import");
    assert_eq!(seen, vec![3]);
    assert_eq!(
        report,
        ImportReport {
            bad_rows: 1,
            committed: false,
            ..ImportReport::default()
        }
    );
    assert_eq!(matches(&store), 0);
    assert_eq!(count(&store, "SELECT count(*) FROM requests"), 0);
    assert_eq!(count(&store, "SELECT count(*) FROM batches"), 0);
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM imports WHERE state = 'failed'"
        ),
        1
    );

    let report = store
        .import_matches(rows(), OnBadRow::Skip, |_| {})
        .expect("import");
    assert!(report.committed);
    assert_eq!((report.inserted, report.bad_rows), (2, 1));
    assert_eq!((report.new_requests, report.new_candidates), (2, 2));
    assert_eq!((report.batches, report.new_batches), (1, 1));
    assert_eq!(matches(&store), 2);
}

#[test]
fn an_unreadable_file_leaves_nothing_even_when_skipping() {
    let (_dir, mut store) = store();
    let fatal = Err(RowError::new(&Arc::from("f.csv"), 9, "I/O").fatal());
    let report = store
        .import_matches(
            [row(2, "r1", "c1", 0.5), fatal, row(10, "r2", "c2", 0.6)],
            OnBadRow::Skip,
            |_| {},
        )
        .expect("import");
    assert!(!report.committed);
    assert_eq!(matches(&store), 0);
}

#[test]
fn a_giant_request_is_written_in_groups_with_the_same_totals() {
    let (_dir, mut store) = store();
    let n = MAX_GROUP_ROWS * 2 + 5;
    let rows: Vec<_> = (0..n)
        .map(|i| {
            let score = if i == MAX_GROUP_ROWS + 1 { 0.99 } else { 0.1 };
            row(i as u64 + 2, "r", &format!("c{i}"), score)
        })
        .collect();
    let report = store
        .import_matches(rows, OnBadRow::Abort, |_| {})
        .expect("import");
    assert_eq!(report.inserted, n as u64);
    assert_eq!(report.new_requests, 1);
    let (count, top, flags): (i64, f64, i64) = store
        .conn
        .query_row(
            "SELECT candidate_count, top_score, flags FROM requests",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("request");
    assert_eq!(count, n as i64);
    assert_eq!(top, 0.99);
    // The test rows carry no address, so the pair is also flagged as insufficient.
    let expected = ItemFlags::SEVERAL_CANDIDATES.union(ItemFlags::INSUFFICIENT_ADDRESS);
    assert_eq!(flags, i64::from(expected.0));
}

#[test]
fn new_candidates_of_a_published_request_wait_for_the_publish() {
    let (_dir, mut store) = store();
    store
        .import_matches([row(2, "r1", "c1", 0.5)], OnBadRow::Abort, |_| {})
        .expect("first import");
    let report = store
        .import_matches(
            [
                row(2, "r1", "c1", 0.5),
                row(3, "r1", "c2", 0.9),
                row(4, "r1", "c2", 0.9),
            ],
            OnBadRow::Abort,
            |_| {},
        )
        .expect("second import");
    assert_eq!((report.inserted, report.already_present), (1, 2));
    assert_eq!(matches(&store), 2);
    assert_eq!(count(&store, "SELECT count(*) FROM import_staged"), 0);
    let (n, top, flags): (i64, f64, i64) = store
        .conn
        .query_row(
            "SELECT candidate_count, top_score, flags FROM requests",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("request");
    assert_eq!((n, top), (2, 0.9));
    assert!(ItemFlags(flags as u32).contains(ItemFlags::SEVERAL_CANDIDATES));
}

/// Rows whose iteration pauses after `pause_after` rows until the importer has committed some
/// of them, then checks from a second connection that none is visible yet.
struct Watched {
    rows: std::vec::IntoIter<Result<ImportRow, RowError>>,
    pause_after: usize,
    given: usize,
    db: std::path::PathBuf,
    seen_hidden: Arc<std::sync::atomic::AtomicBool>,
}

impl Iterator for Watched {
    type Item = Result<ImportRow, RowError>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.given == self.pause_after {
            let reader = Store::open(&self.db).expect("second connection");
            let started = std::time::Instant::now();
            while count(&reader, "SELECT count(*) FROM matches") == 0 {
                assert!(started.elapsed().as_secs() < 20, "no chunk was committed");
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            let counts = reader
                .queue_counts(&QueueFilter::default())
                .expect("counts");
            assert_eq!(counts.total(), 0, "a loading import is invisible to counts");
            let filter = QueueFilter::default();
            let page = reader
                .queue_page(
                    &filter,
                    Default::default(),
                    crate::store::PageFrom::Start,
                    10,
                )
                .expect("page");
            assert!(page.is_empty(), "and to queue pages");
            assert!(
                reader
                    .search_queue(&filter, "r", 10)
                    .expect("search")
                    .is_empty()
            );
            assert!(reader.batches().expect("batches").is_empty());
            assert_eq!(reader.stats().expect("stats").total, 0);
            self.seen_hidden
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        self.given += 1;
        self.rows.next()
    }
}

#[test]
fn committed_chunks_stay_invisible_to_other_connections_until_published() {
    let (dir, mut store) = store();
    let n = 12_000;
    let rows: Vec<_> = (0..n)
        .map(|i| row(i as u64 + 2, &format!("r{i}"), &format!("c{i}"), 0.9))
        .collect();
    let seen = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watched = Watched {
        rows: rows.into_iter(),
        pause_after: 8_000,
        given: 0,
        db: dir.path().join("m.db"),
        seen_hidden: seen.clone(),
    };
    let report = store
        .import_matches(watched, OnBadRow::Abort, |_| {})
        .expect("import");
    assert!(seen.load(std::sync::atomic::Ordering::Relaxed));
    assert_eq!(report.inserted, n as u64);
    let counts = store.queue_counts(&QueueFilter::default()).expect("counts");
    assert_eq!(counts.total(), n as u64, "all of it after the publish");
}

#[test]
fn an_import_keeps_the_wal_small_so_no_other_commit_checkpoints_it() {
    let (dir, mut store) = store();
    // Enough rows to write more pages than an automatic checkpoint starts at: a WAL that was
    // never started over would hold them all.
    let rows = (0..80_000u64).map(|i| row(i + 2, &format!("r{i}"), &format!("c{i}"), 0.5));
    let report = store
        .import_matches(rows, OnBadRow::Abort, |_| {})
        .expect("import");
    assert!(report.committed);
    let pages = count(&store, "PRAGMA page_count");
    let page_size = count(&store, "PRAGMA page_size");
    assert!(
        pages > crate::store::WAL_CHECKPOINT_FRAMES,
        "the import wrote {pages} pages: too few to test anything"
    );
    // SQLite never shrinks the WAL file, so its size is the most frames it ever held.
    let wal = std::fs::metadata(dir.path().join("m.db-wal"))
        .expect("wal")
        .len() as i64;
    let most_frames = wal / (page_size + 24);
    assert!(
        most_frames < crate::store::WAL_CHECKPOINT_FRAMES,
        "the WAL held {most_frames} frames, past where a reviewer's commit would checkpoint"
    );
}
