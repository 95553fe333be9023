//! SIGTERM and SIGHUP (a dropped SSH session) end the review screen through the normal quit
//! path: the terminal is restored where it still exists and every saved decision is kept.
#![cfg(unix)]

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use support::{Tmux, count, db, run, write_file};

const CSV: &str = "\
request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_city,req_state,req_zip,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_city,cand_state,cand_zip
R1,C1,0.99,Ann,Archer,1970-01-01,1,Main St,Springfield,IL,62701,Ann,Archer,1970-01-01,1,Main St,Springfield,IL,62701
R2,C2,0.95,Bob,Baker,1971-02-02,2,Oak Ave,Springfield,IL,62702,Bob,Baker,1971-02-02,2,Oak Ave,Springfield,IL,62702
R3,C3,0.90,Cy,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703,Cy,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703
";

fn imported(dir: &Path) -> PathBuf {
    let file = write_file(dir, "flagged.csv", CSV);
    let db_path = dir.join("review.db");
    let out = run(&[
        "import",
        "--db",
        db_path.to_str().expect("utf-8"),
        file.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", support::stderr(&out));
    db_path
}

fn review(dir: &Path, db_path: &Path) -> Tmux {
    let home = dir.to_str().expect("utf-8");
    Tmux::start(
        &[
            "review",
            "--db",
            db_path.to_str().expect("utf-8"),
            "--reviewer",
            "sig",
        ],
        100,
        32,
        &[("HOME", home), ("XDG_CONFIG_HOME", home)],
    )
}

fn kill(pid: i32, signal: i32) {
    // SAFETY: a plain kill(2) on a process this test started.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "kill {pid}");
}

/// Two decisions saved on screen, then `signal`: the terminal comes back and both are stored.
fn stops_cleanly_on(signal: i32) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db_path = imported(dir.path());
    let tmux = review(dir.path(), &db_path);
    tmux.wait_for("request R1");
    tmux.keys(&["a"]);
    tmux.wait_for("approved request R1 (saved)");
    tmux.keys(&["r", "4"]);
    tmux.wait_for("rejected (different_person) request R2 (saved)");
    assert_eq!(tmux.alternate_screen(), "1");
    kill(tmux.pane_pid(), signal);
    tmux.wait_exit();
    assert_eq!(tmux.alternate_screen(), "0", "the terminal is restored");
    let screen = tmux.history();
    // tmux does not always record the status of a pane whose terminal closed first; when it
    // does, it must be a clean exit (not a death by the signal, not the watchdog's 129).
    let status = tmux.exit_status();
    assert!(
        status == "0" || status.is_empty(),
        "a clean exit (status {status:?}):\n{screen}"
    );
    let conn = db(&db_path);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM decisions WHERE reviewer = 'sig'"
        ),
        2
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM matches WHERE status = 'pending'"
        ),
        1
    );
}

#[test]
fn sigterm_restores_the_terminal_and_keeps_every_decision() {
    stops_cleanly_on(libc::SIGTERM);
}

#[test]
fn sighup_restores_the_terminal_and_keeps_every_decision() {
    stops_cleanly_on(libc::SIGHUP);
}

#[test]
fn a_dropped_terminal_ends_the_session_without_losing_a_decision() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db_path = imported(dir.path());
    let tmux = review(dir.path(), &db_path);
    tmux.wait_for("request R1");
    tmux.keys(&["a"]);
    tmux.wait_for("approved request R1 (saved)");
    let pid = tmux.pane_pid();
    // Closing the pane hangs up its terminal, as a dropped SSH connection does.
    drop(tmux);
    let deadline = Instant::now() + Duration::from_secs(10);
    // SAFETY: signal 0 only asks whether the process still exists.
    while unsafe { libc::kill(pid, 0) } == 0 {
        assert!(
            Instant::now() < deadline,
            "matchgate {pid} outlived its terminal"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let conn = db(&db_path);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM decisions WHERE reviewer = 'sig'"
        ),
        1
    );
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(check, "ok");
}
