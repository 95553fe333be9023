//! SIGKILL at random moments: of the review screen during a scripted run of decisions, of an
//! import, of an export. Whatever the moment, every decision the screen showed as saved is in the
//! database, the file passes `PRAGMA integrity_check` and `audit verify`, and nothing is
//! half-written. `cargo test` makes a few repetitions; `MATCHGATE_FAULT_REPS=200 cargo test
//! --release --test kill` makes many (`MATCHGATE_FAULT_SEED` replays a printed seed).
#![cfg(unix)]

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use support::faults::{Rng, assert_consistent, releasable_csv, repetitions, signal, wait_gone};
use support::{Tmux, count, db, run, stderr, write_file};

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn import_new(dir: &Path, csv: &str) -> PathBuf {
    let file = write_file(dir, "flagged.csv", csv);
    let db_path = dir.join("kill.db");
    let out = run(&["import", "--db", s(&db_path), s(&file)]);
    assert!(out.status.success(), "import: {}", stderr(&out));
    db_path
}

/// What the status line says was saved: (request id, decision action), read only from a frame
/// that two captures agree on (a frame half-drawn could mix two request ids).
fn saved_on_screen(tmux: &Tmux) -> Option<(String, &'static str)> {
    let screen = loop {
        let a = tmux.screen();
        std::thread::sleep(Duration::from_millis(5));
        if a == tmux.screen() {
            break a;
        }
    };
    let line = screen.lines().find(|l| l.contains("(saved)"))?;
    let before = &line[..line.find(" (saved)")?];
    let at = before.rfind("request R")?;
    let request = before[at + "request ".len()..].trim().to_string();
    let action = if before.contains("approved request") {
        "approve"
    } else if before.contains("rejected (") {
        "reject"
    } else if before.contains("deferred request") {
        "defer"
    } else {
        return None;
    };
    Some((request, action))
}

fn decided(conn: &rusqlite::Connection, request: &str, action: &str) -> i64 {
    conn.query_row(
        "SELECT count(*) FROM decisions d JOIN matches m ON m.id = d.match_id
           JOIN requests r ON r.id = m.request_id WHERE r.source_id = ? AND d.action = ?",
        [request, action],
        |r| r.get(0),
    )
    .expect("decided")
}

#[test]
fn sigkill_of_the_review_screen_loses_no_decision_it_showed_as_saved() {
    let mut rng = Rng::from_env();
    let mut dir = tempfile::tempdir().expect("tempdir");
    let mut db_path = import_new(dir.path(), &releasable_csv(300));
    let mut observed_total = 0;
    let mut keys_total = 0;
    for rep in 0..repetitions(10) {
        if count(
            &db(&db_path),
            "SELECT count(*) FROM matches WHERE status = 'pending'",
        ) < 80
        {
            dir = tempfile::tempdir().expect("tempdir");
            db_path = import_new(dir.path(), &releasable_csv(300));
        }
        let home = s(dir.path());
        let tmux = Tmux::start(
            &["review", "--db", s(&db_path), "--reviewer", "kill"],
            100,
            32,
            &[("HOME", home), ("XDG_CONFIG_HOME", home)],
        );
        tmux.wait_for("to do]");
        let pid = tmux.pane_pid();
        let mut observed = Vec::new();
        for _ in 0..rng.range(1, 5) {
            let mut keys = Vec::new();
            for _ in 0..rng.range(1, 25) {
                match rng.range(0, 3) {
                    0 => keys.push("a"),
                    1 => keys.extend(["r", "4"]),
                    _ => keys.push("s"),
                }
            }
            keys_total += keys.len();
            tmux.keys_at_once(&keys);
            std::thread::sleep(Duration::from_millis(rng.range(0, 60)));
            observed.extend(saved_on_screen(&tmux));
        }
        // The last burst may still be in flight: kill at a random moment within it.
        std::thread::sleep(Duration::from_micros(rng.range(0, 20_000)));
        signal(pid, libc::SIGKILL);
        wait_gone(pid);
        drop(tmux);

        let conn = db(&db_path);
        for (request, action) in &observed {
            assert!(
                decided(&conn, request, action) > 0,
                "rep {rep}: the screen said {action} of {request} was saved, the database has none"
            );
        }
        observed_total += observed.len();
        assert_consistent(&db_path);
        let groups = count(&conn, "SELECT count(DISTINCT group_id) FROM decisions");
        assert!(
            groups as usize <= keys_total,
            "more decisions than keys pressed"
        );
        eprintln!(
            "rep {rep}: {} saved on screen, {groups} decisions in the database",
            observed.len()
        );
    }
    assert!(
        observed_total > 0,
        "no decision was ever seen saved: the test saw nothing"
    );
}

#[test]
fn sigkill_of_an_import_leaves_nothing_of_the_file_reviewable_and_a_rerun_completes() {
    let mut rng = Rng::from_env();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("big.csv");
    let out = run(&[
        "generate",
        "--rows",
        "4000",
        "--seed",
        "11",
        "--out",
        s(&file),
    ]);
    assert!(out.status.success(), "generate: {}", stderr(&out));
    // One import already in the database: a killed second import must leave it as it was.
    let db_path = import_new(dir.path(), &releasable_csv(20));
    let stats_total = || -> i64 {
        let out = run(&["stats", "--db", s(&db_path), "--json"]);
        assert!(out.status.success(), "stats: {}", stderr(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stats json");
        v["total"].as_i64().expect("total")
    };
    // How long an uninterrupted import takes, to kill inside it.
    let timing = dir.path().join("timing.db");
    let started = std::time::Instant::now();
    assert!(
        run(&["import", "--db", s(&timing), s(&file)])
            .status
            .success()
    );
    let full = started.elapsed();
    let mut completed_early = 0;
    for rep in 0..repetitions(5) {
        let mut child = support::bin()
            .args(["import", "--db", s(&db_path), s(&file), "--batch", "big"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn import");
        let at = rng.range(0, full.as_micros() as u64);
        std::thread::sleep(Duration::from_micros(at));
        let _ = child.kill();
        let status = child.wait().expect("wait");
        let total = stats_total();
        // Killed after its last commit but before it exited counts as finished: all or nothing.
        if status.success() || total == 20 + 4000 {
            // It finished before the kill: then all of it is there, and the next rep is moot.
            assert_eq!(
                total,
                20 + 4000,
                "rep {rep}: a completed import counts whole"
            );
            completed_early += 1;
            break;
        }
        assert_eq!(
            total, 20,
            "rep {rep}: killed at {at} µs, part of the file is counted"
        );
        assert_consistent(&db_path);
    }
    let out = run(&["import", "--db", s(&db_path), s(&file), "--batch", "big"]);
    assert!(out.status.success(), "re-import: {}", stderr(&out));
    assert_eq!(stats_total(), 20 + 4000, "the re-run completes the import");
    assert_consistent(&db_path);
    eprintln!("import finished before its kill in {completed_early} rep(s)");
}

/// Releases recorded, each with its item count and file.
fn releases(conn: &rusqlite::Connection) -> Vec<(i64, i64, String)> {
    let mut stmt = conn
        .prepare("SELECT id, item_count, file FROM releases ORDER BY id")
        .expect("prepare");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// The request ids listed in an export file (CSV, with a header).
fn file_requests(path: &Path) -> Vec<(i64, String)> {
    let mut reader = csv::Reader::from_path(path).expect("read export");
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            (r[0].parse().expect("release id"), r[2].to_string())
        })
        .collect()
}

fn released_requests(conn: &rusqlite::Connection, release: i64) -> Vec<String> {
    let mut stmt = conn
        .prepare(
            "SELECT r.source_id FROM release_items ri JOIN matches m ON m.id = ri.match_id
               JOIN requests r ON r.id = m.request_id WHERE ri.release_id = ? ORDER BY r.source_id",
        )
        .expect("prepare");
    stmt.query_map([release], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[test]
fn sigkill_of_an_export_never_leaves_a_file_without_its_release_or_a_release_without_its_rows() {
    use matchgate::domain::{Decision, Verdict};
    let mut rng = Rng::from_env();
    let reps = repetitions(6);
    let dir = tempfile::tempdir().expect("tempdir");
    let db_path = import_new(dir.path(), &releasable_csv(60 * (reps + 1)));
    let ids: Vec<i64> = {
        let conn = db(&db_path);
        let mut stmt = conn
            .prepare("SELECT id FROM matches ORDER BY id")
            .expect("prepare");
        stmt.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("ids")
    };
    let approve_chunk = |chunk: usize| {
        let mut store = matchgate::store::Store::open(&db_path).expect("open");
        for id in &ids[chunk * 60..(chunk + 1) * 60] {
            let d = Decision {
                match_id: *id,
                reviewer: "alice".into(),
                verdict: Verdict::Approve,
                note: None,
                viewed_ms: 500,
            };
            store.record_decision(&d, "kill-test").expect("approve");
        }
    };
    let export = |out: &Path| {
        support::bin()
            .args([
                "export",
                "--db",
                s(&db_path),
                "--out",
                s(out),
                "--by",
                "sam",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn export")
    };
    // How long an export of 60 takes here, so the kills land before, during and after it.
    approve_chunk(reps);
    let started = std::time::Instant::now();
    assert!(
        export(&dir.path().join("timing.csv"))
            .wait()
            .expect("wait")
            .success()
    );
    let full = started.elapsed();
    let mut finished = 0;
    for rep in 0..reps {
        approve_chunk(rep);
        let out = dir.path().join(format!("release-{rep}.csv"));
        let mut child = export(&out);
        std::thread::sleep(Duration::from_micros(
            rng.range(0, full.as_micros() as u64 * 2),
        ));
        let _ = child.kill();
        let status = child.wait().expect("wait");
        finished += usize::from(status.success());

        let conn = db(&db_path);
        let recorded = releases(&conn);
        // Every file that went out holds exactly the rows its release records.
        if out.exists() {
            let rows = file_requests(&out);
            let release = rows.first().map(|r| r.0);
            if let Some(release) = release {
                let mut in_file: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
                in_file.sort();
                assert_eq!(
                    in_file,
                    released_requests(&conn, release),
                    "rep {rep}: file rows"
                );
            }
        }
        // Every recorded release has its file, under its name or the synced temporary name the
        // export renames (a kill between commit and rename; export.rs says why that is the
        // safe side), holding exactly its rows.
        for (id, items, file) in &recorded {
            let path = PathBuf::from(file);
            let holder = if path.exists() {
                path
            } else {
                let temp = std::fs::read_dir(dir.path())
                    .expect("read_dir")
                    .map(|e| e.expect("entry").path())
                    .filter(|p| {
                        p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with(".matchgate-export-"))
                    })
                    .find(|p| file_requests(p).first().map(|r| r.0) == Some(*id));
                temp.unwrap_or_else(|| panic!("rep {rep}: release {id} has no file"))
            };
            assert_eq!(
                file_requests(&holder).len() as i64,
                *items,
                "rep {rep}: release {id}"
            );
        }
        assert_consistent(&db_path);
    }
    eprintln!("{finished} of {reps} exports finished before their kill (a full one: {full:?})");
}
