//! End to end, a supervisor's day: two reviewers decide in their own terminals (one approval is
//! exported at once), then a supervisor in `matchgate supervise` overturns the released approval
//! and agrees with the other. Afterwards the database holds both checks, `export` releases only
//! the approval the supervisor agreed with, and `recall --overturned` lists the released one for
//! a disposal request, with who released it and who overturned it. On a SQLite file and on a
//! PostgreSQL server alike (each person logged in as themselves there).

mod support;

use matchgate::domain::roles::Role;
use support::Tmux;
use support::backend::{Backend, Kind};

const FIXTURE: &str = "\
request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_city,req_state,req_zip,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_city,cand_state,cand_zip
R1,C1,0.99,Ann,Archer,1970-01-01,1,Main St,Springfield,IL,62701,Ann,Archer,1970-01-01,1,Main St,Springfield,IL,62701
R2,C2,0.97,Bob,Baker,1971-02-02,2,Oak Ave,Springfield,IL,62702,Bob,Baker,1971-02-02,2,Oak Ave,Springfield,IL,62702
R3,C3,0.95,Cy,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703,Cy,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703
";

/// `matchgate review` or `supervise` as `who` on the backend, in a real terminal.
fn screen_as(backend: &Backend, home: &std::path::Path, who: &str, screen: &str) -> Tmux {
    let home = home.to_str().expect("utf-8");
    let db = backend.db_as(who);
    let name = if screen == "review" {
        "--reviewer"
    } else {
        "--supervisor"
    };
    Tmux::start(
        &[screen, "--db", &db, name, who],
        140,
        40,
        &[("HOME", home), ("XDG_CONFIG_HOME", home)],
    )
}

/// One reviewer approves the first item of their queue and quits.
fn approve_first(backend: &Backend, home: &std::path::Path, who: &str, request: &str) {
    let tmux = screen_as(backend, home, who, "review");
    tmux.wait_for(&format!("request {request} "));
    tmux.keys(&["a"]);
    tmux.wait_for(&format!("request {request} (saved)"));
    tmux.keys(&["q"]);
    tmux.wait_exit();
}

on_both!(a_supervisor_overturns_a_released_approval_and_agrees_with_another);

fn a_supervisor_overturns_a_released_approval_and_agrees_with_another(kind: Kind) {
    let people = [
        ("ann", Role::Reviewer),
        ("bob", Role::Reviewer),
        ("sam", Role::Supervisor),
    ];
    let Some(backend) = Backend::new(kind, "a_supervisors_day", FIXTURE, &people) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    approve_first(&backend, dir.path(), "ann", "R1");
    let first = dir.path().join("first.csv");
    backend.cli_as(
        "sam",
        &["export", "--out", first.to_str().expect("test setup")],
    );
    assert!(
        std::fs::read_to_string(&first)
            .expect("test setup")
            .contains("R1")
    );
    approve_first(&backend, dir.path(), "bob", "R2");

    let sam = screen_as(&backend, dir.path(), "sam", "supervise");
    // Each reviewer made fewer decisions than the daily minimum: both are in the sample,
    // ann's lot first.
    sam.wait_for_all(&["2 spot checks", "approve by ann", "request R1"]);
    sam.keys(&["o"]);
    sam.wait_for("Overturn · what was wrong?");
    sam.keys(&["4"]);
    sam.wait_for("note (required)");
    sam.keys(&["Enter"]);
    sam.wait_for("an overturn needs a note");
    sam.keys(&["-l", "the DOB is the father's"]);
    sam.keys(&["Enter"]);
    sam.wait_for("flagged for recall");
    sam.wait_for_all(&["approve by bob", "request R2"]);
    sam.keys(&["y"]);
    sam.wait_for("agreed with decision");
    sam.wait_for("Nothing to supervise");
    sam.keys(&["q"]);
    sam.wait_exit();

    assert_eq!(
        backend.int(
            "SELECT count(*) FROM decisions c JOIN decisions d ON d.id = c.checks
              WHERE c.action = 'overturn' AND c.reviewer = 'sam' AND d.reviewer = 'ann'
                AND c.reason_code = 'different_person' AND c.note = 'the DOB is the father''s'"
        ),
        1
    );
    assert_eq!(
        backend.int(
            "SELECT count(*) FROM decisions c JOIN decisions d ON d.id = c.checks
              WHERE c.action = 'agree' AND c.reviewer = 'sam' AND d.reviewer = 'bob'"
        ),
        1
    );
    assert_eq!(
        backend.int(
            "SELECT count(*) FROM audit WHERE action IN ('agree', 'overturn') AND outcome = 'done'"
        ),
        2
    );
    // A release cannot be unsent: R1 stays released, flagged for recall.
    let second = dir.path().join("second.csv");
    backend.cli_as(
        "sam",
        &["export", "--out", second.to_str().expect("test setup")],
    );
    let released = std::fs::read_to_string(&second).expect("test setup");
    assert!(
        released.contains("R2") && !released.contains("R1"),
        "{released}"
    );
    let recall = backend.cli_as("sam", &["recall", "--overturned", "--format", "csv"]);
    let lines: Vec<&str> = recall.lines().collect();
    assert_eq!(lines.len(), 2, "a header and R1 only:\n{recall}");
    assert!(
        lines[0].ends_with("overturned_by,overturned_at"),
        "{recall}"
    );
    assert!(
        lines[1].contains(",R1,") && lines[1].contains(",sam,"),
        "{recall}"
    );
    let table = backend.cli_as("sam", &["recall", "--overturned"]);
    assert!(
        table.contains("released by sam at") && table.contains("approval overturned by sam"),
        "{table}"
    );
}
