//! End to end: the real binary in a real terminal (tmux), on a SQLite file and on a PostgreSQL
//! server alike (logged in as herself there). A reviewer approves, rejects with a reason, defers,
//! undoes and quits; then the database must hold exactly those decisions. Hostile bytes in a
//! record never reach the terminal raw, on either.

mod support;

use matchgate::domain::roles::Role;
use support::backend::{Backend, Kind};
use support::{Tmux, count, db, imported, review};

/// The reviewer at the keys (on a server, the role she logs in as).
const WHO: &str = "alice";

/// `matchgate review` as `WHO` on the backend, in a real terminal.
fn review_on(backend: &Backend, home: &std::path::Path) -> Tmux {
    let home = home.to_str().expect("utf-8");
    let db = backend.db_as(WHO);
    Tmux::start(
        &["review", "--db", &db, "--reviewer", WHO],
        100,
        32,
        &[("HOME", home), ("XDG_CONFIG_HOME", home)],
    )
}

const FIXTURE: &str = "\
batch,requester,legal_basis,request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_city,req_state,req_zip,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_city,cand_state,cand_zip,cand_tin
b1,Agency A,Statute 1,R1,C1,0.99,Ann,Archer,1970-01-01,1,Main St,Springfield,IL,62701,Ann,Archer,1970-01-01,1,Main St,Springfield,IL,62701,900-11-1111
b1,Agency A,Statute 1,R2,C2,0.95,Bob,Baker,1971-02-02,2,Oak Ave,Springfield,IL,62702,Rob,Baker,1981-02-02,9,Elm St,Peoria,IL,61602,900-22-2222
b1,Agency A,Statute 1,R3,C3,0.90,Cy,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703,Cy,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703,900-33-3333
b1,Agency A,Statute 1,R4,C4,0.85,Di,Dunn,1973-04-04,4,Elm St,Springfield,IL,62704,Di,Dunn,1973-04-04,4,Elm St,Springfield,IL,62704,900-44-4444
";

fn status_of(backend: &Backend, request: &str) -> String {
    backend.rows(&format!(
        "SELECT m.status FROM matches m JOIN requests r ON r.id = m.request_id
          WHERE r.source_id = '{request}'"
    ))[0][0]
        .clone()
}

on_both!(
    a_reviewer_session_in_a_real_terminal_writes_exactly_its_decisions,
    hostile_bytes_in_a_record_never_reach_the_terminal_raw,
);

fn a_reviewer_session_in_a_real_terminal_writes_exactly_its_decisions(kind: Kind) {
    let Some(backend) = Backend::new(
        kind,
        "a_reviewer_session",
        FIXTURE,
        &[(WHO, Role::Reviewer)],
    ) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let tmux = review_on(&backend, dir.path());
    tmux.wait_for("request R1");
    tmux.keys(&["a"]);
    tmux.wait_for("approved request R1 (saved)");
    tmux.wait_for("request R2");
    tmux.keys(&["r"]);
    tmux.wait_for("Reject · why?");
    tmux.keys(&["4"]);
    tmux.wait_for("rejected (different_person) request R2 (saved)");
    tmux.wait_for("request R3");
    tmux.keys(&["s"]);
    tmux.wait_for("deferred request R3 (saved)");
    tmux.keys(&["u"]);
    tmux.wait_for("undone: deferred of request R3 (saved)");
    tmux.wait_for("request R3");
    // Too small: the screen says so and takes no decision until the record fits again.
    tmux.resize(70, 20);
    tmux.wait_for("needs more room");
    tmux.keys(&["a"]);
    tmux.resize(100, 32);
    tmux.wait_for("request R3");
    tmux.wait_for("enlarge the terminal");
    tmux.keys(&["q"]);
    tmux.wait_exit();
    assert_eq!(
        tmux.alternate_screen(),
        "0",
        "the terminal is restored on quit"
    );

    assert_eq!(status_of(&backend, "R1"), "approved");
    assert_eq!(status_of(&backend, "R2"), "rejected");
    assert_eq!(
        status_of(&backend, "R3"),
        "pending",
        "the deferral was undone"
    );
    assert_eq!(status_of(&backend, "R4"), "pending");
    assert_eq!(
        backend.int(&format!(
            "SELECT count(*) FROM decisions WHERE reviewer = '{WHO}'"
        )),
        4,
        "approve, reject, defer and its undo"
    );
    assert_eq!(backend.int("SELECT count(*) FROM decisions"), 4);
    assert_eq!(
        backend.int(
            "SELECT count(*) FROM decisions WHERE action = 'reject' AND reason_code = 'different_person'"
        ),
        1
    );
    assert_eq!(
        backend.int(
            "SELECT count(*) FROM decisions u JOIN decisions d ON u.undoes = d.id WHERE u.action = 'undo' AND d.action = 'defer'"
        ),
        1
    );
    assert_eq!(
        backend.int("SELECT count(*) FROM decisions WHERE viewed_ms IS NULL OR viewed_ms < 0"),
        0
    );
    // Quitting gave the claim back.
    assert_eq!(
        backend.int(&format!(
            "SELECT count(*) FROM claims WHERE holder = '{WHO}'"
        )),
        0
    );
}

fn hostile_bytes_in_a_record_never_reach_the_terminal_raw(kind: Kind) {
    // An OSC sequence that would retitle the terminal, a screen clear, a bell and a bidi override.
    let hostile = "request_id,candidate_id,score,req_given_name,req_surname,req_city,cand_given_name,cand_surname\n\
R9,C9,0.97,\"Eve\u{1b}]0;pwned\u{7}\",\"Evil\u{1b}[2J\",\"Spring\u{202e}dleif\",Eve,Evil\n";
    let Some(backend) = Backend::new(kind, "hostile_bytes", hostile, &[(WHO, Role::Reviewer)])
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let tmux = review_on(&backend, dir.path());
    // The OSC and the bidi override are shown as visible escapes, and the item is flagged.
    tmux.wait_for_all(&[
        "request R9",
        "\\e]0;pwned\\x07",
        "\\u{202e}",
        "control or invisible characters",
    ]);
    assert_ne!(
        tmux.pane_title().trim(),
        "pwned",
        "the record retitled the terminal"
    );
    tmux.keys(&["q"]);
    tmux.wait_exit();
}

#[test]
fn the_terminal_is_restored_after_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db_path = imported(dir.path(), FIXTURE);
    let tmux = review(
        dir.path(),
        &db_path,
        &[],
        &[
            ("MATCHGATE_TEST_PANIC_ON_KEY", "1"),
            ("RUST_BACKTRACE", "0"),
        ],
    );
    tmux.wait_for("request R1");
    assert_eq!(tmux.alternate_screen(), "1");
    tmux.keys(&["j"]);
    tmux.wait_exit();
    assert_eq!(
        tmux.alternate_screen(),
        "0",
        "raw mode and the alternate screen were left"
    );
    let screen = tmux.screen();
    assert!(
        screen.contains("test panic requested"),
        "the panic message is readable:\n{screen}"
    );
    assert_eq!(count(&db(&db_path), "SELECT count(*) FROM decisions"), 0);
}
