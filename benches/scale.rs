//! `cargo bench --bench scale`: the figures at 1.28 million, each beside its floor measured in the
//! same run, as a table (figure, floor, ratio). Builds its data sets under `target/scale/`:
//! generated matches (SCALE_ROWS, default 1,280,000; 10,000 for the memory comparison), a
//! million approvals, a million releases and two million decisions (written with SQL: the point
//! is the reading paths, not the deciding). Floors: the `sqlite3` shell (installed with apt-get
//! if missing) doing the same work on the same file. Also the longest commit a reviewer waited
//! for while the import ran: another connection deciding in a loop.
//!
//! Timings are wall clock on a shared machine: read the ratios, not the seconds. SCALE_ROWS sets
//! the large size; SCALE_IMPORT_ONLY=1 runs only its import beside the reviewer.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use matchgate::domain::{Decision, Verdict};
use matchgate::store::Store;

const BIN: &str = env!("CARGO_BIN_EXE_matchgate");

/// Wall time and peak memory (KiB, when `/usr/bin/time` is there) of one command.
struct Run {
    seconds: f64,
    peak_kib: Option<u64>,
}

fn run(program: &str, args: &[&str], stdout_to: Option<&Path>) -> Run {
    let time = Path::new("/usr/bin/time").exists();
    let mut cmd = if time {
        let mut c = Command::new("/usr/bin/time");
        c.args(["-f", "%M", program]);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args).stderr(Stdio::piped());
    match stdout_to {
        Some(path) => {
            cmd.stdout(std::fs::File::create(path).expect("output file"));
        }
        None => {
            cmd.stdout(Stdio::null());
        }
    }
    let started = Instant::now();
    let out = cmd.output().expect("run");
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{program} {args:?} failed: {stderr}");
    let peak_kib = time
        .then(|| stderr.lines().last().and_then(|l| l.trim().parse().ok()))
        .flatten();
    Run { seconds, peak_kib }
}

fn sqlite3() -> String {
    if Command::new("sqlite3").arg("-version").output().is_err() {
        eprintln!("installing sqlite3 (the floor) with apt-get");
        let _ = Command::new("apt-get")
            .args(["install", "-y", "sqlite3"])
            .status();
    }
    "sqlite3".to_string()
}

fn fresh(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}

fn sql(db: &Path, script: &str) {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.execute_batch(script).expect(script);
}

struct Table(Vec<(String, f64, f64, String)>);

impl Table {
    fn add(&mut self, figure: &str, mg: &Run, floor: &Run) {
        let mem = match (mg.peak_kib, floor.peak_kib) {
            (Some(m), _) => format!("{:.1} MiB", m as f64 / 1024.0),
            _ => "-".into(),
        };
        self.0
            .push((figure.to_string(), mg.seconds, floor.seconds, mem));
        self.print_last();
    }

    fn print_last(&self) {
        if let Some((f, mg, floor, mem)) = self.0.last() {
            println!(
                "{f:<44} {mg:>9.2} s {floor:>9.2} s {:>7.2}x {mem:>12}",
                mg / floor
            );
        }
    }
}

/// One reviewer commit during the import: its whole wait, split into the time queued for
/// another connection's lock (the store's busy handler) and the rest (the decision's own
/// statements, its fsync and any WAL checkpoint its commit ran), in milliseconds.
struct Wait {
    total: f64,
    lock: f64,
    rest: f64,
}

/// Decides (notes) in a loop on another connection until told to stop; returns every commit's
/// wait.
fn decider(db: PathBuf, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<Vec<Wait>> {
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
fn max_p99(waits: &[Wait], part: impl Fn(&Wait) -> f64) -> (f64, f64) {
    let mut v: Vec<f64> = waits.iter().map(part).collect();
    v.sort_by(f64::total_cmp);
    match v.last() {
        Some(max) => (*max, v[v.len() * 99 / 100]),
        None => (0.0, 0.0),
    }
}

fn main() {
    let rows: u64 = std::env::var("SCALE_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_280_000);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/scale");
    std::fs::create_dir_all(&dir).expect("dir");
    let sqlite = sqlite3();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "matchgate scale benchmark: {rows} rows, {cores} cores; load now: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    println!(
        "{:<44} {:>11} {:>11} {:>8} {:>12}",
        "figure", "matchgate", "floor", "ratio", "peak memory"
    );
    let mut table = Table(Vec::new());
    // SCALE_IMPORT_ONLY=1: only the import beside a reviewer, at SCALE_ROWS (for iterating).
    let import_only = std::env::var_os("SCALE_IMPORT_ONLY").is_some();
    let sizes = if import_only {
        vec![rows]
    } else {
        vec![10_000, rows]
    };
    for n in sizes {
        let csv = dir.join(format!("m{n}.csv"));
        if !csv.exists() {
            run(
                BIN,
                &[
                    "generate",
                    "--rows",
                    &n.to_string(),
                    "--seed",
                    "7",
                    "--batches",
                    "3",
                    "--out",
                    csv.to_str().expect("path"),
                ],
                None,
            );
        }
        let c = csv.to_str().expect("path");
        // Import: a seed batch first (what reviewers work on), then the file beside a decider.
        let db = dir.join(format!("m{n}.db"));
        fresh(&db);
        let seed = dir.join("seed.csv");
        if !seed.exists() {
            run(
                BIN,
                &[
                    "generate",
                    "--rows",
                    "10000",
                    "--seed",
                    "1",
                    "--batches",
                    "1",
                    "--out",
                    seed.to_str().expect("path"),
                ],
                None,
            );
        }
        let d = db.to_str().expect("path");
        run(
            BIN,
            &["import", "--db", d, seed.to_str().expect("path")],
            None,
        );
        // Its own batch names, so the big file only adds new batches.
        sql(&db, "UPDATE batches SET name = 'seed ' || name");
        let floor_db = dir.join("floor.db");
        fresh(&floor_db);
        let floor = run(
            &sqlite,
            &[
                floor_db.to_str().expect("path"),
                ".mode csv",
                &format!(".import {c} t"),
            ],
            None,
        );
        let stop = Arc::new(AtomicBool::new(false));
        let waits = decider(db.clone(), stop.clone());
        let mg = run(BIN, &["import", "--db", d, c, "--batch", "big"], None);
        stop.store(true, Ordering::Relaxed);
        let waits = waits.join().expect("decider");
        table.add(&format!("import {n} rows (vs .import)"), &mg, &floor);
        let (max, p99) = max_p99(&waits, |w| w.total);
        let (lock_max, lock_p99) = max_p99(&waits, |w| w.lock);
        let (rest_max, rest_p99) = max_p99(&waits, |w| w.rest);
        println!(
            "  reviewer commits during the import: {} saved, longest {max:.1} ms, p99 {p99:.1} ms",
            waits.len()
        );
        println!(
            "    waiting for the lock: longest {lock_max:.1} ms, p99 {lock_p99:.1} ms; \
             the decision and its commit (fsync, checkpoint): longest {rest_max:.1} ms, \
             p99 {rest_p99:.1} ms"
        );
        if let Some(path) = std::env::var_os("SCALE_WAITS") {
            // Every commit's wait, for a closer look: total, lock, rest (ms).
            let lines: String = waits
                .iter()
                .map(|w| format!("{:.2},{:.2},{:.2}\n", w.total, w.lock, w.rest))
                .collect();
            std::fs::write(path, lines).expect("waits file");
        }
        if import_only {
            continue;
        }
        // A million approvals (or all of a smaller set), two million decisions, and a release
        // of a million for recall, written directly.
        let approved = n.min(1_000_000) as i64;
        sql(
            &db,
            &format!(
                "BEGIN;
             UPDATE matches SET status = 'approved' WHERE id IN
               (SELECT id FROM matches WHERE batch_id != 1 ORDER BY id LIMIT {approved});
             INSERT INTO decisions (match_id, group_id, reviewer, action, status_before,
                 status_after, decided_at)
               SELECT id, id, 'r' || (id % 7), 'approve', 'pending', 'approved',
                      '2026-01-01T00:00:00.000Z' FROM matches WHERE status = 'approved';
             INSERT INTO decisions (match_id, group_id, reviewer, action, status_before,
                 status_after, note, decided_at)
               SELECT id, id, 'r' || (id % 5), 'note', 'approved', 'approved', 'seen',
                      '2026-01-02T00:00:00.000Z' FROM matches WHERE status = 'approved';
             COMMIT;"
            ),
        );
        let copy = dir.join(format!("m{n}-recall.db"));
        fresh(&copy);
        sql(&db, &format!("VACUUM INTO '{}'", copy.display()));
        sql(
            &copy,
            "BEGIN;
             INSERT INTO releases (id, released_by, released_at, file, format, item_count)
               VALUES (1, 'bench', '2026-01-03T00:00:00.000Z', 'x.csv', 'csv', 0);
             INSERT INTO release_items (release_id, match_id, approvers, flags)
               SELECT 1, m.id, '[\"r' || (m.id % 7) || '\"]', r.flags
                 FROM matches m JOIN requests r ON r.id = m.request_id
                WHERE m.status = 'approved';
             UPDATE matches SET status = 'released' WHERE status = 'approved';
             COMMIT;",
        );

        let out = |name: &str| {
            let p = dir.join(name);
            let _ = std::fs::remove_file(&p);
            p
        };
        let floor = run(&sqlite, &["-csv", d,
            "SELECT m.id, b.name, r.source_id, c.street_number, c.street, c.unit, c.city, c.state,
                    c.zip, (SELECT group_concat(d.reviewer) FROM decisions d
                             WHERE d.match_id = m.id AND d.action = 'approve')
               FROM matches m JOIN requests r ON r.id = m.request_id
               JOIN candidates c ON c.id = m.candidate_id JOIN batches b ON b.id = m.batch_id
              WHERE m.status = 'approved' ORDER BY m.id"], Some(&out("floor-export.csv")));
        let mg = run(
            BIN,
            &[
                "export",
                "--db",
                d,
                "--out",
                out("export.csv").to_str().expect("path"),
                "--by",
                "bench",
            ],
            None,
        );
        table.add(
            &format!("export of {approved} approved (gates re-checked)"),
            &mg,
            &floor,
        );

        let d2 = copy.to_str().expect("path");
        let floor = run(
            &sqlite,
            &[
                "-csv",
                d2,
                "SELECT ri.match_id, ri.release_id, rel.released_at, rel.released_by, b.name,
                    b.requester, b.legal_basis, r.source_id, c.street_number, c.street, c.unit,
                    c.city, c.state, c.zip, ri.approvers, ri.flags,
                    (SELECT min(x.recalled_at) FROM recalls x WHERE x.match_id = ri.match_id)
               FROM release_items ri JOIN releases rel ON rel.id = ri.release_id
               JOIN matches m ON m.id = ri.match_id JOIN requests r ON r.id = m.request_id
               JOIN candidates c ON c.id = m.candidate_id JOIN batches b ON b.id = m.batch_id
              ORDER BY ri.release_id, ri.match_id",
            ],
            Some(&out("floor-recall.csv")),
        );
        let mg = run(
            BIN,
            &[
                "recall",
                "--db",
                d2,
                "--out",
                out("recall.csv").to_str().expect("path"),
            ],
            None,
        );
        table.add(&format!("recall of {approved} released"), &mg, &floor);

        let floor = run(&sqlite, &["-csv", d2,
            "SELECT d.*, r.source_id, b.name FROM decisions d JOIN matches m ON m.id = d.match_id
               JOIN requests r ON r.id = m.request_id JOIN batches b ON b.id = m.batch_id
              ORDER BY d.id"], Some(&out("floor-decisions.csv")));
        let mg = run(
            BIN,
            &[
                "export",
                "--db",
                d2,
                "--decisions",
                "--out",
                out("decisions.csv").to_str().expect("path"),
            ],
            None,
        );
        table.add(
            &format!("export --decisions of {} events", approved * 2),
            &mg,
            &floor,
        );

        let floor = run(&sqlite, &[d2,
            "SELECT b.name, m.status, count(*) FROM matches m JOIN batches b ON b.id = m.batch_id
              GROUP BY 1, 2"], None);
        let mg = run(BIN, &["stats", "--db", d2], None);
        table.add(
            &format!("stats over {} decisions", approved * 2),
            &mg,
            &floor,
        );
    }
    println!("\n(each floor is the sqlite3 shell doing the same work in the same run)");
}
