//! End to end, a supervisor's day: two reviewers decide in their own terminals (one approval is
//! exported at once), then a supervisor in `matchgate supervise` overturns the released approval
//! and agrees with the other. Afterwards the database holds both checks, `export` releases only
//! the approval the supervisor agreed with, and `recall --overturned` lists the released one for
//! a disposal request, with who released it and who overturned it.

mod support;

use support::{Tmux, count, db, imported, review, run, stderr, stdout};

const FIXTURE: &str = "\
request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_city,req_state,req_zip,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_city,cand_state,cand_zip
R1,C1,0.99,Ann,Archer,1970-01-01,1,Main St,Springfield,IL,62701,Ann,Archer,1970-01-01,1,Main St,Springfield,IL,62701
R2,C2,0.97,Bob,Baker,1971-02-02,2,Oak Ave,Springfield,IL,62702,Bob,Baker,1971-02-02,2,Oak Ave,Springfield,IL,62702
R3,C3,0.95,Cy,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703,Cy,Cole,1972-03-03,3,Pine Rd,Springfield,IL,62703
";

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(out.status.success(), "{args:?} failed: {}", stderr(&out));
    stdout(&out)
}

/// One reviewer approves the first item of their queue and quits.
fn approve_first(dir: &std::path::Path, db_path: &std::path::Path, who: &str, request: &str) {
    let tmux = review(dir, db_path, &["--reviewer", who], &[]);
    tmux.wait_for(&format!("request {request} "));
    tmux.keys(&["a"]);
    tmux.wait_for(&format!("request {request} (saved)"));
    tmux.keys(&["q"]);
    tmux.wait_exit();
}

#[test]
fn a_supervisor_overturns_a_released_approval_and_agrees_with_another() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db_path = imported(dir.path(), FIXTURE);
    let dbs = db_path.to_str().expect("utf-8");
    for (name, role) in [
        ("root", "admin"),
        ("ann", "reviewer"),
        ("bob", "reviewer"),
        ("sam", "supervisor"),
    ] {
        ok(&[
            "user", "add", "--db", dbs, name, "--role", role, "--by", "root",
        ]);
    }
    approve_first(dir.path(), &db_path, "ann", "R1");
    let first = dir.path().join("first.csv");
    ok(&[
        "export",
        "--db",
        dbs,
        "--out",
        first.to_str().expect("test setup"),
        "--by",
        "sam",
    ]);
    assert!(
        std::fs::read_to_string(&first)
            .expect("test setup")
            .contains("R1")
    );
    approve_first(dir.path(), &db_path, "bob", "R2");

    let home = dir.path().to_str().expect("test setup");
    let sam = Tmux::start(
        &["supervise", "--db", dbs, "--supervisor", "sam"],
        140,
        40,
        &[("HOME", home), ("XDG_CONFIG_HOME", home)],
    );
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

    let conn = db(&db_path);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM decisions c JOIN decisions d ON d.id = c.checks
              WHERE c.action = 'overturn' AND c.reviewer = 'sam' AND d.reviewer = 'ann'
                AND c.reason_code = 'different_person' AND c.note = 'the DOB is the father''s'"
        ),
        1
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM decisions c JOIN decisions d ON d.id = c.checks
              WHERE c.action = 'agree' AND c.reviewer = 'sam' AND d.reviewer = 'bob'"
        ),
        1
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM audit WHERE action IN ('agree', 'overturn') AND outcome = 'done'"
        ),
        2
    );
    // A release cannot be unsent: R1 stays released, flagged for recall.
    let second = dir.path().join("second.csv");
    ok(&[
        "export",
        "--db",
        dbs,
        "--out",
        second.to_str().expect("test setup"),
        "--by",
        "sam",
    ]);
    let released = std::fs::read_to_string(&second).expect("test setup");
    assert!(
        released.contains("R2") && !released.contains("R1"),
        "{released}"
    );
    let recall = ok(&["recall", "--db", dbs, "--overturned", "--format", "csv"]);
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
    let table = ok(&["recall", "--db", dbs, "--overturned"]);
    assert!(
        table.contains("released by sam at") && table.contains("approval overturned by sam"),
        "{table}"
    );
}
