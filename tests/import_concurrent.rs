//! An import beside other processes: the real binary killed half-way leaves nothing reviewable
//! and the next import cleans up and finishes; a reader polling while a file loads sees none of
//! it or all of it, never part.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use matchgate::domain::QueueFilter;
use matchgate::store::Store;

const BIN: &str = env!("CARGO_BIN_EXE_matchgate");
const ROWS: u64 = 40_000;

fn generate(path: &Path) {
    let out = Command::new(BIN)
        .args([
            "generate",
            "--rows",
            &ROWS.to_string(),
            "--seed",
            "5",
            "--out",
        ])
        .arg(path)
        .output()
        .expect("generate");
    assert!(out.status.success());
}

/// Every match row, hidden or not, read straight from the file.
fn raw_matches(db: &Path) -> i64 {
    rusqlite::Connection::open(db)
        .and_then(|c| c.query_row("SELECT count(*) FROM matches", [], |r| r.get(0)))
        .unwrap_or(0)
}

/// What a reviewer or supervisor can see: queue counts, stats and batches.
fn visible(db: &Path) -> (u64, u64, usize) {
    let store = Store::open(db).expect("open");
    let counts = store.queue_counts(&QueueFilter::default()).expect("counts");
    let stats = store.stats().expect("stats");
    (
        counts.total(),
        stats.total,
        store.batches().expect("batches").len(),
    )
}

#[test]
fn a_killed_import_leaves_nothing_reviewable_and_the_next_one_cleans_up_and_finishes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("m.csv");
    let db = dir.path().join("m.db");
    generate(&csv);
    Command::new(BIN)
        .args(["init", "--db"])
        .arg(&db)
        .output()
        .expect("init");

    let mut child = Command::new(BIN)
        .args(["import", "--db"])
        .arg(&db)
        .arg(&csv)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("import");
    let started = Instant::now();
    while raw_matches(&db) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "nothing was written"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().expect("kill");
    let status = child.wait().expect("wait");
    assert!(
        !status.success(),
        "the import was killed before it finished"
    );
    assert!(raw_matches(&db) > 0, "rows were written before the kill");
    assert_eq!(visible(&db), (0, 0, 0), "none of them is reviewable");

    // The next import cleans up the dead one, while a reader polls from another connection.
    let total = ROWS;
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (db, stop) = (db.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut seen = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let (_, stats_total, _) = visible(&db);
                seen.push(stats_total);
                std::thread::sleep(Duration::from_millis(3));
            }
            seen
        })
    };
    let out = Command::new(BIN)
        .args(["import", "--db"])
        .arg(&db)
        .arg(&csv)
        .output()
        .expect("import again");
    stop.store(true, Ordering::Relaxed);
    let seen = reader.join().expect("reader");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("cleaned up unfinished import"), "{stderr}");
    assert!(seen.len() > 3, "the reader polled during the import");
    for n in &seen {
        assert!(
            *n == 0 || *n == total,
            "a reader saw part of an import: {n} of {total}"
        );
    }
    let (queue, stats, batches) = visible(&db);
    assert_eq!(stats, total);
    assert!(queue > 0 && batches > 0);
    assert_eq!(
        raw_matches(&db) as u64,
        total,
        "nothing of the dead import is left"
    );
    let states: Vec<String> = rusqlite::Connection::open(&db)
        .expect("open")
        .prepare("SELECT state FROM imports ORDER BY id")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("states");
    assert_eq!(states, ["failed", "done"]);
}
