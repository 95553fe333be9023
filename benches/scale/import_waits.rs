//! A reviewer deciding on another connection while the import runs: how long each of its commits
//! waited, and for what.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use matchgate::domain::{Decision, Verdict};
use matchgate::store::Store;

/// One reviewer commit during the import: its whole wait, split into the time queued for
/// another connection's lock (the store's busy handler) and the rest (the decision's own
/// statements, its fsync and any WAL checkpoint its commit ran), in milliseconds.
pub struct Wait {
    pub total: f64,
    pub lock: f64,
    pub rest: f64,
}

/// Decides (notes) in a loop on another connection until told to stop; returns every commit's
/// wait.
pub fn decider(db: PathBuf, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<Vec<Wait>> {
    std::thread::spawn(move || {
        let mut store = Store::open(&db).expect("decider opens");
        let ids: Vec<i64> = rusqlite::Connection::open(&db)
            .expect("open")
            .prepare("SELECT id FROM matches ORDER BY id LIMIT 1000")
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("ids")
            .collect::<Result<_, _>>()
            .expect("ids");
        let mut waits = Vec::new();
        let mut i = 0;
        while !stop.load(Ordering::Relaxed) {
            let decision = Decision {
                match_id: ids[i % ids.len()],
                reviewer: "bench".into(),
                verdict: Verdict::Note,
                note: Some("checked".into()),
                viewed_ms: 0,
            };
            let locked_before = store.lock_waited();
            let started = Instant::now();
            store
                .record_decision(&decision, "bench")
                .expect("a decision during the import is saved");
            let total = started.elapsed().as_secs_f64() * 1000.0;
            let lock = (store.lock_waited() - locked_before).as_secs_f64() * 1000.0;
            waits.push(Wait {
                total,
                lock,
                rest: (total - lock).max(0.0),
            });
            i += 1;
            std::thread::sleep(Duration::from_millis(20));
        }
        waits
    })
}

/// Longest and 99th percentile of one part of the waits, in milliseconds.
pub fn max_p99(waits: &[Wait], part: impl Fn(&Wait) -> f64) -> (f64, f64) {
    let mut v: Vec<f64> = waits.iter().map(part).collect();
    v.sort_by(f64::total_cmp);
    match v.last() {
        Some(max) => (*max, v[v.len() * 99 / 100]),
        None => (0.0, 0.0),
    }
}
