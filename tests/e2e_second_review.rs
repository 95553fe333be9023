//! End to end, a blind second review: with policy `double_review_rate` 1 every decision is drawn.
//! ann approves in her terminal (and is never offered her own decision back); bob's screen then
//! serves it first, blind (no score, no status, no first verdict), and he rejects it. The
//! database then holds bob's `second_reject` of ann's decision, the match is still approved, and
//! the supervisors' queue lists the disagreement.

mod support;

use support::{db, imported, review, run, stderr};

/// Two complete, agreeing requests in batch `team`.
const FIXTURE: &str = "\
batch,request_id,candidate_id,score,req_given_name,req_surname,req_dob,req_street_number,req_street,req_city,req_state,req_zip,cand_given_name,cand_surname,cand_dob,cand_street_number,cand_street,cand_city,cand_state,cand_zip
team,T000,C000,0.99,Ann,Archer,1970-01-01,10,Main St,Springfield,IL,62701,Ann,Archer,1970-01-01,10,Main St,Springfield,IL,62701
team,T001,C001,0.87,Bea,Brown,1971-02-02,11,Oak Ave,Springfield,IL,62702,Bea,Brown,1971-02-02,11,Oak Ave,Springfield,IL,62702
";

#[test]
fn a_second_reviewer_gets_anns_approval_blind_and_the_disagreement_reaches_supervisors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db_path = imported(dir.path(), FIXTURE);
    let db_arg = db_path.to_str().expect("utf-8");
    let out = run(&[
        "policy",
        "set",
        "--db",
        db_arg,
        "double_review_rate",
        "1",
        "--by",
        "admin",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));

    let ann = review(dir.path(), &db_path, &["--reviewer", "ann"], &[]);
    let screen = ann.wait_for("why flagged");
    assert!(screen.contains("request T000"), "{screen}");
    ann.keys(&["a"]);
    ann.wait_for("approved request T000 (saved)");
    // The next thing ann sees is the queue's next item, not her own decision to review again.
    let screen = ann.wait_for("request T001");
    assert!(!screen.contains("second review"), "{screen}");
    ann.keys(&["q"]);
    ann.wait_exit();
    let conn = db(&db_path);
    let first: i64 = conn
        .query_row(
            "SELECT id FROM decisions WHERE reviewer = 'ann' AND action = 'approve'",
            [],
            |r| r.get(0),
        )
        .expect("ann's approval");

    let bob = review(dir.path(), &db_path, &["--reviewer", "bob"], &[]);
    let screen = bob.wait_for_all(&["second review (blind)", "why flagged"]);
    assert!(screen.contains("request T000"), "{screen}");
    assert!(screen.contains("score hidden"), "{screen}");
    for leak in ["0.99", "approved", "ann", "1 of 2"] {
        assert!(
            !screen.contains(leak),
            "{leak:?} shows on a blind review:\n{screen}"
        );
    }
    // Deferring is no verdict here; the screen says so and saves nothing.
    bob.keys(&["s"]);
    bob.wait_for("cannot be deferred");
    bob.keys(&["r"]);
    bob.wait_for("reason");
    bob.keys(&["4"]);
    bob.wait_for("second review: rejected (different_person) request T000 (saved)");
    // Then the queue: T001, with its score.
    let screen = bob.wait_for("request T001");
    assert!(screen.contains("0.87"), "{screen}");
    bob.keys(&["q"]);
    bob.wait_exit();

    let (who, action, checks, status_before, status_after): (String, String, i64, String, String) =
        conn.query_row(
            "SELECT reviewer, action, checks, status_before, status_after FROM decisions
              WHERE action LIKE 'second_%'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .expect("one second verdict");
    assert_eq!(
        (who.as_str(), action.as_str(), checks),
        ("bob", "second_reject", first)
    );
    assert_eq!(
        (status_before.as_str(), status_after.as_str()),
        ("approved", "approved")
    );
    let open: i64 = conn
        .query_row(
            "SELECT count(*) FROM second_reviews WHERE done_by IS NULL",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(open, 0);
    let store = matchgate::store::Store::open(&db_path).expect("open");
    assert_eq!(store.disagreements(10).expect("disagreements"), vec![first]);
}
