//! Faults under the review screen: a write lock held past the busy bound, a full disk, a database
//! that turns read-only. Each time the screen says the decision was NOT saved, keeps the
//! reviewer's place, and the same key saves it once the fault clears. And damaged database
//! files (truncated, garbage, schema altered) are refused with a message, never repaired.
#![cfg(unix)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::faults::{assert_consistent, releasable_csv};
use support::{Tmux, count, db, run, stderr, write_file};

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn import_new(dir: &Path, n: usize) -> PathBuf {
    let file = write_file(dir, "flagged.csv", &releasable_csv(n));
    let db_path = dir.join("faults.db");
    let out = run(&["import", "--db", s(&db_path), s(&file)]);
    assert!(out.status.success(), "import: {}", stderr(&out));
    db_path
}

/// The review screen, with SIGXFSZ ignored as a shell's `trap` leaves it, so a file-size limit
/// makes writes fail instead of killing the process.
fn review(dir: &Path, db_path: &Path) -> Tmux {
    let home = s(dir);
    let command = vec![
        "sh".to_string(),
        "-c".to_string(),
        format!(
            "trap '' XFSZ; exec '{}' review --db '{}' --reviewer faults",
            env!("CARGO_BIN_EXE_matchgate"),
            s(db_path)
        ),
    ];
    Tmux::start_command(
        &command,
        100,
        32,
        &[("HOME", home), ("XDG_CONFIG_HOME", home)],
    )
}

fn approvals(db_path: &Path) -> i64 {
    count(
        &db(db_path),
        "SELECT count(*) FROM decisions WHERE action = 'approve'",
    )
}

/// Approves R0001 while `fault` holds, expecting NOT saved and the place kept; then clears the
/// fault and presses the same key again, expecting it saved.
fn not_saved_then_retried(fault: impl FnOnce(&Tmux, &Path) -> Box<dyn FnOnce()>, reason: &str) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("tempdir");
    let db_path = import_new(dir.path(), 3);
    let tmux = review(dir.path(), &db_path);
    tmux.wait_for("request R0001");
    let clear = fault(&tmux, &db_path);
    tmux.keys(&["a"]);
    let screen = tmux.wait_for("NOT saved");
    assert!(screen.contains(reason), "the reason is given:\n{screen}");
    assert!(
        screen.contains("request R0001"),
        "the place is kept:\n{screen}"
    );
    assert!(
        !screen.contains("approved request R0001 (saved)"),
        "{screen}"
    );
    clear();
    assert_eq!(
        approvals(&db_path),
        0,
        "nothing was written during the fault"
    );
    tmux.keys(&["a"]);
    tmux.wait_for("approved request R0001 (saved)");
    tmux.wait_for("request R0002");
    tmux.keys(&["q"]);
    tmux.wait_exit();
    assert_eq!(approvals(&db_path), 1);
    assert_consistent(&db_path);
}

#[test]
fn a_write_lock_held_past_the_busy_bound_is_not_saved_then_retried() {
    not_saved_then_retried(
        |_, db_path| {
            let conn = rusqlite::Connection::open(db_path).expect("open");
            conn.execute_batch("BEGIN IMMEDIATE")
                .expect("take the write lock");
            Box::new(move || {
                conn.execute_batch("ROLLBACK").expect("release");
            })
        },
        "locked",
    );
}

fn set_file_size_limit(pid: i32, limit: u64) {
    let rlim = libc::rlimit {
        rlim_cur: limit,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: prlimit on a process this test started, with a valid rlimit.
    let rc = unsafe { libc::prlimit(pid, libc::RLIMIT_FSIZE, &rlim, std::ptr::null_mut()) };
    assert_eq!(rc, 0, "prlimit: {}", std::io::Error::last_os_error());
}

#[test]
fn a_full_disk_is_not_saved_then_retried() {
    not_saved_then_retried(
        |tmux, _| {
            let pid = tmux.pane_pid();
            // No file may grow past one byte: every write to the WAL fails as on a full disk.
            set_file_size_limit(pid, 1);
            Box::new(move || set_file_size_limit(pid, libc::RLIM_INFINITY))
        },
        "NOT saved",
    );
}

fn chattr(flag: &str, files: &[PathBuf]) -> bool {
    let out = Command::new("chattr").arg(flag).args(files).output();
    matches!(out, Ok(o) if o.status.success())
}

#[test]
fn a_database_that_turns_read_only_is_not_saved_then_retried() {
    // The immutable attribute refuses writes even to root and to files already open; it needs
    // root and a file system that has it (ext4 here). CI runs as root.
    let probe_dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("tempdir");
    let probe = probe_dir.path().join("probe");
    std::fs::write(&probe, b"x").expect("probe");
    if !chattr("+i", std::slice::from_ref(&probe)) {
        eprintln!("SKIPPED: chattr +i is not available here (needs root on ext4 or similar)");
        return;
    }
    chattr("-i", std::slice::from_ref(&probe));
    not_saved_then_retried(
        |_, db_path| {
            let files: Vec<PathBuf> = ["", "-wal"]
                .iter()
                .map(|x| PathBuf::from(format!("{}{x}", db_path.display())))
                .collect();
            assert!(chattr("+i", &files), "chattr +i");
            Box::new(move || assert!(chattr("-i", &files), "chattr -i"))
        },
        "NOT saved",
    );
}

/// `stats` and `review` refuse the file with `expect` in the message and leave its bytes alone.
fn refused(db_path: &Path, expect: &str) {
    let before = std::fs::read(db_path).expect("read");
    for args in [
        vec!["stats", "--db", s(db_path)],
        vec!["review", "--db", s(db_path)],
    ] {
        let out = run(&args);
        assert!(!out.status.success(), "{args:?} accepted a damaged file");
        let err = stderr(&out);
        assert!(err.contains(expect), "{args:?}: {err}");
        assert!(
            err.contains(s(db_path)),
            "the message names the file: {err}"
        );
    }
    // Not assert_eq: the bytes of a whole database would flood the failure message.
    assert!(
        std::fs::read(db_path).expect("read") == before,
        "the file was changed"
    );
}

/// A database with some decisions, checkpointed into one file.
fn decided_db(dir: &Path) -> PathBuf {
    let db_path = import_new(dir, 200);
    let conn = rusqlite::Connection::open(&db_path).expect("open");
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;")
        .expect("checkpoint");
    db_path
}

#[test]
fn a_truncated_database_is_refused_not_repaired() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db_path = decided_db(dir.path());
    let len = std::fs::metadata(&db_path).expect("meta").len();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&db_path)
        .expect("open");
    file.set_len(len / 2).expect("truncate");
    drop(file);
    refused(&db_path, "truncated");
}

#[test]
fn a_garbage_file_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db_path = dir.path().join("garbage.db");
    let bytes: Vec<u8> = (0..64 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&db_path, bytes).expect("write");
    refused(&db_path, "not a SQLite file");
    // A SQLite header followed by garbage.
    let mut bytes = std::fs::read(decided_db(dir.path())).expect("read");
    for b in bytes.iter_mut().skip(100) {
        *b = b.wrapping_mul(31).wrapping_add(7);
    }
    let damaged = dir.path().join("damaged.db");
    std::fs::write(&damaged, bytes).expect("write");
    refused(&damaged, "damaged");
}

#[test]
fn a_database_whose_schema_was_altered_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, alteration, expect) in [
        (
            "trigger.db",
            "DROP TRIGGER decisions_no_delete",
            "decisions_no_delete",
        ),
        ("table.db", "DROP TABLE overrides", "overrides"),
        (
            "column.db",
            "ALTER TABLE matches ADD COLUMN shadow TEXT",
            "matches",
        ),
        (
            "extra-trigger.db",
            "CREATE TRIGGER sneaky AFTER INSERT ON decisions BEGIN SELECT 1; END",
            "sneaky",
        ),
    ] {
        let sub = dir.path().join(name);
        std::fs::create_dir(&sub).expect("mkdir");
        let db_path = decided_db(&sub);
        rusqlite::Connection::open(&db_path)
            .and_then(|c| c.execute_batch(alteration))
            .expect(alteration);
        refused(&db_path, expect);
        refused(&db_path, "schema");
    }
    // A supervisor's own index or view for their queries is not an alteration.
    let sub = dir.path().join("own-index");
    std::fs::create_dir(&sub).expect("mkdir");
    let db_path = decided_db(&sub);
    rusqlite::Connection::open(&db_path)
        .and_then(|c| {
            c.execute_batch(
                "CREATE INDEX my_idx ON decisions (decided_at); CREATE VIEW my_view AS SELECT 1",
            )
        })
        .expect("own index");
    let out = run(&["stats", "--db", s(&db_path)]);
    assert!(out.status.success(), "{}", stderr(&out));
}
