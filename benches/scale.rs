//! `cargo bench --bench scale`: the figures at 1.28 million, each beside its floor measured in the
//! same run, as a table (figure, floor, ratio). Builds its data sets under `target/scale/`:
//! generated matches (SCALE_ROWS, default 1,280,000; 10,000 for the memory comparison), a
//! million approvals, a million releases and two million decisions (written with SQL: the point
//! is the reading paths, not the deciding). Floors: the `sqlite3` shell (installed with apt-get
//! if missing) doing the same work on the same file. Also the longest commit a reviewer waited
//! for while the import ran: another connection deciding in a loop. And the review screen on a
//! copy of each database as imported: the store calls its worker makes, timed in process, and
//! the real binary's peak memory in tmux, the large size beside 10k (its floor).
//!
//! Timings are wall clock on a shared machine: read the ratios, not the seconds. SCALE_ROWS sets
//! the large size; SCALE_IMPORT_ONLY=1 runs only its import beside the reviewer,
//! SCALE_SCREEN_ONLY=1 the imports and the review screen.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

#[path = "scale/import_waits.rs"]
mod import_waits;
#[path = "scale/screen.rs"]
mod screen;
#[path = "scale/screen_memory.rs"]
mod screen_memory;
#[path = "scale/session.rs"]
mod session;
#[path = "scale/table.rs"]
mod table;

use import_waits::{decider, max_p99};
use table::Amount;

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

/// A row comparing two commands' runs (matchgate's peak memory beside it).
fn add(figure: &str, mg: &Run, floor: &Run) {
    table::row(
        figure,
        Amount::Seconds(mg.seconds),
        Amount::Seconds(floor.seconds),
        mg.peak_kib,
    );
}

/// The review screen on a copy of each database as imported. The 10k copy waits for the large
/// one; then both are measured side by side, the 10k figures as the floor.
fn review_screen(db: &Path, n: u64, small: &mut Option<PathBuf>) {
    let copy = db.with_file_name(format!("m{n}-screen.db"));
    fresh(&copy);
    sql(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    std::fs::copy(db, &copy).expect("copy for the screen");
    let Some(small) = small.replace(copy.clone()) else {
        return;
    };
    let figures = screen::measure([&small, &copy]);
    let home = db.parent().expect("dir");
    let small_peak = screen_memory::peak_kib(BIN, &small, home);
    let peak = screen_memory::peak_kib(BIN, &copy, home);
    fresh(&small);
    fresh(&copy);
    table::note(&format!(
        "review screen at {n} matches; floor: the same at 10,000, measured in turn \
         (in process, medians of 7)"
    ));
    for (what, [small, large]) in &figures.0 {
        table::row(
            &format!("screen: {what}"),
            Amount::Seconds(*large),
            Amount::Seconds(*small),
            None,
        );
    }
    table::row(
        "screen: peak memory, the binary in tmux (VmHWM)",
        Amount::Kib(peak),
        Amount::Kib(small_peak),
        Some(peak),
    );
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
    table::header();
    // The review screen's figures at 10k, the floor of the same figures at the large size.
    let mut screen_floor: Option<PathBuf> = None;
    // SCALE_IMPORT_ONLY=1: only the import beside a reviewer, at SCALE_ROWS (for iterating).
    let import_only = std::env::var_os("SCALE_IMPORT_ONLY").is_some();
    // SCALE_SCREEN_ONLY=1: the imports and the review screen, no reports.
    let screen_only = std::env::var_os("SCALE_SCREEN_ONLY").is_some();
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
        add(&format!("import {n} rows (vs .import)"), &mg, &floor);
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
        review_screen(&db, n, &mut screen_floor);
        if screen_only {
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
        add(
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
        add(&format!("recall of {approved} released"), &mg, &floor);

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
        add(
            &format!("export --decisions of {} events", approved * 2),
            &mg,
            &floor,
        );

        let floor = run(&sqlite, &[d2,
            "SELECT b.name, m.status, count(*) FROM matches m JOIN batches b ON b.id = m.batch_id
              GROUP BY 1, 2"], None);
        let mg = run(BIN, &["stats", "--db", d2], None);
        add(
            &format!("stats over {} decisions", approved * 2),
            &mg,
            &floor,
        );
    }
    println!("\n(each floor is the sqlite3 shell doing the same work in the same run)");
}
