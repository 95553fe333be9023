//! The CLI frame: init, stats, review, demo and migrate from the outside, especially their
//! refusals.

mod support;

use support::{run, stderr, stdout};

#[test]
fn init_creates_then_is_a_no_op() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("m.db");
    let db = db.to_str().expect("utf-8");
    let first = run(&["init", "--db", db]);
    assert!(first.status.success());
    assert!(stdout(&first).contains("created"));
    let second = run(&["init", "--db", db]);
    assert!(second.status.success());
    assert!(
        stdout(&second).contains("already a matchgate database"),
        "{}",
        stdout(&second)
    );
}

#[test]
fn commands_refuse_a_missing_database_and_create_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nothing-here.db");
    let path = missing.to_str().expect("utf-8");
    for args in [vec!["stats", "--db", path], vec!["review", "--db", path]] {
        let out = run(&args);
        assert!(!out.status.success(), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.contains("no database at") && err.contains("matchgate init"),
            "{err}"
        );
        assert!(!missing.exists(), "{args:?} created a file");
        // Nothing was drawn: the terminal was never touched.
        assert!(!stdout(&out).contains('\u{1b}'));
    }
}

#[test]
fn commands_refuse_a_foreign_file_without_writing_to_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let notes = dir.path().join("notes.db");
    std::fs::write(&notes, "this is a text file, not a database\n".repeat(50)).expect("write");
    let before = std::fs::read(&notes).expect("read");
    let path = notes.to_str().expect("utf-8");
    for args in [
        vec!["stats", "--db", path],
        vec!["review", "--db", path],
        vec!["init", "--db", path],
    ] {
        let out = run(&args);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr(&out).contains("is not a matchgate database"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(std::fs::read(&notes).expect("read"), before);
}

#[test]
fn a_newer_database_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("new.db");
    let path = db.to_str().expect("utf-8");
    assert!(run(&["init", "--db", path]).status.success());
    rusqlite::Connection::open(&db)
        .and_then(|c| c.pragma_update(None, "user_version", 99))
        .expect("bump version");
    let out = run(&["stats", "--db", path]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("newer matchgate"), "{}", stderr(&out));
}

#[test]
fn review_refuses_an_unknown_batch_before_opening_the_screen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("d.db");
    let path = db.to_str().expect("utf-8");
    assert!(run(&["demo", "--no-ui", "--keep", path]).status.success());
    let out = run(&["review", "--db", path, "--batch", "no-such-batch"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("no batch named") && err.contains("2026-11-hhs-locate"),
        "{err}"
    );
}

#[test]
fn demo_loads_the_built_in_set_and_never_overwrites_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.db");
    let path = db.to_str().expect("utf-8");
    let out = run(&["demo", "--no-ui", "--keep", path]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stats = run(&["stats", "--db", path, "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&stats.stdout).expect("json");
    assert_eq!(json["total"], 300);
    assert_eq!(json["by_status"]["pending"], 300);
    assert_eq!(json["by_batch"].as_object().map(|b| b.len()), Some(3));
    let again = run(&["demo", "--no-ui", "--keep", path]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("never overwrites"));
}

#[test]
fn stats_prints_a_table_by_batch_and_status() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("d.db");
    let path = db.to_str().expect("utf-8");
    assert!(run(&["demo", "--no-ui", "--keep", path]).status.success());
    let out = stdout(&run(&["stats", "--db", path]));
    let header = out.lines().next().expect("header");
    for word in [
        "batch",
        "pending",
        "approved",
        "rejected",
        "deferred",
        "escalated",
        "released",
    ] {
        assert!(header.contains(word), "{header}");
    }
    assert!(
        out.lines()
            .any(|l| l.starts_with("all batches") && l.contains("300")),
        "{out}"
    );
}

/// Raw bytes a terminal would act on: ESC, BEL, C1 controls (CSI), bidi overrides.
fn has_raw_controls(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c, '\u{1b}' | '\u{7}' | '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

#[test]
fn cli_output_never_carries_raw_control_bytes_from_records() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hostile = "B\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{202e}";
    let csv = format!(
        "batch,requester,request_id,candidate_id,score,req_city\n\"{hostile}\",\"{hostile}\",R1,C1,0.9,\"{hostile}\"\n"
    );
    let file = support::write_file(dir.path(), "h.csv", &csv);
    let db = dir.path().join("h.db");
    let path = db.to_str().expect("utf-8");
    let out = run(&["import", "--db", path, file.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let runs = [
        run(&["stats", "--db", path]),
        run(&["stats", "--db", path, "--json"]),
        run(&["review", "--db", path, "--batch", "nope\u{1b}[2J"]),
        run(&[
            "hold", "add", "--db", path, "--batch", hostile, "--reason", hostile,
        ]),
        run(&["hold", "list", "--db", path]),
        run(&["policy", "set", "--db", path, "supervisors", hostile]),
        run(&["export", "--db", path, "--dry-run"]),
        run(&["recall", "--db", path, "--format", "jsonl"]),
    ];
    for out in &runs {
        assert!(!has_raw_controls(&stdout(out)), "stdout: {:?}", stdout(out));
        assert!(!has_raw_controls(&stderr(out)), "stderr: {:?}", stderr(out));
    }
    // The JSON is still JSON, and still says what the data says.
    let json: serde_json::Value = serde_json::from_slice(&runs[1].stdout).expect("json");
    assert!(
        json["by_batch"]
            .as_object()
            .is_some_and(|b| b.contains_key(hostile))
    );
    assert!(
        !runs[5].status.success(),
        "a supervisor name with control characters is refused"
    );
}

#[test]
fn a_refused_import_never_removes_an_existing_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = support::write_file(
        dir.path(),
        "g.csv",
        "request_id,candidate_id,score\nR1,C1,0.9\n",
    );
    let bad = support::write_file(
        dir.path(),
        "b.csv",
        "request_id,candidate_id,score\nR2,C2,7\n",
    );
    let db = dir.path().join("keep.db");
    let path = db.to_str().expect("utf-8");
    assert!(
        run(&["import", "--db", path, good.to_str().expect("utf-8")])
            .status
            .success()
    );
    assert!(
        !run(&["import", "--db", path, bad.to_str().expect("utf-8")])
            .status
            .success()
    );
    let stats = run(&["stats", "--db", path, "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&stats.stdout).expect("json");
    assert_eq!(json["total"], 1);
}

#[test]
fn migrate_says_which_way_it_moves_before_touching_anything() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("m.db");
    let db = db.to_str().expect("utf-8");
    assert!(run(&["init", "--db", db]).status.success());
    let other = dir.path().join("other.db");
    let out = run(&[
        "migrate",
        "--from",
        db,
        "--to",
        other.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--to must be a PostgreSQL server's URL"),
        "{}",
        stderr(&out)
    );
    assert!(!other.exists(), "no file was made");
    let out = run(&[
        "migrate",
        "--from",
        "postgres://ann@127.0.0.1:1/team",
        "--to",
        "postgres://ann@127.0.0.1:1/other",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--from names the SQLite file to move"),
        "{}",
        stderr(&out)
    );
}
